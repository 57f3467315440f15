"""What a newcomer stumbled on in the guided checks (issue 13), and the content version (issue 8),
end to end through the fake Bot API."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from spasmbot.clock import FakeClock
from spasmbot.content.errors import ContentInvalid
from spasmbot.content.loader import load_languages
from spasmbot.delivery import schedule
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.checks import engine, screens
from spasmbot.features.checks import store as store_checks
from spasmbot.features.checks.validate import _greediest_plan_path
from tests.helpers import Harness, shipped_content

UI = shipped_content().ui
NONE = "None of these"
ADULT = "🧑 Me, or another adult"


async def _run(user: ChatClient, check_id: str, taps: list[str]) -> FakeMessage:
    check = shipped_content().checks[check_id]
    [listing] = await user.send("/check")
    await user.tap(listing, check.title)
    for text in taps:
        await user.tap(listing, text)
    return listing


def _lines(message: FakeMessage) -> list[str]:
    return [line.strip() for line in message.plain.splitlines() if line.strip()]


async def test_no_line_of_a_result_says_the_same_thing_twice(harness: Harness) -> None:
    user = harness.user()
    for check_id, taps in {
        "doctor": ["💔 Chest pain or tightness"],
        "cramping_now": [NONE, NONE, ADULT, "🦵 Calf", "😌 It's easing"],
        "what_kind": [NONE, "〰️ Small flickers under the skin", "😰 Stress, poor sleep or lots of coffee"],
    }.items():
        message = await _run(user, check_id, taps)
        lines = _lines(message)
        assert len(lines) == len(set(lines)), lines
        assert "Call your local emergency number now" not in message.plain.replace(
            "Emergency: call your local emergency number now", ""
        )
        assert "You can probably look after this yourself" not in message.plain


async def test_the_whole_plan_is_shown_once_on_the_result_and_in_last_result(harness: Harness) -> None:
    content = shipped_content()
    check = content.checks["triggers"]
    path = _greediest_plan_path(check)
    user = harness.user()
    message = await _run(user, "triggers", [check.steps[s].answers[i].text for s, i in path])
    tips = [content.tips[i].text for i in engine.plan_items(check, path) if i in content.tips]
    assert len(tips) > 8
    for shown in (message, None):
        if shown is None:  # "Last result" from /check shows the same, whole plan
            [shown] = await user.send("/check")
            await user.tap(shown, UI("checks.button.result", title=check.title))
        assert all(tip in shown.text for tip in tips)
        assert "more</i>" not in shown.text and "…and" not in shown.plain
        assert shown.plain.count("Your prevention plan") == 1  # the title no longer repeats it


async def test_the_followup_offer_is_a_button_not_a_question_left_in_the_text(harness: Harness) -> None:
    user = harness.user()
    message = await _run(user, "cramping_now", [NONE, NONE, ADULT, "🦵 Calf", *["😣 Still cramping"] * 4])
    assert UI("checks.button.followup", minutes=10) in message.button_texts()
    await user.tap(message, UI("checks.button.followup", minutes=10))
    assert UI("checks.followup_set", minutes=10) in message.text
    assert "Want me to check on you" not in message.plain  # the question went with the answer


async def test_resting_or_at_night_leads_to_the_night_leg_cramps_card(harness: Harness) -> None:
    user = harness.user()
    message = await _run(
        user,
        "what_kind",
        [
            NONE,
            "🪢 A hard, painful knot",
            "🦵 Calf, foot or thigh",
            "No",
            "🛏️ Resting, or at night in bed",
            "⏱️ Seconds to a few minutes",
        ],
    )
    assert "Most like: night leg cramps" in message.plain
    card = shipped_content().cards["night_cramps"]
    assert any(card.title in text for text in message.button_texts()), message.button_texts()


async def test_my_cramps_are_better_gets_a_fitting_reply(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    await schedule.set_due(harness.store, user.user_id, "tips", harness.clock.now() + timedelta(hours=2))
    [stopped] = await user.send("/stop")
    [reply] = await user.tap(stopped, "My cramps are better")
    assert "Glad your cramps are better" in reply.plain
    assert "helps me improve" not in reply.plain


async def test_about_shows_the_content_version_that_results_record(harness: Harness) -> None:
    user = harness.user()
    [about] = await user.send("/about")
    version = harness.content.version
    assert version and f"Content version {version}" in about.plain
    await _run(user, "doctor", ["💔 Chest pain or tightness"])
    saved = await store_checks.get_result(harness.store, user.user_id, "doctor")
    assert saved is not None and saved.content_version == version


def test_a_typed_warning_sign_has_advice_to_show_and_a_way_into_the_full_check() -> None:
    content = shipped_content()
    check = content.checks["doctor"]
    flag = next(f for f in check.red_flags() if "swollen calf" in f.answer.phrases)
    screen = screens.advice_screen(content, check, flag)
    assert UI("checks.urgency.urgent") in screen.text and "Don't rub or massage it" in screen.text
    assert UI("checks.disclaimer") in screen.text
    assert engine.data_start("doctor") in {b.data for b in screen.buttons()}


async def test_the_triggers_plan_leaves_out_potassium_tips_for_someone_with_kidney_disease(harness: Harness) -> None:
    content = shipped_content()
    check = content.checks["triggers"]
    path = list(_greediest_plan_path(check))
    conditions = check.steps["conditions"]
    kidney = next(i for i, a in enumerate(conditions.answers) if a.text == content.conditions["kidney_disease"].answer)
    path[-1] = ("conditions", kidney)
    user = harness.user()
    message = await _run(user, "triggers", [check.steps[s].answers[i].text for s, i in path])
    risky = [t for t in content.tips.values() if "kidney_disease" in t.avoid_if]
    planned = engine.plan_items(check, tuple(path))
    assert any(t.id in planned for t in risky)  # the diet answer asked for them...
    assert not any(t.text in message.text for t in risky)  # ...but they are held back
    assert UI("checks.plan_held_back") in message.text
    greedy = _greediest_plan_path(check)
    other = await _run(harness.user(2002), "triggers", [check.steps[s].answers[i].text for s, i in greedy])
    assert any(t.text in other.text for t in risky if t.id in planned)  # without kidney disease: shown


def _bilingual(root: Path) -> Path:
    shipped = Path(__file__).resolve().parent.parent / "content" / "en"
    shutil.copytree(shipped, root / "en")
    shutil.copytree(shipped, root / "de")
    ui = root / "de" / "ui" / "checks.yaml"
    ui.write_text(ui.read_text().replace("Emergency: call your local emergency number now", "Notfall: Notruf wählen"))
    return root


def test_a_translated_check_must_triage_like_the_original(tmp_path: Path) -> None:
    root = _bilingual(tmp_path / "content")
    doctor = root / "de" / "checks" / "doctor.yaml"
    text = doctor.read_text()
    # valid on its own (the German file passes every rule), but it no longer promises what the
    # English one does: the walking-pain answer lost its floor
    answer = '      - text: "🚶 Leg pain walking that stops at rest"\n        next: soon\n'
    softened = text.replace(answer + "        floor: soon\n", answer)
    assert softened != text
    doctor.write_text(softened)
    with pytest.raises(ContentInvalid) as caught:
        load_languages(root)
    message = str(caught.value)
    assert "de/checks/doctor.yaml: steps.soon_signs.answers" in message
    assert "with the same floors" in message


async def test_a_user_runs_checks_in_their_language(tmp_path: Path, clock: FakeClock) -> None:
    content, translations = load_languages(_bilingual(tmp_path / "content"))
    harness = Harness(tmp_path / "bot.sqlite3", content, clock, rate_limiter=False)
    harness.translations = translations
    await harness.start()
    try:
        user = harness.user(11, language_code="de")
        [message] = await user.send("/cramp")
        await user.tap(message, "💔 Cramp, pain or tightness in my chest")
        assert "Notfall: Notruf wählen" in message.plain
        saved = await store_checks.get_result(harness.store, user.user_id, "cramping_now")
        assert saved is not None and saved.content_version == translations["de"].version
    finally:
        await harness.stop()


async def test_daily_tips_from_a_result_open_below_it_so_the_plan_stays(harness: Harness) -> None:
    check = shipped_content().checks["triggers"]
    path = _greediest_plan_path(check)
    user = harness.user()
    message = await _run(user, "triggers", [check.steps[s].answers[i].text for s, i in path])
    result_text = message.text
    [tips] = await user.tap(message, UI("checks.button.tips"))
    assert tips.message_id != message.message_id  # a new message below the result
    assert harness.api.message(user.chat_id, message.message_id).text == result_text  # the plan stays
