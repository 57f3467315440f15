"""``spasmbot console``: the real bot, offline, in a terminal. No token, no network.

The same Application and handlers as on Telegram run against the in-process fake Bot API. The
console shows what a Telegram app would show:

* every message the bot sends or edits, numbered (``#3``), with numbered buttons. Type a button's
  number (or its text) to tap it on the newest message with buttons, or ``3.2`` to tap button 2
  of message #3 (a tip's "Read more" stays reachable after other messages). A button keeps its
  number while its message grows (an edit that only adds buttons appends numbers);
* the short notes ("toasts") and alerts that answer a tap;
* files: a document (``/mydata``) or a picture (the water chart) is saved to a folder and its
  name, size and path are printed;
* scheduled messages (tips, nudges, follow-ups) the moment they are sent, even while you are
  typing: input is read on a thread of its own, so the event loop keeps delivering.

Ctrl+C, Ctrl+D or ``quit`` leave cleanly: the bot stops, the database closes, exit code 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import signal
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from telegram.ext import Application

from spasmbot.clock import Clock, SystemClock
from spasmbot.config import Settings
from spasmbot.content.loader import default_content_dir, load_languages
from spasmbot.content.model import ContentInvalid
from spasmbot.fake_telegram import Button, ChatClient, FakeMessage, FakeTelegram

BANNER = (
    "SpasmBot offline console — the real bot, no network.\n"
    "Type /start (or any command or text). Tap a button by its number or its text; "
    "3.2 taps button 2 of message #3. 'quit', Ctrl+D or Ctrl+C to leave.\n"
)
PROMPT = "\n> "
_OLDER_BUTTON = re.compile(r"^#?(\d{1,6})\.(\d{1,3})$", re.ASCII)


@dataclass(slots=True)
class _Shown:
    """What the console printed for one bot message: its number and its buttons' numbers."""

    number: int
    buttons: dict[str, int] = field(default_factory=dict)  # button key -> number


def _keys(buttons: list[Button]) -> list[str]:
    """What identifies each button across edits: its data (or link, or text), made unique when
    two buttons send the same (a section's Back and Menu both open the menu)."""
    seen: dict[str, int] = {}
    keys = []
    for button in buttons:
        key = button.data or button.url or button.text
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys


def _numbered(buttons: list[Button], before: dict[str, int]) -> dict[str, int]:
    """Button numbers: kept from ``before`` when the keyboard only grew, else 1, 2, 3... afresh."""
    keys = _keys(buttons)
    if before and set(before) <= set(keys):
        numbers = dict(before)
        following = max(before.values(), default=0)
        for key in keys:
            if key not in numbers:
                following += 1
                numbers[key] = following
        return numbers
    return {key: index for index, key in enumerate(keys, start=1)}


def _size(count: int) -> str:
    return f"{count:,} bytes" if count < 10_000 else f"{count / 1024:,.1f} KB"


