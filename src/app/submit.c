/*
 * submit.c - register an appeal (APPK RK Art. 63): coupon (registration
 * number, time, registering body), tracking id and secret, routing by topic
 * and region, the statutory due date, and the anonymous rule. Idempotent by
 * Idempotency-Key within the same transaction, so a retried submission never
 * makes a second appeal. Exports app_submit_start().
 */
#include "app/app_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rnd.h"
#include "base/tm.h"

enum { TRACKING_BYTES = 10, SECRET_BYTES = 16 };

static enum err
reject(struct submit_req *r, enum err e, const char *field, const char *why)
{
    r->e = e;
    r->field = field;
    r->why = why;
    return e;
}

static enum err
submit_job(struct store_tx *tx, void *arg)
{
    struct submit_req *r = arg;
    struct app *app = r->app;
    struct appeal *ap = &r->ap;
    enum err e;
    int64_t now = app_now(app);

    if (r->idem_key) {
        bool same = false;
        char *resp = NULL;
        e = store_tx_idem_get(tx, r->arena, r->idem_key, r->req_hash, &same, &resp);
        if (e == ERR_OK) {
            if (!same)
                return reject(r, ERR_UNPROCESSABLE, NULL, "idempotency-key-reused");
            r->response = strdup(resp);
            r->replayed = true;
            return ERR_OK;
        }
        if (e != ERR_NOTFOUND)
            return reject(r, e, NULL, "store");
    }
    /* Staff submitting on a citizen's behalf are limited per account, the public per IP. */
    char key[128];
    if (r->caller.user.id)
        snprintf(key, sizeof(key), "user:%lld:submit", (long long)r->caller.user.id);
    else
        snprintf(key, sizeof(key), "ip:%s:submit", r->caller.ip ? r->caller.ip : "?");
    e = store_tx_rate_hit(tx, key, app__minute(now), app->opts.rate_submit);
    if (e)
        return reject(r, e, NULL, e == ERR_RATE ? "rate-limited" : "store");

    const struct calendar *cal = app_calendar(app);
    int64_t n;
    int32_t today = tm_local_day(now);
    int y, m, d;
    tm_civil_from_days(today, &y, &m, &d);
    char counter[32];
    snprintf(counter, sizeof(counter), "reg:%d", y);
    e = store_tx_counter_next(tx, counter, &n);
    if (e)
        return reject(r, e, NULL, "store");
    /* Region prefix: the first two KATO digits, then the year and a yearly sequence. */
    ap->reg_number = arena_printf(r->arena, "%.2s-%d-%07lld", ap->region, y, (long long)n);

    char tracking[(TRACKING_BYTES * 8 + 4) / 5 + 1];
    char secret[(SECRET_BYTES * 8 + 4) / 5 + 1];
    rnd_token(tracking, TRACKING_BYTES);
    rnd_token(secret, SECRET_BYTES);
    unsigned char secret_hash[32];
    app_hash(secret, secret_hash);
    ap->tracking_id = arena_strdup(r->arena, tracking);

    ap->filed_at = now;
    ap->registered_at = sla_registration_time(cal, now);
    ap->updated_at = now;
    ap->status = STATUS_REGISTERED;
    ap->due_at = sla_due(cal, ap->registered_at, SLA_DECIDE_DAYS);
    ap->forward_due_at = sla_due(cal, ap->registered_at, SLA_FORWARD_DAYS);
    if (ap->agency)
        ap->registered_by = ap->agency;
    else
        ap->registered_by = "tyndau-intake";
    if (appeal_channel_needs_operator(ap->channel) && r->caller.user.login)
        ap->registered_by =
            arena_printf(r->arena, "%s/operator:%s", ap->registered_by, r->caller.user.login);
    ap->owner_user = r->caller.user.role == ROLE_CITIZEN ? r->caller.user.id : 0;

    e = store_tx_appeal_insert(tx, ap, secret_hash);
    if (!e)
        e = store_tx_appeal_routing(tx, ap->id, &ap->routing);
    if (e)
        return reject(r, e, NULL, "store");
    /* Clustered before the first event, which carries the cluster. */
    r->clustered = true;
    e = app__cluster_add(app, tx, r->arena, ap, r->sig);
    if (e)
        return reject(r, e, NULL, "store");
    enum role role = r->caller.user.id ? r->caller.user.role : ROLE_CITIZEN;
    e = app__record(tx, ap, ACT_REGISTER, role, r->caller.user.id, STATUS_REGISTERED,
                    r->route_reason, ap->registered_at);
    if (e)
        return reject(r, e, NULL, "store");
    if (ap->anonymous && r->report == REPORT_NONE) {
        /* APPK: anonymous appeals are not considered, except reports of crimes or threats. */
        ap->status = STATUS_NOT_CONSIDERED;
        ap->due_at = 0;
        ap->closed_at = now;
        e = store_tx_appeal_update(tx, ap);
        if (!e)
            e = app__record(tx, ap, ACT_NOT_CONSIDER, ROLE_SYSTEM, 0, STATUS_REGISTERED,
                            "anonymous appeal: no name or IIN given", now);
        if (e)
            return reject(r, e, NULL, "store");
    }
    if (ap->status != STATUS_NOT_CONSIDERED) {
        e = app__notify(app, tx,
                        &(struct notice){.kind = NOTICE_REGISTERED, .ap = ap, .secret = secret});
        if (e)
            return reject(r, e, NULL, "store");
    }
    r->response = r->render(ap, secret, r->render_arg);
    if (!r->response)
        return reject(r, ERR_TOOBIG, NULL, "response");
    if (r->idem_key) {
        e = store_tx_idem_put(tx, r->idem_key, r->req_hash, ap->id, r->response, now);
        if (e) {
            free(r->response);
            r->response = NULL;
            return reject(r, e, NULL, "store");
        }
    }
    return ERR_OK;
}

