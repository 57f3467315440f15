"""Who is talking to us: the user-row middleware, and the way back after blocking the bot.

``register(app)`` adds a ``TypeHandler`` in group -1 that keeps the ``users`` row (id, chat,
language, first/last seen) current before any feature handler runs. It is cheap by design: the
store remembers, per process, when it last wrote each user and skips the write unless the user
is new to this process, changed chat or language, or was last written over an hour ago.

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


async def track(update: Update, context: Context) -> None:
    """Upsert the sender's row; most updates cost one dict lookup (see the module docstring)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return
    chat_id = chat.id if chat is not None and chat.type == ChatType.PRIVATE else user.id
    if context.user_data is not None:
        context.user_data["language"] = user.language_code  # picks the content's language
    svc = services(context)
    await users.touch(svc.store, user.id, chat_id, user.language_code, svc.clock.now())


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
