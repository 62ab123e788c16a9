/*
 * store.h - the one door to the database. Backends implement struct store_ops
 * (store_sqlite_ops, store_pg_ops). Writes run as jobs on the store's writer:
 * jobs are committed in groups (one fsync for many) and a job's done callback
 * runs only after its group is durable. Reads use their own connections.
 *
 * Strings in records returned by reads live in the arena passed in.
 * Errors: ERR_STORE (driver failed; store_errmsg() has its text, never logged
 * here), ERR_NOTFOUND, ERR_CONFLICT (unique key), ERR_UNAVAILABLE (closing, or
 * the database server cannot be reached).
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "domain/appeal.h"
#include "domain/user.h"

struct store;    /* opaque; see store_int.h */
struct store_tx; /* a write transaction inside the writer (opaque) */

struct store_opts {
    int busy_timeout_ms; /* SQLite busy_timeout; PostgreSQL lock_timeout */
    int group_max;       /* most jobs per commit */
    int readers;         /* read connections (PostgreSQL: plus one for the writer) */
};

/* Open dsn ("sqlite:PATH", "sqlite::memory:", or a libpq URI
 * "postgresql://..." / "postgres://..."). Caller owns *out. */
enum err store_open(const char *dsn, const struct store_opts *o, struct store **out);
/* Drain the writer, then close. Accepts NULL. */
void store_close(struct store *s);
/* The driver's last error text (thread-local copy); never NULL. With s NULL:
 * why the last store_open() on this thread failed. */
const char *store_errmsg(struct store *s);
/* Apply every migration not yet applied; *applied counts them. */
enum err store_migrate(struct store *s, int *applied);
/* Is the store answering? */
enum err store_ping(struct store *s);

/* ---- live events ---- */
/* One row of the events table: a committed change as the live stream
 * publishes it (data is redacted JSON). */
struct store_event {
    int64_t id; /* increasing in commit order */
    int64_t at;
    const char *kind;   /* "appeal.registered", ... */
    const char *agency; /* NULL: none */
    const char *region; /* NULL: none */
    int64_t appeal_id;  /* 0: none */
    const char *data;
};
/* Called on the writer thread after each durable commit with the events the
 * group's successful jobs appended, oldest first (never for a rolled-back
 * job or a failed commit). Everything is borrowed for the call. It must not
 * block and must not queue store writes and wait for them. */
typedef void (*store_event_sink_fn)(const struct store_event *evs, size_t n, void *arg);
/* Install the sink (NULL: none). Call it before the first write. */
void store_set_event_sink(struct store *s, store_event_sink_fn fn, void *arg);
/* Events with after < id <= upto (upto < 0: no upper bound), oldest first,
 * at most limit; strings in a. */
enum err store_stream_since(struct store *s, struct arena *a, int64_t after, int64_t upto,
                            size_t limit, struct store_event **rows, size_t *count);
/* The newest event id; 0 when there is none. */
enum err store_stream_last_id(struct store *s, int64_t *id);

/* ---- writes ---- */
typedef enum err (*store_job_fn)(struct store_tx *tx, void *arg);
typedef void (*store_done_fn)(enum err e, void *arg);
/* Queue fn for the next group. fn runs on the writer thread inside a
 * savepoint: if it returns an error its changes are undone and the rest of
 * the group commits. done(e, arg) runs on the writer thread after the commit
 * is durable (e = fn's result, or ERR_STORE if the commit failed). Returns
 * ERR_UNAVAILABLE (and never calls done) when the store is closing. */
enum err store_write_async(struct store *s, store_job_fn fn, store_done_fn done, void *arg);
/* Run fn and wait for its durable commit. */
enum err store_write(struct store *s, store_job_fn fn, void *arg);

