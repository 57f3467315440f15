"""Hydration domain: parsing, active hours, nudge planning, pace, streaks and the chart."""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from spasmbot.chart import ChartLabels, water_chart
from spasmbot.features.water import rules as water
from spasmbot.features.water.rules import ActiveHours, BadInput, Drink, WaterSettings

BERLIN = ZoneInfo("Europe/Berlin")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone).astimezone(UTC)  # type: ignore[misc]


def hm(instant: datetime, zone: ZoneInfo) -> str:
    return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M")


# --- typed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45m", 45),
        ("45 min", 45),
        ("1h30", 90),
        ("1h 30m", 90),
        ("1 h 30 min", 90),
        ("2h", 120),
        ("2 hours", 120),
        ("1.5h", 90),
        ("1,5 h", 90),
        ("90", 90),
        ("1:30", 90),
        ("  3H ", 180),
    ],
)
def test_parse_interval_accepts_common_forms(text: str, minutes: int) -> None:
    assert water.parse_interval(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "h", "1h30x", "-30m", "1:75", "30 sec"])
def test_parse_interval_rejects_nonsense(text: str) -> None:
    with pytest.raises(BadInput) as info:
        water.parse_interval(text)
    assert info.value.reason == "format"


@pytest.mark.parametrize("text", ["5m", "0", "9h", "14"])
def test_parse_interval_rejects_out_of_range(text: str) -> None:
    with pytest.raises(BadInput) as info:
        water.parse_interval(text)
    assert info.value.reason == "range"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("08:00-21:00", 480, 1260),
        ("8-21", 480, 1260),
        ("22:00 – 06:00", 1320, 360),
        ("7am to 10pm", 420, 1320),
        ("9.30-17.45", 570, 1065),
        ("18:00-24:00", 1080, 0),
    ],
)
def test_parse_hours(text: str, start: int, end: int) -> None:
    assert water.parse_hours(text) == ActiveHours(start, end)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("8", "format"),
        ("25-6", "format"),
        ("8:00-8:30", "range"),
        ("9-9", "range"),
        ("13pm-2pm", "format"),
        ("all day", "format"),
    ],
)
def test_parse_hours_rejects(text: str, reason: str) -> None:
    with pytest.raises(BadInput) as info:
        water.parse_hours(text)
    assert info.value.reason == reason


@pytest.mark.parametrize(
    ("text", "current", "expected"),
    [
        ("10", "glass", ("glass", 10)),
        ("2000", "ml", ("ml", 2000)),
        ("2000 ml", "glass", ("ml", 2000)),
        ("2l", "glass", ("ml", 2000)),
        ("2.5 litres", "glass", ("ml", 2500)),
        ("6 glasses", "ml", ("glass", 6)),
    ],
)
def test_parse_goal(text: str, current: water.Unit, expected: tuple[str, int]) -> None:
    assert water.parse_goal(text, current) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("lots", "format"),
        ("2.5 glasses", "format"),
        ("0", "range"),
        ("50 l", "range"),
        ("100", "range"),
    ],
)
def test_parse_goal_rejects(text: str, reason: str) -> None:
    with pytest.raises(BadInput) as info:
        water.parse_goal(text, "glass")
    assert info.value.reason == reason


def test_switching_unit_carries_the_goal_over() -> None:
    s = WaterSettings(goal=8, glass_ml=250)
    assert s.with_unit("ml").goal == 2000
    assert s.with_unit("ml").with_unit("glass").goal == 8
    assert WaterSettings(unit="ml", goal=1900, glass_ml=300).with_unit("glass").goal == 7


# --- active hours -----------------------------------------------------------------------------


def test_active_hours_day_and_night() -> None:
    day = ActiveHours(480, 1260)
    assert day.contains(480) and day.contains(1259)
    assert not day.contains(479) and not day.contains(1260)
    night = ActiveHours(1320, 360)
    assert night.crosses_midnight
    assert night.contains(1320) and night.contains(0) and night.contains(359)
    assert not night.contains(360) and not night.contains(720)
    assert night.length == night.day_total == 480
    assert night.active_before(120) == 120
    assert night.active_before(1380) == 360 + 60


