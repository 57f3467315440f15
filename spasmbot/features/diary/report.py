"""The report for the doctor: a one- or two-page A4 PDF (fpdf2) and the same data as CSV.

Runs in a worker thread (``build`` is synchronous and touches no shared state). Fonts: DejaVu Sans,
which ships with matplotlib (a dependency), covers Latin, Greek, Cyrillic and more; any other TTF
found on the machine is added as a fallback (CJK, symbols). A character no font has (most emoji)
is dropped if it is a symbol and shown as "?" if it is a letter, so a note in any script can never
stop the report from being made.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from spasmbot.content.model import Content
from spasmbot.features.diary import rules
from spasmbot.features.diary.views import ReportData

# Extra fonts used when present (first match per family), for scripts DejaVu lacks.
FALLBACK_CANDIDATES = (
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.otf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/unifont/unifont.ttf",
    "/usr/share/fonts/truetype/freefont/FreeSans.ttf",
)
MAX_FLAG_LINES = 12  # red-flag lines listed (newest first); the CSV has them all
_JOINERS = frozenset({"\u200d", *(chr(c) for c in range(0xFE00, 0xFE10))})  # emoji glue, never drawn


@lru_cache(maxsize=1)
def fonts() -> tuple[Path, tuple[Path, ...]]:
    """(regular, fallbacks): DejaVu Sans from matplotlib, plus fallbacks found on the machine.

    One weight only: every font added costs a parse of its TTF (about 0.1 s of CPU each), and
    headings read well enough in a larger size.
    """
    import matplotlib

    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return ttf / "DejaVuSans.ttf", tuple(p for p in map(Path, FALLBACK_CANDIDATES) if p.is_file())


@lru_cache(maxsize=1)
def _coverage() -> frozenset[int]:
    """Every code point some font of ours can draw."""
    from fontTools.ttLib import TTFont

    regular, fallbacks = fonts()
    points: set[int] = set()
    for path in (regular, *fallbacks):
        with TTFont(str(path), lazy=True) as font:
            points.update(font.getBestCmap() or {})
    return frozenset(points)


def printable(text: str) -> str:
    """``text`` with what no font can draw removed (symbols, emoji) or replaced by "?" (letters)."""
    covered = _coverage()
    out = []
    for ch in text:
        if ch in _JOINERS:
            continue
        if ord(ch) in covered or ch in "\n\t":
            out.append(ch)
        elif unicodedata.category(ch)[0] in "LN":
            out.append("?")
    return "".join(out).strip()


def plain(text: str) -> str:
    """A label without its emoji and surrounding space (for the PDF and CSV)."""
    kept = [ch for ch in text if unicodedata.category(ch)[0] not in "SC" and ch not in _JOINERS]
    return "".join(kept).strip()


@dataclass(frozen=True, slots=True)
class Words:
    """The report's words, read from the content in the main thread (the worker gets plain data)."""

    pdf: dict[str, str]
    labels: dict[str, str]  # "area.calf" -> "Calf"
    content_version: str

    @classmethod
    def from_content(cls, content: Content) -> Words:
        pdf_prefix, label_prefix = "diary.pdf.labels.", "diary.labels."
        pdf = {k[len(pdf_prefix) :]: content.ui(k) for k in content.ui.keys() if k.startswith(pdf_prefix)}  # noqa: SIM118
        labels = {
            k[len(label_prefix) :]: plain(content.ui(k))
            for k in content.ui.keys()  # noqa: SIM118
            if k.startswith(label_prefix)
        }
        for check in content.checks.values():
            labels[f"check.{check.id}"] = plain(check.title)
            for outcome in check.outcomes.values():
                labels[f"outcome.{check.id}.{outcome.id}"] = plain(outcome.title)
        return cls(pdf, labels, getattr(content, "version", "") or "-")

    def __call__(self, key: str, **values: Any) -> str:
        return self.pdf[key].format(**values) if values else self.pdf[key]

    def label(self, group: str, ident: str) -> str:
        return self.labels.get(f"{group}.{ident}", ident)

    def counted(self, group: str, pairs: list[tuple[str, int]]) -> str:
        return ", ".join(f"{self.label(group, k)} {n}" for k, n in pairs) or self("none")


def build(data: ReportData, words: Words) -> tuple[bytes, bytes]:
    """The PDF and the CSV of ``data``."""
    return build_pdf(data, words), build_csv(data, words)


