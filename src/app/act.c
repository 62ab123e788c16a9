/*
 * act.c - every transition of an appeal after registration: one job per
 * action that re-reads the appeal inside the write transaction, asks
 * appeal_transition() whether the caller may do it now, applies the action's
 * effect (due dates, agency, answer, rating...), and records one chained
 * event plus the live event. Exports app_act_start().
 */
#include "app/app_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/tm.h"

static enum err
reject(struct act_req *r, enum err e, const char *why)
{
    r->e = e;
    r->why = why;
    return e;
}

static enum err
reject_field(struct act_req *r, const char *field, const char *why)
{
    r->field = field;
    return reject(r, ERR_UNPROCESSABLE, why);
}

struct actor
app__actor(const struct caller *c, const struct appeal *ap)
{
    struct actor who = {.role = c->user.id ? c->user.role : ROLE_CITIZEN};
    who.same_agency = ap->agency && c->user.agency && strcmp(ap->agency, c->user.agency) == 0;
    who.owner = c->has_secret || (c->user.id && ap->owner_user == c->user.id);
    return who;
}

static enum err
apply(struct act_req *r, struct appeal *ap, int64_t now, const char **reason)
{
    struct app *app = r->app;
    const struct calendar *cal = app_calendar(app);
    switch (r->action) {
    case ACT_ROUTE:
        if (!app_topic(app, r->topic))
            return reject_field(r, "topic", "unknown topic");
        if (!app_agency(app, r->agency))
            return reject_field(r, "agency", "unknown agency");
        ap->topic = r->topic;
        ap->agency = r->agency;
        break;
    case ACT_TAKE:
        ap->assignee = r->caller.user.id;
        break;
    case ACT_ASSIGN:
        if (!r->assignee_agency || !ap->agency || strcmp(r->assignee_agency, ap->agency) != 0)
            return reject_field(r, "user", "user must be an official of the appeal's agency");
        ap->assignee = r->assignee;
        break;
    case ACT_FORWARD:
        if (!app_agency(app, r->agency))
            return reject_field(r, "agency", "unknown agency");
        if (ap->agency && strcmp(ap->agency, r->agency) == 0)
            return reject_field(r, "agency", "the appeal is already with that agency");
        if (ap->forward_due_at && now > ap->forward_due_at)
            *reason =
                arena_printf(r->arena, "%s (forwarded after the 3-working-day limit)", r->reason);
        /* The receiving body registers it anew: its 15 working days start now. */
        ap->agency = r->agency;
        ap->assignee = 0;
        ap->due_at = sla_due(cal, now, SLA_DECIDE_DAYS);
        ap->forward_due_at = sla_due(cal, now, SLA_FORWARD_DAYS);
        ap->warned = ap->overdue = false;
        break;
    case ACT_EXTEND: {
        int64_t new_due = tm_local_time(r->due_day, 23, 59, 59);
        if (new_due <= ap->due_at)
            return reject_field(r, "due_date", "the new due date must be after the current one");
        if (new_due > sla_extension_limit(ap->due_at) + TM_DAY - 1 ||
            tm_local_day(new_due) > tm_local_day(sla_extension_limit(ap->due_at)))
            return reject_field(r, "due_date",
                                "an extension may add at most two months to the due date");
        ap->due_at = new_due;
        ap->extended = true;
        ap->warned = ap->overdue = false;
        break;
    }
    case ACT_ANSWER:
    case ACT_RETURN:
        break;
    case ACT_CLOSE:
    case ACT_WITHDRAW:
    case ACT_NOT_CONSIDER:
        ap->closed_at = now;
        break;
    case ACT_RATE:
        if (r->score < 1 || r->score > 5)
            return reject_field(r, "score", "score must be 1 to 5");
        ap->rating = r->score;
        break;
    case ACT_DISPUTE:
        /* Back into review with a fresh term; the answer stays in the record. */
        ap->closed_at = 0;
        ap->due_at = sla_due(cal, now, SLA_DECIDE_DAYS);
        ap->warned = ap->overdue = false;
        break;
    case ACT_REGISTER:
    case ACT_WARN:
    case ACT_DEEM_REFUSAL:
    case ACT__COUNT:
        return reject(r, ERR_INVALID, "not a caller's action");
    }
    return ERR_OK;
}

