-- Guided checks (spasmbot/checks): the run in progress (at most one per user) and the last result
-- of each check. Answers are JSON [["step_id", answer_index], ...]; they are replayed against the
-- check's YAML, and a run whose `version` differs from the check's is stale ("start again?").
CREATE TABLE check_runs (
    user_id    INTEGER NOT NULL PRIMARY KEY REFERENCES users(user_id) ON DELETE CASCADE,
    check_id   TEXT    NOT NULL,
    version    TEXT    NOT NULL,                 -- short hash of the check's YAML when started
    step       TEXT    NOT NULL,                 -- the current step (follows from the answers)
    answers    TEXT    NOT NULL DEFAULT '[]',
    started_at INTEGER NOT NULL,                 -- epoch seconds, UTC
    updated_at INTEGER NOT NULL                  -- epoch seconds, UTC
);

CREATE TABLE check_results (
    user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
    check_id    TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    outcome     TEXT    NOT NULL,                -- outcome id reached
    answers     TEXT    NOT NULL,                -- the answers that led there (JSON, as above)
    followup    INTEGER CHECK (followup IN (0, 1)),  -- the "still cramping?" answer, once given
    finished_at INTEGER NOT NULL,                -- epoch seconds, UTC
    PRIMARY KEY (user_id, check_id)
) WITHOUT ROWID;
