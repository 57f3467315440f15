"""spasmbot: a Telegram bot that helps people understand, prevent and cope with muscle spasms."""

__version__ = "0.1.0"
