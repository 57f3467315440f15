"""Screens of the guided checks: the list, a step, a result card, and the stale/expired replies.

Telegram-free (Screen and Button only), so the validator can render every step and outcome exactly
as users will see them and check them against Telegram's limits. Check titles and answer texts are
plain text (they are button labels too), so they are escaped wherever they go into HTML; questions,
explainers, labels and outcome texts are Telegram HTML as written in the YAML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from spasmbot.content.model import Content
from spasmbot.features.browse import screens as render
from spasmbot.features.checks import engine
from spasmbot.features.checks.engine import Result, Run, StaleRun
from spasmbot.features.checks.model import Check, Outcome, RedFlag, Step
from spasmbot.screen import Button, Screen


def escape(text: str) -> str:
    """Plain text for Telegram HTML: only ``<``, ``>`` and ``&`` need escaping."""
    return html.escape(text, quote=False)


def ordered_checks(content: Content) -> list[Check]:
    return sorted(content.checks.values(), key=lambda c: (c.order, c.title))


def _nav_row(content: Content) -> tuple[Button, ...]:
    return (
        Button(content.ui("checks.button.all_checks"), engine.data_home()),
        Button(content.ui("checks.button.menu"), render.MENU),
    )


def list_screen(
    content: Content,
    active: Run | None = None,
    results: Sequence[Result] = (),
    preface: str = "",
) -> Screen:
    """``/check``: every check, a Continue button for a run in progress, and the last results."""
    parts = [preface] if preface else []
    parts.append(content.ui("checks.list") if content.checks else content.ui("checks.list_empty"))
    rows: list[tuple[Button, ...]] = []
    active_check = content.checks.get(active.check_id) if active else None
    if active is not None and active_check is not None:
        try:
            step, _ = engine.progress(active_check, active)
        except StaleRun:  # the check changed under the user: say so, never drop it silently
            parts.append(content.ui("checks.updated_run", title=escape(active_check.title)))
            button = content.ui("checks.button.start_again", title=active_check.title)
            rows.append((Button(button, engine.data_new(active_check.id)),))
        else:
            parts.append(content.ui("checks.continue", title=escape(active_check.title), step=step))
            button = content.ui("checks.button.continue", title=active_check.title)
            rows.append((Button(button, engine.data_resume()),))
    rows.extend((Button(c.title, engine.data_start(c.id)),) for c in ordered_checks(content))
    lines: list[str] = []
    for result in results:
        check = content.checks.get(result.check_id)
        outcome = check.outcomes.get(result.outcome) if check else None
        if check is None or outcome is None:
            continue
        lines.append(
            content.ui(
                "checks.last_result_line",
                check=escape(check.title),
                outcome=outcome.title,
                date=result.finished_at.date().isoformat(),
            )
        )
        rows.append(
            (
                Button(
                    content.ui("checks.button.result", title=check.title),
                    engine.data_result(check.id),
                ),
            )
        )
    if lines:
        parts.append(content.ui("checks.last_results") + "\n" + "\n".join(lines))
    rows.append((Button(content.ui("checks.button.menu"), render.MENU),))
    return Screen("\n\n".join(parts), tuple(rows))


def step_screen(content: Content, check: Check, run: Run, explain: bool = False) -> Screen:
    """The current question of ``run`` with its answers, progress and Back/Cancel/Start over."""
    node = engine.position(check, run)
    if not isinstance(node, Step):
        raise StaleRun(f"{check.id}: run is finished")
    number, total = engine.progress(check, run)
    parts = [f"<b>{escape(check.title)}</b>"]
    if not run.answers:  # where a person lands in a check: say what it is (and is not) first
        if check.disclaimer:
            parts.append(content.ui("checks.disclaimer_start"))
        if check.intro:
            parts.append(check.intro)
    else:
        last_step, last_index = engine.chosen(check, run.answers[-1:])[0]
        parts.append(content.ui("checks.answered", answer=escape(last_step.answers[last_index].text)))
    parts.append(content.ui("checks.step", step=number, total=total) + "\n\n" + node.question)
    if sum(1 for answer in node.answers if answer.floor) >= 2 and "pick the first" not in node.question.lower():
        parts.append(content.ui("checks.pick_first"))
    if explain and node.explain:
        parts.append(content.ui("checks.explain", text=node.explain))
    rows: list[tuple[Button, ...]] = [
        (Button(answer.text, engine.data_answer(check.id, node.id, i)),) for i, answer in enumerate(node.answers)
    ]
    if node.explain and not explain:
        rows.append((Button(content.ui("checks.button.explain"), engine.data_explain(check.id, node.id)),))
    rows.append(
        (
            Button(content.ui("checks.button.back"), engine.data_back(check.id, node.id)),
            Button(content.ui("checks.button.cancel"), engine.data_cancel(check.id)),
            Button(content.ui("checks.button.restart"), engine.data_new(check.id)),
        )
    )
    return Screen("\n\n".join(parts), tuple(rows))


def _as_label(summary: str) -> str:
    """A question or label followed by its answer: "Stretching before bed" needs a colon, or it
    reads "Stretching before bed No"."""
    plain = summary.rstrip()
    bare = plain
    while bare.endswith(">") and "<" in bare:  # look past closing tags such as </b>
        bare = bare[: bare.rindex("<")].rstrip()
    return plain if bare.endswith((":", "?", "!", ".", "…")) else plain + ":"


def _why(content: Content, check: Check, result: Result) -> str:
    lines = [
        content.ui("checks.why_line", question=_as_label(step.summary), answer=escape(step.answers[index].text))
        for step, index in engine.chosen(check, result.answers)
    ]
    if check.followup is not None and result.followup is not None:
        answer = content.ui("checks.button.still" if result.followup else "checks.button.eased")
        lines.append(content.ui("checks.why_line", question=check.followup.question, answer=escape(answer)))
    return content.ui("checks.why") + "\n" + "\n".join(lines) if lines else ""


def safe_plan_items(
    content: Content, check: Check, answers: tuple[tuple[str, int], ...]
) -> tuple[tuple[str, ...], bool]:
    """The plan items of ``answers`` minus tips that could harm someone with a condition told in
    these same answers (``avoid_if``: no potassium snack for kidney disease); and whether any was
    held back."""
    chosen = {(step.id, step.answers[index].text) for step, index in engine.chosen(check, answers)}
    told = {c.id for c in content.conditions.values() if c.check == check.id and (c.step, c.answer) in chosen}
    items = engine.plan_items(check, answers)
    safe = tuple(i for i in items if i not in content.tips or not told.intersection(content.tips[i].avoid_if))
    return safe, len(safe) < len(items)


def plan_text(content: Content, items: tuple[str, ...]) -> tuple[str, list[str]]:
    """The whole plan's tips as text (every one: a plan with "…and 1 more" hides advice; the
    validator checks the longest possible plan still fits one message) and the card ids it links to."""
    tips = [content.tips[i] for i in items if i in content.tips]
    cards = [i for i in items if i not in content.tips and i in content.cards]
    lines = [content.ui("checks.plan_tip", text=tip.text) for tip in tips]
    if not tips and not cards:
        lines.append(content.ui("checks.plan_empty"))
    return content.ui("checks.plan") + "\n" + "\n".join(lines), cards


def result_fits(check: Check, result: Result) -> bool:
    """Whether a stored result's answers still replay on the current version of the check."""
    if result.version != check.version:
        return False
    try:
        engine.walk(check, result.answers)
    except StaleRun:
        return False
    return True


