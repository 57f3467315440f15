"""Time zone picker: "tap your local time, then your region" (``z:`` buttons)."""
