"""Updates run concurrently across chats and in order within a chat (``spasmbot.edge.ordering``).

End to end through the real Application's update processor (``ChatClient`` hands every update
to it, as the Application's update fetcher does), with the fake Bot API holding chosen calls
(``FakeTelegram.gate``) so the interleaving is decided by the test, not by timing.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import Update

from spasmbot.edge.ordering import ChatOrderedProcessor, turn_keys
from spasmbot.features.checks import engine
from spasmbot.features.checks import store as store_checks
from spasmbot.features.checks.model import Step
from tests.helpers import Harness, shipped_content

UI = shipped_content().ui


def _processor(harness: Harness) -> ChatOrderedProcessor:
    processor = harness.app.update_processor
    assert isinstance(processor, ChatOrderedProcessor)
    return processor


async def test_a_chats_second_update_waits_for_its_first_while_other_chats_go_ahead(harness: Harness) -> None:
    ann, bob = harness.user(1001), harness.user(1002, "Bob")
    await ann.send("/start")
    await bob.send("/start")
    gate = harness.api.gate("sendMessage", chat_id=ann.chat_id)
    first = asyncio.create_task(ann.send("/help"))
    second = asyncio.create_task(ann.send("/tips"))
    await asyncio.wait_for(gate.arrived.wait(), 10)

    # Ann's /help is held on the wire; Bob is not kept waiting behind her.
    [bobs_help] = await bob.send("/help")
    assert "/tips" in bobs_help.plain
    processor = _processor(harness)
    assert gate.held == 1  # only /help reached Telegram: /tips waits for its turn, unstarted
    assert processor.running == 1
    assert len(processor.turns) == 1  # Ann's turn, held by /help with /tips queued behind it

    gate.open()
    await asyncio.gather(first, second)
    help_message, tips_message = ann.messages()[-2:]
    assert "/tips" in help_message.plain  # the help text lists the commands
    [tips_home] = await harness.user(1003, "Cy").send("/tips")  # what /tips shows a newcomer
    assert tips_message.plain == tips_home.plain
    assert help_message.message_id < tips_message.message_id
    assert len(processor.turns) == 0 and processor.running == 0  # nothing kept once idle


async def test_fifty_simultaneous_taps_on_a_check_step_keep_the_first_and_stay_consistent(
    harness: Harness,
) -> None:
    """A frantic user taps both answers of the first question fifty times before any reply.

    Handled in order, the first tap answers the question and the other 49 are taps on a step
    the run has left: they show the current step again. Stored run and screen agree."""
    check = shipped_content().checks["what_kind"]
    user = harness.user()
    [listing] = await user.send("/check")
    await user.tap(listing, check.title)
    screening = check.steps[check.start]  # the warning signs come first; none of them here
    await user.tap(listing, screening.answers[-1].text)
    first = check.steps["feel"]  # the first question whose answers all lead on
    texts = [first.answers[n % 2].text for n in range(50)]

    await asyncio.gather(*(user.tap(listing, text) for text in texts))

    screened = engine.choose(check, engine.start(check), screening.id, len(screening.answers) - 1)
    expected = engine.choose(check, screened, first.id, 0)  # the first tap's answer
    node = engine.position(check, expected)
    run = await store_checks.get_run(harness.store, user.user_id)
    assert isinstance(node, Step) and run is not None
    assert run.answers == expected.answers  # one answer to it, the first one
    assert node.question in user.last_message().text  # the screen shows the stored step
    assert harness.api.unanswered_queries == []
    assert len(harness.api.answers(user.user_id)) == 2 + 50  # the check's own taps, then 50
    assert user.errors == []
    assert len(_processor(harness).turns) == 0


async def test_many_users_at_once_each_see_their_own_screens(harness: Harness) -> None:
    people = [harness.user(5000 + i, f"U{i}") for i in range(120)]
    menus = await asyncio.gather(*(person.send("/start") for person in people))
    taps = await asyncio.gather(
        *(person.tap(menu[-1], "Types of spasms") for person, menu in zip(people, menus, strict=True))
    )
    for person, touched in zip(people, taps, strict=True):
        assert touched and all(message.chat_id == person.chat_id for message in touched)
        assert person.errors == []
    assert harness.api.unanswered_queries == []
    assert len(_processor(harness).turns) == 0


def _update(update_id: int, chat_id: int, user_id: int, text: str) -> Update:
    chat: dict[str, Any] = (
        {"id": chat_id, "type": "private", "first_name": "U"}
        if chat_id > 0
        else {"id": chat_id, "type": "group", "title": "G"}
    )
    return Update.de_json(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": 0,
                "chat": chat,
                "from": {"id": user_id, "is_bot": False, "first_name": "U"},
                "text": text,
            },
        },
        None,
    )


async def test_the_processor_bounds_concurrency_and_keeps_each_chats_order() -> None:
    processor = ChatOrderedProcessor(limit=3)
    release = asyncio.Event()
    seen: dict[int, list[int]] = {}
    peak = 0

    async def handle(update: Update) -> None:
        nonlocal peak
        peak = max(peak, processor.running)
        assert update.effective_chat is not None
        await release.wait()
        seen.setdefault(update.effective_chat.id, []).append(update.update_id)

    updates = [_update(n, 100 + n % 10, 100 + n % 10, "hi") for n in range(60)]
    tasks = [asyncio.create_task(processor.process_update(u, handle(u))) for u in updates]
    for _ in range(20):
        await asyncio.sleep(0)  # let every task reach its turn or slot
    assert processor.running == 3  # bounded, although ten chats have work
    assert len(processor.turns) == 10
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 3
    for chat_id, ids in seen.items():
        assert ids == sorted(ids) and len(ids) == 6, chat_id
    assert len(processor.turns) == 0


async def test_a_chat_waiting_for_its_turn_holds_no_slot() -> None:
    processor = ChatOrderedProcessor(limit=2)
    busy = asyncio.Event()
    order: list[str] = []

    async def slow(name: str) -> None:
        await busy.wait()
        order.append(name)

    async def fast(name: str) -> None:
        order.append(name)

    flood = [asyncio.create_task(processor.process_update(_update(n, 7, 7, "x"), slow(f"ann{n}"))) for n in range(10)]
    for _ in range(5):
        await asyncio.sleep(0)
    # Ann's ten updates: one runs, nine wait for her turn without taking the second slot.
    await asyncio.wait_for(processor.process_update(_update(99, 8, 8, "y"), fast("bob")), 5)
    assert order == ["bob"]
    busy.set()
    await asyncio.gather(*flood)
    assert order == ["bob", *(f"ann{n}" for n in range(10))]


def test_turn_keys_private_chat_group_and_others() -> None:
    assert turn_keys(_update(1, 42, 42, "hi")) == (42,)
    assert turn_keys(_update(2, -100, 42, "hi")) == (-100, 42)  # the group's order and the user's
    assert turn_keys(object()) == ()
