"""A second language is a sibling content folder: users get it by their Telegram language."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from spasmbot.cli import main
from spasmbot.clock import FakeClock
from spasmbot.content.loader import load_languages
from spasmbot.content.model import ContentInvalid
from spasmbot.edge.delivery_job import deliver_due
from tests.helpers import Harness
from tests.test_scheduling import subscribe, tips_sent

SHIPPED = Path(__file__).resolve().parent.parent / "content" / "en"


def _german(root: Path) -> Path:
    """The shipped content plus a "de" folder whose welcome and tip header are German."""
    shutil.copytree(SHIPPED, root / "en")
    shutil.copytree(SHIPPED, root / "de")
    core = root / "de" / "ui" / "core.yaml"
    core.write_text(core.read_text().replace("Hi, I'm SpasmBot.", "Hallo, ich bin SpasmBot."))
    tips = root / "de" / "ui" / "tips.yaml"
    tips.write_text(tips.read_text().replace("Today's tip", "Tipp des Tages"))
    return root


@pytest.fixture
async def bilingual(tmp_path: Path, clock: FakeClock):
    content, translations = load_languages(_german(tmp_path / "content"))
    assert set(translations) == {"de"}
    h = Harness(tmp_path / "bot.sqlite3", content, clock, rate_limiter=False)
    h.translations = translations
    await h.start()
    yield h
    await h.stop()


async def test_each_user_gets_their_telegram_language_with_english_as_fallback(bilingual: Harness) -> None:
    [german] = await bilingual.user(1, language_code="de").send("/start")
    assert "Hallo, ich bin SpasmBot." in german.plain
    [austrian] = await bilingual.user(2, language_code="de-AT").send("/start")
    assert "Hallo" in austrian.plain
    [french] = await bilingual.user(3, language_code="fr").send("/start")
    assert "Hi, I'm SpasmBot." in french.plain
    [unknown] = await bilingual.user(4, language_code=None).send("/start")
    assert "Hi, I'm SpasmBot." in unknown.plain
    assert "start" in bilingual.api.commands(language_code="de")


async def test_scheduled_messages_use_the_users_language(bilingual: Harness) -> None:
    bilingual.clock.set(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    user = bilingual.user(7, language_code="de")
    await subscribe(bilingual, user, "Europe/Berlin", "8:00")
    bilingual.clock.set(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    await deliver_due(bilingual.app)
    assert not tips_sent(bilingual, user.chat_id)  # the German header replaced "Today's tip"
    assert any("Tipp des Tages" in m.plain for m in bilingual.api.sent(user.chat_id))


def test_a_translation_missing_a_card_fails_the_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _german(tmp_path / "content")
    faq = root / "de" / "sections" / "faq.yaml"
    faq.write_text(faq.read_text().replace("id: faq_causes", "id: faq_causes_de"))
    search = root / "de" / "search.yaml"  # renamed consistently within the German folder
    search.write_text(search.read_text().replace("  faq_causes:", "  faq_causes_de:"))
    with pytest.raises(ContentInvalid) as info:
        load_languages(root)
    assert "de: cards: missing (present in en): ['faq_causes']" in str(info.value)
    assert main(["check-content", str(root)]) == 1
    assert "de: cards: not in en: ['faq_causes_de']" in capsys.readouterr().err
