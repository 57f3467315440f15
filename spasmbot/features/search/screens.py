"""What a typed question gets back, as Screens (Telegram-free)."""

from __future__ import annotations

import html
from dataclasses import dataclass

from spasmbot.content.model import Card, Content
from spasmbot.features.browse import screens as render
from spasmbot.features.checks.engine import data_start
from spasmbot.features.checks.model import Check
from spasmbot.features.checks.screens import advice_screen
from spasmbot.features.search.callbacks import card_link
from spasmbot.features.search.index import Doc, Hit
from spasmbot.features.search.redflags import Match
from spasmbot.features.search.words import plain
from spasmbot.screen import Button, Screen

UI_KEYS = (
    "best",
    "not_found",
    "closest",
    "ask",
    "red_flag",
    "landing",
    "shared",
    "bad_link",
    "check_intro",
    "helpful",
    "thanks",
    "vote_removed",
    "button.up",
    "button.down",
    "button.up_chosen",
    "button.down_chosen",
    "button.share",
    "button.open_in_bot",
    "button.more_card",
    "button.start_check",
)
"""Every ``ui/search.yaml`` key the feature uses; the content validator requires each in every language."""

MORE_MATCHES = 3
QUERY_ECHO = 60  # characters of the user's words repeated back
INLINE_DESCRIPTION = 90


def echo(query: str) -> str:
    """The user's words, safe to put inside Telegram HTML."""
    text = " ".join(query.split())
    if len(text) > QUERY_ECHO:
        text = text[: QUERY_ECHO - 1] + "…"
    return html.escape(text)


def doc_button(content: Content, doc: Doc) -> Button:
    """A button that opens a search result: a card or section (browse), or a check (starts it)."""
    if doc.kind == "check":
        return Button(content.ui("search.button.start_check", title=doc.title), data_start(doc.id))
    data = render.card_data(doc.id) if doc.kind == "card" else render.section_data(doc.id)
    return Button(content.ui("search.button.more_card", title=doc.title), data)


def _with_more(screen: Screen, more: list[Button]) -> Screen:
    """``screen`` with extra result buttons just above its last row (Back / Menu)."""
    if not more:
        return screen
    rows = list(screen.rows)
    extra = [(b,) for b in more]
    return Screen(screen.text, (*rows[:-1], *extra, *rows[-1:]) if rows else tuple(extra))


def check_intro(content: Content, check: Check) -> Screen:
    return Screen(
        content.ui("search.check_intro", title=check.title, intro=check.intro),
        (
            (Button(content.ui("search.button.start_check", title=check.title), data_start(check.id)),),
            (render.menu_button(content),),
        ),
    )


def doc_screen(content: Content, doc: Doc) -> Screen:
    """The result itself, shown in full with its own buttons."""
    if doc.kind == "card":
        return render.card_screen(content, content.cards[doc.id])
    if doc.kind == "section":
        return render.section_screen(content, content.sections[doc.id])
    return check_intro(content, content.checks[doc.id])


def results(content: Content, query: str, hits: list[Hit]) -> Screen:
    """The best match in full, then up to three more matches as buttons."""
    best = doc_screen(content, hits[0].doc)
    more = [doc_button(content, hit.doc) for hit in hits[1 : 1 + MORE_MATCHES]]
    header = content.ui("search.best", query=echo(query))
    return _with_more(Screen(f"{header}\n\n{best.text}", best.rows), more)


def not_found(content: Content, query: str, hits: list[Hit]) -> Screen:
    """An honest "I couldn't find that", the closest topics if any, and the main menu."""
    menu = render.main_menu(content)
    text = content.ui("search.not_found", query=echo(query))
    closest = [(doc_button(content, hit.doc),) for hit in hits[:MORE_MATCHES]]
    if closest:
        text += "\n" + content.ui("search.closest")
    return Screen(f"{text}\n\n{menu.text}", (*closest, *menu.rows))


def answer(content: Content, query: str, hits: list[Hit], confident: bool) -> Screen:
    return results(content, query, hits) if confident else not_found(content, query, hits)


def red_flag(content: Content, flag: Match) -> Screen:
    """The warning sign's advice, its own links and the full check, and nothing else.

    General search results are left out on purpose: for "my calf is swollen" they would offer calf
    stretches and massage, which the clot advice says not to do. The outcome's ``cards`` are the
    reading its author chose as safe for that situation; the person can type another question."""
    advice = advice_screen(content, flag.check, flag.flag)
    text = advice.text + "\n\n" + content.ui("search.red_flag", phrase=html.escape(flag.phrase))
    return Screen(text, advice.rows)


def ask(content: Content) -> Screen:
    return Screen(content.ui("search.ask"), ((render.menu_button(content),),))


def landing_card(content: Content, card: Card) -> Screen:
    """A card opened from a deep link: the person may be new here, so the disclaimer comes along."""
    screen = render.card_screen(content, card)
    return Screen(f"{screen.text}\n\n{content.ui('search.landing')}", screen.rows)


def bad_link(content: Content) -> str:
    return content.ui("search.bad_link")


@dataclass(frozen=True, slots=True)
class InlineArticle:
    """One inline-mode result: a card to post in any chat, with a way into the bot."""

    id: str
    title: str
    description: str
    text: str  # Telegram HTML
    button: str
    url: str


def inline_article(content: Content, card: Card, bot_username: str) -> InlineArticle:
    pages = "\n\n".join(card.pages)
    text = pages if len(plain(pages)) <= 3500 else card.pages[0]
    lines = [line.strip() for line in plain(card.pages[0]).splitlines() if line.strip()]
    body = " ".join(lines[1:] if len(lines) > 1 else lines)
    description = body if len(body) <= INLINE_DESCRIPTION else body[: INLINE_DESCRIPTION - 1] + "…"
    return InlineArticle(
        id=card.id,
        title=plain(card.title).strip(),
        description=description,
        text=f"{text}\n\n{content.ui('search.shared')}",
        button=content.ui("search.button.open_in_bot"),
        url=card_link(bot_username, card.id),
    )
