-- 001_init: the core schema of tyndau (SQLite). Times are Unix seconds (UTC).

CREATE TABLE regions (
    kato     TEXT PRIMARY KEY,            -- 9-digit KATO code, e.g. '750000000'
    iso      TEXT,                        -- ISO 3166-2, e.g. 'KZ-75'
    name_kk  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('region', 'city'))
);

CREATE TABLE agencies (
    code     TEXT PRIMARY KEY,            -- [a-z0-9.-]{2,64}, e.g. 'almaty-city.roads'
    name_kk  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    region   TEXT REFERENCES regions(kato),   -- NULL: a central body
    parent   TEXT REFERENCES agencies(code),  -- the higher body (complaints, deemed refusal)
    active   INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE topics (
    code     TEXT PRIMARY KEY,            -- e.g. 'roads', 'water'
    name_kk  TEXT NOT NULL,
    name_ru  TEXT NOT NULL,
    name_en  TEXT NOT NULL,
    central_agency TEXT REFERENCES agencies(code)
);

-- topic x region -> agency; region NULL matches any region. Most specific wins.
CREATE TABLE routing_rules (
    id       INTEGER PRIMARY KEY,
    topic    TEXT NOT NULL REFERENCES topics(code),
    region   TEXT REFERENCES regions(kato),
    agency   TEXT NOT NULL REFERENCES agencies(code),
    UNIQUE (topic, region)
);

CREATE TABLE users (
    id        INTEGER PRIMARY KEY,
    login     TEXT NOT NULL UNIQUE,
    pwhash    TEXT NOT NULL,              -- argon2id string
    role      TEXT NOT NULL CHECK (role IN
              ('citizen', 'operator', 'official', 'supervisor', 'analyst', 'admin')),
    agency    TEXT REFERENCES agencies(code),
    name      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    disabled  INTEGER NOT NULL DEFAULT 0,
    CHECK (role NOT IN ('official', 'supervisor') OR agency IS NOT NULL)
);

CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,          -- sha256 of the 128-bit token
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    token_hash BLOB PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    label      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    n    INTEGER NOT NULL
);

CREATE TABLE appeals (
    id            INTEGER PRIMARY KEY,
    tracking_id   TEXT NOT NULL UNIQUE,
    secret_hash   BLOB NOT NULL,
    reg_number    TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    channel       TEXT NOT NULL,
    language      TEXT NOT NULL,
    region        TEXT NOT NULL REFERENCES regions(kato),
    topic         TEXT REFERENCES topics(code),
    agency        TEXT REFERENCES agencies(code),   -- NULL: operators' triage queue
    status        TEXT NOT NULL,
    text          TEXT NOT NULL,                    -- restricted: NFC original
    address       TEXT,
    lat           REAL,
    lon           REAL,
    contact_name  TEXT,
    contact_email TEXT,
    contact_phone TEXT,
    anonymous     INTEGER NOT NULL,
    consent       INTEGER NOT NULL,
    owner_user    INTEGER REFERENCES users(id),
    registered_by TEXT NOT NULL,                    -- body (and operator) that registered it
    filed_at      INTEGER NOT NULL,
    registered_at INTEGER NOT NULL,
    due_at        INTEGER,
    forward_due_at INTEGER,
    assignee      INTEGER REFERENCES users(id),
    rating        INTEGER CHECK (rating BETWEEN 1 AND 5),
    warned        INTEGER NOT NULL DEFAULT 0,
    overdue       INTEGER NOT NULL DEFAULT 0,
    extended      INTEGER NOT NULL DEFAULT 0,
    updated_at    INTEGER NOT NULL,
    closed_at     INTEGER,
    contact_iin   TEXT,
    last_hash     BLOB NOT NULL                     -- head of this appeal's event chain
);
-- The queue orders by due date with undated appeals last, as this expression says;
-- the index carries the same expression so the order comes from the index (the
-- operators' triage queue is its agency IS NULL part).
CREATE INDEX appeals_queue ON appeals (agency, COALESCE(due_at, 9223372036854775807), id)
    WHERE closed_at IS NULL;
CREATE INDEX appeals_due ON appeals (due_at) WHERE closed_at IS NULL;

-- Append-only, hash-chained per appeal: hash = sha256(prev_hash || canonical row).
CREATE TABLE appeal_events (
    id         INTEGER PRIMARY KEY,
    appeal_id  INTEGER NOT NULL REFERENCES appeals(id),
    seq        INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id   INTEGER,
    from_status TEXT,
    to_status  TEXT NOT NULL,
    agency     TEXT,
    reason     TEXT,
    due_at     INTEGER,
    prev_hash  BLOB NOT NULL,
    hash       BLOB NOT NULL,
    UNIQUE (appeal_id, seq)
);
CREATE TRIGGER appeal_events_no_update BEFORE UPDATE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;
CREATE TRIGGER appeal_events_no_delete BEFORE DELETE ON appeal_events
BEGIN SELECT RAISE(ABORT, 'appeal_events is append-only'); END;

CREATE TABLE answers (
    id         INTEGER PRIMARY KEY,
    appeal_id  INTEGER NOT NULL REFERENCES appeals(id),
    text       TEXT NOT NULL,
    language   TEXT NOT NULL,
    author_id  INTEGER REFERENCES users(id),
    at         INTEGER NOT NULL
);
CREATE INDEX answers_appeal ON answers (appeal_id, id);

-- Idempotency-Key -> the stored 201 response (kept 24 h).
CREATE TABLE idempotency (
    key        TEXT PRIMARY KEY,
    req_hash   BLOB NOT NULL,
    appeal_id  INTEGER NOT NULL REFERENCES appeals(id),
    response   TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- Fixed-window counters: key = 'ip:1.2.3.4:submit' or 'user:17:login'.
CREATE TABLE rate_limits (
    key        TEXT PRIMARY KEY,
    window     INTEGER NOT NULL,
    n          INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    user_id   INTEGER,
    action    TEXT NOT NULL,              -- 'read_pii', 'login', 'user_add', ...
    object    TEXT,
    detail    TEXT
);

-- Every committed change appends here in the same transaction; id = SSE event id.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL,              -- 'appeal.registered', 'appeal.answered', ...
    agency    TEXT,
    region    TEXT,
    appeal_id INTEGER,
    data      TEXT NOT NULL               -- redacted JSON
);

CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    channel   TEXT NOT NULL,              -- 'email', 'sms', 'webhook', 'supervisor'
    recipient TEXT,
    appeal_id INTEGER,
    body      TEXT NOT NULL,
    sent_at   INTEGER,
    attempts  INTEGER NOT NULL DEFAULT 0
);
