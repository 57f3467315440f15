"""Guided-check state: the one run in progress per user and the last result of each check.

A run is stored as its answers; the engine replays them, so a restart mid-check resumes on the
next tap. Both tables carry ``user_id`` with ``ON DELETE CASCADE``, so /mydata exports them and
/forget deletes them like every other table.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from spasmbot.features.checks.engine import Result, Run
from spasmbot.storage.db import Store, epoch, from_epoch


def _dump(answers: tuple[tuple[str, int], ...]) -> str:
    return json.dumps([[step, index] for step, index in answers], separators=(",", ":"))


def _load(text: str) -> tuple[tuple[str, int], ...]:
    """Answers from JSON; anything malformed reads as no answers (the engine then sees it stale)."""
    try:
        raw = json.loads(text)
        return tuple((str(step), int(index)) for step, index in raw)
    except (ValueError, TypeError):
        return ()


async def get_run(store: Store, user_id: int) -> Run | None:
    row = await store.fetchone("SELECT check_id, version, answers FROM check_runs WHERE user_id = ?", (user_id,))
    if row is None:
        return None
    return Run(row["check_id"], row["version"], _load(row["answers"]))


async def save_run(store: Store, user_id: int, run: Run, step: str, now: datetime) -> None:
    """Store ``run`` (now at ``step``) as the user's one check in progress, replacing any other."""
    await store.write(
        "INSERT INTO check_runs (user_id, check_id, version, step, answers, started_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (user_id) DO UPDATE SET"
        " started_at = CASE WHEN check_runs.check_id = excluded.check_id"
        "   AND json_array_length(excluded.answers) > 0"
        "   THEN check_runs.started_at ELSE excluded.started_at END,"
        " check_id = excluded.check_id, version = excluded.version, step = excluded.step,"
        " answers = excluded.answers, updated_at = excluded.updated_at",
        (user_id, run.check_id, run.version, step, _dump(run.answers), epoch(now), epoch(now)),
    )


async def reset(store: Store, user_id: int) -> None:
    """Drop the user's check in progress (/start, Cancel); finished results are kept."""
    await store.write("DELETE FROM check_runs WHERE user_id = ?", (user_id,))


_UPSERT_RESULT = (
    "INSERT INTO check_results"
    " (user_id, check_id, version, outcome, answers, followup, finished_at, content_version)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (user_id, check_id) DO UPDATE SET version = excluded.version,"
    " outcome = excluded.outcome, answers = excluded.answers,"
    " followup = excluded.followup, finished_at = excluded.finished_at,"
    " content_version = excluded.content_version"
)


def _result_params(user_id: int, result: Result) -> tuple[Any, ...]:
    followup = None if result.followup is None else int(result.followup)
    return (
        user_id,
        result.check_id,
        result.version,
        result.outcome,
        _dump(result.answers),
        followup,
        epoch(result.finished_at),
        result.content_version,
    )


async def finish(store: Store, user_id: int, result: Result) -> None:
    """End the run and keep ``result`` as the user's last result of that check, atomically."""
    async with store.transaction() as db:
        await db.execute("DELETE FROM check_runs WHERE user_id = ?", (user_id,))
        await db.execute(_UPSERT_RESULT, _result_params(user_id, result))


async def keep_result(store: Store, user_id: int, result: Result) -> None:
    """Replace the user's last result of that check (e.g. after the follow-up answer),
    leaving any check in progress alone."""
    await store.write(_UPSERT_RESULT, _result_params(user_id, result))


def _row_to_result(row: Any) -> Result:
    followup = row["followup"]
    return Result(
        check_id=row["check_id"],
        version=row["version"],
        outcome=row["outcome"],
        answers=_load(row["answers"]),
        finished_at=from_epoch(row["finished_at"]),
        followup=None if followup is None else bool(followup),
        content_version=row["content_version"],
    )


async def results(store: Store, user_id: int) -> list[Result]:
    """The user's last result of each check, newest first."""
    rows = await store.fetchall(
        "SELECT * FROM check_results WHERE user_id = ? ORDER BY finished_at DESC, check_id",
        (user_id,),
    )
    return [_row_to_result(row) for row in rows]


async def get_result(store: Store, user_id: int, check_id: str) -> Result | None:
    row = await store.fetchone("SELECT * FROM check_results WHERE user_id = ? AND check_id = ?", (user_id, check_id))
    return _row_to_result(row) if row is not None else None


async def results_of(store: Store, check_id: str) -> list[tuple[int, Result]]:
    """Every user's last result of one check, as (user id, result)."""
    rows = await store.fetchall("SELECT * FROM check_results WHERE check_id = ?", (check_id,))
    return [(int(row["user_id"]), _row_to_result(row)) for row in rows]
