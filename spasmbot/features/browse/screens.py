"""Screens for browsing the content: main menu, sections, cards, help, about.

Their callback data (namespace ``b``) is declared in ``spasmbot.features.browse.callbacks``: besides
menu, sections and cards, ``b:src:<card>`` (the card's sources and review dates) and ``b:disc`` (the
short disclaimer as a pop-up, for messages people see without passing /start: tips, nudges).

Back returns to the screen the user came from (Cramps -> Night leg cramps -> Back is Cramps, not
the card's home section). Where they came from travels in the button data itself, as a *trail*:
the screens passed through, newest first, ``s<section>[.<page>]`` or ``c<card>[.<page>]`` joined
by commas (``b:c:night_cramps:0:ccramps,stypes``). Nothing is stored, so Back survives restarts and
works on old messages; when the data would pass 64 bytes the oldest steps are dropped, and a
screen with no trail goes back to its home (the card's section, the main menu). A trail naming
something the content no longer has makes the button stale like any other.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from spasmbot.callback_data import Action, Tap
from spasmbot.content.model import Card, Content, Section
from spasmbot.features.browse import callbacks
from spasmbot.features.checks import callbacks as checks_callbacks
from spasmbot.features.diary import callbacks as diary_callbacks
from spasmbot.features.privacy import callbacks as privacy_callbacks
from spasmbot.features.search.callbacks import card_footer
from spasmbot.features.tips import callbacks as tips_callbacks
from spasmbot.features.water import callbacks as water_callbacks
from spasmbot.screen import Button, Screen, rows_of

CARDS_PER_PAGE = 12
MENU = callbacks.MENU()
ABOUT = callbacks.ABOUT()
HELP = callbacks.HELP()
DISCLAIMER = callbacks.DISCLAIMER()

# Feature entry points: the callback data each feature's handlers answer (see docs/ARCHITECTURE.md).
FEATURE_DATA = {
    "tips": tips_callbacks.HOME(),
    "water": water_callbacks.HOME(),
    "checks": checks_callbacks.HOME(),
    "about": ABOUT,
    "help": HELP,
    "privacy": privacy_callbacks.HOME(),
    "log": diary_callbacks.NEW(),
    "diary": diary_callbacks.HOME(),
}


Trail = tuple[str, ...]  # screens passed through, newest first: "stypes", "ccramps.1"
_STEP = re.compile(r"([sc])([a-z0-9_]{1,24})(?:\.([0-9]{1,3}))?", re.ASCII)


def _step(kind: str, ident: str, page: int = 0) -> str:
    return f"{kind}{ident}" + (f".{page}" if page else "")


def _with_trail(plain: Action, trailed: Action, values: tuple[int | str, ...], trail: Trail) -> str:
    """The data with as much of ``trail`` as fits Telegram's 64 bytes (oldest steps dropped first)."""
    kept = list(trail)
    while kept:
        if trailed.problem(*values, ",".join(kept)) is None:
            return trailed(*values, ",".join(kept))
        kept.pop()
    return plain(*values)


def section_data(section_id: str, page: int = 0, trail: Trail = ()) -> str:
    return _with_trail(callbacks.SECTION, callbacks.SECTION_TRAIL, (section_id, page), trail)


def card_data(card_id: str, page: int = 0, trail: Trail = ()) -> str:
    return _with_trail(callbacks.CARD, callbacks.CARD_TRAIL, (card_id, page), trail)


def sources_data(card_id: str, trail: Trail = ()) -> str:
    return _with_trail(callbacks.SOURCES, callbacks.SOURCES_TRAIL, (card_id,), trail)


def back_data(trail: Trail) -> str:
    """Where Back goes: the newest step of ``trail``, carrying the older steps along."""
    match = _STEP.fullmatch(trail[0])
    assert match is not None, trail
    kind, ident, page = match.group(1), match.group(2), int(match.group(3) or 0)
    return (section_data if kind == "s" else card_data)(ident, page, trail[1:])


