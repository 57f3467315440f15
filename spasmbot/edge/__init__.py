"""Edge: the shared Telegram layer (app wiring, send/show helpers, users middleware, delivery job, fallbacks)."""
