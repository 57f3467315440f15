"""Red flags in typed words (Telegram-free): phrases come from the checks, precision matters as much."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from spasmbot.content.loader import load_content
from spasmbot.features.search.rules import Searcher
from tests.helpers import shipped_content

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "redflags"
SHIPPED = Path(__file__).resolve().parent.parent / "content" / "en"


@pytest.fixture(scope="module")
def searcher() -> Searcher:
    return Searcher(shipped_content())


def urgency(searcher: Searcher, text: str) -> str | None:
    found = searcher.red_flag(text)
    return found.urgency if found else None


def test_declared_phrases_in_everyday_words_and_misspellings(searcher: Searcher) -> None:
    assert urgency(searcher, "chest pain") == "emergency"
    assert urgency(searcher, "CHEST PIAN!!") == "emergency"  # a slip still counts
    assert urgency(searcher, "pain in my chest") == "emergency"
    assert urgency(searcher, "i cant breath") == "emergency"
    assert urgency(searcher, "trouble breathing") == "emergency"  # a lay word from search.yaml
    assert urgency(searcher, "my jaw is stiff, I cut my foot last week") == "emergency"
    assert urgency(searcher, "swollen calves") == "urgent"
    assert urgency(searcher, "dark urine after a workout") == "urgent"


def test_the_most_urgent_sign_wins(searcher: Searcher) -> None:
    found = searcher.red_flag("swollen calf and now chest pain")
    assert found is not None and found.urgency == "emergency" and found.phrase == "chest pain"
    assert found.outcome.urgency == "emergency"


def test_every_word_of_a_phrase_must_be_there_close_together(searcher: Searcher) -> None:
    assert urgency(searcher, "I had chest day at the gym and my calves cramp") is None
    assert urgency(searcher, "chest press made my arms tired") is None
    assert urgency(searcher, "I painted the fence and my hand cramps") is None  # not "fainted"


def test_negations_count_only_right_before_and_hedges_undo_them(searcher: Searcher) -> None:
    assert urgency(searcher, "no chest pain, just a calf cramp") is None
    assert urgency(searcher, "I don't have chest pain") is None
    assert urgency(searcher, "no cramps today. chest pain though") == "emergency"  # another sentence
    assert urgency(searcher, "not sure if it's chest pain") == "emergency"
    assert urgency(searcher, "I can't breathe") == "emergency"  # "can't" is part of the phrase


def test_a_fixture_check_declares_its_own_phrases(tmp_path: Path) -> None:
    """Phrases are content: a new check's answer with a floor and phrases is matched, no code change."""
    root = tmp_path / "content"
    shutil.copytree(SHIPPED, root / "en")
    shutil.copy(FIXTURE / "bee_sting.yaml", root / "en" / "checks" / "bee_sting.yaml")
    searcher = Searcher(load_content(root))
    found = searcher.red_flag("got stung by a wasp and my lips are swelling")
    assert found is not None and found.check.id == "bee_sting" and found.urgency == "emergency"
    assert found.outcome.id == "call_now"
    assert searcher.red_flag("my lips are not swelling after the sting") is None
