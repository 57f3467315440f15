"""Webhook mode: Telegram POSTs each update to us instead of us polling ``getUpdates``.

Uses python-telegram-bot's own webhook server (``Updater.start_webhook``, tornado); nothing here
parses HTTP. What this module adds:

* the socket is bound here and handed to PTB (its ``unix`` parameter takes any listening
  socket), so port 0 works in tests and the log names the real port;
* ``secret_token`` is always set (``SPASMBOT_WEBHOOK_SECRET`` is required): PTB answers 403 to
  any request whose ``X-Telegram-Bot-Api-Secret-Token`` header is missing or wrong, so nobody
  who guesses the URL can inject updates;
* TLS is the reverse proxy's job: the server speaks plain HTTP on ``webhook_listen:webhook_port``
  and registers the public ``https`` URL with ``setWebhook``;
* a watchdog job calls ``getWebhookInfo`` every :data:`WATCH_EVERY`. It logs Telegram's own
  report when deliveries to us fail (proxy down, certificate problem: one line per new error),
  puts our webhook back if something else removed or replaced it, and keeps "last successful
  Bot API call" fresh for ``/healthz`` on quiet days.

Stopping the bot stops the server but leaves the webhook registered, so Telegram keeps the
updates that arrive during a restart and delivers them afterwards.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackContext

from spasmbot.config import ServiceSettings
from spasmbot.edge.health import bind

log = logging.getLogger(__name__)

WATCH_EVERY = timedelta(minutes=1)
# Telegram opens at most this many connections to the webhook at once (its default is 40).
MAX_CONNECTIONS = 40
BOOTSTRAP_RETRIES = 5


async def start_webhook(app: Application[Any, Any, Any, Any, Any, Any], service: ServiceSettings) -> int:
    """Register the webhook with Telegram and start serving it; returns the local port."""
    assert app.updater is not None and service.webhook_url is not None
    sock = bind(service.webhook_listen, service.webhook_port)
    port: int = sock.getsockname()[1]
    await app.updater.start_webhook(
        unix=sock,
        url_path=service.webhook_path,
        webhook_url=service.webhook_url,
        secret_token=service.webhook_secret,
        drop_pending_updates=service.drop_pending_updates,
        allowed_updates=Update.ALL_TYPES,
        max_connections=MAX_CONNECTIONS,
        bootstrap_retries=BOOTSTRAP_RETRIES,
    )
    log.info(
        "webhook: listening on http://%s:%d%s for %s",
        service.webhook_listen,
        port,
        service.webhook_path,
        service.webhook_url,
    )
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _watch,
            interval=WATCH_EVERY,
            first=WATCH_EVERY,
            name="webhook_watchdog",
            data=service,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    return port


async def _watch(context: CallbackContext[Any, Any, Any, Any]) -> None:
    service: ServiceSettings = context.job.data  # type: ignore[union-attr,assignment]
    await check_webhook(context.application, service)


async def check_webhook(app: Application[Any, Any, Any, Any, Any, Any], service: ServiceSettings) -> None:
    """One watchdog round: report Telegram's latest delivery error once; restore a lost webhook."""
    try:
        info = await app.bot.get_webhook_info()
    except TelegramError as exc:
        log.warning("webhook watchdog: getWebhookInfo failed: %s", exc)
        return
    if info.last_error_date is not None:
        seen: datetime | None = app.bot_data.get("webhook.last_error_date")
        if seen is None or info.last_error_date > seen:
            app.bot_data["webhook.last_error_date"] = info.last_error_date
            log.warning(
                "webhook: Telegram could not deliver updates to us: %s (%d pending)",
                info.last_error_message,
                info.pending_update_count,
            )
    if info.url != service.webhook_url:
        log.warning(
            "webhook: registered URL is %r, not ours; registering %s again", info.url or "(none)", service.webhook_url
        )
        try:
            await app.bot.set_webhook(
                service.webhook_url or "",
                secret_token=service.webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                max_connections=MAX_CONNECTIONS,
            )
        except TelegramError as exc:
            log.warning("webhook: could not register it again: %s", exc)
