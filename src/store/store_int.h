/*
 * store_int.h - what the files of the store module share: struct store,
 * struct store_tx and struct store_ops, one constant per backend.
 */
#ifndef STORE_STORE_INT_H
#define STORE_STORE_INT_H

#include <pthread.h>

#include "store/store.h"

struct store_ops {
    const char *scheme; /* "sqlite", "postgresql" */
    enum err (*open)(struct store *s, const char *path, const struct store_opts *o);
    void (*close)(struct store *s);
    const char *(*errmsg)(struct store *s);
    /* Make msg this thread's error text: store_write() hands the writer's
     * text for a failed job to the thread that waited for it. */
    void (*errmsg_set)(struct store *s, const char *msg);
    enum err (*migrate)(struct store *s, int *applied);
    enum err (*ping)(struct store *s);
    enum err (*write_async)(struct store *s, store_job_fn fn, store_done_fn done, void *arg);

    enum err (*tx_counter_next)(struct store_tx *tx, const char *name, int64_t *n);
    enum err (*tx_appeal_insert)(struct store_tx *tx, struct appeal *ap, const unsigned char h[32]);
    enum err (*tx_appeal_update)(struct store_tx *tx, const struct appeal *ap);
    enum err (*tx_appeal_get)(struct store_tx *tx, struct arena *a, const char *tracking,
                              struct appeal *ap);
    enum err (*tx_event_append)(struct store_tx *tx, int64_t appeal_id, struct appeal_event *ev);
    enum err (*tx_answer_insert)(struct store_tx *tx, int64_t appeal_id, const char *text,
                                 const char *language, int64_t author, int64_t at);
    enum err (*tx_idem_get)(struct store_tx *tx, struct arena *a, const char *key,
                            const unsigned char h[32], bool *same, char **response);
    enum err (*tx_idem_put)(struct store_tx *tx, const char *key, const unsigned char h[32],
                            int64_t appeal_id, const char *response, int64_t now);
    enum err (*tx_rate_hit)(struct store_tx *tx, const char *key, int64_t window, int64_t limit);
    enum err (*tx_audit)(struct store_tx *tx, int64_t at, int64_t user, const char *action,
                         const char *object, const char *detail);
    enum err (*tx_stream_event)(struct store_tx *tx, int64_t at, const char *kind,
                                const char *agency, const char *region, int64_t appeal_id,
                                const char *json, int64_t *id);
    enum err (*tx_outbox)(struct store_tx *tx, int64_t at, const char *channel,
                          const char *recipient, int64_t appeal_id, const char *body);
    enum err (*tx_outbox_sent)(struct store_tx *tx, int64_t id, int64_t now);
    enum err (*tx_user_insert)(struct store_tx *tx, const struct user *u, const char *pwhash,
                               int64_t now, int64_t *id);
    enum err (*tx_session_insert)(struct store_tx *tx, const unsigned char h[32], int64_t user,
                                  const char *csrf, int64_t now, int64_t expires);
    enum err (*tx_session_delete)(struct store_tx *tx, const unsigned char h[32]);
    enum err (*tx_token_insert)(struct store_tx *tx, const unsigned char h[32], int64_t user,
                                const char *label, int64_t now);
    enum err (*tx_rule_upsert)(struct store_tx *tx, const char *topic, const char *region,
                               const char *agency);
    enum err (*tx_purge)(struct store_tx *tx, int64_t now);

