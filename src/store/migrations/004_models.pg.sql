-- 004_models (PostgreSQL): what the router classifies with and what it decided.
--
-- models: versioned classifiers, one row per version of each kind ("topic",
-- "agency"). bytes is what classify_save() wrote (pipeline/classify.h);
-- source says what it was trained on, metrics is the JSON of its
-- cross-validation (accuracy, macro_f1, folds, n, classes). The newest
-- version of each kind is the one in effect; a running server picks up a
-- new one without a restart. The default topic model (version 1) is trained
-- from the generated seed corpus (pipeline/seed.h) when there is none.
--
-- keyword_rules: rules an administrator edits that override the model: an
-- appeal from region (NULL: any) whose text has keyword goes to topic (and
-- to agency when given); the first by position wins.
--
-- appeals gain what routing decided at registration: routed_by ('citizen':
-- the citizen chose the topic, 'rule', 'model', 'operator': set at triage;
-- NULL: waiting in the operators' triage queue), the model's topic and agency
-- (its opinion is kept even when the citizen chose), their probabilities,
-- and the model versions used (NULL: no model).

CREATE TABLE models (
    id         BIGSERIAL PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('topic', 'agency')),
    version    BIGINT NOT NULL CHECK (version >= 1),
    created_at BIGINT NOT NULL,
    source     TEXT NOT NULL,
    metrics    TEXT NOT NULL,             -- JSON object
    bytes      BYTEA NOT NULL,
    UNIQUE (kind, version)
);

CREATE TABLE keyword_rules (
    id         BIGSERIAL PRIMARY KEY,
    position   BIGINT NOT NULL UNIQUE,   -- 1, 2, ...: the first match wins
    keyword    TEXT NOT NULL,
    region     TEXT REFERENCES regions(kato),
    topic      TEXT NOT NULL REFERENCES topics(code),
    agency     TEXT REFERENCES agencies(code),
    created_by TEXT NOT NULL,             -- login of the administrator
    created_at BIGINT NOT NULL
);

ALTER TABLE appeals ADD COLUMN routed_by TEXT
    CHECK (routed_by IN ('citizen', 'rule', 'model', 'operator'));
ALTER TABLE appeals ADD COLUMN model_topic TEXT;
ALTER TABLE appeals ADD COLUMN model_agency TEXT;
ALTER TABLE appeals ADD COLUMN topic_confidence DOUBLE PRECISION;
ALTER TABLE appeals ADD COLUMN agency_confidence DOUBLE PRECISION;
ALTER TABLE appeals ADD COLUMN model_version BIGINT;
ALTER TABLE appeals ADD COLUMN agency_model_version BIGINT;
