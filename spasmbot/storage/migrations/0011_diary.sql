-- The cramp diary (spasmbot/features/diary): one row per logged cramp, and the days the user said
-- "no cramps today" at the evening check-in (a diary needs the zeros too). The check-in itself is
-- the user's 'diary_checkin' row in `schedule` (payload: the local time), like tips and nudges.
-- Lists (triggers, helped, signs) are comma-separated ids of spasmbot/features/diary/rules.py.
-- `note` is the only free text the bot stores about anyone.
CREATE TABLE diary_entries (
    id        INTEGER PRIMARY KEY,
    user_id   INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    at        INTEGER NOT NULL,                  -- epoch seconds, UTC, when the cramp happened
    day       TEXT    NOT NULL,                  -- the user's local day (YYYY-MM-DD) it happened on
    logged_at INTEGER NOT NULL,                  -- epoch seconds, UTC
    night     INTEGER NOT NULL DEFAULT 0 CHECK (night IN (0, 1)),
    area      TEXT,
    side      TEXT,
    severity  INTEGER CHECK (severity BETWEEN 0 AND 10),
    duration  TEXT,
    woke      INTEGER CHECK (woke IN (0, 1)),
    triggers  TEXT,
    helped    TEXT,
    signs     TEXT,                              -- warning signs noticed with it
    note      TEXT CHECK (length(note) <= 200),
    source    TEXT    NOT NULL DEFAULT 'log'     -- log | check | checkin
);

CREATE INDEX diary_entries_by_user_day ON diary_entries (user_id, day);

CREATE TABLE diary_free_days (
    user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    day         TEXT    NOT NULL,                -- local day (YYYY-MM-DD) answered "none"
    recorded_at INTEGER NOT NULL,                -- epoch seconds, UTC
    PRIMARY KEY (user_id, day)
) WITHOUT ROWID;
