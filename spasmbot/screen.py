"""What the bot shows, independent of Telegram: text plus rows of buttons.

Domain and rendering code build Screens; only ``spasmbot.edge`` turns them into Telegram objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str | None = None  # callback_data, at most 64 bytes
    url: str | None = None
    switch_inline_query: str | None = None  # opens inline mode in a chat the user picks, this typed in


@dataclass(frozen=True, slots=True)
class Screen:
    text: str  # Telegram HTML
    rows: tuple[tuple[Button, ...], ...] = field(default_factory=tuple)

    def buttons(self) -> list[Button]:
        return [b for row in self.rows for b in row]


def rows_of(buttons: list[Button], width: int = 2) -> list[tuple[Button, ...]]:
    """Lay buttons out ``width`` to a row."""
    return [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]
