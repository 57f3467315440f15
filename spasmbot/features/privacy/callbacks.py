"""Callback data of the user's control over their data (namespace ``p``).

``p:home`` · ``p:mydata`` · ``p:forget`` (asks) · ``p:forget:yes`` / ``p:forget:no`` · ``p:stop`` ·
``p:why:<reason>`` (optional, anonymous stop reason) · ``p:resume`` (after a block).
"""

from __future__ import annotations

from spasmbot.callback_data import Choice, Grammar

STOP_REASONS = ("too_many", "bad_time", "not_useful", "feel_better", "other")

PRIVACY = Grammar("p")
HOME = PRIVACY.action("home")
MYDATA = PRIVACY.action("mydata")
FORGET = PRIVACY.action("forget")
FORGET_YES = PRIVACY.action("forget", "yes")
FORGET_NO = PRIVACY.action("forget", "no")
STOP = PRIVACY.action("stop")
WHY = PRIVACY.action("why", Choice("reason", *STOP_REASONS))
RESUME = PRIVACY.action("resume")
