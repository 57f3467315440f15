"""Browsing end to end: commands, menus, cards, Back/Menu, and every kind of bad input."""

from __future__ import annotations

import random

from spasmbot.content.html import visible_length
from spasmbot.features.browse import screens as render
from tests.helpers import Harness


async def test_start_shows_welcome_disclaimer_and_menu(harness: Harness) -> None:
    user = harness.user()
    [message] = await user.send("/start")
    assert "SpasmBot" in message.plain
    assert "not a diagnosis" in message.plain
    assert "emergency" in message.plain
    for section in harness.content.sections.values():
        assert message.button(section.title)
    assert message.button("Daily tips") and message.button("Guided checks")
    # the command menu was published at start-up
    published = harness.api.commands()
    assert {"start", "menu", "types", "prevent", "faq", "about", "tips", "stop"} <= set(published)


async def test_tap_through_section_card_back_and_menu_edits_in_place(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/menu")
    [section] = await user.tap(menu, "Types of spasms")
    assert section.message_id == menu.message_id  # edited, not a new message
    assert "Cramps" in section.button_texts()
    [card] = await user.tap(section, "Cramps")
    assert card.message_id == menu.message_id
    assert "dehydration" in card.plain.lower()
    assert card.button("Stretching") and card.button("Back") and card.button("Menu")
    [back] = await user.tap(card, "Back")
    assert back.button("Cramps")
    [card] = await user.tap(back, "Cramps")
    [home] = await user.tap(card, "Menu")
    assert home.button("Types of spasms")
    assert len(user.messages()) == 1
    assert not harness.api.unanswered_queries


async def test_every_command_opens_its_screen(harness: Harness) -> None:
    user = harness.user()
    for section in harness.content.sections.values():
        if not section.command:
            continue
        [message] = await user.send(f"/{section.command}")
        assert section.title in message.plain, section.command
        assert message.button("Menu")
    [help_message] = await user.send("/help")
    assert "/types" in help_message.plain and "/forget" in help_message.plain
    [about] = await user.send("/about")
    assert "cannot diagnose" in about.plain


async def test_every_screen_reachable_from_the_menu_renders_and_every_button_resolves(harness: Harness) -> None:
    """Crawl the whole browse tree; tap every button found and check none of them is dead."""
    user = harness.user()
    [menu] = await user.send("/menu")
    expired = harness.content.ui("core.expired").strip()
    queue = [render.MENU]
    seen: set[str] = set()
    tapped_other: set[str] = set()
    while queue:
        data = queue.pop()
        if data in seen:
            continue
        seen.add(data)
        await user.tap_data(menu, data)
        screen = harness.api.message(user.chat_id, menu.message_id)  # edited in place (or unchanged)
        assert expired not in screen.plain, data
        assert visible_length(screen.text) <= 4096
        for button in screen.all_buttons():
            if button.switch_inline_query is not None:  # "Share": opens inline mode, nothing to tap here
                assert button.switch_inline_query
                continue
            assert button.data is not None and len(button.data.encode()) <= 64
            if button.data.startswith("b:"):
                queue.append(button.data)
            elif button.data not in tapped_other:
                tapped_other.add(button.data)
                replies = await user.tap_data(menu, button.data)
                assert replies, (data, button)
                assert all(expired not in r.plain for r in replies), (data, button)
                [menu] = await user.send("/menu")  # a fresh message to keep crawling from
                await user.tap_data(menu, data)
    cards = {d.split(":")[2] for d in seen if d.startswith("b:c:")}
    assert cards == set(harness.content.cards)
    sections = {d.split(":")[2] for d in seen if d.startswith("b:s:")}
    assert sections == set(harness.content.sections)
    assert not harness.api.unanswered_queries


async def test_long_cards_paginate(harness: Harness) -> None:
    user = harness.user()
    multi = next(c for c in harness.content.cards.values() if len(c.pages) > 1)
    [menu] = await user.send("/menu")
    [page1] = await user.tap_data(menu, render.card_data(multi.id))
    assert f"Page 1 of {len(multi.pages)}" in page1.plain
    [page2] = await user.tap(page1, "Next")
    assert "Page 2 of" in page2.plain
    [again] = await user.tap(page2, "Previous")
    assert "Page 1 of" in again.plain


async def test_unknown_command_and_free_text_get_a_hint_and_the_menu(harness: Harness) -> None:
    user = harness.user()
    [reply] = await user.send("/frobnicate")
    assert "don't know that command" in reply.plain
    assert reply.button("Types of spasms")
    [reply] = await user.send("xqzv blorp??")  # words that match nothing: an honest "not found"
    assert "couldn't find" in reply.plain
    assert reply.button("Types of spasms")


async def test_non_text_messages_get_the_hint(harness: Harness) -> None:
    user = harness.user()
    sticker = {
        "message_id": 99,
        "date": 0,
        "chat": {"id": user.chat_id, "type": "private"},
        "from": {"id": user.user_id, "is_bot": False, "first_name": "Ann"},
        "sticker": {
            "file_id": "x",
            "file_unique_id": "y",
            "width": 1,
            "height": 1,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        },
    }
    [reply] = await user.process({"message": sticker})
    assert reply.button("Types of spasms")


async def test_forged_stale_and_random_callback_data_get_expired_and_a_fresh_menu(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/menu")
    expired = harness.content.ui("core.expired").strip()
    rng = random.Random(7)
    forged = [
        "b:c:no_such_card",
        "b:s:types:99",
        "b:c:cramps:7",
        "b:x",
        "b:",
        "b:s",
        "zz:top",
        "",
        "b:c:cramps:-1",
        "b:s:types:0:extra",
        "k",
        "t",
        ":::",
        "b:c:" + "a" * 55,
    ]
    forged += [bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64))).decode("latin-1") for _ in range(25)]
    for data in forged:
        await user.tap_data(menu, data)
        screen = harness.api.message(user.chat_id, menu.message_id)
        assert expired in screen.plain, repr(data)
        assert screen.button("Types of spasms")
    assert expired in user.alerts[-1]
    assert not harness.api.unanswered_queries


async def test_double_tap_message_not_modified_is_ignored(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/menu")
    [section] = await user.tap(menu, "Types of spasms")
    harness.api.fail_next("editMessageText", "not_modified")
    assert await user.tap(section, "Cramps") == []  # Telegram refused the identical edit
    assert user.errors == []


async def test_unexpected_error_is_logged_and_answered_politely(harness: Harness) -> None:
    user = harness.user(user_id=2002)
    user.raise_errors = False
    [menu] = await user.send("/menu")
    harness.api.fail_next("editMessageText", "timeout")
    replies = await user.tap(menu, "Types of spasms")
    assert replies and "something went wrong" in replies[-1].plain
    assert user.errors  # recorded, not swallowed


async def test_old_buttons_after_content_change_and_restart(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/menu")
    [card] = await user.tap(menu, "FAQ")
    await harness.restart()
    # the old message still works after a restart: buttons carry everything they need
    [section] = await user.tap(card, harness.content.cards[harness.content.sections["faq"].cards[0]].title)
    assert section.button("Back")
    # a card that disappeared from the content gets the expired reply
    [screen] = await user.tap_data(section, "b:c:removed_card:0")
    assert harness.content.ui("core.expired").strip() in screen.plain
