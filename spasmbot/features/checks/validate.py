"""Graph and cross-reference checks for guided checks, run at start-up and by ``check-content``.

Shape errors are caught earlier by ``parse_check``; here we need the whole Content: every step
reachable, every path ending in an outcome, no cycles, links and actions resolving, and every
button's callback data within Telegram's 64 bytes. Each error names the file and the step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from spasmbot.content.model import ContentError
from spasmbot.features.checks import engine
from spasmbot.features.checks.model import RED_FLAG_LEVELS, URGENCIES, Check, Step, rank

if TYPE_CHECKING:
    from spasmbot.content.model import Content

UI_FILE = "ui/checks.yaml"

UI_KEYS: tuple[str, ...] = (
    "checks.list",
    "checks.list_empty",
    "checks.last_results",
    "checks.last_result_line",
    "checks.continue",
    "checks.resume_prompt",
    "checks.step",
    "checks.explain",
    "checks.answered",
    "checks.why",
    "checks.why_line",
    "checks.plan",
    "checks.plan_empty",
    "checks.plan_tip",
    "checks.plan_held_back",
    "checks.disclaimer",
    "checks.disclaimer_start",
    "checks.pick_first",
    "checks.watch_for",
    "checks.watch_for_line",
    "checks.cancelled",
    "checks.stale",
    "checks.expired",
    "checks.updated_result",
    "checks.updated_run",
    "checks.finished_toast",
    "checks.followup_set",
    "checks.followup_toast",
    "checks.followup_off",
    "checks.button.back",
    "checks.button.cancel",
    "checks.button.restart",
    "checks.button.explain",
    "checks.button.continue",
    "checks.button.start_again",
    "checks.button.all_checks",
    "checks.button.menu",
    "checks.button.result",
    "checks.button.still",
    "checks.button.eased",
    "checks.button.tips",
    "checks.button.water",
    "checks.button.followup",
    "checks.button.followup_cancel",
    "checks.button.check",
    "checks.button.full_check",
    *(f"checks.urgency.{level}" for level in URGENCIES),
)
"""Every UI string the checks feature uses; a missing one would crash a handler mid-check."""

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # a date for sample result cards

KNOWN_ACTIONS = ("tips", "water", "followup", "log", "check:<id>")


def validate_checks(content: Content) -> list[ContentError]:
    """Every problem in ``content.checks``; empty when all checks are safe to run."""
    errors: list[ContentError] = [
        ContentError(UI_FILE, key, "missing UI string") for key in UI_KEYS if key not in content.ui
    ]
    ui_ok = not errors
    commands: dict[str, str] = {s.command: s.source for s in content.sections.values() if s.command}
    for check_id, check in content.checks.items():
        if check.command:
            if check.command in commands:
                errors.append(
                    ContentError(check.source, "command", f"/{check.command} is also used by {commands[check.command]}")
                )
            commands[check.command] = check.source
        if check.id != check_id:
            errors.append(ContentError(check.source, "id", f"registered as {check_id!r}"))
        found = [*validate_graph(check), *_links(check, content), *_callback_sizes(check)]
        if not found:  # the floors need a sound graph to walk
            found = validate_safety(check)
        if not found and ui_ok:  # the screens need a sound graph and every UI string
            found = _screens(check, content)
        errors.extend(found)
    return errors


def _screens(check: Check, content: Content) -> list[ContentError]:
    """Render every step (explained or not) and outcome as sent; check Telegram's limits."""
    from spasmbot.content.screen_limits import check_screen
    from spasmbot.features.checks import screens

    errors: list[ContentError] = []
    start = engine.start(check)
    # A step's screen depends on its depth (progress) and the answer just given, not the whole path.
    rendered: set[tuple[str, int, tuple[str, int] | None]] = set()
    for path in engine.routes(check):
        answers = engine.as_answers(check, path)
        for n in range(len(answers)):
            step_id = answers[n][0]
            key = (step_id, n, answers[n - 1] if n else None)
            if key in rendered:
                continue
            rendered.add(key)
            run = engine.Run(check.id, check.version, answers[:n])
            for explain in (False, True):
                step_screen = screens.step_screen(content, check, run, explain)
                errors.extend(check_screen(step_screen, check.source, f"steps.{step_id}"))
        end = engine.walk(check, answers)
        result = engine.Result(check.id, check.version, end.id, answers, _EPOCH)
        for pending in (False, True):
            screen = screens.outcome_screen(content, check, result, pending)
            if screen is not None:
                errors.extend(check_screen(screen, check.source, f"outcomes.{end.id}"))
    if check.followup is not None:
        errors.extend(check_screen(screens.followup_screen(content, check), check.source, "followup"))
    greedy = _greediest_plan_path(check)  # the longest plan a person could collect, shown in full
    if greedy:
        end = engine.walk(check, greedy)
        result = engine.Result(check.id, check.version, end.id, greedy, _EPOCH)
        screen = screens.outcome_screen(content, check, result, False)
        if screen is not None:
            for problem in check_screen(screen, check.source, f"outcomes.{end.id}"):
                errors.append(
                    ContentError(
                        problem.file, problem.path, "with the longest plan a person can collect: " + problem.message
                    )
                )
    errors.extend(check_screen(screens.resume_screen(content, check, start), check.source, "id"))
    for flag in check.red_flags():  # what free-text search shows for a typed warning sign
        where = f"steps.{flag.step}.answers[{flag.index}]"
        errors.extend(check_screen(screens.advice_screen(content, check, flag), check.source, where))
    return list(dict.fromkeys(errors))  # the same step shows up on many routes


