"""PNG bar chart of daily water totals against the goal.

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
