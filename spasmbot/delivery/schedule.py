"""The ``schedule`` and ``deliveries`` tables: SQL of the one due-delivery mechanism.

How the mechanism works and what it guarantees is told in ``spasmbot/delivery/claims.py``; this module
only reads and writes rows. Feature code uses :func:`set_due`, :func:`clear_due`, :func:`get_due`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import aiosqlite

from spasmbot.storage.db import Store, epoch, from_epoch
from spasmbot.storage.users import mark_blocked

# How long claimed slots are remembered (per user and kind) after they were due.
LOG_KEEP = timedelta(days=7)


class ClaimConflict(Exception):
    """A due row changed between selection and claim; the batch is rolled back and re-read."""


@dataclass(frozen=True, slots=True)
class Due:
    """One scheduled message: the row plus what a sender needs to know about the user."""

    user_id: int
    kind: str
    due_at: datetime  # the slot, UTC
    payload: dict[str, Any] = field(default_factory=dict)
    chat_id: int = 0
    timezone: str | None = None
    language: str | None = None
    paused: bool = False


@dataclass(slots=True)
class Claim:
    """What the delivery pass decided for one due row; applied atomically with the others."""

    due: Due
    send: bool  # False: advance without sending (too late, already logged, planning error)
    next_at: datetime | None  # the following slot; None deletes the row
    payload: dict[str, Any]  # stored with the claim; what send() sees as due.payload
    outcome: str | None = None  # for rows not sent: 'late', 'error'; None while sending
    logged: bool = False  # the slot already had a deliveries row: do not log it again


def _dump(payload: dict[str, Any] | None) -> str | None:
    return json.dumps(payload, separators=(",", ":"), sort_keys=True) if payload else None


_SCALARS = (str, int, float, bool, type(None))


@lru_cache(maxsize=4096)
def _parse_flat(text: str) -> tuple[tuple[str, Any], ...] | None:
    """A payload of plain values as items (shareable); None when it nests lists or objects."""
    value = json.loads(text)
    if isinstance(value, dict) and all(isinstance(v, _SCALARS) for v in value.values()):
        return tuple(value.items())
    return None


def _load(text: str | None) -> dict[str, Any]:
    """Decode a payload. Many rows share one (tips: time and rotation position), so flat
    payloads are parsed once and copied; the due-selection decodes every row of every batch."""
    if not text:
        return {}
    items = _parse_flat(text)
    return dict(items) if items is not None else json.loads(text)


# --- the feature-facing API --------------------------------------------------------------------


async def set_due(
    store: Store,
    user_id: int,
    kind: str,
    due_at: datetime,
    payload: dict[str, Any] | None = None,
) -> None:
    """Schedule (or move) the user's next ``kind`` message to ``due_at`` (aware; stored as UTC).

    Replaces the row's payload. A row created for a user who blocked the bot starts paused.
    """
    await store.write(
        "INSERT INTO schedule (user_id, kind, due_at, payload, paused)"
        " VALUES (?, ?, ?, ?, coalesce((SELECT blocked FROM users WHERE user_id = ?), 0))"
        " ON CONFLICT (user_id, kind) DO UPDATE SET due_at = excluded.due_at,"
        " payload = excluded.payload",
        (user_id, kind, epoch(due_at), _dump(payload), user_id),
    )


async def set_due_many(store: Store, rows: Iterable[tuple[int, str, datetime, dict[str, Any] | None]]) -> None:
    """Bulk :func:`set_due` of ``(user_id, kind, due_at, payload)`` in one transaction."""
    async with store.transaction() as db:
        await db.executemany(
            "INSERT INTO schedule (user_id, kind, due_at, payload) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id, kind) DO UPDATE SET due_at = excluded.due_at,"
            " payload = excluded.payload",
            ((uid, kind, epoch(due_at), _dump(payload)) for uid, kind, due_at, payload in rows),
        )


async def move_due(store: Store, user_id: int, kind: str, from_due: datetime, to_due: datetime) -> bool:
    """Move a row's slot, keeping its payload, only if it is still at ``from_due``.

    For changes computed from a row read earlier (a new time zone): a delivery pass that claimed
    the row meanwhile wins, and its advanced payload is never overwritten with a stale copy.
    """
    changed = await store.write(
        "UPDATE schedule SET due_at = ? WHERE user_id = ? AND kind = ? AND due_at = ?",
        (epoch(to_due), user_id, kind, epoch(from_due)),
    )
    return changed > 0


async def clear_due(store: Store, user_id: int, kind: str | None = None) -> int:
    """Stop the user's scheduled messages (all kinds, or one); returns how many were stopped."""
    if kind is None:
        return await store.write("DELETE FROM schedule WHERE user_id = ?", (user_id,))
    return await store.write("DELETE FROM schedule WHERE user_id = ? AND kind = ?", (user_id, kind))


