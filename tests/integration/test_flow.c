/*
 * test_flow.c - the life of an appeal over HTTP against the real binary:
 * submit, track with the secret, queue, take, extend, answer, rate, dispute,
 * answer again, close; due dates on the Almaty calendar; idempotency; triage;
 * anonymous appeals; invalid transitions; secrets; sessions and CSRF; forward,
 * assign and return; security headers on every kind of response.
 */
#define _GNU_SOURCE /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "base/str.h"
#include "base/tm.h"
#include "integration/srv.h"

/* A server whose clock reads local (Almaty) time y-m-d hh:mm now. */
static struct srv *
start_at(int y, int m, int d, int hh, int mm)
{
    int64_t target = tm_local_time(tm_days_from_civil(y, m, d), hh, mm, 0);
    const char *off = t_printf("--clock-offset=%lld", (long long)(target - (int64_t)time(NULL)));
    return srv_start(off, NULL);
}

/* Add n working days to day, counting only Monday-Friday. Only for dates whose
 * span has no holiday or moved day off: 2026-05-28 .. 2026-07-05. */
static int32_t
add_workdays_june2026(int32_t day, int n)
{
    assert_true(day >= tm_days_from_civil(2026, 5, 28));
    while (n > 0) {
        day++;
        if (tm_weekday(day) <= 5)
            n--;
    }
    assert_true(day <= tm_days_from_civil(2026, 7, 5));
    return day;
}

static const char *
date_str(int32_t day)
{
    char out[11];
    tm_format_date(day, out);
    return t_printf("%s", out);
}

static int64_t
parse_time(const char *s)
{
    int64_t t = 0;
    assert_non_null(s);
    if (tm_parse_iso(str_from_cstr(s), &t) != ERR_OK)
        fail_msg("not an RFC 3339 time: %s", s);
    return t;
}

static bool
ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static struct resp *
submit(struct srv *s, const char *auth, const char *key, const char *body)
{
    const char *key_h = key ? t_printf("Idempotency-Key: %s", key) : NULL;
    const char *h[] = {auth ? auth : key_h, auth ? key_h : NULL, NULL};
    return srv_req(s, "POST", "/api/v1/appeals", h, body);
}

/* Submit body and insist on 201; caller owns the response. */
static struct resp *
submit_ok(struct srv *s, const char *auth, const char *body)
{
    struct resp *r = submit(s, auth, NULL, body);
    expect_status(r, 201);
    assert_non_null(resp_str(r, "tracking_id"));
    assert_non_null(resp_str(r, "secret"));
    return r;
}

static struct resp *
citizen_get(struct srv *s, const char *tid, const char *secret)
{
    const char *h[] = {t_printf("X-Tracking-Secret: %s", secret), NULL};
    return srv_req(s, "GET", t_printf("/api/v1/appeals/%s", tid), h, NULL);
}

static struct resp *
act(struct srv *s, const char *tid, const char *action, const char *auth, const char *body)
{
    return srv_post(s, t_printf("/api/v1/appeals/%s/%s", tid, action), auth, body ? body : "{}");
}

static struct resp *
citizen_act(struct srv *s, const char *tid, const char *secret, const char *action,
            const char *body)
{
    const char *h[] = {t_printf("X-Tracking-Secret: %s", secret), NULL};
    return srv_req(s, "POST", t_printf("/api/v1/appeals/%s/%s", tid, action), h, body);
}

/* The contract does not say what an action returns; accept 200 and 204. */
#define expect_done(r) expect__done((r), __FILE__, __LINE__)
static void
expect__done(const struct resp *r, const char *file, int line)
{
    if (r->status == 200 || r->status == 204)
        return;
    print_error("want 200 or 204\n");
    resp_print(r);
    _fail(file, line);
}

/* The appeal as auth sees it: its status and timeline length. */
struct view {
    const char *status; /* scratch arena */
    size_t events;
    const char *agency;
    const char *due_at;
};

static struct view
view_of(struct resp *r)
{
    expect_status(r, 200);
    json_t *a = appeal_obj(r->json);
    if (!a) {
        resp_print(r);
        fail_msg("GET appeal: no appeal object with a \"status\"");
    }
    json_t *tl = appeal_timeline(r->json);
    if (!tl) {
        resp_print(r);
        fail_msg("GET appeal: no \"timeline\" array");
    }
    struct view v = {t_printf("%s", json_string_value(json_object_get(a, "status"))),
                     json_array_size(tl), NULL, NULL};
    const char *ag = json_string_value(json_object_get(a, "agency"));
    const char *due = json_string_value(json_object_get(a, "due_at"));
    v.agency = ag ? t_printf("%s", ag) : NULL;
    v.due_at = due ? t_printf("%s", due) : NULL;
    return v;
}

static struct view
staff_view(struct srv *s, const char *tid, const char *auth)
{
    struct resp *r = srv_get(s, t_printf("/api/v1/appeals/%s", tid), auth);
    struct view v = view_of(r);
    resp_free(r);
    return v;
}

static struct view
citizen_view(struct srv *s, const char *tid, const char *secret)
{
    struct resp *r = citizen_get(s, tid, secret);
    struct view v = view_of(r);
    resp_free(r);
    return v;
}

/* After an action: status is want and the staff timeline grew. */
static size_t
expect_step(struct srv *s, const char *tid, const char *auth, const char *want, size_t before)
{
    struct view v = staff_view(s, tid, auth);
    if (strcmp(v.status, want) != 0)
        fail_msg("status %s, want %s", v.status, want);
    if (v.events <= before)
        fail_msg("timeline did not grow: %zu events, %zu before (status %s)", v.events, before,
                 want);
    return v.events;
}

