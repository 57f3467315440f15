"""Command line: ``spasmbot [run [--webhook]]``, ``spasmbot console [--db FILE]``, ``spasmbot check-content [DIR]``.

Exit codes: 0 stopped as asked; 1 a failure that may pass (Bot API unreachable, database locked
or broken, invalid content); 2 a configuration error that a restart cannot fix (missing or
rejected token, a malformed setting). See README, "Run it in production".
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

from spasmbot.config import ConfigError, Settings, load_settings
from spasmbot.content.loader import DEFAULT_LANGUAGE, default_content_dir, load_languages
from spasmbot.content.model import ContentInvalid
from spasmbot.logs import setup_logging

log = logging.getLogger("spasmbot")

# What `spasmbot --help` prints above the commands: plain text (the docstring above is for code readers).
DESCRIPTION = (
    "SpasmBot, a Telegram bot about muscle spasms and cramps. "
    "With no command it runs on Telegram (the same as: spasmbot run); "
    "TELEGRAM_BOT_TOKEN must be set."
)


def check_content(directory: str | None, today: date | None = None) -> int:
    """Validate the content (every language folder); print each problem as file: field: message.

    Overdue reviews (``review_due`` before ``today``) and the reading level are reported but do
    not fail the check: the bot must keep running while a reviewer re-reads the sources.
    """
    from spasmbot.content.readability import reading_report
    from spasmbot.content.review import overdue_warnings

    today = today or date.today()
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
        for warning in overdue_warnings(language.reviews(), today):
            print(f"warning: {warning}", file=sys.stderr)
    print(reading_report(content).summary())
    return 0


async def _run_bot(settings: Settings, init_db: bool = False) -> int:
    from telegram.error import InvalidToken, NetworkError

    from spasmbot.clock import SystemClock
    from spasmbot.edge import preflight
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.edge.fatal import fatal
    from spasmbot.edge.runner import serve
    from spasmbot.storage import Store, StoreError

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    content, translations = load_languages(settings.content_dir or default_content_dir())
    verdict = await preflight.check(settings)  # before the database is created or migrated
    if verdict.problem is not None:
        print(f"error: {verdict.problem}", file=sys.stderr)
        return verdict.exit_code
    try:
        store = await Store.open(settings.db_path, init_empty=init_db)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    app = build_application(settings, content, store, SystemClock(), translations=translations)
    try:
        try:
            await app.initialize()  # getMe: checks the token and the server before anything else
        except InvalidToken:
            print(
                "error: Telegram rejected TELEGRAM_BOT_TOKEN (revoked or mistyped?); get a valid one from @BotFather",
                file=sys.stderr,
            )
            return 2
        except NetworkError as exc:
            print(f"error: cannot reach the Bot API at {settings.api_url}: {exc}", file=sys.stderr)
            return 1
        async with app:
            await on_startup(app)
            await serve(app, store, settings.service, stop)
    finally:
        await store.close()
    if fatal(app).event.is_set():
        print(f"error: {fatal(app).message}", file=sys.stderr)
        return 2  # the configuration's fault, like a rejected token at start-up
    return 0


def healthcheck(env: dict[str, str] | None = None) -> int:
    """``spasmbot healthcheck``: GET /healthz of the bot running here; prints its answer (Docker's HEALTHCHECK)."""
    import urllib.error
    import urllib.request

    env = dict(os.environ) if env is None else env
    port = env.get("SPASMBOT_HTTP_PORT", "").strip()
    if not (port.isascii() and port.isdigit()):
        print("unhealthy: SPASMBOT_HTTP_PORT is not set, so the bot serves no /healthz", file=sys.stderr)
        return 1
    url = f"http://127.0.0.1:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=8) as response:
            print(response.read().decode("utf-8", errors="replace"))
            return 0
    except urllib.error.HTTPError as exc:
        print(exc.read().decode("utf-8", errors="replace"), file=sys.stderr)
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
    return 1


CONFIG_ERROR = 2  # a setting is wrong: restarting cannot help (see _park)


def run(
    settings_env: dict[str, str] | None = None,
    *,
    webhook: bool = False,
    drop_pending: bool = False,
    init_db: bool = False,
) -> int:
    code = _run(settings_env, webhook=webhook, drop_pending=drop_pending, init_db=init_db)
    env = os.environ if settings_env is None else settings_env
    if code == CONFIG_ERROR and env.get("SPASMBOT_ON_CONFIG_ERROR", "").strip().lower() == "wait":
        _park()
    return code


def _park() -> None:
    """Wait for SIGTERM/SIGINT instead of exiting after a configuration error.

    Docker's ``--restart unless-stopped`` (and ``always``, and ``on-failure``) restarts a container
    whatever its exit code, so a wrong token would print the same error again every minute
    forever. With ``SPASMBOT_ON_CONFIG_ERROR=wait`` (set in the Docker image) the error is printed
    once, the container stays up without doing anything (its health check fails: no /healthz),
    and ``docker stop`` ends it with exit code 2. Fix the setting and recreate the container.
    """
    signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    print(
        "spasmbot: configuration error: not restarting; waiting for docker stop (SPASMBOT_ON_CONFIG_ERROR=wait)",
        file=sys.stderr,
        flush=True,
    )
    signal.sigwait(signals)


def _run(settings_env: dict[str, str] | None, *, webhook: bool, drop_pending: bool, init_db: bool) -> int:
    try:
        settings = load_settings(settings_env)
        if webhook and settings.service.webhook_url is None:
            raise ConfigError("--webhook needs SPASMBOT_WEBHOOK_URL, the public https URL Telegram posts updates to")
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return CONFIG_ERROR
    if drop_pending:
        settings = replace(settings, service=replace(settings.service, drop_pending_updates=True))
    setup_logging(settings.token, settings.service.log_format, settings.service.log_level)
    try:
        return asyncio.run(_run_bot(settings, init_db))
    except ContentInvalid as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print("error: refusing to start with invalid content (see `spasmbot check-content`)", file=sys.stderr)
        return 1


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(0)


def main(argv: list[str] | None = None) -> int:
    # First thing: as PID 1 in a container a signal without a handler is ignored, so a SIGTERM
    # arriving while the bot starts (imports, content, database) would be lost. Until the event
    # loop installs its own graceful handler (_run_bot), SIGTERM just ends the process.
    signal.signal(signal.SIGTERM, _terminate)
    parser = argparse.ArgumentParser(prog="spasmbot", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command")
    run_parser = sub.add_parser("run", help="run the bot on Telegram (long polling unless a webhook is configured)")
    run_parser.add_argument(
        "--webhook",
        action="store_true",
        help="receive updates by webhook at SPASMBOT_WEBHOOK_URL (behind a TLS reverse proxy)",
    )
    run_parser.add_argument(
        "--drop-pending-updates", action="store_true", help="discard the updates Telegram queued while the bot was down"
    )
    run_parser.add_argument(
        "--init-db",
        action="store_true",
        help="set up an existing zero-byte database file as a new database (refused otherwise)",
    )
    console = sub.add_parser("console", help="chat with the bot offline in this terminal")
    console.add_argument("--db", help="SQLite file to keep (default: a temporary database; SPASMBOT_DB is ignored)")
    sub.add_parser("healthcheck", help="ask the running bot's /healthz (SPASMBOT_HTTP_PORT); exit 0 if healthy")
    check = sub.add_parser("check-content", help="validate the content folder and exit")
    check.add_argument("directory", nargs="?", help="content root (default: the bundled content)")
    check.add_argument(
        "--today",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="warn about reviews due before this day instead of today (to plan reviews)",
    )
    args = parser.parse_args(argv)
    if args.command == "check-content":
        return check_content(args.directory, args.today)
    if args.command == "healthcheck":
        return healthcheck()
    if args.command == "console":
        from spasmbot.console import main as console_main

        return console_main(db=args.db)
    if args.command == "run":
        return run(webhook=args.webhook, drop_pending=args.drop_pending_updates, init_db=args.init_db)
    return run()
