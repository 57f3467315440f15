"""Hydration nudges: settings, when the next nudge may go out, progress, pace and streaks.

Pure domain code (no Telegram, no SQL). Times are aware datetimes; "local" always means the
user's zone, and a day is a local calendar day that rolls over at local midnight. Nudge times are
computed in real (UTC) minutes, while active hours are judged on the local wall clock, so a
daylight-saving change never pushes a nudge outside the hours the user chose.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

Unit = Literal["glass", "ml"]
UNITS: tuple[Unit, ...] = ("glass", "ml")

DAY_MINUTES = 24 * 60

INTERVAL_CHOICES: tuple[int, ...] = (30, 60, 90, 120, 180)
MIN_INTERVAL = 15
MAX_INTERVAL = 8 * 60
SNOOZE_MINUTES = 30

GLASS_SIZES: tuple[int, ...] = (200, 250, 300, 500)
GOAL_CHOICES: dict[Unit, tuple[int, ...]] = {
    "glass": (6, 8, 10, 12),
    "ml": (1500, 2000, 2500, 3000),
}
GOAL_LIMITS: dict[Unit, tuple[int, int]] = {"glass": (1, 30), "ml": (250, 8000)}

# Presets for the active-hours screen, as (start, end) minutes after local midnight.
HOURS_CHOICES: tuple[tuple[int, int], ...] = (
    (8 * 60, 21 * 60),
    (7 * 60, 22 * 60),
    (9 * 60, 18 * 60),
    (10 * 60, 23 * 60),
    (22 * 60, 6 * 60),
)
# The shortest window worth nudging in; a typo like 08:00-08:05 is more likely than a wish.
MIN_WINDOW = 60

HISTORY_DAYS = 7
CHART_DAYS: tuple[int, ...] = (7, 30)


class BadInput(ValueError):
    """Typed input the bot cannot use; ``reason`` (``format`` or ``range``) picks the reply."""

    def __init__(self, reason: Literal["format", "range"]) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class ActiveHours:
    """A daily window on the local wall clock, ``[start, end)`` in minutes after midnight.

    ``start > end`` is a window across midnight (22:00-06:00 for night shifts).
    """

    start: int = 8 * 60
    end: int = 21 * 60

    def __post_init__(self) -> None:
        if not (0 <= self.start < DAY_MINUTES and 0 <= self.end < DAY_MINUTES):
            raise ValueError("active hours must lie within a day")
        if self.length < MIN_WINDOW:
            raise ValueError("active hours too short")

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    @property
    def length(self) -> int:
        """Minutes of the window (wall clock)."""
        return (self.end - self.start) % DAY_MINUTES

    def contains(self, minute: int) -> bool:
        if self.crosses_midnight:
            return minute >= self.start or minute < self.end
        return self.start <= minute < self.end

    def active_before(self, minute: int) -> int:
        """Active minutes of a calendar day before ``minute`` (both pieces of a night window)."""
        if not self.crosses_midnight:
            return max(0, min(minute, self.end) - self.start)
        return min(minute, self.end) + max(0, minute - self.start)

    @property
    def day_total(self) -> int:
        """Active minutes in one calendar day: the same as ``length``, split or not."""
        return self.active_before(DAY_MINUTES)

    @staticmethod
    def valid(start: int, end: int) -> bool:
        try:
            ActiveHours(start, end)
        except ValueError:
            return False
        return True


@dataclass(frozen=True, slots=True)
class WaterSettings:
    """One user's hydration choices. ``goal`` is in ``unit`` (glasses or millilitres)."""

    enabled: bool = False
    interval: int = 90
    hours: ActiveHours = ActiveHours()
    unit: Unit = "glass"
    goal: int = 8
    glass_ml: int = 250
    stop_at_goal: bool = True
    paused_on: date | None = None  # local day on which the user tapped "Pause for today"

    def with_unit(self, unit: Unit) -> WaterSettings:
        """Switch unit and carry the goal over, so 8 glasses of 250 ml become 2000 ml and back."""
        if unit == self.unit:
            return self
        per_glass = self.glass_ml
        goal = self.goal * per_glass if unit == "ml" else math.ceil(self.goal / per_glass)
        low, high = GOAL_LIMITS[unit]
        return replace(self, unit=unit, goal=min(max(goal, low), high))


