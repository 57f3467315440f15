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

Buttons: ``spasmbot.features.timezone.callbacks`` (``return_to`` travels inside the data);
screens: ``spasmbot.features.timezone.screens``.
"""

from __future__ import annotations

import html
import logging
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, Update
from telegram.ext import Application

from spasmbot.callback_data import Tap
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
from spasmbot.edge.router import dispatch_as, route
from spasmbot.features.browse import screens as render
from spasmbot.features.timezone import callbacks
from spasmbot.features.timezone import rules as timezones
from spasmbot.features.timezone.screens import back_button, choices_screen, offsets_screen, regions_screen
from spasmbot.screen import Button, Screen
from spasmbot.services import Services
from spasmbot.storage import users

log = logging.getLogger(__name__)

INPUT_KEY = "timezone.name"


def _clean_return(return_to: str) -> str:
    return "" if return_to.startswith("z:") else return_to


async def ask_timezone(update: Update, context: Context, return_to: str = "", intro: str | None = None) -> None:
    """Show the picker (editing the tapped message, or as a new message); typing a name works too."""
    svc = services(context)
    return_to = _clean_return(return_to)
    await expect_input(update, context, INPUT_KEY, return_to=return_to)
    await show(update, context, offsets_screen(svc, return_to, intro))


async def _choose(update: Update, context: Context, user_id: int, name: str) -> None:
    svc = services(context)
    await clear_input(update, context)
    await users.set_timezone(svc.store, user_id, name)
    await delivery_job.reschedule_user(context.application, svc, user_id)


def _confirmation(svc: Services, name: str) -> str:
    now = svc.clock.now()
    local = now.astimezone(ZoneInfo(name))
    return svc.content.ui(
        "timezone.chosen",
        zone=html.escape(name),
        label=html.escape(timezones.label_of(name)),
        time=f"{local:%H:%M}",
    )


async def _return(update: Update, context: Context, return_to: str, note: str) -> None:
    """Run the handler that owns ``return_to`` as if its button had been tapped."""
    query = update.callback_query
    if query is not None and return_to:
        data = query.to_dict()
        data["data"] = return_to
        data[ANSWERED] = True  # answered above with the toast: the feature must not answer it again
        as_if = Update(update.update_id, callback_query=CallbackQuery.de_json(data, context.bot))
        if await dispatch_as(as_if, context, return_to):
            return
    svc = services(context)
    screen = Screen(note, ((back_button(svc, return_to),),))
    await show(update, context, screen)


async def on_pick(update: Update, context: Context, tap: Tap) -> None:
    await answer(update)
    await ask_timezone(update, context, _clean_return(tap.text("to")))


async def on_offset(update: Update, context: Context, tap: Tap) -> None:
    return_to = _clean_return(tap.text("to"))
    screen = regions_screen(services(context), tap.number("offset"), return_to)
    if screen is None:  # no zone is at that offset any more (a clock change since)
        await _stale(update, context, return_to)
        return
    await answer(update)
    await expect_input(update, context, INPUT_KEY, return_to=return_to)
    await show(update, context, screen)


async def on_select(update: Update, context: Context, tap: Tap) -> None:
    svc = services(context)
    user = update.effective_user
    assert user is not None
    return_to = _clean_return(tap.text("to"))
    name = tap.text("zone")
    if name not in timezones.BY_NAME and timezones.lookup(name) != name:
        await _stale(update, context, return_to)
        return
    await _choose(update, context, user.id, name)
    note = _confirmation(svc, name)
    await answer(update, svc.content.ui("timezone.toast", zone=name))
    await _return(update, context, return_to, note)


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
    await clear_input(update, context)  # answered: the next text is a question again
    name = typed.zones[0]
    await _choose(update, context, user.id, name)
    button = (
        Button(svc.content.ui("timezone.button.continue"), return_to) if return_to else render.menu_button(svc.content)
    )
    await reply(update, context, Screen(_confirmation(svc, name), ((button,),)))


async def _stale_anywhere(update: Update, context: Context) -> None:
    await _stale(update, context, "")


def register(app: Application) -> None:
    register_input(app, INPUT_KEY, typed_zone)
    route(
        app,
        callbacks.ZONE,
        {callbacks.PICK: on_pick, callbacks.OFFSET: on_offset, callbacks.SELECT: on_select},
        stale=_stale_anywhere,
    )
