"""Guided checks as data: a YAML graph of steps (question + answer buttons) leading to outcomes.

A new check is a new YAML file under ``content/<lang>/checks/``; nothing here knows any particular
check. ``parse_check`` only checks the shape of one file; the graph and cross-references (links to
cards, tips, other checks) are checked by ``spasmbot.features.checks.validate`` once all content is loaded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from spasmbot.content.errors import ContentError, ContentInvalid
from spasmbot.content.review import REVIEW_KEYS, Review, Source, parse_review

URGENCIES: tuple[str, ...] = ("emergency", "urgent", "soon", "routine", "self_care")
"""Triage levels, most urgent first; each has a ``checks.urgency.<level>`` UI string.

emergency: call the local emergency number now · urgent: medical advice today · soon: see a doctor
within 1 to 2 days · routine: book a visit in the coming weeks · self_care: look after it yourself.
"""

RED_FLAG_LEVELS: tuple[str, ...] = ("emergency", "urgent")
"""Floors whose answers must declare the lay ``phrases`` people type for them (free-text search)."""


def rank(level: str | None) -> int:
    """How urgent a level is: emergency 4 … self_care 0; no level at all is -1 (below everything)."""
    return len(URGENCIES) - 1 - URGENCIES.index(level) if level in URGENCIES else -1


ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
"""Ids end up inside callback data separated by ``:``, so keep them plain."""

MIN_ANSWERS = 2
MAX_ANSWERS = 8  # a screening step lists its warning signs on one screen, most urgent first


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    next: str | None  # a step id or an outcome id; None is a dead end the validator reports
    plan: tuple[str, ...] = ()  # tip ids or card ids collected into a prevention plan
    floor: str | None = None  # the least urgent level any path through this answer may end at
    phrases: tuple[str, ...] = ()  # what people type for this answer ("swollen calf"), for search


@dataclass(frozen=True, slots=True)
class Step:
    id: str
    question: str
    answers: tuple[Answer, ...]
    explain: str = ""  # the optional "what does this mean?" text
    label: str = ""  # short name for "why this result" when the question is long

    @property
    def summary(self) -> str:
        return self.label or self.question


@dataclass(frozen=True, slots=True)
class Outcome:
    id: str
    title: str
    text: str
    urgency: str | None = None
    cards: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()  # "tips", "water", "followup", "log" (cramp diary), "check:<id>"
    plan: bool = False  # list the plan items collected along the path
    watch_for: tuple[str, ...] = ()  # signs that should bring the person back (self-care, routine)


@dataclass(frozen=True, slots=True)
class Followup:
    """A one-off "still cramping?" message sent ``after_minutes`` after the user asks for it."""

    after_minutes: int
    question: str
    yes: str  # outcome id shown on "yes"
    no: str  # outcome id shown on "no"


@dataclass(frozen=True, slots=True)
class RedFlag:
    """A warning-sign answer: what a person would type for it and the advice it leads to.

    ``outcome`` is the least urgent outcome reachable through the answer (for an emergency answer,
    the outcome it ends at), so showing it never under-states the answer's floor.
    """

    check: str
    step: str
    index: int
    answer: Answer
    floor: str
    outcome: str


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    title: str
    intro: str
    start: str
    steps: dict[str, Step]
    outcomes: dict[str, Outcome]
    order: int = 100
    disclaimer: bool = True
    followup: Followup | None = None
    version: str = ""  # short hash of the YAML data: a run started on another version is stale
    source: str = ""
    command: str = ""  # optional shortcut that starts the check ("cramp" -> /cramp)
    review: Review | None = None  # sources, reviewed, review_due (spasmbot.content.review)

    @property
    def sources(self) -> tuple[Source, ...]:
        return self.review.sources if self.review else ()

    @property
    def reviewed(self) -> date | None:
        return self.review.reviewed if self.review else None

    @property
    def review_due(self) -> date | None:
        return self.review.review_due if self.review else None

    def node(self, node_id: str) -> Step | Outcome | None:
        return self.steps.get(node_id) or self.outcomes.get(node_id)

    def outcomes_after(self, node_id: str) -> list[Outcome]:
        """Every outcome a path from ``node_id`` can end at (the node itself if it is one)."""
        seen: set[str] = set()
        found: list[Outcome] = []
        stack = [node_id]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            node = self.node(nid)
            if isinstance(node, Outcome):
                found.append(node)
            elif isinstance(node, Step):
                stack.extend(a.next for a in reversed(node.answers) if a.next)
        return found

    def red_flags(self) -> tuple[RedFlag, ...]:
        """Answers with an urgent or emergency floor, in step order, with the outcome shown for them."""
        flags: list[RedFlag] = []
        for step in self.steps.values():
            for index, answer in enumerate(step.answers):
                if answer.floor not in RED_FLAG_LEVELS or not answer.next:
                    continue
                ends = self.outcomes_after(answer.next)
                if not ends:
                    continue
                lowest = min(ends, key=lambda o: rank(o.urgency))
                flags.append(RedFlag(self.id, step.id, index, answer, answer.floor, lowest.id))
        return tuple(flags)


def version_of(data: dict[str, Any]) -> str:
    """A short, stable hash of one check's YAML data (key order does not matter)."""
    blob = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:10]


