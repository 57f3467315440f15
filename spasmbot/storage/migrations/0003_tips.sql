-- Daily tips. While subscribed, the live state (time, rotation) is the payload of the user's
-- 'tips' row in `schedule`; tip_prefs keeps the chosen time and the rotation across
-- unsubscribe/subscribe so nobody sees a repeat before the whole pool was sent.
CREATE TABLE tip_prefs (
    user_id  INTEGER PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    time     TEXT NOT NULL,                          -- local 'HH:MM'
    rotation TEXT                                    -- JSON {pool, cycle, cursor}
);

-- The tip pools cycles were started with (sorted tip ids as JSON). Shared by everyone who began
-- a cycle with the same content, so a per-user rotation costs three integers. No personal data.
CREATE TABLE tip_pools (
    pool_id INTEGER PRIMARY KEY,
    ids     TEXT NOT NULL UNIQUE
);

-- Whoever deletes a 'tips' schedule row (unsubscribe, /stop, a kind's cleanup) keeps its rotation:
-- a later subscribe continues the same cycle instead of repeating tips.
CREATE TRIGGER tips_keep_rotation AFTER DELETE ON schedule
WHEN OLD.kind = 'tips' AND OLD.payload IS NOT NULL
BEGIN
    UPDATE tip_prefs SET rotation = json_remove(OLD.payload, '$.time', '$.tip')
    WHERE user_id = OLD.user_id;
END;
