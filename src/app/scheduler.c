/*
 * scheduler.c - deadlines: warns officials SLA_WARN_DAYS working days before
 * an appeal's due date and, once it passes unanswered, records a "deemed
 * refusal" event (which opens the complaint path to the higher body) and
 * alerts the agency's supervisor. Exports app_scheduler_tick().
 */
#include "app/app_int.h"

#include "base/tm.h"

enum { SCAN_BATCH = 500 };

struct deadline_job {
    struct app *app;
    struct appeal *rows;
    size_t count;
    bool overdue;
    int64_t now;
    int done;
};

static enum err
deadline_run(struct store_tx *tx, void *arg)
{
    struct deadline_job *j = arg;
    const struct calendar *cal = app_calendar(j->app);
    int32_t today = tm_local_day(j->now);
    for (size_t i = 0; i < j->count; i++) {
        struct appeal *ap = &j->rows[i];
        enum appeal_action act = j->overdue ? ACT_DEEM_REFUSAL : ACT_WARN;
        if (!j->overdue &&
            calendar_working_days_between(cal, today, tm_local_day(ap->due_at)) > SLA_WARN_DAYS)
            continue;
        if (j->overdue)
            ap->overdue = true;
        ap->warned = true;
        ap->updated_at = j->now;
        enum err e = store_tx_appeal_update(tx, ap);
        if (!e)
            e = app__record(tx, ap, act, ROLE_SYSTEM, 0, ap->status,
                            j->overdue ? "no answer by the due date: deemed refusal"
                                       : "due date is near",
                            j->now);
        if (!e && j->overdue)
            e = store_tx_outbox(tx, j->now, "supervisor", ap->agency, ap->id,
                                "overdue: no answer by the due date (deemed refusal)");
        if (e)
            return e;
        j->done++;
    }
    return ERR_OK;
}

static enum err
pass(struct app *app, bool overdue, int *count)
{
    int64_t now = app_now(app);
    /* Warnings look a week ahead; the working-day rule then picks which to warn. */
    int64_t until = overdue ? now : now + 7 * TM_DAY;
    *count = 0;
    for (;;) {
        struct arena *a = arena_new();
        struct deadline_job j = {.app = app, .overdue = overdue, .now = now};
        enum err e = store_due_scan(app->store, a, until, overdue, SCAN_BATCH, &j.rows, &j.count);
        if (!e && j.count)
            e = store_write(app->store, deadline_run, &j);
        arena_free(a);
        if (e)
            return e;
        *count += j.done;
        /* A batch where nothing qualified would repeat forever: stop at a short or idle one. */
        if (j.count < SCAN_BATCH || j.done == 0)
            return ERR_OK;
    }
}

enum err
app_scheduler_tick(struct app *app, int *warned, int *overdue)
{
    enum err e = pass(app, true, overdue);
    if (!e)
        e = pass(app, false, warned);
    return e;
}
