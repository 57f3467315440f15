"""/drank with an amount, Undo, the pace line's units, and settings changes that keep the nudge's time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spasmbot.delivery import schedule
from spasmbot.features.water import store as water_store
from spasmbot.storage import users
from tests.helpers import Harness

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


async def logged_ml(harness: Harness, user_id: int = 1001) -> list[int]:
    drinks = await water_store.drinks_since(harness.store, user_id, harness.clock.now() - timedelta(days=1))
    return [d.ml for d in drinks]


@pytest.mark.parametrize(
    ("typed", "ml"), [("500", 500), ("330ml", 330), ("330 ml", 330), ("0.5 l", 500), ("33cl", 330), ("2", 500)]
)
async def test_drank_with_an_amount_logs_that_amount(harness: Harness, typed: str, ml: int) -> None:
    user = harness.user()
    [reply] = await user.send(f"/drank {typed}")
    assert await logged_ml(harness) == [ml]
    assert f"Logged {ml} ml" in reply.plain or (ml == 250 and "Logged!" in reply.plain)


async def test_amounts_count_as_glasses_of_the_chosen_size_and_in_ml(harness: Harness) -> None:
    user = harness.user()
    [reply] = await user.send("/drank 500")
    assert "2 of 8" in reply.plain  # two 250 ml glasses
    await user.send("/drank")
    [water] = await user.send("/water")
    assert "3 of 8" in water.plain
    await user.tap(water, "Goal")
    await user.tap(user.last_message(), "Millilitres")
    [water] = await user.send("/water")
    assert "750 of 2,000 ml" in water.plain


@pytest.mark.parametrize(
    ("typed", "hint"), [("lots", "couldn't read"), ("9000", "20 to 3,000 ml"), ("1" * 400, "20 to")]
)
async def test_drank_with_a_bad_amount_explains_and_logs_nothing(harness: Harness, typed: str, hint: str) -> None:
    user = harness.user()
    [reply] = await user.send(f"/drank {typed}")
    assert hint in reply.plain
    assert await logged_ml(harness) == []


async def test_undo_takes_back_a_drink_logged_by_mistake_once(harness: Harness) -> None:
    user = harness.user()
    await user.send("/drank")
    [logged] = await user.send("/drank 330ml")
    assert sorted(await logged_ml(harness)) == [250, 330]
    undo = logged.button("Undo").data or ""
    [undone] = await user.tap(logged, "Undo")
    assert "Taken back: 330 ml" in undone.plain and "1 of 8" in undone.plain
    assert user.alerts[-1] == "↩️ Taken back: 330 ml."
    assert await logged_ml(harness) == [250]
    # the same Undo again (a double tap, an old message) is a stale button, not a second removal
    await user.tap_data(undone, undo)
    assert await logged_ml(harness) == [250]
    assert "expired" in user.last_message().plain
    # another user's drink id cannot be undone
    other = harness.user(2002)
    await other.tap_data((await other.send("/water"))[0], undo)
    [mine] = await user.send("/drank")
    drink_id = (mine.button("Undo").data or "").rpartition(":")[2]
    await other.tap_data(other.last_message(), f"w:undo:{drink_id}")
    assert sorted(await logged_ml(harness)) == [250, 250]


async def test_the_pace_line_has_units_and_no_nagging_on_a_first_visit(harness: Harness) -> None:
    user = harness.user()
    harness.clock.set(berlin(2026, 3, 2, 15, 0))
    await users.touch(harness.store, 1001, 1001, "en", harness.clock.now())
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    [first] = await user.send("/water")
    assert "catch up" not in first.plain and "whenever you drink" in first.plain
    await user.tap(first, "Goal")
    await user.tap(user.last_message(), "Millilitres")
    await user.tap(user.last_message(), "2500 ml")
    await user.send("/drank 250ml")
    [water] = await user.send("/water")
    # 7 of 13 active hours (08:00-21:00) are over: 2500 * 7 / 13 = 1,346 ml by now
    assert "By now you would be at 1,346 ml: 1,096 ml more to catch up." in water.plain


async def test_settings_changes_do_not_push_the_next_nudge_later(harness: Harness) -> None:
    user = harness.user()
    harness.clock.set(berlin(2026, 3, 2, 13, 35))
    await users.touch(harness.store, 1001, 1001, "en", harness.clock.now())
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    [water] = await user.send("/water")
    await user.tap(water, "Turn nudges on")
    first = (await schedule.get_due(harness.store, 1001, "water")).due_at  # type: ignore[union-attr]
    assert first == berlin(2026, 3, 2, 15, 5)
    for goal in ("10 glasses", "12 glasses", "6 glasses"):
        harness.clock.advance(minutes=3)
        [water] = await user.send("/water")
        await user.tap(water, "Goal")
        await user.tap(user.last_message(), goal)
        due = await schedule.get_due(harness.store, 1001, "water")
        assert due is not None and due.due_at == first, f"{goal}: moved to {due and due.due_at}"
    assert "Next nudge: 15:05" in user.last_message().plain
    # a shorter interval counts from when the wait began (13:35), not from now
    [water] = await user.send("/water")
    await user.tap(water, "Interval")
    await user.tap(user.last_message(), "1 h")
    due = await schedule.get_due(harness.store, 1001, "water")
    assert due is not None and due.due_at == berlin(2026, 3, 2, 14, 35)
