"""Logging for the running bot: one line per event, plain text or JSON lines, the token never shown.

* ``SPASMBOT_LOG_FORMAT=json`` writes one JSON object per line (``time``, ``level``, ``logger``,
  ``message``, and ``error`` with the traceback when there is one); the default text format also
  keeps every event on one line (a traceback's line breaks become ``\\n``), so a log shipper
  never splits an event.
* :class:`RedactToken` replaces the bot token in every record, whatever logger wrote it (httpx
  logs request URLs, which contain the token).
* ``SPASMBOT_LOG_LEVEL`` sets spasmbot's own loggers. python-telegram-bot and httpx stay at
  INFO/WARNING whatever it says: at DEBUG they log whole updates and requests, i.e. users' names
  and the texts they type, which have no place in a log (README, "Logs").
* :class:`FailureTally` turns a failure that repeats every 30-second tick into one line per
  failure kind with a count, instead of a traceback per tick.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TextIO

# Loggers that print users' data at DEBUG; never lower than these levels.
QUIET_LOGGERS = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "telegram": logging.INFO,
    "apscheduler": logging.WARNING,
    "tornado.access": logging.WARNING,
}


class RedactToken(logging.Filter):
    """Belt and braces: no log line may carry the bot token (httpx logs request URLs)."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        if self.token:
            message = record.getMessage()
            if self.token in message:
                record.msg = message.replace(self.token, "<token>")
                record.args = ()
            if record.exc_info and record.exc_info[1] is not None and self.token in str(record.exc_info[1]):
                record.exc_text = self._traceback(record).replace(self.token, "<token>")
        return True

    @staticmethod
    def _traceback(record: logging.LogRecord) -> str:
        assert record.exc_info is not None
        return "".join(traceback.format_exception(*record.exc_info)).rstrip()


class OneLineFormatter(logging.Formatter):
    """The classic text format, with any traceback folded onto the same line."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace("\r", "").replace("\n", "\\n")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; times in UTC, ISO 8601."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[1] is not None:
            entry["error"] = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(token: str = "", fmt: str = "text", level: str = "INFO", stream: TextIO | None = None) -> None:
    """Configure the root logger once for the process (replacing earlier handlers)."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else OneLineFormatter())
    handler.addFilter(RedactToken(token))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("spasmbot").setLevel(getattr(logging, level, logging.INFO))
    for name, floor in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(floor)


@dataclass(slots=True)
class FailureTally:
    """Counts repeats of the same failure and logs one line per kind at most every ``every`` seconds.

    The first occurrence of a kind is logged at once (with its traceback at DEBUG only); repeats
    within the window are counted and summarised in the next line for that kind:
    ``delivery job failed: OperationalError: database is locked (x12 since 10:31:05)``.
    """

    logger: logging.Logger
    what: str
    every: float = 600.0
    _seen: dict[str, tuple[float, int, float]] = field(default_factory=dict)  # kind -> (logged, repeats, first)

    def failed(self, error: BaseException) -> None:
        kind = f"{type(error).__name__}: {str(error)[:200]}"
        now = time.monotonic()
        logged, repeats, first = self._seen.get(kind, (float("-inf"), 0, time.time()))
        if now - logged < self.every:
            self._seen[kind] = (logged, repeats + 1, first)
            return
        since = datetime.fromtimestamp(first, UTC).strftime("%H:%M:%S")
        suffix = f" (x{repeats + 1} since {since} UTC)" if repeats else ""
        self.logger.error("%s failed: %s%s", self.what, kind, suffix)
        self.logger.debug("%s failure traceback", self.what, exc_info=error)
        self._seen[kind] = (now, 0, time.time())
