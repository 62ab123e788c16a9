/*
 * route.c - the router in the intake path: the default model from the seed
 * corpus, the newest stored models swapped in without a restart (a watcher
 * thread looks every model_check_ms), keyword rules an administrator edits,
 * and what routing decides for a new appeal. Exports app_model_default(),
 * app_models_reload(), app_models_in_use(), app_route_suggest(), app_keyword_rules(),
 * app_keyword_rules_set(), app__router_start(), app__router_stop(),
 * app__router_rules() and app__route().
 */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/log.h"
#include "base/tm.h"
#include "base/xalloc.h"
#include "pipeline/classify.h"
#include "pipeline/seed.h"
#include "pipeline/train.h"

/* The default model: this many seed texts per topic and script, trained
 * once without cross-validation so that a fresh install starts in about a
 * second; `tyndau train --seed` measures the same corpus by k folds. */
enum { DEFAULT_SEED_PER = 24, DEFAULT_SEED = 1 };

struct model_job {
    struct model_row m;
};

static enum err
model_insert_job(struct store_tx *tx, void *arg)
{
    struct model_job *j = arg;
    return store_tx_model_insert(tx, &j->m);
}

/* The format version of the stored model of kind at version into *format
 * (classify_bytes_version(): 0 for bytes that are not a model). */
static enum err
model_format(struct store *s, const char *kind, int64_t version, uint32_t *format)
{
    struct arena *a = arena_new();
    struct model_row row;
    enum err e = store_model_get(s, a, kind, version, &row);
    if (!e)
        *format = classify_bytes_version(row.bytes, row.bytes_len);
    arena_free(a);
    return e;
}

static void
log_refused(const char *kind, int64_t version, uint32_t format)
{
    log_warn("router: %s model v%lld not used: its format is %u, this build reads %u"
             " (features changed); `tyndau train` makes a new one",
             kind, (long long)version, (unsigned)format, (unsigned)CLASSIFY_VERSION);
}

enum err
app_model_default(struct store *s, bool *trained)
{
    *trained = false;
    int64_t have = 0;
    enum err e = store_model_latest(s, "topic", &have);
    if (e)
        return e;
    if (have) {
        /* A newest model of another format cannot route: a default one of
         * this format goes on top of it, so that the store still starts. */
        uint32_t format = 0;
        e = model_format(s, "topic", have, &format);
        if (e || format == 0 || format == CLASSIFY_VERSION)
            return e;
        log_refused("topic", have, format);
    }
    struct arena *a = arena_new();
    struct router *rt = router_new(NULL);
    struct classifier *m = NULL;
    struct buf b = BUF_INIT(STORE_MODEL_BYTES_MAX);
    struct seed_row *rows;
    size_t n;
    e = seed_corpus(a, DEFAULT_SEED, DEFAULT_SEED_PER, &rows, &n);
    if (e)
        goto out;
    struct train_example *ex = ARENA_ARRAY(a, struct train_example, n);
    for (size_t i = 0; i < n; i++)
        ex[i] = (struct train_example){rows[i].text, rows[i].topic};
    struct train_metrics mt;
    e = train_classifier(rt, ex, n, &(struct train_opts){0}, &m, &mt);
    if (e)
        goto out;
    classify_save(m, &b);
    if (buf_failed(&b)) {
        e = ERR_TOOBIG;
        goto out;
    }
    struct buf mj = BUF_INIT(1024);
    train_metrics_json(&mt, &mj);
    buf_putc(&mj, '\0');
    const char *metrics = buf_failed(&mj) ? "{}" : arena_strdup(a, mj.p);
    buf_fini(&mj);
    struct model_job j = {
        .m = {
            .kind = "topic",
            .created_at = tm_now(),
            .source = arena_printf(a,
                                   "seed corpus v%d (generated: %zu texts, %d "
                                   "per topic in kk, kk-latn, ru, en; seed %d)",
                                   SEED_VERSION, n, DEFAULT_SEED_PER, DEFAULT_SEED),
            .metrics = metrics,
            .bytes = b.p,
            .bytes_len = b.len,
        }};
    e = store_write(s, model_insert_job, &j);
    if (e == ERR_CONFLICT) /* another process stored one meanwhile */
        e = ERR_OK;
    else if (!e)
        *trained = true;
out:
    buf_fini(&b);
    classify_free(m);
    router_free(rt);
    arena_free(a);
    return e;
}

