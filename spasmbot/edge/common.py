"""Shared plumbing for handlers: services lookup, Screen -> Telegram, typed-input routing."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes

from spasmbot.screen import Button, Screen
from spasmbot.services import Services
from spasmbot.storage import prompts

log = logging.getLogger(__name__)

Context = ContextTypes.DEFAULT_TYPE
InputHandler = Callable[[Update, Context, str], Awaitable[None]]


def services(context: Context) -> Services:
    """The services for this update, in the user's language (set by the users middleware)."""
    svc: Services = context.bot_data["services"]
    if svc.translations and context.user_data is not None:
        return svc.for_language(context.user_data.get("language"))
    return svc


def markup(screen: Screen) -> InlineKeyboardMarkup | None:
    """The screen's keyboard as PTB objects (for PTB methods that take ``reply_markup``)."""
    keyboard = keyboard_json(screen)
    return InlineKeyboardMarkup.de_json(keyboard, None) if keyboard is not None else None


def keyboard_json(screen: Screen) -> dict[str, Any] | None:
    """The screen's keyboard as Bot API JSON, built once per layout (menus repeat)."""
    return _keyboard_json(screen.rows) if screen.rows else None


@lru_cache(maxsize=1024)
def _keyboard_json(rows: tuple[tuple[Button, ...], ...]) -> dict[str, Any]:
    return {"inline_keyboard": [[_button_json(b) for b in row] for row in rows]}


def _button_json(button: Button) -> dict[str, Any]:
    if button.url:
        return {"text": button.text, "url": button.url}
    if button.switch_inline_query is not None:
        return {"text": button.text, "switch_inline_query": button.switch_inline_query}
    return {"text": button.text, "callback_data": button.data}


def _screen_params(screen: Screen) -> dict[str, Any]:
    params: dict[str, Any] = {
        "text": screen.text,
        "parse_mode": ParseMode.HTML,
        "link_preview_options": {"is_disabled": True},
    }
    keyboard = keyboard_json(screen)
    if keyboard is not None:
        params["reply_markup"] = keyboard
    return params


async def send_screen(bot: Bot, chat_id: int, screen: Screen) -> None:
    """Send ``screen`` as a new message.

    The same request as ``bot.send_message`` (HTML, no link previews, through the rate limiter,
    the same errors), made with ``Bot.do_api_request`` so the answer is not parsed into a
    ``telegram.Message``: nothing here needs it, and that parsing is most of PTB's cost per reply.
    """
    await bot.do_api_request("sendMessage", api_kwargs={"chat_id": chat_id, **_screen_params(screen)})


async def edit_screen(bot: Bot, chat_id: int, message_id: int, screen: Screen) -> None:
    """Replace a message's text and keyboard with ``screen`` (unparsed answer, as in send_screen)."""
    await bot.do_api_request(
        "editMessageText", api_kwargs={"chat_id": chat_id, "message_id": message_id, **_screen_params(screen)}
    )


async def reply(update: Update, context: Context, screen: Screen) -> None:
    """Send ``screen`` as a new message in the update's chat."""
    chat = update.effective_chat
    assert chat is not None
    await send_screen(context.bot, chat.id, screen)


async def show(update: Update, context: Context, screen: Screen) -> None:
    """Edit the tapped message in place when the update is a button tap, else send a new one.

    A double tap that would change nothing ("message is not modified") is ignored.
    """
    query = update.callback_query
    message = query.message if query is not None else None
    if not isinstance(message, Message) or message.photo or message.document:
        await reply(update, context, screen)  # no message to edit, or a photo/file: text can't replace it
        return
    try:
        await edit_screen(context.bot, message.chat.id, message.message_id, screen)
    except BadRequest as exc:
        if "not modified" in exc.message.lower():
            return
        raise


# Marks a callback query re-dispatched to another feature after it was answered (the time-zone
# picker hands the tap on to the screen it returns to): answer() then leaves it alone, since
# Telegram accepts one answer per query and refuses the second with 400.
ANSWERED = "spasmbot_answered"


async def answer(update: Update, text: str | None = None, alert: bool = False) -> None:
    """Stop the client's spinner, once; never let a late or duplicate answer crash a handler."""
    query = update.callback_query
    if query is None or query.api_kwargs.get(ANSWERED):
        return
    try:
        await query.answer(text, show_alert=alert)
    except BadRequest as exc:  # "query is too old", already answered
        log.debug("answerCallbackQuery failed: %s", exc)


# --- typed input ----------------------------------------------------------------------------
# A feature that asks the user to type something (a time, an interval) calls expect_input();
# the next free-text message from that user goes to the registered handler instead of the
# "I did not understand" reply. The prompt is stored in SQLite (``spasmbot.storage.prompts``), so
# a restart or a second process still routes the answer; it expires after a day.

_INPUT_HANDLERS = "input_handlers"  # bot_data key: the typed-input handlers of one Application


def register_input(app: Application, key: str, handler: InputHandler) -> None:
    """Route the text typed after ``expect_input(update, context, key)`` to ``handler`` (in ``app`` only)."""
    app.bot_data.setdefault(_INPUT_HANDLERS, {})[key] = handler


def _user_id(update: Update) -> int | None:
    user = update.effective_user
    return user.id if user is not None else None


async def expect_input(update: Update, context: Context, key: str, **data: Any) -> None:
    """Route the user's next text message to the handler registered for ``key`` (with ``data``)."""
    user_id = _user_id(update)
    if user_id is not None:
        svc = services(context)
        await prompts.expect(svc.store, user_id, key, data, svc.clock.now())


async def clear_input(update: Update, context: Context) -> None:
    user_id = _user_id(update)
    if user_id is not None:
        await prompts.clear(services(context).store, user_id)


async def awaiting(update: Update, context: Context) -> tuple[InputHandler, dict[str, Any]] | None:
    """The handler (and its data) the user's text answers, if a prompt is open."""
    user_id = _user_id(update)
    if user_id is None:
        return None
    svc = services(context)
    prompt = await prompts.pending(svc.store, user_id, svc.clock.now())
    handlers: dict[str, InputHandler] = context.bot_data.get(_INPUT_HANDLERS, {})
    if prompt is None or prompt.key not in handlers:
        return None
    return handlers[prompt.key], prompt.data
