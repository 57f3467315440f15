"""Scheduled sends through Bot API outages, flood control and a revoked token.

The fake Bot API injects the faults (``api.outage``, ``api.revoke_token``, ``fail_next``); the
delivery pass is run the way its 30-second job runs it, with the fake clock moved between ticks.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut

from spasmbot.clock import FakeClock
from spasmbot.config import ServiceSettings
from spasmbot.delivery import schedule
from spasmbot.edge.delivery_job import SendOutcome, classify, deliver_due
from spasmbot.edge.fatal import fatal
from spasmbot.edge.lanes import TwoLaneLimiter, bulk_lane
from spasmbot.edge.runner import Running, serve
from spasmbot.fake_telegram import ChatClient
from tests.helpers import Harness, shipped_content
from tests.test_scheduling import subscribe_many, tips_sent

SUBSCRIBED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 in Berlin, the time subscribe_many picks
TICK = timedelta(seconds=30)


async def _ticks(harness: Harness, until: datetime) -> None:
    """Run the delivery job every 30 s of fake time up to ``until``."""
    while harness.clock.now() < until:
        await deliver_due(harness.app)
        harness.clock.advance(TICK)
    await deliver_due(harness.app)


def _tips(harness: Harness, people: list[ChatClient]) -> list[int]:
    return [len(tips_sent(harness, person.chat_id)) for person in people]


@pytest.mark.parametrize("kind", ["refuse", "502"])
async def test_an_outage_within_the_grace_window_loses_nothing_and_repeats_nothing(harness: Harness, kind: str) -> None:
    harness.clock.set(SUBSCRIBED)
    people = await subscribe_many(harness, 20)
    harness.clock.set(DUE)
    harness.api.outage(kind, seconds=timedelta(hours=2, minutes=45).total_seconds())  # type: ignore[arg-type]

    await _ticks(harness, DUE + timedelta(hours=2, minutes=40))
    assert _tips(harness, people) == [0] * 20  # nothing got through, nothing was given up
    assert [await schedule.deliveries(harness.store, p.user_id) for p in people] == [[]] * 20
    # While every send fails the bot stops claiming: after the first batch of 16 it probes with
    # one message per back-off step (at most 2 minutes apart), instead of trying all of them.
    assert harness.api.outage_calls <= 16 + (160 // 2) + 2

    await _ticks(harness, DUE + timedelta(hours=2, minutes=55))
    assert _tips(harness, people) == [1] * 20  # all of them, once, inside the 3-hour grace
    for person in people:
        [log] = await schedule.deliveries(harness.store, person.user_id)
        assert (log["slot_at"], log["outcome"]) == (DUE, "sent")


async def test_time_outs_during_an_outage_may_have_arrived_so_they_are_never_resent(harness: Harness) -> None:
    harness.clock.set(SUBSCRIBED)
    people = await subscribe_many(harness, 5)
    harness.clock.set(DUE)
    harness.api.outage("timeout", seconds=600)  # Telegram acts on each call; the answers are lost

    await _ticks(harness, DUE + timedelta(hours=1))
    assert _tips(harness, people) == [1] * 5  # arrived once; the bot could not know, did not resend
    for person in people:
        [log] = await schedule.deliveries(harness.store, person.user_id)
        assert log["outcome"] == "unconfirmed"


async def test_a_revoked_token_hands_the_slots_back_and_stops_the_bot(tmp_path: Path, clock: FakeClock) -> None:
    h = Harness(tmp_path / "bot.sqlite3", shipped_content(), clock, rate_limiter=False)
    await h.start()
    clock.set(SUBSCRIBED)
    people = await subscribe_many(h, 3)
    clock.set(DUE)
    h.api.revoke_token()
    stats = await deliver_due(h.app)
    assert (stats.sent, stats.failed, stats.released) == (0, 0, 3)
    stop = fatal(h.app)
    assert stop.event.is_set() and "TELEGRAM_BOT_TOKEN" in stop.message
    assert [await schedule.deliveries(h.store, p.user_id) for p in people] == [[]] * 3  # not "failed"

    # The owner sets a new token and starts the bot again: today's tips still go out, once.
    h.api.restore_token()
    await h.restart()
    clock.advance(minutes=5)
    assert (await deliver_due(h.app)).sent == 3
    assert _tips(h, people) == [1, 1, 1]
    await h.stop()


async def test_a_revoked_token_seen_by_a_reply_stops_the_bot_too(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    harness.api.revoke_token()
    user.raise_errors = False
    await user.send("/help")
    assert fatal(harness.app).event.is_set()


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), SendOutcome.BLOCKED),
        (BadRequest("Bad Request: chat not found"), SendOutcome.BLOCKED),
        (BadRequest("Bad Request: message is too long"), SendOutcome.REFUSED),
        (InvalidToken("Unauthorized"), SendOutcome.BOT_REJECTED),
        (RetryAfter(3), SendOutcome.RATE_LIMITED),
        (NetworkError("Bad Gateway (502)"), SendOutcome.UNREACHABLE),
        (NetworkError("Internal Server Error"), SendOutcome.UNREACHABLE),
        (NetworkError("Gateway Timeout (504)"), SendOutcome.UNCONFIRMED),
        (TimedOut("Pool timeout: All connections in the connection pool are occupied."), SendOutcome.UNREACHABLE),
        (TimedOut(), SendOutcome.UNCONFIRMED),
        (ValueError("a bug"), SendOutcome.REFUSED),
    ],
)
@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
def test_what_each_error_means_for_a_scheduled_message(error: Exception, outcome: SendOutcome) -> None:
    assert classify(error) is outcome


@pytest.mark.parametrize(
    ("cause", "outcome"),
    [
        (httpx.ConnectError("refused"), SendOutcome.UNREACHABLE),
        (httpx.ConnectTimeout("slow"), SendOutcome.UNREACHABLE),
        (httpx.ReadError("reset"), SendOutcome.UNCONFIRMED),
        (httpx.ReadTimeout("slow"), SendOutcome.UNCONFIRMED),
        (httpx.RemoteProtocolError("closed"), SendOutcome.UNCONFIRMED),
    ],
)
def test_transport_errors_count_as_sent_only_when_the_request_may_have_gone_out(
    cause: Exception, outcome: SendOutcome
) -> None:
    error = TimedOut() if isinstance(cause, httpx.TimeoutException) else NetworkError(f"httpx: {cause}")
    error.__cause__ = cause
    assert classify(error) is outcome


# --- the two lanes -----------------------------------------------------------------------------


async def test_replies_are_not_held_while_the_bulk_lane_waits_out_a_retry_after(
    tmp_path: Path, clock: FakeClock
) -> None:
    h = Harness(tmp_path / "bot.sqlite3", shipped_content(), clock, rate_limiter=True)
    await h.start()
    try:
        limiter = h.app.bot.rate_limiter
        assert isinstance(limiter, TwoLaneLimiter)
        paused, resume = asyncio.Event(), asyncio.Event()

        async def held_pause(seconds: float) -> None:
            paused.set()
            await resume.wait()

        limiter.sleep = held_pause
        clock.set(SUBSCRIBED)
        people = await subscribe_many(h, 3)
        bob = h.user(9999, "Bob")
        await bob.send("/start")
        h.api.fail_next("sendMessage", "retry_after", chat_id=people[0].chat_id, retry_after=30)
        clock.set(DUE)
        delivering = asyncio.create_task(deliver_due(h.app))
        await asyncio.wait_for(paused.wait(), 10)

        [menu] = await bob.send("/menu")  # answered at once although bulk sends are paused
        assert menu.chat_id == bob.chat_id and not delivering.done()

        resume.set()
        stats = await delivering
        assert (stats.sent, stats.released) == (3, 0)  # the 429'd tip was retried by the lane
        assert _tips(h, people) == [1, 1, 1]
        assert limiter.retry_after_seen == 1
    finally:
        await h.stop()


async def test_bulk_sends_to_one_chat_are_a_second_apart_and_other_chats_are_not_held() -> None:
    limiter = TwoLaneLimiter()
    loop = asyncio.get_running_loop()
    sent: list[tuple[int, float]] = []

    async def call(chat_id: int) -> bool:
        sent.append((chat_id, loop.time()))
        return True

    async def bulk(chat_id: int) -> None:
        with bulk_lane():
            await limiter.process_request(call, (chat_id,), {}, "sendMessage", {"chat_id": chat_id}, None)

    started = loop.time()
    await asyncio.gather(bulk(1), bulk(1), bulk(2), bulk(3))
    times = {chat: [t - started for c, t in sent if c == chat] for chat in (1, 2, 3)}
    assert times[1][1] - times[1][0] >= 0.9  # at most one bulk message a second to one chat
    assert times[2][0] < 0.5 and times[3][0] < 0.5  # other chats did not wait behind it


async def test_a_token_revoked_while_polling_ends_the_service_cleanly(harness: Harness) -> None:
    """PTB's polling loop gives up on a 401 without a word; the service must not linger."""
    stop = asyncio.Event()
    ready: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
    service = asyncio.create_task(serve(harness.app, harness.store, ServiceSettings(), stop, ready.set_result))
    assert (await asyncio.wait_for(ready, 10)).mode == "polling"
    harness.api.revoke_token()
    await asyncio.wait_for(service, 10)  # ended by itself: no SIGTERM needed
    assert not stop.is_set() and not harness.app.running
    assert fatal(harness.app).message.startswith("Telegram stopped accepting TELEGRAM_BOT_TOKEN")
