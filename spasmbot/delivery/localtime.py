"""Local-time maths for scheduled messages: typed times, the user's zone, daily slots in UTC.

The store keeps UTC only; these functions turn a user's local ``HH:MM`` and zone (``zoneinfo``)
into UTC instants. A time inside the spring-forward gap maps to the instant the clocks would have
shown it with the old offset; a repeated fall-back time fires once, at its first occurrence.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

# ASCII digits only: "²".isdigit() is true but int("²") raises, and "٣" is no time anyone types here.
_CLOCK = re.compile(r"^(\d{1,2})(?:\s*[:.h]\s*(\d{2}))?\s*(?:([ap])\.?\s*m?\.?)?$", re.ASCII | re.IGNORECASE)


def parse_hhmm(text: str) -> time | None:
    """A typed local time -> time; else None.

    24-hour ``7:30``, ``07:30``, ``19.45``, ``7h30``, ``7``, and 12-hour ``9pm``, ``7 am``,
    ``9:30 p.m.``, ``12am`` (midnight), ``12pm`` (noon).
    """
    match = _CLOCK.match(text.strip())
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    half = (match.group(3) or "").lower()
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def zone(name: str | None) -> ZoneInfo:
    """The user's zone; UTC when unset or unknown (a zone removed from tzdata must not crash)."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        log.warning("unknown time zone %r, using UTC", name)
        return ZoneInfo("UTC")


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of local ``day`` ``at`` in ``tz`` (gap: shifted forward; repeat: first)."""
    return datetime.combine(day, at, tzinfo=tz).replace(fold=0).astimezone(UTC)


def next_daily(at: time, tz: ZoneInfo, after: datetime) -> datetime:
    """The first daily slot at local ``at`` strictly after ``after`` (aware), in UTC."""
    day = after.astimezone(tz).date() - timedelta(days=1)
    for _ in range(4):
        candidate = local_instant(day, at, tz)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
    raise AssertionError("no daily slot within three days")  # unreachable: offsets < 1 day
