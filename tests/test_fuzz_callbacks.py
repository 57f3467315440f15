"""Forged and mangled callback data in every namespace but the checks' (``k:``, tested with the
checks): never a crash, always exactly one answer to the tap, and typed numbers of any length."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from spasmbot.fake_telegram import ChatClient
from spasmbot.storage import users
from tests.helpers import Harness

UNICODE_DIGITS = ("²", "٣", "𝟙", "½", "໕", "¹⁰")


async def real_callback_data(harness: Harness, user: ChatClient) -> list[str]:
    """The callback data of the buttons a user meets on the way through the bot."""
    await users.touch(harness.store, user.user_id, user.chat_id, "en", harness.clock.now())
    await users.set_timezone(harness.store, user.user_id, "Europe/Berlin")
    seen: list[str] = []
    for command in ("/start", "/tips", "/water", "/privacy", "/cramps"):
        for message in await user.send(command):
            seen += [b.data for b in message.all_buttons() if b.data]
    [water] = await user.send("/water")
    for label in ("Interval", "Active hours", "Goal", "Time zone"):
        matches = [t for t in water.button_texts() if label.casefold() in t.casefold()]
        if matches:
            for message in await user.tap(water, matches[0]):
                seen += [b.data for b in message.all_buttons() if b.data]
            [water] = await user.send("/water")
    return sorted({d for d in seen if not d.startswith("k:")})


def mangle(data: str, rng: random.Random) -> list[str]:
    """Variants of real data: digits swapped for Unicode digits, extra or missing parts, noise."""
    variants = []
    digits = [i for i, ch in enumerate(data) if ch.isdigit()]
    for odd in UNICODE_DIGITS:
        if digits:
            i = rng.choice(digits)
            variants.append(data[:i] + odd + data[i + 1 :])
        variants.append(f"{data}:{odd}")
    parts = data.split(":")
    variants += [":".join(parts[:-1]), data + ":", data + ":0" * 3, data.upper(), data + "\n"]
    variants.append(":".join([*parts[:-1], "9" * rng.randint(5, 40)]))
    variants.append(data[: rng.randint(1, len(data))] + "".join(rng.choice("ab:_-0²") for _ in range(6)))
    return [v for v in variants if v and len(v.encode()) <= 64]


async def test_mangled_callback_data_in_every_namespace_is_answered_once_and_never_crashes(
    harness: Harness,
) -> None:
    rng = random.Random(13)
    user = harness.user()
    real = await real_callback_data(harness, user)
    assert {d.split(":")[0] for d in real} >= {"b", "t", "w", "p", "z"}
    forged = [v for data in real for v in mangle(data, rng)]
    forged += ["b:s:causes:²", "b:c:cramps:٣", "t:set:²²³⁰", "w:iv:٣٠", "w:n:d:²", "z:o:²:t:home", "z:o:-٣٠:"]
    forged += ["".join(rng.choice("bptwzs:²٣0_") for _ in range(rng.randint(1, 20))) for _ in range(200)]
    assert len(forged) > 500
    harness.api.reset_calls()
    for data in forged:
        await user.tap_data(user.last_message(), data)  # raise_errors: a handler crash fails here
    answers = Counter(call.params["callback_query_id"] for call in harness.api.calls_to("answerCallbackQuery"))
    assert len(answers) == len(forged) and set(answers.values()) == {1}
    assert harness.api.unanswered_queries == []


@pytest.mark.parametrize("data", ["b:s:causes:²", "b:c:night_cramps:²", "w:goal:ml:²⁰⁰⁰", "t:set:٠٧٣٠"])
async def test_unicode_digits_are_stale_buttons(harness: Harness, data: str) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    await user.tap_data(menu, data)
    assert user.alerts[-1].startswith("⌛ That button has expired")
    assert "That button has expired" in user.last_message().plain


async def test_choosing_a_time_zone_answers_its_tap_once(harness: Harness) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    [regions] = await user.tap(picker, "10:00")  # 09:00 UTC on a March Monday: Berlin's 10:00
    harness.api.reset_calls()
    await user.tap(regions, "Berlin, Germany")
    [call] = harness.api.calls_to("answerCallbackQuery")
    assert call.params.get("text") == "Time zone set: Europe/Berlin"


@pytest.mark.parametrize("setting", ["Interval", "Goal"])
@pytest.mark.parametrize("typed", ["1" * 309, "9" * 5000, "1" * 400 + " ml", "1h" + "5" * 400, "0." + "5" * 400])
async def test_huge_numbers_at_the_water_prompts_are_out_of_range(harness: Harness, setting: str, typed: str) -> None:
    user = harness.user()
    [water] = await user.send("/water")
    await user.tap(water, setting)
    await user.tap(user.last_message(), "Type my own")
    [reply] = await user.send(typed)
    assert "between" in reply.plain or "could not read" in reply.plain  # the prompt's own hints
    assert "something went wrong" not in reply.plain.lower()
