"""Updates run concurrently across chats and strictly in order within one chat.

Why: a Bot API call is a network round trip (50 to 150 ms), and one tap costs two of them (answer
the query, edit the message). Processed one after another, the bot serves about six taps a
second, so a few hundred people tapping a daily tip's button at once wait tens of seconds.
Processed all at once, one person's fast double tap could run its two handlers interleaved
(both read the guided check at step 2, both write step 3), and their replies could arrive out
of order.

:class:`ChatOrderedProcessor` gives both: every update takes a *turn* on the keys of whoever it
belongs to (the chat, and the user when that is not the same private chat), waits for the
previous update with the same key to finish, and only then takes one of ``limit`` slots that
bound how many handlers run at once. The order matters: an update waiting for its chat's turn
holds no slot, so one user tapping fifty times cannot fill the slots and stall everyone else.

What this guarantees to the rest of the code:

* Per-user state read and written by handlers (the guided-check run, the typed-input prompt,
  tips and water settings, ``context.user_data``) is touched by one update of that user at a time,
  in the order Telegram delivered them, just as under one-at-a-time processing.
* Different users' handlers interleave at every ``await``. Shared state they reach must be safe
  for that: the SQLite connection is (see ``spasmbot.storage.db``: a transaction shuts out other
  tasks' statements until it ends), and so is the delivery pass (one pass at a time, claims in
  the database).
* Turns are kept only while an update of that key is running or waiting: the table shrinks back
  to empty when the bot is idle, so it never grows with the number of users.

PTB's own semaphore (taken before :meth:`do_process_update`, i.e. before we know whether the
chat is busy) is sized generously and only bounds how many updates are admitted; the
configured ``limit`` (``SPASMBOT_CONCURRENCY``) is enforced here, after the turn.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import BaseUpdateProcessor

DEFAULT_CONCURRENCY = 32
# Updates admitted at once (running, or waiting for their chat's turn or a slot). Each is one
# parsed Update and a small task; Telegram hands out at most 100 per getUpdates call.
ADMITTED_PER_SLOT = 64


@dataclass(slots=True)
class _Turn:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    holders: int = 0  # updates running or waiting on this key


class Turns:
    """FIFO turns per key; a key's entry lives only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._turns: dict[int, _Turn] = {}

    def __len__(self) -> int:
        return len(self._turns)

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        turn = self._turns.get(key)
        if turn is None:
            turn = self._turns[key] = _Turn()
        turn.holders += 1
        try:
            async with turn.lock:  # asyncio.Lock wakes waiters in arrival order
                yield
        finally:
            turn.holders -= 1
            if turn.holders == 0:
                del self._turns[key]


def turn_keys(update: object) -> tuple[int, ...]:
    """Whose turn an update needs, in a fixed (sorted) order so two keys never deadlock.

    A private chat's id is its user's id, so a private update needs one key. In a group the
    chat (negative id) keeps its messages in order and the user key keeps that user's state
    consistent. Updates with neither (a poll's state) need no turn.
    """
    if not isinstance(update, Update):
        return ()
    keys: set[int] = set()
    chat = update.effective_chat
    if chat is not None:
        keys.add(chat.id)
    user = update.effective_user
    if user is not None and (chat is None or chat.type != ChatType.PRIVATE or chat.id != user.id):
        keys.add(user.id)
    return tuple(sorted(keys))


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within a chat and per user; at most ``limit`` at once."""

    def __init__(self, limit: int = DEFAULT_CONCURRENCY) -> None:
        if limit < 1:
            raise ValueError("the concurrency limit must be at least 1")
        # PTB only creates a task per update when its own bound is above 1; see the docstring.
        super().__init__(max(2, limit * ADMITTED_PER_SLOT))
        self.limit = limit
        self.turns = Turns()
        self._slots = asyncio.Semaphore(limit)
        self.running = 0

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        started = False
        try:
            async with AsyncExitStack() as turns:
                for key in turn_keys(update):
                    await turns.enter_async_context(self.turns.hold(key))
                async with self._slots:
                    self.running += 1
                    started = True
                    try:
                        await coroutine
                    finally:
                        self.running -= 1
        finally:
            if not started and isinstance(coroutine, Coroutine):
                coroutine.close()  # cancelled while waiting: no "never awaited" warning

    async def initialize(self) -> None:
        """Nothing to set up: turns are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to free: turns disappear when their updates finish."""