def valid_goal(unit: str, goal: int) -> bool:
    if unit not in GOAL_LIMITS:
        return False
    low, high = GOAL_LIMITS[unit]
    return low <= goal <= high


def valid_interval(minutes: int) -> bool:
    return MIN_INTERVAL <= minutes <= MAX_INTERVAL


# --- typed input ------------------------------------------------------------------------------

_NUMBER = r"(\d+(?:[.,]\d+)?)"
_LONGEST_NUMBER = 9  # characters: 309 typed digits would make float() infinite and round() raise
_INTERVAL_FORMS = (
    # 1h30, 1h 30m, 1 h 30 min, 2h, 1.5h, 2 hours
    re.compile(rf"^{_NUMBER}\s*(?:h|hr|hrs|hour|hours)\s*(?:(\d+)\s*(?:m|min|mins|minutes?)?)?$"),
    # 45m, 45 min, 90 minutes, or a bare number of minutes
    re.compile(rf"^{_NUMBER}\s*(?:m|min|mins|minutes?)?$"),
    # 1:30
    re.compile(r"^(\d{1,2}):(\d{2})$"),
)


def _number(text: str) -> float:
    """A typed number; one too long to be any interval or goal is out of range, not a crash."""
    if len(text) > _LONGEST_NUMBER:
        raise BadInput("range")
    return float(text.replace(",", "."))


def parse_interval(text: str) -> int:
    """Minutes from what people type: ``45m``, ``1h30``, ``2h``, ``1.5 h``, ``90``, ``1:30``."""
    cleaned = text.strip().lower()
    hours_form, minutes_form, clock_form = _INTERVAL_FORMS
    if m := hours_form.match(cleaned):
        minutes = _number(m.group(1)) * 60 + (_number(m.group(2)) if m.group(2) else 0)
    elif m := minutes_form.match(cleaned):
        minutes = _number(m.group(1))
    elif m := clock_form.match(cleaned):
        if int(m.group(2)) >= 60:
            raise BadInput("format")
        minutes = int(m.group(1)) * 60 + int(m.group(2))
    else:
        raise BadInput("format")
    result = round(minutes)
    if not valid_interval(result):
        raise BadInput("range")
    return result


_TIME = r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?"
_HOURS_FORM = re.compile(rf"^{_TIME}\s*(?:-|–|—|to|until|till)\s*{_TIME}$")


def _minute_of_day(hour: str, minute: str | None, ampm: str | None) -> int:
    h, m = int(hour), int(minute or 0)
    if ampm:
        if not 1 <= h <= 12:
            raise BadInput("format")
        h = h % 12 + (12 if ampm == "pm" else 0)
    if h == 24 and m == 0:
        h = 0
    if not (0 <= h < 24 and 0 <= m < 60):
        raise BadInput("format")
    return h * 60 + m


def parse_hours(text: str) -> ActiveHours:
    """Active hours from ``08:00-21:00``, ``8-21``, ``22:00 - 6:00``, ``7am to 10pm``."""
    m = _HOURS_FORM.match(text.strip().lower())
    if not m:
        raise BadInput("format")
    start = _minute_of_day(m.group(1), m.group(2), m.group(3))
    end = _minute_of_day(m.group(4), m.group(5), m.group(6))
    if not ActiveHours.valid(start, end):
        raise BadInput("range")
    return ActiveHours(start, end)


_GOAL_FORM = re.compile(rf"^{_NUMBER}\s*(glass|glasses|gl|cups?|ml|millilitres?|milliliters?|l|litres?|liters?)?$")


