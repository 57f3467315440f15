"""The running service's life cycle: updates in (long polling or webhook), the health endpoint, stop.

``spasmbot run`` opens the store, builds and initialises the application, then awaits
:func:`serve` until SIGTERM/SIGINT sets ``stop``. Tests run the very same function with the fake
Bot API and real HTTP on ephemeral ports (``on_ready`` tells them the ports).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.error import TelegramError
from telegram.ext import Application

from spasmbot.config import ServiceSettings
from spasmbot.edge.fatal import until_stopped
from spasmbot.edge.health import HealthServer
from spasmbot.edge.webhook import start_webhook
from spasmbot.storage import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Running:
    mode: str  # "polling" or "webhook"
    webhook_port: int | None
    http_port: int | None


async def serve(
    app: Application[Any, Any, Any, Any, Any, Any],
    store: Store,
    service: ServiceSettings,
    stop: asyncio.Event,
    on_ready: Callable[[Running], None] | None = None,
) -> None:
    """Run an initialised application until ``stop`` is set, then stop everything in order."""
    assert app.updater is not None
    health = HealthServer(app, store, service.http_listen, service.http_port) if service.http_port is not None else None
    await app.start()
    try:
        webhook_port = None
        if service.webhook_url is not None:
            webhook_port = await start_webhook(app, service)
            mode = "webhook"
        else:
            await app.updater.start_polling(drop_pending_updates=service.drop_pending_updates)
            mode = "polling"
        try:
            if health is not None:
                await health.start()
            try:
                if on_ready is not None:
                    on_ready(Running(mode, webhook_port, health.port if health is not None else None))
                log.info("spasmbot is running as @%s (%s)", app.bot.username, mode)
                await until_stopped(app, stop)  # SIGTERM, or a condition it cannot recover from
                log.info("stopping")
            finally:
                if health is not None:
                    await health.stop()
        finally:
            if app.updater.running:
                try:
                    await app.updater.stop()
                except TelegramError as exc:  # polling already ended with it (a revoked token)
                    log.debug("polling had stopped: %s", exc)
    finally:
        await app.stop()