def outcome_screen(content: Content, check: Check, result: Result, followup_pending: bool = False) -> Screen | None:
    """The result card: urgency, advice, plan, "why this result", links and actions.

    None when the outcome no longer exists in the check (the caller shows the stale reply).
    """
    outcome: Outcome | None = check.outcomes.get(result.outcome)
    if outcome is None:
        return None
    fits = result_fits(check, result)
    parts = [f"<b>{escape(check.title)}</b>"]
    if outcome.urgency:
        parts.append(content.ui(f"checks.urgency.{outcome.urgency}"))
    parts.append(f"<b>{outcome.title}</b>\n{outcome.text}")
    if outcome.watch_for:
        lines = [content.ui("checks.watch_for_line", text=sign) for sign in outcome.watch_for]
        parts.append(content.ui("checks.watch_for") + "\n" + "\n".join(lines))
    rows: list[tuple[Button, ...]] = []
    plan_links: list[str] = []
    if outcome.plan and fits:
        items, held_back = safe_plan_items(content, check, result.answers)
        text, plan_links = plan_text(content, items)
        if held_back:
            text += "\n" + content.ui("checks.plan_held_back")
        parts.append(text)
    if fits:
        why = _why(content, check, result)
        if why:
            parts.append(why)
    else:
        parts.append(content.ui("checks.updated_result"))
    minutes = check.followup.after_minutes if check.followup else 0
    if followup_pending:
        parts.append(content.ui("checks.followup_set", minutes=minutes))
    if check.disclaimer:
        parts.append(content.ui("checks.disclaimer"))

    for action in outcome.actions:
        button = _action_button(content, check, action, followup_pending)
        if button is not None:
            rows.append((button,))
    for target in dict.fromkeys((*outcome.cards, *outcome.sections, *plan_links)):
        link = render.link_button(content, target)
        if link is not None:
            rows.append((link,))
    rows.append(
        (
            Button(content.ui("checks.button.restart"), engine.data_new(check.id)),
            Button(content.ui("checks.button.all_checks"), engine.data_home()),
        )
    )
    rows.append((Button(content.ui("checks.button.menu"), render.MENU),))
    return Screen("\n\n".join(parts), tuple(rows))


