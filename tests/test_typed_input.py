"""Typed-input prompts ("type a time like 7:30") live in SQLite: restarts and other processes keep
them, a tap or command ends them, and a day-old one is forgotten."""

from __future__ import annotations

from spasmbot.storage import Store, prompts
from tests.helpers import Harness, shipped_content

UI = shipped_content().ui


async def _ask_for_a_zone(harness: Harness) -> None:
    """Open the time-zone picker, which also accepts a typed zone name."""
    user = harness.user()
    [home] = await user.send("/tips")
    await user.tap(home, "Start daily tips")


async def test_a_prompt_survives_a_restart(harness: Harness) -> None:
    await _ask_for_a_zone(harness)
    await harness.restart()
    [answer] = await harness.user().send("america/new_york")
    assert "America/New_York" in answer.plain


async def test_another_process_on_the_same_database_sees_the_prompt(harness: Harness) -> None:
    await _ask_for_a_zone(harness)
    other = await Store.open(harness.db_path)
    try:
        prompt = await prompts.pending(other, harness.user().user_id, harness.clock.now())
    finally:
        await other.close()
    assert prompt is not None and prompt.key == "timezone.name" and prompt.data == {"return_to": "t:sub"}


async def test_a_tap_or_a_command_ends_the_prompt(harness: Harness) -> None:
    await _ask_for_a_zone(harness)
    user = harness.user()
    await user.send("/help")
    assert await prompts.pending(harness.store, user.user_id, harness.clock.now()) is None
    [reply] = await user.send("america/new_york")
    assert "America/New_York" not in reply.plain


async def test_a_day_old_prompt_is_forgotten_and_pruned(harness: Harness) -> None:
    await _ask_for_a_zone(harness)
    user = harness.user()
    harness.clock.advance(seconds=prompts.PROMPT_TTL.total_seconds() + 60)
    [reply] = await user.send("america/new_york")
    assert "America/New_York" not in reply.plain  # the friendly "I did not understand" instead
    other = harness.user(2002, "Bea")
    [home] = await other.send("/tips")
    await other.tap(home, "Start daily tips")  # storing a new prompt prunes the expired one
    rows = await harness.store.fetchall("SELECT user_id FROM pending_input ORDER BY user_id")
    assert [row["user_id"] for row in rows] == [2002]
