"""Screens of the time-zone picker, Telegram-free: "what time is it for you now?", then the regions."""

from __future__ import annotations

from datetime import datetime

from spasmbot.features.browse import screens as render
from spasmbot.features.timezone import callbacks
from spasmbot.features.timezone import rules as timezones
from spasmbot.screen import Button, Screen, rows_of
from spasmbot.services import Services


def offsets_screen(svc: Services, return_to: str, intro: str | None = None) -> Screen:
    """Step 1: "what time is it for you now?" — one button per offset in use."""
    ui = svc.content.ui
    now = svc.clock.now()
    weekdays = ui("timezone.weekdays").split()
    buttons = [
        Button(label, callbacks.with_return(callbacks.OFFSET, offset, return_to=return_to))
        for offset, label in timezones.local_time_labels(now, weekdays)
    ]
    text = ui("timezone.ask_time")
    if intro:
        text = f"{intro.strip()}\n\n{text}"
    rows = [*rows_of(buttons, 4)]
    rows.append((back_button(svc, return_to),))
    return Screen(text, tuple(rows))


def back_button(svc: Services, return_to: str) -> Button:
    if return_to:
        return Button(svc.content.ui("core.button.back"), return_to)
    return render.menu_button(svc.content)


def regions_screen(svc: Services, offset: int, return_to: str) -> Screen | None:
    """Step 2: the named zones at ``offset`` now; None when none is (stale button)."""
    now = svc.clock.now()
    zones = timezones.zones_at(offset, now)
    if not zones:
        return None
    return choices_screen(svc, [zone.name for zone in zones], return_to, timezones.clock_at(offset, now))


def choices_screen(svc: Services, names: list[str], return_to: str, local: datetime | None) -> Screen:
    """Pick one of ``names``: the regions at the user's time, or the zones of a typed place."""
    ui = svc.content.ui
    buttons = [
        Button(timezones.label_of(name), callbacks.with_return(callbacks.SELECT, name, return_to=return_to))
        for name in names
    ]
    other = Button(ui("timezone.button.other_time"), callbacks.with_return(callbacks.PICK, return_to=return_to))
    rows = [*rows_of(buttons, 2), (other,)]
    text = ui("timezone.ask_region", time=f"{local:%H:%M}") if local else ui("timezone.ask_which")
    return Screen(text, tuple(rows))
