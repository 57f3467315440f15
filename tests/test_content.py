"""The content validator: the shipped content passes; each kind of breakage fails, naming file and field."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from spasmbot.cli import main
from spasmbot.content.html import html_errors, visible_length
from spasmbot.content.loader import load_content
from spasmbot.content.model import Content, ContentError, ContentInvalid
from spasmbot.content.readability import MAX_GRADE, TARGET_MEDIAN, grade, reading_report, syllables, text_stats
from spasmbot.content.review import overdue_warnings, parse_review
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
reviewed: 2026-12-01
review_due: 2027-12-01
sources:
  - name: "NHS: Leg cramps"
    url: "https://www.nhs.uk/conditions/leg-cramps/"
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
        (("id: more", "id: what"), "sections/basics.yaml: cards[what].id: duplicate id 'what'"),
        (("see_also: [more]", "see_also: [nowhere]"), "cards[what].see_also: links to 'nowhere'"),
        (
            ("<b>A spasm</b> is", "<b>A spasm is"),
            "cards[what].pages[0]: HTML Telegram would reject: Can't find end tag",
        ),
        (("More &amp; more.", "More & more."), 'cards[more].pages[0]: HTML Telegram would reject: Unescaped "&"'),
        (("More &amp; more.", "<p>More</p>"), 'Unsupported start tag "p"'),
        (("id: more", "id: More-Card"), "cards[1].id: 'More-Card' must match"),
        (('    title: "More"\n', ""), "cards[more].title: is required"),
        (("review_due: 2027-12-01", "review_due: 2026-11-01"), "review_due: 2026-11-01 must come after reviewed"),
        (("reviewed: 2026-12-01", "reviewed: 1st December"), "reviewed: '1st December' must be a date"),
        (
            ('url: "https://www.nhs.uk/conditions/leg-cramps/"', 'url: "nhs.uk"'),
            "sources[0].url: 'nhs.uk' must be a web address",
        ),
        (("reviewed: 2026-12-01\n", ""), "cards[what]: needs reviewed (here or on the section)"),
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


# --- one clear error, every problem in one run ---------------------------------------------------


def test_an_over_long_page_is_one_error_naming_the_page_limit(tmp_path: Path) -> None:
    root = make_content(tmp_path, SECTION.replace('- "More &amp; more."', '- "' + "x" * 4100 + '"'))
    [error] = [e for e in errors_for(root) if "cards[more].pages[0]" in e]
    assert error.endswith(
        "en/sections/basics.yaml: cards[more].pages[0]: 4100 characters: a card page may have "
        "at most 1000, split it into more pages"
    )


def test_problems_of_every_stage_come_out_in_one_run(tmp_path: Path) -> None:
    broken = SECTION.replace("id: more", "id: More-Card").replace("see_also: [more]", "see_also: [nowhere]")
    broken = broken.replace("<b>A spasm</b> is", "<b>A spasm is")
    root = make_content(tmp_path, broken)
    core = root / "en" / "ui" / "core.yaml"
    core.write_text(core.read_text().replace('page: "<i>Page', 'pages_line: "<i>Page'))
    errors = "\n".join(errors_for(root))
    assert "cards[1].id: 'More-Card' must match" in errors  # read while loading
    assert "cards[what].see_also: links to 'nowhere'" in errors  # a cross-reference
    assert "cards[what].pages[0]: HTML Telegram would reject" in errors  # a rendered screen
    assert "en/ui: core.page: missing UI text" in errors


# --- governance: sources and review dates --------------------------------------------------------


def test_cards_inherit_the_sections_review_fields_and_may_override_them(tmp_path: Path) -> None:
    own = SECTION.replace(
        "    see_also: [more]\n",
        "    see_also: [more]\n    reviewed: 2026-06-01\n"
        "    sources:\n      - {name: 'Mayo Clinic: Muscle cramp', url: 'https://www.mayoclinic.org/x'}\n",
    )
    content = load_content(make_content(tmp_path, own))
    what, more = content.cards["what"].review, content.cards["more"].review
    assert what is not None and more is not None
    assert [s.name for s in what.sources] == ["Mayo Clinic: Muscle cramp"]
    assert what.reviewed == date(2026, 6, 1) and what.review_due == date(2027, 12, 1)  # due inherited
    assert [s.url for s in more.sources] == ["https://www.nhs.uk/conditions/leg-cramps/"]
    assert more.reviewed == date(2026, 12, 1)


def test_tips_take_their_cards_review_unless_they_have_their_own(tmp_path: Path) -> None:
    tips = (
        "tips:\n"
        "  - {id: t1, text: 'Drink', card: what}\n"
        "  - {id: t2, text: 'Stretch', card: more, reviewed: 2026-10-01, review_due: 2027-01-01,\n"
        "     sources: [{name: 'NICE CKS: Leg cramps', url: 'https://cks.nice.org.uk/topics/leg-cramps/'}]}\n"
    )
    content = load_content(make_content(tmp_path, tips=tips))
    assert content.tips["t1"].review == content.cards["what"].review
    t2 = content.tips["t2"].review
    assert t2 is not None and t2.review_due == date(2027, 1, 1) and t2.sources[0].name == "NICE CKS: Leg cramps"
    assert content.tips["t2"].source.endswith("en/tips.yaml: tips[t2]")


def test_a_card_without_sources_or_dates_anywhere_is_one_clear_error(tmp_path: Path) -> None:
    bare = SECTION.split("reviewed:")[0] + "cards:" + SECTION.split("\ncards:")[1]
    errors = errors_for(make_content(tmp_path, bare))
    assert any(
        e.endswith(
            "en/sections/basics.yaml: cards[what]: needs sources, reviewed, review_due (here or on "
            "the section): every health text names its sources and when it was reviewed and is due "
            "for review"
        )
        for e in errors
    )
    assert len([e for e in errors if "needs sources" in e]) == 2  # one per card, not one per field


def test_review_fields_report_each_malformed_entry() -> None:
    errors: list[ContentError] = []
    review = parse_review(
        {
            "sources": [{"name": "NHS"}, {"url": "https://x.org", "name": ""}, "MedlinePlus"],
            "reviewed": "2026-13-01",
            "review_due": 20270101,
        },
        "en/checks/doctor.yaml",
        "",
        errors,
    )
    assert review is None
    expected = [
        "sources[0].url: None must be a web address",
        "sources[1].name: is required: who says so",
        "sources[2]: must be a mapping with name and url",
        "reviewed: '2026-13-01' must be a date written YYYY-MM-DD",
        "review_due: 20270101 must be a date written YYYY-MM-DD",
    ]
    assert len(errors) == len(expected)
    for error, start in zip(errors, expected, strict=True):
        assert f"{error.path}: {error.message}".startswith(start) and error.file == "en/checks/doctor.yaml"


def test_overdue_reviews_warn_without_failing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_content(tmp_path)
    assert main(["check-content", str(root), "--today", "2027-12-01"]) == 0
    assert "warning" not in capsys.readouterr().err  # due that day: not yet overdue
    assert main(["check-content", str(root), "--today", "2027-12-02"]) == 0
    err = capsys.readouterr().err
    assert (
        "en/sections/basics.yaml: cards[what].review_due: review overdue since 2027-12-01 (reviewed 2026-12-01)"
    ) in err and err.startswith("warning: ")
    content = load_content(root)
    assert [w.path for w in overdue_warnings(content.reviews(), date(2030, 1, 1))] == [
        "cards[what].review_due",
        "cards[more].review_due",
    ]
    assert overdue_warnings(content.reviews(), date(2026, 12, 2)) == []


def test_every_shipped_card_and_tip_names_sources_and_is_not_overdue() -> None:
    content = load_content(SHIPPED)
    for item in [*content.cards.values(), *content.tips.values()]:
        assert item.review is not None and item.review.sources, item.id
        assert all(s.url.startswith("https://") for s in item.review.sources), item.id
    assert overdue_warnings(content.reviews(), date(2026, 12, 1)) == []


# --- reading level ------------------------------------------------------------------------------


def test_syllables_and_flesch_kincaid_grade() -> None:
    assert [syllables(w) for w in ("the", "cramp", "muscle", "stretching", "cerebellum", "dehydration")] == [
        1,
        1,
        2,
        2,
        4,
        4,
    ]
    assert grade("The cat sat on the mat.") == pytest.approx(0.39 * 6 + 11.8 * 1 - 15.59)
    stats = text_stats("<b>Cramps</b>\n• drink water\nStretch. Rest &amp; relax!")
    assert (stats.sentences, stats.words) == (4, 6)
    hard = "Electrolyte abnormalities precipitate involuntary myoclonic contractions in predisposed individuals."
    assert grade(hard) > 16 > grade("A cramp is a tight muscle. It hurts. It goes away.")


def test_shipped_cards_read_at_about_grade_six_and_none_above_eight(capsys: pytest.CaptureFixture[str]) -> None:
    report = reading_report(load_content(SHIPPED))
    assert report.median <= TARGET_MEDIAN, report.summary()
    assert report.above(MAX_GRADE) == [], report.summary()
    assert main(["check-content", str(SHIPPED)]) == 0
    assert f"median {report.median:.1f}" in capsys.readouterr().out


# --- harmful or overstated advice ---------------------------------------------------------------

OVERSTATED = [
    # (wording that must not come back, why)
    ("single most common", "tired muscles are one common cause (NHS, MedlinePlus)"),
    ("the main cause", "tired muscles are one common cause (NHS, MedlinePlus)"),
    ("lowers the risk of spasms", "stretching may help some people (Cochrane 2021: low-certainty evidence)"),
    ("side-effect-free", "herbs and CBD have side effects (NCCIH, FDA)"),
    ("medicines such as steroids", "MS spasms: baclofen, tizanidine, physiotherapy (MS Trust)"),
    ("supplement may help prevent", "magnesium probably doesn't prevent ordinary cramps (Cochrane 2020)"),
    ("nhs 111 if", "the bot is international: emergency number first, then any urgent service"),
]


def _all_texts(content: Content) -> dict[str, str]:
    texts = {f"card {c.id}": "\n".join((c.title, *c.pages)) for c in content.cards.values()}
    texts |= {f"tip {t.id}": t.text for t in content.tips.values()}
    texts |= {f"nudge {i}": n for i, n in enumerate(content.nudges)}
    texts |= {f"ui {key}": content.ui(key) for key in content.ui.keys()}  # noqa: SIM118
    texts |= {f"section {s.id}": s.intro for s in content.sections.values()}
    return texts


def test_no_overstated_or_harmful_wording_in_cards_tips_nudges_or_ui() -> None:
    for where, text in _all_texts(load_content(SHIPPED)).items():
        for phrase, why in OVERSTATED:
            assert phrase not in text.lower(), f"{where}: {phrase!r}: {why}"


def test_corrected_facts_are_said_where_people_read_them() -> None:
    content = load_content(SHIPPED)
    page = {card.id: "\n".join(card.pages) for card in content.cards.values()}
    assert "probably does not prevent ordinary cramps" in page["magnesium"]
    assert "Ask a doctor before taking it" in page["magnesium"]
    assert "do not need medicine" in page["medicines"] and "Quinine" in page["medicines"]
    assert "serious side effects" in page["medicines"] and "soreness <b>afterwards</b>" in page["medicines"]
    assert "may help some people" in page["stretching"]
    assert "baclofen" in page["multiple_sclerosis"] and "tizanidine" in page["multiple_sclerosis"]
    assert "not for spasms" in page["multiple_sclerosis"]
    assert "ragweed" in page["chamomile"] and "pregnant" in page["chamomile"]
    assert "liver" in page["cbd_oil"] and "alcohol" in page["cbd_oil"] and "pregnant" in page["cbd_oil"]
    emergency = page["see_doctor"]
    assert emergency.index("local emergency number") < emergency.index("NHS 111")
    for words in ("112", "911", "999", "nurse line", "urgent care", "pharmacist"):
        assert words in emergency, words
    for card in ("hydration", "hydrate_active"):
        assert "limit fluids" in page[card] and "sodium" in page[card]
    for key in ("water.nudges_off", "water.goal_title", "water.nudge_progress_glass", "water.nudge_progress_ml"):
        assert "limit fluids" in content.ui(key), key
    potassium = [t.id for t in content.tips.values() if "potassium" in t.text.lower() and "kidney" not in t.text]
    assert all("kidney_disease" in content.tips[t].avoid_if for t in potassium), potassium


def test_every_test_the_hazard_log_names_exists() -> None:
    """docs/clinical-safety.md names the test behind each mitigation: a renamed test must not leave
    a mitigation that nothing checks."""
    log = (SHIPPED.parent / "docs" / "clinical-safety.md").read_text()
    named = re.findall(r"`(test_\w+\.py)::(\w+)`", log)
    assert len(named) >= 20
    tests = Path(__file__).resolve().parent
    for file, function in named:
        assert re.search(rf"def {function}\(", (tests / file).read_text()), f"{file}::{function}"
