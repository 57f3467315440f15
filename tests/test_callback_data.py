"""The callback-data grammar (spasmbot.callback_data) and the one router that dispatches taps."""

from __future__ import annotations

import pytest

from spasmbot.callback_data import MAX_BYTES, CallbackDataError, Choice, Digits, Grammar, Int, Rest, Word
from spasmbot.edge.router import Router
from tests.helpers import Harness


def grammar() -> Grammar:
    g = Grammar("x")
    g.action("home")
    g.action("page", Word("id"), Int("page", 0, 999))
    g.action("page", "type")
    g.action("set", Digits("hhmm", 4))
    g.action("unit", Choice("unit", "ml", "glass"))
    g.action("back", Rest("to"))
    return g


def test_built_data_parses_back_to_the_same_action_and_typed_values() -> None:
    g = grammar()
    home, page, page_type, set_, unit, back = list(g)
    assert home() == "x:home" and g.parse("x:home").action is home
    tap = g.parse(page("cramps", 3))
    assert tap is not None and tap.action is page and tap.text("id") == "cramps" and tap.number("page") == 3
    assert g.parse("x:page:type").action is page_type  # a literal word is not taken for an id
    assert g.parse(set_("0730")).text("hhmm") == "0730"
    assert g.parse(unit("glass")).text("unit") == "glass"
    tap = g.parse(back("t:set:0730"))
    assert tap is not None and tap.text("to") == "t:set:0730"
    assert g.parse("x:back:").text("to") == ""


@pytest.mark.parametrize(
    "data",
    [
        "x:page:cramps:²",
        "x:page:cramps:٣",
        "x:page:cramps:1000",
        "x:page:cramps:-1",
        "x:page:cramps:1 ",
        "x:set:²³⁰⁰",
        "x:set:073",
        "x:set:07300",
        "x:unit:litre",
        "x:home:extra",
        "x:nope",
        "x",
        "x:",
        "y:home",
        "",
        "x:page:cr amps:1",
        "x:page:crämps:1",
        "x:back:" + "a" * 60,
    ],
)
def test_unicode_digits_wrong_shapes_and_other_namespaces_do_not_parse(data: str) -> None:
    assert grammar().parse(data) is None


def test_building_refuses_bad_values_and_data_over_64_bytes() -> None:
    g = grammar()
    _, page, _, set_, unit, _ = list(g)
    with pytest.raises(CallbackDataError):
        page("cramps", "3")  # type: ignore[arg-type]  # a str where an int is declared
    with pytest.raises(CallbackDataError):
        set_("7:30")
    with pytest.raises(CallbackDataError):
        unit("litre")
    with pytest.raises(CallbackDataError, match="bytes"):
        page("a" * (MAX_BYTES - len("x:page::0") + 1), 0)
    assert page("a" * (MAX_BYTES - len("x:page::0")), 0)
    assert page.problem("a" * 80, 0) is not None and page.problem("cramps", 1) is None


def test_a_grammar_refuses_ambiguous_or_malformed_declarations() -> None:
    g = Grammar("q")
    g.action("a", Int("n"))
    with pytest.raises(ValueError, match="twice"):
        g.action("a", Word("m"))
    with pytest.raises(ValueError):
        g.action(Int("n"), "late")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        g.action("b", Rest("r"), Int("n"))
    with pytest.raises(ValueError):
        Grammar("qq")


async def test_router_requires_one_handler_per_declared_action() -> None:
    async def nothing(*_: object) -> None:
        return None

    g = grammar()
    router = Router(fallback=nothing)
    with pytest.raises(ValueError, match="no handler"):
        router.add(g, {next(iter(g)): nothing}, stale=None)
    router.add(g, dict.fromkeys(g, nothing), stale=None)
    with pytest.raises(ValueError, match="twice"):
        router.add(g, dict.fromkeys(g, nothing), stale=None)


async def test_forged_tips_data_with_unicode_digits_gets_the_tips_expired_screen(harness: Harness) -> None:
    user = harness.user()
    [home] = await user.send("/tips")
    expired = harness.content.ui("core.expired").strip()
    for data in ("t:set:²³⁰⁰", "t:set:2500", "t:set:0799", "t:home:x", "t:nope"):
        await user.tap_data(home, data)
        screen = harness.api.message(user.chat_id, home.message_id)
        assert expired in screen.plain, data
        assert "Daily prevention tips" in screen.plain, data  # the tips home, not the main menu
    assert not harness.api.unanswered_queries
