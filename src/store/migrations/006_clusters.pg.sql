-- 006_clusters (PostgreSQL): near-duplicate appeals grouped into clusters
-- (pipeline/dedupe.h), so that one answer can go to all of them.
--
-- clusters: one row per cluster, named by the id of its first appeal. topic,
-- region and agency are the first appeal's. representative is the appeal
-- whose text is most like the others' and rep_text that text with personal
-- data replaced (text/redact.h): it is shown to staff and in live events,
-- never the original. count is the appeals in it, first_seen and last_seen
-- their earliest and latest filing times. An official who answers the
-- cluster closes it (open = false): answered_at is when, answered_count how many
-- of its appeals that answer reached; later near-duplicates start a new
-- cluster. Each appeal keeps its own record, events and deadline.
--
-- appeals.cluster_id: the cluster an appeal was put in at registration.

CREATE TABLE clusters (
    id             BIGINT PRIMARY KEY REFERENCES appeals(id),
    topic          TEXT REFERENCES topics(code),
    region         TEXT NOT NULL REFERENCES regions(kato),
    agency         TEXT REFERENCES agencies(code),
    representative BIGINT NOT NULL REFERENCES appeals(id),
    rep_text       TEXT NOT NULL,
    count          BIGINT NOT NULL CHECK (count >= 1),
    first_seen     BIGINT NOT NULL,
    last_seen      BIGINT NOT NULL CHECK (last_seen >= first_seen),
    open           BOOLEAN NOT NULL DEFAULT TRUE,
    answered_at    BIGINT,
    answered_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX clusters_list ON clusters (open, last_seen DESC, id DESC);

ALTER TABLE appeals ADD COLUMN cluster_id BIGINT REFERENCES clusters(id);
CREATE INDEX appeals_cluster ON appeals (cluster_id) WHERE cluster_id IS NOT NULL;
CREATE INDEX appeals_filed ON appeals (filed_at);
