"""How typed text and content text become comparable words, the same way for both.

Language-neutral on purpose: Unicode word characters, accents folded, and everything that is
particular to a language (filler words, word endings, negations) comes from that language's
``search.yaml`` through :class:`~spasmbot.content.model.Vocabulary`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA

from spasmbot.content.model import Vocabulary

_TAG = re.compile(r"<[^>]+>")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "ʼ": "'"})
# A word: letters/digits, possibly joined by apostrophes ("can't") or hyphens ("follow-up").
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
# Where one thought ends: a negation before it does not reach past it.
_CLAUSE = re.compile(r"[.!?;,:()\n]+|\s[-–—]\s")
MIN_STEM = 3


def plain(text: str) -> str:
    """Telegram HTML as the words a reader sees."""
    return html.unescape(_TAG.sub(" ", text))


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents (``Crampé`` -> ``crampe``), straight apostrophes."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True, slots=True)
class Words:
    """One language's rules for turning text into word stems."""

    filler: frozenset[str]
    endings: tuple[str, ...]
    negations: frozenset[str]
    hedges: frozenset[str]

    @classmethod
    def of(cls, vocabulary: Vocabulary) -> Words:
        """The rules of ``vocabulary``; negations and hedges are kept as stems, as text is compared."""
        plain = cls(
            frozenset(fold(w) for w in vocabulary.filler),
            tuple(fold(e) for e in vocabulary.endings),
            frozenset(),
            frozenset(),
        )
        return cls(
            filler=plain.filler,
            endings=plain.endings,
            negations=frozenset(plain.stem(fold(w)) for w in vocabulary.negations),
            hedges=frozenset(plain.stem(fold(w)) for w in vocabulary.hedges),
        )

    def stem(self, word: str) -> str:
        """Drop the longest listed ending that leaves at least three letters."""
        for ending in self.endings:  # longest first (the loader sorts them)
            if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
                return word[: -len(ending)]
        return word

    def words(self, text: str) -> list[str]:
        """The meaningful words of ``text`` as written (folded), filler words left out, in order."""
        return [w for w in _WORD.findall(fold(text)) if w not in self.filler]

    def tokens(self, text: str) -> list[str]:
        """Stems of the meaningful words of ``text`` (filler words left out), in order."""
        return [self.stem(w) for w in self.words(text)]

    def clauses(self, text: str) -> list[list[str]]:
        """Stems per clause, filler left out; negation words are kept (they are never filler)."""
        result = []
        for part in _CLAUSE.split(fold(text)):
            stems = [self.stem(w) for w in _WORD.findall(part) if w not in self.filler]
            if stems:
                result.append(stems)
        return result


def max_typos(word: str) -> int:
    """How many slips a typed word of this length may hold and still count as the word."""
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def same_word(typed: str, known: str) -> bool:
    """``typed`` is ``known`` or a plausible misspelling of it.

    Misspellings rarely change the first letter; requiring it keeps "painted" from reading as
    "fainted". Transpositions ("pian") count as one slip (optimal string alignment distance).
    """
    if typed == known:
        return True
    if not typed or not known or typed[0] != known[0]:
        return False
    allowed = min(max_typos(typed), max_typos(known))
    return allowed > 0 and OSA.distance(typed, known, score_cutoff=allowed) <= allowed
