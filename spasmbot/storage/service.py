"""SQL for running the bot as a service: the health probe's write, figures for /metrics, retention.

Nothing here is per user: the metrics are counts and ages, never ids (see ``spasmbot.edge.metrics``).

Retention (documented in the README, "Run it in production"): the ``deliveries`` log keeps a claimed
slot for :data:`DELIVERIES_KEEP` after it was due. The claim itself prunes a user's older rows of
the same kind, but rows of reminders a user has stopped were never claimed again, so
:func:`prune_deliveries` removes every row past the window, in small chunks so the delivery pass
and the handlers never wait long for the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from spasmbot.delivery.schedule import LOG_KEEP
from spasmbot.storage.db import Store, epoch, from_epoch

DELIVERIES_KEEP: timedelta = LOG_KEEP
PRUNE_CHUNK = 5000


async def heartbeat(store: Store, now: datetime) -> None:
    """One real committed write (raises ``sqlite3.Error`` when the database cannot take it)."""
    await store.write(
        "INSERT INTO heartbeat (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
        (epoch(now),),
    )


async def due_backlog(store: Store, now: datetime) -> tuple[int, datetime | None]:
    """How many scheduled messages are due and not yet sent, and when the oldest of them was due."""
    row = await store.fetchone(
        "SELECT count(*), min(due_at) FROM schedule WHERE paused = 0 AND due_at <= ?", (epoch(now),)
    )
    count, oldest = (row[0], row[1]) if row is not None else (0, None)
    return int(count), from_epoch(oldest) if oldest is not None else None


async def subscribers_by_kind(store: Store) -> dict[str, int]:
    """Active (not paused) scheduled-message rows per kind: who gets tips, water nudges, follow-ups."""
    rows = await store.fetchall("SELECT kind, count(*) FROM schedule WHERE paused = 0 GROUP BY kind")
    return {row[0]: int(row[1]) for row in rows}


async def prune_deliveries(store: Store, now: datetime, keep: timedelta = DELIVERIES_KEEP) -> int:
    """Delete ``deliveries`` rows whose slot is older than ``keep``; returns how many went.

    Safe for the never-twice promise: a slot that old is far past every kind's ``max_late`` (at
    most hours), so the delivery pass would skip it as late even without its log row.
    """
    cutoff = epoch(now - keep)
    total = 0
    while True:
        removed = await store.write(
            "DELETE FROM deliveries WHERE (user_id, kind, slot_at) IN"
            " (SELECT user_id, kind, slot_at FROM deliveries WHERE slot_at < ? LIMIT ?)",
            (cutoff, PRUNE_CHUNK),
        )
        total += removed
        if removed < PRUNE_CHUNK:
            return total
