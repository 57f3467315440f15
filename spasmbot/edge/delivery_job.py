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
from enum import Enum
from typing import Any

import httpx
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import Application

from spasmbot.delivery import schedule
from spasmbot.delivery.claims import DEFAULT_BATCH, claim_batch
from spasmbot.delivery.schedule import Claim, Due
from spasmbot.edge.common import Context
from spasmbot.edge.fatal import TOKEN_REJECTED, stop_for, token_rejected
from spasmbot.edge.lanes import bulk_lane
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
# Longest pause between passes while the Bot API cannot be reached (see deliver_due).
MAX_BACKOFF = timedelta(minutes=2)

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


class SendOutcome(Enum):
    """What became of one claimed message; the value is what ``deliveries.outcome`` records.

    The last three were certainly not delivered, so the slot is handed back (``release``) and
    sent by a later pass: only a reply that may have arrived (``UNCONFIRMED``) is at most once.
    """

    SENT = "sent"
    EMPTY = "empty"  # the kind had nothing to send (e.g. its check was removed)
    BLOCKED = "blocked"  # 403, or the chat is gone: the user is paused
    REFUSED = "failed"  # Telegram refused this message (400) or sending it crashed
    UNCONFIRMED = "unconfirmed"  # timed out waiting for the answer: may have arrived
    RATE_LIMITED = "retry"  # 429 after the bulk lane's own retries
    UNREACHABLE = "unreachable"  # connection refused, 5xx, no free connection: not sent
    BOT_REJECTED = "bot_rejected"  # 401: the bot's token, not the user's fault

    @property
    def handed_back(self) -> bool:
        return self in _HANDED_BACK


_HANDED_BACK = frozenset({SendOutcome.RATE_LIMITED, SendOutcome.UNREACHABLE, SendOutcome.BOT_REJECTED})
# httpx errors raised before the request was complete on the wire: Telegram cannot have acted.
_NOT_SENT_CAUSES = (
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
    httpx.WriteError,
    httpx.WriteTimeout,
    httpx.UnsupportedProtocol,
    httpx.ProxyError,
)


def classify(exc: BaseException) -> SendOutcome:
    """The outcome a send that raised ``exc`` had (see :class:`SendOutcome`)."""
    if isinstance(exc, Forbidden):
        return SendOutcome.BLOCKED
    if token_rejected(exc):
        return SendOutcome.BOT_REJECTED
    if isinstance(exc, RetryAfter):
        return SendOutcome.RATE_LIMITED
    if isinstance(exc, BadRequest):
        return SendOutcome.BLOCKED if "chat not found" in exc.message.lower() else SendOutcome.REFUSED
    if isinstance(exc, NetworkError):  # TimedOut included
        cause = exc.__cause__
        if isinstance(cause, _NOT_SENT_CAUSES) or "pool timeout" in exc.message.lower():
            return SendOutcome.UNREACHABLE
        if isinstance(exc, TimedOut) or isinstance(cause, httpx.TransportError):
            return SendOutcome.UNCONFIRMED  # sent, but the answer was lost: may have arrived
        if "gateway timeout" in exc.message.lower() or "(504)" in exc.message:
            return SendOutcome.UNCONFIRMED  # a proxy gave up waiting: Telegram may have acted
        return SendOutcome.UNREACHABLE  # an HTTP 5xx answer (or a refused connection)
    return SendOutcome.REFUSED


@dataclass(slots=True)
class DeliveryStats:
    """What one ``deliver_due`` pass did (the job logs it; tests and benchmarks assert on it)."""

    claimed: int = 0
    sent: int = 0
    late: int = 0
    blocked: int = 0
    failed: int = 0  # refused by Telegram, or unconfirmed (may have arrived)
    released: int = 0  # handed back: rate-limited, unreachable, or the token was rejected
    batches: int = 0
    backing_off: bool = False  # the pass did not run: the Bot API was unreachable lately
    outcomes: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


