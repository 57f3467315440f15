"""Browsing the health content: the main menu, sections, cards, about and help (``b:`` buttons)."""