static bool
queue_has(struct srv *s, const char *auth, const char *query, const char *tid)
{
    struct resp *r = srv_get(s, t_printf("/api/v1/queue%s", query), auth);
    expect_status(r, 200);
    json_t *items = json_object_get(r->json, "items"), *it;
    if (!json_is_array(items) || !json_object_get(r->json, "next_cursor")) {
        resp_print(r);
        fail_msg("queue: want {\"items\":[...],\"next_cursor\":...}");
    }
    size_t i;
    bool found = false;
    json_array_foreach(items, i, it)
    {
        const char *t = json_string_value(json_object_get(it, "tracking_id"));
        if (t && strcmp(t, tid) == 0)
            found = true;
    }
    resp_free(r);
    return found;
}

static const char *
routed_agency(struct srv *s, const char *topic, const char *region)
{
    return srv_db_text(s,
                       t_printf("SELECT agency FROM routing_rules WHERE topic = ?1 AND region = "
                                "'%s'",
                                region),
                       topic);
}

/* ---- the whole flow ------------------------------------------------------ */

static void
flow_full(void **state)
{
    (void)state;
    /* Monday 1 June 2026, 10:00 in Almaty; no holiday until 6 July. */
    struct srv *s = start_at(2026, 6, 1, 10, 0);
    const char *agency = routed_agency(s, "roads", "750000000");
    assert_non_null(agency);
    const char *off = srv_bearer(s, srv_user(s, "off-a", "official", agency));

    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    expect_security_headers(r);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *secret = t_printf("%s", resp_str(r, "secret"));
    static const char *const fields[] = {"tracking_id",   "secret",        "registration_number",
                                         "registered_at", "registered_by", "status",
                                         "topic",         "agency",        "due_at",
                                         "track_url"};
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
        if (!resp_str(r, fields[i]) || !*resp_str(r, fields[i])) {
            resp_print(r);
            fail_msg("201 body: no string \"%s\"", fields[i]);
        }
    assert_string_equal(resp_str(r, "status"), "registered");
    assert_string_equal(resp_str(r, "topic"), "roads");
    assert_string_equal(resp_str(r, "agency"), agency);
    assert_true(strncmp(resp_str(r, "track_url"), "/track/", 7) == 0);
    assert_non_null(strstr(resp_str(r, "track_url"), tid));
    assert_true(strlen(secret) >= 16);
    const char *ct = resp_header(r, "Content-Type");
    assert_true(ct && strncasecmp(ct, "application/json", 16) == 0);

    int32_t reg_day = tm_days_from_civil(2026, 6, 1);
    int64_t reg_at = parse_time(resp_str(r, "registered_at"));
    int64_t filed = tm_local_time(reg_day, 10, 0, 0);
    if (reg_at < filed - 5 || reg_at > filed + 120)
        fail_msg("registered_at %s, want about 2026-06-01T10:00:00+05:00",
                 resp_str(r, "registered_at"));
    assert_true(ends_with(resp_str(r, "registered_at"), "+05:00"));
    /* 15 working days after Monday 1 June: Monday 22 June. */
    const char *due = t_printf("%sT23:59:59+05:00", date_str(add_workdays_june2026(reg_day, 15)));
    assert_string_equal(due, "2026-06-22T23:59:59+05:00");
    assert_string_equal(resp_str(r, "due_at"), due);
    resp_free(r);

    /* The citizen tracks it with the secret, by header and by query. */
    struct resp *g = citizen_get(s, tid, secret);
    struct view cv = view_of(g);
    assert_string_equal(cv.status, "registered");
    if (!timeline_has(g->json, "registered")) {
        resp_print(g);
        fail_msg("timeline has no 'registered' event");
    }
    expect_security_headers(g);
    resp_free(g);
    g = srv_get(s, t_printf("/api/v1/appeals/%s?secret=%s", tid, secret), NULL);
    assert_string_equal(view_of(g).status, "registered");
    resp_free(g);

    /* The official of the routed agency sees it in the queue. */
    assert_true(queue_has(s, off, "", tid));
    assert_true(queue_has(s, off, "?status=registered", tid));
    size_t n = staff_view(s, tid, off).events;
    assert_true(n >= 1);

    r = act(s, tid, "take", off, NULL);
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "in_review", n);

    /* Extension: due date must be later than now and within two months. */
    r = act(s, tid, "extend", off,
            "{\"reason\":\"Нужен выезд на место\",\"due_date\":\"2026-06-20\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = act(s, tid, "extend", off,
            "{\"reason\":\"Нужен выезд на место\",\"due_date\":\"2026-09-15\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = act(s, tid, "extend", off, "{\"due_date\":\"2026-07-10\"}");
    expect_problem(r, 422, "/problems/missing-field");
    resp_free(r);
    assert_string_equal(staff_view(s, tid, off).due_at, due);
    r = act(s, tid, "extend", off,
            "{\"reason\":\"Нужен выезд на место\",\"due_date\":\"2026-07-10\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "extended", n);
    assert_string_equal(staff_view(s, tid, off).due_at, "2026-07-10T23:59:59+05:00");
    r = act(s, tid, "extend", off, "{\"reason\":\"Ещё раз\",\"due_date\":\"2026-07-20\"}");
    expect_problem(r, 409, "/problems/invalid-transition"); /* only once */
    resp_free(r);

    size_t cn = citizen_view(s, tid, secret).events;
    r = act(s, tid, "answer", off,
            "{\"text\":\"Ремонт участка включён в план на июль.\",\"language\":\"ru\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "answered", n);
    struct view after = citizen_view(s, tid, secret);
    assert_string_equal(after.status, "answered");
    assert_true(after.events > cn);

    r = citizen_act(s, tid, secret, "rating", "{\"score\":4,\"comment\":\"Быстро\"}");
    expect_done(r);
    resp_free(r);
    struct view rated = staff_view(s, tid, off);
    assert_string_equal(rated.status, "answered");
    assert_true(rated.events >= n);
    n = rated.events;

    r = citizen_act(s, tid, secret, "dispute", "{\"reason\":\"Яма так и не заделана\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "reopened", n);
    assert_string_equal(citizen_view(s, tid, secret).status, "reopened");

    r = act(
        s, tid, "answer", off,
        "{\"text\":\"Участок отремонтирован 25 июня, фото в приложении.\",\"language\":\"ru\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "answered", n);

    r = act(s, tid, "close", off, NULL);
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "closed", n);
    assert_string_equal(citizen_view(s, tid, secret).status, "closed");
    /* Closed: further staff actions are invalid transitions. */
    r = act(s, tid, "take", off, NULL);
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    assert_int_equal(staff_view(s, tid, off).events, n);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals", NULL), 1);
    srv_done(s);
}

/* Filed on Saturday 6 June 2026: registered Monday 8 June 09:00, due on the
 * 15th working day after that, Monday 29 June. */
static void
flow_weekend_registration(void **state)
{
    (void)state;
    struct srv *s = start_at(2026, 6, 6, 12, 0);
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    int32_t mon = tm_days_from_civil(2026, 6, 8);
    assert_string_equal(resp_str(r, "registered_at"), "2026-06-08T09:00:00+05:00");
    const char *due = t_printf("%sT23:59:59+05:00", date_str(add_workdays_june2026(mon, 15)));
    assert_string_equal(due, "2026-06-29T23:59:59+05:00");
    assert_string_equal(resp_str(r, "due_at"), due);
    /* The citizen's page: the timeline shows when it was filed, then the
     * registration date, so no later event seems to come before it. */
    const char *url =
        t_printf("%s?secret=%s&lang=en", resp_str(r, "track_url"), resp_str(r, "secret"));
    struct resp *page = srv_get(s, url, NULL);
    assert_int_equal(page->status, 200);
    assert_non_null(strstr(page->body, "6 June 2026, 12:00</span>"));
    assert_non_null(
        strstr(page->body, "(filed on a day off; registered as of 8 June 2026, 09:00)"));
    resp_free(page);
    /* Answered the same day: the page says when and that it was in time, and
     * the public list dates it by its filing, not its later registration. */
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *off = srv_bearer(s, srv_user(s, "off-w", "official", resp_str(r, "agency")));
    resp_free(act(s, tid, "take", off, "{}"));
    struct resp *a = act(s, tid, "answer", off, "{\"text\":\"Яма заделана.\",\"language\":\"ru\"}");
    expect_done(a);
    resp_free(a);
    page = srv_get(s, url, NULL);
    assert_non_null(strstr(page->body, "given on 6 June 2026, within the deadline"));
    assert_null(strstr(page->body, "due by"));
    resp_free(page);
    page = srv_get(s, "/answered?lang=en", NULL);
    assert_non_null(strstr(page->body, "Filed 6 June 2026, answered 6 June 2026 by"));
    resp_free(page);
    resp_free(r);
    srv_done(s);
}

/* Filed on a holiday: Tuesday 16 December 2025, Independence Day (Law 267-II
 * art. 2). Registered Wednesday 17 December 09:00; the 15 working days after
 * it skip weekends, 1-2 January 2026 (New Year, Thursday and Friday, so no day
 * moves) and 7 January (Orthodox Christmas): 18, 19, 22-26, 29-31 December,
 * 5, 6, 8, 9, 12 January. Due Monday 12 January 2026. */
static void
flow_holiday_registration(void **state)
{
    (void)state;
    struct srv *s = start_at(2025, 12, 16, 12, 0);
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    assert_string_equal(resp_str(r, "registered_at"), "2025-12-17T09:00:00+05:00");
    assert_string_equal(resp_str(r, "due_at"), "2026-01-12T23:59:59+05:00");
    resp_free(r);
    srv_done(s);
}

/* ---- idempotency and the real clock -------------------------------------- */

static void
flow_idempotency(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *body = appeal_json(NULL);
    struct resp *a = submit(s, NULL, "flow-key-1", body);
    expect_status(a, 201);
    assert_null(resp_header(a, "Idempotent-Replayed"));

    /* The real clock: due at the end of a day at least 21 calendar days on. */
    int64_t reg = parse_time(resp_str(a, "registered_at"));
    int64_t due = parse_time(resp_str(a, "due_at"));
    assert_true(due >= reg + 21 * 86400);
    assert_true(due <= reg + 45 * 86400);
    assert_true(ends_with(resp_str(a, "due_at"), "T23:59:59+05:00"));

    struct resp *b = submit(s, NULL, "flow-key-1", body);
    expect_status(b, 201);
    const char *rep = resp_header(b, "Idempotent-Replayed");
    if (!rep || strcmp(rep, "true") != 0) {
        resp_print(b);
        fail_msg("replay without Idempotent-Replayed: true");
    }
    assert_string_equal(resp_str(a, "tracking_id"), resp_str(b, "tracking_id"));
    if (!json_equal(a->json, b->json)) {
        print_error("first: %s\nreplay: %s\n", a->body, b->body);
        fail_msg("replayed 201 body differs");
    }

    struct resp *c = submit(s, NULL, "flow-key-1",
                            appeal_json("{\"text\":\"Другой текст обращения про ту же яму.\"}"));
    expect_problem(c, 422, "/problems/idempotency-key-reused");
    /* Another key with the same body is a new appeal. */
    struct resp *d = submit(s, NULL, "flow-key-2", body);
    expect_status(d, 201);
    assert_string_not_equal(resp_str(a, "tracking_id"), resp_str(d, "tracking_id"));
    assert_null(resp_header(d, "Idempotent-Replayed"));
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals", NULL), 2);
    resp_free(a);
    resp_free(b);
    resp_free(c);
    resp_free(d);
    srv_done(s);
}

/* ---- triage ---------------------------------------------------------------- */

static void
flow_triage(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *op = srv_bearer(s, srv_user(s, "op", "operator", NULL));
    const char *agency = routed_agency(s, "water", "750000000");
    assert_non_null(agency);
    const char *off = srv_bearer(s, srv_user(s, "off-w", "official", agency));

    /* Without a topic the router decides; a text it cannot place goes to triage. */
    const char *unplaced = "{\"topic\":null,\"text\":\"qwzx vbnm plkj hgfd zzkk wqpt\"}";
    struct resp *r = submit_ok(s, NULL, appeal_json(unplaced));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    json_t *ag = json_object_get(r->json, "agency");
    if (!json_is_null(ag)) {
        resp_print(r);
        fail_msg("appeal without topic: want \"agency\":null");
    }
    assert_string_equal(resp_str(r, "status"), "registered");
    resp_free(r);
    assert_true(queue_has(s, op, "", tid));
    assert_false(queue_has(s, off, "", tid));
    struct view v = staff_view(s, tid, op);
    assert_null(v.agency);

    r = act(s, tid, "triage", op, t_printf("{\"topic\":\"water\",\"agency\":\"%s\"}", agency));
    expect_done(r);
    resp_free(r);
    struct view t = staff_view(s, tid, op);
    assert_non_null(t.agency);
    assert_string_equal(t.agency, agency);
    assert_true(t.events > v.events);
    assert_true(queue_has(s, off, "", tid));
    assert_false(queue_has(s, op, "", tid));
    /* Routed now: triage again is not allowed. */
    r = act(s, tid, "triage", op, t_printf("{\"topic\":\"water\",\"agency\":\"%s\"}", agency));
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    /* Unknown agency on triage. */
    r = submit_ok(s, NULL, appeal_json(unplaced));
    const char *tid2 = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    r = act(s, tid2, "triage", op, "{\"topic\":\"water\",\"agency\":\"no-such.agency\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    srv_done(s);
}

/* ---- anonymous appeals ------------------------------------------------------ */

static void
flow_anonymous(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct resp *r = submit_ok(s, NULL, appeal_json("{\"contact\":null}"));
    assert_string_equal(resp_str(r, "status"), "not_considered");
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *secret = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);
    assert_string_equal(citizen_view(s, tid, secret).status, "not_considered");

    /* Email alone does not identify the author either. */
    r = submit_ok(s, NULL, appeal_json("{\"contact\":{\"name\":null,\"phone\":null}}"));
    assert_string_equal(resp_str(r, "status"), "not_considered");
    resp_free(r);

    r = submit_ok(s, NULL, appeal_json("{\"contact\":null,\"report\":\"crime\"}"));
    assert_string_equal(resp_str(r, "status"), "registered");
    resp_free(r);
    r = submit_ok(s, NULL, appeal_json("{\"contact\":null,\"report\":\"security\"}"));
    assert_string_equal(resp_str(r, "status"), "registered");
    resp_free(r);

    /* An IIN without a name is not anonymous. */
    char iin[13];
    iin_make("90010130012", iin);
    r = submit_ok(s, NULL,
                  appeal_json(t_printf("{\"contact\":{\"name\":null,\"iin\":\"%s\"}}", iin)));
    assert_string_equal(resp_str(r, "status"), "registered");
    resp_free(r);
    srv_done(s);
}

/* ---- invalid transitions ---------------------------------------------------- */

static void
flow_invalid_transition(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *agency = routed_agency(s, "roads", "750000000");
    const char *off = srv_bearer(s, srv_user(s, "off-t", "official", agency));
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *secret = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);
    size_t n = staff_view(s, tid, off).events;

    r = act(s, tid, "close", off, NULL); /* registered -> closed */
    expect_problem(r, 409, "/problems/invalid-transition");
    expect_security_headers(r);
    resp_free(r);
    r = citizen_act(s, tid, secret, "dispute",
                    "{\"reason\":\"Нет ответа\"}"); /* nothing answered */
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    struct view v = staff_view(s, tid, off);
    assert_string_equal(v.status, "registered");
    assert_int_equal(v.events, n); /* refused actions leave no trace in the timeline */

    r = citizen_act(s, tid, secret, "withdraw", "{\"reason\":\"Решилось само\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off, "withdrawn", n);
    r = act(s, tid, "take", off, NULL);
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    r = act(s, tid, "answer", off,
            "{\"text\":\"Ответ на отозванное обращение.\",\"language\":\"ru\"}");
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    r = citizen_act(s, tid, secret, "withdraw", "{}");
    expect_problem(r, 409, "/problems/invalid-transition");
    resp_free(r);
    v = staff_view(s, tid, off);
    assert_string_equal(v.status, "withdrawn");
    assert_int_equal(v.events, n);
    srv_done(s);
}

/* ---- secrets ---------------------------------------------------------------- */

static void
flow_secret(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    const char *secret = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);
    r = submit_ok(s, NULL, appeal_json("{\"text\":\"Второе обращение о сломанном светофоре.\"}"));
    const char *secret2 = t_printf("%s", resp_str(r, "secret"));
    resp_free(r);

    /* Wrong secret, another appeal's secret, an unknown tracking id: 404 alike. */
    r = citizen_get(s, tid, "wrong-secret-wrong-secret");
    expect_problem(r, 404, "/problems/not-found");
    expect_security_headers(r);
    resp_free(r);
    r = citizen_get(s, tid, secret2);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = citizen_get(s, "NOSUCHTRACKING1", secret);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_get(s, t_printf("/api/v1/appeals/%s?secret=%s", tid, secret2), NULL);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = citizen_act(s, tid, "wrong-secret-wrong-secret", "withdraw", "{}");
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);

    /* No credentials at all: the contract allows 401 (no credentials) or 404
     * (not yours); never the appeal. */
    r = srv_get(s, t_printf("/api/v1/appeals/%s", tid), NULL);
    if (r->status == 401)
        expect_problem(r, 401, "/problems/unauthorized");
    else
        expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    /* A wrong bearer token is bad credentials: 401. */
    r = srv_get(s, t_printf("/api/v1/appeals/%s", tid), "Authorization: Bearer not-a-token");
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    assert_string_equal(citizen_view(s, tid, secret).status, "registered");
    srv_done(s);
}

/* ---- sessions and CSRF ------------------------------------------------------ */

static const char *
session_cookie(const struct resp *r)
{
    const char *sc = resp_header(r, "Set-Cookie");
    if (!sc || strncmp(sc, "tyndau_session=", 15) != 0) {
        resp_print(r);
        fail_msg("login: no Set-Cookie: tyndau_session=...");
    }
    size_t n = strcspn(sc, ";");
    assert_true(n > 15);
    assert_non_null(strcasestr(sc, "HttpOnly"));
    assert_non_null(strcasestr(sc, "SameSite=Lax"));
    return t_printf("Cookie: %.*s", (int)n, sc);
}

static void
flow_session_csrf(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *agency = routed_agency(s, "roads", "750000000");
    srv_user(s, "off-s", "official", agency);
    char pw[128];
    srv_password("off-s", pw);

    struct resp *r = srv_post(s, "/api/v1/session", NULL,
                              t_printf("{\"login\":\"off-s\",\"password\":\"%s-x\"}", pw));
    expect_problem(r, 401, "/problems/unauthorized");
    assert_null(resp_header(r, "Set-Cookie"));
    resp_free(r);

    r = srv_post(s, "/api/v1/session", NULL,
                 t_printf("{\"login\":\"off-s\",\"password\":\"%s\"}", pw));
    expect_status(r, 200);
    expect_security_headers(r);
    const char *cookie = session_cookie(r);
    const char *csrf = resp_str(r, "csrf");
    assert_non_null(csrf);
    assert_true(strlen(csrf) >= 16);
    csrf = t_printf("X-CSRF-Token: %s", csrf);
    json_t *u = json_object_get(r->json, "user");
    assert_true(json_is_object(u));
    assert_string_equal(json_string_value(json_object_get(u, "login")), "off-s");
    resp_free(r);

    r = srv_get(s, "/api/v1/me", cookie);
    expect_status(r, 200);
    assert_non_null(strstr(r->body, "\"off-s\""));
    resp_free(r);

    r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    const char *take = t_printf("/api/v1/appeals/%s/take", tid);

    /* Cookie without the CSRF token, and with a wrong one: 403 csrf. */
    r = srv_req(s, "POST", take, (const char *[]){cookie, NULL}, "{}");
    expect_problem(r, 403, "/problems/csrf");
    resp_free(r);
    r = srv_req(s, "POST", take, (const char *[]){cookie, "X-CSRF-Token: wrong", NULL}, "{}");
    expect_problem(r, 403, "/problems/csrf");
    resp_free(r);
    /* Also on submit: a signed-in citizen's browser must not be driven by
     * another site either. */
    r = srv_req(s, "POST", "/api/v1/appeals", (const char *[]){cookie, NULL}, appeal_json(NULL));
    expect_problem(r, 403, "/problems/csrf");
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals", NULL), 1);
    assert_string_equal(srv_db_text(s, "SELECT status FROM appeals WHERE tracking_id = ?1", tid),
                        "registered");

    r = srv_req(s, "POST", take, (const char *[]){cookie, csrf, NULL}, "{}");
    expect_done(r);
    resp_free(r);
    assert_string_equal(srv_db_text(s, "SELECT status FROM appeals WHERE tracking_id = ?1", tid),
                        "in_review");

    /* Log out needs the token too, and ends the session. */
    r = srv_req(s, "DELETE", "/api/v1/session", (const char *[]){cookie, NULL}, NULL);
    expect_problem(r, 403, "/problems/csrf");
    resp_free(r);
    r = srv_req(s, "DELETE", "/api/v1/session", (const char *[]){cookie, csrf, NULL}, NULL);
    expect_done(r);
    resp_free(r);
    r = srv_get(s, "/api/v1/me", cookie);
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    r = srv_get(s, "/api/v1/me", NULL);
    expect_problem(r, 401, "/problems/unauthorized");
    resp_free(r);
    srv_done(s);
}

/* ---- forward, assign, return ------------------------------------------------ */

static void
flow_forward_assign_return(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *agency = routed_agency(s, "roads", "750000000");
    const char *other = "almaty-city.akimat";
    const char *off_a = srv_bearer(s, srv_user(s, "off-a", "official", agency));
    const char *off_b = srv_bearer(s, srv_user(s, "off-b", "official", other));
    const char *sup_b = srv_bearer(s, srv_user(s, "sup-b", "supervisor", other));
    int64_t off_b_id = srv_db_int(s, "SELECT id FROM users WHERE login = ?1", "off-b");

    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    size_t n = staff_view(s, tid, off_a).events;

    r = act(s, tid, "forward", off_a, "{\"agency\":\"no-such.agency\",\"reason\":\"Не наше\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = act(s, tid, "forward", off_a,
            t_printf("{\"agency\":\"%s\",\"reason\":\"Вопрос благоустройства\"}", other));
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off_b, "forwarded", n);
    assert_string_equal(staff_view(s, tid, off_b).agency, other);
    /* The first agency has lost it: 404 as for any other agency's appeal. */
    r = srv_get(s, t_printf("/api/v1/appeals/%s", tid), off_a);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    assert_false(queue_has(s, off_a, "", tid));
    assert_true(queue_has(s, off_b, "", tid));

    r = act(s, tid, "assign", sup_b, t_printf("{\"user\":%lld}", (long long)off_b_id));
    expect_done(r);
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT assignee FROM appeals WHERE tracking_id = ?1", tid),
                     off_b_id);
    /* The contract does not say whether assign moves the appeal into review;
     * if not, the assignee takes it. */
    struct view av = staff_view(s, tid, off_b);
    assert_true(av.events > n);
    n = av.events;
    if (strcmp(av.status, "in_review") != 0) {
        r = act(s, tid, "take", off_b, NULL);
        expect_done(r);
        resp_free(r);
        n = expect_step(s, tid, off_b, "in_review", n);
    }

    r = act(s, tid, "answer", off_b, "{\"text\":\"Ответ: работы назначены.\",\"language\":\"ru\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off_b, "answered", n);
    /* Return is the supervisor's; an official may not. */
    r = act(s, tid, "return", off_b, "{\"reason\":\"Ответ неполный\"}");
    expect_problem(r, 403, "/problems/forbidden");
    resp_free(r);
    r = act(s, tid, "return", sup_b, "{\"reason\":\"Ответ неполный, укажите сроки\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off_b, "in_review", n);
    r = act(s, tid, "answer", off_b,
            "{\"text\":\"Работы будут завершены до 30 числа.\",\"language\":\"kk\"}");
    expect_done(r);
    resp_free(r);
    n = expect_step(s, tid, off_b, "answered", n);
    assert_int_equal(srv_db_int(s,
                                "SELECT count(*) FROM answers WHERE appeal_id = "
                                "(SELECT id FROM appeals WHERE tracking_id = ?1)",
                                tid),
                     2);
    r = act(s, tid, "close", sup_b, NULL);
    expect_done(r);
    resp_free(r);
    expect_step(s, tid, off_b, "closed", n);

    /* Not considered, with a reason. */
    r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid2 = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    r = act(s, tid2, "not-considered", off_a, "{}");
    expect_problem(r, 422, "/problems/missing-field");
    resp_free(r);
    r = act(s, tid2, "not-considered", off_a,
            "{\"reason\":\"Повторное обращение без новых доводов\"}");
    expect_done(r);
    resp_free(r);
    assert_string_equal(staff_view(s, tid2, off_a).status, "not_considered");
    srv_done(s);
}

/* ---- security headers ---------------------------------------------------------- */

static void
flow_security_headers(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct {
        const char *method, *path, *body;
        int status;
    } reqs[] = {
        {"GET", "/healthz", NULL, 200},
        {"GET", "/readyz", NULL, 200},
        {"GET", "/api/v1/regions", NULL, 200},
        {"GET", "/api/v1/topics", NULL, 200},
        {"GET", "/api/v1/agencies", NULL, 200},
        {"GET", "/problems/not-found", NULL, 200},
        {"GET", "/no/such/path", NULL, 404},
        {"GET", "/api/v1/no-such-route", NULL, 404},
        {"DELETE", "/healthz", NULL, 405},
        {"GET", "/api/v1/queue", NULL, 401},
        {"GET", "/api/v1/me", NULL, 401},
        {"POST", "/api/v1/appeals", "{", 400},
        {"POST", "/api/v1/appeals", "{\"kind\":\"complaint\"}", 422},
    };
    const char *failures = "";
    for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
        struct resp *r = srv_req(s, reqs[i].method, reqs[i].path, NULL, reqs[i].body);
        const char *why = check_security(r);
        if (r->status != reqs[i].status)
            why = t_printf("status %d, want %d%s%s", r->status, reqs[i].status, why ? "; " : "",
                           why ? why : "");
        if (why)
            failures = t_printf("%s  %s %s: %s\n", failures, reqs[i].method, reqs[i].path, why);
        resp_free(r);
    }
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    expect_security_headers(r);
    resp_free(r);
    /* 405 names the methods that exist. */
    r = srv_req(s, "DELETE", "/healthz", NULL, NULL);
    if (r->status == 405 && !resp_header(r, "Allow"))
        failures = t_printf("%s  DELETE /healthz: 405 without Allow\n", failures);
    resp_free(r);
    r = srv_get(s, "/healthz", NULL);
    if (r->status == 200 && (!r->json || !json_is_string(json_object_get(r->json, "status")) ||
                             strcmp(json_string_value(json_object_get(r->json, "status")), "ok")))
        failures =
            t_printf("%s  GET /healthz: body is not {\"status\":\"ok\"}: %s\n", failures, r->body);
    resp_free(r);
    fail_report("security headers / statuses", failures);
    srv_done(s);
}