def parse_goal(text: str, current: Unit) -> tuple[Unit, int]:
    """A goal from ``8``, ``10 glasses``, ``2000 ml``, ``2 l``; a bare number keeps the unit."""
    m = _GOAL_FORM.match(text.strip().lower())
    if not m:
        raise BadInput("format")
    amount = _number(m.group(1))
    word = m.group(2) or ""
    unit: Unit
    if word.startswith(("l", "lit")):
        unit, amount = "ml", amount * 1000
    elif word.startswith(("ml", "milli")):
        unit = "ml"
    elif word:
        unit = "glass"
    else:
        unit = current
    if unit == "glass" and amount != int(amount):
        raise BadInput("format")
    goal = round(amount)
    if not valid_goal(unit, goal):
        raise BadInput("range")
    return unit, goal


DRINK_ML_LIMITS = (20, 3000)  # one logged drink, in ml
DRINK_GLASSES_MAX = 10  # "/drank 2" means two glasses; bigger bare numbers are millilitres
_DRINK_FORM = re.compile(rf"^{_NUMBER}\s*(glass|glasses|gl|cups?|ml|millilitres?|milliliters?|cl|l|litres?|liters?)?$")


def parse_drink(text: str, glass_ml: int) -> int:
    """Millilitres from ``/drank`` arguments: ``500``, ``330ml``, ``0.5 l``, ``33 cl``, ``2 glasses``;
    a bare number up to 10 counts glasses."""
    m = _DRINK_FORM.match(text.strip().lower())
    if not m:
        raise BadInput("format")
    value, word = _number(m.group(1)), m.group(2) or ""
    if word.startswith(("ml", "milli")):
        ml = value
    elif word == "cl":
        ml = value * 10
    elif word.startswith(("l", "lit")):
        ml = value * 1000
    elif word or value <= DRINK_GLASSES_MAX:
        ml = value * glass_ml
    else:
        ml = value
    result = round(ml)
    low, high = DRINK_ML_LIMITS
    if not low <= result <= high:
        raise BadInput("range")
    return result


# --- local time -------------------------------------------------------------------------------


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def minute_of_day(instant: datetime, zone: ZoneInfo) -> int:
    local = instant.astimezone(zone)
    return local.hour * 60 + local.minute


def at_local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time.

    A time that does not exist (the hour skipped in spring) lands just after the gap; a time
    that happens twice (autumn) is taken the first time.
    """
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    return naive.replace(tzinfo=zone).astimezone(UTC)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC start (inclusive) and end (exclusive) of a local calendar day (23, 24 or 25 hours)."""
    return at_local(day, 0, zone), at_local(day + timedelta(days=1), 0, zone)


def in_window(instant: datetime, hours: ActiveHours, zone: ZoneInfo) -> bool:
    return hours.contains(minute_of_day(instant, zone))


def next_allowed(
    earliest: datetime, hours: ActiveHours, zone: ZoneInfo, blocked: frozenset[date] = frozenset()
) -> datetime:
    """The first instant at or after ``earliest`` inside the active hours on a day not blocked.

    ``blocked`` holds local days with no nudges (paused, goal reached).
    """
    t = earliest.astimezone(UTC)
    # Each step either returns or moves to a later day/window, so a few steps per day suffice.
    for _ in range(16):
        local = t.astimezone(zone)
        day = local.date()
        if day in blocked:
            t = day_bounds(day, zone)[1]
            continue
        if hours.contains(local.hour * 60 + local.minute):
            return t
        opening = at_local(day, hours.start, zone)
        if opening <= t:
            opening = at_local(day + timedelta(days=1), hours.start, zone)
        t = opening
    raise ValueError("no allowed time found")  # only with more than a week of blocked days


# --- planning ---------------------------------------------------------------------------------


def blocked_days(settings: WaterSettings, today: date, reached_today: bool) -> frozenset[date]:
    days = set()
    if settings.paused_on is not None:
        days.add(settings.paused_on)
    if settings.stop_at_goal and reached_today:
        days.add(today)
    return frozenset(days)


def plan_next(
    now: datetime,
    settings: WaterSettings,
    zone: ZoneInfo,
    reached_today: bool,
    *,
    wait: int | None = None,
) -> datetime:
    """When the next nudge goes out after something happened ``now``.

    ``wait`` is how long to wait first: the interval after a nudge, a drink, a skip or opting in,
    or the snooze time. Outside the active hours, on a paused day or once today's goal is met
    (when the user wants that), the nudge moves to the next allowed moment.
    """
    delay = settings.interval if wait is None else wait
    today = local_day(now, zone)
    return next_allowed(
        now + timedelta(minutes=delay),
        settings.hours,
        zone,
        blocked_days(settings, today, reached_today),
    )