def _greediest_plan_path(check: Check) -> tuple[tuple[str, int], ...]:
    """A real path that, step by step, picks the answer adding the most plan items (empty if none)."""
    answers: list[tuple[str, int]] = []
    node = check.steps.get(check.start)
    while isinstance(node, Step):
        step = node
        index = max(
            range(len(step.answers)),  # most items; on a tie, the answer that asks on
            key=lambda i: (len(step.answers[i].plan), step.answers[i].next in check.steps),
        )
        answers.append((node.id, index))
        node = check.node(node.answers[index].next or "")  # type: ignore[assignment]
    if not any(check.steps[s].answers[i].plan for s, i in answers):
        return ()
    return tuple(answers)


def validate_graph(check: Check) -> list[ContentError]:
    """Start, dangling answers, dead ends, reachability and cycles of one check."""
    errors: list[ContentError] = []

    def err(path: str, message: str) -> None:
        errors.append(ContentError(check.source, path, message))

    if check.start not in check.steps:
        what = "an outcome" if check.start in check.outcomes else "no step"
        err("start", f"{check.start!r} is {what}; start must name a step")
        return errors

    for step in check.steps.values():
        for i, answer in enumerate(step.answers):
            where = f"steps.{step.id}.answers[{i}]"
            if answer.next is None:
                err(where, f"dead end: answer {answer.text!r} leads nowhere (add 'next')")
            elif check.node(answer.next) is None:
                err(where, f"leads to unknown step or outcome {answer.next!r}")

    reached = _reachable(check)
    for step_id in check.steps:
        if step_id not in reached:
            err(f"steps.{step_id}", "unreachable: no path from the start leads here")
    for outcome_id in check.outcomes:
        if outcome_id not in reached and not _followup_target(check, outcome_id):
            err(f"outcomes.{outcome_id}", "unreachable: no answer leads to this outcome")

    # With no dead ends, no dangling answers and no cycles, every path ends in an outcome.
    cycle = _find_cycle(check)
    if cycle:
        err(f"steps.{cycle[0]}", "cycle: " + " -> ".join(cycle))
    return errors


MIN_PHRASES = 2
WATCH_FOR_LEVELS = ("routine", "self_care")


