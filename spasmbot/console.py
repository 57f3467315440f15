"""``spasmbot console``: the real bot, offline, in a terminal. No token, no network.

The same Application and handlers as on Telegram run against the in-process fake Bot API; the
console prints what the bot sends, numbers the buttons, and taps one when you type its number
or its text. Scheduled messages (tips, nudges) show up as they fall due while it runs.
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from spasmbot.clock import Clock, SystemClock
from spasmbot.config import Settings
from spasmbot.content import ContentInvalid, load_languages
from spasmbot.content.loader import default_content_dir
from spasmbot.fake_telegram import ChatClient, FakeMessage, FakeTelegram

BANNER = (
    "SpasmBot offline console — the real bot, no network.\n"
    "Type /start (or any command or text). Pick a button by its number or its text. "
    "'quit' or Ctrl+D to leave.\n"
)


def format_message(message: FakeMessage, edited: bool, first_number: int) -> tuple[str, list[str]]:
    """The message as a terminal shows it, with its buttons numbered from ``first_number``."""
    head = "✏️  (edited)\n" if edited else ""
    if message.photo is not None:
        body = f"[picture: {len(message.photo)} bytes] {message.caption or ''}".rstrip()
    else:
        body = message.plain
    lines = [head + body]
    data: list[str] = []
    number = first_number
    for row in message.buttons:
        cells = []
        for button in row:
            cells.append(f"[{number}] {button.text}")
            data.append(button.text)
            number += 1
        lines.append("   ".join(cells))
    return "\n".join(lines), data


class Console:
    def __init__(self, client: ChatClient, api: FakeTelegram, out: TextIO) -> None:
        self.client = client
        self.api = api
        self.out = out
        self.mark = api.touch_mark(client.chat_id)
        self.seen: set[int] = set()
        self.target: FakeMessage | None = None  # the newest message with buttons
        self.labels: list[str] = []

    def flush(self) -> None:
        """Print what the bot sent or edited since the last flush."""
        for message in self.api.touched_since(self.client.chat_id, self.mark):
            edited = message.message_id in self.seen
            self.seen.add(message.message_id)
            if message.deleted:
                continue
            text, labels = format_message(message, edited, 1)
            self.out.write("\n🤖 " + text + "\n")
            if labels:
                self.target, self.labels = message, labels
        self.mark = self.api.touch_mark(self.client.chat_id)
        self.out.flush()

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        label = self._button_for(line)
        if label is not None and self.target is not None:
            self.out.write(f"👆 {label}\n")
            await self.client.tap(self.target, label)
        else:
            await self.client.send(line)
        self.flush()

    def _button_for(self, line: str) -> str | None:
        if line.isdigit() and 1 <= int(line) <= len(self.labels):
            return self.labels[int(line) - 1]
        wanted = _normal(line)
        matches = [label for label in self.labels if _normal(label) == wanted]
        return matches[0] if len(matches) == 1 else None


def _normal(label: str) -> str:
    """Button text without its emoji and case, so typing "types of spasms" taps "🧬 Types of spasms"."""
    return re.sub(r"[^\w]+", " ", label).strip().casefold()


async def run_console(
    read_line: Callable[[], str],
    out: TextIO,
    db_path: Path,
    *,
    clock: Clock | None = None,
    content_dir: Path | None = None,
    echo: bool = False,
) -> int:
    """Chat until ``read_line`` returns '' (EOF) or 'quit'. Returns the exit code."""
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.storage import Store

    clock = clock or SystemClock()
    content, translations = load_languages(content_dir or default_content_dir())
    store = await Store.open(db_path)
    api = FakeTelegram(now=lambda: clock.now().timestamp())
    settings = Settings(token="", db_path=db_path)
    app = build_application(settings, content, store, clock, request=api, rate_limiter=False,
                            translations=translations)
    out.write(BANNER)
    try:
        async with app:
            await on_startup(app)
            await app.start()
            user = ChatClient(app, api, user_id=1, first_name="You", language_code="en")
            console = Console(user, api, out)
            while True:
                out.write("\n> ")
                out.flush()
                line = await asyncio.to_thread(read_line)
                if echo:  # input from a pipe is not shown by the terminal
                    out.write(line if line.endswith("\n") or not line else line + "\n")
                console.flush()  # anything scheduled that arrived while waiting
                if not line or line.strip().lower() in {"quit", "exit"}:
                    break
                await console.handle(line)
            await app.stop()
    finally:
        await store.close()
    out.write("\nBye! 👋\n")
    return 0


def main(db: str | None = None) -> int:
    """Chat in the terminal, on ``db`` or else on a temporary database deleted at exit.

    ``SPASMBOT_DB`` is ignored on purpose: in a container it names the production database, and
    ``docker exec ... spasmbot console`` must not write test chats (or a second process's
    reminders) into it. Pass ``--db`` to keep a console session's data.
    """
    with tempfile.TemporaryDirectory(prefix="spasmbot-console-") as scratch:
        path = Path(db) if db else Path(scratch) / "console.sqlite3"
        try:
            return asyncio.run(run_console(sys.stdin.readline, sys.stdout, path, echo=not sys.stdin.isatty()))
        except ContentInvalid as exc:
            for error in exc.errors:
                print(f"error: {error}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            return 0