/* Inside a job. Arena a for returned strings. */
enum err store_tx_counter_next(struct store_tx *tx, const char *name, int64_t *n);
/* Insert ap (id ignored) with secret hash; sets ap->id. ERR_CONFLICT on a duplicate tracking id. */
enum err store_tx_appeal_insert(struct store_tx *tx, struct appeal *ap,
                                const unsigned char secret_hash[32]);
/* Update the mutable columns of ap (status, topic, agency, due dates, assignee,
 * rating, flags, updated_at, closed_at) by id. */
enum err store_tx_appeal_update(struct store_tx *tx, const struct appeal *ap);
enum err store_tx_appeal_get(struct store_tx *tx, struct arena *a, const char *tracking_id,
                             struct appeal *ap);
/* Append ev to the appeal's hash chain (sets ev->seq, ev->id, ev->hash). */
enum err store_tx_event_append(struct store_tx *tx, int64_t appeal_id, struct appeal_event *ev);
enum err store_tx_answer_insert(struct store_tx *tx, int64_t appeal_id, const char *text,
                                const char *language, int64_t author, int64_t at);
/* Idempotency: ERR_NOTFOUND if key is new; else *response (in a) and whether the
 * request hash matches. */
enum err store_tx_idem_get(struct store_tx *tx, struct arena *a, const char *key,
                           const unsigned char req_hash[32], bool *same, char **response);
enum err store_tx_idem_put(struct store_tx *tx, const char *key, const unsigned char req_hash[32],
                           int64_t appeal_id, const char *response, int64_t now);
/* Count one hit on key in the fixed window starting at window; ERR_RATE when
 * the count would pass limit (the hit is not counted then). */
enum err store_tx_rate_hit(struct store_tx *tx, const char *key, int64_t window, int64_t limit);
enum err store_tx_audit(struct store_tx *tx, int64_t at, int64_t user, const char *action,
                        const char *object, const char *detail);
/* Append a live event (redacted JSON); sets *id. */
enum err store_tx_stream_event(struct store_tx *tx, int64_t at, const char *kind,
                               const char *agency, const char *region, int64_t appeal_id,
                               const char *json, int64_t *id);
enum err store_tx_outbox(struct store_tx *tx, int64_t at, const char *channel,
                         const char *recipient, int64_t appeal_id, const char *body);
/* Mark outbox row id sent at now (a row already sent keeps its first time). */
enum err store_tx_outbox_sent(struct store_tx *tx, int64_t id, int64_t now);
enum err store_tx_user_insert(struct store_tx *tx, const struct user *u, const char *pwhash,
                              int64_t now, int64_t *id);
enum err store_tx_session_insert(struct store_tx *tx, const unsigned char token_hash[32],
                                 int64_t user, const char *csrf, int64_t now, int64_t expires);
enum err store_tx_session_delete(struct store_tx *tx, const unsigned char token_hash[32]);
enum err store_tx_token_insert(struct store_tx *tx, const unsigned char token_hash[32],
                               int64_t user, const char *label, int64_t now);
enum err store_tx_rule_upsert(struct store_tx *tx, const char *topic, const char *region,
                              const char *agency);
/* Remove expired sessions, idempotency keys and old rate windows. */
enum err store_tx_purge(struct store_tx *tx, int64_t now);

/* ---- reads ---- */
enum err store_appeal_get(struct store *s, struct arena *a, const char *tracking_id,
                          struct appeal *ap, unsigned char secret_hash[32]);
/* The timeline, oldest first. */
enum err store_events_list(struct store *s, struct arena *a, int64_t appeal_id,
                           struct appeal_event **evs, size_t *count);
struct answer_row {
    int64_t id;
    const char *text;
    const char *language;
    int64_t author;
    int64_t at;
};
enum err store_answers_list(struct store *s, struct arena *a, int64_t appeal_id,
                            struct answer_row **rows, size_t *count);

