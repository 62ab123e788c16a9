/*
 * api_misc.c - health, metrics, reference data, sessions, the staff queue and
 * routing-rule administration. Exports h_healthz(), h_readyz(), h_metrics(),
 * h_regions(), h_topics(), h_agencies(), h_session_new(), h_session_end(),
 * h_me(), h_queue(), h_rules_get(), h_rules_put().
 */
#include "http/http_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/tm.h"
#include "base/util.h"

enum handled
h_healthz(struct req *r)
{
    return http_reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

enum handled
h_readyz(struct req *r)
{
    if (store_ping(app_store(r->app)))
        return http_problem(r, 503, "unavailable", "the store does not answer", NULL);
    return http_reply_json(r, 200, json_pack("{s:s}", "status", "ready"));
}

enum handled
h_metrics(struct req *r)
{
    int64_t total = 0, open = 0, overdue = 0;
    if (store_counts(app_store(r->app), &total, &open, &overdue))
        return http_problem(r, 503, "unavailable", "the store does not answer", NULL);
    struct buf b = BUF_INIT(1 << 16);
    buf_printf(&b,
               "# HELP tyndau_appeals_total Appeals registered.\n"
               "# TYPE tyndau_appeals_total gauge\ntyndau_appeals_total %lld\n"
               "# HELP tyndau_appeals_open Appeals not yet closed.\n"
               "# TYPE tyndau_appeals_open gauge\ntyndau_appeals_open %lld\n"
               "# HELP tyndau_appeals_overdue Open appeals past their due date.\n"
               "# TYPE tyndau_appeals_overdue gauge\ntyndau_appeals_overdue %lld\n",
               (long long)total, (long long)open, (long long)overdue);
    size_t subs = 0;
    uint64_t dropped = 0, published = 0;
    app_live_stats(r->app, &subs, &dropped, &published);
    buf_printf(&b,
               "# HELP tyndau_live_subscribers Live event streams open now.\n"
               "# TYPE tyndau_live_subscribers gauge\ntyndau_live_subscribers %zu\n"
               "# HELP tyndau_live_dropped_total Streams ended for falling behind.\n"
               "# TYPE tyndau_live_dropped_total counter\ntyndau_live_dropped_total %llu\n"
               "# HELP tyndau_live_published_total Events published to the live stream.\n"
               "# TYPE tyndau_live_published_total counter\ntyndau_live_published_total %llu\n",
               subs, (unsigned long long)dropped, (unsigned long long)published);
    uint64_t reads = 0, hits = 0;
    app_stats_counts(r->app, &reads, &hits);
    buf_printf(&b,
               "# HELP tyndau_stats_reads_total Dashboard figures read from the store.\n"
               "# TYPE tyndau_stats_reads_total counter\ntyndau_stats_reads_total %llu\n"
               "# HELP tyndau_stats_cache_hits_total Dashboard figures served from the cache.\n"
               "# TYPE tyndau_stats_cache_hits_total counter\ntyndau_stats_cache_hits_total %llu\n",
               (unsigned long long)reads, (unsigned long long)hits);
    size_t len;
    char *s = buf_detach(&b, &len);
    return http_reply(r, 200, "text/plain; version=0.0.4", s, len);
}

static json_t *
nullable(const char *s)
{
    return s ? json_string(s) : json_null();
}

enum handled
h_regions(struct req *r)
{
    const struct ref_data *d = app_ref(r->app);
    json_t *arr = json_array();
    for (size_t i = 0; i < d->regions_count; i++) {
        const struct ref_region *g = &d->regions[i];
        json_array_append_new(arr,
                              json_pack("{s:s, s:o, s:s, s:s, s:s, s:s}", "kato", g->kato, "iso",
                                        nullable(g->iso), "name_kk", g->name_kk, "name_ru",
                                        g->name_ru, "name_en", g->name_en, "kind", g->kind));
    }
    return http_reply_json(
        r, 200, json_pack("{s:o, s:s}", "items", arr, "credit", "geokz, A. Rodionov, CC BY 4.0"));
}

enum handled
h_topics(struct req *r)
{
    const struct ref_data *d = app_ref(r->app);
    json_t *arr = json_array();
    for (size_t i = 0; i < d->topics_count; i++) {
        const struct ref_topic *t = &d->topics[i];
        json_array_append_new(arr,
                              json_pack("{s:s, s:s, s:s, s:s}", "code", t->code, "name_kk",
                                        t->name_kk, "name_ru", t->name_ru, "name_en", t->name_en));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

enum handled
h_agencies(struct req *r)
{
    const struct ref_data *d = app_ref(r->app);
    json_t *arr = json_array();
    for (size_t i = 0; i < d->agencies_count; i++) {
        const struct ref_agency *g = &d->agencies[i];
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "code", g->code,
                                             "name_kk", g->name_kk, "name_ru", g->name_ru,
                                             "name_en", g->name_en, "region", nullable(g->region),
                                             "parent", nullable(g->parent)));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

static json_t *
user_json(const struct user *u)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:s}", "id", (json_int_t)u->id, "login", u->login,
                     "role", role_name(u->role), "agency", nullable(u->agency), "name",
                     u->name ? u->name : "");
}

