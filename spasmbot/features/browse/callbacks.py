"""Callback data of browsing (namespace ``b``).

``b:m`` main menu · ``b:s:<section>:<page>`` · ``b:c:<card>:<page>`` · ``b:src:<card>`` (the card's
sources and review dates) · ``b:about`` · ``b:help`` · ``b:disc`` (the short disclaimer as a pop-up)
(``b:s:<section>`` and ``b:c:<card>`` without a page, from older messages, open page 1).
Sections, cards and sources may end with a *trail*, ``:<step>,<step>...``: the screens the user came
through, where Back leads (see ``spasmbot.features.browse.screens``).
"""

from __future__ import annotations

from spasmbot.callback_data import Arg, Grammar, Int, Word

_STEP = r"[sc][a-z0-9_]{1,24}(?:\.[0-9]{1,3})?"


def Trail(name: str) -> Arg:
    """Screens passed through, newest first: ``ccramps,stypes`` (section ``s``/card ``c`` + id + .page)."""
    return Arg(name, rf"{_STEP}(?:,{_STEP})*")


BROWSE = Grammar("b")
MENU = BROWSE.action("m")
ABOUT = BROWSE.action("about")
HELP = BROWSE.action("help")
SECTION = BROWSE.action("s", Word("id"), Int("page", 0, 999))
CARD = BROWSE.action("c", Word("id"), Int("page", 0, 999))
SECTION_FIRST = BROWSE.action("s", Word("id"))
CARD_FIRST = BROWSE.action("c", Word("id"))
SOURCES = BROWSE.action("src", Word("id"))
DISCLAIMER = BROWSE.action("disc")
SECTION_TRAIL = BROWSE.action("s", Word("id"), Int("page", 0, 999), Trail("trail"))
CARD_TRAIL = BROWSE.action("c", Word("id"), Int("page", 0, 999), Trail("trail"))
SOURCES_TRAIL = BROWSE.action("src", Word("id"), Trail("trail"))
