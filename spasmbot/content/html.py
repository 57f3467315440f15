"""Telegram's HTML dialect: what its parser accepts, and how long the visible text is.

Telegram rejects a whole message ("can't parse entities") for one stray ``<`` or an unknown tag,
so the content validator and the fake Bot API share this one parser, which mirrors the Bot API's
HTML parse mode (tags, attributes, entities, UTF-16 offsets). A bare ``&`` that starts no entity
is rejected, slightly stricter than Telegram, because it always means a value was not escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"; ``str()`` is the reason."""


_TAG_ENTITY: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "tg-emoji": "custom_emoji",
}
_SPECIAL = re.compile(r"[<&]")
_START_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE = re.compile(r"""\s+([A-Za-z][A-Za-z0-9_-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TAG_CLOSE = re.compile(r"\s*>")
_END_TAG = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>")
_ENTITY = re.compile(r"&(?:(lt|gt|amp|quot)|#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, the unit of Telegram's entity offsets."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _unescape(value: str) -> str:
    """Decode the entities in an attribute value (same rules as in text)."""
    if "&" not in value:
        return value
    return _ENTITY.sub(_decode_entity, value)


def _decode_entity(match: re.Match[str]) -> str:
    named, dec, hexa = match.groups()
    if named:
        return _NAMED[named]
    code = int(dec) if dec else int(hexa, 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise HtmlError(f"Invalid numeric character reference &#{dec or 'x' + hexa};")
    return chr(code)


@dataclass(slots=True)
class _OpenTag:
    name: str
    offset: int  # UTF-16 offset in the plain text where the tag's content starts
    attrs: dict[str, str | None]
    language: str | None = None


def _check_start_tag(name: str, attrs: dict[str, str | None], at: int) -> None:
    if name == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
    if name == "tg-emoji" and not (attrs.get("emoji-id") or "").isdigit():
        raise HtmlError(f'Custom emoji entity must have a numeric "emoji-id" at byte offset {at}')


@lru_cache(maxsize=4096)
def parse_html(text: str) -> tuple[str, tuple[dict[str, Any], ...]]:
    """Parse Telegram HTML into (plain text, entities) or raise :class:`HtmlError`.

    Mirrors the Bot API's HTML parse mode closely enough that text this accepts is accepted by
    Telegram; cached because bots send the same screens over and over.
    """
    out: list[str] = []
    utf16 = 0
    stack: list[_OpenTag] = []
    entities: list[dict[str, Any]] = []
    pos = 0
    size = len(text)
    while True:
        match = _SPECIAL.search(text, pos)
        end = match.start() if match else size
        if end > pos:
            chunk = text[pos:end]
            out.append(chunk)
            utf16 += utf16_length(chunk)
        if match is None:
            break
        i = end
        if text[i] == "&":
            entity = _ENTITY.match(text, i)
            if entity is None:
                raise HtmlError(f'Unescaped "&" at byte offset {_byte_offset(text, i)}; use "&amp;"')
            char = _decode_entity(entity)
            out.append(char)
            utf16 += utf16_length(char)
            pos = entity.end()
            continue
        if text.startswith("</", i):
            closing = _END_TAG.match(text, i)
            if closing is None:
                reason = "Unclosed end tag" if ">" not in text[i:] else "Invalid end tag"
                raise HtmlError(f"{reason} at byte offset {_byte_offset(text, i)}")
            name = closing.group(1).lower()
            if not stack:
                raise HtmlError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            top = stack.pop()
            if top.name != name:
                raise HtmlError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                    f'expected "</{top.name}>", found "</{name}>"'
                )
            _close(top, utf16, stack, entities)
            pos = closing.end()
            continue
        start = _START_TAG.match(text, i)
        if start is None:
            raise HtmlError(f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}')
        name = start.group(1).lower()
        if name not in _TAG_ENTITY:
            raise HtmlError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}')
        attrs: dict[str, str | None] = {}
        j = start.end()
        while (attribute := _ATTRIBUTE.match(text, j)) is not None:
            key, dq, sq, bare = attribute.groups()
            raw = dq if dq is not None else sq if sq is not None else bare
            attrs[key.lower()] = None if raw is None else _unescape(raw)
            j = attribute.end()
        tag_end = _TAG_CLOSE.match(text, j)
        if tag_end is None:
            raise HtmlError(f"Unclosed start tag at byte offset {_byte_offset(text, i)}")
        _check_start_tag(name, attrs, _byte_offset(text, i))
        stack.append(_OpenTag(name, utf16, attrs))
        pos = tag_end.end()
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), tuple(entities)


def _close(tag: _OpenTag, utf16: int, stack: list[_OpenTag], entities: list[dict[str, Any]]) -> None:
    """Turn a closed tag into its entity, the way Telegram merges ``<pre><code class>``."""
    length = utf16 - tag.offset
    if tag.name == "code" and stack and stack[-1].name == "pre":
        css = tag.attrs.get("class") or ""
        if css.startswith("language-"):
            stack[-1].language = css.removeprefix("language-")
        return
    if length <= 0:
        return
    kind = _TAG_ENTITY[tag.name]
    entity: dict[str, Any] = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        href = tag.attrs.get("href")
        if not href:
            return  # Telegram drops a link without a target
        entity["url"] = href
    elif kind == "pre" and tag.language:
        entity["language"] = tag.language
    elif kind == "blockquote" and "expandable" in tag.attrs:
        entity["type"] = "expandable_blockquote"
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.attrs["emoji-id"]
    entities.append(entity)


def html_errors(text: str) -> list[str]:
    """Why Telegram would refuse ``text`` with parse_mode HTML (empty when it is fine)."""
    try:
        parse_html(text)
    except HtmlError as exc:
        return [str(exc)]
    return []


def visible_text(text: str) -> str:
    """The text as the user reads it: tags dropped, entities decoded (``text`` must parse)."""
    return parse_html(text)[0]


def visible_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts its 4096-character limit in.

    Falls back to the raw length for text that does not parse (its HTML error is reported apart).
    """
    try:
        return utf16_length(parse_html(text)[0])
    except HtmlError:
        return utf16_length(text)
