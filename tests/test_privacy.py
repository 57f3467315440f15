"""The user's control of their data: /privacy, /mydata, /forget, /stop, and /start after a block."""

from __future__ import annotations

import json
from datetime import timedelta

from spasmbot.delivery import schedule
from spasmbot.features.privacy import store as feedback
from spasmbot.storage import users
from tests.helpers import Harness


async def _tables_with_user_id(harness: Harness) -> list[str]:
    db = harness.store.db
    async with db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'") as cur:
        names = [row[0] for row in await cur.fetchall()]
    found = []
    for name in names:
        async with db.execute(f'PRAGMA table_info("{name}")') as cur:
            if any(row[1] == "user_id" for row in await cur.fetchall()):
                found.append(name)
    return found


async def _rows_for(harness: Harness, table: str, user_id: int) -> int:
    async with harness.store.db.execute(f'SELECT COUNT(*) FROM "{table}" WHERE user_id = ?', (user_id,)) as cur:
        row = await cur.fetchone()
    assert row is not None
    return int(row[0])


async def _use_every_feature(harness: Harness, user_id: int) -> None:
    """Leave a trace in as many tables as the features offer, through the chat where possible."""
    user = harness.user(user_id)
    await user.send("/start")
    await user.send("/drank")
    await user.send("/check")
    check_list = user.last_message()
    [step] = await user.tap(check_list, check_list.button_texts()[0])
    await user.tap(step, step.button_texts()[0])
    await schedule.set_due(harness.store, user_id, "tips", harness.clock.now() + timedelta(hours=1))


async def test_privacy_explains_what_is_stored(harness: Harness) -> None:
    user = harness.user()
    [message] = await user.send("/privacy")
    assert "user id" in message.plain and "never store your name" in message.plain
    assert message.button("Download my data") and message.button("Delete my data")


async def test_mydata_sends_everything_stored_as_json(harness: Harness) -> None:
    user = harness.user(3003, first_name="Zoë")
    await _use_every_feature(harness, 3003)
    [document] = await user.send("/mydata")
    assert document.document is not None and document.document_name.endswith(".json")
    exported = json.loads(document.document)
    assert exported["user_id"] == 3003
    tables = exported["tables"]
    assert tables["users"][0]["user_id"] == 3003
    assert tables["schedule"] and tables["water_drinks"]
    assert "Zoë" not in document.document.decode()  # names are never stored
    for table in await _tables_with_user_id(harness):
        if await _rows_for(harness, table, 3003):
            assert tables.get(table), f"/mydata misses table {table}"


async def test_forget_clears_every_table_holding_a_user_id(harness: Harness) -> None:
    await _use_every_feature(harness, 4004)
    await _use_every_feature(harness, 5005)  # a bystander whose data must survive
    tables = await _tables_with_user_id(harness)
    assert {"users", "schedule"} <= set(tables)
    user = harness.user(4004)
    [confirm] = await user.send("/forget")
    assert "cannot be undone" in confirm.plain
    [done] = await user.tap(confirm, "Yes, delete everything")
    assert "deleted" in done.plain
    for table in tables:
        assert await _rows_for(harness, table, 4004) == 0, f"/forget left rows in {table}"
    assert await _rows_for(harness, "users", 5005) == 1
    assert await schedule.list_due(harness.store, 5005)


async def test_forget_can_be_cancelled(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    [confirm] = await user.send("/forget")
    [kept] = await user.tap(confirm, "Keep my data")
    assert "Nothing was deleted" in kept.plain
    assert await users.get_user(harness.store, user.user_id) is not None


async def test_stop_turns_off_everything_asks_why_and_offers_deletion(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    [nothing] = await user.send("/stop")
    assert "nothing to stop" in nothing.plain
    await schedule.set_due(harness.store, user.user_id, "tips", harness.clock.now() + timedelta(hours=2))
    await schedule.set_due(harness.store, user.user_id, "water", harness.clock.now() + timedelta(hours=1))
    [stopped] = await user.send("stop")  # the plain word works too
    assert "All reminders are off" in stopped.plain
    assert await schedule.list_due(harness.store, user.user_id) == []
    [thanks] = await user.tap(stopped, "Too many messages")
    assert await feedback.stop_reasons(harness.store) == {"too_many": 1}
    [confirm] = await user.tap(thanks, "Delete my data")
    assert "Delete all your data?" in confirm.plain


async def test_start_after_blocking_offers_to_resume(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    await schedule.set_due(harness.store, user.user_id, "tips", harness.clock.now() + timedelta(hours=2))
    await users.block(harness.store, user.user_id, harness.clock.now())
    assert await schedule.has_paused(harness.store, user.user_id)
    [welcome] = await user.send("/start")
    assert "Welcome back" in welcome.plain
    stored = await users.get_user(harness.store, user.user_id)
    assert stored is not None and not stored.blocked
    [resumed] = await user.tap(welcome, "Resume reminders")
    assert "back on" in resumed.plain
    assert not await schedule.has_paused(harness.store, user.user_id)
    [again] = await user.send("/start")
    assert "Welcome back" not in again.plain


async def test_mydata_right_after_forget_says_nothing_is_stored(harness: Harness) -> None:
    user = harness.user()
    await _use_every_feature(harness, user.user_id)
    [document] = await user.send("/mydata")
    assert document.document is not None
    [confirm] = await user.send("/forget")
    await user.tap(confirm, "Yes, delete everything")
    [reply] = await user.send("/mydata")
    assert reply.document is None and "I hold no data about you" in reply.plain
    # the middleware's bare row for "someone is talking to me" is all there is
    exported = await users.export_user(harness.store, user.user_id)
    assert not users.holds_data(exported) and [t for t, rows in exported.items() if rows] == ["users"]
    await users.set_timezone(harness.store, user.user_id, "Europe/Berlin")
    [document] = await user.send("/mydata")  # something worth storing: a file again
    assert document.document is not None and b"Europe/Berlin" in document.document