/* ---- the queue: order, pages, filters ----------------------------------------- */

/* Follow next_cursor from query to the end; the tracking ids in order. */
static json_t *
queue_all(struct srv *s, const char *auth, const char *query, int limit)
{
    json_t *ids = json_array();
    const char *cursor = NULL;
    for (int page = 0; page < 100; page++) {
        const char *path = t_printf("/api/v1/queue?limit=%d%s%s%s", limit, query,
                                    cursor ? "&cursor=" : "", cursor ? cursor : "");
        struct resp *r = srv_get(s, path, auth);
        expect_status(r, 200);
        json_t *items = json_object_get(r->json, "items"), *it;
        json_t *next = json_object_get(r->json, "next_cursor");
        if (!json_is_array(items) || json_array_size(items) > (size_t)limit ||
            !(json_is_null(next) || json_is_string(next))) {
            resp_print(r);
            fail_msg("queue page: want at most %d items and next_cursor string or null", limit);
        }
        size_t i;
        json_array_foreach(items, i, it)
        {
            json_array_append(ids, json_object_get(it, "tracking_id"));
        }
        /* A cursor is opaque: pass it back exactly, percent-encoded. */
        const char *n = json_string_value(next);
        char *enc = n ? curl_easy_escape(NULL, n, 0) : NULL;
        cursor = enc ? t_printf("%s", enc) : NULL;
        curl_free(enc);
        bool full = json_array_size(items) == (size_t)limit;
        resp_free(r);
        if (!cursor)
            return ids;
        if (!full) {
            json_decref(ids);
            fail_msg("queue: a short page with a next_cursor");
        }
    }
    json_decref(ids);
    fail_msg("queue: more than 100 pages");
    return NULL;
}

