"""What to answer a typed message with: red flags first, then search. Telegram-free.

One :class:`Searcher` per language is built when the content loads (the search index and the
red-flag matcher); :func:`searcher_for` hands out the one for a Content from a cache the caller
keeps (the application's ``bot_data``), and builds a new one when the content changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from spasmbot.content.model import Card, Content
from spasmbot.features.search import screens
from spasmbot.features.search.index import Hit, SearchIndex
from spasmbot.features.search.redflags import Match, RedFlagMatcher
from spasmbot.screen import Screen

INLINE_RESULTS = 50  # Telegram's maximum per answer


@dataclass(slots=True)
class Searcher:
    content: Content
    index: SearchIndex = field(init=False)
    red_flags: RedFlagMatcher = field(init=False)
    build_seconds: float = field(init=False, default=0.0)

    def __post_init__(self) -> None:
        started = time.perf_counter()
        self.index = SearchIndex(self.content)
        self.red_flags = RedFlagMatcher(self.content, self.index)
        self.build_seconds = time.perf_counter() - started

    def red_flag(self, text: str) -> Match | None:
        """The most urgent warning sign the checks declare that ``text`` describes, if any."""
        return self.red_flags.match(text)

    def search(self, text: str, limit: int = 1 + screens.MORE_MATCHES) -> list[Hit]:
        return self.index.search(text, limit)

    def reply(self, text: str) -> Screen:
        """The whole answer to a typed message: a warning sign's advice first, else a result or "not found"."""
        flag = self.red_flag(text)
        if flag is not None:
            return screens.red_flag(self.content, flag)
        hits = self.search(text)
        return screens.answer(self.content, text, hits, self.index.confident(hits))

    def inline_cards(self, text: str, popular: list[str]) -> list[Card]:
        """Cards for inline mode: the matches for ``text``, or the most useful ones when it is empty."""
        cards = self.content.cards
        if not text.strip():
            ordered = [*popular, *self.content.vocabulary.popular, *cards]
            return [cards[i] for i in dict.fromkeys(ordered) if i in cards][:INLINE_RESULTS]
        hits = self.index.search(text, limit=INLINE_RESULTS * 2)
        return [cards[h.doc.id] for h in hits if h.doc.kind == "card"][:INLINE_RESULTS]


def searcher_for(cache: dict[str, Searcher], content: Content) -> Searcher:
    """The searcher for this content: the cached one for its language unless the content changed."""
    searcher = cache.get(content.language)
    if searcher is None or searcher.content is not content:
        searcher = Searcher(content)
        cache[content.language] = searcher
    return searcher
