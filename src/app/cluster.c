/*
 * cluster.c - near-duplicate clusters and bursts in the intake: the app's
 * near-duplicate index (pipeline/dedupe.h) and burst detector
 * (pipeline/burst.h), filled at start from the store's recent appeals; every
 * registered appeal is put into a cluster inside its submit job, before the
 * 201, and a new or grown cluster and a burst become live events; an
 * official answers a cluster once. Exports app__cluster_start(),
 * app__cluster_stop(), app__cluster_sign(), app__cluster_add(),
 * app__cluster_stale(), app_cluster_get(), app_cluster_list() and
 * app_cluster_answer_start().
 *
 * Only the store's writer thread changes the index and the detector (inside
 * jobs), so they follow the commit order; a job that changed them and then
 * did not commit marks them stale, and the next job refills them from the
 * store (the rows it reads include its group's uncommitted ones). Texts are
 * signed on the callers' threads, with one stemmer under sign_mu.
 */
#include "app/app_int.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tm.h"
#include "base/xalloc.h"
#include "pipeline/burst.h"
#include "pipeline/dedupe.h"
#include "pipeline/minhash.h"
#include "text/redact.h"
#include "text/stem.h"

/* A representative text in a live event: at most this many bytes. */
enum { REP_EVENT_MAX = 280 };
/* Appeals read per page when the index is refilled. */
enum { REFILL_PAGE = 1000 };

struct app_cluster {
    struct lang_model *lang; /* shared by the signer and the index; immutable */
    pthread_mutex_t sign_mu;
    struct stem *stem;    /* guarded by sign_mu (libstemmer keeps state) */
    struct dedupe *index; /* writer thread only */
    struct burst *bursts; /* writer thread only */
    atomic_bool stale;    /* refill before the next use */
    struct dedupe_opts dopts;
    struct burst_opts bopts;
    int64_t days;
};

/* ---- filling ---- */

static struct dedupe_appeal
dedupe_appeal_of(int64_t id, const char *text, const char *address, const char *topic,
                 bool has_place, double lat, double lon, int64_t time)
{
    return (struct dedupe_appeal){
        .id = id,
        .text = str_from_cstr(text ? text : ""),
        .has_place = has_place,
        .lat = lat,
        .lon = lon,
        .address = str_from_cstr(address ? address : ""),
        .topic = str_from_cstr(topic ? topic : ""),
        .time = time,
    };
}

/* The detector's keys are the English names, so its plain-language reason
 * reads "12 appeals on Roads in Almaty ..."; false when there is no topic. */
static bool
burst_names(struct app *app, const char *topic, const char *region, struct str *t, struct str *r)
{
    const struct ref_topic *rt = topic ? app_topic(app, topic) : NULL;
    const struct ref_region *rr = region ? app_region(app, region) : NULL;
    if (!rt || !rr)
        return false;
    *t = str_from_cstr(rt->name_en);
    *r = str_from_cstr(rr->name_en);
    return t->len > 0 && r->len > 0;
}

static enum err
sign(struct app_cluster *c, struct str text, struct minhash_sig *out)
{
    struct arena *a = arena_new();
    pthread_mutex_lock(&c->sign_mu);
    enum err e = minhash_text(c->stem, c->lang, a, text, out);
    pthread_mutex_unlock(&c->sign_mu);
    arena_free(a);
    return e;
}

/* A new index and detector holding the store's recent appeals, in place of
 * the old ones. Inside a job, on the writer thread. */
