"""Tips that could harm some people are held back from them: potassium advice and kidney disease.

The person says so in the "What might be triggering my spasms?" check; the tips feature reads the
stored result when it picks the day's tip (``avoid_if`` in tips.yaml)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient
from spasmbot.features.checks import engine
from spasmbot.features.checks.engine import Result
from spasmbot.features.tips import rules
from tests.helpers import Harness, shipped_content
from tests.test_scheduling import subscribe, tips_sent

KIDNEY = shipped_content().conditions["kidney_disease"]
RISKY = {tip.id for tip in shipped_content().tips.values() if "kidney_disease" in tip.avoid_if}


async def _take_triggers_check(user: ChatClient, kidney: bool) -> None:
    """Walk the triggers check through the bot on a route that does (or does not) pick kidney disease."""
    check = shipped_content().checks["triggers"]
    step = check.steps[KIDNEY.step]
    kidney_index = [a.text for a in step.answers].index(KIDNEY.answer)
    for path in engine.routes(check):
        answers = engine.as_answers(check, path)
        if ((KIDNEY.step, kidney_index) in answers) == kidney:
            break
    [listing] = await user.send("/check")
    await user.tap(listing, check.title)
    for step_id, index in answers:
        await user.tap(listing, check.steps[step_id].answers[index].text)


async def _tips_for_a_cycle(harness: Harness, people: list[ChatClient]) -> list[list[str]]:
    """Subscribe and deliver one tip a day until every tip could have come once; the tip ids sent."""
    for user in people:
        await subscribe(harness, user, "Europe/Berlin", "8:00")
    day = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)
    for n in range(len(harness.content.tips) + 2):
        harness.clock.set(day + timedelta(days=n))
        await deliver_due(harness.app)
    sent = [[m.text for m in tips_sent(harness, user.chat_id)] for user in people]
    return [[tip.id for text in texts for tip in harness.content.tips.values() if tip.text in text] for texts in sent]


async def test_no_potassium_tip_for_someone_who_said_they_have_kidney_disease(harness: Harness) -> None:
    assert {"potassium_snack"} <= RISKY
    harness.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    told, other = harness.user(3001), harness.user(3002)
    await _take_triggers_check(told, kidney=True)
    await _take_triggers_check(other, kidney=False)
    sent_to_told, sent_to_other = await _tips_for_a_cycle(harness, [told, other])
    assert len(sent_to_told) >= len(harness.content.tips) - len(RISKY)  # every other tip still comes
    assert not RISKY & set(sent_to_told)
    assert set(sent_to_other) >= RISKY


def test_a_changed_check_holds_the_tip_back_rather_than_risk_it() -> None:
    content = shipped_content()
    check = content.checks[KIDNEY.check]
    kidney_index = [a.text for a in check.steps[KIDNEY.step].answers].index(KIDNEY.answer)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    said = Result(check.id, check.version, "plan", ((KIDNEY.step, kidney_index),), now)
    said_no = dataclasses.replace(said, answers=((KIDNEY.step, 0),))
    assert rules.told(content, KIDNEY, said) and not rules.told(content, KIDNEY, said_no)
    old = dataclasses.replace(said_no, version="older-version")  # the answers may have moved since
    assert rules.told(content, KIDNEY, old)
    skipped = dataclasses.replace(said, version="older-version", answers=(("other_step", 1),))
    assert not rules.told(content, KIDNEY, skipped)
    assert rules.allowed_tips(content, frozenset({"kidney_disease"})) == set(content.tips) - RISKY
