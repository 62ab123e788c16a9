/*
 * app.c - the application object: reference data and calendar loaded from
 * the store, lookups on them, the clock, and the scheduler thread.
 */
#include "app/app_int.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tm.h"
#include "base/xalloc.h"

static enum err
ref_load(struct store *s, struct ref_gen **out)
{
    struct ref_gen *g = xcalloc(1, sizeof(*g));
    g->arena = arena_new();
    enum err e = store_ref_load(s, g->arena, &g->data);
    if (e)
        goto fail;
    struct cal_entry *ce = ARENA_ARRAY(g->arena, struct cal_entry, g->data.days_count + 1);
    size_t n = 0;
    for (size_t i = 0; i < g->data.days_count; i++) {
        const struct ref_calendar_day *d = &g->data.days[i];
        if (tm_parse_date(str_from_cstr(d->day), &ce[n].day) ||
            calendar_kind_parse(str_from_cstr(d->kind), &ce[n].kind)) {
            e = ERR_INVALID;
            goto fail;
        }
        ce[n].name = d->name;
        n++;
    }
    g->cal = calendar_new(ce, n);
    if (!g->cal) {
        e = ERR_INVALID;
        goto fail;
    }
    *out = g;
    return ERR_OK;
fail:
    arena_free(g->arena);
    free(g);
    return e;
}

static void
ref_free(struct ref_gen *g)
{
    while (g) {
        struct ref_gen *older = g->older;
        calendar_free(g->cal);
        arena_free(g->arena);
        free(g);
        g = older;
    }
}

static void *
scheduler_main(void *arg)
{
    struct app *app = arg;
    for (;;) {
        int warned = 0, overdue = 0;
        enum err e = app_scheduler_tick(app, &warned, &overdue);
        if (e)
            log_warn("scheduler: cannot scan deadlines: %s", err_name(e));
        else if (warned || overdue)
            log_info("scheduler: %d due soon, %d deemed refused", warned, overdue);
        int sent = 0;
        e = app_mail_deliver(app, &sent);
        if (e)
            log_warn("scheduler: cannot deliver e-mail: %s", err_name(e));
        else if (sent)
            log_info("scheduler: %d e-mails written to the spool", sent);
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)app->opts.scheduler_interval_ms * 1000000;
        ts.tv_sec += ns / 1000000000;
        ts.tv_nsec = ns % 1000000000;
        pthread_mutex_lock(&app->sched_mu);
        while (!app->stopping) {
            if (pthread_cond_timedwait(&app->sched_cv, &app->sched_mu, &ts) != 0)
                break;
        }
        bool stop = app->stopping;
        pthread_mutex_unlock(&app->sched_mu);
        if (stop)
            return NULL;
    }
}

enum err
app_new(struct store *s, const struct app_opts *o, struct app **out)
{
    if (sodium_init() < 0)
        return ERR_UNAVAILABLE;
    struct app *app = xcalloc(1, sizeof(*app));
    app->store = s;
    app->opts = *o;
    pthread_mutex_init(&app->mu, NULL);
    pthread_mutex_init(&app->sched_mu, NULL);
    pthread_cond_init(&app->sched_cv, NULL);
    pthread_mutex_init(&app->auth_mu, NULL);
    app->stats = app__stats_cache_new();
    enum err e = ref_load(s, &app->ref);
    if (!e)
        e = app__router_start(app);
    if (!e)
        e = app__cluster_start(app);
    if (!e)
        e = app__live_start(app);
    if (e) {
        app_free(app);
        return e;
    }
    if (o->scheduler_interval_ms > 0) {
        if (pthread_create(&app->sched, NULL, scheduler_main, app) != 0) {
            app_free(app);
            return ERR_UNAVAILABLE;
        }
        app->sched_started = true;
    }
    *out = app;
    return ERR_OK;
}

void
app_free(struct app *app)
{
    if (!app)
        return;
    pthread_mutex_lock(&app->sched_mu);
    app->stopping = true; /* the scheduler and the model watcher */
    pthread_cond_broadcast(&app->sched_cv);
    pthread_mutex_unlock(&app->sched_mu);
    if (app->sched_started)
        pthread_join(app->sched, NULL);
    app__router_stop(app);
    app__live_stop(app);
    app__cluster_stop(app); /* after the last write */
    ref_free(app->ref);
    app__stats_cache_free(app->stats);
    pthread_mutex_destroy(&app->mu);
    pthread_mutex_destroy(&app->sched_mu);
    pthread_mutex_destroy(&app->auth_mu);
    pthread_cond_destroy(&app->sched_cv);
    free(app);
}

enum err
app_reload(struct app *app)
{
    struct ref_gen *g;
    enum err e = ref_load(app->store, &g);
    if (e)
        return e;
    pthread_mutex_lock(&app->mu);
    g->older = app->ref;
    app->ref = g;
    pthread_mutex_unlock(&app->mu);
    return app__router_rules(app);
}

