"""Screens for browsing the content: main menu, sections, cards, help, about.

Their callback data (namespace ``b``) is declared in ``spasmbot.features.browse.callbacks``: besides
menu, sections and cards, ``b:src:<card>`` (the card's sources and review dates) and ``b:disc`` (the
short disclaimer as a pop-up, for messages people see without passing /start: tips, nudges).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from spasmbot.callback_data import Tap
from spasmbot.content.model import Card, Content, Section
from spasmbot.features.browse import callbacks
from spasmbot.screen import Button, Screen, rows_of

CARDS_PER_PAGE = 12
MENU = callbacks.MENU()
ABOUT = callbacks.ABOUT()
HELP = callbacks.HELP()
DISCLAIMER = callbacks.DISCLAIMER()

# Feature entry points: the callback data each feature's handlers answer (see docs/ARCHITECTURE.md).
FEATURE_DATA = {
    "tips": "t:home",
    "water": "w:home",
    "checks": "k:home",
    "about": ABOUT,
    "help": HELP,
    "privacy": "p:home",
    "log": "d:new",
    "diary": "d:home",
}


def section_data(section_id: str, page: int = 0) -> str:
    return callbacks.SECTION(section_id, page)


def card_data(card_id: str, page: int = 0) -> str:
    return callbacks.CARD(card_id, page)


def sources_data(card_id: str) -> str:
    return callbacks.SOURCES(card_id)


def month_year(content: Content, day: date) -> str:
    """"December 2026", in the content's language (``core.months``)."""
    return f"{content.ui('core.months').split()[day.month - 1]} {day.year}"


def disclaimer_button(content: Content) -> Button:
    """A button that shows the short disclaimer as a pop-up, leaving the message as it is."""
    return Button(content.ui("core.button.disclaimer"), DISCLAIMER)


def action_button(content: Content, action: str) -> Button | None:
    """A button for a feature action (``tips``, ``check:doctor``...); None if it does not resolve."""
    if action.startswith("check:"):
        check = content.checks.get(action.removeprefix("check:"))
        if check is None:
            return None
        return Button(content.ui("core.start_check", title=check.title), f"k:start:{check.id}")
    if action not in FEATURE_DATA:
        return None
    return Button(content.ui(f"core.feature.{action}"), FEATURE_DATA[action])


def _actions(content: Content, actions: tuple[str, ...]) -> list[Button]:
    return [b for b in (action_button(content, a) for a in actions) if b is not None]


def link_button(content: Content, target: str) -> Button | None:
    """A "see also" button to a card or a section."""
    if target in content.cards:
        return Button("↪ " + content.cards[target].title, card_data(target))
    if target in content.sections:
        return Button("↪ " + content.sections[target].title, section_data(target))
    return None


def menu_button(content: Content) -> Button:
    return Button(content.ui("core.button.menu"), MENU)


def main_menu(content: Content, preface: str = "") -> Screen:
    buttons: list[Button] = []
    for item in content.menu:
        if item.startswith("section:"):
            section = content.sections.get(item.removeprefix("section:"))
            if section is not None:
                buttons.append(Button(section.title, section_data(section.id)))
        else:
            button = action_button(content, item)
            if button is not None:
                buttons.append(button)
    text = content.ui("core.menu")
    return Screen(f"{preface}\n\n{text}" if preface else text, tuple(rows_of(buttons, 2)))


