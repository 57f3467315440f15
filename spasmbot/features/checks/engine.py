"""The flow engine: where a user is in a check, what a tap does, and the callback data it uses.

A run is just the answers given so far; the current step is found by replaying them from the
check's start. That keeps the stored state tiny and makes staleness easy to spot: answers that no
longer fit the graph, or a run started on another version of the check, raise ``StaleRun``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from spasmbot import callback_data
from spasmbot.features.checks import callbacks
from spasmbot.features.checks.model import Check, Outcome, Step

MAX_DATA_BYTES = 64


class StaleRun(Exception):
    """A tap or a stored run that does not fit the current check (changed, finished, or forged)."""


@dataclass(frozen=True, slots=True)
class Run:
    """One user's progress through one check: the (step id, answer index) pairs chosen so far."""

    check_id: str
    version: str
    answers: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """A finished run as kept in the store: the outcome reached and the answers that led there."""

    check_id: str
    version: str
    outcome: str
    answers: tuple[tuple[str, int], ...]
    finished_at: datetime
    followup: bool | None = None  # the answer to the follow-up question, once given
    content_version: str = ""  # Content.version when the result was reached (which advice was shown)


def start(check: Check) -> Run:
    return Run(check.id, check.version, ())


def walk(check: Check, answers: tuple[tuple[str, int], ...]) -> Step | Outcome:
    """Replay ``answers`` from the start; the node reached. Raises StaleRun if they do not fit."""
    node: Step | Outcome | None = check.steps.get(check.start)
    for step_id, index in answers:
        if not isinstance(node, Step) or node.id != step_id:
            raise StaleRun(f"{check.id}: answer for {step_id!r} does not fit the path")
        if not 0 <= index < len(node.answers):
            raise StaleRun(f"{check.id}: step {step_id!r} has no answer {index}")
        nxt = node.answers[index].next
        node = check.node(nxt) if nxt else None
    if node is None:
        raise StaleRun(f"{check.id}: path leads nowhere")
    return node


def position(check: Check, run: Run) -> Step | Outcome:
    """Where ``run`` stands now in ``check``; StaleRun if it belongs to another check or version."""
    if run.check_id != check.id or run.version != check.version:
        raise StaleRun(f"run of {run.check_id}@{run.version} vs {check.id}@{check.version}")
    return walk(check, run.answers)


def choose(check: Check, run: Run, step_id: str, index: int) -> Run:
    """Answer the current step; a tap on any other step is stale (the caller decides what next)."""
    node = position(check, run)
    if not isinstance(node, Step) or node.id != step_id:
        raise StaleRun(f"{check.id}: tap on {step_id!r} but the run is at {node.id!r}")
    if not 0 <= index < len(node.answers):
        raise StaleRun(f"{check.id}: step {step_id!r} has no answer {index}")
    return Run(run.check_id, run.version, (*run.answers, (step_id, index)))


def back(run: Run) -> Run:
    """Undo the last answer (no-op at the first step)."""
    return Run(run.check_id, run.version, run.answers[:-1])


def longest_remaining(check: Check, node_id: str) -> int:
    """How many questions at most are left from ``node_id`` (its own included) to an outcome.

    Only meaningful on a validated (acyclic) check; graphs are small, so no caching.
    """
    memo: dict[str, int] = {}

    def longest(nid: str) -> int:
        if nid not in memo:
            node = check.node(nid)
            memo[nid] = (
                1 + max((longest(a.next) for a in node.answers if a.next), default=0) if isinstance(node, Step) else 0
            )
        return memo[nid]

    return longest(node_id)


def progress(check: Check, run: Run) -> tuple[int, int]:
    """(step number, "about" how many steps in all), the total from the longest remaining path."""
    node = position(check, run)
    done = len(run.answers)
    return done + 1, done + longest_remaining(check, node.id)


def chosen(check: Check, answers: tuple[tuple[str, int], ...]) -> list[tuple[Step, int]]:
    """The steps answered with the index picked at each, in order (for "why this result")."""
    return [(check.steps[step_id], index) for step_id, index in answers]


def plan_items(check: Check, answers: tuple[tuple[str, int], ...]) -> tuple[str, ...]:
    """Plan items (tip or card ids) collected along the path, first mention first, no repeats."""
    seen: dict[str, None] = {}
    for step, index in chosen(check, answers):
        for item in step.answers[index].plan:
            seen.setdefault(item, None)
    return tuple(seen)


# --- enumerating paths (validation, tests, the console) ---------------------------------------


def edges(step: Step) -> list[str]:
    """The distinct next nodes of a step, in answer order."""
    return list(dict.fromkeys(a.next for a in step.answers if a.next))


