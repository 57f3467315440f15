"""The cramp diary's domain, Telegram-free: what an entry is, where a tap puts it in time, red flags,
and everything computed from a user's log (the 14-day overview, streaks, insights, report figures).

The vocabulary (areas, triggers, what helped, ...) is a fixed schema: stored entries refer to these
ids, so they live here; their words live in ``content/<lang>/ui/diary.yaml`` and the validator checks
every id has a label. Which answers are red flags, and which guided-check outcome gives the advice
for each, is content (``diary.red_flags.*`` in the same file), validated against the checks.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from spasmbot.content.errors import ContentError
from spasmbot.content.model import Content
from spasmbot.features.checks.model import URGENCIES

AREAS: tuple[str, ...] = (
    "calf",
    "foot",
    "thigh",
    "hamstring",
    "hand",
    "back",
    "neck",
    "chest",
    "belly",
    "other",
)
SIDED: frozenset[str] = frozenset({"calf", "foot", "thigh", "hamstring", "hand"})  # ask left/right
SIDES: tuple[str, ...] = ("left", "right", "both")
DURATIONS: tuple[str, ...] = ("lt1", "1to5", "5to10", "gt10")
TRIGGERS: tuple[str, ...] = (
    "exercise",
    "standing",
    "heat",
    "little_drink",
    "alcohol",
    "caffeine",
    "medicine",
    "pregnancy",
    "poor_sleep",
    "stress",
)
HELPED: tuple[str, ...] = ("stretching", "massage", "heat", "walking", "nothing")
# warning signs noticed with it, most urgent first
SIGNS: tuple[str, ...] = ("chest_pain", "breathing", "cold_leg", "swollen_leg", "dark_urine", "weakness")
WHEN: tuple[str, ...] = ("now", "earlier", "night")  # plus "another day" (a date)
SEVERITIES = range(0, 11)
NOTE_MAX = 200  # characters; notes are the only free text the bot stores
UNDO_WINDOW = timedelta(minutes=15)  # "Undo" deletes at once within this; later it asks first
NIGHT_FROM, NIGHT_TO = 22, 6  # local hours counted as night (and any cramp that woke the user)
LAST_NIGHT_AT = time(3, 0)  # "last night" is placed at 03:00 local
OVERVIEW_DAYS = 14
MIN_SIDE_DAYS = 7  # insights need at least this many days on each side of a comparison
INSIGHT_DAYS = 90  # insights look at this many days back at most
LIST_PAGE = 8  # entries per page of the "edit entries" list

# The fields whose values can be red flags (``diary.red_flags.<field>.<value>``) and their values.
FLAG_FIELDS: dict[str, tuple[str, ...]] = {"duration": DURATIONS, "area": AREAS, "sign": SIGNS}
_URGENCY_ORDER = URGENCIES  # most urgent first


@dataclass(frozen=True, slots=True)
class Entry:
    """One logged cramp. ``day`` is the user's local day when it happened (kept as logged, so a
    later change of time zone never moves history between days)."""

    id: int
    at: datetime  # when it happened, UTC (approximate for "earlier today", "last night")
    day: date
    logged_at: datetime
    night: bool
    area: str | None = None
    side: str | None = None
    severity: int | None = None
    duration: str | None = None
    woke: bool | None = None
    triggers: tuple[str, ...] = ()
    helped: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()
    note: str | None = None
    source: str = "log"  # log | check | checkin


# --- placing a cramp in time -------------------------------------------------------------------


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def is_night(at: datetime, zone: ZoneInfo, woke: bool | None) -> bool:
    """Night-time: between 22:00 and 06:00 local, or it woke the user up."""
    hour = at.astimezone(zone).hour
    return bool(woke) or hour >= NIGHT_FROM or hour < NIGHT_TO


def placed(when: str, now: datetime, zone: ZoneInfo, day: date | None = None) -> tuple[datetime, date]:
    """The instant (UTC) and local day of a cramp logged as ``when``.

    ``now``; ``earlier`` (today, half-way between midnight and now); ``night`` (03:00 of the night
    that just ended); ``day`` (another day: that day at noon).
    """
    local_now = now.astimezone(zone)
    today = local_now.date()
    if when == "earlier":
        midnight = datetime.combine(today, time(0), tzinfo=zone)
        at = midnight + (local_now - midnight) / 2
    elif when == "night":
        night_day = today if local_now.time() >= LAST_NIGHT_AT else today - timedelta(days=1)
        at = datetime.combine(night_day, LAST_NIGHT_AT, tzinfo=zone)
    elif when == "day" and day is not None:
        at = datetime.combine(day, time(12, 0), tzinfo=zone)
    else:
        at = local_now
    at_utc = at.astimezone(UTC).replace(microsecond=0)
    return at_utc, local_day(at_utc, zone)


def other_days(today: date, count: int = 6) -> list[date]:
    """The days offered under "another day": yesterday back to ``count`` days ago."""
    return [today - timedelta(days=i) for i in range(1, count + 1)]


# --- red flags ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedFlag:
    field: str  # duration | area | sign
    value: str
    check: str  # the guided check whose outcome holds the advice
    outcome: str


def red_flag_rules(content: Content) -> list[RedFlag]:
    """``diary.red_flags.<field>.<value>: "<check>.<outcome>"`` from the UI YAML."""
    prefix = "diary.red_flags."
    rules = []
    for key in content.ui.keys():  # noqa: SIM118 - UiText is not a dict
        if not key.startswith(prefix):
            continue
        parts = key[len(prefix) :].split(".")
        ref = content.ui(key).strip().split(".")
        if len(parts) == 2 and len(ref) == 2:
            rules.append(RedFlag(parts[0], parts[1], ref[0], ref[1]))
    return rules


def red_flags(entry: Entry, rules: Iterable[RedFlag]) -> list[RedFlag]:
    """The rules this entry's answers match."""
    values: dict[str, set[str | None]] = {"duration": {entry.duration}, "area": {entry.area}, "sign": {*entry.signs}}
    return [rule for rule in rules if rule.value in values.get(rule.field, set())]


