"""Telegram's HTML dialect: what its parser accepts, and how long the visible text is.

Telegram rejects a whole message ("can't parse entities") for one stray ``<`` or an unknown tag, so
the content validator and the fake Bot API both check text with these rules before it is sent.
"""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
        "blockquote", "tg-spoiler", "span", "tg-emoji",
    }
)
_ENTITIES = {"lt", "gt", "amp", "quot"}
_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[a-zA-Z][a-zA-Z0-9-]*)(?P<attrs>(?:\s[^<>]*)?)>"
    r"|&(?P<entity>#[0-9]+|#x[0-9a-fA-F]+|[a-zA-Z]+);"
    r"|(?P<bare>[<>&])"
)
_ATTR = re.compile(r'\s*([a-zA-Z-]+)\s*=\s*"([^"]*)"')


def html_errors(text: str) -> list[str]:
    """Reasons Telegram would refuse ``text`` with parse_mode HTML (empty when it is fine)."""
    errors: list[str] = []
    stack: list[str] = []
    for match in _TOKEN.finditer(text):
        if match["bare"]:
            if match["bare"] != ">":  # Telegram tolerates a lone '>'
                errors.append(f"unescaped {match['bare']!r} at offset {match.start()}")
            continue
        if match["entity"]:
            name = match["entity"]
            if not name.startswith("#") and name not in _ENTITIES:
                errors.append(f"unsupported entity &{name}; at offset {match.start()}")
            continue
        tag = match["tag"].lower()
        if tag not in ALLOWED_TAGS:
            errors.append(f"unsupported tag <{tag}> at offset {match.start()}")
            continue
        if match["close"]:
            if not stack or stack[-1] != tag:
                errors.append(f"unexpected </{tag}> at offset {match.start()}")
            else:
                stack.pop()
            continue
        attrs = match["attrs"].strip()
        if tag == "a" and not re.fullmatch(r'href\s*=\s*"[^"]+"', attrs):
            errors.append(f'<a> needs exactly one href="..." at offset {match.start()}')
        elif tag not in {"a", "span", "pre", "code", "blockquote", "tg-emoji"} and attrs:
            errors.append(f"<{tag}> takes no attributes at offset {match.start()}")
        stack.append(tag)
    if stack:
        errors.append("unclosed tag(s): " + ", ".join(f"<{t}>" for t in stack))
    return errors


def visible_text(text: str) -> str:
    """The text as the user sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"</?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>", "", text))


def visible_length(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram counts its 4096-character limit in."""
    return len(visible_text(text).encode("utf-16-le")) // 2
