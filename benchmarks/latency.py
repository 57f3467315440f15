"""What users wait for, over real HTTP: the real ``spasmbot run`` process against a Bot API server
on 127.0.0.1 that answers every call after an injected round trip (default 80 ms).

The server is a small HTTP/1.1 server on asyncio streams (no extra dependency) in this process;
the Bot API's behaviour comes from ``spasmbot.fake_telegram.FakeTelegram`` (messages, edits,
callback answers, HTML checks), plus long polling, webhook delivery, Telegram's ~30 messages/s
flood limit (429 RetryAfter above it) and an outage switch (HTTP 502 from everything). Each
request waits half the round trip before it is carried out (the request travelling) and half
after (the answer travelling); a user "sees the new screen" when the edit is carried out.

    python benchmarks/latency.py [--quick] [--rtt-ms 80] [--skip-webhook]

Scenarios (targets from issue 9, for this 2-core machine):

1. 500 users tap a button at the same moment: time until each sees the new screen.
   Target p99 <= 1.0 s; the floor is 0.16 s (the update reaching the bot, the answer to the
   tap, the edit: half + one + half round trip). Also in webhook mode.
2. 100 taps/s for 60 s (``--quick``: 15 s) from 2,000 users: p99 <= 0.5 s and no growing
   backlog (p99 of the first and the last 10 s, updates still queued at the end).
3. 5,000 scheduled tips due (``--quick``: 1,500) while 200 users tap at once in the middle of
   the fan-out: their p99 <= 1.0 s, delivery >= 27 messages/s, 0 RetryAfter, 0 duplicates.
4. Outage: the Bot API answers 502 to everything for 60 s (``--quick``: 20 s) just as 600 tips
   (``--quick``: 300) fall due: tips lost and sent twice once it is back (target 0 and 0).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spasmbot.content.loader import load_content  # noqa: E402
from spasmbot.delivery import schedule  # noqa: E402
from spasmbot.edge.common import keyboard_json  # noqa: E402
from spasmbot.fake_telegram import FakeTelegram  # noqa: E402
from spasmbot.features.browse import screens  # noqa: E402
from spasmbot.storage import Store, users  # noqa: E402

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "benchmark-webhook-secret-0123456789"
ZONE = "Europe/Berlin"


@dataclass
class _Form:
    """What FakeTelegram reads from a request: its parameters (form values are strings)."""

    parameters: dict[str, Any]
    contains_files: bool = False


@dataclass
class Recorder:
    """Taps waiting for their screen, and every scheduled tip carried out."""

    pending: dict[int, float] = field(default_factory=dict)  # chat -> when the user tapped
    waits: list[tuple[float, float]] = field(default_factory=list)  # (tapped at, waited s)
    tips: Counter[int] = field(default_factory=Counter)
    tip_times: list[float] = field(default_factory=list)
    tip_chats: range = range(0)

    def carried_out(self, method: str, params: dict[str, Any], at: float) -> None:
        chat = int(params.get("chat_id", 0) or 0)
        if method == "editMessageText" and chat in self.pending:
            tapped = self.pending.pop(chat)
            self.waits.append((tapped, at - tapped))
        elif method == "sendMessage" and chat in self.tip_chats:
            self.tips[chat] += 1
            self.tip_times.append(at)


class BotApiServer:
    """The Bot API over HTTP/1.1 on 127.0.0.1, answering after ``rtt`` seconds."""

    def __init__(self, rtt: float, recorder: Recorder) -> None:
        self.half = rtt / 2
        self.api = FakeTelegram()
        self.recorder = recorder
        self.updates: list[dict[str, Any]] = []
        self.arrived = asyncio.Event()
        self.polled = asyncio.Event()  # the bot's first getUpdates: it is running
        self.webhook_set = asyncio.Event()
        self.retry_after = 0
        self.outage_until = 0.0
        self.outage_calls = 0
        self._tokens = 30.0
        self._stamp = time.monotonic()
        self._server: asyncio.Server | None = None
        self.port = 0
        self.webhook_target = ""
        self._deliverer: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._deliverer is not None:
            self._deliverer.cancel()
        if self._server is not None:
            self._server.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what the users do ---------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> None:
        update["update_id"] = self.api.next_update_id()
        self.updates.append(update)
        self.arrived.set()

    def backlog(self) -> int:
        return len(self.updates)

    # --- HTTP ----------------------------------------------------------------------------------

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                target = line.split(b" ")[1].decode()
                headers: dict[str, str] = {}
                while (raw := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = raw.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
                status, payload = await self._answer(target, headers.get("content-type", ""), body)
                writer.write(
                    b"HTTP/1.1 %d OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                    % (status, len(payload))
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _answer(self, target: str, content_type: str, body: bytes) -> tuple[int, bytes]:
        method = target.rstrip("/").rpartition("/")[2]
        if "json" in content_type and body:
            params = json.loads(body)
        else:
            params = dict(parse_qsl(body.decode(), keep_blank_values=True))
        await asyncio.sleep(self.half)  # the request travelling
        if time.monotonic() < self.outage_until:
            self.outage_calls += 1
            await asyncio.sleep(self.half)
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        if method == "getUpdates":
            result = await self._get_updates(params)
            await asyncio.sleep(self.half)
            return 200, json.dumps({"ok": True, "result": result}).encode()
        if method == "sendMessage" and not self._take_token():
            self.retry_after += 1
            await asyncio.sleep(self.half)
            return 429, json.dumps(
                {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
            ).encode()
        status, payload = await self.api.do_request(f"/bot{TOKEN}/{method}", "POST", _Form(params))  # type: ignore[arg-type]
        if status == 200:
            self.recorder.carried_out(method, params, time.monotonic())
            if method == "setWebhook":
                self.webhook_set.set()
        await asyncio.sleep(self.half)  # the answer travelling
        return status, payload

    def _take_token(self) -> bool:
        """Telegram's ~30 messages/s for sendMessage, as a token bucket (burst 30)."""
        now = time.monotonic()
        self._tokens = min(30.0, self._tokens + (now - self._stamp) * 30.0)
        self._stamp = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        if offset:
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
        self.polled.set()
        if not self.updates:
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), float(params.get("timeout") or 0) or 0.01)
            except TimeoutError:
                return []
        return self.updates[: int(params.get("limit") or 100)]

    # --- webhook mode --------------------------------------------------------------------------

    def deliver_to_webhook(self, port: int, path: str) -> None:
        self.webhook_target = f"http://127.0.0.1:{port}{path}"
        self._deliverer = asyncio.create_task(self._webhook_loop())

    async def _webhook_loop(self) -> None:
        """POST each update to the bot, up to 40 at once (Telegram's default max_connections)."""
        limit = asyncio.Semaphore(40)
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=40)) as client:

            async def post(update: dict[str, Any]) -> None:
                async with limit:
                    await asyncio.sleep(self.half)
                    await client.post(self.webhook_target, json=update, headers=headers, timeout=30)

            tasks: set[asyncio.Task[None]] = set()
            while True:
                await self.arrived.wait()
                self.arrived.clear()
                batch, self.updates = self.updates, []
                for update in batch:
                    task = asyncio.create_task(post(update))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)


