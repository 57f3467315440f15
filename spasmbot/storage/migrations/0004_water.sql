-- Hydration: one settings row per user who changed something in /water, one row per drink.
-- Whether nudges are on is not stored here: they are on exactly while the user has a 'water'
-- row in `schedule` (its due_at is the next nudge), so /stop, a block or /forget turn them off
-- without this table going stale.
CREATE TABLE water_settings (
    user_id       INTEGER NOT NULL PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    interval_min  INTEGER NOT NULL DEFAULT 90 CHECK (interval_min BETWEEN 15 AND 480),
    start_min     INTEGER NOT NULL DEFAULT 480 CHECK (start_min BETWEEN 0 AND 1439),
    end_min       INTEGER NOT NULL DEFAULT 1260 CHECK (end_min BETWEEN 0 AND 1439),
    unit          TEXT    NOT NULL DEFAULT 'glass' CHECK (unit IN ('glass', 'ml')),
    goal          INTEGER NOT NULL DEFAULT 8 CHECK (goal > 0),
    glass_ml      INTEGER NOT NULL DEFAULT 250 CHECK (glass_ml > 0),
    stop_at_goal  INTEGER NOT NULL DEFAULT 1 CHECK (stop_at_goal IN (0, 1)),
    paused_on     TEXT,                          -- local day (YYYY-MM-DD) of "Pause for today"
    nudge_seq     INTEGER NOT NULL DEFAULT 0,    -- nudges sent so far: picks the next text
    last_nudge_at INTEGER,                       -- epoch seconds of the latest nudge: its id
    updated_at    INTEGER NOT NULL               -- epoch seconds (UTC)
);

CREATE TABLE water_drinks (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    drunk_at INTEGER NOT NULL,                   -- epoch seconds (UTC) of the drink
    ml       INTEGER NOT NULL CHECK (ml > 0),
    nudge_at INTEGER,                            -- the nudge it answered, so a double tap logs once
    UNIQUE (user_id, nudge_at)
);

CREATE INDEX water_drinks_by_user_time ON water_drinks (user_id, drunk_at);
