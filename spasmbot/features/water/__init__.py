"""Hydration: drink log, goal, nudges within active hours, charts (``w:`` buttons)."""
