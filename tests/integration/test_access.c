/*
 * test_access.c - who may do what, driven by `tyndau routes`. Every route the
 * binary serves must be in the table below (and every row must be served), so
 * a new route cannot ship without its access case. For each route on an
 * appeal, staff of another agency must get exactly what they get for an
 * appeal that does not exist (404; 403 only where their role may never use
 * the route), and the appeal must not change. Staff-only routes answer 401
 * without credentials and 403 to every role the contract does not list.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/tm.h"
#include "integration/srv.h"

enum who {
    WHO_ANYONE,    /* no credentials needed */
    WHO_SIGNED_IN, /* any signed-in user */
    WHO_CITIZEN,   /* the tracking secret or the owner (and, for GET, staff) */
    WHO_STAFF,     /* only the roles listed */
};

/* One route of docs/api.md. Body placeholders: {A} agency A, {B} agency B,
 * {U} user id of official A, {D} a due date 10 days after the current one. */
struct route_case {
    const char *method;
    const char *path; /* as `tyndau routes` prints it */
    enum who who;
    const char *roles; /* WHO_STAFF: the contract's roles, comma-separated */
    const char *body;  /* NULL: no body */
    bool seen;         /* listed by `tyndau routes` */
};

static struct route_case cases[] = {
    {"GET", "/", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/healthz", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/readyz", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/metrics", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/api/v1/regions", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/api/v1/topics", WHO_ANYONE, NULL, NULL, false},
    {"GET", "/api/v1/agencies", WHO_ANYONE, NULL, NULL, false},
    {"POST", "/api/v1/session", WHO_ANYONE, NULL, "{\"login\":\"nobody\",\"password\":\"x\"}",
     false},
    {"DELETE", "/api/v1/session", WHO_SIGNED_IN, NULL, NULL, false},
    {"GET", "/api/v1/me", WHO_SIGNED_IN, NULL, NULL, false},
    {"POST", "/api/v1/appeals", WHO_ANYONE, NULL, "(appeal)", false},
    {"GET", "/api/v1/appeals/{tracking}", WHO_CITIZEN, NULL, NULL, false},
    {"POST", "/api/v1/appeals/{tracking}/rating", WHO_CITIZEN, NULL,
     "{\"score\":2,\"comment\":\"Плохо\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/dispute", WHO_CITIZEN, NULL,
     "{\"reason\":\"Ответ формальный\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/withdraw", WHO_CITIZEN, NULL,
     "{\"reason\":\"Больше не актуально\"}", false},
    {"GET", "/api/v1/queue", WHO_STAFF, "official,supervisor,operator", NULL, false},
    {"GET", "/api/v1/opinion", WHO_STAFF, "analyst,supervisor,admin", NULL, false},
    {"GET", "/api/v1/stats", WHO_STAFF, "supervisor,analyst,admin", NULL, false},
    /* The dashboard and the opinion page: pages, refused as the workspace's are. */
    {"GET", "/dashboard", WHO_STAFF, "supervisor,analyst", NULL, false},
    {"GET", "/opinion", WHO_STAFF, "analyst,supervisor,admin", NULL, false},
    /* {id}: the fixture's first appeal, which starts a cluster of its own */
    {"GET", "/api/v1/clusters", WHO_STAFF, "operator,official,supervisor,analyst,admin", NULL,
     false},
    {"GET", "/api/v1/clusters/{id}", WHO_STAFF, "operator,official,supervisor,analyst,admin", NULL,
     false},
    {"POST", "/api/v1/clusters/{id}/answer", WHO_STAFF, "official,supervisor",
     "{\"text\":\"Работы запланированы на следующую неделю.\",\"language\":\"ru\"}", false},
    /* anyone: what each caller receives is filtered (test_events.c) */
    {"GET", "/api/v1/events", WHO_ANYONE, NULL, NULL, false},
    {"POST", "/api/v1/appeals/{tracking}/triage", WHO_STAFF, "operator",
     "{\"topic\":\"roads\",\"agency\":\"{A}\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/take", WHO_STAFF, "official,supervisor", "{}", false},
    {"POST", "/api/v1/appeals/{tracking}/assign", WHO_STAFF, "supervisor", "{\"user\":{U}}", false},
    {"POST", "/api/v1/appeals/{tracking}/answer", WHO_STAFF, "official,supervisor",
     "{\"text\":\"Работы запланированы на следующую неделю.\",\"language\":\"ru\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/forward", WHO_STAFF, "official,supervisor,operator",
     "{\"agency\":\"{B}\",\"reason\":\"Вопрос другого ведомства\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/extend", WHO_STAFF, "official,supervisor",
     "{\"reason\":\"Нужна проверка на месте\",\"due_date\":\"{D}\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/return", WHO_STAFF, "supervisor",
     "{\"reason\":\"Ответ неполный\"}", false},
    {"POST", "/api/v1/appeals/{tracking}/close", WHO_STAFF, "official,supervisor", "{}", false},
    {"POST", "/api/v1/appeals/{tracking}/not-considered", WHO_STAFF, "official,supervisor",
     "{\"reason\":\"Повторное обращение\"}", false},
    {"GET", "/api/v1/admin/routing-rules", WHO_STAFF, "admin", NULL, false},
    {"PUT", "/api/v1/admin/routing-rules", WHO_STAFF, "admin",
     "{\"topic\":\"roads\",\"region\":\"750000000\",\"agency\":\"{B}\"}", false},
    {"GET", "/api/v1/admin/keyword-rules", WHO_STAFF, "admin", NULL, false},
    {"PUT", "/api/v1/admin/keyword-rules", WHO_STAFF, "admin",
     "{\"items\":[{\"keyword\":\"шлагбаум\",\"topic\":\"roads\"}]}", false},
    {"GET", "/problems/{type}", WHO_ANYONE, NULL, NULL, false},
    /* Pages (docs/pages.md): form posts carry a csrf field, so a call without
     * one is refused before the appeal is looked at, for a missing appeal too. */
    {"POST", "/appeal", WHO_ANYONE, NULL, "kind=complaint", false},
    {"GET", "/track/{tracking}", WHO_CITIZEN, NULL, NULL, false},
    {"POST", "/track/{tracking}/rating", WHO_CITIZEN, NULL, "score=2", false},
    {"POST", "/track/{tracking}/dispute", WHO_CITIZEN, NULL, "reason=x", false},
    {"GET", "/answered", WHO_ANYONE, NULL, NULL, false},
    /* The officials' workspace: page routes send a browser without a session
     * to /work/login and refuse other roles with a 403 page (call() gives
     * every form post a valid double-submit csrf token, so the role check
     * itself is what refuses). */
    {"GET", "/work/login", WHO_ANYONE, NULL, NULL, false},
    {"POST", "/work/login", WHO_ANYONE, NULL, "login=nobody&password=x", false},
    {"POST", "/work/logout", WHO_SIGNED_IN, NULL, "", false},
    {"GET", "/work", WHO_STAFF, "official,supervisor,operator", NULL, false},
    {"GET", "/work/intake", WHO_STAFF, "operator", NULL, false},
    {"POST", "/work/intake", WHO_STAFF, "operator", "channel=phone", false},
    {"GET", "/work/case/{tracking}", WHO_STAFF, "official,supervisor,operator", NULL, false},
    {"POST", "/work/case/{tracking}/take", WHO_STAFF, "official,supervisor", "", false},
    {"POST", "/work/case/{tracking}/answer", WHO_STAFF, "official,supervisor",
     "text=%D0%A0%D0%B5%D0%BC%D0%BE%D0%BD%D1%82+%D0%B2%D1%8B%D0%BF%D0%BE%D0%BB%D0%BD%D0%B5%D0%BD&"
     "answer_language=ru",
     false},
    {"POST", "/work/case/{tracking}/forward", WHO_STAFF, "official,supervisor,operator",
     "agency={B}&forward_reason=other", false},
    {"POST", "/work/case/{tracking}/extend", WHO_STAFF, "official,supervisor",
     "due_date={D}&extend_reason=check", false},
    {"POST", "/work/case/{tracking}/return", WHO_STAFF, "supervisor", "return_reason=incomplete",
     false},
    {"POST", "/work/case/{tracking}/close", WHO_STAFF, "official,supervisor", "", false},
    {"POST", "/work/case/{tracking}/triage", WHO_STAFF, "operator",
     "triage_topic=roads&triage_agency={A}", false},
    {"POST", "/work/case/{tracking}/assign", WHO_STAFF, "supervisor", "assignee={U}", false},
    {"GET", "/assets/{name}", WHO_ANYONE, NULL, NULL, false},
};

/* A page (not under /api/ or /problems/) answers HTML, not problem JSON. */
static bool
is_page(const char *path)
{
    return strncmp(path, "/api/", 5) != 0 && strncmp(path, "/problems/", 10) != 0;
}

/* A valid double-submit token for form posts (26 of [a-z2-7]). */
#define FORM_CSRF "abcdefghijklmnopqrstuvwxyz"

/* How a page refuses: status 401 means "not signed in", which sends a GET to
 * /work/login and answers a form post with a 401 page; 403 is a 403 page.
 * NULL if r is that, else why not. */
static const char *
check_page_refusal(const struct resp *r, const char *method, int status)
{
    const char *ct = resp_header(r, "Content-Type");
    if (status == 401 && strcmp(method, "GET") == 0) {
        const char *loc = resp_header(r, "Location");
        if (r->status != 303 || !loc || strncmp(loc, "/work/login", 11) != 0)
            return t_printf("status %d Location %s, want 303 to /work/login", r->status,
                            loc ? loc : "(none)");
        return NULL;
    }
    if (r->status != status)
        return t_printf("status %d, want %d", r->status, status);
    if (!ct || strncmp(ct, "text/html", 9) != 0)
        return t_printf("Content-Type %s, want text/html", ct ? ct : "(none)");
    return NULL;
}

static const char *const all_roles[] = {"citizen",    "operator", "official",
                                        "supervisor", "analyst",  "admin"};

static struct route_case *
find_case(const char *method, const char *path)
{
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (strcmp(cases[i].method, method) == 0 && strcmp(cases[i].path, path) == 0)
            return &cases[i];
    return NULL;
}

static bool
list_has(const char *csv, const char *role)
{
    size_t n = strlen(role);
    for (const char *p = csv; p && *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, role, n) == 0)
            return true;
        p += k + (p[k] == ',');
    }
    return false;
}

