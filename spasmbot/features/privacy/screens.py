"""Screens of the user's control over their data, Telegram-free: privacy home, forget, stop."""

from __future__ import annotations

from spasmbot.content.model import Content
from spasmbot.features.browse import screens as render
from spasmbot.features.privacy import callbacks
from spasmbot.screen import Button, Screen, rows_of


def welcome_back_blocked(content: Content) -> tuple[str, list[tuple[Button, ...]]]:
    """Extra /start text and buttons when reminders were paused while the bot was blocked."""
    ui = content.ui
    return ui("privacy.welcome_back_blocked"), [
        (Button(ui("privacy.button.resume"), callbacks.RESUME()), Button(ui("privacy.button.stop"), callbacks.STOP()))
    ]


def home_screen(content: Content) -> Screen:
    ui = content.ui
    return Screen(
        ui("privacy.home"),
        (
            (Button(ui("privacy.button.mydata"), callbacks.MYDATA()),),
            (Button(ui("privacy.button.forget"), callbacks.FORGET()),),
            (Button(ui("privacy.button.stop"), callbacks.STOP()),),
            (render.menu_button(content),),
        ),
    )


def note_screen(content: Content, key: str) -> Screen:
    """One line (``privacy.resumed``, ``privacy.forgotten``...) and the way back to the menu."""
    return Screen(content.ui(key), ((render.menu_button(content),),))


def forget_screen(content: Content) -> Screen:
    ui = content.ui
    return Screen(
        ui("privacy.forget_confirm"),
        (
            (
                Button(ui("privacy.button.forget_yes"), callbacks.FORGET_YES()),
                Button(ui("privacy.button.forget_no"), callbacks.FORGET_NO()),
            ),
        ),
    )


def _forget_offer(content: Content) -> tuple[Button, ...]:
    return (Button(content.ui("privacy.button.forget_offer"), callbacks.FORGET()),)


def nothing_to_stop_screen(content: Content) -> Screen:
    return Screen(content.ui("privacy.nothing_to_stop"), (_forget_offer(content), (render.menu_button(content),)))


def stopped_screen(content: Content) -> Screen:
    """Everything is off: confirm, ask why (optional), offer deletion."""
    ui = content.ui
    reasons = [Button(ui(f"privacy.reasons.labels.{r}"), callbacks.WHY(r)) for r in callbacks.STOP_REASONS]
    return Screen(
        ui("privacy.stopped"),
        (*rows_of(reasons, 2), _forget_offer(content), (render.menu_button(content),)),
    )


def thanks_screen(content: Content, reason: str = "") -> Screen:
    """Thanks for the reason given; a reason with its own words ("My cramps are better") gets them."""
    specific = f"privacy.thanks_{reason}"
    text = content.ui(specific) if specific in content.ui else content.ui("privacy.thanks")
    return Screen(text, (_forget_offer(content), (render.menu_button(content),)))
