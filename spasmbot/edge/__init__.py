"""The shared Telegram edge: app wiring and the machinery every feature relies on."""
