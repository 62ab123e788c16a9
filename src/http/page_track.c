/*
 * page_track.c - /track/{tracking}?secret=...: what a citizen sees of their
 * appeal: status, the due date in plain words, the timeline, the answer in
 * the appeal's language, the appeal itself, and forms to rate the answer
 * (1-5) and to dispute it (POST /track/{tracking}/rating and /dispute, which
 * redirect back on success). The status and timeline sit in one region that
 * web/static/tyndau.js reloads when the live stream reports a change.
 * Exports h_track() and h_track_act().
 */
#include "http/html.h"

#include <string.h>

#include "base/util.h"
#include "text/utf8.h"

struct track_state {
    struct appeal_view v;
    const char *secret;
    const char *done;          /* "rated", "disputed" after a redirect */
    struct html_error errs[4]; /* msg is a msgid here */
    size_t err_count;
    const char *score, *comment, *reason; /* input to show again */
};

static const char *
error_of(const struct page *p, const struct track_state *t, const char *field)
{
    for (size_t i = 0; i < t->err_count; i++)
        if (strcmp(t->errs[i].field, field) == 0)
            return page_t(p, t->errs[i].msg);
    return NULL;
}

static bool
answered(const struct appeal *ap)
{
    return ap->status == STATUS_ANSWERED || ap->status == STATUS_CLOSED;
}

static void
status_region(struct page *p, const struct track_state *t)
{
    const struct appeal *ap = &t->v.ap;
    html_raw(p, "<div id=\"live\" class=\"tyndau-live\" aria-live=\"polite\"");
    html_attr(p, "data-live-tracking", ap->tracking_id);
    html_attr(p, "data-live-secret", t->secret);
    html_raw(p, ">\n<dl class=\"govuk-summary-list\">\n"
                "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">");
    html_t(p, N_("Status"));
    html_raw(p, "</dt><dd class=\"govuk-summary-list__value\"><strong class=\"govuk-tag\" "
                "data-testid=\"status\">");
    html_text(p, page_status(p, ap->status));
    html_raw(p, "</strong></dd></div>\n");
    page_answer_row(p, &t->v);
    html_summary_row(p, page_t(p, N_("Registration number")), ap->reg_number);
    html_summary_row(p, page_t(p, N_("Registered on")), page_datetime(p, ap->registered_at));
    html_summary_row(p, page_t(p, N_("Registered by")), page_agency(p, ap->registered_by));
    html_summary_row(p, page_t(p, N_("Kind of appeal")), page_kind(p, ap->kind));
    html_summary_row(p, page_t(p, N_("Topic")),
                     ap->topic ? page_topic(p, ap->topic) : page_t(p, N_("Not chosen yet")));
    html_summary_row(p, page_t(p, N_("Region")), page_region(p, ap->region));
    html_summary_row(p, page_t(p, N_("Responsible body")),
                     ap->agency ? page_agency(p, ap->agency) : page_t(p, N_("Being chosen")));
    if (ap->rating)
        html_summary_row(p, page_t(p, N_("Your rating")),
                         page_tf(p, N_("{n} of 5"),
                                 (const char *const[]){"n", page_number(p, ap->rating), NULL}));
    html_raw(p, "</dl>\n<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("History"));
    html_raw(p, "</h2>\n<ol class=\"govuk-list tyndau-timeline\" data-testid=\"timeline\">\n");
    for (size_t i = 0; i < t->v.events_count; i++) {
        const struct appeal_event *ev = &t->v.events[i];
        html_raw(p, "<li class=\"tyndau-timeline__item\"><span class=\"tyndau-timeline__when\">");
        const char *note;
        html_text(p, page_event_when(p, ap, ev, &note));
        html_raw(p, "</span> <span class=\"tyndau-timeline__what\">");
        html_text(p, page_action(p, ev->action));
        html_raw(p, "</span>");
        if (note) {
            html_raw(p, " <span class=\"tyndau-timeline__note\">(");
            html_text(p, note);
            html_raw(p, ")</span>");
        }
        if (ev->to != ev->from || i == 0) {
            html_raw(p, " <span class=\"tyndau-timeline__status\">(");
            html_text(p, page_status(p, ev->to));
            html_raw(p, ")</span>");
        }
        html_raw(p, "</li>\n");
    }
    html_raw(p, "</ol>\n</div>\n");
}

static void
answers(struct page *p, const struct track_state *t)
{
    if (!t->v.answers_count)
        return;
    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("The answer"));
    html_raw(p, "</h2>\n");
    for (size_t i = 0; i < t->v.answers_count; i++) {
        const struct answer_row *a = &t->v.answers[i];
        html_raw(p, "<div class=\"tyndau-answer\">\n<p class=\"govuk-body-s tyndau-muted\">");
        html_text(p, page_datetime(p, a->at));
        /* The answer keeps the appeal's language, whatever the page's. */
        html_raw(p, "</p>\n<div class=\"govuk-body tyndau-prose\" data-testid=\"answer\"");
        html_attr(p, "lang", a->language);
        html_raw(p, ">");
        html_text(p, a->text);
        html_raw(p, "</div>\n</div>\n");
    }
}

static void
own_text(struct page *p, const struct track_state *t)
{
    const struct appeal *ap = &t->v.ap;
    if (!t->v.full || !ap->text)
        return;
    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("Your appeal"));
    html_raw(p, "</h2>\n<div class=\"govuk-inset-text tyndau-prose\"");
    html_attr(p, "lang", appeal_language_name(ap->language));
    html_raw(p, ">");
    html_text(p, ap->text);
    html_raw(p, "</div>\n<dl class=\"govuk-summary-list govuk-summary-list--no-border\">\n");
    if (ap->address)
        html_summary_row(p, page_t(p, N_("Address")), ap->address);
    if (ap->contact_name)
        html_summary_row(p, page_t(p, N_("Full name")), ap->contact_name);
    if (ap->contact_email)
        html_summary_row(p, page_t(p, N_("Email address")), ap->contact_email);
    if (ap->contact_phone)
        html_summary_row(p, page_t(p, N_("Phone number")), ap->contact_phone);
    html_raw(p, "</dl>\n");
}

