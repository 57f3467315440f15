"""The user's control: /privacy, /mydata, /forget, /stop (and the plain word "stop"), and /start's reset.

Buttons: ``spasmbot.features.privacy.callbacks``; screens: ``spasmbot.features.privacy.screens``.
"""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import Tap
from spasmbot.delivery import schedule
from spasmbot.edge.common import Context, answer, clear_input, reply, services, show
from spasmbot.edge.router import route, without_tap
from spasmbot.features.checks import store as check_store
from spasmbot.features.privacy import callbacks, screens
from spasmbot.features.privacy import store as feedback
from spasmbot.screen import Button, Screen
from spasmbot.services import Services
from spasmbot.storage import users

log = logging.getLogger(__name__)


async def on_start(svc: Services, user_id: int) -> tuple[str, list[tuple[Button, ...]]]:
    """/start resets any half-done check and lifts a "blocked" mark.

    Returns extra welcome text and buttons: reminders paused while the bot was blocked are
    offered back, not silently resumed (the user may have blocked us because of them).
    """
    await check_store.reset(svc.store, user_id)
    await users.unblock(svc.store, user_id)
    if not await schedule.has_paused(svc.store, user_id):
        return "", []
    return screens.welcome_back_blocked(svc.content)


async def resume(update: Update, context: Context) -> None:
    await answer(update)
    svc = services(context)
    user = update.effective_user
    assert user is not None
    resumed = await schedule.resume_user(svc.store, user.id)
    key = "privacy.resumed" if resumed else "privacy.nothing_to_resume"
    await show(update, context, screens.note_screen(svc.content, key))


async def privacy_home(update: Update, context: Context) -> None:
    await answer(update)
    await show(update, context, screens.home_screen(services(context).content))


async def mydata(update: Update, context: Context) -> None:
    """Send every row stored about the user as a JSON file."""
    await answer(update)
    svc = services(context)
    user = update.effective_user
    chat = update.effective_chat
    assert user is not None and chat is not None
    header = {"exported_at": svc.clock.now().isoformat(), "user_id": user.id, "note": "All times are UTC."}
    payload = await users.export_user_json(svc.store, user.id, header)  # built in a worker thread
    if payload is None:
        await reply(update, context, Screen(svc.content.ui("privacy.mydata_empty")))
        return
    await context.bot.send_document(
        chat.id,
        InputFile(payload, filename=f"spasmbot-data-{user.id}.json"),
        caption=svc.content.ui("privacy.mydata_caption", size=len(payload)),
    )


async def forget(update: Update, context: Context) -> None:
    await answer(update)
    await show(update, context, screens.forget_screen(services(context).content))


async def forget_answer(update: Update, context: Context, tap: Tap) -> None:
    await answer(update)
    svc = services(context)
    user = update.effective_user
    assert user is not None
    if tap.action is callbacks.FORGET_YES:
        await users.forget_user(svc.store, user.id)
        await clear_input(update, context)
        if context.user_data is not None:
            context.user_data.clear()
        key = "privacy.forgotten"
    else:
        key = "privacy.forget_cancelled"
    await show(update, context, screens.note_screen(svc.content, key))


async def stop(update: Update, context: Context) -> None:
    """Turn off every scheduled message, confirm, ask why (optional), offer deletion."""
    await answer(update)
    svc = services(context)
    user = update.effective_user
    assert user is not None
    stopped = await schedule.clear_due(svc.store, user.id)
    screen = screens.stopped_screen if stopped else screens.nothing_to_stop_screen
    await show(update, context, screen(svc.content))


async def stop_reason(update: Update, context: Context, tap: Tap) -> None:
    svc = services(context)
    await answer(update)
    await feedback.count_stop_reason(svc.store, tap.text("reason"))  # anonymous: no user id is kept
    await show(update, context, screens.thanks_screen(svc.content, tap.text("reason")))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("privacy", privacy_home))
    app.add_handler(CommandHandler("mydata", mydata))
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CommandHandler("stop", stop))
    route(
        app,
        callbacks.PRIVACY,
        {
            callbacks.HOME: without_tap(privacy_home),
            callbacks.MYDATA: without_tap(mydata),
            callbacks.FORGET: without_tap(forget),
            callbacks.FORGET_YES: forget_answer,
            callbacks.FORGET_NO: forget_answer,
            callbacks.STOP: without_tap(stop),
            callbacks.WHY: stop_reason,
            callbacks.RESUME: without_tap(resume),
        },
    )
