"""Callback data of browsing (namespace ``b``).

``b:m`` main menu · ``b:s:<section>:<page>`` · ``b:c:<card>:<page>`` · ``b:src:<card>`` (the card's
sources and review dates) · ``b:about`` · ``b:help`` · ``b:disc`` (the short disclaimer as a pop-up)
(``b:s:<section>`` and ``b:c:<card>`` without a page, from older messages, open page 1).
"""

from __future__ import annotations

from spasmbot.callback_data import Grammar, Int, Word

BROWSE = Grammar("b")
MENU = BROWSE.action("m")
ABOUT = BROWSE.action("about")
HELP = BROWSE.action("help")
SECTION = BROWSE.action("s", Word("id"), Int("page", 0, 999))
CARD = BROWSE.action("c", Word("id"), Int("page", 0, 999))
SECTION_FIRST = BROWSE.action("s", Word("id"))
CARD_FIRST = BROWSE.action("c", Word("id"))
SOURCES = BROWSE.action("src", Word("id"))
DISCLAIMER = BROWSE.action("disc")
