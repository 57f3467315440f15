"""The daily retention job: logs that would otherwise grow forever are pruned (README, "Retention").

Today that is the ``deliveries`` log: a row per claimed scheduled message, kept
:data:`spasmbot.storage.service.DELIVERIES_KEEP` (7 days) after its slot, including the rows of
reminders a user has since stopped (which the claim-time pruning never reaches again). Runs
:data:`FIRST_RUN` after start and then every :data:`EVERY`; each run logs one line.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from telegram.ext import Application, CallbackContext

from spasmbot.services import Services
from spasmbot.storage import service as service_store

log = logging.getLogger(__name__)

EVERY = timedelta(days=1)
FIRST_RUN = timedelta(minutes=10)


async def prune(app: Application[Any, Any, Any, Any, Any, Any]) -> int:
    """One retention run; returns the number of rows removed."""
    svc: Services = app.bot_data["services"]
    removed = await service_store.prune_deliveries(svc.store, svc.clock.now())
    log.info(
        "retention: removed %d deliveries-log rows older than %d days", removed, service_store.DELIVERIES_KEEP.days
    )
    return removed


async def _job(context: CallbackContext[Any, Any, Any, Any]) -> None:
    await prune(context.application)


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            _job, interval=EVERY, first=FIRST_RUN, name="retention", job_kwargs={"max_instances": 1, "coalesce": True}
        )
