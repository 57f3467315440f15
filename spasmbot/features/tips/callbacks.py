"""Callback data of daily tips (namespace ``t``).

``t:home`` status and next tip · ``t:sub`` start (zone first if unknown, then the time) ·
``t:time`` preset times and "type a time" · ``t:set:<HHMM>`` · ``t:tz`` zone picker · ``t:stop``.
On a tip message, ``t:time:n`` and ``t:stop:n`` answer with a new message, so the tip stays readable;
``t:home:n`` does the same for the "daily tips" button under a guided check's result (its plan stays).
"""

from __future__ import annotations

from spasmbot.callback_data import Digits, Grammar

TIPS = Grammar("t")
HOME = TIPS.action("home")
HOME_NEW = TIPS.action("home", "n")  # from a check's result: answer below it, the result stays
SUBSCRIBE = TIPS.action("sub")
TIME = TIPS.action("time")
TIME_NEW = TIPS.action("time", "n")
SET = TIPS.action("set", Digits("hhmm", 4))
ZONE = TIPS.action("tz")
STOP = TIPS.action("stop")
STOP_NEW = TIPS.action("stop", "n")