static bool
json_roles_has(json_t *roles, const char *role)
{
    size_t i;
    json_t *v;
    json_array_foreach(roles, i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), role) == 0)
            return true;
    }
    return false;
}

/* Replace every occurrence of each key by its value (scratch arena). */
static const char *
fill(const char *tmpl, const char *const kv[][2], size_t kv_count)
{
    const char *out = "";
    for (const char *p = tmpl; *p;) {
        bool hit = false;
        for (size_t i = 0; i < kv_count && !hit; i++) {
            size_t k = strlen(kv[i][0]);
            if (strncmp(p, kv[i][0], k) == 0) {
                out = t_printf("%s%s", out, kv[i][1]);
                p += k;
                hit = true;
            }
        }
        if (!hit)
            out = t_printf("%s%c", out, *p++);
    }
    return out;
}

/* `tyndau routes` against the table, both ways; marks cases[].seen. strict:
 * fail on any difference; else only on what the other tests cannot do
 * without (an appeal route with no case, a malformed entry). */
static json_t *
routes_checked(bool strict)
{
    json_t *routes = cli_routes();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        cases[i].seen = false;
    const char *problems = "";
    size_t i;
    json_t *rt;
    json_array_foreach(routes, i, rt)
    {
        const char *m = json_string_value(json_object_get(rt, "method"));
        const char *p = json_string_value(json_object_get(rt, "path"));
        const char *obj = json_string_value(json_object_get(rt, "object"));
        json_t *roles = json_object_get(rt, "roles");
        if (!m || !p || !obj || !json_is_array(roles) ||
            (strcmp(obj, "none") != 0 && strcmp(obj, "appeal") != 0)) {
            char *txt = json_dumps(rt, JSON_COMPACT);
            problems = t_printf("%s  malformed route entry %s\n", problems, txt);
            free(txt);
            continue;
        }
        struct route_case *c = find_case(m, p);
        if (!c) {
            if (strict || strcmp(obj, "appeal") == 0)
                problems = t_printf("%s  %s %s is served but has no case in test_access.c\n",
                                    problems, m, p);
            continue;
        }
        if (!strict)
            continue;
        if (c->seen)
            problems = t_printf("%s  %s %s is listed twice\n", problems, m, p);
        c->seen = true;
        bool is_appeal = strstr(c->path, "{tracking}") != NULL;
        if (is_appeal != (strcmp(obj, "appeal") == 0))
            problems = t_printf("%s  %s %s: object \"%s\", want \"%s\"\n", problems, m, p, obj,
                                is_appeal ? "appeal" : "none");
        if (c->who == WHO_STAFF) {
            /* The roles must be exactly the contract's. */
            for (size_t k = 0; k < sizeof(all_roles) / sizeof(all_roles[0]); k++)
                if (json_roles_has(roles, all_roles[k]) != list_has(c->roles, all_roles[k]))
                    problems = t_printf(
                        "%s  %s %s: role %s %s, contract says %s\n", problems, m, p, all_roles[k],
                        json_roles_has(roles, all_roles[k]) ? "allowed" : "not allowed", c->roles);
        } else {
            /* "any" for everyone (secret holders included); all six roles for
             * any signed-in user. */
            bool any = json_array_size(roles) == 1 && json_roles_has(roles, "any");
            bool all = json_array_size(roles) == 6;
            for (size_t k = 0; k < sizeof(all_roles) / sizeof(all_roles[0]); k++)
                all = all && json_roles_has(roles, all_roles[k]);
            if (c->who == WHO_SIGNED_IN ? !all : !any) {
                char *txt = json_dumps(roles, JSON_COMPACT);
                problems = t_printf("%s  %s %s: roles %s, want %s\n", problems, m, p, txt,
                                    c->who == WHO_SIGNED_IN ? "all six" : "[\"any\"]");
                free(txt);
            }
        }
    }
    for (size_t k = 0; strict && k < sizeof(cases) / sizeof(cases[0]); k++)
        if (!cases[k].seen)
            problems = t_printf("%s  %s %s (docs/api.md) is missing from `tyndau routes`\n",
                                problems, cases[k].method, cases[k].path);
    if (*problems) {
        json_decref(routes);
        fail_report("routes table vs contract", problems);
    }
    return routes;
}