static void
submit_done(enum err e, void *arg)
{
    struct submit_req *r = arg;
    if (e && !r->e) {
        r->e = e;
        r->why = "store";
    }
    if (e && r->clustered)
        app__cluster_stale(r->app); /* the index holds an appeal the store does not */
    if (e) {
        /* The group did not commit: nothing of this appeal exists. */
        free(r->response);
        r->response = NULL;
        r->replayed = false;
    }
    r->done(r->done_arg);
}

enum err
app_submit_start(struct app *app, struct submit_req *r, struct arena *a, void (*done)(void *),
                 void *arg)
{
    struct appeal *ap = &r->ap;
    r->app = app;
    r->arena = a;
    r->done = done;
    r->done_arg = arg;
    r->e = ERR_OK;
    if (!app_region(app, ap->region))
        return reject(r, ERR_UNPROCESSABLE, "region",
                      "region must be one of the 20 KATO region codes");
    if (ap->topic && !app_topic(app, ap->topic))
        return reject(r, ERR_UNPROCESSABLE, "topic", "unknown topic");
    if (appeal_channel_needs_operator(ap->channel) && r->caller.user.role != ROLE_OPERATOR &&
        r->caller.user.role != ROLE_ADMIN)
        return reject(r, ERR_DENIED, "channel",
                      "only operators register phone, letter and"
                      " reception appeals");
    if (!ap->consent)
        return reject(r, ERR_UNPROCESSABLE, "consent",
                      "consent to the processing of personal data is required");
    /* Classified here, on the caller's thread: the writer only stores. */
    struct router_result routed;
    enum err re = app__route(app, a, ap, &r->route_reason, &routed);
    if (re)
        return reject(r, ERR_UNPROCESSABLE, "text", "text cannot be classified");
    ap->anonymous = !ap->contact_name && !ap->contact_iin;
    r->clustered = false;
    app__cluster_sign(app, r, &routed); /* on the caller's thread, as the routing */
    enum err e = store_write_async(app->store, submit_job, submit_done, r);
    if (e)
        return reject(r, e, NULL, "unavailable");
    return ERR_OK;
}
