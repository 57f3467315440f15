-- The one due-delivery mechanism (see spasmbot/scheduling.py): one row per user and kind of
-- scheduled message, holding the UTC instant of its next slot.
CREATE TABLE schedule (
    user_id INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    kind    TEXT    NOT NULL,                        -- 'tips', 'water', 'check_followup', ...
    due_at  INTEGER NOT NULL,                        -- epoch seconds, UTC, of the next slot
    payload TEXT,                                    -- JSON: the kind's own state
    paused  INTEGER NOT NULL DEFAULT 0 CHECK (paused IN (0, 1)),  -- 1 while the user blocks us
    PRIMARY KEY (user_id, kind)
) WITHOUT ROWID;

-- The delivery pass reads "due_at <= now AND paused = 0" in due_at order: a range scan here.
CREATE INDEX schedule_due ON schedule (due_at) WHERE paused = 0;

-- Every slot claimed by the delivery pass. The primary key makes a slot deliverable once.
-- Kept for 7 days per user and kind (pruned as new slots are claimed).
CREATE TABLE deliveries (
    user_id    INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    slot_at    INTEGER NOT NULL,                     -- the due_at that was claimed (epoch, UTC)
    claimed_at INTEGER NOT NULL,                     -- when the pass claimed it (epoch, UTC)
    outcome    TEXT,                                 -- NULL while sending; sent|late|blocked|failed|empty
    PRIMARY KEY (user_id, kind, slot_at)
) WITHOUT ROWID;
