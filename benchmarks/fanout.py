"""Fan-out benchmark of the due-delivery mechanism, through the real Application and the fake Bot API.

    python benchmarks/fanout.py                 # all three parts (part 2 takes ~52 s of real time)
    python benchmarks/fanout.py --skip-limits   # parts 1 and 3 only
    python benchmarks/fanout.py --capacity 20000 --million 200000   # smaller, quicker

1. capacity: N subscribers whose daily tip is due in the same minute, no rate limiter: messages
   per second from the first due-selection to the last message sent (``deliver_due`` exactly as
   the job runs it), and the process's peak RSS.
2. Telegram's limits: 1,500 subscribers due at once through the bot's bulk lane (``TwoLaneLimiter``), against
   a fake Bot API that answers 429 (RetryAfter) like Telegram when more than 30 messages arrive
   within a second: sustained messages per second, RetryAfter answers, duplicates, misses.
3. the due-selection query on a database of 1,000,000 subscribers (due times spread over the
   day): milliseconds per batch of 500 for the query, the query plus decoding rows into ``Due``
   objects, and a whole claim (select, plan, compare-and-set, log, commit); bytes per user.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import resource
import statistics
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from spasmbot.clock import FakeClock  # noqa: E402
from spasmbot.config import Settings  # noqa: E402
from spasmbot.content.loader import load_content  # noqa: E402
from spasmbot.content.model import Content  # noqa: E402
from spasmbot.delivery import schedule  # noqa: E402
from spasmbot.delivery.claims import DEFAULT_BATCH, claim_batch  # noqa: E402
from spasmbot.delivery.schedule import Claim, Due, select_due, select_due_rows  # noqa: E402
from spasmbot.edge.app import build_application  # noqa: E402
from spasmbot.edge.delivery_job import deliver_due  # noqa: E402
from spasmbot.fake_telegram import FakeMessage, FakeTelegram  # noqa: E402
from spasmbot.storage import Store, users  # noqa: E402

DUE = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
ZONE = "Europe/Berlin"
TOKEN = "123456:BENCH-token-for-the-fake-bot-api-xxxxxxxx"


class CountingTelegram(FakeTelegram):
    """The fake Bot API, counting messages per chat instead of keeping them.

    Keeping 100,000 messages (with their parsed entities) would make the figures about the
    fake's memory and garbage collection, not the bot's.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.per_chat: Counter[int] = Counter()

    def _store(self, msg: FakeMessage) -> None:
        self.per_chat[msg.chat_id] += 1

    async def do_request(self, url: str, method: str, request_data: Any = None, **kwargs: Any) -> tuple[int, bytes]:
        if len(self.calls) >= 1_000:  # the call log would grow like the messages
            self.calls.clear()
        return await super().do_request(url, method, request_data, **kwargs)


class TelegramLimits(CountingTelegram):
    """The fake Bot API, enforcing ~30 messages/s overall like Telegram (token bucket, real time)."""

    def __init__(self, rate: float = 30.0, burst: float = 30.0) -> None:
        super().__init__()
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()
        self.retry_after_answers = 0
        self.accepted: deque[float] = deque()

    async def do_request(self, url: str, method: str, request_data: Any = None, **kwargs: Any) -> tuple[int, bytes]:
        if url.endswith("/sendMessage"):
            now = time.monotonic()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                self.retry_after_answers += 1
                body = {
                    "ok": False,
                    "error_code": 429,
                    "description": "Too Many Requests: retry after 1",
                    "parameters": {"retry_after": 1},
                }
                return 429, json.dumps(body).encode()
            self.tokens -= 1
            self.accepted.append(now)
        return await super().do_request(url, method, request_data, **kwargs)


async def seed(store: Store, count: int, due: datetime, spread: timedelta | None = None) -> None:
    """``count`` subscribers of daily tips; all due at ``due``, or spread evenly over ``spread``."""
    step = spread / count if spread else timedelta(0)
    chunk = 50_000
    for start in range(1, count + 1, chunk):
        ids = range(start, min(start + chunk, count + 1))
        await users.add_many(store, ((uid, uid, "en", ZONE) for uid in ids), due - timedelta(days=1))
        await schedule.set_due_many(store, ((uid, "tips", due + step * (uid - 1), _payload(uid)) for uid in ids))


def _payload(uid: int) -> dict[str, Any]:
    """A subscriber somewhere in their rotation, as after weeks of running (not all alike)."""
    return {"time": "08:00", "pool": 1, "cycle": uid % 4, "cursor": uid % 51}


async def make_bot(path: Path, content: Content, clock: FakeClock, api: FakeTelegram, limiter: bool) -> Any:
    store = await Store.open(path)
    settings = Settings(token=TOKEN, db_path=path)
    app = build_application(settings, content, store, clock, request=api, rate_limiter=limiter)
    await app.initialize()
    return app, store


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def capacity(content: Content, workdir: Path, count: int, batch: int) -> dict[str, float]:
    clock = FakeClock(DUE - timedelta(hours=1))
    api = CountingTelegram(now=lambda: clock.now().timestamp())
    app, store = await make_bot(workdir / f"capacity-{batch}.sqlite3", content, clock, api, limiter=False)
    try:
        await seed(store, count, DUE)
        clock.set(DUE + timedelta(seconds=30))
        started = time.perf_counter()
        stats = await deliver_due(app, batch=batch)
        elapsed = time.perf_counter() - started
        sent = api.count("sendMessage")
        assert stats.sent == sent == count, (stats, sent)
        assert len(api.per_chat) == count and max(api.per_chat.values()) == 1
    finally:
        await app.shutdown()
        await store.close()
    return {"messages": count, "seconds": elapsed, "per_second": count / elapsed, "peak_rss_mb": peak_rss_mb()}


