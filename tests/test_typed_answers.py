"""Answers people type instead of tapping: times at the picker and for tips, places, offsets, /drank amounts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from spasmbot.delivery import schedule
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.timezone import rules as timezones
from spasmbot.storage import users
from tests.helpers import Harness

NOON_UTC = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # Monday 15:00 in Berlin (UTC+1 in March)


async def open_picker(user: ChatClient) -> FakeMessage:
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    assert "What time is it for you" in picker.plain
    return picker


@pytest.mark.parametrize("typed", ["Berlin", "berlin", "Germany", "Europe/Berlin", "  BERLIN "])
async def test_a_city_country_or_zone_name_picks_the_zone_at_once(harness: Harness, typed: str) -> None:
    harness.clock.set(NOON_UTC)
    user = harness.user()
    await open_picker(user)
    [chosen] = await user.send(typed)
    assert "Berlin, Germany" in chosen.plain and "Europe/Berlin" in chosen.plain
    assert await users.get_timezone(harness.store, user.user_id) == "Europe/Berlin"
    [times] = await user.tap(chosen, "Continue")
    assert "When would you like" in times.plain


@pytest.mark.parametrize("typed", ["15:00", "3pm", "3 PM", "15:04", "UTC+1", "utc +1", "GMT+01:00", "+1"])
async def test_the_time_now_or_a_utc_offset_leads_to_the_regions_there(harness: Harness, typed: str) -> None:
    harness.clock.set(NOON_UTC)
    user = harness.user()
    await open_picker(user)
    [regions] = await user.send(typed)
    assert "It's 15:00 for you" in regions.plain
    assert "Berlin, Germany" in regions.button_texts() and "Paris" in regions.button_texts()
    [times] = await user.tap(regions, "Berlin, Germany")
    assert "When would you like" in times.plain
    assert await users.get_timezone(harness.store, user.user_id) == "Europe/Berlin"
    [done] = await user.send("9pm")
    assert "Daily tips at 21:00" in done.plain
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    assert harness.api.unanswered_queries == []


async def test_a_country_with_several_zones_offers_them(harness: Harness) -> None:
    harness.clock.set(NOON_UTC)
    user = harness.user()
    await open_picker(user)
    [which] = await user.send("United States")
    assert "Which one is yours" in which.plain
    assert {"New York, Miami, Atlanta", "Los Angeles, San Francisco, Seattle"} <= set(which.button_texts())
    await user.tap(which, "Los Angeles")
    assert await users.get_timezone(harness.store, user.user_id) == "America/Los_Angeles"


async def test_an_offset_no_catalogue_city_has_is_taken_as_a_fixed_zone(harness: Harness) -> None:
    harness.clock.set(NOON_UTC)
    user = harness.user()
    await open_picker(user)
    # UTC-12 (Baker Island) is in no catalogue entry: the fixed-offset zone Etc/GMT+12 it is.
    [chosen] = await user.send("UTC-12")
    assert "Etc/GMT+12" in chosen.plain
    assert await users.get_timezone(harness.store, user.user_id) == "Etc/GMT+12"


@pytest.mark.parametrize("typed", ["Atlantis", "UTC+99", "25:00", "²", "1" * 400, "what?"])
async def test_a_wrong_entry_gets_a_one_line_hint_and_the_picker_keeps_listening(harness: Harness, typed: str) -> None:
    harness.clock.set(datetime(2026, 3, 2, 14, 0, 30, tzinfo=UTC))
    user = harness.user()
    picker = await open_picker(user)
    sent_before = len(user.messages())
    [hint] = await user.send(typed)
    assert "couldn't match" in hint.plain and hint.buttons == []  # not the 38-button keyboard again
    assert len(user.messages()) == sent_before + 1
    assert len(picker.all_buttons()) > 30
    [chosen] = await user.send("Berlin")
    assert "Europe/Berlin" in chosen.plain


def test_understand_is_telegram_free_and_covers_half_hour_offsets() -> None:
    typed = timezones.understand("UTC+5:30", NOON_UTC)
    assert typed is not None and set(typed.zones) == {"Asia/Kolkata", "Asia/Colombo"}
    assert typed.local is not None and f"{typed.local:%H:%M}" == "19:30"
    assert timezones.understand("São Paulo", NOON_UTC) == timezones.Typed(("America/Sao_Paulo",))
    assert timezones.understand("Sao Paulo", NOON_UTC) == timezones.Typed(("America/Sao_Paulo",))
    assert timezones.understand("UK", NOON_UTC) == timezones.Typed(("Europe/London",))
    assert timezones.understand("", NOON_UTC) is None


@pytest.mark.parametrize(("typed", "expected"), [("9pm", "21:00"), ("7 am", "07:00"), ("12am", "00:00")])
async def test_the_tips_time_prompt_takes_12_hour_times(harness: Harness, typed: str, expected: str) -> None:
    user = harness.user()
    await users.touch(harness.store, user.user_id, user.chat_id, "en", harness.clock.now())
    await users.set_timezone(harness.store, user.user_id, "Europe/Berlin")
    [home] = await user.send("/tips")
    [times] = await user.tap(home, "Start daily tips")
    assert "9pm" in times.plain
    [done] = await user.send(typed)
    assert f"Daily tips at {expected}" in done.plain
