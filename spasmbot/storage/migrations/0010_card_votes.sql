-- "Was this helpful?" counts per card. No user id, so nothing here is personal data: the message's
-- own buttons remember a message's vote (see spasmbot.features.search.callbacks).
CREATE TABLE card_votes (
    card_id TEXT PRIMARY KEY,
    helpful INTEGER NOT NULL DEFAULT 0 CHECK (helpful >= 0),
    not_helpful INTEGER NOT NULL DEFAULT 0 CHECK (not_helpful >= 0)
);