static void
act_forms(struct page *p, const struct track_state *t)
{
    const struct appeal *ap = &t->v.ap;
    if (!answered(ap) || !t->v.answers_count || !t->secret)
        return;
    const char *base = arena_printf(p->r->arena, "/track/%s/", ap->tracking_id);
    html_raw(p, "<h2 class=\"govuk-heading-m\" id=\"rate\">");
    html_t(p, N_("Rate the answer"));
    html_raw(p, "</h2>\n");
    html_form_begin(p, "post", arena_printf(p->r->arena, "%srating", base));
    html_raw(p, "<input type=\"hidden\" name=\"secret\"");
    html_attr(p, "value", t->secret);
    html_raw(p, ">\n");
    struct html_option scores[5];
    static const char *const score_msg[5] = {N_("1: very poor"), N_("2: poor"), N_("3: acceptable"),
                                             N_("4: good"), N_("5: very good")};
    for (int i = 0; i < 5; i++)
        scores[i] = (struct html_option){arena_printf(p->r->arena, "%d", i + 1),
                                         page_t(p, score_msg[i]), NULL};
    html_radios(p,
                &(struct html_field){.name = "score",
                                     .label = page_t(p, N_("How good is the answer?")),
                                     .value = t->score ? t->score
                                              : ap->rating
                                                  ? arena_printf(p->r->arena, "%d", ap->rating)
                                                  : NULL,
                                     .error = error_of(p, t, "score")},
                scores, 5);
    html_input(p, &(struct html_field){.name = "comment",
                                       .label = page_t(p, N_("Comment (optional)")),
                                       .value = t->comment,
                                       .error = error_of(p, t, "comment"),
                                       .rows = 3});
    html_button(p, page_t(p, N_("Send the rating")), false);
    html_form_end(p);

    html_raw(p, "<h2 class=\"govuk-heading-m\" id=\"dispute\">");
    html_t(p, N_("Disagree with the answer"));
    html_raw(p, "</h2>\n<p class=\"govuk-body\">");
    html_t(p, N_("If the answer does not resolve your problem, say why. The appeal goes back into "
                 "review with a new deadline."));
    html_raw(p, "</p>\n");
    html_form_begin(p, "post", arena_printf(p->r->arena, "%sdispute", base));
    html_raw(p, "<input type=\"hidden\" name=\"secret\"");
    html_attr(p, "value", t->secret);
    html_raw(p, ">\n");
    html_input(p, &(struct html_field){.name = "reason",
                                       .label = page_t(p, N_("Why you disagree")),
                                       .value = t->reason,
                                       .error = error_of(p, t, "reason"),
                                       .rows = 4});
    html_button(p, page_t(p, N_("Dispute the answer")), true);
    html_form_end(p);
}