def routes(check: Check) -> list[tuple[int, ...]]:
    """Answer-index sequences that together take every distinct route and tap every answer once.

    Enumerating every combination of answers explodes for quizzes where all answers lead on; this
    covers every different sequence of steps (so every outcome) plus every single answer button.
    """
    found: list[tuple[int, ...]] = []
    tapped: set[tuple[str, int]] = set()

    def complete(node_id: str, prefix: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        node = check.node(node_id)
        if not isinstance(node, Step):
            yield prefix
            return
        for target in edges(node):
            index = next(i for i, a in enumerate(node.answers) if a.next == target)
            yield from complete(target, (*prefix, index))

    for path in complete(check.start, ()):
        found.append(path)
        tapped.update(_taps(check, path))

    for step in check.steps.values():
        for index in range(len(step.answers)):
            if (step.id, index) in tapped:
                continue
            prefix = _shortest_prefix(check, step.id)
            target = step.answers[index].next
            if prefix is None or target is None:
                continue
            path = next(complete(target, (*prefix, index)))
            found.append(path)
            tapped.update(_taps(check, path))
    return found


def _taps(check: Check, path: tuple[int, ...]) -> list[tuple[str, int]]:
    taps: list[tuple[str, int]] = []
    node = check.node(check.start)
    for index in path:
        assert isinstance(node, Step)
        taps.append((node.id, index))
        node = check.node(node.answers[index].next or "")
    return taps


def _shortest_prefix(check: Check, target: str) -> tuple[int, ...] | None:
    """Answer indexes of a shortest path from the start to step ``target`` (BFS)."""
    queue: deque[tuple[str, tuple[int, ...]]] = deque([(check.start, ())])
    seen = {check.start}
    while queue:
        node_id, prefix = queue.popleft()
        if node_id == target:
            return prefix
        node = check.node(node_id)
        if not isinstance(node, Step):
            continue
        for index, answer in enumerate(node.answers):
            if answer.next and answer.next not in seen:
                seen.add(answer.next)
                queue.append((answer.next, (*prefix, index)))
    return None


def as_answers(check: Check, path: tuple[int, ...]) -> tuple[tuple[str, int], ...]:
    """Turn an answer-index sequence from ``routes`` into (step id, index) pairs."""
    return tuple(_taps(check, path))


# --- callback data (namespace ``k``, declared in ``callbacks``) -------------------------------
# One builder per button kind, used by the screens and by the validator (which checks the byte
# length of everything a check can produce); the router parses taps with the grammar.


@dataclass(frozen=True, slots=True)
class Tap:
    """A parsed ``k:`` callback: ``kind`` plus whichever of check/step/index it carries."""

    kind: str
    check: str = ""
    step: str = ""
    index: int = -1


def data_home() -> str:
    return callbacks.HOME.unchecked()


def data_start(check_id: str) -> str:
    return callbacks.START.unchecked(check_id)


def data_new(check_id: str) -> str:
    return callbacks.NEW.unchecked(check_id)


def data_resume() -> str:
    return callbacks.RESUME.unchecked()


def data_answer(check_id: str, step_id: str, index: int) -> str:
    return callbacks.ANSWER.unchecked(check_id, step_id, index)


def data_back(check_id: str, step_id: str) -> str:
    return callbacks.BACK.unchecked(check_id, step_id)


def data_explain(check_id: str, step_id: str) -> str:
    return callbacks.EXPLAIN.unchecked(check_id, step_id)


def data_cancel(check_id: str) -> str:
    return callbacks.CANCEL.unchecked(check_id)


def data_result(check_id: str) -> str:
    return callbacks.RESULT.unchecked(check_id)


def data_followup(check_id: str) -> str:
    return callbacks.FOLLOWUP.unchecked(check_id)


def data_followup_cancel(check_id: str) -> str:
    return callbacks.FOLLOWUP_CANCEL.unchecked(check_id)


def data_followup_answer(check_id: str, yes: bool) -> str:
    return callbacks.FOLLOWUP_ANSWER.unchecked(check_id, "y" if yes else "n")


# grammar action -> the engine's name for it
_KINDS: dict[callback_data.Action, str] = {
    callbacks.HOME: "home",
    callbacks.RESUME: "resume",
    callbacks.START: "start",
    callbacks.NEW: "new",
    callbacks.ANSWER: "a",
    callbacks.BACK: "b",
    callbacks.EXPLAIN: "e",
    callbacks.CANCEL: "x",
    callbacks.RESULT: "r",
    callbacks.FOLLOWUP: "f",
    callbacks.FOLLOWUP_CANCEL: "fc",
    callbacks.FOLLOWUP_ANSWER: "fa",
}


def tap_of(pressed: callback_data.Tap) -> Tap:
    """The engine's view of a parsed ``k:`` button."""
    args = dict(zip((a.name for a in pressed.action.args), pressed.values, strict=True))
    index = args.get("index", -1)
    if "yn" in args:
        index = 1 if args["yn"] == "y" else 0
    assert isinstance(index, int)
    return Tap(_KINDS[pressed.action], str(args.get("check", "")), str(args.get("step", "")), index)


def parse_data(data: str) -> Tap | None:
    """Parse a ``k:`` callback with the grammar; None for anything malformed (forged, or older)."""
    pressed = callbacks.CHECKS.parse(data)
    return tap_of(pressed) if pressed is not None else None


def step_data(check: Check, step: Step) -> list[str]:
    """Every callback a step's screen carries."""
    return [
        *(data_answer(check.id, step.id, i) for i in range(len(step.answers))),
        data_back(check.id, step.id),
        data_explain(check.id, step.id),
        data_cancel(check.id),
        data_new(check.id),
    ]


def action_data(check: Check, action: str) -> str | None:
    """The callback an outcome action button carries; None for an unknown action."""
    if action == "tips":
        return "t:home:n"  # the tips screen answers below the result, so the plan stays readable
    if action == "water":
        return "w:home"
    if action == "followup":
        return data_followup(check.id)
    if action == "log":  # the cramp diary, pre-filled with what this check learnt
        return f"d:new:{check.id}"
    if action.startswith("check:") and len(action) > len("check:"):
        return data_start(action.removeprefix("check:"))
    return None
