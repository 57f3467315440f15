"""The one due-delivery mechanism for every scheduled message, and the local-time maths it needs.

Every message the bot sends on its own (daily tips ``tips``, hydration nudges ``water``, guided-check
follow-ups ``check_followup``, ...) is one row in the ``schedule`` table::

    schedule(user_id, kind, due_at INTEGER epoch UTC, payload JSON, paused)  PRIMARY KEY(user_id, kind)

Feature code only writes rows (``spasmbot.delivery.schedule``)::

    await set_due(store, user_id, "water", when_utc, payload={"seq": 3})   # schedule / move
    await clear_due(store, user_id, "water")        # stop one kind; clear_due(store, uid) stops all
    due = await get_due(store, user_id, "water")     # -> Due | None (due.due_at, due.payload)
    await move_due(store, user_id, "water", due.due_at, new_utc)  # compare-and-set, keeps payload

and registers how its kind is sent, once, in ``spasmbot.edge.delivery_job``::

    register_kind(app, DeliveryKind(
        kind="water",
        max_late=timedelta(minutes=30),           # later than this after due_at: skip, don't send
        next_due=lambda services, due, now: ...,  # the following slot (> now), or None = delete row
        send=async def (bot, services, due): ..., # one message to due.chat_id (common.send_screen is
        advance=None,                             #   the way); optional advance(services, due) ->
        on_timezone_change=None,                  #   payload stored with the claim (send() sees it
    ))                                            #   as due.payload); optional zone-change hook

``Due`` carries the user's ``chat_id``, ``timezone`` and ``language`` too, so planning needs no
extra query. A row of a kind nobody registered is left alone (it stays due until its feature is
loaded again).

Nothing lives in memory: one recurring PTB job (``spasmbot.edge.delivery_job``, every 30 s) runs
``deliver_due(app)``, which repeats, until no row is due:

1. **Claim a batch** in one ``BEGIN IMMEDIATE`` transaction: select up to ``batch`` rows with
   ``due_at <= now AND paused = 0`` (partial index ``schedule_due``), decide for each (send, or skip
   because ``now - due_at > max_late``, or skip because the slot is already in the log), and move
   each row to ``next_due(...)`` with a compare-and-set on the old ``due_at`` (or delete it when
   ``next_due`` returns None), inserting the claimed slot into ``deliveries`` whose primary key
   ``(user_id, kind, slot_at)`` lets a slot be claimed once. Commit. (While the transaction is
   open, other tasks' statements on the shared connection wait: see ``spasmbot.storage.db``.)
2. **Send** the claimed messages (up to 16 requests in flight; through PTB's ``AIORateLimiter``
   in production, which keeps to 30 messages/s and waits out and retries ``RetryAfter``).
3. **Record** each outcome (``sent``/``blocked``/``failed``) in one transaction; a 403 Forbidden
   marks the user blocked and pauses every row of theirs (``paused = 1``). A RetryAfter that still
   escapes the limiter hands the untouched slots back (``release``) and ends the pass early.

Guarantees, and the price:

* **Never twice.** A slot is sent only by the pass that moved ``due_at`` past it in a committed
  transaction; a second pass, a restart or a second process finds the row at its next slot (the
  compare-and-set fails for a stale read) and the log refuses the same slot again.
* **No backlog floods.** A restarted bot sends a missed slot once if it is at most ``max_late``
  (tips: 3 h) late, otherwise skips it (logged ``late``) and moves the row to its next slot. After
  an outage of several days, a kind with ``latest_slot`` (tips) sends only the most recent slot,
  and only if that one is within ``max_late``: one tip for today, never one per missed day.
* **A crash loses no later day, and at most the messages in flight.** Rows not yet claimed are
  untouched and are sent after restart (within ``max_late``). A claimed slot is never re-sent (a
  duplicate is worse than a miss for a reminder), so what a hard crash (kill -9, power cut) can
  lose is the batch being sent. The bot claims ``DEFAULT_BATCH`` = 16 rows at a time and sends
  them with 16 workers, so every claimed message is already in flight (on the wire, or waiting
  its turn in the rate limiter, about half a second at 30/s): each of those arrived or is missed
  for that day only (the row already points at the next day), and nothing claimed sits idle
  behind them. With ``batch=1`` it is exactly the single in-flight message. A graceful stop
  (SIGTERM) finishes the batch in hand and ends the pass there; the remaining rows stay due for
  the next start. Unconfirmed slots are visible as ``deliveries.outcome IS NULL``.
* **Users' changes win.** A feature's ``set_due``/``clear_due`` waits for an open claim; a change
  computed from an earlier read uses ``move_due`` (compare-and-set), so it never undoes a claim.

Local times (``spasmbot.delivery.localtime``): a daily slot at local ``HH:MM`` is computed with
``zoneinfo`` and ``fold=0``: on the
spring-forward day a time inside the gap (02:30 in Berlin) maps to the instant the clocks would
have shown it with the old offset, i.e. 03:30 new local time; on the fall-back day a repeated
time fires once, at its first occurrence.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime

from spasmbot.delivery.schedule import Claim, ClaimConflict, Due, apply_claims, select_due
from spasmbot.storage.db import Store

__all__ = ["DEFAULT_BATCH", "Claim", "Due", "Planner", "claim_batch"]

log = logging.getLogger(__name__)

DEFAULT_BATCH = 16  # rows claimed per transaction: the delivery job's send concurrency
Planner = Callable[[Due, bool, datetime], Claim]


async def claim_batch(store: Store, now: datetime, kinds: Sequence[str], plan: Planner, limit: int) -> list[Claim]:
    """Select, decide and claim up to ``limit`` due rows in one transaction (step 1 above).

    ``plan(due, logged, now)`` returns the Claim for one row and must not write to the store.
    A row changed meanwhile (a user moving their time) makes the batch retry from a fresh read.
    """
    for _ in range(5):
        try:
            async with store.transaction() as db:
                rows = await select_due(db, now, kinds, limit)
                claims = [plan(due, logged, now) for due, logged in rows]
                if claims:
                    await apply_claims(db, claims, now)
                return claims
        except ClaimConflict as exc:
            log.info("delivery batch re-read: %s", exc)
    raise RuntimeError("due rows kept changing during five claim attempts")
