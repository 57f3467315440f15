"""Hydration handlers: /water, /drank, the ``w:`` buttons, typed settings and the ``water`` delivery kind.

Buttons: ``spasmbot.features.water.callbacks``; screens: ``spasmbot.features.water.screens``; the
rules (active hours, planning, pace, streaks): ``spasmbot.features.water.rules``; a user's state and
the actions that change it: ``spasmbot.features.water.situation``. A stale or forged ``w:`` button
gets the "this button has expired" reply with a fresh /water screen.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime

from telegram import Bot, Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import Action as CallbackAction
from spasmbot.callback_data import StaleTap, Tap
from spasmbot.chart import ChartLabels, water_chart
from spasmbot.content.model import UiText
from spasmbot.delivery import localtime, schedule
from spasmbot.delivery.schedule import Due
from spasmbot.edge.common import (
    Context,
    answer,
    clear_input,
    expect_input,
    markup,
    register_input,
    reply,
    send_screen,
    services,
    show,
)
from spasmbot.edge.delivery_job import DeliveryKind, register_kind
from spasmbot.edge.router import TapHandler, route
from spasmbot.features.timezone.handlers import ask_timezone
from spasmbot.features.water import callbacks
from spasmbot.features.water import rules as water
from spasmbot.features.water import store as water_store
from spasmbot.features.water.rules import ActiveHours, Unit, WaterSettings
from spasmbot.features.water.screens import (
    HOME,
    KIND,
    goal_label,
    goal_screen,
    home_screen,
    hours_label,
    hours_screen,
    interval_label,
    interval_screen,
    logged_screen,
    note_screen,
    nudge_screen,
    prompt_screen,
    undone_screen,
    when_label,
)
from spasmbot.features.water.situation import (
    Situation,
    TooFast,
    change,
    day_amount,
    home_view,
    log_drink,
    schedule_next,
    situation,
)
from spasmbot.services import Services
from spasmbot.storage import epoch, users

INPUT_INTERVAL = "water.interval"
INPUT_HOURS = "water.hours"
INPUT_GOAL = "water.goal"


# --- handlers ---------------------------------------------------------------------------------


async def _begin(update: Update, context: Context) -> tuple[Services, Situation]:
    """Load the user's situation (their ``users`` row is kept by the ``bot.users`` middleware)."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    return svc, await situation(svc, user.id)


async def _show_home(update: Update, context: Context, svc: Services, s: Situation, preface: str = "") -> None:
    await show(update, context, home_screen(svc.content, await home_view(svc, s), preface))


async def water_command(update: Update, context: Context) -> None:
    svc, s = await _begin(update, context)
    await reply(update, context, home_screen(svc.content, await home_view(svc, s)))


async def drank_command(update: Update, context: Context) -> None:
    """``/drank`` logs a glass; ``/drank 500``, ``/drank 330ml``, ``/drank 0.5 l`` that amount."""
    svc, s = await _begin(update, context)
    ui = svc.content.ui
    typed = " ".join(context.args or ())
    try:
        ml = water.parse_drink(typed, s.settings.glass_ml) if typed else s.settings.glass_ml
    except water.BadInput as exc:
        await reply(update, context, note_screen(ui, ui(f"water.drank_bad_{exc.reason}")))
        return
    try:
        drink_id, amount = await log_drink(svc, s, ml=ml)
    except TooFast:
        await reply(update, context, note_screen(ui, ui("water.too_fast")))
        return
    await reply(update, context, logged_screen(ui, s.settings, amount, ml, drink_id))


async def expired(update: Update, context: Context) -> None:
    """Forged, malformed or stale ``w:`` data: say so and show the current /water screen."""
    svc, s = await _begin(update, context)
    text = svc.content.ui("core.expired").strip()
    await answer(update, text[:200])
    await _show_home(update, context, svc, s, text)


Action = Callable[..., Awaitable[None]]


def _on_tap(action: Action) -> TapHandler:
    """A router handler: check the value is one a button offers, read the situation, run ``action``."""

    async def handle(update: Update, context: Context, tap: Tap) -> None:
        if not callbacks.offered(tap):
            raise StaleTap
        svc, s = await _begin(update, context)
        try:
            await action(update, context, svc, s, *callbacks.arguments(tap))
        except TooFast:  # a drink button tapped over the per-minute cap: nothing was logged
            await answer(update, svc.content.ui("water.too_fast")[:200], alert=True)

    return handle


