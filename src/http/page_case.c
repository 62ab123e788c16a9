/*
 * page_case.c - one appeal in the officials' workspace: GET
 * /work/case/{tracking} (an audited read, as GET /api/v1/appeals/{tracking}
 * by staff: the appeal with the citizen's data, the timeline, the due date in
 * words, a notice when a colleague holds the case, and the forms to take,
 * answer, forward, extend, return and close it; an operator has a form to
 * set the topic and body of an appeal the router left in triage, with the
 * router's suggestion, and a supervisor one to assign an official of the
 * agency) and POST
 * /work/case/{tracking}/{action} (app_act_start() as the JSON API does, then
 * 303 back with a success banner, or the page again with an error summary).
 * The answer form offers templates in each language: web/static/work.js
 * fills the text when one is chosen; without JavaScript the "Use the
 * template" button posts the form back and the page returns with the text
 * filled in. ?fragment=live answers the live region alone (status, due date,
 * the colleague notice and the timeline, no personal data, so no audit row),
 * which work.js reloads when the appeal's live stream reports a change.
 * Exports h_work_case() and h_work_act().
 */
#include "http/html.h"

#include <string.h>

#include <jansson.h>

#include "base/log.h"
#include "base/tm.h"
#include "base/str.h"
#include "base/util.h"
#include "text/utf8.h"

/* An answer template: its name in the page's language, its text in the
 * answer's language (a catalog entry, so each language has its own wording);
 * {number} is the appeal's registration number. */
static const struct {
    const char *key;
    const char *name;
    const char *text;
} templates[] = {
    {"resolved", N_("The problem is solved"),
     N_("Your appeal No. {number} has been considered. The problem you described has been "
        "checked on site and solved. Thank you for your appeal.")},
    {"planned", N_("The work is planned"),
     N_("Your appeal No. {number} has been considered. The work you asked for is included in "
        "this year's plan and will be done by the date given below. Thank you for your "
        "appeal.")},
    {"explained", N_("An explanation"),
     N_("Your appeal No. {number} has been considered. We explain the procedure that applies "
        "to your question below. If you disagree with this answer, you may dispute it on the "
        "tracking page or appeal it to a higher body or to court.")},
};

/* The forms on the page; each has its own field names so that ids stay
 * unique. */
enum case_form {
    CF_NONE,
    CF_TAKE,
    CF_ANSWER,
    CF_FORWARD,
    CF_EXTEND,
    CF_RETURN,
    CF_CLOSE,
    CF_TRIAGE,
    CF_ASSIGN
};

static const struct {
    const char *name; /* the last segment of the form's action */
    enum appeal_action act;
    const char *done; /* msgid of the success banner */
} case_actions[] = {
    [CF_NONE] = {"", ACT__COUNT, NULL},
    [CF_TAKE] = {"take", ACT_TAKE, N_("You took the case.")},
    [CF_ANSWER] = {"answer", ACT_ANSWER, N_("The answer is sent to the citizen.")},
    [CF_FORWARD] = {"forward", ACT_FORWARD, N_("The appeal is forwarded to the other body.")},
    [CF_EXTEND] = {"extend", ACT_EXTEND, N_("The deadline is extended.")},
    [CF_RETURN] = {"return", ACT_RETURN, N_("The answer is returned for rework.")},
    [CF_CLOSE] = {"close", ACT_CLOSE, N_("The appeal is closed.")},
    [CF_TRIAGE] = {"triage", ACT_ROUTE, N_("The topic and the body are set.")},
    [CF_ASSIGN] = {"assign", ACT_ASSIGN, N_("The case is assigned.")},
};

/* The most staff one assign form lists. */
enum { ASSIGN_STAFF_MAX = 500 };

struct case_state {
    struct appeal_view v;
    enum case_form done;       /* after a redirect: the banner to show */
    struct html_error errs[4]; /* msg is a msgid */
    size_t err_count;
    unsigned status;
    /* input to show again */
    const char *text, *answer_language, *template_key;
    const char *agency, *forward_reason, *due_date, *extend_reason, *return_reason, *close_reason;
    const char *triage_topic, *triage_agency, *assignee;
    /* a colleague holding the case */
    const char *holder;
    int64_t held_since;
};

static const char *
error_of(const struct page *p, const struct case_state *c, const char *field)
{
    for (size_t i = 0; i < c->err_count; i++)
        if (strcmp(c->errs[i].field, field) == 0)
            return page_t(p, c->errs[i].msg);
    return NULL;
}

static void
add_error(struct case_state *c, const char *field, const char *msgid)
{
    if (c->err_count < ARRAY_LEN(c->errs))
        c->errs[c->err_count++] = (struct html_error){field, msgid};
}

static bool
status_in(enum appeal_status s, const enum appeal_status *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] == s)
            return true;
    return false;
}

/* Which forms the caller's role and the appeal's status allow (the app
 * checks again when one is sent). */
