"""The cramp diary in the chat: ``/log``, ``/diary``, ``/report``, the ``d:``/``r:`` buttons, the typed
note, and the ``diary_checkin`` delivery kind (the opt-in evening "Any cramps today?").

One tap logs "a cramp, now"; the screen that follows offers every detail as one more tap. Entry
ids in buttons are always looked up together with the tapping user's id, and every value is checked
against the vocabulary (``callbacks.parse``), so forged or stale data gets the "expired" reply.
Charts and the report are drawn in a worker thread by a background task, so the bot keeps answering
other updates meanwhile (a handler awaiting the thread would hold up this chat's next taps and one
of the update processor's slots for the whole build; see ``spasmbot.edge.ordering``).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from telegram import Bot, InputFile, Update
from telegram.ext import Application, CommandHandler

from spasmbot.callback_data import Action, StaleTap
from spasmbot.callback_data import Tap as Press
from spasmbot.chart import DiaryChartLabels, diary_chart
from spasmbot.delivery import daily, localtime, schedule
from spasmbot.delivery.schedule import Due
from spasmbot.edge import delivery_job
from spasmbot.edge.common import (
    Context,
    answer,
    awaiting,
    expect_input,
    markup,
    register_input,
    reply,
    send_screen,
    services,
    show,
)
from spasmbot.edge.router import route
from spasmbot.features.checks import engine
from spasmbot.features.checks import store as check_store
from spasmbot.features.diary import callbacks as cb
from spasmbot.features.diary import report, rules, screens, views
from spasmbot.features.diary import store as diary_store
from spasmbot.features.diary.rules import Entry
from spasmbot.features.timezone import rules as timezones
from spasmbot.features.timezone.handlers import ask_timezone
from spasmbot.screen import Screen
from spasmbot.services import Services
from spasmbot.storage import users

log = logging.getLogger(__name__)

CHECKIN_KIND = "diary_checkin"
CHECKIN_MAX_LATE = timedelta(hours=3)
INPUT_NOTE = "diary.note"
INPUT_CHECKIN_TIME = "diary.checkin_time"
DOUBLE_TAP = timedelta(seconds=10)  # a second "log" this soon shows the first entry again
CHECKIN_DAYS_BACK = 7  # a check-in message's buttons work for this many days
_TASKS = "diary.tasks"


# --- helpers -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pressed:
    """A diary button's arguments, typed and checked (dates and times that exist)."""

    entry: int = 0
    field: str = ""
    value: str = ""
    page: int = 0
    day: date | None = None
    at: time | None = None


Handler = Callable[[Update, Context, Services, int, Pressed], Awaitable[None]]


def _pressed(press: Press) -> Pressed:
    """The router's parsed tap as a Pressed; StaleTap for a date or time that does not exist."""
    values = {arg.name: value for arg, value in zip(press.action.args, press.values, strict=True)}
    words = press.action.words
    field = words[1] if words[0] == "s" else str(values.get("field", ""))
    value = str(values.get("value", values.get("check", values.get("period", ""))))
    day = None
    if "day" in values or (words[0] == "s" and field == "day"):
        day = cb.day_of(str(values.get("day", value)))
        if day is None:
            raise StaleTap(f"no such day in {press.values!r}")
    at = None
    if "hhmm" in values:
        at = cb.time_of(str(values["hhmm"]))
        if at is None:
            raise StaleTap(f"no such time in {press.values!r}")
    page = int(values.get("page", values.get("weeks", 0)))
    return Pressed(int(values.get("id", 0)), field, value, page, day, at)


async def _stale(update: Update, context: Context) -> None:
    await _expired(update, context)


def _user_id(update: Update) -> int:
    user = update.effective_user
    assert user is not None
    return user.id


async def _zone(svc: Services, user_id: int) -> ZoneInfo:
    return localtime.zone(await users.get_timezone(svc.store, user_id))


def _today(svc: Services, zone: ZoneInfo) -> date:
    return rules.local_day(svc.clock.now(), zone)


def spawn(context: Context, work: Coroutine[Any, Any, None]) -> None:
    """Run ``work`` beside the update queue (charts, reports); ``settle`` awaits what is running."""
    tasks: set[asyncio.Task[None]] = context.bot_data.setdefault(_TASKS, set())
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)


