"""``Services``: the content, store, clock and settings one Application runs with, Telegram-free.

Kept in ``application.bot_data["services"]``; handlers reach it with ``spasmbot.edge.common.services``
and pass it to the Telegram-free feature modules, so the domain never imports the edge for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spasmbot.clock import Clock
    from spasmbot.config import Settings
    from spasmbot.content.model import Content
    from spasmbot.storage import Store


@dataclass(slots=True)
class Services:
    """Everything handlers need, kept in ``application.bot_data["services"]``.

    ``content`` is the default language; ``translations`` holds the other language folders by
    code (``content/de`` -> ``"de"``), picked per user from Telegram's ``language_code``.
    """

    content: Content
    store: Store
    clock: Clock
    settings: Settings
    translations: dict[str, Content] = field(default_factory=dict)
    _by_language: dict[str, Services] = field(default_factory=dict, repr=False)

    def for_language(self, code: str | None) -> Services:
        """These services speaking ``code`` (e.g. ``de-AT`` -> ``de``) if we have it, else the default."""
        if not code or not self.translations:
            return self
        language = code.split("-")[0].lower()
        content = self.translations.get(language)
        if content is None:
            return self
        if language not in self._by_language:
            self._by_language[language] = replace(self, content=content, translations={}, _by_language={})
        return self._by_language[language]
