/*
 * api_clusters.c - clusters of near-duplicate appeals: GET /api/v1/clusters
 * (a filtered, paged list), GET /api/v1/clusters/{id} and POST
 * /api/v1/clusters/{id}/answer (one answer to every appeal of the cluster
 * that awaits the caller's agency). Who sees what is the app's to judge.
 * Exports h_clusters_list(), h_cluster_get() and h_cluster_answer().
 */
#include "http/http_int.h"

#include <string.h>

#include "base/util.h"
#include "text/utf8.h"

enum { LIST_LIMIT_MAX = 200, LIST_LIMIT_DEFAULT = 50 };

static json_t *
cluster_json(struct req *r, const struct cluster_row *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "topic", c->topic ? json_string(c->topic) : json_null());
    json_object_set_new(j, "region", json_string(c->region));
    json_object_set_new(j, "agency", c->agency ? json_string(c->agency) : json_null());
    json_object_set_new(j, "count", json_integer(c->count));
    json_object_set_new(j, "representative_text", json_string(c->rep_text ? c->rep_text : ""));
    json_object_set_new(j, "first_seen", json_string(http_time(r, c->first_seen)));
    json_object_set_new(j, "last_seen", json_string(http_time(r, c->last_seen)));
    json_object_set_new(j, "open", json_boolean(c->open));
    json_object_set_new(j, "answered_at",
                        c->answered_at ? json_string(http_time(r, c->answered_at)) : json_null());
    json_object_set_new(j, "answered_count", json_integer(c->answered_count));
    return j;
}

/* The {id} segment: a positive decimal. */
static bool
cluster_id(struct req *r, int64_t *id)
{
    return r->param && str_to_i64(str_from_cstr(r->param), 1, INT64_MAX, id) == ERR_OK;
}

/* Cursor: "<last_seen>.<id>" in decimal, opaque to clients. */
static bool
parse_cursor(const char *c, struct cluster_query *q)
{
    const char *dot = strchr(c, '.');
    int64_t last, id;
    if (!dot || str_to_i64((struct str){c, (size_t)(dot - c)}, 0, INT64_MAX, &last) ||
        str_to_i64(str_from_cstr(dot + 1), 1, INT64_MAX, &id))
        return false;
    q->has_cursor = true;
    q->cursor_last = last;
    q->cursor_id = id;
    return true;
}

enum handled
h_clusters_list(struct req *r)
{
    struct cluster_query q = {.open = -1, .limit = LIST_LIMIT_DEFAULT};
    if (!http_query_limit(r, LIST_LIMIT_MAX, &q.limit) || !http_query_topic(r, &q.topic) ||
        !http_query_region(r, &q.region))
        return HANDLED_DONE;
    const char *v = http_query(r, "open");
    if (v) {
        if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
            q.open = 1;
        else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
            q.open = 0;
        else
            return http_problem(r, 400, "invalid-query", "open must be 1 or 0", "open");
    }
    v = http_query(r, "cursor");
    if (v && !parse_cursor(v, &q))
        return http_problem(r, 400, "invalid-query", "malformed cursor", "cursor");
    struct cluster_row *rows;
    size_t count;
    bool more;
    enum err e = app_cluster_list(r->app, r->arena, &r->caller, &q, &rows, &count, &more);
    if (e)
        return http_problem_err(r, e,
                                e == ERR_DENIED ? "staff of an agency see its clusters" : NULL);
    json_t *items = json_array();
    for (size_t i = 0; i < count; i++)
        json_array_append_new(items, cluster_json(r, &rows[i]));
    json_t *j = json_object();
    json_object_set_new(j, "items", items);
    json_object_set_new(
        j, "next_cursor",
        more && count
            ? json_string(arena_printf(r->arena, "%lld.%lld", (long long)rows[count - 1].last_seen,
                                       (long long)rows[count - 1].id))
            : json_null());
    return http_reply_json(r, 200, j);
}

enum handled
h_cluster_get(struct req *r)
{
    int64_t id;
    if (!cluster_id(r, &id))
        return http_problem(r, 404, "not-found", "no such cluster", NULL);
    struct cluster_row c;
    enum err e = app_cluster_get(r->app, r->arena, &r->caller, id, &c);
    if (e)
        return http_problem_err(r, e, e == ERR_NOTFOUND ? "no such cluster" : NULL);
    return http_reply_json(r, 200, cluster_json(r, &c));
}

static enum err
answer_start(struct req *r)
{
    return app_cluster_answer_start(r->app, &r->job.cluster_answer, r->arena, http_job_done, r);
}

static json_t *
strings_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static enum handled
answer_finish(struct req *r)
{
    struct cluster_answer_req *a = &r->job.cluster_answer;
    if (a->e)
        return http_problem_err(r, a->e, a->why);
    json_t *j = json_object();
    json_object_set_new(j, "cluster", cluster_json(r, &a->after));
    json_object_set_new(j, "answered", strings_json(a->answered, a->answered_count));
    json_t *sk = json_array();
    for (size_t i = 0; i < a->skipped_count; i++)
        json_array_append_new(
            sk, json_pack("{s:s, s:s}", "tracking_id", a->skipped[i], "reason", a->skipped_why[i]));
    json_object_set_new(j, "skipped", sk);
    json_object_set_new(j, "closed", json_boolean(a->closed));
    return http_reply_json(r, 200, j);
}

enum handled
h_cluster_answer(struct req *r)
{
    int64_t id;
    if (!cluster_id(r, &id))
        return http_problem(r, 404, "not-found", "no such cluster", NULL);
    static const struct jfield fields[] = {{"text", JT_STRING, true},
                                           {"language", JT_STRING, false}};
    json_t *o;
    if (http_json_body(r, fields, ARRAY_LEN(fields), &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    struct cluster_answer_req *a = &r->job.cluster_answer;
    memset(a, 0, sizeof(*a));
    a->cluster_id = id;
    a->caller = r->caller;
    a->language = LANG_RU;
    const char *lang = NULL;
    if (!http_json_str(r, o, "text", APPEAL_ANSWER_MAX, &a->text) ||
        !http_json_str(r, o, "language", 2, &lang))
        goto out;
    if (utf8_count(str_from_cstr(a->text)) < 2) {
        http_problem(r, 422, "text-too-short", "the answer is empty", "text");
        goto out;
    }
    if (lang && appeal_language_parse(str_from_cstr(lang), &a->language)) {
        http_problem(r, 422, "invalid-value", "language must be kk, ru or en", "language");
        goto out;
    }
    h = http_wait(r, answer_start, answer_finish);
out:
    json_decref(o);
    return h;
}
