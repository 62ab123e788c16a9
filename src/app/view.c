/*
 * view.c - reading appeals: one appeal with its timeline and answers for a
 * caller who may see it, the staff queue and the public list of answered
 * appeals. Exports app_view(), app_queue(), app_answered() and
 * app_audit_start().
 */
#include "app/app_int.h"

#include <sodium.h>
#include <string.h>

#include "text/redact.h"

enum err
app_view(struct app *app, struct arena *a, const char *tracking, const struct caller *c,
         struct appeal_view *v)
{
    unsigned char h[32];
    memset(v, 0, sizeof(*v));
    enum err e = store_appeal_get(app->store, a, tracking, &v->ap, h);
    if (e)
        return e;
    struct caller checked = *c;
    if (checked.has_secret && sodium_memcmp(h, checked.secret_hash, 32) != 0)
        checked.has_secret = false;
    struct actor who = app__actor(&checked, &v->ap);
    if (!appeal_visible(&who))
        return ERR_NOTFOUND;
    v->full = true;
    e = store_events_list(app->store, a, v->ap.id, &v->events, &v->events_count);
    if (!e)
        e = store_answers_list(app->store, a, v->ap.id, &v->answers, &v->answers_count);
    if (!e) {
        e = store_appeal_cluster(app->store, v->ap.id, &v->ap.cluster_id, &v->ap.cluster_count);
        if (e == ERR_NOTFOUND) /* registered before clusters existed */
            e = ERR_OK;
    }
    return e;
}

enum err
app_queue(struct app *app, struct arena *a, const struct caller *c, struct queue_query *q,
          struct appeal **rows, size_t *count, bool *more)
{
    switch (c->user.role) {
    case ROLE_OFFICIAL:
    case ROLE_SUPERVISOR:
        q->agency = c->user.agency;
        break;
    case ROLE_OPERATOR:
        q->agency = NULL;
        break;
    case ROLE_CITIZEN:
    case ROLE_ANALYST:
    case ROLE_ADMIN:
    case ROLE_SYSTEM:
    case ROLE__COUNT:
        return ERR_DENIED;
    }
    q->now = app_now(app);
    return store_queue(app->store, a, q, rows, count, more);
}

/* s with personal data replaced by placeholders; NULL stays NULL. */
static enum err
redacted(struct arena *a, const char **s)
{
    if (!*s)
        return ERR_OK;
    struct str out;
    enum err e = redact_text(a, str_from_cstr(*s), &out, NULL, NULL);
    if (e)
        return e;
    *s = out.p;
    return ERR_OK;
}

enum err
app_answered(struct app *app, struct arena *a, const struct answered_query *q,
             struct answered_row **rows, size_t *count, bool *more)
{
    if (q->limit > APP_ANSWERED_MAX)
        return ERR_TOOBIG;
    enum err e = store_answered(app->store, a, q, rows, count, more);
    for (size_t i = 0; !e && i < *count; i++) {
        e = redacted(a, &(*rows)[i].text);
        if (!e)
            e = redacted(a, &(*rows)[i].answer);
    }
    return e;
}

static enum err
audit_job(struct store_tx *tx, void *arg)
{
    struct audit_req *r = arg;
    return store_tx_audit(tx, app_now(r->app), r->user, r->action, r->object, NULL);
}

static void
audit_done(enum err e, void *arg)
{
    struct audit_req *r = arg;
    r->e = e;
    r->done(r->done_arg);
}

enum err
app_audit_start(struct app *app, struct audit_req *r, void (*done)(void *), void *arg)
{
    r->app = app;
    r->done = done;
    r->done_arg = arg;
    r->e = store_write_async(app->store, audit_job, audit_done, r);
    return r->e;
}