class Console:
    """Prints the chat as it changes and turns typed lines into messages and taps."""

    def __init__(self, client: ChatClient, api: FakeTelegram, out: TextIO, files_dir: Path | None = None) -> None:
        self.client = client
        self.api = api
        self.out = out
        self.mark = api.touch_mark(client.chat_id)
        self.answers_seen = len(api.answers(client.user_id))
        self.shown: dict[int, _Shown] = {}  # by message_id
        self.newest_with_buttons: int | None = None  # message_id
        self.idle = False  # waiting at the prompt: output must redraw it
        self._files_dir = files_dir

    # --- output ------------------------------------------------------------------------------

    def flush(self) -> None:
        """Print toasts and the messages sent or edited since the last flush."""
        parts: list[str] = []
        answers = self.api.answers(self.client.user_id)
        for reply in answers[self.answers_seen :]:
            if reply.text:
                parts.append(("⚠️ " if reply.show_alert else "💬 ") + reply.text)
        self.answers_seen = len(answers)
        for message in self.api.touched_since(self.client.chat_id, self.mark):
            if not message.deleted:
                parts.append(self._render(message))
        self.mark = self.api.touch_mark(self.client.chat_id)
        if not parts:
            return
        text = "\n" + "\n\n".join(parts) + "\n"
        if self.idle:  # a scheduled message while the user is at the prompt: print, then re-prompt
            text = "\r" + text + PROMPT
        self.out.write(text)
        self.out.flush()

    def _render(self, message: FakeMessage) -> str:
        shown = self.shown.get(message.message_id)
        edited = shown is not None
        if shown is None:
            shown = self.shown[message.message_id] = _Shown(len(self.shown) + 1)
        buttons = message.all_buttons()
        shown.buttons = _numbered(buttons, shown.buttons)
        head = f"🤖 #{shown.number}" + ("  ✏️ (edited)" if edited else "")
        lines = [head]
        if message.photo is not None:
            path = self._save(f"picture-{shown.number}.png", message.photo)
            lines.append(f"🖼 picture, {_size(len(message.photo))}, saved to {path}")
        if message.document is not None:
            name = Path(message.document_name or "document").name
            path = self._save(name, message.document)
            lines.append(f"📎 {name}, {_size(len(message.document))}, saved to {path}")
        if message.plain:
            lines.append(message.plain)
        numbers = iter([shown.buttons[key] for key in _keys(buttons)])
        for row in message.buttons:
            cells = []
            for button in row:
                cell = f"[{next(numbers)}] {button.text}"
                cells.append(cell + (f" ({button.url})" if button.url else ""))
            lines.append("   ".join(cells))
        if buttons:
            self.newest_with_buttons = message.message_id
        return "\n".join(lines)

    def _save(self, name: str, content: bytes) -> Path:
        if self._files_dir is None:
            self._files_dir = Path(tempfile.mkdtemp(prefix="spasmbot-console-files-"))
        self._files_dir.mkdir(parents=True, exist_ok=True)
        path = self._files_dir / name
        path.write_bytes(content)
        return path

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    # --- input -------------------------------------------------------------------------------

    async def handle(self, line: str) -> None:
        line = line.strip()
        if not line:
            return
        target = self._button_for(line)
        if isinstance(target, str):
            self.say(target)
        elif target is not None:
            message, button = target
            self.say(f"👆 {button.text}")
            if button.data is None:
                self.say(f"🔗 {button.url}")
            else:
                await self.client.tap_data(message, button.data)
        else:
            await self.client.send(line)
        self.flush()

    def _button_for(self, line: str) -> tuple[FakeMessage, Button] | str | None:
        """The button a typed line means; a hint (str) for a number that is no button; None for text."""
        older = _OLDER_BUTTON.match(line)
        if older:
            number, wanted = int(older.group(1)), int(older.group(2))
            message_id = next((mid for mid, s in self.shown.items() if s.number == number), None)
            if message_id is None:
                return f"(there is no message #{number})"
            return self._by_number(message_id, wanted) or f"(message #{number} has no button {wanted})"
        if self.newest_with_buttons is None:
            return None
        if line.isascii() and line.isdigit():
            return self._by_number(self.newest_with_buttons, int(line)) or f"(no button {line} on the last message)"
        message = self.api.message(self.client.chat_id, self.newest_with_buttons)
        wanted_text = _normal(line)
        matches = [b for b in message.all_buttons() if _normal(b.text) == wanted_text]
        return (message, matches[0]) if len(matches) == 1 else None

    def _by_number(self, message_id: int, number: int) -> tuple[FakeMessage, Button] | None:
        message = self.api.message(self.client.chat_id, message_id)
        if message.deleted:
            return None
        numbers = self.shown[message_id].buttons
        buttons = message.all_buttons()
        for key, button in zip(_keys(buttons), buttons, strict=True):
            if numbers.get(key) == number:
                return message, button
        return None


def _normal(label: str) -> str:
    """Button text without its emoji and case, so typing "types of spasms" taps "🧬 Types of spasms"."""
    return re.sub(r"[^\w]+", " ", label).strip().casefold()


