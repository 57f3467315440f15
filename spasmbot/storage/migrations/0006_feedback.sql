-- Why people pressed /stop, counted anonymously: no user id, so nothing here is personal data.
CREATE TABLE stop_reasons (
    reason TEXT PRIMARY KEY,
    count INTEGER NOT NULL DEFAULT 0
);
