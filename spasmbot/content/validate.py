"""Cross-checks on loaded content: references resolve, and every screen fits Telegram's limits.

Screens are validated as rendered (not as raw YAML), so what passes here is exactly what is sent.
"""

from __future__ import annotations

from spasmbot.content.html import html_errors, visible_length
from spasmbot.content.model import Condition, Content, ContentError, UiText
from spasmbot.content.screen_limits import check_screen
from spasmbot.screen import Screen

MAX_PAGE = 1000
"""A hard limit on one card page's own text (Telegram's 4096 is far too long to read in a chat);
cards aim at about 700 characters a page. A longer page is one error: split it into pages."""


PLAIN_TEXT_GROUPS = frozenset({"button", "buttons", "feature", "command", "label", "labels", "alert"})
MAX_ALERT = 200  # Telegram's limit on a callback answer's text


def is_plain_text_key(key: str) -> bool:
    """Button labels and command descriptions are plain text, not HTML (``core.button.menu``)."""
    return bool(PLAIN_TEXT_GROUPS.intersection(key.split(".")[1:-1]))


class _ValidationUi(UiText):
    """The UI texts, with a stand-in for a missing key (already reported) so that every screen
    is still rendered and checked in the same run."""

    def __call__(self, key: str, /, **values: object) -> str:
        if key in self:
            return super().__call__(key, **values)
        return key


def validate_content(content: Content) -> list[ContentError]:
    """Every cross-reference and rendered-screen problem, all in one list."""
    from spasmbot.features.browse import screens as render
    from spasmbot.features.search.screens import UI_KEYS as SEARCH_UI_KEYS

    errors: list[ContentError] = []
    ui_file = f"{content.language}/ui"
    required_ui = [
        "core.menu",
        "core.welcome",
        "core.about",
        "core.help",
        "core.expired",
        "core.unknown_command",
        "core.free_text",
        "core.error",
        "core.page",
        "core.start_check",
        "core.button.menu",
        "core.button.back",
        "core.button.prev",
        "core.button.next",
        "core.button.sources",
        "core.button.disclaimer",
        "core.sources",
        "core.footer",
        "core.treatment",
        "core.months",
        "core.alert.disclaimer",
    ]
    required_ui += [f"core.feature.{name}" for name in render.FEATURE_DATA]
    required_ui += [f"core.command.{name}" for name in render._LEADING_COMMANDS + render._TRAILING_COMMANDS]
    required_ui += [f"search.{key}" for key in SEARCH_UI_KEYS]
    for key in required_ui:
        if key not in content.ui:
            errors.append(ContentError(ui_file, key, "missing UI text"))
    if "core.months" in content.ui and len(content.ui("core.months").split()) != 12:
        errors.append(ContentError(ui_file, "core.months", "must list the 12 month names, separated by spaces"))
    for key in content.ui.keys():  # noqa: SIM118 - UiText is not a dict
        if ".alert." in key and len(content.ui(key)) > MAX_ALERT:
            errors.append(
                ContentError(ui_file, key, f"{len(content.ui(key))} characters: a pop-up holds at most {MAX_ALERT}")
            )
        if is_plain_text_key(key):
            continue
        template = content.ui(key)
        sample = template.format(**dict.fromkeys(UiText.fields(template), "0")) if "{" in template else template
        for problem in html_errors(sample):
            errors.append(ContentError(ui_file, key, f"HTML Telegram would reject: {problem}"))
    real_ui = content.ui
    content.ui = _ValidationUi({key: real_ui(key) for key in real_ui.keys()})  # noqa: SIM118
    try:
        errors += _validate_screens(content)
    finally:
        content.ui = real_ui
    return errors


