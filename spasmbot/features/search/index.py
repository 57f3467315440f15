"""The search index over everything a user can read in one language, built when content loads.

Documents are cards (all pages, plus the tips that point to them), sections (title and intro)
and guided checks (title and intro). Each document has three fields: its title, its keywords
(``search.yaml: keywords``) and its body. Ranking is BM25 over word stems with the title and the
keywords weighted well above the body, so a topic named in a title beats a passing mention.

How people write is handled before scoring: accents, case, emoji and punctuation go away in
:mod:`.words`; filler words are dropped; word endings are cut ("cramps", "cramping" -> "cramp");
lay phrases become the content's words (``search.yaml: synonyms``, "charley horse" -> "cramp");
and a typed word that is not in the index is matched to indexed words by edit distance
(rapidfuzz), by prefix ("magnes" -> "magnesium"), or both.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from spasmbot.content.model import Content
from spasmbot.features.search.words import Words, max_typos, plain, same_word

FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "body": 1.0}
STRONG_FIELDS = ("title", "keywords")
BM25_K1 = 1.2
BM25_B = {"title": 0.0, "keywords": 0.0, "body": 0.75}
FUZZY_SIMILARITY = {1: 0.8, 2: 0.6}  # weight of a match with that many slips
PREFIX_SIMILARITY = 0.7
MIN_SURE_SLIP = 5  # a slip in a shorter word ("pari" -> "part") is a guess, not a title match
MIN_PREFIX = 4  # a typed word this long may be the start of a longer one ("magnes")
COMMON_WEIGHT = 0.3  # "cramps" in "coffee and cramps": the other word says what the question is about
TITLE_BONUS = 4.0  # every word of the title was typed: "what is a spasm" -> "What is a spasm?"
MIN_SCORE = 6.0  # a hit this good is an answer even if it matched the body only
MIN_STRONG_SCORE = 1.0  # a hit on a title or keyword is an answer from here
LOOKUP_CACHE = 20_000


@dataclass(frozen=True, slots=True)
class Doc:
    """Something a search can lead to: ``kind`` is ``card``, ``section`` or ``check``."""

    kind: str
    id: str
    title: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


@dataclass(frozen=True, slots=True)
class Hit:
    doc: Doc
    score: float
    strong: bool  # a query word met the title or the keywords, not only the body


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]  # stems of the lay phrase
    written: tuple[str, ...]  # its words as written, for misspellings that cut differently
    term: tuple[tuple[str, str], ...]  # what it stands for: (stem, word) pairs


class SearchIndex:
    """Immutable once built; ``search`` is safe to call from any handler."""

    def __init__(self, content: Content) -> None:
        self.language = content.language
        self.version = content.version
        self.words = Words.of(content.vocabulary)
        self._common = frozenset(self.words.stem(w) for w in self.words.words(" ".join(content.vocabulary.common)))
        self.docs: list[Doc] = []
        self._titles: list[frozenset[str]] = []
        self._postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._strong: dict[str, set[int]] = defaultdict(set)
        self._phrases: dict[str, list[_Phrase]] = defaultdict(list)  # by first letter
        self._lookups: dict[tuple[str, str], list[tuple[str, float]]] = {}
        self._stem_of: dict[str, str] = {}  # every indexed word as written -> its stem
        self._build(content)

    # --- building ------------------------------------------------------------------------------

    def _build(self, content: Content) -> None:
        keywords = content.vocabulary.keywords
        tips_of: dict[str, list[str]] = defaultdict(list)
        for tip in content.tips.values():
            tips_of[tip.card].append(tip.text)
        fields: list[dict[str, list[str]]] = []

        def add(kind: str, ident: str, title: str, body: list[str]) -> None:
            for text in (title, *keywords.get(ident, ()), *body):
                for word in self.words.words(plain(text)):
                    self._stem_of.setdefault(word, self.words.stem(word))
            self.docs.append(Doc(kind, ident, plain(title).strip()))
            self._titles.append(frozenset(self.words.tokens(plain(title))))
            fields.append(
                {
                    "title": self.words.tokens(plain(title)),
                    "keywords": [t for k in keywords.get(ident, ()) for t in self.words.tokens(k)],
                    "body": [t for text in body for t in self.words.tokens(plain(text))],
                }
            )

        for section in content.sections.values():
            add("section", section.id, section.title, [section.intro])
            for card_id in section.cards:
                card = content.cards[card_id]
                add("card", card.id, card.title, [*card.pages, *tips_of.get(card.id, ())])
        for check in sorted(content.checks.values(), key=lambda c: (c.order, c.id)):
            add("check", check.id, check.title, [check.intro])

        count = len(self.docs) or 1
        average = {name: (sum(len(f[name]) for f in fields) / count) or 1.0 for name in FIELD_WEIGHTS}
        frequency: Counter[str] = Counter()
        weights: dict[str, dict[int, float]] = defaultdict(dict)
        for number, doc_fields in enumerate(fields):
            seen: set[str] = set()
            for name, tokens in doc_fields.items():
                if not tokens:
                    continue
                norm = 1 - BM25_B[name] + BM25_B[name] * len(tokens) / average[name]
                for term, tf in Counter(tokens).items():
                    saturated = tf * (BM25_K1 + 1) / (tf + BM25_K1 * norm)
                    weights[term][number] = weights[term].get(number, 0.0) + FIELD_WEIGHTS[name] * saturated
                    if name in STRONG_FIELDS:
                        self._strong[term].add(number)
                    seen.add(term)
            frequency.update(seen)
        for term, postings in weights.items():
            idf = math.log(1 + (count - frequency[term] + 0.5) / (frequency[term] + 0.5))
            self._postings[term] = {doc: idf * weight for doc, weight in postings.items()}
        self._vocabulary: dict[str, list[str]] = defaultdict(list)
        for term in self._postings:
            self._vocabulary[term[0]].append(term)
        self._written: dict[str, list[str]] = defaultdict(list)
        for word in self._stem_of:
            self._written[word[0]].append(word)

        for term, phrases in content.vocabulary.synonyms.items():
            replacement = tuple((self.words.stem(w), w) for w in self.words.words(term))
            for phrase in phrases:
                written = tuple(self.words.words(phrase))
                if written and replacement:
                    stems = tuple(self.words.stem(w) for w in written)
                    self._phrases[stems[0][0]].append(_Phrase(stems, written, replacement))
        for bucket in self._phrases.values():
            bucket.sort(key=lambda p: -len(p.words))

    # --- querying ------------------------------------------------------------------------------

    def query_terms(self, text: str) -> list[tuple[str, str]]:
        """The typed text as distinct (stem, word) pairs, lay phrases replaced by the content's words."""
        return list(dict.fromkeys(self.in_content_words(self.words.words(text))))

    def in_content_words(self, written: list[str]) -> list[tuple[str, str]]:
        """Words as typed -> (stem, word) pairs in order, lay phrases replaced by the content's words."""
        stems = [self.words.stem(w) for w in written]
        result: list[tuple[str, str]] = []
        i = 0
        while i < len(stems):
            phrase = self._phrase_at(stems, written, i)
            if phrase is None:
                result.append((stems[i], written[i]))
                i += 1
            else:
                result.extend(phrase.term)
                i += len(phrase.words)
        return result

    def _phrase_at(self, stems: list[str], written: list[str], start: int) -> _Phrase | None:
        for phrase in self._phrases.get(stems[start][0], ()):
            end = start + len(phrase.words)
            if end <= len(stems) and all(
                self._typed_as(stems[start + i], written[start + i], phrase.words[i], phrase.written[i])
                for i in range(len(phrase.words))
            ):
                return phrase
        return None

    def _typed_as(self, stem: str, word: str, known_stem: str, known_word: str) -> bool:
        """A word the content uses is taken as itself ("clonic" is not a slip of "clinic")."""
        if stem == known_stem:
            return True
        if stem in self._postings:
            return False
        return same_word(stem, known_stem) or same_word(word, known_word)

    def lookup(self, term: str, written: str = "") -> list[tuple[str, float]]:
        """Indexed stems that a typed word may stand for, with how sure we are (1.0 = the very word).

        A word the index holds is taken as itself (plus longer words it starts); any other word is
        compared by edit distance, as a stem and as written ("medicaton" -> "medication").
        """
        key = (term, written)
        cached = self._lookups.get(key)
        if cached is not None:
            return cached
        found: dict[str, float] = {}
        candidates = self._vocabulary.get(term[0], [])
        if term in self._postings:
            found[term] = 1.0
        else:
            self._fuzzy(term, candidates, found, lambda known: known)
            if written and written != term:
                self._fuzzy(written, self._written.get(written[0], []), found, self._stem_of.__getitem__)
        if len(term) >= MIN_PREFIX:
            for known in candidates:
                if known != term and (
                    known.startswith(term)
                    or (len(known) >= MIN_PREFIX and term.startswith(known) and len(term) - len(known) <= 3)
                ):
                    found[known] = max(found.get(known, 0.0), PREFIX_SIMILARITY)
        result = sorted(found.items(), key=lambda item: -item[1])
        if len(self._lookups) < LOOKUP_CACHE:
            self._lookups[key] = result
        return result

    @staticmethod
    def _fuzzy(typed: str, candidates: list[str], found: dict[str, float], stem: Callable[[str], str]) -> None:
        typos = max_typos(typed)
        if not typos or not candidates:
            return
        for known, distance, _ in process.extract(
            typed, candidates, scorer=OSA.distance, score_cutoff=typos, limit=None
        ):
            if distance and same_word(typed, known):
                target = stem(known)
                found[target] = max(found.get(target, 0.0), FUZZY_SIMILARITY[int(distance)])

    def search(self, text: str, limit: int = 4) -> list[Hit]:
        """The best documents for ``text``, best first; empty when no word of it is known."""
        terms = self.query_terms(text)
        if not terms:
            return []
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, int] = defaultdict(int)
        strong: set[int] = set()
        met: set[str] = set()
        specific = any(term not in self._common and self.lookup(term, written) for term, written in terms)
        for term, written in terms:
            best: dict[int, float] = {}
            emphasis = COMMON_WEIGHT if specific and term in self._common else 1.0
            for known, similarity in self.lookup(term, written):
                met.add(known)
                for doc, weight in self._postings[known].items():
                    value = emphasis * similarity * weight
                    if value > best.get(doc, 0.0):
                        best[doc] = value
                if similarity == 1.0 or (similarity >= FUZZY_SIMILARITY[1] and len(term) >= MIN_SURE_SLIP):
                    strong.update(self._strong.get(known, ()))
            for doc, value in best.items():
                scores[doc] += value
                matched[doc] += 1
        for doc in scores:
            title = self._titles[doc]
            if title and title <= met and len(title) * 2 > len(terms):  # the title is most of the question
                scores[doc] += TITLE_BONUS * len(title) / len(terms)
        ranked = sorted(
            ((score * (0.5 + 0.5 * matched[doc] / len(terms)), doc) for doc, score in scores.items()),
            key=lambda item: (-item[0], item[1]),
        )
        return [Hit(self.docs[doc], round(score, 3), doc in strong) for score, doc in ranked[:limit]]

    def confident(self, hits: list[Hit]) -> bool:
        """Is the best hit good enough to show as the answer?"""
        if not hits:
            return False
        best = hits[0]
        return best.score >= MIN_SCORE or (best.strong and best.score >= MIN_STRONG_SCORE)
