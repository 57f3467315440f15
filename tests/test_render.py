"""Rendering of long sections: pagination and the way back to the right page."""

from __future__ import annotations

from pathlib import Path

from spasmbot.content.loader import load_content
from spasmbot.features.browse import screens as render
from tests.helpers import Harness, shipped_content
from tests.test_content import make_content


def _big_section(cards: int) -> str:
    body = "".join(f'  - id: card{i}\n    title: "Card {i}"\n    pages:\n      - "Text {i}"\n' for i in range(cards))
    return (
        'id: big\ntitle: "Big"\ncommand: big\ndescription: "Big one"\nintro: |\n  Many cards.\n'
        "reviewed: 2026-12-01\nreview_due: 2027-12-01\n"
        'sources: [{name: "NHS: Leg cramps", url: "https://www.nhs.uk/conditions/leg-cramps/"}]\n'
        "cards:\n" + body
    )


def test_long_sections_paginate_and_cards_lead_back_to_their_page(tmp_path: Path) -> None:
    root = make_content(tmp_path, _big_section(30))
    (root / "en" / "menu.yaml").write_text("items: [section:big]\n")
    content = load_content(root)
    section = content.sections["big"]
    assert render.section_pages(section) == 3
    first = render.section_screen(content, section, 0)
    texts = [b.text for b in first.buttons()]
    assert "Card 0" in texts and "Card 12" not in texts and "Next ▶️" in texts and "◀️ Previous" not in texts
    last = render.section_screen(content, section, 2)
    assert [b.text for b in last.buttons()][:6] == [f"Card {i}" for i in range(24, 30)]
    assert "Page 3 of 3" in last.text
    card = render.card_screen(content, content.cards["card13"])
    back = next(b for b in card.buttons() if b.text == "⬅️ Back")
    assert back.data == render.section_data("big", 1)
    assert render.parse_browse(content, "b:s:big:2") == render.BrowseTarget("section", "big", 2)
    assert render.parse_browse(content, "b:s:big:3") is None


async def test_a_card_ends_with_its_review_date_and_opens_its_sources(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    [section] = await user.tap(menu, "Treatment and relief")
    [card] = await user.tap(section, "Medicines")
    assert "General information, not a diagnosis. Reviewed December 2026." in card.plain
    assert "Ask a doctor or pharmacist before you try a medicine" in card.plain  # a treatment card
    [sources] = await user.tap(card, "📚 Sources")
    assert sources.message_id == card.message_id  # the card is edited, like any browse step
    assert "Sources: 💊 Medicines" in sources.plain and "Next review due December 2027." in sources.plain
    review = harness.content.cards["medicines"].review
    assert review is not None
    for source in review.sources:
        assert f'<a href="{source.url}">{source.name}</a>' in sources.text
    [back] = await user.tap(sources, "Back")
    assert back.message_id == card.message_id and "📚 Sources" in back.button_texts()
    assert "A doctor may prescribe" in back.plain or "Medicines" in back.plain


async def test_cards_outside_treatment_carry_no_treatment_caution(harness: Harness) -> None:
    user = harness.user()
    [section] = await user.send("/symptoms")
    [card] = await user.tap(section, "The 6 usual signs")
    assert "Reviewed December 2026" in card.plain and "before you try a medicine" not in card.plain


async def test_the_disclaimer_button_is_a_popup_that_leaves_the_message(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    # the button as it sits under tips and nudges (tested there); here its answer
    replies = await user.tap_data(menu, render.DISCLAIMER)
    assert replies == []
    [answer] = harness.api.answers(user.user_id)[-1:]
    assert answer.show_alert and answer.text == harness.content.ui("core.alert.disclaimer")
    assert "local emergency number" in answer.text and len(answer.text) <= 200


def test_sources_data_is_checked_against_the_content() -> None:
    content = shipped_content()
    assert render.parse_browse(content, "b:src:medicines") == render.BrowseTarget("sources", "medicines")
    assert render.parse_browse(content, "b:src:nowhere") is None
    assert render.parse_browse(content, "b:src:medicines:1") is None
    assert render.parse_browse(content, "b:disc") == render.BrowseTarget("disclaimer")


async def test_about_states_the_intended_use(harness: Harness) -> None:
    [about] = await harness.user().send("/about")
    for words in (
        "general health education for adults",
        "not for emergencies",
        "not a diagnosis",
        "local emergency number",
        "112",
        "a nurse line, urgent care or a pharmacist",
    ):
        assert words in about.plain, words
