"""The zone catalogue and the picker's maths: offsets in use, zones at an offset, labels, dates."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from spasmbot.content.model import UiText
from spasmbot.features.timezone import rules as timezones
from tests.helpers import shipped_content

WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, 0, tzinfo=UTC)
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_catalogue_zones_all_exist_are_unique_and_fit_in_callback_data() -> None:
    names = [zone.name for zone in timezones.CATALOGUE]
    assert len(names) == len(set(names)) and 100 <= len(names) <= 170
    for name in names:
        ZoneInfo(name)
        assert len(f"z:s:{name}:t:home".encode()) <= 64


@pytest.mark.parametrize("now", [WINTER, SUMMER])
def test_every_offset_has_a_zone_and_labels_show_the_local_time(now: datetime) -> None:
    labels = timezones.local_time_labels(now, WEEKDAYS)
    offsets = [offset for offset, _ in labels]
    assert offsets == sorted(offsets) and len(offsets) > 30
    assert {330, 345, 570, 765 if now == SUMMER else 825} <= set(offsets)  # odd offsets included
    as_text = dict(labels)
    assert as_text[0] == "12:00" and as_text[330] == "17:30"
    assert len(set(as_text.values())) == len(as_text)  # every button is distinguishable
    for offset in offsets:
        zones = timezones.zones_at(offset, now)
        assert zones and all(timezones.offset_minutes(z.name, now) == offset for z in zones)


def test_same_clock_time_a_day_apart_gets_the_weekday() -> None:
    labels = dict(timezones.local_time_labels(WINTER, WEEKDAYS))
    assert labels[-660] == "01:00 (Thu)" and labels[780] == "01:00 (Fri)"


def test_berlin_is_at_plus_one_in_winter_and_plus_two_in_summer() -> None:
    assert "Europe/Berlin" in [z.name for z in timezones.zones_at(60, WINTER)]
    assert "Europe/Berlin" in [z.name for z in timezones.zones_at(120, SUMMER)]
    assert "Europe/Berlin" not in [z.name for z in timezones.zones_at(60, SUMMER)]
    assert timezones.zones_at(17, WINTER) == []


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("  europe/berlin ", "Europe/Berlin"),
        ("America/Argentina/Buenos Aires", "America/Argentina/Buenos_Aires"),
        ("UTC", "UTC"),
        ("Berlin", None),
        ("Mars/Olympus_Mons", None),
        ("", None),
        ("../../etc/passwd", None),
        ("🕒", None),
    ],
)
def test_typed_zone_names(typed: str, expected: str | None) -> None:
    assert timezones.lookup(typed) == expected


def test_format_when_says_today_tomorrow_or_the_date_in_local_time() -> None:
    ui: UiText = shipped_content().ui
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)  # Wed 21:00 in Berlin
    tomorrow = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)
    assert timezones.format_when(tomorrow, "Europe/Berlin", now, ui) == "tomorrow, Thu 26 Nov at 07:30 (Europe/Berlin)"
    assert timezones.format_when(now, "Europe/Berlin", now, ui).startswith("today, Wed 25 Nov at 21:00")
    later = datetime(2026, 11, 28, 6, 30, tzinfo=UTC)
    assert timezones.format_when(later, "Asia/Kolkata", now, ui) == "Sat 28 Nov at 12:00 (Asia/Kolkata)"
