"""The offline console through its own code: live scheduled messages, toasts, files, older buttons,
stable numbers, Ctrl+C and database errors."""

from __future__ import annotations

import asyncio
import io
import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from spasmbot.clock import FakeClock
from spasmbot.console import run_console
from spasmbot.edge.delivery_job import deliver_due

START = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 15:00 in Berlin


def _read(path: Path) -> bytes:
    return path.read_bytes()


class Terminal(io.StringIO):
    """What the console printed, with a way to wait until some text has appeared."""

    def __init__(self) -> None:
        super().__init__()
        self.changed = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        self.changed.set()
        return written

    async def wait_for(self, text: str, after: int = 0) -> str:
        """Everything printed after offset ``after`` once ``text`` is among it."""
        while text not in self.getvalue()[after:]:
            self.changed.clear()
            await asyncio.wait_for(self.changed.wait(), timeout=30)
        return self.getvalue()[after:]


class Session:
    """A console running as a task; ``type`` feeds a line as if typed, and waits for the next prompt."""

    def __init__(self, tmp_path: Path) -> None:
        self.keys: queue.Queue[str] = queue.Queue()
        self.term = Terminal()
        self.clock = FakeClock(START)
        self.apps: list[Any] = []
        self.files = tmp_path / "files"
        self.task = asyncio.create_task(
            run_console(
                self.keys.get,
                self.term,
                tmp_path / "console.sqlite3",
                clock=self.clock,
                files_dir=self.files,
                echo=True,
                on_ready=self.apps.append,
            )
        )

    async def type(self, line: str) -> str:
        """Type ``line`` and Enter; what the console printed in answer, up to its next prompt."""
        mark = len(self.term.getvalue())
        self.keys.put(line + "\n")
        printed = await self.term.wait_for("\n> ", mark + len(line) + 1)
        return printed[: printed.rindex("\n> ")]


@pytest.fixture
async def session(tmp_path: Path) -> AsyncIterator[Session]:
    s = Session(tmp_path)
    await s.term.wait_for("\n> ")
    try:
        yield s
    finally:
        s.keys.put("quit\n")
        assert await asyncio.wait_for(s.task, timeout=30) == 0
        assert s.term.getvalue().rstrip().endswith("Bye! 👋")


async def test_a_scheduled_tip_appears_while_the_user_is_at_the_prompt(session: Session) -> None:
    await session.type("/tips")
    await session.type("Start daily tips")
    chosen = await session.type("Berlin")
    assert "Europe/Berlin" in chosen
    await session.type("1")  # Continue
    done = await session.type("9pm")
    assert "Daily tips at 21:00" in done
    mark = len(session.term.getvalue())
    session.clock.set(datetime(2026, 3, 2, 20, 0, tzinfo=UTC))
    [app] = session.apps
    assert (await deliver_due(app)).sent == 1  # nothing typed meanwhile: no Enter pressed
    printed = session.term.getvalue()[mark:]
    assert "Today's tip" in printed and "Read more" in printed
    assert printed.endswith("\n> ")  # the prompt is drawn again below it


async def test_older_messages_buttons_can_be_tapped_by_message_and_button_number(session: Session) -> None:
    await session.type("/tips")  # message #1 (or later): the tips home
    menu = await session.type("/start")
    number = int(re.search(r"🤖 #(\d+)\n👋", menu).group(1))  # type: ignore[union-attr]
    tips = re.search(r"🤖 #(\d+)\n💡", session.term.getvalue())
    assert tips is not None
    # "2" would tap the newest message (the menu); "<tips>.1" taps "Start daily tips" on the older one
    printed = await session.type(f"{tips.group(1)}.1")
    assert "👆 ✅ Start daily tips" in printed and "What time is it for you" in printed
    assert f"#{tips.group(1)}  ✏️ (edited)" in printed
    assert "(there is no message #99)" in await session.type("99.1")
    assert f"(message #{number} has no button 77)" in await session.type(f"{number}.77")