def _action_button(content: Content, check: Check, action: str, followup_pending: bool) -> Button | None:
    data = engine.action_data(check, action)
    if data is None:
        return None
    if action == "followup":
        minutes = check.followup.after_minutes if check.followup else 0
        if followup_pending:
            return Button(content.ui("checks.button.followup_cancel"), engine.data_followup_cancel(check.id))
        return Button(content.ui("checks.button.followup", minutes=minutes), data)
    if action.startswith("check:"):
        target = content.checks.get(action.removeprefix("check:"))
        if target is None:
            return None
        return Button(content.ui("checks.button.check", title=target.title), data)
    return Button(content.ui(f"checks.button.{action}"), data)


def advice_screen(content: Content, check: Check, flag: RedFlag) -> Screen:
    """The advice a warning-sign answer leads to, without a run: for typed messages that match the
    answer's ``phrases`` (free-text search). Banner, advice, "watch for" and the disclaimer come
    first; then the links and a button to run the whole check."""
    outcome = check.outcomes[flag.outcome]
    parts = [content.ui(f"checks.urgency.{outcome.urgency}"), f"<b>{outcome.title}</b>\n{outcome.text}"]
    if outcome.watch_for:
        lines = [content.ui("checks.watch_for_line", text=sign) for sign in outcome.watch_for]
        parts.append(content.ui("checks.watch_for") + "\n" + "\n".join(lines))
    parts.append(content.ui("checks.disclaimer"))
    rows: list[tuple[Button, ...]] = [
        (Button(content.ui("checks.button.full_check", title=check.title), engine.data_start(check.id)),)
    ]
    for target in outcome.cards + outcome.sections:
        link = render.link_button(content, target)
        if link is not None:
            rows.append((link,))
    rows.append((Button(content.ui("checks.button.menu"), render.MENU),))
    return Screen("\n\n".join(parts), tuple(rows))


def resume_screen(content: Content, check: Check, run: Run) -> Screen:
    """Offered when starting a check that is already in progress."""
    step, total = engine.progress(check, run)
    text = content.ui("checks.resume_prompt", title=escape(check.title), step=step, total=total)
    rows = (
        (Button(content.ui("checks.button.continue", title=check.title), engine.data_resume()),),
        (Button(content.ui("checks.button.restart"), engine.data_new(check.id)),),
        _nav_row(content),
    )
    return Screen(text, rows)


def stale_screen(content: Content, check: Check | None, active: Run | None = None) -> Screen:
    """A tap on a finished run, an older version of the check, or another step: start again?"""
    rows: list[tuple[Button, ...]] = []
    if check is not None:
        rows.append(
            (
                Button(
                    content.ui("checks.button.start_again", title=check.title),
                    engine.data_new(check.id),
                ),
            )
        )
    active_check = content.checks.get(active.check_id) if active else None
    if active_check is not None and (check is None or active_check.id != check.id):
        rows.append(
            (
                Button(
                    content.ui("checks.button.continue", title=active_check.title),
                    engine.data_resume(),
                ),
            )
        )
    rows.append(_nav_row(content))
    return Screen(content.ui("checks.stale"), tuple(rows))


def followup_screen(content: Content, check: Check) -> Screen:
    """The "still cramping?" message sent by the follow-up delivery."""
    assert check.followup is not None
    text = f"<b>{escape(check.title)}</b>\n\n{check.followup.question}"
    rows = (
        (Button(content.ui("checks.button.still"), engine.data_followup_answer(check.id, True)),),
        (Button(content.ui("checks.button.eased"), engine.data_followup_answer(check.id, False)),),
    )
    return Screen(text, rows)
