"""Start-up from the command line: configuration errors, invalid content, the console, no leaked token."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from spasmbot.config import ConfigError, load_settings
from spasmbot.console import run_console
from spasmbot.logs import RedactToken

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.mark.parametrize(
    ("env", "message"),
    [({}, "TELEGRAM_BOT_TOKEN is not set"), ({"TELEGRAM_BOT_TOKEN": "nonsense"}, "malformed")],
)
def test_missing_or_malformed_token_is_a_one_line_error_with_exit_code_2(
    env: dict[str, str], message: str, tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spasmbot"],
        env={"PATH": "/usr/bin", **env},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert "Traceback" not in proc.stderr


def test_webhook_flag_without_a_url_is_a_configuration_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spasmbot", "run", "--webhook"],
        env={"PATH": "/usr/bin", "TELEGRAM_BOT_TOKEN": TOKEN},
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip() == (
        "error: --webhook needs SPASMBOT_WEBHOOK_URL, the public https URL Telegram posts updates to"
    )


def test_settings_read_the_environment() -> None:
    settings = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "http://127.0.0.1:8081/", "SPASMBOT_DB": "/data/x.sqlite3"}
    )
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert str(settings.db_path) == "/data/x.sqlite3"
    assert TOKEN not in repr(settings)
    with pytest.raises(ConfigError):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": "ftp://x"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SPASMBOT_CONCURRENCY", "²"),
        ("SPASMBOT_CONCURRENCY", "0"),
        ("SPASMBOT_HTTP_PORT", "٨٠"),
        ("SPASMBOT_HTTP_PORT", "70000"),
    ],
)
def test_numbers_in_the_environment_are_ascii_and_in_range(name: str, value: str) -> None:
    """Unicode digits pass str.isdigit() but not int(): a clear ConfigError, not a ValueError."""
    with pytest.raises(ConfigError, match=name):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, name: value})


def test_bot_refuses_to_start_on_invalid_content(tmp_path: Path) -> None:
    broken = tmp_path / "content" / "en"
    broken.mkdir(parents=True)
    (broken / "menu.yaml").write_text("items: [section:nothing]\n")
    env = {
        "PATH": "/usr/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SPASMBOT_CONTENT": str(tmp_path / "content"),
        "SPASMBOT_DB": str(tmp_path / "db.sqlite3"),
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }
    proc = subprocess.run([sys.executable, "-m", "spasmbot"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "refusing to start" in proc.stderr
    assert "sections" in proc.stderr
    assert TOKEN not in proc.stderr + proc.stdout


def test_token_is_redacted_from_log_lines() -> None:
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST https://api.telegram.org/bot%s/getMe", (TOKEN,), None
    )
    assert RedactToken(TOKEN).filter(record)
    assert TOKEN not in record.getMessage() and "<token>" in record.getMessage()


def _lines(*lines: str) -> Iterator[str]:
    yield from (line + "\n" for line in lines)


async def test_console_chats_offline(tmp_path: Path) -> None:
    feed = _lines("/start", "Types of spasms", "1", "menu", "what is this?", "quit")
    out = io.StringIO()
    code = await run_console(lambda: next(feed, ""), out, tmp_path / "console.sqlite3")
    text = out.getvalue()
    assert code == 0
    assert "I'm SpasmBot" in text
    assert "[1] " in text and "Types of spasms" in text
    assert "👆 🧬 Types of spasms" in text
    assert "👆 Cramps" in text  # button 1 on the Types screen
    assert "(edited)" in text
    assert "I couldn't find" in text  # "what is this?" is a question with no topic in it
    assert text.rstrip().endswith("Bye! 👋")


def test_console_command_runs_as_a_program(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "spasmbot", "console", "--db", str(tmp_path / "c.sqlite3")],
        input="/types\n2\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Twitching" in proc.stdout


async def test_self_hosted_bot_api_server_url_is_used(tmp_path: Path) -> None:
    from spasmbot.clock import SystemClock
    from spasmbot.content.loader import load_content
    from spasmbot.edge.app import build_application
    from spasmbot.fake_telegram import FakeTelegram
    from spasmbot.storage import Store

    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": "http://127.0.0.1:8081",
            "SPASMBOT_DB": str(tmp_path / "db.sqlite3"),
        }
    )
    store = await Store.open(settings.db_path)
    api = FakeTelegram()
    app = build_application(settings, load_content(), store, SystemClock(), request=api, rate_limiter=False)
    try:
        assert app.bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
        assert app.bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
        async with app:
            assert app.bot.username  # getMe went through the configured server (the fake here)
        assert api.count("getMe") == 1
    finally:
        await store.close()


def test_unreachable_bot_api_server_is_a_one_line_error(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "SPASMBOT_DB": str(tmp_path / "db.sqlite3"),
        "TELEGRAM_API_URL": "http://127.0.0.1:9",
    }  # nothing listens on the discard port
    proc = subprocess.run([sys.executable, "-m", "spasmbot"], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "cannot reach the Bot API at http://127.0.0.1:9" in proc.stderr
    assert "Traceback" not in proc.stderr and TOKEN not in proc.stderr
