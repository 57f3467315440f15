"""One user's hydration state (``Situation``) and the actions that change it, Telegram-free.

Handlers and the ``water`` delivery kind read a ``Situation`` once per update, then save settings
(``change``), log a glass (``log_drink``) or re-plan the next nudge (``schedule_next``) through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from spasmbot.delivery import localtime, schedule
from spasmbot.delivery.schedule import Due
from spasmbot.features.water import rules as water
from spasmbot.features.water import store as water_store
from spasmbot.features.water.rules import WaterSettings
from spasmbot.features.water.screens import KIND, HomeView
from spasmbot.services import Services
from spasmbot.storage import users

STREAK_DAYS = 366


@dataclass(frozen=True, slots=True)
class Situation:
    """One user's hydration state at one instant, as handlers and the delivery need it."""

    user_id: int
    now: datetime
    zone: ZoneInfo
    zone_name: str | None  # None until the user picks a zone (times are then UTC)
    state: water_store.WaterState
    due: Due | None  # the live 'water' row: nudges are on exactly while it exists
    paused_row: bool  # a row paused while the user had blocked the bot

    @property
    def on(self) -> bool:
        return self.due is not None

    @property
    def settings(self) -> WaterSettings:
        return replace(self.state.settings, enabled=self.on)

    @property
    def today(self) -> date:
        return water.local_day(self.now, self.zone)


async def situation(svc: Services, user_id: int) -> Situation:
    name = await users.get_timezone(svc.store, user_id)
    state = await water_store.load(svc.store, user_id)
    due = await schedule.get_due(svc.store, user_id, KIND)
    paused = due is not None and due.paused
    return Situation(
        user_id,
        svc.clock.now(),
        localtime.zone(name),
        name,
        state,
        None if paused else due,
        paused,
    )


async def day_amount(svc: Services, user_id: int, day: date, zone: ZoneInfo, settings: WaterSettings) -> int:
    start, end = water.day_bounds(day, zone)
    drinks = await water_store.drinks_since(svc.store, user_id, start)
    return water.amount((d for d in drinks if d.at < end), settings.unit, settings.glass_ml)


async def home_view(svc: Services, s: Situation) -> HomeView:
    start, _ = water.day_bounds(s.today - timedelta(days=STREAK_DAYS), s.zone)
    drinks = await water_store.drinks_since(svc.store, s.user_id, start)
    progress = water.progress(s.now, s.settings, s.zone, drinks, streak_days=STREAK_DAYS)
    next_due = s.due.due_at if s.due is not None else None
    return HomeView(s.now, s.zone, s.zone_name, s.settings, s.on, next_due, progress)


async def schedule_next(
    svc: Services,
    s: Situation,
    settings: WaterSettings,
    *,
    wait: int | None = None,
    keep_pace: bool = False,
) -> datetime:
    """Put the next nudge where ``plan_next`` says, after something that happened now; with
    ``keep_pace`` (a settings change, an undo) where ``replanned`` says, so the wait under way
    is not started again.

    The row's payload gets the current settings and today's total (see ``PlanState``).
    """
    amount = await day_amount(svc, s.user_id, s.today, s.zone, settings)
    plan = water.PlanState(settings, s.today, amount)
    if keep_pace and s.due is not None:
        when = water.replanned(s.due.due_at, s.settings, settings, s.now, s.zone, plan.reached(s.today))
    else:
        when = water.plan_next(s.now, settings, s.zone, plan.reached(s.today), wait=wait)
    if s.paused_row:  # set_due keeps a paused row paused; turning on again starts afresh
        await schedule.clear_due(svc.store, s.user_id, KIND)
    await schedule.set_due(svc.store, s.user_id, KIND, when, plan.to_payload())
    return when


async def change(svc: Services, s: Situation, settings: WaterSettings) -> Situation:
    """Save new settings and, while nudges are on, re-plan the next one with them."""
    await water_store.save(svc.store, s.user_id, settings, s.now)
    if s.on:
        await schedule_next(svc, s, settings, keep_pace=True)
    return await situation(svc, s.user_id)


# At most this many drinks per user per minute. Nobody drinks faster; a script or a stuck key
# would otherwise grow one person's log (and their /mydata export) without bound.
MAX_DRINKS_PER_MINUTE = 10


class TooFast(Exception):
    """The user logged :data:`MAX_DRINKS_PER_MINUTE` drinks in the last minute; this one is not logged."""


async def log_drink(
    svc: Services, s: Situation, nudge_id: int | None = None, ml: int | None = None
) -> tuple[int | None, int]:
    """Log a drink now (a glass, or ``ml``); a logged drink moves the next nudge one interval later.

    Returns the drink's id (None when a nudge was already answered) and today's total after it.
    Raises :class:`TooFast` (nothing logged) over the per-minute cap.
    """
    settings = s.settings
    if (
        await water_store.drinks_logged_since(svc.store, s.user_id, s.now - timedelta(minutes=1))
        >= MAX_DRINKS_PER_MINUTE
    ):
        raise TooFast
    added = await water_store.add_drink(svc.store, s.user_id, s.now, ml or settings.glass_ml, nudge_id)
    if added is not None and s.on:
        await schedule_next(svc, s, settings)
    return added, await day_amount(svc, s.user_id, s.today, s.zone, settings)