class _ConsoleApi(FakeTelegram):
    """The fake Bot API, telling the console after every call so output appears as it happens."""

    def __init__(self, on_call: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_call = on_call

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        try:
            return await super().do_request(*args, **kwargs)
        finally:
            self.on_call()


class _LineReader:
    """Reads lines on a daemon thread so the event loop never blocks on the keyboard.

    A daemon thread (not ``asyncio.to_thread``): at exit nothing waits for a ``readline`` that
    only Enter would finish, which is what made Ctrl+C hang.
    """

    def __init__(self, read_line: Callable[[], str], loop: asyncio.AbstractEventLoop) -> None:
        self.lines: asyncio.Queue[str] = asyncio.Queue()
        self._read_line = read_line
        self._loop = loop
        threading.Thread(target=self._run, name="console-input", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                line = self._read_line()
            except (EOFError, OSError, ValueError):
                line = ""
            try:
                self._loop.call_soon_threadsafe(self.lines.put_nowait, line)
            except RuntimeError:  # the loop has closed: the console is gone
                return
            if not line:
                return


async def _next_line(reader: _LineReader, stop: asyncio.Event) -> str | None:
    """The next typed line; None when Ctrl+C asked to leave."""
    if stop.is_set():
        return None
    get = asyncio.ensure_future(reader.lines.get())
    stopped = asyncio.ensure_future(stop.wait())
    done, pending = await asyncio.wait({get, stopped}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    return get.result() if get in done else None


def _on_ctrl_c(stop: asyncio.Event) -> Callable[[], None]:
    """Catch SIGINT as "leave" (when this thread may): no KeyboardInterrupt through the bot."""
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, stop.set)
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or Windows
        return lambda: None

    def restore() -> None:
        loop.remove_signal_handler(signal.SIGINT)

    return restore


async def run_console(
    read_line: Callable[[], str],
    out: TextIO,
    db_path: Path,
    *,
    clock: Clock | None = None,
    content_dir: Path | None = None,
    files_dir: Path | None = None,
    echo: bool = False,
    on_ready: Callable[[Application[Any, Any, Any, Any, Any, Any]], None] | None = None,
) -> int:
    """Chat until ``read_line`` returns '' (EOF), 'quit', or Ctrl+C. Returns the exit code.

    ``on_ready(app)`` is called once the bot runs (tests use it to deliver due messages).
    """
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.storage import Store

    clock = clock or SystemClock()
    content, translations = load_languages(content_dir or default_content_dir())
    store = await Store.open(db_path)
    console: Console | None = None

    def on_call() -> None:
        if console is not None:
            console.flush()

    api = _ConsoleApi(on_call, now=lambda: clock.now().timestamp())
    settings = Settings(token="", db_path=db_path)
    app = build_application(settings, content, store, clock, request=api, rate_limiter=False, translations=translations)
    stop = asyncio.Event()
    forget_ctrl_c = _on_ctrl_c(stop)
    out.write(BANNER)
    try:
        async with app:
            await on_startup(app)
            await app.start()
            try:
                user = ChatClient(app, api, user_id=1, first_name="You", language_code="en")
                console = Console(user, api, out, files_dir)
                reader = _LineReader(read_line, asyncio.get_running_loop())
                if on_ready is not None:
                    on_ready(app)
                while True:
                    console.idle = True
                    out.write(PROMPT)
                    out.flush()
                    line = await _next_line(reader, stop)
                    console.idle = False
                    if line is None:
                        out.write("\n")
                        break
                    if echo:  # input from a pipe is not shown by the terminal
                        out.write(line if line.endswith("\n") or not line else line + "\n")
                    if not line or line.strip().lower() in {"quit", "exit"}:
                        break
                    await console.handle(line)
            finally:
                if app.running:
                    await app.stop()  # stops the delivery job before the database closes
    finally:
        forget_ctrl_c()
        await store.close()
    out.write("\nBye! 👋\n")
    out.flush()
    return 0


def main(db: str | None = None) -> int:
    """Chat in the terminal, on ``db`` or else on a temporary database deleted at exit.

    ``SPASMBOT_DB`` is ignored on purpose: in a container it names the production database, and
    ``docker exec ... spasmbot console`` must not write test chats (or a second process's
    reminders) into it. Pass ``--db`` to keep a console session's data.
    """
    from spasmbot.storage import StoreError

    with tempfile.TemporaryDirectory(prefix="spasmbot-console-") as scratch:
        path = Path(db) if db else Path(scratch) / "console.sqlite3"
        try:
            return asyncio.run(run_console(sys.stdin.readline, sys.stdout, path, echo=not sys.stdin.isatty()))
        except ContentInvalid as exc:
            for error in exc.errors:
                print(f"error: {error}", file=sys.stderr)
            return 1
        except StoreError as exc:  # the same one line as `spasmbot run`
            print(f"error: {exc}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:  # Ctrl+C before the console could catch it itself
            with contextlib.suppress(OSError):
                sys.stdout.write("\nBye! 👋\n")
            return 0