static bool
form_allowed(const struct req *r, const struct appeal *ap, enum case_form f)
{
    enum role role = r->caller.user.role;
    bool agency_staff = role == ROLE_OFFICIAL || role == ROLE_SUPERVISOR;
    static const enum appeal_status takeable[] = {STATUS_REGISTERED, STATUS_FORWARDED,
                                                  STATUS_REOPENED};
    static const enum appeal_status answerable[] = {STATUS_IN_REVIEW, STATUS_EXTENDED,
                                                    STATUS_REOPENED};
    static const enum appeal_status forwardable[] = {STATUS_REGISTERED, STATUS_FORWARDED,
                                                     STATUS_IN_REVIEW};
    static const enum appeal_status extendable[] = {STATUS_IN_REVIEW, STATUS_REOPENED};
    switch (f) {
    case CF_TAKE:
        return agency_staff && ap->agency && status_in(ap->status, takeable, 3);
    case CF_ANSWER:
        return agency_staff && status_in(ap->status, answerable, 3);
    case CF_FORWARD:
        return (agency_staff || role == ROLE_OPERATOR) && ap->agency &&
               status_in(ap->status, forwardable, 3);
    case CF_EXTEND:
        return agency_staff && !ap->extended && status_in(ap->status, extendable, 2);
    case CF_RETURN:
        return role == ROLE_SUPERVISOR && ap->status == STATUS_ANSWERED;
    case CF_CLOSE:
        return agency_staff && ap->status == STATUS_ANSWERED;
    case CF_TRIAGE:
        return role == ROLE_OPERATOR && !ap->agency && ap->status == STATUS_REGISTERED;
    case CF_ASSIGN:
        return role == ROLE_SUPERVISOR && ap->agency && r->caller.user.agency &&
               strcmp(ap->agency, r->caller.user.agency) == 0 &&
               (status_in(ap->status, takeable, 3) || status_in(ap->status, answerable, 3));
    case CF_NONE:
        break;
    }
    return false;
}

/* Who holds the case, if not the caller: the assignee's name and when the
 * case was taken or assigned (the latest such event). */
static void
find_holder(struct req *r, struct case_state *c)
{
    const struct appeal *ap = &c->v.ap;
    c->holder = NULL;
    if (!ap->assignee || ap->assignee == r->caller.user.id || !appeal_status_is_open(ap->status))
        return;
    struct user u;
    if (store_user_by_id(app_store(r->app), r->arena, ap->assignee, &u) != ERR_OK)
        return;
    c->holder = u.name && *u.name ? u.name : u.login;
    for (size_t i = 0; i < c->v.events_count; i++)
        if (c->v.events[i].action == ACT_TAKE || c->v.events[i].action == ACT_ASSIGN)
            c->held_since = c->v.events[i].at;
}

/* Status, due date, the colleague notice and the timeline: what work.js
 * reloads. No personal data in here. */
