"""Daily tips as a user meets them: /tips, the picker, typed times, tip buttons, stale taps, rotation."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from spasmbot.content.model import Content
from spasmbot.delivery import schedule
from spasmbot.edge.delivery_job import deliver_due
from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.storage import users
from tests.helpers import Harness
from tests.test_scheduling import pick_zone, subscribe, tips_sent

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def has_button(message: FakeMessage, text: str) -> bool:
    """A button whose label contains ``text`` (labels carry emoji)."""
    return any(text in label for label in message.button_texts())


async def test_first_subscription_asks_zone_then_time_and_names_the_next_tip(harness: Harness) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    assert "Daily prevention tips" in home.plain and has_button(home, "Start daily tips")
    [picker] = await user.tap(home, "Start daily tips")
    assert "time zone first" in picker.plain and "What time is it for you" in picker.plain
    assert has_button(picker, "10:00")  # Berlin at 09:00 UTC in March
    [regions] = await user.tap(picker, "10:00")
    assert has_button(regions, "Berlin, Germany") and has_button(regions, "Lagos, Kinshasa")
    [times] = await user.tap(regions, "Berlin, Germany")
    assert times.message_id == home.message_id  # one message, edited in place
    assert times.button_texts()[:5] == ["07:00", "08:00", "12:00", "18:00", "21:00"]
    assert "Time zone set: Europe/Berlin" in user.alerts
    [done] = await user.tap(times, "07:00")
    assert "Daily tips at 07:00" in done.plain
    assert "Next tip: tomorrow, Tue 3 Mar at 07:00 (Europe/Berlin)" in done.plain
    assert (await users.get_user(harness.store, user.user_id)).timezone == "Europe/Berlin"  # type: ignore[union-attr]
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)
    assert harness.api.unanswered_queries == []


async def test_not_my_time_goes_back_to_the_clock_buttons(harness: Harness) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    [regions] = await user.tap(picker, "10:00")
    [again] = await user.tap(regions, "Not my time")
    assert "What time is it for you" in again.plain


async def test_typing_a_zone_name_is_a_shortcut(harness: Harness) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    await user.tap(home, "Start daily tips")
    [bad] = await user.send("Atlantis/Capital")
    assert "couldn't match “Atlantis/Capital”" in bad.plain and "UTC+1" in bad.plain
    assert bad.buttons == []  # a one-line hint, not the whole keyboard again
    [ok] = await user.send("america/new_york")
    assert "America/New_York" in ok.plain
    [times] = await user.tap(ok, "Continue")
    assert "When would you like" in times.plain
    assert await users.get_user(harness.store, user.user_id) is not None
    assert (await users.get_user(harness.store, user.user_id)).timezone == "America/New_York"  # type: ignore[union-attr]


@pytest.mark.parametrize("typed", ["25:00", "13pm", "🙂", "half past seven", "7:75", "²", "1" * 400])
async def test_bad_typed_times_are_explained_and_change_nothing(harness: Harness, typed: str) -> None:
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    [home] = await user.send("/tips")
    [times] = await user.tap(home, "Change time")
    [answer] = await user.send(typed)
    assert "couldn't read" in answer.plain and "When would you like" in answer.plain
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.payload["time"] == "07:30"
    [fixed] = await user.send("19:45")  # still listening after a mistake
    assert "Daily tips at 19:45" in fixed.plain
    assert times.message_id != fixed.message_id


async def test_empty_or_unprompted_text_does_not_subscribe(harness: Harness) -> None:
    user = harness.user()
    await user.send("/start")
    await user.send("   ")
    await user.send("7:30")  # nobody asked for a time
    assert await schedule.get_due(harness.store, user.user_id, "tips") is None


async def test_tip_message_buttons_read_more_change_time_and_stop(harness: Harness) -> None:
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    harness.clock.set(datetime(2026, 3, 3, 6, 30, tzinfo=UTC))
    assert (await deliver_due(harness.app)).sent == 1
    [tip] = tips_sent(harness, user.chat_id)
    assert tip.button_texts() == ["📖 Read more", "ℹ️ Disclaimer", "🕒 Change time", "🛑 Stop daily tips"]
    tip_text = tip.text
    [times] = await user.tap(tip, "Change time")
    assert "When would you like" in times.plain and times.message_id != tip.message_id
    [moved] = await user.tap(times, "21:00")
    assert "Daily tips at 21:00" in moved.plain
    [stopped] = await user.tap(tip, "Stop daily tips")
    assert "Daily tips stopped" in stopped.plain and has_button(stopped, "Start daily tips")
    assert stopped.message_id not in (tip.message_id, times.message_id)
    assert harness.api.message(user.chat_id, tip.message_id).text == tip_text  # the tip stays
    assert await schedule.get_due(harness.store, user.user_id, "tips") is None
    [card_id] = [tip.card for tip in harness.content.tips.values() if tip.text in tip_text]
    [card] = await user.tap(tip, "Read more")
    assert harness.content.cards[card_id].title in card.plain


async def test_stale_tip_buttons_after_stopping_are_harmless(harness: Harness) -> None:
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    harness.clock.set(datetime(2026, 3, 3, 6, 30, tzinfo=UTC))
    await deliver_due(harness.app)
    [tip] = tips_sent(harness, user.chat_id)
    [home] = await user.send("/tips")
    await user.tap(home, "Stop daily tips")
    [again] = await user.tap(tip, "Stop daily tips")  # the old tip's button, tapped again
    assert has_button(again, "Start daily tips")
    assert await schedule.get_due(harness.store, user.user_id, "tips") is None
    assert harness.api.unanswered_queries == []


@pytest.mark.parametrize(
    "data", ["t:set:2599", "t:set:7", "t:bogus", "t:", "z:o:17:t:home", "z:o:x:t:home", "z:s:Mars/Base:t:home", "z:q"]
)
async def test_forged_or_stale_buttons_get_a_fresh_screen(harness: Harness, data: str) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    [fresh] = await user.tap_data(home, data)
    assert "expired" in fresh.plain and fresh.buttons
    assert await schedule.get_due(harness.store, user.user_id, "tips") is None
    assert harness.api.unanswered_queries == []


async def test_a_zone_button_from_before_a_clock_change_is_treated_as_stale(harness: Harness) -> None:
    harness.clock.set(datetime(2026, 1, 10, 12, tzinfo=UTC))
    user = harness.user()
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    [regions] = await user.tap(picker, "14:00")  # +02:00 in January: Athens, Cairo, ...
    assert has_button(regions, "Athens")
    harness.clock.set(datetime(2026, 7, 10, 12, tzinfo=UTC))
    [fresh] = await user.tap_data(regions, "z:o:60:t:sub")  # nobody is at +01:00 ... except Lagos
    assert has_button(fresh, "Lagos, Kinshasa")
    [fresh] = await user.tap_data(regions, "z:o:-210:t:sub")  # St. John's is at -02:30 in July
    assert "expired" in fresh.plain and "What time is it for you" in fresh.plain


async def test_every_tip_once_before_any_repeats_and_a_new_cycle_reshuffles(harness: Harness) -> None:
    content = harness.content
    small = dataclasses.replace(content, tips=dict(list(content.tips.items())[:6]))
    await harness.restart(small)
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Asia/Kolkata", "7:30")
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None
    order = await _deliver_days(harness, user, small, 12)
    assert sorted(order[:6]) == sorted(small.tips) and sorted(order[6:]) == sorted(small.tips)
    assert order[:6] != order[6:]  # another shuffle (fixed by seed: stable across runs)


async def test_new_tips_wait_for_the_next_cycle_and_removed_tips_are_skipped(harness: Harness) -> None:
    content = harness.content
    ids = list(content.tips)
    first = dataclasses.replace(content, tips={i: content.tips[i] for i in ids[:4]})
    await harness.restart(first)
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Asia/Kolkata", "7:30")
    sent = await _deliver_days(harness, user, first, 2)
    unsent = [i for i in ids[:4] if i not in sent]
    removed, kept = unsent[0], unsent[1]
    changed_ids = [i for i in ids[:5] if i != removed]  # one tip removed, one (ids[4]) added
    changed = dataclasses.replace(content, tips={i: content.tips[i] for i in changed_ids})
    await harness.restart(changed)
    rest = await _deliver_days(harness, user, changed, 1)
    assert rest == [kept]  # the rest of the first cycle: the new tip does not jump in
    nxt = await _deliver_days(harness, user, changed, 4)
    assert sorted(nxt) == sorted(changed_ids)  # the next cycle has the new one, not the removed one


async def _deliver_days(harness: Harness, user: ChatClient, content: Content, days: int) -> list[str]:
    """Deliver ``days`` daily tips at their due times; the tip ids received, in order."""
    received = []
    for _ in range(days):
        due = await schedule.get_due(harness.store, user.user_id, "tips")
        assert due is not None
        harness.clock.set(due.due_at)
        before = len(tips_sent(harness, user.chat_id))
        assert (await deliver_due(harness.app)).sent == 1
        message: FakeMessage = tips_sent(harness, user.chat_id)[before]
        [tip_id] = [tid for tid, tip in content.tips.items() if tip.text in message.text]
        received.append(tip_id)
    return received


async def test_resubscribing_continues_the_rotation(harness: Harness) -> None:
    content = harness.content
    small = dataclasses.replace(content, tips=dict(list(content.tips.items())[:5]))
    await harness.restart(small)
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Asia/Kolkata", "7:30")
    order = await _deliver_days(harness, user, small, 2)
    [home] = await user.send("/tips")
    await user.tap(home, "Stop daily tips")
    harness.clock.advance(timedelta(days=3))
    await subscribe(harness, user, "Asia/Kolkata", "8:00")
    order += await _deliver_days(harness, user, small, 3)
    assert sorted(order) == sorted(small.tips)


async def test_the_picker_returns_to_the_screen_that_asked(harness: Harness) -> None:
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Time zone")
    back = await pick_zone(harness, user, picker, "Pacific/Chatham")
    assert "Daily prevention tips: on" in back.plain and "(Pacific/Chatham)" in back.plain


@pytest.mark.parametrize("entry", ["/menu", "/prevent"])
async def test_tips_open_from_the_main_menu_and_the_prevention_section(harness: Harness, entry: str) -> None:
    user = harness.user()
    [screen] = await user.send(entry)
    [home] = await user.tap(screen, "Daily tips")
    assert "Daily prevention tips" in home.plain and has_button(home, "Start daily tips")


async def test_home_says_paused_while_the_user_blocks_the_bot(harness: Harness) -> None:
    harness.clock.set(MONDAY)
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "7:30")
    harness.api.block(user.chat_id)
    harness.clock.set(datetime(2026, 3, 3, 6, 30, tzinfo=UTC))
    assert (await deliver_due(harness.app)).blocked == 1
    harness.api.unblock(user.chat_id)
    [home] = await user.send("/tips")
    assert "Paused" in home.plain and "Next tip" not in home.plain


@pytest.mark.parametrize(
    ("back_at", "sent_today"),
    [(datetime(2026, 3, 5, 8, 0, tzinfo=UTC), 1), (datetime(2026, 3, 5, 11, 30, tzinfo=UTC), 0)],
)
async def test_after_an_outage_of_days_only_todays_tip_is_caught_up_if_recent(
    harness: Harness, back_at: datetime, sent_today: int
) -> None:
    """Down from Monday to Thursday: no backlog, and today's 08:00 tip comes if we're back by 11:00."""
    user = harness.user()
    await subscribe(harness, user, "Europe/Berlin", "8:00")  # 07:00 UTC in March
    await harness.restart()
    harness.clock.set(back_at)
    await deliver_due(harness.app)
    assert len(tips_sent(harness, user.chat_id)) == sent_today
    due = await schedule.get_due(harness.store, user.user_id, "tips")
    assert due is not None and due.due_at == datetime(2026, 3, 6, 7, 0, tzinfo=UTC)
    harness.clock.set(datetime(2026, 3, 6, 7, 0, tzinfo=UTC))
    await deliver_due(harness.app)
    assert len(tips_sent(harness, user.chat_id)) == sent_today + 1