_SELECT_DUE = (
    "SELECT s.user_id, s.kind, s.due_at, s.payload, s.paused, u.chat_id, u.timezone, u.language"
    " FROM schedule s JOIN users u ON u.user_id = s.user_id"
)


def _row_to_due(row: Any) -> Due:
    return Due(
        user_id=row["user_id"],
        kind=row["kind"],
        due_at=from_epoch(row["due_at"]),
        payload=_load(row["payload"]),
        chat_id=row["chat_id"],
        timezone=row["timezone"],
        language=row["language"],
        paused=bool(row["paused"]),
    )


async def get_due(store: Store, user_id: int, kind: str) -> Due | None:
    """The user's scheduled ``kind`` message, or None when nothing is scheduled."""
    row = await store.fetchone(_SELECT_DUE + " WHERE s.user_id = ? AND s.kind = ?", (user_id, kind))
    return _row_to_due(row) if row is not None else None


async def list_due(store: Store, user_id: int) -> list[Due]:
    """Everything scheduled for the user, soonest first."""
    rows = await store.fetchall(_SELECT_DUE + " WHERE s.user_id = ? ORDER BY s.due_at", (user_id,))
    return [_row_to_due(row) for row in rows]


async def has_paused(store: Store, user_id: int) -> bool:
    row = await store.fetchone("SELECT 1 FROM schedule WHERE user_id = ? AND paused = 1 LIMIT 1", (user_id,))
    return row is not None


async def resume_user(store: Store, user_id: int) -> int:
    """Unpause the user's deliveries; slots missed meanwhile follow the usual lateness rule."""
    return await store.write("UPDATE schedule SET paused = 0 WHERE user_id = ? AND paused = 1", (user_id,))


async def deliveries(store: Store, user_id: int, kind: str | None = None) -> list[dict[str, Any]]:
    """The user's logged slots, oldest first (tests, /mydata, support)."""
    sql = "SELECT kind, slot_at, claimed_at, outcome FROM deliveries WHERE user_id = ?"
    params: tuple[Any, ...] = (user_id,)
    if kind is not None:
        sql += " AND kind = ?"
        params += (kind,)
    rows = await store.fetchall(sql + " ORDER BY slot_at", params)
    return [
        {
            "kind": row["kind"],
            "slot_at": from_epoch(row["slot_at"]),
            "claimed_at": from_epoch(row["claimed_at"]),
            "outcome": row["outcome"],
        }
        for row in rows
    ]


# --- the delivery pass (used by spasmbot.delivery.claims only) ------------------------------------


_DUE_SQL = (
    "SELECT s.user_id, s.kind, s.due_at, s.payload, s.paused, u.chat_id, u.timezone,"
    " u.language, EXISTS (SELECT 1 FROM deliveries d WHERE d.user_id = s.user_id"
    " AND d.kind = s.kind AND d.slot_at = s.due_at) AS logged"
    " FROM schedule s JOIN users u ON u.user_id = s.user_id"
    " WHERE s.paused = 0 AND s.due_at <= ? AND s.kind IN ({marks})"
    " ORDER BY s.due_at LIMIT ?"
)


async def select_due_rows(db: aiosqlite.Connection, now: datetime, kinds: Sequence[str], limit: int) -> list[Any]:
    """The due-selection query itself: a range scan of the partial index ``schedule_due``."""
    if not kinds:
        return []
    sql = _DUE_SQL.format(marks=",".join("?" * len(kinds)))
    async with db.execute(sql, (epoch(now), *kinds, limit)) as cursor:
        return list(await cursor.fetchall())