async def test_toasts_documents_and_the_chart_are_shown_and_saved(session: Session) -> None:
    await session.type("/drank")
    printed = await session.type("/mydata")
    match = re.search(r"📎 (spasmbot-data-1\.json), ([\d,]+) bytes, saved to (\S+)", printed)
    assert match is not None, printed
    saved = Path(match.group(3))
    assert saved.parent == session.files and _read(saved).startswith(b"{")
    assert f"{len(_read(saved)):,}" == match.group(2)
    assert "Everything SpasmBot stores about you" in printed
    await session.type("/water")
    printed = await session.type("Chart: 7 days")
    match = re.search(r"🖼 picture, ([\d.,]+ (?:bytes|KB)), saved to (\S+\.png)", printed)
    assert match is not None, printed
    assert _read(Path(match.group(2))).startswith(b"\x89PNG")
    await session.type("/water")
    await session.type("Time zone")
    await session.type("10:00")  # at 14:00 UTC: the regions at UTC-4 (Halifax, Caracas...)
    printed = await session.type("1")  # the first region there
    assert "💬 Time zone set: " in printed  # the picker's toast
    await session.type("/drank")
    printed = await session.type("Undo")
    assert "💬 ↩️ Taken back: 250 ml." in printed  # a tap's toast, as Telegram shows it


async def test_button_numbers_stay_put_when_a_message_only_grows(session: Session) -> None:
    [app] = session.apps
    from telegram import InlineKeyboardButton as B
    from telegram import InlineKeyboardMarkup as K

    sent = await app.bot.send_message(
        1, "Pick one", reply_markup=K([[B("Alpha", callback_data="b:m")], [B("Beta", callback_data="b:about")]])
    )
    assert "[1] Alpha\n[2] Beta" in session.term.getvalue()
    mark = len(session.term.getvalue())
    await app.bot.edit_message_text(
        "Pick one",
        1,
        sent.message_id,
        reply_markup=K(
            [
                [B("New first", callback_data="b:help")],
                [B("Alpha", callback_data="b:m")],
                [B("Beta", callback_data="b:about")],
            ]
        ),
    )
    grown = session.term.getvalue()[mark:]
    assert "[3] New first\n[1] Alpha\n[2] Beta" in grown
    printed = await session.type("2")
    assert "👆 Beta" in printed and "About" in printed
    await app.bot.send_message(1, "Other", reply_markup=K([[B("Gamma", callback_data="b:m")]]))
    assert "[1] Gamma" in session.term.getvalue()  # a different keyboard is numbered afresh


def _console(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SPASMBOT_DB", None)
    return subprocess.Popen(
        [sys.executable, "-m", "spasmbot", "console", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=env,
    )


def _read_until(proc: subprocess.Popen[str], text: str) -> str:
    assert proc.stdout is not None
    seen = ""
    while text not in seen:
        char = proc.stdout.read(1)
        assert char, f"the console ended before printing {text!r}: {seen[-300:]!r}"
        seen += char
    return seen


@pytest.mark.parametrize("when", ["at the prompt", "twice"])
def test_ctrl_c_leaves_cleanly_with_exit_code_0(tmp_path: Path, when: str) -> None:
    proc = _console(tmp_path, "--db", str(tmp_path / "c.sqlite3"))
    try:
        assert proc.stdin is not None
        _read_until(proc, "\n> ")
        proc.stdin.write("/start\n")
        proc.stdin.flush()
        _read_until(proc, "Main menu")
        _read_until(proc, "\n> ")
        proc.send_signal(signal.SIGINT)  # the stdin pipe stays open: nothing but Ctrl+C can end it
        if when == "twice":
            proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Error" not in err, err
    assert out.rstrip().endswith("Bye! 👋")
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:  # closed cleanly, the user's row is there
        assert db.execute("SELECT count(*) FROM users").fetchone() == (1,)


async def test_two_buttons_with_the_same_data_get_two_numbers(session: Session) -> None:
    printed = await session.type("/types")  # a section: Back and Menu both open the main menu
    assert re.search(r"\[(\d+)\] ⬅️ Back   \[(\d+)\] 🏠 Menu", printed) is not None
    back, menu = re.search(r"\[(\d+)\] ⬅️ Back   \[(\d+)\] 🏠 Menu", printed).groups()  # type: ignore[union-attr]
    assert int(menu) == int(back) + 1
    assert "👆 🏠 Menu" in await session.type(menu)
