"""The guided-check engine without Telegram: parsing, validation, the flow and its callback data."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from spasmbot.content.model import Content, ContentError, ContentInvalid, UiText
from spasmbot.features.checks import engine, screens
from spasmbot.features.checks.engine import Run, StaleRun
from spasmbot.features.checks.model import Answer, Outcome, Step, parse_check
from spasmbot.features.checks.validate import _greediest_plan_path, validate_checks
from tests.helpers import START, shipped_content

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "checks_bad"
SHIPPED = ("what_kind", "doctor", "cramping_now", "triggers")
NINE_TYPES = (
    "cramps", "twitching", "tonic", "dystonic", "ischemic", "clonic", "myoclonic", "ataxic",
    "tetanic",
)  # fmt: skip


def small_check(**changes: Any) -> dict[str, Any]:
    """A valid three-step check as YAML data; ``changes`` override top-level keys."""
    data: dict[str, Any] = {
        "id": "tiny",
        "title": "Tiny check",
        "start": "one",
        "steps": {
            "one": {
                "question": "One?",
                "explain": "About one.",
                "answers": [
                    {"text": "Left", "next": "two", "plan": ["hydration"]},
                    {"text": "Right", "next": "three"},
                ],
            },
            "two": {
                "question": "Two?",
                "answers": [
                    {"text": "A", "next": "three", "plan": ["stretching", "hydration"]},
                    {"text": "B", "next": "end_b"},
                ],
            },
            "three": {
                "question": "Three?",
                "answers": [{"text": "X", "next": "end_a"}, {"text": "Y", "next": "end_b"}],
            },
        },
        "outcomes": {
            "end_a": {
                "title": "A",
                "text": "Outcome A.",
                "plan": True,
                "urgency": "routine",
                "watch_for": ["it gets worse"],
            },
            "end_b": {"title": "B", "text": "Outcome B.", "cards": ["cramps"], "urgency": "soon"},
        },
        "reviewed": "2026-12-01",
        "review_due": "2027-06-01",
        "sources": [{"name": "NHS: Leg cramps", "url": "https://www.nhs.uk/conditions/leg-cramps/"}],
    }
    data.update(changes)
    return data


def with_checks(*checks: Any) -> Content:
    return dataclasses.replace(shipped_content(), checks={c.id: c for c in checks})


# --- parsing ------------------------------------------------------------------------------------


def test_parse_builds_the_graph_and_a_version_that_follows_the_data() -> None:
    check = parse_check(small_check(), "en/checks/tiny.yaml")
    assert check.start == "one" and list(check.steps) == ["one", "two", "three"]
    assert check.steps["one"].answers[0] == Answer("Left", "two", ("hydration",))
    assert check.outcomes["end_a"].urgency == "routine" and check.outcomes["end_a"].plan
    reordered = dict(reversed(list(small_check().items())))
    assert parse_check(reordered, "x").version == check.version  # key order does not matter
    changed = small_check(title="Tiny check, reworded")
    assert parse_check(changed, "x").version != check.version


def test_schema_errors_are_all_reported_with_file_and_field() -> None:
    data = yaml.safe_load((FIXTURES / "schema.yaml").read_text())
    with pytest.raises(ContentInvalid) as caught:
        parse_check(data, "fixtures/schema.yaml")
    found = {(e.file, e.path) for e in caught.value.errors}
    text = str(caught.value)
    assert ("fixtures/schema.yaml", "steps.first") in found and "2 to 8 answers" in text
    assert "unknown key 'colour'" in text
    assert ("fixtures/schema.yaml", "outcomes.done.urgency") in found


def test_plain_yes_no_keys_would_be_booleans_so_followup_uses_on_yes_on_no() -> None:
    data = small_check(followup={"after_minutes": 10, "question": "Still?", True: "end_a"})
    with pytest.raises(ContentInvalid, match="on_yes"):
        parse_check(data, "x")


# --- validation -----------------------------------------------------------------------------


def _fixture_errors(name: str) -> list[ContentError]:
    source = f"fixtures/checks_bad/{name}.yaml"
    check = parse_check(yaml.safe_load((FIXTURES / f"{name}.yaml").read_text()), source)
    errors = validate_checks(with_checks(check))
    assert errors, f"{name} should not validate"
    assert all(e.file == source for e in errors), errors
    return errors


def _has(errors: list[ContentError], path: str, words: str) -> bool:
    return any(e.path == path and words in e.message for e in errors)


def test_validator_reports_an_unreachable_step() -> None:
    errors = _fixture_errors("unreachable")
    assert _has(errors, "steps.orphan", "unreachable"), errors


def test_validator_reports_a_dead_end() -> None:
    errors = _fixture_errors("dead_end")
    assert _has(errors, "steps.first.answers[1]", "dead end"), errors


def test_validator_reports_a_cycle_naming_its_steps() -> None:
    errors = _fixture_errors("cycle")
    assert any("cycle: a -> b -> a" in e.message or "cycle: b -> a -> b" in e.message for e in errors)


def test_validator_reports_every_dangling_link() -> None:
    errors = _fixture_errors("dangling_link")
    assert _has(errors, "steps.first.answers[1]", "unknown step or outcome 'nowhere'")
    assert _has(errors, "steps.first.answers[0].plan", "'no_such_tip'")
    assert _has(errors, "outcomes.done.cards", "unknown card 'no_such_card'")
    assert _has(errors, "outcomes.done.sections", "unknown section 'no_such_section'")
    assert _has(errors, "outcomes.done.actions", "unknown action 'teleport'")
    assert _has(errors, "outcomes.done.actions", "unknown check 'no_such_check'")
    assert _has(errors, "outcomes.done.actions", "'followup' needs a 'followup' block")


def test_validator_reports_over_long_button_data() -> None:
    errors = _fixture_errors("long_data")
    step = "steps.a_step_id_that_is_far_too_long_to_fit_in_callback_data_at_all"
    assert _has(errors, step, "bytes (Telegram allows 64)"), errors


def test_validator_checks_rendered_screens_against_telegram_limits() -> None:
    data = small_check()
    data["steps"]["one"]["question"] = "Broken <b>HTML"
    errors = validate_checks(with_checks(parse_check(data, "tiny.yaml")))
    assert any(e.path == "steps.one" and "HTML" in e.message for e in errors), errors


def test_validator_requires_the_ui_words() -> None:
    content = with_checks(parse_check(small_check(), "tiny.yaml"))
    keys = content.ui.keys()  # UiText is not iterable
    strings = {k: content.ui(k) for k in keys if k != "checks.disclaimer"}
    content = dataclasses.replace(content, ui=UiText(strings))
    assert ContentError("ui/checks.yaml", "checks.disclaimer", "missing UI string") in (validate_checks(content))


def test_shipped_checks_validate() -> None:
    content = shipped_content()
    assert set(SHIPPED) <= set(content.checks)
    assert validate_checks(content) == []


# --- the flow -------------------------------------------------------------------------------


def test_choose_back_and_progress_from_the_longest_remaining_path() -> None:
    check = parse_check(small_check(), "tiny.yaml")
    run = engine.start(check)
    assert engine.progress(check, run) == (1, 3)  # one -> two -> three -> outcome
    run = engine.choose(check, run, "one", 1)  # Right: straight to three
    assert engine.position(check, run).id == "three"
    assert engine.progress(check, run) == (2, 2)  # "about" shrinks on the short branch
    run = engine.back(run)
    run = engine.choose(check, run, "one", 0)
    assert engine.progress(check, run) == (2, 3)
    run = engine.choose(check, run, "two", 0)
    run = engine.choose(check, run, "three", 0)
    end = engine.position(check, run)
    assert isinstance(end, Outcome) and end.id == "end_a"
    assert engine.plan_items(check, run.answers) == ("hydration", "stretching")


def test_taps_that_do_not_fit_the_run_are_stale() -> None:
    check = parse_check(small_check(), "tiny.yaml")
    run = engine.choose(check, engine.start(check), "one", 0)
    with pytest.raises(StaleRun):
        engine.choose(check, run, "one", 0)  # a step already answered
    with pytest.raises(StaleRun):
        engine.choose(check, run, "two", 7)  # no such answer
    with pytest.raises(StaleRun):
        engine.position(check, Run(check.id, "older", run.answers))  # the YAML changed
    with pytest.raises(StaleRun):
        engine.position(check, Run(check.id, check.version, (("three", 0),)))  # wrong path


def test_callback_data_round_trips_and_rejects_forgeries() -> None:
    tap = engine.parse_data(engine.data_answer("doctor", "urgent_signs", 3))
    assert tap == engine.Tap("a", "doctor", "urgent_signs", 3)
    assert engine.parse_data(engine.data_followup_answer("cramping_now", True)) == engine.Tap(
        "fa", "cramping_now", "", 1
    )
    assert engine.parse_data(engine.data_home()) == engine.Tap("home")
    for forged in (
        "k:", "k:a:doctor:now", "k:a:doctor:now:x", "k:a:doctor:now:-1", "k:a:doctor:now:123",
        "k:zz:doctor", "k:start:", "k:fa:doctor:maybe", "t:home", "k:home:extra", "",
    ):  # fmt: skip
        assert engine.parse_data(forged) is None, forged


def test_routes_reach_every_outcome_and_tap_every_answer_of_every_shipped_check() -> None:
    content = shipped_content()
    for check_id in SHIPPED:
        check = content.checks[check_id]
        reached: set[str] = set()
        tapped: set[tuple[str, int]] = set()
        for path in engine.routes(check):
            answers = engine.as_answers(check, path)
            tapped.update(answers)
            reached.add(engine.walk(check, answers).id)
        followup = {check.followup.yes, check.followup.no} if check.followup else set()
        assert reached | followup == set(check.outcomes), check_id
        every = {(s.id, i) for s in check.steps.values() for i in range(len(s.answers))}
        assert tapped == every, check_id


def test_what_kind_leads_to_all_nine_types_and_links_each_card() -> None:
    check = shipped_content().checks["what_kind"]
    for card in NINE_TYPES:
        assert any(card in o.cards for o in check.outcomes.values()), card
    assert any("see_doctor" in o.cards for o in check.outcomes.values())
    assert all(o.id == "cant_tell" or o.title.startswith("Most like") or o.urgency in (
        "urgent", "emergency") for o in check.outcomes.values())  # fmt: skip
    night = check.steps["before"].answers[1]
    assert night.text == "🛏️ Resting, or at night in bed"
    assert {o.id for o in check.outcomes_after(night.next or "")} >= {"night_cramp"}
    assert "night_cramps" in check.outcomes["night_cramp"].cards


def test_doctor_triage_ends_at_once_on_an_emergency_and_covers_every_level() -> None:
    check = shipped_content().checks["doctor"]
    first = check.steps[check.start]
    emergency = [a for a in first.answers if a.floor == "emergency"]
    assert len(emergency) >= 6
    assert all(check.outcomes[a.next or ""].urgency == "emergency" for a in emergency)
    levels = {o.urgency for o in check.outcomes.values()}
    assert levels == {"emergency", "urgent", "soon", "routine", "self_care"}
    assert check.disclaimer


def test_cramping_now_offers_the_followup_and_its_yes_is_urgent() -> None:
    check = shipped_content().checks["cramping_now"]
    assert check.followup is not None and check.followup.after_minutes == 10
    assert check.outcomes[check.followup.yes].urgency == "urgent"
    assert any("followup" in o.actions for o in check.outcomes.values())
    muscles = check.steps["muscle"]
    assert len(muscles.answers) == 6
    for answer in muscles.answers:  # stretch, then massage, each with a "still cramping?" branch
        stretch = check.steps[answer.next or ""]
        still = next(a for a in stretch.answers if a.text == "😣 Still cramping")
        massage = check.steps[still.next or ""]
        assert {a.next for a in stretch.answers} >= {"relieved", massage.id, "urgent_now"}
        still_after_massage = next(a for a in massage.answers if a.text == "😣 Still cramping")
        assert isinstance(check.node(still_after_massage.next or ""), Step)


def test_triggers_answers_build_a_plan_shown_on_the_result() -> None:
    content = shipped_content()
    check = content.checks["triggers"]
    worst = _greediest_plan_path(check)  # the same path the validator renders
    assert len(worst) == len(check.steps) and worst[0] == ("who", 1)  # the adult quiz
    node = engine.walk(check, worst)
    result = engine.Result(check.id, check.version, node.id, tuple(worst), START)
    screen = screens.outcome_screen(content, check, result)
    assert screen is not None
    first_tip = content.tips[engine.plan_items(check, result.answers)[0]]
    every_tip = [content.tips[i].text for i in engine.plan_items(check, result.answers) if i in content.tips]
    assert len(every_tip) > 8 and all(text in screen.text for text in every_tip)  # the whole plan
    assert "more</i>" not in screen.text and first_tip.text in screen.text
    assert {b.data for b in screen.buttons()} >= {"t:home:n", "w:home"}


def test_the_example_in_the_docs_is_a_valid_check() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "checks.md").read_text()
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    check = parse_check(yaml.safe_load(example), "docs/checks.md")
    content = shipped_content()
    everything = dataclasses.replace(content, checks={**content.checks, check.id: check})
    assert validate_checks(everything) == []
    assert set(check.outcomes) == {engine.walk(check, engine.as_answers(check, p)).id for p in engine.routes(check)}


def test_two_answers_with_the_same_text_are_rejected() -> None:
    data = small_check()
    data["steps"]["three"]["answers"][1]["text"] = "X"
    with pytest.raises(ContentInvalid, match="two answers read 'X'"):
        parse_check(data, "tiny.yaml")
