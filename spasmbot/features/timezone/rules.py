"""Time zones without typing zone names: "tap your local time, then your region".

The picker first shows one button per UTC offset in use right now (each labelled with the time it
is there now, computed from the clock), then the named zones of a curated catalogue that are at
that offset now, labelled by city and country. Storing the named zone (not the offset) keeps
daylight-saving changes right for the rest of the year. Telegram-free.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from spasmbot.content.model import UiText
from spasmbot.delivery.localtime import parse_hhmm


@dataclass(frozen=True, slots=True)
class Zone:
    name: str  # IANA name
    label: str  # what the button says


# ~120 zones: every UTC offset in use (incl. the :30/:45 ones) and the world's big cities.
CATALOGUE: tuple[Zone, ...] = tuple(
    Zone(name, label)
    for name, label in (
        ("Pacific/Pago_Pago", "Pago Pago (American Samoa)"),
        ("Pacific/Niue", "Niue"),
        ("Pacific/Honolulu", "Honolulu (Hawaii)"),
        ("Pacific/Tahiti", "Tahiti"),
        ("Pacific/Marquesas", "Marquesas Islands"),
        ("America/Anchorage", "Anchorage (Alaska)"),
        ("America/Los_Angeles", "Los Angeles, San Francisco, Seattle"),
        ("America/Vancouver", "Vancouver"),
        ("America/Tijuana", "Tijuana"),
        ("America/Denver", "Denver, Salt Lake City"),
        ("America/Phoenix", "Phoenix (Arizona)"),
        ("America/Edmonton", "Edmonton, Calgary"),
        ("America/Chicago", "Chicago, Dallas, Houston"),
        ("America/Mexico_City", "Mexico City"),
        ("America/Winnipeg", "Winnipeg"),
        ("America/Regina", "Regina (Saskatchewan)"),
        ("America/Guatemala", "Guatemala"),
        ("America/Costa_Rica", "San José (Costa Rica)"),
        ("America/El_Salvador", "San Salvador"),
        ("America/New_York", "New York, Miami, Atlanta"),
        ("America/Toronto", "Toronto, Montreal"),
        ("America/Detroit", "Detroit"),
        ("America/Havana", "Havana"),
        ("America/Jamaica", "Kingston (Jamaica)"),
        ("America/Panama", "Panama"),
        ("America/Bogota", "Bogotá"),
        ("America/Lima", "Lima"),
        ("America/Guayaquil", "Guayaquil (Ecuador)"),
        ("America/Cancun", "Cancún"),
        ("America/Halifax", "Halifax (Atlantic Canada)"),
        ("America/Puerto_Rico", "San Juan (Puerto Rico)"),
        ("America/Santo_Domingo", "Santo Domingo"),
        ("America/Caracas", "Caracas"),
        ("America/La_Paz", "La Paz"),
        ("America/Manaus", "Manaus"),
        ("America/Santiago", "Santiago (Chile)"),
        ("America/Asuncion", "Asunción"),
        ("America/Barbados", "Barbados"),
        ("America/St_Johns", "St. John's (Newfoundland)"),
        ("America/Sao_Paulo", "São Paulo, Rio de Janeiro"),
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("America/Montevideo", "Montevideo"),
        ("America/Bahia", "Salvador (Bahia)"),
        ("America/Nuuk", "Nuuk (Greenland)"),
        ("America/Noronha", "Fernando de Noronha"),
        ("Atlantic/South_Georgia", "South Georgia"),
        ("Atlantic/Azores", "Azores"),
        ("Atlantic/Cape_Verde", "Cape Verde"),
        ("Etc/UTC", "UTC (no daylight saving)"),
        ("Europe/London", "London, Edinburgh"),
        ("Europe/Dublin", "Dublin"),
        ("Europe/Lisbon", "Lisbon"),
        ("Atlantic/Reykjavik", "Reykjavík"),
        ("Atlantic/Canary", "Canary Islands"),
        ("Africa/Accra", "Accra"),
        ("Africa/Abidjan", "Abidjan"),
        ("Africa/Dakar", "Dakar"),
        ("Europe/Berlin", "Berlin, Germany"),
        ("Europe/Paris", "Paris"),
        ("Europe/Madrid", "Madrid, Barcelona"),
        ("Europe/Rome", "Rome, Milan"),
        ("Europe/Amsterdam", "Amsterdam"),
        ("Europe/Brussels", "Brussels"),
        ("Europe/Vienna", "Vienna"),
        ("Europe/Zurich", "Zurich, Geneva"),
        ("Europe/Stockholm", "Stockholm"),
        ("Europe/Oslo", "Oslo"),
        ("Europe/Copenhagen", "Copenhagen"),
        ("Europe/Warsaw", "Warsaw"),
        ("Europe/Prague", "Prague"),
        ("Europe/Budapest", "Budapest"),
        ("Europe/Belgrade", "Belgrade"),
        ("Africa/Lagos", "Lagos, Kinshasa"),
        ("Africa/Algiers", "Algiers"),
        ("Africa/Tunis", "Tunis"),
        ("Africa/Casablanca", "Casablanca"),
        ("Europe/Athens", "Athens"),
        ("Europe/Helsinki", "Helsinki"),
        ("Europe/Kyiv", "Kyiv"),
        ("Europe/Bucharest", "Bucharest"),
        ("Europe/Sofia", "Sofia"),
        ("Europe/Riga", "Riga"),
        ("Europe/Vilnius", "Vilnius"),
        ("Europe/Tallinn", "Tallinn"),
        ("Asia/Jerusalem", "Jerusalem, Tel Aviv"),
        ("Asia/Beirut", "Beirut"),
        ("Africa/Cairo", "Cairo"),
        ("Africa/Johannesburg", "Johannesburg, Cape Town"),
        ("Africa/Maputo", "Maputo, Harare, Lusaka"),
        ("Africa/Tripoli", "Tripoli"),
        ("Europe/Moscow", "Moscow, St Petersburg"),
        ("Europe/Istanbul", "Istanbul"),
        ("Europe/Minsk", "Minsk"),
        ("Asia/Riyadh", "Riyadh, Jeddah"),
        ("Asia/Baghdad", "Baghdad"),
        ("Asia/Qatar", "Doha"),
        ("Africa/Nairobi", "Nairobi, Addis Ababa"),
        ("Asia/Tehran", "Tehran"),
        ("Asia/Dubai", "Dubai, Abu Dhabi"),
        ("Asia/Baku", "Baku"),
        ("Asia/Tbilisi", "Tbilisi"),
        ("Asia/Yerevan", "Yerevan"),
        ("Europe/Samara", "Samara"),
        ("Indian/Mauritius", "Mauritius"),
        ("Asia/Kabul", "Kabul"),
        ("Asia/Karachi", "Karachi, Lahore"),
        ("Asia/Tashkent", "Tashkent"),
        ("Asia/Yekaterinburg", "Yekaterinburg"),
        ("Indian/Maldives", "Maldives"),
        ("Asia/Kolkata", "India (Delhi, Mumbai)"),
        ("Asia/Colombo", "Colombo (Sri Lanka)"),
        ("Asia/Kathmandu", "Kathmandu"),
        ("Asia/Dhaka", "Dhaka"),
        ("Asia/Almaty", "Almaty"),
        ("Asia/Bishkek", "Bishkek"),
        ("Asia/Omsk", "Omsk"),
        ("Asia/Yangon", "Yangon"),
        ("Asia/Bangkok", "Bangkok"),
        ("Asia/Jakarta", "Jakarta"),
        ("Asia/Ho_Chi_Minh", "Ho Chi Minh City, Hanoi"),
        ("Asia/Novosibirsk", "Novosibirsk"),
        ("Asia/Shanghai", "China (Beijing, Shanghai)"),
        ("Asia/Hong_Kong", "Hong Kong"),
        ("Asia/Singapore", "Singapore"),
        ("Asia/Taipei", "Taipei"),
        ("Asia/Manila", "Manila"),
        ("Asia/Kuala_Lumpur", "Kuala Lumpur"),
        ("Australia/Perth", "Perth"),
        ("Asia/Irkutsk", "Irkutsk"),
        ("Australia/Eucla", "Eucla (Australia)"),
        ("Asia/Tokyo", "Tokyo"),
        ("Asia/Seoul", "Seoul"),
        ("Asia/Jayapura", "Jayapura (Papua)"),
        ("Asia/Yakutsk", "Yakutsk"),
        ("Australia/Darwin", "Darwin"),
        ("Australia/Adelaide", "Adelaide"),
        ("Australia/Sydney", "Sydney, Canberra"),
        ("Australia/Melbourne", "Melbourne"),
        ("Australia/Brisbane", "Brisbane"),
        ("Australia/Hobart", "Hobart"),
        ("Asia/Vladivostok", "Vladivostok"),
        ("Pacific/Guam", "Guam"),
        ("Pacific/Port_Moresby", "Port Moresby"),
        ("Australia/Lord_Howe", "Lord Howe Island"),
        ("Pacific/Noumea", "Nouméa"),
        ("Pacific/Guadalcanal", "Honiara (Solomon Islands)"),
        ("Asia/Magadan", "Magadan"),
        ("Pacific/Norfolk", "Norfolk Island"),
        ("Pacific/Auckland", "Auckland, Wellington"),
        ("Pacific/Fiji", "Fiji"),
        ("Asia/Kamchatka", "Kamchatka"),
        ("Pacific/Chatham", "Chatham Islands"),
        ("Pacific/Tongatapu", "Tonga"),
        ("Pacific/Apia", "Samoa (Apia)"),
        ("Pacific/Kiritimati", "Kiritimati (Line Islands)"),
    )
)
BY_NAME: dict[str, Zone] = {zone.name: zone for zone in CATALOGUE}


def offset_minutes(name: str, now: datetime) -> int:
    """The zone's UTC offset at ``now``, in minutes (Kolkata: 330, Chatham in summer: 825)."""
    offset = now.astimezone(ZoneInfo(name)).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def offsets_in_use(now: datetime) -> list[int]:
    """The distinct UTC offsets of the catalogue's zones at ``now``, west to east."""
    return sorted({offset_minutes(zone.name, now) for zone in CATALOGUE})


