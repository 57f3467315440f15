"""``/healthz`` and ``/metrics`` on a small HTTP endpoint (``SPASMBOT_HTTP_PORT``), in both modes.

``/healthz`` answers 200 ``{"status": "ok", ...}`` or 503 ``{"status": "failing", "reasons": [...]}``
with one short reason per failed check:

* the process is alive (it answered at all) and its event loop is not stuck (it answered in time);
* the database takes a real write (the one-row ``heartbeat`` table), within :data:`DB_TIMEOUT`;
* the delivery job finished a pass within :data:`DELIVERY_SILENCE` (a pass that is still working
  through a large fan-out counts while it is younger than :data:`LONGEST_PASS`);
* some Bot API call succeeded within :data:`API_SILENCE`. Long polling calls ``getUpdates`` every
  few seconds; in webhook mode the watchdog job (``spasmbot.edge.webhook``) calls
  ``getWebhookInfo`` every minute, so a quiet night is not mistaken for an outage.

Every check gives the process :data:`GRACE` after start before it can fail. Times come from the
application's injected clock, so tests move them by hand.

The endpoint is tornado (already there for PTB's webhook server), on its own port, so it can
stay private while the webhook port faces the reverse proxy. It binds its socket itself so that
port 0 works and the real port is known (:attr:`HealthServer.port`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from telegram.ext import Application
from tornado.httpserver import HTTPServer

from spasmbot.edge.metrics import BotMetrics, metrics_of
from spasmbot.storage import Store
from spasmbot.storage import service as service_store

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=2)
DB_TIMEOUT = 5.0  # seconds
DELIVERY_SILENCE = timedelta(minutes=3)  # the job runs every 30 s
LONGEST_PASS = timedelta(hours=3)  # 100,000 messages at 30/s take about an hour
API_SILENCE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Health:
    ok: bool
    reasons: tuple[str, ...]

    def body(self) -> dict[str, Any]:
        return {"status": "ok" if self.ok else "failing", "reasons": list(self.reasons)}


def _ago(now: datetime, then: datetime) -> str:
    seconds = int((now - then).total_seconds())
    return f"{seconds // 60} min" if seconds >= 120 else f"{seconds} s"


async def check_health(store: Store, metrics: BotMetrics) -> Health:
    """Run every check; the reasons name what failed, in a few words each."""
    now = metrics.clock.now()
    reasons: list[str] = []
    started = metrics.started_at or now
    in_grace = now - started < GRACE
    try:
        await asyncio.wait_for(service_store.heartbeat(store, now), DB_TIMEOUT)
    except TimeoutError:
        reasons.append(f"database did not take a write within {DB_TIMEOUT:g} s")
    except Exception as exc:  # sqlite3.Error: disk full, read-only, locked by another process
        reasons.append(f"database is not writable ({type(exc).__name__}: {str(exc)[:80]})")
    delivery = metrics.delivery
    running = delivery.started_at is not None and (
        delivery.finished_at is None or delivery.started_at > delivery.finished_at
    )
    if running and delivery.started_at is not None and now - delivery.started_at <= LONGEST_PASS:
        pass  # a long fan-out in progress
    elif delivery.finished_at is not None:
        if now - delivery.finished_at > DELIVERY_SILENCE:
            reasons.append(f"delivery job last finished a pass {_ago(now, delivery.finished_at)} ago")
    elif not in_grace:
        reasons.append("delivery job has not finished a pass since start")
    if metrics.last_api_success_at is not None:
        if now - metrics.last_api_success_at > API_SILENCE:
            reasons.append(f"last successful Bot API call was {_ago(now, metrics.last_api_success_at)} ago")
    elif not in_grace:
        reasons.append("no successful Bot API call since start")
    return Health(not reasons, tuple(reasons))


class _HealthHandler(tornado.web.RequestHandler):
    def initialize(self, store: Store, metrics: BotMetrics) -> None:
        self.store = store
        self.metrics = metrics

    async def get(self) -> None:
        health = await check_health(self.store, self.metrics)
        if not health.ok:
            log.warning("health check failing: %s", "; ".join(health.reasons))
        self.set_status(200 if health.ok else 503)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(health.body()))


class _MetricsHandler(tornado.web.RequestHandler):
    def initialize(self, store: Store, metrics: BotMetrics) -> None:
        self.store = store
        self.metrics = metrics

    async def get(self) -> None:
        try:
            await asyncio.wait_for(self.metrics.refresh(self.store), DB_TIMEOUT)
        except Exception as exc:  # still serve the in-memory figures; the gauges keep old values
            log.warning("metrics: could not read the database (%s)", type(exc).__name__)
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.set_header("Cache-Control", "no-store")
        self.finish(generate_latest(self.metrics.registry))


class _QuietApplication(tornado.web.Application):
    def log_request(self, handler: tornado.web.RequestHandler) -> None:
        """No access log: a health probe every 30 s would drown the bot's own lines."""


def bind(listen: str, port: int) -> socket.socket:
    """A listening, non-blocking TCP socket (port 0: any free port)."""
    sock = socket.create_server((listen, port), family=socket.AF_INET6 if ":" in listen else socket.AF_INET)
    sock.setblocking(False)
    return sock


class HealthServer:
    """The /healthz + /metrics endpoint of one application; ``await start()``, ``await stop()``."""

    def __init__(self, app: Application[Any, Any, Any, Any, Any, Any], store: Store, listen: str, port: int) -> None:
        metrics = metrics_of(app)
        if metrics is None:
            raise RuntimeError("the application has no BotMetrics (build it with build_application)")
        routes = [
            (r"/healthz", _HealthHandler, {"store": store, "metrics": metrics}),
            (r"/metrics", _MetricsHandler, {"store": store, "metrics": metrics}),
        ]
        self._server = HTTPServer(_QuietApplication(routes))
        self._listen = listen
        self._port = port
        self.port = 0

    async def start(self) -> None:
        sock = bind(self._listen, self._port)
        self.port = sock.getsockname()[1]
        self._server.add_sockets([sock])
        log.info("health and metrics on http://%s:%d/healthz and /metrics", self._listen, self.port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()
