"""Callback data of the time-zone picker (namespace ``z``).

The data to return to afterwards (another feature's button, e.g. ``t:time``) travels inside, so a
restart in between loses nothing: ``z:p:<return_to>`` the offsets, ``z:o:<minutes>:<return_to>`` the
regions at an offset, ``z:s:<zone>:<return_to>`` the choice. When ``return_to`` would not fit in
Telegram's 64 bytes it is dropped (``with_return``) and the picker ends at the main menu.
"""

from __future__ import annotations

from spasmbot.callback_data import Action, CallbackDataError, Grammar, Int, Rest, Word

ZONE = Grammar("z")
PICK = ZONE.action("p", Rest("to"))
OFFSET = ZONE.action("o", Int("offset", -24 * 60, 24 * 60), Rest("to"))
SELECT = ZONE.action("s", Word("zone"), Rest("to"))


def with_return(action: Action, *values: int | str, return_to: str) -> str:
    """``action``'s data carrying ``return_to``; without it if it would not fit."""
    try:
        return action(*values, return_to)
    except CallbackDataError:
        return action(*values, "")
