"""Read ``content/<lang>/`` into a Content model, collecting every schema error with its file and field.

Layout of one language folder (a second language is a sibling folder, no code changes):
``menu.yaml``, ``sections/*.yaml``, ``tips.yaml``, ``nudges.yaml``, ``ui/*.yaml``, ``checks/*.yaml``,
``search.yaml`` (optional: the language's lay words and synonyms for search).
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from spasmbot.content.model import (
    Card,
    Condition,
    Content,
    ContentError,
    ContentInvalid,
    Section,
    Tip,
    UiText,
    Vocabulary,
)
from spasmbot.content.review import REVIEW_KEYS, parse_fields, parse_review

try:  # the C loader is several times faster; start-up time matters
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

ID_RE = re.compile(r"^[a-z0-9_]{1,24}$")
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
DEFAULT_LANGUAGE = "en"


def default_content_dir() -> Path:
    """``SPASMBOT_CONTENT``, else the content baked into the installed package, else the repo's."""
    configured = os.environ.get("SPASMBOT_CONTENT")
    if configured:
        return Path(configured)
    packaged = Path(__file__).resolve().parent.parent / "_content"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent.parent / "content"


class _Reader:
    """Typed field access that records an error (file + field path) instead of raising."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[ContentError] = []
        self.digest = hashlib.sha256()

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def load(self, path: Path) -> Any:
        raw = path.read_bytes()
        self.digest.update(path.name.encode() + b"\0" + raw)
        try:
            return yaml.load(raw, Loader=_Loader)
        except yaml.YAMLError as exc:
            self.error(path, "", f"not valid YAML: {exc}".replace("\n", " "))
            return None

    def error(self, path: Path, field: str, message: str) -> None:
        self.errors.append(ContentError(self.rel(path), field, message))

    def mapping(self, path: Path, data: Any, field: str) -> dict[str, Any] | None:
        if not isinstance(data, dict):
            self.error(path, field, f"expected a mapping, got {type(data).__name__}")
            return None
        return data

    def text(
        self, path: Path, data: dict[str, Any], key: str, field: str, required: bool = True, default: str = ""
    ) -> str:
        value = data.get(key)
        if value is None:
            if required:
                self.error(path, _join(field, key), "is required")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.error(path, _join(field, key), "must be a non-empty string")
            return default
        return value.strip()

    def ident(self, path: Path, data: dict[str, Any], key: str, field: str) -> str:
        value = self.text(path, data, key, field)
        if value and not ID_RE.match(value):
            self.error(path, _join(field, key), f"{value!r} must match {ID_RE.pattern}")
        return value

    def strings(self, path: Path, data: dict[str, Any], key: str, field: str) -> tuple[str, ...]:
        value = data.get(key, [])
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(path, _join(field, key), "must be a list of strings")
            return ()
        return tuple(v.strip() for v in value)

    def flag(self, path: Path, data: dict[str, Any], key: str, field: str, default: bool = False) -> bool:
        value = data.get(key, default)
        if not isinstance(value, bool):
            self.error(path, _join(field, key), "must be true or false")
            return default
        return value

    def unknown_keys(self, path: Path, data: dict[str, Any], field: str, known: set[str]) -> None:
        for key in data:
            if key not in known:
                self.error(path, _join(field, str(key)), f"unknown field (known: {', '.join(sorted(known))})")


def _join(field: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{field}[{key}]"
    return f"{field}.{key}" if field else key


def _item(kind: str, index: int, raw: Any) -> str:
    """``cards[cramps]`` when the entry has a usable id (errors name what an editor searches
    for), ``cards[3]`` when it has none."""
    ident = raw.get("id") if isinstance(raw, dict) else None
    if isinstance(ident, str) and ID_RE.match(ident.strip()):
        return f"{kind}[{ident.strip()}]"
    return f"{kind}[{index}]"


def _yaml_files(folder: Path) -> Iterator[Path]:
    if folder.is_dir():
        yield from sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"})


def load_content(root: Path | str | None = None, language: str = DEFAULT_LANGUAGE, validate: bool = True) -> Content:
    """Load one language's content; raise ContentInvalid listing every problem found."""
    base = Path(root) if root is not None else default_content_dir()
    folder = base / language
    if not folder.is_dir():
        raise ContentInvalid([ContentError(str(folder), "", "content folder not found")])
    reader = _Reader(base)
    sections, cards = _load_sections(reader, folder)
    tips, conditions = _load_tips(reader, folder / "tips.yaml", cards)
    content = Content(
        language=language,
        sections=sections,
        cards=cards,
        menu=_load_menu(reader, folder / "menu.yaml"),
        tips=tips,
        nudges=_load_nudges(reader, folder / "nudges.yaml"),
        ui=UiText(_load_ui(reader, folder / "ui")),
        conditions=conditions,
    )
    _load_checks(reader, folder / "checks", content)
    content.vocabulary = _load_vocabulary(reader, folder / "search.yaml", content)
    content.version = reader.digest.hexdigest()[:12]
    errors = reader.errors
    if validate:  # every problem in one run, not one stage at a time
        from spasmbot.content.validate import validate_content

        errors = errors + validate_content(content)
    if errors:
        raise ContentInvalid(errors)
    return content


