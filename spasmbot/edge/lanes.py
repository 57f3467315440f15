"""Two lanes to the Bot API: replies to users never queue behind scheduled bulk sends.

How the two share Telegram's limits
-----------------------------------
Telegram publishes guidance, not exact numbers: about 30 messages a second when notifying many
users, at most about one message a second to one chat, 20 a minute to a group. The 30/s is about
*bulk* notifications; answering a user's own action (answering the button tap, editing the tapped
message, replying to a command) is not throttled that way. So the bot's traffic is split:

* **Interactive lane** (everything a handler sends while handling an update): sent at once,
  never waits for a limiter, is never delayed by bulk sends. A person who taps sees the new
  screen after one round trip, however many tips are going out.
* **Bulk lane** (everything a delivery kind sends inside :func:`bulk_lane`, i.e. the scheduled
  tips, nudges and follow-ups of ``spasmbot.edge.delivery_job``): its own budget of at most
  ``BULK_PER_SECOND`` (29) messages a second overall, nearly evenly spaced (``aiolimiter``), and at most
  one message a second per chat. The bulk lane uses only the budget Telegram grants for bulk,
  so it cannot crowd out replies; replies come first because they never wait at all.

What happens on a 429 (``RetryAfter``)
--------------------------------------
A 429 means Telegram did not take the message. On the bulk lane the whole lane pauses for the
``retry_after`` Telegram asked for, then the same request is sent again (up to
``BULK_RETRIES`` times; after that the RetryAfter reaches the delivery pass, which hands the
slot back for a later pass: nothing is lost or sent twice). On the interactive lane the 429 is
not waited out: the request fails at once (the user can tap again; a reply seconds late is worse
than a spinner that stops) and the bulk lane pauses for the same time, so the bot as a whole
backs off where it can afford to.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import Any

from aiolimiter import AsyncLimiter
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

BULK_PER_SECOND = 29  # Telegram's ~30/s for bulk, with a little room for jitter
BULK_BURST = 4
BULK_PER_CHAT_INTERVAL = 1.0  # seconds between two bulk messages to one chat
BULK_RETRIES = 5
_KEEP_CHAT_LIMITERS = 512  # idle per-chat limiters are dropped beyond this many

_BULK: contextvars.ContextVar[bool] = contextvars.ContextVar("spasmbot_bulk_lane", default=False)


@contextmanager
def bulk_lane() -> Iterator[None]:
    """Bot API calls made inside this block (in this task) go through the bulk lane."""
    token = _BULK.set(True)
    try:
        yield
    finally:
        _BULK.reset(token)


def in_bulk_lane() -> bool:
    return _BULK.get()


Sleep = Callable[[float], Awaitable[None]]


class TwoLaneLimiter(BaseRateLimiter[None]):
    """PTB rate limiter: interactive calls pass straight through; bulk calls are paced."""

    def __init__(
        self,
        per_second: float = BULK_PER_SECOND,
        per_chat_interval: float = BULK_PER_CHAT_INTERVAL,
        retries: int = BULK_RETRIES,
    ) -> None:
        self.per_second = per_second
        self.per_chat_interval = per_chat_interval
        self.retries = retries
        # Nearly even spacing: a burst of at most BULK_BURST (not a whole second's worth), so jitter
        # on the way (a busy event loop, the network) bunches only a few sends, well inside the
        # burst Telegram tolerates, while late wake-ups are made up and the rate holds.
        self._overall = AsyncLimiter(BULK_BURST, BULK_BURST / per_second)
        self._chats: dict[int | str, AsyncLimiter] = {}
        self._paused_until = 0.0
        self.sleep: Sleep = asyncio.sleep  # how pauses are waited out (tests hold them)
        self.retry_after_seen = 0  # 429 answers on either lane (benchmarks report it)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to free."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        if not _BULK.get():
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                self._pause(exc)
                raise
        attempt = 0
        while True:
            await self._wait_out_pause()
            async with self._chat_limiter(data.get("chat_id")), self._overall:
                try:
                    return await callback(*args, **kwargs)
                except RetryAfter as exc:
                    self._pause(exc)
                    attempt += 1
                    if attempt > self.retries:
                        raise
                    log.info("bulk sends paused for %.0f s (Telegram's RetryAfter)", _seconds(exc))

    def _chat_limiter(self, chat_id: Any) -> AsyncLimiter:
        key = chat_id if isinstance(chat_id, int | str) else ""
        limiter = self._chats.get(key)
        if limiter is None:
            if len(self._chats) >= _KEEP_CHAT_LIMITERS:
                self._chats = {k: v for k, v in self._chats.items() if not v.has_capacity()}
            limiter = self._chats[key] = AsyncLimiter(1, self.per_chat_interval)
        return limiter

    def _pause(self, exc: RetryAfter) -> None:
        self.retry_after_seen += 1
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + _seconds(exc))

    async def _wait_out_pause(self) -> None:
        left = self._paused_until - asyncio.get_running_loop().time()
        if left > 0:  # once: a 429 answered meanwhile pauses the lane again on its own
            await self.sleep(left)


def _seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)