def replanned(
    due_at: datetime,
    old: WaterSettings,
    new: WaterSettings,
    now: datetime,
    zone: ZoneInfo,
    reached_today: bool,
) -> datetime:
    """Where the pending nudge goes when settings change while nudges are on.

    The wait is counted from when it started (the nudge, drink or opt-in before it), not from the
    change: changing the goal three times must not push the nudge three times. A nudge already
    waiting for the active hours or a later day is planned afresh with the new settings.
    """
    started = due_at - timedelta(minutes=old.interval)
    if started > now:  # held back by the hours, a pause or the goal: no wait under way
        return plan_next(now, new, zone, reached_today)
    earliest = max(started + timedelta(minutes=new.interval), now + timedelta(minutes=1))
    return next_allowed(earliest, new.hours, zone, blocked_days(new, local_day(now, zone), reached_today))


def may_nudge_now(now: datetime, settings: WaterSettings, zone: ZoneInfo, reached_today: bool) -> bool:
    """Whether a nudge that has come due may really go out (settings or zone may have changed)."""
    if not settings.enabled:
        return False
    today = local_day(now, zone)
    if today in blocked_days(settings, today, reached_today):
        return False
    return in_window(now, settings.hours, zone)


# --- progress ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Drink:
    at: datetime
    ml: int


def glasses(ml: int, glass_ml: int | None) -> int:
    """How many glasses a logged drink counts for: one, or as many of today's glass size as it
    held (``/drank 500`` with 250 ml glasses is two); never less than one."""
    if not glass_ml:
        return 1
    return max(1, round(ml / glass_ml))


def amount(drinks: Iterable[Drink], unit: Unit, glass_ml: int | None = None) -> int:
    """A day's total in the goal's unit: glasses (see :func:`glasses`), or millilitres."""
    items = list(drinks)
    return sum(glasses(d.ml, glass_ml) for d in items) if unit == "glass" else sum(d.ml for d in items)


def daily_totals(
    drinks: Iterable[Drink], zone: ZoneInfo, unit: Unit, days: list[date], glass_ml: int | None = None
) -> dict[date, int]:
    """Totals per local day of ``days``; days without drinks are 0, other days are left out."""
    totals = dict.fromkeys(days, 0)
    for d in drinks:
        day = local_day(d.at, zone)
        if day in totals:
            totals[day] += glasses(d.ml, glass_ml) if unit == "glass" else d.ml
    return totals


def last_days(today: date, count: int) -> list[date]:
    """``count`` days ending with ``today``, oldest first."""
    return [today - timedelta(days=count - 1 - i) for i in range(count)]


def pace(now: datetime, hours: ActiveHours, goal: int, zone: ZoneInfo) -> int:
    """Where the user would be by now if they spread the goal evenly over today's active hours."""
    done = hours.active_before(minute_of_day(now, zone))
    return goal * done // hours.day_total


def streak(totals: dict[date, int], today: date, goal: int) -> int:
    """Days at goal in a row, ending today, or yesterday while today is still under way."""
    day = today if totals.get(today, 0) >= goal else today - timedelta(days=1)
    count = 0
    while totals.get(day, 0) >= goal:
        count += 1
        day -= timedelta(days=1)
    return count


@dataclass(frozen=True, slots=True)
class Progress:
    """Today at a glance plus the recent history, all in the goal's unit."""

    today: date
    amount: int
    goal: int
    expected: int
    history: tuple[tuple[date, int], ...]  # oldest first, ending today
    streak: int
    logged_ever: bool = True  # False until the first drink: no "catch up" nagging on a first visit

    @property
    def reached(self) -> bool:
        return self.amount >= self.goal

    @property
    def behind(self) -> int:
        return max(0, self.expected - self.amount) if self.logged_ever else 0