def _load_sections(reader: _Reader, folder: Path) -> tuple[dict[str, Section], dict[str, Card]]:
    sections: dict[str, Section] = {}
    cards: dict[str, Card] = {}
    seen: dict[str, str] = {}  # id -> where first defined, for duplicate reports

    def claim(path: Path, field: str, ident: str) -> bool:
        if not ident:
            return False
        if ident in seen:
            reader.error(path, field, f"duplicate id {ident!r} (first defined in {seen[ident]})")
            return False
        seen[ident] = f"{reader.rel(path)}: {field}"
        return True

    files = list(_yaml_files(folder / "sections"))
    if not files:
        reader.error(folder / "sections", "", "no section files found")
    for path in files:
        data = reader.mapping(path, reader.load(path), "")
        if data is None:
            continue
        reader.unknown_keys(
            path,
            data,
            "",
            {"id", "title", "command", "description", "order", "intro", "actions", "cards", "treatment", *REVIEW_KEYS},
        )
        section_id = reader.ident(path, data, "id", "")
        defaults = parse_fields(data, reader.rel(path), "", reader.errors)
        treatment = reader.flag(path, data, "treatment", "")
        raw_cards = data.get("cards")
        if not isinstance(raw_cards, list) or not raw_cards:
            reader.error(path, "cards", "must be a non-empty list of cards")
            raw_cards = []
        card_ids: list[str] = []
        for index, raw in enumerate(raw_cards):
            field = _item("cards", index, raw)
            card_data = reader.mapping(path, raw, field)
            if card_data is None:
                continue
            reader.unknown_keys(
                path, card_data, field, {"id", "title", "pages", "see_also", "actions", "treatment", *REVIEW_KEYS}
            )
            card_id = reader.ident(path, card_data, "id", field)
            pages = card_data.get("pages")
            if not isinstance(pages, list) or not pages or not all(isinstance(p, str) and p.strip() for p in pages):
                reader.error(path, _join(field, "pages"), "must be a non-empty list of texts")
                pages = []
            card = Card(
                id=card_id,
                title=reader.text(path, card_data, "title", field),
                pages=tuple(p.strip() for p in pages),
                section=section_id,
                see_also=reader.strings(path, card_data, "see_also", field),
                actions=reader.strings(path, card_data, "actions", field),
                source=f"{reader.rel(path)}: {field}",
                review=parse_review(card_data, reader.rel(path), field, reader.errors, defaults, "on the section"),
                treatment=reader.flag(path, card_data, "treatment", field, treatment),
            )
            if claim(path, _join(field, "id"), card_id):
                cards[card_id] = card
                card_ids.append(card_id)
        order = data.get("order", 100)
        if not isinstance(order, int):
            reader.error(path, "order", "must be an integer")
            order = 100
        command = data.get("command")
        if command is not None and (not isinstance(command, str) or not COMMAND_RE.match(command)):
            reader.error(path, "command", f"must match {COMMAND_RE.pattern}")
            command = None
        section = Section(
            id=section_id,
            title=reader.text(path, data, "title", ""),
            intro=reader.text(path, data, "intro", ""),
            cards=tuple(card_ids),
            command=command,
            description=reader.text(path, data, "description", "", required=command is not None),
            order=order,
            actions=reader.strings(path, data, "actions", ""),
            source=reader.rel(path),
            review=defaults,
        )
        if claim(path, "id", section_id):
            sections[section_id] = section
    ordered = dict(sorted(sections.items(), key=lambda item: (item[1].order, item[0])))
    return ordered, cards


def _load_menu(reader: _Reader, path: Path) -> tuple[str, ...]:
    if not path.is_file():
        reader.error(path, "", "missing")
        return ()
    data = reader.mapping(path, reader.load(path), "")
    if data is None:
        return ()
    items = reader.strings(path, data, "items", "")
    if not items:
        reader.error(path, "items", "must list at least one entry")
    return items