struct queue_query {
    const char *agency; /* NULL: the triage queue (no agency) */
    int status;         /* -1 any open, else enum appeal_status */
    const char *topic;  /* NULL any */
    const char *region; /* NULL any */
    bool overdue_only;
    int64_t now;
    size_t limit;
    bool has_cursor; /* continue after (cursor_due, cursor_id); INT64_MAX: no due date */
    int64_t cursor_due;
    int64_t cursor_id;
};
/* Up to q->limit appeals by due date then id; *more says whether more follow. */
enum err store_queue(struct store *s, struct arena *a, const struct queue_query *q,
                     struct appeal **rows, size_t *count, bool *more);

/* The public list of answered appeals: answered or closed, with their latest
 * answer, newest answer first. Text is as stored (the app redacts it). */
struct answered_query {
    const char *region; /* NULL any */
    const char *topic;  /* NULL any */
    size_t limit;
    bool has_cursor; /* continue after (cursor_at, cursor_id) of the answer */
    int64_t cursor_at;
    int64_t cursor_id;
};
struct answered_row {
    int64_t answer_id;
    const char *reg_number;
    enum appeal_kind kind;
    enum appeal_language language;
    const char *region, *topic, *agency;
    const char *text;
    int64_t filed_at; /* when the citizen filed it */
    const char *answer, *answer_language;
    int64_t answered_at;
    int rating; /* 0: not rated */
};
/* Up to q->limit rows; *more says whether more follow. */
enum err store_answered(struct store *s, struct arena *a, const struct answered_query *q,
                        struct answered_row **rows, size_t *count, bool *more);

/* One queued outbox message. */
struct outbox_row {
    int64_t id, at, appeal_id;
    const char *channel, *recipient, *body;
};
/* Unsent outbox rows of channel, oldest first, at most limit; strings in a. */
enum err store_outbox_pending(struct store *s, struct arena *a, const char *channel, size_t limit,
                              struct outbox_row **rows, size_t *count);

/* Open appeals whose due_at <= until and whose flag (warned/overdue) is unset. */
enum err store_due_scan(struct store *s, struct arena *a, int64_t until, bool overdue, size_t limit,
                        struct appeal **rows, size_t *count);

/* Accounts. *pwhash in a. ERR_NOTFOUND if absent. */
enum err store_user_by_login(struct store *s, struct arena *a, const char *login, struct user *u,
                             char **pwhash);
enum err store_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *u);
/* The officials and supervisors of agency who are not disabled, by name
 * then login, at most limit; strings in a. */
enum err store_agency_staff(struct store *s, struct arena *a, const char *agency, size_t limit,
                            struct user **rows, size_t *count);
enum err store_session_lookup(struct store *s, struct arena *a, const unsigned char hash[32],
                              int64_t now, struct user *u, char **csrf);
enum err store_token_lookup(struct store *s, struct arena *a, const unsigned char hash[32],
                            struct user *u);

/* Reference data, all rows. */
struct ref_region {
    const char *kato, *iso, *name_kk, *name_ru, *name_en, *kind;
};
struct ref_agency {
    const char *code, *name_kk, *name_ru, *name_en, *region, *parent;
};
struct ref_topic {
    const char *code, *name_kk, *name_ru, *name_en, *central_agency;
};
struct ref_rule {
    int64_t id;
    const char *topic, *region, *agency;
};
struct ref_calendar_day {
    const char *day, *kind, *name;
};
struct ref_data {
    struct ref_region *regions;
    size_t regions_count;
    struct ref_agency *agencies;
    size_t agencies_count;
    struct ref_topic *topics;
    size_t topics_count;
    struct ref_rule *rules;
    size_t rules_count;
    struct ref_calendar_day *days;
    size_t days_count;
};
enum err store_ref_load(struct store *s, struct arena *a, struct ref_data *out);

/* Verify every appeal's event chain; *bad counts broken appeals. */
enum err store_chain_verify(struct store *s, int64_t *checked, int64_t *bad);
/* Counts for /metrics and the demo: appeals total and open. */
enum err store_counts(struct store *s, int64_t *total, int64_t *open, int64_t *overdue);