def urgent_outcomes(content: Content, flags: Iterable[RedFlag]) -> list[tuple[str, str]]:
    """Distinct (check, outcome) pairs of the flags, most urgent first (never under-triage)."""
    seen: dict[tuple[str, str], int] = {}
    for flag in flags:
        check = content.checks.get(flag.check)
        outcome = check.outcomes.get(flag.outcome) if check else None
        if outcome is None:
            continue
        rank = _URGENCY_ORDER.index(outcome.urgency) if outcome.urgency in _URGENCY_ORDER else 0
        key = (flag.check, flag.outcome)
        seen[key] = min(rank, seen.get(key, rank))
    return sorted(seen, key=lambda key: seen[key])


# --- prefill from a guided check -----------------------------------------------------------------


def prefill_from_check(content: Content, check_id: str, visited: Iterable[str]) -> dict[str, str]:
    """Entry fields learnt from a finished check: ``diary.prefill.<check>.<node>: "field:value"``
    for each step or outcome the run went through."""
    prefix = f"diary.prefill.{check_id}."
    found: dict[str, str] = {}
    for node in visited:
        key = prefix + node
        if key in content.ui:
            name, _, value = content.ui(key).partition(":")
            found[name.strip()] = value.strip()
    return found


# --- validation --------------------------------------------------------------------------------


_LABEL_GROUPS: dict[str, Sequence[str]] = {
    "area": AREAS,
    "side": SIDES,
    "duration": DURATIONS,
    "trigger": TRIGGERS,
    "helped": HELPED,
    "sign": SIGNS,
    "when": WHEN,
}


def validate(content: Content) -> list[ContentError]:
    """Every vocabulary id has a label; red flags and prefills point at things that exist.

    The references to guided checks are checked whenever the content has checks (a content folder
    without any, like the minimal test fixture, has no advice to point at).
    """
    errors: list[ContentError] = []
    file = f"{content.language}/ui/diary.yaml"
    if "diary.title" not in content.ui:
        return [ContentError(file, "", "missing: the diary's words (ui/diary.yaml)")]
    for group, ids in _LABEL_GROUPS.items():
        for ident in ids:
            if f"diary.labels.{group}.{ident}" not in content.ui:
                errors.append(ContentError(file, f"labels.{group}.{ident}", "missing label"))
    if not content.checks:
        return errors
    prefix = "diary.red_flags."
    for key in content.ui.keys():  # noqa: SIM118 - UiText is not a dict
        if not key.startswith(prefix):
            continue
        where = key.removeprefix("diary.")
        parts = key[len(prefix) :].split(".")
        if len(parts) != 2 or parts[0] not in FLAG_FIELDS or parts[1] not in FLAG_FIELDS[parts[0]]:
            errors.append(ContentError(file, where, f"not a red-flag answer (fields: {', '.join(FLAG_FIELDS)})"))
            continue
        errors += _outcome_ref(content, file, where, content.ui(key))
    for key in content.ui.keys():  # noqa: SIM118
        if not key.startswith("diary.prefill."):
            continue
        where = key.removeprefix("diary.")
        parts = key.split(".")
        check = content.checks.get(parts[2]) if len(parts) == 4 else None
        if check is None or check.node(parts[3]) is None:
            errors.append(ContentError(file, where, "must be prefill.<check>.<step or outcome> of an existing check"))
            continue
        name, _, value = content.ui(key).partition(":")
        allowed = {"area": AREAS, "duration": DURATIONS, "helped": HELPED, "sign": SIGNS}
        if name not in allowed or value not in allowed[name]:
            errors.append(
                ContentError(file, where, f"{content.ui(key)!r} must be area:, duration:, helped: or sign:<id>")
            )
    return errors