class _Reader:
    """Collects every schema error in one file instead of stopping at the first."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.errors: list[ContentError] = []

    def error(self, path: str, message: str) -> None:
        self.errors.append(ContentError(self.source, path, message))

    def text(self, data: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, f"'{key}' is required")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(f"{path}.{key}" if path else key, "must be a non-empty string")
            return ""
        return value.strip()

    def ident(self, value: Any, path: str) -> str | None:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.error(path, f"{value!r} is not an id (lower-case letters, digits, '_')")
            return None
        return value

    def str_list(self, data: dict[str, Any], key: str, path: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            self.error(f"{path}.{key}", "must be a list of strings")
            return ()
        return tuple(value)

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in sorted(set(data) - allowed, key=str):
            self.error(path, f"unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


_CHECK_KEYS = {
    "id",
    "title",
    "intro",
    "start",
    "order",
    "disclaimer",
    "followup",
    "steps",
    "outcomes",
    "command",
    *REVIEW_KEYS,
}
_STEP_KEYS = {"question", "explain", "label", "answers"}
_ANSWER_KEYS = {"text", "next", "plan", "floor", "phrases"}
_OUTCOME_KEYS = {"title", "text", "urgency", "cards", "sections", "actions", "plan", "watch_for"}
_FOLLOWUP_KEYS = {"after_minutes", "question", "on_yes", "on_no"}  # plain yes/no are booleans in YAML


def _parse_step(r: _Reader, step_id: str, data: Any) -> Step | None:
    path = f"steps.{step_id}"
    if not isinstance(data, dict):
        r.error(path, "must be a mapping with 'question' and 'answers'")
        return None
    r.unknown_keys(data, _STEP_KEYS, path)
    question = r.text(data, "question", path)
    explain = r.text(data, "explain", path, required=False)
    label = r.text(data, "label", path, required=False)
    raw_answers = data.get("answers")
    if not isinstance(raw_answers, list):
        r.error(path, "'answers' must be a list")
        raw_answers = []
    elif not MIN_ANSWERS <= len(raw_answers) <= MAX_ANSWERS:
        r.error(path, f"needs {MIN_ANSWERS} to {MAX_ANSWERS} answers, has {len(raw_answers)}")
    answers: list[Answer] = []
    for i, raw in enumerate(raw_answers):
        apath = f"{path}.answers[{i}]"
        if not isinstance(raw, dict):
            r.error(apath, "must be a mapping with 'text' and 'next'")
            continue
        r.unknown_keys(raw, _ANSWER_KEYS, apath)
        nxt = raw.get("next")
        if nxt is not None:
            nxt = r.ident(nxt, f"{apath}.next")
        floor = raw.get("floor")
        if floor is not None and floor not in URGENCIES:
            r.error(f"{apath}.floor", f"{floor!r} is not one of {', '.join(URGENCIES)}")
            floor = None
        answers.append(
            Answer(
                r.text(raw, "text", apath),
                nxt,
                r.str_list(raw, "plan", apath),
                floor,
                tuple(p.strip() for p in r.str_list(raw, "phrases", apath)),
            )
        )
    texts = [a.text for a in answers]
    for text in sorted({t for t in texts if t and texts.count(t) > 1}):
        r.error(path, f"two answers read {text!r}: users could not tell them apart")
    return Step(step_id, question, tuple(answers), explain, label)


def _parse_outcome(r: _Reader, outcome_id: str, data: Any) -> Outcome | None:
    path = f"outcomes.{outcome_id}"
    if not isinstance(data, dict):
        r.error(path, "must be a mapping with 'title' and 'text'")
        return None
    r.unknown_keys(data, _OUTCOME_KEYS, path)
    urgency = data.get("urgency")
    if urgency not in URGENCIES:  # every result says how urgent it is: no silent "no level"
        r.error(f"{path}.urgency", f"{urgency!r} is not one of {', '.join(URGENCIES)}")
        urgency = None
    plan = data.get("plan", False)
    if not isinstance(plan, bool):
        r.error(f"{path}.plan", "must be true or false")
        plan = False
    return Outcome(
        id=outcome_id,
        title=r.text(data, "title", path),
        text=r.text(data, "text", path),
        urgency=urgency,
        cards=r.str_list(data, "cards", path),
        sections=r.str_list(data, "sections", path),
        actions=r.str_list(data, "actions", path),
        plan=plan,
        watch_for=r.str_list(data, "watch_for", path),
    )


def _parse_followup(r: _Reader, data: Any) -> Followup | None:
    if data is None:
        return None
    if not isinstance(data, dict):
        r.error("followup", "must be a mapping with after_minutes, question, on_yes and on_no")
        return None
    r.unknown_keys(data, _FOLLOWUP_KEYS, "followup")
    minutes = data.get("after_minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        r.error("followup.after_minutes", "must be a whole number of minutes from 1 to 1440")
        minutes = 0
    yes = r.ident(data.get("on_yes"), "followup.on_yes") or ""
    no = r.ident(data.get("on_no"), "followup.on_no") or ""
    return Followup(minutes, r.text(data, "question", "followup"), yes, no)


def _mapping(r: _Reader, data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict) or not value:
        r.error(key, "must be a non-empty mapping of id -> definition")
        return {}
    return value


def parse_check(data: dict[str, Any], source: str) -> Check:
    """One check file's YAML data as a Check; ContentInvalid naming every problem otherwise."""
    r = _Reader(source)
    if not isinstance(data, dict):
        raise ContentInvalid([ContentError(source, "", "a check file must be a YAML mapping")])
    r.unknown_keys(data, _CHECK_KEYS, "")
    check_id = r.ident(data.get("id"), "id") or ""
    title = r.text(data, "title", "")
    intro = r.text(data, "intro", "", required=False)
    start = r.ident(data.get("start"), "start") or ""
    order = data.get("order", 100)
    if isinstance(order, bool) or not isinstance(order, int):
        r.error("order", "must be a whole number")
        order = 100
    command = data.get("command", "")
    if not isinstance(command, str) or (command and not re.match(r"^[a-z0-9_]{1,32}$", command)):
        r.error("command", f"{command!r} is not a command name (a-z, 0-9, _; at most 32)")
        command = ""
    disclaimer = data.get("disclaimer", True)
    if not isinstance(disclaimer, bool):
        r.error("disclaimer", "must be true or false")
        disclaimer = True

    steps: dict[str, Step] = {}
    outcomes: dict[str, Outcome] = {}
    for key, parse, target in (
        ("steps", _parse_step, steps),
        ("outcomes", _parse_outcome, outcomes),
    ):
        for node_id, node_data in _mapping(r, data, key).items():
            if r.ident(node_id, f"{key}.{node_id}") is None:
                continue
            if node_id in steps or node_id in outcomes:
                r.error(f"{key}.{node_id}", "a step and an outcome cannot share an id")
                continue
            node = parse(r, node_id, node_data)
            if node is not None:
                target[node_id] = node  # type: ignore[assignment]  # steps or outcomes, paired above
    followup = _parse_followup(r, data.get("followup"))
    review = parse_review(data, source, "", r.errors)  # the same rule as cards and tips

    if r.errors:
        raise ContentInvalid(r.errors)
    return Check(
        id=check_id,
        title=title,
        intro=intro,
        start=start,
        steps=steps,
        outcomes=outcomes,
        order=order,
        disclaimer=disclaimer,
        followup=followup,
        command=command,
        version=version_of(data),
        source=source,
        review=review,
    )
