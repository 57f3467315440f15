"""Guided checks in the chat: ``/check``, the ``k:`` buttons and the ``check_followup`` delivery.

A check runs in one message edited in place. All state is in the store (``features.checks.store``), so a
restart mid-check resumes on the next tap. Anything that does not fit the user's current run
(another check's button, an older version of the check, a finished run) gets the friendly
"start again?" screen; malformed or forged data gets "this button has expired" and the list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from typing import Any

from telegram import Bot, Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import StaleTap
from spasmbot.callback_data import Tap as Pressed
from spasmbot.delivery import schedule
from spasmbot.delivery.schedule import Due
from spasmbot.edge import delivery_job
from spasmbot.edge.common import Context, answer, reply, send_screen, services, show
from spasmbot.edge.router import route
from spasmbot.features.checks import callbacks, engine, screens
from spasmbot.features.checks import store as store_checks
from spasmbot.features.checks.engine import Result, Run, StaleRun, Tap
from spasmbot.features.checks.model import Check, Step
from spasmbot.screen import Screen
from spasmbot.services import Services

log = logging.getLogger(__name__)

FOLLOWUP_KIND = "check_followup"
FOLLOWUP_MAX_LATE = timedelta(minutes=30)  # "still cramping?" an hour late would be odd


def _user_id(update: Update) -> int:
    """The sender's id; their ``users`` row is kept by the middleware in ``spasmbot.edge.users``."""
    user = update.effective_user
    assert user is not None
    return user.id


async def _list(svc: Services, user_id: int, preface: str = "") -> Screen:
    run = await store_checks.get_run(svc.store, user_id)
    results = await store_checks.results(svc.store, user_id)
    return screens.list_screen(svc.content, run, results, preface)


async def check_command(update: Update, context: Context) -> None:
    """/check: the list of checks, a Continue button for one in progress, and the last results."""
    svc = services(context)
    user_id = _user_id(update)
    await reply(update, context, await _list(svc, user_id))


async def open_check(update: Update, context: Context, check_id: str) -> bool:
    """Start a check (or offer to resume it) from outside its buttons, e.g. a deep link; False if unknown."""
    svc = services(context)
    check = svc.content.checks.get(check_id)
    if check is None:
        return False
    await _start(update, context, svc, _user_id(update), check, Tap("start", check.id))
    return True


async def on_button(update: Update, context: Context, pressed: Pressed) -> None:
    svc = services(context)
    user_id = _user_id(update)
    tap = engine.tap_of(pressed)
    check = svc.content.checks.get(tap.check) if tap.check else None
    if tap.check and check is None:
        raise StaleTap
    if tap.kind == "home":
        await answer(update)
        await show(update, context, await _list(svc, user_id))
        return
    if tap.kind == "resume":
        await _resume(update, context, svc, user_id)
        return
    assert check is not None
    handler = _BY_KIND[tap.kind]
    await handler(update, context, svc, user_id, check, tap)


async def expired(update: Update, context: Context) -> None:
    """A ``k:`` button that does not parse or names a check that is gone: the list, with a note."""
    await _expired(update, context, services(context), _user_id(update))


async def _expired(update: Update, context: Context, svc: Services, user_id: int) -> None:
    text = svc.content.ui("checks.expired")
    await answer(update, text[:200])
    await show(update, context, await _list(svc, user_id, text))


async def _stale(update: Update, context: Context, svc: Services, check: Check | None, active: Run | None) -> None:
    await answer(update)
    await show(update, context, screens.stale_screen(svc.content, check, active))


async def _show_position(update: Update, context: Context, svc: Services, user_id: int, check: Check, run: Run) -> None:
    """Save and show ``run``: the next step, or the result card once an outcome is reached."""
    node = engine.position(check, run)
    now = svc.clock.now()
    if isinstance(node, Step):
        await store_checks.save_run(svc.store, user_id, run, node.id, now)
        await show(update, context, screens.step_screen(svc.content, check, run))
        return
    result = Result(check.id, check.version, node.id, run.answers, now, content_version=svc.content.version)
    await store_checks.finish(svc.store, user_id, result)
    screen = screens.outcome_screen(svc.content, check, result)
    assert screen is not None  # node came from check.outcomes
    await show(update, context, screen)


