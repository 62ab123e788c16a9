/*
 * page_work.c - the officials' workspace: GET and POST /work/login (sign in
 * with login and password; the same session cookie as POST /api/v1/session),
 * POST /work/logout, and GET /work, the caller's queue (app_queue(): their
 * agency's open appeals, or the operators' triage queue) by due date, with a
 * working-day badge on each row, filters (status, topic, region, overdue) as
 * a GET form and pages by cursor. /work?fragment=queue answers the queue
 * region alone: web/static/work.js reloads it when the live stream reports a
 * new or moved appeal. Exports h_work_login(), h_work_login_post(),
 * h_work_logout(), h_work_queue(), page_sign_in() and page_work_bar().
 */
#include "http/html.h"

#include <stdint.h>
#include <string.h>

#include "base/log.h"
#include "base/tm.h"
#include "base/util.h"

enum {
    WORK_PAGE_ROWS = 25, /* queue rows on one page */
    WORK_NEXT_MAX = 200, /* bytes of a ?next= path after sign-in */
    WORK_LOGIN_MAX = 64, /* as POST /api/v1/session */
    WORK_PASSWORD_MAX = 256,
};

static bool
is_staff_with_queue(const struct user *u)
{
    return u->id &&
           (u->role == ROLE_OFFICIAL || u->role == ROLE_SUPERVISOR || u->role == ROLE_OPERATOR);
}

/* A path to return to after signing in: our own workspace, nothing else
 * (no scheme, no host, no "//", no query). */
static bool
next_ok(const char *s)
{
    /* Only the signed-in pages: a sign-in never sends anyone elsewhere. */
    static const char *const pages[] = {"/work", "/dashboard", "/opinion"};
    bool known = false;
    for (size_t i = 0; s && i < sizeof(pages) / sizeof(pages[0]); i++) {
        size_t n = strlen(pages[i]);
        known = known || (strncmp(s, pages[i], n) == 0 && (s[n] == '\0' || s[n] == '/'));
    }
    if (!known || strlen(s) > WORK_NEXT_MAX)
        return false;
    for (const char *q = s; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '/' || *q == '-' || *q == '_') ||
            (q[0] == '/' && q[1] == '/'))
            return false;
    return true;
}

enum handled
page_sign_in(struct req *r)
{
    if (strcmp(r->method, "GET") != 0)
        return page_error(r, 401, N_("Sign in first"),
                          N_("Your session has ended. Sign in again and repeat what you did."));
    struct page tmp = {.r = r};
    const char *lang = http_query(r, "lang");
    return page_redirect(r, page_url(&tmp, "/work/login",
                                     (const char *const[]){"next", next_ok(r->url) ? r->url : NULL,
                                                           "lang", lang, NULL}));
}

void
page_work_bar(struct page *p)
{
    const struct user *u = &p->r->caller.user;
    const char *const lang[] = {"lang", i18n_lang_code(p->lang), NULL};
    html_raw(p, "<div class=\"tyndau-workbar\">\n<p class=\"govuk-body-s tyndau-workbar__who\">");
    const char *agency = u->agency ? page_agency(p, u->agency) : page_t(p, N_("all agencies"));
    html_text(p, page_tf(p, N_("Signed in as {name}, {agency}"),
                         (const char *const[]){"name", u->name && *u->name ? u->name : u->login,
                                               "agency", agency, NULL}));
    html_raw(p, "</p>\n<ul class=\"govuk-list tyndau-workbar__links\"><li>");
    html_link(p, page_url(p, "/work", lang), page_t(p, N_("Queue")));
    html_raw(p, "</li>");
    if (u->role == ROLE_OPERATOR) {
        html_raw(p, "<li>");
        html_link(p, page_url(p, "/work/intake", lang), page_t(p, N_("Register an appeal")));
        html_raw(p, "</li>");
    }
    html_raw(p, "<li>");
    html_form_begin(p, "post", "/work/logout");
    html_raw(p, "<button type=\"submit\" class=\"tyndau-linkbutton govuk-link\">");
    html_t(p, N_("Sign out"));
    html_raw(p, "</button>\n");
    html_form_end(p);
    html_raw(p, "</li></ul>\n</div>\n");
}

