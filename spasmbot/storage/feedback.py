"""Anonymous feedback counters (why people stop). Holds no user id by design."""

from __future__ import annotations

from spasmbot.storage.db import Store


async def count_stop_reason(store: Store, reason: str) -> None:
    await store.db.execute(
        "INSERT INTO stop_reasons (reason, count) VALUES (?, 1) "
        "ON CONFLICT(reason) DO UPDATE SET count = count + 1",
        (reason,),
    )
    await store.db.commit()


async def stop_reasons(store: Store) -> dict[str, int]:
    async with store.db.execute("SELECT reason, count FROM stop_reasons ORDER BY reason") as cursor:
        return {row[0]: row[1] for row in await cursor.fetchall()}
