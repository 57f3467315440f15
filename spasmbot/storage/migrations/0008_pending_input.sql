-- Typed-input prompts ("type a time like 7:30"): what the user's next text message answers.
-- At most one per user; kept here rather than in memory so a restart or a second process still
-- knows what the text means. Rows older than a day are ignored and pruned (spasmbot/storage/prompts.py).
CREATE TABLE pending_input (
    user_id   INTEGER NOT NULL PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    input_key TEXT    NOT NULL,                  -- e.g. 'tips.time': the registered input handler
    data      TEXT,                              -- JSON object handed to it, or NULL
    asked_at  INTEGER NOT NULL                   -- epoch seconds, UTC
);
CREATE INDEX pending_input_asked ON pending_input (asked_at);
