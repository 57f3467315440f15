"""The opt-in evening check-in: set up with the zone picker, sent once at the local time through the
shared delivery mechanism (restarts, /stop, blocking), and its three answers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from spasmbot.delivery import schedule
from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.diary import handlers as diary
from spasmbot.features.diary import store as diary_store
from spasmbot.storage import users
from tests.helpers import Harness

MONDAY = date(2026, 3, 2)  # the harness starts on Monday 2 March 2026, 09:00 UTC


async def _turn_on(harness: Harness, user: ChatClient) -> FakeMessage:
    """/diary -> Evening check-in -> Turn on -> (first time: zone Europe/Berlin typed) -> 21:00."""
    [diary_screen] = await user.send("/diary")
    [home] = await user.tap(diary_screen, "🔔 Evening check-in")
    assert "Off now" in home.plain
    [times] = await user.tap(home, "🔔 Turn on")
    if await users.get_timezone(harness.store, user.user_id) is None:
        assert "time zone" in times.plain
        [chosen] = await user.send("Europe/Berlin")
        [times] = await user.tap(chosen, chosen.button_texts()[0])
    [on] = await user.tap(times, "21:00")
    assert "Evening check-in at <b>21:00</b>" in on.text and "Europe/Berlin" in on.plain
    return on


async def _checkins(harness: Harness, user: ChatClient) -> list[FakeMessage]:
    return [m for m in user.messages() if "Any cramps today?" in m.plain]


async def test_checkin_is_sent_once_at_local_time_and_none_records_a_free_day(harness: Harness) -> None:
    user = harness.user()
    await _turn_on(harness, user)
    due = await schedule.get_due(harness.store, user.user_id, diary.CHECKIN_KIND)
    assert due is not None and due.due_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)  # 21:00 in Berlin
    harness.clock.set(datetime(2026, 3, 2, 19, 59, tzinfo=UTC))
    await deliver_due(harness.app)
    assert await _checkins(harness, user) == []
    harness.clock.set(datetime(2026, 3, 2, 20, 0, 30, tzinfo=UTC))
    await deliver_due(harness.app)
    await harness.restart()  # a restart right after: nothing is sent again
    await deliver_due(harness.app)
    [question] = await _checkins(harness, user)
    [free] = await user.tap(question, "None 🎉")
    assert "no cramps on Mon 2 Mar" in free.plain
    assert await diary_store.free_days(harness.store, user.user_id, MONDAY, MONDAY) == {MONDAY}
    [again] = await user.tap_data(free, "d:cn:20260302")
    assert "Already noted" in again.plain
    [overview] = await user.send("/diary")
    assert "🎉 no cramps" in overview.plain
    due = await schedule.get_due(harness.store, user.user_id, diary.CHECKIN_KIND)
    assert due is not None and due.due_at == datetime(2026, 3, 3, 20, 0, tzinfo=UTC)


async def test_log_one_from_the_checkin_and_none_after_a_logged_cramp(harness: Harness) -> None:
    user = harness.user()
    await _turn_on(harness, user)
    harness.clock.set(datetime(2026, 3, 2, 20, 1, tzinfo=UTC))
    await deliver_due(harness.app)
    [question] = await _checkins(harness, user)
    [logged] = await user.tap(question, "📝 Log one")
    assert "Logged: a cramp" in logged.plain
    entries, _ = await diary_store.recent(harness.store, user.user_id, 5)
    assert [e.source for e in entries] == ["checkin"]
    [kept] = await user.tap_data(logged, "d:cn:20260302")
    assert "already logged 1 cramp(s)" in kept.plain
    assert await diary_store.free_days(harness.store, user.user_id, MONDAY, MONDAY) == set()


async def test_pause_stop_and_block_share_the_delivery_rules(harness: Harness) -> None:
    user = harness.user()
    await _turn_on(harness, user)
    harness.clock.set(datetime(2026, 3, 2, 20, 1, tzinfo=UTC))
    await deliver_due(harness.app)
    [question] = await _checkins(harness, user)
    [paused] = await user.tap(question, "⏸ Pause check-ins")
    assert "off" in paused.plain and await schedule.get_due(harness.store, user.user_id, diary.CHECKIN_KIND) is None
    harness.clock.set(datetime(2026, 3, 3, 20, 1, tzinfo=UTC))
    await deliver_due(harness.app)
    assert len(await _checkins(harness, user)) == 1
    await _turn_on(harness, user)
    [stopped] = await user.send("/stop")
    assert "diary check-ins" in stopped.plain
    assert await schedule.get_due(harness.store, user.user_id, diary.CHECKIN_KIND) is None
    await _turn_on(harness, user)
    await users.block(harness.store, user.user_id, harness.clock.now())
    harness.clock.set(datetime(2026, 3, 4, 20, 1, tzinfo=UTC))
    await deliver_due(harness.app)
    assert len(await _checkins(harness, user)) == 1


async def test_a_long_outage_asks_about_today_only(harness: Harness) -> None:
    user = harness.user()
    await _turn_on(harness, user)
    harness.clock.set(datetime(2026, 3, 6, 20, 30, tzinfo=UTC))  # four days down, back 30 min late
    await deliver_due(harness.app)
    [question] = await _checkins(harness, user)
    assert question.button("None 🎉").data == "d:cn:20260306"


async def test_typed_time_and_old_checkin_buttons(harness: Harness) -> None:
    user = harness.user()
    [diary_screen] = await user.send("/diary")
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    [home] = await user.tap(diary_screen, "🔔 Evening check-in")
    await user.tap(home, "🔔 Turn on")
    [bad] = await user.send("half past nine")
    assert "couldn't read" in bad.plain
    [on] = await user.send("21:30")
    assert "21:30" in on.plain
    [stale] = await user.tap_data(on, "d:cn:20260220")  # more than a week ago
    assert "expired" in stale.plain
    harness.clock.advance(timedelta(days=1))
    assert await diary_store.first_day(harness.store, 1001) is None
