"""The SQLite store: one database file, opened once, migrated at start-up, never silently replaced.

Why it looks like this:

* One ``aiosqlite`` connection in autocommit mode (``isolation_level=None``). Every single
  statement is its own transaction, so a repository function that forgets to commit loses
  nothing, and ``await store.db.commit()`` is a harmless no-op.
* Statements that must be atomic together go through ``async with store.transaction() as db``
  (``BEGIN IMMEDIATE`` ... ``COMMIT``, rolled back on any exception). All tasks share the one
  connection, so a transaction is guarded: while one task has it open, every other task's
  ``store.db.execute``/``executemany``/``commit`` waits for it to end. Without that guard another
  handler's statement would silently join (and could be rolled back with) the delivery pass's
  transaction, or its ``commit()`` would commit half of it. ``store.db.execute`` is therefore
  safe for single writes too; ``store.write(sql, params)`` also returns the changed-row count.
  ``store.fetchone``/``fetchall`` hold the guard until the rows are read, so a reader never sees
  another task's uncommitted rows. Updates are handled concurrently (``spasmbot.edge.ordering``),
  so this guard is what keeps every handler's statements and every transaction apart.
* WAL journal, ``synchronous=NORMAL`` (durable across process crashes; an OS crash may lose the
  last moments), foreign keys on, a busy timeout for the rare second process (``spasmbot`` CLI).
* Schema changes are ``migrations/NNNN_name.sql`` files applied in number order, each in its own
  transaction together with ``PRAGMA user_version = NNNN``. A database whose version is newer
  than the newest migration, a file that is not SQLite, a corrupt or an unwritable file all
  raise :class:`StoreError` with one line naming the file, before anything is written to it.
* Files: the database (and so its ``-wal`` and ``-shm``) is created 0600, deleted rows are
  zeroed (``secure_delete``), and a zero-byte file is refused unless told to initialise it.
* Times are UTC: integer epoch seconds in columns named ``*_at`` (``due_at``, ``first_seen_at``),
  or ISO-8601 text with ``+00:00``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiosqlite
from aiosqlite.context import contextmanager as aiosqlite_contextmanager

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_HEADER = b"SQLite format 3\x00"
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


class StoreError(Exception):
    """The database cannot be used as it is; the message is one line that names the file."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def epoch(instant: datetime) -> int:
    """An aware datetime as integer epoch seconds (UTC), the form ``*_at`` columns hold."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: every stored time must be aware (UTC)")
    return int(instant.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Every ``NNNN_name.sql`` in ``directory``, in version order; two files with one number fail."""
    found: dict[int, Migration] = {}
    for path in sorted(directory.glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if match is None:
            raise StoreError(f"{path}: migration file names must look like 0007_name.sql")
        version = int(match.group(1))
        if version in found:
            raise StoreError(f"{path}: migration number {version} is also used by {found[version].name}")
        found[version] = Migration(version, path.name, path.read_text(encoding="utf-8"))
    return [found[v] for v in sorted(found)]


def _check_file(given: str | Path, *, init_empty: bool = False) -> Path:
    """Refuse, before SQLite touches it, a path that is not a writable SQLite file.

    A zero-byte file is what a failed restore or an interrupted copy leaves behind; silently
    setting it up as a new, empty database would look like every user vanished. It is refused
    unless ``init_empty`` (``spasmbot run --init-db``) says to start afresh.
    """
    path = Path(given).expanduser().resolve()
    directory = path.parent
    if not directory.is_dir():
        raise StoreError(f"{path}: directory {directory} does not exist")
    if path.exists():
        if not path.is_file():
            raise StoreError(f"{path}: exists but is not a regular file")
        try:
            with path.open("rb") as handle:
                header = handle.read(len(SQLITE_HEADER))
        except OSError as exc:
            raise StoreError(f"{path}: cannot be read ({exc.strerror})") from exc
        if header and header != SQLITE_HEADER:
            raise StoreError(f"{path}: is not a SQLite database; refusing to overwrite it")
        if not header and not init_empty:
            raise StoreError(
                f"{path}: is an empty file (a failed restore?); restore the database, or start "
                "a new one with `spasmbot run --init-db`"
            )
        if not os.access(path, os.W_OK):
            raise StoreError(f"{path}: database file is not writable{_owner_hint(path)}")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise StoreError(
            f"{path}: directory {directory} is not writable (SQLite needs it for WAL){_owner_hint(directory)}"
        )
    return path


def _owner_hint(target: Path) -> str:
    """For a bind mount owned by someone else (often root): who we are and the chown that fixes it."""
    uid, gid = os.getuid(), os.getgid()
    try:
        owner = target.stat().st_uid
    except OSError:
        return ""
    if owner == uid:
        return ""
    return (
        f"; it belongs to uid {owner} but the bot runs as uid {uid}: on the host, "
        f"chown -R {uid}:{gid} the directory mounted there"
    )


def _create_private(path: Path) -> None:
    """Create the database file with mode 0600 before SQLite opens it.

    It holds health answers. SQLite creates the ``-wal`` and ``-shm`` files with the database
    file's permissions, so they are 0600 too. An existing file readable by others is narrowed to
    0600 (with its ``-wal``/``-shm``), once, with a log line.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
            try:
                mode = file.stat().st_mode & 0o777
                if mode & 0o077:
                    file.chmod(0o600)
                    log.info("%s: permissions narrowed from %o to 600 (it holds health answers)", file, mode)
            except FileNotFoundError:
                continue
            except OSError as exc:  # owned by someone else: leave it, say so
                log.warning("%s: could not narrow permissions to 600 (%s)", file, exc.strerror)
        return
    os.close(fd)


class _TaskGuard:
    """A lock that the task holding it may take again (a transaction's own statements pass)."""

    def __init__(self) -> None:
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None


class GuardedConnection(aiosqlite.Connection):
    """``aiosqlite.Connection`` whose statements wait while another task has a transaction open."""

    guard: _TaskGuard

    @aiosqlite_contextmanager
    async def execute(self, sql: str, parameters: Iterable[Any] | None = None) -> aiosqlite.Cursor:
        async with self.guard.hold():
            return await super().execute(sql, parameters)

    @aiosqlite_contextmanager
    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]]) -> aiosqlite.Cursor:
        async with self.guard.hold():
            return await super().executemany(sql, parameters)

    @aiosqlite_contextmanager
    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None) -> Iterable[sqlite3.Row]:
        async with self.guard.hold():
            return await super().execute_fetchall(sql, parameters)

    @aiosqlite_contextmanager
    async def execute_insert(self, sql: str, parameters: Iterable[Any] | None = None) -> sqlite3.Row | None:
        async with self.guard.hold():
            return await super().execute_insert(sql, parameters)

    async def commit(self) -> None:
        async with self.guard.hold():
            await super().commit()

    async def rollback(self) -> None:
        async with self.guard.hold():
            await super().rollback()


