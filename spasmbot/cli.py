"""Command line: ``spasmbot [run]``, ``spasmbot console``, ``spasmbot check-content [DIR]``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from pathlib import Path

from spasmbot.config import ConfigError, Settings, load_settings
from spasmbot.content import ContentInvalid, load_languages
from spasmbot.content.loader import DEFAULT_LANGUAGE, default_content_dir

log = logging.getLogger("spasmbot")


class _RedactToken(logging.Filter):
    """Belt and braces: no log line may carry the bot token (httpx logs request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg = message.replace(self.token, "<token>")
                record.args = ()
        return True


def _setup_logging(token: str = "") -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_RedactToken(token))


def check_content(directory: str | None) -> int:
    """Validate the content (every language folder); print each problem as file: field: message."""
    root = Path(directory) if directory else default_content_dir()
    if not (root / DEFAULT_LANGUAGE).is_dir():
        print(f"error: {root}: no {DEFAULT_LANGUAGE}/ folder (expected {root / DEFAULT_LANGUAGE})", file=sys.stderr)
        return 1
    try:
        content, translations = load_languages(root)
    except ContentInvalid as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        return 1
    for language in (content, *translations.values()):
        pages = sum(len(card.pages) for card in language.cards.values())
        print(
            f"{root / language.language}: ok — {len(language.sections)} sections, {len(language.cards)} cards "
            f"({pages} pages), {len(language.tips)} tips, {len(language.nudges)} nudges, "
            f"{len(language.checks)} guided checks"
        )
    return 0


async def _run_bot(settings: Settings) -> int:
    from telegram.error import InvalidToken, NetworkError

    from spasmbot.clock import SystemClock
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.storage import Store, StoreError

    content, translations = load_languages(settings.content_dir or default_content_dir())
    try:
        store = await Store.open(settings.db_path)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = build_application(settings, content, store, SystemClock(), translations=translations)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        try:
            await app.initialize()  # getMe: checks the token and the server before anything else
        except InvalidToken:
            print("error: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); "
                  "get a valid one from @BotFather", file=sys.stderr)
            return 2
        except NetworkError as exc:
            print(f"error: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
            return 1
        async with app:
            await on_startup(app)
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(drop_pending_updates=False)
            me = app.bot.username
            log.info("spasmbot is running as @%s against %s (Ctrl+C to stop)", me, settings.api_url)
            await stop.wait()
            log.info("stopping")
            await app.updater.stop()
            await app.stop()
    finally:
        await store.close()
    return 0


def run(settings_env: dict[str, str] | None = None) -> int:
    try:
        settings = load_settings(settings_env)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    _setup_logging(settings.token)
    try:
        return asyncio.run(_run_bot(settings))
    except ContentInvalid as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print("error: refusing to start with invalid content (see `spasmbot check-content`)",
              file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="spasmbot", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot on Telegram with long polling (the default)")
    console = sub.add_parser("console", help="chat with the bot offline in this terminal")
    console.add_argument("--db", help="SQLite file (default: SPASMBOT_DB or a temporary file)")
    check = sub.add_parser("check-content", help="validate the content folder and exit")
    check.add_argument("directory", nargs="?", help="content root (default: the bundled content)")
    args = parser.parse_args(argv)
    if args.command == "check-content":
        return check_content(args.directory)
    if args.command == "console":
        from spasmbot.console import main as console_main

        return console_main(db=args.db)
    return run()