static enum err
refill(struct app *app, struct store_tx *tx)
{
    struct app_cluster *c = app->cluster;
    struct dedupe *d = NULL;
    struct burst *b = NULL;
    struct arena *a = NULL;
    enum err e = dedupe_new(&c->dopts, &d);
    if (!e)
        e = burst_new(&c->bopts, &b);
    if (e)
        goto out;
    int64_t since = app_now(app) - c->days * TM_DAY, after = 0;
    size_t restored = 0, skipped = 0;
    for (;;) {
        arena_free(a);
        a = arena_new();
        struct cluster_history_row *rows;
        size_t n;
        e = store_tx_cluster_history(tx, a, since, after, REFILL_PAGE, &rows, &n);
        if (e)
            goto out;
        for (size_t i = 0; i < n; i++) {
            const struct cluster_history_row *h = &rows[i];
            after = h->id;
            struct str tn, rn;
            struct burst_event ev;
            bool fired;
            if (h->filed_at >= since && burst_names(app, h->topic, h->region, &tn, &rn))
                (void)burst_observe(b, tn, rn, h->filed_at, h->cluster_id, &ev, &fired);
            if (h->cluster_id == 0)
                continue; /* registered before clusters existed */
            struct dedupe_appeal dap = dedupe_appeal_of(
                h->id, h->text, h->address, h->topic, h->has_location, h->lat, h->lon, h->filed_at);
            struct minhash_sig sig;
            enum err se = sign(c, dap.text, &sig);
            if (!se)
                se = dedupe_restore(d, &dap, &sig, h->cluster_id, h->cluster_open);
            /* A member whose cluster's first appeal is gone (the index is
             * full) cannot be matched into it: it is left out. */
            if (se)
                skipped++;
            else
                restored++;
        }
        if (n < REFILL_PAGE)
            break;
    }
    log_info("clusters: %zu recent appeals in the near-duplicate index (%zu left out)", restored,
             skipped);
    dedupe_free(c->index);
    burst_free(c->bursts);
    c->index = d;
    c->bursts = b;
    d = NULL;
    b = NULL;
    atomic_store(&c->stale, false);
out:
    arena_free(a);
    dedupe_free(d);
    burst_free(b);
    return e;
}

static enum err
refill_job(struct store_tx *tx, void *arg)
{
    return refill(arg, tx);
}

enum err
app__cluster_start(struct app *app)
{
    struct app_cluster *c = xcalloc(1, sizeof(*c));
    app->cluster = c;
    pthread_mutex_init(&c->sign_mu, NULL);
    c->lang = lang_model_new();
    enum err e = stem_new(&c->stem);
    if (e)
        return e;
    dedupe_opts_default(&c->dopts);
    c->dopts.lang = c->lang;
    c->days = app->opts.cluster_days > 0 ? app->opts.cluster_days : 90;
    c->dopts.horizon_s = c->days * TM_DAY;
    if (app->opts.cluster_capacity > 0)
        c->dopts.capacity = app->opts.cluster_capacity;
    burst_opts_default(&c->bopts);
    if (app->opts.burst_warmup >= 0)
        c->bopts.warmup_s = app->opts.burst_warmup;
    int64_t t0 = tm_mono_ms();
    e = store_write(app->store, refill_job, app);
    if (!e)
        log_info("clusters: index filled in %lld ms", (long long)(tm_mono_ms() - t0));
    return e;
}

void
app__cluster_stop(struct app *app)
{
    struct app_cluster *c = app->cluster;
    if (!c)
        return;
    dedupe_free(c->index);
    burst_free(c->bursts);
    stem_free(c->stem);
    lang_model_free(c->lang);
    pthread_mutex_destroy(&c->sign_mu);
    free(c);
    app->cluster = NULL;
}

void
app__cluster_stale(struct app *app)
{
    atomic_store(&app->cluster->stale, true);
}

/* The signature of text from the tokens and language the router found. */
static enum err
sign_routed(struct app_cluster *c, const struct router_result *routed, struct minhash_sig *out)
{
    struct arena *a = arena_new();
    uint64_t *h = NULL;
    size_t n = 0;
    pthread_mutex_lock(&c->sign_mu);
    enum err e = minhash_shingles_tokens(c->stem, &routed->guess, a, routed->tokens,
                                         routed->token_count, &h, &n);
    pthread_mutex_unlock(&c->sign_mu);
    if (!e)
        minhash_sign(h, n, out);
    arena_free(a);
    return e;
}

void
app__cluster_sign(struct app *app, struct submit_req *r, const struct router_result *routed)
{
    struct minhash_sig *sig = ARENA_NEW(r->arena, struct minhash_sig);
    enum err e = routed ? sign_routed(app->cluster, routed, sig)
                        : sign(app->cluster, str_from_cstr(r->ap.text ? r->ap.text : ""), sig);
    r->sig = e ? NULL : sig;
}

/* ---- the intake ---- */

/* text with personal data replaced, cut to max bytes at a character
 * boundary (max 0: whole); in a. */
static const char *
redacted(struct arena *a, const char *text, size_t max)
{
    struct str out;
    if (redact_text(a, str_from_cstr(text ? text : ""), &out, NULL, NULL))
        return "";
    if (max == 0 || out.len <= max)
        return out.p;
    size_t n = max;
    while (n > 0 && ((unsigned char)out.p[n] & 0xC0) == 0x80)
        n--;
    return arena_printf(a, "%.*s…", (int)n, out.p);
}

static void
json_str_or_null(struct buf *b, const char *s)
{
    if (s)
        buf_append_json_str(b, s, strlen(s));
    else
        buf_puts(b, "null");
}

