"""Shared plumbing for handlers: services lookup, Screen -> Telegram, typed-input routing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from spasmbot.screen import Button, Screen

if TYPE_CHECKING:
    from spasmbot.clock import Clock
    from spasmbot.config import Settings
    from spasmbot.content.model import Content
    from spasmbot.storage import Store

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
InputHandler = Callable[[Update, Context, str], Awaitable[None]]


@dataclass(slots=True)
class Services:
    """Everything handlers need, kept in ``application.bot_data["services"]``."""

    content: Content
    store: Store
    clock: Clock
    settings: Settings


def services(context: Context) -> Services:
    return context.bot_data["services"]


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    return _markup(screen.rows) if screen.rows else None


@lru_cache(maxsize=1024)
def _markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup:
    """Build (once) the keyboard for a layout; menus repeat, and PTB's objects are immutable."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.text, url=b.url)
                if b.url
                else InlineKeyboardButton(b.text, callback_data=b.data)
                for b in row
            ]
            for row in rows
        ]
    )


async def reply(update: Update, context: Context, screen: Screen) -> Message:
    """Send ``screen`` as a new message in the update's chat."""
    chat = update.effective_chat
    assert chat is not None
    return await context.bot.send_message(chat.id, screen.text, reply_markup=markup(screen))


async def show(update: Update, context: Context, screen: Screen) -> None:
    """Edit the tapped message in place when the update is a button tap, else send a new one.

    A double tap that would change nothing ("message is not modified") is ignored.
    """
    query = update.callback_query
    if query is None or query.message is None or not isinstance(query.message, Message):
        await reply(update, context, screen)
        return
    if query.message.photo:  # cannot turn a photo into text: send fresh
        await reply(update, context, screen)
        return
    try:
        await query.edit_message_text(screen.text, reply_markup=markup(screen))
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        raise


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Stop the client's spinner; never let a late or duplicate answer crash a handler."""
    query = update.callback_query
    if query is None:
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:  # "query is too old", already answered
        log.debug("answerCallbackQuery failed: %s", exc)


# --- typed input ----------------------------------------------------------------------------
# A feature that asks the user to type something (a time, an interval) calls expect_input();
# the next free-text message from that user goes to the registered handler instead of the
# "I did not understand" reply. The expectation lives in user_data, so a restart forgets it and
# the text then gets the friendly hint, which is fine.

_INPUT_HANDLERS: dict[str, InputHandler] = {}


def register_input(key: str, handler: InputHandler) -> None:
    _INPUT_HANDLERS[key] = handler


def expect_input(context: Context, key: str, **data: Any) -> None:
    assert context.user_data is not None
    context.user_data["awaiting"] = key
    context.user_data["awaiting_data"] = data


def clear_input(context: Context) -> None:
    if context.user_data is not None:
        context.user_data.pop("awaiting", None)
        context.user_data.pop("awaiting_data", None)


def awaiting(context: Context) -> tuple[InputHandler, dict[str, Any]] | None:
    if context.user_data is None:
        return None
    key = context.user_data.get("awaiting")
    if key is None or key not in _INPUT_HANDLERS:
        return None
    return _INPUT_HANDLERS[key], context.user_data.get("awaiting_data", {})