static enum handled
render(struct req *r, struct track_state *t, unsigned status)
{
    struct page p;
    page_init(&p, r, r->form);
    if (r->form) /* after a form post the language links lead back to the GET page */
        p.self = page_url(&p, arena_printf(r->arena, "/track/%s", t->v.ap.tracking_id),
                          (const char *const[]){"secret", t->secret, NULL});
    const char *title = page_tf(&p, N_("Appeal {number}"),
                                (const char *const[]){"number", t->v.ap.reg_number, NULL});
    page_begin(&p, t->err_count ? page_tf(&p, N_("Error: {title}"),
                                          (const char *const[]){"title", title, NULL})
                                : title);
    html_raw(&p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n");
    struct html_error errs[ARRAY_LEN(t->errs)];
    for (size_t i = 0; i < t->err_count; i++)
        errs[i] = (struct html_error){t->errs[i].field, page_t(&p, t->errs[i].msg)};
    html_error_summary(&p, errs, t->err_count);
    if (t->done) {
        bool rated = strcmp(t->done, "rated") == 0;
        html_raw(&p, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" "
                     "role=\"alert\" aria-labelledby=\"done-title\" "
                     "data-module=\"govuk-notification-banner\">\n"
                     "<div class=\"govuk-notification-banner__header\">"
                     "<h2 class=\"govuk-notification-banner__title\" id=\"done-title\">");
        html_t(&p, N_("Done"));
        html_raw(&p, "</h2></div>\n<div class=\"govuk-notification-banner__content\">"
                     "<p class=\"govuk-notification-banner__heading\">");
        html_t(&p, rated ? N_("Thank you: your rating is saved.")
                         : N_("Your dispute is registered: the appeal is back in review."));
        html_raw(&p, "</p></div>\n</div>\n");
    }
    html_raw(&p, "<span class=\"govuk-caption-l\">");
    html_t(&p, N_("Follow your appeal"));
    html_raw(&p, "</span>\n<h1 class=\"govuk-heading-l\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n");
    status_region(&p, t);
    /* The answer and its forms: tyndau.js swaps this part in when its key
     * changes (an answer came, or the appeal was rated or disputed), so a
     * reply shows without a reload while a form being filled in is left alone. */
    html_raw(&p, "<div id=\"live-answer\"");
    html_attr(&p, "data-live-key",
              arena_printf(r->arena, "%zu-%d-%d", t->v.answers_count, (int)t->v.ap.status,
                           t->v.ap.rating));
    html_raw(&p, ">\n");
    answers(&p, t);
    act_forms(&p, t);
    html_raw(&p, "</div>\n");
    own_text(&p, t);
    html_raw(&p, "</div></div>\n");
    page_end(&p);
    return page_reply(&p, status);
}

static enum handled
not_found(struct req *r)
{
    return page_error(r, 404, N_("Appeal not found"),
                      N_("Check the link: it must be the whole tracking link you got when you "
                         "sent the appeal."));
}

static enum err
audit_start(struct req *r)
{
    struct track_state *t = r->view;
    r->job.audit.user = r->caller.user.id;
    r->job.audit.action = "read_pii";
    r->job.audit.object = t->v.ap.tracking_id;
    return app_audit_start(r->app, &r->job.audit, http_job_done, r);
}

static enum handled
audit_finish(struct req *r)
{
    if (r->job.audit.e)
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    return render(r, r->view, 200);
}

enum handled
h_track(struct req *r)
{
    struct track_state *t = ARENA_NEW(r->arena, struct track_state);
    r->view = t;
    const char *secret = http_query(r, "secret");
    t->secret = secret && *secret && strlen(secret) <= 128 ? arena_strdup(r->arena, secret) : NULL;
    const char *done = http_query(r, "done");
    if (done && (strcmp(done, "rated") == 0 || strcmp(done, "disputed") == 0))
        t->done = done;
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &t->v);
    if (e == ERR_NOTFOUND)
        return not_found(r);
    if (e)
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    /* Staff reading a citizen's personal data leave an audit row first. */
    if (r->caller.user.id && r->caller.user.role != ROLE_CITIZEN)
        return http_wait(r, audit_start, audit_finish);
    return render(r, t, 200);
}

