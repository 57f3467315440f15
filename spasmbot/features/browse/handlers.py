"""Browsing handlers: /start, /menu, /help, /about, one command per section, and the ``b:`` buttons
(``spasmbot.features.browse.callbacks``)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import StaleTap, Tap
from spasmbot.edge.common import Context, answer, clear_input, reply, services, show
from spasmbot.edge.router import route
from spasmbot.features.browse import callbacks
from spasmbot.features.browse import screens as render
from spasmbot.features.privacy import handlers as privacy
from spasmbot.screen import Screen


async def start(update: Update, context: Context) -> None:
    """Welcome, disclaimer and the main menu; also the way back from anything half-finished."""
    svc = services(context)
    await clear_input(update, context)
    user = update.effective_user
    preface = svc.content.ui("core.welcome")
    screen = render.main_menu(svc.content, preface)
    if user is not None:
        extra, rows = await privacy.on_start(svc, user.id)
        screen = Screen(screen.text + extra, (*rows, *screen.rows))
    await reply(update, context, screen)


async def menu(update: Update, context: Context) -> None:
    await show(update, context, render.main_menu(services(context).content))


async def help_command(update: Update, context: Context) -> None:
    content = services(context).content
    await reply(update, context, render.help_screen(content, render.command_list(content)))


async def about(update: Update, context: Context) -> None:
    await reply(update, context, render.about_screen(services(context).content))


def _section_command(section_id: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    async def open_section(update: Update, context: Context) -> None:
        content = services(context).content
        section = content.sections.get(section_id)
        screen = render.section_screen(content, section) if section else render.main_menu(content)
        await reply(update, context, screen)

    return open_section


async def on_button(update: Update, context: Context, tap: Tap) -> None:
    content = services(context).content
    target = render.target_of(content, tap)
    if target is None:
        raise StaleTap
    if target.kind == "disclaimer":  # a pop-up: the tip or nudge the button sits under stays as it is
        await answer(update, content.ui("core.alert.disclaimer"), alert=True)
        return
    await answer(update)
    await show(update, context, render.screen_for(content, target, render.command_list(content)))


async def expired(update: Update, context: Context) -> None:
    """A forged, malformed or stale button: say so briefly and offer a fresh main menu."""
    content = services(context).content
    await answer(update, content.ui("core.expired").strip()[:200])
    await show(update, context, render.main_menu(content, content.ui("core.expired")))


def register(app: Application) -> None:
    content = app.bot_data["services"].content
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("help", help_command))
    app.add_handler(CommandHandler("about", about))
    for section in content.sections.values():
        if section.command:
            app.add_handler(CommandHandler(section.command, _section_command(section.id)))
    route(app, callbacks.BROWSE, dict.fromkeys(callbacks.BROWSE, on_button), stale=expired)