static void
access_routes_match_contract(void **state)
{
    (void)state;
    json_decref(routes_checked(true));
}

/* ---- the fixture: two agencies, every role ------------------------------- */

struct fx {
    struct srv *s;
    const char *agency_a, *agency_b;
    const char *off_a, *sup_a, *off_b, *sup_b, *op, *analyst, *admin, *citizen;
    const char *by_role[6]; /* auth header for all_roles[i], agency A for staff */
    long long off_a_id;
    const char *reg_tid, *reg_secret; /* registered, agency A */
    const char *ans_tid, *ans_secret; /* answered, agency A */
};

static const char *
submit_tid(struct fx *f, const char **secret)
{
    struct resp *r = srv_post(f->s, "/api/v1/appeals", NULL, appeal_json(NULL));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    *secret = t_printf("%s", resp_str(r, "secret"));
    if (!resp_str(r, "agency") || strcmp(resp_str(r, "agency"), f->agency_a) != 0)
        fail_msg("appeal routed to %s, want %s", resp_str(r, "agency"), f->agency_a);
    resp_free(r);
    return tid;
}

static void
fx_setup(struct fx *f)
{
    memset(f, 0, sizeof(*f));
    f->s = srv_start(NULL);
    struct srv *s = f->s;
    f->agency_a = srv_db_text(
        s, "SELECT agency FROM routing_rules WHERE topic = 'roads' AND region = ?1", "750000000");
    f->agency_b = "astana.health";
    f->off_a = srv_bearer(s, srv_user(s, "off-a", "official", f->agency_a));
    f->sup_a = srv_bearer(s, srv_user(s, "sup-a", "supervisor", f->agency_a));
    f->off_b = srv_bearer(s, srv_user(s, "off-b", "official", f->agency_b));
    f->sup_b = srv_bearer(s, srv_user(s, "sup-b", "supervisor", f->agency_b));
    f->op = srv_bearer(s, srv_user(s, "op", "operator", NULL));
    f->analyst = srv_bearer(s, srv_user(s, "analyst", "analyst", NULL));
    f->admin = srv_bearer(s, srv_user(s, "admin", "admin", NULL));
    f->citizen = srv_bearer(s, srv_user(s, "citizen", "citizen", NULL));
    const char *by[] = {f->citizen, f->op, f->off_a, f->sup_a, f->analyst, f->admin};
    memcpy(f->by_role, by, sizeof(by));
    f->off_a_id = (long long)srv_db_int(s, "SELECT id FROM users WHERE login = ?1", "off-a");

    f->reg_tid = submit_tid(f, &f->reg_secret);
    f->ans_tid = submit_tid(f, &f->ans_secret);
    struct resp *r = srv_post(s, t_printf("/api/v1/appeals/%s/take", f->ans_tid), f->off_a, "{}");
    assert_true(r->status == 200 || r->status == 204);
    resp_free(r);
    r = srv_post(s, t_printf("/api/v1/appeals/%s/answer", f->ans_tid), f->off_a,
                 "{\"text\":\"Ремонт выполнен, спасибо за обращение.\",\"language\":\"ru\"}");
    assert_true(r->status == 200 || r->status == 204);
    resp_free(r);
}