/* The classifier of kind at version from the store into *out (NULL and OK
 * when version is 0, and when the model is of another format: logged). */
static enum err
model_fetch(struct store *s, const char *kind, int64_t version, struct classifier **out)
{
    *out = NULL;
    if (version == 0)
        return ERR_OK;
    struct arena *a = arena_new();
    struct model_row row;
    enum err e = store_model_get(s, a, kind, version, &row);
    size_t used = 0;
    uint32_t format = e ? 0 : classify_bytes_version(row.bytes, row.bytes_len);
    if (format != 0 && format != CLASSIFY_VERSION) {
        log_refused(kind, version, format);
        arena_free(a);
        return ERR_OK;
    }
    if (!e)
        e = classify_load(row.bytes, row.bytes_len, &used, out);
    if (!e && used != row.bytes_len) {
        classify_free(*out);
        *out = NULL;
        e = ERR_INVALID;
    }
    arena_free(a);
    return e;
}

void
app_models_in_use(struct app *app, int64_t *topic, int64_t *agency)
{
    pthread_mutex_lock(&app->mu);
    *topic = app->topic_version;
    *agency = app->agency_version;
    pthread_mutex_unlock(&app->mu);
}

enum err
app_route_suggest(struct app *app, struct arena *a, const char *text, size_t k, const char **codes,
                  double *p, size_t *n)
{
    *n = 0;
    struct router_guess *g = ARENA_ARRAY(a, struct router_guess, k ? k : 1);
    enum err e = router_suggest(app->router, a, str_from_cstr(text), k, g, n);
    for (size_t i = 0; !e && i < *n; i++) {
        codes[i] = g[i].topic;
        p[i] = g[i].p;
    }
    if (e)
        *n = 0;
    return e;
}

enum err
app_models_reload(struct app *app, bool *changed)
{
    *changed = false;
    int64_t tv = 0, av = 0, cur_t, cur_a;
    enum err e = store_model_latest(app->store, "topic", &tv);
    if (!e)
        e = store_model_latest(app->store, "agency", &av);
    if (e)
        return e;
    pthread_mutex_lock(&app->mu);
    cur_t = app->seen_topic_version;
    cur_a = app->seen_agency_version;
    pthread_mutex_unlock(&app->mu);
    if (tv == cur_t && av == cur_a)
        return ERR_OK;
    struct classifier *topic = NULL, *agency = NULL;
    e = model_fetch(app->store, "topic", tv, &topic);
    if (!e)
        e = model_fetch(app->store, "agency", av, &agency);
    if (e || !topic) {
        /* An agency model alone cannot route: the topic decides the rest. */
        classify_free(topic);
        classify_free(agency);
        if (!e && tv != 0) {
            /* Of another format (logged): keep the model in use, and look
             * again only when a newer one is stored. */
            pthread_mutex_lock(&app->mu);
            app->seen_topic_version = tv;
            app->seen_agency_version = av;
            pthread_mutex_unlock(&app->mu);
            return ERR_OK;
        }
        return e ? e : ERR_NOTFOUND;
    }
    struct router_model *m = router_model_new(topic, agency, tv);
    router_model_set_agency_version(m, agency ? av : 0);
    router_swap_model(app->router, m);
    pthread_mutex_lock(&app->mu);
    app->topic_version = tv;
    app->agency_version = agency ? av : 0;
    app->seen_topic_version = tv;
    app->seen_agency_version = av;
    pthread_mutex_unlock(&app->mu);
    *changed = true;
    return ERR_OK;
}