async def settle(app: Application) -> None:
    """Wait for every chart and report in progress (tests, benchmarks, shutdown)."""
    tasks: set[asyncio.Task[None]] = app.bot_data.get(_TASKS, set())
    while tasks:
        await asyncio.gather(*list(tasks), return_exceptions=True)


async def _expired(update: Update, context: Context, key: str = "diary.expired") -> None:
    svc = services(context)
    await answer(update, svc.content.ui(key).strip()[:200])
    await show(update, context, await _overview_screen(svc, _user_id(update), 0, svc.content.ui(key)))


# --- logging -------------------------------------------------------------------------------------


async def log_cramp(
    svc: Services, user_id: int, *, source: str = "log", day: date | None = None, prefill: dict[str, str] | None = None
) -> Entry:
    """Log "a cramp, now" (or on ``day``), with details a check learnt; a double tap logs once."""
    now = svc.clock.now()
    zone = await _zone(svc, user_id)
    last = await diary_store.last_logged(svc.store, user_id)
    if last is not None and timedelta(0) <= now - last.logged_at <= DOUBLE_TAP and last.source == source:
        return last
    today = rules.local_day(now, zone)
    when = "now" if day is None or day == today else "day"
    at, local = rules.placed(when, now, zone, day)
    fields = prefill or {}
    entry = Entry(
        id=0,
        at=at,
        day=local,
        logged_at=now.replace(microsecond=0),
        night=rules.is_night(at, zone, None),
        area=fields.get("area"),
        duration=fields.get("duration"),
        helped=(fields["helped"],) if "helped" in fields else (),
        signs=(fields["sign"],) if "sign" in fields else (),
        source=source,
    )
    return await diary_store.add(svc.store, user_id, entry)


def _just_logged(svc: Services, entry: Entry) -> bool:
    return svc.clock.now() - entry.logged_at <= rules.UNDO_WINDOW


async def _entry_screen(svc: Services, user_id: int, entry: Entry) -> Screen:
    zone = await _zone(svc, user_id)
    return screens.entry_screen(svc.content, entry, zone, just_logged=_just_logged(svc, entry))


async def log_command(update: Update, context: Context) -> None:
    """/log: one message, one tap less than the button: the cramp is logged at once."""
    svc = services(context)
    user_id = _user_id(update)
    entry = await log_cramp(svc, user_id)
    await reply(update, context, await _entry_screen(svc, user_id, entry))


async def _from_check(svc: Services, user_id: int, check_id: str) -> dict[str, str]:
    """What the user's last run of ``check_id`` learnt (area, duration), if it fits the check."""
    check = svc.content.checks.get(check_id)
    result = await check_store.get_result(svc.store, user_id, check_id)
    if check is None or result is None or result.version != check.version:
        return {}
    visited = [step for step, _ in result.answers] + [result.outcome]
    try:
        engine.walk(check, result.answers)
    except engine.StaleRun:
        return {}
    return rules.prefill_from_check(svc.content, check_id, visited)


# --- /diary ----------------------------------------------------------------------------------------


async def _overview_screen(svc: Services, user_id: int, page: int, preface: str = "") -> Screen:
    zone = await _zone(svc, user_id)
    view = await views.overview(svc.store, user_id, _today(svc, zone), page)
    if view is None:
        screen = screens.empty_screen(svc.content)
    else:
        checkin = await schedule.get_due(svc.store, user_id, CHECKIN_KIND)
        screen = screens.overview_screen(svc.content, view.overview, view.streak, page, view.older, checkin is not None)
    if preface:
        screen = Screen(f"{preface.strip()}\n\n{screen.text}", screen.rows)
    return screen


async def diary_command(update: Update, context: Context) -> None:
    svc = services(context)
    await reply(update, context, await _overview_screen(svc, _user_id(update), 0))


async def report_command(update: Update, context: Context) -> None:
    await reply(update, context, screens.report_screen(services(context).content))


# --- buttons ---------------------------------------------------------------------------------------


