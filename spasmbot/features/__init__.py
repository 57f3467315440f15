"""Features: one folder each (handlers.py is the only module importing telegram)."""
