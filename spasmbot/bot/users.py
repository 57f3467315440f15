"""Who is talking to us: the user-row middleware, and the way back after blocking the bot.

``register(app)`` adds a ``TypeHandler`` in group -1 that keeps the ``users`` row (id, chat,
language, first/last seen) current before any feature handler runs. It is cheap by design: the
store remembers, per process, when it last wrote each user and skips the write unless the user
is new to this process, changed chat or language, or was last written over an hour ago.

After a 403 the user is flagged blocked and their scheduled messages are paused. When they come
back, the /start handler calls :func:`on_start`; if it returns True it shows
:func:`resume_screen`, whose buttons ``t:resume`` / ``t:noresume`` (handled in
``spasmbot.bot.tips``) resume every paused message (missed slots follow the usual lateness rule)
or stop them for good.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import Application, TypeHandler

from spasmbot.bot.common import Context, Services, services
from spasmbot.screen import Button, Screen
from spasmbot.storage import schedule, users


async def track(update: Update, context: Context) -> None:
    """Upsert the sender's row (at most hourly per user); never blocks the update."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return
    chat_id = chat.id if chat is not None and chat.type == ChatType.PRIVATE else user.id
    svc = services(context)
    await users.touch(svc.store, user.id, chat_id, user.language_code, svc.clock.now())


async def on_start(svc: Services, user_id: int) -> bool:
    """Clear the blocked flag; True when the user had blocked us and has paused messages."""
    was_blocked = await users.unblock(svc.store, user_id)
    return was_blocked and await schedule.has_paused(svc.store, user_id)


def resume_screen(svc: Services) -> Screen:
    """"Welcome back — resume your reminders?" with Resume / No thanks."""
    ui = svc.content.ui
    return Screen(
        ui("tips.resume_offer"),
        (
            (Button(ui("tips.button.resume"), "t:resume"),),
            (Button(ui("tips.button.noresume"), "t:noresume"),),
        ),
    )


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, track), group=-1)