static struct ref_gen *
current(const struct app *app)
{
    struct app *m = (struct app *)app; /* the lock is not part of the value */
    pthread_mutex_lock(&m->mu);
    struct ref_gen *g = m->ref;
    pthread_mutex_unlock(&m->mu);
    return g;
}

int64_t
app_now(const struct app *app)
{
    return tm_now() + app->opts.clock_offset;
}

struct store *
app_store(const struct app *app)
{
    return app->store;
}

const struct ref_data *
app_ref(const struct app *app)
{
    return &current(app)->data;
}

const struct calendar *
app_calendar(const struct app *app)
{
    return current(app)->cal;
}

const struct ref_agency *
app_agency(const struct app *app, const char *code)
{
    const struct ref_data *r = app_ref(app);
    for (size_t i = 0; code && i < r->agencies_count; i++)
        if (strcmp(r->agencies[i].code, code) == 0)
            return &r->agencies[i];
    return NULL;
}

const struct ref_region *
app_region(const struct app *app, const char *kato)
{
    const struct ref_data *r = app_ref(app);
    for (size_t i = 0; kato && i < r->regions_count; i++)
        if (strcmp(r->regions[i].kato, kato) == 0)
            return &r->regions[i];
    return NULL;
}

const struct ref_topic *
app_topic(const struct app *app, const char *code)
{
    const struct ref_data *r = app_ref(app);
    for (size_t i = 0; code && i < r->topics_count; i++)
        if (strcmp(r->topics[i].code, code) == 0)
            return &r->topics[i];
    return NULL;
}

const char *
app_route(const struct app *app, const char *topic, const char *region)
{
    const struct ref_data *r = app_ref(app);
    const char *fallback = NULL;
    for (size_t i = 0; topic && i < r->rules_count; i++) {
        const struct ref_rule *rule = &r->rules[i];
        if (strcmp(rule->topic, topic) != 0)
            continue;
        if (rule->region && region && strcmp(rule->region, region) == 0)
            return rule->agency;
        if (!rule->region)
            fallback = rule->agency;
    }
    return fallback;
}

void
app_hash(const char *s, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)s, strlen(s));
}

int64_t
app__minute(int64_t now)
{
    return now - now % 60;
}

enum err
app__stream(struct store_tx *tx, const struct appeal *ap, enum appeal_action act, int64_t at)
{
    char due[32] = "", when[32];
    struct buf b = BUF_INIT(4096);
    if (ap->due_at)
        tm_format_almaty(ap->due_at, due);
    tm_format_almaty(at, when);
    buf_puts(&b, "{\"tracking_id\":");
    buf_append_json_str(&b, ap->tracking_id, strlen(ap->tracking_id));
    buf_puts(&b, ",\"registration_number\":");
    buf_append_json_str(&b, ap->reg_number, strlen(ap->reg_number));
    buf_printf(&b, ",\"action\":\"%s\",\"status\":\"%s\",\"kind\":\"%s\",\"channel\":\"%s\"",
               appeal_action_name(act), appeal_status_name(ap->status), appeal_kind_name(ap->kind),
               appeal_channel_name(ap->channel));
    buf_printf(&b, ",\"region\":\"%s\",\"topic\":", ap->region);
    if (ap->topic)
        buf_append_json_str(&b, ap->topic, strlen(ap->topic));
    else
        buf_puts(&b, "null");
    buf_puts(&b, ",\"agency\":");
    if (ap->agency)
        buf_append_json_str(&b, ap->agency, strlen(ap->agency));
    else
        buf_puts(&b, "null");
    if (ap->cluster_id)
        buf_printf(&b, ",\"cluster\":{\"id\":%lld,\"count\":%lld}", (long long)ap->cluster_id,
                   (long long)ap->cluster_count);
    buf_printf(&b, ",\"due_at\":%s%s%s,\"at\":\"%s\"}", due[0] ? "\"" : "", due[0] ? due : "null",
               due[0] ? "\"" : "", when);
    if (buf_failed(&b)) {
        buf_fini(&b);
        return ERR_TOOBIG;
    }
    char kind[64];
    snprintf(kind, sizeof(kind), "appeal.%s", appeal_action_name(act));
    enum err e = store_tx_stream_event(tx, at, kind, ap->agency, ap->region, ap->id, b.p, NULL);
    buf_fini(&b);
    return e;
}

enum err
app__record(struct store_tx *tx, const struct appeal *ap, enum appeal_action act, enum role role,
            int64_t actor, enum appeal_status from, const char *reason, int64_t at)
{
    struct appeal_event ev = {
        .at = at,
        .action = act,
        .actor_role = role,
        .actor_id = actor,
        .from = from,
        .to = ap->status,
        .agency = ap->agency,
        .reason = reason,
        .due_at = ap->due_at,
    };
    enum err e = store_tx_event_append(tx, ap->id, &ev);
    if (e)
        return e;
    return app__stream(tx, ap, act, at);
}
