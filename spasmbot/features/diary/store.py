"""The diary's SQL: ``diary_entries`` and ``diary_free_days`` (migration 0011_diary.sql).

Every query is scoped by ``user_id``: an entry id from a button is only ever looked up together with
the id of the user who tapped it, so forged ids reach nothing of anyone else's.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from spasmbot.features.diary.rules import Entry
from spasmbot.storage.db import Store, epoch, from_epoch

_COLUMNS = "id, at, day, logged_at, night, area, side, severity, duration, woke, triggers, helped, signs, note, source"


def _ids(text: str | None) -> tuple[str, ...]:
    return tuple(text.split(",")) if text else ()


def _row_to_entry(row: Any) -> Entry:
    woke = row["woke"]
    return Entry(
        id=row["id"],
        at=from_epoch(row["at"]),
        day=date.fromisoformat(row["day"]),
        logged_at=from_epoch(row["logged_at"]),
        night=bool(row["night"]),
        area=row["area"],
        side=row["side"],
        severity=row["severity"],
        duration=row["duration"],
        woke=None if woke is None else bool(woke),
        triggers=_ids(row["triggers"]),
        helped=_ids(row["helped"]),
        signs=_ids(row["signs"]),
        note=row["note"],
        source=row["source"],
    )


def _params(user_id: int, entry: Entry) -> tuple[Any, ...]:
    return (
        epoch(entry.at),
        entry.day.isoformat(),
        epoch(entry.logged_at),
        int(entry.night),
        entry.area,
        entry.side,
        entry.severity,
        entry.duration,
        None if entry.woke is None else int(entry.woke),
        ",".join(entry.triggers) or None,
        ",".join(entry.helped) or None,
        ",".join(entry.signs) or None,
        entry.note,
        entry.source,
    )


async def add(store: Store, user_id: int, entry: Entry) -> Entry:
    """Store a new entry (its ``id`` is ignored); the stored entry with its id.

    A day that gets a cramp is no longer a confirmed cramp-free day.
    """
    async with store.transaction() as db:
        cursor = await db.execute(
            "INSERT INTO diary_entries (user_id, at, day, logged_at, night, area, side, severity,"
            " duration, woke, triggers, helped, signs, note, source)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, *_params(user_id, entry)),
        )
        new_id = cursor.lastrowid
        await cursor.close()
        await db.execute("DELETE FROM diary_free_days WHERE user_id = ? AND day = ?", (user_id, entry.day.isoformat()))
    assert new_id is not None
    return replace(entry, id=new_id)


async def get(store: Store, user_id: int, entry_id: int) -> Entry | None:
    row = await store.fetchone(
        f"SELECT {_COLUMNS} FROM diary_entries WHERE id = ? AND user_id = ?", (entry_id, user_id)
    )
    return _row_to_entry(row) if row is not None else None


async def save(store: Store, user_id: int, entry: Entry) -> bool:
    """Write an edited entry back; False when it is gone (deleted meanwhile, or not theirs)."""
    async with store.transaction() as db:
        cursor = await db.execute(
            "UPDATE diary_entries SET at = ?, day = ?, logged_at = ?, night = ?, area = ?, side = ?,"
            " severity = ?, duration = ?, woke = ?, triggers = ?, helped = ?, signs = ?, note = ?,"
            " source = ? WHERE id = ? AND user_id = ?",
            (*_params(user_id, entry), entry.id, user_id),
        )
        changed = cursor.rowcount
        await cursor.close()
        if changed:
            await db.execute(
                "DELETE FROM diary_free_days WHERE user_id = ? AND day = ?", (user_id, entry.day.isoformat())
            )
    return changed > 0


async def delete(store: Store, user_id: int, entry_id: int) -> bool:
    changed = await store.write("DELETE FROM diary_entries WHERE id = ? AND user_id = ?", (entry_id, user_id))
    return changed > 0


async def between(store: Store, user_id: int, first: date, last: date) -> list[Entry]:
    """Entries on local days ``first``..``last`` (inclusive), oldest first."""
    rows = await store.fetchall(
        f"SELECT {_COLUMNS} FROM diary_entries WHERE user_id = ? AND day BETWEEN ? AND ? ORDER BY day, at, id",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return [_row_to_entry(row) for row in rows]


async def recent(store: Store, user_id: int, limit: int, offset: int = 0) -> tuple[list[Entry], int]:
    """A page of entries, newest first, and how many there are in all."""
    rows = await store.fetchall(
        f"SELECT {_COLUMNS} FROM diary_entries WHERE user_id = ? ORDER BY day DESC, at DESC, id DESC LIMIT ? OFFSET ?",
        (user_id, limit, offset),
    )
    total = await store.fetchone("SELECT count(*) FROM diary_entries WHERE user_id = ?", (user_id,))
    return [_row_to_entry(row) for row in rows], int(total[0])


async def last_logged(store: Store, user_id: int) -> Entry | None:
    """The entry logged most recently (not the one that happened last)."""
    row = await store.fetchone(
        f"SELECT {_COLUMNS} FROM diary_entries WHERE user_id = ? ORDER BY logged_at DESC, id DESC LIMIT 1",
        (user_id,),
    )
    return _row_to_entry(row) if row is not None else None


async def last_cramp_day(store: Store, user_id: int, on_or_before: date) -> date | None:
    row = await store.fetchone(
        "SELECT max(day) FROM diary_entries WHERE user_id = ? AND day <= ?", (user_id, on_or_before.isoformat())
    )
    return date.fromisoformat(row[0]) if row is not None and row[0] else None


async def first_day(store: Store, user_id: int) -> date | None:
    """The first day of the user's diary: their first entry or first "none today", whichever is older."""
    row = await store.fetchone(
        "SELECT min(d) FROM (SELECT min(day) AS d FROM diary_entries WHERE user_id = ?"
        " UNION ALL SELECT min(day) FROM diary_free_days WHERE user_id = ?)",
        (user_id, user_id),
    )
    return date.fromisoformat(row[0]) if row is not None and row[0] else None


async def count_on(store: Store, user_id: int, day: date) -> int:
    row = await store.fetchone(
        "SELECT count(*) FROM diary_entries WHERE user_id = ? AND day = ?", (user_id, day.isoformat())
    )
    return int(row[0])


async def mark_free(store: Store, user_id: int, day: date, now: datetime) -> bool:
    """Record ``day`` as cramp-free; False if it already was."""
    changed = await store.write(
        "INSERT INTO diary_free_days (user_id, day, recorded_at) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, day) DO NOTHING",
        (user_id, day.isoformat(), epoch(now)),
    )
    return changed > 0


async def free_days(store: Store, user_id: int, first: date, last: date) -> set[date]:
    rows = await store.fetchall(
        "SELECT day FROM diary_free_days WHERE user_id = ? AND day BETWEEN ? AND ?",
        (user_id, first.isoformat(), last.isoformat()),
    )
    return {date.fromisoformat(row["day"]) for row in rows}
