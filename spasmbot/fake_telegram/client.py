"""``ChatClient``: one simulated private-chat user who sends text, taps buttons and asks inline
queries through the real ``Application``, and reads back what the bot showed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from telegram import Update

from spasmbot.content.html import utf16_length as _u16
from spasmbot.fake_telegram import records
from spasmbot.fake_telegram.api import FakeTelegram
from spasmbot.fake_telegram.records import FakeMessage, InlineAnswer

if TYPE_CHECKING:
    from telegram.ext import Application


# --- the simulated user ----------------------------------------------------------------------


class ChatClient:
    """One user in a private chat with the bot, driving an initialised ``Application``.

    Each action builds the update Telegram would deliver, runs it through the application's
    update processor and ``app.process_update`` and returns the bot's messages that were sent or edited meanwhile.
    Exceptions raised by handlers are collected in :attr:`errors` (the latest
    ``ERRORS_KEPT``; re-raised when ``raise_errors`` is true) instead of vanishing into PTB's
    logging.
    """

    def __init__(
        self,
        app: Application[Any, Any, Any, Any, Any, Any],
        api: FakeTelegram,
        user_id: int = 1001,
        first_name: str = "Ann",
        language_code: str | None = "en",
        *,
        username: str | None = None,
        raise_errors: bool = False,
        transport: Callable[[dict[str, Any]], Awaitable[None]] | None = None,
    ) -> None:
        self.app = app
        # How updates reach the bot: ``app.process_update`` by default; a webhook test passes a
        # function that POSTs the JSON to the bot's webhook over HTTP and waits until handled.
        self.transport = transport
        self.api = api
        self.user_id = user_id
        self.chat_id = user_id
        self.raise_errors = raise_errors
        self.errors: list[BaseException] = []
        self._user: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            self._user["username"] = username
        if language_code:
            self._user["language_code"] = language_code
        self._chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        if username:
            self._chat["username"] = username
        api.register_chat(self._chat)
        api.watch_errors(app)

    async def send(self, text: str) -> list[FakeMessage]:
        """Type ``text`` into the chat; a leading ``/word`` is marked as a bot command."""
        date = self.api.now()
        message_id = self.api.new_message_id(self.chat_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": dict(self._user),
            "chat": dict(self._chat),
            "date": date,
            "text": text,
        }
        if text.startswith("/") and len(text) > 1:
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": _u16(command)}]
        self.api.store_incoming(self.chat_id, message_id, text, date)
        return await self.process({"message": message})

    async def tap(self, message: FakeMessage, button_text: str) -> list[FakeMessage]:
        """Tap a callback button of ``message`` as it looks now; fails if it is not there."""
        current = self._current(message)
        button = current.button(button_text)
        if button.data is None:
            raise AssertionError(
                f"button {button.text!r} of message {current.message_id} has no callback_data "
                f"(url={button.url!r}); it cannot be tapped"
            )
        return await self._callback(current, button.data)

    async def inline(self, query: str, chat_type: str = "sender") -> InlineAnswer:
        """Type ``@bot query`` in a chat (inline mode); returns the bot's answer, or fails loudly."""
        query_id = self.api.new_inline_query(self.user_id)
        payload = {"id": query_id, "from": dict(self._user), "query": query, "offset": "", "chat_type": chat_type}
        await self.process({"inline_query": payload})
        answer = self.api.inline_answer(query_id)
        if answer is None:
            raise AssertionError(f"the bot did not answer the inline query {query!r}")
        return answer

    async def tap_data(self, message: FakeMessage, data: str) -> list[FakeMessage]:
        """Send arbitrary (stale or forged) callback data from ``message``."""
        return await self._callback(self._current(message), data)

    async def process(self, payload: dict[str, Any]) -> list[FakeMessage]:
        """Deliver a raw update body (``update_id`` is added) and collect the bot's output."""
        payload = {"update_id": self.api.next_update_id(), **payload}
        mark = self.api.touch_mark(self.chat_id)
        errors_before = self.api.errors_seen
        if self.transport is not None:
            await self.transport(payload)
        else:
            update = Update.de_json(payload, self.app.bot)
            # As the Application's update fetcher does for polled updates: through its update
            # processor, so concurrent actions (asyncio.gather) meet the same ordering rules.
            await self.app.update_processor.process_update(update, self.app.process_update(update))
        fresh = min(self.api.errors_seen - errors_before, len(self.api.handler_errors))
        new_errors = [err for _, err in list(self.api.handler_errors)[-fresh:]] if fresh else []
        self.errors.extend(new_errors)
        del self.errors[: -records.ERRORS_KEPT]
        if new_errors and self.raise_errors:
            raise new_errors[0]
        return self.api.touched_since(self.chat_id, mark)

    def messages(self) -> list[FakeMessage]:
        """The bot's messages in this chat, oldest first (deleted ones flagged)."""
        return self.api.messages(self.chat_id)

    def last_message(self) -> FakeMessage:
        """The newest message of the bot in this chat that is still there."""
        for msg in reversed(self.api.messages(self.chat_id)):
            if not msg.deleted:
                return msg
        raise AssertionError(f"the bot has no message in chat {self.chat_id}")

    @property
    def alerts(self) -> list[str]:
        """Texts the bot showed in answer to this user's taps (toasts and alerts)."""
        return [a.text for a in self.api.answers(self.user_id) if a.text]

    def _current(self, message: FakeMessage) -> FakeMessage:
        current = self.api.message(self.chat_id, message.message_id)
        if current.deleted:
            raise AssertionError(f"message {message.message_id} was deleted; it cannot be tapped")
        return current

    async def _callback(self, message: FakeMessage, data: str) -> list[FakeMessage]:
        query = {
            "id": self.api.new_callback_query(self.user_id),
            "from": dict(self._user),
            "message": self.api.message_json(message),
            "chat_instance": f"-{self.chat_id}0042",
            "data": data,
        }
        return await self.process({"callback_query": query})