static void
live_region(struct page *p, const struct case_state *c)
{
    const struct appeal *ap = &c->v.ap;
    html_raw(p, "<div id=\"case-live\" aria-live=\"polite\"");
    html_attr(p, "data-live-tracking", ap->tracking_id);
    html_raw(p, ">\n");
    if (c->holder) {
        html_raw(p, "<div class=\"govuk-warning-text\" data-testid=\"colleague\">"
                    "<span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
                    "<strong class=\"govuk-warning-text__text\"><span "
                    "class=\"govuk-visually-hidden\">");
        html_t(p, N_("Warning"));
        html_raw(p, "</span>");
        html_text(p, page_tf(p, N_("{name} is working on this case since {time}"),
                             (const char *const[]){
                                 "name", c->holder, "time",
                                 c->held_since ? page_datetime(p, c->held_since) : "?", NULL}));
        html_raw(p, "</strong></div>\n");
    }
    html_raw(p, "<dl class=\"govuk-summary-list\">\n"
                "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">");
    html_t(p, N_("Status"));
    html_raw(p, "</dt><dd class=\"govuk-summary-list__value\"><strong class=\"govuk-tag\" "
                "data-testid=\"status\">");
    html_text(p, page_status(p, ap->status));
    html_raw(p, "</strong></dd></div>\n");
    page_answer_row(p, &c->v);
    html_summary_row(p, page_t(p, N_("Registered on")), page_datetime(p, ap->registered_at));
    html_summary_row(p, page_t(p, N_("Registered by")), page_agency(p, ap->registered_by));
    html_summary_row(p, page_t(p, N_("Kind of appeal")), page_kind(p, ap->kind));
    html_summary_row(p, page_t(p, N_("Topic")),
                     ap->topic ? page_topic(p, ap->topic) : page_t(p, N_("Not chosen yet")));
    html_summary_row(p, page_t(p, N_("Region")), page_region(p, ap->region));
    html_summary_row(p, page_t(p, N_("Responsible body")),
                     ap->agency ? page_agency(p, ap->agency) : page_t(p, N_("Being chosen")));
    html_raw(p, "</dl>\n<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("History"));
    html_raw(p, "</h2>\n<ol class=\"govuk-list tyndau-timeline\" data-testid=\"timeline\">\n");
    for (size_t i = 0; i < c->v.events_count; i++) {
        const struct appeal_event *ev = &c->v.events[i];
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
        /* The registered event's reason is the router's JSON: the triage form shows it. */
        if (ev->reason && ev->action != ACT_REGISTER) {
            html_raw(p, ": <span class=\"tyndau-timeline__reason\">");
            html_text(p, ev->reason);
            html_raw(p, "</span>");
        }
        html_raw(p, "</li>\n");
    }
    html_raw(p, "</ol>\n</div>\n");
}

/* The appeal's text and the citizen's data (the audited part). */
static void
appeal_text(struct page *p, const struct case_state *c)
{
    const struct appeal *ap = &c->v.ap;
    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("The appeal"));
    html_raw(p, "</h2>\n<div class=\"govuk-inset-text tyndau-prose\" data-testid=\"appeal-text\"");
    html_attr(p, "lang", appeal_language_name(ap->language));
    html_raw(p, ">");
    html_text(p, ap->text);
    html_raw(p, "</div>\n<dl class=\"govuk-summary-list govuk-summary-list--no-border\">\n");
    html_summary_row(p, page_t(p, N_("Channel")), page_channel(p, ap->channel));
    if (ap->address)
        html_summary_row(p, page_t(p, N_("Address")), ap->address);
    if (ap->contact_name)
        html_summary_row(p, page_t(p, N_("Full name")), ap->contact_name);
    if (ap->contact_iin)
        html_summary_row(p, page_t(p, N_("IIN")), ap->contact_iin);
    if (ap->contact_email)
        html_summary_row(p, page_t(p, N_("Email address")), ap->contact_email);
    if (ap->contact_phone)
        html_summary_row(p, page_t(p, N_("Phone number")), ap->contact_phone);
    html_raw(p, "</dl>\n");
    for (size_t i = 0; i < c->v.answers_count; i++) {
        const struct answer_row *a = &c->v.answers[i];
        html_raw(p, "<h2 class=\"govuk-heading-m\">");
        html_t(p, N_("The answer"));
        html_raw(p,
                 "</h2>\n<div class=\"tyndau-answer\">\n<p class=\"govuk-body-s tyndau-muted\">");
        html_text(p, page_datetime(p, a->at));
        html_raw(p, "</p>\n<div class=\"govuk-body tyndau-prose\" data-testid=\"answer\"");
        html_attr(p, "lang", a->language);
        html_raw(p, ">");
        html_text(p, a->text);
        html_raw(p, "</div>\n</div>\n");
    }
}

static const char *
action_url(struct page *p, const struct appeal *ap, enum case_form f)
{
    return arena_printf(p->r->arena, "/work/case/%s/%s", ap->tracking_id, case_actions[f].name);
}

static void
form_heading(struct page *p, const char *id, const char *msgid)
{
    html_raw(p, "<h2 class=\"govuk-heading-m\"");
    html_attr(p, "id", id);
    html_raw(p, ">");
    html_t(p, msgid);
    html_raw(p, "</h2>\n");
}

/* Template i's text in language l for the appeal numbered number. */
static const char *
template_text(struct page *p, size_t i, enum appeal_language l, const char *number)
{
    return i18n_fill(p->r->arena, i18n_get(l, templates[i].text),
                     (const char *const[]){"number", number, NULL});
}

static void
answer_form(struct page *p, const struct case_state *c)
{
    static const char *const lang_names[LANG__COUNT] = {
        [LANG_KK] = "Қазақша", [LANG_RU] = "Русский", [LANG_EN] = "English"};
    const struct appeal *ap = &c->v.ap;
    form_heading(p, "answer-heading", N_("Answer the citizen"));
    html_form_begin(p, "post", action_url(p, ap, CF_ANSWER));
    /* Templates: the options carry their text for work.js. */
    html_raw(p, "<div class=\"govuk-form-group\">\n<label class=\"govuk-label govuk-label--s\" "
                "for=\"template\">");
    html_t(p, N_("Template"));
    html_raw(p, "</label>\n<div class=\"govuk-hint\" id=\"template-hint\">");
    html_t(p, N_("A template fills in the answer; edit it before you send it."));
    html_raw(p, "</div>\n<select class=\"govuk-select\" id=\"template\" name=\"template\" "
                "aria-describedby=\"template-hint\" data-tyndau-template>\n<option value=\"\">");
    html_t(p, N_("No template"));
    html_raw(p, "</option>\n");
    for (int l = 0; l < LANG__COUNT; l++) {
        html_raw(p, "<optgroup");
        html_attr(p, "label", lang_names[l]);
        html_raw(p, ">\n");
        for (size_t i = 0; i < ARRAY_LEN(templates); i++) {
            const char *key = arena_printf(
                p->r->arena, "%s-%s", i18n_lang_code((enum appeal_language)l), templates[i].key);
            html_raw(p, "<option");
            html_attr(p, "value", key);
            html_attr(p, "data-lang", i18n_lang_code((enum appeal_language)l));
            html_attr(p, "data-text", template_text(p, i, (enum appeal_language)l, ap->reg_number));
            if (c->template_key && strcmp(c->template_key, key) == 0)
                html_raw(p, " selected");
            html_raw(p, ">");
            html_text(p, page_t(p, templates[i].name));
            html_raw(p, "</option>\n");
        }
        html_raw(p, "</optgroup>\n");
    }
    html_raw(p, "</select>\n<button type=\"submit\" name=\"use\" value=\"template\" "
                "class=\"govuk-button govuk-button--secondary tyndau-nojs-only\" "
                "data-module=\"govuk-button\">");
    html_t(p, N_("Use the template"));
    html_raw(p, "</button>\n</div>\n");
    struct html_option langs[LANG__COUNT];
    for (int l = 0; l < LANG__COUNT; l++)
        langs[l] =
            (struct html_option){i18n_lang_code((enum appeal_language)l), lang_names[l], NULL};
    html_select(p,
                &(struct html_field){.name = "answer_language",
                                     .label = page_t(p, N_("Language of the answer")),
                                     .hint = page_t(p, N_("By default, the appeal's language.")),
                                     .value = c->answer_language
                                                  ? c->answer_language
                                                  : appeal_language_name(ap->language),
                                     .error = error_of(p, c, "answer_language")},
                langs, LANG__COUNT);
    html_input(p, &(struct html_field){.name = "text",
                                       .label = page_t(p, N_("The answer")),
                                       .value = c->text,
                                       .error = error_of(p, c, "text"),
                                       .rows = 10});
    html_button(p, page_t(p, N_("Send the answer")), false);
    html_form_end(p);
}

static void
reason_form(struct page *p, const struct case_state *c, enum case_form f, const char *heading,
            const char *field, const char *value, const char *label, const char *button)
{
    form_heading(p, arena_printf(p->r->arena, "%s-heading", case_actions[f].name), heading);
    html_form_begin(p, "post", action_url(p, &c->v.ap, f));
    html_input(p, &(struct html_field){.name = field,
                                       .label = page_t(p, label),
                                       .value = value,
                                       .error = error_of(p, c, field),
                                       .rows = 3});
    html_button(p, page_t(p, button), true);
    html_form_end(p);
}

static void
forward_form(struct page *p, const struct case_state *c)
{
    const struct ref_data *d = app_ref(p->r->app);
    struct html_option *opts = ARENA_ARRAY(p->r->arena, struct html_option, d->agencies_count + 1);
    size_t n = 0;
    opts[n++] = (struct html_option){"", page_t(p, N_("Choose a body")), NULL};
    for (size_t i = 0; i < d->agencies_count; i++)
        if (!c->v.ap.agency || strcmp(d->agencies[i].code, c->v.ap.agency) != 0)
            opts[n++] = (struct html_option){d->agencies[i].code,
                                             page_agency(p, d->agencies[i].code), NULL};
    form_heading(p, "forward-heading", N_("Forward to another body"));
    html_form_begin(p, "post", action_url(p, &c->v.ap, CF_FORWARD));
    html_select(p,
                &(struct html_field){.name = "agency",
                                     .label = page_t(p, N_("Body")),
                                     .value = c->agency,
                                     .error = error_of(p, c, "agency")},
                opts, n);
    html_input(p, &(struct html_field){.name = "forward_reason",
                                       .label = page_t(p, N_("Why")),
                                       .value = c->forward_reason,
                                       .error = error_of(p, c, "forward_reason"),
                                       .rows = 3});
    html_button(p, page_t(p, N_("Forward")), true);
    html_form_end(p);
}

static void
extend_form(struct page *p, const struct case_state *c)
{
    const struct appeal *ap = &c->v.ap;
    form_heading(p, "extend-heading", N_("Extend the deadline"));
    html_form_begin(p, "post", action_url(p, ap, CF_EXTEND));
    char limit[11] = "";
    if (ap->due_at)
        tm_format_date(tm_local_day(sla_extension_limit(ap->due_at)), limit);
    html_input(p,
               &(struct html_field){.name = "due_date",
                                    .label = page_t(p, N_("New due date")),
                                    .hint = page_tf(p, N_("Year-month-day, at the latest {date}"),
                                                    (const char *const[]){"date", limit, NULL}),
                                    .type = "date",
                                    .value = c->due_date,
                                    .error = error_of(p, c, "due_date"),
                                    .cls = "govuk-input--width-10"});
    html_input(p, &(struct html_field){.name = "extend_reason",
                                       .label = page_t(p, N_("Why")),
                                       .value = c->extend_reason,
                                       .error = error_of(p, c, "extend_reason"),
                                       .rows = 3});
    html_button(p, page_t(p, N_("Extend")), true);
    html_form_end(p);
}

/* What the router thought at registration (the registered event's reason):
 * its topic and agency with their confidence, when it had a model's view. */
struct suggestion {
    const char *topic, *agency;
    double topic_p, agency_p;
};

static bool
router_suggestion(struct page *p, const struct case_state *c, struct suggestion *s)
{
    *s = (struct suggestion){0};
    const char *reason = NULL;
    for (size_t i = 0; i < c->v.events_count && !reason; i++)
        if (c->v.events[i].action == ACT_REGISTER)
            reason = c->v.events[i].reason;
    if (!reason)
        return false;
    json_error_t jerr;
    json_t *o = json_loads(reason, JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(o)) {
        json_decref(o);
        return false;
    }
    const char *t = json_string_value(json_object_get(o, "model_topic"));
    const char *ag = json_string_value(json_object_get(o, "model_agency"));
    if (t && app_topic(p->r->app, t)) {
        s->topic = arena_strdup(p->r->arena, t);
        s->topic_p = json_number_value(json_object_get(o, "topic_confidence"));
    }
    if (ag && app_agency(p->r->app, ag)) {
        s->agency = arena_strdup(p->r->arena, ag);
        s->agency_p = json_number_value(json_object_get(o, "agency_confidence"));
    }
    json_decref(o);
    return s->topic || s->agency;
}

static const char *
percent(struct page *p, double v)
{
    return page_number(p, (int64_t)(v * 100 + 0.5));
}

/* The model's next most likely topics for the appeal now, after the one it
 * suggested at registration: the operator's likely alternatives. */
static void
also_likely(struct page *p, const struct case_state *c, const char *suggested)
{
    enum { ALSO_MAX = 3 };
    const char *codes[ALSO_MAX + 1];
    double prob[ALSO_MAX + 1];
    size_t n = 0;
    if (!c->v.ap.text || app_route_suggest(p->r->app, p->r->arena, c->v.ap.text, ALSO_MAX + 1,
                                           codes, prob, &n) != ERR_OK)
        return;
    struct buf list = BUF_INIT(4096);
    size_t shown = 0;
    for (size_t i = 0; i < n && shown < ALSO_MAX; i++) {
        if ((suggested && strcmp(codes[i], suggested) == 0) || !app_topic(p->r->app, codes[i]))
            continue;
        buf_printf(&list, "%s%s", shown ? "; " : "",
                   page_tf(p, N_("{name}, {percent}%"),
                           (const char *const[]){"name", page_topic(p, codes[i]), "percent",
                                                 percent(p, prob[i]), NULL}));
        shown++;
    }
    if (shown && !buf_failed(&list)) {
        html_raw(p, "<p class=\"govuk-body\" data-testid=\"also-likely\">");
        html_text(p, page_tf(p, N_("Also likely: {topics}"),
                             (const char *const[]){"topics", list.p, NULL}));
        html_raw(p, "</p>");
    }
    buf_fini(&list);
}

static void
triage_form(struct page *p, const struct case_state *c)
{
    const struct ref_data *d = app_ref(p->r->app);
    struct suggestion s;
    bool has = router_suggestion(p, c, &s);
    form_heading(p, "triage-heading", N_("Set the topic and the body"));
    html_raw(p, "<p class=\"govuk-body\">");
    html_t(p, N_("The router was not sure enough to send this appeal on. Read it, choose its topic "
                 "and the body that must answer it: your choice also teaches the router."));
    html_raw(p, "</p>\n");
    if (has) {
        html_raw(p, "<div class=\"govuk-inset-text\" data-testid=\"suggestion\">");
        html_t(p, N_("The router suggests:"));
        html_raw(p, "<ul class=\"govuk-list govuk-list--bullet\">\n");
        if (s.topic) {
            html_raw(p, "<li>");
            html_text(p, page_tf(p, N_("topic {name}, {percent}% sure"),
                                 (const char *const[]){"name", page_topic(p, s.topic), "percent",
                                                       percent(p, s.topic_p), NULL}));
            html_raw(p, "</li>\n");
        }
        if (s.agency) {
            html_raw(p, "<li>");
            html_text(p, page_tf(p, N_("body {name}, {percent}% sure"),
                                 (const char *const[]){"name", page_agency(p, s.agency), "percent",
                                                       percent(p, s.agency_p), NULL}));
            html_raw(p, "</li>\n");
        }
        html_raw(p, "</ul>");
        also_likely(p, c, s.topic);
        html_raw(p, "</div>\n");
    }
    struct html_option *topics = ARENA_ARRAY(p->r->arena, struct html_option, d->topics_count + 1);
    size_t nt = 0;
    topics[nt++] = (struct html_option){"", page_t(p, N_("Choose a topic")), NULL};
    for (size_t i = 0; i < d->topics_count; i++)
        topics[nt++] =
            (struct html_option){d->topics[i].code, page_topic(p, d->topics[i].code), NULL};
    struct html_option *agencies =
        ARENA_ARRAY(p->r->arena, struct html_option, d->agencies_count + 1);
    size_t na = 0;
    agencies[na++] = (struct html_option){"", page_t(p, N_("Choose a body")), NULL};
    for (size_t i = 0; i < d->agencies_count; i++)
        agencies[na++] =
            (struct html_option){d->agencies[i].code, page_agency(p, d->agencies[i].code), NULL};
    html_form_begin(p, "post", action_url(p, &c->v.ap, CF_TRIAGE));
    html_select(p,
                &(struct html_field){.name = "triage_topic",
                                     .label = page_t(p, N_("Topic")),
                                     .value = c->triage_topic ? c->triage_topic : s.topic,
                                     .error = error_of(p, c, "triage_topic")},
                topics, nt);
    html_select(p,
                &(struct html_field){.name = "triage_agency",
                                     .label = page_t(p, N_("Body")),
                                     .value = c->triage_agency ? c->triage_agency : s.agency,
                                     .error = error_of(p, c, "triage_agency")},
                agencies, na);
    html_button(p, page_t(p, N_("Send to the body")), false);
    html_form_end(p);
}

static void
assign_form(struct page *p, const struct case_state *c)
{
    struct user *staff = NULL;
    size_t n = 0;
    if (store_agency_staff(app_store(p->r->app), p->r->arena, c->v.ap.agency, ASSIGN_STAFF_MAX,
                           &staff, &n) != ERR_OK)
        n = 0;
    struct html_option *opts = ARENA_ARRAY(p->r->arena, struct html_option, n + 1);
    size_t k = 0;
    opts[k++] = (struct html_option){"", page_t(p, N_("Choose an official")), NULL};
    for (size_t i = 0; i < n; i++) {
        const char *name = staff[i].name && *staff[i].name ? staff[i].name : staff[i].login;
        if (staff[i].id == c->v.ap.assignee)
            name = page_tf(p, N_("{name} (has the case now)"),
                           (const char *const[]){"name", name, NULL});
        opts[k++] = (struct html_option){arena_printf(p->r->arena, "%lld", (long long)staff[i].id),
                                         name, NULL};
    }
    form_heading(p, "assign-heading", N_("Assign the case"));
    html_form_begin(p, "post", action_url(p, &c->v.ap, CF_ASSIGN));
    html_select(p,
                &(struct html_field){.name = "assignee",
                                     .label = page_t(p, N_("Official")),
                                     .hint = page_t(p, N_("Who in your body answers this appeal.")),
                                     .value = c->assignee,
                                     .error = error_of(p, c, "assignee")},
                opts, k);
    html_button(p, page_t(p, N_("Assign")), false);
    html_form_end(p);
}

static void
action_forms(struct page *p, const struct case_state *c)
{
    const struct req *r = p->r;
    const struct appeal *ap = &c->v.ap;
    bool any = false;
    if (form_allowed(r, ap, CF_TRIAGE)) {
        triage_form(p, c);
        any = true;
    }
    if (form_allowed(r, ap, CF_ASSIGN)) {
        assign_form(p, c);
        any = true;
    }
    if (form_allowed(r, ap, CF_TAKE)) {
        form_heading(p, "take-heading", N_("Take the case"));
        html_form_begin(p, "post", action_url(p, ap, CF_TAKE));
        html_button(p, page_t(p, N_("Take the case")), false);
        html_form_end(p);
        any = true;
    }
    if (form_allowed(r, ap, CF_ANSWER)) {
        answer_form(p, c);
        any = true;
    }
    if (form_allowed(r, ap, CF_RETURN)) {
        reason_form(p, c, CF_RETURN, N_("Return the answer for rework"), "return_reason",
                    c->return_reason, N_("What is missing"), N_("Return"));
        any = true;
    }
    if (form_allowed(r, ap, CF_CLOSE)) {
        reason_form(p, c, CF_CLOSE, N_("Close the appeal"), "close_reason", c->close_reason,
                    N_("Note (optional)"), N_("Close"));
        any = true;
    }
    if (form_allowed(r, ap, CF_EXTEND)) {
        extend_form(p, c);
        any = true;
    }
    if (form_allowed(r, ap, CF_FORWARD)) {
        forward_form(p, c);
        any = true;
    }
    if (!any) {
        html_raw(p, "<p class=\"govuk-body\">");
        html_t(p, N_("Nothing is left to do on this appeal."));
        html_raw(p, "</p>\n");
    }
}

static enum handled
render(struct req *r, struct case_state *c)
{
    struct page p;
    page_init(&p, r, r->form);
    const struct appeal *ap = &c->v.ap;
    if (r->form)
        p.self = arena_printf(r->arena, "/work/case/%s", ap->tracking_id);
    find_holder(r, c);
    const char *title =
        page_tf(&p, N_("Appeal {number}"), (const char *const[]){"number", ap->reg_number, NULL});
    page_begin(&p, c->err_count ? page_tf(&p, N_("Error: {title}"),
                                          (const char *const[]){"title", title, NULL})
                                : title);
    page_work_bar(&p);
    struct html_error errs[ARRAY_LEN(c->errs)];
    for (size_t i = 0; i < c->err_count; i++)
        errs[i] = (struct html_error){c->errs[i].field, page_t(&p, c->errs[i].msg)};
    html_error_summary(&p, errs, c->err_count);
    if (c->done != CF_NONE) {
        html_raw(&p, "<div class=\"govuk-notification-banner govuk-notification-banner--success\" "
                     "role=\"alert\" aria-labelledby=\"done-title\" data-testid=\"done\" "
                     "data-module=\"govuk-notification-banner\">\n"
                     "<div class=\"govuk-notification-banner__header\">"
                     "<h2 class=\"govuk-notification-banner__title\" id=\"done-title\">");
        html_t(&p, N_("Done"));
        html_raw(&p, "</h2></div>\n<div class=\"govuk-notification-banner__content\">"
                     "<p class=\"govuk-notification-banner__heading\">");
        html_t(&p, case_actions[c->done].done);
        html_raw(&p, "</p></div>\n</div>\n");
    }
    html_raw(&p, "<span class=\"govuk-caption-l\">");
    html_text(&p, ap->agency ? page_agency(&p, ap->agency) : page_t(&p, N_("Being chosen")));
    html_raw(&p, "</span>\n<h1 class=\"govuk-heading-l\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n<div class=\"govuk-grid-row\">\n"
                 "<div class=\"govuk-grid-column-one-half\">\n");
    live_region(&p, c);
    appeal_text(&p, c);
    html_raw(&p, "</div>\n<div class=\"govuk-grid-column-one-half\">\n");
    action_forms(&p, c);
    html_raw(&p, "</div>\n</div>\n<script type=\"module\"");
    html_attr(&p, "src", asset_url("work.js"));
    html_raw(&p, "></script>\n");
    page_end(&p);
    return page_reply(&p, c->status ? c->status : 200);
}

static enum handled
not_found(struct req *r)
{
    return page_error(r, 404, N_("Appeal not found"),
                      N_("It does not exist, or it is with another body."));
}

static enum handled
sorry(struct req *r)
{
    return page_error(r, 503, N_("Sorry, something went wrong"), N_("Try again in a few minutes."));
}

static enum err
audit_start(struct req *r)
{
    struct case_state *c = r->view;
    r->job.audit = (struct audit_req){
        .user = r->caller.user.id, .action = "read_pii", .object = c->v.ap.tracking_id};
    return app_audit_start(r->app, &r->job.audit, http_job_done, r);
}

static enum handled
audit_finish(struct req *r)
{
    if (r->job.audit.e) {
        log_error("http: cannot record a staff read: %s", err_name(r->job.audit.e));
        return sorry(r);
    }
    return render(r, r->view);
}

/* Read the appeal and show the page after the audit row is durable. */
static enum handled
view_and_render(struct req *r)
{
    struct case_state *c = r->view;
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &c->v);
    if (e == ERR_NOTFOUND)
        return not_found(r);
    if (e)
        return sorry(r);
    return http_wait(r, audit_start, audit_finish);
}

