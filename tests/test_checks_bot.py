"""Guided checks end to end: the real Application, the fake Bot API, SQLite and a fake clock."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from spasmbot.delivery import schedule
from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.checks import engine
from spasmbot.features.checks import store as store_checks
from spasmbot.features.checks.handlers import FOLLOWUP_KIND
from spasmbot.features.checks.model import Check, Step
from spasmbot.storage import users
from tests.helpers import Harness, shipped_content

UI = shipped_content().ui
BACK = UI("checks.button.back")
CANCEL = UI("checks.button.cancel")
RESTART = UI("checks.button.restart")


def _check(check_id: str) -> Check:
    return shipped_content().checks[check_id]


async def _open(user: ChatClient, check: Check) -> FakeMessage:
    """/check, then tap the check: the message the whole run is edited into."""
    [listing] = await user.send("/check")
    await user.tap(listing, check.title)
    return listing


def _at_step(message: FakeMessage, check: Check, step: Step, number: int) -> None:
    assert step.question in message.text, (step.id, message.plain[:200])
    assert f"Step {number} of about" in message.plain
    assert message.button_texts()[-3:] == [BACK, CANCEL, RESTART]


async def _walk(user: ChatClient, message: FakeMessage, check: Check, path: tuple[int, ...]) -> None:
    for step_id, index in engine.as_answers(check, path):
        await user.tap(message, check.steps[step_id].answers[index].text)


@pytest.mark.parametrize("check_id", ["what_kind", "doctor", "cramping_now", "triggers"])
async def test_every_path_reaches_its_outcome_with_back_cancel_and_start_over_at_every_step(
    harness: Harness, check_id: str
) -> None:
    check = _check(check_id)
    user = harness.user()
    message = await _open(user, check)
    probed: set[str] = set()  # steps where Cancel and Start over were tried
    backed: set[tuple[str, str]] = set()  # (previous step, step) pairs where Back was tried
    reached: set[str] = set()
    for path in engine.routes(check):
        answers = engine.as_answers(check, path)
        for n, (step_id, index) in enumerate(answers):
            step = check.steps[step_id]
            _at_step(user.last_message(), check, step, n + 1)
            assert user.last_message().message_id == message.message_id  # edited in place
            prev_id, prev_index = answers[n - 1] if n else ("", 0)
            if n and (prev_id, step_id) not in backed:  # Back undoes the last answer
                backed.add((prev_id, step_id))
                await user.tap(message, BACK)
                _at_step(user.last_message(), check, check.steps[prev_id], n)
                await user.tap(message, check.steps[prev_id].answers[prev_index].text)
                _at_step(user.last_message(), check, step, n + 1)
            if step_id not in probed:
                probed.add(step_id)
                await user.tap(message, CANCEL)
                assert UI("checks.cancelled") in user.last_message().text
                assert await store_checks.get_run(harness.store, user.user_id) is None
                await user.tap(message, check.title)
                await _walk(user, message, check, path[:n])
                await user.tap(message, RESTART)
                _at_step(user.last_message(), check, check.steps[check.start], 1)
                await _walk(user, message, check, path[:n])
                _at_step(user.last_message(), check, step, n + 1)
            await user.tap(message, step.answers[index].text)
        outcome = check.outcomes[engine.walk(check, answers).id]
        card = user.last_message()
        assert f"<b>{outcome.title}</b>" in card.text and UI("checks.why") in card.text
        assert (UI("checks.disclaimer") in card.text) == check.disclaimer
        if outcome.urgency:
            assert UI(f"checks.urgency.{outcome.urgency}") in card.text
        for card_id in outcome.cards:
            assert any(b.data == f"b:c:{card_id}:0" for b in card.all_buttons()), card_id
        saved = await store_checks.get_result(harness.store, user.user_id, check.id)
        assert saved is not None and saved.outcome == outcome.id and saved.answers == answers
        assert await store_checks.get_run(harness.store, user.user_id) is None
        reached.add(outcome.id)
        await user.tap(card, RESTART)  # the next path starts from the result card
    followup = {check.followup.yes, check.followup.no} if check.followup else set()
    assert reached | followup == set(check.outcomes)
    assert probed == set(check.steps)
    await user.tap(message, BACK)  # Back on the first question leaves the check
    assert UI("checks.list") in message.text
    assert await store_checks.get_run(harness.store, user.user_id) is None
    assert not user.errors


async def test_restart_in_the_middle_of_a_check_resumes_on_the_next_tap(harness: Harness) -> None:
    check = _check("doctor")
    user = harness.user()
    message = await _open(user, check)
    await user.tap(message, "None of these")
    await harness.restart()
    await user.tap(message, "None of these")  # step 2's answer, tapped on the same message
    _at_step(user.last_message(), check, check.steps["urgent_signs"], 3)
    [listing] = await user.send("/check")
    assert UI("checks.button.continue", title=check.title) in listing.button_texts()
    await user.tap(listing, check.title)  # starting it again offers to continue
    assert "Continue where you left off" in listing.plain
    await user.tap(listing, UI("checks.button.continue", title=check.title))
    _at_step(user.last_message(), check, check.steps["urgent_signs"], 3)


async def test_a_tap_after_the_check_changed_offers_to_start_again(harness: Harness) -> None:
    check = _check("what_kind")
    user = harness.user()
    message = await _open(user, check)
    await user.tap(message, "None of these")
    content = shipped_content()
    changed = dataclasses.replace(check, version="edited")
    await harness.restart(dataclasses.replace(content, checks={**content.checks, check.id: changed}))
    try:
        # the promised "start again?" in /check: the check does not silently vanish from the list
        [listing] = await user.send("/check")
        assert UI("checks.updated_run", title=check.title) in listing.text
        assert UI("checks.button.start_again", title=check.title) in listing.button_texts()
        await user.tap(message, check.steps["feel"].answers[0].text)
        assert UI("checks.stale") in message.text
        assert await store_checks.get_run(harness.store, user.user_id) is None
        await user.tap(message, UI("checks.button.start_again", title=check.title))
        _at_step(message, check, check.steps["first"], 1)
        run = await store_checks.get_run(harness.store, user.user_id)
        assert run is not None and run.version == "edited"
    finally:
        await harness.restart(content)


async def test_finished_forged_and_cross_check_buttons(harness: Harness) -> None:
    doctor = _check("doctor")
    user = harness.user()
    message = await _open(user, doctor)
    await user.tap(message, doctor.steps["now"].answers[0].text)  # emergency: ends at once
    assert UI("checks.urgency.emergency") in message.text
    assert "Does any of this fit" not in message.text

    # a double tap on the emergency answer, or another button of the finished run: the emergency
    # advice stays on screen (never replaced by "start again?")
    for data in (
        engine.data_answer("doctor", "now", 0),
        engine.data_answer("doctor", "now", 7),
        engine.data_back("doctor", "now"),
        engine.data_explain("doctor", "now"),
    ):
        await user.tap_data(message, data)
        assert UI("checks.urgency.emergency") in message.text, data
        assert UI("checks.stale") not in message.text
    assert UI("checks.finished_toast") in user.alerts

    # a step of the same check that this result never passed: "start again?"
    await user.tap_data(message, engine.data_answer("doctor", "conditions", 0))
    assert UI("checks.stale") in message.text
    assert UI("checks.button.start_again", title=doctor.title) in message.button_texts()

    # forged data in k: -> "expired" and the list, never a crash (Unicode digits included)
    for forged in (
        "k:a:doctor:now:9",
        "k:nonsense",
        "k:start:no_such_check",
        "k:a:doctor",
        "k:a:doctor:now:²",
        "k:a:doctor:now:٣",
        "k:a:doctor:now:-1",
    ):
        await user.tap_data(message, forged)
        assert UI("checks.expired") in message.text, forged
        assert doctor.title in message.button_texts()
    assert UI("checks.expired")[:200] in user.alerts

    # a button of another check while one is running: its run is left alone
    await user.tap(message, doctor.title)
    await user.tap(message, "None of these")
    before = await store_checks.get_run(harness.store, user.user_id)
    await user.tap_data(message, engine.data_answer("what_kind", "feel", 0))
    assert UI("checks.stale") in message.text
    assert await store_checks.get_run(harness.store, user.user_id) == before
    await user.tap(message, UI("checks.button.continue", title=doctor.title))
    _at_step(message, doctor, doctor.steps["now_more"], 2)

    # a tap on a step already answered (a double tap) shows the current step again
    await user.tap_data(message, engine.data_answer("doctor", "now", 7))
    _at_step(message, doctor, doctor.steps["now_more"], 2)
    assert await store_checks.get_run(harness.store, user.user_id) == before

    # so does any other step of the running check (e.g. a Back tapped twice): nothing changes
    await user.tap_data(message, engine.data_back("doctor", "conditions"))
    _at_step(message, doctor, doctor.steps["now_more"], 2)
    assert await store_checks.get_run(harness.store, user.user_id) == before
    assert not user.errors


async def test_entry_points_explainer_and_last_results(harness: Harness) -> None:
    check = _check("what_kind")
    user = harness.user()
    [welcome] = await user.send("/start")
    await user.tap(welcome, UI("core.feature.checks"))  # main menu -> k:home
    assert UI("checks.list") in welcome.text
    [types] = await user.send("/types")  # a card section with action check:what_kind
    await user.tap(types, UI("core.start_check", title=check.title))
    _at_step(types, check, check.steps["first"], 1)
    assert UI("checks.disclaimer_start") in types.text  # the disclaimer where a person lands
    await user.tap(types, "None of these")
    _at_step(types, check, check.steps["feel"], 2)
    assert UI("checks.disclaimer_start") not in types.text
    await user.tap(types, UI("checks.button.explain"))
    assert check.steps["feel"].explain in types.text
    assert UI("checks.button.explain") not in types.button_texts()
    await user.tap(types, check.steps["feel"].answers[2].text)  # sudden jerks
    await user.tap(types, check.steps["jerks"].answers[1].text)  # rhythmic
    assert "Most like: clonic spasms" in types.plain
    assert "How do the jerks come?" in types.plain  # why this result

    [listing] = await user.send("/check")
    assert UI("checks.last_results") in listing.text and "clonic" in listing.plain
    await user.tap(listing, UI("checks.button.result", title=check.title))
    assert "Most like: clonic spasms" in listing.plain

    # /start always resets a check in progress
    await user.tap(listing, RESTART)
    assert await store_checks.get_run(harness.store, user.user_id) is not None
    await user.send("/start")
    assert await store_checks.get_run(harness.store, user.user_id) is None


async def test_results_are_exported_and_forgotten(harness: Harness) -> None:
    user = harness.user()
    message = await _open(user, _check("doctor"))
    await user.tap(message, "None of these")  # leaves a run in progress too
    check = _check("what_kind")
    await user.send("/check")
    listing = user.last_message()
    await user.tap(listing, check.title)
    await user.tap(listing, "None of these")
    await user.tap(listing, check.steps["feel"].answers[1].text)
    await user.tap(listing, check.steps["flicker"].answers[1].text)
    exported = await users.export_user(harness.store, user.user_id)
    assert exported["check_results"][0]["outcome"] == "twitching"
    assert exported["check_results"][0]["content_version"] == harness.content.version != ""
    await users.forget_user(harness.store, user.user_id)
    exported = await users.export_user(harness.store, user.user_id)
    assert exported["check_results"] == [] and exported["check_runs"] == []


async def _to_followup_offer(user: ChatClient) -> FakeMessage:
    check = _check("cramping_now")
    message = await _open(user, check)
    await user.tap(message, "None of these")
    await user.tap(message, "None of these")
    await user.tap(message, "🧑 Me, or another adult")
    await user.tap(message, "Calf")
    for _ in range(4):
        await user.tap(message, "Still cramping")
    assert UI("checks.button.followup", minutes=10) in message.button_texts()
    await user.tap(message, UI("checks.button.followup", minutes=10))
    return message


async def test_followup_ten_minutes_later_survives_a_restart(harness: Harness) -> None:
    user = harness.user()
    check = _check("cramping_now")
    message = await _to_followup_offer(user)
    assert UI("checks.followup_toast", minutes=10) in user.alerts
    assert UI("checks.followup_set", minutes=10) in message.text
    due = await schedule.get_due(harness.store, user.user_id, FOLLOWUP_KIND)
    assert due is not None and due.due_at == harness.clock.now() + timedelta(minutes=10)

    harness.clock.advance(minutes=9)
    sent_before = len(user.messages())
    assert (await deliver_due(harness.app)).sent == 0
    await harness.restart()
    harness.clock.advance(minutes=1)
    assert (await deliver_due(harness.app)).sent == 1
    assert len(user.messages()) == sent_before + 1
    ping = user.last_message()
    assert ping.message_id != message.message_id and check.followup is not None
    assert check.followup.question in ping.text
    assert (await deliver_due(harness.app)).sent == 0  # once only
    assert await schedule.get_due(harness.store, user.user_id, FOLLOWUP_KIND) is None

    await user.tap(ping, UI("checks.button.still"))
    assert UI("checks.urgency.urgent") in ping.text and "A cramp this long needs a medical look" in ping.plain
    assert UI("checks.button.still") in ping.plain  # why: the follow-up answer is listed
    saved = await store_checks.get_result(harness.store, user.user_id, check.id)
    assert saved is not None and saved.outcome == "urgent_now" and saved.followup is True
    assert not user.errors


async def test_followup_no_and_cancel(harness: Harness) -> None:
    user = harness.user()
    message = await _to_followup_offer(user)
    await user.tap(message, UI("checks.button.followup_cancel"))
    assert await schedule.get_due(harness.store, user.user_id, FOLLOWUP_KIND) is None
    assert UI("checks.button.followup", minutes=10) in message.button_texts()
    harness.clock.advance(minutes=15)
    assert (await deliver_due(harness.app)).sent == 0

    await user.tap(message, UI("checks.button.followup", minutes=10))
    harness.clock.advance(minutes=10)
    assert (await deliver_due(harness.app)).sent == 1
    ping = user.last_message()
    await user.tap(ping, UI("checks.button.eased"))
    assert "Glad it has eased" in ping.plain and UI("checks.urgency.self_care") in ping.text
