"""Settings from the environment. The token is validated here and never logged."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
    concurrency: int = 32  # updates handled at once (different chats; see spasmbot.edge.ordering)
    service: ServiceSettings = field(default_factory=lambda: ServiceSettings())

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
            raise ConfigError("TELEGRAM_BOT_TOKEN is malformed: expected <digits>:<secret> as given by @BotFather")
    api_url = env.get("TELEGRAM_API_URL", "").strip() or DEFAULT_API_URL
    if not re.match(r"^https?://[^\s/]+", api_url):
        raise ConfigError(f"TELEGRAM_API_URL must be an http(s) URL, got {api_url!r}")
    content = env.get("SPASMBOT_CONTENT", "").strip()
    concurrency = env.get("SPASMBOT_CONCURRENCY", "").strip() or "32"
    if not (concurrency.isascii() and concurrency.isdigit()) or not 1 <= int(concurrency) <= 10_000:
        raise ConfigError(f"SPASMBOT_CONCURRENCY must be a whole number from 1 to 10000, got {concurrency!r}")
    return Settings(
        token=token,
        api_url=api_url,
        db_path=Path(env.get("SPASMBOT_DB", "").strip() or "spasmbot.sqlite3"),
        content_dir=Path(content) if content else None,
        concurrency=int(concurrency),
        service=load_service_settings(env),
    )


# --- running as a service: webhook, health/metrics endpoint, logs ------------------------------

WEBHOOK_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """How the bot runs as a service (see README, "Run it in production").

    ``webhook_url`` set means webhook mode: Telegram POSTs updates to that public https URL, a
    reverse proxy terminates TLS and forwards to ``webhook_listen:webhook_port`` +
    ``webhook_path``. ``webhook_secret`` is then required: Telegram sends it in the
    ``X-Telegram-Bot-Api-Secret-Token`` header and every request without it gets 403.
    ``http_port`` set starts the /healthz and /metrics endpoint (both modes); 0 picks a free port.
    """

    webhook_url: str | None = None
    webhook_secret: str = field(default="", repr=False)
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8080
    webhook_path: str = "/"
    drop_pending_updates: bool = False
    http_listen: str = "127.0.0.1"
    http_port: int | None = None
    log_format: str = "text"
    log_level: str = "INFO"


def _port(env: dict[str, str], name: str, default: int | None) -> int | None:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) > 65535:
        raise ConfigError(f"{name} must be a port number (0-65535), got {raw!r}")
    return int(raw)


def _flag(env: dict[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name} must be 1 or 0 (true/false), got {raw!r}")


def load_service_settings(env: dict[str, str]) -> ServiceSettings:
    """The service settings from ``env`` (one-line :class:`ConfigError` for a bad value)."""
    url = env.get("SPASMBOT_WEBHOOK_URL", "").strip() or None
    secret = env.get("SPASMBOT_WEBHOOK_SECRET", "").strip()
    path = env.get("SPASMBOT_WEBHOOK_PATH", "").strip()
    if url is not None:
        parsed = urlsplit(url)
        if parsed.scheme != "https" or not parsed.hostname:
            raise ConfigError(f"SPASMBOT_WEBHOOK_URL must be an https URL (Telegram only posts to https), got {url!r}")
        if not WEBHOOK_SECRET_RE.match(secret):
            raise ConfigError(
                "webhook mode needs SPASMBOT_WEBHOOK_SECRET: 16-256 characters of A-Z a-z 0-9 _ - "
                "(e.g. from `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
            )
        path = path or parsed.path or "/"
    log_format = env.get("SPASMBOT_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in LOG_FORMATS:
        raise ConfigError(f"SPASMBOT_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, got {log_format!r}")
    log_level = env.get("SPASMBOT_LOG_LEVEL", "").strip().upper() or "INFO"
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"SPASMBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {log_level!r}")
    return ServiceSettings(
        webhook_url=url,
        webhook_secret=secret,
        webhook_listen=env.get("SPASMBOT_WEBHOOK_LISTEN", "").strip() or "127.0.0.1",
        webhook_port=_port(env, "SPASMBOT_WEBHOOK_PORT", 8080) or 0,
        webhook_path=path if path.startswith("/") else "/" + path,
        drop_pending_updates=_flag(env, "SPASMBOT_DROP_PENDING_UPDATES"),
        http_listen=env.get("SPASMBOT_HTTP_LISTEN", "").strip() or "127.0.0.1",
        http_port=_port(env, "SPASMBOT_HTTP_PORT", None),
        log_format=log_format,
        log_level=log_level,
    )
