"""Limits Telegram enforces and the records the fake keeps of what the bot did (messages, tap
answers, inline answers, calls): what tests and the console read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from spasmbot.screen import Button

if TYPE_CHECKING:
    pass


MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_ANSWER_TEXT_LENGTH = 200
MAX_INLINE_RESULTS = 50
ERRORS_KEPT = 100  # handler exceptions remembered (see FakeTelegram.handler_errors)

ErrorKind = Literal["forbidden", "retry_after", "not_modified", "timeout", "bad_request", "network"]
ERROR_KINDS: frozenset[str] = frozenset(
    ("forbidden", "retry_after", "not_modified", "timeout", "bad_request", "network")
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup of "
    "the message are exactly the same as a message content and reply markup"
)
BLOCKED = "Forbidden: bot was blocked by the user"
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"


# --- public records --------------------------------------------------------------------------


@dataclass(slots=True)
class Call:
    """One Bot API request as the bot made it (``params`` as PTB serialised them)."""

    method: str
    params: dict[str, Any]


@dataclass(slots=True)
class CallbackAnswer:
    """An ``answerCallbackQuery`` the bot made for a user's tap."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool


@dataclass(slots=True)
class InlineResult:
    """One article of an inline answer: what the user sees in the list and what would be posted."""

    id: str
    title: str
    description: str
    text: str  # raw message text (Telegram HTML)
    plain: str
    buttons: list[list[Button]]


@dataclass(slots=True)
class InlineAnswer:
    """An ``answerInlineQuery`` the bot made for a user's ``@bot words``."""

    query_id: str
    user_id: int
    results: list[InlineResult]
    cache_time: int
    is_personal: bool


@dataclass(slots=True, eq=False)
class FakeMessage:
    """A message's current state as Telegram holds it; edits update the same object."""

    message_id: int
    chat_id: int
    text: str  # raw text as sent (Telegram HTML under parse_mode HTML); "" for photos/documents
    plain: str  # what the user reads: text, or the caption, with tags stripped
    buttons: list[list[Button]] = field(default_factory=list)
    photo: bytes | None = None
    caption: str | None = None
    edits: int = 0
    deleted: bool = False
    date: int = 0
    edit_date: int | None = None
    from_bot: bool = True
    entities: tuple[dict[str, Any], ...] = ()
    reply_markup: dict[str, Any] | None = None
    photo_id: str | None = None
    document: bytes | None = None
    document_name: str | None = None
    document_id: str | None = None

    @property
    def has_media(self) -> bool:
        """A photo or document: it has a caption instead of text."""
        return self.photo_id is not None or self.document_id is not None

    def all_buttons(self) -> list[Button]:
        return [b for row in self.buttons for b in row]

    def button_texts(self) -> list[str]:
        return [b.text for row in self.buttons for b in row]

    def button(self, text: str) -> Button:
        """Find a button by exact text, else by case-insensitive substring; fail loudly."""
        everything = self.all_buttons()
        exact = [b for b in everything if b.text == text]
        if len(exact) == 1:
            return exact[0]
        if not exact:
            needle = text.casefold()
            exact = [b for b in everything if needle in b.text.casefold()]
            if len(exact) == 1:
                return exact[0]
        problem = "is ambiguous" if exact else "matches no button"
        raise AssertionError(
            f"{text!r} {problem} in message {self.message_id} of chat {self.chat_id} "
            f"({self.plain[:60]!r}); available buttons: {self.button_texts()!r}"
        )

    def __str__(self) -> str:
        rows = " | ".join(" , ".join(f"[{b.text}]" for b in row) for row in self.buttons)
        flags = " (deleted)" if self.deleted else ""
        return f"#{self.message_id}{flags}: {self.plain}" + (f"\n  {rows}" if rows else "")
