"""Hydration nudges end to end: the real Application, the fake Bot API, SQLite and a fake clock.

Nudges go out the way the running bot sends them: the clock is moved, then ``deliver_due(app)``
runs the same pass the 30-second job runs.
"""

from __future__ import annotations

import io
import itertools
import json
import struct
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spasmbot.delivery import schedule
from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.water import store as water_store
from spasmbot.storage import users
from tests.helpers import Harness

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
DRANK = "Drank a glass"


def at(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def local_hm(msg: FakeMessage, zone: ZoneInfo) -> str:
    return datetime.fromtimestamp(msg.date, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


async def opted_in(h: Harness, start: datetime, zone: str = "Europe/Berlin", user_id: int = 1001) -> ChatClient:
    """A user who opened /water, has a time zone and tapped "Turn nudges on" at ``start``."""
    h.clock.set(start)
    user = h.user(user_id)
    await user.send("/water")
    await users.set_timezone(h.store, user_id, zone)
    await user.tap(user.last_message(), "Turn nudges on")
    assert "Nudges are on" in user.last_message().text
    return user


async def due_at(h: Harness, user_id: int = 1001) -> datetime | None:
    due = await schedule.get_due(h.store, user_id, "water")
    return None if due is None or due.paused else due.due_at


async def type_setting(user: ChatClient, button: str, text: str) -> FakeMessage:
    """Open /water, then the setting's screen, tap "Type my own" and type ``text``."""
    await user.send("/water")
    await user.tap(user.last_message(), button)
    await user.tap(user.last_message(), "Type my own")
    await user.send(text)
    return user.last_message()


class Job:
    """The delivery job as the running bot fires it; remembers which messages it sent.

    Nudges are told apart by when they were sent, not by their text, which the buttons edit.
    """

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.sent: list[FakeMessage] = []

    async def tick(self) -> None:
        before = len(self.h.api.sent())
        await deliver_due(self.h.app)
        self.sent += self.h.api.sent()[before:]

    async def run_until(self, end: datetime, step: timedelta = timedelta(minutes=10)) -> None:
        """Let the bot run until ``end``, its delivery job firing every ``step``."""
        while self.h.clock.now() < end:
            self.h.clock.advance(step)
            await self.tick()

    def nudges(self, user: ChatClient) -> list[FakeMessage]:
        return [m for m in self.sent if m.chat_id == user.chat_id]


@pytest.fixture
def job(harness: Harness) -> Job:
    return Job(harness)


def in_hours(hm: str, start: str, end: str) -> bool:
    clock = hm[-5:]
    return start <= clock < end if start < end else clock >= start or clock < end


# --- /water and /drank ------------------------------------------------------------------------


async def test_water_shows_progress_pace_history_and_settings(harness: Harness) -> None:
    user = harness.user()
    harness.clock.set(at(BERLIN, 2026, 3, 2, 9, 0))
    await user.send("/water")
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    await user.send("/drank")
    assert "1 of 8" in user.last_message().text
    harness.clock.set(at(BERLIN, 2026, 3, 2, 14, 30))  # 6.5 of 13 active hours: pace 4
    await user.send("/water")
    screen = user.last_message()
    assert "1 of 8" in screen.plain
    assert "By now you would be at 4 glasses: 3 more to catch up" in screen.plain
    assert "Nudges: off" in screen.plain
    assert "08:00–21:00" in screen.plain
    assert "Europe/Berlin" in screen.plain
    assert screen.plain.count("▱") >= 7 * 7  # seven history lines of bars
    assert "Mon 02" in screen.plain and "Tue 24" in screen.plain
    for label in (
        "Drank a glass",
        "Turn nudges on",
        "Interval",
        "Active hours",
        "Goal",
        "Chart: 7 days",
        "Chart: 30 days",
        "Menu",
    ):
        screen.button(label)


async def test_main_menu_button_opens_water(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    await user.tap(user.last_message(), "Hydration reminders")
    assert "Water" in user.last_message().text
    assert "0 of 8" in user.last_message().plain


async def test_hydration_card_button_opens_water(harness: Harness) -> None:
    card_id = next(c.id for c in harness.content.cards.values() if "water" in c.actions)
    user = harness.user()
    await user.send("/menu")
    await user.tap_data(user.last_message(), f"b:c:{card_id}:0")
    await user.tap(user.last_message(), "Hydration reminders")
    assert "Today: 0 of 8 glasses" in user.last_message().plain


async def test_drank_button_on_water_logs_and_streak_counts_days_at_goal(harness: Harness) -> None:
    user = harness.user()
    harness.clock.set(at(BERLIN, 2026, 3, 2, 10))
    await user.send("/water")
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    msg = await type_setting(user, "Goal", "2")
    assert "Goal: 2 glasses" in msg.plain
    for day in (2, 3, 4):
        harness.clock.set(at(BERLIN, 2026, 3, day, 10))
        await user.send("/water")
        await user.tap(user.last_message(), "Drank a glass")
        await user.tap(user.last_message(), "Drank a glass")
    screen = user.last_message()
    assert "2 of 2" in screen.plain
    assert "goal reached" in screen.plain.lower()
    assert "Streak: 3 days" in screen.plain
    assert screen.plain.count("✅") >= 3
    harness.clock.set(at(BERLIN, 2026, 3, 5, 10))  # today under way: the streak still stands
    await user.send("/water")
    assert "Streak: 3 days" in user.last_message().plain
    harness.clock.set(at(BERLIN, 2026, 3, 6, 10))  # a day missed: gone
    await user.send("/water")
    assert "Streak" not in user.last_message().plain


# --- nudges inside the active hours -----------------------------------------------------------


async def test_nudges_only_inside_active_hours_over_two_days(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    msg = await type_setting(user, "Interval", "2h")
    assert "every 2 h" in msg.plain
    await job.run_until(at(BERLIN, 2026, 3, 4, 0, 0))
    times = [local_hm(m, BERLIN) for m in job.nudges(user)]
    assert times == [
        "2026-03-02 12:00", "2026-03-02 14:00", "2026-03-02 16:00", "2026-03-02 18:00",
        "2026-03-02 20:00",
        "2026-03-03 08:00", "2026-03-03 10:00", "2026-03-03 12:00", "2026-03-03 14:00",
        "2026-03-03 16:00", "2026-03-03 18:00", "2026-03-03 20:00",
    ]  # fmt: skip
    assert all(m.button(DRANK) for m in job.nudges(user))


async def test_night_shift_hours_across_midnight(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 12, 0))
    msg = await type_setting(user, "Active hours", "22:00-06:00")
    assert "Active hours: 22:00–06:00" in msg.plain
    await type_setting(user, "Interval", "3h")
    await job.run_until(at(BERLIN, 2026, 3, 4, 12, 0))
    times = [local_hm(m, BERLIN) for m in job.nudges(user)]
    assert times == [
        "2026-03-02 22:00", "2026-03-03 01:00", "2026-03-03 04:00",
        "2026-03-03 22:00", "2026-03-04 01:00", "2026-03-04 04:00",
    ]  # fmt: skip


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
async def test_daylight_saving_days_keep_nudges_inside_hours(harness: Harness, job: Job, day: date) -> None:
    """Berlin skips 02:00-03:00 in March and repeats it in October; the window spans it."""
    start = at(BERLIN, day.year, day.month, day.day - 1, 12, 0)
    user = await opted_in(harness, start)
    await type_setting(user, "Active hours", "1-5")
    await type_setting(user, "Interval", "45m")
    await job.run_until(start + timedelta(days=2), step=timedelta(minutes=5))
    times = [local_hm(m, BERLIN) for m in job.nudges(user)]
    assert times
    assert all(in_hours(t, "01:00", "05:00") for t in times), times
    on_day = [t for t in times if t.startswith(day.isoformat())]
    sent = [datetime.fromtimestamp(m.date, UTC) for m in job.nudges(user)]
    assert all(b - a >= timedelta(minutes=45) for a, b in itertools.pairwise(sent))
    # March: 01:00-05:00 local is 3 real hours (4 nudges); October: 5 real hours (7).
    assert len(on_day) == (4 if day.month == 3 else 7), on_day


# --- smart timing -----------------------------------------------------------------------------


async def test_logged_drink_moves_the_next_nudge_one_interval_later(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))  # every 1 h 30 min
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 11, 30)
    harness.clock.set(at(BERLIN, 2026, 3, 2, 11, 0))
    await user.send("/drank")
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 12, 30)
    await job.run_until(at(BERLIN, 2026, 3, 2, 12, 20), step=timedelta(minutes=5))
    assert job.nudges(user) == []
    await job.run_until(at(BERLIN, 2026, 3, 2, 12, 30), step=timedelta(minutes=5))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-02 12:30"]


