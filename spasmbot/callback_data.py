"""Callback-data grammars, Telegram-free: what each button's ``callback_data`` may say, built and parsed
in one place (in the spirit of aiogram's ``CallbackData`` factories).

A feature declares its grammar once, in ``spasmbot/features/<feature>/callbacks.py``::

    TIPS = Grammar("t")
    HOME = TIPS.action("home")                         # "t:home"
    SET = TIPS.action("set", Digits("hhmm", 4))        # "t:set:0730"
    TIME_NEW = TIPS.action("time", "n")                # literal words: "t:time:n"

Screens build data with the action (``SET("0730")``), which checks every argument against its type
and the whole string against Telegram's 64 bytes (``CallbackDataError`` otherwise; the content
validator turns that into an error naming the file and field, see ``Action.problem``). The edge's
router (``spasmbot.edge.router``) parses a tap with ``Grammar.parse`` into a ``Tap`` and calls the
handler registered for its action; anything that does not parse is stale or forged, and a handler
that finds the data refers to something gone raises ``StaleTap``: both get the feature's one
"this button has expired" answer.

Typed arguments accept ASCII only: ``Int`` is ``-?[0-9]+`` (so ``²`` or ``٣``, which Python's
``int``/``isdigit`` would take or choke on, are forged data, not a crash).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

MAX_BYTES = 64  # Telegram's limit on callback_data
SEPARATOR = ":"


class CallbackDataError(ValueError):
    """Data that cannot be built: an argument that does not fit its type, or more than 64 bytes."""


class StaleTap(Exception):
    """Raised by a handler when well-formed data refers to something that no longer exists."""


@dataclass(frozen=True, slots=True)
class Arg:
    """One typed argument: its name, the text it must match (ASCII, no separator) and its meaning."""

    name: str
    pattern: str
    kind: type[int] | type[str] = str
    minimum: int | None = None
    maximum: int | None = None
    rest: bool = False  # takes the remainder of the data, separators included (must be last)
    _regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern, re.ASCII))

    def parse(self, text: str) -> int | str | None:
        if self._regex.fullmatch(text) is None:
            return None
        if self.kind is str:
            return text
        value = int(text)
        if self.minimum is not None and value < self.minimum:
            return None
        if self.maximum is not None and value > self.maximum:
            return None
        return value

    def format(self, value: int | str) -> str:
        if isinstance(value, bool) or not isinstance(value, self.kind):
            raise CallbackDataError(f"{self.name}: {value!r} is not {self.kind.__name__}")
        text = str(value)
        if self.parse(text) is None:
            raise CallbackDataError(f"{self.name}: {value!r} does not match {self.pattern}")
        return text


def Int(name: str, minimum: int | None = None, maximum: int | None = None) -> Arg:
    """A whole number in ASCII digits (optionally signed), within ``minimum``..``maximum``."""
    return Arg(name, r"-?[0-9]{1,18}", int, minimum, maximum)


def Digits(name: str, length: int) -> Arg:
    """Exactly ``length`` ASCII digits, kept as text (``"0730"``)."""
    return Arg(name, rf"[0-9]{{{length}}}")


def Word(name: str) -> Arg:
    """An id from content or the code: ASCII letters, digits, ``_ . - /`` (no separator)."""
    return Arg(name, r"[A-Za-z0-9_./+-]+")


def Choice(name: str, *values: str) -> Arg:
    """One of a fixed set of words."""
    return Arg(name, "|".join(re.escape(v) for v in values))


def Rest(name: str) -> Arg:
    """The rest of the data, separators included, possibly empty (e.g. callback data to return to)."""
    return Arg(name, r"[\x21-\x7e]*", rest=True)


@dataclass(frozen=True, slots=True)
class Action:
    """One kind of button of one namespace: literal words, then typed arguments."""

    namespace: str
    words: tuple[str, ...]
    args: tuple[Arg, ...] = ()

    @property
    def name(self) -> str:
        return SEPARATOR.join(self.words)

    def __call__(self, *values: int | str) -> str:
        """The callback data for these argument values; ``CallbackDataError`` if it cannot be sent."""
        data = self.unchecked(*values)
        size = len(data.encode())
        if size > MAX_BYTES:
            raise CallbackDataError(f"callback data {data!r} is {size} bytes (Telegram allows {MAX_BYTES})")
        return data

    def unchecked(self, *values: int | str) -> str:
        """The data with typed arguments but without the 64-byte check, for a validator that
        measures every button itself and reports the file and field (guided checks)."""
        if len(values) != len(self.args):
            raise CallbackDataError(f"{self}: {len(self.args)} arguments expected, got {len(values)}")
        return SEPARATOR.join(
            [self.namespace, *self.words, *(arg.format(v) for arg, v in zip(self.args, values, strict=True))]
        )

    def problem(self, *values: int | str) -> str | None:
        """Why these values cannot make a button (for the content validator), or None."""
        try:
            self(*values)
        except CallbackDataError as exc:
            return str(exc)
        return None

    def match(self, parts: list[str]) -> Tap | None:
        head = len(self.words) + 1
        if parts[1:head] != list(self.words):
            return None
        rest = parts[head:]
        if self.args and self.args[-1].rest:
            fixed = len(self.args) - 1
            if len(rest) < fixed:
                return None
            rest = [*rest[:fixed], SEPARATOR.join(rest[fixed:])]
        if len(rest) != len(self.args):
            return None
        values: list[int | str] = []
        for arg, text in zip(self.args, rest, strict=True):
            value = arg.parse(text)
            if value is None:
                return None
            values.append(value)
        return Tap(self, tuple(values))

    def __str__(self) -> str:
        return SEPARATOR.join([self.namespace, *self.words, *(f"<{a.name}>" for a in self.args)])


@dataclass(frozen=True, slots=True)
class Tap:
    """A parsed button: the action and its typed argument values."""

    action: Action
    values: tuple[int | str, ...]

    def _value(self, name: str) -> int | str:
        for arg, value in zip(self.action.args, self.values, strict=True):
            if arg.name == name:
                return value
        raise KeyError(f"{self.action} has no argument {name!r}")

    def number(self, name: str) -> int:
        value = self._value(name)
        assert isinstance(value, int)
        return value

    def text(self, name: str) -> str:
        value = self._value(name)
        assert isinstance(value, str)
        return value


class Grammar:
    """All actions of one callback-data namespace (``t`` tips, ``w`` water, ...)."""

    def __init__(self, namespace: str) -> None:
        if not re.fullmatch(r"[a-z]", namespace):
            raise ValueError(f"namespace {namespace!r}: one lower-case letter")
        self.namespace = namespace
        self._actions: list[Action] = []

    def action(self, *parts: str | Arg) -> Action:
        """Declare ``namespace:word:...:<arg>...``: literal words first, then typed arguments."""
        words = tuple(p for p in parts if isinstance(p, str))
        args = tuple(p for p in parts if isinstance(p, Arg))
        if parts[: len(words)] != words:
            raise ValueError("literal words come before arguments")
        if any(a.rest for a in args[:-1]):
            raise ValueError("a Rest argument must be the last")
        if any(not re.fullmatch(r"[A-Za-z0-9_]+", w) for w in words):
            raise ValueError(f"words {words!r}: ASCII letters, digits and _ only")
        action = Action(self.namespace, words, args)
        if any(a.words == words and len(a.args) == len(args) for a in self._actions):
            raise ValueError(f"{action} is declared twice")
        self._actions.append(action)
        return action

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions)

    def parse(self, data: str) -> Tap | None:
        """The tap this data stands for; None when no declared action matches (stale or forged)."""
        if len(data.encode()) > MAX_BYTES:
            return None
        parts = data.split(SEPARATOR)
        if parts[0] != self.namespace:
            return None
        # The most specific declaration wins: more literal words first ("w:iv:type" before "w:iv:<min>").
        for action in sorted(self._actions, key=lambda a: -len(a.words)):
            tap = action.match(parts)
            if tap is not None:
                return tap
        return None


def namespace_of(data: str) -> str:
    """``"t"`` for ``"t:home"``; empty for data without a separator (no namespace at all)."""
    namespace, separator, _ = data.partition(SEPARATOR)
    return namespace if separator else ""
