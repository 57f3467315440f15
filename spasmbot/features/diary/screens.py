"""The diary's screens (Telegram-free): an entry and its one-tap detail pickers, the overview, the
list of entries, patterns, the evening check-in and the report's period choice.

Labels come from ``ui/diary.yaml``; user text (notes) is escaped wherever it goes into HTML.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from spasmbot.content.model import Content, UiText
from spasmbot.features.browse import screens as render
from spasmbot.features.diary import callbacks as cb
from spasmbot.features.diary import rules
from spasmbot.features.diary.rules import Comparison, Entry, Overview
from spasmbot.screen import Button, Screen, rows_of

CHECKIN_PRESETS = ("19:00", "20:00", "21:00", "22:00")


def label(ui: UiText, group: str, ident: str) -> str:
    return ui(f"diary.labels.{group}.{ident}")


def day_text(ui: UiText, day: date) -> str:
    """ "Mon 2 Mar" in the UI's words."""
    weekday = ui("timezone.weekdays").split()[day.weekday()]
    month = ui("timezone.months").split()[day.month - 1]
    return f"{weekday} {day.day} {month}"


def moment_text(ui: UiText, at: datetime, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{day_text(ui, local.date())}, {local:%H:%M}"


def _nav(content: Content) -> tuple[Button, ...]:
    ui = content.ui
    return (Button(ui("diary.button.diary"), cb.HOME()), render.menu_button(content))


# --- an entry ----------------------------------------------------------------------------------


def details(ui: UiText, entry: Entry) -> list[str]:
    """The entry's details as lines (only those given)."""

    def line(field: str, value: str) -> str:
        return ui("diary.detail_line", label=ui(f"diary.labels.field.{field}"), value=html.escape(value))

    lines = []
    if entry.area:
        where = label(ui, "area", entry.area)
        if entry.side:
            where += f" ({label(ui, 'side', entry.side)})"
        lines.append(line("where", where))
    if entry.severity is not None:
        lines.append(line("severity", f"{entry.severity}/10"))
    if entry.duration:
        lines.append(line("duration", label(ui, "duration", entry.duration)))
    if entry.woke is not None:
        lines.append(line("woke", ui("diary.labels.answer_yes" if entry.woke else "diary.labels.answer_no")))
    for field, group, values in (
        ("triggers", "trigger", entry.triggers),
        ("helped", "helped", entry.helped),
        ("signs", "sign", entry.signs),
    ):
        if values:
            lines.append(line(field, ", ".join(label(ui, group, v) for v in values)))
    if entry.note:
        lines.append(ui("diary.note_line", note=html.escape(entry.note)))
    return lines


def red_flag_text(content: Content, entry: Entry) -> str:
    """The urgent advice of the guided checks for every red flag in the entry, most urgent first."""
    ui = content.ui
    found = rules.red_flags(entry, rules.red_flag_rules(content))
    if not found:
        return ""
    parts = [ui("diary.red_flag_intro")]
    for check_id, outcome_id in rules.urgent_outcomes(content, found):
        outcome = content.checks[check_id].outcomes[outcome_id]
        urgency = ui(f"checks.urgency.{outcome.urgency}") if outcome.urgency else ""
        parts.append(ui("diary.red_flag", urgency=urgency, title=outcome.title, text=outcome.text))
    return "\n\n".join(parts)


def red_flag_cards(content: Content, entry: Entry) -> list[str]:
    """The cards the red flags' check outcomes link to (e.g. "When to see a doctor"), once each."""
    found = rules.red_flags(entry, rules.red_flag_rules(content))
    cards = [
        card
        for check_id, outcome_id in rules.urgent_outcomes(content, found)
        for card in content.checks[check_id].outcomes[outcome_id].cards
    ]
    return list(dict.fromkeys(cards))


def entry_screen(content: Content, entry: Entry, zone: ZoneInfo, *, just_logged: bool = False) -> Screen:
    """An entry with its details and one button per detail; Undo right after logging."""
    ui = content.ui
    when = moment_text(ui, entry.at, zone)
    lines = details(ui, entry)
    if just_logged:
        head = ui("diary.logged", when=when)
        text = head + ("\n" + "\n".join(lines) if lines else "")
    else:
        text = ui("diary.entry", when=when, details="\n".join(lines) or ui("diary.no_details"))
    flags = red_flag_text(content, entry)
    if flags:
        text = f"{flags}\n\n{ui('diary.saved_anyway')}\n\n{text}"
    i = entry.id
    b = ui
    pickers = [
        Button(b(f"diary.button.{name}"), cb.ASK(i, field))
        for name, field in (
            ("when", "when"),
            ("where", "area"),
            ("severity", "sev"),
            ("duration", "dur"),
            ("woke", "woke"),
            ("triggers", "trig"),
            ("helped", "help"),
            ("note", "note"),
        )
    ]
    rows: list[tuple[Button, ...]] = [*rows_of(pickers, 2), (Button(b("diary.button.signs"), cb.ASK(i, "sign")),)]
    for card in red_flag_cards(content, entry):
        link = render.link_button(content, card)
        if link is not None:
            rows.append((link,))
    if just_logged:
        undo = Button(b("diary.button.undo"), cb.UNDO(i))
    else:
        undo = Button(b("diary.button.delete"), cb.DELETE_ASK(i))
    rows.append((undo, Button(b("diary.button.done"), cb.HOME())))
    rows.append((render.menu_button(content),))
    if flags:
        text += "\n\n" + ui("diary.disclaimer")
    return Screen(text, tuple(rows))


def _back(ui: UiText, entry: Entry) -> tuple[Button, ...]:
    return (Button(ui("diary.button.back"), cb.ENTRY(entry.id)),)


def ask_screen(content: Content, entry: Entry, field: str, today: date) -> Screen:
    """The one-tap picker for one detail of ``entry``."""
    ui = content.ui
    i = entry.id
    rows: list[tuple[Button, ...]] = []
    if field == "when":
        text = ui("diary.ask_when")
        buttons = [Button(label(ui, "when", w), cb.set_data(i, "when", w)) for w in rules.WHEN]
        buttons.append(Button(ui("diary.button.another_day"), cb.ASK(i, "day")))
        rows = rows_of(buttons, 2)
    elif field == "day":
        text = ui("diary.ask_day")
        days = [Button(day_text(ui, d), cb.set_data(i, "day", cb.day_value(d))) for d in rules.other_days(today)]
        rows = rows_of(days, 3)
    elif field == "area":
        text = ui("diary.ask_area")
        rows = rows_of([Button(label(ui, "area", a), cb.set_data(i, "area", a)) for a in rules.AREAS], 3)
    elif field == "side":
        text = ui("diary.ask_side")
        rows = [tuple(Button(label(ui, "side", s), cb.set_data(i, "side", s)) for s in rules.SIDES)]
    elif field == "sev":
        text = ui("diary.ask_severity")
        marks = [
            Button(("• " if entry.severity == n else "") + str(n), cb.set_data(i, "sev", n)) for n in rules.SEVERITIES
        ]
        rows = [tuple(marks[:6]), tuple(marks[6:])]
    elif field == "dur":
        text = ui("diary.ask_duration")
        rows = rows_of([Button(label(ui, "duration", d), cb.set_data(i, "dur", d)) for d in rules.DURATIONS], 2)
    elif field == "woke":
        text = ui("diary.ask_woke")
        rows = [
            (
                Button(ui("diary.button.answer_yes"), cb.set_data(i, "woke", "y")),
                Button(ui("diary.button.answer_no"), cb.set_data(i, "woke", "n")),
            )
        ]
    elif field in cb.MULTI:
        group, ids, key = {
            "trig": ("trigger", rules.TRIGGERS, "diary.ask_triggers"),
            "help": ("helped", rules.HELPED, "diary.ask_helped"),
            "sign": ("sign", rules.SIGNS, "diary.ask_signs"),
        }[field]
        chosen = set(getattr(entry, cb.MULTI[field]))
        text = ui(key)
        buttons = [Button(("✅ " if v in chosen else "") + label(ui, group, v), cb.set_data(i, field, v)) for v in ids]
        rows = rows_of(buttons, 1 if field == "sign" else 2)
        rows.append((Button(ui("diary.button.done"), cb.ENTRY(i)),))
        return Screen(text, tuple(rows))
    else:  # note
        text = ui("diary.ask_note", max=rules.NOTE_MAX)
    rows.append(_back(ui, entry))
    return Screen(text, tuple(rows))


def delete_screen(content: Content, entry: Entry, zone: ZoneInfo) -> Screen:
    ui = content.ui
    body = entry_screen(content, entry, zone).text
    return Screen(
        ui("diary.confirm_delete") + "\n\n" + body,
        (
            (
                Button(ui("diary.button.delete_yes"), cb.DELETE(entry.id)),
                Button(ui("diary.button.keep"), cb.ENTRY(entry.id)),
            ),
        ),
    )


def note_screen(content: Content, text: str) -> Screen:
    """A short message with the diary and menu buttons."""
    return Screen(text, (_nav(content),))


# --- looking back ------------------------------------------------------------------------------


def _counted(ui: UiText, pairs: Sequence[tuple[str, int]], group: str) -> str:
    return ", ".join(f"{label(ui, group, ident)} {count}" for ident, count in pairs)


def overview_screen(
    content: Content, ov: Overview, streak_days: int, page: int, older: bool, checkin_on: bool
) -> Screen:
    """``/diary``: a line per day (newest first), the streak, week against week, where, when, why."""
    ui = content.ui
    lines = []
    for line in ov.lines:
        day = day_text(ui, line.day)
        if line.count:
            count = ui("diary.count_one") if line.count == 1 else ui("diary.count_many", count=line.count)
            worst = ui("diary.worst", severity=line.worst) if line.worst is not None else ""
            where = ", ".join(label(ui, "area", a) for a in line.areas[:2])
            areas = ui("diary.areas", areas=where) if where else ""
            marks = "🔴" if (line.worst or 0) >= 7 else "🟠" if line.count > 1 or (line.worst or 0) >= 4 else "🟡"
            lines.append(ui("diary.day_line", day=day, marks=marks, count=count, worst=worst, areas=areas))
        elif line.confirmed_free:
            lines.append(ui("diary.day_free", day=day))
        else:
            lines.append(ui("diary.day_none", day=day))
    summary = []
    if page == 0:
        summary.append(ui("diary.streak", days=streak_days))
    summary.append(ui("diary.weeks", this=ov.this_week, last=ov.last_week))
    if ov.areas:
        summary.append(ui("diary.where", areas=_counted(ui, ov.areas, "area")))
    if ov.total:
        summary.append(ui("diary.night", night=ov.night, day=ov.day))
    if ov.triggers:
        summary.append(ui("diary.top_triggers", triggers=_counted(ui, ov.triggers, "trigger")))
    text = ui(
        "diary.overview",
        first=day_text(ui, ov.lines[-1].day),
        last=day_text(ui, ov.lines[0].day),
        lines="\n".join(lines),
        summary="\n".join(summary),
    )
    pager = []
    if older:
        pager.append(Button(ui("diary.button.older"), cb.PAGE(page + 1)))
    if page > 0:
        pager.append(Button(ui("diary.button.newer"), cb.PAGE(page - 1)))
    rows: list[tuple[Button, ...]] = [(Button(ui("diary.button.log"), cb.NEW()),)]
    if pager:
        rows.append(tuple(pager))
    rows += [
        (Button(ui("diary.button.chart4"), cb.CHART("4")), Button(ui("diary.button.chart12"), cb.CHART("12"))),
        (Button(ui("diary.button.insights"), cb.INSIGHTS()), Button(ui("diary.button.edit"), cb.LIST(0))),
        (Button(ui("diary.button.checkin"), cb.CHECKIN()), Button(ui("diary.button.report"), cb.REPORT())),
        (render.menu_button(content),),
    ]
    return Screen(text, tuple(rows))


def empty_screen(content: Content) -> Screen:
    ui = content.ui
    return Screen(
        ui("diary.overview_empty"),
        (
            (Button(ui("diary.button.log"), cb.NEW()),),
            (Button(ui("diary.button.checkin"), cb.CHECKIN()),),
            (render.menu_button(content),),
        ),
    )


def entry_label(ui: UiText, entry: Entry, zone: ZoneInfo) -> str:
    local = entry.at.astimezone(zone)
    what = label(ui, "area", entry.area) if entry.area else "📓"
    if entry.severity is not None:
        what += f" {entry.severity}/10"
    return ui("diary.entry_button", day=day_text(ui, entry.day), time=f"{local:%H:%M}", what=what)


def list_screen(content: Content, entries: Sequence[Entry], page: int, total: int, zone: ZoneInfo) -> Screen:
    ui = content.ui
    pages = max(1, -(-total // rules.LIST_PAGE))
    if not entries:
        return Screen(ui("diary.list_empty"), (_nav(content),))
    rows: list[tuple[Button, ...]] = [(Button(entry_label(ui, e, zone), cb.ENTRY(e.id)),) for e in entries]
    pager = []
    if page + 1 < pages:
        pager.append(Button(ui("diary.button.older"), cb.LIST(page + 1)))
    if page > 0:
        pager.append(Button(ui("diary.button.newer"), cb.LIST(page - 1)))
    if pager:
        rows.append(tuple(pager))
    rows.append(_nav(content))
    return Screen(ui("diary.list", page=page + 1, pages=pages), tuple(rows))


def _needed(ui: UiText, comparison: Comparison, water: bool) -> str:
    parts = []
    if comparison.needed_with:
        parts.append(ui("diary.needed_water_with" if water else "diary.needed_with", count=comparison.needed_with))
    if comparison.needed_other:
        parts.append(ui("diary.needed_water_other" if water else "diary.needed_other", count=comparison.needed_other))
    return " ".join(parts)


def insights_screen(content: Content, water: Comparison | None, triggers: Sequence[Comparison]) -> Screen:
    """Comparisons with the counts shown; none below the minimum days on either side."""
    ui = content.ui
    parts = [ui("diary.insights_title"), ui("diary.insights_honest", min=rules.MIN_SIDE_DAYS)]
    if water is None:
        parts.append(ui("diary.water_untracked"))
    elif water.enough:
        parts.append(
            ui(
                "diary.water_insight",
                with_days=water.with_days,
                with_cramps=water.with_cramps,
                other_days=water.other_days,
                other_cramps=water.other_cramps,
            )
        )
    else:
        parts.append(
            ui(
                "diary.water_thin",
                with_days=water.with_days,
                other_days=water.other_days,
                needed=_needed(ui, water, True),
            )
        )
    if not triggers:
        parts.append(ui("diary.triggers_none"))
    for c in triggers:
        name = label(ui, "trigger", c.key)
        if c.enough:
            parts.append(
                ui(
                    "diary.trigger_insight",
                    trigger=name,
                    with_days=c.with_days,
                    with_cramps=c.with_cramps,
                    other_days=c.other_days,
                    other_cramps=c.other_cramps,
                    with_worst=ui("diary.worst_mean", value=c.with_worst) if c.with_worst is not None else "",
                    other_worst=ui("diary.worst_mean", value=c.other_worst) if c.other_worst is not None else "",
                )
            )
        else:
            parts.append(
                ui(
                    "diary.trigger_thin",
                    trigger=name,
                    with_days=c.with_days,
                    other_days=c.other_days,
                    needed=_needed(ui, c, False),
                )
            )
    if triggers:
        parts.append(ui("diary.triggers_note"))
    return Screen("\n\n".join(parts), (_nav(content),))


# --- the evening check-in ----------------------------------------------------------------------


def checkin_home(content: Content, time_text: str | None, zone: str, next_text: str, paused: bool) -> Screen:
    ui = content.ui
    if time_text is None:
        return Screen(
            ui("diary.checkin_off"),
            (
                (Button(ui("diary.button.checkin_on"), cb.CHECKIN_TIMES()),),
                _nav(content),
            ),
        )
    next_line = ui("diary.checkin_paused") if paused else ui("diary.checkin_next", when=next_text)
    return Screen(
        ui("diary.checkin_on", time=html.escape(time_text), zone=html.escape(zone), next=next_line),
        (
            (
                Button(ui("diary.button.checkin_time"), cb.CHECKIN_TIMES()),
                Button(ui("diary.button.checkin_zone"), cb.CHECKIN_ZONE()),
            ),
            (Button(ui("diary.button.checkin_off"), cb.CHECKIN_OFF()),),
            _nav(content),
        ),
    )


def checkin_time_screen(content: Content, preface: str = "") -> Screen:
    ui = content.ui
    buttons = [Button(p, cb.CHECKIN_SET(p.replace(":", ""))) for p in CHECKIN_PRESETS]
    text = ui("diary.checkin_ask_time")
    if preface:
        text = f"{preface.strip()}\n\n{text}"
    return Screen(text, (*rows_of(buttons, 4), (Button(ui("diary.button.back"), cb.CHECKIN()),)))


def checkin_question(content: Content, day: date) -> Screen:
    ui = content.ui
    value = cb.day_value(day)
    return Screen(
        ui("diary.checkin_question"),
        (
            (
                Button(ui("diary.button.none_today"), cb.NONE_TODAY(value)),
                Button(ui("diary.button.log_one"), cb.LOG_ONE(value)),
            ),
            (Button(ui("diary.button.pause"), cb.PAUSE()),),
        ),
    )


# --- the report --------------------------------------------------------------------------------


def report_screen(content: Content) -> Screen:
    ui = content.ui
    buttons = [Button(ui(f"diary.button.period_{p}"), cb.REPORT_PERIOD(p)) for p in rules.PERIODS]
    return Screen(ui("diary.report_ask"), (*rows_of(buttons, 2), _nav(content)))
