/*
 * store.c - picks a backend by the DSN's scheme and dispatches every public
 * store_* call to it; also the event hash shared by the backends.
 */
#include "store/store_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/util.h"
#include "base/xalloc.h"

static const struct {
    const char *scheme;
    const struct store_ops *ops;
    /* The backend is handed the whole DSN (libpq parses the URI), not what follows ':'. */
    bool whole_dsn;
} backends[] = {
    {"sqlite", &store_sqlite_ops, false},
    {"postgresql", &store_pg_ops, true},
    {"postgres", &store_pg_ops, true},
};

/* Why the last store_open() on this thread failed: store_errmsg(NULL). */
static _Thread_local char open_err[256];

enum err
store_open(const char *dsn, const struct store_opts *o, struct store **out)
{
    const char *colon = strchr(dsn, ':');
    snprintf(open_err, sizeof(open_err), "not a DSN: want sqlite:PATH or postgresql://...");
    if (!colon)
        return ERR_INVALID;
    if (sodium_init() < 0)
        return ERR_UNAVAILABLE;
    for (size_t i = 0; i < ARRAY_LEN(backends); i++) {
        size_t n = strlen(backends[i].scheme);
        if ((size_t)(colon - dsn) == n && memcmp(dsn, backends[i].scheme, n) == 0) {
            struct store *s = xcalloc(1, sizeof(*s));
            s->ops = backends[i].ops;
            enum err e = s->ops->open(s, backends[i].whole_dsn ? dsn : colon + 1, o);
            if (e) {
                snprintf(open_err, sizeof(open_err), "%s", s->ops->errmsg(s));
                free(s);
                return e;
            }
            open_err[0] = '\0';
            *out = s;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

void
store_close(struct store *s)
{
    if (!s)
        return;
    s->ops->close(s);
    free(s);
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

bool
store__migration_applies(const char *name, const char *tag)
{
    static const char *const tags[] = {"sqlite", "pg"};
    char own[32];
    snprintf(own, sizeof(own), ".%s.sql", tag);
    if (ends_with(name, own))
        return true;
    for (size_t i = 0; i < ARRAY_LEN(tags); i++) {
        char other[32];
        snprintf(other, sizeof(other), ".%s.sql", tags[i]);
        if (ends_with(name, other))
            return false; /* another backend's */
    }
    return ends_with(name, ".sql");
}

enum err
store__ref_load(struct arena *a, struct ref_data *d, store__rows_fn rows, void *ctx)
{
    /* Plain SQL both backends read alike; each backend runs it its own way. */
    char **v;
    size_t n;
    memset(d, 0, sizeof(*d));
    enum err e = rows(ctx, a,
                      "SELECT kato, iso, name_kk, name_ru, name_en, kind FROM regions"
                      " ORDER BY kato",
                      6, &v, &n);
    if (e)
        return e;
    d->regions = ARENA_ARRAY(a, struct ref_region, n + 1);
    d->regions_count = n;
    for (size_t i = 0; i < n; i++) {
        char **row = v + i * 6;
        d->regions[i] = (struct ref_region){row[0], row[1], row[2], row[3], row[4], row[5]};
    }
    e = rows(ctx, a,
             "SELECT code, name_kk, name_ru, name_en, region, parent FROM agencies"
             " WHERE active = 1 ORDER BY code",
             6, &v, &n);
    if (e)
        return e;
    d->agencies = ARENA_ARRAY(a, struct ref_agency, n + 1);
    d->agencies_count = n;
    for (size_t i = 0; i < n; i++) {
        char **row = v + i * 6;
        d->agencies[i] = (struct ref_agency){row[0], row[1], row[2], row[3], row[4], row[5]};
    }
    e = rows(ctx, a,
             "SELECT code, name_kk, name_ru, name_en, central_agency FROM topics"
             " ORDER BY code",
             5, &v, &n);
    if (e)
        return e;
    d->topics = ARENA_ARRAY(a, struct ref_topic, n + 1);
    d->topics_count = n;
    for (size_t i = 0; i < n; i++) {
        char **row = v + i * 5;
        d->topics[i] = (struct ref_topic){row[0], row[1], row[2], row[3], row[4]};
    }
    e = rows(ctx, a, "SELECT id, topic, region, agency FROM routing_rules ORDER BY id", 4, &v, &n);
    if (e)
        return e;
    d->rules = ARENA_ARRAY(a, struct ref_rule, n + 1);
    d->rules_count = n;
    for (size_t i = 0; i < n; i++) {
        char **row = v + i * 4;
        int64_t id = 0;
        (void)str_to_i64(str_from_cstr(row[0]), 0, INT64_MAX, &id);
        d->rules[i] = (struct ref_rule){id, row[1], row[2], row[3]};
    }
    /* The calendar table arrives with its own migration; absent means no holidays known. */
    if (rows(ctx, a, "SELECT day, kind, name FROM calendar_days ORDER BY day", 3, &v, &n))
        n = 0;
    d->days = ARENA_ARRAY(a, struct ref_calendar_day, n + 1);
    d->days_count = n;
    for (size_t i = 0; i < n; i++) {
        char **row = v + i * 3;
        d->days[i] = (struct ref_calendar_day){row[0], row[1], row[2]};
    }
    return ERR_OK;
}

void
store__event_hash(const unsigned char prev[32], int64_t appeal_id, const struct appeal_event *ev,
                  unsigned char out[32])
{
    struct buf b = BUF_INIT(1 << 16);
    buf_printf(&b, "%lld|%d|%lld|%s|%s|%lld|%s|%s|%s|%lld|", (long long)appeal_id, ev->seq,
               (long long)ev->at, appeal_action_name(ev->action), role_name(ev->actor_role),
               (long long)ev->actor_id, ev->seq == 1 ? "" : appeal_status_name(ev->from),
               appeal_status_name(ev->to), ev->agency ? ev->agency : "", (long long)ev->due_at);
    if (ev->reason)
        buf_puts(&b, ev->reason);
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, prev, 32);
    crypto_hash_sha256_update(&st, (const unsigned char *)(b.p ? b.p : ""), b.len);
    crypto_hash_sha256_final(&st, out);
    buf_fini(&b);
}

/* One-line dispatches. */
const char *
store_errmsg(struct store *s)
{
    return s ? s->ops->errmsg(s) : open_err;
}
enum err
store_migrate(struct store *s, int *applied)
{
    return s->ops->migrate(s, applied);
}
enum err
store_ping(struct store *s)
{
    return s->ops->ping(s);
}
enum err
store_write_async(struct store *s, store_job_fn fn, store_done_fn done, void *arg)
{
    return s->ops->write_async(s, fn, done, arg);
}
enum err
store_tx_counter_next(struct store_tx *tx, const char *name, int64_t *n)
{
    return tx->s->ops->tx_counter_next(tx, name, n);
}
enum err
store_tx_appeal_insert(struct store_tx *tx, struct appeal *ap, const unsigned char h[32])
{
    return tx->s->ops->tx_appeal_insert(tx, ap, h);
}
enum err
store_tx_appeal_update(struct store_tx *tx, const struct appeal *ap)
{
    return tx->s->ops->tx_appeal_update(tx, ap);
}
enum err
store_tx_appeal_get(struct store_tx *tx, struct arena *a, const char *tracking, struct appeal *ap)
{
    return tx->s->ops->tx_appeal_get(tx, a, tracking, ap);
}
enum err
store_tx_event_append(struct store_tx *tx, int64_t appeal_id, struct appeal_event *ev)
{
    return tx->s->ops->tx_event_append(tx, appeal_id, ev);
}
enum err
store_tx_answer_insert(struct store_tx *tx, int64_t appeal_id, const char *text,
                       const char *language, int64_t author, int64_t at)
{
    return tx->s->ops->tx_answer_insert(tx, appeal_id, text, language, author, at);
}
enum err
store_tx_idem_get(struct store_tx *tx, struct arena *a, const char *key, const unsigned char h[32],
                  bool *same, char **response)
{
    return tx->s->ops->tx_idem_get(tx, a, key, h, same, response);
}
enum err
store_tx_idem_put(struct store_tx *tx, const char *key, const unsigned char h[32],
                  int64_t appeal_id, const char *response, int64_t now)
{
    return tx->s->ops->tx_idem_put(tx, key, h, appeal_id, response, now);
}
enum err
store_tx_rate_hit(struct store_tx *tx, const char *key, int64_t window, int64_t limit)
{
    return tx->s->ops->tx_rate_hit(tx, key, window, limit);
}
enum err
store_tx_audit(struct store_tx *tx, int64_t at, int64_t user, const char *action,
               const char *object, const char *detail)
{
    return tx->s->ops->tx_audit(tx, at, user, action, object, detail);
}
static size_t
opt_len(const char *p)
{
    return p ? strlen(p) + 1 : 0;
}

static const char *
opt_copy(char **dst, const char *p)
{
    if (!p)
        return NULL;
    size_t n = strlen(p) + 1;
    char *out = memcpy(*dst, p, n);
    *dst += n;
    return out;
}

enum err
store_tx_stream_event(struct store_tx *tx, int64_t at, const char *kind, const char *agency,
                      const char *region, int64_t appeal_id, const char *json, int64_t *id)
{
    int64_t got = 0;
    enum err e = tx->s->ops->tx_stream_event(tx, at, kind, agency, region, appeal_id, json, &got);
    if (e)
        return e;
    if (id)
        *id = got;
    if (!tx->s->sink)
        return ERR_OK;
    size_t len = opt_len(kind) + opt_len(agency) + opt_len(region) + opt_len(json);
    struct store__pending *p = xmalloc(sizeof(*p) + len);
    char *dst = (char *)(p + 1);
    p->ev = (struct store_event){.id = got, .at = at, .appeal_id = appeal_id};
    p->ev.kind = opt_copy(&dst, kind);
    p->ev.agency = opt_copy(&dst, agency);
    p->ev.region = opt_copy(&dst, region);
    p->ev.data = opt_copy(&dst, json);
    p->next = NULL;
    if (!tx->pend_tail)
        tx->pend_tail = &tx->pend;
    *tx->pend_tail = p;
    tx->pend_tail = &p->next;
    return ERR_OK;
}

struct store__pending **
store__tx_mark(struct store_tx *tx)
{
    if (!tx->pend_tail)
        tx->pend_tail = &tx->pend;
    return tx->pend_tail;
}

void
store__tx_rewind(struct store_tx *tx, struct store__pending **mark)
{
    struct store__pending *p = *mark;
    while (p) {
        struct store__pending *next = p->next;
        free(p);
        p = next;
    }
    *mark = NULL;
    tx->pend_tail = mark;
}

void
store__tx_flush(struct store_tx *tx, bool committed)
{
    struct store_event stack[64], *evs = stack;
    size_t n = 0;
    for (struct store__pending *p = tx->pend; p; p = p->next)
        n++;
    if (committed && n && tx->s->sink) {
        if (n > ARRAY_LEN(stack))
            evs = xmalloc(n * sizeof(*evs));
        size_t i = 0;
        for (struct store__pending *p = tx->pend; p; p = p->next)
            evs[i++] = p->ev;
        tx->s->sink(evs, n, tx->s->sink_arg);
        if (evs != stack)
            free(evs);
    }
    store__tx_rewind(tx, &tx->pend);
}

void
store_set_event_sink(struct store *s, store_event_sink_fn fn, void *arg)
{
    s->sink = fn;
    s->sink_arg = arg;
}

enum err
store_stream_since(struct store *s, struct arena *a, int64_t after, int64_t upto, size_t limit,
                   struct store_event **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    return s->ops->stream_since(s, a, after, upto, limit, rows, count);
}

enum err
store_stream_last_id(struct store *s, int64_t *id)
{
    return s->ops->stream_last_id(s, id);
}
enum err
store_tx_outbox(struct store_tx *tx, int64_t at, const char *channel, const char *recipient,
                int64_t appeal_id, const char *body)
{
    return tx->s->ops->tx_outbox(tx, at, channel, recipient, appeal_id, body);
}
enum err
store_tx_outbox_sent(struct store_tx *tx, int64_t id, int64_t now)
{
    return tx->s->ops->tx_outbox_sent(tx, id, now);
}
enum err
store_agency_staff(struct store *s, struct arena *a, const char *agency, size_t limit,
                   struct user **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    return s->ops->agency_staff(s, a, agency, limit, rows, count);
}
enum err
store_outbox_pending(struct store *s, struct arena *a, const char *channel, size_t limit,
                     struct outbox_row **rows, size_t *count)
{
    *rows = NULL;
    *count = 0;
    return s->ops->outbox_pending(s, a, channel, limit, rows, count);
}
enum err
store_tx_user_insert(struct store_tx *tx, const struct user *u, const char *pwhash, int64_t now,
                     int64_t *id)
{
    return tx->s->ops->tx_user_insert(tx, u, pwhash, now, id);
}
enum err
store_tx_session_insert(struct store_tx *tx, const unsigned char h[32], int64_t user,
                        const char *csrf, int64_t now, int64_t expires)
{
    return tx->s->ops->tx_session_insert(tx, h, user, csrf, now, expires);
}
enum err
store_tx_session_delete(struct store_tx *tx, const unsigned char h[32])
{
    return tx->s->ops->tx_session_delete(tx, h);
}
enum err
store_tx_token_insert(struct store_tx *tx, const unsigned char h[32], int64_t user,
                      const char *label, int64_t now)
{
    return tx->s->ops->tx_token_insert(tx, h, user, label, now);
}
enum err
store_tx_rule_upsert(struct store_tx *tx, const char *topic, const char *region, const char *agency)
{
    return tx->s->ops->tx_rule_upsert(tx, topic, region, agency);
}
enum err
store_tx_purge(struct store_tx *tx, int64_t now)
{
    return tx->s->ops->tx_purge(tx, now);
}
enum err
store_appeal_get(struct store *s, struct arena *a, const char *tracking, struct appeal *ap,
                 unsigned char secret_hash[32])
{
    return s->ops->appeal_get(s, a, tracking, ap, secret_hash);
}
enum err
store_events_list(struct store *s, struct arena *a, int64_t appeal_id, struct appeal_event **evs,
                  size_t *count)
{
    return s->ops->events_list(s, a, appeal_id, evs, count);
}
enum err
store_answers_list(struct store *s, struct arena *a, int64_t appeal_id, struct answer_row **rows,
                   size_t *count)
{
    return s->ops->answers_list(s, a, appeal_id, rows, count);
}
enum err
store_queue(struct store *s, struct arena *a, const struct queue_query *q, struct appeal **rows,
            size_t *count, bool *more)
{
    return s->ops->queue(s, a, q, rows, count, more);
}
enum err
store_due_scan(struct store *s, struct arena *a, int64_t until, bool overdue, size_t limit,
               struct appeal **rows, size_t *count)
{
    return s->ops->due_scan(s, a, until, overdue, limit, rows, count);
}
enum err
store_user_by_login(struct store *s, struct arena *a, const char *login, struct user *u,
                    char **pwhash)
{
    return s->ops->user_by_login(s, a, login, u, pwhash);
}
enum err
store_user_by_id(struct store *s, struct arena *a, int64_t id, struct user *u)
{
    return s->ops->user_by_id(s, a, id, u);
}
enum err
store_session_lookup(struct store *s, struct arena *a, const unsigned char h[32], int64_t now,
                     struct user *u, char **csrf)
{
    return s->ops->session_lookup(s, a, h, now, u, csrf);
}
enum err
store_token_lookup(struct store *s, struct arena *a, const unsigned char h[32], struct user *u)
{
    return s->ops->token_lookup(s, a, h, u);
}
enum err
store_ref_load(struct store *s, struct arena *a, struct ref_data *out)
{
    return s->ops->ref_load(s, a, out);
}
enum err
store_chain_verify(struct store *s, int64_t *checked, int64_t *bad)
{
    return s->ops->chain_verify(s, checked, bad);
}
enum err
store_answered(struct store *s, struct arena *a, const struct answered_query *q,
               struct answered_row **rows, size_t *count, bool *more)
{
    return s->ops->answered(s, a, q, rows, count, more);
}

enum err
store_counts(struct store *s, int64_t *total, int64_t *open, int64_t *overdue)
{
    return s->ops->counts(s, total, open, overdue);
}

enum err
store_stats(struct store *s, struct arena *a, const struct stats_query *q, struct store_stats *out)
{
    if (q->days < 1 || q->days > STORE_STATS_DAYS_MAX)
        return ERR_INVALID;
    return s->ops->stats(s, a, q, out);
}
enum err
store_tx_calibration_insert(struct store_tx *tx, struct calib_table *t)
{
    return tx->s->ops->tx_calibration_insert(tx, t);
}
enum err
store_calibration_list(struct store *s, struct arena *a, bool all, struct calib_table **rows,
                       size_t *count)
{
    return s->ops->calibration_list(s, a, all, rows, count);
}
enum err
store_calibration_get(struct store *s, struct arena *a, const char *name, int64_t version,
                      struct calib_table *out)
{
    return s->ops->calibration_get(s, a, name, version, out);
}
enum err
store_tx_stance_insert(struct store_tx *tx, const struct stance_row *r)
{
    return tx->s->ops->tx_stance_insert(tx, r);
}
enum err
store_stance_list(struct store *s, struct arena *a, const struct stance_query *q,
                  struct stance_row **rows, size_t *count)
{
    return s->ops->stance_list(s, a, q, rows, count);
}
enum err
store_tx_stance_purge_synthetic(struct store_tx *tx, int64_t *removed)
{
    return tx->s->ops->tx_stance_purge_synthetic(tx, removed);
}

static bool
model_kind_ok(const char *kind)
{
    return kind && (strcmp(kind, "topic") == 0 || strcmp(kind, "agency") == 0);
}
enum err
store_tx_model_insert(struct store_tx *tx, struct model_row *m)
{
    if (!model_kind_ok(m->kind) || !m->bytes || m->bytes_len == 0 || !m->source || !m->metrics)
        return ERR_INVALID;
    if (m->bytes_len > STORE_MODEL_BYTES_MAX)
        return ERR_TOOBIG;
    return tx->s->ops->tx_model_insert(tx, m);
}
enum err
store_model_get(struct store *s, struct arena *a, const char *kind, int64_t version,
                struct model_row *out)
{
    if (!model_kind_ok(kind) || version < 0)
        return ERR_INVALID;
    return s->ops->model_get(s, a, kind, version, out);
}
enum err
store_model_latest(struct store *s, const char *kind, int64_t *version)
{
    if (!model_kind_ok(kind))
        return ERR_INVALID;
    return s->ops->model_latest(s, kind, version);
}
enum err
store_model_list(struct store *s, struct arena *a, struct model_row **rows, size_t *count)
{
    return s->ops->model_list(s, a, rows, count);
}
enum err
store_tx_keyword_rules_replace(struct store_tx *tx, const struct keyword_rule_row *rules, size_t n)
{
    if (n > STORE_KEYWORD_RULES_MAX)
        return ERR_TOOBIG;
    for (size_t i = 0; i < n; i++)
        if (!rules[i].keyword || !*rules[i].keyword || !rules[i].topic || !rules[i].created_by)
            return ERR_INVALID;
    return tx->s->ops->tx_keyword_rules_replace(tx, rules, n);
}
enum err
store_keyword_rules(struct store *s, struct arena *a, struct keyword_rule_row **rows, size_t *count)
{
    return s->ops->keyword_rules(s, a, rows, count);
}
enum err
store_tx_appeal_routing(struct store_tx *tx, int64_t appeal_id, const struct appeal_routing *r)
{
    return tx->s->ops->tx_appeal_routing(tx, appeal_id, r);
}
enum err
store_corrections(struct store *s, struct arena *a, const char *kind, size_t limit,
                  struct correction_row **rows, size_t *count)
{
    if (!model_kind_ok(kind))
        return ERR_INVALID;
    return s->ops->corrections(s, a, kind, limit, rows, count);
}

enum err
store_tx_cluster_insert(struct store_tx *tx, const struct cluster_row *c)
{
    return tx->s->ops->tx_cluster_insert(tx, c);
}
enum err
store_tx_cluster_join(struct store_tx *tx, int64_t id, int64_t appeal_id, int64_t at,
                      int64_t representative, const char *rep_text, int64_t *count)
{
    return tx->s->ops->tx_cluster_join(tx, id, appeal_id, at, representative, rep_text, count);
}
enum err
store_tx_cluster_close(struct store_tx *tx, int64_t id, int64_t at, int64_t n)
{
    return tx->s->ops->tx_cluster_close(tx, id, at, n);
}
enum err
store_tx_cluster_get(struct store_tx *tx, struct arena *a, int64_t id, struct cluster_row *out)
{
    return tx->s->ops->tx_cluster_get(tx, a, id, out);
}
enum err
store_tx_cluster_members(struct store_tx *tx, struct arena *a, int64_t id, const char *agency,
                         size_t limit, const char ***tracking, size_t *count)
{
    return tx->s->ops->tx_cluster_members(tx, a, id, agency, limit, tracking, count);
}
enum err
store_tx_cluster_history(struct store_tx *tx, struct arena *a, int64_t since, int64_t after,
                         size_t limit, struct cluster_history_row **rows, size_t *count)
{
    if (limit < 1 || limit > STORE_CLUSTER_PAGE_MAX)
        return ERR_TOOBIG;
    return tx->s->ops->tx_cluster_history(tx, a, since, after, limit, rows, count);
}
enum err
store_tx_appeal_text(struct store_tx *tx, struct arena *a, int64_t id, const char **text)
{
    return tx->s->ops->tx_appeal_text(tx, a, id, text);
}
enum err
store_cluster_get(struct store *s, struct arena *a, int64_t id, const char *agency,
                  struct cluster_row *out)
{
    return s->ops->cluster_get(s, a, id, agency, out);
}
enum err
store_cluster_list(struct store *s, struct arena *a, const struct cluster_query *q,
                   struct cluster_row **rows, size_t *count, bool *more)
{
    if (q->limit < 1 || q->limit > STORE_CLUSTER_PAGE_MAX)
        return ERR_TOOBIG;
    return s->ops->cluster_list(s, a, q, rows, count, more);
}
enum err
store_appeal_cluster(struct store *s, int64_t appeal_id, int64_t *cluster_id, int64_t *count)
{
    return s->ops->appeal_cluster(s, appeal_id, cluster_id, count);
}

struct sync_wait {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;  /* guarded by mu */
    enum err e; /* guarded by mu */
    store_job_fn fn;
    void *arg; /* the caller's, for fn */
    struct store *s;
    char msg[256]; /* the writer's error text, for the caller's thread */
};

static enum err
sync_run(struct store_tx *tx, void *arg)
{
    struct sync_wait *w = arg;
    enum err e = w->fn(tx, w->arg);
    /* Now, before the next job of the group overwrites it. */
    if (e)
        snprintf(w->msg, sizeof(w->msg), "%s", w->s->ops->errmsg(w->s));
    return e;
}

static void
sync_done(enum err e, void *arg)
{
    struct sync_wait *w = arg;
    if (e && !w->msg[0]) /* the job went well but the commit failed */
        snprintf(w->msg, sizeof(w->msg), "%s", w->s->ops->errmsg(w->s));
    pthread_mutex_lock(&w->mu);
    w->e = e;
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

enum err
store_write(struct store *s, store_job_fn fn, void *arg)
{
    struct sync_wait w = {
        PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, ERR_OK, fn, arg, s, ""};
    enum err e = s->ops->write_async(s, sync_run, sync_done, &w);
    if (e)
        return e;
    pthread_mutex_lock(&w.mu);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.mu);
    e = w.e;
    pthread_mutex_unlock(&w.mu);
    if (e && w.msg[0])
        s->ops->errmsg_set(s, w.msg);
    return e;
}
