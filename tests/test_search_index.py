"""The search index and its vocabulary (Telegram-free), and a second language with its own words."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spasmbot.clock import FakeClock
from spasmbot.content.loader import load_content, load_languages
from spasmbot.content.model import ContentInvalid
from spasmbot.features.search.index import SearchIndex
from spasmbot.features.search.words import Words, same_word
from tests.helpers import Harness, shipped_content

SHIPPED = Path(__file__).resolve().parent.parent / "content" / "en"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(shipped_content())


def best(index: SearchIndex, text: str) -> str:
    hits = index.search(text)
    assert index.confident(hits), (text, hits)
    return hits[0].doc.key


def test_word_forms_misspellings_filler_emoji_and_punctuation_meet(index: SearchIndex) -> None:
    for text in ("cramps", "cramp", "CRAMPS!!!", "🦵 cramps?", "what is a cramp", "crampss"):
        assert best(index, text) == "card:cramps", text
    assert best(index, "does magnesum help") == "card:magnesium"
    assert best(index, "valarian root") == "card:valerian"
    assert best(index, "medicaton") in {"card:medicines", "card:faq_medicines"}


def test_lay_words_from_the_content_yaml(index: SearchIndex) -> None:
    assert best(index, "charley horse") == "card:cramps"
    assert best(index, "pins and needles") == "card:peripheral_neuropathy"
    assert best(index, "physio") == "card:physio"
    assert best(index, "GP") in {"card:see_doctor", "check:doctor"}
    assert best(index, "heat or ice?") == "card:hot_cold"


def test_titles_and_keywords_rank_above_passing_mentions(index: SearchIndex) -> None:
    content = shipped_content()
    mentions = [c.id for c in content.cards.values() if "chamomile" in " ".join(c.pages).lower()]
    assert len(mentions) > 1  # several cards mention it in passing
    assert best(index, "chamomile") == "card:chamomile"
    hits = index.search("chamomile")
    assert hits[0].strong and hits[0].score > hits[1].score


def test_a_word_the_content_uses_is_not_read_as_a_slip_of_another(index: SearchIndex) -> None:
    assert best(index, "clonic") == "card:clonic"  # not "clinic" (a lay word for doctor)
    assert best(index, "pulled muscle") == "card:strain_spasms"  # "pull" is not a slip of "pill"


def test_nothing_meaningful_finds_nothing(index: SearchIndex) -> None:
    for text in ("", "   ", "?!", "🤷", "what is it", "xqzv blorp", "what's the weather in Paris tomorrow"):
        assert not index.confident(index.search(text)), text


def test_slips_need_the_first_letter_and_a_long_enough_word() -> None:
    assert same_word("pian", "pain") and same_word("magnesum", "magnesium")
    assert not same_word("painted", "fainted")  # first letter differs
    assert not same_word("leg", "log")  # too short for a slip


def test_words_come_from_the_language_yaml_only() -> None:
    vocabulary = shipped_content().vocabulary
    words = Words.of(vocabulary)
    assert words.tokens("Does stretching help my calves?") == ["stretch", "calv"]
    assert words.clauses("No chest pain, but my calf hurts.") == [["no", "chest", "pain"], ["but", "calf", "hurt"]]


def _write_vocabulary(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root / "en")
    (root / "en" / "search.yaml").write_text(text, encoding="utf-8")
    return root


def test_vocabulary_errors_name_the_file_and_the_field(tmp_path: Path) -> None:
    root = _write_vocabulary(
        tmp_path,
        """
filler_words: [the, "no"]
negations: ["no"]
popular: [cramps, nope]
synonyms:
  cramp: [charley horse]
  spasm: [Charley horse]
  doctor: []
keywords:
  no_such_card: [x]
colours: [red]
""",
    )
    with pytest.raises(ContentInvalid) as info:
        load_content(root)
    errors = {f"{e.file}: {e.path}" for e in info.value.errors}
    assert errors == {
        "content/en/search.yaml: colours",
        "content/en/search.yaml: negations",
        "content/en/search.yaml: popular[1]",
        "content/en/search.yaml: synonyms.spasm[0]",
        "content/en/search.yaml: synonyms.doctor",
        "content/en/search.yaml: keywords.no_such_card",
    }


def test_a_language_without_search_yaml_still_searches(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root / "en")
    (root / "en" / "search.yaml").unlink()
    index = SearchIndex(load_content(root))
    assert best(index, "Magnesium supplements") == "card:magnesium"


def _german(root: Path) -> Path:
    shutil.copytree(SHIPPED, root / "en")
    shutil.copytree(SHIPPED, root / "de")
    (root / "de" / "search.yaml").write_text(
        """
filler_words: [was, hilft, bei, ich, habe, einen, mein, meine]
word_endings: [en, e, n]
negations: [kein, keine, nicht]
synonyms:
  cramp: [muskelkrämpfe, wadenkrampf]
keywords:
  cramps: [krampf]
""",
        encoding="utf-8",
    )
    return root


@pytest.fixture
async def bilingual(tmp_path: Path, clock: FakeClock):
    content, translations = load_languages(_german(tmp_path / "content"))
    h = Harness(tmp_path / "bot.sqlite3", content, clock, rate_limiter=False)
    h.translations = translations
    await h.start()
    yield h
    await h.stop()


async def test_a_second_language_searches_with_its_own_words(bilingual: Harness) -> None:
    german = bilingual.user(3003, "Jonas", language_code="de")
    [answer] = await german.send("Was hilft bei Muskelkrämpfen?")  # umlaut, German word ending
    assert "Best match" in answer.plain and "\nCramps\n" in answer.plain
    english = bilingual.user(3004, "Ann", language_code="en")
    [answer] = await english.send("Was hilft bei Muskelkrämpfen?")
    assert "couldn't find" in answer.plain
