"""Hydration screens and button data: what /water, its settings and a nudge look like.

Telegram-free (the handlers in ``spasmbot.features.water.handlers`` send these Screens). Their
callback data is declared in ``spasmbot.features.water.callbacks``.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from spasmbot.content.model import Content, UiText
from spasmbot.features.browse import screens as render
from spasmbot.features.water import callbacks
from spasmbot.features.water import rules as water
from spasmbot.features.water.rules import ActiveHours, WaterSettings
from spasmbot.screen import Button, Screen, rows_of

KIND = "water"
HOME = callbacks.HOME()
DRANK = callbacks.DRANK()
DRANK_HOME = callbacks.DRANK_HOME()
BAR_CELLS = 8


# --- words ------------------------------------------------------------------------------------


def clock_label(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def hours_label(ui: UiText, hours: ActiveHours) -> str:
    return ui("water.hours_range", start=clock_label(hours.start), end=clock_label(hours.end))


def interval_label(ui: UiText, minutes: int) -> str:
    h, m = divmod(minutes, 60)
    if not h:
        return ui("water.interval_min", m=m)
    if not m:
        return ui("water.interval_h", h=h)
    return ui("water.interval_h_min", h=h, m=m)


def goal_label(ui: UiText, settings: WaterSettings) -> str:
    return ui(f"water.goal_value_{settings.unit}", goal=settings.goal)


def when_label(ui: UiText, instant: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``14:30``, ``tomorrow at 08:00`` or ``Wed 04 Mar at 08:00``, in the user's zone."""
    local = instant.astimezone(zone)
    time = local.strftime("%H:%M")
    days = (local.date() - now.astimezone(zone).date()).days
    if days <= 0:
        return ui("water.time_today", time=time)
    if days == 1:
        return ui("water.time_tomorrow", time=time)
    return ui("water.time_later", day=local.strftime(ui("water.time_day_format")), time=time)