enum handled
h_work_case(struct req *r)
{
    struct case_state *c = ARENA_NEW(r->arena, struct case_state);
    r->view = c;
    const char *done = http_query(r, "done");
    for (size_t i = 1; done && i < ARRAY_LEN(case_actions); i++)
        if (strcmp(done, case_actions[i].name) == 0)
            c->done = (enum case_form)i;
    const char *fragment = http_query(r, "fragment");
    if (fragment && strcmp(fragment, "live") != 0)
        return page_error(r, 400, N_("This page does not exist"),
                          N_("Check the address of the page."));
    if (!fragment)
        return view_and_render(r);
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &c->v);
    if (e == ERR_NOTFOUND)
        return not_found(r);
    if (e)
        return sorry(r);
    struct page p;
    page_init(&p, r, NULL);
    find_holder(r, c);
    live_region(&p, c);
    return page_reply(&p, 200);
}

/* ---- POST /work/case/{tracking}/{action} ---- */

static enum handled
again(struct req *r, unsigned status)
{
    struct case_state *c = r->view;
    c->status = status;
    return view_and_render(r);
}

static enum err
act_start(struct req *r)
{
    return app_act_start(r->app, &r->job.act, r->arena, http_job_done, r);
}

/* The app's refusal in the words of the form (field names of this page). */
static void
act_refusal(struct case_state *c, enum case_form f, const struct act_req *a)
{
    static const char *const reason_field[] = {[CF_NONE] = "text",
                                               [CF_TAKE] = "take-heading",
                                               [CF_ANSWER] = "text",
                                               [CF_FORWARD] = "forward_reason",
                                               [CF_EXTEND] = "extend_reason",
                                               [CF_RETURN] = "return_reason",
                                               [CF_CLOSE] = "close_reason",
                                               [CF_TRIAGE] = "triage_topic",
                                               [CF_ASSIGN] = "assignee"};
    _Static_assert(ARRAY_LEN(reason_field) == ARRAY_LEN(case_actions), "reason_field out of date");
    const char *why = a->why ? a->why : "";
    if (f == CF_ASSIGN && a->e == ERR_UNPROCESSABLE)
        add_error(c, "assignee", N_("Choose an official of your body from the list"));
    else if (f == CF_TRIAGE && a->e == ERR_UNPROCESSABLE)
        add_error(c, a->field && strcmp(a->field, "agency") == 0 ? "triage_agency" : "triage_topic",
                  a->field && strcmp(a->field, "agency") == 0 ? N_("Choose a body from the list")
                                                              : N_("Choose a topic from the list"));
    else if (f == CF_TRIAGE && a->e == ERR_CONFLICT)
        add_error(c, "triage_topic", N_("Someone has already set the topic and the body"));
    else if (a->e == ERR_UNPROCESSABLE && a->field && strcmp(a->field, "agency") == 0)
        add_error(c, "agency",
                  strstr(why, "already") ? N_("The appeal is already with that body")
                                         : N_("Choose a body from the list"));
    else if (a->e == ERR_UNPROCESSABLE && a->field && strcmp(a->field, "due_date") == 0)
        add_error(c, "due_date",
                  strstr(why, "two months")
                      ? N_("The new due date may be at most two months after the current one")
                      : N_("The new due date must be after the current one"));
    else if (a->e == ERR_CONFLICT && strstr(why, "extended once"))
        add_error(c, "due_date", N_("The deadline was already extended once"));
    else if (a->e == ERR_DENIED)
        add_error(c, reason_field[f], N_("Your role may not do this"));
    else
        add_error(c, reason_field[f],
                  N_("This cannot be done now: the appeal has changed. Check its status"));
}

