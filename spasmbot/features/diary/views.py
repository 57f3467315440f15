"""What ``/diary``, the chart, the patterns and the report show, read from the stores (Telegram-free).

Each function reads only the days it needs (an index on ``(user_id, day)``), so a user with years
of entries costs the same for ``/diary`` as one with a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from spasmbot.features.checks import store as check_store
from spasmbot.features.checks.engine import Result
from spasmbot.features.diary import rules
from spasmbot.features.diary import store as diary_store
from spasmbot.features.diary.rules import Comparison, Entry, Overview
from spasmbot.features.water import rules as water
from spasmbot.features.water import store as water_store
from spasmbot.storage import Store


@dataclass(frozen=True, slots=True)
class OverviewView:
    overview: Overview
    streak: int
    older: bool  # there are diary days before this window


async def overview(store: Store, user_id: int, today: date, page: int) -> OverviewView | None:
    """The fortnight ``page`` fortnights back; None when the diary is empty."""
    first = await diary_store.first_day(store, user_id)
    if first is None:
        return None
    end = today - timedelta(days=rules.OVERVIEW_DAYS * page)
    start = end - timedelta(days=rules.OVERVIEW_DAYS - 1)
    week_before = start  # the overview's "7 days before" fits in the window
    entries = await diary_store.between(store, user_id, week_before, end)
    free = await diary_store.free_days(store, user_id, start, end)
    last = await diary_store.last_cramp_day(store, user_id, today)
    return OverviewView(
        rules.overview(entries, free, end),
        rules.streak(last, first, today),
        first < start,
    )


@dataclass(frozen=True, slots=True)
class Hydration:
    """Daily water totals against the user's goal (current goal; the log keeps no goal history)."""

    goal: int
    unit: str
    totals: dict[date, int]  # days from the first logged drink on

    def goal_days(self) -> set[date]:
        return {d for d, amount in self.totals.items() if amount >= self.goal}


async def hydration(store: Store, user_id: int, first: date, last: date, zone: ZoneInfo) -> Hydration | None:
    """Water totals for ``first``..``last`` from the first drink logged in it; None if none was."""
    state = await water_store.load(store, user_id)
    start, _ = water.day_bounds(first, zone)
    _, end = water.day_bounds(last, zone)
    drinks = [d for d in await water_store.drinks_since(store, user_id, start) if d.at < end]
    if not drinks:
        return None
    begin = max(first, water.local_day(drinks[0].at, zone))
    days = [begin + timedelta(days=i) for i in range((last - begin).days + 1)]
    settings = state.settings
    totals = water.daily_totals(drinks, zone, settings.unit, days, settings.glass_ml)
    return Hydration(settings.goal, settings.unit, totals)


@dataclass(frozen=True, slots=True)
class Insights:
    water: Comparison | None
    triggers: list[Comparison]


async def insights(store: Store, user_id: int, today: date, zone: ZoneInfo) -> Insights:
    """Comparisons over complete days (up to yesterday), at most ``INSIGHT_DAYS`` back."""
    last = today - timedelta(days=1)
    first_day = await diary_store.first_day(store, user_id)
    first = max(first_day or today, today - timedelta(days=rules.INSIGHT_DAYS))
    if first > last:
        return Insights(None, [])
    entries = await diary_store.between(store, user_id, first, last)
    drunk = await hydration(store, user_id, first, last, zone)
    water_cmp = None
    if drunk is not None:
        cramps: dict[date, int] = {}
        for e in entries:
            cramps[e.day] = cramps.get(e.day, 0) + 1
        water_cmp = rules.water_comparison(sorted(drunk.totals), cramps, drunk.goal_days())
    return Insights(water_cmp, rules.trigger_comparisons(entries))


@dataclass(frozen=True, slots=True)
class ChartData:
    series: list[tuple[date, int, int | None]]  # oldest first
    water: list[float | None] | None  # % of goal per day, None before tracking began


async def chart_data(store: Store, user_id: int, today: date, weeks: int, zone: ZoneInfo) -> ChartData:
    days = [today - timedelta(days=weeks * 7 - 1 - i) for i in range(weeks * 7)]
    entries = await diary_store.between(store, user_id, days[0], today)
    drunk = await hydration(store, user_id, days[0], today, zone)
    water_line = None
    if drunk is not None:
        water_line = [round(100 * drunk.totals[d] / drunk.goal, 1) if d in drunk.totals else None for d in days]
    return ChartData(rules.daily_series(entries, days), water_line)


@dataclass(slots=True)
class ReportData:
    """Everything the report states: the period's entries and figures, hydration, red flags."""

    first: date
    last: date
    made: datetime
    zone: ZoneInfo
    entries: list[Entry]
    free_days: set[date]
    summary: rules.Summary
    hydration: Hydration | None
    check_flags: list[Result]  # guided-check results with an urgent or emergency outcome


async def report_data(
    store: Store,
    content_checks: dict,
    rules_list: list[rules.RedFlag],
    user_id: int,
    period: str,
    now: datetime,
    zone: ZoneInfo,
) -> ReportData | None:
    """The report for ``period``; None when nothing is in the diary for it."""
    today = rules.local_day(now, zone)
    first_day = await diary_store.first_day(store, user_id)
    first, last = rules.period_bounds(period, today, first_day)
    entries = await diary_store.between(store, user_id, first, last)
    free = await diary_store.free_days(store, user_id, first, last)
    if not entries and not free:
        return None
    results = await check_store.results(store, user_id)
    flagged = []
    for result in results:
        check = content_checks.get(result.check_id)
        outcome = check.outcomes.get(result.outcome) if check else None
        day = rules.local_day(result.finished_at, zone)
        if outcome is not None and outcome.urgency in ("emergency", "urgent") and first <= day <= last:
            flagged.append(result)
    return ReportData(
        first,
        last,
        now,
        zone,
        entries,
        free,
        rules.summary(entries, free, first, last, rules_list),
        await hydration(store, user_id, first, last, zone),
        flagged,
    )