def progress(
    now: datetime,
    settings: WaterSettings,
    zone: ZoneInfo,
    drinks: Iterable[Drink],
    *,
    history_days: int = HISTORY_DAYS,
    streak_days: int = 366,
) -> Progress:
    """Build today's progress from the drinks of the last ``streak_days`` days."""
    today = local_day(now, zone)
    days = last_days(today, max(history_days, streak_days))
    items = list(drinks)
    totals = daily_totals(items, zone, settings.unit, days, settings.glass_ml)
    return Progress(
        today=today,
        amount=totals[today],
        goal=settings.goal,
        expected=pace(now, settings.hours, settings.goal, zone),
        history=tuple((d, totals[d]) for d in days[-history_days:]),
        streak=streak(totals, today, settings.goal),
        logged_ever=bool(items),
    )


def nudge_index(user_id: int, sequence: int, count: int) -> int:
    """Which nudge text to send: each user walks all texts in turn, starting at their own place."""
    return (user_id + sequence) % count


# --- the schedule row's payload ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlanState:
    """What planning the next nudge needs, kept in the ``water`` schedule row's payload.

    The delivery pass plans the following slot inside its claim transaction, where nothing can
    be read from the store, so the row carries a copy of the settings that matter and today's
    total. Every change (settings, a drink, pause) rewrites the row, keeping the copy fresh.
    """

    settings: WaterSettings
    day: date | None = None  # the local day ``amount`` belongs to
    amount: int = 0

    def reached(self, today: date) -> bool:
        return self.day == today and self.amount >= self.settings.goal

    def to_payload(self) -> dict[str, object]:
        s = self.settings
        return {
            "iv": s.interval,
            "hs": s.hours.start,
            "he": s.hours.end,
            "goal": s.goal,
            "sag": int(s.stop_at_goal),
            "pause": s.paused_on.isoformat() if s.paused_on else None,
            "day": self.day.isoformat() if self.day else None,
            "amt": self.amount,
        }

    @classmethod
    def from_payload(cls, payload: dict[str, object]) -> PlanState:
        """Read a payload back; a damaged one falls back to the defaults rather than failing."""
        defaults = WaterSettings(enabled=True)
        try:
            interval = _whole(payload["iv"])
            pause, day = payload.get("pause"), payload.get("day")
            settings = replace(
                defaults,
                interval=interval if valid_interval(interval) else defaults.interval,
                hours=ActiveHours(_whole(payload["hs"]), _whole(payload["he"])),
                goal=max(_whole(payload["goal"]), 1),
                stop_at_goal=bool(payload.get("sag", 1)),
                paused_on=date.fromisoformat(pause) if isinstance(pause, str) else None,
            )
            return cls(
                settings,
                date.fromisoformat(day) if isinstance(day, str) else None,
                _whole(payload.get("amt", 0)),
            )
        except (KeyError, ValueError):
            return cls(defaults)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"not an integer: {value!r}")
    return value


# Later than this after its slot (the bot was down), a nudge is not sent late but replaced by one
# at the first allowed moment; sending is judged again at that moment.
MAX_LATE = timedelta(minutes=30)


def following_slot(state: PlanState, slot: datetime, now: datetime, zone: ZoneInfo) -> datetime:
    """The slot after a nudge due at ``slot`` was handled at ``now`` (always after ``now``).

    On time: one interval after now. Found too late (a restart after downtime): as soon as
    allowed, so a missed nudge is made up once instead of being lost or repeated.
    """
    today = local_day(now, zone)
    blocked = blocked_days(state.settings, today, state.reached(today))
    if now - slot > MAX_LATE:
        return next_allowed(now + timedelta(minutes=1), state.settings.hours, zone, blocked)
    return next_allowed(now + timedelta(minutes=state.settings.interval), state.settings.hours, zone, blocked)


def moved_slot(state: PlanState, slot: datetime, now: datetime, zone: ZoneInfo) -> datetime:
    """Where a pending nudge goes after the user picked another zone: same instant if allowed."""
    today = local_day(now, zone)
    blocked = blocked_days(state.settings, today, state.reached(today))
    return next_allowed(max(slot, now + timedelta(minutes=1)), state.settings.hours, zone, blocked)
