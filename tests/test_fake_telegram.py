"""FakeTelegram and ChatClient against a tiny real PTB Application."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
)

from spasmbot.clock import FakeClock
from spasmbot.fake_telegram import Button, ChatClient, FakeTelegram, HtmlError, parse_html
from spasmbot.fake_telegram import records as fake_telegram_records

TOKEN = "123456:TEST-token"
PNG = b"\x89PNG\r\n\x1a\nfake-image-bytes"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

App = Application[Any, Any, Any, Any, Any, Any]


def keyboard(*rows: list[tuple[str, str]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        "<b>Hello</b> &amp; welcome",
        reply_markup=InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("Next page", callback_data="n:2"),
                    InlineKeyboardButton("Info", callback_data="n:info"),
                ],
                [InlineKeyboardButton("Nexus", callback_data="n:x")],
                [InlineKeyboardButton("Website", url="https://example.org")],
            ]
        ),
    )


async def on_tap(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    if query.data == "n:2":
        await query.answer("Moved")
        await query.edit_message_text("Page <i>two</i>", reply_markup=keyboard([("Back", "n:back")]))
    elif query.data == "n:boom":
        raise RuntimeError("handler exploded")
    else:
        await query.answer()
        await context.bot.send_message(query.from_user.id, f"got {html.escape(query.data)}")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_photo(PNG, caption="<b>Chart</b> of the week")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(html.escape(" ".join(context.args or [])))


def build(api: FakeTelegram, base_url: str | None = None, token: str = TOKEN) -> App:
    builder = (
        ApplicationBuilder()
        .token(token)
        .request(api)
        .get_updates_request(api)
        .updater(None)
        .defaults(Defaults(parse_mode="HTML"))
    )
    if base_url is not None:
        builder = builder.base_url(base_url)
    app = builder.build()
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("photo", photo))
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CallbackQueryHandler(on_tap, pattern=r"^n:"))
    return app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def api(clock: FakeClock) -> FakeTelegram:
    return FakeTelegram(now=clock.now)


@pytest.fixture
async def app(api: FakeTelegram) -> AsyncIterator[App]:
    application = build(api)
    await application.initialize()
    yield application
    await application.shutdown()


@pytest.fixture
def user(app: App, api: FakeTelegram) -> ChatClient:
    return ChatClient(app, api)


# --- roundtrips ------------------------------------------------------------------------------


async def test_start_sends_message_with_parsed_html_and_buttons(user: ChatClient, api: FakeTelegram, app: App) -> None:
    [msg] = await user.send("/start")
    assert msg.text == "<b>Hello</b> &amp; welcome"
    assert msg.plain == "Hello & welcome"
    assert msg.entities == ({"type": "bold", "offset": 0, "length": 5},)
    assert msg.button_texts() == ["Next page", "Info", "Nexus", "Website"]
    assert msg.buttons[0][0] == Button("Next page", "n:2")
    assert msg.buttons[2][0] == Button("Website", None, "https://example.org")
    assert msg.date == int(START.timestamp())
    assert msg.chat_id == user.user_id
    assert api.count("sendMessage") == 1
    assert api.calls[-1].method == "sendMessage"
    assert api.calls[-1].params["parse_mode"] == "HTML"
    assert app.bot.username == "spasm_test_bot"
    assert app.bot.id == 123456


async def test_tap_edits_in_place_and_records_the_answer(user: ChatClient, api: FakeTelegram, clock: FakeClock) -> None:
    [menu] = await user.send("/start")
    clock.advance(minutes=1)
    touched = await user.tap(menu, "Next page")
    assert touched == [menu]
    assert menu.plain == "Page two"
    assert menu.edits == 1
    assert menu.edit_date == int(START.timestamp()) + 60
    assert menu.button_texts() == ["Back"]
    assert user.alerts == ["Moved"]
    assert api.unanswered_queries == []
    assert api.sent(user.chat_id) == [menu]
    assert user.last_message() is menu


async def test_tap_sees_current_state_and_returns_new_messages(user: ChatClient) -> None:
    [menu] = await user.send("/start")
    [reply] = await user.tap(menu, "info")  # case-insensitive substring
    assert reply.plain == "got n:info"
    assert reply.message_id > menu.message_id
    assert user.messages() == [menu, reply]
    assert user.last_message() is reply
    assert user.alerts == []  # answered without text


async def test_tap_missing_ambiguous_or_url_button_fails_clearly(user: ChatClient) -> None:
    [menu] = await user.send("/start")
    with pytest.raises(AssertionError, match=r"matches no button.*'Next page', 'Info'"):
        await user.tap(menu, "Settings")
    with pytest.raises(AssertionError, match="ambiguous"):
        await user.tap(menu, "nex")
    with pytest.raises(AssertionError, match="cannot be tapped"):
        await user.tap(menu, "Website")
    await user.tap(menu, "Next page")
    with pytest.raises(AssertionError, match="Info"):  # gone after the edit
        await user.tap(menu, "Info")


async def test_tap_data_forges_any_data_and_handler_errors_are_collected(app: App, api: FakeTelegram) -> None:
    user = ChatClient(app, api)
    [menu] = await user.send("/start")
    assert await user.tap_data(menu, "n:boom") == []
    assert [str(e) for e in user.errors] == ["handler exploded"]
    assert api.unanswered_queries != []
    strict = ChatClient(app, api, user_id=2002, raise_errors=True)
    [other] = await strict.send("/start")
    with pytest.raises(RuntimeError, match="exploded"):
        await strict.tap_data(other, "n:boom")


async def test_photo_roundtrip(user: ChatClient) -> None:
    [msg] = await user.send("/photo")
    assert msg.photo == PNG
    assert msg.caption == "<b>Chart</b> of the week"
    assert msg.plain == "Chart of the week"
    assert msg.text == ""


async def test_commands_are_marked_and_args_reach_the_handler(user: ChatClient) -> None:
    [msg] = await user.send("/echo a<b & c")
    assert msg.plain == "a<b & c"
    assert msg.text == "a&lt;b &amp; c"


async def test_update_and_message_ids(app: App, api: FakeTelegram) -> None:
    ann, bob = ChatClient(app, api), ChatClient(app, api, user_id=1002, first_name="Bob")
    seen: list[int] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update.update_id)

    app.add_handler(CommandHandler("ping", record), group=-1)
    await ann.send("/ping")
    await bob.send("/ping")
    await ann.send("/ping")
    assert len(set(seen)) == 3 and seen == sorted(seen)
    await ann.send("/start")
    await ann.send("/start")
    ids = [m.message_id for m in ann.messages()]
    assert ids == sorted(ids) and len(set(ids)) == 2
    assert bob.messages() == []


# --- Bot API behaviour -----------------------------------------------------------------------


async def test_edit_not_modified_and_unknown_message(app: App, api: FakeTelegram) -> None:
    sent = await app.bot.send_message(7, "<b>x</b>", reply_markup=keyboard([("A", "a")]))
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_text("<b>x</b>", 7, sent.message_id, reply_markup=keyboard([("A", "a")]))
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_reply_markup(7, sent.message_id, reply_markup=keyboard([("A", "a")]))
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("y", 7, 999)
    await app.bot.edit_message_text("<b>x</b>", 7, sent.message_id)  # drops the keyboard
    [msg] = api.messages(7)
    assert msg.buttons == [] and msg.edits == 1
    assert api.sent() == [msg]


async def test_delete_message(app: App, api: FakeTelegram) -> None:
    sent = await app.bot.send_message(7, "bye")
    assert await app.bot.delete_message(7, sent.message_id) is True
    assert api.messages(7)[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await app.bot.delete_message(7, sent.message_id)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await app.bot.edit_message_text("again", 7, sent.message_id)


async def test_text_limits_are_measured_after_entity_parsing(app: App) -> None:
    await app.bot.send_message(7, "<b>" + "x" * 4096 + "</b>")
    await app.bot.send_message(7, "&lt;" * 4096)
    with pytest.raises(BadRequest, match="Message is too long"):
        await app.bot.send_message(7, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await app.bot.send_message(7, "<b> </b>")
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await app.bot.send_photo(7, PNG, caption="c" * 1025)
    await app.bot.send_photo(7, PNG, caption="<i>" + "c" * 1024 + "</i>")


@pytest.mark.parametrize("data", ["x" * 65, "é" * 33, ""])
async def test_callback_data_must_be_1_to_64_bytes(app: App, data: str) -> None:
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await app.bot.send_message(7, "pick", reply_markup=keyboard([("A", data)]))


async def test_callback_data_of_64_bytes_is_fine(app: App, api: FakeTelegram) -> None:
    await app.bot.send_message(7, "pick", reply_markup=keyboard([("A", "é" * 32)]))
    assert api.messages(7)[0].button("A").data == "é" * 32


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("line<br>break", 'unsupported start tag "br" at byte offset 4'),
        ("<b>open", 'can\'t find end tag corresponding to start tag "b"'),
        ("close</b>", "unexpected end tag at byte offset 5"),
        (
            "<b><i>x</b></i>",
            'unmatched end tag at byte offset 7, expected "</i>", found "</b>"',
        ),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("salt & water", 'unescaped "&" at byte offset 5; use "&amp;"'),
        ("<b class='x'", "unclosed start tag at byte offset 0"),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("é <unknown>", 'unsupported start tag "unknown" at byte offset 3'),
    ],
)
async def test_invalid_html_is_rejected_like_telegram(app: App, text: str, reason: str) -> None:
    with pytest.raises(BadRequest) as info:
        await app.bot.send_message(7, text)
    assert info.value.message.lower() == f"can't parse entities: {reason}".lower()


async def test_invalid_html_is_not_checked_without_parse_mode(app: App, api: FakeTelegram) -> None:
    await app.bot.send_message(7, "1 < 2 & <br>", parse_mode=None)
    assert api.messages(7)[0].plain == "1 < 2 & <br>"


def test_parse_html_entities_use_utf16_offsets() -> None:
    text = (
        '😀 <a href="https://x.org/?a=1&amp;b=2">link</a> <pre><code class="language-py">'
        'p</code></pre> <blockquote expandable>q</blockquote> <span class="tg-spoiler">s</span>'
        ' <tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> &#x1F600;&#65;&quot;<u></u>'
    )
    plain, entities = parse_html(text)
    assert plain == '😀 link p q s 👍 😀A"'
    assert entities == (
        {"type": "text_link", "offset": 3, "length": 4, "url": "https://x.org/?a=1&b=2"},
        {"type": "pre", "offset": 8, "length": 1, "language": "py"},
        {"type": "expandable_blockquote", "offset": 10, "length": 1},
        {"type": "spoiler", "offset": 12, "length": 1},
        {
            "type": "custom_emoji",
            "offset": 14,
            "length": 2,
            "custom_emoji_id": "5368324170671202286",
        },
    )
    with pytest.raises(HtmlError, match="Invalid numeric"):
        parse_html("&#0;")


# --- error injection -------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:.*retry_after.*:telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize(
    ("kind", "exc_type", "text"),
    [
        ("forbidden", Forbidden, "bot was blocked by the user"),
        ("retry_after", RetryAfter, "Retry in 3 seconds"),
        ("not_modified", BadRequest, "not modified"),
        ("timeout", TimedOut, "Timed out"),
        ("network", NetworkError, "connection reset"),
        ("bad_request", BadRequest, "Chat not found"),
    ],
)
async def test_injected_errors_surface_as_ptb_exceptions(
    app: App, api: FakeTelegram, kind: Any, exc_type: type[Exception], text: str
) -> None:
    api.fail_next("sendMessage", kind, times=2, retry_after=3)
    for _ in range(2):
        with pytest.raises(exc_type, match=text) as info:
            await app.bot.send_message(7, "hi")
        assert type(info.value) is exc_type
    await app.bot.send_message(7, "hi")
    assert [m.plain for m in api.sent()] == ["hi"]
    assert api.count("sendMessage") == 3


async def test_injected_error_can_target_one_chat(app: App, api: FakeTelegram) -> None:
    api.fail_next("sendMessage", "forbidden", chat_id=8)
    await app.bot.send_message(7, "fine")
    with pytest.raises(Forbidden):
        await app.bot.send_message(8, "blocked once")
    await app.bot.send_message(8, "fine again")
    with pytest.raises(ValueError, match="unknown Bot API method"):
        api.fail_next("sendMesage", "forbidden")
    with pytest.raises(ValueError, match="unknown error kind"):
        api.fail_next("sendMessage", "explode")  # type: ignore[arg-type]


async def test_block_and_unblock(app: App, api: FakeTelegram) -> None:
    api.block(7)
    for _ in range(3):
        with pytest.raises(Forbidden, match="blocked"):
            await app.bot.send_message(7, "hello?")
    await app.bot.send_message(8, "others still get messages")
    api.unblock(7)
    await app.bot.send_message(7, "welcome back")
    assert [m.plain for m in api.sent()] == ["others still get messages", "welcome back"]


# --- plumbing --------------------------------------------------------------------------------


async def test_self_hosted_base_url(api: FakeTelegram) -> None:
    application = build(api, base_url="http://127.0.0.1:8081/bot", token="654321:OTHER-token")
    await application.initialize()
    try:
        user = ChatClient(application, api)
        [msg] = await user.send("/start")
        assert msg.plain == "Hello & welcome"
        assert application.bot.id == 654321
        assert msg.date == int(START.timestamp())
    finally:
        await application.shutdown()
    code, body = await api.do_request("http://127.0.0.1:8081/bot123456:TEST-token/getMe/", "POST")
    assert code == 200 and b'"is_bot": true' in body


async def test_unknown_method_is_404(app: App) -> None:
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("sendHologram", api_kwargs={"chat_id": 7})


async def test_get_updates_honours_offset(app: App, api: FakeTelegram) -> None:
    assert await app.bot.get_updates() == ()
    ids = [
        api.push_update(
            {
                "message": {
                    "message_id": n,
                    "date": 0,
                    "chat": {"id": 7, "type": "private"},
                    "text": str(n),
                }
            }
        )
        for n in range(1, 4)
    ]
    assert [u.update_id for u in await app.bot.get_updates()] == ids
    assert [u.update_id for u in await app.bot.get_updates(offset=ids[1])] == ids[1:]
    assert [u.update_id for u in await app.bot.get_updates()] == ids[1:]  # first one confirmed
    assert [u.update_id for u in await app.bot.get_updates(offset=-1)] == ids[2:]
    assert await app.bot.get_updates(offset=ids[2] + 1) == ()


async def test_commands_roundtrip(app: App, api: FakeTelegram) -> None:
    await app.bot.set_my_commands([("start", "Main menu"), ("help", "How it works")])
    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "help"]
    assert api.commands() == ["start", "help"]
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await app.bot.set_my_commands([("Bad-Name", "x")])
    assert await app.bot.delete_my_commands() is True
    assert await app.bot.get_my_commands() == ()


async def test_chat_action_and_answer_rules(user: ChatClient, app: App, api: FakeTelegram) -> None:
    assert await app.bot.send_chat_action(7, "typing") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await app.bot.answer_callback_query("nope")
    api.reset_calls()
    assert api.calls == [] and api.count("sendChatAction") == 0


async def test_edit_caption_and_user_messages(user: ChatClient, app: App, api: FakeTelegram) -> None:
    [chart] = await user.send("/photo")
    await app.bot.edit_message_caption(user.chat_id, chart.message_id, caption="<i>New</i>")
    assert (chart.caption, chart.plain, chart.edits) == ("<i>New</i>", "New", 1)
    with pytest.raises(BadRequest, match="not modified"):
        await app.bot.edit_message_caption(user.chat_id, chart.message_id, caption="<i>New</i>")
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await app.bot.edit_message_text("text", user.chat_id, chart.message_id)
    typed = chart.message_id + 1
    await user.send("/echo hi")  # the user's message takes the next id in the shared sequence
    with pytest.raises(BadRequest, match="Message can't be edited"):
        await app.bot.edit_message_text("changed", user.chat_id, typed)
    assert await app.bot.delete_message(user.chat_id, typed) is True
    assert [m.from_bot for m in user.messages()] == [True, True]


async def test_watch_errors_is_idempotent_and_now_accepts_floats(app: App, api: FakeTelegram) -> None:
    api.watch_errors(app)
    ChatClient(app, api, user_id=3003)
    api.watch_errors(app)
    assert list(app.error_handlers).count(api._record_error) == 1
    assert FakeTelegram(now=lambda: 1_700_000_000.7).now() == 1_700_000_000


async def test_handler_errors_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fake_telegram_records, "ERRORS_KEPT", 2)
    bounded = FakeTelegram()
    application = build(bounded)
    await application.initialize()
    user = ChatClient(application, bounded)
    [menu] = await user.send("/start")
    for _ in range(3):
        await user.tap_data(menu, "n:boom")
    assert bounded.errors_seen == 3
    assert len(bounded.handler_errors) == 2 and len(user.errors) == 2
    await application.shutdown()


@pytest.mark.filterwarnings("ignore:Please use:telegram.warnings.PTBUserWarning")
async def test_document_roundtrip(app: App, api: FakeTelegram) -> None:
    sent = await app.bot.send_document(7, InputFile(b'{"a": 1}', filename="data.json"), caption="<b>Your</b> data")
    assert sent.document is not None and sent.document.file_name == "data.json"
    [msg] = api.messages(7)
    assert (msg.document, msg.document_name, msg.plain, msg.photo) == (b'{"a": 1}', "data.json", "Your data", None)
    with pytest.raises(BadRequest, match="There is no text in the message to edit"):
        await app.bot.edit_message_text("text", 7, msg.message_id)
    with pytest.raises(BadRequest, match="There is no document in the request"):
        await app.bot.do_api_request("sendDocument", api_kwargs={"chat_id": 7})


async def test_trim_history_keeps_only_the_newest_message_per_chat() -> None:
    api = FakeTelegram()
    app = ApplicationBuilder().token("123456:TEST-token").request(api).get_updates_request(api).updater(None).build()
    async with app:
        for text in ("one", "two", "three"):
            await app.bot.send_message(42, text)
        api.trim_history()
        assert [m.plain for m in api.messages(42)] == ["three"]
        assert api.calls == [] and api.sent() == []
        newest = api.messages(42)[0]
        await app.bot.edit_message_text("3", chat_id=42, message_id=newest.message_id)
        assert api.message(42, newest.message_id).plain == "3"