def _load_tips(reader: _Reader, path: Path, cards: dict[str, Card]) -> tuple[dict[str, Tip], dict[str, Condition]]:
    tips: dict[str, Tip] = {}
    if not path.is_file():
        return tips, {}
    data = reader.mapping(path, reader.load(path), "")
    if data is None:
        return tips, {}
    reader.unknown_keys(path, data, "", {"tips", "conditions"})
    conditions = _load_conditions(reader, path, data.get("conditions"))
    raw = data.get("tips")
    if not isinstance(raw, list):
        reader.error(path, "tips", "must be a list")
        return tips, conditions
    for index, item in enumerate(raw):
        field = _item("tips", index, item)
        entry = reader.mapping(path, item, field)
        if entry is None:
            continue
        reader.unknown_keys(path, entry, field, {"id", "text", "card", "avoid_if", *REVIEW_KEYS})
        card_id = reader.text(path, entry, "card", field)
        card = cards.get(card_id)
        avoid_if = reader.strings(path, entry, "avoid_if", field)
        for position, condition in enumerate(avoid_if):
            if condition not in conditions:
                reader.error(
                    path,
                    f"{field}.avoid_if[{position}]",
                    f"{condition!r} is no condition declared under conditions: "
                    f"({', '.join(sorted(conditions)) or 'none'})",
                )
        tip = Tip(
            id=reader.ident(path, entry, "id", field),
            text=reader.text(path, entry, "text", field),
            card=card_id,
            review=parse_review(
                entry, reader.rel(path), field, reader.errors, card.review if card is not None else None, "on its card"
            ),
            avoid_if=avoid_if,
            source=f"{reader.rel(path)}: {field}",
        )
        if tip.id in tips:
            reader.error(path, _join(field, "id"), f"duplicate tip id {tip.id!r}")
        elif tip.id:
            tips[tip.id] = tip
    return tips, conditions


def _load_conditions(reader: _Reader, path: Path, raw: Any) -> dict[str, Condition]:
    """``conditions:`` in tips.yaml: which check answer tells that a person has a condition."""
    conditions: dict[str, Condition] = {}
    if raw is None:
        return conditions
    data = reader.mapping(path, raw, "conditions")
    for name, entry in (data or {}).items():
        field = f"conditions.{name}"
        if not isinstance(name, str) or not ID_RE.match(name):
            reader.error(path, field, f"must match {ID_RE.pattern}")
            continue
        mapping = reader.mapping(path, entry, field)
        if mapping is None:
            continue
        reader.unknown_keys(path, mapping, field, {"check", "step", "answer"})
        condition = Condition(
            id=name,
            check=reader.text(path, mapping, "check", field),
            step=reader.text(path, mapping, "step", field),
            answer=reader.text(path, mapping, "answer", field),
        )
        if condition.check and condition.step and condition.answer:
            conditions[name] = condition
    return conditions


def _load_nudges(reader: _Reader, path: Path) -> tuple[str, ...]:
    if not path.is_file():
        return ()
    data = reader.mapping(path, reader.load(path), "")
    if data is None:
        return ()
    nudges = reader.strings(path, data, "nudges", "")
    for index, text in enumerate(nudges):
        if not text:
            reader.error(path, _join("nudges", index), "must not be empty")
    return nudges


