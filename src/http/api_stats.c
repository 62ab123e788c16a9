/*
 * api_stats.c - GET /api/v1/stats: the live dashboard's figures (app_stats())
 * as JSON, for supervisors (their agency), analysts and administrators
 * (every agency, or ?agency=CODE), optionally for one region (?region=KATO).
 *
 *   received_today, open, overdue      counts now (open: awaiting an answer)
 *   answered, answered_on_time,        first answers in the window; on time:
 *   on_time_share                      no later than the due date then in force
 *   median_hours_to_answer             filing to first answer (null: none)
 *   days                               appeals filed per Almaty day, oldest first
 *   topics                             the top 10 topics of the window
 *   regions                            all 20 regions: received in the window,
 *                                      open, overdue and overdue_share (null: none open)
 *   generated_at, max_age              when the figures were read and how many
 *                                      more seconds they stay current: they are
 *                                      cached per scope for APP_STATS_TTL_MS (also
 *                                      Cache-Control: private, max-age=N)
 *
 * Exports h_stats() and http_stats_json().
 */
#include "http/http_int.h"

#include <string.h>

#include "base/tm.h"

static json_t *
share_or_null(int64_t part, int64_t whole)
{
    return whole > 0 ? json_real((double)part / (double)whole) : json_null();
}

json_t *
http_stats_json(struct req *r, const struct app_stats *st)
{
    json_t *j = json_object();
    json_t *scope = json_object();
    json_object_set_new(scope, "agency", st->agency ? json_string(st->agency) : json_null());
    json_object_set_new(scope, "region", st->region ? json_string(st->region) : json_null());
    json_object_set_new(j, "scope", scope);
    json_object_set_new(j, "at", json_string(http_time(r, st->now)));
    json_object_set_new(j, "generated_at", json_string(http_time(r, st->now)));
    json_object_set_new(j, "max_age", json_integer(st->max_age));
    char from[11], to[11];
    tm_format_date(st->first_day, from);
    tm_format_date(st->first_day + APP_STATS_DAYS - 1, to);
    json_t *win = json_object();
    json_object_set_new(win, "from", json_string(from));
    json_object_set_new(win, "to", json_string(to));
    json_object_set_new(win, "days", json_integer(APP_STATS_DAYS));
    json_object_set_new(j, "window", win);
    json_object_set_new(j, "received_today", json_integer(st->s.received_today));
    json_object_set_new(j, "open", json_integer(st->s.open));
    json_object_set_new(j, "overdue", json_integer(st->s.overdue));
    json_object_set_new(j, "answered", json_integer(st->s.answered));
    json_object_set_new(j, "answered_on_time", json_integer(st->s.answered_on_time));
    json_object_set_new(j, "on_time_share", share_or_null(st->s.answered_on_time, st->s.answered));
    json_object_set_new(j, "median_hours_to_answer",
                        st->s.median_answer_hours >= 0 ? json_real(st->s.median_answer_hours)
                                                       : json_null());
    json_t *days = json_array();
    for (int i = 0; i < APP_STATS_DAYS; i++) {
        char d[11];
        tm_format_date(st->first_day + i, d);
        json_t *o = json_object();
        json_object_set_new(o, "date", json_string(d));
        json_object_set_new(o, "count", json_integer(st->s.per_day[i]));
        json_array_append_new(days, o);
    }
    json_object_set_new(j, "days", days);
    json_t *topics = json_array();
    for (size_t i = 0; i < st->s.topics_count; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(st->s.topics[i].topic));
        json_object_set_new(o, "count", json_integer(st->s.topics[i].count));
        json_array_append_new(topics, o);
    }
    json_object_set_new(j, "topics", topics);
    json_t *regions = json_array();
    for (size_t i = 0; i < st->regions_count; i++) {
        const struct stats_region *g = &st->regions[i];
        json_t *o = json_object();
        json_object_set_new(o, "kato", json_string(g->kato));
        json_object_set_new(o, "received", json_integer(g->received));
        json_object_set_new(o, "open", json_integer(g->open));
        json_object_set_new(o, "overdue", json_integer(g->overdue));
        json_object_set_new(o, "overdue_share", share_or_null(g->overdue, g->open));
        json_array_append_new(regions, o);
    }
    json_object_set_new(j, "regions", regions);
    return j;
}

enum handled
h_stats(struct req *r)
{
    const char *agency = http_query(r, "agency");
    const char *region = http_query(r, "region");
    struct app_stats st;
    const char *why = NULL;
    enum err e = app_stats(r->app, r->arena, &r->caller, agency, region, &st, &why);
    if (e == ERR_INVALID)
        return http_problem(r, 400, "invalid-query", why,
                            strcmp(why, "no such region") == 0 ? "region" : "agency");
    if (e)
        return http_problem_err(r, e, why ? why : "the figures cannot be read now");
    http_add_header(r, "Cache-Control", arena_printf(r->arena, "private, max-age=%d", st.max_age));
    return http_reply_json(r, 200, http_stats_json(r, &st));
}
