"""The diary's Telegram-free parts: placing a cramp in time, streaks, insights, report figures, the
callback grammar, content validation and the PDF's font fallback."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from spasmbot.content.loader import load_content
from spasmbot.content.model import ContentInvalid
from spasmbot.features.diary import callbacks, report, rules
from spasmbot.features.diary.rules import Entry
from tests.helpers import CONTENT_DIR, shipped_content

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin


def entry(day: date, **fields: object) -> Entry:
    at = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)
    return replace(Entry(id=1, at=at, day=day, logged_at=at, night=False), **fields)  # type: ignore[arg-type]


def test_placed_now_earlier_last_night_and_another_day() -> None:
    assert rules.placed("now", NOW, BERLIN) == (NOW, date(2026, 3, 2))
    earlier, day = rules.placed("earlier", NOW, BERLIN)
    assert day == date(2026, 3, 2) and earlier.astimezone(BERLIN).hour == 5  # half-way to 10:00
    night, day = rules.placed("night", NOW, BERLIN)
    assert night.astimezone(BERLIN).hour == 3 and day == date(2026, 3, 2)
    assert rules.is_night(night, BERLIN, None) and not rules.is_night(NOW, BERLIN, None)
    assert rules.is_night(NOW, BERLIN, True)  # it woke them up
    two_am = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 02:00 Berlin: "last night" is the night before
    assert rules.placed("night", two_am, BERLIN)[1] == date(2026, 3, 1)
    noon, day = rules.placed("day", NOW, BERLIN, date(2026, 2, 27))
    assert day == date(2026, 2, 27) and noon.astimezone(BERLIN).hour == 12


def test_streak_counts_days_since_the_last_cramp_or_the_start() -> None:
    today = date(2026, 3, 10)
    assert rules.streak(date(2026, 3, 10), date(2026, 1, 1), today) == 0
    assert rules.streak(date(2026, 3, 7), date(2026, 1, 1), today) == 3
    assert rules.streak(None, date(2026, 3, 8), today) == 3  # only check-ins so far
    assert rules.streak(None, None, today) == 0


def test_water_comparison_needs_seven_days_each_side() -> None:
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(10)]
    goal_days = set(days[:4])
    cramps = {days[0]: 1, days[5]: 2, days[6]: 1}
    thin = rules.water_comparison(days, cramps, goal_days)
    assert (thin.with_days, thin.with_cramps, thin.other_days, thin.other_cramps) == (4, 1, 6, 3)
    assert (thin.needed_with, thin.needed_other, thin.enough) == (3, 1, False)
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(14)]
    enough = rules.water_comparison(days, cramps, set(days[:7]))
    assert enough.enough and (enough.with_cramps, enough.other_cramps) == (4, 0)


def test_summary_counts_weeks_severity_and_flags() -> None:
    first, last = date(2026, 2, 16), date(2026, 3, 1)  # two whole weeks, Monday to Sunday
    entries = [
        entry(date(2026, 2, 16), severity=3, area="calf", duration="lt1"),
        entry(date(2026, 2, 20), severity=8, area="chest", duration="gt10", night=True, woke=True),
        entry(date(2026, 2, 24), area="calf", triggers=("heat",), helped=("stretching",)),
        entry(date(2026, 3, 5), severity=1),  # after the period
    ]
    flags = rules.red_flag_rules(shipped_content())
    s = rules.summary(entries, {date(2026, 2, 17), date(2026, 2, 20)}, first, last, flags)
    assert (s.total, s.cramp_days, s.free_confirmed, s.days) == (3, 3, 1, 14)
    assert s.per_week == [(date(2026, 2, 16), 2), (date(2026, 2, 23), 1)]
    assert s.severity[3] == 1 and s.severity[8] == 1 and s.severity_unknown == 1
    assert s.durations == {"lt1": 1, "1to5": 0, "5to10": 0, "gt10": 1}
    assert s.areas == [("calf", 2), ("chest", 1)] and (s.night, s.woke) == (1, 1)
    [(flagged, flags)] = s.flagged
    assert flagged.day == date(2026, 2, 20) and {f.field for f in flags} == {"area", "duration"}


def test_callback_grammar_refuses_what_it_cannot_read() -> None:
    tap = callbacks.DIARY.parse("d:s:sev:12:10")
    assert tap is not None and tap.action is callbacks.SETTERS["sev"] and tap.values == (12, 10)
    assert callbacks.DIARY.parse("d:s:day:12:20260227") is not None
    assert callbacks.day_of("20260227") == date(2026, 2, 27) and callbacks.day_of("20260230") is None
    assert callbacks.time_of("2130") is not None and callbacks.time_of("2460") is None
    for bad in (
        "d:s:sev:12:11",
        "d:s:sev:0:1",
        "d:e:-1",
        "d:new:Bad:Id",
        "d:c:5",
        "d",
        "x:home",
        "d:s:trig:12:exercise:x",
        "d:s:trig:12:sunburn",
        "d:f:12:nowhere",
    ):
        assert callbacks.DIARY.parse(bad) is None, bad
    assert callbacks.REPORTS.parse("r:p:1y") is None and callbacks.REPORTS.parse("r:p:all") is not None
    longest = callbacks.set_data(10**17, "trig", "little_drink")
    assert len(longest.encode()) <= 64


def _content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root)
    return root


def test_red_flags_must_point_at_urgent_outcomes_of_existing_checks(tmp_path: Path) -> None:
    root = _content_copy(tmp_path)
    path = root / "en" / "ui" / "diary.yaml"
    text = path.read_text()
    path.write_text(
        text.replace('gt10: "cramping_now.urgent_now"', 'gt10: "cramping_now.relieved"')
        .replace('belly: "cramping_now.belly"', 'belly: "doctor.nowhere"')
        .replace('    ham_stretch: "area:hamstring"', '    ham_stretch: "area:knee"')
    )
    with pytest.raises(ContentInvalid) as caught:
        load_content(root)
    message = str(caught.value)
    assert "en/ui/diary.yaml: red_flags.duration.gt10: 'cramping_now.relieved': a red flag needs an urgent" in message
    assert "red_flags.area.belly: 'doctor.nowhere': check 'doctor' has no outcome 'nowhere'" in message
    assert "prefill.cramping_now.ham_stretch: 'area:knee' must be" in message


def test_every_vocabulary_id_needs_a_label(tmp_path: Path) -> None:
    root = _content_copy(tmp_path)
    path = root / "en" / "ui" / "diary.yaml"
    path.write_text(path.read_text().replace('    stress: "😰 Stress"\n', ""))
    with pytest.raises(ContentInvalid, match=r"en/ui/diary.yaml: labels.trigger.stress: missing label"):
        load_content(root)


def test_pdf_text_keeps_what_a_font_can_draw() -> None:
    assert report.printable("Crampe à 3h — ночью") == "Crampe à 3h — ночью"
    assert report.printable("🦵 calf 🏟️") == "calf"  # symbols no font has are dropped
    cjk = report.printable("足がつった")
    assert cjk in ("?????", "足がつった")  # drawn if a font on the machine has it, else marked
    assert report.plain("🦵 Calf") == "Calf"
