"""The content validator: the shipped content passes; each kind of breakage fails, naming file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spasmbot.cli import main
from spasmbot.content import ContentInvalid, load_content
from spasmbot.content.html import html_errors, visible_length
from spasmbot.content.validate import check_screen
from spasmbot.screen import Button, Screen

SHIPPED = Path(__file__).resolve().parent.parent / "content"

SECTION = """\
id: basics
title: "Basics"
command: basics
description: "The basics"
order: 10
intro: |
  What a spasm is.
cards:
  - id: what
    title: "What is it"
    pages:
      - "<b>A spasm</b> is a sudden tightening of a muscle."
    see_also: [more]
  - id: more
    title: "More"
    pages:
      - "More &amp; more."
"""


def make_content(root: Path, section: str = SECTION, tips: str = "tips: []\n") -> Path:
    """A minimal valid content tree (the shipped UI words, one section) to break on purpose."""
    lang = root / "en"
    (lang / "sections").mkdir(parents=True)
    shutil.copytree(SHIPPED / "en" / "ui", lang / "ui")
    (lang / "sections" / "basics.yaml").write_text(section)
    (lang / "menu.yaml").write_text("items: [section:basics, about]\n")
    (lang / "tips.yaml").write_text(tips)
    return root


def errors_for(root: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as info:
        load_content(root)
    return [str(e) for e in info.value.errors]


def test_shipped_content_is_valid_and_complete() -> None:
    content = load_content(SHIPPED)
    types = {"cramps", "twitching", "tonic", "dystonic", "ischemic", "clonic", "myoclonic", "ataxic", "tetanic"}
    assert types <= set(content.cards)
    assert {"parkinsons", "multiple_sclerosis", "spinal_stenosis", "peripheral_neuropathy", "see_doctor"} <= set(
        content.cards
    )
    assert len(content.sections["faq"].cards) >= 6
    assert len(content.tips) >= 40
    for card in content.cards.values():
        for page in card.pages:
            assert visible_length(page) <= 1000, card.id


def test_check_content_cli_passes_on_shipped_content(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(SHIPPED)]) == 0
    assert "ok" in capsys.readouterr().out


def test_minimal_fixture_is_valid(tmp_path: Path) -> None:
    content = load_content(make_content(tmp_path))
    assert list(content.cards) == ["what", "more"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("id: more", "id: what"), "sections/basics.yaml: cards[1].id: duplicate id 'what'"),
        (("see_also: [more]", "see_also: [nowhere]"), "cards[0].see_also: links to 'nowhere'"),
        (("<b>A spasm</b> is", "<b>A spasm is"), "cards[0].pages[0]: HTML Telegram would reject: Can't find end tag"),
        (("More &amp; more.", "More & more."), "cards[1].pages[0]: HTML Telegram would reject: Unescaped \"&\""),
        (("More &amp; more.", "<p>More</p>"), "Unsupported start tag \"p\""),
        (("- \"More &amp; more.\"", "- \"" + "x" * 4100 + "\""), "cards[1].pages[0]: renders to"),
        (("id: more", "id: More-Card"), "cards[1].id: 'More-Card' must match"),
        (("    title: \"More\"\n", ""), "cards[1].title: is required"),
        (("command: basics", "command: Bad Command"), "command: must match"),
        (("intro: |", "intro_text: |"), "intro_text: unknown field"),
    ],
)
def test_broken_fixture_fails_naming_file_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in SECTION
    root = make_content(tmp_path, SECTION.replace(old, new, 1))
    assert any(expected in e for e in errors_for(root)), errors_for(root)
    assert main(["check-content", str(root)]) == 1
    assert expected in capsys.readouterr().err


def test_tip_with_dangling_card_and_bad_yaml(tmp_path: Path) -> None:
    root = make_content(tmp_path, tips="tips:\n  - {id: t1, text: 'Drink', card: gone}\n")
    assert any("tips.yaml: tips[t1].card: links to 'gone'" in e for e in errors_for(root))
    (root / "en" / "menu.yaml").write_text("items: [section:basics\n")
    assert any("menu.yaml" in e and "not valid YAML" in e for e in errors_for(root))


def test_callback_data_over_64_bytes_is_rejected() -> None:
    screen = Screen("hi", ((Button("ok", "b:" + "é" * 32),),))
    [error] = check_screen(screen, "en/x.yaml", "field")
    assert "callback_data of 66 bytes" in str(error) and "en/x.yaml: field" in str(error)


def test_telegram_html_rules() -> None:
    assert html_errors('<b>bold</b> <a href="https://nhs.uk">NHS</a> &lt;3 &amp; 5 &#169;') == []
    assert html_errors("<b><i>x</b></i>")  # crossed tags
    assert html_errors("<br>")
    assert html_errors("a < b")
    assert html_errors("&nbsp;")
    assert html_errors('<span class="x">not a spoiler</span>')
    assert visible_length("<b>ab</b>&amp;") == 3
    assert visible_length("👍") == 2  # Telegram counts UTF-16 code units


def test_missing_language_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-content", str(tmp_path / "nope")]) == 1
    assert "no en/ folder" in capsys.readouterr().err


def test_ui_keys_that_yaml_reads_as_booleans_are_rejected(tmp_path: Path) -> None:
    root = make_content(tmp_path)
    (root / "en" / "ui" / "extra.yaml").write_text("button:\n  yes: Yes\n  'no': No\n")
    assert any("extra.yaml: button.True: key True is not a string" in e for e in errors_for(root))