# --- the bot process -----------------------------------------------------------------------------


class BotProcess:
    def __init__(self, server: BotApiServer, db: Path, webhook_port: int | None = None) -> None:
        self.server = server
        self.db = db
        self.webhook_port = webhook_port
        self.proc: asyncio.subprocess.Process | None = None
        self.log = db.with_suffix(".log")

    async def __aenter__(self) -> BotProcess:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": self.server.url,
            "SPASMBOT_DB": str(self.db),
            "PYTHONPATH": str(ROOT),
        }
        args = [sys.executable, "-m", "spasmbot", "run"]
        if os.environ.get("LATENCY_PROFILE"):  # where the bot's time goes: cProfile output file
            args[1:1] = ["-m", "cProfile", "-o", os.environ["LATENCY_PROFILE"]]
        if self.webhook_port is not None:
            env.update(
                {
                    "SPASMBOT_WEBHOOK_URL": "https://bench.invalid/hook",
                    "SPASMBOT_WEBHOOK_SECRET": SECRET,
                    "SPASMBOT_WEBHOOK_PORT": str(self.webhook_port),
                    "SPASMBOT_WEBHOOK_PATH": "/hook",
                }
            )
            args.append("--webhook")
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(*args, env=env, stdout=out, stderr=out, cwd=str(ROOT))
        ready = self.server.webhook_set if self.webhook_port is not None else self.server.polled
        waiting = asyncio.ensure_future(ready.wait())
        exited = asyncio.ensure_future(self.proc.wait())
        await asyncio.wait({waiting, exited}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if not waiting.done():
            exited.cancel()
            raise SystemExit(f"the bot did not start; see {self.log}:\n{self.log.read_text()[-2000:]}")
        exited.cancel()
        if self.webhook_port is not None:
            await asyncio.sleep(0.5)  # PTB's webhook server listens right after setWebhook
            self.server.deliver_to_webhook(self.webhook_port, "/hook")
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()


# --- users ---------------------------------------------------------------------------------------


class Users:
    """People with the main menu on screen; each tap alternates a section and the menu."""

    def __init__(self, server: BotApiServer, first_id: int, count: int) -> None:
        content = load_content(ROOT / "content")
        menu = screens.main_menu(content)
        self.menu_text = menu.text
        self.menu_keyboard = json.dumps(keyboard_json(menu))
        self.taps = [menu.rows[0][0].data, screens.MENU]  # a section, then back to the menu
        self.server = server
        self.ids = list(range(first_id, first_id + count))
        self.turn: dict[int, int] = {}
        self.message: dict[int, dict[str, Any]] = {}

    async def open_menus(self) -> None:
        api = self.server.api
        for uid in self.ids:
            api.register_chat({"id": uid, "type": "private", "first_name": "U"})
            _, body = await api.do_request(
                f"/bot{TOKEN}/sendMessage",
                "POST",
                _Form(
                    {  # type: ignore[arg-type]
                        "chat_id": uid,
                        "text": self.menu_text,
                        "parse_mode": "HTML",
                        "reply_markup": self.menu_keyboard,
                    }
                ),
            )
            self.message[uid] = json.loads(body)["result"]
            self.turn[uid] = 0

    def tap(self, uid: int, recorder: Recorder) -> None:
        data = self.taps[self.turn[uid] % 2]
        self.turn[uid] += 1
        recorder.pending[uid] = time.monotonic()
        self.server.push(
            {
                "callback_query": {
                    "id": self.server.api.new_callback_query(uid),
                    "from": {"id": uid, "is_bot": False, "first_name": "U", "language_code": "en"},
                    "message": self.message[uid],
                    "chat_instance": f"-{uid}0042",
                    "data": data,
                }
            }
        )


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def summary(waits: list[float]) -> str:
    return (
        f"p50 {percentile(waits, 50):.3f} s, p90 {percentile(waits, 90):.3f} s, "
        f"p99 {percentile(waits, 99):.3f} s, max {max(waits, default=float('nan')):.3f} s"
    )


async def until(check: Callable[[], bool], limit: float) -> bool:
    deadline = time.monotonic() + limit
    while not check():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


# --- scenarios -----------------------------------------------------------------------------------


async def burst(server: BotApiServer, recorder: Recorder, people: Users, label: str) -> list[float]:
    recorder.waits.clear()
    for uid in people.ids:
        people.tap(uid, recorder)
    done = await until(lambda: not recorder.pending, 120)
    waits = [w for _, w in recorder.waits]
    lost = "" if done else f", {len(recorder.pending)} never answered"
    print(f"{label}: {len(waits)} taps at once -> {summary(waits)}{lost}", flush=True)
    return waits


async def sustained(server: BotApiServer, recorder: Recorder, people: Users, seconds: float) -> None:
    recorder.waits.clear()
    rate = 100.0
    started = time.monotonic()
    sent = 0
    backlog: list[int] = []
    while (elapsed := time.monotonic() - started) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            people.tap(people.ids[sent % len(people.ids)], recorder)
            sent += 1
        backlog.append(server.backlog() + len(recorder.pending))
        await asyncio.sleep(0.01)
    await until(lambda: not recorder.pending, 60)
    waits = [w for _, w in recorder.waits]
    first = [w for t, w in recorder.waits if t - started < 10]
    last = [w for t, w in recorder.waits if t - started >= seconds - 10]
    print(
        f"2. sustained: {sent} taps in {seconds:.0f} s ({sent / seconds:.0f}/s) from {len(people.ids):,} users -> "
        f"{summary(waits)}",
        flush=True,
    )
    print(
        f"   p99 first 10 s {percentile(first, 99):.3f} s, last 10 s {percentile(last, 99):.3f} s; taps waiting "
        f"(queued or in handling): median {statistics.median(backlog):.0f}, max {max(backlog)}, "
        f"at the end {len(recorder.pending)}",
        flush=True,
    )


async def seed_tips(db: Path, first_id: int, count: int, due: datetime) -> None:
    store = await Store.open(db)
    try:
        ids = range(first_id, first_id + count)
        await users.add_many(store, ((uid, uid, "en", ZONE) for uid in ids), due - timedelta(days=1))
        await schedule.set_due_many(
            store,
            (
                (
                    uid,
                    "tips",
                    due,
                    {"time": due.astimezone().strftime("%H:%M"), "pool": 1, "cycle": uid % 4, "cursor": uid % 51},
                )
                for uid in ids
            ),
        )
    finally:
        await store.close()


async def fanout_with_taps(rtt: float, tips: int, workdir: Path) -> None:
    recorder = Recorder(tip_chats=range(2_000_000, 2_000_000 + tips))
    server = BotApiServer(rtt, recorder)
    await server.start()
    db = workdir / "fanout.sqlite3"
    await seed_tips(db, 2_000_000, tips, datetime.now(UTC) - timedelta(minutes=1))
    people = Users(server, 3_000_000, 200)
    await people.open_menus()
    try:
        async with BotProcess(server, db):
            await until(lambda: sum(recorder.tips.values()) >= min(300, tips // 3), 180)
            tapped_at_tip = sum(recorder.tips.values())
            for uid in people.ids:
                people.tap(uid, recorder)
            await until(lambda: not recorder.pending, 120)
            waits = [w for _, w in recorder.waits]
            await until(lambda: len(recorder.tips) >= tips, tips / 20 + 120)
    finally:
        await server.stop()
    times = sorted(recorder.tip_times)
    rate = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    duplicates = sum(1 for n in recorder.tips.values() if n > 1)
    print(
        f"3. {tips:,} tips due, 200 users tap at once after tip {tapped_at_tip}: their wait {summary(waits)}",
        flush=True,
    )
    print(
        f"   delivery {rate:.1f} messages/s sustained, {len(recorder.tips):,}/{tips:,} delivered, "
        f"{server.retry_after} RetryAfter, {duplicates} duplicates",
        flush=True,
    )


async def outage(rtt: float, tips: int, seconds: float, workdir: Path) -> None:
    recorder = Recorder(tip_chats=range(4_000_000, 4_000_000 + tips))
    server = BotApiServer(rtt, recorder)
    await server.start()
    db = workdir / "outage.sqlite3"
    await seed_tips(db, 4_000_000, tips, datetime.now(UTC) + timedelta(seconds=3))
    try:
        async with BotProcess(server, db):
            server.outage_until = time.monotonic() + seconds  # before the first delivery pass (5 s)
            began = time.monotonic()
            await until(lambda: len(recorder.tips) >= tips, seconds + 180 + tips / 20)
            took = time.monotonic() - began
    finally:
        await server.stop()
    lost = tips - len(recorder.tips)
    duplicates = sum(1 for n in recorder.tips.values() if n > 1)
    print(
        f"4. outage: 502 from everything for {seconds:.0f} s as {tips:,} tips fell due: {lost} lost, "
        f"{duplicates} sent twice; all delivered {took:.0f} s after the outage began "
        f"({server.outage_calls} calls met the outage)",
        flush=True,
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs (15 s sustained, fewer tips)")
    parser.add_argument("--rtt-ms", type=float, default=80.0, help="injected round trip (default 80 ms)")
    parser.add_argument("--skip-webhook", action="store_true")
    parser.add_argument("--only", type=int, choices=[1, 2, 3, 4], help="run one scenario")
    args = parser.parse_args()
    rtt = args.rtt_ms / 1000
    print(
        f"round trip {args.rtt_ms:.0f} ms; floor for a tap {2 * rtt:.2f} s; cores: {os.cpu_count()}, "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if args.only in (None, 1, 2):
            recorder = Recorder()
            server = BotApiServer(rtt, recorder)
            await server.start()
            burst_users = Users(server, 1_000_000, 500)
            steady_users = Users(server, 1_100_000, 2_000)
            await burst_users.open_menus()
            await steady_users.open_menus()
            try:
                async with BotProcess(server, workdir / "taps.sqlite3"):
                    if args.only in (None, 1):
                        await burst(server, recorder, burst_users, "1. polling")
                    if args.only in (None, 2):
                        await sustained(server, recorder, steady_users, 15 if args.quick else 60)
            finally:
                await server.stop()
        if args.only in (None, 1) and not args.skip_webhook:
            recorder = Recorder()
            server = BotApiServer(rtt, recorder)
            await server.start()
            people = Users(server, 1_000_000, 500)
            await people.open_menus()
            with __import__("socket").socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            try:
                async with BotProcess(server, workdir / "webhook.sqlite3", webhook_port=port):
                    await burst(server, recorder, people, "1. webhook")
            finally:
                await server.stop()
        if args.only in (None, 3):
            await fanout_with_taps(rtt, 1_500 if args.quick else 5_000, workdir)
        if args.only in (None, 4):
            await outage(rtt, 300 if args.quick else 600, 20 if args.quick else 60, workdir)


if __name__ == "__main__":
    asyncio.run(main())
