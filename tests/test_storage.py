"""The store: opening, refusing bad files, migrations, the users and schedule repositories."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from spasmbot.delivery import schedule
from spasmbot.delivery.claims import claim_batch
from spasmbot.delivery.schedule import Claim, Due
from spasmbot.features.tips import store as tip_store
from spasmbot.storage import Store, StoreError, users
from spasmbot.storage.db import Migration, load_migrations
from tests.helpers import Harness

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "s.sqlite3")
    try:
        yield opened
    finally:
        await opened.close()


async def test_open_creates_wal_database_with_foreign_keys_and_latest_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    store = await Store.open(path)
    try:
        assert (await store.fetchone("PRAGMA journal_mode"))[0] == "wal"
        assert (await store.fetchone("PRAGMA foreign_keys"))[0] == 1
        latest = load_migrations()[-1].version
        assert store.schema_version == latest
        assert (await store.fetchone("PRAGMA user_version"))[0] == latest
    finally:
        await store.close()
    again = await Store.open(path)  # reopening applies nothing and keeps the data
    assert again.schema_version == latest
    await again.close()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"this is a text file, not a database\n" * 10, "not a SQLite database"),
        (b"SQLite format 3\x00" + b"\xff" * 2000, "unusable database"),
    ],
)
async def test_garbage_and_corrupt_files_are_refused_and_left_alone(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    path = tmp_path / "bad.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError) as caught:
        await Store.open(path)
    message = str(caught.value)
    assert expected in message and str(path) in message and "\n" not in message
    assert path.read_bytes() == content


async def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA user_version = 9999")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer than this spasmbot knows"):
        await Store.open(path)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
async def test_unwritable_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ro.sqlite3"
    await (await Store.open(path)).close()
    path.chmod(0o444)
    with pytest.raises(StoreError, match="not writable"):
        await Store.open(path)


async def test_missing_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        await Store.open(tmp_path / "nope" / "db.sqlite3")


async def test_failed_migration_rolls_back_and_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "m.sqlite3"
    steps = [
        Migration(1, "0001_ok.sql", "CREATE TABLE a (x INTEGER);"),
        Migration(2, "0002_bad.sql", "CREATE TABLE b (y INTEGER); INSERT INTO nowhere VALUES (1);"),
    ]
    with pytest.raises(StoreError, match=r"0002_bad\.sql failed"):
        await Store.open(path, migrations=steps)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert tables == {"a"}


def test_duplicate_migration_numbers_are_an_error(tmp_path: Path) -> None:
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0001_b.sql").write_text("SELECT 1;")
    with pytest.raises(StoreError, match="also used by"):
        load_migrations(tmp_path)


async def test_touch_writes_new_users_then_at_most_hourly(store: Store) -> None:
    assert await users.touch(store, 7, 7, "en", NOW)
    assert not await users.touch(store, 7, 7, "en", NOW + timedelta(minutes=59))
    assert await users.touch(store, 7, 7, "de", NOW + timedelta(minutes=59))  # language changed
    assert await users.touch(store, 7, 7, "de", NOW + timedelta(hours=2))
    user = await users.get_user(store, 7)
    assert user is not None
    assert (user.language, user.first_seen_at, user.last_seen_at) == ("de", NOW, NOW + timedelta(hours=2))
    assert not user.blocked and user.timezone is None


async def test_set_get_clear_due_and_blocked_users_start_paused(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await schedule.set_due(store, 1, "tips", NOW + timedelta(hours=1), {"time": "10:00"})
    await schedule.set_due(store, 1, "water", NOW + timedelta(minutes=5))
    due = await schedule.get_due(store, 1, "tips")
    assert due is not None and due.due_at == NOW + timedelta(hours=1) and due.payload == {"time": "10:00"}
    assert [d.kind for d in await schedule.list_due(store, 1)] == ["water", "tips"]
    assert await schedule.clear_due(store, 1, "water") == 1
    assert await schedule.clear_due(store, 1) == 1
    assert await schedule.get_due(store, 1, "tips") is None
    await users.block(store, 1, NOW)
    await schedule.set_due(store, 1, "tips", NOW, {"time": "10:00"})
    paused = await schedule.get_due(store, 1, "tips")
    assert paused is not None and paused.paused
    assert await users.unblock(store, 1) and await schedule.has_paused(store, 1)
    assert not await users.unblock(store, 1)
    assert await schedule.resume_user(store, 1) == 1 and not await schedule.has_paused(store, 1)


async def test_set_due_needs_a_user_row(store: Store) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await schedule.set_due(store, 404, "tips", NOW)


async def test_export_and_forget_cover_every_table_with_a_user_id(store: Store) -> None:
    await store.db.execute("CREATE TABLE later_feature (user_id INTEGER, note TEXT, made_at INTEGER)")
    for uid in (1, 2):
        await users.touch(store, uid, uid, "en", NOW)
        await schedule.set_due(store, uid, "tips", NOW, {"time": "07:00"})
        await store.write("INSERT INTO later_feature VALUES (?, 'x', ?)", (uid, int(NOW.timestamp())))
    data = await users.export_user(store, 1)
    assert data["users"][0]["first_seen_at"] == "2026-03-02T09:00:00+00:00"
    assert data["later_feature"] == [{"user_id": 1, "note": "x", "made_at": "2026-03-02T09:00:00+00:00"}]
    assert len(data["schedule"]) == 1 and "tip_pools" not in data
    deleted = await users.forget_user(store, 1)
    assert deleted == 3
    assert not any((await users.export_user(store, 1)).values())
    assert (await users.export_user(store, 2))["later_feature"]  # others untouched
    assert await users.touch(store, 1, 1, "en", NOW)  # forgotten: the next update recreates the row


def _plan(next_in: timedelta | None) -> object:
    def plan(due: Due, logged: bool, now: datetime) -> Claim:
        return Claim(due, not logged, now + next_in if next_in else None, due.payload, logged=logged)

    return plan


async def test_claim_moves_rows_logs_slots_and_never_claims_twice(store: Store) -> None:
    for uid in range(1, 6):
        await users.touch(store, uid, uid, "en", NOW)
        await schedule.set_due(store, uid, "tips", NOW - timedelta(minutes=uid))
    await schedule.set_due(store, 5, "other", NOW)  # kind not asked for: left alone
    claims = await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=3)  # type: ignore[arg-type]
    assert [c.due.user_id for c in claims] == [5, 4, 3]  # oldest first
    claims += await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=3)  # type: ignore[arg-type]
    assert len(claims) == 5
    assert await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=3) == []  # type: ignore[arg-type]
    logged = await schedule.deliveries(store, 1)
    assert [(d["slot_at"], d["outcome"]) for d in logged] == [(NOW - timedelta(minutes=1), None)]
    await schedule.record_outcomes(store, [(claims[0].due, "sent")], [4], NOW)
    assert (await schedule.deliveries(store, 5))[0]["outcome"] == "sent"
    assert (await users.get_user(store, 4)).blocked  # type: ignore[union-attr]
    assert (await schedule.get_due(store, 4, "tips")).paused  # type: ignore[union-attr]


async def test_a_slot_already_in_the_log_is_not_sent_again(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await schedule.set_due(store, 1, "tips", NOW)
    [first] = await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=10)  # type: ignore[arg-type]
    assert first.send
    await schedule.set_due(store, 1, "tips", NOW)  # a buggy feature puts the same slot back
    [second] = await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=10)  # type: ignore[arg-type]
    assert not second.send and second.logged
    assert (await schedule.get_due(store, 1, "tips")).due_at == NOW + timedelta(days=1)  # type: ignore[union-attr]


async def test_one_off_rows_are_deleted_and_release_restores_them(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await schedule.set_due(store, 1, "check_followup", NOW, {"check": "doctor"})
    claims = await claim_batch(store, NOW, ["check_followup"], _plan(None), limit=10)  # type: ignore[arg-type]
    assert await schedule.get_due(store, 1, "check_followup") is None
    await schedule.release(store, claims)
    restored = await schedule.get_due(store, 1, "check_followup")
    assert restored is not None and restored.due_at == NOW and restored.payload == {"check": "doctor"}
    assert await schedule.deliveries(store, 1) == []


async def test_release_does_not_undo_a_users_change(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await schedule.set_due(store, 1, "tips", NOW)
    claims = await claim_batch(store, NOW, ["tips"], _plan(timedelta(days=1)), limit=10)  # type: ignore[arg-type]
    await schedule.set_due(store, 1, "tips", NOW + timedelta(hours=5))  # the user moved the time
    await schedule.release(store, claims)
    assert (await schedule.get_due(store, 1, "tips")).due_at == NOW + timedelta(hours=5)  # type: ignore[union-attr]


async def test_deleting_a_tips_row_keeps_the_rotation_for_later(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await tip_store.subscribe(store, 1, "07:30", NOW)
    await schedule.set_due(store, 1, "tips", NOW, {"time": "07:30", "pool": 1, "cycle": 2, "cursor": 9, "tip": "a"})
    assert await schedule.clear_due(store, 1) == 1  # e.g. /stop
    prefs = await tip_store.get_prefs(store, 1)
    assert prefs == tip_store.TipPrefs("07:30", tip_store.Rotation(1, 2, 9))
    await tip_store.subscribe(store, 1, "08:00", NOW + timedelta(days=1))
    due = await schedule.get_due(store, 1, "tips")
    assert due is not None and due.payload == {"time": "08:00", "pool": 1, "cycle": 2, "cursor": 9}


def test_rotation_gives_every_tip_once_per_cycle_new_tips_next_cycle_removed_skipped() -> None:
    pools = {1: ("a", "b", "c", "d"), 2: ("a", "b", "c", "d", "e")}
    rotation = tip_store.Rotation()
    seen = []
    for _ in range(4):
        tip, rotation = tip_store.pick(rotation, 42, pools, 1, {"a", "b", "c", "d"})
        seen.append(tip)
    assert sorted(seen) == ["a", "b", "c", "d"]  # type: ignore[type-var]
    # "e" is added and "a" removed mid-way through the next cycle
    tip, rotation = tip_store.pick(rotation, 42, pools, 2, {"b", "c", "d", "e"})
    assert rotation.pool == 2 and rotation.cycle == 1
    second = [tip]
    for _ in range(3):
        tip, rotation = tip_store.pick(rotation, 42, pools, 2, {"b", "c", "d", "e"})
        second.append(tip)
    assert sorted(second) == ["b", "c", "d", "e"]  # type: ignore[type-var]
    assert tip_store.permutation(pools[1], 42, 0) != tip_store.permutation(pools[1], 43, 0) or (
        tip_store.permutation(pools[1], 42, 1) != tip_store.permutation(pools[1], 43, 1)
    )
    assert tip_store.pick(tip_store.Rotation(), 1, {1: ()}, 1, set()) == (None, tip_store.Rotation())


async def test_pools_are_shared_and_cached(store: Store) -> None:
    first = await tip_store.ensure_pool(store, {"b", "a"})
    assert await tip_store.ensure_pool(store, ["a", "b"]) == first
    other = await tip_store.ensure_pool(store, {"a", "b", "c"})
    assert other != first
    assert tip_store.cached_pools(store)[other] == ("a", "b", "c")


async def test_bulk_helpers_create_users_and_rows_in_one_go(store: Store) -> None:
    await users.add_many(store, [(1, 1, "en", "Europe/Berlin"), (2, 2, None, None)], NOW)
    await users.add_many(store, [(1, 99, "de", "UTC")], NOW)  # existing users are left alone
    await schedule.set_due_many(
        store, [(1, "tips", NOW, {"time": "08:00"}), (2, "water", NOW + timedelta(hours=1), None)]
    )
    first = await users.get_user(store, 1)
    assert first is not None and (first.chat_id, first.timezone) == (1, "Europe/Berlin")
    due = await schedule.get_due(store, 1, "tips")
    assert due is not None and due.timezone == "Europe/Berlin" and due.payload == {"time": "08:00"}
    assert [d.kind for d in await schedule.list_due(store, 2)] == ["water"]


async def test_other_tasks_wait_for_an_open_transaction(store: Store) -> None:
    """A handler writing (and committing) mid-transaction neither joins nor commits it."""
    await users.touch(store, 1, 1, "en", NOW)
    entered = asyncio.Event()
    release = asyncio.Event()

    async def delivery_like() -> None:
        with contextlib.suppress(RuntimeError):
            async with store.transaction() as db:
                await db.execute("UPDATE users SET language = 'xx' WHERE user_id = 1")
                entered.set()
                await release.wait()
                raise RuntimeError("roll back")

    async def handler_like() -> None:
        await entered.wait()
        await store.db.execute("UPDATE users SET timezone = 'Asia/Kolkata' WHERE user_id = 1")
        await store.db.commit()

    first = asyncio.create_task(delivery_like())
    second = asyncio.create_task(handler_like())
    await entered.wait()
    release.set()
    await asyncio.gather(first, second)
    user = await users.get_user(store, 1)
    assert user is not None and (user.language, user.timezone) == ("en", "Asia/Kolkata")


async def test_move_due_only_moves_a_row_still_at_its_old_slot(store: Store) -> None:
    await users.touch(store, 1, 1, "en", NOW)
    await schedule.set_due(store, 1, "tips", NOW, {"cursor": 3})
    assert await schedule.move_due(store, 1, "tips", NOW, NOW + timedelta(hours=2))
    assert not await schedule.move_due(store, 1, "tips", NOW, NOW + timedelta(hours=5))  # stale read
    due = await schedule.get_due(store, 1, "tips")
    assert due is not None and due.due_at == NOW + timedelta(hours=2) and due.payload == {"cursor": 3}


async def test_middleware_records_users_without_writing_on_every_update(harness: Harness) -> None:
    user = harness.user(4242, language_code="pt-br")
    await user.send("/start")
    first = await users.get_user(harness.store, 4242)
    assert first is not None and (first.chat_id, first.language) == (4242, "pt-br")
    changes = harness.store.db.total_changes
    harness.clock.advance(minutes=30)
    await user.send("/menu")
    await user.send("/help")
    assert (await users.get_user(harness.store, 4242)).last_seen_at == first.last_seen_at  # type: ignore[union-attr]
    assert harness.store.db.total_changes == changes  # not a single row written
    harness.clock.advance(hours=1)
    await user.send("/menu")
    later = await users.get_user(harness.store, 4242)
    assert later is not None and later.last_seen_at == harness.clock.now()
    assert later.first_seen_at == first.first_seen_at
    export = await users.export_user(harness.store, 4242)
    assert set(export["users"][0]) == {  # nothing else: no names, no texts
        "user_id",
        "chat_id",
        "language",
        "timezone",
        "first_seen_at",
        "last_seen_at",
        "blocked",
        "blocked_at",
    }


async def test_rows_with_the_same_payload_get_independent_copies(store: Store) -> None:
    for uid in (1, 2):
        await users.touch(store, uid, uid, "en", NOW)
        await schedule.set_due(store, uid, "tips", NOW, {"time": "08:00", "cursor": 4})
    await schedule.set_due(store, 2, "water", NOW, {"days": [1, 2]})
    first = await schedule.get_due(store, 1, "tips")
    second = await schedule.get_due(store, 2, "tips")
    assert first is not None and second is not None
    first.payload["cursor"] = 99
    assert second.payload == {"time": "08:00", "cursor": 4}
    assert (await schedule.get_due(store, 1, "tips")).payload["cursor"] == 4  # type: ignore[union-attr]
    nested = await schedule.get_due(store, 2, "water")
    assert nested is not None
    nested.payload["days"].append(3)
    assert (await schedule.get_due(store, 2, "water")).payload == {"days": [1, 2]}  # type: ignore[union-attr]


async def test_reads_never_see_another_tasks_uncommitted_rows(store: Store) -> None:
    """Handlers run concurrently: a read made while a transaction is open waits for its end."""
    await users.touch(store, 1, 1, "en", NOW)
    entered = asyncio.Event()
    release = asyncio.Event()

    async def rolled_back() -> None:
        with contextlib.suppress(RuntimeError):
            async with store.transaction() as db:
                await db.execute("UPDATE users SET language = 'xx' WHERE user_id = 1")
                entered.set()
                await release.wait()
                raise RuntimeError("roll back")

    writer = asyncio.create_task(rolled_back())
    await entered.wait()
    reader = asyncio.create_task(store.fetchall("SELECT language FROM users"))
    await asyncio.sleep(0)
    assert not reader.done()  # waiting for the transaction, not reading its half-done state
    release.set()
    await writer
    assert [row["language"] for row in await reader] == ["en"]