async def _connect(path: Path) -> GuardedConnection:
    location = str(path)
    db = GuardedConnection(lambda: sqlite3.connect(location, isolation_level=None), 64)
    db.guard = _TaskGuard()
    await db  # starts aiosqlite's thread and connects
    return db


class Store:
    """The open database. Create with ``await Store.open(path)``; close with ``await store.close()``."""

    def __init__(self, db: GuardedConnection, path: Path) -> None:
        self.db = db
        self.path = path
        self.schema_version = 0
        # Per-process memo for repositories (e.g. users seen recently); forgotten on restart.
        self.cache: dict[str, Any] = {}

    @classmethod
    async def open(
        cls, path: str | Path, migrations: Sequence[Migration] | None = None, *, init_empty: bool = False
    ) -> Store:
        """Open (creating if missing) and migrate the database at ``path``; ``:memory:`` works too.

        ``init_empty``: set up a zero-byte file as a new database instead of refusing it.
        """
        memory = str(path) == ":memory:"
        path = Path(path) if memory else _check_file(path, init_empty=init_empty)
        if not memory:
            _create_private(path)
        steps = list(migrations) if migrations is not None else load_migrations()
        try:
            db = await _connect(path)
        except sqlite3.Error as exc:
            raise StoreError(f"{path}: cannot open database ({exc})") from exc
        db.row_factory = aiosqlite.Row
        store = cls(db, path)
        try:
            await store._prepare(steps)
        except BaseException:
            await db.close()
            raise
        return store

    async def _prepare(self, steps: list[Migration]) -> None:
        path = self.path
        try:
            await self.db.execute("PRAGMA busy_timeout = 5000")
            version = await self._scalar("PRAGMA user_version")
            latest = steps[-1].version if steps else 0
            if version > latest:
                raise StoreError(
                    f"{path}: database schema version {version} is newer than this spasmbot "
                    f"knows ({latest}); upgrade spasmbot, the file was left untouched"
                )
            check = await self._scalar("PRAGMA quick_check")
            if check != "ok":
                raise StoreError(f"{path}: database is corrupt ({check}); left untouched")
            if str(path) != ":memory:":
                mode = await self._scalar("PRAGMA journal_mode = WAL")
                if str(mode).lower() != "wal":
                    raise StoreError(f"{path}: cannot switch the database to WAL mode ({mode})")
            await self.db.execute("PRAGMA synchronous = NORMAL")
            await self.db.execute("PRAGMA foreign_keys = ON")
            # Deleted rows are overwritten with zeros, so /forget leaves no readable bytes in the
            # file's free pages (the WAL copy goes at the next checkpoint, see forget_user).
            await self.db.execute("PRAGMA secure_delete = ON")
            for step in steps:
                if step.version > version:
                    await self._migrate(step)
                    version = step.version
        except StoreError:
            raise
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: unusable database ({exc}); left untouched") from exc
        self.schema_version = version

    async def _scalar(self, sql: str) -> Any:
        async with self.db.execute(sql) as cursor:
            row = await cursor.fetchone()
        return row[0] if row is not None else None

    async def _migrate(self, step: Migration) -> None:
        script = f"BEGIN IMMEDIATE;\n{step.sql}\n;PRAGMA user_version = {step.version};\nCOMMIT;"
        try:
            await self.db.executescript(script)
        except sqlite3.Error as exc:
            if self.db.in_transaction:
                await self.db.execute("ROLLBACK")
            raise StoreError(f"{self.path}: migration {step.name} failed ({exc})") from exc
        log.info("database %s migrated to version %d (%s)", self.path, step.version, step.name)

    async def close(self) -> None:
        await self.db.close()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """One atomic unit of writes: committed on success, rolled back on any exception.

        Not re-entrant across repositories by design: do not open one inside another.
        """
        async with self.db.guard.hold():
            await self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                await self.db.execute("ROLLBACK")
                raise
            await self.db.execute("COMMIT")

    async def write(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run one writing statement; returns the number of rows changed."""
        async with self.db.guard.hold():
            cursor = await self.db.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
            return count

    async def write_many(self, sql: str, rows: Iterable[Sequence[Any]]) -> int:
        """``executemany`` in one transaction; returns rows changed."""
        async with self.transaction() as db:
            cursor = await db.executemany(sql, rows)
            count = cursor.rowcount
            await cursor.close()
            return count

    async def fetchall(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Any]:
        # The guard spans the fetch too: stepping a cursor while another task's transaction is
        # open on the same connection would read its uncommitted (maybe rolled back) rows.
        async with self.db.guard.hold(), self.db.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def fetchone(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        async with self.db.guard.hold(), self.db.execute(sql, params) as cursor:
            return await cursor.fetchone()

    async def tables_with_user_id(self) -> list[str]:
        """Every table that has a ``user_id`` column: what /mydata exports and /forget deletes."""
        names = [
            row[0]
            for row in await self.fetchall(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        found = []
        for name in names:
            columns = await self.fetchall(f'PRAGMA table_info("{name}")')
            if any(column["name"] == "user_id" for column in columns):
                found.append(name)
        return found


def default_db_path() -> Path:
    """``$SPASMBOT_DB`` or ``spasmbot.sqlite3`` in the working directory (Docker sets ``/data/...``)."""
    return Path(os.environ.get("SPASMBOT_DB", "").strip() or "spasmbot.sqlite3")