def validate_safety(check: Check) -> list[ContentError]:
    """The triage rules, checked statically on the graph (so on every path at once).

    - an answer's ``floor`` holds on every path through it: no outcome after it is less urgent;
    - an emergency answer ends the questions at once (it leads straight to an outcome);
    - an answer leading straight to an urgent or emergency outcome declares that floor, and every
      urgent or emergency answer lists the phrases people would type for it;
    - within a step, answers with a floor come first, most urgent first ("pick the first that fits");
    - the more urgent answer wins when a person has two problems: an answer with a floor may not
      skip a later question that holds a more urgent answer (unless that answer comes earlier on the
      same screen, where "pick the first that fits" already puts it first);
    - every self-care or routine outcome ends with a "watch for" list.
    """
    errors: list[ContentError] = []

    def err(path: str, message: str) -> None:
        errors.append(ContentError(check.source, path, message))

    reach_memo: dict[str, frozenset[str]] = {}

    def steps_from(node_id: str) -> frozenset[str]:
        """Steps reachable from ``node_id`` (itself included when it is a step)."""
        if node_id not in reach_memo:
            node = check.steps.get(node_id)
            found: set[str] = set()
            if node is not None:
                found.add(node_id)
                for nxt in engine.edges(node):
                    found |= steps_from(nxt)
            reach_memo[node_id] = frozenset(found)
        return reach_memo[node_id]

    def top_floor(step_id: str) -> int:
        return max((rank(a.floor) for a in check.steps[step_id].answers), default=-1)

    for step in check.steps.values():
        ranks = [rank(a.floor) for a in step.answers]
        if ranks != sorted(ranks, reverse=True):
            err(
                f"steps.{step.id}",
                "answers with a floor must come first, most urgent first (people pick the first answer that fits)",
            )
        for i, answer in enumerate(step.answers):
            where = f"steps.{step.id}.answers[{i}]"
            target = check.node(answer.next or "")
            if answer.floor is not None and answer.next:
                for outcome in check.outcomes_after(answer.next):
                    if rank(outcome.urgency) < rank(answer.floor):
                        err(
                            where,
                            f"floor {answer.floor!r}, but a path through {answer.text!r} ends at "
                            f"{outcome.urgency!r} outcome {outcome.id!r}",
                        )
            if answer.floor == "emergency" and not (target is not None and target.id in check.outcomes):
                err(where, "an emergency answer must end the questions at once (lead to an outcome)")
            if target is not None and target.id in check.outcomes:
                level = check.outcomes[target.id].urgency
                if level in RED_FLAG_LEVELS and answer.floor not in RED_FLAG_LEVELS:
                    err(where, f"leads to {level!r} outcome {target.id!r}: declare 'floor: {level}' and its phrases")
            if answer.floor in RED_FLAG_LEVELS and len(answer.phrases) < MIN_PHRASES:
                err(
                    f"{where}.phrases",
                    f"a {answer.floor} answer needs at least {MIN_PHRASES} phrases "
                    "people would type for it (e.g. 'swollen calf')",
                )
            if answer.floor is None or not answer.next:
                continue
            own = steps_from(answer.next)
            for later_answer in step.answers[i + 1 :]:
                for later in sorted(steps_from(later_answer.next or "") - own):
                    if top_floor(later) > rank(answer.floor):
                        err(
                            where,
                            f"{answer.text!r} ({answer.floor}) ends before step {later!r}, which holds a "
                            "more urgent answer: ask that question first",
                        )
    for outcome in check.outcomes.values():
        if outcome.urgency in WATCH_FOR_LEVELS and not outcome.watch_for:
            err(f"outcomes.{outcome.id}.watch_for", f"a {outcome.urgency} outcome must list the signs to watch for")
    return list(dict.fromkeys(errors))


def _followup_target(check: Check, outcome_id: str) -> bool:
    return check.followup is not None and outcome_id in (check.followup.yes, check.followup.no)


def _reachable(check: Check) -> set[str]:
    seen = {check.start}
    stack = [check.start]
    while stack:
        node = check.node(stack.pop())
        if isinstance(node, Step):
            for nxt in engine.edges(node):
                if nxt not in seen and check.node(nxt) is not None:
                    seen.add(nxt)
                    stack.append(nxt)
    return seen


