"""The content model: what the YAML under ``content/<lang>/`` turns into."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from spasmbot.content.errors import ContentError as ContentError
from spasmbot.content.errors import ContentInvalid as ContentInvalid

if TYPE_CHECKING:
    from spasmbot.content.review import Review, ReviewFields
    from spasmbot.features.checks.model import Check


@dataclass(frozen=True, slots=True)
class Card:
    id: str
    title: str
    pages: tuple[str, ...]
    section: str
    see_also: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # "tips", "water", "checks", "check:<id>"
    source: str = ""  # "<file>: cards[<id>]", where errors and warnings point
    review: Review | None = None  # sources and review dates (own, or the section's defaults)
    treatment: bool = False  # shows the "check with a doctor or pharmacist first" line


@dataclass(frozen=True, slots=True)
class Section:
    id: str
    title: str
    intro: str
    cards: tuple[str, ...]
    command: str | None = None
    description: str = ""  # the command's line in Telegram's command menu
    order: int = 100
    actions: tuple[str, ...] = ()
    source: str = ""
    review: ReviewFields | None = None  # defaults for the section's cards


@dataclass(frozen=True, slots=True)
class Tip:
    id: str
    text: str
    card: str
    review: Review | None = None  # its own, or its card's
    avoid_if: tuple[str, ...] = ()  # conditions (``Content.conditions``) for which it is never sent
    source: str = ""


@dataclass(frozen=True, slots=True)
class Condition:
    """A health condition a person told a guided check about, found again in their stored result.

    Declared in ``tips.yaml`` (``conditions:``) so that a tip can be held back from the people
    it could harm (potassium-rich food and kidney disease): the answer is named by its text, so
    an edit of the check that drops it fails ``check-content`` instead of silently unfiltering.
    """

    id: str
    check: str
    step: str
    answer: str  # the answer's text in that step


class UiText:
    """The bot's own words (buttons, prompts, errors), looked up by dotted key: ``tips.subscribed``."""

    def __init__(self, strings: dict[str, str]) -> None:
        self._strings = strings

    def __call__(self, key: str, /, **values: Any) -> str:
        template = self._strings[key]
        return template.format(**values) if values else template

    def __contains__(self, key: str) -> bool:
        return key in self._strings

    def keys(self) -> list[str]:
        return list(self._strings)

    @staticmethod
    def fields(template: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """How people write in one language (``search.yaml``): what search and red-flag matching need.

    Kept as data so a second language brings its own words: nothing in the code is English.
    """

    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # term -> lay phrases for it
    keywords: dict[str, tuple[str, ...]] = field(default_factory=dict)  # card/section/check id -> words
    filler: frozenset[str] = frozenset()  # words that carry no meaning in a question ("does", "what")
    common: frozenset[str] = frozenset()  # what every topic is about ("cramp"): counts less beside other words
    endings: tuple[str, ...] = ()  # word endings dropped so word forms meet ("cramps", "cramping")
    negations: frozenset[str] = frozenset()  # "no", "not": "no chest pain" is not a warning sign
    hedges: frozenset[str] = frozenset()  # "not sure", "don't know": these undo a negation
    popular: tuple[str, ...] = ()  # card ids offered first when someone searches for nothing yet


@dataclass(slots=True)
class Content:
    language: str
    sections: dict[str, Section]
    cards: dict[str, Card]
    menu: tuple[str, ...]  # main menu entries: "section:<id>" or a feature name
    tips: dict[str, Tip]
    nudges: tuple[str, ...]
    ui: UiText
    checks: dict[str, Check] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    version: str = ""  # hash of the content files, to spot stale state
    conditions: dict[str, Condition] = field(default_factory=dict)

    def reviews(self) -> list[tuple[str, str, Review | None]]:
        """(file, field, review) of every card, tip and guided check, for overdue warnings."""
        items: list[tuple[str, str, Review | None]] = []
        for check in self.checks.values():
            items.append((check.source, "", check.review))
        for card in self.cards.values():
            file, _, where = card.source.partition(": ")
            items.append((file, where, card.review))
        for tip in self.tips.values():
            file, _, where = tip.source.partition(": ")
            items.append((file, where, tip.review))
        return items

    def section_of(self, card_id: str) -> Section:
        return self.sections[self.cards[card_id].section]
