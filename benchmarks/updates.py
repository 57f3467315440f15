"""Throughput, start-up time and memory of spasmbot against a bare python-telegram-bot bot.

Both bots run in their own process, through the same in-process fake Bot API and the same mix of
20,000 updates (commands and button taps from 200 users), so the ratio isolates spasmbot's own
per-update cost: handlers, rendering, the user middleware and SQLite.

    python benchmarks/updates.py [--updates 20000]

Targets (issue 2): per-update cost at most 1.5x the bare bot's; ready in 0.5 s or less; peak RSS
80 MB or less.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

USERS = 200
COMMANDS = ["/start", "/menu", "/types", "/prevent", "/faq", "/symptoms", "/help", "hello there"]
TAPS = ["b:m", "b:s:types:0", "b:c:cramps:0", "b:s:prevent:0", "b:c:hydration:0", "b:s:faq:0", "b:about"]


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


async def _drive(app: Any, api: Any, updates: int) -> float:
    """Send the mix through ``app``; returns updates per second."""
    from spasmbot.fake_telegram import ChatClient

    clients = [ChatClient(app, api, user_id=10_000 + i, first_name="U") for i in range(USERS)]
    for client in clients:
        await client.send("/menu")
    started = time.perf_counter()
    for i in range(updates):
        client = clients[i % USERS]
        if i % 2:  # tap on the newest message, as people do
            await client.tap_data(client.last_message(), TAPS[i % len(TAPS)])
        else:
            await client.send(COMMANDS[i % len(COMMANDS)])
        if i % 1000 == 999:
            api.trim_history()  # keep the fake's own record from growing: measure the bot
    elapsed = time.perf_counter() - started
    if api.unanswered_queries:
        raise SystemExit(f"{len(api.unanswered_queries)} callback queries left unanswered")
    return updates / elapsed


async def _spasmbot_worker(updates: int) -> dict[str, float]:
    from spasmbot.clock import SystemClock
    from spasmbot.config import Settings
    from spasmbot.content.loader import load_content
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.fake_telegram import FakeTelegram
    from spasmbot.storage import Store

    db = Path(tempfile.mkdtemp()) / "bench.sqlite3"
    store = await Store.open(db)
    api = FakeTelegram()
    app = build_application(
        Settings(token="", db_path=db), load_content(), store, SystemClock(), request=api, rate_limiter=False
    )
    async with app:
        await on_startup(app)
        rate = await _drive(app, api, updates)
    await store.close()
    return {"updates_per_s": rate, "peak_rss_mb": _peak_rss_mb()}


async def _bare_worker(updates: int, keyboard: bool = False) -> dict[str, float]:
    """The baseline: PTB with one handler per update type, each answering with one message.

    With ``keyboard``, every answer carries a menu-sized text and inline keyboard like
    spasmbot's screens, which isolates what PTB spends (de)serialising keyboards.
    """
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
    from telegram.constants import ParseMode
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, ContextTypes, Defaults, MessageHandler, filters

    from spasmbot.fake_telegram import FakeTelegram

    menu = (
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(f"🧭 Topic number {2 * r + c}", callback_data=f"b:s:topic{2 * r + c}:0")
                    for c in range(2)
                ]
                for r in range(6)
            ]
            + [[InlineKeyboardButton("🏠 Menu", callback_data="b:m")]]
        )
        if keyboard
        else None
    )
    text = "<b>Hello</b>" + (" and a paragraph of health information." * 12 if keyboard else "")

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=menu)

    taps = itertools.count()

    async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer()
        # a counter so the edit never hits "message is not modified"
        await update.callback_query.edit_message_text(f"{text} {next(taps)}", reply_markup=menu)

    api = FakeTelegram()
    app = (
        ApplicationBuilder()
        .token("123456:bare")
        .request(api)
        .get_updates_request(api)
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .build()
    )
    app.add_handler(MessageHandler(filters.ALL, on_message))
    app.add_handler(CallbackQueryHandler(on_tap))
    async with app:
        rate = await _drive(app, api, updates)
    return {"updates_per_s": rate, "peak_rss_mb": _peak_rss_mb()}


async def _ready_worker() -> None:
    """Everything ``spasmbot`` does before it takes its first update, then print READY."""
    from spasmbot.clock import SystemClock
    from spasmbot.config import Settings
    from spasmbot.content.loader import load_content
    from spasmbot.edge.app import build_application, on_startup
    from spasmbot.fake_telegram import FakeTelegram
    from spasmbot.storage import Store

    db = Path(tempfile.mkdtemp()) / "ready.sqlite3"
    store = await Store.open(db)
    api = FakeTelegram()
    app = build_application(Settings(token="", db_path=db), load_content(), store, SystemClock(), request=api)
    await app.initialize()
    await on_startup(app)
    print("READY", flush=True)
    await app.shutdown()
    await store.close()


async def _ready_bare_worker() -> None:
    """The floor: a bare PTB bot (import, build, getMe) before its first update, then READY."""
    from telegram.ext import ApplicationBuilder

    from spasmbot.fake_telegram import FakeTelegram

    api = FakeTelegram()
    app = ApplicationBuilder().token("123456:bare").request(api).get_updates_request(api).build()
    await app.initialize()
    print("READY", flush=True)
    await app.shutdown()


def _run_worker(kind: str, updates: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", kind, "--updates", str(updates)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _ready_seconds(worker: str = "ready", runs: int = 5) -> float:
    """Median wall time from spawning the interpreter to READY (start-up, content, DB, getMe).

    Bytecode caching is allowed (as for an installed package, whose .pyc files pip writes), and
    a first warm-up run fills the cache and the OS's file cache; it is not counted.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for run in range(runs + 1):
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", worker], stdout=subprocess.PIPE, text=True, env=env
        )
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.strip() == "READY":
                if run:
                    times.append(time.perf_counter() - started)
                break
        proc.wait()
    times.sort()
    return times[len(times) // 2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--worker", choices=["spasmbot", "bare", "bare-keyboard", "ready", "ready-bare"])
    args = parser.parse_args()
    if args.worker in ("ready", "ready-bare"):
        asyncio.run(_ready_worker() if args.worker == "ready" else _ready_bare_worker())
        return 0
    if args.worker == "spasmbot":
        print(json.dumps(asyncio.run(_spasmbot_worker(args.updates))))
        return 0
    if args.worker:
        print(json.dumps(asyncio.run(_bare_worker(args.updates, keyboard=args.worker == "bare-keyboard"))))
        return 0
    os.environ.setdefault("PYTHONHASHSEED", "0")
    bare = _run_worker("bare", args.updates)
    bare_kb = _run_worker("bare-keyboard", args.updates)
    bot = _run_worker("spasmbot", args.updates)
    ready = _ready_seconds()
    ready_bare = _ready_seconds("ready-bare")
    ratio = bare["updates_per_s"] / bot["updates_per_s"]
    ratio_kb = bare_kb["updates_per_s"] / bot["updates_per_s"]
    print(f"updates: {args.updates} (commands and button taps from {USERS} users)")
    print(
        f"bare PTB bot, one short message   : {bare['updates_per_s']:6.0f} updates/s   "
        f"peak RSS {bare['peak_rss_mb']:5.1f} MB"
    )
    print(
        f"bare PTB bot, menu-sized keyboards: {bare_kb['updates_per_s']:6.0f} updates/s   "
        f"peak RSS {bare_kb['peak_rss_mb']:5.1f} MB"
    )
    print(
        f"spasmbot                          : {bot['updates_per_s']:6.0f} updates/s   "
        f"peak RSS {bot['peak_rss_mb']:5.1f} MB"
    )
    print(f"per-update cost ratio (spasmbot / bare): {ratio:.2f}  (target <= 1.5)")
    print(f"per-update cost ratio (spasmbot / bare with keyboards): {ratio_kb:.2f}")
    print(
        f"ready after process start: {ready * 1000:.0f} ms  (target <= 500 ms; "
        f"a bare PTB bot: {ready_bare * 1000:.0f} ms)"
    )
    print(f"peak RSS: {bot['peak_rss_mb']:.1f} MB  (target <= 80 MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
