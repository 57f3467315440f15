"""The one callback-query router: every button tap is parsed, dispatched and, when stale, answered here.

Each feature's ``register(app)`` routes its grammar (``spasmbot.callback_data.Grammar``, declared in
its ``callbacks.py``) to one handler per action::

    route(app, callbacks.TIPS, {callbacks.HOME: home, callbacks.SET: set_time, ...}, stale=stale)

A handler is ``async def set_time(update, context, tap)``; it reads its typed arguments from
``tap`` (``tap.text("hhmm")``, ``tap.number("page")``). The router, registered once after every
feature (``spasmbot.edge.app``):

- answers data of no known namespace, and taps without data, with ``fallback`` (the main menu);
- answers data its grammar does not parse, and a ``StaleTap`` raised by the handler, with the
  feature's ``stale`` handler (or ``fallback``);
- can run the handler of any callback data as if it had been tapped (``dispatch_as``), which the
  time-zone picker uses to return to the screen that asked for it.

The routes live in ``application.bot_data`` (one Router per Application, nothing process-global).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from telegram import Update
from telegram.ext import Application, BaseHandler

from spasmbot.callback_data import Action, Grammar, StaleTap, Tap, namespace_of
from spasmbot.edge.common import Context

log = logging.getLogger(__name__)

TapHandler = Callable[[Update, Context, Tap], Awaitable[None]]
StaleHandler = Callable[[Update, Context], Awaitable[None]]

_KEY = "callback_router"


@dataclass(frozen=True, slots=True)
class Route:
    grammar: Grammar
    handlers: Mapping[Action, TapHandler]
    stale: StaleHandler | None


class Router:
    """The routes of one Application, by namespace."""

    def __init__(self, fallback: StaleHandler) -> None:
        self.fallback = fallback
        self.routes: dict[str, Route] = {}

    def add(self, grammar: Grammar, handlers: Mapping[Action, TapHandler], stale: StaleHandler | None) -> None:
        if grammar.namespace in self.routes:
            raise ValueError(f"callback namespace {grammar.namespace!r} is routed twice")
        missing = [str(a) for a in grammar if a not in handlers]
        foreign = [str(a) for a in handlers if a.namespace != grammar.namespace or a not in list(grammar)]
        if missing or foreign:
            raise ValueError(f"namespace {grammar.namespace!r}: no handler for {missing}, not declared: {foreign}")
        self.routes[grammar.namespace] = Route(grammar, dict(handlers), stale)

    def handles(self, data: str) -> bool:
        return namespace_of(data) in self.routes

    async def dispatch(self, update: Update, context: Context, data: str) -> None:
        route = self.routes.get(namespace_of(data)) if data else None
        if route is None:
            await self.fallback(update, context)
            return
        stale = route.stale or self.fallback
        tap = route.grammar.parse(data)
        if tap is None:
            log.info("stale or forged callback data %r", data)
            await stale(update, context)
            return
        try:
            await route.handlers[tap.action](update, context, tap)
        except StaleTap:
            await stale(update, context)


def router(app: Application) -> Router:
    """This Application's router (created by ``install``)."""
    found: Router = app.bot_data[_KEY]
    return found


def install(app: Application, fallback: StaleHandler) -> Router:
    """Create the Application's router; features then ``route`` into it; ``register`` adds the handler."""
    created = Router(fallback)
    app.bot_data[_KEY] = created
    return created


def route(
    app: Application,
    grammar: Grammar,
    handlers: Mapping[Action, TapHandler],
    stale: StaleHandler | None = None,
) -> None:
    """Send every tap of ``grammar``'s namespace to its action's handler (called from ``register(app)``)."""
    router(app).add(grammar, handlers, stale)


def without_tap(handler: StaleHandler) -> TapHandler:
    """A handler that needs no arguments (it also serves a command) as a tap handler."""

    async def on_tap(update: Update, context: Context, tap: Tap) -> None:
        await handler(update, context)

    return on_tap


async def dispatch_as(update: Update, context: Context, data: str) -> bool:
    """Run the routed handler for ``data`` as if it had been tapped; False when no route has it."""
    found = router(context.application)
    if not found.handles(data):
        return False
    await found.dispatch(update, context, data)
    return True


class _CallbackQueries(BaseHandler[Update, Context, None]):
    """Every callback query that reaches it (after the handlers of features not yet on the router)."""

    def check_update(self, update: object) -> bool:
        return isinstance(update, Update) and update.callback_query is not None


def register(app: Application) -> None:
    """Added after all features, so a feature still registering its own pattern handler keeps working."""
    found = router(app)

    async def on_tap(update: Update, context: Context) -> None:
        query = update.callback_query
        assert query is not None
        await found.dispatch(update, context, query.data or "")

    app.add_handler(_CallbackQueries(on_tap))