static const struct jfield login_fields[] = {
    {"login", JT_STRING, true},
    {"password", JT_STRING, true},
};

enum handled
h_session_new(struct req *r)
{
    json_t *o;
    if (http_json_body(r, login_fields, ARRAY_LEN(login_fields), &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    const char *login, *password;
    if (!http_json_str(r, o, "login", 64, &login) ||
        !http_json_str(r, o, "password", 256, &password))
        goto out;
    struct user u;
    char token[APP_TOKEN_LEN], csrf[APP_TOKEN_LEN];
    enum err e = app_login(r->app, r->arena, r->ip, login, password, &u, token, csrf);
    if (e == ERR_UNAUTH) {
        h = http_problem(r, 401, "unauthorized", "wrong login or password", NULL);
        goto out;
    }
    if (e) {
        h = http_problem_err(r, e, NULL);
        goto out;
    }
    http_add_header(r, "Set-Cookie",
                    arena_printf(r->arena, "tyndau_session=%s; Path=/; HttpOnly; SameSite=Lax%s",
                                 token, r->behind_tls ? "; Secure" : ""));
    h = http_reply_json(r, 200, json_pack("{s:o, s:s}", "user", user_json(&u), "csrf", csrf));
out:
    json_decref(o);
    return h;
}

enum handled
h_session_end(struct req *r)
{
    if (r->session_token)
        (void)app_logout(r->app, r->session_token);
    http_add_header(r, "Set-Cookie", "tyndau_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    return http_reply_json(r, 200, json_pack("{s:s}", "status", "signed out"));
}

enum handled
h_me(struct req *r)
{
    return http_reply_json(r, 200, json_pack("{s:o}", "user", user_json(&r->caller.user)));
}

/* Cursor: "<due>.<id>" in decimal, opaque to clients. */
static bool
parse_cursor(const char *c, struct queue_query *q)
{
    const char *dot = strchr(c, '.');
    if (!dot)
        return false;
    int64_t due, id;
    if (str_to_i64((struct str){c, (size_t)(dot - c)}, 0, INT64_MAX, &due) ||
        str_to_i64(str_from_cstr(dot + 1), 1, INT64_MAX, &id))
        return false;
    q->has_cursor = true;
    q->cursor_due = due;
    q->cursor_id = id;
    return true;
}

static void
put_str(struct buf *b, const char *name, const char *v)
{
    buf_puts(b, name);
    if (v)
        buf_append_json_str(b, v, strlen(v));
    else
        buf_puts(b, "null");
}

static void
put_time(struct buf *b, const char *name, int64_t t)
{
    char s[32];
    buf_puts(b, name);
    if (!t) {
        buf_puts(b, "null");
        return;
    }
    tm_format_almaty(t, s);
    buf_putc(b, '"');
    buf_puts(b, s);
    buf_putc(b, '"');
}

/* http_appeal_json(full = false), written straight into b. */
static void
queue_item(struct buf *b, const struct appeal *ap)
{
    put_str(b, "{\"tracking_id\":", ap->tracking_id);
    put_str(b, ",\"registration_number\":", ap->reg_number);
    put_time(b, ",\"registered_at\":", ap->registered_at);
    put_str(b, ",\"registered_by\":", ap->registered_by);
    put_str(b, ",\"kind\":", appeal_kind_name(ap->kind));
    put_str(b, ",\"channel\":", appeal_channel_name(ap->channel));
    put_str(b, ",\"language\":", appeal_language_name(ap->language));
    put_str(b, ",\"region\":", ap->region);
    put_str(b, ",\"topic\":", ap->topic);
    put_str(b, ",\"agency\":", ap->agency);
    put_str(b, ",\"status\":", appeal_status_name(ap->status));
    put_time(b, ",\"due_at\":", ap->due_at);
    buf_puts(b, ap->overdue ? ",\"overdue\":true" : ",\"overdue\":false");
    buf_puts(b, ap->extended ? ",\"extended\":true" : ",\"extended\":false");
    if (ap->rating)
        buf_printf(b, ",\"rating\":%d", ap->rating);
    else
        buf_puts(b, ",\"rating\":null");
    put_time(b, ",\"updated_at\":", ap->updated_at);
    put_time(b, ",\"closed_at\":", ap->closed_at);
    if (ap->assignee)
        buf_printf(b, ",\"assignee\":%lld}", (long long)ap->assignee);
    else
        buf_puts(b, ",\"assignee\":null}");
}

enum handled
h_queue(struct req *r)
{
    struct queue_query q = {.status = -1, .limit = 50};
    if (!http_query_limit(r, 200, &q.limit))
        return HANDLED_DONE;
    const char *v = http_query(r, "status");
    if (v) {
        enum appeal_status st;
        if (appeal_status_parse(str_from_cstr(v), &st))
            return http_problem(r, 400, "invalid-query", "unknown status", "status");
        q.status = (int)st;
    }
    if (!http_query_topic(r, &q.topic) || !http_query_region(r, &q.region))
        return HANDLED_DONE;
    v = http_query(r, "overdue");
    if (v) {
        if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
            q.overdue_only = true;
        else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0)
            return http_problem(r, 400, "invalid-query", "overdue must be true or false",
                                "overdue");
    }
    v = http_query(r, "cursor");
    if (v && !parse_cursor(v, &q))
        return http_problem(r, 400, "invalid-query", "malformed cursor", "cursor");
    struct appeal *rows;
    size_t count;
    bool more;
    enum err e = app_queue(r->app, r->arena, &r->caller, &q, &rows, &count, &more);
    if (e)
        return http_problem_err(r, e, "only officials, supervisors and operators have a queue");
    struct buf b = BUF_INIT(1 << 24);
    buf_puts(&b, "{\"items\":[");
    for (size_t i = 0; i < count; i++) {
        if (i)
            buf_putc(&b, ',');
        queue_item(&b, &rows[i]);
    }
    buf_puts(&b, "],\"next_cursor\":");
    if (more && count)
        buf_printf(&b, "\"%lld.%lld\"",
                   (long long)(rows[count - 1].due_at ? rows[count - 1].due_at : INT64_MAX),
                   (long long)rows[count - 1].id);
    else
        buf_puts(&b, "null");
    buf_putc(&b, '}');
    if (buf_failed(&b)) {
        buf_fini(&b);
        return http_problem(r, 500, "internal", "cannot encode the response", NULL);
    }
    size_t len;
    char *body = buf_detach(&b, &len);
    return http_reply(r, 200, "application/json", body, len);
}

enum handled
h_rules_get(struct req *r)
{
    const struct ref_data *d = app_ref(r->app);
    json_t *arr = json_array();
    for (size_t i = 0; i < d->rules_count; i++) {
        const struct ref_rule *x = &d->rules[i];
        json_array_append_new(arr, json_pack("{s:s, s:o, s:s}", "topic", x->topic, "region",
                                             nullable(x->region), "agency", x->agency));
    }
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

static const struct jfield rule_fields[] = {
    {"topic", JT_STRING, true},
    {"region", JT_STRING, false},
    {"agency", JT_STRING, true},
};

enum handled
h_rules_put(struct req *r)
{
    json_t *o;
    if (http_json_body(r, rule_fields, ARRAY_LEN(rule_fields), &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    const char *topic, *region, *agency, *why;
    if (!http_json_str(r, o, "topic", 64, &topic) || !http_json_str(r, o, "region", 9, &region) ||
        !http_json_str(r, o, "agency", 64, &agency))
        goto out;
    enum err e = app_rule_set(r->app, &r->caller, topic, region, agency, &why);
    if (e == ERR_UNPROCESSABLE)
        h = http_problem(r, 422, "invalid-value", why, NULL);
    else if (e)
        h = http_problem_err(r, e, why);
    else
        h = http_reply_json(r, 200,
                            json_pack("{s:s, s:o, s:s}", "topic", topic, "region", nullable(region),
                                      "agency", agency));
out:
    json_decref(o);
    return h;
}