static void *
model_watch_main(void *arg)
{
    struct app *app = arg;
    for (;;) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = ts.tv_nsec + (int64_t)app->opts.model_check_ms * 1000000;
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
        bool changed = false;
        enum err e = app_models_reload(app, &changed);
        int64_t t, ag;
        app_models_in_use(app, &t, &ag);
        if (e)
            log_warn("router: cannot load the newest model: %s", err_name(e));
        else if (changed)
            log_info("router: topic model v%lld, agency model v%lld in use", (long long)t,
                     (long long)ag);
    }
}

enum err
app__router_rules(struct app *app)
{
    struct arena *a = arena_new();
    const struct ref_data *d = app_ref(app);
    struct keyword_rule_row *kr;
    size_t kn;
    enum err e = store_keyword_rules(app->store, a, &kr, &kn);
    if (e)
        goto out;
    struct router_rule *rules = ARENA_ARRAY(a, struct router_rule, kn + 1);
    for (size_t i = 0; i < kn; i++)
        rules[i] = (struct router_rule){kr[i].keyword, kr[i].region, kr[i].topic, kr[i].agency};
    struct router_route *routes = ARENA_ARRAY(a, struct router_route, d->rules_count + 1);
    for (size_t i = 0; i < d->rules_count; i++)
        routes[i] =
            (struct router_route){d->rules[i].topic, d->rules[i].region, d->rules[i].agency};
    e = router_set_rules(app->router, rules, kn, routes, d->rules_count);
out:
    arena_free(a);
    return e;
}

enum err
app__router_start(struct app *app)
{
    app->router = router_new(NULL);
    bool trained = false;
    enum err e = app_model_default(app->store, &trained);
    if (e) {
        log_error("router: cannot train the default model: %s", err_name(e));
        return e;
    }
    if (trained)
        log_info("router: default topic model trained from the seed corpus");
    bool changed;
    e = app_models_reload(app, &changed);
    if (!e)
        e = app__router_rules(app);
    if (e)
        return e;
    if (app->opts.model_check_ms > 0) {
        if (pthread_create(&app->model_watch, NULL, model_watch_main, app) != 0)
            return ERR_UNAVAILABLE;
        app->model_watch_started = true;
    }
    return ERR_OK;
}

void
app__router_stop(struct app *app)
{
    if (app->model_watch_started) {
        pthread_join(app->model_watch, NULL);
        app->model_watch_started = false;
    }
    router_free(app->router);
    app->router = NULL;
}

static const char *
json_or_null(struct arena *a, const char *s)
{
    if (!s)
        return "null";
    struct buf b = BUF_INIT(1024);
    buf_append_json_str(&b, s, strlen(s));
    buf_putc(&b, '\0');
    const char *out = buf_failed(&b) ? "null" : arena_strdup(a, b.p);
    buf_fini(&b);
    return out;
}

enum err
app__route(struct app *app, struct arena *a, struct appeal *ap, const char **reason,
           struct router_result *out)
{
    struct router_result res;
    enum err e = router_classify(app->router, a, str_from_cstr(ap->text), ap->region, &res);
    if (e)
        return e;
    if (out)
        *out = res;
    struct appeal_routing *rt = &ap->routing;
    *rt = (struct appeal_routing){
        .model_topic = res.topic,
        .model_agency = res.agency,
        .topic_confidence = res.topic_confidence,
        .agency_confidence = res.agency_confidence,
        .model_version = res.model_version,
        .agency_model_version = res.agency_model_version,
    };
    if (ap->topic) {
        /* The citizen's topic stands; the routing table names the agency. */
        ap->agency = app_route(app, ap->topic, ap->region);
        rt->routed_by = "citizen";
    } else if (!res.triage && app_topic(app, res.topic) && app_agency(app, res.agency)) {
        ap->topic = res.topic;
        ap->agency = res.agency;
        rt->routed_by = res.why == ROUTER_WHY_KEYWORD ? "rule" : "model";
    } else {
        ap->agency = NULL; /* the operators' triage queue */
    }
    /* router_why: "model", "keyword", "low" (under the threshold), "nomodel". */
    *reason = arena_printf(
        a,
        "{\"routed_by\":%s,\"router\":\"%s\",\"triage\":%s,\"model_topic\":%s,"
        "\"topic_confidence\":%.4f,"
        "\"model_agency\":%s,\"agency_confidence\":%.4f,\"model_version\":%lld,"
        "\"agency_model_version\":%lld,\"lang\":\"%s\"}",
        json_or_null(a, rt->routed_by), router_why_name(res.why), ap->agency ? "false" : "true",
        json_or_null(a, rt->model_topic), rt->model_topic ? rt->topic_confidence : 0,
        json_or_null(a, rt->model_agency), rt->model_agency ? rt->agency_confidence : 0,
        (long long)rt->model_version, (long long)rt->agency_model_version, res.lang);
    return ERR_OK;
}

