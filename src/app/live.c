/*
 * live.c - the live stream of committed changes: the store hands every
 * durable event to the hub (once, after its commit, in id order), and a
 * reconnecting subscriber is replayed from the events table. Who sees what
 * is decided here, from the caller. Exports app_live_hub(),
 * app_live_filter(), app_live_replay(), app_live_close(), app_live_stats(),
 * and app__live_start() / app__live_stop() for app_new() and app_free().
 */
#include "app/app_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "realtime/sse.h"

/* Staff workflow, not news for the public: a case given to an official. */
static bool
kind_internal(const char *kind)
{
    return strcmp(kind, "appeal.assigned") == 0;
}

static struct hub_event
to_hub_event(const struct store_event *ev)
{
    return (struct hub_event){
        .id = ev->id,
        .kind = ev->kind,
        .agency = ev->agency,
        .region = ev->region,
        .json = ev->data,
        .appeal_id = ev->appeal_id,
        .internal = kind_internal(ev->kind),
    };
}

/* The events of one commit go to the hub in one pass. */
static void
sink(const struct store_event *evs, size_t n, void *arg)
{
    struct app *app = arg;
    struct hub_event one[8] = {0}, *hevs = n <= ARRAY_LEN(one) ? one : xmalloc(n * sizeof(*hevs));
    enum err errs_one[8], *errs = n <= ARRAY_LEN(errs_one) ? errs_one : xmalloc(n * sizeof(*errs));
    for (size_t i = 0; i < n; i++)
        hevs[i] = to_hub_event(&evs[i]);
    hub_publish_n(app->hub, hevs, n, errs);
    for (size_t i = 0; i < n; i++) {
        if (errs[i] == ERR_TOOBIG)
            log_warn("live: event %lld (%s) is larger than a subscriber's queue; only a replay"
                     " from the store delivers it",
                     (long long)hevs[i].id, hevs[i].kind);
        else if (errs[i] && errs[i] != ERR_UNAVAILABLE)
            log_warn("live: event %lld not published: %s", (long long)hevs[i].id,
                     err_name(errs[i]));
    }
    if (hevs != one)
        free(hevs);
    if (errs != errs_one)
        free(errs);
}

enum err
app__live_start(struct app *app)
{
    int64_t last = 0;
    enum err e = store_stream_last_id(app->store, &last);
    if (e)
        return e;
    struct hub_opts ho = {
        .queue_max_bytes = app->opts.live_queue_bytes,
        .heartbeat_ms = app->opts.live_heartbeat_ms,
        .start_id = last,
        .writer_count = app->opts.live_writers,
    };
    app->hub = hub_new(&ho);
    if (app->opts.live_heartbeat_ms > 0) {
        e = hub_heartbeat_start(app->hub);
        if (e)
            return e;
    }
    store_set_event_sink(app->store, sink, app);
    return ERR_OK;
}

static enum err
barrier_job(struct store_tx *tx, void *arg)
{
    (void)tx;
    (void)arg;
    return ERR_OK;
}

void
app__live_stop(struct app *app)
{
    if (!app->hub)
        return;
    /* Every job queued before this one has reached the sink once it is done;
     * nobody queues writes any more (the caller's contract for app_free). */
    (void)store_write(app->store, barrier_job, NULL);
    store_set_event_sink(app->store, NULL, NULL);
    hub_free(app->hub);
    app->hub = NULL;
}

struct hub *
app_live_hub(struct app *app)
{
    return app->hub;
}

void
app_live_close(struct app *app)
{
    if (!app->hub)
        return;
    hub_heartbeat_stop(app->hub);
    hub_close_all(app->hub);
}

void
app_live_stats(struct app *app, size_t *subs, uint64_t *dropped, uint64_t *published)
{
    hub_stats(app->hub, subs, dropped, published);
}

enum err
app_live_filter(struct app *app, struct arena *a, const struct caller *c, const char *tracking,
                const char *region, struct hub_filter *f, const char **why)
{
    memset(f, 0, sizeof(*f));
    *why = NULL;
    if (region && !app_region(app, region)) {
        *why = "no such region";
        return ERR_INVALID;
    }
    switch (c->user.role) {
    case ROLE_OFFICIAL:
    case ROLE_SUPERVISOR:
        if (c->user.agency && c->user.agency[0])
            f->agency = c->user.agency;
        else
            f->all_agencies = true;
        break;
    case ROLE_OPERATOR: /* registers and triages appeals for every agency */
    case ROLE_ANALYST:  /* dashboards over all of them */
    case ROLE_ADMIN:
        f->all_agencies = true;
        break;
    case ROLE_CITIZEN:
    case ROLE_SYSTEM:
    case ROLE__COUNT:
        f->public_only = true;
        break;
    }
    f->region = region;
    if (tracking) {
        /* Follow one appeal: only one the caller may read (its secret, or
         * staff of its agency), and an unknown one looks like a hidden one. */
        struct appeal_view v;
        enum err e = app_view(app, a, tracking, c, &v);
        if (e) {
            *why = e == ERR_NOTFOUND ? "no such appeal, or not yours to follow" : NULL;
            return e;
        }
        f->appeal_id = v.ap.id;
    }
    return ERR_OK;
}

enum err
app_live_replay(struct app *app, struct arena *a, const struct hub_filter *f, int64_t after,
                int64_t upto, size_t max_rows, struct buf *out, int64_t *last)
{
    struct store_event *rows;
    size_t n;
    *last = after;
    enum err e = store_stream_since(app->store, a, after, upto, max_rows, &rows, &n);
    if (e)
        return e;
    for (size_t i = 0; i < n; i++) {
        struct hub_event ev = to_hub_event(&rows[i]);
        *last = ev.id;
        if (!hub_filter_match(f, &ev))
            continue;
        e = sse_frame(out, ev.id, ev.kind, ev.json);
        if (e)
            return e;
    }
    if (n < max_rows)
        *last = upto; /* nothing more up to upto */
    return ERR_OK;
}
