"""Anonymous feedback counters (why people stop). Holds no user id by design."""

from __future__ import annotations

from spasmbot.storage.db import Store


async def count_stop_reason(store: Store, reason: str) -> None:
    await store.write(
        "INSERT INTO stop_reasons (reason, count) VALUES (?, 1) ON CONFLICT(reason) DO UPDATE SET count = count + 1",
        (reason,),
    )


async def stop_reasons(store: Store) -> dict[str, int]:
    return {row[0]: row[1] for row in await store.fetchall("SELECT reason, count FROM stop_reasons ORDER BY reason")}