static void
json_time(struct buf *b, int64_t t)
{
    char s[32];
    tm_format_almaty(t, s);
    buf_printf(b, "\"%s\"", s);
}

/* The cluster.grew event: redacted, no contacts. */
static enum err
grew_event(struct store_tx *tx, struct arena *a, const struct appeal *ap,
           const struct cluster_row *cl, bool started, double score, int64_t at)
{
    struct buf b = BUF_INIT(8192);
    buf_printf(&b, "{\"cluster_id\":%lld,\"count\":%lld,\"new\":%s,\"appeal\":", (long long)cl->id,
               (long long)cl->count, started ? "true" : "false");
    buf_append_json_str(&b, ap->tracking_id, strlen(ap->tracking_id));
    buf_printf(&b, ",\"score\":%.3f,\"topic\":", score);
    json_str_or_null(&b, cl->topic);
    buf_puts(&b, ",\"region\":");
    json_str_or_null(&b, cl->region);
    buf_puts(&b, ",\"agency\":");
    json_str_or_null(&b, ap->agency);
    buf_printf(&b,
               ",\"representative\":%lld,\"representative_text\":", (long long)cl->representative);
    const char *rep = redacted(a, cl->rep_text, REP_EVENT_MAX);
    buf_append_json_str(&b, rep, strlen(rep));
    buf_puts(&b, ",\"first_seen\":");
    json_time(&b, cl->first_seen);
    buf_puts(&b, ",\"last_seen\":");
    json_time(&b, cl->last_seen);
    buf_puts(&b, ",\"at\":");
    json_time(&b, at);
    buf_puts(&b, "}");
    enum err e = buf_failed(&b) ? ERR_TOOBIG
                                : store_tx_stream_event(tx, at, "cluster.grew", ap->agency,
                                                        ap->region, ap->id, b.p, NULL);
    buf_fini(&b);
    return e;
}

static enum err
burst_event(struct store_tx *tx, const struct appeal *ap, const struct burst_opts *o,
            const struct burst_event *ev, int64_t at)
{
    struct buf b = BUF_INIT(8192);
    buf_puts(&b, "{\"topic\":");
    json_str_or_null(&b, ap->topic);
    buf_puts(&b, ",\"region\":");
    json_str_or_null(&b, ap->region);
    buf_printf(&b,
               ",\"count\":%u,\"expected\":%.2f,\"p\":%.3g,\"window_s\":%lld,\"start\":", ev->count,
               ev->expected, ev->p, (long long)o->window_s);
    json_time(&b, ev->start);
    buf_puts(&b, ",\"reason\":");
    buf_append_json_str(&b, ev->reason, strlen(ev->reason));
    buf_puts(&b, ",\"clusters\":[");
    for (size_t i = 0; i < ev->cluster_count; i++)
        buf_printf(&b, "%s{\"id\":%lld,\"count\":%u}", i ? "," : "", (long long)ev->clusters[i],
                   ev->cluster_sizes[i]);
    buf_puts(&b, "],\"at\":");
    json_time(&b, at);
    buf_puts(&b, "}");
    enum err e = buf_failed(&b) ? ERR_TOOBIG
                                : store_tx_stream_event(tx, at, "burst.detected", ap->agency,
                                                        ap->region, 0, b.p, NULL);
    buf_fini(&b);
    return e;
}

/* Record in the store what the index decided for ap. */
static enum err
record(struct app *app, struct store_tx *tx, struct arena *a, const struct appeal *ap,
       const struct dedupe_result *res, struct cluster_row *cl)
{
    if (!res->joined) {
        *cl = (struct cluster_row){
            .id = ap->id,
            .topic = ap->topic,
            .region = ap->region,
            .agency = ap->agency,
            .representative = ap->id,
            .rep_text = redacted(a, ap->text, 0),
            .count = 1,
            .first_seen = ap->filed_at,
            .last_seen = ap->filed_at,
            .open = true,
        };
        return store_tx_cluster_insert(tx, cl);
    }
    enum err e = store_tx_cluster_get(tx, a, res->cluster_id, cl);
    if (e)
        return e;
    struct dedupe_cluster dc;
    e = dedupe_cluster_get(app->cluster->index, res->cluster_id, &dc);
    if (e)
        return e;
    if (dc.representative != cl->representative) {
        const char *text = ap->text;
        if (dc.representative != ap->id)
            e = store_tx_appeal_text(tx, a, dc.representative, &text);
        if (e)
            return e;
        cl->representative = dc.representative;
        cl->rep_text = redacted(a, text, 0);
    }
    int64_t count;
    e = store_tx_cluster_join(tx, cl->id, ap->id, ap->filed_at, cl->representative, cl->rep_text,
                              &count);
    cl->count = count;
    cl->last_seen = ap->filed_at > cl->last_seen ? ap->filed_at : cl->last_seen;
    return e;
}

