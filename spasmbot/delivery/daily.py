"""A message due once a day at the user's local time (daily tips, the diary's evening check-in).

The row's payload holds the local time as ``"time": "HH:MM"``; the zone is the user's. These are the
``next_due``, ``on_timezone_change`` and ``latest_slot`` hooks such a kind plugs into the shared
delivery mechanism (``spasmbot.delivery.claims``), written once so that every daily kind agrees on
daylight-saving changes and on what "catching up after an outage" means.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from spasmbot.delivery import localtime
from spasmbot.delivery.schedule import Due

if TYPE_CHECKING:
    from spasmbot.services import Services


def slot_time(due: Due) -> time:
    """The local time the row is due at; a row without one is a bug, so it fails loudly."""
    parsed = localtime.parse_hhmm(str(due.payload.get("time", "")))
    if parsed is None:
        raise ValueError(f"{due.kind} row of user {due.user_id} has no valid time: {due.payload!r}")
    return parsed


def next_slot(svc: Services, due: Due, now: datetime) -> datetime:
    """Tomorrow's (or the next) local slot after both the slot just taken and now."""
    return localtime.next_daily(slot_time(due), localtime.zone(due.timezone), max(now, due.due_at))


def moved_slot(svc: Services, due: Due, now: datetime) -> datetime:
    """The user changed zone: the next slot at the same local time in the new zone."""
    return localtime.next_daily(slot_time(due), localtime.zone(due.timezone), now)


def latest_slot(svc: Services, due: Due, now: datetime) -> datetime | None:
    """The last local slot at or before ``now``: after a long outage, today's message, not every missed day's."""
    at, zone = slot_time(due), localtime.zone(due.timezone)
    slot = localtime.next_daily(at, zone, now - timedelta(hours=26))  # a day back, DST included
    while (following := localtime.next_daily(at, zone, slot)) <= now:
        slot = following
    return slot if slot <= now else None
