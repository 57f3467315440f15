"""Helpful-vote counts per card (table ``card_votes``). Holds no user id by design."""

from __future__ import annotations

from spasmbot.storage.db import Store


async def add_votes(store: Store, card_id: str, helpful: int, not_helpful: int) -> None:
    """Move the counts by the given deltas; a count never drops below zero."""
    await store.write(
        "INSERT INTO card_votes (card_id, helpful, not_helpful) VALUES (?, max(?, 0), max(?, 0)) "
        "ON CONFLICT(card_id) DO UPDATE SET helpful = max(helpful + ?, 0), not_helpful = max(not_helpful + ?, 0)",
        (card_id, helpful, not_helpful, helpful, not_helpful),
    )


async def votes(store: Store) -> dict[str, tuple[int, int]]:
    """card id -> (helpful, not helpful)."""
    rows = await store.fetchall("SELECT card_id, helpful, not_helpful FROM card_votes ORDER BY card_id")
    return {row[0]: (row[1], row[2]) for row in rows}