/* Everything about an appeal that an action could change: the API view of
 * official A and the stored row, events and answers. */
static const char *
fingerprint(struct fx *f, const char *tid)
{
    struct resp *r = srv_get(f->s, t_printf("/api/v1/appeals/%s", tid), f->off_a);
    expect_status(r, 200);
    char *view = json_dumps(r->json, JSON_COMPACT | JSON_SORT_KEYS);
    resp_free(r);
    const char *row = srv_db_text(
        f->s,
        "SELECT status || '|' || coalesce(agency, '') || '|' || coalesce(topic, '') || '|' || "
        "coalesce(CAST(assignee AS TEXT), '') || '|' || coalesce(CAST(due_at AS TEXT), '') || '|' "
        "|| extended || '|' || coalesce(CAST(rating AS TEXT), '') || '|' || updated_at || '|' || "
        "coalesce(CAST(closed_at AS TEXT), '') || '|' || "
        "(SELECT count(*) FROM appeal_events e WHERE e.appeal_id = a.id) || '|' || "
        "(SELECT count(*) FROM answers w WHERE w.appeal_id = a.id) "
        "FROM appeals a WHERE tracking_id = ?1",
        tid);
    const char *res = t_printf("%s\n%s", row, view ? view : "(no json)");
    free(view);
    return res;
}