/* ---- POST /track/{tracking}/rating and /dispute ---- */

static enum err
act_start(struct req *r)
{
    return app_act_start(r->app, &r->job.act, r->arena, http_job_done, r);
}

/* Show the page again with one error (the view is read anew). */
static enum handled
again(struct req *r, const char *field, const char *msgid, unsigned status)
{
    struct track_state *t = r->view;
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &t->v);
    if (e == ERR_NOTFOUND)
        return not_found(r);
    if (e)
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    t->errs[t->err_count++] = (struct html_error){field, msgid};
    return render(r, t, status);
}

static enum handled
act_finish(struct req *r)
{
    struct track_state *t = r->view;
    struct act_req *a = &r->job.act;
    if (a->e == ERR_NOTFOUND)
        return not_found(r);
    bool rate = a->action == ACT_RATE;
    if (a->e == ERR_CONFLICT || a->e == ERR_DENIED)
        return again(r, rate ? "score" : "reason",
                     rate ? N_("The answer cannot be rated now")
                          : N_("The answer cannot be disputed now"),
                     409);
    if (a->e == ERR_UNPROCESSABLE)
        return again(r, rate ? "score" : "reason", N_("Check what you entered"), 422);
    if (a->e)
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    const char *lang = form_get(r->form, "lang");
    struct page tmp = {.r = r};
    return page_redirect(r,
                         page_url(&tmp, arena_printf(r->arena, "/track/%s", r->param),
                                  (const char *const[]){"secret", t->secret, "lang", lang, "done",
                                                        rate ? "rated" : "disputed", NULL}));
}

enum handled
h_track_act(struct req *r)
{
    struct track_state *t = ARENA_NEW(r->arena, struct track_state);
    r->view = t;
    const char *slash = strrchr(r->url, '/');
    bool rate = slash && strcmp(slash, "/rating") == 0;
    const char *secret = form_get(r->form, "secret");
    if (secret && *secret && strlen(secret) <= 128) {
        t->secret = secret;
        r->caller.has_secret = true;
        app_hash(secret, r->caller.secret_hash);
    }
    struct act_req *a = &r->job.act;
    a->tracking_id = r->param;
    a->caller = r->caller;
    a->language = LANG_RU;
    if (rate) {
        a->action = ACT_RATE;
        t->score = form_get(r->form, "score");
        t->comment = form_get(r->form, "comment");
        uint64_t score = 0;
        if (!t->score || str_to_u64(str_from_cstr(t->score), 5, &score) || score < 1)
            return again(r, "score", N_("Choose a rating from 1 to 5"), 422);
        if (t->comment && utf8_count(str_from_cstr(t->comment)) > APPEAL_REASON_MAX)
            return again(r, "comment", N_("The comment must be 2,000 characters or fewer"), 422);
        a->score = (int)score;
        a->reason = t->comment && *t->comment ? t->comment : NULL;
    } else {
        a->action = ACT_DISPUTE;
        t->reason = form_get(r->form, "reason");
        size_t n = t->reason ? utf8_count(str_from_cstr(t->reason)) : 0;
        if (n < 2)
            return again(r, "reason", N_("Say why you disagree with the answer"), 422);
        if (n > APPEAL_REASON_MAX)
            return again(r, "reason", N_("The reason must be 2,000 characters or fewer"), 422);
        a->reason = t->reason;
    }
    return http_wait(r, act_start, act_finish);
}