async def at_limits(content: Content, workdir: Path, count: int) -> dict[str, float]:
    clock = FakeClock(DUE - timedelta(hours=1))
    api = TelegramLimits()
    app, store = await make_bot(workdir / "limits.sqlite3", content, clock, api, limiter=True)
    try:
        await seed(store, count, DUE)
        clock.set(DUE + timedelta(seconds=30))
        started = time.perf_counter()
        stats = await deliver_due(app)
        elapsed = time.perf_counter() - started
        per_chat = api.per_chat
        duplicates = sum(n - 1 for n in per_chat.values() if n > 1)
        misses = sum(1 for uid in range(1, count + 1) if per_chat[uid] == 0)
        stamps = list(api.accepted)
        # sustained rate: after the limiter's initial burst, over the rest of the run
        steady = stamps[60:]
        sustained = (len(steady) - 1) / (steady[-1] - steady[0]) if len(steady) > 1 else 0.0
    finally:
        await app.shutdown()
        await store.close()
    return {
        "messages": stats.sent,
        "seconds": elapsed,
        "overall_per_second": stats.sent / elapsed,
        "sustained_per_second": sustained,
        "retry_after": api.retry_after_answers,
        "duplicates": duplicates,
        "misses": misses,
    }


async def million(content: Content, workdir: Path, count: int, batch: int) -> dict[str, float]:
    path = workdir / "million.sqlite3"
    store = await Store.open(path)
    try:
        seeded = time.perf_counter()
        await seed(store, count, DUE, spread=timedelta(days=1))
        seed_seconds = time.perf_counter() - seeded
        await store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = path.stat().st_size
        kinds = ["check_followup", "water", "tips"]  # the kinds build_application registers
        gc.collect()  # a full collection of the seeding garbage must not land inside a timing
        queries, decoded = [], []
        for hour in range(24):  # a batch's worth of rows is due at every hour of the day
            now = DUE + timedelta(hours=hour, minutes=1)
            async with store.transaction() as db:
                t0 = time.perf_counter()
                rows = await select_due_rows(db, now, kinds, batch)
                t1 = time.perf_counter()
                dues = await select_due(db, now, kinds, batch)
                t2 = time.perf_counter()
            assert rows and len(dues) == len(rows)
            queries.append((t1 - t0) * 1000)
            decoded.append((t2 - t1) * 1000)
        claims = []

        def plan(due: Due, logged: bool, now: datetime) -> Claim:
            return Claim(due, True, due.due_at + timedelta(days=1), due.payload)

        for hour in range(24):
            now = DUE + timedelta(hours=hour, minutes=1)
            t0 = time.perf_counter()
            claimed = await claim_batch(store, now, kinds, plan, batch)
            claims.append((time.perf_counter() - t0) * 1000)
            assert claimed
    finally:
        await store.close()
    return {
        "users": count,
        "seed_seconds": seed_seconds,
        "query_ms_median": statistics.median(queries),
        "query_ms_max": max(queries),
        "query_and_decode_ms_median": statistics.median(decoded),
        "claim_batch_ms_median": statistics.median(claims),
        "batch": batch,
        "bytes_per_user": size / count,
        "database_mb": size / 1e6,
    }


def show(title: str, figures: dict[str, float]) -> None:
    print(f"\n== {title}")
    for key, value in figures.items():
        print(f"  {key:28} {value:,.2f}" if isinstance(value, float) else f"  {key:28} {value:,}")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--capacity", type=int, default=100_000, help="subscribers due at once (part 1)")
    parser.add_argument("--batch", type=int, default=500, help="rows claimed per transaction (parts 1, 3)")
    parser.add_argument("--limits", type=int, default=1_500, help="subscribers for part 2")
    parser.add_argument("--skip-limits", action="store_true", help="skip part 2 (~52 s of real time)")
    parser.add_argument("--million", type=int, default=1_000_000, help="users for part 3")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    content = load_content(ROOT / "content")
    with tempfile.TemporaryDirectory(prefix="spasmbot-bench-") as tmp:
        workdir = Path(tmp)
        show(
            f"1. capacity: {args.capacity:,} due in one minute, no rate limiter, batch {args.batch}",
            await capacity(content, workdir, args.capacity, args.batch),
        )
        if args.batch != DEFAULT_BATCH:
            show(
                f"1b. the same with the bot's default batch of {DEFAULT_BATCH}",
                await capacity(content, workdir, args.capacity, DEFAULT_BATCH),
            )
        if not args.skip_limits:
            show(
                f"2. at Telegram's limits: {args.limits:,} due at once, bulk lane (TwoLaneLimiter)",
                await at_limits(content, workdir, args.limits),
            )
        show(
            f"3. due-selection on {args.million:,} users",
            await million(content, workdir, args.million, args.batch),
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