async def test_drank_on_a_nudge_logs_once_and_shows_progress(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))
    nudge = job.nudges(user)[-1]
    assert nudge.button_texts() == [
        "Drank a glass",
        "Snooze 30 min",
        "Skip",
        "Pause for today",
        "Stop nudges",
        "ℹ️ Disclaimer",
    ]
    harness.clock.set(at(BERLIN, 2026, 3, 2, 11, 40))
    data = nudge.button(DRANK).data or ""
    await user.tap(nudge, DRANK)
    assert "1 of 8 today" in nudge.plain
    await user.tap_data(nudge, data)  # a second tap that raced the edit
    assert "already logged" in user.alerts[-1]
    assert "1 of 8 today" in nudge.plain
    # the drink moved the next nudge: 11:40 + 1 h 30
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 13, 10)


async def test_tap_on_yesterdays_nudge_logs_the_drink_today(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 19, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 20, 30))
    old = job.nudges(user)[-1]
    harness.clock.set(at(BERLIN, 2026, 3, 3, 7, 0))
    await user.tap(old, DRANK)
    assert "1 of 8 today" in harness.api.message(user.chat_id, old.message_id).plain
    drinks = await water_store.drinks_since(harness.store, 1001, at(BERLIN, 2026, 3, 1, 0))
    assert [d.at for d in drinks] == [at(BERLIN, 2026, 3, 3, 7, 0)]


