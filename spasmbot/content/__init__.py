"""Health content: the YAML model, its loader and its validator. Knows nothing of Telegram."""

from spasmbot.content.loader import default_content_dir, load_content, load_languages
from spasmbot.content.model import Card, Content, ContentError, ContentInvalid, Section, Tip

__all__ = [
    "Card",
    "Content",
    "ContentError",
    "ContentInvalid",
    "Section",
    "Tip",
    "default_content_dir",
    "load_content",
    "load_languages",
]
