-- The first schema. Times are ISO-8601 UTC text ("2025-03-03T09:00:00.000000+00:00"), which
-- sorts chronologically as text. JSON columns hold UTF-8 JSON objects written by the bot.
-- Kept to SQL that PostgreSQL also accepts, apart from types SQLite treats loosely.

CREATE TABLE users (
    id          INTEGER PRIMARY KEY,            -- the Telegram user id
    name        TEXT    NOT NULL DEFAULT '',
    username    TEXT,
    language    TEXT CHECK (language IN ('ru', 'en')),  -- chosen in the bot; NULL follows Telegram
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);

CREATE TABLE user_roles (
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        TEXT    NOT NULL CHECK (role IN ('hunter', 'manager', 'admin')),
    granted_by  INTEGER REFERENCES users (id),  -- NULL: granted by the configuration (env ids)
    granted_at  TEXT    NOT NULL,
    PRIMARY KEY (user_id, role)
);
CREATE INDEX user_roles_by_role ON user_roles (role, user_id);

CREATE TABLE calls (
    id                 INTEGER PRIMARY KEY,
    hunter_id          INTEGER NOT NULL REFERENCES users (id),
    flow_id            TEXT    NOT NULL,
    flow_version       INTEGER NOT NULL,
    status             TEXT    NOT NULL DEFAULT 'open'
                               CHECK (status IN ('open', 'paused', 'finished')),
    outcome            TEXT,
    outcome_reason     TEXT,
    card               TEXT    NOT NULL DEFAULT '{}',
    chat_id            INTEGER NOT NULL,
    screen_message_id  INTEGER,
    started_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    finished_at        TEXT,
    CHECK ((status = 'finished') = (finished_at IS NOT NULL))
);
CREATE INDEX calls_by_hunter ON calls (hunter_id, status, updated_at);

-- Append-only: the answers are the truth; the step, the score and the card derive from them.
CREATE TABLE call_events (
    call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    kind        TEXT    NOT NULL,
    step        TEXT,
    payload     TEXT    NOT NULL DEFAULT '{}',
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (call_id, seq)
);
CREATE INDEX call_events_by_step ON call_events (step, kind);

-- The id is the visible reference (#L-123) in alerts, so rows are never deleted or reused.
CREATE TABLE leads (
    id                    INTEGER PRIMARY KEY,
    call_id               INTEGER NOT NULL UNIQUE REFERENCES calls (id),
    hunter_id             INTEGER NOT NULL REFERENCES users (id),
    flow_id               TEXT    NOT NULL,
    flow_version          INTEGER NOT NULL,
    score                 REAL    NOT NULL,
    temperature           TEXT    NOT NULL CHECK (temperature IN ('hot', 'warm', 'cold')),
    lead_class            TEXT    NOT NULL,
    probability           REAL    CHECK (probability >= 0 AND probability <= 1),
    expected_value        REAL,     -- an estimate from the scoring model, in `currency`
    currency              TEXT    NOT NULL,
    card                  TEXT    NOT NULL DEFAULT '{}',
    status                TEXT    NOT NULL DEFAULT 'new'
                                  CHECK (status IN ('new', 'claimed', 'in_progress', 'won',
                                                    'lost', 'rejected')),
    owner_id              INTEGER REFERENCES users (id),
    claimed_at            TEXT,
    outcome_amount_minor  INTEGER,  -- a won deal's amount in hundredths of `currency`: exact
    outcome_reason        TEXT,
    outcome_at            TEXT,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL,
    CHECK ((owner_id IS NULL) = (claimed_at IS NULL))
);
CREATE INDEX leads_by_status ON leads (status, created_at);
CREATE INDEX leads_by_owner ON leads (owner_id, status);
CREATE INDEX leads_by_hunter ON leads (hunter_id, created_at);

CREATE TABLE notes (
    id          INTEGER PRIMARY KEY,
    call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    text        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
);
CREATE INDEX notes_by_call ON notes (call_id, id);

CREATE TABLE reminders (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id),
    chat_id     INTEGER NOT NULL,
    call_id     INTEGER REFERENCES calls (id),
    due_at      TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending'
                        CHECK (status IN ('pending', 'sent', 'cancelled', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT    NOT NULL,
    sent_at     TEXT
);
CREATE INDEX reminders_due ON reminders (status, due_at);
CREATE INDEX reminders_by_user ON reminders (user_id, status, due_at);

-- Deliveries to Telegram (and later webhooks, CRMs) commit with the lead, then a relay sends them.
CREATE TABLE outbox (
    id               INTEGER PRIMARY KEY,
    lead_id          INTEGER NOT NULL REFERENCES leads (id),
    kind             TEXT    NOT NULL,
    chat_id          INTEGER NOT NULL,
    payload          TEXT    NOT NULL DEFAULT '{}',
    status           TEXT    NOT NULL DEFAULT 'pending'
                             CHECK (status IN ('pending', 'sent', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT    NOT NULL,
    last_error       TEXT,
    message_id       INTEGER,
    created_at       TEXT    NOT NULL,
    sent_at          TEXT,
    UNIQUE (lead_id, kind)
);
CREATE INDEX outbox_pending ON outbox (status, next_attempt_at);

-- aiogram FSM records. NULL cannot take part in a primary key, so "no thread" is 0 and
-- "no business connection" is ''.
CREATE TABLE fsm (
    bot_id                  INTEGER NOT NULL,
    chat_id                 INTEGER NOT NULL,
    user_id                 INTEGER NOT NULL,
    thread_id               INTEGER NOT NULL DEFAULT 0,
    business_connection_id  TEXT    NOT NULL DEFAULT '',
    destiny                 TEXT    NOT NULL,
    state                   TEXT,
    data                    TEXT    NOT NULL DEFAULT '{}',
    updated_at              TEXT    NOT NULL,
    PRIMARY KEY (bot_id, chat_id, user_id, thread_id, business_connection_id, destiny)
);
