"""Daily prevention tips: /tips, the ``t:`` buttons, typed times and the ``tips`` delivery kind.

Screens: ``t:home`` (status and next tip), ``t:sub`` (start: zone first if unknown, then the
time), ``t:time`` (preset times and "type a time"), ``t:set:HHMM``, ``t:tz`` (zone picker),
``t:stop``. A tip message carries Read more (``b:c:<card>``), Change time, Stop.
Scheduling is the shared mechanism (``spasmbot.scheduling``): one ``tips`` row per subscriber,
its payload holding the local time and the rotation (``spasmbot.storage.tips``).
"""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from spasmbot import render, scheduling, timezones
from spasmbot.bot import delivery
from spasmbot.bot.common import (
    Context,
    Services,
    answer,
    expect_input,
    register_input,
    reply,
    send_screen,
    services,
    show,
)
from spasmbot.bot.timezone import ask_timezone
from spasmbot.scheduling import Due
from spasmbot.screen import Button, Screen, rows_of
from spasmbot.storage import schedule, users
from spasmbot.storage import tips as tip_store

KIND = tip_store.KIND
HOME = "t:home"
INPUT_TIME = "tips.time"
PRESETS = ("07:00", "08:00", "12:00", "18:00", "21:00")
MAX_LATE = timedelta(hours=3)
_SET = re.compile(r"^t:set:(\d{2})(\d{2})$", re.ASCII)


# --- the delivery kind -----------------------------------------------------------------------


def _time_of(due: Due) -> time:
    parsed = scheduling.parse_hhmm(str(due.payload.get("time", "")))
    if parsed is None:
        raise ValueError(f"tips row of user {due.user_id} has no valid time: {due.payload!r}")
    return parsed


def next_due(svc: Services, due: Due, now: datetime) -> datetime:
    """Tomorrow's (or the next) local slot after both the slot just taken and now."""
    return scheduling.next_daily(_time_of(due), scheduling.zone(due.timezone), max(now, due.due_at))


def latest_slot(svc: Services, due: Due, now: datetime) -> datetime | None:
    """The last local slot at or before ``now`` (for catching up after a long outage)."""
    at, zone = _time_of(due), scheduling.zone(due.timezone)
    slot = scheduling.next_daily(at, zone, now - timedelta(hours=26))  # a day back, DST included
    while (following := scheduling.next_daily(at, zone, slot)) <= now:
        slot = following
    return slot if slot <= now else None


def moved_due(svc: Services, due: Due, now: datetime) -> datetime:
    """The user changed zone: the next slot at the same local time in the new zone."""
    return scheduling.next_daily(_time_of(due), scheduling.zone(due.timezone), now)


_CURRENT_POOL = "tips.current_pool"


async def prepare(svc: Services) -> None:
    """Once per pass: the current tip list's pool id (created if new), and all pools cached."""
    svc.store.cache[_CURRENT_POOL] = await tip_store.ensure_pool(svc.store, svc.content.tips)


def advance(svc: Services, due: Due) -> dict[str, Any]:
    """Pick this slot's tip and move the rotation on; stored with the claim."""
    pools = tip_store.cached_pools(svc.store)
    current: int = svc.store.cache[_CURRENT_POOL]
    rotation = tip_store.Rotation.from_payload(due.payload)
    tip_id, after = tip_store.pick(rotation, due.user_id, pools, current, svc.content.tips)
    payload = {**due.payload, **after.to_payload()}
    payload["tip"] = tip_id
    return payload


def tip_screen(svc: Services, tip_id: str) -> Screen | None:
    content = svc.content
    tip = content.tips.get(tip_id)
    if tip is None:
        return None
    ui = content.ui
    rows: list[tuple[Button, ...]] = []
    if tip.card in content.cards:
        rows.append((Button(ui("tips.button.read_more"), render.card_data(tip.card)),))
    # ":n" = answer with a new message, so the tip itself stays readable in the chat
    rows.append(
        (Button(ui("tips.button.change_time"), "t:time:n"), Button(ui("tips.button.stop"), "t:stop:n"))
    )
    return Screen(ui("tips.message", text=tip.text), tuple(rows))


async def send_tip(bot: Bot, svc: Services, due: Due) -> bool:
    screen = tip_screen(svc, str(due.payload.get("tip")))
    if screen is None:  # empty pool
        return False
    await send_screen(bot, due.chat_id, screen)
    return True


TIPS = delivery.DeliveryKind(
    kind=KIND,
    next_due=next_due,
    send=send_tip,
    max_late=MAX_LATE,
    advance=advance,
    prepare=prepare,
    on_timezone_change=moved_due,
    latest_slot=latest_slot,
)


# --- screens ---------------------------------------------------------------------------------


def _hhmm(value: time) -> str:
    return f"{value:%H:%M}"


