/*
 * page_answered.c - GET /answered: the public list of answered appeals, by
 * region and topic, newest answer first, 20 a page, with personal data
 * redacted (app_answered()); no name, contact or tracking id is shown.
 * ?after=AT.ID continues after a row. Exports h_answered().
 */
#include "http/html.h"

#include <string.h>

enum { ANSWERED_PAGE = 20 };

static const char *
query(struct req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && *v ? v : NULL;
}

/* "AT.ID" -> the cursor; false if malformed. */
static bool
parse_after(const char *s, struct answered_query *q)
{
    const char *dot = strchr(s, '.');
    uint64_t at, id;
    if (!dot || str_to_u64((struct str){s, (size_t)(dot - s)}, INT64_MAX, &at) ||
        str_to_u64(str_from_cstr(dot + 1), INT64_MAX, &id))
        return false;
    q->has_cursor = true;
    q->cursor_at = (int64_t)at;
    q->cursor_id = (int64_t)id;
    return true;
}

enum handled
h_answered(struct req *r)
{
    struct page p;
    page_init(&p, r, NULL);
    struct answered_query q = {.limit = ANSWERED_PAGE};
    const char *region = query(r, "region"), *topic = query(r, "topic"), *after = query(r, "after");
    /* An unknown filter value matches nothing: say so rather than list everything. */
    bool bad = (region && !app_region(r->app, region)) || (topic && !app_topic(r->app, topic)) ||
               (after && !parse_after(after, &q));
    q.region = region;
    q.topic = topic;
    struct answered_row *rows = NULL;
    size_t count = 0;
    bool more = false;
    if (!bad) {
        enum err e = app_answered(r->app, r->arena, &q, &rows, &count, &more);
        if (e)
            return page_error(r, 503, N_("Sorry, something went wrong"),
                              N_("Try again in a few minutes."));
    }
    const char *title = page_t(&p, N_("Answered appeals"));
    page_begin(&p, title);
    html_raw(&p, "<h1 class=\"govuk-heading-xl\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n<p class=\"govuk-body-l\">");
    html_t(&p, N_("Appeals that state bodies have answered, newest first. Names, IINs, phone "
                  "numbers, email addresses and card numbers are removed."));
    html_raw(&p, "</p>\n<div class=\"tyndau-filters\">\n");
    html_form_begin(&p, "get", "/answered");
    size_t n;
    struct html_option *opts = page_region_options(&p, page_t(&p, N_("All regions")), &n);
    html_select(
        &p,
        &(struct html_field){.name = "region", .label = page_t(&p, N_("Region")), .value = region},
        opts, n);
    opts = page_topic_options(&p, page_t(&p, N_("All topics")), &n);
    html_select(
        &p, &(struct html_field){.name = "topic", .label = page_t(&p, N_("Topic")), .value = topic},
        opts, n);
    html_button(&p, page_t(&p, N_("Show")), true);
    html_form_end(&p);
    html_raw(&p, "</div>\n");
    if (bad) {
        html_raw(&p, "<p class=\"govuk-body\">");
        html_t(&p, N_("The filter is not valid. Choose a region and a topic from the lists."));
        html_raw(&p, "</p>\n");
    } else if (!count) {
        html_raw(&p, "<p class=\"govuk-body\" data-testid=\"no-answers\">");
        html_t(&p, N_("No answered appeals match."));
        html_raw(&p, "</p>\n");
    }
    html_raw(&p, "<ul class=\"govuk-list tyndau-answered\">\n");
    for (size_t i = 0; i < count; i++) {
        const struct answered_row *w = &rows[i];
        html_raw(&p, "<li class=\"tyndau-answered__item\" data-testid=\"answered-item\">\n"
                     "<h2 class=\"govuk-heading-s\">");
        html_text(&p, w->topic ? page_topic(&p, w->topic) : page_kind(&p, w->kind));
        html_raw(&p, " · ");
        html_text(&p, page_region(&p, w->region));
        html_raw(&p, "</h2>\n<p class=\"govuk-body-s tyndau-muted\">");
        html_text(&p, page_tf(&p, N_("Filed {date}, answered {answered} by {agency}"),
                              (const char *const[]){"date", page_date(&p, w->filed_at), "answered",
                                                    page_date(&p, w->answered_at), "agency",
                                                    page_agency(&p, w->agency), NULL}));
        html_raw(&p, "</p>\n<div class=\"govuk-body tyndau-prose\"");
        html_attr(&p, "lang", appeal_language_name(w->language));
        html_raw(&p, ">");
        html_text(&p, w->text);
        html_raw(&p, "</div>\n<div class=\"govuk-inset-text tyndau-prose\"");
        html_attr(&p, "lang", w->answer_language);
        html_raw(&p, "><strong>");
        html_t(&p, N_("Answer:"));
        html_raw(&p, "</strong> ");
        html_text(&p, w->answer);
        html_raw(&p, "</div>\n");
        if (w->rating) {
            html_raw(&p, "<p class=\"govuk-body-s\">");
            html_text(&p, page_tf(&p, N_("Rated {n} of 5 by the citizen"),
                                  (const char *const[]){"n", page_number(&p, w->rating), NULL}));
            html_raw(&p, "</p>\n");
        }
        html_raw(&p, "</li>\n");
    }
    html_raw(&p, "</ul>\n");
    if (more && count) {
        const struct answered_row *last = &rows[count - 1];
        const char *next = arena_printf(r->arena, "%lld.%lld", (long long)last->answered_at,
                                        (long long)last->answer_id);
        html_raw(&p, "<p class=\"govuk-body\">");
        html_link(&p,
                  page_url(&p, "/answered",
                           (const char *const[]){"region", region, "topic", topic, "after", next,
                                                 "lang", i18n_lang_code(p.lang), NULL}),
                  page_t(&p, N_("Older answers")));
        html_raw(&p, "</p>\n");
    }
    page_end(&p);
    return page_reply(&p, bad ? 400 : 200);
}