enum err
app__cluster_add(struct app *app, struct store_tx *tx, struct arena *a, struct appeal *ap,
                 const struct minhash_sig *sig)
{
    struct app_cluster *c = app->cluster;
    enum err e = ERR_OK;
    if (atomic_load(&c->stale))
        e = refill(app, tx);
    if (e)
        return e;
    struct dedupe_appeal dap = dedupe_appeal_of(ap->id, ap->text, ap->address, ap->topic,
                                                ap->has_location, ap->lat, ap->lon, ap->filed_at);
    struct dedupe_result *res = ARENA_NEW(a, struct dedupe_result);
    e = dedupe_add_signed(c->index, &dap, sig, res);
    if (e == ERR_CONFLICT) {
        /* An id the index holds from a job that never committed. */
        e = refill(app, tx);
        if (!e)
            e = dedupe_add_signed(c->index, &dap, sig, res);
    }
    if (e)
        return e;
    /* From here the index holds ap: if the job fails, it is stale. */
    struct cluster_row cl;
    e = record(app, tx, a, ap, res, &cl);
    if (!e)
        e = grew_event(tx, a, ap, &cl, !res->joined, res->score, ap->filed_at);
    ap->cluster_id = cl.id;
    ap->cluster_count = cl.count;
    struct str tn, rn;
    if (e || !burst_names(app, ap->topic, ap->region, &tn, &rn))
        return e;
    struct burst_event ev;
    bool fired = false;
    e = burst_observe(c->bursts, tn, rn, ap->filed_at, cl.id, &ev, &fired);
    if (e == ERR_TOOBIG) {
        log_warn("clusters: the burst detector tracks its most topic and region pairs; appeal "
                 "%lld not counted",
                 (long long)ap->id);
        return ERR_OK;
    }
    if (!e && fired) {
        log_info("clusters: burst: %s", ev.reason);
        e = burst_event(tx, ap, &c->bopts, &ev, ap->filed_at);
    }
    return e;
}

/* ---- reading ---- */

/* The agency whose clusters c may see (NULL: all), or ERR_DENIED. */
static enum err
scope(const struct caller *c, const char **agency)
{
    *agency = NULL;
    switch (c->user.role) {
    case ROLE_OFFICIAL:
    case ROLE_SUPERVISOR:
        if (!c->user.agency || !c->user.agency[0])
            return ERR_DENIED;
        *agency = c->user.agency;
        return ERR_OK;
    case ROLE_OPERATOR:
    case ROLE_ANALYST:
    case ROLE_ADMIN:
        return ERR_OK;
    case ROLE_CITIZEN:
    case ROLE_SYSTEM:
    case ROLE__COUNT:
        break;
    }
    return ERR_DENIED;
}

enum err
app_cluster_get(struct app *app, struct arena *a, const struct caller *c, int64_t id,
                struct cluster_row *out)
{
    const char *agency;
    enum err e = scope(c, &agency);
    if (e)
        return e;
    return store_cluster_get(app->store, a, id, agency, out);
}

enum err
app_cluster_list(struct app *app, struct arena *a, const struct caller *c, struct cluster_query *q,
                 struct cluster_row **rows, size_t *count, bool *more)
{
    enum err e = scope(c, &q->agency);
    if (e)
        return e;
    return store_cluster_list(app->store, a, q, rows, count, more);
}

/* ---- answering a cluster ---- */

static enum err
answer_reject(struct cluster_answer_req *r, enum err e, const char *why)
{
    r->e = e;
    r->why = why;
    return e;
}

/* One appeal: taken first when it is not under review yet, then answered. */
static enum err
answer_one(struct cluster_answer_req *r, struct store_tx *tx, const char *tracking,
           const char **why, bool *refused)
{
    struct act_req *act = ARENA_NEW(r->arena, struct act_req);
    *act = (struct act_req){
        .action = ACT_ANSWER,
        .tracking_id = tracking,
        .caller = r->caller,
        .text = r->text,
        .language = r->language,
        .app = r->app,
        .arena = r->arena,
    };
    enum err e = app__act_in_job(tx, act, refused);
    if (e || !*refused)
        return e;
    if (act->ap.status == STATUS_REGISTERED || act->ap.status == STATUS_FORWARDED) {
        act->action = ACT_TAKE;
        e = app__act_in_job(tx, act, refused);
        if (!e && !*refused) {
            act->action = ACT_ANSWER;
            e = app__act_in_job(tx, act, refused);
        }
    }
    *why = act->why;
    return e;
}