def section_pages(section: Section) -> int:
    return max(1, -(-len(section.cards) // CARDS_PER_PAGE))


def section_screen(content: Content, section: Section, page: int = 0) -> Screen:
    pages = section_pages(section)
    page = min(max(page, 0), pages - 1)
    chunk = section.cards[page * CARDS_PER_PAGE : (page + 1) * CARDS_PER_PAGE]
    rows: list[tuple[Button, ...]] = [
        (Button(content.cards[card_id].title, card_data(card_id)),) for card_id in chunk
    ]
    text = f"<b>{section.title}</b>\n\n{section.intro}"
    if pages > 1:
        rows.append(_pager(content, pages, page, lambda p: section_data(section.id, p)))
        text += "\n\n" + content.ui("core.page", page=page + 1, pages=pages)
    rows.extend(rows_of(_actions(content, section.actions), 1))
    rows.append((Button(content.ui("core.button.back"), MENU), menu_button(content)))
    return Screen(text, tuple(rows))


def card_screen(content: Content, card: Card, page: int = 0) -> Screen:
    """One page of a card; every page ends with the short disclaimer and the review date (a card
    can be reached without /start, through a tip or a link), treatment cards with a caution."""
    page = min(max(page, 0), len(card.pages) - 1)
    text = card.pages[page]
    rows: list[tuple[Button, ...]] = []
    if len(card.pages) > 1:
        text += "\n\n" + content.ui("core.page", page=page + 1, pages=len(card.pages))
        rows.append(_pager(content, len(card.pages), page, lambda p: card_data(card.id, p)))
    if card.treatment:
        text += "\n\n" + content.ui("core.treatment")
    if card.review is not None:
        text += "\n\n" + content.ui("core.footer", date=month_year(content, card.review.reviewed))
    links = [b for b in (link_button(content, t) for t in card.see_also) if b is not None]
    rows.extend(rows_of(links, 1))
    rows.extend(rows_of(_actions(content, card.actions), 1))
    if card.review is not None:
        rows.append((Button(content.ui("core.button.sources"), sources_data(card.id)),))
    section = content.sections[card.section]
    back_page = section.cards.index(card.id) // CARDS_PER_PAGE if card.id in section.cards else 0
    rows.append(
        (
            Button(content.ui("core.button.back"), section_data(section.id, back_page)),
            menu_button(content),
        )
    )
    return Screen(text, tuple(rows))


def sources_screen(content: Content, card: Card) -> Screen:
    """Who says what the card says, and when it was last checked (the NHS "page last reviewed")."""
    review = card.review
    assert review is not None
    links = "\n".join(
        f'• <a href="{html.escape(source.url, quote=True)}">{html.escape(source.name)}</a>'
        for source in review.sources
    )
    text = content.ui(
        "core.sources",
        title=card.title,
        sources=links,
        reviewed=month_year(content, review.reviewed),
        due=month_year(content, review.review_due),
    )
    rows = (
        (Button(content.ui("core.button.back"), card_data(card.id)), menu_button(content)),
        (Button(content.ui("core.feature.about"), ABOUT),),
    )
    return Screen(text, rows)


def _pager(content: Content, pages: int, page: int, data: Callable[[int], str]) -> tuple[Button, ...]:
    buttons = []
    if page > 0:
        buttons.append(Button(content.ui("core.button.prev"), data(page - 1)))
    if page < pages - 1:
        buttons.append(Button(content.ui("core.button.next"), data(page + 1)))
    return tuple(buttons)


def about_screen(content: Content) -> Screen:
    rows = [
        (Button(content.ui("core.feature.privacy"), FEATURE_DATA["privacy"]),
         Button(content.ui("core.feature.help"), HELP)),
        (menu_button(content),),
    ]
    text = content.ui("core.about")
    if content.version and "core.about_version" in content.ui:
        text += "\n\n" + content.ui("core.about_version", version=content.version)
    return Screen(text, tuple(rows))


def help_screen(content: Content, commands: list[tuple[str, str]]) -> Screen:
    lines = "\n".join(f"/{name} — {description}" for name, description in commands)
    return Screen(content.ui("core.help", commands=lines), ((menu_button(content),),))


@dataclass(frozen=True, slots=True)
class BrowseTarget:
    """What a ``b:`` callback asks for, once parsed and checked against the current content."""

    kind: str  # "menu" | "section" | "card" | "sources" | "about" | "help" | "disclaimer"
    id: str = ""
    page: int = 0


def target_of(content: Content, tap: Tap | None) -> BrowseTarget | None:
    """What a parsed ``b:`` tap asks for; None when it refers to content that no longer exists."""
    if tap is None:
        return None
    action = tap.action
    simple = {
        callbacks.MENU: "menu", callbacks.ABOUT: "about", callbacks.HELP: "help", callbacks.DISCLAIMER: "disclaimer",
    }
    if action in simple:
        return BrowseTarget(simple[action])
    ident = tap.text("id")
    if action is callbacks.SOURCES:
        card = content.cards.get(ident)
        return BrowseTarget("sources", card.id) if card is not None and card.review is not None else None
    page = tap.number("page") if action in (callbacks.SECTION, callbacks.CARD) else 0
    if action in (callbacks.SECTION, callbacks.SECTION_FIRST):
        section = content.sections.get(ident)
        if section is None or page >= section_pages(section):
            return None
        return BrowseTarget("section", ident, page)
    card = content.cards.get(ident)
    if card is None or page >= len(card.pages):
        return None
    return BrowseTarget("card", ident, page)


def parse_browse(content: Content, data: str) -> BrowseTarget | None:
    """Parse ``b:`` data with the grammar; None when it is forged or refers to content that is gone."""
    return target_of(content, callbacks.BROWSE.parse(data))


def screen_for(content: Content, target: BrowseTarget, commands: list[tuple[str, str]]) -> Screen:
    if target.kind == "section":
        return section_screen(content, content.sections[target.id], target.page)
    if target.kind == "card":
        return card_screen(content, content.cards[target.id], target.page)
    if target.kind == "sources":
        return sources_screen(content, content.cards[target.id])
    if target.kind == "about":
        return about_screen(content)
    if target.kind == "help":
        return help_screen(content, commands)
    return main_menu(content)


# Commands other than the sections' own, in the order Telegram's command menu lists them.
_LEADING_COMMANDS = ("start", "menu")
_TRAILING_COMMANDS = ("check", "log", "diary", "report", "tips", "water", "drank", "about", "help", "privacy", "mydata",
                      "forget", "stop")


def command_list(content: Content) -> list[tuple[str, str]]:
    """(command, description) for setMyCommands and /help; section commands come from content."""
    commands = [(name, content.ui(f"core.command.{name}")) for name in _LEADING_COMMANDS]
    commands += [(s.command, s.description) for s in content.sections.values() if s.command]
    commands += [(c.command, c.title) for c in sorted(content.checks.values(), key=lambda c: c.order) if c.command]
    commands += [(name, content.ui(f"core.command.{name}")) for name in _TRAILING_COMMANDS]
    return commands