async def _home(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await answer(update)
    await _show_home(update, context, svc, s)


async def _drank(update: Update, context: Context, svc: Services, s: Situation) -> None:
    drink_id, amount = await log_drink(svc, s)
    await answer(update)
    await show(update, context, logged_screen(svc.content.ui, s.settings, amount, s.settings.glass_ml, drink_id))


async def _drank_home(update: Update, context: Context, svc: Services, s: Situation) -> None:
    drink_id, amount = await log_drink(svc, s)
    await answer(update)
    logged = logged_screen(svc.content.ui, s.settings, amount, s.settings.glass_ml, drink_id)
    await _show_home(update, context, svc, await situation(svc, s.user_id), logged.text)


async def _undo(update: Update, context: Context, svc: Services, s: Situation, drink_id: int) -> None:
    """Take back a drink logged by mistake (its Undo button); once gone, the button is stale."""
    removed = await water_store.remove_drink(svc.store, s.user_id, drink_id)
    if removed is None:
        await expired(update, context)
        return
    if s.on:  # today's total in the schedule row changed (it may be under the goal again)
        await schedule_next(svc, s, s.settings, keep_pace=True)
    amount = await day_amount(svc, s.user_id, s.today, s.zone, s.settings)
    ui = svc.content.ui
    await answer(update, ui("water.undone", ml=f"{removed.ml:,}"))
    await show(update, context, undone_screen(ui, s.settings, amount, removed.ml))


async def _on(update: Update, context: Context, svc: Services, s: Situation) -> None:
    ui = svc.content.ui
    if s.zone_name is None:  # nudges follow local hours: ask for the zone first
        await answer(update)
        await ask_timezone(update, context, return_to=callbacks.ON(), intro=ui("water.need_zone"))
        return
    settings = replace(s.settings, paused_on=None)
    await water_store.save(svc.store, s.user_id, settings, s.now)
    # Tapping "on" proves the user reads us again: without this a row made for a user still
    # flagged as blocking the bot would start paused.
    await users.unblock(svc.store, s.user_id)
    when = await schedule_next(svc, s, settings)
    await answer(update)
    preface = ui("water.turned_on", time=when_label(ui, when, s.now, s.zone))
    await _show_home(update, context, svc, await situation(svc, s.user_id), preface)


async def _off(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await schedule.clear_due(svc.store, s.user_id, KIND)
    await answer(update)
    ui = svc.content.ui
    await _show_home(update, context, svc, await situation(svc, s.user_id), ui("water.turned_off"))


async def _interval_menu(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await answer(update)
    await show(update, context, interval_screen(svc.content.ui, s.settings))


async def _interval(update: Update, context: Context, svc: Services, s: Situation, minutes: int) -> None:
    s = await change(svc, s, replace(s.settings, interval=minutes))
    await answer(update)
    ui = svc.content.ui
    await _show_home(update, context, svc, s, ui("water.interval_set", interval=interval_label(ui, minutes)))


async def _interval_type(update: Update, context: Context, svc: Services, s: Situation) -> None:
    ui = svc.content.ui
    await expect_input(update, context, INPUT_INTERVAL)
    await answer(update)
    text = ui(
        "water.interval_prompt",
        low=interval_label(ui, water.MIN_INTERVAL),
        high=interval_label(ui, water.MAX_INTERVAL),
    )
    await show(update, context, prompt_screen(ui, text, callbacks.INTERVAL_MENU()))


async def _hours_menu(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await answer(update)
    await show(update, context, hours_screen(svc.content.ui, s.settings))


async def _hours(update: Update, context: Context, svc: Services, s: Situation, start: int, end: int) -> None:
    hours = ActiveHours(start, end)
    s = await change(svc, s, replace(s.settings, hours=hours))
    await answer(update)
    ui = svc.content.ui
    await _show_home(update, context, svc, s, ui("water.hours_set", hours=hours_label(ui, hours)))


async def _hours_type(update: Update, context: Context, svc: Services, s: Situation) -> None:
    ui = svc.content.ui
    await expect_input(update, context, INPUT_HOURS)
    await answer(update)
    await show(update, context, prompt_screen(ui, ui("water.hours_prompt"), callbacks.HOURS_MENU()))


async def _goal_menu(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await answer(update)
    await show(update, context, goal_screen(svc.content.ui, s.settings))


async def _goal(update: Update, context: Context, svc: Services, s: Situation, unit: Unit, goal: int) -> None:
    s = await change(svc, s, replace(s.settings, unit=unit, goal=goal))
    await answer(update)
    ui = svc.content.ui
    await _show_home(update, context, svc, s, ui("water.goal_set", goal=goal_label(ui, s.settings)))


async def _unit(update: Update, context: Context, svc: Services, s: Situation, unit: Unit) -> None:
    s = await change(svc, s, s.settings.with_unit(unit))
    await answer(update)
    await show(update, context, goal_screen(svc.content.ui, s.settings))


async def _glass(update: Update, context: Context, svc: Services, s: Situation, ml: int) -> None:
    s = await change(svc, s, replace(s.settings, glass_ml=ml))
    await answer(update)
    await show(update, context, goal_screen(svc.content.ui, s.settings))


async def _goal_type(update: Update, context: Context, svc: Services, s: Situation) -> None:
    ui = svc.content.ui
    await expect_input(update, context, INPUT_GOAL)
    await answer(update)
    await show(update, context, prompt_screen(ui, ui(f"water.goal_prompt_{s.settings.unit}"), callbacks.GOAL_MENU()))


async def _stop_at_goal(update: Update, context: Context, svc: Services, s: Situation, value: int) -> None:
    s = await change(svc, s, replace(s.settings, stop_at_goal=bool(value)))
    await answer(update)
    await _show_home(update, context, svc, s)


async def _chart(update: Update, context: Context, svc: Services, s: Situation, count: int) -> None:
    """Draw the last ``count`` days in a worker thread and send it as a photo."""
    await answer(update)
    ui, settings = svc.content.ui, s.settings
    days = water.last_days(s.today, count)
    drinks = await water_store.drinks_since(svc.store, s.user_id, water.day_bounds(days[0], s.zone)[0])
    totals = water.daily_totals(drinks, s.zone, settings.unit, days, settings.glass_ml)
    labels = ChartLabels(
        ui(f"water.chart_title_{count}"), ui("water.chart_goal"), ui(f"water.chart_unit_{settings.unit}")
    )
    png = await asyncio.to_thread(water_chart, list(totals.items()), settings.goal, labels)
    reached = sum(1 for value in totals.values() if value >= settings.goal)
    caption = note_screen(ui, ui("water.chart_caption", days=count, reached=reached))
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_photo(chat.id, photo=png, caption=caption.text, reply_markup=markup(caption))


async def _zone(update: Update, context: Context, svc: Services, s: Situation) -> None:
    await answer(update)
    await ask_timezone(update, context, return_to=HOME)


async def _nudge(update: Update, context: Context, svc: Services, s: Situation, action: str, nudge_id: int) -> None:
    """A button on a nudge. Drank works on any nudge we sent (logged at the time of the tap);
    snooze and skip only on the latest one while nudges are on; pause needs nudges on."""
    ui, last = svc.content.ui, s.state.last_nudge_at
    sent_by_us = last is not None and 0 < nudge_id <= last
    latest = s.on and nudge_id == last
    if not sent_by_us or (action in {"snooze", "skip"} and not latest) or (action == "pause" and not s.on):
        await expired(update, context)
        return
    if action == "drank":
        added, amount = await log_drink(svc, s, nudge_id)
        await answer(update, None if added is not None else ui("water.already_logged"))
        await show(update, context, logged_screen(ui, s.settings, amount, s.settings.glass_ml, added))
        return
    if action == "stop":
        await schedule.clear_due(svc.store, s.user_id, KIND)
        await answer(update)
        await show(update, context, note_screen(ui, ui("water.stopped")))
        return
    settings = s.settings
    if action == "pause":
        settings = replace(settings, paused_on=s.today)
        await water_store.save(svc.store, s.user_id, settings, s.now)
    wait = water.SNOOZE_MINUTES if action == "snooze" else None
    when = await schedule_next(svc, s, settings, wait=wait)
    key = {"snooze": "water.snoozed", "skip": "water.skipped", "pause": "water.paused"}[action]
    await answer(update)
    await show(update, context, note_screen(ui, ui(key, time=when_label(ui, when, s.now, s.zone))))


_ACTIONS: dict[CallbackAction, Action] = {
    callbacks.HOME: _home,
    callbacks.DRANK: _drank,
    callbacks.DRANK_HOME: _drank_home,
    callbacks.ON: _on,
    callbacks.OFF: _off,
    callbacks.INTERVAL_MENU: _interval_menu,
    callbacks.INTERVAL: _interval,
    callbacks.INTERVAL_TYPE: _interval_type,
    callbacks.HOURS_MENU: _hours_menu,
    callbacks.HOURS: _hours,
    callbacks.HOURS_TYPE: _hours_type,
    callbacks.GOAL_MENU: _goal_menu,
    callbacks.GOAL: _goal,
    callbacks.GOAL_TYPE: _goal_type,
    callbacks.UNIT: _unit,
    callbacks.GLASS: _glass,
    callbacks.STOP_AT_GOAL: _stop_at_goal,
    callbacks.CHART: _chart,
    callbacks.ZONE: _zone,
    callbacks.NUDGE: _nudge,
    callbacks.UNDO: _undo,
}


# --- typed settings ---------------------------------------------------------------------------


async def _typed(
    update: Update,
    context: Context,
    parse_and_apply: Callable[[Situation], WaterSettings],
    done: Callable[[UiText, WaterSettings], str],
    errors: Callable[[UiText, str], str],
    back: str,
) -> None:
    """Apply a typed setting; on bad input explain and keep waiting for another try."""
    svc, s = await _begin(update, context)
    ui = svc.content.ui
    try:
        settings = parse_and_apply(s)
    except water.BadInput as exc:
        await reply(update, context, prompt_screen(ui, errors(ui, exc.reason), back))
        return
    await clear_input(update, context)
    s = await change(svc, s, settings)
    await reply(update, context, home_screen(svc.content, await home_view(svc, s), done(ui, settings)))


async def typed_interval(update: Update, context: Context, text: str) -> None:
    def errors(ui: UiText, reason: str) -> str:
        low = interval_label(ui, water.MIN_INTERVAL)
        high = interval_label(ui, water.MAX_INTERVAL)
        if reason == "range":
            return ui("water.interval_bad_range", low=low, high=high)
        return ui("water.interval_bad_format")

    await _typed(
        update,
        context,
        lambda s: replace(s.settings, interval=water.parse_interval(text)),
        lambda ui, st: ui("water.interval_set", interval=interval_label(ui, st.interval)),
        errors,
        callbacks.INTERVAL_MENU(),
    )


async def typed_hours(update: Update, context: Context, text: str) -> None:
    await _typed(
        update,
        context,
        lambda s: replace(s.settings, hours=water.parse_hours(text)),
        lambda ui, st: ui("water.hours_set", hours=hours_label(ui, st.hours)),
        lambda ui, reason: ui(f"water.hours_bad_{reason}"),
        callbacks.HOURS_MENU(),
    )


def _apply_goal(s: Situation, text: str) -> WaterSettings:
    unit, goal = water.parse_goal(text, s.settings.unit)
    return replace(s.settings.with_unit(unit), goal=goal)


async def typed_goal(update: Update, context: Context, text: str) -> None:
    def errors(ui: UiText, reason: str) -> str:
        if reason == "range":
            (gl, gh), (ml, mh) = water.GOAL_LIMITS["glass"], water.GOAL_LIMITS["ml"]
            return ui("water.goal_bad_range", glass_low=gl, glass_high=gh, ml_low=ml, ml_high=mh)
        return ui("water.goal_bad_format")

    await _typed(
        update,
        context,
        lambda s: _apply_goal(s, text),
        lambda ui, st: ui("water.goal_set", goal=goal_label(ui, st)),
        errors,
        callbacks.GOAL_MENU(),
    )


# --- delivery ---------------------------------------------------------------------------------


def _next_due(svc: Services, due: Due, now: datetime) -> datetime:
    state = water.PlanState.from_payload(due.payload)
    return water.following_slot(state, due.due_at, now, localtime.zone(due.timezone))


def _moved(svc: Services, due: Due, now: datetime) -> datetime:
    state = water.PlanState.from_payload(due.payload)
    return water.moved_slot(state, due.due_at, now, localtime.zone(due.timezone))


async def send_nudge(bot: Bot, svc: Services, due: Due) -> bool:
    """Send one nudge, judged again on fresh data: never outside the active hours, never on a
    paused day or after the goal (when the user wants that), never once nudges are off."""
    s = await situation(svc, due.user_id)
    if not s.on:
        return False
    settings = s.settings
    amount = await day_amount(svc, s.user_id, s.today, s.zone, settings)
    if not water.may_nudge_now(s.now, settings, s.zone, amount >= settings.goal):
        await schedule_next(svc, s, settings, wait=0)  # the copy in the row was out of date
        return False
    content = svc.content
    nudge_id = epoch(due.due_at)
    index = water.nudge_index(s.user_id, s.state.nudge_seq, max(len(content.nudges), 1))
    screen = nudge_screen(content.ui, content.nudges, index, settings, amount, nudge_id)
    # Recorded first: the buttons of a nudge that reaches the user always work.
    await water_store.record_nudge(svc.store, s.user_id, due.due_at)
    await send_screen(bot, due.chat_id, screen)
    return True


def register(app: Application) -> None:
    register_kind(
        app,
        DeliveryKind(
            kind=KIND,
            next_due=_next_due,
            send=send_nudge,
            max_late=water.MAX_LATE,
            on_timezone_change=_moved,
        ),
    )
    register_input(app, INPUT_INTERVAL, typed_interval)
    register_input(app, INPUT_HOURS, typed_hours)
    register_input(app, INPUT_GOAL, typed_goal)
    app.add_handler(CommandHandler("water", water_command))
    app.add_handler(CommandHandler("drank", drank_command))
    route(app, callbacks.WATER, {action: _on_tap(fn) for action, fn in _ACTIONS.items()}, stale=expired)