def _load_ui(reader: _Reader, folder: Path) -> dict[str, str]:
    strings: dict[str, str] = {}

    def flatten(path: Path, prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if not isinstance(key, str):  # YAML reads a bare yes/no/on/off key as a boolean
                    reader.error(
                        path, f"{prefix.partition('.')[2]}.{key}".lstrip("."), f"key {key!r} is not a string: quote it"
                    )
                    continue
                flatten(path, f"{prefix}.{key}", inner)
        elif isinstance(value, str):
            strings[prefix] = value.rstrip("\n")
        else:
            reader.error(path, prefix.partition(".")[2], "must be a string or a mapping of strings")

    files = list(_yaml_files(folder))
    if not files:
        reader.error(folder, "", "no ui files found")
    for path in files:
        data = reader.mapping(path, reader.load(path), "")
        if data is not None:
            flatten(path, path.stem, data)
    return strings


def _load_checks(reader: _Reader, folder: Path, content: Content) -> None:
    files = list(_yaml_files(folder))
    if not files:
        return
    from spasmbot.features.checks.model import parse_check

    for path in files:
        data = reader.load(path)
        if data is None:
            continue
        try:
            check = parse_check(data, reader.rel(path))
        except ContentInvalid as exc:
            reader.errors.extend(exc.errors)
            continue
        if check.id in content.checks:
            reader.error(path, "id", f"duplicate check id {check.id!r}")
        else:
            content.checks[check.id] = check


_VOCABULARY_KEYS = {
    "filler_words",
    "common_words",
    "word_endings",
    "negations",
    "hedges",
    "popular",
    "synonyms",
    "keywords",
}


def _load_vocabulary(reader: _Reader, path: Path, content: Content) -> Vocabulary:
    """``search.yaml``: lay words and synonyms, filler words, word endings, negations, keywords per topic."""
    if not path.is_file():
        return Vocabulary()
    data = reader.mapping(path, reader.load(path), "")
    if data is None:
        return Vocabulary()
    reader.unknown_keys(path, data, "", _VOCABULARY_KEYS)

    def words(key: str) -> tuple[str, ...]:
        values = reader.strings(path, data, key, "")
        for index, value in enumerate(values):
            if not value:
                reader.error(path, _join(key, index), "must not be empty")
        return tuple(v.casefold() for v in values if v)

    def lists(key: str) -> dict[str, tuple[str, ...]]:
        raw = data.get(key) or {}
        if not isinstance(raw, dict):
            reader.error(path, key, "must be a mapping of a word or id to a list of phrases")
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for name, phrases in raw.items():
            field = _join(key, str(name))
            if not isinstance(name, str) or not name.strip():
                reader.error(path, field, "must be a non-empty string (quote yes/no/on/off)")
                continue
            if (
                not isinstance(phrases, list)
                or not phrases
                or not all(isinstance(p, str) and p.strip() for p in phrases)
            ):
                reader.error(path, field, "must be a non-empty list of non-empty strings")
                continue
            result[name.strip()] = tuple(p.strip() for p in phrases)
        return result

    filler = words("filler_words")
    negations = words("negations")
    for word in sorted(set(filler) & set(negations)):
        reader.error(path, "negations", f"{word!r} is also a filler word: a negation must not be ignored")
    synonyms = lists("synonyms")
    owner: dict[str, str] = {}
    for term, phrases in synonyms.items():
        for index, phrase in enumerate(phrases):
            key = phrase.casefold()
            if key in owner and owner[key] != term:
                reader.error(path, f"synonyms.{term}[{index}]", f"{phrase!r} is also listed under {owner[key]!r}")
            owner.setdefault(key, term)
    keywords = lists("keywords")
    targets = set(content.cards) | set(content.sections) | set(content.checks)
    for ident in keywords:
        if ident not in targets:
            reader.error(path, f"keywords.{ident}", "is not the id of a card, section or check")
    popular = words("popular")
    for index, ident in enumerate(popular):
        if ident not in content.cards:
            reader.error(path, _join("popular", index), f"{ident!r} is not a card id")
    return Vocabulary(
        synonyms=synonyms,
        keywords=keywords,
        filler=frozenset(filler),
        common=frozenset(words("common_words")),
        endings=tuple(sorted(set(words("word_endings")), key=lambda e: (-len(e), e))),
        negations=frozenset(negations),
        hedges=frozenset(words("hedges")),
        popular=popular,
    )


def load_languages(
    root: Path | str | None = None, default: str = DEFAULT_LANGUAGE
) -> tuple[Content, dict[str, Content]]:
    """The default language and every other language folder beside it (``content/de``...).

    A translation must offer the same sections, cards, tips and checks as the default language:
    buttons and stored state (tip rotations, check runs) refer to ids, and must work whichever
    language a user's Telegram is set to.
    """
    base = Path(root) if root is not None else default_content_dir()
    content = load_content(base, default)
    translations: dict[str, Content] = {}
    errors: list[ContentError] = []
    folders = sorted(p for p in base.iterdir() if p.is_dir() and p.name != default and p.name[0] not in "._")
    for folder in folders:
        try:
            other = load_content(base, folder.name)
        except ContentInvalid as exc:
            errors.extend(exc.errors)
            continue
        errors.extend(_same_ids(content, other))
        translations[folder.name] = other
    if errors:
        raise ContentInvalid(errors)
    return content, translations


def _same_ids(default: Content, other: Content) -> list[ContentError]:
    errors: list[ContentError] = []
    compared: list[tuple[str, set[str | None], set[str | None]]] = [
        ("sections", set(default.sections), set(other.sections)),
        ("cards", set(default.cards), set(other.cards)),
        ("tips", set(default.tips), set(other.tips)),
        ("checks", set(default.checks), set(other.checks)),
        ("commands", {s.command for s in default.sections.values()}, {s.command for s in other.sections.values()}),
    ]
    for what, mine, theirs in compared:
        if missing := sorted(mine - theirs, key=str):
            errors.append(ContentError(other.language, what, f"missing (present in {default.language}): {missing}"))
        if extra := sorted(theirs - mine, key=str):
            errors.append(ContentError(other.language, what, f"not in {default.language}: {extra}"))
    from spasmbot.features.checks.validate import same_triage  # the checks' own rule

    for check_id in sorted(set(default.checks) & set(other.checks)):
        errors.extend(same_triage(default.checks[check_id], other.checks[check_id]))
    return errors
