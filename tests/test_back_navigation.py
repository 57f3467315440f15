"""Back returns to the screen the user came from, across restarts and on old messages."""

from __future__ import annotations

import random

from spasmbot.features.browse import screens as render
from tests.helpers import Harness, shipped_content


async def test_back_from_a_linked_card_returns_to_the_card_it_was_opened_from(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    await user.tap(menu, "Types of spasms")
    await user.tap(menu, "Cramps")
    [night] = await user.tap(menu, "Night leg cramps")
    assert "Night leg cramps" in night.plain
    [back] = await user.tap(night, "Back")
    assert back.plain.startswith("Cramps") and "Night leg cramps" in " ".join(back.button_texts())
    [back] = await user.tap(back, "Back")
    assert back.plain.startswith("🧬 Types of spasms")
    [back] = await user.tap(back, "Back")
    assert "Main menu" in back.plain


async def test_back_survives_a_restart_and_works_on_an_old_message(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/types")
    await user.tap(menu, "Cramps")
    await user.tap(menu, "Night leg cramps")
    back_data = menu.button("Back").data
    await harness.restart()
    await user.send("/start")  # newer messages below; the old one is still there
    [back] = await user.tap(menu, "Back")
    assert back.plain.startswith("Cramps")
    assert back_data == "b:c:cramps:0:stypes"  # where it came from travels in the button itself


async def test_a_card_opened_from_a_tip_or_command_goes_back_to_its_section(harness: Harness) -> None:
    user = harness.user()
    [symptoms] = await user.send("/symptoms")
    [night] = await user.tap(symptoms, "Night leg cramps")
    [back] = await user.tap(night, "Back")
    assert back.plain.startswith("🔎 Symptoms")
    content = shipped_content()
    screen = render.card_screen(content, content.cards["night_cramps"])
    assert screen.rows[-1][0].data == "b:s:symptoms:0"  # no trail: the card's home


def test_deep_trails_always_fit_64_bytes_and_lead_back_one_step() -> None:
    content = shipped_content()
    rng = random.Random(12)
    moves = {content.ui(f"core.button.{name}") for name in ("back", "prev", "next")}
    for _ in range(300):
        section = rng.choice(list(content.sections.values()))
        screen = render.section_screen(content, section)
        previous = screen
        for _depth in range(8):
            links = [
                b for b in screen.buttons() if b.data and b.data.startswith(("b:c:", "b:s:")) and b.text not in moves
            ]
            for button in screen.buttons():
                assert button.data is None or len(button.data.encode()) <= 64, button
            if not links:
                break
            target = render.parse_browse(content, rng.choice(links).data or "")
            assert target is not None
            previous, screen = screen, render.screen_for(content, target, [])
            back = next(b for b in screen.buttons() if b.text == content.ui("core.button.back"))
            back_target = render.parse_browse(content, back.data or "")
            assert back_target is not None
            if target.trail:  # it knew where it came from: Back shows exactly that screen
                assert render.screen_for(content, back_target, []).text == previous.text


def test_forged_trails_are_stale() -> None:
    content = shipped_content()
    assert render.parse_browse(content, "b:c:night_cramps:0:ccramps,stypes") is not None
    for data in (
        "b:c:night_cramps:0:cnowhere",
        "b:c:night_cramps:0:ccramps.²",
        "b:c:night_cramps:0:",
        "b:c:night_cramps:0:x",
        "b:c:night_cramps:0:ccramps,,stypes",
        "b:s:types:0:stypes.9",
    ):
        assert render.parse_browse(content, data) is None, data