def _outcome_ref(content: Content, file: str, where: str, ref: str) -> list[ContentError]:
    check_id, _, outcome_id = ref.strip().partition(".")
    check = content.checks.get(check_id)
    if check is None:
        return [ContentError(file, where, f"{ref!r}: no guided check {check_id!r}")]
    outcome = check.outcomes.get(outcome_id)
    if outcome is None:
        return [ContentError(file, where, f"{ref!r}: check {check_id!r} has no outcome {outcome_id!r}")]
    if outcome.urgency not in ("emergency", "urgent"):
        return [
            ContentError(
                file, where, f"{ref!r}: a red flag needs an urgent or emergency outcome, not {outcome.urgency!r}"
            )
        ]
    return []


# --- looking back ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DayLine:
    day: date
    count: int
    worst: int | None  # highest severity given that day
    areas: tuple[str, ...]  # most frequent first
    confirmed_free: bool  # "none today" answered at the check-in


def day_lines(entries: Sequence[Entry], free_days: set[date], days: Sequence[date]) -> list[DayLine]:
    """One line per day of ``days`` (newest first as given)."""
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    lines = []
    for day in days:
        items = by_day.get(day, [])
        severities = [e.severity for e in items if e.severity is not None]
        areas = Counter(e.area for e in items if e.area)
        lines.append(
            DayLine(
                day,
                len(items),
                max(severities) if severities else None,
                tuple(area for area, _ in areas.most_common()),
                day in free_days and not items,
            )
        )
    return lines


def streak(last_cramp_day: date | None, first_day: date | None, today: date) -> int:
    """Cramp-free days in a row up to today: since the last logged cramp, or since the diary began."""
    if last_cramp_day is not None:
        return max(0, (today - last_cramp_day).days)
    if first_day is not None:
        return max(0, (today - first_day).days + 1)
    return 0


@dataclass(frozen=True, slots=True)
class Overview:
    """``/diary``: a window of days and the figures over it."""

    lines: tuple[DayLine, ...]  # newest first
    total: int
    this_week: int  # the last 7 days of the window
    last_week: int  # the 7 days before
    areas: tuple[tuple[str, int], ...]
    night: int
    day: int
    triggers: tuple[tuple[str, int], ...]


def overview(entries: Sequence[Entry], free_days: set[date], end: date, days: int = OVERVIEW_DAYS) -> Overview:
    window = [end - timedelta(days=i) for i in range(days)]
    inside = [e for e in entries if window[-1] <= e.day <= end]
    lines = day_lines(inside, free_days, window)
    week_start = end - timedelta(days=6)
    this_week = sum(1 for e in inside if e.day >= week_start)
    areas = Counter(e.area for e in inside if e.area)
    triggers = Counter(t for e in inside for t in e.triggers)
    night = sum(1 for e in inside if e.night)
    return Overview(
        tuple(lines),
        len(inside),
        this_week,
        len(inside) - this_week,
        tuple(areas.most_common()),
        night,
        len(inside) - night,
        tuple(triggers.most_common(3)),
    )


def daily_series(entries: Sequence[Entry], days: Sequence[date]) -> list[tuple[date, int, int | None]]:
    """(day, cramps, worst severity) for each of ``days`` (oldest first), for the chart."""
    lines = day_lines(entries, set(), days)
    return [(line.day, line.count, line.worst) for line in lines]


# --- honest insights ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Comparison:
    """Cramps on days with something (a water goal met, a trigger noted) against days without.

    ``needed`` is how many more days each side still needs before the comparison is shown.
    """

    key: str  # "water" or a trigger id
    with_days: int
    with_cramps: int
    other_days: int
    other_cramps: int
    with_worst: float | None = None  # mean of each day's worst severity (triggers only)
    other_worst: float | None = None
    needed_with: int = 0
    needed_other: int = 0

    @property
    def enough(self) -> bool:
        return self.needed_with == 0 and self.needed_other == 0


def _needed(count: int) -> int:
    return max(0, MIN_SIDE_DAYS - count)


