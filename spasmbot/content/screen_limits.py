"""Telegram's limits on one rendered message (text length, HTML it accepts, button data and labels).

Used by the content validator and by features validating their own screens (guided checks): a
Screen that passes here is one Telegram will take.
"""

from __future__ import annotations

from spasmbot.callback_data import MAX_BYTES
from spasmbot.content.errors import ContentError
from spasmbot.content.html import html_errors, visible_length
from spasmbot.screen import Screen

MAX_MESSAGE = 4096
MAX_CALLBACK_BYTES = MAX_BYTES  # Telegram's limit, from the callback-data grammar
MAX_BUTTON_TEXT = 64


def check_screen(screen: Screen, file: str, field: str, check_length: bool = True) -> list[ContentError]:
    """Telegram's limits on one message: text length, parseable HTML, button data size."""
    errors: list[ContentError] = []
    for problem in html_errors(screen.text):
        errors.append(ContentError(file, field, f"HTML Telegram would reject: {problem}"))
    length = visible_length(screen.text)
    if check_length and length > MAX_MESSAGE:
        errors.append(ContentError(file, field, f"renders to {length} characters (max {MAX_MESSAGE})"))
    if not screen.text.strip():
        errors.append(ContentError(file, field, "renders to an empty message"))
    for button in screen.buttons():
        if button.data is not None and not 1 <= len(button.data.encode()) <= MAX_CALLBACK_BYTES:
            errors.append(
                ContentError(
                    file,
                    field,
                    f"button {button.text!r} has callback_data of {len(button.data.encode())} bytes "
                    f"(Telegram allows 1 to {MAX_CALLBACK_BYTES}): {button.data!r}",
                )
            )
        if not button.text.strip() or len(button.text) > MAX_BUTTON_TEXT:
            errors.append(ContentError(file, field, f"button text {button.text!r} must be 1-64 characters"))
    return errors
