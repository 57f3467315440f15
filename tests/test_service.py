"""Running as a service: webhook mode, /healthz and /metrics, over real HTTP on 127.0.0.1.

The bot runs through ``spasmbot.edge.runner.serve`` exactly as ``spasmbot run`` runs it, with the
fake Bot API behind it: updates arrive as HTTP POSTs to PTB's webhook server, replies go to the
fake. Ports are ephemeral (0) and readiness is awaited, never slept for.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from spasmbot.config import ConfigError, ServiceSettings, load_settings
from spasmbot.edge.runner import Running, serve
from spasmbot.edge.webhook import check_webhook
from spasmbot.fake_telegram import ChatClient
from spasmbot.features.timezone import rules as timezones
from tests.helpers import Harness

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
SECRET = "s3cret-token_for-the-webhook-0123456789"
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
SERVICE = ServiceSettings(
    webhook_url="https://bot.example.org/telegram/hook",
    webhook_secret=SECRET,
    webhook_port=0,
    webhook_path="/telegram/hook",
    http_port=0,
)


@dataclass
class Service:
    """A bot served over HTTP; ``post`` delivers one update to its webhook and waits until handled."""

    harness: Harness
    running: Running
    client: httpx.AsyncClient

    @property
    def webhook(self) -> str:
        return f"http://127.0.0.1:{self.running.webhook_port}{SERVICE.webhook_path}"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.running.http_port}"

    async def post(self, payload: dict[str, Any], secret: str | None = SECRET) -> httpx.Response:
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        response = await self.client.post(self.webhook, json=payload, headers=headers)
        await asyncio.wait_for(self.harness.app.update_queue.join(), 10)  # handled, not just queued
        return response

    async def deliver(self, payload: dict[str, Any]) -> None:
        response = await self.post(payload)
        assert response.status_code == 200, response.text

    def user(self, user_id: int = 1001, raise_errors: bool = True) -> ChatClient:
        return ChatClient(
            self.harness.app, self.harness.api, user_id=user_id, raise_errors=raise_errors, transport=self.deliver
        )

    async def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        response = await self.client.get(self.http + "/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }


@pytest.fixture
async def service(harness: Harness) -> AsyncIterator[Service]:
    stop = asyncio.Event()
    ready: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(harness.app, harness.store, SERVICE, stop, ready.set_result))
    running = await asyncio.wait_for(asyncio.shield(ready), 10)
    async with httpx.AsyncClient(timeout=10) as client:
        try:
            yield Service(harness, running, client)
        finally:
            stop.set()
            await asyncio.wait_for(task, 10)


def _sample(found: dict[Any, float], name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


async def subscribe_to_tips(harness: Harness, user: ChatClient) -> None:
    [home] = await user.send("/tips")
    [picker] = await user.tap(home, "Start daily tips")
    if "What time is it for you" in picker.plain:
        now = harness.clock.now()
        label = dict(timezones.local_time_labels(now, WEEKDAYS))[timezones.offset_minutes("Europe/Berlin", now)]
        [regions] = await user.tap(picker, label)
        [picker] = await user.tap(regions, timezones.BY_NAME["Europe/Berlin"].label)
    [done] = await user.send("8:00")
    assert "Daily tips at" in done.plain, done.plain


# --- webhook ---------------------------------------------------------------------------------


async def test_webhook_is_registered_with_the_secret_and_the_public_url(service: Service) -> None:
    assert service.running.mode == "webhook"
    webhook = service.harness.api.webhook
    assert webhook["url"] == "https://bot.example.org/telegram/hook"
    assert webhook["secret_token"] == SECRET
    assert service.harness.api.count("getUpdates") == 0  # no polling next to the webhook


async def test_updates_posted_to_the_webhook_are_answered_through_the_bot_api(service: Service) -> None:
    user = service.user()
    [menu] = await user.send("/start")
    assert "I'm SpasmBot" in menu.plain and "🧬 Types of spasms" in menu.button_texts()
    [types] = await user.tap(menu, "🧬 Types of spasms")
    assert "Spasms are not all alike" in types.plain
    assert types.message_id == menu.message_id  # edited in place, as on Telegram
    assert service.harness.api.unanswered_queries == []


@pytest.mark.parametrize("secret", [None, "wrong-secret-0123456789", SECRET.upper()])
async def test_webhook_refuses_requests_without_the_right_secret(service: Service, secret: str | None) -> None:
    calls = len(service.harness.api.calls)
    forged = {
        "update_id": 77,
        "message": {
            "message_id": 1,
            "date": 0,
            "text": "/start",
            "chat": {"id": 666, "type": "private", "first_name": "Eve"},
            "from": {"id": 666, "is_bot": False, "first_name": "Eve"},
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    response = await service.post(forged, secret=secret)
    assert response.status_code == 403
    assert service.harness.api.calls[calls:] == []  # nothing was handled, nothing sent
    assert await service.harness.store.fetchone("SELECT 1 FROM users WHERE user_id = 666") is None


async def test_webhook_answers_only_its_own_path(service: Service) -> None:
    response = await service.client.post(
        f"http://127.0.0.1:{service.running.webhook_port}/other",
        json={},
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )
    assert response.status_code == 404


async def test_drop_pending_updates_is_passed_to_telegram(harness: Harness) -> None:
    harness.api.push_update(
        {
            "message": {
                "message_id": 1,
                "date": 0,
                "text": "old",
                "chat": {"id": 5, "type": "private", "first_name": "A"},
            }
        }
    )
    stop = asyncio.Event()
    ready: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
    dropping = replace(SERVICE, drop_pending_updates=True, http_port=None)
    task = asyncio.create_task(serve(harness.app, harness.store, dropping, stop, ready.set_result))
    running = await asyncio.wait_for(asyncio.shield(ready), 10)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert running.http_port is None
    [set_webhook] = harness.api.calls_to("setWebhook")
    assert set_webhook.params["drop_pending_updates"] is True
    info = await harness.app.bot.get_webhook_info()
    assert info.pending_update_count == 0


async def test_watchdog_reports_telegram_delivery_errors_once_and_restores_a_lost_webhook(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    api = harness.api
    api.webhook_error = (int(harness.clock.now().timestamp()), "Connection refused")
    with caplog.at_level("WARNING", logger="spasmbot.edge.webhook"):
        await check_webhook(harness.app, SERVICE)  # no webhook set yet: it is registered
        await check_webhook(harness.app, SERVICE)  # the same error again: not repeated
    assert api.webhook["url"] == SERVICE.webhook_url and api.webhook["secret_token"] == SECRET
    refused = [r for r in caplog.records if "Connection refused" in r.getMessage()]
    assert len(refused) == 1
    assert api.count("setWebhook") == 1


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SPASMBOT_WEBHOOK_URL": "https://bot.example.org/hook"}, "needs SPASMBOT_WEBHOOK_SECRET"),
        (
            {"SPASMBOT_WEBHOOK_URL": "https://bot.example.org/hook", "SPASMBOT_WEBHOOK_SECRET": "short"},
            "needs SPASMBOT_WEBHOOK_SECRET",
        ),
        ({"SPASMBOT_WEBHOOK_URL": "http://bot.example.org/hook", "SPASMBOT_WEBHOOK_SECRET": SECRET}, "https"),
        ({"SPASMBOT_HTTP_PORT": "health"}, "SPASMBOT_HTTP_PORT"),
        ({"SPASMBOT_LOG_FORMAT": "xml"}, "SPASMBOT_LOG_FORMAT"),
    ],
)
def test_service_settings_are_checked(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_webhook_settings_from_the_environment() -> None:
    settings = load_settings(
        {
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "SPASMBOT_WEBHOOK_URL": "https://bot.example.org/tg",
            "SPASMBOT_WEBHOOK_SECRET": SECRET,
            "SPASMBOT_WEBHOOK_LISTEN": "0.0.0.0",
            "SPASMBOT_WEBHOOK_PORT": "8443",
            "SPASMBOT_HTTP_PORT": "9000",
            "SPASMBOT_DROP_PENDING_UPDATES": "1",
        }
    ).service
    assert (settings.webhook_path, settings.webhook_listen, settings.webhook_port) == ("/tg", "0.0.0.0", 8443)
    assert (settings.http_port, settings.drop_pending_updates) == (9000, True)
    assert SECRET not in repr(settings)
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).service.webhook_url is None  # polling by default


# --- /healthz ----------------------------------------------------------------------------------


async def _health(service: Service) -> tuple[int, dict[str, Any]]:
    response = await service.client.get(service.http + "/healthz")
    return response.status_code, json.loads(response.text)


async def _run_delivery_job(harness: Harness) -> None:
    assert harness.app.job_queue is not None
    [job] = harness.app.job_queue.get_jobs_by_name("deliver_due")
    await job.run(harness.app)  # what the JobQueue does every 30 s


async def test_healthz_is_ok_while_everything_works(service: Service) -> None:
    assert await _health(service) == (200, {"status": "ok", "reasons": []})
    service.harness.clock.advance(minutes=30)
    await _run_delivery_job(service.harness)
    await service.user().send("/start")  # a Bot API call succeeds
    assert await _health(service) == (200, {"status": "ok", "reasons": []})
    row = await service.harness.store.fetchone("SELECT at FROM heartbeat")
    assert row["at"] == int(service.harness.clock.now().timestamp())  # it really wrote


async def test_healthz_fails_with_short_reasons_when_delivery_and_the_bot_api_went_quiet(service: Service) -> None:
    await _run_delivery_job(service.harness)
    await service.user().send("/start")
    service.harness.clock.advance(minutes=10)
    status, body = await _health(service)
    assert status == 503 and body["status"] == "failing"
    assert body["reasons"] == [
        "delivery job last finished a pass 10 min ago",
        "last successful Bot API call was 10 min ago",
    ]
    await _run_delivery_job(service.harness)
    await service.user().send("/help")
    assert (await _health(service))[0] == 200


async def test_healthz_fails_when_nothing_ran_since_start(service: Service) -> None:
    service.harness.clock.advance(minutes=3)
    service.harness.app.bot_data["metrics"].last_api_success_at = None  # start-up calls forgotten
    status, body = await _health(service)
    assert status == 503
    assert body["reasons"] == [
        "delivery job has not finished a pass since start",
        "no successful Bot API call since start",
    ]


async def test_healthz_fails_when_the_database_takes_no_writes(service: Service) -> None:
    await service.harness.store.db.execute("PRAGMA query_only = ON")
    status, body = await _health(service)
    await service.harness.store.db.execute("PRAGMA query_only = OFF")
    assert status == 503
    [reason] = body["reasons"]
    assert reason.startswith("database is not writable")
    assert (await _health(service))[0] == 200


# --- /metrics ----------------------------------------------------------------------------------


async def test_metrics_count_updates_messages_and_subscribers_without_user_ids(service: Service) -> None:
    harness = service.harness
    harness.clock.set(harness.clock.now().replace(hour=9))
    user = service.user(424242)
    await subscribe_to_tips(harness, user)
    found = await service.metrics()
    assert _sample(found, "spasmbot_updates_total", kind="command") == 1  # /tips
    assert _sample(found, "spasmbot_updates_total", kind="callback_query") >= 1
    assert _sample(found, "spasmbot_updates_total", kind="text") == 1  # "8:00"
    assert _sample(found, "spasmbot_update_handling_seconds_count", kind="command") == 1
    assert _sample(found, "spasmbot_messages_total", outcome="sent") >= 2
    assert _sample(found, "spasmbot_messages_total", outcome="blocked") == 0
    assert _sample(found, "spasmbot_subscribers", feature="tips") == 1
    assert _sample(found, "spasmbot_due_backlog") == 0
    # The next morning the tip is due but the job has not run for 20 minutes:
    harness.clock.set(harness.clock.now().replace(hour=7, minute=20) + timedelta(days=1))
    found = await service.metrics()
    assert _sample(found, "spasmbot_due_backlog") == 1
    assert _sample(found, "spasmbot_oldest_due_lateness_seconds") == 20 * 60
    await _run_delivery_job(harness)
    found = await service.metrics()
    assert _sample(found, "spasmbot_due_backlog") == 0
    assert _sample(found, "spasmbot_deliveries_total", outcome="sent") == 1
    body = (await service.client.get(service.http + "/metrics")).text
    assert "424242" not in body and "Ann" not in body


async def test_blocked_and_flood_limited_sends_are_counted_by_outcome(service: Service) -> None:
    user = service.user(raise_errors=False)  # the 403 reaches the error handler, as it should
    service.harness.api.block(user.chat_id)
    await user.send("/start")
    service.harness.api.unblock(user.chat_id)
    service.harness.api.fail_next("sendMessage", "retry_after", chat_id=user.chat_id, retry_after=1)
    await user.send("/start")
    found = await service.metrics()
    assert _sample(found, "spasmbot_messages_total", outcome="blocked") == 1
    assert _sample(found, "spasmbot_messages_total", outcome="retry_after") == 1
    assert _sample(found, "spasmbot_messages_total", outcome="sent") == 1  # the error handler's apology
    assert _sample(found, "spasmbot_errors_total", source="update") == 2


async def test_each_application_has_its_own_registry(harness: Harness) -> None:
    first = harness.app.bot_data["metrics"]
    await harness.user().send("/start")
    await harness.restart()
    second = harness.app.bot_data["metrics"]
    assert first.registry is not second.registry
    assert second.updates.labels("command")._value.get() == 0
    assert first.updates.labels("command")._value.get() == 1


async def test_healthcheck_command_reads_healthz(service: Service) -> None:
    from spasmbot.cli import healthcheck

    env = {"SPASMBOT_HTTP_PORT": str(service.running.http_port)}
    assert await asyncio.to_thread(healthcheck, env) == 0
    service.harness.clock.advance(minutes=10)
    assert await asyncio.to_thread(healthcheck, env) == 1
    assert await asyncio.to_thread(healthcheck, {}) == 1


def test_a_configuration_error_can_wait_for_docker_stop_instead_of_looping(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "spasmbot", "run"],
        cwd=tmp_path,
        text=True,
        env={"PATH": "/usr/bin", "SPASMBOT_ON_CONFIG_ERROR": "wait"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stderr is not None
        assert "TELEGRAM_BOT_TOKEN is not set" in proc.stderr.readline()
        assert "waiting for docker stop" in proc.stderr.readline()  # parked: signals blocked, waiting
        assert proc.poll() is None
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 2
    finally:
        proc.kill()
        proc.wait()
