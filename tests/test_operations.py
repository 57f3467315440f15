"""Operating the bot: log lines, database file hardening, retention, job failures counted not repeated."""

from __future__ import annotations

import io
import json
import logging
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest

from spasmbot.delivery import schedule
from spasmbot.edge import retention
from spasmbot.logs import FailureTally, setup_logging
from spasmbot.storage import Store, StoreError, db, users
from tests.helpers import START, Harness

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"


@pytest.fixture
def restore_logging() -> object:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield None
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)


# --- logs --------------------------------------------------------------------------------------


def test_json_log_lines_are_one_object_per_event_with_the_token_redacted(restore_logging: object) -> None:
    out = io.StringIO()
    setup_logging(TOKEN, "json", "INFO", stream=out)
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getMe 502", TOKEN)
    try:
        raise ValueError(f"boom with {TOKEN}\nsecond line")
    except ValueError:
        logging.getLogger("spasmbot.test").exception("it failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = (json.loads(line) for line in lines)
    assert first["message"] == "POST https://api.telegram.org/bot<token>/getMe 502"
    assert (second["level"], second["logger"], second["message"]) == ("ERROR", "spasmbot.test", "it failed")
    assert "ValueError" in second["error"] and "Traceback" in second["error"]
    assert TOKEN not in out.getvalue()


def test_text_log_keeps_a_traceback_on_one_line(restore_logging: object) -> None:
    out = io.StringIO()
    setup_logging(TOKEN, "text", "INFO", stream=out)
    try:
        raise RuntimeError("database is locked")
    except RuntimeError:
        logging.getLogger("spasmbot.test").exception("pass failed")
    [line] = out.getvalue().splitlines()
    assert "pass failed\\nTraceback" in line and "RuntimeError: database is locked" in line


def test_debug_level_does_not_open_the_libraries_that_log_users_texts(restore_logging: object) -> None:
    setup_logging(TOKEN, "text", "DEBUG", stream=io.StringIO())
    assert logging.getLogger("spasmbot.edge").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("telegram.ext.Application").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)


def test_failure_tally_logs_a_kind_once_then_counts_it(caplog: pytest.LogCaptureFixture) -> None:
    tally = FailureTally(logging.getLogger("spasmbot.test"), "delivery job", every=600)
    with caplog.at_level(logging.INFO, logger="spasmbot.test"):
        for _ in range(5):
            tally.failed(OSError("database is locked"))
        tally.failed(TimeoutError("timed out"))
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "delivery job failed: OSError: database is locked",
        "delivery job failed: TimeoutError: timed out",
    ]
    tally.every = 0  # the window is over: the next line carries the count of what was held back
    with caplog.at_level(logging.INFO, logger="spasmbot.test"):
        tally.failed(OSError("database is locked"))
    assert "OSError: database is locked (x5 since" in caplog.records[-1].getMessage()


@pytest.mark.filterwarnings("ignore:Tasks created via:telegram.warnings.PTBUserWarning")  # job.run off the loop
async def test_a_delivery_job_failing_every_tick_logs_one_line(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user = harness.user()
    await user.send("/start")
    await schedule.set_due(harness.store, user.user_id, "tips", START - timedelta(minutes=1), {"time": "09:00"})
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name("deliver_due")
    await harness.store.db.execute("PRAGMA query_only = ON")  # every pass now fails to claim
    with caplog.at_level(logging.INFO):
        for _ in range(6):
            await job.run(harness.app)
    await harness.store.db.execute("PRAGMA query_only = OFF")
    lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(lines) == 1, [r.getMessage() for r in lines]
    assert lines[0].getMessage().startswith("deliver_due job failed: OperationalError")
    assert lines[0].exc_info is None and str(user.user_id) not in lines[0].getMessage()
    assert harness.app.bot_data["metrics"].errors.labels("job")._value.get() == 6


# --- database file ------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def test_database_wal_and_shm_are_created_private(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await Store.open(path)
    try:
        await users.touch(store, 1, 1, "en", START)
        files = [path, tmp_path / "bot.sqlite3-wal", tmp_path / "bot.sqlite3-shm"]
        assert [_mode(f) for f in files] == [0o600, 0o600, 0o600]
    finally:
        await store.close()


async def test_an_existing_world_readable_database_is_narrowed(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    await (await Store.open(path)).close()
    path.chmod(0o644)
    store = await Store.open(path)
    await store.close()
    assert _mode(path) == 0o600


async def test_a_zero_byte_database_is_refused_unless_told_to_initialise(tmp_path: Path) -> None:
    path = tmp_path / "restored.sqlite3"
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="is an empty file") as refused:
        await Store.open(path)
    assert "\n" not in str(refused.value) and "--init-db" in str(refused.value)
    assert path.stat().st_size == 0  # untouched
    store = await Store.open(path, init_empty=True)
    try:
        assert store.schema_version == db.load_migrations()[-1].version
    finally:
        await store.close()


def test_an_unwritable_data_directory_names_the_uid_to_chown_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "getuid", lambda: 10001)
    monkeypatch.setattr(os, "getgid", lambda: 10001)
    hint = db._owner_hint(tmp_path)
    assert f"belongs to uid {tmp_path.stat().st_uid} but the bot runs as uid 10001" in hint
    assert "chown -R 10001:10001" in hint


