"""An in-process fake of the Telegram Bot API, plus a simulated user that drives a real bot.

Why it exists: the tests, the offline console (``spasmbot.console``) and the benchmarks all run
the *real* ``telegram.ext.Application`` with its real handlers, and only swap the HTTP layer.
``FakeTelegram`` is a ``telegram.request.BaseRequest``, so PTB serialises every call exactly as
it would for api.telegram.org; the fake answers with realistic Bot API JSON, keeps each chat's
messages so edits apply, enforces the limits Telegram enforces (text and caption length,
callback_data size, HTML entity parsing) and can inject the failures a production bot meets
(blocked users, flood waits, timeouts, network errors). ``ChatClient`` plays one private-chat
user: it builds real ``Update`` payloads, feeds them through ``Application.process_update`` and
returns what the bot showed in reply.

Usage::

    api = FakeTelegram()
    app = (ApplicationBuilder().token("123456:TEST-token").request(api)
           .get_updates_request(api).updater(None).build())
    await app.initialize()
    user = ChatClient(app, api)
    [menu] = await user.send("/start")
    await user.tap(menu, "Cramps")

Limits, on purpose:

* Only the methods spasmbot uses are implemented; anything else answers 404 like Telegram does
  for an unknown method. Inline mode answers (``answerInlineQuery``, see ``ChatClient.inline``)
  are validated and recorded; posting a chosen result and editing inline messages
  (``inline_message_id``), groups' permissions, media groups and files download are not
  modelled; ``setWebhook`` is recorded (``webhook``) but the fake never posts to it.
* HTML is checked slightly *more strictly* than Telegram: a bare ``&`` that does not start one
  of ``&lt; &gt; &amp; &quot;`` or a numeric reference is rejected (Telegram keeps it
  literally), because it always means a value was not escaped. Unknown attributes are ignored
  as Telegram ignores them. MarkdownV2/Markdown are accepted without being checked.
* Lengths are counted in Unicode code points after entity parsing; entity offsets in the
  returned messages are in UTF-16 code units, as Telegram reports them.
* Any integer ``chat_id`` is accepted; a chat the fake has not seen is treated as an existing
  private chat (groups for negative ids). Long polling does not wait: ``getUpdates`` returns the
  queued updates or an empty list at once.
* No rate limiting happens unless injected with :meth:`FakeTelegram.fail_next`.
"""

from spasmbot.content.html import HtmlError, parse_html
from spasmbot.fake_telegram.api import FakeTelegram, Gate
from spasmbot.fake_telegram.client import ChatClient
from spasmbot.fake_telegram.records import Call, CallbackAnswer, FakeMessage, InlineAnswer, InlineResult
from spasmbot.screen import Button

__all__ = [
    "Button",
    "Call",
    "CallbackAnswer",
    "ChatClient",
    "FakeMessage",
    "FakeTelegram",
    "Gate",
    "HtmlError",
    "InlineAnswer",
    "InlineResult",
    "parse_html",
]
