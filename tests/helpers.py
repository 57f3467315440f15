"""The test harness: the real Application, the fake Bot API, a real SQLite file and a fake clock.

Imported one way only, as ``tests.helpers`` (``tests`` is a package), so one Harness class and one
content cache exist per test session; ``conftest.py`` only turns them into fixtures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from telegram.ext import Application

from spasmbot.clock import FakeClock
from spasmbot.config import Settings
from spasmbot.content.loader import load_content
from spasmbot.content.model import Content
from spasmbot.edge.app import build_application, on_startup
from spasmbot.fake_telegram import ChatClient, FakeTelegram
from spasmbot.storage import Store

CONTENT_DIR = Path(__file__).resolve().parent.parent / "content"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday morning
_content_cache: dict[str, Content] = {}


def shipped_content() -> Content:
    """The real content, loaded once per test session (loading and validating costs ~100 ms)."""
    if "en" not in _content_cache:
        _content_cache["en"] = load_content(CONTENT_DIR)
    return _content_cache["en"]


class Harness:
    """One bot, as a user would meet it; ``restart()`` rebuilds it on the same database."""

    def __init__(self, db_path: Path, content: Content, clock: FakeClock, rate_limiter: bool) -> None:
        self.db_path = db_path
        self.content = content
        self.clock = clock
        self.rate_limiter = rate_limiter
        self.api = FakeTelegram(now=lambda: self.clock.now().timestamp())
        self.settings = Settings(token="123456:TEST-token-for-the-fake-bot-api-xxxxxx", db_path=db_path)
        self.store: Store
        self.app: Application[Any, Any, Any, Any, Any, Any]
        self._clients: dict[int, ChatClient] = {}
        self.translations: dict[str, Content] = {}

    async def start(self) -> None:
        self.store = await Store.open(self.db_path)
        self.app = build_application(
            self.settings,
            self.content,
            self.store,
            self.clock,
            request=self.api,
            rate_limiter=self.rate_limiter,
            translations=self.translations,
        )
        await self.app.initialize()
        await on_startup(self.app)
        self.api.watch_errors(self.app)
        for client in self._clients.values():
            client.app = self.app

    async def stop(self) -> None:
        await self.app.shutdown()
        await self.store.close()

    async def restart(self, content: Content | None = None) -> None:
        """Stop the bot and start a new process's worth of it: in-memory state is gone."""
        await self.stop()
        if content is not None:
            self.content = content
        await self.start()

    def user(self, user_id: int = 1001, first_name: str = "Ann", language_code: str | None = "en") -> ChatClient:
        if user_id not in self._clients:
            self._clients[user_id] = ChatClient(
                self.app,
                self.api,
                user_id=user_id,
                first_name=first_name,
                language_code=language_code,
                raise_errors=True,
            )
        return self._clients[user_id]