def _validate_screens(content: Content) -> list[ContentError]:
    from spasmbot.features.browse import screens as render

    errors: list[ContentError] = []
    ui_file = f"{content.language}/ui"
    commands: dict[str, str] = {}
    for section in content.sections.values():
        if section.command:
            if section.command in commands:
                errors.append(
                    ContentError(
                        section.source, "command", f"/{section.command} is also used by {commands[section.command]}"
                    )
                )
            commands[section.command] = section.source
        errors += _check_actions(content, section.actions, section.source, "actions")
        for page in range(render.section_pages(section)):
            screen = render.section_screen(content, section, page)
            errors += check_screen(screen, section.source, "intro" if page == 0 else f"intro (page {page + 1})")
    for card in content.cards.values():
        file, _, field = card.source.partition(": ")
        for target in card.see_also:
            if target not in content.cards and target not in content.sections:
                errors.append(
                    ContentError(file, f"{field}.see_also", f"links to {target!r}, which is no card or section")
                )
        errors += _check_actions(content, card.actions, file, f"{field}.actions")
        if card.section not in content.sections:
            continue  # its section's own error is reported; it has no screen to check
        for page, text in enumerate(card.pages):
            where = f"{field}.pages[{page}]"
            too_long = visible_length(text) > MAX_PAGE
            if too_long:
                errors.append(
                    ContentError(
                        file,
                        where,
                        f"{visible_length(text)} characters: a card page may "
                        f"have at most {MAX_PAGE}, split it into more pages",
                    )
                )
            errors += check_screen(render.card_screen(content, card, page), file, where, check_length=not too_long)
        if card.review is not None:
            errors += check_screen(render.sources_screen(content, card), file, f"{field}.sources")
    for index, item in enumerate(content.menu):
        target = item.removeprefix("section:")
        ok = target in content.sections if item.startswith("section:") else render.action_button(content, item)
        if not ok:
            errors.append(
                ContentError(f"{content.language}/menu.yaml", f"items[{index}]", f"{item!r} is no section or feature")
            )
    errors += check_screen(
        render.main_menu(content, content.ui("core.welcome")), f"{content.language}/menu.yaml", "items"
    )
    errors += check_screen(render.about_screen(content), ui_file, "core.about")
    errors += check_screen(render.help_screen(content, render.command_list(content)), ui_file, "core.help")
    tips_file = f"{content.language}/tips.yaml"
    for name, condition in content.conditions.items():
        errors += _check_condition(content, condition, tips_file, f"conditions.{name}")
    for tip in content.tips.values():
        where = tip.source.partition(": ")[2] or f"tips[{tip.id}]"
        if tip.card not in content.cards:
            errors.append(ContentError(tips_file, f"{where}.card", f"links to {tip.card!r}, which is no card"))
        errors += check_screen(Screen(tip.text), tips_file, f"{where}.text")
    for index, nudge in enumerate(content.nudges):
        errors += check_screen(Screen(nudge), f"{content.language}/nudges.yaml", f"nudges[{index}]")
    if content.checks:
        from spasmbot.features.checks.validate import validate_checks

        errors += validate_checks(content)
    from spasmbot.features.diary.rules import validate as validate_diary

    errors += validate_diary(content)
    return errors


def _check_condition(content: Content, condition: Condition, file: str, field: str) -> list[ContentError]:
    check = content.checks.get(condition.check)
    if check is None:
        return [ContentError(file, f"{field}.check", f"{condition.check!r} is no guided check")]
    step = check.steps.get(condition.step)
    if step is None:
        return [ContentError(file, f"{field}.step", f"{condition.step!r} is no step of check {check.id!r}")]
    if condition.answer not in [answer.text for answer in step.answers]:
        return [
            ContentError(
                file,
                f"{field}.answer",
                f"{condition.answer!r} is no answer of "
                f"{check.id}.{step.id}: it names the answer that tells the condition",
            )
        ]
    return []


def _check_actions(content: Content, actions: tuple[str, ...], file: str, field: str) -> list[ContentError]:
    from spasmbot.features.browse import screens as render

    return [
        ContentError(
            file, f"{field}[{i}]", f"unknown action {action!r} (use tips, water, checks, about, privacy or check:<id>)"
        )
        for i, action in enumerate(actions)
        if render.action_button(content, action) is None
    ]
