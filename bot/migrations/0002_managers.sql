-- The managers' side: what was done with each lead, where it is shown, shifts, and the few
-- facts the bot learns at run time (settings are read-only).

-- Everything a manager did with a lead, in order: claimed, passed, rejected, in progress, won,
-- lost, assigned. Reports (time to claim, time to first contact) are computed from it.
CREATE TABLE lead_events (
    id          INTEGER PRIMARY KEY,
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    kind        TEXT    NOT NULL,
    actor_id    INTEGER REFERENCES users (id),  -- NULL: the bot itself (round-robin)
    payload     TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL
);
CREATE INDEX lead_events_by_lead ON lead_events (lead_id, id);
CREATE INDEX lead_events_by_kind ON lead_events (kind, created_at);

-- Every message that shows a lead (its card, a digest line, a private copy), so a claim or an
-- outcome is reflected everywhere the lead is visible.
CREATE TABLE lead_messages (
    lead_id     INTEGER NOT NULL REFERENCES leads (id),
    chat_id     INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('card', 'digest')),
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (lead_id, chat_id, message_id)
);
CREATE INDEX lead_messages_by_message ON lead_messages (chat_id, message_id);

-- Round-robin assignment (a suggestion: the assignee still claims) and the first contact time.
ALTER TABLE leads ADD COLUMN assigned_to INTEGER REFERENCES users (id);
ALTER TABLE leads ADD COLUMN first_contact_at TEXT;

CREATE TABLE shifts (
    manager_id  INTEGER PRIMARY KEY REFERENCES users (id),
    on_shift    INTEGER NOT NULL DEFAULT 0 CHECK (on_shift IN (0, 1)),
    changed_at  TEXT    NOT NULL
);

-- A group upgraded to a supergroup gets a new id; deliveries to the old one go to the new one.
CREATE TABLE chat_migrations (
    old_chat_id  INTEGER PRIMARY KEY,
    new_chat_id  INTEGER NOT NULL,
    migrated_at  TEXT    NOT NULL
);

-- Small facts the bot keeps between restarts: the next weekly digest, the round-robin turn.
CREATE TABLE bot_state (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