def zones_at(offset: int, now: datetime) -> list[Zone]:
    """The catalogue's zones whose offset is ``offset`` minutes at ``now``, in catalogue order."""
    return [zone for zone in CATALOGUE if offset_minutes(zone.name, now) == offset]


def clock_at(offset: int, now: datetime) -> datetime:
    """The wall-clock time at ``offset`` minutes from UTC, as a naive datetime."""
    return (now.astimezone(UTC) + timedelta(minutes=offset)).replace(tzinfo=None)


def local_time_labels(now: datetime, weekdays: Sequence[str]) -> list[tuple[int, str]]:
    """(offset, button label) per offset in use: "14:05", plus the weekday where needed.

    Offsets 24 hours apart (Pago Pago and Kiritimati) show the same clock time on different
    days, so a label whose HH:MM repeats carries its weekday too.
    """
    offsets = offsets_in_use(now)
    times = {offset: clock_at(offset, now) for offset in offsets}
    counts: dict[str, int] = {}
    for moment in times.values():
        key = moment.strftime("%H:%M")
        counts[key] = counts.get(key, 0) + 1
    labels = []
    for offset in offsets:
        moment = times[offset]
        label = moment.strftime("%H:%M")
        if counts[label] > 1:
            label = f"{label} ({weekdays[moment.weekday()]})"
        labels.append((offset, label))
    return labels


