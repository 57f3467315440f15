"""The fake Bot API's inline mode holds the bot to Telegram's rules for answerInlineQuery."""

from __future__ import annotations

import json

import pytest
from telegram.error import BadRequest

from tests.helpers import Harness


def _article(result_id: str, text: str = "<b>Hi</b>") -> dict[str, object]:
    return {
        "type": "article",
        "id": result_id,
        "title": "T",
        "input_message_content": {"message_text": text, "parse_mode": "HTML"},
    }


async def _answer(harness: Harness, query_id: str, results: list[dict[str, object]]) -> None:
    await harness.app.bot.do_api_request(
        "answerInlineQuery", api_kwargs={"inline_query_id": query_id, "results": json.dumps(results)}
    )


async def test_answers_are_validated_like_telegram(harness: Harness) -> None:
    user = harness.user()
    query_id = harness.api.new_inline_query(user.user_id)
    with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
        await _answer(harness, query_id, [_article(str(i)) for i in range(51)])
    with pytest.raises(BadRequest, match=r"(?i)result_id_duplicate"):
        await _answer(harness, query_id, [_article("a"), _article("a")])
    with pytest.raises(BadRequest, match=r"(?i)parse entities"):
        await _answer(harness, query_id, [_article("a", "<b>unclosed")])
    await _answer(harness, query_id, [_article("a")])
    answer = harness.api.inline_answer(query_id)
    assert answer is not None and [r.plain for r in answer.results] == ["Hi"]
    with pytest.raises(BadRequest, match=r"(?i)query is too old"):  # one answer per query
        await _answer(harness, query_id, [_article("b")])
