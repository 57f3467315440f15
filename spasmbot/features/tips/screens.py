"""Screens of daily tips, Telegram-free: the tip message, the status (home) and the time picker."""

from __future__ import annotations

import html

from spasmbot.delivery.schedule import Due
from spasmbot.features.browse import screens as render
from spasmbot.features.timezone import rules as timezones
from spasmbot.features.tips import callbacks
from spasmbot.screen import Button, Screen, rows_of
from spasmbot.services import Services

PRESETS = ("07:00", "08:00", "12:00", "18:00", "21:00")


def tip_screen(svc: Services, tip_id: str) -> Screen | None:
    content = svc.content
    tip = content.tips.get(tip_id)
    if tip is None:
        return None
    ui = content.ui
    rows: list[tuple[Button, ...]] = []
    if tip.card in content.cards:  # the disclaimer is a tap away: people see tips without /start
        rows.append(
            (Button(ui("tips.button.read_more"), render.card_data(tip.card)), render.disclaimer_button(content))
        )
    else:
        rows.append((render.disclaimer_button(content),))
    # ":n" = answer with a new message, so the tip itself stays readable in the chat
    rows.append(
        (
            Button(ui("tips.button.change_time"), callbacks.TIME_NEW()),
            Button(ui("tips.button.stop"), callbacks.STOP_NEW()),
        )
    )
    return Screen(ui("tips.message", text=tip.text), tuple(rows))


def home_screen(svc: Services, due: Due | None, preface: str = "") -> Screen:
    """Status: on (time, zone, next tip) or off (``due`` is None), with the matching buttons."""
    ui = svc.content.ui
    if due is None:
        text = ui("tips.home_off")
        rows: tuple[tuple[Button, ...], ...] = (
            (Button(ui("tips.button.subscribe"), callbacks.SUBSCRIBE()),),
            (render.menu_button(svc.content),),
        )
    else:
        zone = due.timezone or "UTC"
        when = timezones.format_when(due.due_at, zone, svc.clock.now(), ui)
        text = ui("tips.home_on", time=html.escape(str(due.payload.get("time"))), zone=zone)
        text += "\n" + (ui("tips.paused") if due.paused else ui("tips.next", when=when))
        rows = (
            (Button(ui("tips.button.change_time"), callbacks.TIME()), Button(ui("tips.button.zone"), callbacks.ZONE())),
            (Button(ui("tips.button.stop"), callbacks.STOP()),),
            (render.menu_button(svc.content),),
        )
    if preface:
        text = f"{preface.strip()}\n\n{text}"
    return Screen(text, rows)


def time_screen(svc: Services, preface: str = "") -> Screen:
    ui = svc.content.ui
    buttons = [Button(p, callbacks.SET(p.replace(":", ""))) for p in PRESETS]
    text = ui("tips.ask_time")
    if preface:
        text = f"{preface.strip()}\n\n{text}"
    return Screen(
        text,
        (*rows_of(buttons, 3), (Button(ui("core.button.back"), callbacks.HOME()),)),
    )