async def test_forget_leaves_no_bytes_of_the_user_in_the_files(tmp_path: Path) -> None:
    path = tmp_path / "bot.sqlite3"
    store = await Store.open(path)
    marker = "zz-FORGETME-4711"
    try:
        await users.touch(store, 4711, 4711, marker, START)
        assert await users.forget_user(store, 4711) == 1
    finally:
        await store.close()
    assert marker.encode() not in _file_bytes(tmp_path)


def _file_bytes(directory: Path) -> bytes:
    return b"".join(p.read_bytes() for p in directory.iterdir() if p.name.startswith("bot.sqlite3"))


# --- retention ----------------------------------------------------------------------------------


async def test_retention_prunes_old_deliveries_log_rows_including_stopped_reminders(harness: Harness) -> None:
    store = harness.store
    for user_id in (1, 2):
        await users.touch(store, user_id, user_id, "en", START)
    now = harness.clock.now()
    rows = [
        (1, "tips", now - timedelta(days=30)),  # a reminder user 1 stopped a month ago
        (1, "water", now - timedelta(days=8)),
        (2, "tips", now - timedelta(days=6)),  # within the week: kept
        (2, "tips", now - timedelta(hours=1)),
    ]
    await store.write_many(
        "INSERT INTO deliveries (user_id, kind, slot_at, claimed_at, outcome) VALUES (?, ?, ?, ?, 'sent')",
        [(user_id, kind, db.epoch(at), db.epoch(at)) for user_id, kind, at in rows],
    )
    assert await retention.prune(harness.app) == 2
    left = await store.fetchall("SELECT user_id, kind FROM deliveries ORDER BY slot_at")
    assert [tuple(row) for row in left] == [(2, "tips"), (2, "tips")]
    assert await retention.prune(harness.app) == 0
    assert harness.app.job_queue is not None and harness.app.job_queue.get_jobs_by_name("retention")


# --- memory ---------------------------------------------------------------------------------------


async def test_per_user_memory_is_bounded_to_the_most_recent_users(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from spasmbot.edge import users as users_edge

    monkeypatch.setattr(users_edge, "USER_DATA_KEPT", 3)
    monkeypatch.setattr(users, "SEEN_KEPT", 3)
    people = [harness.user(5000 + i, language_code="en") for i in range(5)]
    for person in people:
        await person.send("/start")
    assert sorted(harness.app.user_data) == [5002, 5003, 5004]
    assert sorted(harness.store.cache["users.seen"]) == [5002, 5003, 5004]
    [menu] = await people[0].send("/menu")  # an evicted user is simply known again
    assert "Main menu" in menu.plain
    assert sorted(harness.app.user_data) == [5000, 5003, 5004]
    row = await harness.store.fetchone("SELECT count(*) FROM users")
    assert row[0] == 5  # only memory was bounded; nobody's row was touched


# --- heavy users ----------------------------------------------------------------------------------


async def test_logging_is_capped_per_user_per_minute_with_a_friendly_reply(harness: Harness) -> None:
    from spasmbot.features.water.situation import MAX_DRINKS_PER_MINUTE

    user = harness.user()
    for _ in range(MAX_DRINKS_PER_MINUTE):
        [logged] = await user.send("/drank")
        assert "too_fast" not in logged.plain and "a lot of drinks" not in logged.plain
    [refused] = await user.send("/drank 300")
    assert "a lot of drinks in one minute" in refused.plain
    [home] = await user.send("/water")
    await user.tap(home, "Drank a glass")
    assert user.alerts[-1].startswith("That's a lot of drinks in one minute")
    count = await harness.store.fetchone("SELECT count(*) FROM water_drinks")
    assert count[0] == MAX_DRINKS_PER_MINUTE
    harness.clock.advance(minutes=1)  # a minute later it works again
    [logged] = await user.send("/drank")
    assert "a lot of drinks" not in logged.plain
    assert (await harness.store.fetchone("SELECT count(*) FROM water_drinks"))[0] == MAX_DRINKS_PER_MINUTE + 1
