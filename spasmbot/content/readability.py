"""Reading level of the content: the Flesch-Kincaid grade of each card, as health services measure it.

Plain words matter for health text read on a phone, often in pain or worry: the project aims at a
median card of about grade 6 and none above grade 8. The grade is

    0.39 × (words / sentences) + 11.8 × (syllables / words) − 15.59

counted on the visible text (HTML tags, entities and emoji removed). Every line (a title, a
bullet) counts as a sentence, as a reader takes it, and so does each ``.``, ``!`` or ``?``
inside a line. Syllables are counted by vowel groups with the usual English corrections (a
silent final ``e``, ``-es``, ``-ed``): within about one syllable of a dictionary for almost all
words, which is what the formula was designed around. (The libraries that do this, textstat and
its kin, need a pronunciation dictionary downloaded at run time, which this project can't do.)
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from statistics import median

from spasmbot.content.model import Card, Content

_TAG = re.compile(r"<[^>]+>")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n+")
_SILENT_END = re.compile(r"(?:[^laeiouy]es|[^laeiouy]ed|[^laeiouy]e)$")
_VOWELS = re.compile(r"[aeiouy]{1,2}")

TARGET_MEDIAN = 6.0
MAX_GRADE = 8.0


def syllables(word: str) -> int:
    """Syllables in one English word, by vowel groups (``myoclonic`` 3, ``cerebellum`` 4)."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    if len(w) <= 3:
        return 1
    w = _SILENT_END.sub("", w)
    w = w.removeprefix("y")
    return max(1, len(_VOWELS.findall(w)))


def visible_text(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


@dataclass(frozen=True, slots=True)
class TextStats:
    sentences: int
    words: int
    syllables: int

    @property
    def grade(self) -> float:
        """The Flesch-Kincaid grade level; 0 for a text without words."""
        if not self.words:
            return 0.0
        return 0.39 * self.words / self.sentences + 11.8 * self.syllables / self.words - 15.59


def text_stats(text: str) -> TextStats:
    sentences = words = syll = 0
    for part in _SENTENCE_END.split(visible_text(text)):
        found = _WORD.findall(part)
        if found:
            sentences += 1
            words += len(found)
            syll += sum(syllables(w) for w in found)
    return TextStats(sentences, words, syll)


def grade(text: str) -> float:
    return text_stats(text).grade


def card_grade(card: Card) -> float:
    """The grade of a card's whole text (all pages, title included)."""
    return grade("\n".join((card.title, *card.pages)))


@dataclass(frozen=True, slots=True)
class ReadingReport:
    grades: dict[str, float]  # card id -> grade

    @property
    def median(self) -> float:
        return median(self.grades.values()) if self.grades else 0.0

    def worst(self, count: int = 5) -> list[tuple[str, float]]:
        return sorted(self.grades.items(), key=lambda item: (-item[1], item[0]))[:count]

    def above(self, limit: float = MAX_GRADE) -> list[tuple[str, float]]:
        return [(card, value) for card, value in self.worst(len(self.grades)) if value > limit]

    def summary(self) -> str:
        worst = ", ".join(f"{card} {value:.1f}" for card, value in self.worst())
        return (
            f"reading level (Flesch-Kincaid grade) of {len(self.grades)} cards: median "
            f"{self.median:.1f} (aim ≤ {TARGET_MEDIAN:g}), highest: {worst} (limit {MAX_GRADE:g})"
        )


def reading_report(content: Content) -> ReadingReport:
    return ReadingReport({card.id: card_grade(card) for card in content.cards.values()})