/* ---- dashboard statistics ---- */
enum {
    STORE_STATS_DAYS_MAX = 366, /* days one statistics read may cover */
    STORE_STATS_TOPICS = 10     /* topics in the top list */
};
/* The scope and the window of one statistics read. Days are Almaty days at
 * utc_offset (Kazakhstan keeps one offset the year round). */
struct stats_query {
    const char *agency; /* NULL: every agency */
    const char *region; /* NULL: every region */
    int64_t now;
    int64_t today;      /* the instant the current day began */
    int64_t since;      /* the instant the window's first day began */
    int32_t days;       /* days in the window, today included: 1..STORE_STATS_DAYS_MAX */
    int32_t utc_offset; /* seconds east of UTC */
};
struct stats_topic {
    const char *topic; /* topic code */
    int64_t count;     /* appeals received in the window */
};
struct stats_region {
    const char *kato;
    int64_t received; /* in the window */
    int64_t open;     /* awaiting an answer now */
    int64_t overdue;  /* awaiting an answer past the due date now */
};
/* Received counts appeals by when the citizen filed them (registration may
 * come on the next working day). Open means awaiting an answer (registered,
 * forwarded, in review, extended, reopened); overdue, open with the due date
 * passed. An appeal is answered in the window when its first answer falls in
 * it; on time when that answer came no later than the due date then in
 * force; its time to answer runs from filing. Strings and arrays in a. */
struct store_stats {
    int64_t received_today, open, overdue;
    int64_t answered, answered_on_time;            /* first answers in the window */
    double median_answer_hours;                    /* filing to first answer; -1: none */
    int64_t *per_day;                              /* q->days counts, oldest first, by filing day */
    struct stats_topic topics[STORE_STATS_TOPICS]; /* most appeals first, then by code */
    size_t topics_count;
    struct stats_region *regions; /* regions with an appeal in scope, by KATO code */
    size_t regions_count;
};
/* Statistics for q. ERR_INVALID when q->days is out of range. */
enum err store_stats(struct store *s, struct arena *a, const struct stats_query *q,
                     struct store_stats *out);

/* ---- opinion: calibration tables and stance records ---- */
/* One version of a calibration table: the CSV it was loaded from. */
struct calib_table {
    int64_t id;
    const char *name;     /* [a-z0-9_]{1,64} */
    const char *kind;     /* "margins" or "channels" */
    int64_t version;      /* 1, 2, ... per name */
    double total;         /* margins: the population; channels: 1 */
    const char *ref_date; /* the latest reference date of its rows */
    const char *body;     /* the CSV, NUL-terminated; NULL in lists */
    size_t body_len;
    int64_t loaded_at;
};
/* Add t as the next version of t->name (t->version and t->id are set).
 * ERR_CONFLICT if the latest version has the same kind and body. */
enum err store_tx_calibration_insert(struct store_tx *tx, struct calib_table *t);
/* The latest version of each table (every version when all), by name and
 * version, without bodies. */
enum err store_calibration_list(struct store *s, struct arena *a, bool all,
                                struct calib_table **rows, size_t *count);
/* Table name at version (0: the latest), with its body. ERR_NOTFOUND. */
enum err store_calibration_get(struct store *s, struct arena *a, const char *name, int64_t version,
                               struct calib_table *out);

/* A stance-labelled author record (opinion_stances in 005_calibration). */
struct stance_row {
    int64_t id;
    const char *source, *author_hash, *topic, *region, *sex, *age, *urban;
    int stance; /* 0 or 1 */
    int64_t at;
    double bot; /* bot score in [0, 1], or -1 when none was given */
    bool synthetic;
};
enum err store_tx_stance_insert(struct store_tx *tx, const struct stance_row *r);
struct stance_query {
    const char *topic;   /* required */
    int64_t from, to;    /* at in [from, to) */
    const char *sources; /* NULL: any; else ",vk,ok," (comma-wrapped list) */
    const char *region;  /* NULL: any */
    size_t limit;        /* most rows read; more is ERR_TOOBIG */
};
/* Records matching q, oldest first (then by id). ERR_TOOBIG when more than
 * q->limit match (nothing is returned then). */
