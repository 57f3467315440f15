"""The user's control: /privacy, /mydata, /forget, /stop (and the plain word "stop"), and /start's reset."""

from __future__ import annotations

import logging

from telegram import InputFile, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from spasmbot.delivery import schedule
from spasmbot.edge.common import Context, answer, clear_input, reply, services, show
from spasmbot.features.browse import screens as render
from spasmbot.features.checks import store as check_store
from spasmbot.features.privacy import store as feedback
from spasmbot.screen import Button, Screen, rows_of
from spasmbot.services import Services
from spasmbot.storage import users

log = logging.getLogger(__name__)

STOP_REASONS = ("too_many", "bad_time", "not_useful", "feel_better", "other")


async def on_start(svc: Services, user_id: int) -> tuple[str, list[tuple[Button, ...]]]:
    """/start resets any half-done check and lifts a "blocked" mark.

    Returns extra welcome text and buttons: reminders paused while the bot was blocked are
    offered back, not silently resumed (the user may have blocked us because of them).
    """
    await check_store.reset(svc.store, user_id)
    await users.unblock(svc.store, user_id)
    if not await schedule.has_paused(svc.store, user_id):
        return "", []
    ui = svc.content.ui
    return ui("privacy.welcome_back_blocked"), [
        (Button(ui("privacy.button.resume"), "p:resume"), Button(ui("privacy.button.stop"), "p:stop"))
    ]


async def resume(update: Update, context: Context) -> None:
    await answer(update)
    svc = services(context)
    user = update.effective_user
    assert user is not None
    resumed = await schedule.resume_user(svc.store, user.id)
    text = svc.content.ui("privacy.resumed" if resumed else "privacy.nothing_to_resume")
    await show(update, context, Screen(text, ((render.menu_button(svc.content),),)))


def _home_screen(svc: Services) -> Screen:
    ui = svc.content.ui
    return Screen(
        ui("privacy.home"),
        (
            (Button(ui("privacy.button.mydata"), "p:mydata"),),
            (Button(ui("privacy.button.forget"), "p:forget"),),
            (Button(ui("privacy.button.stop"), "p:stop"),),
            (render.menu_button(svc.content),),
        ),
    )


async def privacy_home(update: Update, context: Context) -> None:
    await answer(update)
    await show(update, context, _home_screen(services(context)))


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
    ui = services(context).content.ui
    await show(update, context, Screen(
        ui("privacy.forget_confirm"),
        ((Button(ui("privacy.button.forget_yes"), "p:forget:yes"),
          Button(ui("privacy.button.forget_no"), "p:forget:no")),),
    ))


async def forget_answer(update: Update, context: Context) -> None:
    await answer(update)
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    if query.data == "p:forget:yes":
        await users.forget_user(svc.store, user.id)
        clear_input(context)
        if context.user_data is not None:
            context.user_data.clear()
        text = svc.content.ui("privacy.forgotten")
    else:
        text = svc.content.ui("privacy.forget_cancelled")
    await show(update, context, Screen(text, ((render.menu_button(svc.content),),)))


async def stop(update: Update, context: Context) -> None:
    """Turn off every scheduled message, confirm, ask why (optional), offer deletion."""
    await answer(update)
    svc = services(context)
    user = update.effective_user
    assert user is not None
    stopped = await schedule.clear_due(svc.store, user.id)
    ui = svc.content.ui
    if not stopped:
        await show(update, context, Screen(
            ui("privacy.nothing_to_stop"),
            ((Button(ui("privacy.button.forget_offer"), "p:forget"),), (render.menu_button(svc.content),)),
        ))
        return
    reasons = [Button(ui(f"privacy.reasons.labels.{r}"), f"p:why:{r}") for r in STOP_REASONS]
    await show(update, context, Screen(
        ui("privacy.stopped"),
        (*rows_of(reasons, 2), (Button(ui("privacy.button.forget_offer"), "p:forget"),),
         (render.menu_button(svc.content),)),
    ))


async def stop_reason(update: Update, context: Context) -> None:
    svc = services(context)
    query = update.callback_query
    assert query is not None
    reason = (query.data or "").removeprefix("p:why:")
    if reason not in STOP_REASONS:
        from spasmbot.features.browse.handlers import expired

        await expired(update, context)
        return
    await answer(update)
    await feedback.count_stop_reason(svc.store, reason)  # anonymous: no user id is kept
    ui = svc.content.ui
    await show(update, context, Screen(
        ui("privacy.thanks"),
        ((Button(ui("privacy.button.forget_offer"), "p:forget"),), (render.menu_button(svc.content),)),
    ))


def register(app: Application) -> None:
    app.add_handler(CommandHandler("privacy", privacy_home))
    app.add_handler(CommandHandler("mydata", mydata))
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CommandHandler("stop", stop))
    app.add_handler(CallbackQueryHandler(privacy_home, pattern=r"^p:home$"))
    app.add_handler(CallbackQueryHandler(mydata, pattern=r"^p:mydata$"))
    app.add_handler(CallbackQueryHandler(forget, pattern=r"^p:forget$"))
    app.add_handler(CallbackQueryHandler(forget_answer, pattern=r"^p:forget:(yes|no)$"))
    app.add_handler(CallbackQueryHandler(stop, pattern=r"^p:stop$"))
    app.add_handler(CallbackQueryHandler(stop_reason, pattern=r"^p:why:"))
    app.add_handler(CallbackQueryHandler(resume, pattern=r"^p:resume$"))