static enum handled
act_finish(struct req *r)
{
    struct act_req *a = &r->job.act;
    struct case_state *c = r->view;
    enum case_form f = CF_NONE;
    for (size_t i = 1; i < ARRAY_LEN(case_actions); i++)
        if (case_actions[i].act == a->action)
            f = (enum case_form)i;
    if (a->e == ERR_NOTFOUND)
        return not_found(r);
    if (a->e == ERR_UNPROCESSABLE || a->e == ERR_CONFLICT || a->e == ERR_DENIED) {
        act_refusal(c, f, a);
        return again(r, a->e == ERR_CONFLICT ? 409 : a->e == ERR_DENIED ? 403 : 422);
    }
    if (a->e) {
        log_error("http: case action %s failed: %s", case_actions[f].name, err_name(a->e));
        return sorry(r);
    }
    struct page tmp = {.r = r};
    const char *lang = form_get(r->form, "lang");
    /* A forwarded or triaged appeal leaves this queue: back to it. */
    if (f == CF_TRIAGE)
        return page_redirect(
            r,
            page_url(&tmp, "/work", (const char *const[]){"done", "triaged", "lang", lang, NULL}));
    if (f == CF_FORWARD)
        return page_redirect(
            r, page_url(&tmp, "/work",
                        (const char *const[]){"done", "forwarded", "lang", lang, NULL}));
    return page_redirect(
        r, page_url(&tmp, arena_printf(r->arena, "/work/case/%s", r->param),
                    (const char *const[]){"done", case_actions[f].name, "lang", lang, NULL}));
}