enum err store_stance_list(struct store *s, struct arena *a, const struct stance_query *q,
                           struct stance_row **rows, size_t *count);
/* Remove the synthetic records (the demo's); *removed counts them. */
enum err store_tx_stance_purge_synthetic(struct store_tx *tx, int64_t *removed);

/* ---- router: models, keyword rules, routing decisions (004_models) ---- */
enum { STORE_MODEL_BYTES_MAX = 1 << 28 }; /* one model's bytes */
/* One version of a classifier. */
struct model_row {
    int64_t id;
    const char *kind; /* "topic" or "agency" */
    int64_t version;  /* 1, 2, ... per kind */
    int64_t created_at;
    const char *source;  /* what it was trained on */
    const char *metrics; /* JSON object */
    const void *bytes;   /* classify_save()'s; NULL in lists */
    size_t bytes_len;
};
/* Add m as the next version of m->kind (sets m->version and m->id).
 * ERR_INVALID for another kind or empty bytes, ERR_TOOBIG past
 * STORE_MODEL_BYTES_MAX. */
enum err store_tx_model_insert(struct store_tx *tx, struct model_row *m);
/* kind at version (0: the newest), with its bytes. ERR_NOTFOUND. */
enum err store_model_get(struct store *s, struct arena *a, const char *kind, int64_t version,
                         struct model_row *out);
/* The newest version of kind; 0 when there is none. */
enum err store_model_latest(struct store *s, const char *kind, int64_t *version);
/* Every version of every kind, without bytes, by kind then version. */
enum err store_model_list(struct store *s, struct arena *a, struct model_row **rows, size_t *count);

enum { STORE_KEYWORD_RULES_MAX = 10000 };
struct keyword_rule_row {
    const char *keyword;
    const char *region; /* NULL: any */
    const char *topic;
    const char *agency; /* NULL: by the routing table */
    const char *created_by;
    int64_t created_at;
};
/* Replace every keyword rule by rules[0..n) in this order (their created_by
 * and created_at are used as given). ERR_TOOBIG past STORE_KEYWORD_RULES_MAX. */
enum err store_tx_keyword_rules_replace(struct store_tx *tx, const struct keyword_rule_row *rules,
                                        size_t n);
/* The keyword rules in order. */
enum err store_keyword_rules(struct store *s, struct arena *a, struct keyword_rule_row **rows,
                             size_t *count);

/* Record what routing decided for appeal id; a NULL string or a 0 version
 * in r keeps what the appeal has (so triage can set routed_by alone). */
enum err store_tx_appeal_routing(struct store_tx *tx, int64_t appeal_id,
                                 const struct appeal_routing *r);
/* Officials' corrections as training examples: for "topic", the text and
 * topic of each appeal an operator routed at triage; for "agency", the text
 * and agency of each appeal routed at triage or forwarded. At most limit,
 * newest first; ERR_INVALID for another kind. */
struct correction_row {
    const char *text;
    const char *label;
};
enum err store_corrections(struct store *s, struct arena *a, const char *kind, size_t limit,
                           struct correction_row **rows, size_t *count);

/* ---- clusters of near-duplicate appeals (006_clusters) ---- */
enum { STORE_CLUSTER_PAGE_MAX = 1000 }; /* rows of one list or history read */
/* A cluster, named by the id of its first appeal. */
struct cluster_row {
    int64_t id;
    const char *topic;  /* NULL: none */
    const char *region; /* KATO code */
    const char *agency; /* of its first appeal; NULL: triage */
    int64_t representative;
    const char *rep_text; /* the representative's text, personal data redacted */
    int64_t count;
    int64_t first_seen, last_seen;
    bool open;
    int64_t answered_at; /* 0: not answered */
    int64_t answered_count;
};
/* Start cluster c->id (the id of its first appeal, which goes into it;
 * count 1). ERR_CONFLICT if it exists, ERR_NOTFOUND if the appeal does not. */
