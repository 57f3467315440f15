"""Screens of the time-zone picker, Telegram-free: "what time is it for you now?", then the regions."""

from __future__ import annotations

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
    ui = svc.content.ui
    now = svc.clock.now()
    zones = timezones.zones_at(offset, now)
    if not zones:
        return None
    local = timezones.clock_at(offset, now)
    buttons = [
        Button(zone.label, callbacks.with_return(callbacks.SELECT, zone.name, return_to=return_to)) for zone in zones
    ]
    other = Button(ui("timezone.button.other_time"), callbacks.with_return(callbacks.PICK, return_to=return_to))
    rows = [*rows_of(buttons, 2), (other,)]
    return Screen(ui("timezone.ask_region", time=f"{local:%H:%M}"), tuple(rows))