static const char *
body_for(struct fx *f, const struct route_case *c, const char *tid)
{
    if (!c->body)
        return NULL;
    if (strcmp(c->body, "(appeal)") == 0)
        return appeal_json(NULL);
    /* {D}: ten days after the current due date (both fixture appeals were
     * filed together; a missing tracking id borrows the first one's). */
    (void)tid;
    char due[11];
    tm_format_date(tm_local_day(srv_db_int(
                       f->s, "SELECT due_at FROM appeals WHERE tracking_id = ?1", f->reg_tid)) +
                       10,
                   due);
    const char *uid = t_printf("%lld", f->off_a_id);
    const char *const kv[][2] = {
        {"{A}", f->agency_a}, {"{B}", f->agency_b}, {"{U}", uid}, {"{D}", due}};
    return fill(c->body, kv, 4);
}

static struct resp *
call(struct fx *f, const struct route_case *c, const char *tid, const char *auth)
{
    const char *cid = t_printf(
        "%lld",
        (long long)srv_db_int(f->s, "SELECT id FROM appeals WHERE tracking_id = ?1", f->reg_tid));
    const char *const kv[][2] = {
        {"{tracking}", tid}, {"{type}", "not-found"}, {"{name}", "tyndau.css"}, {"{id}", cid}};
    const char *path = fill(c->path, kv, 4);
    const char *body = body_for(f, c, tid ? tid : "");
    if (is_page(c->path) && strcmp(c->method, "POST") == 0 && strncmp(c->path, "/work", 5) == 0) {
        /* Past the csrf check, so that the route's own checks answer. */
        const char *h[] = {"Content-Type: application/x-www-form-urlencoded",
                           "Cookie: tyndau_csrf=" FORM_CSRF, auth, NULL};
        return srv_req(
            f->s, c->method, path, h,
            t_printf("csrf=" FORM_CSRF "%s%s", body && *body ? "&" : "", body ? body : ""));
    }
    const char *h[] = {auth, NULL};
    return srv_req(f->s, c->method, path, h, body);
}