    enum err (*appeal_get)(struct store *s, struct arena *a, const char *tracking,
                           struct appeal *ap, unsigned char secret_hash[32]);
    enum err (*events_list)(struct store *s, struct arena *a, int64_t appeal_id,
                            struct appeal_event **evs, size_t *count);
    enum err (*stream_since)(struct store *s, struct arena *a, int64_t after, int64_t upto,
                             size_t limit, struct store_event **rows, size_t *count);
    enum err (*stream_last_id)(struct store *s, int64_t *id);
    enum err (*answers_list)(struct store *s, struct arena *a, int64_t appeal_id,
                             struct answer_row **rows, size_t *count);
    enum err (*queue)(struct store *s, struct arena *a, const struct queue_query *q,
                      struct appeal **rows, size_t *count, bool *more);
    enum err (*answered)(struct store *s, struct arena *a, const struct answered_query *q,
                         struct answered_row **rows, size_t *count, bool *more);
    enum err (*outbox_pending)(struct store *s, struct arena *a, const char *channel, size_t limit,
                               struct outbox_row **rows, size_t *count);
    enum err (*due_scan)(struct store *s, struct arena *a, int64_t until, bool overdue,
                         size_t limit, struct appeal **rows, size_t *count);
    enum err (*user_by_login)(struct store *s, struct arena *a, const char *login, struct user *u,
                              char **pwhash);
    enum err (*agency_staff)(struct store *s, struct arena *a, const char *agency, size_t limit,
                             struct user **rows, size_t *count);
    enum err (*user_by_id)(struct store *s, struct arena *a, int64_t id, struct user *u);
    enum err (*session_lookup)(struct store *s, struct arena *a, const unsigned char h[32],
                               int64_t now, struct user *u, char **csrf);
    enum err (*token_lookup)(struct store *s, struct arena *a, const unsigned char h[32],
                             struct user *u);
    enum err (*ref_load)(struct store *s, struct arena *a, struct ref_data *out);
    enum err (*chain_verify)(struct store *s, int64_t *checked, int64_t *bad);
    enum err (*counts)(struct store *s, int64_t *total, int64_t *open, int64_t *overdue);
    enum err (*stats)(struct store *s, struct arena *a, const struct stats_query *q,
                      struct store_stats *out);
    /* opinion (005_calibration) */
    enum err (*tx_calibration_insert)(struct store_tx *tx, struct calib_table *t);
    enum err (*calibration_list)(struct store *s, struct arena *a, bool all,
                                 struct calib_table **rows, size_t *count);
    enum err (*calibration_get)(struct store *s, struct arena *a, const char *name, int64_t version,
                                struct calib_table *out);
    enum err (*tx_stance_insert)(struct store_tx *tx, const struct stance_row *r);
    enum err (*stance_list)(struct store *s, struct arena *a, const struct stance_query *q,
                            struct stance_row **rows, size_t *count);
    enum err (*tx_stance_purge_synthetic)(struct store_tx *tx, int64_t *removed);
    /* router (004_models) */
    enum err (*tx_model_insert)(struct store_tx *tx, struct model_row *m);
    enum err (*model_get)(struct store *s, struct arena *a, const char *kind, int64_t version,
                          struct model_row *out);
    enum err (*model_latest)(struct store *s, const char *kind, int64_t *version);
    enum err (*model_list)(struct store *s, struct arena *a, struct model_row **rows,
                           size_t *count);
    enum err (*tx_keyword_rules_replace)(struct store_tx *tx, const struct keyword_rule_row *rules,
                                         size_t n);
    enum err (*keyword_rules)(struct store *s, struct arena *a, struct keyword_rule_row **rows,
                              size_t *count);
    enum err (*tx_appeal_routing)(struct store_tx *tx, int64_t appeal_id,
                                  const struct appeal_routing *r);
    enum err (*corrections)(struct store *s, struct arena *a, const char *kind, size_t limit,
                            struct correction_row **rows, size_t *count);
    /* clusters (006_clusters) */
    enum err (*tx_cluster_insert)(struct store_tx *tx, const struct cluster_row *c);
    enum err (*tx_cluster_join)(struct store_tx *tx, int64_t id, int64_t appeal_id, int64_t at,
                                int64_t representative, const char *rep_text, int64_t *count);
    enum err (*tx_cluster_close)(struct store_tx *tx, int64_t id, int64_t at, int64_t n);
    enum err (*tx_cluster_get)(struct store_tx *tx, struct arena *a, int64_t id,
                               struct cluster_row *out);
    enum err (*tx_cluster_members)(struct store_tx *tx, struct arena *a, int64_t id,
                                   const char *agency, size_t limit, const char ***tracking,
                                   size_t *count);
    enum err (*tx_cluster_history)(struct store_tx *tx, struct arena *a, int64_t since,
                                   int64_t after, size_t limit, struct cluster_history_row **rows,
                                   size_t *count);
    enum err (*tx_appeal_text)(struct store_tx *tx, struct arena *a, int64_t id, const char **text);
    enum err (*cluster_get)(struct store *s, struct arena *a, int64_t id, const char *agency,
                            struct cluster_row *out);
    enum err (*cluster_list)(struct store *s, struct arena *a, const struct cluster_query *q,
                             struct cluster_row **rows, size_t *count, bool *more);
    enum err (*appeal_cluster)(struct store *s, int64_t appeal_id, int64_t *cluster_id,
                               int64_t *count);
};

