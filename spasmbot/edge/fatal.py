"""Conditions the running bot cannot get out of by itself end the process with one clear line.

The one such condition today: Telegram no longer accepts the token (revoked or replaced in
@BotFather while the bot runs). PTB's polling loop then stops quietly and the process would stay
up doing nothing, with no restart policy firing. So any 401 Unauthorized, from ``getUpdates``
(seen by ``spasmbot.edge.metrics.ObservedRequest``), from a reply or from a scheduled send, calls
:func:`stop_for`; ``spasmbot run`` waits for it next
to SIGTERM and exits with the configuration-error code (see ``spasmbot.cli``). Deliveries that
met the 401 are handed back, never marked failed: the fault is the bot's, not the user's.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram.error import EndPointNotFound, InvalidToken
from telegram.ext import Application

log = logging.getLogger(__name__)

TOKEN_REJECTED = (
    "Telegram stopped accepting TELEGRAM_BOT_TOKEN while the bot was running (revoked or "
    "replaced in @BotFather?); set a valid token and start the bot again"
)
_KEY = "edge.fatal"


@dataclass(slots=True)
class FatalStop:
    """Set once; ``message`` is the one line to print."""

    event: asyncio.Event = field(default_factory=asyncio.Event)
    message: str = ""


def fatal(app: Application[Any, Any, Any, Any, Any, Any]) -> FatalStop:
    state: FatalStop | None = app.bot_data.get(_KEY)
    if state is None:
        state = app.bot_data[_KEY] = FatalStop()
    return state


def stop_for(app: Application[Any, Any, Any, Any, Any, Any], message: str) -> None:
    """Ask ``spasmbot run`` to stop with ``message`` (first call wins; later ones are ignored)."""
    state = fatal(app)
    if not state.event.is_set():
        state.message = message
        state.event.set()
        log.error("%s", message)


def token_rejected(error: BaseException | None) -> bool:
    """Whether ``error`` is Telegram refusing the token (401/404).

    ``Bot.do_api_request`` (how replies and scheduled messages are sent) reports it as
    ``EndPointNotFound`` caused by ``InvalidToken``: sendMessage and friends always exist.
    """
    if isinstance(error, InvalidToken):
        return True
    return isinstance(error, EndPointNotFound) and isinstance(error.__cause__, InvalidToken)


async def until_stopped(app: Application[Any, Any, Any, Any, Any, Any], stop: asyncio.Event) -> None:
    """Wait for ``stop`` (SIGTERM, SIGINT) or for :func:`stop_for`, whichever comes first."""
    waits = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(fatal(app).event.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiting in waits:
            waiting.cancel()