/* ---- another agency's appeal is a missing appeal ------------------------- */

static void
access_other_agency_is_404(void **state)
{
    (void)state;
    json_t *routes = routes_checked(false);
    struct fx f;
    fx_setup(&f);
    const char *callers[][2] = {{"official", f.off_b}, {"supervisor", f.sup_b}};
    const char *tids[] = {f.reg_tid, f.ans_tid};
    const char *failures = "";
    size_t checked = 0, i;
    json_t *rt;
    json_array_foreach(routes, i, rt)
    {
        if (strcmp(json_string_value(json_object_get(rt, "object")), "appeal") != 0)
            continue;
        struct route_case *c = find_case(json_string_value(json_object_get(rt, "method")),
                                         json_string_value(json_object_get(rt, "path")));
        json_t *roles = json_object_get(rt, "roles");
        for (size_t k = 0; k < 2; k++) {
            for (size_t t = 0; t < 2; t++) {
                const char *before = fingerprint(&f, tids[t]);
                /* The same call on a tracking id that does not exist. */
                struct resp *ghost = call(&f, c, "NOSUCHAPPEAL42", callers[k][1]);
                struct resp *r = call(&f, c, tids[t], callers[k][1]);
                const char *after = fingerprint(&f, tids[t]);
                bool role_ok = json_roles_has(roles, callers[k][0]) || c->who != WHO_STAFF;
                const char *why = check_problem(r, 404, "/problems/not-found");
                if (is_page(c->path)) {
                    /* The page of a missing appeal: 404 for a GET; a form post
                     * without its csrf field is refused alike for both. */
                    const char *ct = resp_header(r, "Content-Type");
                    why = NULL;
                    if (strcmp(c->method, "GET") == 0 && r->status != 404)
                        why = t_printf("status %d, want 404", r->status);
                    else if (!ct || strncmp(ct, "text/html", 9) != 0)
                        why = t_printf("Content-Type %s, want text/html", ct ? ct : "(none)");
                    else if (r->status != ghost->status)
                        why = t_printf("status %d, a missing appeal gets %d", r->status,
                                       ghost->status);
                }
                if (why && !role_ok && !check_problem(r, 403, "/problems/forbidden"))
                    why = NULL; /* a role that may never use the route: 403 is fine */
                if (!why && (r->status != ghost->status ||
                             strcmp(resp_str(r, "type") ? resp_str(r, "type") : "",
                                    resp_str(ghost, "type") ? resp_str(ghost, "type") : "")))
                    why = t_printf("differs from a missing appeal (%d %s)", ghost->status,
                                   resp_str(ghost, "type"));
                if (strcmp(before, after) != 0)
                    why = t_printf("%s%sTHE APPEAL CHANGED:\n    before %s\n    after  %s",
                                   why ? why : "", why ? "; " : "", before, after);
                if (why)
                    failures =
                        t_printf("%s  %s %s as %s of %s on a%s appeal: %d %s: %s (a "
                                 "missing appeal gets %d %s)\n",
                                 failures, c->method, c->path, callers[k][0], f.agency_b,
                                 t ? "n answered" : " registered", r->status,
                                 resp_str(r, "type") ? resp_str(r, "type") : "", why, ghost->status,
                                 resp_str(ghost, "type") ? resp_str(ghost, "type") : "");
                resp_free(ghost);
                resp_free(r);
                checked++;
            }
        }
    }
    json_decref(routes);
    assert_true(checked >= 4 * 13); /* the 13 appeal routes of docs/api.md */
    fail_report("staff of another agency", failures);
    /* Not in their queue either. */
    struct resp *q = srv_get(f.s, "/api/v1/queue", f.off_b);
    expect_status(q, 200);
    assert_null(strstr(q->body, f.reg_tid));
    assert_null(strstr(q->body, f.ans_tid));
    resp_free(q);
    srv_done(f.s);
}

