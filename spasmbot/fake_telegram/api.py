"""``FakeTelegram``: the Bot API methods spasmbot uses, answered in process with realistic JSON,
plus the failures a production bot meets (see the package docstring for the limits)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from spasmbot.content.html import HtmlError, parse_html
from spasmbot.fake_telegram import records
from spasmbot.fake_telegram.records import (
    BLOCKED,
    ERROR_KINDS,
    MAX_ANSWER_TEXT_LENGTH,
    MAX_CAPTION_LENGTH,
    MAX_INLINE_RESULTS,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    Call,
    CallbackAnswer,
    ErrorKind,
    FakeMessage,
    InlineAnswer,
    InlineResult,
)
from spasmbot.screen import Button

if TYPE_CHECKING:
    from telegram.ext import Application


log = logging.getLogger(__name__)


class _ApiError(Exception):
    """An error answer: becomes ``{"ok": false, ...}`` with the HTTP status ``code``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass(slots=True)
class _Fault:
    method: str
    error: str
    chat_id: int | None
    times: int
    retry_after: int


OutageKind = Literal["refuse", "502", "timeout"]


@dataclass(slots=True)
class Gate:
    """Calls held by :meth:`FakeTelegram.gate`: ``await gate.arrived.wait()``, then ``gate.open()``."""

    method: str
    chat_id: int | None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)  # a call is being held
    released: asyncio.Event = field(default_factory=asyncio.Event)
    held: int = 0  # calls waiting right now

    def open(self) -> None:
        self.released.set()


@dataclass(slots=True)
class _Outage:
    kind: OutageKind
    until: float  # the fake's clock, seconds
    methods: frozenset[str]