static void
flow_queue_pages(void **state)
{
    (void)state;
    struct srv *s = start_at(2026, 6, 1, 10, 0);
    const char *agency = routed_agency(s, "roads", "750000000");
    const char *off = srv_bearer(s, srv_user(s, "off-q", "official", agency));
    enum { N = 7 };
    const char *tids[N];
    for (int i = 0; i < N; i++) {
        struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
        tids[i] = t_printf("%s", resp_str(r, "tracking_id"));
        resp_free(r);
    }
    /* Another agency's appeal never shows. */
    struct resp *r = submit_ok(s, NULL, appeal_json("{\"region\":\"710000000\"}"));
    const char *foreign = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    /* tids[0] moves to the back of the queue (later due date); tids[1] is taken. */
    r = act(s, tids[0], "take", off, NULL);
    expect_done(r);
    resp_free(r);
    r = act(s, tids[0], "extend", off,
            "{\"reason\":\"Нужна экспертиза\",\"due_date\":\"2026-07-15\"}");
    expect_done(r);
    resp_free(r);
    r = act(s, tids[1], "take", off, NULL);
    expect_done(r);
    resp_free(r);

    for (int limit = 1; limit <= 3; limit++) {
        json_t *ids = queue_all(s, off, "", limit);
        if (json_array_size(ids) != N) {
            char *txt = json_dumps(ids, JSON_COMPACT);
            print_error("limit=%d: %s\n", limit, txt);
            free(txt);
            json_decref(ids);
            fail_msg("queue pages hold %zu appeals, want %d", json_array_size(ids), N);
        }
        /* Sorted by due date, then id; every appeal exactly once. */
        int64_t prev_due = INT64_MIN, prev_id = 0;
        for (size_t i = 0; i < N; i++) {
            const char *t = json_string_value(json_array_get(ids, i));
            assert_non_null(t);
            assert_string_not_equal(t, foreign);
            int64_t due = srv_db_int(s, "SELECT due_at FROM appeals WHERE tracking_id = ?1", t);
            int64_t id = srv_db_int(s, "SELECT id FROM appeals WHERE tracking_id = ?1", t);
            if (due < prev_due || (due == prev_due && id <= prev_id)) {
                json_decref(ids);
                fail_msg("limit=%d: queue not sorted by (due date, id) at item %zu", limit, i);
            }
            prev_due = due;
            prev_id = id;
        }
        assert_string_equal(json_string_value(json_array_get(ids, N - 1)), tids[0]);
        json_decref(ids);
    }

    json_t *ids = queue_all(s, off, "&status=in_review", 50);
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), tids[1]);
    json_decref(ids);
    ids = queue_all(s, off, "&status=extended", 50);
    assert_int_equal(json_array_size(ids), 1);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), tids[0]);
    json_decref(ids);
    ids = queue_all(s, off, "&status=registered&topic=roads&region=750000000", 50);
    assert_int_equal(json_array_size(ids), N - 2);
    json_decref(ids);
    ids = queue_all(s, off, "&topic=water", 50);
    assert_int_equal(json_array_size(ids), 0);
    json_decref(ids);
    ids = queue_all(s, off, "&region=710000000", 50);
    assert_int_equal(json_array_size(ids), 0);
    json_decref(ids);
    ids = queue_all(s, off, "&overdue=true", 50);
    assert_int_equal(json_array_size(ids), 0);
    json_decref(ids);
    srv_done(s);
}