def water_comparison(days: Sequence[date], cramps: dict[date, int], goal_days: set[date]) -> Comparison:
    """Days the water goal was met against the other days (all of ``days`` count, cramps or not)."""
    met = [d for d in days if d in goal_days]
    other = [d for d in days if d not in goal_days]
    return Comparison(
        "water",
        len(met),
        sum(cramps.get(d, 0) for d in met),
        len(other),
        sum(cramps.get(d, 0) for d in other),
        needed_with=_needed(len(met)),
        needed_other=_needed(len(other)),
    )


def trigger_comparisons(entries: Sequence[Entry]) -> list[Comparison]:
    """For each trigger noted at least once: cramp days with it against cramp days without it.

    Triggers are only noted with a cramp, so a day without any cramp says nothing about them: both
    sides are days with at least one cramp, compared by cramps per day and worst severity.
    """
    by_day: dict[date, list[Entry]] = {}
    for entry in entries:
        by_day.setdefault(entry.day, []).append(entry)
    noted = Counter(t for e in entries for t in set(e.triggers))
    found = []
    for trigger in TRIGGERS:
        if not noted[trigger]:
            continue
        yes = [items for items in by_day.values() if any(trigger in e.triggers for e in items)]
        no = [items for items in by_day.values() if not any(trigger in e.triggers for e in items)]
        found.append(
            Comparison(
                trigger,
                len(yes),
                sum(len(i) for i in yes),
                len(no),
                sum(len(i) for i in no),
                _mean_worst(yes),
                _mean_worst(no),
                _needed(len(yes)),
                _needed(len(no)),
            )
        )
    return found


def _mean_worst(days: list[list[Entry]]) -> float | None:
    worst = [max(s) for items in days if (s := [e.severity for e in items if e.severity is not None])]
    return round(sum(worst) / len(worst), 1) if worst else None


# --- report figures ----------------------------------------------------------------------------


@dataclass(slots=True)
class Summary:
    """Everything the doctor's report (PDF and CSV) states, computed once."""

    first: date
    last: date
    days: int
    total: int
    cramp_days: int
    free_confirmed: int
    per_week: list[tuple[date, int]]  # week start (Monday), cramps
    severity: dict[int, int] = field(default_factory=dict)  # 0..10 -> count
    severity_unknown: int = 0
    durations: dict[str, int] = field(default_factory=dict)
    areas: list[tuple[str, int]] = field(default_factory=list)
    night: int = 0
    woke: int = 0
    triggers: list[tuple[str, int]] = field(default_factory=list)
    helped: list[tuple[str, int]] = field(default_factory=list)
    flagged: list[tuple[Entry, list[RedFlag]]] = field(default_factory=list)

    @property
    def weeks(self) -> float:
        return self.days / 7


def summary(
    entries: Sequence[Entry], free_days: set[date], first: date, last: date, rules: Sequence[RedFlag] = ()
) -> Summary:
    """Figures over ``first``..``last`` (inclusive); ``entries`` may hold more, they are filtered."""
    inside = [e for e in entries if first <= e.day <= last]
    monday = first - timedelta(days=first.weekday())
    weeks: dict[date, int] = {}
    while monday <= last:
        weeks[monday] = 0
        monday += timedelta(days=7)
    for e in inside:
        weeks[e.day - timedelta(days=e.day.weekday())] += 1
    severity = Counter(e.severity for e in inside if e.severity is not None)
    flagged = [(e, found) for e in inside if (found := red_flags(e, rules))]
    return Summary(
        first=first,
        last=last,
        days=(last - first).days + 1,
        total=len(inside),
        cramp_days=len({e.day for e in inside}),
        free_confirmed=sum(1 for d in free_days if first <= d <= last and d not in {e.day for e in inside}),
        per_week=sorted(weeks.items()),
        severity={s: severity.get(s, 0) for s in SEVERITIES},
        severity_unknown=sum(1 for e in inside if e.severity is None),
        durations={d: sum(1 for e in inside if e.duration == d) for d in DURATIONS},
        areas=Counter(e.area for e in inside if e.area).most_common(),
        night=sum(1 for e in inside if e.night),
        woke=sum(1 for e in inside if e.woke),
        triggers=Counter(t for e in inside for t in e.triggers).most_common(),
        helped=Counter(h for e in inside for h in e.helped).most_common(),
        flagged=flagged,
    )


PERIODS: dict[str, int | None] = {"2w": 14, "4w": 28, "3m": 91, "all": None}


def period_bounds(period: str, today: date, first_day: date | None) -> tuple[date, date]:
    """First and last day of a report period (``all`` starts at the first diary day)."""
    length = PERIODS[period]
    if length is None:
        return (first_day or today), today
    return today - timedelta(days=length - 1), today