def test_active_hours_refuse_empty_or_tiny_windows() -> None:
    with pytest.raises(ValueError):
        ActiveHours(600, 600)
    with pytest.raises(ValueError):
        ActiveHours(600, 630)
    with pytest.raises(ValueError):
        ActiveHours(0, 1440)


# --- planning ---------------------------------------------------------------------------------


def nudges_over(start: datetime, end: datetime, settings: WaterSettings, zone: ZoneInfo) -> list[datetime]:
    """Every nudge the plan produces between two instants, when nobody taps anything."""
    out = []
    t = water.plan_next(start, settings, zone, reached_today=False)
    while t < end:
        out.append(t)
        t = water.plan_next(t, settings, zone, reached_today=False)
    return out


def test_plan_stays_inside_day_hours() -> None:
    s = WaterSettings(enabled=True, interval=120)
    times = nudges_over(local(BERLIN, 2026, 6, 1, 7), local(BERLIN, 2026, 6, 3, 0), s, BERLIN)
    assert [hm(t, BERLIN) for t in times] == [
        "2026-06-01 09:00", "2026-06-01 11:00", "2026-06-01 13:00", "2026-06-01 15:00",
        "2026-06-01 17:00", "2026-06-01 19:00",
        "2026-06-02 08:00", "2026-06-02 10:00", "2026-06-02 12:00", "2026-06-02 14:00",
        "2026-06-02 16:00", "2026-06-02 18:00", "2026-06-02 20:00",
    ]  # fmt: skip


def test_plan_across_midnight_for_night_shifts() -> None:
    s = WaterSettings(enabled=True, interval=180, hours=ActiveHours(22 * 60, 6 * 60))
    times = nudges_over(local(BERLIN, 2026, 6, 1, 12), local(BERLIN, 2026, 6, 2, 12), s, BERLIN)
    assert [hm(t, BERLIN) for t in times] == [
        "2026-06-01 22:00", "2026-06-02 01:00", "2026-06-02 04:00",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("zone", "day"),
    [
        (LONDON, date(2026, 3, 29)),
        (LONDON, date(2026, 10, 25)),
        (NEW_YORK, date(2026, 3, 8)),
        (NEW_YORK, date(2026, 11, 1)),
    ],
)
def test_plan_on_daylight_saving_days_stays_inside_hours(zone: ZoneInfo, day: date) -> None:
    """Windows that include the changed hour, including one that opens inside a skipped hour."""
    for hours in (ActiveHours(60, 300), ActiveHours(150, 600), ActiveHours(22 * 60, 4 * 60)):
        s = WaterSettings(enabled=True, interval=45, hours=hours)
        start = water.day_bounds(day - timedelta(days=1), zone)[0]
        end = water.day_bounds(day + timedelta(days=1), zone)[1]
        times = nudges_over(start, end, s, zone)
        assert times, hours
        assert all(water.in_window(t, hours, zone) for t in times)
        gaps = [(b - a) for a, b in itertools.pairwise(times)]
        assert all(g >= timedelta(minutes=45) for g in gaps)
        on_day = [t for t in times if water.local_day(t, zone) == day]
        assert on_day, (hours, day)


def test_window_opening_in_the_skipped_hour_lands_just_after_it() -> None:
    s = WaterSettings(enabled=True, interval=60, hours=ActiveHours(2 * 60 + 30, 6 * 60))
    first = water.plan_next(local(NEW_YORK, 2026, 3, 8, 0), s, NEW_YORK, reached_today=False)
    assert hm(first, NEW_YORK) == "2026-03-08 03:30"