/* Past the due date the scheduler marks the appeal overdue. */
static void
flow_overdue(void **state)
{
    (void)state;
    struct srv *s = start_at(2026, 6, 1, 10, 0);
    const char *agency = routed_agency(s, "roads", "750000000");
    const char *off = srv_bearer(s, srv_user(s, "off-o", "official", agency));
    struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    assert_false(queue_has(s, off, "?overdue=true", tid));
    /* Two days after the due date of 22 June, with a fast scheduler. */
    int64_t later = tm_local_time(tm_days_from_civil(2026, 6, 24), 10, 0, 0);
    srv_set_args(s, t_printf("--clock-offset=%lld", (long long)(later - (int64_t)time(NULL))),
                 "--scheduler-interval-ms=100", NULL);
    srv_restart(s);
    int64_t until = t_now_ms() + 10000 * srv_slow();
    while (!queue_has(s, off, "?overdue=true", tid)) {
        if (t_now_ms() > until)
            fail_msg("appeal due 2026-06-22 not in ?overdue=true on 2026-06-24 after 10 s");
        t_sleep_ms(50);
    }
    assert_true(queue_has(s, off, "", tid));
    srv_done(s);
}

/* ---- rate limits ------------------------------------------------------------ */

static void
flow_rate_limit(void **state)
{
    (void)state;
    struct srv *s = srv_start("--rate-submit=3", NULL);
    /* The limit is per minute: keep the four requests inside one minute of
     * the clock (a window that starts on the minute), so that none of them
     * lands in a fresh budget. */
    while (time(NULL) % 60 > 50)
        t_sleep_ms(200);
    for (int i = 0; i < 3; i++) {
        struct resp *r = submit_ok(s, NULL, appeal_json(NULL));
        resp_free(r);
    }
    struct resp *r = submit(s, NULL, NULL, appeal_json(NULL));
    expect_problem(r, 429, "/problems/rate-limited");
    expect_security_headers(r);
    const char *ra = resp_header(r, "Retry-After");
    uint64_t secs = 0;
    if (!ra || str_to_u64(str_from_cstr(ra), 60, &secs) != ERR_OK || secs < 1) {
        resp_print(r);
        fail_msg("429 without Retry-After of 1..60 seconds");
    }
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals", NULL), 3);
    /* Other routes are not limited by the submit budget. */
    r = srv_get(s, "/healthz", NULL);
    expect_status(r, 200);
    resp_free(r);
    srv_done(s);
}