async def select_due(
    db: aiosqlite.Connection, now: datetime, kinds: Sequence[str], limit: int
) -> list[tuple[Due, bool]]:
    """Due, unpaused rows of the given kinds, oldest first, each with "slot already logged"."""
    found = []
    for row in await select_due_rows(db, now, kinds, limit):
        # positional access: this runs for every row of every batch
        user_id, kind, due_at, payload, paused, chat_id, timezone, language, logged = row
        due = Due(
            user_id,
            kind,
            from_epoch(due_at),
            _load(payload),
            chat_id,
            timezone,
            language,
            bool(paused),
        )
        found.append((due, bool(logged)))
    return found


async def apply_claims(db: aiosqlite.Connection, claims: Sequence[Claim], now: datetime) -> None:
    """Inside the pass's transaction: move each row to its next slot and log the claimed slot.

    Every move is a compare-and-set on the old ``due_at``; if any row changed under us the
    whole batch raises :class:`ClaimConflict` (and is rolled back by the transaction).
    """
    moves = []
    drops = []
    logs = []
    prunes = []
    now_s = epoch(now)
    keep_from = epoch(now - LOG_KEEP)
    for claim in claims:
        due = claim.due
        slot = epoch(due.due_at)
        if claim.next_at is None:
            drops.append((due.user_id, due.kind, slot))
        else:
            moves.append((epoch(claim.next_at), _dump(claim.payload), due.user_id, due.kind, slot))
        if not claim.logged:
            logs.append((due.user_id, due.kind, slot, now_s, claim.outcome))
        prunes.append((due.user_id, due.kind, min(keep_from, slot)))
    changed = 0
    if moves:
        cursor = await db.executemany(
            "UPDATE schedule SET due_at = ?, payload = ? WHERE user_id = ? AND kind = ? AND due_at = ? AND paused = 0",
            moves,
        )
        changed += cursor.rowcount
        await cursor.close()
    if drops:
        cursor = await db.executemany(
            "DELETE FROM schedule WHERE user_id = ? AND kind = ? AND due_at = ? AND paused = 0",
            drops,
        )
        changed += cursor.rowcount
        await cursor.close()
    if changed != len(claims):
        raise ClaimConflict(f"{len(claims) - changed} of {len(claims)} due rows changed meanwhile")
    if logs:
        await db.executemany(
            "INSERT INTO deliveries (user_id, kind, slot_at, claimed_at, outcome) VALUES (?, ?, ?, ?, ?)",
            logs,
        )
    await db.executemany("DELETE FROM deliveries WHERE user_id = ? AND kind = ? AND slot_at < ?", prunes)


async def record_outcomes(
    store: Store,
    outcomes: Iterable[tuple[Due, str]],
    blocked: Iterable[int],
    now: datetime,
) -> None:
    """After sending: note each slot's outcome and flag users who blocked the bot (pausing them)."""
    rows = [(outcome, due.user_id, due.kind, epoch(due.due_at)) for due, outcome in outcomes]
    blocked = list(blocked)
    if not rows and not blocked:
        return
    async with store.transaction() as db:
        if rows:
            await db.executemany(
                "UPDATE deliveries SET outcome = ? WHERE user_id = ? AND kind = ? AND slot_at = ?",
                rows,
            )
        await mark_blocked(db, blocked, now)


async def release(store: Store, claims: Sequence[Claim]) -> None:
    """Hand claimed slots back (Telegram refused them with RetryAfter: nothing was sent).

    Each row returns to its slot only if it still holds what the claim wrote (a user's change
    made meanwhile wins), and the slot's log entry is removed so it can be claimed again.
    """
    async with store.transaction() as db:
        for claim in claims:
            due = claim.due
            slot = epoch(due.due_at)
            next_s = epoch(claim.next_at) if claim.next_at is not None else None
            await db.execute(
                "INSERT INTO schedule (user_id, kind, due_at, payload, paused)"
                " SELECT ?, ?, ?, ?, 0 WHERE EXISTS (SELECT 1 FROM users WHERE user_id = ?)"
                " ON CONFLICT (user_id, kind) DO UPDATE SET due_at = excluded.due_at,"
                " payload = excluded.payload WHERE schedule.due_at IS ?",
                (due.user_id, due.kind, slot, _dump(due.payload), due.user_id, next_s),
            )
            await db.execute(
                "DELETE FROM deliveries WHERE user_id = ? AND kind = ? AND slot_at = ?",
                (due.user_id, due.kind, slot),
            )