enum err
app_keyword_rules(struct app *app, struct arena *a, struct keyword_rule_row **rows, size_t *count)
{
    return store_keyword_rules(app->store, a, rows, count);
}

struct kw_job {
    const struct keyword_rule_row *rules;
    size_t n;
    int64_t user, now;
};

static enum err
kw_run(struct store_tx *tx, void *arg)
{
    struct kw_job *j = arg;
    enum err e = store_tx_keyword_rules_replace(tx, j->rules, j->n);
    if (!e)
        e = store_tx_audit(tx, j->now, j->user, "keyword_rules_set", NULL, NULL);
    return e;
}

enum err
app_keyword_rules_set(struct app *app, const struct caller *c, struct keyword_rule_row *rules,
                      size_t n, const char **why, size_t *at)
{
    *why = NULL;
    *at = 0;
    if (c->user.role != ROLE_ADMIN)
        return ERR_DENIED;
    if (n > STORE_KEYWORD_RULES_MAX)
        return ERR_TOOBIG;
    int64_t now = app_now(app);
    for (size_t i = 0; i < n; i++) {
        struct keyword_rule_row *r = &rules[i];
        *at = i;
        if (!r->keyword || !*r->keyword) {
            *why = "keyword is required";
            return ERR_UNPROCESSABLE;
        }
        if (strlen(r->keyword) > ROUTER_KEYWORD_MAX) {
            *why = "keyword is longer than 200 bytes";
            return ERR_UNPROCESSABLE;
        }
        if (!app_topic(app, r->topic)) {
            *why = "unknown topic";
            return ERR_UNPROCESSABLE;
        }
        if (r->region && !app_region(app, r->region)) {
            *why = "unknown region";
            return ERR_UNPROCESSABLE;
        }
        if (r->agency && !app_agency(app, r->agency)) {
            *why = "unknown agency";
            return ERR_UNPROCESSABLE;
        }
        r->created_by = c->user.login ? c->user.login : "?";
        r->created_at = now;
    }
    /* The router's own check (a keyword must fold to a word), on a scratch
     * router, before anything is stored. */
    struct router_rule *rr = xcalloc(n + 1, sizeof(*rr));
    for (size_t i = 0; i < n; i++)
        rr[i] = (struct router_rule){rules[i].keyword, rules[i].region, rules[i].topic,
                                     rules[i].agency};
    struct router *scratch = router_new(NULL);
    enum err e = ERR_OK;
    for (size_t i = 0; i < n && !e; i++) {
        e = router_set_rules(scratch, &rr[i], 1, NULL, 0);
        if (e) {
            *at = i;
            *why = "keyword has no word to match";
            e = ERR_UNPROCESSABLE;
        }
    }
    router_free(scratch);
    free(rr);
    if (e)
        return e;
    struct kw_job j = {rules, n, c->user.id, now};
    e = store_write(app->store, kw_run, &j);
    if (!e)
        e = app__router_rules(app);
    return e;
}