def test_goal_reached_moves_next_nudge_to_tomorrow_unless_turned_off() -> None:
    s = WaterSettings(enabled=True, interval=60)
    now = local(BERLIN, 2026, 6, 1, 15)
    assert hm(water.plan_next(now, s, BERLIN, reached_today=True), BERLIN) == "2026-06-02 08:00"
    keep_going = replace(s, stop_at_goal=False)
    nxt = water.plan_next(now, keep_going, BERLIN, reached_today=True)
    assert hm(nxt, BERLIN) == "2026-06-01 16:00"


def test_pause_blocks_only_the_paused_day() -> None:
    s = WaterSettings(enabled=True, interval=60, paused_on=date(2026, 6, 1))
    now = local(BERLIN, 2026, 6, 1, 10)
    assert hm(water.plan_next(now, s, BERLIN, reached_today=False), BERLIN) == "2026-06-02 08:00"
    assert not water.may_nudge_now(local(BERLIN, 2026, 6, 1, 12), s, BERLIN, False)
    assert water.may_nudge_now(local(BERLIN, 2026, 6, 2, 12), s, BERLIN, False)


def test_snooze_waits_its_own_time_and_respects_the_end_of_hours() -> None:
    s = WaterSettings(enabled=True, interval=180)
    now = local(BERLIN, 2026, 6, 1, 10)
    snoozed = water.plan_next(now, s, BERLIN, False, wait=water.SNOOZE_MINUTES)
    assert hm(snoozed, BERLIN) == "2026-06-01 10:30"
    late = water.plan_next(local(BERLIN, 2026, 6, 1, 20, 45), s, BERLIN, False, wait=30)
    assert hm(late, BERLIN) == "2026-06-02 08:00"


def test_may_nudge_now() -> None:
    s = WaterSettings(enabled=True)
    assert water.may_nudge_now(local(BERLIN, 2026, 6, 1, 8), s, BERLIN, False)
    assert not water.may_nudge_now(local(BERLIN, 2026, 6, 1, 21), s, BERLIN, False)
    assert not water.may_nudge_now(local(BERLIN, 2026, 6, 1, 12), s, BERLIN, True)
    assert water.may_nudge_now(local(BERLIN, 2026, 6, 1, 12), replace(s, stop_at_goal=False), BERLIN, True)
    assert not water.may_nudge_now(local(BERLIN, 2026, 6, 1, 12), replace(s, enabled=False), BERLIN, False)


# --- progress ---------------------------------------------------------------------------------


def test_pace_is_linear_over_active_hours() -> None:
    hours = ActiveHours(480, 1260)  # 13 hours
    assert water.pace(local(BERLIN, 2026, 6, 1, 7), hours, 8, BERLIN) == 0
    assert water.pace(local(BERLIN, 2026, 6, 1, 14, 30), hours, 8, BERLIN) == 4
    assert water.pace(local(BERLIN, 2026, 6, 1, 20, 59), hours, 8, BERLIN) == 7
    assert water.pace(local(BERLIN, 2026, 6, 1, 23), hours, 8, BERLIN) == 8
    night = ActiveHours(1320, 360)  # 8 hours: 00-06 and 22-24 of each calendar day
    assert water.pace(local(BERLIN, 2026, 6, 1, 3), night, 8, BERLIN) == 3
    assert water.pace(local(BERLIN, 2026, 6, 1, 12), night, 8, BERLIN) == 6
    assert water.pace(local(BERLIN, 2026, 6, 1, 23), night, 8, BERLIN) == 7


def test_totals_follow_the_local_day() -> None:
    drinks = [
        Drink(local(BERLIN, 2026, 6, 1, 23, 50), 250),  # 21:50 UTC: still June 1st in Berlin
        Drink(local(BERLIN, 2026, 6, 2, 0, 10), 300),  # 22:10 UTC on June 1st, but June 2nd here
        Drink(local(BERLIN, 2026, 6, 2, 9), 250),
    ]
    days = [date(2026, 6, 1), date(2026, 6, 2)]
    assert water.daily_totals(drinks, BERLIN, "glass", days) == {days[0]: 1, days[1]: 2}
    assert water.daily_totals(drinks, BERLIN, "ml", days) == {days[0]: 250, days[1]: 550}
    assert water.daily_totals(drinks, UTC, "glass", days) == {days[0]: 2, days[1]: 1}  # type: ignore[arg-type]