def build_pdf(data: ReportData, words: Words) -> bytes:
    from fpdf import FPDF

    from spasmbot.chart import weekly_chart

    s = data.summary
    regular, fallbacks = fonts()
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(auto=True, margin=14)
    pdf.set_margins(16, 14, 16)
    pdf.add_font("body", "", str(regular))
    names = []
    for index, path in enumerate(fallbacks):
        name = f"fallback{index}"
        pdf.add_font(name, "", str(path))
        names.append(name)
    if names:
        pdf.set_fallback_fonts(names, exact_match=False)
    pdf.set_title(printable(words("title")))
    pdf.set_creator("SpasmBot")
    pdf.add_page()
    width = pdf.epw

    def heading(text: str) -> None:
        pdf.ln(1.5)
        pdf.set_font("body", "U", 11.5)
        pdf.cell(width, 6, printable(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 9.5)

    def line(text: str) -> None:
        pdf.multi_cell(width, 4.8, printable(text), new_x="LMARGIN", new_y="NEXT")

    pdf.set_font("body", "", 17)
    pdf.cell(width, 9, printable(words("title")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 9.5)
    line(words("period", first=s.first.isoformat(), last=s.last.isoformat(), days=s.days))
    line(words("generated", date=data.made.astimezone(data.zone).date().isoformat(), version=words.content_version))

    heading(words("counts"))
    per_week = f"{s.total / s.weeks:.1f}" if s.weeks else "0"
    line(words("total", total=s.total, cramp_days=s.cramp_days, days=s.days, per_week=per_week))
    line(words("free", free=s.free_confirmed))
    chart = weekly_chart(s.per_week, printable(words("per_week_chart")))
    pdf.image(io.BytesIO(chart), w=width, h=width * 2.4 / 7.0)

    heading(words("severity"))
    severity = "   ".join(f"{n}: {s.severity[n]}" for n in rules.SEVERITIES)
    line(f"{severity}   {words('severity_unknown', count=s.severity_unknown)}")
    heading(words("duration"))
    line(", ".join(f"{words.label('duration', d)}: {n}" for d, n in s.durations.items()))
    heading(words("areas"))
    line(words.counted("area", s.areas))
    share = round(100 * s.night / s.total) if s.total else 0
    line(words("night", night=s.night, total=s.total, share=share, woke=s.woke))
    heading(words("triggers"))
    line(words.counted("trigger", s.triggers))
    heading(words("helped"))
    line(words.counted("helped", s.helped))

    heading(words("hydration"))
    if data.hydration is None:
        line(words("hydration_none"))
    else:
        totals = data.hydration.totals
        met = len(data.hydration.goal_days())
        unit = words(f"unit_{data.hydration.unit}")
        average = round(sum(totals.values()) / len(totals)) if totals else 0
        line(words("hydration_line", goal=data.hydration.goal, unit=unit, met=met, days=len(totals), average=average))

    heading(words("red_flags"))
    flag_lines = _flag_lines(data, words)
    for text in flag_lines[:MAX_FLAG_LINES]:
        line("• " + text)
    if len(flag_lines) > MAX_FLAG_LINES:
        line(words("red_flags_more", count=len(flag_lines) - MAX_FLAG_LINES))
    if not flag_lines:
        line(words("red_flags_none"))

    pdf.ln(2)
    pdf.set_font("body", "", 9)
    pdf.multi_cell(width, 4.6, printable(words("disclaimer")), border=1, padding=2, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _flag_lines(data: ReportData, words: Words) -> list[str]:
    """Red-flag answers in the diary and urgent guided-check results, newest first."""
    dated: list[tuple[str, str]] = []
    for entry, flags in data.summary.flagged:
        answers = ", ".join(
            words.label({"duration": "duration", "area": "area", "sign": "sign"}[f.field], f.value) for f in flags
        )
        dated.append((entry.day.isoformat(), words("red_flag_entry", date=entry.day.isoformat(), answers=answers)))
    for result in data.check_flags:
        day = result.finished_at.astimezone(data.zone).date().isoformat()
        dated.append(
            (
                day,
                words(
                    "red_flag_check",
                    date=day,
                    check=words.label("check", result.check_id),
                    outcome=words.label("outcome", f"{result.check_id}.{result.outcome}"),
                ),
            )
        )
    return [text for _, text in sorted(dated, reverse=True)]


CSV_COLUMNS = (
    "date",
    "time",
    "type",
    "night",
    "area",
    "side",
    "severity_0_10",
    "duration",
    "woke_me_up",
    "triggers",
    "helped",
    "warning_signs",
    "note",
)


def _cell(value: str) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas: quote those (notes are user text)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def build_csv(data: ReportData, words: Words) -> bytes:
    """One row per entry and per confirmed cramp-free day, oldest first; UTF-8 with BOM (Excel)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    rows: list[tuple[str, str, list[str]]] = []
    for e in data.entries:
        local = e.at.astimezone(data.zone)
        rows.append(
            (
                e.day.isoformat(),
                f"{local:%H:%M}",
                [
                    e.day.isoformat(),
                    f"{local:%H:%M}",
                    "cramp",
                    "yes" if e.night else "no",
                    words.label("area", e.area) if e.area else "",
                    words.label("side", e.side) if e.side else "",
                    "" if e.severity is None else str(e.severity),
                    words.label("duration", e.duration) if e.duration else "",
                    "" if e.woke is None else ("yes" if e.woke else "no"),
                    "; ".join(words.label("trigger", t) for t in e.triggers),
                    "; ".join(words.label("helped", h) for h in e.helped),
                    "; ".join(words.label("sign", g) for g in e.signs),
                    _cell(e.note or ""),
                ],
            )
        )
    for day in data.free_days:
        rows.append((day.isoformat(), "", [day.isoformat(), "", "cramp_free_day", *[""] * 10]))
    for _, _, row in sorted(rows, key=lambda r: (r[0], r[1])):
        writer.writerow(row)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