async def _new(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    prefill = await _from_check(svc, user_id, tap.value) if tap.value else None
    entry = await log_cramp(svc, user_id, source="check" if tap.value else "log", prefill=prefill)
    await answer(update)
    # a new message: the check's result (or the menu) stays readable above it
    await reply(update, context, await _entry_screen(svc, user_id, entry))


async def _home(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    await show(update, context, await _overview_screen(svc, user_id, tap.page))


async def _owned(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> Entry | None:
    entry = await diary_store.get(svc.store, user_id, tap.entry)
    if entry is None:
        await _expired(update, context, "diary.gone")
    return entry


async def _entry(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    if (entry := await _owned(update, context, svc, user_id, tap)) is None:
        return
    await answer(update)
    await show(update, context, await _entry_screen(svc, user_id, entry))


async def _ask(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    if (entry := await _owned(update, context, svc, user_id, tap)) is None:
        return
    if tap.field == "side" and entry.area not in rules.SIDED:
        await _expired(update, context)
        return
    await answer(update)
    if tap.field == "note":
        await expect_input(update, context, INPUT_NOTE, entry=entry.id)
    zone = await _zone(svc, user_id)
    await show(update, context, screens.ask_screen(svc.content, entry, tap.field, _today(svc, zone)))


def _toggle(values: tuple[str, ...], value: str, order: tuple[str, ...], exclusive: str | None) -> tuple[str, ...]:
    chosen = set(values) ^ {value}
    if exclusive and value == exclusive and exclusive in chosen:
        chosen = {exclusive}
    elif exclusive and value != exclusive:
        chosen.discard(exclusive)
    return tuple(v for v in order if v in chosen)


async def _set(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    """One detail tapped: save it, then back to the entry (or stay on a multi-select picker)."""
    if (entry := await _owned(update, context, svc, user_id, tap)) is None:
        return
    zone = await _zone(svc, user_id)
    today = _today(svc, zone)
    field, value = tap.field, tap.value
    follow_up: str | None = None
    if field == "when":
        at, day = rules.placed(value, svc.clock.now(), zone)
        entry = replace(entry, at=at, day=day, night=rules.is_night(at, zone, entry.woke))
    elif field == "day":
        if tap.day not in rules.other_days(today):
            await _expired(update, context)
            return
        at, day = rules.placed("day", svc.clock.now(), zone, tap.day)
        entry = replace(entry, at=at, day=day, night=rules.is_night(at, zone, entry.woke))
    elif field == "area":
        entry = replace(entry, area=value, side=entry.side if value in rules.SIDED else None)
        follow_up = "side" if value in rules.SIDED else None
    elif field == "side":
        if entry.area not in rules.SIDED:
            await _expired(update, context)
            return
        entry = replace(entry, side=value)
    elif field == "sev":
        entry = replace(entry, severity=int(value))
    elif field == "dur":
        entry = replace(entry, duration=value)
    elif field == "woke":
        woke = value == "y"
        entry = replace(entry, woke=woke, night=rules.is_night(entry.at, zone, woke))
    else:  # multi-select toggles
        attribute = cb.MULTI[field]
        order = {"trig": rules.TRIGGERS, "help": rules.HELPED, "sign": rules.SIGNS}[field]
        exclusive = "nothing" if field == "help" else None
        toggled: dict[str, Any] = {attribute: _toggle(getattr(entry, attribute), value, order, exclusive)}
        entry = replace(entry, **toggled)
        follow_up = field
    if not await diary_store.save(svc.store, user_id, entry):
        await _expired(update, context, "diary.gone")
        return
    await answer(update)
    if follow_up is not None:
        await show(update, context, screens.ask_screen(svc.content, entry, follow_up, today))
    else:
        await show(update, context, await _entry_screen(svc, user_id, entry))


async def _undo(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    if (entry := await _owned(update, context, svc, user_id, tap)) is None:
        return
    if not _just_logged(svc, entry):  # later than "right after": ask first
        await _ask_delete(update, context, svc, user_id, tap)
        return
    await diary_store.delete(svc.store, user_id, entry.id)
    await answer(update)
    await show(update, context, screens.note_screen(svc.content, svc.content.ui("diary.undone")))


async def _ask_delete(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    if (entry := await _owned(update, context, svc, user_id, tap)) is None:
        return
    await answer(update)
    await show(update, context, screens.delete_screen(svc.content, entry, await _zone(svc, user_id)))


async def _delete(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    if not await diary_store.delete(svc.store, user_id, tap.entry):
        await _expired(update, context, "diary.gone")
        return
    await answer(update)
    await show(update, context, await _overview_screen(svc, user_id, 0, svc.content.ui("diary.deleted")))


async def _list(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    entries, total = await diary_store.recent(svc.store, user_id, rules.LIST_PAGE, tap.page * rules.LIST_PAGE)
    if not entries and tap.page > 0:
        await _expired(update, context)
        return
    await answer(update)
    zone = await _zone(svc, user_id)
    await show(update, context, screens.list_screen(svc.content, entries, tap.page, total, zone))


async def _insights(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    zone = await _zone(svc, user_id)
    found = await views.insights(svc.store, user_id, _today(svc, zone), zone)
    await show(update, context, screens.insights_screen(svc.content, found.water, found.triggers))


async def typed_note(update: Update, context: Context, text: str) -> None:
    """The note typed after "📝 Note": kept (shortened to NOTE_MAX), then the entry again."""
    svc = services(context)
    user_id = _user_id(update)
    prompt = await awaiting(update, context)
    pending = prompt[1] if prompt is not None else {}
    entry = await diary_store.get(svc.store, user_id, int(pending.get("entry", 0)))
    if entry is None:
        await reply(update, context, await _overview_screen(svc, user_id, 0, svc.content.ui("diary.gone")))
        return
    note = " ".join(text.split())
    ui = svc.content.ui
    preface = ui("diary.note_saved")
    if len(note) > rules.NOTE_MAX:
        note = note[: rules.NOTE_MAX]
        preface = ui("diary.note_too_long", max=rules.NOTE_MAX)
    entry = replace(entry, note=note)
    await diary_store.save(svc.store, user_id, entry)
    screen = await _entry_screen(svc, user_id, entry)
    await reply(update, context, Screen(f"{preface}\n\n{screen.text}", screen.rows))


# --- chart -----------------------------------------------------------------------------------------


async def _chart(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    chat = update.effective_chat
    assert chat is not None
    weeks = tap.page
    zone = await _zone(svc, user_id)
    data = await views.chart_data(svc.store, user_id, _today(svc, zone), weeks, zone)
    ui = svc.content.ui
    total = sum(count for _, count, _ in data.series)
    if not total:
        await reply(update, context, screens.note_screen(svc.content, ui("diary.chart_empty", weeks=weeks)))
        return
    labels = DiaryChartLabels(
        ui("diary.chart_title", weeks=weeks),
        ui("diary.chart_cramps"),
        ui("diary.chart_severity"),
        ui("diary.chart_water"),
    )
    days = sum(1 for _, count, _ in data.series if count)
    caption = screens.note_screen(svc.content, ui("diary.chart_caption", weeks=weeks, total=total, days=days))
    spawn(context, _send_chart(context.bot, chat.id, data, labels, caption, svc))


async def _send_chart(
    bot: Bot, chat_id: int, data: views.ChartData, labels: DiaryChartLabels, caption: Screen, svc: Services
) -> None:
    try:
        png = await asyncio.to_thread(diary_chart, data.series, data.water, labels)
        await bot.send_photo(chat_id, photo=png, caption=caption.text, reply_markup=markup(caption))
    except Exception:
        log.exception("diary chart for chat %s failed", chat_id)
        await _say_failed(bot, chat_id, svc)


async def _say_failed(bot: Bot, chat_id: int, svc: Services) -> None:
    try:
        await send_screen(bot, chat_id, screens.note_screen(svc.content, svc.content.ui("diary.report_failed")))
    except Exception:  # blocked meanwhile: nothing more to do
        log.info("could not tell chat %s that the report failed", chat_id)


# --- report ----------------------------------------------------------------------------------------


async def _report(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    await show(update, context, screens.report_screen(svc.content))


async def _report_period(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    chat = update.effective_chat
    assert chat is not None
    zone = await _zone(svc, user_id)
    data = await views.report_data(
        svc.store, svc.content.checks, rules.red_flag_rules(svc.content), user_id, tap.value, svc.clock.now(), zone
    )
    ui = svc.content.ui
    if data is None:
        await reply(update, context, screens.note_screen(svc.content, ui("diary.report_empty")))
        return
    await reply(update, context, Screen(ui("diary.report_wait")))
    spawn(context, _send_report(context.bot, chat.id, data, svc))


async def _send_report(bot: Bot, chat_id: int, data: views.ReportData, svc: Services) -> None:
    ui = svc.content.ui
    try:
        words = report.Words.from_content(svc.content)
        pdf, csv = await asyncio.to_thread(report.build, data, words)
        name = f"cramp-diary-{data.first.isoformat()}-{data.last.isoformat()}"
        caption = ui(
            "diary.report_caption", first=data.first.isoformat(), last=data.last.isoformat(), total=data.summary.total
        )
        await bot.send_document(chat_id, InputFile(pdf, filename=f"{name}.pdf"), caption=caption)
        await bot.send_document(chat_id, InputFile(csv, filename=f"{name}.csv"), caption=ui("diary.csv_caption"))
    except Exception:
        log.exception("diary report for chat %s failed", chat_id)
        await _say_failed(bot, chat_id, svc)


# --- the evening check-in ---------------------------------------------------------------------------


async def send_checkin(bot: Bot, svc: Services, due: Due) -> bool:
    """ "Any cramps today?" about the local day of the slot."""
    day = rules.local_day(due.due_at, localtime.zone(due.timezone))
    await send_screen(bot, due.chat_id, screens.checkin_question(svc.content, day))
    return True


CHECKIN = delivery_job.DeliveryKind(
    kind=CHECKIN_KIND,
    next_due=daily.next_slot,
    send=send_checkin,
    max_late=CHECKIN_MAX_LATE,
    on_timezone_change=daily.moved_slot,
    latest_slot=daily.latest_slot,
)


async def _checkin_screen(svc: Services, user_id: int, preface: str = "") -> Screen:
    due = await schedule.get_due(svc.store, user_id, CHECKIN_KIND)
    if due is None:
        screen = screens.checkin_home(svc.content, None, "", "", False)
    else:
        zone = due.timezone or "UTC"
        when = timezones.format_when(due.due_at, zone, svc.clock.now(), svc.content.ui)
        screen = screens.checkin_home(svc.content, str(due.payload.get("time")), zone, when, due.paused)
    if preface:
        screen = Screen(f"{preface.strip()}\n\n{screen.text}", screen.rows)
    return screen


async def _checkin(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    await show(update, context, await _checkin_screen(svc, user_id))


async def _has_zone(svc: Services, user_id: int) -> bool:
    return await users.get_timezone(svc.store, user_id) is not None


async def _checkin_times(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    if not await _has_zone(svc, user_id):
        await ask_timezone(update, context, return_to="d:ci:t", intro=svc.content.ui("diary.checkin_need_zone"))
        return
    await expect_input(update, context, INPUT_CHECKIN_TIME)
    await show(update, context, screens.checkin_time_screen(svc.content))


async def _set_checkin(svc: Services, user_id: int, at: time) -> str:
    zone = localtime.zone(await users.get_timezone(svc.store, user_id))
    due_at = localtime.next_daily(at, zone, svc.clock.now())
    await schedule.set_due(svc.store, user_id, CHECKIN_KIND, due_at, {"time": f"{at:%H:%M}"})
    return svc.content.ui("diary.checkin_set", time=f"{at:%H:%M}")


async def _checkin_set(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    assert tap.at is not None
    if not await _has_zone(svc, user_id):
        await _checkin_times(update, context, svc, user_id, tap)
        return
    line = await _set_checkin(svc, user_id, tap.at)
    await answer(update)
    await show(update, context, await _checkin_screen(svc, user_id, line))


async def typed_checkin_time(update: Update, context: Context, text: str) -> None:
    svc = services(context)
    user_id = _user_id(update)
    at = localtime.parse_hhmm(text)
    if at is None:
        await expect_input(update, context, INPUT_CHECKIN_TIME)
        hint = svc.content.ui("diary.checkin_bad_time", text=html.escape(text[:32]))
        await reply(update, context, screens.checkin_time_screen(svc.content, hint))
        return
    if not await _has_zone(svc, user_id):
        await ask_timezone(update, context, return_to="d:ci:t", intro=svc.content.ui("diary.checkin_need_zone"))
        return
    line = await _set_checkin(svc, user_id, at)
    await reply(update, context, await _checkin_screen(svc, user_id, line))


async def _checkin_zone(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await answer(update)
    await ask_timezone(update, context, return_to=cb.CHECKIN())


async def _checkin_off(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await schedule.clear_due(svc.store, user_id, CHECKIN_KIND)
    await answer(update)
    await show(update, context, await _checkin_screen(svc, user_id, svc.content.ui("diary.checkin_stopped")))


def _answerable(svc: Services, zone: ZoneInfo, day: date | None) -> bool:
    """A check-in's day: not in the future, not older than a week (else stale or forged)."""
    today = _today(svc, zone)
    return day is not None and today - timedelta(days=CHECKIN_DAYS_BACK) <= day <= today


async def _none_today(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    zone = await _zone(svc, user_id)
    if not _answerable(svc, zone, tap.day):
        await _expired(update, context)
        return
    assert tap.day is not None
    ui = svc.content.ui
    day = screens.day_text(ui, tap.day)
    count = await diary_store.count_on(svc.store, user_id, tap.day)
    if count:
        text = ui("diary.checkin_already", count=count, day=day)
    elif await diary_store.mark_free(svc.store, user_id, tap.day, svc.clock.now()):
        text = ui("diary.checkin_free", day=day)
    else:
        text = ui("diary.checkin_free_again", day=day)
    await answer(update)
    await show(update, context, screens.note_screen(svc.content, text))


async def _log_one(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    zone = await _zone(svc, user_id)
    if not _answerable(svc, zone, tap.day):
        await _expired(update, context)
        return
    entry = await log_cramp(svc, user_id, source="checkin", day=tap.day)
    await answer(update)
    await show(update, context, await _entry_screen(svc, user_id, entry))


async def _pause(update: Update, context: Context, svc: Services, user_id: int, tap: Pressed) -> None:
    await schedule.clear_due(svc.store, user_id, CHECKIN_KIND)
    await answer(update)
    await show(update, context, await _checkin_screen(svc, user_id, svc.content.ui("diary.checkin_stopped")))


_DIARY_HANDLERS: dict[Action, Handler] = {
    cb.NEW: _new,
    cb.NEW_FROM_CHECK: _new,
    cb.HOME: _home,
    cb.PAGE: _home,
    cb.LIST: _list,
    cb.ENTRY: _entry,
    cb.ASK: _ask,
    cb.UNDO: _undo,
    cb.DELETE_ASK: _ask_delete,
    cb.DELETE: _delete,
    cb.CHART: _chart,
    cb.INSIGHTS: _insights,
    cb.CHECKIN: _checkin,
    cb.CHECKIN_TIMES: _checkin_times,
    cb.CHECKIN_SET: _checkin_set,
    cb.CHECKIN_ZONE: _checkin_zone,
    cb.CHECKIN_OFF: _checkin_off,
    cb.NONE_TODAY: _none_today,
    cb.LOG_ONE: _log_one,
    cb.PAUSE: _pause,
    **dict.fromkeys(cb.SETTERS.values(), _set),
}
_REPORT_HANDLERS: dict[Action, Handler] = {cb.REPORT: _report, cb.REPORT_PERIOD: _report_period}


def _routed(handler: Handler) -> Callable[[Update, Context, Press], Awaitable[None]]:
    async def on_tap(update: Update, context: Context, press: Press) -> None:
        await handler(update, context, services(context), _user_id(update), _pressed(press))

    return on_tap


def register(app: Application) -> None:
    delivery_job.register_kind(app, CHECKIN)
    register_input(app, INPUT_NOTE, typed_note)
    register_input(app, INPUT_CHECKIN_TIME, typed_checkin_time)
    app.add_handler(CommandHandler("log", log_command))
    app.add_handler(CommandHandler("diary", diary_command))
    app.add_handler(CommandHandler("report", report_command))
    route(app, cb.DIARY, {action: _routed(h) for action, h in _DIARY_HANDLERS.items()}, stale=_stale)
    route(app, cb.REPORTS, {action: _routed(h) for action, h in _REPORT_HANDLERS.items()}, stale=_stale)