@cache
def _all_zone_names() -> dict[str, str]:
    return {name.casefold(): name for name in available_timezones()}


def lookup(text: str) -> str | None:
    """A typed IANA zone name (any case, spaces for underscores) -> its canonical name, or None."""
    cleaned = text.strip().replace(" ", "_")
    if not cleaned or len(cleaned) > 64:
        return None
    name = _all_zone_names().get(cleaned.casefold())
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def label_of(name: str) -> str:
    """The catalogue label, else the IANA name with spaces (``America/Argentina/Salta``)."""
    zone = BY_NAME.get(name)
    return zone.label if zone is not None else name.replace("_", " ")


def format_when(when: datetime, zone_name: str, now: datetime, ui: UiText) -> str:
    """ "tomorrow, Thu 26 Nov at 07:30 (Europe/Berlin)" in the user's zone; words from ui/timezone."""
    tz = ZoneInfo(zone_name)
    local = when.astimezone(tz)
    days = (local.date() - now.astimezone(tz).date()).days
    weekday = ui("timezone.weekdays").split()[local.weekday()]
    month = ui("timezone.months").split()[local.month - 1]
    date_text = f"{weekday} {local.day} {month}"
    if days == 0:
        return ui("timezone.when_today", date=date_text, time=f"{local:%H:%M}", zone=zone_name)
    if days == 1:
        return ui("timezone.when_tomorrow", date=date_text, time=f"{local:%H:%M}", zone=zone_name)
    return ui("timezone.when_later", date=date_text, time=f"{local:%H:%M}", zone=zone_name)


# --- what people type at "What time is it for you right now?" --------------------------------

MAX_CHOICES = 12  # zones offered as buttons for one typed answer
CLOCK_TOLERANCE = 30  # minutes a typed "what time is it" may be off the real local time

# Countries people name differently from the ISO 3166 table of the tz database.
_COUNTRY_ALIASES = {
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "holland": "NL",
    "the netherlands": "NL",
    "south korea": "KR",
    "north korea": "KP",
    "czechia": "CZ",
    "turkiye": "TR",
    "ivory coast": "CI",
    "uae": "AE",
    "emirates": "AE",
}
_OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?:\s*[:.]?\s*(\d{2}))?$", re.ASCII)