/* ---- roles ------------------------------------------------------------------- */

static void
access_roles(void **state)
{
    (void)state;
    json_t *routes = routes_checked(false);
    json_decref(routes);
    struct fx f;
    fx_setup(&f);
    const char *failures = "";
    const char *tids[] = {f.reg_tid, f.ans_tid};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct route_case *c = &cases[i];
        if (c->who != WHO_STAFF && c->who != WHO_SIGNED_IN)
            continue;
        bool on_appeal = strstr(c->path, "{tracking}") != NULL;
        for (size_t t = 0; t < (on_appeal ? 2u : 1u); t++) {
            const char *before = on_appeal ? fingerprint(&f, tids[t]) : "";
            struct resp *r = call(&f, c, tids[t], NULL);
            bool page = is_page(c->path);
            const char *why = page ? check_page_refusal(r, c->method, 401)
                                   : check_problem(r, 401, "/problems/unauthorized");
            if (why)
                failures = t_printf("%s  %s %s without credentials: %s\n", failures, c->method,
                                    c->path, why);
            resp_free(r);
            r = call(&f, c, tids[t], "Authorization: Bearer 0000000000000000000000000000");
            why = check_problem(r, 401, "/problems/unauthorized");
            if (why)
                failures =
                    t_printf("%s  %s %s with a bad token: %s\n", failures, c->method, c->path, why);
            resp_free(r);
            /* The citizen's secret gives no staff rights: 401 or 403. */
            if (on_appeal && c->who == WHO_STAFF) {
                const char *sec =
                    t_printf("X-Tracking-Secret: %s", t ? f.ans_secret : f.reg_secret);
                r = call(&f, c, tids[t], sec);
                if (page ? check_page_refusal(r, c->method, 401) != NULL
                         : check_problem(r, 401, "/problems/unauthorized") &&
                               check_problem(r, 403, "/problems/forbidden"))
                    failures = t_printf("%s  %s %s with the appeal's secret: %d %.200s\n", failures,
                                        c->method, c->path, r->status, r->body);
                resp_free(r);
            }
            for (size_t k = 0; c->who == WHO_STAFF && k < 6; k++) {
                if (list_has(c->roles, all_roles[k]))
                    continue;
                r = call(&f, c, tids[t], f.by_role[k]);
                why = page ? check_page_refusal(r, c->method, 403)
                           : check_problem(r, 403, "/problems/forbidden");
                if (why)
                    failures = t_printf("%s  %s %s as %s: %s\n", failures, c->method, c->path,
                                        all_roles[k], why);
                resp_free(r);
            }
            if (on_appeal && strcmp(before, fingerprint(&f, tids[t])) != 0)
                failures = t_printf("%s  %s %s: a refused call changed the appeal\n", failures,
                                    c->method, c->path);
        }
    }
    /* The one the brief names: an analyst answering. */
    struct resp *r =
        srv_post(f.s, t_printf("/api/v1/appeals/%s/answer", f.reg_tid), f.analyst,
                 "{\"text\":\"Аналитик не отвечает на обращения.\",\"language\":\"ru\"}");
    const char *why = check_problem(r, 403, "/problems/forbidden");
    if (why)
        failures = t_printf("%s  analyst answering: %s\n", failures, why);
    resp_free(r);
    fail_report("role checks", failures);
    srv_done(f.s);
}

