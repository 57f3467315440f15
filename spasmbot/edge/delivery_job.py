"""Sends everything that is due: the registry of delivery kinds and the recurring job.

The mechanism (claim in the database, then send; no in-memory timers) and its guarantees are told
in ``spasmbot/delivery/claims.py``. A feature registers its kind once::

    register_kind(app, DeliveryKind(kind="water", next_due=..., send=..., max_late=timedelta(hours=1)))

and schedules rows with ``spasmbot.delivery.schedule.set_due``. ``register(app)`` (in
``spasmbot.edge.app.EDGE``) adds the 30-second job; tests and benchmarks call ``await deliver_due(app)``
after setting the fake clock, which is exactly what the job runs.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from spasmbot.delivery import schedule
from spasmbot.delivery.claims import DEFAULT_BATCH, claim_batch
from spasmbot.delivery.schedule import Claim, Due
from spasmbot.edge.common import Context
from spasmbot.edge.metrics import metrics_of
from spasmbot.logs import FailureTally
from spasmbot.services import Services

log = logging.getLogger(__name__)
# Failed sends and plans: one log line per kind of failure (with a count), never a user id, so an
# outage does not write thousands of lines (spasmbot.logs.FailureTally).
_FAILURES = FailureTally(log, "sending a scheduled message")
_PLAN_FAILURES = FailureTally(log, "planning a scheduled message")

JOB_INTERVAL = timedelta(seconds=30)
# Requests in flight at once: enough to keep Telegram's 30/s busy over a slow link, few enough
# that the rate limiter is not handed hundreds of waiting requests. Equal to the default batch,
# so every claimed message of a batch is in flight at once (see the crash note in scheduling).
SEND_CONCURRENCY = DEFAULT_BATCH
# A kind whose next_due() does not move forward gets looked at again this much later.
RETRY_LATER = timedelta(minutes=1)

NextDue = Callable[[Services, Due, datetime], datetime | None]
Send = Callable[[Bot, Services, Due], Awaitable[bool | None]]
Advance = Callable[[Services, Due], dict[str, Any]]
Prepare = Callable[[Services], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DeliveryKind:
    """How one kind of scheduled message is planned and sent.

    * ``next_due(services, due, now)``: the slot after ``due.due_at``, later than ``now``
      (``due.timezone`` is the user's zone); None deletes the row (a one-off message).
      Must be pure: it runs inside the claim transaction.
    * ``send(bot, services, due)``: send one message to ``due.chat_id``; return False when there
      was nothing to send. Telegram errors propagate: 403 marks the user blocked.
    * ``max_late``: a slot found later than this after its time is skipped, not sent.
    * ``advance(services, due)``: optional; the payload to store with the claim (e.g. a rotation
      cursor moved on) — ``send`` sees it as ``due.payload``. Pure, like ``next_due``.
    * ``prepare(services)``: optional; awaited once per pass before claiming (may write).
    * ``on_timezone_change(services, due, now)``: optional; the new ``due_at`` after the user
      picked another zone (``due.timezone`` is the new one); None deletes the row. Without it the
      row is left as it is.
    * ``latest_slot(services, due, now)``: optional; the most recent slot at or before ``now``.
      After an outage longer than one period the stored slot is days old: with this, a slot
      that is still within ``max_late`` (today's tip, an hour late) is sent instead of skipped.
    """

    kind: str
    next_due: NextDue
    send: Send
    max_late: timedelta = timedelta(hours=3)
    advance: Advance | None = None
    prepare: Prepare | None = None
    on_timezone_change: NextDue | None = None
    latest_slot: NextDue | None = None


Kinds = dict[str, DeliveryKind]
_KINDS = "delivery_kinds"  # bot_data key: the kinds of one Application (nothing process-global)


def kinds_of(app: Application) -> Kinds:
    """The delivery kinds registered on ``app`` (by each feature's ``register(app)``)."""
    kinds: Kinds = app.bot_data.setdefault(_KINDS, {})
    return kinds

def register_kind(app: Application, kind: DeliveryKind) -> None:
    """Make ``kind`` deliverable by ``app`` (idempotent: registering again replaces it)."""
    kinds_of(app)[kind.kind] = kind


@dataclass(slots=True)
class DeliveryStats:
    """What one ``deliver_due`` pass did (the job logs it; tests and benchmarks assert on it)."""

    claimed: int = 0
    sent: int = 0
    late: int = 0
    blocked: int = 0
    failed: int = 0
    released: int = 0
    batches: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)


def _planner(svc: Services, kinds: Kinds) -> Callable[[Due, bool, datetime], Claim]:
    def plan(due: Due, logged: bool, now: datetime) -> Claim:
        kind = kinds[due.kind]
        try:
            next_at = kind.next_due(svc, due, now)
            if next_at is not None and next_at <= now:
                log.error("%s.next_due returned %s, not after %s", due.kind, next_at, now)
                next_at = now + RETRY_LATER
            if logged:
                return Claim(due, False, next_at, due.payload, logged=True)
            if now - due.due_at > kind.max_late:
                recent = kind.latest_slot(svc, due, now) if kind.latest_slot is not None else None
                if recent is not None and due.due_at < recent <= now and now - recent <= kind.max_late:
                    next_at = recent  # catch up: this pass picks the row up again at that slot
                return Claim(due, False, next_at, due.payload, outcome="late")
            payload = kind.advance(svc, due) if kind.advance is not None else due.payload
        except Exception as exc:  # retried in RETRY_LATER; logged once per kind of failure
            _PLAN_FAILURES.failed(exc)
            return Claim(due, False, now + RETRY_LATER, due.payload, outcome="error", logged=logged)
        return Claim(due, True, next_at, payload)

    return plan


async def _send(bot: Bot, svc: Services, kind: DeliveryKind, claim: Claim) -> str:
    """Send one claimed message; the outcome word for the log."""
    due = replace(claim.due, payload=claim.payload)
    try:
        sent = await kind.send(bot, svc.for_language(due.language), due)
    except Forbidden:
        return "blocked"
    except RetryAfter:
        return "retry"
    except BadRequest as exc:
        if "chat not found" in exc.message.lower():
            return "blocked"
        _FAILURES.failed(exc)
        return "failed"
    except TelegramError as exc:  # TimedOut/NetworkError: may or may not have arrived
        _FAILURES.failed(exc)
        return "failed"
    except Exception as exc:
        _FAILURES.failed(exc)
        return "failed"
    return "empty" if sent is False else "sent"


async def _send_all(bot: Bot, svc: Services, kinds: Kinds, claims: list[Claim]) -> list[str]:
    """Send a batch with at most ``SEND_CONCURRENCY`` requests in flight; outcomes in order."""
    results = [""] * len(claims)
    queue = iter(range(len(claims)))

    async def worker() -> None:
        for index in queue:
            results[index] = await _send(bot, svc, kinds[claims[index].due.kind], claims[index])

    await asyncio.gather(*(worker() for _ in range(min(SEND_CONCURRENCY, len(claims)))))
    return results


async def deliver_due(app: Application, batch: int = DEFAULT_BATCH) -> DeliveryStats:
    """Send everything due now, batch after batch, until nothing is due (one pass)."""
    svc: Services = app.bot_data["services"]
    kinds = kinds_of(app)
    stats = DeliveryStats()
    lock: asyncio.Lock = app.bot_data.setdefault("delivery.lock", asyncio.Lock())
    if lock.locked():  # the previous pass is still sending: it will pick these rows up
        return stats
    # Started by the running bot's job: stop between batches once the bot is shutting down, so
    # a graceful stop never waits for a long pass (and no batch is cut in half by a timeout).
    stop_with_app = app.running
    async with lock:
        for kind in list(kinds.values()):
            if kind.prepare is not None:
                await kind.prepare(svc)
        plan = _planner(svc, kinds)
        while True:
            now = svc.clock.now()
            claims = await claim_batch(svc.store, now, list(kinds), plan, batch)
            if not claims:
                break
            stats.batches += 1
            stats.claimed += len(claims)
            to_send = [claim for claim in claims if claim.send]
            results = await _send_all(app.bot, svc, kinds, to_send)
            retry = [claim for claim, result in zip(to_send, results, strict=True) if result == "retry"]
            done = [
                (claim.due, result)
                for claim, result in zip(to_send, results, strict=True)
                if result != "retry"
            ]
            blocked = [due.user_id for due, result in done if result == "blocked"]
            await schedule.record_outcomes(svc.store, done, blocked, svc.clock.now())
            for _, result in done:
                stats.outcomes[result] = stats.outcomes.get(result, 0) + 1
            for claim in claims:
                if claim.outcome is not None:
                    stats.outcomes[claim.outcome] = stats.outcomes.get(claim.outcome, 0) + 1
            stats.sent += sum(1 for _, result in done if result == "sent")
            stats.blocked += len(blocked)
            stats.failed += sum(1 for _, result in done if result == "failed")
            stats.late += sum(1 for claim in claims if claim.outcome == "late")
            if retry:  # Telegram asked us to slow down: hand the slots back, try next tick
                await schedule.release(svc.store, retry)
                stats.released += len(retry)
                break
            caught_up = any(c.next_at is not None and c.next_at <= now for c in claims)  # still due now
            if (len(claims) < batch and not caught_up) or (stop_with_app and not app.running):
                break
    if stats.claimed:
        log.info(
            "delivery pass: %d claimed, %d sent, %d late, %d blocked, %d failed, %d released",
            stats.claimed, stats.sent, stats.late, stats.blocked, stats.failed, stats.released,
        )
    return stats


async def reschedule_user(app: Application, svc: Services, user_id: int) -> None:
    """After a time-zone change: let each kind move its row to the new local time."""
    kinds = kinds_of(app)
    now = svc.clock.now()
    for due in await schedule.list_due(svc.store, user_id):
        kind = kinds.get(due.kind)
        if kind is None or kind.on_timezone_change is None:
            continue
        next_at = kind.on_timezone_change(svc, due, now)
        if next_at is None:
            await schedule.clear_due(svc.store, user_id, due.kind)
        else:  # compare-and-set: a pass that just claimed the row has already moved it on
            await schedule.move_due(svc.store, user_id, due.kind, due.due_at, next_at)


async def _job(context: Context) -> None:
    metrics = metrics_of(context.application)  # /healthz: "delivery job ran recently"
    if metrics is not None:
        metrics.delivery_pass_started()
    stats = await deliver_due(context.application)
    if metrics is not None:
        metrics.delivery_pass_finished(stats.outcomes)


def register(app: Application) -> None:
    """Start the recurring delivery job (30 s) when the application's JobQueue runs."""
    if app.job_queue is None:
        raise RuntimeError("spasmbot needs python-telegram-bot[job-queue] for scheduled messages")
    app.job_queue.run_repeating(
        _job,
        interval=JOB_INTERVAL,
        first=timedelta(seconds=5),
        name="deliver_due",
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
