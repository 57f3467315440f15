"""What the running bot counts, for ``/metrics`` (Prometheus text format) and ``/healthz``.

One :class:`BotMetrics` per ``Application`` (``app.bot_data["metrics"]``), each with its own
``prometheus_client.CollectorRegistry``: tests, the console and benchmarks build many
applications in one process, and the library's global default registry would mix them up (and
refuse a second metric of the same name).

Where the figures come from, so each is measured at exactly one place:

* updates by kind and the handling-time histogram: :class:`ObservedApplication`, which wraps
  ``Application.process_update`` (handling time, not time spent waiting in the queue);
* every Bot API call and its answer: :class:`ObservedRequest`, a ``BaseRequest`` around the real
  one (``HTTPXRequest`` in production, the fake in tests). Message sends and edits are counted by
  outcome (sent, blocked, retry_after, failed, unchanged) whether they are replies or scheduled
  messages; any successful call refreshes "last successful Bot API call" for ``/healthz``;
* delivery passes: ``delivery_pass_started``/``delivery_pass_finished`` around the 30-second job;
* the due backlog, the lateness of the oldest due message and subscribers per feature: read from
  the database when ``/metrics`` is scraped (:meth:`BotMetrics.refresh`).

No label ever holds a user id, a chat id, a name or a text: only kinds, outcomes and API methods.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from telegram import Update
from telegram.ext import Application
from telegram.request import BaseRequest, RequestData

from spasmbot.clock import Clock
from spasmbot.storage import Store
from spasmbot.storage import service as service_store

MESSAGE_OUTCOMES = ("sent", "blocked", "retry_after", "failed", "unchanged")
UPDATE_KINDS = ("command", "text", "callback_query", "media", "my_chat_member", "edited_message", "other")
# Bot API methods that put a message in front of a user (new or edited).
MESSAGE_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
        "editMessageText",
        "editMessageCaption",
        "editMessageReplyMarkup",
        "editMessageMedia",
    }
)
# Handling one update: well under a second normally; the top buckets catch exports and outages.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# /metrics reads subscriber counts at most this often (a GROUP BY over every schedule row).
SUBSCRIBERS_EVERY = 60.0


@dataclass(slots=True)
class DeliveryState:
    """When the delivery job last started and last finished a pass (the injected clock's time)."""

    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass
class BotMetrics:
    """The application's counters and gauges, plus the timestamps ``/healthz`` judges."""

    clock: Clock
    registry: CollectorRegistry = field(default_factory=lambda: CollectorRegistry(auto_describe=True))
    started_at: datetime | None = None
    last_api_success_at: datetime | None = None
    delivery: DeliveryState = field(default_factory=DeliveryState)
    _subscribers_read: float = field(default=float("-inf"), repr=False)

    def __post_init__(self) -> None:
        self.started_at = self.clock.now()
        r = self.registry
        self.updates = Counter("spasmbot_updates", "Updates received, by kind.", ["kind"], registry=r)
        self.update_seconds = Histogram(
            "spasmbot_update_handling_seconds",
            "Time to handle one update (all handlers), by kind.",
            ["kind"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.errors = Counter(
            "spasmbot_errors", "Unexpected errors, by where they happened (update or job).", ["source"], registry=r
        )
        self.messages = Counter(
            "spasmbot_messages", "Messages sent or edited through the Bot API, by outcome.", ["outcome"], registry=r
        )
        self.api_requests = Counter(
            "spasmbot_bot_api_requests",
            "Bot API calls, by method and HTTP status class.",
            ["method", "status"],
            registry=r,
        )
        self.api_last_success = Gauge(
            "spasmbot_bot_api_last_success_timestamp_seconds", "When a Bot API call last succeeded.", registry=r
        )
        self.deliveries = Counter(
            "spasmbot_deliveries",
            "Scheduled messages handled by delivery passes, by outcome.",
            ["outcome"],
            registry=r,
        )
        self.delivery_last_pass = Gauge(
            "spasmbot_delivery_last_pass_timestamp_seconds",
            "When the delivery job last finished a pass.",
            registry=r,
        )
        self.due_backlog = Gauge("spasmbot_due_backlog", "Scheduled messages due now and not yet sent.", registry=r)
        self.oldest_due_lateness = Gauge(
            "spasmbot_oldest_due_lateness_seconds", "How long ago the oldest unsent due message was due.", registry=r
        )
        self.subscribers = Gauge(
            "spasmbot_subscribers", "Users with an active scheduled message, by feature.", ["feature"], registry=r
        )
        for outcome in MESSAGE_OUTCOMES:
            self.messages.labels(outcome)
        for kind in UPDATE_KINDS:
            self.updates.labels(kind)

    # --- recorded as things happen -------------------------------------------------------------

    def observe_update(self, kind: str, seconds: float) -> None:
        self.updates.labels(kind).inc()
        self.update_seconds.labels(kind).observe(seconds)

    def observe_api_call(self, method: str, status: int | None, body: bytes = b"") -> None:
        """One Bot API call's answer (``status`` None: no answer at all, e.g. a time-out)."""
        self.api_requests.labels(method, _status_class(status)).inc()
        if status is not None and 200 <= status < 300:
            now = self.clock.now()
            self.last_api_success_at = now
            self.api_last_success.set(now.timestamp())
        if method in MESSAGE_METHODS:
            self.messages.labels(_message_outcome(status, body)).inc()

    def delivery_pass_started(self) -> None:
        self.delivery.started_at = self.clock.now()

    def delivery_pass_finished(self, outcomes: Mapping[str, int]) -> None:
        now = self.clock.now()
        self.delivery.finished_at = now
        self.delivery_last_pass.set(now.timestamp())
        for outcome, count in outcomes.items():
            self.deliveries.labels(outcome).inc(count)

    # --- read when scraped ---------------------------------------------------------------------

    async def refresh(self, store: Store) -> None:
        """Read the database-backed gauges (called by ``/metrics`` just before it renders)."""
        now = self.clock.now()
        count, oldest = await service_store.due_backlog(store, now)
        self.due_backlog.set(count)
        self.oldest_due_lateness.set((now - oldest).total_seconds() if oldest is not None else 0)
        tick = time.monotonic()
        if tick - self._subscribers_read >= SUBSCRIBERS_EVERY:
            self._subscribers_read = tick
            counts = await service_store.subscribers_by_kind(store)
            self.subscribers.clear()
            for kind, number in counts.items():
                self.subscribers.labels(kind).set(number)


def _status_class(status: int | None) -> str:
    if status is None:
        return "none"
    if status in (403, 429):
        return str(status)
    return f"{status // 100}xx"


def _message_outcome(status: int | None, body: bytes) -> str:
    if status is not None and 200 <= status < 300:
        return "sent"
    if status == 403:
        return "blocked"
    if status == 429:
        return "retry_after"
    if status == 400 and b"not modified" in body:
        return "unchanged"  # a double tap re-showing the same screen: nothing was lost
    return "failed"


def metrics_of(app: Application[Any, Any, Any, Any, Any, Any]) -> BotMetrics | None:
    metrics = app.bot_data.get("metrics")
    return metrics if isinstance(metrics, BotMetrics) else None


def update_kind(update: object) -> str:
    """A label for the update: what the user did, never who they are."""
    if not isinstance(update, Update):
        return "other"
    if update.callback_query is not None:
        return "callback_query"
    if update.message is not None:
        text = update.message.text
        if text is None:
            return "media"
        return "command" if text.startswith("/") else "text"
    if update.my_chat_member is not None:
        return "my_chat_member"
    if update.edited_message is not None:
        return "edited_message"
    return "other"


class ObservedApplication(Application):
    """``telegram.ext.Application`` that times each update (``ApplicationBuilder.application_class``)."""

    async def process_update(self, update: object) -> None:
        metrics = metrics_of(self)
        if metrics is None:
            await super().process_update(update)
            return
        started = time.perf_counter()
        try:
            await super().process_update(update)
        finally:
            metrics.observe_update(update_kind(update), time.perf_counter() - started)


class ObservedRequest(BaseRequest):
    """A ``BaseRequest`` that hands every call to ``inner`` and tells ``metrics`` how it went."""

    def __init__(self, inner: BaseRequest, metrics: BotMetrics) -> None:
        self.inner = inner
        self.metrics = metrics
        self.on_unauthorized: Callable[[], None] | None = None  # a revoked token: spasmbot.edge.fatal

    @property
    def read_timeout(self) -> float | None:
        return self.inner.read_timeout

    async def initialize(self) -> None:
        await self.inner.initialize()

    async def shutdown(self) -> None:
        await self.inner.shutdown()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        api_method = url.partition("?")[0].rstrip("/").rpartition("/")[2]
        try:
            status, body = await self.inner.do_request(
                url=url,
                method=method,
                request_data=request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except Exception:  # time-out, refused connection: no answer at all
            self.metrics.observe_api_call(api_method, None)
            raise
        self.metrics.observe_api_call(api_method, status, body)
        if status == 401 and self.on_unauthorized is not None:
            self.on_unauthorized()
        return status, body
