"""The diary's callback data: namespace ``d`` (diary) and ``r`` (report), all under 64 bytes.

``d:new`` log a cramp now · ``d:new:<check>`` log it with what a finished check learnt
``d:home`` / ``d:p:<page>`` the overview, ``page`` fortnights back · ``d:l:<page>`` entries to edit
``d:e:<id>`` an entry · ``d:f:<id>:<field>`` ask one detail · ``d:s:<field>:<id>:<value>`` set it
(multi-select fields toggle) · ``d:u:<id>`` undo · ``d:x:<id>`` delete? · ``d:xy:<id>`` delete
``d:c:<4|12>`` chart · ``d:i`` patterns · ``d:ci`` check-in settings (``d:ci:t`` times,
``d:ci:s:<HHMM>``, ``d:ci:z`` zone, ``d:ci:off``) · on a check-in message ``d:cn:<YYYYMMDD>`` none
today, ``d:cl:<YYYYMMDD>`` log one, ``d:cp`` pause · ``r:home`` periods · ``r:p:<period>`` report.

The grammar checks every value against the vocabulary in ``rules``; dates and times are checked
by ``day_of``/``time_of``, entry ids against the store (always with the tapping user's id).
"""

from __future__ import annotations

from datetime import date, time

from spasmbot.callback_data import Action, Choice, Digits, Grammar, Int, Word
from spasmbot.features.diary import rules

DIARY = Grammar("d")
REPORTS = Grammar("r")

_ID = Int("id", 1)
_PAGE = Int("page", 0, 9999)

NEW = DIARY.action("new")
NEW_FROM_CHECK = DIARY.action("new", Word("check"))
HOME = DIARY.action("home")
PAGE = DIARY.action("p", _PAGE)
LIST = DIARY.action("l", _PAGE)
ENTRY = DIARY.action("e", _ID)
ASKABLE = ("when", "day", "area", "side", "sev", "dur", "woke", "trig", "help", "sign", "note")
ASK = DIARY.action("f", _ID, Choice("field", *ASKABLE))
UNDO = DIARY.action("u", _ID)
DELETE_ASK = DIARY.action("x", _ID)
DELETE = DIARY.action("xy", _ID)
CHART = DIARY.action("c", Choice("weeks", "4", "12"))
INSIGHTS = DIARY.action("i")
CHECKIN = DIARY.action("ci")
CHECKIN_TIMES = DIARY.action("ci", "t")
CHECKIN_SET = DIARY.action("ci", "s", Digits("hhmm", 4))
CHECKIN_ZONE = DIARY.action("ci", "z")
CHECKIN_OFF = DIARY.action("ci", "off")
NONE_TODAY = DIARY.action("cn", Digits("day", 8))
LOG_ONE = DIARY.action("cl", Digits("day", 8))
PAUSE = DIARY.action("cp")

REPORT = REPORTS.action("home")
REPORT_PERIOD = REPORTS.action("p", Choice("period", *rules.PERIODS))

# Setting one detail: one action per field, its values checked by the grammar.
SETTERS: dict[str, Action] = {
    "when": DIARY.action("s", "when", _ID, Choice("value", *rules.WHEN)),
    "day": DIARY.action("s", "day", _ID, Digits("value", 8)),
    "area": DIARY.action("s", "area", _ID, Choice("value", *rules.AREAS)),
    "side": DIARY.action("s", "side", _ID, Choice("value", *rules.SIDES)),
    "sev": DIARY.action("s", "sev", _ID, Int("value", 0, 10)),
    "dur": DIARY.action("s", "dur", _ID, Choice("value", *rules.DURATIONS)),
    "woke": DIARY.action("s", "woke", _ID, Choice("value", "y", "n")),
    "trig": DIARY.action("s", "trig", _ID, Choice("value", *rules.TRIGGERS)),
    "help": DIARY.action("s", "help", _ID, Choice("value", *rules.HELPED)),
    "sign": DIARY.action("s", "sign", _ID, Choice("value", *rules.SIGNS)),
}
MULTI = {"trig": "triggers", "help": "helped", "sign": "signs"}  # toggle fields -> Entry attribute


def set_data(entry_id: int, field: str, value: str | int) -> str:
    return SETTERS[field](entry_id, value)


def day_value(day: date) -> str:
    return day.strftime("%Y%m%d")


def day_of(text: str) -> date | None:
    """``YYYYMMDD`` as a date; None for a day that does not exist (forged data)."""
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def time_of(hhmm: str) -> time | None:
    hour, minute = int(hhmm[:2]), int(hhmm[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None
