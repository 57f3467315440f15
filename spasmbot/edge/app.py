"""Builds the one telegram.ext.Application used on Telegram, in the console, in tests and benchmarks."""

from __future__ import annotations

import html
import importlib
import logging
import warnings
from types import ModuleType

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest
from telegram.warnings import PTBUserWarning

from spasmbot.clock import Clock
from spasmbot.config import Settings
from spasmbot.content.model import Content
from spasmbot.edge import delivery_job, retention, router, users
from spasmbot.edge.common import Context, answer, awaiting, clear_input, reply, services
from spasmbot.edge.fatal import TOKEN_REJECTED, stop_for, token_rejected
from spasmbot.edge.lanes import TwoLaneLimiter
from spasmbot.edge.metrics import BotMetrics, ObservedApplication, ObservedRequest, metrics_of
from spasmbot.edge.ordering import ChatOrderedProcessor
from spasmbot.features import FEATURES
from spasmbot.features.browse import handlers as browse
from spasmbot.features.browse import screens as render
from spasmbot.features.privacy import handlers as privacy
from spasmbot.features.search import handlers as search
from spasmbot.logs import FailureTally
from spasmbot.services import Services
from spasmbot.storage import Store

log = logging.getLogger(__name__)

OFFLINE_TOKEN = "123456789:OFFLINE-console-token-not-used-anywhere"

# The shared edge registers first (the users middleware, the delivery job, the daily retention
# job), then the features in the order of spasmbot.features.FEATURES; the fallbacks below are
# registered after all of them.
EDGE: tuple[ModuleType, ...] = (users, delivery_job, retention)


def feature_handlers() -> list[ModuleType]:
    """The ``handlers`` module of every feature in the feature list, in order."""
    return [importlib.import_module(f"spasmbot.features.{name}.handlers") for name in FEATURES]


def build_application(
    settings: Settings,
    content: Content,
    store: Store,
    clock: Clock,
    *,
    request: BaseRequest | None = None,
    rate_limiter: bool = True,
    translations: dict[str, Content] | None = None,
) -> Application:
    _ignore_deliberate_warnings()
    builder = (
        ApplicationBuilder()
        .token(settings.token or OFFLINE_TOKEN)
        .base_url(settings.base_url)
        .base_file_url(settings.base_file_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .post_init(on_startup)
        .concurrent_updates(ChatOrderedProcessor(settings.concurrency))
    )
    # Every Bot API call goes through ObservedRequest and every update through ObservedApplication,
    # so /metrics and /healthz see them (spasmbot.edge.metrics); PTB's own defaults otherwise.
    metrics = BotMetrics(clock)
    transports = (
        ObservedRequest(request or HTTPXRequest(connection_pool_size=256), metrics),
        ObservedRequest(request or HTTPXRequest(connection_pool_size=1), metrics),
    )
    builder = builder.application_class(ObservedApplication).request(transports[0]).get_updates_request(transports[1])
    if rate_limiter:  # replies go at once; scheduled sends are paced (spasmbot.edge.lanes)
        builder = builder.rate_limiter(TwoLaneLimiter())
    app = builder.build()
    app.bot_data["metrics"] = metrics
    for transport in transports:  # a 401 on any call, getUpdates included: spasmbot.edge.fatal
        transport.on_unauthorized = lambda: stop_for(app, TOKEN_REJECTED)
    app.bot_data["services"] = Services(
        content=content, store=store, clock=clock, settings=settings, translations=dict(translations or {})
    )
    app.add_handler(TypeHandler(Update, _forget_pending_input), group=-2)
    router.install(app, fallback=browse.expired)
    for module in (*EDGE, *feature_handlers()):
        module.register(app)
    _register_fallbacks(app)
    app.add_error_handler(on_error)
    return app


def _ignore_deliberate_warnings() -> None:
    """``common.send_screen``/``edit_screen`` use ``Bot.do_api_request`` on purpose (see there); PTB
    warns about that use. Set here, when an Application is built, never as a side effect of an import
    (the ``warnings`` filters are process-wide; adding the same filter again replaces it)."""
    warnings.filterwarnings("ignore", message=r"Please use 'Bot\.", category=PTBUserWarning)


async def on_startup(app: Application) -> None:
    """Publish the command list so Telegram's "/" menu shows it (in each language we speak)."""
    svc: Services = app.bot_data["services"]
    for language, content in [(None, svc.content), *svc.translations.items()]:
        await app.bot.set_my_commands(
            [BotCommand(name, description) for name, description in render.command_list(content)],
            language_code=language,
        )


async def _forget_pending_input(update: Update, context: Context) -> None:
    """A command or a button tap means the user moved on from "type a time" and similar prompts."""
    message = update.effective_message
    is_command = bool(message and message.text and message.text.startswith("/"))
    if update.callback_query is not None or is_command:
        await clear_input(update, context)


def _register_fallbacks(app: Application) -> None:
    app.add_handler(MessageHandler(filters.COMMAND, _unknown_command))
    app.add_handler(MessageHandler(filters.TEXT, _free_text))
    app.add_handler(MessageHandler(filters.ALL & ~filters.StatusUpdate.ALL, _not_text))
    router.register(app)  # every callback query no feature's own handler took


async def _unknown_command(update: Update, context: Context) -> None:
    content = services(context).content
    await reply(update, context, render.main_menu(content, content.ui("core.unknown_command")))


async def _free_text(update: Update, context: Context) -> None:
    """Typed text: "stop" always wins, then an awaited input ("type a time"), else it is a question."""
    message = update.effective_message
    text = (message.text or "").strip() if message else ""
    if text.lower().strip(" !.") == "stop":  # always wins, even over a pending "type a time" prompt
        await clear_input(update, context)
        await privacy.stop(update, context)
        return
    pending = await awaiting(update, context)
    if pending is not None and text:
        handler, _ = pending
        await handler(update, context, text)
        return
    if text:
        await search.on_text(update, context, text)
        return
    await _not_text(update, context)


async def _not_text(update: Update, context: Context) -> None:
    """Stickers, photos, voice: say we read text, and show the menu."""
    content = services(context).content
    await reply(update, context, render.main_menu(content, content.ui("core.free_text")))


async def on_error(update: object, context: Context) -> None:
    """Log every unexpected error once, then tell the user politely (if we still can)."""
    error = context.error
    metrics = metrics_of(context.application)
    if metrics is not None:
        metrics.errors.labels("job" if context.job is not None else "update").inc()
    if isinstance(error, Forbidden):
        log.info("user blocked the bot: %s", error)
        return
    if token_rejected(error):
        stop_for(context.application, TOKEN_REJECTED)
        return
    if context.job is not None and error is not None:  # a job failing every tick: one line per kind
        name = context.job.name or "job"
        tally = context.bot_data.setdefault(f"failures.{name}", FailureTally(log, f"{name} job"))
        tally.failed(error)
        return
    log.error("error while handling an update", exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    try:
        await answer(update)
        content = services(context).content
        await context.bot.send_message(update.effective_chat.id, content.ui("core.error"))
    except TelegramError as exc:
        log.warning("could not tell the user about the error: %s", html.escape(str(exc)))