def test_streak_counts_back_from_today_or_yesterday() -> None:
    today = date(2026, 6, 10)
    totals = {today - timedelta(days=i): v for i, v in enumerate([3, 8, 9, 8, 2, 8])}
    assert water.streak(totals, today, 8) == 3  # today still under way
    totals[today] = 8
    assert water.streak(totals, today, 8) == 4
    totals[today - timedelta(days=1)] = 0
    assert water.streak(totals, today, 8) == 1
    assert water.streak({}, today, 8) == 0


def test_progress_summary() -> None:
    s = WaterSettings(enabled=True, goal=4)
    now = local(BERLIN, 2026, 6, 10, 14, 30)
    drinks = [Drink(local(BERLIN, 2026, 6, d, 9 + k), 250) for d in (8, 9) for k in range(4)]
    drinks.append(Drink(local(BERLIN, 2026, 6, 10, 9), 250))
    p = water.progress(now, s, BERLIN, drinks)
    assert (p.amount, p.goal, p.expected, p.behind, p.reached, p.streak) == (1, 4, 2, 1, False, 2)
    assert len(p.history) == 7
    assert p.history[-1] == (date(2026, 6, 10), 1)
    assert p.history[0] == (date(2026, 6, 4), 0)


def test_nudge_texts_rotate_without_repeats() -> None:
    seen = [water.nudge_index(7, seq, 12) for seq in range(12)]
    assert sorted(seen) == list(range(12))
    assert water.nudge_index(7, 0, 12) != water.nudge_index(8, 0, 12)


# --- chart ------------------------------------------------------------------------------------