/* Tell the citizen by e-mail of an answer, an extension or a forwarding. */
static enum err
notify(struct store_tx *tx, struct act_req *r, const struct appeal *ap)
{
    struct notice n = {.ap = ap};
    if (r->action == ACT_ANSWER) {
        n.kind = NOTICE_ANSWERED;
        n.answer = r->text;
    } else if (r->action == ACT_EXTEND || r->action == ACT_FORWARD) {
        n.kind = r->action == ACT_EXTEND ? NOTICE_EXTENDED : NOTICE_FORWARDED;
        n.reason = r->reason;
    } else {
        return ERR_OK;
    }
    return app__notify(r->app, tx, &n);
}

static enum err
act_job(struct store_tx *tx, void *arg)
{
    struct act_req *r = arg;
    struct app *app = r->app;
    struct appeal *ap = &r->ap;
    int64_t now = app_now(app);
    enum err e = store_tx_appeal_get(tx, r->arena, r->tracking_id, ap);
    if (e)
        return reject(r, e, e == ERR_NOTFOUND ? "no such appeal" : "store");
    struct actor who = app__actor(&r->caller, ap);
    struct appeal_state st = {
        .status = ap->status,
        .routed = ap->agency != NULL,
        .extended = ap->extended,
    };
    enum appeal_status to;
    const char *why;
    e = appeal_transition(&st, r->action, &who, &to, &why);
    if (e)
        return reject(r, e, why);
    enum appeal_status from = ap->status;
    const char *reason = r->reason;
    e = apply(r, ap, now, &reason);
    if (e)
        return e;
    ap->status = to;
    ap->updated_at = now;
    e = store_tx_appeal_update(tx, ap);
    if (!e && r->action == ACT_ROUTE)
        e = store_tx_appeal_routing(tx, ap->id, &(struct appeal_routing){.routed_by = "operator"});
    if (!e && r->action == ACT_ANSWER)
        e = store_tx_answer_insert(tx, ap->id, r->text, appeal_language_name(r->language),
                                   r->caller.user.id, now);
    if (!e && r->action == ACT_RATE)
        reason = arena_printf(r->arena, "%d", r->score);
    if (!e)
        e = app__record(tx, ap, r->action, who.role,
                        who.role == ROLE_CITIZEN ? 0 : r->caller.user.id, from, reason, now);
    if (!e && r->action == ACT_DISPUTE)
        e = store_tx_outbox(tx, now, "supervisor", ap->agency, ap->id,
                            "the citizen disputed the answer; the appeal is reopened");
    if (!e && r->action == ACT_EXTEND) {
        char by[32];
        tm_format_almaty(sla_due(app_calendar(app), now, SLA_NOTIFY_DAYS), by);
        e = store_tx_outbox(
            tx, now, "citizen", NULL, ap->id,
            arena_printf(r->arena, "extension decided; tell the citizen by %s", by));
    }
    if (!e)
        e = notify(tx, r, ap);
    if (e)
        return reject(r, e, "store");
    return ERR_OK;
}

enum err
app__act_in_job(struct store_tx *tx, struct act_req *r, bool *refused)
{
    r->e = ERR_OK;
    r->why = NULL;
    r->field = NULL;
    enum err e = act_job(tx, r);
    /* act_job refuses before its first write; "store" marks a failed read or write. */
    *refused = e && !(r->why && strcmp(r->why, "store") == 0);
    return *refused ? ERR_OK : e;
}

static void
act_done(enum err e, void *arg)
{
    struct act_req *r = arg;
    if (e && !r->e)
        reject(r, e, "store");
    r->done(r->done_arg);
}

enum err
app_act_start(struct app *app, struct act_req *r, struct arena *a, void (*done)(void *), void *arg)
{
    r->app = app;
    r->arena = a;
    r->done = done;
    r->done_arg = arg;
    r->e = ERR_OK;
    if (r->caller.has_secret) {
        /* The secret never changes: check it once here, outside the writer. */
        struct appeal cur;
        unsigned char h[32];
        enum err e = store_appeal_get(app->store, a, r->tracking_id, &cur, h);
        if (e)
            return reject(r, e, e == ERR_NOTFOUND ? "no such appeal" : "store");
        if (sodium_memcmp(h, r->caller.secret_hash, 32) != 0)
            r->caller.has_secret = false;
    }
    enum err e = store_write_async(app->store, act_job, act_done, r);
    if (e)
        return reject(r, e, "unavailable");
    return ERR_OK;
}
