"""The feature list: each entry is a folder ``spasmbot/features/<name>/`` whose ``handlers.register(app)``
the Application calls, in this order (earlier handlers win within a group; browse comes last, the
fallbacks in ``spasmbot.edge.app`` after all of them).

Adding a feature = a new folder here and one line in ``FEATURES``. The list holds names, not
modules, so importing a Telegram-free part of a feature (``features.tips.store``) never loads
every feature's handlers (and telegram) with it.
"""

from __future__ import annotations

FEATURES: tuple[str, ...] = (
    "privacy",
    "checks",
    "water",
    "tips",
    "diary",
    "timezone",
    "search",
    "browse",
)
