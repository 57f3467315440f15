"""Rendering of long sections: pagination and the way back to the right page."""

from __future__ import annotations

from pathlib import Path

from spasmbot.content import load_content
from spasmbot.features.browse import screens as render
from tests.test_content import make_content


def _big_section(cards: int) -> str:
    body = "".join(
        f"  - id: card{i}\n    title: \"Card {i}\"\n    pages:\n      - \"Text {i}\"\n" for i in range(cards)
    )
    return (
        "id: big\ntitle: \"Big\"\ncommand: big\ndescription: \"Big one\"\nintro: |\n  Many cards.\ncards:\n" + body
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