/* A required reason of 2..APPEAL_REASON_MAX characters; false after adding
 * the error. */
static bool
reason_ok(struct case_state *c, const char *name, const char *v, bool required)
{
    size_t n = v ? utf8_count(str_from_cstr(v)) : 0;
    if (required && n < 2) {
        add_error(c, name, N_("Give the reason"));
        return false;
    }
    if (n > APPEAL_REASON_MAX) {
        add_error(c, name, N_("The reason must be 2,000 characters or fewer"));
        return false;
    }
    return true;
}

/* "use=template": show the form again with the chosen template's text. */
static enum handled
use_template(struct req *r, struct case_state *c)
{
    const char *key = c->template_key;
    enum appeal_language l;
    size_t i = ARRAY_LEN(templates);
    if (key && strlen(key) > 3 && key[2] == '-' &&
        i18n_lang_parse(arena_strndup(r->arena, key, 2), &l) == ERR_OK)
        for (i = 0; i < ARRAY_LEN(templates); i++)
            if (strcmp(key + 3, templates[i].key) == 0)
                break;
    if (i == ARRAY_LEN(templates)) {
        add_error(c, "template", N_("Choose a template"));
        return again(r, 422);
    }
    /* The appeal is read first: the text needs its registration number. */
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &c->v);
    if (e == ERR_NOTFOUND)
        return not_found(r);
    if (e)
        return sorry(r);
    struct page tmp = {.r = r};
    c->text = template_text(&tmp, i, l, c->v.ap.reg_number);
    c->answer_language = i18n_lang_code(l);
    return http_wait(r, audit_start, audit_finish);
}

