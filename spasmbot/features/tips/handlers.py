"""Daily prevention tips: /tips, the ``t:`` buttons, typed times and the ``tips`` delivery kind.

Buttons: ``spasmbot.features.tips.callbacks`` (one handler per action, routed by ``spasmbot.edge.router``).
A tip message carries Read more (``b:c:<card>``), Change time, Stop.
Scheduling is the shared mechanism (``spasmbot.delivery.claims``): one ``tips`` row per subscriber,
its payload holding the local time and the rotation (``spasmbot.features.tips.store``).
"""

from __future__ import annotations

import html
import re
from datetime import time, timedelta

from telegram import Bot, Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import StaleTap, Tap
from spasmbot.delivery import localtime, schedule
from spasmbot.delivery.schedule import Due
from spasmbot.edge import delivery_job
from spasmbot.edge.common import (
    Context,
    answer,
    clear_input,
    expect_input,
    register_input,
    reply,
    send_screen,
    services,
    show,
)
from spasmbot.edge.router import route
from spasmbot.features.timezone.handlers import ask_timezone
from spasmbot.features.tips import callbacks
from spasmbot.features.tips import store as tip_store
from spasmbot.features.tips.rules import advance, latest_slot, moved_due, next_due, prepare
from spasmbot.features.tips.screens import home_screen, time_screen, tip_screen
from spasmbot.screen import Screen
from spasmbot.services import Services
from spasmbot.storage import users

KIND = tip_store.KIND
INPUT_TIME = "tips.time"
MAX_LATE = timedelta(hours=3)
_SET = re.compile(r"^t:set:(\d{2})(\d{2})$")


async def send_tip(bot: Bot, svc: Services, due: Due) -> bool:
    screen = tip_screen(svc, str(due.payload.get("tip")))
    if screen is None:  # empty pool
        return False
    await send_screen(bot, due.chat_id, screen)
    return True


TIPS = delivery_job.DeliveryKind(
    kind=KIND,
    next_due=next_due,
    send=send_tip,
    max_late=MAX_LATE,
    advance=advance,
    prepare=prepare,
    on_timezone_change=moved_due,
    latest_slot=latest_slot,
)


async def _home(svc: Services, user_id: int, preface: str = "") -> Screen:
    return home_screen(svc, await schedule.get_due(svc.store, user_id, KIND), preface)


async def _set_time(svc: Services, user_id: int, at: time) -> str:
    """Subscribe at ``at`` (or move the time); the confirmation line with the next tip."""
    tz_name = await users.get_timezone(svc.store, user_id) or "UTC"
    now = svc.clock.now()
    due_at = localtime.next_daily(at, localtime.zone(tz_name), now)
    await tip_store.subscribe(svc.store, user_id, f"{at:%H:%M}", due_at)
    return svc.content.ui("tips.subscribed", time=f"{at:%H:%M}")


async def _ask_time(update: Update, context: Context, fresh: bool = False) -> None:
    svc = services(context)
    await expect_input(update, context, INPUT_TIME)
    await _present(update, context, time_screen(svc), fresh)


async def _present(update: Update, context: Context, screen: Screen, fresh: bool) -> None:
    """Edit the tapped message, or (buttons on a tip) answer below it and leave the tip alone."""
    if fresh:
        await reply(update, context, screen)
    else:
        await show(update, context, screen)


async def tips_command(update: Update, context: Context) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    await reply(update, context, await _home(svc, user.id))


async def on_home(update: Update, context: Context, tap: Tap) -> None:
    svc = services(context)
    await answer(update)
    await _present(update, context, await _home(svc, _user_id(update)), fresh=tap.action is callbacks.HOME_NEW)


async def on_time(update: Update, context: Context, tap: Tap) -> None:
    """Subscribe or change the time: local times need the zone first (and come back here after)."""
    svc = services(context)
    await answer(update)
    if await users.get_timezone(svc.store, _user_id(update)) is None:
        return_to = callbacks.SUBSCRIBE() if tap.action is callbacks.SUBSCRIBE else callbacks.TIME()
        await ask_timezone(update, context, return_to=return_to, intro=svc.content.ui("tips.need_zone"))
    else:
        await _ask_time(update, context, fresh=tap.action is callbacks.TIME_NEW)


async def on_zone(update: Update, context: Context, tap: Tap) -> None:
    await answer(update)
    await ask_timezone(update, context, return_to=callbacks.HOME())


async def on_stop(update: Update, context: Context, tap: Tap) -> None:
    svc = services(context)
    user_id = _user_id(update)
    stopped = await tip_store.unsubscribe(svc.store, user_id)
    await answer(update)
    preface = svc.content.ui("tips.stopped") if stopped else ""
    await _present(update, context, await _home(svc, user_id, preface), fresh=tap.action is callbacks.STOP_NEW)


async def on_set(update: Update, context: Context, tap: Tap) -> None:
    svc = services(context)
    user_id = _user_id(update)
    hhmm = tap.text("hhmm")
    at = localtime.parse_hhmm(f"{hhmm[:2]}:{hhmm[2:]}")
    if at is None:
        raise StaleTap
    if await users.get_timezone(svc.store, user_id) is None:
        await answer(update)
        await ask_timezone(update, context, return_to=callbacks.TIME(), intro=svc.content.ui("tips.need_zone"))
        return
    line = await _set_time(svc, user_id, at)
    await answer(update)
    await show(update, context, await _home(svc, user_id, line))


def _user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def _stale(update: Update, context: Context) -> None:
    """A tips button we cannot read (old message, changed format): say so, show a fresh home."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    await answer(update, svc.content.ui("core.expired").strip()[:200])
    await show(update, context, await _home(svc, user.id, svc.content.ui("core.expired")))


async def typed_time(update: Update, context: Context, text: str) -> None:
    """A time typed after "type a time": 7:30, 07:30, 19:45; anything else asks again."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    at = localtime.parse_hhmm(text)
    if at is None:
        await expect_input(update, context, INPUT_TIME)
        hint = svc.content.ui("tips.bad_time", text=html.escape(text[:32]))
        await reply(update, context, time_screen(svc, hint))
        return
    if await users.get_timezone(svc.store, user.id) is None:
        await ask_timezone(update, context, return_to=callbacks.TIME(), intro=svc.content.ui("tips.need_zone"))
        return
    await clear_input(update, context)  # answered: the next text is a question again, not another time
    line = await _set_time(svc, user.id, at)
    await reply(update, context, await _home(svc, user.id, line))


def register(app: Application) -> None:
    delivery_job.register_kind(app, TIPS)
    register_input(app, INPUT_TIME, typed_time)
    app.add_handler(CommandHandler("tips", tips_command))
    route(
        app,
        callbacks.TIPS,
        {
            callbacks.HOME: on_home,
            callbacks.HOME_NEW: on_home,
            callbacks.SUBSCRIBE: on_time,
            callbacks.TIME: on_time,
            callbacks.TIME_NEW: on_time,
            callbacks.ZONE: on_zone,
            callbacks.STOP: on_stop,
            callbacks.STOP_NEW: on_stop,
            callbacks.SET: on_set,
        },
        stale=_stale,
    )
