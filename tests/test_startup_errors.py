"""Start-up against a wrong TELEGRAM_API_URL: one line that names the URL, and no database created."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from spasmbot.edge.preflight import judge

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"

ANSWERS = {
    "404-html": (404, b"<html><body><h1>404 Not Found</h1></body></html>"),
    "404-json": (404, b'{"ok":false,"error_code":404,"description":"Not Found"}'),
    "200-html": (200, b"<!doctype html><html><title>My blog</title></html>"),
    "401-json": (401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'),
    "200-ok": (200, b'{"ok":true,"result":{"id":123456789,"is_bot":true,"first_name":"S","username":"s_bot"}}'),
}


@pytest.fixture
def server() -> Iterator[dict[str, object]]:
    """A local HTTP server answering every request as ``state["answer"]`` says."""
    state: dict[str, object] = {"answer": "404-html", "paths": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            status, body = ANSWERS[str(state["answer"])]
            state["paths"].append(self.path)  # type: ignore[attr-defined]
            self.send_response(status)
            self.send_header("Content-Type", "text/html" if body.startswith(b"<") else "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state["url"] = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_bot(api_url: str, cwd: Path, db: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_URL": api_url}
    if db is not None:
        env["SPASMBOT_DB"] = str(db)
    return subprocess.run(
        [sys.executable, "-m", "spasmbot"], env=env, capture_output=True, text=True, cwd=cwd, timeout=60
    )


@pytest.mark.parametrize(
    ("answer", "says", "code"),
    [
        ("404-html", "TELEGRAM_API_URL", 1),
        ("404-json", "TELEGRAM_API_URL looks wrong", 1),
        ("200-html", "is not a Telegram Bot API server", 1),
        ("401-json", "Telegram rejected TELEGRAM_BOT_TOKEN", 2),
    ],
)
def test_a_wrong_server_is_one_line_naming_the_setting_and_no_database_is_made(
    server: dict[str, object], tmp_path: Path, answer: str, says: str, code: int
) -> None:
    server["answer"] = answer
    proc = run_bot(str(server["url"]), tmp_path)
    assert proc.returncode == code, proc.stderr
    assert says in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and TOKEN not in proc.stderr + proc.stdout
    if answer != "401-json":
        assert "token" not in proc.stderr.lower().replace("telegram_bot_token", "")
    assert list(tmp_path.iterdir()) == []  # no spasmbot.sqlite3 (nor -wal/-shm) in the working directory
    assert server["paths"] == [f"/bot{TOKEN}/getMe"]


def test_an_unreachable_server_creates_no_database(tmp_path: Path) -> None:
    proc = run_bot("http://127.0.0.1:9", tmp_path)
    assert proc.returncode == 1
    assert "cannot reach the Bot API at http://127.0.0.1:9" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_judge_reads_a_good_answer() -> None:
    verdict = judge("https://api.telegram.org", 200, b'{"ok":true,"result":{"id":1,"is_bot":true,"username":"x_bot"}}')
    assert verdict.problem is None and verdict.username == "x_bot"
    assert judge("u", 502, b'{"ok":false,"error_code":502,"description":"Bad Gateway"}').problem == (
        "the Bot API at u refused getMe: Bad Gateway (HTTP 502)"
    )


def test_help_is_plain_text() -> None:
    proc = subprocess.run([sys.executable, "-m", "spasmbot", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert "``" not in proc.stdout and "spasmbot run" in proc.stdout


@pytest.mark.parametrize("problem", ["corrupt", "no directory"])
def test_console_and_run_give_the_same_one_line_error_for_a_bad_database(
    server: dict[str, object], tmp_path: Path, problem: str
) -> None:
    path = tmp_path / "db.sqlite3"
    if problem == "corrupt":
        path.write_bytes(b"this is not a database" * 100)
    else:
        path = tmp_path / "missing" / "db.sqlite3"
    console = subprocess.run(
        [sys.executable, "-m", "spasmbot", "console", "--db", str(path)],
        input="/start\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    server["answer"] = "200-ok"  # a server that works, so `run` gets as far as the database
    run = run_bot(str(server["url"]), tmp_path, db=path)
    assert console.returncode == run.returncode == 1
    assert console.stderr == run.stderr, (console.stderr, run.stderr)
    assert console.stderr.startswith(f"error: {path.resolve()}: ") and len(console.stderr.splitlines()) == 1
    assert "Traceback" not in console.stderr
    assert ("does not exist" if problem == "no directory" else "not a SQLite database") in console.stderr
    assert console.stdout == ""
