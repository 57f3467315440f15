"""Rules of daily tips, Telegram-free: when the next tip is due and which tip it is.

Plugged into the shared delivery mechanism as the ``tips`` kind (``handlers.TIPS``): ``next_due``,
``latest_slot`` (catching up after an outage), ``moved_due`` (zone change), ``prepare`` and
``advance`` (the rotation, stored with each claim).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from spasmbot.delivery import localtime
from spasmbot.delivery.schedule import Due
from spasmbot.features.tips import store as tip_store
from spasmbot.services import Services


def _time_of(due: Due) -> time:
    parsed = localtime.parse_hhmm(str(due.payload.get("time", "")))
    if parsed is None:
        raise ValueError(f"tips row of user {due.user_id} has no valid time: {due.payload!r}")
    return parsed


def next_due(svc: Services, due: Due, now: datetime) -> datetime:
    """Tomorrow's (or the next) local slot after both the slot just taken and now."""
    return localtime.next_daily(_time_of(due), localtime.zone(due.timezone), max(now, due.due_at))


def latest_slot(svc: Services, due: Due, now: datetime) -> datetime | None:
    """The last local slot at or before ``now`` (for catching up after a long outage)."""
    at, zone = _time_of(due), localtime.zone(due.timezone)
    slot = localtime.next_daily(at, zone, now - timedelta(hours=26))  # a day back, DST included
    while (following := localtime.next_daily(at, zone, slot)) <= now:
        slot = following
    return slot if slot <= now else None


def moved_due(svc: Services, due: Due, now: datetime) -> datetime:
    """The user changed zone: the next slot at the same local time in the new zone."""
    return localtime.next_daily(_time_of(due), localtime.zone(due.timezone), now)


_CURRENT_POOL = "tips.current_pool"


async def prepare(svc: Services) -> None:
    """Once per pass: the current tip list's pool id (created if new), and all pools cached."""
    svc.store.cache[_CURRENT_POOL] = await tip_store.ensure_pool(svc.store, svc.content.tips)


def advance(svc: Services, due: Due) -> dict[str, Any]:
    """Pick this slot's tip and move the rotation on; stored with the claim."""
    pools = tip_store.cached_pools(svc.store)
    current: int = svc.store.cache[_CURRENT_POOL]
    rotation = tip_store.Rotation.from_payload(due.payload)
    tip_id, after = tip_store.pick(rotation, due.user_id, pools, current, svc.content.tips)
    payload = {**due.payload, **after.to_payload()}
    payload["tip"] = tip_id
    return payload
