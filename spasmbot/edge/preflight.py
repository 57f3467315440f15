"""Before anything is created or opened: is ``TELEGRAM_API_URL`` a Bot API server that takes our token?

One raw ``getMe`` through PTB's own HTTP client, read by hand rather than by PTB, because PTB
reports a 404 from a wrong URL as ``InvalidToken`` (Telegram answers 404 for malformed tokens)
and logs a traceback for an HTML page before raising. Here every outcome is one sentence that
says which setting is wrong, and the database is only opened once the server has answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from telegram.error import TelegramError
from telegram.request import HTTPXRequest

from spasmbot.config import Settings

TIMEOUT = 10.0  # seconds for connecting and reading: a start-up check, not a long poll


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the server said: ``problem`` is None when it is a Bot API that accepts the token."""

    problem: str | None
    exit_code: int = 0
    username: str = ""


def judge(api_url: str, status: int, body: bytes) -> Verdict:
    """Turn getMe's HTTP answer into a verdict (Telegram-free, so each case is easy to test)."""
    try:
        data = json.loads(body.decode("utf-8", errors="replace"))
    except ValueError:
        data = None
    if not isinstance(data, dict) or "ok" not in data:
        kind = "a web page" if body.lstrip()[:1] == b"<" else "something else"
        return Verdict(
            f"{api_url} is not a Telegram Bot API server (getMe answered HTTP {status} with {kind}, "
            "not Bot API JSON); check TELEGRAM_API_URL (the server's root, like https://api.telegram.org)",
            1,
        )
    if data.get("ok") is True and isinstance(data.get("result"), dict):
        return Verdict(None, 0, str(data["result"].get("username") or ""))
    description = str(data.get("description") or f"HTTP {status}")
    if status == 401:
        return Verdict(
            "Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); get a valid one from @BotFather", 2
        )
    if status == 404:
        return Verdict(
            f"the Bot API at {api_url} has no getMe ({description}, HTTP 404): TELEGRAM_API_URL looks wrong "
            "(use the server's root, like https://api.telegram.org)",
            1,
        )
    return Verdict(f"the Bot API at {api_url} refused getMe: {description} (HTTP {status})", 1)


async def check(settings: Settings) -> Verdict:
    """Ask the configured server ``getMe`` once; a verdict, never an exception."""
    request = HTTPXRequest(connect_timeout=TIMEOUT, read_timeout=TIMEOUT)
    url = f"{settings.base_url}{settings.token}/getMe"
    try:
        await request.initialize()
        status, body = await request.do_request(url, "POST")
    except (TelegramError, OSError) as exc:
        reason = str(exc).replace(settings.token, "<token>") if settings.token else str(exc)
        return Verdict(f"cannot reach the Bot API at {settings.api_url}: {reason}", 1)
    finally:
        await request.shutdown()
    return judge(settings.api_url, status, body)