async def test_snooze_skip_and_pause(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))
    await user.tap(job.nudges(user)[-1], "Snooze 30 min")
    assert "Snoozed. Next nudge: 12:00" in user.last_message().plain
    await job.run_until(at(BERLIN, 2026, 3, 2, 12, 0))
    assert local_hm(job.nudges(user)[-1], BERLIN) == "2026-03-02 12:00"

    await user.tap(job.nudges(user)[-1], "Skip")
    assert "Skipped. Next nudge: 13:30" in user.last_message().plain
    await job.run_until(at(BERLIN, 2026, 3, 2, 13, 30))
    assert local_hm(job.nudges(user)[-1], BERLIN) == "2026-03-02 13:30"

    await user.tap(job.nudges(user)[-1], "Pause for today")
    assert "Paused for today. Next nudge: tomorrow at 08:00" in user.last_message().plain
    harness.clock.set(at(BERLIN, 2026, 3, 2, 15, 0))
    await user.send("/drank")  # a drink on a paused day does not bring nudges back today
    await job.run_until(at(BERLIN, 2026, 3, 3, 8, 0))
    times = [local_hm(m, BERLIN) for m in job.nudges(user)]
    assert times[-2:] == ["2026-03-02 13:30", "2026-03-03 08:00"]


async def test_stop_button_on_a_nudge_turns_nudges_off(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))
    await user.tap(job.nudges(user)[-1], "Stop nudges")
    assert "Nudges are off" in user.last_message().plain
    await job.run_until(at(BERLIN, 2026, 3, 3, 12, 0), step=timedelta(minutes=30))
    assert len(job.nudges(user)) == 1
    await user.send("/water")
    assert "Nudges: off" in user.last_message().plain
    user.last_message().button("Turn nudges on")


async def test_goal_reached_stops_nudges_for_the_day(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await type_setting(user, "Goal", "2")
    await user.send("/drank")
    harness.clock.set(at(BERLIN, 2026, 3, 2, 10, 30))
    await user.send("/drank")
    assert "goal for today" in user.last_message().plain
    assert await due_at(harness) == at(BERLIN, 2026, 3, 3, 8, 0)
    await user.send("/water")
    assert "No more nudges today: goal reached" in user.last_message().plain
    await job.run_until(at(BERLIN, 2026, 3, 3, 8, 0), step=timedelta(minutes=30))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-03 08:00"]
    assert "0 of 2" in job.nudges(user)[-1].plain


async def test_goal_reached_keeps_nudging_when_the_user_wants(harness: Harness) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await type_setting(user, "Goal", "1")
    await user.send("/water")
    await user.tap(user.last_message(), "Stop when reached: on")
    assert "Nudges continue after the goal" in user.last_message().plain
    await user.send("/drank")
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 11, 30)


