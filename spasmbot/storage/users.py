"""The ``users`` table: who talked to the bot, where to reach them, their time zone, blocked flag.

Also the generic privacy helpers: :func:`export_user` and :func:`forget_user` discover every table
with a ``user_id`` column from the schema, so tables added by later migrations are covered without
touching this module.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from spasmbot.storage.db import Store, epoch, from_epoch

# How stale last_seen_at may get before an update refreshes it: keeps the middleware write-free
# for almost every update.
TOUCH_EVERY = timedelta(hours=1)
_SEEN = "users.seen"
# Users remembered in the "written recently" memo: the least recently written beyond this are
# forgotten (their next update costs one write), so the memo never grows past ~1.5 MB.
SEEN_KEPT = 10_000


@dataclass(frozen=True, slots=True)
class User:
    user_id: int
    chat_id: int
    language: str | None
    timezone: str | None
    first_seen_at: datetime
    last_seen_at: datetime
    blocked: bool


def _row_to_user(row: Any) -> User:
    return User(
        user_id=row["user_id"],
        chat_id=row["chat_id"],
        language=row["language"],
        timezone=row["timezone"],
        first_seen_at=from_epoch(row["first_seen_at"]),
        last_seen_at=from_epoch(row["last_seen_at"]),
        blocked=bool(row["blocked"]),
    )


def _seen(store: Store) -> dict[int, tuple[int, int, str | None]]:
    return store.cache.setdefault(_SEEN, {})


async def touch(store: Store, user_id: int, chat_id: int, language: str | None, now: datetime) -> bool:
    """Create or refresh the user's row; skips the write when nothing changed within the hour.

    Returns whether a write happened. The memo is per process, so a restart writes once per user.
    """
    now_s = epoch(now)
    memo = _seen(store).get(user_id)
    if memo is not None:
        written_at, known_chat, known_language = memo
        fresh = now_s - written_at < TOUCH_EVERY.total_seconds()
        if fresh and known_chat == chat_id and known_language == language:
            return False
    await store.write(
        "INSERT INTO users (user_id, chat_id, language, first_seen_at, last_seen_at)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET chat_id = excluded.chat_id,"
        " language = coalesce(excluded.language, users.language),"
        " last_seen_at = excluded.last_seen_at",
        (user_id, chat_id, language, now_s, now_s),
    )
    seen = _seen(store)
    seen.pop(user_id, None)  # re-inserted at the end: the dict's order is the order of writes
    seen[user_id] = (now_s, chat_id, language)
    if len(seen) > SEEN_KEPT:
        del seen[next(iter(seen))]
    return True


async def add_many(
    store: Store,
    rows: Iterable[tuple[int, int, str | None, str | None]],
    now: datetime,
) -> None:
    """Bulk-create users ``(user_id, chat_id, language, timezone)`` in one transaction.

    For imports, benchmarks and load tests; existing users keep their rows.
    """
    now_s = epoch(now)
    async with store.transaction() as db:
        await db.executemany(
            "INSERT OR IGNORE INTO users (user_id, chat_id, language, timezone, first_seen_at,"
            f" last_seen_at) VALUES (?, ?, ?, ?, {now_s}, {now_s})",
            rows,
        )


async def get_user(store: Store, user_id: int) -> User | None:
    row = await store.fetchone("SELECT * FROM users WHERE user_id = ?", (user_id,))
    return _row_to_user(row) if row is not None else None


async def get_timezone(store: Store, user_id: int) -> str | None:
    row = await store.fetchone("SELECT timezone FROM users WHERE user_id = ?", (user_id,))
    return row["timezone"] if row is not None else None


async def set_timezone(store: Store, user_id: int, timezone: str) -> None:
    """Store the user's IANA zone name (validated by the caller with ``spasmbot.features.timezone.rules``)."""
    await store.write("UPDATE users SET timezone = ? WHERE user_id = ?", (timezone, user_id))


async def mark_blocked(db: aiosqlite.Connection, user_ids: Iterable[int], now: datetime) -> None:
    """Inside an open transaction: flag users who blocked the bot and pause all their deliveries."""
    ids = [(user_id,) for user_id in set(user_ids)]
    if not ids:
        return
    now_s = epoch(now)
    await db.executemany(f"UPDATE users SET blocked = 1, blocked_at = {now_s} WHERE user_id = ?", ids)
    await db.executemany("UPDATE schedule SET paused = 1 WHERE user_id = ?", ids)