/* ---- owners, operators, admins -------------------------------------------- */

static void
access_owner_and_staff_reads(void **state)
{
    (void)state;
    struct fx f;
    fx_setup(&f);
    struct srv *s = f.s;
    /* A signed-in citizen owns what they submit: no secret needed. */
    struct resp *r = srv_post(s, "/api/v1/appeals", f.citizen, appeal_json(NULL));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    const char *path = t_printf("/api/v1/appeals/%s", tid);
    r = srv_get(s, path, f.citizen);
    expect_status(r, 200);
    resp_free(r);
    const char *other = srv_bearer(s, srv_user(s, "citizen2", "citizen", NULL));
    r = srv_get(s, path, other);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    r = srv_post(s, t_printf("%s/withdraw", path), other, "{}");
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    /* The appeal's own secret gives no rights over another appeal. */
    r = srv_req(s, "GET", t_printf("/api/v1/appeals/%s", f.reg_tid),
                (const char *[]){t_printf("X-Tracking-Secret: %s", f.ans_secret), NULL}, NULL);
    expect_problem(r, 404, "/problems/not-found");
    resp_free(r);
    /* Staff of its agency, operators and admins read it; analysts do not. */
    const char *readers[] = {f.off_a, f.sup_a, f.op, f.admin};
    for (size_t i = 0; i < 4; i++) {
        r = srv_get(s, path, readers[i]);
        expect_status(r, 200);
        resp_free(r);
    }
    r = srv_get(s, path, f.analyst);
    assert_true(r->status == 403 || r->status == 404);
    assert_null(strstr(r->body, "Абая")); /* no appeal text */
    resp_free(r);
    r = srv_get(s, "/api/v1/queue", f.citizen);
    expect_problem(r, 403, "/problems/forbidden");
    resp_free(r);
    /* A staff session is no citizen: officials cannot rate on its behalf. */
    r = srv_post(s, t_printf("/api/v1/appeals/%s/rating", f.ans_tid), f.off_a, "{\"score\":5}");
    assert_true(r->status == 403 || r->status == 404);
    resp_free(r);
    assert_int_equal(srv_db_int(s, "SELECT count(*) FROM appeals WHERE rating IS NOT NULL", NULL),
                     0);
    srv_done(s);
}

int
main(void)
{
    srv_init(300);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(access_routes_match_contract, srv_teardown),
        cmocka_unit_test_teardown(access_other_agency_is_404, srv_teardown),
        cmocka_unit_test_teardown(access_roles, srv_teardown),
        cmocka_unit_test_teardown(access_owner_and_staff_reads, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
