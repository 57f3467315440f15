"""The one due-delivery mechanism, end to end: the real Application, the fake Bot API, the job's
own entry point (``deliver_due``) run with the fake clock set, and restarts on the same file."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from spasmbot.clock import FakeClock
from spasmbot.delivery import localtime, schedule
from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.timezone import rules as timezones
from spasmbot.storage import users
from tests.helpers import Harness, shipped_content

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


# --- local-time maths ------------------------------------------------------------------------


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "at", "after", "expected"),
    [
        # Berlin spring forward (02:00 -> 03:00 on 29 Mar 2026): 02:30 does not exist -> 03:30 CEST
        ("Europe/Berlin", time(2, 30), _utc(2026, 3, 28, 12), _utc(2026, 3, 29, 1, 30)),
        ("Europe/Berlin", time(2, 30), _utc(2026, 3, 29, 1, 30), _utc(2026, 3, 30, 0, 30)),
        # Berlin fall back (03:00 -> 02:00 on 25 Oct 2026): 02:30 twice -> only the first
        ("Europe/Berlin", time(2, 30), _utc(2026, 10, 24, 12), _utc(2026, 10, 25, 0, 30)),
        ("Europe/Berlin", time(2, 30), _utc(2026, 10, 25, 0, 30), _utc(2026, 10, 26, 1, 30)),
        # New York: 02:30 missing on 8 Mar; 01:30 repeated on 1 Nov
        ("America/New_York", time(2, 30), _utc(2026, 3, 7, 12), _utc(2026, 3, 8, 7, 30)),
        ("America/New_York", time(1, 30), _utc(2026, 10, 31, 12), _utc(2026, 11, 1, 5, 30)),
        ("America/New_York", time(1, 30), _utc(2026, 11, 1, 5, 30), _utc(2026, 11, 2, 6, 30)),
        # Kolkata +05:30 all year
        ("Asia/Kolkata", time(7, 30), _utc(2026, 3, 2, 9), _utc(2026, 3, 3, 2, 0)),
        # Chatham +12:45/+13:45; clocks 02:45 -> 03:45 on 27 Sep, 03:45 -> 02:45 on 5 Apr
        ("Pacific/Chatham", time(3, 0), _utc(2026, 9, 26, 0), _utc(2026, 9, 26, 14, 15)),
        ("Pacific/Chatham", time(3, 0), _utc(2026, 4, 4, 0), _utc(2026, 4, 4, 13, 15)),
        ("Pacific/Chatham", time(3, 0), _utc(2026, 4, 4, 13, 15), _utc(2026, 4, 5, 14, 15)),
    ],
)
def test_next_daily_handles_gaps_and_repeats(zone: str, at: time, after: datetime, expected: datetime) -> None:
    assert localtime.next_daily(at, ZoneInfo(zone), after) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7:30", time(7, 30)),
        ("07:30", time(7, 30)),
        ("19:45", time(19, 45)),
        (" 7.05 ", time(7, 5)),
        ("7", time(7, 0)),
        ("0:00", time(0, 0)),
        ("23:59", time(23, 59)),
        ("25:00", None),
        ("7:60", None),
        ("7.30pm", time(19, 30)),
        ("9pm", time(21, 0)),
        ("7 am", time(7, 0)),
        ("9:30 p.m.", time(21, 30)),
        ("12am", time(0, 0)),
        ("12 PM", time(12, 0)),
        ("13pm", None),
        ("0am", None),
        ("²", None),
        ("٧:٣٠", None),
        ("1" * 400, None),
        ("7:3", None),
        ("🕖", None),
        ("", None),
        ("   ", None),
        ("seven", None),
        ("12:00:00", None),
    ],
)
def test_parse_hhmm(text: str, expected: time | None) -> None:
    assert localtime.parse_hhmm(text) == expected


# --- helpers ---------------------------------------------------------------------------------


async def pick_zone(harness: Harness, user: ChatClient, screen: FakeMessage, zone: str) -> FakeMessage:
    """Drive the picker on ``screen``: tap the local time of ``zone`` now, then its region."""
    now = harness.clock.now()
    offset = timezones.offset_minutes(zone, now)
    label = dict(timezones.local_time_labels(now, WEEKDAYS))[offset]
    [regions] = await user.tap(screen, label)
    [after] = await user.tap(regions, timezones.BY_NAME[zone].label)
    return after


async def subscribe(harness: Harness, user: ChatClient, zone: str, hhmm: str) -> FakeMessage:
    """/tips -> Start -> (zone) -> type the time; returns the confirmation screen."""
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    if "What time is it for you" in picker.plain:
        picker = await pick_zone(harness, user, picker, zone)
    assert "When would you like" in picker.plain
    [done] = await user.send(hhmm)
    assert "Daily tips at" in done.plain, done.plain
    return done


def tips_sent(harness: Harness, chat_id: int) -> list[FakeMessage]:
    return [m for m in harness.api.sent(chat_id) if "Today's tip" in m.plain]


async def expect_sent_at(harness: Harness, when: datetime, chats: list[int]) -> None:
    """Nothing a minute before ``when``; exactly one tip per chat at ``when``; nothing after."""
    before = {chat: len(tips_sent(harness, chat)) for chat in chats}
    harness.clock.set(when - timedelta(minutes=1))
    stats = await deliver_due(harness.app)
    assert stats.sent == 0, f"sent early, before {when}"
    harness.clock.set(when)
    stats = await deliver_due(harness.app)
    assert stats.sent == len(chats)
    assert await deliver_due(harness.app) == type(stats)()
    for chat in chats:
        assert len(tips_sent(harness, chat)) == before[chat] + 1


# --- end to end ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "hhmm", "start", "expected"),
    [
        (
            "Europe/Berlin",
            "2:30",
            _utc(2026, 3, 27, 12),
            [_utc(2026, 3, 28, 1, 30), _utc(2026, 3, 29, 1, 30), _utc(2026, 3, 30, 0, 30)],
        ),
        (
            "Europe/Berlin",
            "2:30",
            _utc(2026, 10, 23, 12),
            [_utc(2026, 10, 24, 0, 30), _utc(2026, 10, 25, 0, 30), _utc(2026, 10, 26, 1, 30)],
        ),
        (
            "America/New_York",
            "2:30",
            _utc(2026, 3, 6, 12),
            [_utc(2026, 3, 7, 7, 30), _utc(2026, 3, 8, 7, 30), _utc(2026, 3, 9, 6, 30)],
        ),
        (
            "America/New_York",
            "1:30",
            _utc(2026, 10, 30, 12),
            [_utc(2026, 10, 31, 5, 30), _utc(2026, 11, 1, 5, 30), _utc(2026, 11, 2, 6, 30)],
        ),
        (
            "Asia/Kolkata",
            "7:30",
            _utc(2026, 3, 27, 12),
            [_utc(2026, 3, 28, 2), _utc(2026, 3, 29, 2), _utc(2026, 3, 30, 2)],
        ),
        (
            "Pacific/Chatham",
            "3:00",
            _utc(2026, 9, 25, 0),
            [_utc(2026, 9, 25, 14, 15), _utc(2026, 9, 26, 14, 15), _utc(2026, 9, 27, 13, 15)],
        ),
        (
            "Pacific/Chatham",
            "3:00",
            _utc(2026, 4, 3, 0),
            [_utc(2026, 4, 3, 13, 15), _utc(2026, 4, 4, 13, 15), _utc(2026, 4, 5, 14, 15)],
        ),
    ],
)
async def test_one_tip_a_day_at_the_right_instant_across_daylight_saving(
    harness: Harness, zone: str, hhmm: str, start: datetime, expected: list[datetime]
) -> None:
    harness.clock.set(start)
    user = harness.user()
    await subscribe(harness, user, zone, hhmm)
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == expected[0] and due.timezone == zone
    for when in expected:
        await expect_sent_at(harness, when, [user.chat_id])
    outcomes = await schedule.deliveries(harness.store, user.user_id, "tips")
    assert [(d["slot_at"], d["outcome"]) for d in outcomes] == [(w, "sent") for w in expected]


async def test_confirmation_names_the_next_tip_in_local_time(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 11, 25, 20, 0))  # Wed 21:00 in Berlin
    done = await subscribe(harness, harness.user(), "Europe/Berlin", "7:30")
    assert "Next tip: tomorrow, Thu 26 Nov at 07:30 (Europe/Berlin)" in done.plain


@pytest.mark.parametrize(
    ("down_for", "sent"), [(timedelta(hours=2, minutes=59), 1), (timedelta(hours=3, minutes=1), 0)]
)
async def test_restart_after_the_due_time_sends_once_within_three_hours_else_waits(
    harness: Harness, down_for: timedelta, sent: int
) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    due_at = _utc(2026, 3, 3, 6, 30)
    harness.clock.set(due_at - timedelta(minutes=5))
    assert (await deliver_due(harness.app)).sent == 0
    await harness.restart()  # the bot is down from here ...
    harness.clock.set(due_at + down_for)  # ... until now
    stats = await deliver_due(harness.app)
    assert (stats.sent, stats.late) == (sent, 1 - sent)
    assert len(tips_sent(harness, user.chat_id)) == sent
    assert (await deliver_due(harness.app)).claimed == 0  # no backlog, no second try
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == _utc(2026, 3, 4, 6, 30)
    await expect_sent_at(harness, due.due_at, [user.chat_id])
    assert len(tips_sent(harness, user.chat_id)) == sent + 1


async def test_long_downtime_sends_nothing_old_and_resumes_next_day(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    user = harness.user()
    await subscribe(harness, user, "Asia/Kolkata", "7:30")
    await harness.restart()
    harness.clock.set(_utc(2026, 3, 12, 5, 1))  # ten days later, over 3 h after today's 02:00 UTC slot
    stats = await deliver_due(harness.app)
    assert (stats.sent, stats.late) == (0, 1)  # the stored slot (3 Mar) is days old: skipped
    assert tips_sent(harness, user.chat_id) == []
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == _utc(2026, 3, 13, 2, 0)
    await expect_sent_at(harness, due.due_at, [user.chat_id])


async def subscribe_many(harness: Harness, count: int, zone: str = "Europe/Berlin") -> list[ChatClient]:
    people = [harness.user(2000 + i) for i in range(count)]
    for person in people:
        await subscribe(harness, person, zone, "8:00")
    return people


async def test_forbidden_mid_batch_blocks_that_user_only_until_they_return(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    people = await subscribe_many(harness, 5)
    blocker = people[2]
    harness.api.block(blocker.chat_id)
    harness.clock.set(_utc(2026, 3, 3, 7))
    stats = await deliver_due(harness.app, batch=2)
    assert (stats.sent, stats.blocked, stats.batches) == (4, 1, 3)
    assert (await users.get_user(harness.store, blocker.user_id)).blocked  # type: ignore[union-attr]
    assert await schedule.has_paused(harness.store, blocker.user_id)
    calls_before = harness.api.count("sendMessage")
    harness.clock.set(_utc(2026, 3, 4, 7))
    assert (await deliver_due(harness.app)).sent == 4
    assert harness.api.count("sendMessage") == calls_before + 4  # nothing tried for the blocker
    # they unblock and press /start: offered to resume, which brings the next day's tip
    harness.api.unblock(blocker.chat_id)
    [welcome] = await blocker.send("/start")
    assert not (await users.get_user(harness.store, blocker.user_id)).blocked  # type: ignore[union-attr]
    await blocker.tap(welcome, "Resume")
    harness.clock.set(_utc(2026, 3, 4, 8))  # today's slot, missed while paused, is 1 h late
    assert (await deliver_due(harness.app)).sent == 1
    assert len(tips_sent(harness, blocker.chat_id)) == 1
    await expect_sent_at(harness, _utc(2026, 3, 5, 7), [p.chat_id for p in people])


async def test_retry_after_without_the_limiter_hands_the_slot_back(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    people = await subscribe_many(harness, 3)
    harness.api.fail_next("sendMessage", "retry_after", chat_id=people[1].chat_id, retry_after=5)
    harness.clock.set(_utc(2026, 3, 3, 7))
    stats = await deliver_due(harness.app)
    assert (stats.sent, stats.released) == (2, 1)
    harness.clock.advance(seconds=30)  # the next tick
    assert (await deliver_due(harness.app)).sent == 1
    assert [len(tips_sent(harness, p.chat_id)) for p in people] == [1, 1, 1]


async def test_retry_after_through_the_rate_limiter_is_waited_out_and_retried(tmp_path: Path, clock: FakeClock) -> None:
    h = Harness(tmp_path / "limited.sqlite3", shipped_content(), clock, rate_limiter=True)
    await h.start()
    try:
        clock.set(_utc(2026, 3, 2, 9))
        people = await subscribe_many(h, 3)
        h.api.fail_next("sendMessage", "retry_after", chat_id=people[0].chat_id, retry_after=1)
        clock.set(_utc(2026, 3, 3, 7))
        stats = await deliver_due(h.app)
        assert (stats.sent, stats.released, stats.failed) == (3, 0, 0)
        assert [len(tips_sent(h, p.chat_id)) for p in people] == [1, 1, 1]
    finally:
        await h.stop()


async def test_network_failure_is_not_retried_and_does_not_stop_the_others(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    people = await subscribe_many(harness, 3)
    harness.api.fail_next("sendMessage", "timeout", chat_id=people[0].chat_id)
    harness.clock.set(_utc(2026, 3, 3, 7))
    stats = await deliver_due(harness.app)
    assert (stats.sent, stats.failed) == (2, 1)
    assert (await deliver_due(harness.app)).claimed == 0  # may have arrived: never sent twice


async def test_crash_mid_batch_sends_nothing_twice_and_the_rest_after_restart(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    people = await subscribe_many(harness, 6)
    harness.clock.set(_utc(2026, 3, 3, 7))
    original = harness.api.do_request
    sends = 0

    async def dying(*args: Any, **kwargs: Any) -> tuple[int, bytes]:
        nonlocal sends
        if str(kwargs.get("url", "")).endswith("/sendMessage"):
            sends += 1
            if sends == 3:  # the first message of the second batch: the process dies
                raise asyncio.CancelledError
        return await original(*args, **kwargs)

    monkeypatch.setattr(harness.api, "do_request", dying)
    with pytest.raises(asyncio.CancelledError):
        await deliver_due(harness.app, batch=2)
    monkeypatch.setattr(harness.api, "do_request", original)
    await harness.restart()
    stats = await deliver_due(harness.app, batch=2)
    counts = [len(tips_sent(harness, p.chat_id)) for p in people]
    assert max(counts) == 1  # nobody twice
    assert counts[:2] == [1, 1] and counts[4:] == [1, 1]  # before the crash, and not yet reached
    assert stats.claimed == 2
    in_flight = [d for p in people[2:4] for d in await schedule.deliveries(harness.store, p.user_id, "tips")]
    assert all(d["outcome"] is None for d in in_flight)  # claimed, unconfirmed: never re-sent
    # every user's next day is intact
    await expect_sent_at(harness, _utc(2026, 3, 4, 7), [p.chat_id for p in people])


async def test_changing_zone_moves_the_next_tip_to_the_new_local_time(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Time zone")
    back = await pick_zone(harness, user, picker, "Asia/Kolkata")
    assert "Every day at <b>07:30</b> (Asia/Kolkata)" in back.text
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == _utc(2026, 3, 3, 2, 0)


async def test_a_stopping_bot_ends_the_pass_between_batches(harness: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    people = await subscribe_many(harness, 5)
    harness.clock.set(_utc(2026, 3, 3, 7))
    await harness.app.start()
    original = harness.api.do_request
    stopping: list[asyncio.Task[None]] = []

    async def stop_on_first_send(*args: Any, **kwargs: Any) -> tuple[int, bytes]:
        if str(kwargs.get("url", "")).endswith("/sendMessage") and not stopping:
            stopping.append(asyncio.create_task(harness.app.stop()))  # SIGTERM arrives
        return await original(*args, **kwargs)

    monkeypatch.setattr(harness.api, "do_request", stop_on_first_send)
    stats = await deliver_due(harness.app, batch=2)
    await stopping[0]
    assert (stats.batches, stats.sent) == (1, 2)  # the batch in hand is finished, then it stops
    monkeypatch.setattr(harness.api, "do_request", original)
    await harness.restart()
    assert (await deliver_due(harness.app, batch=2)).sent == 3
    assert [len(tips_sent(harness, p.chat_id)) for p in people] == [1, 1, 1, 1, 1]


async def test_the_registered_30_second_job_is_what_delivers(harness: Harness) -> None:
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name("deliver_due")
    assert job.trigger.interval == timedelta(seconds=30)  # type: ignore[attr-defined]
    harness.clock.set(_utc(2026, 3, 2, 9))
    user = harness.user()
    await subscribe(harness, user, "Asia/Kolkata", "7:30")
    harness.clock.set(_utc(2026, 3, 3, 2, 0))
    await job.run(harness.app)  # exactly what the JobQueue does every 30 s
    await job.run(harness.app)
    assert len(tips_sent(harness, user.chat_id)) == 1


async def test_blocking_the_bot_pauses_deliveries_before_any_send_fails(harness: Harness) -> None:
    harness.clock.set(_utc(2026, 3, 2, 9))
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    bot = {"id": 123456, "is_bot": True, "first_name": "SpasmBot"}
    await user.process(
        {
            "my_chat_member": {
                "chat": {"id": user.chat_id, "type": "private", "first_name": "Ann"},
                "from": {"id": user.user_id, "is_bot": False, "first_name": "Ann"},
                "date": int(harness.clock.now().timestamp()),
                "old_chat_member": {"user": bot, "status": "member"},
                "new_chat_member": {"user": bot, "status": "kicked", "until_date": 0},
            }
        }
    )
    assert (await users.get_user(harness.store, user.user_id)).blocked  # type: ignore[union-attr]
    calls = harness.api.count("sendMessage")
    harness.clock.set(_utc(2026, 3, 3, 6, 30))
    assert (await deliver_due(harness.app)).claimed == 0
    assert harness.api.count("sendMessage") == calls
