"""Callback data of guided checks (namespace ``k``).

``k:home`` the list · ``k:resume`` · ``k:start:<check>`` · ``k:new:<check>`` (start over) ·
``k:a:<check>:<step>:<answer index>`` · ``k:b:<check>:<step>`` back · ``k:e:<check>:<step>`` why we
ask · ``k:x:<check>`` cancel · ``k:r:<check>`` the result again · ``k:f:<check>`` follow-up ·
``k:fc:<check>`` cancel the follow-up · ``k:fa:<check>:<y|n>`` the follow-up's answer.

Built by ``engine.data_*`` (unchecked for size: the checks validator measures every button a check
can produce and names the step); parsed by the router (``spasmbot.edge.router``).
"""

from __future__ import annotations

from spasmbot.callback_data import Arg, Choice, Grammar, Word

CHECKS = Grammar("k")
HOME = CHECKS.action("home")
RESUME = CHECKS.action("resume")
START = CHECKS.action("start", Word("check"))
NEW = CHECKS.action("new", Word("check"))
ANSWER = CHECKS.action("a", Word("check"), Word("step"), Arg("index", "[0-9]{1,2}", int))
BACK = CHECKS.action("b", Word("check"), Word("step"))
EXPLAIN = CHECKS.action("e", Word("check"), Word("step"))
CANCEL = CHECKS.action("x", Word("check"))
RESULT = CHECKS.action("r", Word("check"))
FOLLOWUP = CHECKS.action("f", Word("check"))
FOLLOWUP_CANCEL = CHECKS.action("fc", Word("check"))
FOLLOWUP_ANSWER = CHECKS.action("fa", Word("check"), Choice("yn", "y", "n"))
