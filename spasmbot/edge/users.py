"""Who is talking to us: the user-row middleware, and the way back after blocking the bot.

``register(app)`` adds a ``TypeHandler`` in group -1 that keeps the ``users`` row (id, chat,
language, first/last seen) current before any feature handler runs. It is cheap by design: the
store remembers, per process, when it last wrote each user and skips the write unless the user
is new to this process, changed chat or language, or was last written over an hour ago.

Memory stays bounded however many people ever wrote: PTB keeps a ``user_data`` dict per user for
the life of the process, and here it only holds what the next update would set again (the
language) or a pending "type a time" prompt. :func:`track` keeps the users in the order they were
last seen and drops the ``user_data`` (and ``chat_data``) of the least recently seen once more
than :data:`USER_DATA_KEPT` users have some, so memory stops growing at about
``USER_DATA_KEPT`` x 0.5 KB. A user evicted that way who comes back just gets their language set
again; a prompt they left unanswered behind 10,000 more recent users is forgotten like after a
restart (the text then gets the friendly hint). ``storage.users`` bounds its "written recently"
memo the same way.

After a 403, or as soon as Telegram reports that the user blocked the bot (a ``my_chat_member``
update with status "kicked"), the user is flagged blocked and their scheduled messages are paused
(see ``spasmbot.delivery.claims``); /start clears the flag and offers to resume them
(``spasmbot.features.privacy.handlers.on_start`` with ``storage.users.unblock``, ``schedule.has_paused`` and
``schedule.resume_user``).
"""

from __future__ import annotations

from telegram import ChatMember, Update
from telegram.constants import ChatType
from telegram.ext import Application, ChatMemberHandler, TypeHandler

from spasmbot.edge.common import Context, services
from spasmbot.storage import users

# Users whose PTB user_data is kept in memory; the least recently seen beyond this lose it.
USER_DATA_KEPT = 10_000


async def track(update: Update, context: Context) -> None:
    """Upsert the sender's row; most updates cost one dict lookup (see the module docstring)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return
    _remember(context, user.id)
    chat_id = chat.id if chat is not None and chat.type == ChatType.PRIVATE else user.id
    if context.user_data is not None:
        context.user_data["language"] = user.language_code  # picks the content's language
    svc = services(context)
    await users.touch(svc.store, user.id, chat_id, user.language_code, svc.clock.now())


def _remember(context: Context, user_id: int) -> None:
    """Move ``user_id`` to the most recent end; evict the least recently seen beyond the bound."""
    recent: dict[int, None] = context.bot_data.setdefault("users.recent", {})
    recent.pop(user_id, None)
    recent[user_id] = None
    if len(recent) > USER_DATA_KEPT:
        oldest = next(iter(recent))
        del recent[oldest]
        app = context.application
        app.drop_user_data(oldest)
        if oldest in app.chat_data:  # a private chat's id is the user's id
            app.drop_chat_data(oldest)


async def chat_member_changed(update: Update, context: Context) -> None:
    """The user blocked the bot: pause their messages now instead of at the next failed send."""
    change = update.my_chat_member
    if change is None or change.chat.type != ChatType.PRIVATE:
        return
    if change.new_chat_member.status == ChatMember.BANNED:
        svc = services(context)
        await users.block(svc.store, change.from_user.id, svc.clock.now())


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, track), group=-1)
    app.add_handler(ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
