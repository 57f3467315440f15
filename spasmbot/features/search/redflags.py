"""Warning signs in typed words, checked before any search.

The phrases come from the guided checks' content: every answer whose ``floor`` is ``urgent`` or
``emergency`` declares ``phrases``, lay words for that sign ("chest pain", "can't breathe", "stiff
jaw after a cut"); ``Check.red_flags()`` lists them with the outcome to show.

Both the phrases and the message go through the same steps as a search: filler words out, word
endings cut, lay words replaced by the content's words (``search.yaml: synonyms``, so "pins and
needles" in a message meets "tingling" in a phrase). A message then matches a phrase when all of
the phrase's words occur in it, in any order, next to each other or with at most ``SLACK`` other
words between them, each word being the very word or a plausible misspelling of it (see
:func:`~spasmbot.features.search.words.same_word`: "chest pian" is "chest pain").

Precision is the other half of safety: a match needs *every* word of a phrase close together, so
"chest day at the gym and my calves cramp" is not "chest cramp"; and a phrase right after a
negation in the same clause ("no chest pain", "I don't have chest pain"), or with one inside it
("lips not swelling"), is not a warning sign,
unless a hedge undoes the negation ("not sure if it's chest pain" still counts: when unsure, the
more urgent reading wins). When several signs match, the most urgent wins.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from spasmbot.content.model import Content
from spasmbot.features.checks.model import Check, Outcome, RedFlag, rank
from spasmbot.features.search.index import SearchIndex
from spasmbot.features.search.words import fold, max_typos, same_word

SLACK = 1  # other words allowed between a phrase's words ("chest really hurts" = "chest hurts")
NEGATION_REACH = 3  # a negation this many words before a phrase, in the same clause, negates it
_CLAUSE = re.compile(r"[.!?;,:()\n]+")


@dataclass(frozen=True, slots=True)
class Sign:
    """One declared phrase for one warning sign, as content words."""

    words: tuple[str, ...]
    phrase: str
    flag: RedFlag  # the check's warning-sign answer that declares the phrase


@dataclass(frozen=True, slots=True)
class Match:
    """What a typed message was matched to: the phrase, its urgency and the advice to show."""

    phrase: str
    urgency: str
    check: Check
    outcome: Outcome
    flag: RedFlag


class RedFlagMatcher:
    """Built once per language with the search index (whose word rules it shares); ``match`` is pure."""

    def __init__(self, content: Content, index: SearchIndex) -> None:
        self.index = index
        self.words = index.words
        self._checks = content.checks
        self.signs: list[Sign] = []
        for check in sorted(content.checks.values(), key=lambda c: (c.order, c.id)):
            for flag in check.red_flags():
                for phrase in flag.answer.phrases:
                    stems = tuple(dict.fromkeys(stem for stem, _ in self._content_words(phrase)))
                    if stems:
                        self.signs.append(Sign(stems, phrase, flag))
        self.signs.sort(key=lambda sign: -rank(sign.flag.floor))  # most urgent first
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for number, sign in enumerate(self.signs):
            for word in sign.words:
                self._by_word[word].append(number)
        self._vocabulary: dict[str, list[str]] = defaultdict(list)
        for word in self._by_word:
            self._vocabulary[word[0]].append(word)

    def _content_words(self, text: str) -> list[tuple[str, str]]:
        return self.index.in_content_words(self.words.words(text))

    def match(self, text: str) -> Match | None:
        """The most urgent warning sign ``text`` describes, or None."""
        stems: list[str] = []
        clause_of: list[int] = []
        for number, part in enumerate(_CLAUSE.split(fold(text))):
            for stem, _ in self._content_words(part):
                stems.append(stem)
                clause_of.append(number)
        if not stems:
            return None
        places: dict[str, list[int]] = defaultdict(list)  # a phrase word -> where the message has it
        for position, stem in enumerate(stems):
            for word in self._phrase_words_for(stem):
                places[word].append(position)
        candidates = sorted({n for word in places for n in self._by_word[word]})
        for number in candidates:  # most urgent first
            sign = self.signs[number]
            if all(word in places for word in sign.words) and self._close_and_affirmed(sign, places, stems, clause_of):
                check = self._checks[sign.flag.check]
                return Match(sign.phrase, sign.flag.floor, check, check.outcomes[sign.flag.outcome], sign.flag)
        return None

    def _phrase_words_for(self, stem: str) -> list[str]:
        """The phrase words a typed stem stands for: itself, or words it is a slip of."""
        found = [stem] if stem in self._by_word else []
        typos = max_typos(stem)
        candidates = self._vocabulary.get(stem[0], [])
        if typos and candidates:
            for known, distance, _ in process.extract(
                stem, candidates, scorer=OSA.distance, score_cutoff=typos, limit=None
            ):
                if distance and same_word(stem, known):
                    found.append(known)
        return found

    def _close_and_affirmed(
        self, sign: Sign, places: dict[str, list[int]], stems: list[str], clause_of: list[int]
    ) -> bool:
        """Some choice of positions puts all the sign's words within its span, not negated."""
        width = len(sign.words) + SLACK
        starts = sorted({p for word in sign.words for p in places[word]})
        for start in starts:
            chosen: list[int] = []
            for word in sign.words:
                inside = [p for p in places[word] if start <= p < start + width and p not in chosen]
                if not inside:
                    break
                chosen.append(inside[0])
            else:
                between = [stems[p] for p in range(min(chosen), max(chosen)) if p not in chosen]
                if not any(w in self.words.negations for w in between) and not self._negated(
                    stems, clause_of, min(chosen)
                ):
                    return True
        return False

    def _negated(self, stems: list[str], clause_of: list[int], start: int) -> bool:
        clause = clause_of[start]
        before = [i for i in range(max(0, start - NEGATION_REACH), start) if clause_of[i] == clause]
        for offset, position in enumerate(before):
            if stems[position] in self.words.negations:
                between = [stems[i] for i in before[offset + 1 :]]
                return not any(word in self.words.hedges for word in between)
        return False