async def _start(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    """``k:start``: offer to continue a half-done run of this check, else start it."""
    await answer(update)
    run = await store_checks.get_run(svc.store, user_id)
    if run is not None and run.check_id == check.id and run.answers:
        try:
            engine.position(check, run)
        except StaleRun:
            pass  # changed since: start afresh below
        else:
            await show(update, context, screens.resume_screen(svc.content, check, run))
            return
    await _show_position(update, context, svc, user_id, check, engine.start(check))


async def _new(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    """``k:new``: Start over (from a step, a result card or the stale screen)."""
    await answer(update)
    await _show_position(update, context, svc, user_id, check, engine.start(check))


async def _resume(update: Update, context: Context, svc: Services, user_id: int) -> None:
    run = await store_checks.get_run(svc.store, user_id)
    check = svc.content.checks.get(run.check_id) if run else None
    if run is None or check is None:
        await _expired(update, context, svc, user_id)
        return
    try:
        engine.position(check, run)
    except StaleRun:
        await store_checks.reset(svc.store, user_id)
        await _stale(update, context, svc, check, None)
        return
    await answer(update)
    await _show_position(update, context, svc, user_id, check, run)


async def _current_run(
    update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap
) -> Run | None:
    """The user's run if ``tap`` was made on its current step; otherwise reply and return None.

    A tap on another step of the same run (a double tap, an older copy of the message) just
    shows the current step again: the user resumes where they are. Without a run of this check
    (finished, cancelled, another check running) or after the YAML changed: "start again?".
    """
    run = await store_checks.get_run(svc.store, user_id)
    if run is None or run.check_id != check.id:
        if await _show_finished(update, context, svc, user_id, check, tap):
            return None
        await _stale(update, context, svc, check, run)
        return None
    try:
        node = engine.position(check, run)
    except StaleRun:  # the check's YAML changed since the run began
        await store_checks.reset(svc.store, user_id)
        await _stale(update, context, svc, check, None)
        return None
    if node.id == tap.step:
        return run
    await answer(update)
    await show(update, context, screens.step_screen(svc.content, check, run))
    return None


async def _show_finished(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> bool:
    """A tap on a step of the user's finished run of ``check`` (a double tap on an emergency answer,
    an older copy of the message) shows that result again instead of replacing it with "start
    again?": advice like "call your emergency number now" must stay on screen."""
    result = await store_checks.get_result(svc.store, user_id, check.id)
    if result is None or not screens.result_fits(check, result):
        return False
    if all(step_id != tap.step for step_id, _ in result.answers):
        return False
    screen = screens.outcome_screen(svc.content, check, result, await _followup_pending(svc, user_id, check))
    if screen is None:
        return False
    await answer(update, svc.content.ui("checks.finished_toast"))
    await show(update, context, screen)
    return True


async def _answer_step(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    step = check.steps.get(tap.step)
    if step is not None and tap.index >= len(step.answers):  # no such button ever existed
        await _expired(update, context, svc, user_id)
        return
    run = await _current_run(update, context, svc, user_id, check, tap)
    if run is None:
        return
    await answer(update)
    await _show_position(update, context, svc, user_id, check, engine.choose(check, run, tap.step, tap.index))


async def _back(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    run = await _current_run(update, context, svc, user_id, check, tap)
    if run is None:
        return
    await answer(update)
    if not run.answers:  # Back on the first question leaves the check
        await store_checks.reset(svc.store, user_id)
        await show(update, context, await _list(svc, user_id))
        return
    await _show_position(update, context, svc, user_id, check, engine.back(run))


async def _explain(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    run = await _current_run(update, context, svc, user_id, check, tap)
    if run is None:
        return
    await answer(update)
    await show(update, context, screens.step_screen(svc.content, check, run, explain=True))


async def _cancel(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    await answer(update)
    run = await store_checks.get_run(svc.store, user_id)
    preface = ""
    if run is not None and run.check_id == check.id:
        await store_checks.reset(svc.store, user_id)
        preface = svc.content.ui("checks.cancelled")
    await show(update, context, await _list(svc, user_id, preface))


async def _followup_pending(svc: Services, user_id: int, check: Check) -> bool:
    due = await schedule.get_due(svc.store, user_id, FOLLOWUP_KIND)
    return due is not None and due.payload.get("check") == check.id


async def _result(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    """``k:r``: show the user's last result of this check again."""
    result = await store_checks.get_result(svc.store, user_id, check.id)
    pending = await _followup_pending(svc, user_id, check)
    screen = screens.outcome_screen(svc.content, check, result, pending) if result else None
    if screen is None:
        await _stale(update, context, svc, check, None)
        return
    await answer(update)
    await show(update, context, screen)


async def _followup(update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap) -> None:
    """``k:f`` / ``k:fc``: schedule (or cancel) the "still cramping?" message."""
    result = await store_checks.get_result(svc.store, user_id, check.id)
    if check.followup is None or result is None:
        await _stale(update, context, svc, check, None)
        return
    minutes = check.followup.after_minutes
    if tap.kind == "f":
        due_at = svc.clock.now() + timedelta(minutes=minutes)
        await schedule.set_due(svc.store, user_id, FOLLOWUP_KIND, due_at, {"check": check.id})
        await answer(update, svc.content.ui("checks.followup_toast", minutes=minutes))
    else:
        if await _followup_pending(svc, user_id, check):
            await schedule.clear_due(svc.store, user_id, FOLLOWUP_KIND)
        await answer(update, svc.content.ui("checks.followup_off"))
    pending = await _followup_pending(svc, user_id, check)
    screen = screens.outcome_screen(svc.content, check, result, pending)
    if screen is None:
        await _stale(update, context, svc, check, None)
        return
    await show(update, context, screen)


async def _followup_answer(
    update: Update, context: Context, svc: Services, user_id: int, check: Check, tap: Tap
) -> None:
    """``k:fa``: the answer to "still cramping?": the check's on_yes / on_no outcome."""
    if check.followup is None:
        await _expired(update, context, svc, user_id)
        return
    still = tap.index == 1
    outcome = check.followup.yes if still else check.followup.no
    earlier = await store_checks.get_result(svc.store, user_id, check.id)
    answers = earlier.answers if earlier and earlier.version == check.version else ()
    result = Result(
        check.id,
        check.version,
        outcome,
        answers,
        svc.clock.now(),
        followup=still,
        content_version=svc.content.version,
    )
    await store_checks.keep_result(svc.store, user_id, result)
    if await _followup_pending(svc, user_id, check):
        await schedule.clear_due(svc.store, user_id, FOLLOWUP_KIND)
    screen = screens.outcome_screen(svc.content, check, result)
    if screen is None:
        await _stale(update, context, svc, check, None)
        return
    await answer(update)
    await show(update, context, screen)


_BY_KIND = {
    "start": _start,
    "new": _new,
    "a": _answer_step,
    "b": _back,
    "e": _explain,
    "x": _cancel,
    "r": _result,
    "f": _followup,
    "fc": _followup,
    "fa": _followup_answer,
}


# --- the follow-up delivery kind ---------------------------------------------------------------


def _followup_next_due(svc: Services, due: Due, now: datetime) -> datetime | None:
    """A follow-up is sent once: the row goes away when claimed."""
    return None


async def _send_followup(bot: Bot, svc: Services, due: Due) -> bool:
    check = svc.content.checks.get(str(due.payload.get("check", "")))
    if check is None or check.followup is None:
        return False  # the check was removed or lost its follow-up since
    screen = screens.followup_screen(svc.content, check)
    await send_screen(bot, due.chat_id, screen)
    return True


FOLLOWUP = delivery_job.DeliveryKind(
    kind=FOLLOWUP_KIND,
    next_due=_followup_next_due,
    send=_send_followup,
    max_late=FOLLOWUP_MAX_LATE,
)


def _check_shortcut(check_id: str) -> Callable[[Update, Context], Coroutine[Any, Any, None]]:
    """A command declared by a check's YAML (``command: cramp``) that starts that check at once."""

    async def start_check(update: Update, context: Context) -> None:
        svc = services(context)
        check = svc.content.checks.get(check_id)
        user_id = _user_id(update)
        if check is None:  # gone from the content since start-up
            await reply(update, context, await _list(svc, user_id))
            return
        run = engine.start(check)
        await store_checks.save_run(svc.store, user_id, run, check.start, svc.clock.now())
        await reply(update, context, screens.step_screen(svc.content, check, run))

    return start_check


def register(app: Application) -> None:
    delivery_job.register_kind(app, FOLLOWUP)
    app.add_handler(CommandHandler("check", check_command))
    content = app.bot_data["services"].content if "services" in app.bot_data else None
    for check in content.checks.values() if content is not None else ():
        if check.command:
            app.add_handler(CommandHandler(check.command, _check_shortcut(check.id)))
    route(app, callbacks.CHECKS, dict.fromkeys(callbacks.CHECKS, on_button), stale=expired)
