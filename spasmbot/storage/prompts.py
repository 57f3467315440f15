"""The ``pending_input`` table: the one typed-input prompt a user may have open.

A feature that asks "type a time like 7:30" stores the prompt here (``expect``); the user's next
text message is routed by it (``pending``), and any command or button tap ends it (``clear``).
In the database rather than in memory so a restart or a second process keeps the prompt. A prompt
older than ``PROMPT_TTL`` is treated as gone: a time typed a day later is not the answer to a
question nobody remembers. Old rows are pruned whenever a new prompt is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from spasmbot.storage.db import Store, epoch

PROMPT_TTL = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Prompt:
    key: str
    data: dict[str, Any] = field(default_factory=dict)


async def expect(store: Store, user_id: int, key: str, data: dict[str, Any], now: datetime) -> None:
    """Open (or replace) the user's prompt; drop everyone's expired prompts while at it.

    Nothing is stored for a user without a ``users`` row (forgotten meanwhile by another process).
    """
    async with store.transaction() as db:
        await db.execute("DELETE FROM pending_input WHERE asked_at < ?", (epoch(now - PROMPT_TTL),))
        await db.execute(
            "INSERT INTO pending_input (user_id, input_key, data, asked_at)"
            " SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)"
            " ON CONFLICT (user_id) DO UPDATE SET input_key = excluded.input_key,"
            " data = excluded.data, asked_at = excluded.asked_at",
            (user_id, key, json.dumps(data, separators=(",", ":")) if data else None, epoch(now), user_id),
        )


async def clear(store: Store, user_id: int) -> None:
    await store.write("DELETE FROM pending_input WHERE user_id = ?", (user_id,))


async def pending(store: Store, user_id: int, now: datetime) -> Prompt | None:
    """The user's open prompt, unless it has expired."""
    row = await store.fetchone(
        "SELECT input_key, data FROM pending_input WHERE user_id = ? AND asked_at >= ?",
        (user_id, epoch(now - PROMPT_TTL)),
    )
    if row is None:
        return None
    try:
        data = json.loads(row["data"]) if row["data"] else {}
    except ValueError:
        data = {}
    return Prompt(row["input_key"], data if isinstance(data, dict) else {})
