-- Running as a service (spasmbot/storage/service.py). The /healthz probe upserts this single row to
-- prove the database still takes writes (a full disk or a read-only mount fails here first).
CREATE TABLE heartbeat (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    at INTEGER NOT NULL                              -- epoch seconds, UTC, of the latest probe
);