async def test_day_rolls_over_at_local_midnight(harness: Harness) -> None:
    user = harness.user()
    harness.clock.set(at(NEW_YORK, 2026, 3, 2, 23, 30))  # already March 3rd in UTC
    await user.send("/water")
    await users.set_timezone(harness.store, 1001, "America/New_York")
    await user.send("/drank")
    harness.clock.set(at(NEW_YORK, 2026, 3, 2, 23, 59))
    await user.send("/water")
    assert "1 of 8" in user.last_message().plain
    harness.clock.set(at(NEW_YORK, 2026, 3, 3, 0, 1))
    await user.send("/water")
    screen = user.last_message().plain
    assert "0 of 8" in screen
    assert "Mon 02" in screen  # yesterday's line holds the drink


# --- restart, failures ------------------------------------------------------------------------


async def test_restart_mid_day_neither_loses_nor_repeats_a_nudge(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 40))
    assert len(job.nudges(user)) == 1
    await harness.restart()
    await job.tick()
    assert len(job.nudges(user)) == 1  # no repeat of 11:30
    await job.run_until(at(BERLIN, 2026, 3, 2, 13, 0))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == [
        "2026-03-02 11:30",
        "2026-03-02 13:00",
    ]
    # the buttons of the nudge sent before the restart still work
    await user.tap(job.nudges(user)[0], DRANK)
    assert "1 of 8 today" in harness.api.message(user.chat_id, job.nudges(user)[0].message_id).plain


async def test_downtime_makes_up_one_missed_nudge_not_a_flood(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await harness.stop()
    harness.clock.set(at(BERLIN, 2026, 3, 2, 16, 0))  # 11:30, 13:00, 14:30 and 16:00 missed
    await harness.start()
    await job.run_until(at(BERLIN, 2026, 3, 2, 16, 10), step=timedelta(minutes=1))
    # found late at 16:01, made up once at the next allowed moment
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-02 16:02"]
    await job.run_until(at(BERLIN, 2026, 3, 2, 17, 40))
    assert len(job.nudges(user)) == 2


async def test_downtime_overnight_waits_for_the_active_hours(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 19, 0))  # due 20:30
    await harness.stop()
    harness.clock.set(at(BERLIN, 2026, 3, 2, 23, 0))
    await harness.start()
    await job.run_until(at(BERLIN, 2026, 3, 3, 8, 20))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-03 08:00"]


async def test_a_user_who_blocked_the_bot_gets_nothing_more(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    harness.api.block(user.chat_id)
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))
    record = await users.get_user(harness.store, 1001)
    assert record is not None and record.blocked
    calls = harness.api.count("sendMessage")
    await job.run_until(at(BERLIN, 2026, 3, 3, 12, 0), step=timedelta(minutes=30))
    assert harness.api.count("sendMessage") == calls
    harness.api.unblock(user.chat_id)
    await user.send("/water")
    assert "Nudges: off" in user.last_message().plain  # paused while blocked: shown as off
    await user.tap(user.last_message(), "Turn nudges on")
    await job.run_until(at(BERLIN, 2026, 3, 3, 13, 30))
    assert len(job.nudges(user)) == 1


async def test_flood_control_and_network_errors_neither_lose_nor_repeat_a_nudge(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    harness.api.fail_next("sendMessage", "retry_after", chat_id=user.chat_id)
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))  # refused with 429: handed back
    assert job.nudges(user) == []
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 40))
    harness.api.fail_next("sendMessage", "network", chat_id=user.chat_id)
    await job.run_until(at(BERLIN, 2026, 3, 2, 13, 10))  # may or may not have arrived: not resent
    await job.run_until(at(BERLIN, 2026, 3, 2, 14, 40))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-02 11:40", "2026-03-02 14:40"]


async def test_back_after_blocking_resume_brings_nudges_back_once(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    harness.api.block(user.chat_id)
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))  # 403: blocked, nudges paused
    harness.api.unblock(user.chat_id)
    await job.run_until(at(BERLIN, 2026, 3, 2, 15, 0), step=timedelta(minutes=30))
    assert job.nudges(user) == []
    await user.send("/start")
    await user.tap(user.last_message(), "Resume reminders")
    await job.run_until(at(BERLIN, 2026, 3, 2, 15, 10), step=timedelta(minutes=1))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-02 15:02"]  # made up once
    await user.send("/water")
    assert "Nudges: on" in user.last_message().plain


