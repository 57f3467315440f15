"""The contract ``spasmbot.storage.db`` relies on when it subclasses ``aiosqlite.Connection``.

``GuardedConnection`` overrides every aiosqlite method that runs a statement, so no task's statement
slips into another task's open transaction. aiosqlite is pinned below its next minor version in
pyproject.toml; when it is raised, these tests say whether the subclass still covers the API.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
import pytest

from spasmbot.storage import Store
from spasmbot.storage.db import GuardedConnection

GUARDED = {"execute", "executemany", "execute_fetchall", "execute_insert", "commit", "rollback"}
# Used only while the store opens (no other task exists yet) or closes.
AT_OPEN_OR_CLOSE = {"executescript", "close", "stop"}
# Never called by spasmbot (a new use must be guarded first).
UNUSED = {
    "backup",
    "create_function",
    "cursor",
    "enable_load_extension",
    "interrupt",
    "iterdump",
    "load_extension",
    "set_authorizer",
    "set_progress_handler",
    "set_trace_callback",
}
ATTRIBUTES = {"in_transaction", "isolation_level", "row_factory", "text_factory", "total_changes"}


def test_aiosqlite_public_api_is_the_one_the_guard_was_written_for() -> None:
    public = {name for name in vars(aiosqlite.Connection) if not name.startswith("_")}
    assert public == GUARDED | AT_OPEN_OR_CLOSE | UNUSED | ATTRIBUTES, (
        "aiosqlite.Connection changed: guard any new statement method in GuardedConnection"
    )
    assert all(name in vars(GuardedConnection) for name in GUARDED)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "contract.sqlite3")
    yield opened
    await opened.close()


async def _context_managed(db: GuardedConnection) -> Any:
    async with db.execute("SELECT count(*) FROM users") as cursor:
        return await cursor.fetchone()


STATEMENTS: dict[str, Callable[[GuardedConnection], Awaitable[Any]]] = {
    "execute": lambda db: db.execute("SELECT count(*) FROM users"),
    "execute as context manager": _context_managed,
    "executemany": lambda db: db.executemany("DELETE FROM users WHERE user_id = ?", [(7,), (8,)]),
    "execute_fetchall": lambda db: db.execute_fetchall("SELECT count(*) FROM users"),
    "execute_insert": lambda db: db.execute_insert("DELETE FROM users WHERE user_id = 9"),
    "commit": lambda db: db.commit(),
    "rollback": lambda db: db.rollback(),
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
async def test_each_statement_method_waits_for_another_tasks_transaction(store: Store, name: str) -> None:
    entered, release = asyncio.Event(), asyncio.Event()

    async def hold_transaction() -> None:
        with contextlib.suppress(RuntimeError):
            async with store.transaction():
                entered.set()
                await release.wait()
                raise RuntimeError("roll back")

    holder = asyncio.create_task(hold_transaction())
    await entered.wait()
    other = asyncio.create_task(STATEMENTS[name](store.db))
    for _ in range(5):
        await asyncio.sleep(0)
    assert not other.done(), f"{name} ran inside another task's transaction"
    release.set()
    await holder
    await other
    assert not store.db.in_transaction
