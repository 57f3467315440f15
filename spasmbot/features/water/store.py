"""Hydration tables: ``water_settings`` (one row per user) and ``water_drinks`` (one per glass).

Whether nudges are on, and when the next one goes out, is the user's ``water`` row in the shared
schedule, not a column here: ``WaterSettings.enabled`` is always False as loaded, and the bot
layer sets it from the schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from spasmbot.features.water.rules import ActiveHours, Drink, WaterSettings
from spasmbot.storage.db import Store, epoch, from_epoch


@dataclass(frozen=True, slots=True)
class WaterState:
    """Settings plus the bookkeeping of sent nudges."""

    settings: WaterSettings
    nudge_seq: int = 0
    last_nudge_at: int | None = None  # epoch seconds: the id of the latest nudge


async def load(store: Store, user_id: int) -> WaterState:
    """The user's state; defaults when they never touched /water."""
    row = await store.fetchone(
        "SELECT interval_min, start_min, end_min, unit, goal, glass_ml, stop_at_goal,"
        " paused_on, nudge_seq, last_nudge_at FROM water_settings WHERE user_id = ?",
        (user_id,),
    )
    if row is None:
        return WaterState(WaterSettings())
    settings = WaterSettings(
        interval=row["interval_min"],
        hours=ActiveHours(row["start_min"], row["end_min"]),
        unit=row["unit"],
        goal=row["goal"],
        glass_ml=row["glass_ml"],
        stop_at_goal=bool(row["stop_at_goal"]),
        paused_on=date.fromisoformat(row["paused_on"]) if row["paused_on"] else None,
    )
    return WaterState(settings, row["nudge_seq"], row["last_nudge_at"])


async def save(store: Store, user_id: int, settings: WaterSettings, now: datetime) -> None:
    """Write the user's choices (not ``enabled``: see the module doc); bookkeeping is kept."""
    await store.write(
        "INSERT INTO water_settings (user_id, interval_min, start_min, end_min, unit,"
        " goal, glass_ml, stop_at_goal, paused_on, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET interval_min = excluded.interval_min,"
        " start_min = excluded.start_min, end_min = excluded.end_min, unit = excluded.unit, goal = excluded.goal,"
        " glass_ml = excluded.glass_ml, stop_at_goal = excluded.stop_at_goal,"
        " paused_on = excluded.paused_on, updated_at = excluded.updated_at",
        (
            user_id,
            settings.interval,
            settings.hours.start,
            settings.hours.end,
            settings.unit,
            settings.goal,
            settings.glass_ml,
            int(settings.stop_at_goal),
            settings.paused_on.isoformat() if settings.paused_on else None,
            epoch(now),
        ),
    )


async def record_nudge(store: Store, user_id: int, sent_at: datetime) -> None:
    """Remember a nudge as the latest one and move on to the next text."""
    await store.write(
        "UPDATE water_settings SET nudge_seq = nudge_seq + 1, last_nudge_at = ? WHERE user_id = ?",
        (epoch(sent_at), user_id),
    )


async def add_drink(store: Store, user_id: int, at: datetime, ml: int, nudge_at: int | None = None) -> int | None:
    """Log one drink; its id (for undo), or None when this nudge was already answered with a drink."""
    rows = await store.fetchall(
        "INSERT INTO water_drinks (user_id, drunk_at, ml, nudge_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (user_id, nudge_at) DO NOTHING RETURNING id",
        (user_id, epoch(at), ml, nudge_at),
    )
    return int(rows[0]["id"]) if rows else None


async def drinks_logged_since(store: Store, user_id: int, since: datetime) -> int:
    """How many drinks the user logged after ``since`` (an index range: cheap)."""
    row = await store.fetchone(
        "SELECT count(*) FROM water_drinks WHERE user_id = ? AND drunk_at > ?", (user_id, epoch(since))
    )
    return int(row[0]) if row is not None else 0


async def remove_drink(store: Store, user_id: int, drink_id: int) -> Drink | None:
    """Undo a drink logged by mistake; the removed drink, or None if it is not (or no longer) there."""
    rows = await store.fetchall(
        "DELETE FROM water_drinks WHERE id = ? AND user_id = ? RETURNING drunk_at, ml", (drink_id, user_id)
    )
    return Drink(from_epoch(rows[0]["drunk_at"]), rows[0]["ml"]) if rows else None


async def drinks_since(store: Store, user_id: int, since: datetime) -> list[Drink]:
    """The user's drinks from ``since`` on, oldest first."""
    rows = await store.fetchall(
        "SELECT drunk_at, ml FROM water_drinks WHERE user_id = ? AND drunk_at >= ? ORDER BY drunk_at",
        (user_id, epoch(since)),
    )
    return [Drink(from_epoch(row["drunk_at"]), row["ml"]) for row in rows]