static enum err
answer_event(struct store_tx *tx, const struct cluster_answer_req *r, int64_t at)
{
    struct buf b = BUF_INIT(4096);
    buf_printf(&b, "{\"cluster_id\":%lld,\"agency\":", (long long)r->cluster_id);
    json_str_or_null(&b, r->caller.user.agency);
    buf_printf(&b, ",\"answered\":%zu,\"skipped\":%zu,\"closed\":%s,\"at\":", r->answered_count,
               r->skipped_count, r->closed ? "true" : "false");
    json_time(&b, at);
    buf_puts(&b, "}");
    enum err e = buf_failed(&b)
                     ? ERR_TOOBIG
                     : store_tx_stream_event(tx, at, "cluster.answered", r->caller.user.agency,
                                             r->after.region, 0, b.p, NULL);
    buf_fini(&b);
    return e;
}

static enum err
answer_job(struct store_tx *tx, void *arg)
{
    struct cluster_answer_req *r = arg;
    struct app *app = r->app;
    int64_t now = app_now(app);
    const char **members;
    size_t n;
    enum err e = store_tx_cluster_members(tx, r->arena, r->cluster_id, r->caller.user.agency,
                                          APP_CLUSTER_ANSWER_MAX, &members, &n);
    if (e == ERR_TOOBIG)
        return answer_reject(r, e, "more appeals await an answer than one cluster answer reaches");
    if (e)
        return answer_reject(r, e, "store");
    if (n == 0)
        return answer_reject(r, ERR_NOTFOUND,
                             "no appeal of this cluster awaits your agency's answer");
    r->answered = ARENA_ARRAY(r->arena, const char *, n);
    r->skipped = ARENA_ARRAY(r->arena, const char *, n);
    r->skipped_why = ARENA_ARRAY(r->arena, const char *, n);
    for (size_t i = 0; i < n; i++) {
        const char *why = NULL;
        bool refused = false;
        e = answer_one(r, tx, members[i], &why, &refused);
        if (e)
            return answer_reject(r, e, "store");
        if (refused) {
            r->skipped[r->skipped_count] = members[i];
            r->skipped_why[r->skipped_count++] = why ? why : "refused";
        } else {
            r->answered[r->answered_count++] = members[i];
        }
    }
    if (r->answered_count == 0)
        return answer_reject(r, ERR_CONFLICT, "no appeal of this cluster could be answered now");
    /* Closed once nothing in it awaits an answer, whichever agency's. */
    const char **left;
    size_t left_count;
    e = store_tx_cluster_members(tx, r->arena, r->cluster_id, NULL, 1, &left, &left_count);
    if (e == ERR_TOOBIG || (!e && left_count > 0)) {
        e = ERR_OK;
    } else if (!e) {
        e = store_tx_cluster_close(tx, r->cluster_id, now, (int64_t)r->answered_count);
        r->closed = !e;
        /* Later near-duplicates start a new cluster; a rollback refills. */
        if (!e)
            (void)dedupe_cluster_close(app->cluster->index, r->cluster_id);
    }
    if (!e)
        e = store_tx_cluster_get(tx, r->arena, r->cluster_id, &r->after);
    if (!e)
        e = answer_event(tx, r, now);
    if (e)
        return answer_reject(r, e, "store");
    return ERR_OK;
}

static void
answer_done(enum err e, void *arg)
{
    struct cluster_answer_req *r = arg;
    if (e && !r->e)
        answer_reject(r, e, "store");
    if (e && r->closed)
        app__cluster_stale(r->app); /* the index closed a cluster the store did not */
    r->done(r->done_arg);
}

enum err
app_cluster_answer_start(struct app *app, struct cluster_answer_req *r, struct arena *a,
                         void (*done)(void *), void *arg)
{
    r->app = app;
    r->arena = a;
    r->done = done;
    r->done_arg = arg;
    r->e = ERR_OK;
    r->answered_count = r->skipped_count = 0;
    r->closed = false;
    const char *agency;
    if (scope(&r->caller, &agency) || !agency)
        return answer_reject(r, ERR_DENIED, "only officials and supervisors of an agency answer");
    enum err e = store_write_async(app->store, answer_job, answer_done, r);
    if (e)
        return answer_reject(r, e, "unavailable");
    return ERR_OK;
}
