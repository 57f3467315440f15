"""PNG charts: daily water totals against the goal, cramps per day (diary), cramps per week (report).

matplotlib is imported inside ``water_chart`` so the bot starts fast and only pays for it when
someone asks for a chart. The Agg canvas is used directly (no pyplot, no global state), so a
chart can be drawn in a worker thread while the event loop keeps serving other users.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

# A phone-friendly size: 8x4.5 inches at 120 dpi is 960x540 pixels.
WIDTH_IN = 8.0
HEIGHT_IN = 4.5
DPI = 120

BAR_COLOUR = "#8fbcd4"
GOAL_COLOUR = "#2b7bb9"
REACHED_COLOUR = "#2e9e5b"


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The chart's words, from the UI YAML (the chart knows no language)."""

    title: str
    goal: str
    unit: str


def water_chart(days: list[tuple[date, int]], goal: int, labels: ChartLabels) -> bytes:
    """Draw one bar per day (oldest first), bars at goal in green, and the goal as a line.

    The PNG carries ``Days`` and ``Goal`` text chunks, so whoever receives it can tell what it
    shows without reading pixels.
    """
    if not days:
        raise ValueError("a chart needs at least one day")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(days)))
    values = [value for _, value in days]
    colours = [REACHED_COLOUR if value >= goal else BAR_COLOUR for value in values]
    ax.bar(positions, values, color=colours, width=0.7, zorder=2)
    ax.axhline(goal, color=GOAL_COLOUR, linestyle="--", linewidth=1.5, label=labels.goal, zorder=3)

    many = len(days) > 10
    step = 1 if not many else max(1, len(days) // 10)
    ticks = positions[::-1][::step][::-1]  # always label the last day (today)
    fmt = "%d %b" if many else "%a %d"
    ax.set_xticks(ticks, [days[i][0].strftime(fmt) for i in ticks])
    ax.tick_params(axis="x", labelsize=8 if many else 9)
    ax.set_xlim(-0.6, len(days) - 0.4)
    ax.set_ylim(0, max([goal, *values]) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(labels.unit)
    ax.set_title(labels.title)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()

    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        metadata={"Title": labels.title, "Days": str(len(days)), "Goal": str(goal)},
    )
    return buffer.getvalue()


@dataclass(frozen=True, slots=True)
class DiaryChartLabels:
    title: str
    cramps: str
    severity: str
    water: str


def diary_chart(
    series: list[tuple[date, int, int | None]], water: list[float | None] | None, labels: DiaryChartLabels
) -> bytes:
    """Cramps per day as bars (oldest first), each coloured by that day's worst severity (0-10,
    grey when not given), with hydration as % of the goal on a second axis when it is tracked.

    The PNG carries ``Days`` and ``Cramps`` text chunks (what it shows, without reading pixels).
    """
    if not series:
        raise ValueError("a chart needs at least one day")
    from matplotlib import colormaps
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    cmap = colormaps["YlOrRd"]
    norm = Normalize(0, 10)
    positions = list(range(len(series)))
    counts = [count for _, count, _ in series]
    colours = [cmap(norm(worst)) if worst is not None else "#b0b0b0" for _, _, worst in series]
    ax.bar(positions, counts, color=colours, width=0.8, zorder=2, edgecolor="#808080", linewidth=0.3)
    step = max(1, len(series) // 10)
    ticks = positions[::-1][::step][::-1]
    ax.set_xticks(ticks, [series[i][0].strftime("%d %b") for i in ticks])
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlim(-0.6, len(series) - 0.4)
    ax.set_ylim(0, max([1, *counts]) * 1.2)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(labels.cramps)
    ax.set_title(labels.title)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    ax.spines["top"].set_visible(False)
    # Fixed margins instead of tight_layout(), which draws the whole figure once more to measure it.
    fig.subplots_adjust(left=0.07, right=0.8 if water is not None else 0.86, bottom=0.1, top=0.91)
    bar = fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), cax=fig.add_axes((0.895, 0.1, 0.016, 0.81)))
    bar.set_label(labels.severity, fontsize=8)
    if water is not None:
        twin = ax.twinx()
        points = [(i, value) for i, value in enumerate(water) if value is not None]
        twin.plot(
            [i for i, _ in points],
            [value for _, value in points],
            color=GOAL_COLOUR,
            linewidth=1.4,
            marker=".",
            markersize=3,
            label=labels.water,
            zorder=3,
        )
        twin.axhline(100, color=GOAL_COLOUR, linestyle=":", linewidth=1)
        twin.set_ylim(0, max([120.0, *(value for _, value in points)]) * 1.1)
        twin.set_ylabel(labels.water, color=GOAL_COLOUR)
        twin.spines["top"].set_visible(False)
        twin.legend(loc="upper left", frameon=False, fontsize=8)
    buffer = io.BytesIO()
    fig.savefig(
        buffer,
        format="png",
        metadata={"Title": labels.title, "Days": str(len(series)), "Cramps": str(sum(counts))},
    )
    return buffer.getvalue()


def weekly_chart(weeks: list[tuple[date, int]], title: str, width_in: float = 7.0, height_in: float = 2.4) -> bytes:
    """Cramps per week as bars (for the doctor's report; plain, prints well in black and white).

    Many weeks (years of diary) are drawn as one stepped area instead of one patch per bar, which
    keeps the drawing time flat however long the diary is.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    fig = Figure(figsize=(width_in, height_in), dpi=130)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    positions = list(range(len(weeks)))
    values = [count for _, count in weeks]
    if len(weeks) <= 30:
        ax.bar(positions, values, color="#5a7fa8", width=0.7, zorder=2)
    else:
        ax.stairs(values, [p - 0.5 for p in positions] + [len(weeks) - 0.5], fill=True, color="#5a7fa8", zorder=2)
    step = max(1, -(-len(weeks) // 8))
    ticks = positions[::-1][::step][::-1]
    ax.set_xticks(ticks, [weeks[i][0].strftime("%d %b %Y") for i in ticks])
    ax.tick_params(axis="both", labelsize=7)
    ax.set_ylim(0, max([1, *values]) * 1.15)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title, fontsize=9)
    ax.grid(axis="y", alpha=0.3, zorder=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.subplots_adjust(left=0.06, right=0.99, bottom=0.16, top=0.88)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