def month_year(content: Content, day: date) -> str:
    """ "December 2026", in the content's language (``core.months``)."""
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
        return Button(content.ui("core.start_check", title=check.title), checks_callbacks.START.unchecked(check.id))
    if action not in FEATURE_DATA:
        return None
    return Button(content.ui(f"core.feature.{action}"), FEATURE_DATA[action])


def _actions(content: Content, actions: tuple[str, ...]) -> list[Button]:
    return [b for b in (action_button(content, a) for a in actions) if b is not None]


def link_button(content: Content, target: str, trail: Trail = ()) -> Button | None:
    """A "see also" button to a card or a section; ``trail`` is where its Back should lead."""
    if target in content.cards:
        return Button("↪ " + content.cards[target].title, card_data(target, 0, trail))
    if target in content.sections:
        return Button("↪ " + content.sections[target].title, section_data(target, 0, trail))
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


def section_screen(content: Content, section: Section, page: int = 0, trail: Trail = ()) -> Screen:
    pages = section_pages(section)
    page = min(max(page, 0), pages - 1)
    chunk = section.cards[page * CARDS_PER_PAGE : (page + 1) * CARDS_PER_PAGE]
    here = (_step("s", section.id, page), *trail)
    rows: list[tuple[Button, ...]] = [
        (Button(content.cards[card_id].title, card_data(card_id, 0, here)),) for card_id in chunk
    ]
    text = f"<b>{section.title}</b>\n\n{section.intro}"
    if pages > 1:
        rows.append(_pager(content, pages, page, lambda p: section_data(section.id, p, trail)))
        text += "\n\n" + content.ui("core.page", page=page + 1, pages=pages)
    rows.extend(rows_of(_actions(content, section.actions), 1))
    back = back_data(trail) if trail else MENU
    rows.append((Button(content.ui("core.button.back"), back), menu_button(content)))
    return Screen(text, tuple(rows))


def card_screen(content: Content, card: Card, page: int = 0, trail: Trail = ()) -> Screen:
    """One page of a card; every page ends with the short disclaimer and the review date (a card
    can be reached without /start, through a tip or a link), treatment cards with a caution."""
    page = min(max(page, 0), len(card.pages) - 1)
    text = card.pages[page]
    rows: list[tuple[Button, ...]] = []
    if len(card.pages) > 1:
        text += "\n\n" + content.ui("core.page", page=page + 1, pages=len(card.pages))
        rows.append(_pager(content, len(card.pages), page, lambda p: card_data(card.id, p, trail)))
    if card.treatment:
        text += "\n\n" + content.ui("core.treatment")
    if card.review is not None:
        text += "\n\n" + content.ui("core.footer", date=month_year(content, card.review.reviewed))
    here = (_step("c", card.id, page), *trail)
    links = [b for b in (link_button(content, t, here) for t in card.see_also) if b is not None]
    rows.extend(rows_of(links, 1))
    rows.extend(rows_of(_actions(content, card.actions), 1))
    if card.review is not None:
        rows.append((Button(content.ui("core.button.sources"), sources_data(card.id, trail)),))
    footer_text, footer_rows = card_footer(content, card, page)  # Share, "Was this helpful?"
    if footer_text:
        text += "\n\n" + footer_text
    rows.extend(footer_rows)
    if trail:
        back = back_data(trail)
    else:  # reached from a tip, a check or a command: its home section
        section = content.sections[card.section]
        back_page = section.cards.index(card.id) // CARDS_PER_PAGE if card.id in section.cards else 0
        back = section_data(section.id, back_page)
    rows.append((Button(content.ui("core.button.back"), back), menu_button(content)))
    return Screen(text, tuple(rows))