/* ---- reference data, problem pages, routing rules ---------------------------- */

/* The list in a reference response: the array itself or its only array member. */
static json_t *
list_of(json_t *j)
{
    if (json_is_array(j))
        return j;
    const char *k;
    json_t *v, *found = NULL;
    json_object_foreach(j, k, v)
    {
        if (json_is_array(v)) {
            if (found)
                return NULL;
            found = v;
        }
    }
    return found;
}

static void
flow_reference_and_problems(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    struct resp *r = srv_get(s, "/api/v1/regions", NULL);
    expect_status(r, 200);
    json_t *regions = list_of(r->json);
    assert_non_null(regions);
    assert_int_equal(json_array_size(regions), 20);
    assert_non_null(strstr(r->body, "\"750000000\""));
    assert_non_null(strstr(r->body, "\"710000000\""));
    resp_free(r);
    r = srv_get(s, "/api/v1/topics", NULL);
    expect_status(r, 200);
    assert_non_null(list_of(r->json));
    static const char *const topics[] = {"\"roads\"",     "\"housing\"", "\"water\"",
                                         "\"transport\"", "\"health\"",  "\"education\"",
                                         "\"social\""};
    for (size_t i = 0; i < sizeof(topics) / sizeof(topics[0]); i++)
        if (!strstr(r->body, topics[i]))
            fail_msg("/api/v1/topics lacks %s", topics[i]);
    resp_free(r);
    r = srv_get(s, "/api/v1/agencies", NULL);
    expect_status(r, 200);
    assert_non_null(list_of(r->json));
    assert_non_null(strstr(r->body, "\"almaty-city.roads\""));
    assert_non_null(strstr(r->body, "\"astana.health\""));
    resp_free(r);

    static const char *const types[] = {"invalid-json",
                                        "invalid-utf8",
                                        "invalid-query",
                                        "invalid-header",
                                        "unauthorized",
                                        "forbidden",
                                        "csrf",
                                        "not-found",
                                        "method-not-allowed",
                                        "invalid-transition",
                                        "body-too-large",
                                        "unsupported-media-type",
                                        "unknown-field",
                                        "wrong-type",
                                        "missing-field",
                                        "invalid-value",
                                        "text-too-short",
                                        "text-too-long",
                                        "idempotency-key-reused",
                                        "rate-limited",
                                        "unavailable",
                                        "internal"};
    const char *failures = "";
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        r = srv_get(s, t_printf("/problems/%s", types[i]), NULL);
        if (r->status != 200 || r->body_len == 0)
            failures = t_printf("%s  /problems/%s: %d\n", failures, types[i], r->status);
        resp_free(r);
    }
    r = srv_get(s, "/problems/no-such-problem", NULL);
    if (check_problem(r, 404, "/problems/not-found"))
        failures = t_printf("%s  /problems/no-such-problem: %s\n", failures,
                            check_problem(r, 404, "/problems/not-found"));
    resp_free(r);
    fail_report("problem pages", failures);
    srv_done(s);
}

