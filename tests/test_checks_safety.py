"""Clinical safety of the guided checks (issue 8): no warning sign under-triaged on any path.

Three layers: a generated walk over EVERY path of EVERY shipped check (not a sample), table tests
that tap each warning sign end to end through the fake Bot API, and the validator rules that keep
future YAML edits honest (floors, phrases, order, "watch for", governance).
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from spasmbot.content.model import ContentInvalid
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.checks import engine
from spasmbot.features.checks import store as store_checks
from spasmbot.features.checks.model import RED_FLAG_LEVELS, URGENCIES, Check, Outcome, Step, parse_check, rank
from spasmbot.features.checks.validate import validate_checks
from tests.helpers import Harness, shipped_content

UI = shipped_content().ui
CHECKS = sorted(shipped_content().checks)


def _every_path(check: Check) -> Iterator[tuple[tuple[str, int], ...]]:
    """Every answer sequence from the start to an outcome (a depth-first walk of the whole tree)."""

    def walk(node_id: str, prefix: tuple[tuple[str, int], ...]) -> Iterator[tuple[tuple[str, int], ...]]:
        node = check.node(node_id)
        if not isinstance(node, Step):
            yield prefix
            return
        for index, answer in enumerate(node.answers):
            yield from walk(answer.next or "", (*prefix, (node.id, index)))

    yield from walk(check.start, ())


# --- generated: every path of every check --------------------------------------------------------


@pytest.mark.parametrize("check_id", CHECKS)
def test_every_path_ends_at_or_above_the_floor_of_every_answer_on_it(check_id: str) -> None:
    check = shipped_content().checks[check_id]
    paths = 0
    for answers in _every_path(check):
        paths += 1
        end = engine.walk(check, answers)
        assert isinstance(end, Outcome) and end.urgency in URGENCIES, (answers, end)
        for n, (step_id, index) in enumerate(answers):
            answer = check.steps[step_id].answers[index]
            if answer.floor is None:
                continue
            assert rank(end.urgency) >= rank(answer.floor), (
                f"{check_id}: {answer.text!r} has floor {answer.floor} but the path "
                f"{[check.steps[s].answers[i].text for s, i in answers]} ends at {end.id} ({end.urgency})"
            )
            if answer.floor == "emergency":  # an emergency answer ends the questions at once
                assert n == len(answers) - 1, (check_id, answer.text)
        if end.urgency in ("self_care", "routine"):
            assert end.watch_for, (check_id, end.id)
    assert paths >= len(check.outcomes)
    print(f"{check_id}: {paths} paths walked")


@pytest.mark.parametrize("check_id", CHECKS)
def test_red_flag_answers_name_phrases_and_an_outcome_at_their_level(check_id: str) -> None:
    check = shipped_content().checks[check_id]
    flags = check.red_flags()
    declared = [a for s in check.steps.values() for a in s.answers if a.floor in RED_FLAG_LEVELS]
    assert len(flags) == len(declared)
    for flag in flags:
        outcome = check.outcomes[flag.outcome]
        assert rank(outcome.urgency) >= rank(flag.floor), flag
        assert len(flag.answer.phrases) >= 2 and all(p == p.strip() and p for p in flag.answer.phrases)
        if flag.floor == "emergency":
            assert flag.answer.next == flag.outcome  # the advice shown is the one it ends at


def test_the_checks_cover_every_warning_sign_of_issue_8() -> None:
    """Each sign is offered by the triage check, with at least its level."""
    doctor = shipped_content().checks["doctor"]
    phrases = {p for flag in doctor.red_flags() for p in flag.answer.phrases}
    levels = {p: flag.floor for flag in doctor.red_flags() for p in flag.answer.phrases}
    for phrase, level in {
        "chest pain": "emergency", "can't breathe": "emergency", "face numb": "emergency",
        "seizure": "emergency", "cold leg": "emergency", "heatstroke": "emergency",
        "stiff jaw after a cut": "emergency", "not peeing": "emergency", "swollen calf": "urgent",
        "dark urine": "urgent", "statin muscle pain": "urgent", "tingling around my mouth": "urgent",
        "heat exhaustion": "urgent", "throat tight": "emergency",
    }.items():  # fmt: skip
        assert phrase in phrases, phrase
        assert rank(levels[phrase]) >= rank(level), phrase


def test_a_checks_start_carries_a_disclaimer_and_the_clot_question_comes_first_in_cramping_now() -> None:
    from spasmbot.features.checks import screens

    content = shipped_content()
    for check in content.checks.values():
        first = screens.step_screen(content, check, engine.start(check))
        assert UI("checks.disclaimer_start") in first.text, check.id
    cramping = content.checks["cramping_now"]
    first_step = cramping.steps[cramping.start]
    texts = [a.text for a in first_step.answers]
    assert any("swollen" in t for t in texts) and any("chest" in t for t in texts)
    assert any("belly" in t for t in texts)  # asked visibly, not behind "What does this mean?"
    massage = {s.id for s in cramping.steps.values() if "<b>Rub" in s.question}
    for answers in _every_path(cramping):  # no path through a possible clot reaches a massage step
        chosen = [cramping.steps[s].answers[i].text for s, i in answers]
        if any("swollen" in text for text in chosen):
            assert not massage & {s for s, _ in answers}, chosen
        if engine.walk(cramping, answers).urgency == "self_care":  # back/elsewhere too: asked first
            assert answers[0] == (cramping.start, len(first_step.answers) - 1)


def test_banners_and_titles_never_repeat_or_contradict_each_other() -> None:
    content = shipped_content()
    for check in content.checks.values():
        for outcome in check.outcomes.values():
            banner = html.unescape(re.sub(r"<[^>]+>", "", content.ui(f"checks.urgency.{outcome.urgency}")))
            similar = difflib.SequenceMatcher(None, banner.casefold(), outcome.title.casefold()).ratio()
            assert similar < 0.6, (check.id, outcome.id, banner, outcome.title)
            assert "medical advice now" not in outcome.text, (check.id, outcome.id)  # "today" is the urgent word
            assert "Want me to check on you" not in outcome.text  # the button asks; the text would linger
            if rank(outcome.urgency) < rank("urgent"):
                assert "call now" not in outcome.text.casefold(), (check.id, outcome.id)
    assert len({content.ui(f"checks.urgency.{level}") for level in URGENCIES}) == len(URGENCIES)
    assert "1 to 2 days" in content.ui("checks.urgency.soon")


def test_checks_carry_governance_fields() -> None:
    today = date(2026, 12, 1)
    for check in shipped_content().checks.values():
        assert check.sources and all(s.url.startswith("https://") for s in check.sources), check.id
        assert check.reviewed is not None and check.review_due is not None
        assert check.reviewed <= today < check.review_due


# --- end to end: each warning sign tapped through the fake Bot API -------------------------------

NONE = "None of these"
ADULT = "🧑 Me, or another adult"

# (name, check, taps, the least urgent level allowed). Taps are button texts, in order.
WARNING_SIGNS: list[tuple[str, str, list[str], str]] = [
    ("dvt_one_leg_swollen", "doctor", [NONE, NONE, "🦵 One leg swollen, warm, red or tender"], "urgent"),
    ("dvt_while_cramping", "cramping_now", ["🦵 One leg swollen, warm, red or tender"], "urgent"),
    ("dvt_in_what_kind", "what_kind", [NONE, "🪢 A hard, painful knot", "🦵 Calf, foot or thigh", "Yes"], "urgent"),
    (
        "dvt_not_sure",
        "what_kind",
        [NONE, "🪢 A hard, painful knot", "🦵 Calf, foot or thigh", "🤷 I'm not sure"],
        "urgent",
    ),
    ("dvt_with_breathlessness", "cramping_now", ["😮‍💨 Hard to breathe, or a tight throat"], "emergency"),
    ("chest_pain", "doctor", ["💔 Chest pain or tightness"], "emergency"),
    ("chest_cramp_right_now", "cramping_now", ["💔 Cramp, pain or tightness in my chest"], "emergency"),
    ("belly_cramp_right_now", "cramping_now", ["🤢 The cramp is in my belly"], "urgent"),
    ("rhabdo_dark_urine", "doctor", [NONE, NONE, "🍵 Dark (tea or cola) pee, sore or weak muscles"], "urgent"),
    ("rhabdo_while_cramping", "cramping_now", [NONE, "🍵 Dark (tea or cola) pee, sore or weak muscles"], "urgent"),
    (
        "rhabdo_after_exercise",
        "what_kind",
        [
            NONE,
            "🪢 A hard, painful knot",
            "🦵 Calf, foot or thigh",
            "No",
            "🏃 Exercise, heat or sweating",
            "🍵 Dark (tea or cola) pee, sore or weak muscles",
        ],
        "urgent",
    ),
    ("rhabdo_no_urine", "doctor", [NONE, "🚱 Dark pee and little or none, or confused"], "emergency"),
    ("statin_muscle_pain", "doctor", [NONE, NONE, "💊 New muscle pain, weakness or cramps on a statin"], "urgent"),
    ("statin_while_cramping", "cramping_now", [NONE, "💊 I take a statin and this is new"], "urgent"),
    ("tetanus_doctor", "doctor", [NONE, "🩹 Stiff jaw or neck, or spasms, after a wound"], "emergency"),
    ("tetanus_cramping", "cramping_now", ["🩹 Stiff jaw or neck, or spasms, after a wound"], "emergency"),
    ("tetanus_what_kind", "what_kind", ["🩹 Stiff jaw or neck, or spasms, after a wound"], "emergency"),
    ("cold_pale_leg", "doctor", ["🦶 A leg suddenly cold, pale and painful"], "emergency"),
    ("cold_pale_leg_cramping", "cramping_now", ["🦶 A leg suddenly cold, pale and painful"], "emergency"),
    ("first_seizure", "doctor", ["🌀 A fit: jerking all over, not aware"], "emergency"),
    ("seizure_what_kind", "what_kind", ["🌀 A fit: jerking all over, not aware"], "emergency"),
    ("heatstroke", "doctor", ["🥵 Very hot and confused, or stopped sweating"], "emergency"),
    ("heatstroke_cramping", "cramping_now", ["🥵 Very hot and confused, or stopped sweating"], "emergency"),
    ("heat_exhaustion", "doctor", [NONE, NONE, "🥵 In the heat: dizzy, sweating a lot, cramps"], "urgent"),
    ("heat_exhaustion_cramping", "cramping_now", [NONE, "🥵 In the heat: dizzy, sweating a lot"], "urgent"),
    ("low_calcium_tingling", "doctor", [NONE, NONE, "🫦 Tingling around the mouth or fingers, hands lock"], "urgent"),
    (
        "low_calcium_what_kind",
        "what_kind",
        [
            NONE,
            "🪢 A hard, painful knot",
            "✋ Hands or feet, fingers curling",
            "🫦 Tingling around the mouth or fingers",
        ],
        "urgent",
    ),
    ("throat_tightening", "doctor", ["😮‍💨 Hard to breathe, or a tight throat"], "emergency"),
    ("stroke_signs", "doctor", ["🫥 Face drooping, weak arm, slurred speech"], "emergency"),
    ("stroke_not_sure_is_yes", "what_kind", [NONE, "🤹 Clumsy, poorly aimed movement", "🤷 I'm not sure"], "emergency"),
    ("not_sure_counts_as_yes", "doctor", ["🤷 Not sure about one of these"], "emergency"),
    (
        "cramp_over_10_minutes",
        "cramping_now",
        [NONE, NONE, ADULT, "🦵 Calf", "⏳ It's lasted over 10 minutes"],
        "urgent",
    ),
    (
        "child_cramp_over_10_minutes",
        "cramping_now",
        [NONE, NONE, "🧒 A child (under 16)", "⏳ Over 10 minutes and not easing"],
        "urgent",
    ),
    ("child_unexplained_cramps", "doctor", [NONE, NONE, NONE, NONE, NONE, "🧒 A child (under 16)"], "routine"),
    (
        "child_cramp_eased_still_sees_doctor",
        "cramping_now",
        [NONE, NONE, "🧒 A child (under 16)", "😌 It's easing"],
        "routine",
    ),
    ("child_trigger_quiz", "triggers", ["🧒 A child (under 16)"], "routine"),
]


def _level_shown(message: FakeMessage) -> str:
    shown = [level for level in URGENCIES if UI(f"checks.urgency.{level}") in message.text]
    assert len(shown) == 1, (shown, message.plain[:300])  # one banner: banner and text agree
    return shown[0]


async def _run(user: ChatClient, check_id: str, taps: list[str]) -> FakeMessage:
    check = shipped_content().checks[check_id]
    [listing] = await user.send("/check")
    await user.tap(listing, check.title)
    for text in taps:
        await user.tap(listing, text)
    return listing


@pytest.mark.parametrize(("name", "check_id", "taps", "floor"), WARNING_SIGNS, ids=[w[0] for w in WARNING_SIGNS])
async def test_warning_sign_reaches_its_level_end_to_end(
    harness: Harness, name: str, check_id: str, taps: list[str], floor: str
) -> None:
    user = harness.user()
    message = await _run(user, check_id, taps)
    level = _level_shown(message)
    assert rank(level) >= rank(floor), (name, level, message.plain[:300])
    check = shipped_content().checks[check_id]
    assert "Step " not in message.plain and UI("checks.button.cancel") not in message.button_texts()
    saved = await store_checks.get_result(harness.store, user.user_id, check_id)
    assert saved is not None and rank(check.outcomes[saved.outcome].urgency) >= rank(floor)
    assert saved.content_version == harness.content.version
    assert len(saved.answers) == len(taps)  # an emergency (or urgent) answer ended the questions there
    if floor == "emergency":
        assert "112" in message.plain  # the local emergency number, with examples
        # a double tap on the same answer keeps the emergency advice on screen
        await user.tap_data(message, engine.data_answer(check_id, *saved.answers[-1]))
        assert _level_shown(message) == "emergency" and UI("checks.stale") not in message.text
    assert not user.errors


@pytest.mark.parametrize(
    ("check_id", "taps"),
    [
        (
            "what_kind",
            [
                NONE,
                "🪢 A hard, painful knot",
                "🦵 Calf, foot or thigh",
                "No",
                "🏃 Exercise, heat or sweating",
                NONE,
                "⏱️ Seconds to a few minutes",
            ],
        ),
        ("cramping_now", [NONE, NONE, ADULT, "🦵 Calf", "😌 It's easing"]),
        ("doctor", [NONE, NONE, NONE, NONE, NONE, ADULT, NONE, NONE]),
    ],
    ids=["what_kind", "cramping_now", "doctor"],
)
async def test_a_healthy_adult_with_an_occasional_calf_cramp_after_running_gets_self_care(
    harness: Harness, check_id: str, taps: list[str]
) -> None:
    user = harness.user()
    message = await _run(user, check_id, taps)
    assert _level_shown(message) == "self_care"
    assert UI("checks.watch_for") in message.text  # and the signs that should bring them back
    assert not user.errors


async def test_the_cramp_command_starts_the_cramping_now_check_with_its_disclaimer(harness: Harness) -> None:
    user = harness.user()
    check = shipped_content().checks["cramping_now"]
    [message] = await user.send("/cramp")
    assert check.steps[check.start].question in message.text
    assert UI("checks.disclaimer_start") in message.text
    await user.tap(message, "💔 Cramp, pain or tightness in my chest")
    assert _level_shown(message) == "emergency"
    [help_message] = await user.send("/help")
    assert "/cramp" in help_message.plain


async def test_a_followup_still_cramping_is_urgent_and_eased_lists_what_to_watch_for(harness: Harness) -> None:
    user = harness.user()
    message = await _run(user, "cramping_now", [NONE, NONE, ADULT, "🦶 Foot or toes", "😌 It's easing"])
    assert UI("checks.watch_for") in message.text
    for sign in shipped_content().checks["cramping_now"].outcomes["relieved"].watch_for:
        assert sign in message.text


async def test_the_why_list_reads_label_colon_answer(harness: Harness) -> None:
    user = harness.user()
    message = await _run(user, "cramping_now", [NONE, NONE, ADULT, "🦵 Calf", "😌 It's easing"])
    assert "• After the calf stretch: 😌 It's easing" in message.plain
    assert "• Who: 🧑 Me, or another adult" in message.plain


# --- the validator rules (what keeps a YAML edit from under-triaging) ----------------------------


def _check(**steps_and_outcomes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "probe",
        "title": "Probe",
        "start": "one",
        "reviewed": "2026-12-01",
        "review_due": "2027-06-01",
        "sources": [{"name": "NHS: Leg cramps", "url": "https://www.nhs.uk/conditions/leg-cramps/"}],
        "steps": {
            "one": {
                "question": "Any of these?",
                "answers": [
                    {"text": "Swollen leg", "next": "two", "floor": "urgent", "phrases": ["swollen calf", "red leg"]},
                    {"text": "None", "next": "two"},
                ],
            },
            "two": {"question": "Then?", "answers": [{"text": "Fine", "next": "ok"}, {"text": "Bad", "next": "bad"}]},
        },
        "outcomes": {
            "ok": {"title": "Fine", "text": "Rest.", "urgency": "self_care", "watch_for": ["worse"]},
            "bad": {"title": "Bad", "text": "Go.", "urgency": "urgent"},
        },
    }
    data.update(steps_and_outcomes)
    return data


def _errors(data: dict[str, Any]) -> list[str]:
    content = shipped_content()
    check = parse_check(data, "probe.yaml")
    everything = dataclasses.replace(content, checks={**content.checks, check.id: check})
    return [f"{e.path}: {e.message}" for e in validate_checks(everything) if e.file == "probe.yaml"]


def test_validator_rejects_a_path_that_ends_below_an_answers_floor() -> None:
    errors = _errors(_check())
    assert any("steps.one.answers[0]: floor 'urgent'" in e and "'ok'" in e for e in errors), errors


def test_validator_rejects_an_emergency_answer_that_asks_more_questions() -> None:
    data = _check()
    data["steps"]["one"]["answers"][0].update(floor="emergency", next="two")
    data["outcomes"]["ok"]["urgency"] = "emergency"
    data["outcomes"]["bad"]["urgency"] = "emergency"
    assert any("must end the questions at once" in e for e in _errors(data))


def test_validator_requires_phrases_floors_order_and_watch_for() -> None:
    data = _check()
    data["steps"]["one"]["answers"][0].update(next="bad", phrases=["only one"])
    data["steps"]["two"]["answers"][1].pop("floor", None)  # "Bad" leads to an urgent outcome, no floor
    data["outcomes"]["ok"].pop("watch_for")
    data["steps"]["one"]["answers"].reverse()  # the floored answer no longer comes first
    errors = _errors(data)
    assert any("phrases" in e and "at least 2" in e for e in errors), errors
    assert any("steps.two.answers[1]" in e and "declare 'floor: urgent'" in e for e in errors), errors
    assert any(e.startswith("steps.one:") and "most urgent first" in e for e in errors), errors
    assert any("outcomes.ok.watch_for" in e for e in errors), errors


def test_validator_makes_the_more_urgent_question_come_first() -> None:
    data = _check()
    data["steps"]["one"]["answers"][0].update(next="bad")
    data["steps"]["two"]["answers"] = [
        {"text": "Chest pain", "next": "call", "floor": "emergency", "phrases": ["chest pain", "tight chest"]},
        {"text": "Fine", "next": "ok"},
    ]
    data["outcomes"]["call"] = {"title": "Call", "text": "Now.", "urgency": "emergency"}
    errors = _errors(data)
    assert any("ends before step 'two'" in e and "ask that question first" in e for e in errors), errors


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sources": []}, "sources"),
        ({"sources": [{"name": "NHS", "url": "nhs.uk leg cramps"}]}, "sources[0].url"),
        ({"reviewed": "yesterday"}, "reviewed"),
        ({"review_due": "2025-01-01"}, "review_due"),
    ],
)
def test_governance_fields_are_required_and_checked(change: dict[str, Any], field: str) -> None:
    with pytest.raises(ContentInvalid) as caught:
        parse_check(_check(**change), "probe.yaml")
    assert any(e.path == field for e in caught.value.errors), caught.value.errors


def test_a_check_without_governance_fields_is_rejected_and_an_overdue_one_is_reported() -> None:
    from spasmbot.content.review import overdue_warnings

    data = _check()
    for key in ("sources", "reviewed", "review_due"):
        del data[key]
    with pytest.raises(ContentInvalid, match="needs sources, reviewed, review_due"):
        parse_check(data, "probe.yaml")
    content = shipped_content()
    items = [item for item in content.reviews() if item[0].endswith("checks/doctor.yaml")]
    assert len(items) == 1
    assert overdue_warnings(items, date(2027, 6, 2)) and not overdue_warnings(items, date(2026, 12, 2))


def test_every_outcome_needs_an_urgency() -> None:
    data = _check()
    del data["outcomes"]["ok"]["urgency"]
    with pytest.raises(ContentInvalid, match=r"outcomes\.ok\.urgency"):
        parse_check(data, "probe.yaml")


def test_the_readme_example_is_a_valid_check() -> None:
    from pathlib import Path

    import yaml

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    example = readme.split("# content/en/checks/night_cramps.yaml\n", 1)[1].split("```", 1)[0]
    check = parse_check(yaml.safe_load(example), "README.md")
    content = shipped_content()
    assert validate_checks(dataclasses.replace(content, checks={**content.checks, check.id: check})) == []
