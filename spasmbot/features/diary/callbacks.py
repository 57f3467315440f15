"""The diary's callback-data grammar: namespace ``d`` (diary) and ``r`` (report), all under 64 bytes.

``d:new`` log a cramp now · ``d:new:<check>`` log it with what a finished check learnt
``d:home`` / ``d:p:<page>`` the overview, ``page`` fortnights back · ``d:l:<page>`` entries to edit
``d:e:<id>`` an entry · ``d:f:<id>:<field>`` ask one detail · ``d:s:<id>:<field>:<value>`` set it
(multi-select fields toggle) · ``d:u:<id>`` undo · ``d:x:<id>`` delete? · ``d:xy:<id>`` delete
``d:c:<4|12>`` chart · ``d:i`` patterns · ``d:ci`` check-in settings (``d:ci:t`` times,
``d:ci:s:<HHMM>``, ``d:ci:z`` zone, ``d:ci:off``) · on a check-in message ``d:cn:<YYYYMMDD>`` none
today, ``d:cl:<YYYYMMDD>`` log one, ``d:cp`` pause · ``r:home`` periods · ``r:p:<period>`` report.

``parse`` returns None for anything malformed; values are checked against the vocabulary in
``rules`` and entry ids against the store (by the handler) before anything is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time

from spasmbot.features.diary import rules

NS = "d"
REPORT_NS = "r"
HOME = "d:home"
LOG = "d:new"
REPORT = "r:home"
CHECKIN = "d:ci"

# field -> the values a "set" tap may carry (None: special-cased below)
SETTABLE: dict[str, tuple[str, ...] | None] = {
    "when": rules.WHEN,
    "day": None,  # YYYYMMDD
    "area": rules.AREAS,
    "side": rules.SIDES,
    "sev": tuple(str(n) for n in rules.SEVERITIES),
    "dur": rules.DURATIONS,
    "woke": ("y", "n"),
    "trig": rules.TRIGGERS,
    "help": rules.HELPED,
    "sign": rules.SIGNS,
}
ASKABLE = ("when", "day", "area", "side", "sev", "dur", "woke", "trig", "help", "sign", "note")
MULTI = {"trig": "triggers", "help": "helped", "sign": "signs"}  # toggle fields -> Entry attribute

_ID = re.compile(r"^[1-9][0-9]{0,17}$")
_PAGE = re.compile(r"^[0-9]{1,4}$")
_DAY = re.compile(r"^[0-9]{8}$")
_HHMM = re.compile(r"^([01][0-9]|2[0-3])([0-5][0-9])$")


@dataclass(frozen=True, slots=True)
class Tap:
    kind: str
    entry: int = 0
    field: str = ""
    value: str = ""
    page: int = 0
    day: date | None = None
    at: time | None = None


def entry_data(entry_id: int) -> str:
    return f"d:e:{entry_id}"


def ask_data(entry_id: int, field: str) -> str:
    return f"d:f:{entry_id}:{field}"


def set_data(entry_id: int, field: str, value: str) -> str:
    return f"d:s:{entry_id}:{field}:{value}"


def day_value(day: date) -> str:
    return day.strftime("%Y%m%d")


def _day(text: str) -> date | None:
    if not _DAY.match(text):
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def parse(data: str) -> Tap | None:
    """A ``d:``/``r:`` callback as a Tap; None when it is malformed or carries unknown values."""
    parts = data.split(":")
    if parts[0] == REPORT_NS:
        if parts[1:] == ["home"]:
            return Tap("report")
        if len(parts) == 3 and parts[1] == "p" and parts[2] in rules.PERIODS:
            return Tap("report_period", value=parts[2])
        return None
    if parts[0] != NS or len(parts) < 2:
        return None
    kind, args = parts[1], parts[2:]
    if kind in ("home", "i", "cp") and not args:
        return Tap(kind)
    if kind == "new":
        if not args:
            return Tap("new")
        if len(args) == 1 and re.match(r"^[a-z0-9_]{1,40}$", args[0]):
            return Tap("new", value=args[0])
        return None
    if kind in ("p", "l") and len(args) == 1 and _PAGE.match(args[0]):
        return Tap(kind, page=int(args[0]))
    if kind == "c" and args in (["4"], ["12"]):
        return Tap("c", page=int(args[0]))
    if kind in ("e", "u", "x", "xy") and len(args) == 1 and _ID.match(args[0]):
        return Tap(kind, entry=int(args[0]))
    if kind == "f" and len(args) == 2 and _ID.match(args[0]) and args[1] in ASKABLE:
        return Tap("f", entry=int(args[0]), field=args[1])
    if kind == "s" and len(args) == 3 and _ID.match(args[0]) and args[1] in SETTABLE:
        allowed = SETTABLE[args[1]]
        if allowed is None:
            day = _day(args[2])
            return Tap("s", entry=int(args[0]), field="day", day=day) if day else None
        if args[2] in allowed:
            return Tap("s", entry=int(args[0]), field=args[1], value=args[2])
        return None
    if kind in ("cn", "cl") and len(args) == 1 and (day := _day(args[0])) is not None:
        return Tap(kind, day=day)
    if kind == "ci":
        if not args:
            return Tap("ci")
        if args in (["t"], ["z"], ["off"]):
            return Tap("ci_" + args[0])
        if len(args) == 2 and args[0] == "s" and (match := _HHMM.match(args[1])):
            return Tap("ci_s", at=time(int(match.group(1)), int(match.group(2))))
    return None
