"""Fixtures over the harness in ``tests.helpers`` (import helpers from there, never from conftest)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from spasmbot.clock import FakeClock
from tests.helpers import START, Harness, shipped_content


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def harness(tmp_path: Path, clock: FakeClock) -> AsyncIterator[Harness]:
    h = Harness(tmp_path / "bot.sqlite3", shipped_content(), clock, rate_limiter=False)
    await h.start()
    try:
        yield h
    finally:
        await h.stop()
