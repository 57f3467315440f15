"""Time zones without typing zone names: "tap your local time, then your region".

The picker first shows one button per UTC offset in use right now (each labelled with the time it
is there now, computed from the clock), then the named zones of a curated catalogue that are at
that offset now, labelled by city and country. Storing the named zone (not the offset) keeps
daylight-saving changes right for the rest of the year. Telegram-free.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from spasmbot.content.model import UiText


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
    """"tomorrow, Thu 26 Nov at 07:30 (Europe/Berlin)" in the user's zone; words from ui/timezone."""
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
