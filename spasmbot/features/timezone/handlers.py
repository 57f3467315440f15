"""The reusable time-zone picker (callback namespace ``z:``): tap your local time, then your region.

Any feature calls ``await ask_timezone(update, context, return_to="t:home")``. The picker shows one
button per UTC offset in use, labelled with the time it is there now; then the catalogue's named
zones at that offset; the choice is stored (``users.timezone``), every scheduled message of the
user is moved to the new local time (``delivery_job.reschedule_user``), and the ``return_to``
callback data is dispatched to its feature's handler as if the user had tapped a button with
that data (so the feature shows its own fresh screen). While the picker is open the user may
also type: a zone name (``Europe/Berlin``), a city (``Berlin``), a country (``Germany``), a UTC
offset (``UTC+1``) or the time it is for them (``15:00``, ``3pm``); see ``timezones.understand``.
A typed answer that names one zone takes it; several get a short list of buttons; one we cannot
read gets a one-line hint (the picker with its dozens of buttons is still there above it).

Callback data (return_to travels inside, so a restart in between loses nothing):
``z:p:<return_to>`` the offsets, ``z:o:<minutes>:<return_to>`` the regions at an offset,
``z:s:<zone>:<return_to>`` the choice.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import Application, CallbackQueryHandler

from spasmbot.edge import delivery_job
from spasmbot.edge.common import (
    ANSWERED,
    Context,
    answer,
    awaiting,
    clear_input,
    expect_input,
    register_input,
    reply,
    services,
    show,
)
from spasmbot.edge.router import dispatch_as
from spasmbot.features.browse import screens as render
from spasmbot.features.timezone import rules as timezones
from spasmbot.screen import Button, Screen, rows_of
from spasmbot.services import Services
from spasmbot.storage import users

log = logging.getLogger(__name__)

INPUT_KEY = "timezone.name"
MAX_DATA = 64


def _data(prefix: str, return_to: str) -> str:
    """Callback data carrying ``return_to``; dropped (back to the menu) if it would not fit."""
    data = f"{prefix}:{return_to}"
    return data if len(data.encode()) <= MAX_DATA else f"{prefix}:"


def _clean_return(return_to: str) -> str:
    return "" if return_to.startswith("z:") else return_to


def offsets_screen(svc: Services, return_to: str, intro: str | None = None) -> Screen:
    """Step 1: "what time is it for you now?" — one button per offset in use."""
    ui = svc.content.ui
    now = svc.clock.now()
    weekdays = ui("timezone.weekdays").split()
    buttons = [
        Button(label, _data(f"z:o:{offset}", return_to))
        for offset, label in timezones.local_time_labels(now, weekdays)
    ]
    text = ui("timezone.ask_time")
    if intro:
        text = f"{intro.strip()}\n\n{text}"
    rows = [*rows_of(buttons, 4)]
    rows.append((_back_button(svc, return_to),))
    return Screen(text, tuple(rows))


def _back_button(svc: Services, return_to: str) -> Button:
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
    buttons = [Button(timezones.label_of(name), _data(f"z:s:{name}", return_to)) for name in names]
    rows = [*rows_of(buttons, 2), (Button(ui("timezone.button.other_time"), _data("z:p", return_to)),)]
    text = ui("timezone.ask_region", time=f"{local:%H:%M}") if local else ui("timezone.ask_which")
    return Screen(text, tuple(rows))


async def ask_timezone(
    update: Update, context: Context, return_to: str = "", intro: str | None = None
) -> None:
    """Show the picker (editing the tapped message, or as a new message); typing a name works too."""
    svc = services(context)
    return_to = _clean_return(return_to)
    await expect_input(update, context, INPUT_KEY, return_to=return_to)
    await show(update, context, offsets_screen(svc, return_to, intro))


async def _choose(update: Update, context: Context, user_id: int, name: str) -> None:
    svc = services(context)
    await clear_input(update, context)
    await users.set_timezone(svc.store, user_id, name)
    await delivery_job.reschedule_user(svc, user_id)


def _confirmation(svc: Services, name: str) -> str:
    now = svc.clock.now()
    local = now.astimezone(ZoneInfo(name))
    return svc.content.ui(
        "timezone.chosen", zone=html.escape(name), label=html.escape(timezones.label_of(name)),
        time=f"{local:%H:%M}",
    )


async def _return(update: Update, context: Context, return_to: str, note: str) -> None:
    """Run the handler that owns ``return_to`` as if its button had been tapped."""
    query = update.callback_query
    app = context.application
    if query is not None and return_to:
        data = query.to_dict()
        data["data"] = return_to
        data[ANSWERED] = True  # answered above with the toast: the feature must not answer it again
        as_if = Update(update.update_id, callback_query=CallbackQuery.de_json(data, context.bot))
        if await dispatch_as(as_if, context, return_to):
            return
        for group in sorted(app.handlers):
            if group < 0:
                continue
            for handler in app.handlers[group]:
                if not isinstance(handler, CallbackQueryHandler):
                    continue
                check = handler.check_update(as_if)
                if check is not None and check is not False:
                    await handler.handle_update(as_if, app, check, context)
                    return
    svc = services(context)
    screen = Screen(note, ((_back_button(svc, return_to),),))
    await show(update, context, screen)


async def on_button(update: Update, context: Context) -> None:
    svc = services(context)
    query = update.callback_query
    user = update.effective_user
    assert query is not None and user is not None
    parts = (query.data or "").split(":", 3)
    action = parts[1] if len(parts) > 1 else ""
    if action == "p" and len(parts) >= 3:
        return_to = _clean_return(":".join(parts[2:]))
        await answer(update)
        await ask_timezone(update, context, return_to)
        return
    if action == "o" and len(parts) >= 3:
        return_to = _clean_return(parts[3] if len(parts) > 3 else "")
        raw = parts[2].removeprefix("-")
        offset = int(parts[2]) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None
        screen = regions_screen(svc, offset, return_to) if offset is not None else None
        if screen is not None:
            await answer(update)
            await expect_input(update, context, INPUT_KEY, return_to=return_to)
            await show(update, context, screen)
            return
        await _stale(update, context, return_to)
        return
    if action == "s" and len(parts) >= 3:
        return_to = _clean_return(parts[3] if len(parts) > 3 else "")
        name = parts[2]
        if name in timezones.BY_NAME or timezones.lookup(name) == name:
            await _choose(update, context, user.id, name)
            note = _confirmation(svc, name)
            await answer(update, svc.content.ui("timezone.toast", zone=name))
            await _return(update, context, return_to, note)
            return
        await _stale(update, context, return_to)
        return
    await _stale(update, context, "")


async def _stale(update: Update, context: Context, return_to: str) -> None:
    """A picker button from an old message (offset no longer in use, unknown zone): start over."""
    svc = services(context)
    await answer(update, svc.content.ui("core.expired").strip()[:200])
    intro = svc.content.ui("core.expired")
    await ask_timezone(update, context, return_to, intro=intro)


async def typed_zone(update: Update, context: Context, text: str) -> None:
    """A typed answer while the picker is open: a zone, city, country, UTC offset or the time now."""
    svc = services(context)
    user = update.effective_user
    assert user is not None
    pending = await awaiting(update, context)
    return_to = _clean_return(str(pending[1].get("return_to", ""))) if pending else ""
    typed = timezones.understand(text, svc.clock.now())
    if typed is None or not typed.zones:
        await expect_input(update, context, INPUT_KEY, return_to=return_to)
        await reply(update, context, Screen(svc.content.ui("timezone.unknown_name", text=html.escape(text[:64]))))
        return
    if len(typed.zones) > 1:
        await expect_input(update, context, INPUT_KEY, return_to=return_to)
        await reply(update, context, choices_screen(svc, list(typed.zones), return_to, typed.local))
        return
    name = typed.zones[0]
    await _choose(update, context, user.id, name)
    button = (
        Button(svc.content.ui("timezone.button.continue"), return_to)
        if return_to
        else render.menu_button(svc.content)
    )
    await reply(update, context, Screen(_confirmation(svc, name), ((button,),)))


def register(app: Application) -> None:
    register_input(INPUT_KEY, typed_zone)
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^z:"))