def _find_cycle(check: Check) -> list[str] | None:
    """One cycle as a list of step ids (first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = 1
        path.append(node_id)
        node = check.steps.get(node_id)
        for nxt in engine.edges(node) if node else []:
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and nxt in check.steps:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node_id] = 2
        return None

    for step_id in check.steps:
        if step_id not in state:
            found = visit(step_id)
            if found:
                return found
    return None


def _links(check: Check, content: Content) -> list[ContentError]:
    errors: list[ContentError] = []

    def err(path: str, message: str) -> None:
        errors.append(ContentError(check.source, path, message))

    for step in check.steps.values():
        for i, answer in enumerate(step.answers):
            for item in answer.plan:
                if item not in content.tips and item not in content.cards:
                    err(f"steps.{step.id}.answers[{i}].plan", f"{item!r} is no tip or card id")
    for outcome in check.outcomes.values():
        where = f"outcomes.{outcome.id}"
        for card_id in outcome.cards:
            if card_id not in content.cards:
                err(f"{where}.cards", f"unknown card {card_id!r}")
        for section_id in outcome.sections:
            if section_id not in content.sections:
                err(f"{where}.sections", f"unknown section {section_id!r}")
        for action in outcome.actions:
            if engine.action_data(check, action) is None:
                err(f"{where}.actions", f"unknown action {action!r} ({', '.join(KNOWN_ACTIONS)})")
            elif action == "followup" and check.followup is None:
                err(f"{where}.actions", "'followup' needs a 'followup' block in the check")
            elif action.startswith("check:"):
                target = action.removeprefix("check:")
                if target not in content.checks:
                    err(f"{where}.actions", f"unknown check {target!r}")
                elif target == check.id:
                    err(f"{where}.actions", "links to its own check (use Start over)")
    if check.followup is not None:
        for key, target in (("on_yes", check.followup.yes), ("on_no", check.followup.no)):
            if target not in check.outcomes:
                err(f"followup.{key}", f"{target!r} is no outcome of this check")
    return errors


def _callback_sizes(check: Check) -> list[ContentError]:
    errors: list[ContentError] = []

    def too_long(path: str, data: str) -> None:
        size = len(data.encode())
        if size > engine.MAX_DATA_BYTES:
            errors.append(
                ContentError(
                    check.source,
                    path,
                    f"button data {data!r} is {size} bytes (Telegram allows "
                    f"{engine.MAX_DATA_BYTES}): shorten the check or step id",
                )
            )

    for data in (engine.data_start(check.id), engine.data_result(check.id)):
        too_long("id", data)
    if check.followup is not None:
        too_long("followup", engine.data_followup_answer(check.id, True))
    for step in check.steps.values():  # one report per step: its longest button
        too_long(f"steps.{step.id}", max(engine.step_data(check, step), key=len))
    for outcome in check.outcomes.values():
        for action in outcome.actions:
            button_data = engine.action_data(check, action)
            if button_data is not None:
                too_long(f"outcomes.{outcome.id}.actions", button_data)
    return errors


def same_triage(default: Check, other: Check) -> list[ContentError]:
    """A translated check must triage exactly like the default language's: the same steps, the
    same number of answers in the same order, each leading to the same step or outcome with the
    same floor, and every outcome at the same level. Only the words may differ, so no warning sign
    is dropped or softened in another language."""
    errors: list[ContentError] = []

    def err(path: str, message: str) -> None:
        errors.append(ContentError(other.source, path, f"{message} (differs from {default.source})"))

    if other.start != default.start:
        err("start", f"starts at {other.start!r}, not {default.start!r}")
    for step in default.steps.values():
        theirs = other.steps.get(step.id)
        if theirs is None:
            err(f"steps.{step.id}", "missing")
            continue
        shape = [(a.next, a.floor) for a in step.answers]
        if [(a.next, a.floor) for a in theirs.answers] != shape:
            err(f"steps.{step.id}.answers", "answers must lead where the original's do, with the same floors")
    for step_id in sorted(set(other.steps) - set(default.steps)):
        err(f"steps.{step_id}", "not in the original")
    for outcome in default.outcomes.values():
        theirs_outcome = other.outcomes.get(outcome.id)
        if theirs_outcome is None:
            err(f"outcomes.{outcome.id}", "missing")
        elif theirs_outcome.urgency != outcome.urgency:
            err(f"outcomes.{outcome.id}.urgency", f"{theirs_outcome.urgency!r}, not {outcome.urgency!r}")
    return errors
