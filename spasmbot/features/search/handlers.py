"""Typed questions, ``/search``, inline mode, deep links and helpful votes: the Telegram edge of search.

Free text reaches :func:`on_text` from the shared text fallback, after "stop" and any awaited
input ("type a time") have had their turn.
"""

from __future__ import annotations

import logging

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CommandHandler, InlineQueryHandler

from spasmbot.callback_data import StaleTap, Tap
from spasmbot.content.model import Content
from spasmbot.edge.common import (
    Context,
    answer,
    clear_input,
    expect_input,
    register_input,
    reply,
    services,
)
from spasmbot.edge.router import route
from spasmbot.features.browse import handlers as browse
from spasmbot.features.checks import handlers as checks
from spasmbot.features.search import callbacks, screens
from spasmbot.features.search import store as votes_store
from spasmbot.features.search.rules import Searcher, searcher_for

log = logging.getLogger(__name__)

INLINE_CACHE_SECONDS = 30  # short: results follow content changes and helpful votes
ASK_KEY = "search.words"


def _searcher(context: Context, content: Content) -> Searcher:
    return searcher_for(context.bot_data.setdefault("searchers", {}), content)


async def on_text(update: Update, context: Context, text: str) -> None:
    """A typed message that is no command and no awaited input: red flags first, then search."""
    content = services(context).content
    await reply(update, context, _searcher(context, content).reply(text))


async def search_command(update: Update, context: Context) -> None:
    """``/search words`` searches at once; ``/search`` alone asks for the words."""
    words = " ".join(context.args or []).strip()
    if words:
        await on_text(update, context, words)
        return
    await expect_input(update, context, ASK_KEY)
    await reply(update, context, screens.ask(services(context).content))


async def _typed_words(update: Update, context: Context, text: str) -> None:
    await clear_input(update, context)
    await on_text(update, context, text)


async def deep_link(update: Update, context: Context) -> None:
    """``/start c-<card>`` or ``/start k-<check>`` from a t.me link; anything else gets the menu."""
    await clear_input(update, context)
    content = services(context).content
    target = callbacks.deep_link(context.args[0] if context.args else "")
    if target is not None:
        kind, ident = target
        if kind == "card" and ident in content.cards:
            await reply(update, context, screens.landing_card(content, content.cards[ident]))
            return
        if kind == "check" and await checks.open_check(update, context, ident):
            return
    chat = update.effective_chat
    assert chat is not None
    await context.bot.send_message(chat.id, screens.bad_link(content))
    await browse.start(update, context)


async def on_vote(update: Update, context: Context, data_tap: Tap) -> None:
    """👍/👎 under a card: count it and mark the choice in place; the card itself is not sent again."""
    svc = services(context)
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    tap = callbacks.vote_of(data_tap)
    if tap.card not in svc.content.cards:
        raise StaleTap(tap.card)
    message = query.message
    keyboard = message.reply_markup if isinstance(message, Message) else None
    current = [b for row in keyboard.inline_keyboard for b in row] if keyboard else []
    if not any(b.callback_data == data for b in current):  # stale (already changed) or forged
        await answer(update, svc.content.ui("search.thanks"))
        return
    delta = tap.changes()
    await votes_store.add_votes(svc.store, tap.card, delta[callbacks.UP], delta[callbacks.DOWN])
    up, down = callbacks.vote_buttons(svc.content, tap.card, tap.now)
    replacement = {
        callbacks.vote_data(tap.card, callbacks.UP, tap.was): up,
        callbacks.vote_data(tap.card, callbacks.DOWN, tap.was): down,
    }
    assert keyboard is not None and isinstance(message, Message)
    rows = [
        [
            InlineKeyboardButton(new.text, callback_data=new.data)
            if (new := replacement.get(str(b.callback_data))) is not None
            else b
            for b in row
        ]
        for row in keyboard.inline_keyboard
    ]
    await answer(update, svc.content.ui("search.thanks" if tap.now != callbacks.NONE else "search.vote_removed"))
    try:
        await context.bot.edit_message_reply_markup(
            message.chat.id, message.message_id, reply_markup=InlineKeyboardMarkup(rows)
        )
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise


async def on_inline(update: Update, context: Context) -> None:
    """``@bot words`` in any chat: matching cards to post, each with a way into the bot."""
    query = update.inline_query
    assert query is not None
    svc = services(context)
    searcher = _searcher(context, svc.content)
    popular: list[str] = []
    if not query.query.strip():
        counts = await votes_store.votes(svc.store)
        liked = [(up - down, card) for card, (up, down) in counts.items() if up > down]
        popular = [card for _, card in sorted(liked, key=lambda item: (-item[0], item[1]))]
    username = context.bot.username
    results = []
    for card in searcher.inline_cards(query.query, popular):
        article = screens.inline_article(svc.content, card, username)
        results.append(
            InlineQueryResultArticle(
                id=article.id,
                title=article.title,
                description=article.description,
                input_message_content=InputTextMessageContent(article.text, parse_mode=ParseMode.HTML),
                reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton(article.button, url=article.url)]]),
            )
        )
    await query.answer(results, cache_time=INLINE_CACHE_SECONDS, is_personal=False)


def register(app: Application) -> None:
    svc = app.bot_data["services"]
    cache = app.bot_data.setdefault("searchers", {})
    for content in (svc.content, *svc.translations.values()):
        searcher_for(cache, content)  # build every language's index now, not on the first question
    register_input(app, ASK_KEY, _typed_words)
    app.add_handler(CommandHandler("start", deep_link, has_args=True))
    app.add_handler(CommandHandler("search", search_command))
    route(app, callbacks.SEARCH, {callbacks.VOTE: on_vote}, stale=browse.expired)
    app.add_handler(InlineQueryHandler(on_inline))