def png_info(data: bytes) -> tuple[int, int, dict[str, str]]:
    """Width, height and text chunks of a PNG, read straight from its chunks."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, texts, size = 8, {}, (0, 0)
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert zlib.crc32(kind + body) == crc
        if kind == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            texts[key.decode("latin-1")] = value.decode("latin-1")
        pos += 12 + length
    assert kind == b"IEND"
    return size[0], size[1], texts


@pytest.mark.parametrize("count", [7, 30])
def test_chart_is_a_png_of_sane_size_with_one_bar_per_day(count: int) -> None:
    days = [(date(2026, 6, 1) + timedelta(days=i), i % 11) for i in range(count)]
    data = water_chart(days, 8, ChartLabels("Last days", "Goal", "glasses"))
    width, height, texts = png_info(data)
    assert 600 <= width <= 1600 and 300 <= height <= 1000
    assert texts["Days"] == str(count)
    assert texts["Goal"] == "8"
    import matplotlib.image

    pixels = matplotlib.image.imread(io.BytesIO(data), format="png")
    assert pixels.shape[:2] == (height, width)


def test_chart_needs_days() -> None:
    with pytest.raises(ValueError):
        water_chart([], 8, ChartLabels("t", "g", "u"))


# --- the schedule row's payload ---------------------------------------------------------------


def test_plan_state_round_trips_through_the_payload() -> None:
    s = WaterSettings(
        enabled=True,
        interval=45,
        hours=ActiveHours(22 * 60, 6 * 60),
        goal=2500,
        unit="ml",
        stop_at_goal=False,
        paused_on=date(2026, 6, 1),
    )
    state = water.PlanState(s, date(2026, 6, 1), 750)
    back = water.PlanState.from_payload(state.to_payload())
    assert back.settings.interval == 45
    assert back.settings.hours == s.hours
    assert back.settings.goal == 2500 and not back.settings.stop_at_goal
    assert back.settings.paused_on == date(2026, 6, 1)
    assert (back.day, back.amount) == (date(2026, 6, 1), 750)
    assert not back.reached(date(2026, 6, 1))
    assert water.PlanState(s, date(2026, 6, 1), 2500).reached(date(2026, 6, 1))
    assert not water.PlanState(s, date(2026, 6, 1), 2500).reached(date(2026, 6, 2))


@pytest.mark.parametrize(
    "payload",
    [{}, {"iv": "90", "hs": 480, "he": 1260, "goal": 8}, {"iv": 90, "hs": 600, "he": 600, "goal": 8}],
)
def test_a_damaged_payload_falls_back_to_defaults(payload: dict[str, object]) -> None:
    state = water.PlanState.from_payload(payload)
    assert state.settings == WaterSettings(enabled=True)
    assert state.day is None


def test_following_slot_on_time_and_after_downtime() -> None:
    state = water.PlanState(WaterSettings(enabled=True, interval=90))
    slot = local(BERLIN, 2026, 6, 1, 11, 30)
    on_time = water.following_slot(state, slot, slot + timedelta(seconds=20), BERLIN)
    assert on_time == slot + timedelta(minutes=90, seconds=20)
    late = water.following_slot(state, slot, local(BERLIN, 2026, 6, 1, 15), BERLIN)
    assert hm(late, BERLIN) == "2026-06-01 15:01"
    overnight = water.following_slot(state, slot, local(BERLIN, 2026, 6, 1, 23), BERLIN)
    assert hm(overnight, BERLIN) == "2026-06-02 08:00"
    reached = water.PlanState(WaterSettings(enabled=True, goal=2), date(2026, 6, 1), 2)
    assert hm(water.following_slot(reached, slot, slot, BERLIN), BERLIN) == "2026-06-02 08:00"


def test_moved_slot_keeps_the_instant_when_the_new_zone_allows_it() -> None:
    state = water.PlanState(WaterSettings(enabled=True))
    slot = local(BERLIN, 2026, 6, 1, 15)  # 09:00 in New York: inside its hours too
    now = local(BERLIN, 2026, 6, 1, 14)
    assert water.moved_slot(state, slot, now, NEW_YORK) == slot
    evening = local(BERLIN, 2026, 6, 1, 12)  # 06:00 in New York: wait for 08:00 there
    assert hm(water.moved_slot(state, evening, now - timedelta(hours=3), NEW_YORK), NEW_YORK) == ("2026-06-01 08:00")


# --- UI words ---------------------------------------------------------------------------------


def test_every_water_ui_key_the_bot_uses_exists_and_none_is_left_unused() -> None:
    """Rare paths (ml goals, a second streak day, a nudge without texts) must not hit a KeyError."""
    import re
    from pathlib import Path

    from spasmbot.features.water import handlers as bot_water
    from spasmbot.features.water import screens as water_screens
    from tests.helpers import shipped_content

    source = "\n".join(Path(m.__file__).read_text(encoding="utf-8") for m in (bot_water, water_screens))
    inputs = {bot_water.INPUT_INTERVAL, bot_water.INPUT_HOURS, bot_water.INPUT_GOAL}
    used = set(re.findall(r'(?<!f)"(water\.[a-z_.]+)"', source)) - inputs
    units = water.UNITS
    used |= {f"water.button.chart_{n}" for n in water.CHART_DAYS}
    used |= {f"water.chart_title_{n}" for n in water.CHART_DAYS}
    used |= {f"water.button.goal_{u}" for u in units} | {"water.button.glasses", "water.button.ml"}
    for stem in ("chart_unit", "goal_line", "goal_prompt", "goal_value", "nudge_progress", "pace_behind", "today"):
        used |= {f"water.{stem}_{u}" for u in units}
    used |= {f"water.{kind}_bad_{reason}" for kind in ("hours", "drank") for reason in ("format", "range")}
    ui = shipped_content().ui
    defined = {key for key in ui.keys() if key.startswith("water.")}  # noqa: SIM118 - UiText is no dict
    assert sorted(used - defined) == []
    assert sorted(defined - used) == []