enum handled
h_work_act(struct req *r)
{
    struct case_state *c = ARENA_NEW(r->arena, struct case_state);
    r->view = c;
    const char *slash = strrchr(r->url, '/');
    enum case_form f = CF_NONE;
    for (size_t i = 1; slash && i < ARRAY_LEN(case_actions); i++)
        if (strcmp(slash + 1, case_actions[i].name) == 0)
            f = (enum case_form)i;
    if (f == CF_NONE)
        return not_found(r);
    struct act_req *a = &r->job.act;
    *a = (struct act_req){.action = case_actions[f].act,
                          .tracking_id = r->param,
                          .caller = r->caller,
                          .language = LANG_RU};
    switch (f) {
    case CF_ANSWER: {
        c->text = form_text(r->form, r->arena, "text");
        c->answer_language = form_text(r->form, r->arena, "answer_language");
        c->template_key = form_text(r->form, r->arena, "template");
        const char *use = form_get(r->form, "use");
        if (use && strcmp(use, "template") == 0)
            return use_template(r, c);
        size_t n = c->text ? utf8_count(str_from_cstr(c->text)) : 0;
        if (n < 2)
            add_error(c, "text", N_("Write the answer"));
        else if (n > APPEAL_ANSWER_MAX)
            add_error(c, "text", N_("The answer must be 20,000 characters or fewer"));
        if (!c->answer_language || i18n_lang_parse(c->answer_language, &a->language))
            add_error(c, "answer_language", N_("Choose the language of the answer"));
        a->text = c->text;
        break;
    }
    case CF_FORWARD:
        c->agency = form_text(r->form, r->arena, "agency");
        c->forward_reason = form_text(r->form, r->arena, "forward_reason");
        if (!c->agency || !app_agency(r->app, c->agency))
            add_error(c, "agency", N_("Choose a body from the list"));
        (void)reason_ok(c, "forward_reason", c->forward_reason, true);
        a->agency = c->agency;
        a->reason = c->forward_reason;
        break;
    case CF_EXTEND:
        c->due_date = form_text(r->form, r->arena, "due_date");
        c->extend_reason = form_text(r->form, r->arena, "extend_reason");
        if (!c->due_date || tm_parse_date(str_from_cstr(c->due_date), &a->due_day))
            add_error(c, "due_date", N_("Enter the new due date as year-month-day"));
        (void)reason_ok(c, "extend_reason", c->extend_reason, true);
        a->reason = c->extend_reason;
        break;
    case CF_RETURN:
        c->return_reason = form_text(r->form, r->arena, "return_reason");
        (void)reason_ok(c, "return_reason", c->return_reason, true);
        a->reason = c->return_reason;
        break;
    case CF_CLOSE:
        c->close_reason = form_text(r->form, r->arena, "close_reason");
        (void)reason_ok(c, "close_reason", c->close_reason, false);
        a->reason = c->close_reason;
        break;
    case CF_TRIAGE:
        c->triage_topic = form_text(r->form, r->arena, "triage_topic");
        c->triage_agency = form_text(r->form, r->arena, "triage_agency");
        if (!c->triage_topic || !app_topic(r->app, c->triage_topic))
            add_error(c, "triage_topic", N_("Choose a topic from the list"));
        if (!c->triage_agency || !app_agency(r->app, c->triage_agency))
            add_error(c, "triage_agency", N_("Choose a body from the list"));
        a->topic = c->triage_topic;
        a->agency = c->triage_agency;
        break;
    case CF_ASSIGN: {
        c->assignee = form_text(r->form, r->arena, "assignee");
        int64_t id = 0;
        struct user u;
        if (!c->assignee || str_to_i64(str_from_cstr(c->assignee), 1, INT64_MAX, &id)) {
            add_error(c, "assignee", N_("Choose an official of your body from the list"));
            break;
        }
        /* Whether the user belongs to the appeal's agency is the app's to judge. */
        if (store_user_by_id(app_store(r->app), r->arena, id, &u) == ERR_OK &&
            (u.role == ROLE_OFFICIAL || u.role == ROLE_SUPERVISOR))
            a->assignee_agency = u.agency;
        a->assignee = id;
        break;
    }
    case CF_TAKE:
    case CF_NONE:
        break;
    }
    if (c->err_count)
        return again(r, 422);
    return http_wait(r, act_start, act_finish);
}