def sources_screen(content: Content, card: Card, trail: Trail = ()) -> Screen:
    """Who says what the card says, and when it was last checked (the NHS "page last reviewed")."""
    review = card.review
    assert review is not None
    links = "\n".join(
        f'• <a href="{html.escape(source.url, quote=True)}">{html.escape(source.name)}</a>' for source in review.sources
    )
    text = content.ui(
        "core.sources",
        title=card.title,
        sources=links,
        reviewed=month_year(content, review.reviewed),
        due=month_year(content, review.review_due),
    )
    rows = (
        (Button(content.ui("core.button.back"), card_data(card.id, 0, trail)), menu_button(content)),
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
        (
            Button(content.ui("core.feature.privacy"), FEATURE_DATA["privacy"]),
            Button(content.ui("core.feature.help"), HELP),
        ),
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
    trail: Trail = ()


def _exists(content: Content, kind: str, ident: str, page: int) -> bool:
    if kind == "s":
        section = content.sections.get(ident)
        return section is not None and page < section_pages(section)
    card = content.cards.get(ident)
    return card is not None and page < len(card.pages)


def _trail_of(content: Content, tap: Tap) -> Trail | None:
    """The tap's trail, every step checked against the content; None if a step is gone."""
    if tap.action not in (callbacks.SECTION_TRAIL, callbacks.CARD_TRAIL, callbacks.SOURCES_TRAIL):
        return ()
    steps = tuple(tap.text("trail").split(","))
    for step in steps:
        match = _STEP.fullmatch(step)
        if match is None or not _exists(content, match.group(1), match.group(2), int(match.group(3) or 0)):
            return None
    return steps


def target_of(content: Content, tap: Tap | None) -> BrowseTarget | None:
    """What a parsed ``b:`` tap asks for; None when it refers to content that no longer exists."""
    if tap is None:
        return None
    action = tap.action
    simple = {
        callbacks.MENU: "menu",
        callbacks.ABOUT: "about",
        callbacks.HELP: "help",
        callbacks.DISCLAIMER: "disclaimer",
    }
    if action in simple:
        return BrowseTarget(simple[action])
    ident = tap.text("id")
    trail = _trail_of(content, tap)
    if trail is None:
        return None
    if action in (callbacks.SOURCES, callbacks.SOURCES_TRAIL):
        card = content.cards.get(ident)
        if card is None or card.review is None:
            return None
        return BrowseTarget("sources", card.id, 0, trail)
    with_page = (callbacks.SECTION, callbacks.CARD, callbacks.SECTION_TRAIL, callbacks.CARD_TRAIL)
    page = tap.number("page") if action in with_page else 0
    kind = "s" if action in (callbacks.SECTION, callbacks.SECTION_FIRST, callbacks.SECTION_TRAIL) else "c"
    if not _exists(content, kind, ident, page):
        return None
    return BrowseTarget("section" if kind == "s" else "card", ident, page, trail)


def parse_browse(content: Content, data: str) -> BrowseTarget | None:
    """Parse ``b:`` data with the grammar; None when it is forged or refers to content that is gone."""
    return target_of(content, callbacks.BROWSE.parse(data))


def screen_for(content: Content, target: BrowseTarget, commands: list[tuple[str, str]]) -> Screen:
    if target.kind == "section":
        return section_screen(content, content.sections[target.id], target.page, target.trail)
    if target.kind == "card":
        return card_screen(content, content.cards[target.id], target.page, target.trail)
    if target.kind == "sources":
        return sources_screen(content, content.cards[target.id], target.trail)
    if target.kind == "about":
        return about_screen(content)
    if target.kind == "help":
        return help_screen(content, commands)
    return main_menu(content)


# Commands other than the sections' own, in the order Telegram's command menu lists them.
_LEADING_COMMANDS = ("start", "menu")
_TRAILING_COMMANDS = (
    "search",
    "check",
    "log",
    "diary",
    "report",
    "tips",
    "water",
    "drank",
    "about",
    "help",
    "privacy",
    "mydata",
    "forget",
    "stop",
)


def command_list(content: Content) -> list[tuple[str, str]]:
    """(command, description) for setMyCommands and /help; section commands come from content."""
    commands = [(name, content.ui(f"core.command.{name}")) for name in _LEADING_COMMANDS]
    commands += [(s.command, s.description) for s in content.sections.values() if s.command]
    commands += [(c.command, c.title) for c in sorted(content.checks.values(), key=lambda c: c.order) if c.command]
    commands += [(name, content.ui(f"core.command.{name}")) for name in _TRAILING_COMMANDS]
    return commands
