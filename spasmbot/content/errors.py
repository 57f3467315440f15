"""Content errors: one problem located by file and field, and the exception listing them all.

A leaf module (imports nothing of spasmbot), so every part that reads content (the loader, the
review dates, a feature's own YAML such as guided checks) can report errors without import cycles.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ContentError:
    """One problem in the content, located by file and field path (``cards[2].pages[0]``)."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class ContentInvalid(Exception):
    def __init__(self, errors: list[ContentError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))