async def test_stop_command_turns_nudges_off_consistently(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await user.send("/stop")
    await job.run_until(at(BERLIN, 2026, 3, 2, 20, 0), step=timedelta(minutes=30))
    assert job.nudges(user) == []
    await user.send("/water")
    assert "Nudges: off" in user.last_message().plain
    await user.tap(user.last_message(), "Turn nudges on")  # at 20:00: 21:30 is too late
    assert await due_at(harness) == at(BERLIN, 2026, 3, 3, 8, 0)


async def test_stale_and_forged_buttons_get_a_friendly_reply(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await job.run_until(at(BERLIN, 2026, 3, 2, 13, 0))
    first, latest = job.nudges(user)[0], job.nudges(user)[-1]
    assert first is not latest
    forged = [
        "w:iv:7",  # an interval no button offers
        "w:hr:0:1",
        "w:goal:glass:999",
        "w:glass:12",
        "w:chart:365",
        "w:nonsense",
        "w:n:s:99999999999",  # a nudge that never was
        "w:n:z:1",
    ]
    for data in forged:
        await user.tap_data(latest, data)
        assert "expired" in user.last_message().plain, data
        assert "Water" in user.last_message().plain
    old_snooze = first.button("Snooze 30 min").data or ""
    await user.tap_data(first, old_snooze)  # snoozing a nudge that a newer one replaced
    assert "expired" in user.last_message().plain
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 14, 30)  # untouched
    assert harness.api.unanswered_queries == []


async def test_bad_typed_input_explains_and_waits_for_another_try(harness: Harness) -> None:
    user = harness.user()
    await user.send("/water")
    msg = await type_setting(user, "Interval", "soon")
    assert "could not read that as an interval" in msg.plain
    await user.send("5m")
    assert "between 15 min and 8 h" in user.last_message().plain
    await user.send("1h30")
    assert "every 1 h 30 min" in user.last_message().plain.lower()

    msg = await type_setting(user, "Active hours", "25-6")
    assert "could not read that" in msg.plain
    await user.send("8:00-8:30")
    assert "too short" in user.last_message().plain
    await user.send("7am to 10pm")
    assert "Active hours: 07:00–22:00" in user.last_message().plain

    msg = await type_setting(user, "Goal", "lots")
    assert "could not read that goal" in msg.plain
    await user.send("2 l")
    assert "Goal: 2000 ml" in user.last_message().plain
    await user.send("/drank")
    assert "250 ml" in user.last_message().plain and "250 of 2,000 ml" in user.last_message().plain

    await user.send("45m")  # nothing is awaited any more: the generic reply, settings unchanged
    assert "every 1 h 30 min" not in user.last_message().plain.lower()
    state = await water_store.load(harness.store, 1001)
    assert state.settings.interval == 90


async def test_goal_screen_units_and_glass_size(harness: Harness) -> None:
    user = harness.user()
    await user.send("/water")
    await user.tap(user.last_message(), "Goal")
    await user.tap(user.last_message(), "300 ml")
    await user.tap(user.last_message(), "Millilitres")
    screen = user.last_message()
    assert "Now: 2400 ml" in screen.plain
    await user.tap(screen, "2500 ml")
    assert "Goal: 2500 ml" in user.last_message().plain
    await user.send("/drank")
    assert "300 of 2,500 ml" in user.last_message().plain


async def test_button_presets_for_interval_and_hours(harness: Harness) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await user.send("/water")
    await user.tap(user.last_message(), "Interval")
    await user.tap(user.last_message(), "30 min")
    assert "every 30 min" in user.last_message().plain
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 10, 30)
    await user.tap(user.last_message(), "Active hours")
    await user.tap(user.last_message(), "22:00–06:00")
    assert await due_at(harness) == at(BERLIN, 2026, 3, 2, 22, 0)


# --- chart ------------------------------------------------------------------------------------


def png_facts(data: bytes) -> tuple[int, int, dict[str, str]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])  # IHDR comes first
    texts: dict[str, str] = {}
    pos = 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        if data[pos + 4 : pos + 8] == b"tEXt":
            key, _, value = data[pos + 8 : pos + 8 + length].partition(b"\0")
            texts[key.decode()] = value.decode()
        pos += 12 + length
    return width, height, texts


