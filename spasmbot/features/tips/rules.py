"""Rules of daily tips, Telegram-free: when the next tip is due and which tip it is.

Plugged into the shared delivery mechanism as the ``tips`` kind (``handlers.TIPS``): ``next_due``,
``latest_slot`` (catching up after an outage), ``moved_due`` (zone change), ``prepare`` and
``advance`` (the rotation, stored with each claim).
"""

from __future__ import annotations

from typing import Any

from spasmbot.content.model import Condition, Content
from spasmbot.delivery import daily
from spasmbot.delivery.schedule import Due
from spasmbot.features.checks import store as check_store
from spasmbot.features.checks.engine import Result
from spasmbot.features.tips import store as tip_store
from spasmbot.services import Services
from spasmbot.storage.db import Store

# When a tip is due: once a day at the user's local time, like every daily kind.
next_due = daily.next_slot
latest_slot = daily.latest_slot
moved_due = daily.moved_slot


_CURRENT_POOL = "tips.current_pool"
_CONDITIONS = "tips.conditions"  # user id -> the conditions they told a guided check about


async def prepare(svc: Services) -> None:
    """Once per pass: the current tip list's pool id (created if new), all pools cached, and who
    must not get which tips."""
    svc.store.cache[_CURRENT_POOL] = await tip_store.ensure_pool(svc.store, svc.content.tips)
    svc.store.cache[_CONDITIONS] = await conditions_by_user(svc.store, svc.content)


def told(content: Content, condition: Condition, result: Result) -> bool:
    """Whether a stored check result says the person has ``condition``.

    Results keep answers as (step, index). If the check has changed since (another version), an
    index may now point at another answer: any answer to that step then counts, so a changed check
    can hold a tip back from too many people but never send it to someone it could harm.
    """
    check = content.checks.get(condition.check)
    if check is None or condition.step not in check.steps:
        return False
    texts = [answer.text for answer in check.steps[condition.step].answers]
    if result.version != check.version:
        return any(step == condition.step for step, _ in result.answers)
    return any(
        step == condition.step and 0 <= index < len(texts) and texts[index] == condition.answer
        for step, index in result.answers
    )


async def conditions_by_user(store: Store, content: Content) -> dict[int, frozenset[str]]:
    """Who told a guided check about a condition that some tip must avoid (``avoid_if``)."""
    needed = {name for tip in content.tips.values() for name in tip.avoid_if}
    found: dict[int, set[str]] = {}
    for name in sorted(needed):
        condition = content.conditions[name]
        for user_id, result in await check_store.results_of(store, condition.check):
            if told(content, condition, result):
                found.setdefault(user_id, set()).add(name)
    return {user_id: frozenset(names) for user_id, names in found.items()}


def allowed_tips(content: Content, conditions: frozenset[str]) -> set[str]:
    """The tips that may go to someone with ``conditions``."""
    return {tip.id for tip in content.tips.values() if not conditions.intersection(tip.avoid_if)}


def advance(svc: Services, due: Due) -> dict[str, Any]:
    """Pick this slot's tip and move the rotation on; stored with the claim. A tip that could
    harm this person (``avoid_if`` a condition they told a check about) is skipped like a tip
    gone from the content."""
    pools = tip_store.cached_pools(svc.store)
    current: int = svc.store.cache[_CURRENT_POOL]
    rotation = tip_store.Rotation.from_payload(due.payload)
    conditions = svc.store.cache.get(_CONDITIONS, {}).get(due.user_id, frozenset())
    available = allowed_tips(svc.content, conditions) if conditions else svc.content.tips
    tip_id, after = tip_store.pick(rotation, due.user_id, pools, current, available)
    payload = {**due.payload, **after.to_payload()}
    payload["tip"] = tip_id
    return payload