/* ---- /work/login and /work/logout ---- */

struct login_form {
    const char *login, *next, *done;
    const char *error; /* msgid */
};

static enum handled
login_render(struct page *p, const struct login_form *lf, unsigned status)
{
    const char *title = page_t(p, N_("Sign in to the workspace"));
    p->self = "/work/login";
    page_begin(
        p, lf->error ? page_tf(p, N_("Error: {title}"), (const char *const[]){"title", title, NULL})
                     : title);
    html_raw(p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-half\">\n");
    if (lf->error) {
        const struct html_error e = {"login", page_t(p, lf->error)};
        html_error_summary(p, &e, 1);
    }
    if (lf->done && strcmp(lf->done, "out") == 0) {
        html_raw(p, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" "
                    "role=\"alert\" aria-labelledby=\"done-title\" "
                    "data-module=\"govuk-notification-banner\">\n"
                    "<div class=\"govuk-notification-banner__header\">"
                    "<h2 class=\"govuk-notification-banner__title\" id=\"done-title\">");
        html_t(p, N_("Done"));
        html_raw(p, "</h2></div>\n<div class=\"govuk-notification-banner__content\">"
                    "<p class=\"govuk-notification-banner__heading\">");
        html_t(p, N_("You are signed out."));
        html_raw(p, "</p></div>\n</div>\n");
    }
    html_raw(p, "<h1 class=\"govuk-heading-l\">");
    html_text(p, title);
    html_raw(p, "</h1>\n<p class=\"govuk-body\">");
    html_t(p, N_("For staff of state bodies and operators of the appeals service."));
    html_raw(p, "</p>\n");
    html_form_begin(p, "post", "/work/login");
    if (lf->next) {
        html_raw(p, "<input type=\"hidden\" name=\"next\"");
        html_attr(p, "value", lf->next);
        html_raw(p, ">\n");
    }
    html_input(p, &(struct html_field){.name = "login",
                                       .label = page_t(p, N_("Login")),
                                       .value = lf->login,
                                       .error = lf->error ? page_t(p, lf->error) : NULL,
                                       .autocomplete = "username",
                                       .cls = "govuk-input--width-20"});
    html_input(p, &(struct html_field){.name = "password",
                                       .label = page_t(p, N_("Password")),
                                       .type = "password",
                                       .autocomplete = "current-password",
                                       .cls = "govuk-input--width-20"});
    html_button(p, page_t(p, N_("Sign in")), false);
    html_form_end(p);
    html_raw(p, "</div></div>\n");
    page_end(p);
    return page_reply(p, status);
}

enum handled
h_work_login(struct req *r)
{
    if (is_staff_with_queue(&r->caller.user))
        return page_redirect(r, "/work");
    struct page p;
    page_init(&p, r, NULL);
    const char *next = http_query(r, "next");
    struct login_form lf = {.next = next_ok(next) ? next : NULL, .done = http_query(r, "done")};
    return login_render(&p, &lf, 200);
}

enum handled
h_work_login_post(struct req *r)
{
    struct page p;
    page_init(&p, r, r->form);
    const char *next = form_get(r->form, "next");
    struct login_form lf = {.login = form_get(r->form, "login"),
                            .next = next_ok(next) ? next : NULL};
    const char *password = form_get(r->form, "password");
    if (!lf.login || !*lf.login || !password || !*password) {
        lf.error = N_("Enter your login and password");
        return login_render(&p, &lf, 422);
    }
    if (strlen(lf.login) > WORK_LOGIN_MAX || strlen(password) > WORK_PASSWORD_MAX) {
        lf.error = N_("The login or password is wrong");
        return login_render(&p, &lf, 401);
    }
    struct user u;
    char token[APP_TOKEN_LEN], csrf[APP_TOKEN_LEN];
    enum err e = app_login(r->app, r->arena, r->ip, lf.login, password, &u, token, csrf);
    if (e == ERR_UNAUTH || e == ERR_RATE) {
        lf.error = e == ERR_RATE ? N_("Too many attempts from your address: wait a minute")
                                 : N_("The login or password is wrong");
        return login_render(&p, &lf, e == ERR_RATE ? 429 : 401);
    }
    buf_fini(&p.b);
    if (e) {
        log_error("http: sign-in failed: %s", err_name(e));
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    }
    http_add_header(r, "Set-Cookie",
                    arena_printf(r->arena, "tyndau_session=%s; Path=/; HttpOnly; SameSite=Lax%s",
                                 token, r->behind_tls ? "; Secure" : ""));
    return page_redirect(r, lf.next ? lf.next : "/work");
}

