"""The cramp diary end to end: one-tap logging, details, red flags, edit/undo/delete, /diary, forged
data, logging from the "cramping right now" check, and the privacy commands."""

from __future__ import annotations

import json
from datetime import timedelta

from spasmbot.features.diary import store as diary_store
from spasmbot.storage import users
from tests.helpers import Harness


async def _entries(harness: Harness, user_id: int = 1001) -> list[diary_store.Entry]:
    entries, _ = await diary_store.recent(harness.store, user_id, 100)
    return entries


async def test_one_tap_from_the_menu_logs_a_cramp_now(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    [logged] = await user.tap(menu, "📝 Log a cramp")
    assert "Logged: a cramp" in logged.plain
    [entry] = await _entries(harness)
    assert entry.at == harness.clock.now() and entry.area is None and entry.source == "log"
    assert logged.button("↩️ Undo") and logged.button("📍 Where")


async def test_log_command_and_one_tap_details(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    [where] = await user.tap(logged, "📍 Where")
    assert "Where was the cramp" in where.plain
    [side] = await user.tap(where, "🦵 Calf")
    assert "Which side" in side.plain
    [entry_screen] = await user.tap(side, "Left")
    assert "Calf (Left)" in entry_screen.plain
    [severity] = await user.tap(entry_screen, "😣 How bad")
    assert len(severity.button_texts()) == 12  # 0..10 and Back, in two rows plus Back
    [entry_screen] = await user.tap(severity, "7")
    [woke] = await user.tap(entry_screen, "😴 Woke me up?")
    [entry_screen] = await user.tap(woke, "Yes")
    [triggers] = await user.tap(entry_screen, "⚡ Triggers")
    [triggers] = await user.tap(triggers, "🏃 Exercise")
    [triggers] = await user.tap(triggers, "🚱 Little to drink")
    assert "✅ 🏃 Exercise" in triggers.button_texts()
    [entry_screen] = await user.tap(triggers, "✔️ Done")
    [helped] = await user.tap(entry_screen, "🩹 What helped")
    [helped] = await user.tap(helped, "🧘 Stretching")
    [helped] = await user.tap(helped, "🚫 Nothing")  # "nothing" replaces the others
    [entry_screen] = await user.tap(helped, "✔️ Done")
    [entry] = await _entries(harness)
    assert (entry.area, entry.side, entry.severity, entry.woke, entry.night) == ("calf", "left", 7, True, True)
    assert entry.triggers == ("exercise", "little_drink") and entry.helped == ("nothing",)
    assert "7/10" in entry_screen.plain and "Exercise, 🚱 Little to drink" in entry_screen.plain


async def test_a_note_is_typed_escaped_and_shortened(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    [ask] = await user.tap(logged, "📝 Note")
    assert "only free text I keep" in ask.plain
    [saved] = await user.send("after <b>football</b> & 🏟️ ночью")
    assert "after <b>football</b> & 🏟️ ночью" in saved.plain  # shown as typed, not as HTML
    [entry] = await _entries(harness)
    assert entry.note == "after <b>football</b> & 🏟️ ночью"
    [ask] = await user.tap(saved, "📝 Note")
    [saved] = await user.send("x" * 500)
    assert "kept the first 200" in saved.plain
    [entry] = await _entries(harness)
    assert entry.note == "x" * 200


async def test_red_flag_answers_show_the_checks_urgent_advice(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    [duration] = await user.tap(logged, "⏱ How long")
    [flagged] = await user.tap(duration, "over 10 min")
    urgent_now = harness.content.checks["cramping_now"].outcomes["urgent_now"]
    assert urgent_now.title in flagged.plain and "Your entry is saved" in flagged.plain
    assert flagged.button("↪ 🚑 When to see a doctor")  # the outcome's own card
    [where] = await user.tap(flagged, "📍 Where")
    [chest] = await user.tap(where, "🫁 Chest")
    emergency = harness.content.checks["cramping_now"].outcomes["emergency_chest"]
    assert chest.plain.index(emergency.title) < chest.plain.index(urgent_now.title)  # most urgent first
    [signs] = await user.tap(chest, "⚠️ Warning signs")
    [signs] = await user.tap(signs, "🦵 One leg swollen, warm, red or tender")
    [shown] = await user.tap(signs, "✔️ Done")
    clot = harness.content.checks["cramping_now"].outcomes["clot"]
    assert clot.title in shown.plain and "Don't massage or rub it" in shown.plain
    [entry] = await _entries(harness)
    assert entry.signs == ("swollen_leg",) and entry.duration == "gt10" and entry.area == "chest"


async def test_when_another_day_and_last_night(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    [when] = await user.tap(logged, "🕐 When")
    [night] = await user.tap(when, "last night")
    [entry] = await _entries(harness)
    assert entry.night and entry.at.hour == 3 and entry.day == harness.clock.now().date()
    [when] = await user.tap(night, "🕐 When")
    [days] = await user.tap(when, "📅 Another day")
    [moved] = await user.tap(days, "Fri 27 Feb")
    [entry] = await _entries(harness)
    assert str(entry.day) == "2026-02-27" and "Fri 27 Feb" in moved.plain


async def test_undo_right_after_logging_then_delete_asks(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    [undone] = await user.tap(logged, "↩️ Undo")
    assert "removed" in undone.plain and await _entries(harness) == []
    [logged] = await user.send("/log")
    harness.clock.advance(hours=1)
    [entry_screen] = await user.tap(logged, "📍 Where")  # still editable later
    [back] = await user.tap(entry_screen, "⬅️ Back")
    assert "↩️ Undo" not in back.button_texts()
    [confirm] = await user.tap(back, "🗑 Delete")
    assert "Delete this entry?" in confirm.plain
    [kept] = await user.tap(confirm, "Keep it")
    assert len(await _entries(harness)) == 1
    [confirm] = await user.tap(kept, "🗑 Delete")
    [gone] = await user.tap(confirm, "🗑 Yes, delete it")
    assert "deleted" in gone.plain and await _entries(harness) == []
    [stale] = await user.tap_data(gone, f"d:e:{logged.message_id}999")
    assert "no longer exists" in stale.plain


async def test_a_double_tap_logs_once(harness: Harness) -> None:
    user = harness.user()
    [menu] = await user.send("/start")
    await user.tap(menu, "📝 Log a cramp")
    await user.tap(menu, "📝 Log a cramp")
    assert len(await _entries(harness)) == 1
    harness.clock.advance(minutes=1)
    await user.tap(menu, "📝 Log a cramp")
    assert len(await _entries(harness)) == 2


async def test_forged_and_foreign_callback_data_is_refused(harness: Harness) -> None:
    owner, other = harness.user(1001), harness.user(2002)
    [logged] = await owner.send("/log")
    [entry] = await _entries(harness, 1001)
    [mine] = await other.send("/diary")
    for data in (
        f"d:s:sev:{entry.id}:11",
        f"d:s:area:{entry.id}:moon",
        f"d:s:day:{entry.id}:20260230",
        f"d:s:day:{entry.id}:20250101",
        f"d:f:{entry.id}:side",
        "d:s:abc:sev:3",
        "d:zz",
        "d:p:-1",
        "r:p:10y",
        f"d:cn:{'2027' + '0101'}",
        "d:" + "x" * 80,
    ):
        await owner.tap_data(logged, data)
        assert "expired" in owner.alerts[-1], data
        assert "expired" in owner.last_message().plain
    for data in (f"d:s:sev:{entry.id}:3", f"d:xy:{entry.id}", f"d:u:{entry.id}", f"d:e:{entry.id}"):
        await other.tap_data(mine, data)
        assert "no longer exists" in other.alerts[-1], data
    [still] = await _entries(harness, 1001)
    assert still == entry
    assert not harness.api.unanswered_queries


async def test_diary_overview_streak_weeks_and_paging(harness: Harness) -> None:
    user = harness.user()
    [empty] = await user.send("/diary")
    assert "Nothing logged yet" in empty.plain
    for days_ago, area, severity in ((20, "calf", 3), (9, "foot", 8), (9, "calf", 5), (3, "calf", 6)):
        harness.clock.set(harness.clock.now() - timedelta(days=days_ago))
        [logged] = await user.send("/log")
        [where] = await user.tap(logged, "📍 Where")
        await user.tap(where, {"calf": "🦵 Calf", "foot": "🦶 Foot"}[area])
        [_, entry] = [None, (await _entries(harness))[0]]
        await user.tap_data(logged, f"d:s:sev:{entry.id}:{severity}")
        harness.clock.set(harness.clock.now() + timedelta(days=days_ago, seconds=30))
    [diary] = await user.send("/diary")
    text = diary.plain
    assert "Cramp-free streak: 3 day(s)" in text
    assert "Last 7 days: 1 cramp(s); the 7 days before: 2" in text
    assert "2 cramps · worst 8/10" in text and "Calf 2, 🦶 Foot 1" in text
    assert "Mon 2 Mar" in text and "Wed 18 Feb" in text
    [older] = await user.tap(diary, "◀️ Older")
    assert "worst 3/10" in older.plain and "Streak" not in older.plain
    [newer] = await user.tap(older, "Newer ▶️")
    assert "Cramp-free streak" in newer.plain


async def test_edit_any_entry_from_the_list(harness: Harness) -> None:
    user = harness.user()
    for _ in range(10):
        await user.send("/log")
        harness.clock.advance(minutes=5)
    [diary] = await user.send("/diary")
    [entries] = await user.tap(diary, "✏️ Edit entries")
    assert "page 1 of 2" in entries.plain
    [older] = await user.tap(entries, "◀️ Older")
    assert "page 2 of 2" in older.plain and len(older.button_texts()) == 2 + 1 + 2
    [entry] = await user.tap(older, older.button_texts()[0])
    assert "Cramp on" in entry.plain and entry.button("🗑 Delete")


async def test_log_from_the_cramping_now_check_is_prefilled(harness: Harness) -> None:
    user = harness.user()
    [started] = await user.send("/check")
    [step] = await user.tap(started, "🆘 I'm cramping right now")
    [step] = await user.tap(step, "None of these")
    [step] = await user.tap(step, "None of these")
    [step] = await user.tap(step, "🧑 Me, or another adult")
    [step] = await user.tap(step, "🦶 Foot or toes")
    [outcome] = await user.tap(step, "⏳ It's lasted over 10 minutes")
    [logged] = await user.tap(outcome, "📝 Log this cramp in my diary")
    [entry] = await _entries(harness)
    assert (entry.area, entry.duration, entry.source) == ("foot", "gt10", "check")
    urgent_now = harness.content.checks["cramping_now"].outcomes["urgent_now"]
    assert urgent_now.title in logged.plain  # the red flag's advice, not only "saved"


async def test_mydata_and_forget_cover_the_diary(harness: Harness) -> None:
    user = harness.user()
    [logged] = await user.send("/log")
    await user.tap(logged, "📝 Note")
    await user.send("my secret note")
    [document] = await user.send("/mydata")
    tables = json.loads(document.document)["tables"]
    assert tables["diary_entries"][0]["note"] == "my secret note"
    [privacy] = await user.send("/privacy")
    assert "cramp diary" in privacy.plain and "only free text" in privacy.plain
    [confirm] = await user.send("/forget")
    await user.tap(confirm, "🗑 Yes, delete everything")
    assert await _entries(harness) == []
    assert await users.get_user(harness.store, 1001) is None