struct store {
    const struct store_ops *ops;
    void *impl; /* the backend's state */
    store_event_sink_fn sink;
    void *sink_arg;
};

/* A live event appended in the open transaction, waiting for its commit. */
struct store__pending {
    struct store_event ev; /* strings point into the same allocation */
    struct store__pending *next;
};

struct store_tx {
    struct store *s;
    void *impl;                               /* the backend's connection inside the writer */
    struct store__pending *pend, **pend_tail; /* in id order; only with a sink */
};

/* The writers call these around each job and after each commit, so that the
 * sink hears of exactly the events that became durable. */
struct store__pending **store__tx_mark(struct store_tx *tx);
/* Forget the events appended since mark (the job was rolled back). */
void store__tx_rewind(struct store_tx *tx, struct store__pending **mark);
/* Hand the pending events to the sink if committed, then forget them. */
void store__tx_flush(struct store_tx *tx, bool committed);

extern const struct store_ops store_sqlite_ops, store_pg_ops;

/* One queued write job; e is fn's result. */
struct store__job {
    store_job_fn fn;
    store_done_fn done;
    void *arg;
    enum err e;
    struct store__job *next;
};

/* The writer's queue, the same for every backend. */
struct store__jobq {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct store__job *head, *tail; /* guarded by mu */
    bool closing;                   /* guarded by mu */
};

void store__jobq_init(struct store__jobq *q);
void store__jobq_fini(struct store__jobq *q);
/* Queue a job; ERR_UNAVAILABLE once closed (done is never called then). */
enum err store__jobq_push(struct store__jobq *q, store_job_fn fn, store_done_fn done, void *arg);
/* Wait for work and take up to max jobs as a list; NULL once closed and drained. */
struct store__job *store__jobq_take(struct store__jobq *q, int max);
/* Refuse new jobs and wake the writer; queued jobs are still taken. */
void store__jobq_close(struct store__jobq *q);
/* Call each job's done (ERR_STORE for all if commit failed) and free the list. */
void store__jobq_done(struct store__job *group, enum err commit);

/* Run a parameterless read and return its rows as n * ncols strings in a
 * (NULL for SQL NULL), row after row. */
typedef enum err (*store__rows_fn)(void *ctx, struct arena *a, const char *sql, int ncols,
                                   char ***v, size_t *n);
/* Read every table of reference data through rows (ctx is the backend's). */
enum err store__ref_load(struct arena *a, struct ref_data *d, store__rows_fn rows, void *ctx);

/* Does migration file name apply to backend tag ("sqlite", "pg")? NNN_name.TAG.sql
 * applies to that backend only, NNN_name.sql (no tag) to every backend. */
bool store__migration_applies(const char *name, const char *tag);

/* The canonical bytes an event's hash covers, hashed with prev: out = sha256(prev || row).
 * The row is as stored: the first event (seq 1) has no from status (NULL), so
 * ev->from does not count there. */
void store__event_hash(const unsigned char prev[32], int64_t appeal_id,
                       const struct appeal_event *ev, unsigned char out[32]);

#endif
