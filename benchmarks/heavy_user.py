"""A heavy user's /mydata next to everyone else, and memory per user who ever wrote.

    python benchmarks/heavy_user.py [--drinks 100000] [--users 30000]

1. One user with ``--drinks`` logged drinks asks for /mydata while another user keeps tapping.
   Printed: the export's wall time and file size, the longest the event loop was stuck
   (a 5 ms ticker's worst gap) and the other user's worst reply time during the export, for
   the export as built today (worker thread, own read-only connection) and, for comparison, the
   same export built on the event loop as before (``export_user`` + ``json.dumps``).
2. ``--users`` distinct users each send one message: the Python heap growth per user (tracemalloc)
   over the first 10,000 users and over the ones after the bound (``USER_DATA_KEPT``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


async def _setup(db: Path) -> tuple[Any, Any, Any]:
    from spasmbot.clock import FakeClock
    from spasmbot.config import Settings
    from spasmbot.content.loader import load_content
    from spasmbot.edge.app import build_application
    from spasmbot.fake_telegram import FakeTelegram
    from spasmbot.storage import Store

    store = await Store.open(db)
    api = FakeTelegram()
    clock = FakeClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    app = build_application(
        Settings(token="", db_path=db), load_content(), store, clock, request=api, rate_limiter=False
    )
    await app.initialize()
    return app, api, store


async def _while_ticking(work: Callable[[], Awaitable[Any]], other: Callable[[], Awaitable[Any]]) -> dict[str, float]:
    """Run ``work``; meanwhile a ticker measures loop stalls and ``other`` runs in a loop, timed."""
    worst_gap = 0.0
    worst_other = 0.0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal worst_gap
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            worst_gap = max(worst_gap, now - last - 0.005)
            last = now

    async def others() -> None:
        nonlocal worst_other
        while not done.is_set():
            started = time.perf_counter()
            await other()
            worst_other = max(worst_other, time.perf_counter() - started)
            await asyncio.sleep(0.01)

    tasks = [asyncio.create_task(ticker()), asyncio.create_task(others())]
    started = time.perf_counter()
    result = await work()
    elapsed = time.perf_counter() - started
    done.set()
    await asyncio.gather(*tasks)
    return {
        "seconds": elapsed,
        "worst_loop_stall_s": worst_gap,
        "other_user_worst_reply_s": worst_other,
        "bytes": float(len(result)) if isinstance(result, bytes | str) else 0.0,
    }


async def export_part(drinks: int) -> None:
    from spasmbot.fake_telegram import ChatClient
    from spasmbot.storage import users

    db = Path(tempfile.mkdtemp()) / "heavy.sqlite3"
    app, api, store = await _setup(db)
    heavy = ChatClient(app, api, user_id=1, first_name="H")
    other = ChatClient(app, api, user_id=2, first_name="O")
    await heavy.send("/start")
    await other.send("/start")
    start = int(datetime(2025, 3, 2, tzinfo=UTC).timestamp())
    await store.write_many(
        "INSERT INTO water_drinks (user_id, drunk_at, ml) VALUES (1, ?, 250)",
        [(start + 300 * i,) for i in range(drinks)],
    )
    header = {"exported_at": "now", "user_id": 1, "note": "All times are UTC."}

    async def now_way() -> bytes:
        await heavy.send("/mydata")
        [document] = [m for m in api.sent(1) if m.document is not None][-1:]
        return document.document or b""

    async def old_way() -> bytes:  # what /mydata did before: read and encode on the event loop
        data = await users.export_user(store, 1)
        return json.dumps({**header, "tables": data}, indent=2, ensure_ascii=False, default=str).encode()

    async def tap() -> None:
        await other.send("/menu")

    for name, work in (("worker thread (now)", now_way), ("on the event loop (before)", old_way)):
        figures = await _while_ticking(work, tap)
        print(
            f"/mydata with {drinks:,} drinks, {name}: {figures['seconds']:.2f} s, "
            f"{figures['bytes'] / 1e6:.1f} MB; longest event-loop stall {figures['worst_loop_stall_s']:.3f} s; "
            f"another user's slowest reply meanwhile {figures['other_user_worst_reply_s']:.3f} s"
        )
    await app.shutdown()
    await store.close()


async def memory_part(count: int) -> None:
    from spasmbot.edge.users import USER_DATA_KEPT
    from spasmbot.fake_telegram import ChatClient

    db = Path(tempfile.mkdtemp()) / "many.sqlite3"
    app, api, store = await _setup(db)
    tracemalloc.start()
    marks: list[int] = []
    for i in range(count):
        client = ChatClient(app, api, user_id=100_000 + i, first_name="U")
        await client.send("hello")
        api.forget_chat(client.chat_id)
        if i % 1000 == 999:
            api.trim_history()
        if i + 1 in (1000, USER_DATA_KEPT, count):
            marks.append(tracemalloc.get_traced_memory()[0])
    tracemalloc.stop()
    below = (marks[1] - marks[0]) / (USER_DATA_KEPT - 1000)
    above = (marks[2] - marks[1]) / (count - USER_DATA_KEPT)
    print(
        f"heap per user: {below:.0f} bytes for users 1,000-{USER_DATA_KEPT:,}, "
        f"{above:.0f} bytes for users {USER_DATA_KEPT:,}-{count:,} (beyond the bound); "
        f"user_data entries kept: {len(app.user_data):,}"
    )
    await app.shutdown()
    await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drinks", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=30_000)
    args = parser.parse_args()
    asyncio.run(export_part(args.drinks))
    asyncio.run(memory_part(args.users))


if __name__ == "__main__":
    main()
