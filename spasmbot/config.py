"""Settings from the environment. The token is validated here and never logged."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

TOKEN_RE = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,}$")
DEFAULT_API_URL = "https://api.telegram.org"


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line, safe to print."""


@dataclass(frozen=True, slots=True)
class Settings:
    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    db_path: Path = Path("spasmbot.sqlite3")
    content_dir: Path | None = None
    concurrency: int = 64  # updates handled at once (different chats; see spasmbot.edge.ordering)

    @property
    def base_url(self) -> str:
        """PTB's base_url: the API root followed by ``/bot`` (the token is appended by PTB)."""
        return self.api_url.rstrip("/") + "/bot"

    @property
    def base_file_url(self) -> str:
        return self.api_url.rstrip("/") + "/file/bot"


def load_settings(env: dict[str, str] | None = None, *, need_token: bool = True) -> Settings:
    env = dict(os.environ) if env is None else env
    token = env.get("TELEGRAM_BOT_TOKEN", "").strip()
    if need_token:
        if not token:
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is not set: get a token from @BotFather and export it "
                "(or try the bot offline with `spasmbot console`)"
            )
        if not TOKEN_RE.match(token):
            raise ConfigError(
                "TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<secret> as given by @BotFather"
            )
    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, got {api_url!r}")
    content = env.get("SPASMBOT_CONTENT", "").strip()
    concurrency = env.get("SPASMBOT_CONCURRENCY", "").strip() or "64"
    if not concurrency.isdigit() or not 1 <= int(concurrency) <= 10_000:
        raise ConfigError(f"SPASMBOT_CONCURRENCY must be a whole number from 1 to 10000, got {concurrency!r}")
    return Settings(
        token=token,
        api_url=api_url,
        db_path=Path(env.get("SPASMBOT_DB", "").strip() or "spasmbot.sqlite3"),
        content_dir=Path(content) if content else None,
        concurrency=int(concurrency),
    )
