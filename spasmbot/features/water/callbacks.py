"""Callback data of hydration (namespace ``w``), all well under Telegram's 64 bytes.

``w:home`` · ``w:drank`` (short reply) · ``w:drank:h`` (from /water) · ``w:on`` · ``w:off`` ·
``w:iv`` / ``w:iv:<min>`` / ``w:iv:type`` · ``w:hr`` / ``w:hr:<start>:<end>`` / ``w:hr:type`` ·
``w:goal`` / ``w:goal:<unit>:<n>`` / ``w:unit:<unit>`` / ``w:glass:<ml>`` / ``w:goal:type`` ·
``w:sag:<0|1>`` (stop at goal) · ``w:chart:<7|30>`` · ``w:tz`` ·
``w:n:<d|s|k|p|x>:<nudge id>`` (a nudge's drank / snooze / skip / pause / stop; the id is the
nudge's slot in epoch seconds, unique per user) · ``w:undo:<drink id>`` (take back a logged drink).

Only values the buttons offer are accepted (``offered``); anything else is stale or forged.
"""

from __future__ import annotations

from spasmbot.callback_data import Choice, Grammar, Int, Tap
from spasmbot.features.water import rules as water

NUDGE_ACTIONS = {"d": "drank", "s": "snooze", "k": "skip", "p": "pause", "x": "stop"}
UNITS = ("glass", "ml")

WATER = Grammar("w")
HOME = WATER.action("home")
DRANK = WATER.action("drank")
DRANK_HOME = WATER.action("drank", "h")
ON = WATER.action("on")
OFF = WATER.action("off")
INTERVAL_MENU = WATER.action("iv")
INTERVAL = WATER.action("iv", Int("minutes", 0, 999))
INTERVAL_TYPE = WATER.action("iv", "type")
HOURS_MENU = WATER.action("hr")
HOURS = WATER.action("hr", Int("start", 0, 9999), Int("end", 0, 9999))
HOURS_TYPE = WATER.action("hr", "type")
GOAL_MENU = WATER.action("goal")
GOAL = WATER.action("goal", Choice("unit", *UNITS), Int("goal", 0, 99999))
GOAL_TYPE = WATER.action("goal", "type")
UNIT = WATER.action("unit", Choice("unit", *UNITS))
GLASS = WATER.action("glass", Int("ml", 10, 9999))
STOP_AT_GOAL = WATER.action("sag", Int("value", 0, 1))
CHART = WATER.action("chart", Int("days", 0, 99))
ZONE = WATER.action("tz")
NUDGE = WATER.action("n", Choice("what", *NUDGE_ACTIONS), Int("nudge", 0, 999_999_999_999))
UNDO = WATER.action("undo", Int("drink", 0, 999_999_999_999_999))


def nudge(action: str, nudge_id: int) -> str:
    """A nudge's button: ``action`` is one of ``NUDGE_ACTIONS``' values (``"snooze"``)."""
    code = next(k for k, v in NUDGE_ACTIONS.items() if v == action)
    return NUDGE(code, nudge_id)


def offered(tap: Tap) -> bool:
    """Whether a current button could have sent this (a choice the settings screens offer)."""
    action = tap.action
    if action is INTERVAL:
        return tap.number("minutes") in water.INTERVAL_CHOICES
    if action is HOURS:
        return (tap.number("start"), tap.number("end")) in water.HOURS_CHOICES
    if action is GOAL:
        return tap.number("goal") in water.GOAL_CHOICES[tap.text("unit")]  # type: ignore[index]
    if action is GLASS:
        return tap.number("ml") in water.GLASS_SIZES
    if action is CHART:
        return tap.number("days") in water.CHART_DAYS
    return True


def arguments(tap: Tap) -> tuple[int | str, ...]:
    """The handler's arguments: the typed values, with a nudge's one-letter code spelled out."""
    if tap.action is NUDGE:
        return (NUDGE_ACTIONS[tap.text("what")], tap.number("nudge"))
    return tap.values