@dataclass(frozen=True, slots=True)
class Typed:
    """What a typed answer to the picker means: the zones it could be, best first.

    One zone: take it. Several: let the user pick (``local`` is the clock time they told us, when
    they typed a time or a UTC offset; the question then reads "It's 15:00 for you. Where are you?").
    """

    zones: tuple[str, ...]
    local: datetime | None = None


def _normal(text: str) -> str:
    """Lower case, accents off, punctuation to single spaces: "São Paulo" -> "sao paulo"."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


def _tz_table(name: str) -> list[list[str]]:
    """Rows of one of tzdata's tables (``zone.tab``, ``iso3166.tab``); empty if not shipped."""
    try:
        text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return []
    return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _place_index() -> dict[str, tuple[str, ...]]:
    """Normalised place name (city, region or country) -> the zones it names, catalogue first."""
    index: dict[str, list[str]] = {}

    def add(key: str, name: str) -> None:
        key = _normal(key)
        if key and name not in index.setdefault(key, []):
            index[key].append(name)

    for zone in CATALOGUE:  # "Berlin, Germany", "India (Delhi, Mumbai)"
        for part in re.split(r"[,()]", zone.label):
            add(part, zone.name)
        add(zone.name.rpartition("/")[2].replace("_", " "), zone.name)
    by_country: dict[str, list[str]] = {}
    for row in _tz_table("zone.tab"):
        if len(row) >= 3:
            add(row[2].rpartition("/")[2].replace("_", " "), row[2])
            by_country.setdefault(row[0], []).append(row[2])
    names = {row[0]: row[1] for row in _tz_table("iso3166.tab") if len(row) >= 2}
    countries: dict[str, str] = {}
    for code, name in names.items():  # "Britain (UK)" -> "britain", "uk"; "Korea (South)" as is
        countries[_normal(name)] = code
        countries[_normal(re.sub(r"\(.*?\)", "", name))] = code
    countries.update({_normal(alias): code for alias, code in _COUNTRY_ALIASES.items()})
    for key, code in countries.items():
        zones = by_country.get(code, [])
        preferred = [z for z in zones if z in BY_NAME] or zones  # Germany: Berlin, not Busingen too
        for name in preferred:
            add(key, name)
    return {key: tuple(value) for key, value in index.items()}


def _by_offset(minutes: int, now: datetime) -> Typed | None:
    zones = tuple(zone.name for zone in zones_at(minutes, now))
    if zones:
        return Typed(zones, clock_at(minutes, now))
    hours, rest = divmod(abs(minutes), 60)
    if rest == 0 and -12 * 60 <= minutes <= 14 * 60:  # a fixed offset nobody in the catalogue has
        sign = "-" if minutes > 0 else "+"  # POSIX: Etc/GMT-1 is UTC+1
        return Typed((f"Etc/GMT{sign}{hours}" if hours else "Etc/UTC",))
    return None


def _by_clock(text: str, now: datetime) -> Typed | None:
    """ "15:00" or "3pm": the offsets whose clock is nearest to that now (within half an hour)."""
    told = parse_hhmm(text)
    if told is None:
        return None
    told_minute = told.hour * 60 + told.minute
    distances: dict[int, int] = {}
    for offset in offsets_in_use(now):
        local = clock_at(offset, now)
        gap = abs(local.hour * 60 + local.minute - told_minute)
        distances[offset] = min(gap, 24 * 60 - gap)
    best = min(distances.values())
    if best > CLOCK_TOLERANCE:
        return None
    offsets = [offset for offset, gap in distances.items() if gap == best]
    zones = tuple(zone.name for offset in offsets for zone in zones_at(offset, now))
    return Typed(zones, clock_at(offsets[0], now))


def understand(text: str, now: datetime) -> Typed | None:
    """A typed answer to the picker: a zone name (``Europe/Berlin``), a UTC offset (``UTC+1``,
    ``+05:30``, ``GMT-5``), the time it is now (``15:00``, ``3pm``), a city (``Berlin``) or a
    country (``Germany``). None when it is none of these."""
    text = text.strip()
    if not text or len(text) > 64:
        return None
    if (name := lookup(text)) is not None:
        return Typed((name,))
    compact = text.casefold().replace("−", "-")
    if compact in {"utc", "gmt", "z"}:
        return Typed(("Etc/UTC",))
    if match := _OFFSET.match(compact):
        sign = -1 if match.group(1) == "-" else 1
        minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
        if minutes > 14 * 60 or int(match.group(3) or 0) >= 60:
            return None
        return _by_offset(sign * minutes, now)
    if (by_clock := _by_clock(text, now)) is not None:
        return by_clock
    zones = _place_index().get(_normal(text))
    if zones:
        return Typed(zones[:MAX_CHOICES])
    return None