async def block(store: Store, user_id: int, now: datetime) -> None:
    """Flag one user as blocked (a handler got 403 Forbidden) and pause their deliveries."""
    async with store.transaction() as db:
        await mark_blocked(db, [user_id], now)


async def unblock(store: Store, user_id: int) -> bool:
    """Clear the blocked flag (the user pressed /start again); returns whether it was set.

    Paused deliveries stay paused until the user accepts the offer to resume them
    (``schedule.resume_user``), so nobody gets reminders they may not want any more.
    """
    changed = await store.write(
        "UPDATE users SET blocked = 0, blocked_at = NULL WHERE user_id = ? AND blocked = 1",
        (user_id,),
    )
    return changed > 0


def _readable(column: str, value: Any) -> Any:
    """Epoch ``*_at`` integers become ISO-8601 UTC, so an export reads without decoding."""
    if column.endswith("_at") and isinstance(value, int) and not isinstance(value, bool):
        return from_epoch(value).isoformat()
    return value


async def export_user(store: Store, user_id: int) -> dict[str, list[dict[str, Any]]]:
    """Every row about the user from every table that has a ``user_id`` column, by table name."""
    data: dict[str, list[dict[str, Any]]] = {}
    for table in await store.tables_with_user_id():
        rows = await store.fetchall(f'SELECT * FROM "{table}" WHERE user_id = ?', (user_id,))
        data[table] = [{key: _readable(key, row[key]) for key in row.keys()} for row in rows]  # noqa: SIM118
    return data


# What the users middleware writes for anyone who sends the bot anything (see spasmbot.edge.users):
# an export made of these alone says only "this person is talking to the bot right now".
CONTACT_COLUMNS = frozenset({"user_id", "chat_id", "language", "first_seen_at", "last_seen_at"})


def holds_data(export: dict[str, list[dict[str, Any]]]) -> bool:
    """Whether an :func:`export_user` result holds more than the bare ``users`` row.

    Right after /forget the very next update writes that row again; /mydata must then still say
    that nothing is stored, so a bare row does not count.
    """
    if any(rows for table, rows in export.items() if table != "users"):
        return True
    return any(value for row in export.get("users", ()) for key, value in row.items() if key not in CONTACT_COLUMNS)


async def export_user_json(store: Store, user_id: int, header: dict[str, Any]) -> bytes | None:
    """/mydata's file: ``header`` plus ``tables`` (as :func:`export_user`) as indented JSON bytes.

    None when :func:`holds_data` says there is nothing to export. Built off the event loop: a
    heavy user's export (100,000 drinks: seconds of work, ~15 MB) runs in a worker thread on its
    own read-only connection (WAL lets it read while the bot writes), so every other update goes
    on being handled and the shared connection is not held for the whole read.
    """
    tables = await store.tables_with_user_id()
    if str(store.path) == ":memory:":  # no file a second connection could open
        data = await export_user(store, user_id)
        return await asyncio.to_thread(_encode_export, data, header)
    return await asyncio.to_thread(_export_from_file, store.path, tables, user_id, header)


def _export_from_file(path: Path, tables: list[str], user_id: int, header: dict[str, Any]) -> bytes | None:
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        connection.row_factory = sqlite3.Row
        data: dict[str, list[dict[str, Any]]] = {}
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}" WHERE user_id = ?', (user_id,))
            data[table] = [{key: _readable(key, row[key]) for key in row.keys()} for row in cursor]  # noqa: SIM118
    finally:
        connection.close()
    return _encode_export(data, header)


def _encode_export(data: dict[str, list[dict[str, Any]]], header: dict[str, Any]) -> bytes | None:
    if not holds_data(data):
        return None
    return json.dumps({**header, "tables": data}, indent=2, ensure_ascii=False, default=str).encode()


async def forget_user(store: Store, user_id: int) -> int:
    """Delete every row about the user in every table with a ``user_id`` column; returns rows deleted."""
    tables = await store.tables_with_user_id()
    deleted = 0
    async with store.transaction() as db:
        for table in sorted(tables, key=lambda name: name == "users"):  # children first
            cursor = await db.execute(f'DELETE FROM "{table}" WHERE user_id = ?', (user_id,))
            deleted += max(cursor.rowcount, 0)
            await cursor.close()
    _seen(store).pop(user_id, None)
    # secure_delete zeroed the rows in the database pages; older copies of those pages still sit
    # in the WAL until a checkpoint, so copy back and truncate it now (best effort: a reader in
    # a second process may hold it open, and the next checkpoint finishes the job).
    if str(store.path) != ":memory:":
        await store.fetchone("PRAGMA wal_checkpoint(TRUNCATE)")
    return deleted
