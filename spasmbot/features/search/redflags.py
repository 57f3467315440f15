"""Warning signs in typed words, checked before any search.

The phrases come from the guided checks' content: every answer whose ``floor`` is ``urgent`` or
``emergency`` declares ``phrases`` (lay words for that sign: "chest pain", "can't breathe",
"stiff jaw after a cut"). A typed message matches a phrase when all of the phrase's words occur
in one clause of the message, in any order, close together (at most ``SLACK`` other words in
between), each word either the very word, a word form of it or a plausible misspelling of it
(see :func:`~spasmbot.features.search.words.same_word`).

Precision is the other half of safety: a match needs *every* word of a phrase, so "chest day at
the gym" is not "chest pain"; and a phrase right after a negation in the same clause ("no chest
pain", "I don't have chest pain") is not a warning sign, unless a hedge undoes the negation
("not sure if it's chest pain" still counts: when unsure, the more urgent reading wins). When
several signs match, the most urgent wins.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spasmbot.checks.model import URGENCIES, Check, Outcome
from spasmbot.content.model import Content
from spasmbot.features.search.words import Words, same_word

FLAGGED = ("emergency", "urgent")  # the floors whose phrases are red flags
SLACK = 2  # other words allowed inside a phrase's span ("chest is really hurting" = "chest hurt")
NEGATION_REACH = 3  # a negation this many words before a phrase negates it


@dataclass(frozen=True, slots=True)
class Sign:
    """One declared phrase for one warning sign."""

    words: tuple[str, ...]
    phrase: str
    urgency: str
    check_id: str
    outcome_id: str


@dataclass(frozen=True, slots=True)
class RedFlag:
    """What a typed message was matched to: the sign, its urgency and the advice to show."""

    phrase: str
    urgency: str
    check: Check
    outcome: Outcome


def _advice(check: Check, next_id: str | None, urgency: str) -> Outcome | None:
    """The outcome the answer leads to if it is one of this urgency, else the check's first such outcome."""
    if next_id in check.outcomes and check.outcomes[next_id].urgency == urgency:
        return check.outcomes[next_id]
    for outcome in check.outcomes.values():
        if outcome.urgency == urgency:
            return outcome
    return None


def declared_signs(content: Content, words: Words) -> list[Sign]:
    """Every red-flag phrase the checks declare, as word stems."""
    signs: list[Sign] = []
    for check in sorted(content.checks.values(), key=lambda c: (c.order, c.id)):
        for step in check.steps.values():
            for answer in step.answers:
                if answer.floor not in FLAGGED:
                    continue
                advice = _advice(check, answer.next, answer.floor)
                if advice is None:
                    continue
                for phrase in answer.phrases:
                    stems = tuple(words.tokens(phrase))
                    if stems:
                        signs.append(Sign(stems, phrase, answer.floor, check.id, advice.id))
    return signs


class RedFlagMatcher:
    """Built once per language with the search index; ``match`` is pure."""

    def __init__(self, content: Content) -> None:
        self.words = Words.of(content.vocabulary)
        self._checks = content.checks
        self.signs = declared_signs(content, self.words)
        self._by_letter: dict[str, list[Sign]] = defaultdict(list)
        for sign in self.signs:
            for letter in {w[0] for w in sign.words}:
                self._by_letter[letter].append(sign)

    def match(self, text: str) -> RedFlag | None:
        """The most urgent warning sign ``text`` describes, or None."""
        best: Sign | None = None
        for clause in self.words.clauses(text):
            candidates = {id(s): s for w in clause for s in self._by_letter.get(w[0], ())}
            for sign in candidates.values():
                if (best is None or _rank(sign) < _rank(best)) and self._found(sign, clause):
                    best = sign
        if best is None:
            return None
        check = self._checks[best.check_id]
        return RedFlag(best.phrase, best.urgency, check, check.outcomes[best.outcome_id])

    def _found(self, sign: Sign, clause: list[str]) -> bool:
        """All of the sign's words within a short span of the clause, not negated."""
        positions = [[i for i, typed in enumerate(clause) if same_word(typed, w)] for w in sign.words]
        if not all(positions):
            return False
        width = len(sign.words) + SLACK
        for start in sorted({i for places in positions for i in places}):
            chosen = []
            for places in positions:
                inside = [i for i in places if start <= i < start + width]
                if not inside:
                    break
                chosen.append(inside[0])
            else:
                if len(set(chosen)) == len(chosen) and not self._negated(clause, start):
                    return True
        return False

    def _negated(self, clause: list[str], start: int) -> bool:
        before = clause[max(0, start - NEGATION_REACH) : start]
        for offset, word in enumerate(before):
            if word in self.words.negations:
                between = before[offset + 1 :]
                return not any(w in self.words.hedges for w in between)
        return False


def _rank(sign: Sign) -> int:
    return URGENCIES.index(sign.urgency)