enum handled
h_work_logout(struct req *r)
{
    if (r->session_token)
        (void)app_logout(r->app, r->session_token);
    http_add_header(r, "Set-Cookie", "tyndau_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    struct page tmp = {.r = r};
    return page_redirect(
        r, page_url(&tmp, "/work/login",
                    (const char *const[]){"done", "out", "lang", form_get(r->form, "lang"), NULL}));
}

/* ---- GET /work ---- */

struct queue_form {
    const char *status, *topic, *region, *overdue, *cursor, *done;
    struct html_error errs[4]; /* msg is a msgid */
    size_t err_count;
    struct queue_query q;
    struct appeal *rows;
    size_t count;
    bool more;
};

/* The statuses one may filter by: the open ones. */
static const enum appeal_status queue_statuses[] = {
    STATUS_REGISTERED, STATUS_FORWARDED, STATUS_IN_REVIEW, STATUS_EXTENDED, STATUS_REOPENED};

/* Cursor: "<due>.<id>" in decimal, as GET /api/v1/queue writes it. */
static bool
cursor_parse(const char *c, struct queue_query *q)
{
    const char *dot = strchr(c, '.');
    int64_t due, id;
    if (!dot || str_to_i64((struct str){c, (size_t)(dot - c)}, 0, INT64_MAX, &due) ||
        str_to_i64(str_from_cstr(dot + 1), 1, INT64_MAX, &id))
        return false;
    q->has_cursor = true;
    q->cursor_due = due;
    q->cursor_id = id;
    return true;
}

static void
queue_error(struct queue_form *qf, const char *field, const char *msgid)
{
    if (qf->err_count < ARRAY_LEN(qf->errs))
        qf->errs[qf->err_count++] = (struct html_error){field, msgid};
}

/* Read and check the filters into qf->q; blank values mean "any". */
static void
queue_filters(struct req *r, struct queue_form *qf)
{
    qf->q = (struct queue_query){.status = -1, .limit = WORK_PAGE_ROWS};
    qf->status = http_query(r, "status");
    qf->topic = http_query(r, "topic");
    qf->region = http_query(r, "region");
    qf->overdue = http_query(r, "overdue");
    qf->cursor = http_query(r, "cursor");
    if (qf->status && *qf->status) {
        enum appeal_status st;
        bool ok = appeal_status_parse(str_from_cstr(qf->status), &st) == ERR_OK;
        bool listed = false;
        for (size_t i = 0; ok && i < ARRAY_LEN(queue_statuses); i++)
            listed = listed || queue_statuses[i] == st;
        if (listed)
            qf->q.status = (int)st;
        else
            queue_error(qf, "status", N_("Choose a status from the list"));
    }
    if (qf->topic && *qf->topic) {
        if (app_topic(r->app, qf->topic))
            qf->q.topic = qf->topic;
        else
            queue_error(qf, "topic", N_("Choose a topic from the list"));
    }
    if (qf->region && *qf->region) {
        if (app_region(r->app, qf->region))
            qf->q.region = qf->region;
        else
            queue_error(qf, "region", N_("Choose the region"));
    }
    if (qf->overdue && *qf->overdue) {
        if (strcmp(qf->overdue, "yes") == 0)
            qf->q.overdue_only = true;
        else
            queue_error(qf, "overdue", N_("Choose whether to show only overdue appeals"));
    }
    if (qf->cursor && *qf->cursor && !cursor_parse(qf->cursor, &qf->q))
        queue_error(qf, "status", N_("The page link is damaged: start from the first page"));
}

/* The badge: overdue, due today, or due in n working days (on the
 * Kazakhstan working-day calendar). */
static void
due_badge(struct page *p, const struct appeal *ap)
{
    struct app *app = p->r->app;
    int64_t now = app_now(app);
    if (!ap->due_at) {
        html_raw(p, "<span class=\"tyndau-muted\">");
        html_t(p, N_("no deadline"));
        html_raw(p, "</span>");
        return;
    }
    int32_t today = tm_local_day(now), day = tm_local_day(ap->due_at);
    int n = calendar_working_days_between(app_calendar(app), today, day);
    if (ap->overdue || ap->due_at < now) {
        html_raw(p, "<strong class=\"govuk-tag tyndau-due tyndau-due--overdue\">");
        html_t(p, N_("overdue"));
    } else if (day == today || n <= 0) {
        html_raw(p, "<strong class=\"govuk-tag tyndau-due tyndau-due--soon\">");
        html_t(p, N_("due today"));
    } else {
        html_raw(p, n <= 3 ? "<strong class=\"govuk-tag tyndau-due tyndau-due--soon\">"
                           : "<strong class=\"govuk-tag tyndau-due\">");
        html_text(
            p, i18n_fill(p->r->arena,
                         page_tn(p, N_("due in {n} working day"), N_("due in {n} working days"), n),
                         (const char *const[]){"n", page_number(p, n), NULL}));
    }
    html_raw(p, "</strong><br><span class=\"govuk-body-s tyndau-muted\">");
    html_text(p, page_date(p, ap->due_at));
    html_raw(p, "</span>");
}

static const char *
queue_url(struct page *p, const struct queue_form *qf, const char *cursor)
{
    return page_url(p, "/work",
                    (const char *const[]){"status", qf->status, "topic", qf->topic, "region",
                                          qf->region, "overdue", qf->overdue, "cursor", cursor,
                                          "lang", i18n_lang_code(p->lang), NULL});
}

/* The name of the colleague who has the case (staff of the caller's agency), or NULL. */
static const char *
holder_name(const struct user *staff, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (staff[i].id == id)
            return staff[i].name && *staff[i].name ? staff[i].name : staff[i].login;
    return NULL;
}

/* The region work.js reloads: the table and the page links. */
static void
queue_region(struct page *p, const struct queue_form *qf)
{
    const struct user *me = &p->r->caller.user;
    struct user *staff = NULL;
    size_t staff_count = 0;
    if (me->agency && qf->count &&
        store_agency_staff(app_store(p->r->app), p->r->arena, me->agency, 500, &staff,
                           &staff_count) != ERR_OK)
        staff_count = 0;
    html_raw(p, "<div id=\"queue\" class=\"tyndau-queue\">\n");
    if (!qf->count) {
        html_raw(p, "<p class=\"govuk-body\" data-testid=\"queue-empty\">");
        html_t(p, qf->q.has_cursor ? N_("No more appeals.") : N_("No open appeals here."));
        html_raw(p, "</p>\n");
    } else {
        html_raw(p, "<table class=\"govuk-table\" data-testid=\"queue\">\n<caption "
                    "class=\"govuk-table__caption govuk-table__caption--m\">");
        html_t(p, N_("Appeals by due date"));
        html_raw(p, "</caption>\n<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                    "<th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Registration number"));
        html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Answer due"));
        html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Status"));
        html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Topic"));
        html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Region"));
        html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, N_("Registered on"));
        html_raw(p, "</th></tr></thead>\n<tbody class=\"govuk-table__body\">\n");
        for (size_t i = 0; i < qf->count; i++) {
            const struct appeal *ap = &qf->rows[i];
            html_raw(p, "<tr class=\"govuk-table__row\"");
            html_attr(p, "data-tracking", ap->tracking_id);
            html_attr(p, "data-number", ap->reg_number);
            html_raw(p, "><th scope=\"row\" class=\"govuk-table__header\">");
            html_link(p,
                      page_url(p, arena_printf(p->r->arena, "/work/case/%s", ap->tracking_id),
                               (const char *const[]){"lang", i18n_lang_code(p->lang), NULL}),
                      ap->reg_number);
            html_raw(p, "</th><td class=\"govuk-table__cell\">");
            due_badge(p, ap);
            html_raw(p, "</td><td class=\"govuk-table__cell\">");
            html_text(p, page_status(p, ap->status));
            if (ap->assignee && ap->assignee == me->id) {
                html_raw(p, "<br><span class=\"govuk-body-s tyndau-muted\">");
                html_t(p, N_("yours"));
                html_raw(p, "</span>");
            } else if (ap->assignee && holder_name(staff, staff_count, ap->assignee)) {
                html_raw(p, "<br><span class=\"govuk-body-s tyndau-muted\" "
                            "data-testid=\"holder\">");
                html_text(
                    p, page_tf(p, N_("with {name}"),
                               (const char *const[]){
                                   "name", holder_name(staff, staff_count, ap->assignee), NULL}));
                html_raw(p, "</span>");
            }
            html_raw(p, "</td><td class=\"govuk-table__cell\">");
            html_text(p, ap->topic ? page_topic(p, ap->topic) : page_t(p, N_("Not chosen yet")));
            html_raw(p, "</td><td class=\"govuk-table__cell\">");
            html_text(p, page_region(p, ap->region));
            html_raw(p, "</td><td class=\"govuk-table__cell\">");
            html_text(p, page_datetime(p, ap->registered_at));
            html_raw(p, "</td></tr>\n");
        }
        html_raw(p, "</tbody>\n</table>\n");
    }
    if (qf->q.has_cursor || (qf->more && qf->count)) {
        html_raw(p, "<nav class=\"govuk-pagination\"");
        html_attr(p, "aria-label", page_t(p, N_("Pages of the queue")));
        html_raw(p, ">\n");
        if (qf->q.has_cursor) {
            html_raw(p, "<div class=\"govuk-pagination__prev\"><a class=\"govuk-link "
                        "govuk-pagination__link\" rel=\"first\"");
            html_attr(p, "href", queue_url(p, qf, NULL));
            html_raw(p, "><span class=\"govuk-pagination__link-title\">");
            html_t(p, N_("First page"));
            html_raw(p, "</span></a></div>\n");
        }
        if (qf->more && qf->count) {
            const struct appeal *last = &qf->rows[qf->count - 1];
            const char *cursor = arena_printf(p->r->arena, "%lld.%lld",
                                              (long long)(last->due_at ? last->due_at : INT64_MAX),
                                              (long long)last->id);
            html_raw(p, "<div class=\"govuk-pagination__next\"><a class=\"govuk-link "
                        "govuk-pagination__link\" rel=\"next\" data-testid=\"next-page\"");
            html_attr(p, "href", queue_url(p, qf, cursor));
            html_raw(p, "><span class=\"govuk-pagination__link-title\">");
            html_t(p, N_("Next page"));
            html_raw(p, "</span></a></div>\n");
        }
        html_raw(p, "</nav>\n");
    }
    html_raw(p, "</div>\n");
}

static void
queue_filter_form(struct page *p, const struct queue_form *qf)
{
    struct html_option st[ARRAY_LEN(queue_statuses) + 1];
    st[0] = (struct html_option){"", page_t(p, N_("Any open")), NULL};
    for (size_t i = 0; i < ARRAY_LEN(queue_statuses); i++)
        st[i + 1] = (struct html_option){appeal_status_name(queue_statuses[i]),
                                         page_status(p, queue_statuses[i]), NULL};
    size_t topics_count, regions_count;
    struct html_option *topics = page_topic_options(p, page_t(p, N_("Any")), &topics_count);
    struct html_option *regions = page_region_options(p, page_t(p, N_("Any")), &regions_count);
    const char *errs[4] = {NULL};
    static const char *const names[4] = {"status", "topic", "region", "overdue"};
    for (size_t i = 0; i < qf->err_count; i++)
        for (size_t k = 0; k < 4; k++)
            if (strcmp(qf->errs[i].field, names[k]) == 0 && !errs[k])
                errs[k] = page_t(p, qf->errs[i].msg);
    html_raw(p, "<div class=\"tyndau-filters\">\n");
    html_form_begin(p, "get", "/work");
    html_select(p,
                &(struct html_field){.name = "status",
                                     .label = page_t(p, N_("Status")),
                                     .value = qf->status,
                                     .error = errs[0]},
                st, ARRAY_LEN(st));
    html_select(
        p,
        &(struct html_field){
            .name = "topic", .label = page_t(p, N_("Topic")), .value = qf->topic, .error = errs[1]},
        topics, topics_count);
    html_select(p,
                &(struct html_field){.name = "region",
                                     .label = page_t(p, N_("Region")),
                                     .value = qf->region,
                                     .error = errs[2]},
                regions, regions_count);
    html_checkbox(p,
                  &(struct html_field){.name = "overdue",
                                       .label = page_t(p, N_("Only overdue")),
                                       .value = qf->q.overdue_only ? "yes" : NULL,
                                       .error = errs[3]},
                  page_t(p, N_("Deadline")), "yes");
    html_button(p, page_t(p, N_("Show")), true);
    html_form_end(p);
    html_raw(p, "</div>\n");
}

static void
done_banner(struct page *p, const char *done)
{
    bool forwarded = done && strcmp(done, "forwarded") == 0;
    if (!forwarded && !(done && strcmp(done, "triaged") == 0))
        return;
    html_raw(p, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" "
                "role=\"alert\" aria-labelledby=\"done-title\" "
                "data-module=\"govuk-notification-banner\">\n"
                "<div class=\"govuk-notification-banner__header\">"
                "<h2 class=\"govuk-notification-banner__title\" id=\"done-title\">");
    html_t(p, N_("Done"));
    html_raw(p, "</h2></div>\n<div class=\"govuk-notification-banner__content\">"
                "<p class=\"govuk-notification-banner__heading\">");
    html_t(p, forwarded ? N_("The appeal is forwarded to the other body.")
                        : N_("The topic and the body are set: the appeal is in the body's queue."));
    html_raw(p, "</p></div>\n</div>\n");
}

enum handled
h_work_queue(struct req *r)
{
    struct queue_form *qf = ARENA_NEW(r->arena, struct queue_form);
    queue_filters(r, qf);
    const char *fragment = http_query(r, "fragment");
    bool only_queue = fragment && strcmp(fragment, "queue") == 0;
    if (fragment && !only_queue)
        return page_error(r, 400, N_("This page does not exist"),
                          N_("Check the address of the page."));
    enum err e = ERR_OK;
    if (!qf->err_count)
        e = app_queue(r->app, r->arena, &r->caller, &qf->q, &qf->rows, &qf->count, &qf->more);
    if (e) {
        log_error("http: queue failed: %s", err_name(e));
        return page_error(r, e == ERR_DENIED ? 403 : 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    }
    struct page p;
    page_init(&p, r, NULL);
    if (only_queue) {
        if (qf->err_count) {
            buf_fini(&p.b);
            return page_error(r, 400, N_("Sorry, something went wrong"),
                              N_("Check the address of the page."));
        }
        queue_region(&p, qf);
        return page_reply(&p, 200);
    }
    qf->done = http_query(r, "done");
    const char *title =
        page_t(&p, r->caller.user.role == ROLE_OPERATOR ? N_("Appeals awaiting triage")
                                                        : N_("My agency's queue"));
    page_begin(&p, qf->err_count ? page_tf(&p, N_("Error: {title}"),
                                           (const char *const[]){"title", title, NULL})
                                 : title);
    page_work_bar(&p);
    struct html_error errs[ARRAY_LEN(qf->errs)];
    for (size_t i = 0; i < qf->err_count; i++)
        errs[i] = (struct html_error){qf->errs[i].field, page_t(&p, qf->errs[i].msg)};
    html_error_summary(&p, errs, qf->err_count);
    done_banner(&p, qf->done);
    html_raw(&p, "<h1 class=\"govuk-heading-l\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n");
    queue_filter_form(&p, qf);
    /* work.js announces rows that arrive live here; the texts come from the
     * catalogs through these attributes. */
    html_raw(&p, "<div id=\"queue-news\" class=\"govuk-visually-hidden\" aria-live=\"polite\" "
                 "data-testid=\"queue-news\"");
    html_attr(&p, "data-new", page_t(&p, N_("New appeal in the queue: {number}")));
    html_raw(&p, "></div>\n");
    if (!qf->err_count)
        queue_region(&p, qf);
    html_raw(&p, "<script type=\"module\"");
    html_attr(&p, "src", asset_url("work.js"));
    html_raw(&p, "></script>\n");
    page_end(&p);
    return page_reply(&p, qf->err_count ? 400 : 200);
}