@dataclass(slots=True)
class _Health:
    """How the last passes went; kept in ``bot_data`` between passes (per process)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    failing_passes: int = 0  # passes in a row that ended because nothing could be sent
    resume_at: datetime | None = None

    def backing_off(self, now: datetime) -> bool:
        return self.resume_at is not None and now < self.resume_at

    def unreachable(self, pass_started: datetime) -> None:
        """Every send of a batch failed to reach Telegram: wait longer before the next try.

        Counted from the start of the failed pass, less a second, so the job's tick that far
        ahead is not skipped for the few moments the failed sends took."""
        self.failing_passes += 1
        wait = min(JOB_INTERVAL * 2 ** min(self.failing_passes - 1, 8), MAX_BACKOFF)
        self.resume_at = pass_started + wait - timedelta(seconds=1)
        log.warning("Bot API unreachable; scheduled sends kept due, next try in %d s", wait.total_seconds())

    def reached(self) -> None:
        if self.failing_passes:
            log.info("Bot API reachable again; resuming scheduled sends")
        self.failing_passes = 0
        self.resume_at = None


def _health(app: Application) -> _Health:
    health: _Health | None = app.bot_data.get("delivery.health")
    if health is None:
        health = app.bot_data["delivery.health"] = _Health()
    return health


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


async def _send(bot: Bot, svc: Services, kind: DeliveryKind, claim: Claim) -> SendOutcome:
    """Send one claimed message through the bulk lane (``spasmbot.edge.lanes``)."""
    due = replace(claim.due, payload=claim.payload)
    try:
        with bulk_lane():
            sent = await kind.send(bot, svc.for_language(due.language), due)
    except Exception as exc:
        outcome = classify(exc)
        if outcome in (SendOutcome.REFUSED, SendOutcome.UNCONFIRMED):  # one line per kind, no user id
            _FAILURES.failed(exc)
        return outcome
    return SendOutcome.EMPTY if sent is False else SendOutcome.SENT


async def _send_all(bot: Bot, svc: Services, kinds: Kinds, claims: list[Claim]) -> list[SendOutcome]:
    """Send a batch with at most ``SEND_CONCURRENCY`` requests in flight; outcomes in order."""
    results = [SendOutcome.REFUSED] * len(claims)
    queue = iter(range(len(claims)))

    async def worker() -> None:
        for index in queue:
            results[index] = await _send(bot, svc, kinds[claims[index].due.kind], claims[index])

    await asyncio.gather(*(worker() for _ in range(min(SEND_CONCURRENCY, len(claims)))))
    return results


@dataclass(frozen=True, slots=True)
class _BatchEnd:
    """Why a pass must stop after a batch (None of these: carry on)."""

    rate_limited: bool
    unreachable: bool  # every send of the batch failed to reach Telegram
    bot_rejected: bool


async def _settle(
    svc: Services, claims: list[Claim], sent: list[Claim], results: list[SendOutcome], stats: DeliveryStats
) -> _BatchEnd:
    """Record what happened to a batch: outcomes logged, blocked users paused, slots handed back."""
    done = [(claim.due, r.value) for claim, r in zip(sent, results, strict=True) if not r.handed_back]
    back = [claim for claim, r in zip(sent, results, strict=True) if r.handed_back]
    blocked = [due.user_id for due, outcome in done if outcome == SendOutcome.BLOCKED.value]
    await schedule.record_outcomes(svc.store, done, blocked, svc.clock.now())
    if back:
        await schedule.release(svc.store, back)
    for result in results:
        stats.count(result.value)
    for claim in claims:
        if claim.outcome is not None:
            stats.count(claim.outcome)
    stats.sent += results.count(SendOutcome.SENT)
    stats.blocked += len(blocked)
    stats.failed += results.count(SendOutcome.REFUSED) + results.count(SendOutcome.UNCONFIRMED)
    stats.late += sum(1 for claim in claims if claim.outcome == "late")
    stats.released += len(back)
    return _BatchEnd(
        rate_limited=SendOutcome.RATE_LIMITED in results,
        unreachable=bool(results) and all(r is SendOutcome.UNREACHABLE for r in results),
        bot_rejected=SendOutcome.BOT_REJECTED in results,
    )


async def _prepare_kinds(svc: Services, kinds: Kinds) -> None:
    for kind in list(kinds.values()):
        if kind.prepare is not None:
            await kind.prepare(svc)


def _log_pass(stats: DeliveryStats) -> None:
    if stats.claimed:
        log.info(
            "delivery pass: %d claimed, %d sent, %d late, %d blocked, %d failed, %d handed back",
            stats.claimed,
            stats.sent,
            stats.late,
            stats.blocked,
            stats.failed,
            stats.released,
        )


async def deliver_due(app: Application, batch: int = DEFAULT_BATCH) -> DeliveryStats:
    """Send everything due now, batch after batch, until nothing is due (one pass).

    The pass ends early when Telegram asks to slow down (the slots go back, next tick), when the
    token was rejected (slots go back, the bot stops: ``spasmbot.edge.fatal``) and when a whole
    batch could not reach the Bot API: then the slots go back and passes pause with a growing
    back-off (30 s, 1, 2 min), probing with one message, so an outage loses nothing and a
    message that may have arrived (a time-out) is the only one never retried.
    """
    svc: Services = app.bot_data["services"]
    kinds = kinds_of(app)
    stats = DeliveryStats()
    health = _health(app)
    if health.lock.locked():  # the previous pass is still sending: it will pick these rows up
        return stats
    started = svc.clock.now()
    if health.backing_off(started):
        stats.backing_off = True
        return stats
    # Started by the running bot's job: stop between batches once the bot is shutting down, so
    # a graceful stop never waits for a long pass (and no batch is cut in half by a timeout).
    stop_with_app = app.running
    async with health.lock:
        await _prepare_kinds(svc, kinds)
        plan = _planner(svc, kinds)
        while True:
            now = svc.clock.now()
            limit = 1 if health.failing_passes else batch  # after an outage: probe with one
            claims = await claim_batch(svc.store, now, list(kinds), plan, limit)
            if not claims:
                break
            stats.batches += 1
            stats.claimed += len(claims)
            to_send = [claim for claim in claims if claim.send]
            results = await _send_all(app.bot, svc, kinds, to_send)
            end = await _settle(svc, claims, to_send, results, stats)
            if end.bot_rejected:
                stop_for(app, TOKEN_REJECTED)
                break
            if end.unreachable:
                health.unreachable(started)
                break
            if SendOutcome.SENT in results or SendOutcome.BLOCKED in results:
                health.reached()
            if end.rate_limited:  # Telegram asked us to slow down: try next tick
                break
            caught_up = any(c.next_at is not None and c.next_at <= now for c in claims)  # still due now
            more = len(claims) == limit or caught_up or limit < batch
            if not more or (stop_with_app and not app.running):
                break
    _log_pass(stats)
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