static void
flow_routing_rules(void **state)
{
    (void)state;
    struct srv *s = srv_start(NULL);
    const char *admin = srv_bearer(s, srv_user(s, "admin", "admin", NULL));
    struct resp *r = srv_get(s, "/api/v1/admin/routing-rules", admin);
    expect_status(r, 200);
    assert_non_null(list_of(r->json));
    assert_non_null(strstr(r->body, "\"almaty-city.roads\""));
    resp_free(r);
    const char *put_h[] = {admin, NULL};
    r = srv_req(s, "PUT", "/api/v1/admin/routing-rules", put_h,
                "{\"topic\":\"roads\",\"region\":\"750000000\",\"agency\":\"no-such.agency\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = srv_req(
        s, "PUT", "/api/v1/admin/routing-rules", put_h,
        "{\"topic\":\"weather\",\"region\":\"750000000\",\"agency\":\"almaty-city.akimat\"}");
    expect_problem(r, 422, "/problems/invalid-value");
    resp_free(r);
    r = srv_req(s, "PUT", "/api/v1/admin/routing-rules", put_h,
                "{\"topic\":\"roads\",\"region\":\"750000000\",\"agency\":\"almaty-city.akimat\"}");
    expect_done(r);
    resp_free(r);
    r = submit_ok(s, NULL, appeal_json(NULL));
    assert_string_equal(resp_str(r, "agency"), "almaty-city.akimat");
    resp_free(r);
    /* region null: the rule for every region without its own. */
    r = srv_req(s, "PUT", "/api/v1/admin/routing-rules", put_h,
                "{\"topic\":\"digital\",\"region\":null,\"agency\":\"astana.akimat\"}");
    expect_done(r);
    resp_free(r);
    assert_int_equal(srv_db_int(s,
                                "SELECT count(*) FROM routing_rules WHERE topic = 'digital' AND "
                                "region IS NULL AND agency = ?1",
                                "astana.akimat"),
                     1);
    srv_done(s);
}

int
main(void)
{
    srv_init(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(flow_full, srv_teardown),
        cmocka_unit_test_teardown(flow_weekend_registration, srv_teardown),
        cmocka_unit_test_teardown(flow_holiday_registration, srv_teardown),
        cmocka_unit_test_teardown(flow_idempotency, srv_teardown),
        cmocka_unit_test_teardown(flow_triage, srv_teardown),
        cmocka_unit_test_teardown(flow_anonymous, srv_teardown),
        cmocka_unit_test_teardown(flow_invalid_transition, srv_teardown),
        cmocka_unit_test_teardown(flow_secret, srv_teardown),
        cmocka_unit_test_teardown(flow_session_csrf, srv_teardown),
        cmocka_unit_test_teardown(flow_forward_assign_return, srv_teardown),
        cmocka_unit_test_teardown(flow_security_headers, srv_teardown),
        cmocka_unit_test_teardown(flow_queue_pages, srv_teardown),
        cmocka_unit_test_teardown(flow_overdue, srv_teardown),
        cmocka_unit_test_teardown(flow_rate_limit, srv_teardown),
        cmocka_unit_test_teardown(flow_reference_and_problems, srv_teardown),
        cmocka_unit_test_teardown(flow_routing_rules, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
