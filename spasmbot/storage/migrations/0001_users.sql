-- One row per Telegram user who talked to the bot: only what is needed to reach them and to
-- compute their local times. No names, no usernames, no message texts.
CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY,               -- Telegram user id
    chat_id       INTEGER NOT NULL,                  -- the private chat scheduled messages go to
    language      TEXT,                              -- Telegram's language_code, e.g. 'en'
    timezone      TEXT,                              -- IANA name, NULL until the user picks one
    first_seen_at INTEGER NOT NULL,                  -- epoch seconds, UTC
    last_seen_at  INTEGER NOT NULL,                  -- epoch seconds, UTC; refreshed at most hourly
    blocked       INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),  -- 1 after a 403
    blocked_at    INTEGER                            -- epoch seconds, UTC
);