async def home_screen(svc: Services, user_id: int, preface: str = "") -> Screen:
    """Status: on (time, zone, next tip) or off, with the matching buttons."""
    ui = svc.content.ui
    due = await schedule.get_due(svc.store, user_id, KIND)
    if due is None:
        text = ui("tips.home_off")
        rows: tuple[tuple[Button, ...], ...] = (
            (Button(ui("tips.button.subscribe"), "t:sub"),),
            (render.menu_button(svc.content),),
        )
    else:
        zone = due.timezone or "UTC"
        when = timezones.format_when(due.due_at, zone, svc.clock.now(), ui)
        text = ui("tips.home_on", time=html.escape(str(due.payload.get("time"))), zone=zone)
        text += "\n" + (ui("tips.paused") if due.paused else ui("tips.next", when=when))
        rows = (
            (Button(ui("tips.button.change_time"), "t:time"), Button(ui("tips.button.zone"), "t:tz")),
            (Button(ui("tips.button.stop"), "t:stop"),),
            (render.menu_button(svc.content),),
        )
    if preface:
        text = f"{preface.strip()}\n\n{text}"
    return Screen(text, rows)


def time_screen(svc: Services, preface: str = "") -> Screen:
    ui = svc.content.ui
    buttons = [Button(p, "t:set:" + p.replace(":", "")) for p in PRESETS]
    text = ui("tips.ask_time")
    if preface:
        text = f"{preface.strip()}\n\n{text}"
    return Screen(
        text,
        (*rows_of(buttons, 3), (Button(ui("core.button.back"), HOME),)),
    )


async def _set_time(svc: Services, user_id: int, at: time) -> str:
    """Subscribe at ``at`` (or move the time); the confirmation line with the next tip."""
    tz_name = await users.get_timezone(svc.store, user_id) or "UTC"
    now = svc.clock.now()
    due_at = scheduling.next_daily(at, scheduling.zone(tz_name), now)
    await tip_store.subscribe(svc.store, user_id, _hhmm(at), due_at)
    return svc.content.ui("tips.subscribed", time=_hhmm(at))


async def _ask_time(update: Update, context: Context, fresh: bool = False) -> None:
    svc = services(context)
    expect_input(context, INPUT_TIME)
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
    await reply(update, context, await home_screen(svc, user.id))


async def on_button(update: Update, context: Context) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    data = query.data or ""
    fresh = data in ("t:time:n", "t:stop:n")
    data = data.removesuffix(":n") if fresh else data
    ui = svc.content.ui
    has_zone = await users.get_timezone(svc.store, user.id) is not None
    if data == HOME:
        await answer(update)
        await show(update, context, await home_screen(svc, user.id))
    elif data in ("t:sub", "t:time"):
        await answer(update)
        if not has_zone:  # local times need the zone first; come back here afterwards
            await ask_timezone(update, context, return_to=data, intro=ui("tips.need_zone"))
        else:
            await _ask_time(update, context, fresh)
    elif data == "t:tz":
        await answer(update)
        await ask_timezone(update, context, return_to=HOME)
    elif data == "t:stop":
        stopped = await tip_store.unsubscribe(svc.store, user.id)
        await answer(update)
        preface = ui("tips.stopped") if stopped else ""
        await _present(update, context, await home_screen(svc, user.id, preface), fresh)
    elif (match := _SET.match(data)) and (at := _valid(match.group(1), match.group(2))):
        if not has_zone:
            await answer(update)
            await ask_timezone(update, context, return_to="t:time", intro=ui("tips.need_zone"))
            return
        line = await _set_time(svc, user.id, at)
        await answer(update)
        await show(update, context, await home_screen(svc, user.id, line))
    else:
        await _stale(update, context)


def _valid(hour: str, minute: str) -> time | None:
    return scheduling.parse_hhmm(f"{hour}:{minute}")


async def _stale(update: Update, context: Context) -> None:
    """A tips button we cannot read (old message, changed format): say so, show a fresh home."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    await answer(update, svc.content.ui("core.expired").strip()[:200])
    await show(update, context, await home_screen(svc, user.id, svc.content.ui("core.expired")))


async def typed_time(update: Update, context: Context, text: str) -> None:
    """A time typed after "type a time": 7:30, 07:30, 19:45; anything else asks again."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    at = scheduling.parse_hhmm(text)
    if at is None:
        expect_input(context, INPUT_TIME)
        hint = svc.content.ui("tips.bad_time", text=html.escape(text[:32]))
        await reply(update, context, time_screen(svc, hint))
        return
    if await users.get_timezone(svc.store, user.id) is None:
        await ask_timezone(update, context, return_to="t:time", intro=svc.content.ui("tips.need_zone"))
        return
    line = await _set_time(svc, user.id, at)
    await reply(update, context, await home_screen(svc, user.id, line))


def register(app: Application) -> None:
    delivery.register_kind(TIPS)
    register_input(INPUT_TIME, typed_time)
    app.add_handler(CommandHandler("tips", tips_command))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^t:"))
