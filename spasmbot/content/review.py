"""Clinical governance fields: who says so (``sources``), when it was checked (``reviewed``) and
when it must be checked again (``review_due``).

Health services keep these on every page ("page last reviewed / next review due", NHS service
manual) so that nothing drifts out of date unnoticed. Cards, tips and guided checks all carry them,
parsed here so that the three kinds share one rule and one wording of their errors:

.. code-block:: yaml

    sources:
      - name: "NHS: Leg cramps"
        url: "https://www.nhs.uk/conditions/leg-cramps/"
    reviewed: 2026-12-01
    review_due: 2027-12-01

A section may set any of the three fields as the default of its cards, a card's own field wins;
a tip without its own fields takes its card's (``inherit``). Overdue reviews are a warning, not an
error: stale content is a prompt to re-read the sources, and the bot must keep running meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from spasmbot.content.errors import ContentError

REVIEW_KEYS = frozenset({"sources", "reviewed", "review_due"})
"""The YAML keys this module reads; add them to a parser's set of known keys."""

_URL_PREFIXES = ("https://", "http://")


@dataclass(frozen=True, slots=True)
class Source:
    name: str  # what a reader sees: "NHS: Leg cramps"
    url: str


@dataclass(frozen=True, slots=True)
class ReviewFields:
    """The governance fields as written in one place, each possibly missing (to be inherited)."""

    sources: tuple[Source, ...] | None = None
    reviewed: date | None = None
    review_due: date | None = None

    def over(self, inherited: ReviewFields | Review | None) -> ReviewFields:
        """These fields, each missing one taken from ``inherited``."""
        if inherited is None:
            return self
        return ReviewFields(
            sources=self.sources if self.sources is not None else inherited.sources,
            reviewed=self.reviewed if self.reviewed is not None else inherited.reviewed,
            review_due=self.review_due if self.review_due is not None else inherited.review_due,
        )


@dataclass(frozen=True, slots=True)
class Review:
    """Complete governance of one card, tip or check."""

    sources: tuple[Source, ...]
    reviewed: date
    review_due: date

    def overdue(self, today: date) -> bool:
        return self.review_due < today


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _date(value: Any, file: str, field: str, errors: list[ContentError]) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):  # YAML reads an unquoted 2026-12-01 as a date
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.append(ContentError(file, field, f"{value!r} must be a date written YYYY-MM-DD"))
    return None


def _sources(value: Any, file: str, field: str, errors: list[ContentError]) -> tuple[Source, ...] | None:
    if not isinstance(value, list) or not value:
        errors.append(ContentError(file, field, "must be a non-empty list of {name, url}"))
        return None
    sources: list[Source] = []
    for index, item in enumerate(value):
        where = f"{field}[{index}]"
        if not isinstance(item, dict):
            errors.append(ContentError(file, where, "must be a mapping with name and url"))
            continue
        unknown = sorted(str(k) for k in item if k not in {"name", "url"})
        if unknown:
            errors.append(ContentError(file, _join(where, unknown[0]), "unknown field (known: name, url)"))
        name, url = item.get("name"), item.get("url")
        if not isinstance(name, str) or not name.strip():
            errors.append(ContentError(file, _join(where, "name"), "is required: who says so, e.g. 'NHS: Leg cramps'"))
            continue
        if not isinstance(url, str) or not url.strip().startswith(_URL_PREFIXES) or any(c in url for c in ' "<>'):
            errors.append(ContentError(file, _join(where, "url"), f"{url!r} must be a web address (https://...)"))
            continue
        sources.append(Source(name.strip(), url.strip()))
    return tuple(sources) if len(sources) == len(value) else None


def parse_fields(data: Mapping[str, Any], file: str, field: str, errors: list[ContentError]) -> ReviewFields:
    """Read whichever of the three fields ``data`` has; errors for malformed ones."""
    sources = reviewed = review_due = None
    if data.get("sources") is not None:
        sources = _sources(data["sources"], file, _join(field, "sources"), errors)
    if data.get("reviewed") is not None:
        reviewed = _date(data["reviewed"], file, _join(field, "reviewed"), errors)
    if data.get("review_due") is not None:
        review_due = _date(data["review_due"], file, _join(field, "review_due"), errors)
    if reviewed is not None and review_due is not None and review_due <= reviewed:
        errors.append(
            ContentError(file, _join(field, "review_due"), f"{review_due} must come after reviewed ({reviewed})")
        )
    return ReviewFields(sources, reviewed, review_due)


def parse_review(
    data: Mapping[str, Any],
    file: str,
    field: str,
    errors: list[ContentError],
    inherit: ReviewFields | Review | None = None,
    inherit_from: str = "",
) -> Review | None:
    """The complete governance of one item; an error per field missing here and in ``inherit``.

    ``inherit_from`` names where the defaults come from, for the error ("or on its section").
    Returns None when anything is missing or malformed (the errors say what).
    """
    own_errors: list[ContentError] = []
    merged = parse_fields(data, file, field, own_errors).over(inherit)
    errors.extend(own_errors)
    malformed = {e.path for e in own_errors}
    hint = f" (here or {inherit_from})" if inherit_from else ""
    missing = [
        key
        for key in ("sources", "reviewed", "review_due")
        if getattr(merged, key) is None and not any(p.startswith(_join(field, key)) for p in malformed)
    ]
    if missing:
        errors.append(
            ContentError(
                file,
                field,
                f"needs {', '.join(missing)}{hint}: every health text "
                "names its sources and when it was reviewed and is due for review",
            )
        )
    if merged.sources is None or merged.reviewed is None or merged.review_due is None or own_errors:
        return None
    if merged.review_due <= merged.reviewed:  # one date here, the other inherited
        errors.append(
            ContentError(
                file, _join(field, "review_due"), f"{merged.review_due} must come after reviewed ({merged.reviewed})"
            )
        )
        return None
    return Review(merged.sources, merged.reviewed, merged.review_due)


def overdue_warnings(items: Iterable[tuple[str, str, Review | None]], today: date) -> list[ContentError]:
    """One warning per (file, field, review) whose ``review_due`` is before ``today``."""
    return [
        ContentError(
            file,
            _join(field, "review_due"),
            f"review overdue since {review.review_due} (reviewed {review.reviewed}): "
            "check the sources again, then move both dates on",
        )
        for file, field, review in items
        if review is not None and review.overdue(today)
    ]