@pytest.mark.parametrize("days", [7, 30])
async def test_chart_is_a_png_photo_of_the_right_days(harness: Harness, days: int) -> None:
    user = harness.user()
    for day in (1, 2, 3):
        harness.clock.set(at(BERLIN, 2026, 3, day, 12))
        await user.send("/drank")
    await users.set_timezone(harness.store, 1001, "Europe/Berlin")
    await user.send("/water")
    await user.tap(user.last_message(), f"Chart: {days} days")
    photo = user.last_message()
    assert photo.photo is not None
    width, height, texts = png_facts(photo.photo)
    assert 600 <= width <= 1600 and 300 <= height <= 1000
    assert texts["Days"] == str(days)
    assert texts["Goal"] == "8"
    assert f"Last {days} days" in (photo.caption or "")
    import matplotlib.image

    assert matplotlib.image.imread(io.BytesIO(photo.photo), format="png").shape[:2] == (height, width)
    assert harness.api.count("sendPhoto") == 1


# --- privacy ----------------------------------------------------------------------------------


async def test_mydata_exports_and_forget_deletes_water_rows(harness: Harness) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 10, 0))
    await user.send("/drank")
    exported = await users.export_user(harness.store, 1001)
    assert len(exported["water_drinks"]) == 1
    assert exported["water_settings"][0]["interval_min"] == 90
    await users.forget_user(harness.store, 1001)
    again = await users.export_user(harness.store, 1001)
    assert not again.get("water_drinks") and not again.get("water_settings")
    assert json.dumps(exported, default=str)


async def test_a_due_nudge_is_judged_again_in_the_users_current_zone(harness: Harness, job: Job) -> None:
    """The zone changed without the row being moved: the nudge waits for the new local hours."""
    tokyo = ZoneInfo("Asia/Tokyo")
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 19, 0))  # due 20:30 Berlin, 04:30 Tokyo
    await users.set_timezone(harness.store, 1001, "Asia/Tokyo")
    await job.run_until(at(tokyo, 2026, 3, 3, 9, 0))
    assert [local_hm(m, tokyo) for m in job.nudges(user)] == ["2026-03-03 08:00"]


def button_with_data(msg: FakeMessage, prefix: str) -> str:
    [data] = [b.data for b in msg.all_buttons() if b.data and b.data.startswith(prefix)]
    return data


async def test_turning_on_without_a_zone_asks_for_it_then_comes_back(harness: Harness, job: Job) -> None:
    user = harness.user()
    harness.clock.set(at(BERLIN, 2026, 3, 2, 10, 0))
    await user.send("/water")
    assert "not set yet" in user.last_message().plain
    await user.tap(user.last_message(), "Turn nudges on")
    picker = user.last_message()
    assert "local time" in picker.plain.lower()
    assert await due_at(harness) is None
    await user.tap_data(picker, button_with_data(picker, "z:o:60:"))  # Berlin is UTC+1 in March
    regions = user.last_message()
    await user.tap_data(regions, button_with_data(regions, "z:s:Europe/Berlin:"))
    screen = user.last_message()
    assert "Nudges are on. First one: 11:30" in screen.plain
    assert "Time zone: Europe/Berlin" in screen.plain
    await job.run_until(at(BERLIN, 2026, 3, 2, 11, 30))
    assert [local_hm(m, BERLIN) for m in job.nudges(user)] == ["2026-03-02 11:30"]


async def test_changing_zone_moves_the_pending_nudge_into_the_new_hours(harness: Harness, job: Job) -> None:
    user = await opted_in(harness, at(BERLIN, 2026, 3, 2, 19, 0))  # due 20:30 Berlin
    await user.send("/water")
    await user.tap(user.last_message(), "Time zone")
    picker = user.last_message()
    await user.tap_data(picker, button_with_data(picker, "z:o:540:"))  # Tokyo: 03:00 there now
    regions = user.last_message()
    await user.tap_data(regions, button_with_data(regions, "z:s:Asia/Tokyo:"))
    tokyo = ZoneInfo("Asia/Tokyo")
    assert await due_at(harness) == at(tokyo, 2026, 3, 3, 8, 0)
    assert "Next nudge: 08:00" in user.last_message().plain