enum err store_tx_cluster_insert(struct store_tx *tx, const struct cluster_row *c);
/* Put appeal_id (filed at `at`) into the open cluster id: count + 1,
 * last_seen, and the representative with its redacted text; *count the new
 * count. ERR_NOTFOUND if there is no such open cluster or appeal. */
enum err store_tx_cluster_join(struct store_tx *tx, int64_t id, int64_t appeal_id, int64_t at,
                               int64_t representative, const char *rep_text, int64_t *count);
/* Close cluster id, answered at `at` by an answer that reached n appeals.
 * ERR_NOTFOUND if there is no such open cluster. */
enum err store_tx_cluster_close(struct store_tx *tx, int64_t id, int64_t at, int64_t n);
/* Cluster id as the job sees it; strings in a. ERR_NOTFOUND. */
enum err store_tx_cluster_get(struct store_tx *tx, struct arena *a, int64_t id,
                              struct cluster_row *out);
/* Tracking ids (in a) of the appeals of cluster id still awaiting an answer
 * (neither answered nor closed) that are with agency (NULL: any), oldest
 * first, at most limit; ERR_TOOBIG if there are more (nothing is returned
 * then). */
enum err store_tx_cluster_members(struct store_tx *tx, struct arena *a, int64_t id,
                                  const char *agency, size_t limit, const char ***tracking,
                                  size_t *count);
/* What refilling the near-duplicate index needs of one appeal. */
struct cluster_history_row {
    int64_t id;
    const char *text, *address, *topic, *region; /* text is the restricted original */
    bool has_location;
    double lat, lon;
    int64_t filed_at;
    int64_t cluster_id; /* 0: none */
    bool cluster_open;
};
/* Appeals with id > after that were filed at or after since or are the
 * first of a cluster still open and last seen since then, oldest first, at
 * most limit (1..STORE_CLUSTER_PAGE_MAX, else ERR_TOOBIG); strings in a.
 * Inside a job: it sees the group's uncommitted appeals too. */
enum err store_tx_cluster_history(struct store_tx *tx, struct arena *a, int64_t since,
                                  int64_t after, size_t limit, struct cluster_history_row **rows,
                                  size_t *count);
/* The text of appeal id (the restricted original), in a. ERR_NOTFOUND. */
enum err store_tx_appeal_text(struct store_tx *tx, struct arena *a, int64_t id, const char **text);
/* Cluster id; strings in a. With agency set, only a cluster holding an
 * appeal of that agency (else ERR_NOTFOUND, as for none). */
enum err store_cluster_get(struct store *s, struct arena *a, int64_t id, const char *agency,
                           struct cluster_row *out);
struct cluster_query {
    const char *region; /* NULL: any */
    const char *topic;  /* NULL: any */
    const char *agency; /* NULL: any; else clusters with an appeal of that agency */
    int open;           /* -1 any, 0 closed, 1 open */
    size_t limit;       /* 1..STORE_CLUSTER_PAGE_MAX, else ERR_TOOBIG */
    bool has_cursor;    /* continue after (cursor_last, cursor_id) */
    int64_t cursor_last, cursor_id;
};
/* Clusters matching q, last seen first (then by id, newest first); *more
 * says whether more follow. Strings in a. */
enum err store_cluster_list(struct store *s, struct arena *a, const struct cluster_query *q,
                            struct cluster_row **rows, size_t *count, bool *more);
/* The cluster of appeal appeal_id and its count now. ERR_NOTFOUND if the
 * appeal is in none. */
enum err store_appeal_cluster(struct store *s, int64_t appeal_id, int64_t *cluster_id,
                              int64_t *count);

#endif