def bar(amount: int, goal: int) -> str:
    filled = min(BAR_CELLS, amount * BAR_CELLS // goal) if goal else 0
    return "▰" * filled + "▱" * (BAR_CELLS - filled)


def number(value: int) -> str:
    """``1305`` -> ``1,305``: amounts in millilitres read better grouped."""
    return f"{value:,}"


def today_line(ui: UiText, settings: WaterSettings, amount: int) -> str:
    return ui(f"water.today_{settings.unit}", amount=number(amount), goal=number(settings.goal))


# --- screens ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HomeView:
    """Everything the /water screen shows, gathered from the store."""

    now: datetime
    zone: ZoneInfo
    zone_name: str | None  # None: the user has not picked a zone yet
    settings: WaterSettings
    on: bool  # enabled and a nudge is scheduled
    next_due: datetime | None
    progress: water.Progress


def home_screen(content: Content, view: HomeView, preface: str = "") -> Screen:
    ui = content.ui
    s, p = view.settings, view.progress
    lines = [ui("water.title"), "", f"{today_line(ui, s, p.amount)}  {bar(p.amount, p.goal)}"]
    if p.reached:
        lines.append(ui("water.goal_reached"))
    elif not p.logged_ever:
        lines.append(ui("water.pace_first"))
    elif p.behind:
        lines.append(ui(f"water.pace_behind_{s.unit}", expected=number(p.expected), behind=number(p.behind)))
    else:
        lines.append(ui("water.pace_ok"))
    if p.streak == 1:
        lines.append(ui("water.streak_one"))
    elif p.streak > 1:
        lines.append(ui("water.streak", days=p.streak))
    lines.append("")
    interval, hours = interval_label(ui, s.interval), hours_label(ui, s.hours)
    if view.on:
        lines.append(ui("water.nudges_on", interval=interval, hours=hours))
        if s.paused_on == p.today:
            lines.append(ui("water.nudges_paused"))
        elif p.reached and s.stop_at_goal:
            lines.append(ui("water.nudges_done_today"))
        if view.next_due is not None:
            lines.append(ui("water.next_nudge", time=when_label(ui, view.next_due, view.now, view.zone)))
    else:
        lines.append(ui("water.nudges_off", interval=interval, hours=hours))
    lines.append(ui(f"water.goal_line_{s.unit}", goal=s.goal, glass_ml=s.glass_ml))
    lines.append(ui("water.stop_at_goal_on" if s.stop_at_goal else "water.stop_at_goal_off"))
    if view.zone_name:
        lines.append(ui("water.zone_line", zone=html.escape(view.zone_name)))
    else:
        lines.append(ui("water.zone_unset"))
    lines += ["", ui("water.history_title")]
    day_format = ui("water.history_day_format")
    for day, value in p.history:
        line = ui("water.history_line", day=day.strftime(day_format), bar=bar(value, p.goal), amount=value)
        lines.append(line + (ui("water.history_reached") if value >= p.goal else ""))
    text = "\n".join(lines)
    if preface:
        text = f"{preface}\n\n{text}"
    if view.on:
        toggle = Button(ui("water.button.turn_off"), callbacks.OFF())
    else:
        toggle = Button(ui("water.button.turn_on"), callbacks.ON())
    sag = "water.button.stop_at_goal_on" if s.stop_at_goal else "water.button.stop_at_goal_off"
    rows = (
        (Button(ui("water.button.drank"), DRANK_HOME),),
        (toggle,),
        (
            Button(ui("water.button.interval"), callbacks.INTERVAL_MENU()),
            Button(ui("water.button.hours"), callbacks.HOURS_MENU()),
        ),
        (
            Button(ui("water.button.goal"), callbacks.GOAL_MENU()),
            Button(ui(sag), callbacks.STOP_AT_GOAL(int(not s.stop_at_goal))),
        ),
        tuple(Button(ui(f"water.button.chart_{n}"), callbacks.CHART(n)) for n in water.CHART_DAYS),
        (Button(ui("water.button.zone"), callbacks.ZONE()), render.menu_button(content)),
    )
    return Screen(text, rows)


def _chosen(ui: UiText, label: str, chosen: bool) -> str:
    return ui("water.button.chosen", label=label) if chosen else label


def _back_row(ui: UiText) -> tuple[Button, ...]:
    return (Button(ui("water.button.back"), HOME),)


def interval_screen(ui: UiText, settings: WaterSettings) -> Screen:
    choices = [
        Button(_chosen(ui, interval_label(ui, m), m == settings.interval), callbacks.INTERVAL(m))
        for m in water.INTERVAL_CHOICES
    ]
    return Screen(
        ui("water.interval_title", interval=interval_label(ui, settings.interval)),
        (*rows_of(choices, 3), (Button(ui("water.button.type"), callbacks.INTERVAL_TYPE()),), _back_row(ui)),
    )


def hours_screen(ui: UiText, settings: WaterSettings) -> Screen:
    choices = []
    for start, end in water.HOURS_CHOICES:
        hours = ActiveHours(start, end)
        label = hours_label(ui, hours)
        if hours.crosses_midnight:
            label = ui("water.hours_night", hours=label)
        choices.append(Button(_chosen(ui, label, hours == settings.hours), callbacks.HOURS(start, end)))
    return Screen(
        ui("water.hours_title", hours=hours_label(ui, settings.hours)),
        (*rows_of(choices, 2), (Button(ui("water.button.type"), callbacks.HOURS_TYPE()),), _back_row(ui)),
    )


def goal_screen(ui: UiText, settings: WaterSettings) -> Screen:
    units = tuple(
        Button(_chosen(ui, ui(f"water.button.{label}"), unit == settings.unit), callbacks.UNIT(unit))
        for unit, label in (("glass", "glasses"), ("ml", "ml"))
    )
    goals = tuple(
        Button(
            _chosen(ui, ui(f"water.button.goal_{settings.unit}", goal=g), g == settings.goal),
            callbacks.GOAL(settings.unit, g),
        )
        for g in water.GOAL_CHOICES[settings.unit]
    )
    sizes = tuple(
        Button(
            _chosen(ui, ui("water.button.glass_size", ml=ml), ml == settings.glass_ml),
            callbacks.GLASS(ml),
        )
        for ml in water.GLASS_SIZES
    )
    text = ui("water.goal_title", goal=goal_label(ui, settings), glass_ml=settings.glass_ml)
    return Screen(
        text,
        (units, goals, sizes, (Button(ui("water.button.type"), callbacks.GOAL_TYPE()),), _back_row(ui)),
    )


def logged_screen(ui: UiText, settings: WaterSettings, amount: int, ml: int, drink_id: int | None = None) -> Screen:
    """What a nudge (or /drank) turns into once a drink is logged; ``drink_id`` adds Undo."""
    if settings.unit == "glass":
        key = "water.logged_glass" if ml == settings.glass_ml else "water.logged_glass_ml"
        text = ui(key, ml=number(ml), amount=number(amount), goal=number(settings.goal))
    else:
        text = ui("water.logged_ml", ml=number(ml), amount=number(amount), goal=number(settings.goal))
    if amount >= settings.goal:
        text += "\n" + ui("water.logged_reached")
    rows: list[tuple[Button, ...]] = [
        (Button(ui("water.button.nudge_drank_more"), DRANK), Button(ui("water.button.open"), HOME))
    ]
    if drink_id is not None:
        rows.append((Button(ui("water.button.undo"), callbacks.UNDO(drink_id)),))
    return Screen(text, tuple(rows))


def undone_screen(ui: UiText, settings: WaterSettings, amount: int, ml: int) -> Screen:
    """A drink taken back with Undo."""
    text = ui("water.undone", ml=number(ml)) + "\n" + today_line(ui, settings, amount)
    return Screen(text, ((Button(ui("water.button.open"), HOME),),))


def note_screen(ui: UiText, text: str) -> Screen:
    """A short confirmation with a way back to /water."""
    return Screen(text, ((Button(ui("water.button.open"), HOME),),))


def nudge_screen(
    ui: UiText,
    nudges: tuple[str, ...],
    index: int,
    settings: WaterSettings,
    amount: int,
    nudge_id: int,
) -> Screen:
    opening = nudges[index] if nudges else ui("water.nudge_fallback")
    text = opening + "\n\n" + ui(f"water.nudge_progress_{settings.unit}", amount=amount, goal=settings.goal)
    return Screen(
        text,
        (
            (Button(ui("water.button.nudge_drank"), callbacks.nudge("drank", nudge_id)),),
            (
                Button(ui("water.button.nudge_snooze"), callbacks.nudge("snooze", nudge_id)),
                Button(ui("water.button.nudge_skip"), callbacks.nudge("skip", nudge_id)),
            ),
            (
                Button(ui("water.button.nudge_pause"), callbacks.nudge("pause", nudge_id)),
                Button(ui("water.button.nudge_stop"), callbacks.nudge("stop", nudge_id)),
            ),
            (Button(ui("core.button.disclaimer"), render.DISCLAIMER),),  # people land here without /start
        ),
    )


def prompt_screen(ui: UiText, text: str, back: str) -> Screen:
    return Screen(text, ((Button(ui("water.button.back"), back),),))
