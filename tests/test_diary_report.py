"""The diary's looking-back features end to end: the chart, the patterns, and the PDF/CSV report
(read back with pypdf), including notes no font can fully draw."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from PIL import Image
from pypdf import PdfReader

from spasmbot.fake_telegram import ChatClient, FakeMessage
from spasmbot.features.diary import handlers as diary
from tests.helpers import Harness


async def _log(harness: Harness, user: ChatClient, when: datetime, *taps: str, note: str | None = None) -> None:
    """Log a cramp at ``when`` and tap the given callback suffixes (``area:calf``, ``sev:7``...)."""
    now = harness.clock.now()
    harness.clock.set(when)
    [logged] = await user.send("/log")
    entry_id = int((logged.button("📍 Where").data or "").split(":")[2])
    for tap in taps:
        field, value = tap.split(":")
        await user.tap_data(logged, f"d:s:{field}:{entry_id}:{value}")
    if note is not None:
        await user.tap_data(logged, f"d:f:{entry_id}:note")
        await user.send(note)
    harness.clock.set(now)


async def _documents(harness: Harness, user: ChatClient) -> list[FakeMessage]:
    await diary.settle(harness.app)
    return [m for m in user.messages() if m.document is not None]


async def test_report_pdf_and_csv_hold_the_expected_numbers(harness: Harness) -> None:
    user = harness.user()
    now = harness.clock.now()
    await _log(
        harness,
        user,
        now - timedelta(days=3),
        "area:calf",
        "side:left",
        "sev:7",
        "dur:1to5",
        "trig:exercise",
        "help:stretching",
        "woke:y",
    )
    await _log(harness, user, now - timedelta(days=3, hours=2), "area:calf", "sev:4", "dur:lt1")
    await _log(
        harness,
        user,
        now - timedelta(days=10),
        "area:foot",
        "sev:9",
        "dur:gt10",
        note="ночью 🦶 после матча — 足がつった = ok",
    )
    await _log(harness, user, now - timedelta(days=60), "area:thigh", "sev:2")  # outside 4 weeks
    for _ in range(3):
        await user.send("/drank")
    [check_list] = await user.send("/check")
    [step] = await user.tap(check_list, "🩺 Should I see a doctor?")
    for _ in range(3):
        [step] = await user.tap(step, "None of these")
    [result] = await user.tap(step, "⏳ Over 10 min, stretching won't help")
    urgent = harness.content.checks["doctor"].outcomes["urgent"]
    assert urgent.title in result.plain
    [ask] = await user.send("/report")
    [wait] = await user.tap(ask, "Last 4 weeks")
    assert "Preparing" in wait.plain
    pdf_msg, csv_msg = await _documents(harness, user)
    assert pdf_msg.document_name == "cramp-diary-2026-02-03-2026-03-02.pdf"
    assert "3 cramp(s)" in (pdf_msg.caption or "")
    reader = PdfReader(io.BytesIO(pdf_msg.document or b""))
    assert 1 <= len(reader.pages) <= 2
    assert reader.pages[0].mediabox.width == 595.28 or round(float(reader.pages[0].mediabox.width)) == 595
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Period: 2026-02-03 to 2026-03-02 (28 days)" in text
    assert "Cramps logged: 3 on 2 of 28 days" in text
    assert "7: 1" in text and "4: 1" in text and "9: 1" in text and "2: 0" in text
    assert "over 10 min: 1" in text and "Calf 2, Foot 1" in text
    assert "Woke the person up: 1" in text
    assert "Exercise 1" in text and "Stretching 1" in text
    assert "met on 0 of 1 days" in text  # 3 glasses today against the default goal of 8
    assert "2026-02-20: diary entry: over 10 min" in text
    assert "Should I see a doctor?" in text and urgent.title in text
    assert "not a diagnosis" in text
    assert f"Content version {harness.content.version}" in text

    rows = list(csv.DictReader(io.StringIO((csv_msg.document or b"").decode("utf-8-sig"))))
    assert [r["date"] for r in rows] == ["2026-02-20", "2026-02-27", "2026-02-27"]
    assert rows[0]["note"] == "ночью 🦶 после матча — 足がつった = ok"
    assert rows[2]["severity_0_10"] == "7" and rows[2]["triggers"] == "Exercise" and rows[2]["side"] == "Left"


async def test_report_with_nothing_logged_says_so(harness: Harness) -> None:
    user = harness.user()
    [ask] = await user.send("/report")
    [empty] = await user.tap(ask, "Everything")
    assert "Nothing logged" in empty.plain
    assert await _documents(harness, user) == []


async def test_a_note_that_could_be_a_formula_stays_text_in_the_csv(harness: Harness) -> None:
    user = harness.user()
    await _log(harness, user, harness.clock.now(), note='=HYPERLINK("x")')
    [ask] = await user.send("/report")
    await user.tap(ask, "Last 2 weeks")
    _, csv_msg = await _documents(harness, user)
    assert "'=HYPERLINK" in (csv_msg.document or b"").decode("utf-8-sig")


async def test_chart_png_with_and_without_hydration(harness: Harness) -> None:
    user = harness.user()
    now = harness.clock.now()
    await _log(harness, user, now - timedelta(days=2), "sev:6")
    await _log(harness, user, now - timedelta(days=40), "sev:3")
    [diary_screen] = await user.send("/diary")
    await user.tap(diary_screen, "📊 Chart: 4 weeks")
    await diary.settle(harness.app)
    photo = user.last_message()
    assert photo.photo is not None and "1 in all" in (photo.caption or "")
    facts = Image.open(io.BytesIO(photo.photo))
    assert facts.info["Days"] == "28" and facts.info["Cramps"] == "1"
    await user.send("/drank")
    await user.tap(diary_screen, "📊 Chart: 12 weeks")
    await diary.settle(harness.app)
    photo = user.last_message()
    assert Image.open(io.BytesIO(photo.photo or b"")).info["Cramps"] == "2"
    assert harness.api.count("sendPhoto") == 2


async def test_patterns_need_seven_days_each_side_and_say_so(harness: Harness) -> None:
    user = harness.user()
    now = harness.clock.now()
    for days_ago in range(1, 5):
        await _log(harness, user, now - timedelta(days=days_ago), "trig:heat")
    [diary_screen] = await user.send("/diary")
    [patterns] = await user.tap(diary_screen, "🔎 Patterns")
    assert "not proof of cause" in patterns.plain
    assert "Heat or sweating: too few days to compare yet (4 with it, 0 without)" in patterns.plain
    assert "3 more day(s) with it needed. 7 more day(s) without it needed." in patterns.plain
    assert "Log your drinks with /water" in patterns.plain
    for days_ago in range(5, 12):
        await _log(harness, user, now - timedelta(days=days_ago), "sev:2")
    for days_ago in range(12, 15):
        await _log(harness, user, now - timedelta(days=days_ago), "trig:heat", "sev:8")
    [diary_screen] = await user.send("/diary")
    [patterns] = await user.tap(diary_screen, "🔎 Patterns")
    assert (
        "on the <b>7</b> cramp days you noted it: <b>7</b> cramp(s) (average worst 8.0/10); "
        "on the <b>7</b> other cramp days: <b>7</b> (average worst 2.0/10)"
    ) in patterns.text