_METHODS = (
    "getMe",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "answerCallbackQuery",
    "answerInlineQuery",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendPhoto",
    "sendDocument",
    "deleteMessage",
    "sendChatAction",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "close",
    "logOut",
)
_CANONICAL: dict[str, str] = {m.lower(): m for m in _METHODS}
_CHAT_METHODS = frozenset(
    (
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "deleteMessage",
    )
)
_CHAT_ACTIONS = frozenset(
    (
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    )
)
_BUTTON_ACTIONS = frozenset(
    (
        "callback_data",
        "url",
        "login_url",
        "web_app",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    )
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
# ".../bot<id>:<secret>/<method>" for any base URL (the token is the segment before the method)
_TOKEN = re.compile(r"/(?:bot)?(\d+):[\w-]+/[^/]*/?$")


def _loose_int(value: Any) -> int | None:
    """PTB sends ids as given: accept ``7`` and ``"7"`` alike."""
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.lstrip("-").isdigit():
        return int(value)
    return None


def _chat_id(params: dict[str, Any]) -> int:
    value = _loose_int(params.get("chat_id"))
    if value is None:
        raise _bad("chat not found")
    return value


def _int_param(params: dict[str, Any], name: str) -> int:
    value = _loose_int(params.get(name))
    if value is None:
        raise _bad(f"{name} is empty" if params.get(name) is None else f"invalid {name} specified")
    return value


def _format(text: str, parse_mode: Any, entities: Any) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Apply the parse mode like Telegram: (plain text, entities) or a 400."""
    if parse_mode is None or parse_mode == "":
        return text, tuple(entities) if isinstance(entities, list) else ()
    mode = str(parse_mode).lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HtmlError as exc:
            raise _bad(f"can't parse entities: {exc}") from None
    if mode in ("markdown", "markdownv2"):
        return text, ()
    raise _bad(f"unsupported parse_mode {parse_mode!r}")


def _buttons(markup: Any) -> tuple[list[list[Button]], dict[str, Any] | None]:
    """Validate an inline keyboard the way Telegram does and return its buttons."""
    if markup is None:
        return [], None
    if isinstance(markup, str):
        markup = json.loads(markup)
    if not isinstance(markup, dict):
        raise _bad("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return [], markup  # reply keyboards / ForceReply: no inline buttons to model
    rows: list[list[Button]] = []
    for raw_row in keyboard:
        row: list[Button] = []
        for raw in raw_row:
            text = raw.get("text")
            if not text:
                raise _bad("BUTTON_TEXT_INVALID")
            data = raw.get("callback_data")
            url = raw.get("url")
            if data is not None and not 1 <= len(str(data).encode("utf-8")) <= 64:
                raise _bad("BUTTON_DATA_INVALID")
            if url is not None and not str(url).startswith(("http://", "https://", "tg://")):
                raise _bad("BUTTON_URL_INVALID")
            if not _BUTTON_ACTIONS.intersection(raw):
                raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
            row.append(Button(text, data, url, raw.get("switch_inline_query")))
        rows.append(row)
    return rows, markup


def _read_upload(request_data: RequestData | None, name: str) -> tuple[bytes, str | None] | None:
    """The uploaded file's (content, filename) for parameter ``name``, if it was uploaded."""
    if request_data is None or not request_data.contains_files:
        return None
    part = request_data.multipart_data.get(name)
    if part is None:
        return None
    filename, content = part[0], part[1]
    return (content if isinstance(content, bytes) else content.read()), filename


def _caption(params: dict[str, Any]) -> tuple[str | None, str, tuple[dict[str, Any], ...]]:
    """(raw caption, plain caption, entities) with Telegram's caption checks."""
    caption = params.get("caption")
    if caption is None:
        return None, "", ()
    plain, entities = _format(str(caption), params.get("parse_mode"), params.get("caption_entities"))
    if len(plain) > MAX_CAPTION_LENGTH:
        raise _bad("message caption is too long")
    return str(caption), plain, entities


class FakeTelegram(BaseRequest):
    """The Bot API, in memory. Pass it as both ``request`` and ``get_updates_request``."""

    def __init__(
        self,
        *,
        now: Callable[[], float | datetime] = time.time,
        bot_first_name: str = "SpasmBot",
        bot_username: str = "spasm_test_bot",
        bot_id: int = 123456,
    ) -> None:
        self._now = now
        self._bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self._bot_id_known = False
        self.calls: list[Call] = []
        self.counts: Counter[str] = Counter()
        self._messages: dict[tuple[int, int], FakeMessage] = {}
        self._bot_messages: dict[int, list[FakeMessage]] = {}
        self._sent: list[FakeMessage] = []
        self._next_message_id: dict[int, int] = {}
        self._touched: dict[int, list[FakeMessage]] = {}
        self._chats: dict[int, dict[str, Any]] = {}
        self._faults: list[_Fault] = []
        self._gates: list[Gate] = []
        self._outage: _Outage | None = None
        self._token_revoked = False
        self.outage_calls = 0  # calls answered by an injected outage or a revoked token
        self._blocked: set[int] = set()
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(4_000_000_000_001)
        self._open_queries: dict[str, int] = {}
        self._inline_open: dict[str, int] = {}  # inline mode: query id -> user id
        self._inline_answers: dict[str, InlineAnswer] = {}
        self._answered: set[str] = set()
        self._answers: dict[int, list[CallbackAnswer]] = {}
        # setWebhook's parameters while a webhook is set (url, secret_token, ...); the fake does
        # not post to it: a test posts the updates itself (ChatClient's ``transport``).
        self.webhook: dict[str, Any] = {}
        self.webhook_error: tuple[int, str] | None = None  # (date, message) getWebhookInfo reports
        # Bounded: an exception keeps its traceback's frames alive, and a benchmark may raise
        # thousands of them; ``errors_seen`` counts them all.
        self.handler_errors: deque[tuple[object, BaseException]] = deque(
            maxlen=records.ERRORS_KEPT
        )  # read at construction: tests lower it
        self.errors_seen = 0
        self._handlers: dict[str, Callable[[dict[str, Any], RequestData | None], Any]] = {
            "getme": self._get_me,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "editmessagereplymarkup": self._edit_message_reply_markup,
            "editmessagecaption": self._edit_message_caption,
            "answercallbackquery": self._answer_callback_query,
            "answerinlinequery": self._answer_inline_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
            "sendphoto": self._send_photo,
            "senddocument": self._send_document,
            "deletemessage": self._delete_message,
            "sendchataction": self._send_chat_action,
            "getupdates": self._get_updates,
            "setwebhook": self._set_webhook,
            "deletewebhook": self._delete_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "close": self._true,
            "logout": self._true,
        }

    # --- BaseRequest ---------------------------------------------------------------------------

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        """Nothing to connect to."""

    async def shutdown(self) -> None:
        """Nothing to close; state is kept so tests can inspect it after the app stops."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        """Answer one HTTP call to the Bot API: (status, JSON body)."""
        name = url.partition("?")[0].rstrip("/").rpartition("/")[2]
        key = name.lower()
        api_method = _CANONICAL.get(key, name)
        params = request_data.parameters if request_data is not None else {}
        if self._gates:
            await self._wait_at_gate(api_method, params)
        if self._outage is not None or self._token_revoked:
            refused = self._network_condition(api_method, params, request_data)
            if refused is not None:
                return refused
        self.calls.append(Call(api_method, params))
        self.counts[api_method] += 1
        if not self._bot_id_known:
            self._learn_bot_id(url)
        try:
            if self._faults:
                self._maybe_fail(api_method, params)
            handler = self._handlers.get(key)
            if handler is None:
                raise _ApiError(404, "Not Found: method not found")
            if self._blocked and api_method in _CHAT_METHODS and _loose_int(params.get("chat_id")) in self._blocked:
                raise _ApiError(403, BLOCKED)
            result = handler(params, request_data)
        except _ApiError as exc:
            body: dict[str, Any] = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
            return exc.code, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": result}, ensure_ascii=False).encode()

    # --- error injection -----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        error: ErrorKind,
        *,
        chat_id: int | None = None,
        times: int = 1,
        retry_after: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id``, if given) fail."""
        canonical = _CANONICAL.get(method.lower())
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}; known: {', '.join(_METHODS)}")
        if error not in ERROR_KINDS:
            raise ValueError(f"unknown error kind {error!r}; use one of {sorted(ERROR_KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        self._faults.append(_Fault(canonical, error, chat_id, times, retry_after))

    def block(self, chat_id: int) -> None:
        """The user blocks the bot: every send or edit to the chat gets 403 until unblocked."""
        self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self._blocked.discard(chat_id)

    def _maybe_fail(self, method: str, params: dict[str, Any]) -> None:
        for index, fault in enumerate(self._faults):
            if fault.method != method:
                continue
            if fault.chat_id is not None and _loose_int(params.get("chat_id")) != fault.chat_id:
                continue
            fault.times -= 1
            if fault.times == 0:
                del self._faults[index]
            self._raise(fault)

    @staticmethod
    def _raise(fault: _Fault) -> NoReturn:
        if fault.error == "timeout":
            raise TimedOut("Timed out (injected by FakeTelegram)")
        if fault.error == "network":  # reset after the request went out: it may have arrived
            raise NetworkError("httpx.ReadError: connection reset (injected by FakeTelegram)") from (
                httpx.ReadError("connection reset")
            )
        if fault.error == "forbidden":
            raise _ApiError(403, BLOCKED)
        if fault.error == "retry_after":
            raise _ApiError(
                429,
                f"Too Many Requests: retry after {fault.retry_after}",
                retry_after=fault.retry_after,
            )
        if fault.error == "not_modified":
            raise _ApiError(400, NOT_MODIFIED)
        raise _bad("chat not found")

    # --- network conditions: held requests, outages, a revoked token (issue 9) ---------------
    # Kept together here. Unlike fail_next (one reply to one call), these model the link or the
    # server being in some state for a while, measured by the fake's own clock (``now``).

    def gate(self, method: str, *, chat_id: int | None = None) -> Gate:
        """Hold every ``method`` call (to ``chat_id``, if given) until ``gate.open()``.

        For deterministic concurrency tests: a handler is stopped mid-flight while others run.
        """
        canonical = _CANONICAL.get(method.lower())
        if canonical is None:
            raise ValueError(f"unknown Bot API method {method!r}; known: {', '.join(_METHODS)}")
        gate = Gate(canonical, chat_id)
        self._gates.append(gate)
        return gate

    def outage(self, kind: OutageKind, *, seconds: float, methods: tuple[str, ...] = ()) -> None:
        """From now, for ``seconds`` of the fake's clock, every call (or only ``methods``) fails:

        * ``"refuse"``: the connection is refused (PTB raises NetworkError): nothing arrived.
        * ``"502"``: a proxy in front of the Bot API answers 502 Bad Gateway: nothing arrived.
        * ``"timeout"``: the call reaches Telegram and is carried out, but the answer never comes
          back (PTB raises TimedOut): the ambiguous case, the message *did* arrive.
        """
        if kind not in ("refuse", "502", "timeout"):
            raise ValueError(f"unknown outage kind {kind!r}; use refuse, 502 or timeout")
        names = frozenset(_CANONICAL.get(m.lower(), m) for m in methods)
        self._outage = _Outage(kind, float(self._clock()) + seconds, names)

    def end_outage(self) -> None:
        self._outage = None

    def revoke_token(self) -> None:
        """The owner revoked the token in @BotFather: every call answers 401 Unauthorized."""
        self._token_revoked = True

    def restore_token(self) -> None:
        """A valid token again (the owner set the new one)."""
        self._token_revoked = False

    def _clock(self) -> float:
        value = self._now()
        return value.timestamp() if isinstance(value, datetime) else float(value)

    async def _wait_at_gate(self, method: str, params: dict[str, Any]) -> None:
        chat_id = _loose_int(params.get("chat_id"))
        for gate in self._gates:
            if gate.method == method and gate.chat_id in (None, chat_id):
                gate.held += 1
                gate.arrived.set()
                try:
                    await gate.released.wait()
                finally:
                    gate.held -= 1
                return

    def _network_condition(
        self, method: str, params: dict[str, Any], request_data: RequestData | None
    ) -> tuple[int, bytes] | None:
        """The answer of a revoked token or an ongoing outage; None when the call goes through."""
        if self._token_revoked:
            self.outage_calls += 1
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        outage = self._outage
        if outage is None:
            return None
        if self._clock() >= outage.until:
            self._outage = None
            return None
        if outage.methods and method not in outage.methods:
            return None
        self.outage_calls += 1
        if outage.kind == "refuse":
            raise NetworkError("httpx.ConnectError: [Errno 111] Connection refused") from (
                httpx.ConnectError("[Errno 111] Connection refused")
            )
        if outage.kind == "502":
            return 502, b"<html><body><h1>502 Bad Gateway</h1></body></html>"
        handler = self._handlers.get(method.lower())
        if handler is not None:  # carried out; only the answer is lost
            self.calls.append(Call(method, params))
            self.counts[method] += 1
            with contextlib.suppress(_ApiError):
                handler(params, request_data)
        raise TimedOut("Timed out") from httpx.ReadTimeout("read timed out")

    # --- inspection ----------------------------------------------------------------------------

    def messages(self, chat_id: int) -> list[FakeMessage]:
        """The bot's messages in a chat, oldest first, as they look now (deleted ones flagged)."""
        return list(self._bot_messages.get(chat_id, ()))

    def sent(self, chat_id: int | None = None) -> list[FakeMessage]:
        """Messages the bot created (not edits), in order; across all chats without ``chat_id``."""
        if chat_id is None:
            return list(self._sent)
        return self.messages(chat_id)

    def message(self, chat_id: int, message_id: int) -> FakeMessage:
        try:
            return self._messages[(chat_id, message_id)]
        except KeyError:
            raise AssertionError(f"no message {message_id} in chat {chat_id}") from None

    def calls_to(self, method: str) -> list[Call]:
        canonical = _CANONICAL.get(method.lower(), method)
        return [c for c in self.calls if c.method == canonical]

    def count(self, method: str) -> int:
        return self.counts[_CANONICAL.get(method.lower(), method)]

    def reset_calls(self) -> None:
        self.calls.clear()
        self.counts.clear()

    def trim_history(self) -> None:
        """Forget the record of the past, keeping only each chat's newest bot message.

        Long runs (benchmarks, a console left open) would otherwise keep every message and call
        forever and measure the fake's memory instead of the bot's. Unanswered callback queries
        are kept so :attr:`unanswered_queries` still tells the truth.
        """
        self.calls.clear()
        self._sent.clear()
        kept: dict[tuple[int, int], FakeMessage] = {}
        for chat_id, messages in self._bot_messages.items():
            self._bot_messages[chat_id] = messages[-1:]
            for msg in messages[-1:]:
                kept[(chat_id, msg.message_id)] = msg
        self._messages = kept
        self._touched = {chat_id: [] for chat_id in self._touched}
        self._answers.clear()
        self._open_queries = {q: u for q, u in self._open_queries.items() if q not in self._answered}
        self._answered.clear()

    def forget_chat(self, chat_id: int) -> None:
        """Drop everything the fake keeps about one chat (a benchmark's one-off users), so a
        memory figure counts the bot's memory per user, not the fake's."""
        last_id = self._next_message_id.pop(chat_id, 0)
        for message_id in range(1, last_id + 1):
            self._messages.pop((chat_id, message_id), None)
        self._bot_messages.pop(chat_id, None)
        self._touched.pop(chat_id, None)
        self._chats.pop(chat_id, None)
        self._answers.pop(chat_id, None)

    def answers(self, user_id: int) -> list[CallbackAnswer]:
        """``answerCallbackQuery`` calls made for this user's taps, in order."""
        return self._answers.setdefault(user_id, [])

    @property
    def unanswered_queries(self) -> list[str]:
        """Callback query ids the bot never answered (the user's spinner would keep turning)."""
        return [q for q in self._open_queries if q not in self._answered]

    def commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[str]:
        key = (json.dumps(scope or {"type": "default"}, sort_keys=True), language_code)
        return [c["command"] for c in self._commands.get(key, [])]

    # --- for ChatClient / console --------------------------------------------------------------

    def next_update_id(self) -> int:
        return next(self._update_ids)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update for ``getUpdates``; assigns ``update_id`` when missing."""
        update.setdefault("update_id", self.next_update_id())
        self._updates.append(update)
        return int(update["update_id"])

    def register_chat(self, chat: dict[str, Any]) -> None:
        """Remember a chat's full JSON so the bot's messages carry it back."""
        self._chats[int(chat["id"])] = chat

    def now(self) -> int:
        value = self._now()
        return int(value.timestamp() if isinstance(value, datetime) else value)

    def new_message_id(self, chat_id: int) -> int:
        value = self._next_message_id.get(chat_id, 0) + 1
        self._next_message_id[chat_id] = value
        return value

    def store_incoming(self, chat_id: int, message_id: int, text: str, date: int) -> None:
        """Keep the user's own message so the bot may delete it, as in a real private chat."""
        self._messages[(chat_id, message_id)] = FakeMessage(message_id, chat_id, text, text, date=date, from_bot=False)

    def new_callback_query(self, user_id: int) -> str:
        query_id = str(next(self._query_ids))
        self._open_queries[query_id] = user_id
        return query_id

    def touch_mark(self, chat_id: int) -> int:
        return len(self._touched.setdefault(chat_id, []))

    def touched_since(self, chat_id: int, mark: int) -> list[FakeMessage]:
        """Messages sent or edited in the chat since ``mark``, each once, first touch first."""
        seen: dict[int, FakeMessage] = {}
        for msg in self._touched.get(chat_id, [])[mark:]:
            seen.setdefault(msg.message_id, msg)
        return list(seen.values())

    def message_json(self, msg: FakeMessage) -> dict[str, Any]:
        """The message as the Bot API serialises it (used in results and callback queries)."""
        data: dict[str, Any] = {
            "message_id": msg.message_id,
            "from": self._bot_user,
            "chat": self._chat_json(msg.chat_id),
            "date": msg.date,
        }
        if msg.edit_date is not None:
            data["edit_date"] = msg.edit_date
        if msg.document_id is not None:
            data["document"] = {
                "file_id": msg.document_id,
                "file_unique_id": msg.document_id[-12:],
                "file_name": msg.document_name or "document",
                "file_size": len(msg.document) if msg.document else 0,
            }
        if msg.photo_id is not None:
            data["photo"] = [
                {
                    "file_id": msg.photo_id,
                    "file_unique_id": msg.photo_id[-12:],
                    "width": 800,
                    "height": 600,
                    "file_size": len(msg.photo) if msg.photo else 0,
                }
            ]
        if msg.has_media:
            if msg.caption is not None:
                data["caption"] = msg.plain
                if msg.entities:
                    data["caption_entities"] = list(msg.entities)
        else:
            data["text"] = msg.plain
            if msg.entities:
                data["entities"] = list(msg.entities)
        if msg.reply_markup is not None:
            data["reply_markup"] = msg.reply_markup
        return data

    def watch_errors(self, app: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Collect the app's handler errors in :attr:`handler_errors` (idempotent).

        ChatClient calls this; call it again after building a new Application on the same fake.
        """
        if self._record_error not in app.error_handlers:
            app.add_error_handler(self._record_error)

    async def _record_error(self, update: object, context: Any) -> None:
        """Error handler added by :meth:`watch_errors`, so handler crashes are not silent."""
        error = context.error
        self.handler_errors.append((update, error))
        self.errors_seen += 1
        if len(context.application.error_handlers) == 1:  # we replaced PTB's default logging
            log.error("Handler raised while processing %r", update, exc_info=error)

    # --- internals -----------------------------------------------------------------------------

    def _learn_bot_id(self, url: str) -> None:
        match = _TOKEN.search(url.partition("?")[0])
        if match:
            self._bot_user["id"] = int(match.group(1))
        self._bot_id_known = True

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        chat = self._chats.get(chat_id)
        if chat is not None:
            return chat
        if chat_id > 0:
            return {"id": chat_id, "type": "private", "first_name": "User"}
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}

    def _store(self, msg: FakeMessage) -> None:
        self._messages[(msg.chat_id, msg.message_id)] = msg
        self._bot_messages.setdefault(msg.chat_id, []).append(msg)
        self._sent.append(msg)
        self._touched.setdefault(msg.chat_id, []).append(msg)

    def _find(self, params: dict[str, Any], missing: str) -> FakeMessage:
        if "inline_message_id" in params:
            raise _bad("inline messages are not supported by FakeTelegram")
        chat_id = _chat_id(params)
        msg = self._messages.get((chat_id, _int_param(params, "message_id")))
        if msg is None or msg.deleted:
            raise _bad(missing)
        return msg

    def _true(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        return True

    def _get_me(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        return {
            **self._bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _send_message(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        chat_id = _chat_id(params)
        text = str(params.get("text", ""))
        plain, entities = _format(text, params.get("parse_mode"), params.get("entities"))
        _check_text(plain)
        buttons, markup = _buttons(params.get("reply_markup"))
        msg = FakeMessage(
            self.new_message_id(chat_id),
            chat_id,
            text,
            plain,
            buttons,
            date=self.now(),
            entities=entities,
            reply_markup=markup,
        )
        self._store(msg)
        return self.message_json(msg)

    def _send_photo(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        return self._send_media("photo", params, request_data)

    def _send_document(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        return self._send_media("document", params, request_data)

    def _send_media(self, kind: str, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        """sendPhoto / sendDocument: an upload or a file_id/URL string, plus an optional caption."""
        chat_id = _chat_id(params)
        upload = _read_upload(request_data, kind)
        reference = params.get(kind)
        if upload is None and not isinstance(reference, str):
            raise _bad(f"there is no {kind} in the request")
        caption, plain, entities = _caption(params)
        buttons, markup = _buttons(params.get("reply_markup"))
        message_id = self.new_message_id(chat_id)
        file_id = (
            reference
            if isinstance(reference, str) and not reference.startswith(("http", "attach://"))
            else f"{'AgAC' if kind == 'photo' else 'BQAC'}AgIAAxkBAAI{chat_id}x{message_id}"
        )
        content, filename = upload if upload is not None else (None, None)
        msg = FakeMessage(
            message_id,
            chat_id,
            "",
            plain,
            buttons,
            caption=caption,
            date=self.now(),
            entities=entities,
            reply_markup=markup,
        )
        if kind == "photo":
            msg.photo, msg.photo_id = content, file_id
        else:
            msg.document, msg.document_id, msg.document_name = content, file_id, filename
        self._store(msg)
        return self.message_json(msg)

    def _edit_message_text(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        msg = self._find(params, "message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        if msg.has_media:
            raise _bad("there is no text in the message to edit")
        text = str(params.get("text", ""))
        plain, entities = _format(text, params.get("parse_mode"), params.get("entities"))
        _check_text(plain)
        buttons, markup = _buttons(params.get("reply_markup"))
        if plain == msg.plain and entities == msg.entities and markup == msg.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        msg.text, msg.plain, msg.entities = text, plain, entities
        msg.buttons, msg.reply_markup = buttons, markup
        self._edited(msg)
        return self.message_json(msg)

    def _edit_message_caption(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        msg = self._find(params, "message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        if not msg.has_media:
            raise _bad("there is no caption in the message to edit")
        caption, plain, entities = _caption(params)
        buttons, markup = _buttons(params.get("reply_markup"))
        if plain == msg.plain and entities == msg.entities and markup == msg.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        msg.caption = caption
        msg.plain, msg.entities = plain, entities
        msg.buttons, msg.reply_markup = buttons, markup
        self._edited(msg)
        return self.message_json(msg)

    def _edit_message_reply_markup(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        msg = self._find(params, "message to edit not found")
        if not msg.from_bot:
            raise _bad("message can't be edited")
        buttons, markup = _buttons(params.get("reply_markup"))
        if markup == msg.reply_markup:
            raise _ApiError(400, NOT_MODIFIED)
        msg.buttons, msg.reply_markup = buttons, markup
        self._edited(msg)
        return self.message_json(msg)

    def _edited(self, msg: FakeMessage) -> None:
        msg.edits += 1
        msg.edit_date = self.now()
        self._touched.setdefault(msg.chat_id, []).append(msg)

    def _delete_message(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        msg = self._find(params, "message to delete not found")
        msg.deleted = True
        return True

    def _answer_callback_query(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        user_id = self._open_queries.get(query_id)
        if user_id is None or query_id in self._answered:
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        text = params.get("text")
        if text is not None and len(str(text)) > MAX_ANSWER_TEXT_LENGTH:
            raise _bad("MESSAGE_TOO_LONG")
        self._answered.add(query_id)
        self.answers(user_id).append(
            CallbackAnswer(
                query_id,
                user_id,
                None if text is None else str(text),
                bool(params.get("show_alert")),
            )
        )
        return True

    def _send_chat_action(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        _chat_id(params)
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if isinstance(scope, str):
            scope = json.loads(scope)
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _set_my_commands(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        commands = params.get("commands")
        if isinstance(commands, str):
            commands = json.loads(commands)
        if not isinstance(commands, list) or len(commands) > 100:
            raise _bad("BOT_COMMANDS_TOO_MUCH" if isinstance(commands, list) else "commands empty")
        for command in commands:
            if not _COMMAND.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _get_my_commands(self, params: dict[str, Any], request_data: RequestData | None) -> list[dict[str, Any]]:
        return self._commands.get(self._commands_key(params), [])

    def _delete_my_commands(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_updates(self, params: dict[str, Any], request_data: RequestData | None) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        if not 1 <= limit <= 100:
            limit = 100
        if offset < 0:
            return self._updates[offset:][:limit]
        if offset > 0:  # confirming: Telegram forgets everything below the offset
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        return self._updates[:limit]

    def _set_webhook(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise _bad("Bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {key: value for key, value in params.items() if key != "drop_pending_updates"} if url else {}
        return True

    def _delete_webhook(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook = {}
        return True

    def _get_webhook_info(self, params: dict[str, Any], request_data: RequestData | None) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_error
        return info

    # --- inline mode (answerInlineQuery) ---------------------------------------------------------
    # Kept together: an inline query is opened by ChatClient.inline(), answered once by the bot;
    # the answer is validated as Telegram does (at most 50 results, unique ids of 1-64 bytes,
    # articles with a title and a message of 1-4096 characters that parses, valid keyboards).

    def new_inline_query(self, user_id: int) -> str:
        query_id = str(next(self._query_ids))
        self._inline_open[query_id] = user_id
        return query_id

    def inline_answer(self, query_id: str) -> InlineAnswer | None:
        """The bot's answer to an inline query, if it gave one."""
        return self._inline_answers.get(query_id)

    def _answer_inline_query(self, params: dict[str, Any], request_data: RequestData | None) -> bool:
        query_id = str(params.get("inline_query_id", ""))
        user_id = self._inline_open.get(query_id)
        if user_id is None or query_id in self._inline_answers:
            raise _bad(QUERY_TOO_OLD.removeprefix("Bad Request: "))
        results = params.get("results")
        if isinstance(results, str):
            results = json.loads(results)
        if not isinstance(results, list):
            raise _bad("can't parse inline query results JSON object")
        if len(results) > MAX_INLINE_RESULTS:
            raise _bad("RESULTS_TOO_MUCH")
        articles: list[InlineResult] = []
        ids: set[str] = set()
        for raw in results:
            result_id = str(raw.get("id", ""))
            if not 1 <= len(result_id.encode()) <= 64 or result_id in ids:
                raise _bad("RESULT_ID_INVALID" if result_id not in ids else "RESULT_ID_DUPLICATE")
            ids.add(result_id)
            if raw.get("type") != "article" or not str(raw.get("title", "")).strip():
                raise _bad("RESULT_TYPE_INVALID" if raw.get("type") != "article" else "RESULT_TITLE_EMPTY")
            content = raw.get("input_message_content") or {}
            text = str(content.get("message_text", ""))
            plain, _ = _format(text, content.get("parse_mode"), content.get("entities"))
            _check_text(plain)
            buttons, _ = _buttons(raw.get("reply_markup"))
            articles.append(
                InlineResult(result_id, str(raw["title"]), str(raw.get("description", "")), text, plain, buttons)
            )
        cache_time = _loose_int(params.get("cache_time"))
        self._inline_answers[query_id] = InlineAnswer(
            query_id, user_id, articles, 300 if cache_time is None else cache_time, bool(params.get("is_personal"))
        )
        return True


def _check_text(plain: str) -> None:
    if not plain.strip():
        raise _bad("message text is empty")
    if len(plain) > MAX_TEXT_LENGTH:
        raise _bad("message is too long")
