"""The ``s:`` button grammar (helpful votes), deep-link payloads, and the footer every card gets.

Votes are counted per card without knowing who voted: the message's own buttons remember this
message's vote. ``s:v:<card>:<tap>:<was>`` says "tapped 👍 (``u``) or 👎 (``d``) while this message
showed ``was`` (``n`` none, ``u``, ``d``)", so a change of mind moves one count from one side to the
other and a second tap on the chosen side takes the vote back. The handler only accepts data
that is on the tapped message's keyboard right now, so stale or forged data changes nothing.

Deep links (``https://t.me/<bot>?start=<payload>``): ``c-<card id>`` opens a card, ``k-<check id>``
starts a guided check. Telegram allows 1-64 characters ``A-Z a-z 0-9 _ -``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spasmbot.callback_data import Choice, Grammar, Tap, Word
from spasmbot.content.model import Card, Content
from spasmbot.screen import Button

UP, DOWN, NONE = "u", "d", "n"
SEARCH = Grammar("s")
VOTE = SEARCH.action("v", Word("card"), Choice("tap", UP, DOWN), Choice("was", NONE, UP, DOWN))
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
CARD_LINK, CHECK_LINK = "c-", "k-"


@dataclass(frozen=True, slots=True)
class VoteTap:
    card: str
    tap: str  # UP or DOWN
    was: str  # NONE, UP or DOWN: what this message showed before the tap

    @property
    def now(self) -> str:
        """The message's vote after the tap: a second tap on the same side takes it back."""
        return NONE if self.tap == self.was else self.tap

    def changes(self) -> dict[str, int]:
        """How the counts move: ``{"u": +1, "d": -1}`` for a switch from 👎 to 👍."""
        delta = {UP: 0, DOWN: 0}
        if self.was != NONE:
            delta[self.was] -= 1
        if self.now != NONE:
            delta[self.now] += 1
        return delta


def vote_data(card_id: str, tap: str, was: str) -> str:
    return VOTE(card_id, tap, was)


def vote_of(tap: Tap) -> VoteTap:
    return VoteTap(tap.text("card"), tap.text("tap"), tap.text("was"))


def vote_buttons(content: Content, card_id: str, state: str = NONE) -> tuple[Button, Button]:
    """👍 and 👎 for a card, the chosen one marked."""
    return (
        Button(
            content.ui("search.button.up_chosen" if state == UP else "search.button.up"), vote_data(card_id, UP, state)
        ),
        Button(
            content.ui("search.button.down_chosen" if state == DOWN else "search.button.down"),
            vote_data(card_id, DOWN, state),
        ),
    )


def share_button(content: Content, card: Card) -> Button:
    """Opens inline mode in a chat of the user's choice with the card's title typed in."""
    return Button(content.ui("search.button.share"), switch_inline_query=card.title)


def card_footer(content: Content, card: Card, page: int) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """What every card shows under its own buttons: Share, and on its last page "Was this helpful?"."""
    if page < len(card.pages) - 1:
        return "", ((share_button(content, card),),)
    return content.ui("search.helpful"), ((*vote_buttons(content, card.id), share_button(content, card)),)


def deep_link(payload: str) -> tuple[str, str] | None:
    """``("card", id)`` or ``("check", id)`` for a well-formed payload (not checked against content)."""
    if not PAYLOAD.match(payload):
        return None
    if payload.startswith(CARD_LINK):
        return "card", payload.removeprefix(CARD_LINK)
    if payload.startswith(CHECK_LINK):
        return "check", payload.removeprefix(CHECK_LINK)
    return None


def card_link(bot_username: str, card_id: str) -> str:
    return f"https://t.me/{bot_username}?start={CARD_LINK}{card_id}"
