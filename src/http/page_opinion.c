/*
 * page_opinion.c - GET /opinion (analysts, supervisors, administrators): the
 * figures of GET /api/v1/opinion (http_opinion_query() and
 * http_opinion_compute(), the same computation) for a topic, period,
 * sources and region chosen in a GET form: each figure with its estimand in
 * words, n, n_eff, design effect, CI, the selection band and the coverage
 * it assumes, the calibration tables (name, version, reference date, every
 * row's source), and an inline SVG chart of the weighted and unweighted
 * shares with its data table beside it. A notice says that appeals are a
 * separate stream and are not opinion. Exports h_opinion_page().
 */
#include "http/html.h"

#include <math.h>
#include <string.h>

#include "analytics/opinion.h"
#include "base/tm.h"
#include "base/util.h"

static const char *
query(struct req *r, const char *name)
{
    const char *v = http_query(r, name);
    return v && *v ? v : NULL;
}

/* 100 x as a percentage with one decimal, in the page's language. */
static const char *
pct(struct page *p, double x)
{
    if (!isfinite(x))
        return "–";
    char *s = arena_printf(p->r->arena, "%.1f", 100 * x);
    if (p->lang != LANG_EN)
        for (char *c = s; *c; c++)
            if (*c == '.')
                *c = ',';
    return page_tf(p, N_("{n}%"), (const char *const[]){"n", s, NULL});
}

static const char *
num1(struct page *p, double x)
{
    if (!isfinite(x))
        return "–";
    char *s = arena_printf(p->r->arena, "%.1f", x);
    if (p->lang != LANG_EN)
        for (char *c = s; *c; c++)
            if (*c == '.')
                *c = ',';
    return s;
}

static const char *
range(struct page *p, double lo, double hi)
{
    return page_tf(p, N_("{low} to {high}"),
                   (const char *const[]){"low", pct(p, lo), "high", pct(p, hi), NULL});
}

/* "VK, Odnoklassniki" or "any social network". */
static const char *
channels(struct page *p, const struct opinion_q *q)
{
    if (!q->sources_count)
        return page_t(p, N_("any social network"));
    const char *w = "";
    for (size_t i = 0; i < q->sources_count; i++) {
        const char *s = q->sources[i];
        const char *name = strcmp(s, "vk") == 0         ? "VK"
                           : strcmp(s, "ok") == 0       ? "Odnoklassniki"
                           : strcmp(s, "facebook") == 0 ? "Facebook"
                                                        : s;
        w = arena_printf(p->r->arena, "%s%s%s", w, i ? ", " : "", name);
    }
    return w;
}

static void
notice(struct page *p)
{
    html_raw(p, "<div class=\"govuk-warning-text\" data-testid=\"appeals-notice\">"
                "<span class=\"govuk-warning-text__icon\" aria-hidden=\"true\">!</span>"
                "<strong class=\"govuk-warning-text__text\"><span "
                "class=\"govuk-visually-hidden\">");
    html_t(p, N_("Warning"));
    html_raw(p, "</span>");
    html_t(p, N_("Appeals are a separate stream and are not opinion: their counts describe "
                 "demand on agencies, not what people think. These figures come only from "
                 "public posts on social networks, weighted to the adult population."));
    html_raw(p, "</strong></div>\n");
}

static void
form(struct page *p, struct req *r, const struct opinion_fail *f, bool failed)
{
    const char *field_err = failed && f->why == OPW_QUERY ? f->field : NULL;
    const char *msg = page_t(p, N_("Check this value"));
    html_form_begin(p, "get", "/opinion");
    size_t n;
    struct html_option *topics = page_topic_options(p, page_t(p, N_("Choose a topic")), &n);
    html_select(
        p,
        &(struct html_field){.name = "topic",
                             .label = page_t(p, N_("Topic")),
                             .value = query(r, "topic"),
                             .error = field_err && strcmp(field_err, "topic") == 0 ? msg : NULL},
        topics, n);
    html_raw(p, "<div class=\"tyndau-filters\">\n");
    html_input(
        p, &(struct html_field){.name = "from",
                                .label = page_t(p, N_("From")),
                                .hint = page_t(p, N_("YYYY-MM-DD; empty: 30 days ago")),
                                .value = query(r, "from"),
                                .error = field_err && strcmp(field_err, "from") == 0 ? msg : NULL,
                                .cls = "govuk-input--width-10"});
    html_input(p,
               &(struct html_field){.name = "to",
                                    .label = page_t(p, N_("To")),
                                    .hint = page_t(p, N_("YYYY-MM-DD; empty: today")),
                                    .value = query(r, "to"),
                                    .error = field_err && strcmp(field_err, "to") == 0 ? msg : NULL,
                                    .cls = "govuk-input--width-10"});
    html_raw(p, "</div>\n");
    html_input(p, &(struct html_field){
                      .name = "sources",
                      .label = page_t(p, N_("Social networks")),
                      .hint = page_t(p, N_("Comma-separated, e.g. vk,ok; empty: all")),
                      .value = query(r, "sources"),
                      .error = field_err && strcmp(field_err, "sources") == 0 ? msg : NULL,
                      .cls = "govuk-input--width-20"});
    struct html_option *regions = page_region_options(p, page_t(p, N_("All of Kazakhstan")), &n);
    html_select(
        p,
        &(struct html_field){.name = "region",
                             .label = page_t(p, N_("Region")),
                             .value = query(r, "region"),
                             .error = field_err && strcmp(field_err, "region") == 0 ? msg : NULL},
        regions, n);
    html_button(p, page_t(p, N_("Show the figures")), false);
    html_form_end(p);
}

/* Why there are no figures, in the page's language. */
static const char *
why_text(struct page *p, const struct opinion_fail *f)
{
    switch (f->why) {
    case OPW_QUERY:
        return page_t(p, N_("A value in the form is not valid: check the marked field."));
    case OPW_NO_TOPIC:
        return page_t(p, N_("Choose a topic to see the figures."));
    case OPW_NO_TABLES:
        return page_t(p, N_("No calibration tables are loaded, so nothing can be weighted. "
                            "An administrator loads them with tyndau calibration load."));
    case OPW_BAD_TABLE:
        return page_t(p, N_("A stored calibration table cannot be used."));
    case OPW_STORE:
        return page_t(p, N_("Sorry, something went wrong. Try again in a few minutes."));
    case OPW_NO_REACH:
        return page_tf(p,
                       N_("{source} has no reach figure in the channel table, so the range "
                          "for all adults cannot be drawn."),
                       (const char *const[]){"source", f->source ? f->source : "", NULL});
    case OPW_REGION:
        return page_t(p, N_("The calibration table has no population for this region."));
    case OPW_TOO_MANY:
        return page_t(p, N_("More than 1,000,000 records match: narrow the period, the social "
                            "networks or the region."));
    case OPW_NO_RECORDS:
        return page_t(p, N_("There are no records for this topic, period, social networks and "
                            "region."));
    case OPW_SAMPLE:
    case OPW_WEIGHTS:
        return page_t(p, N_("The records cannot be weighted to the population tables."));
    }
    return page_t(p, N_("Sorry, something went wrong. Try again in a few minutes."));
}

/* One row of the figures: the name, the value and what it estimates. */
static void
figure(struct page *p, const char *testid, const char *name, const char *value, const char *words)
{
    html_raw(p, "<div class=\"govuk-summary-list__row\"><dt class=\"govuk-summary-list__key\">");
    html_text(p, name);
    html_raw(p, "</dt><dd class=\"govuk-summary-list__value\"><strong");
    html_attr(p, "data-testid", testid);
    html_raw(p, ">");
    html_text(p, value);
    html_raw(p, "</strong>");
    if (words) {
        html_raw(p, "<p class=\"govuk-body-s tyndau-muted\">");
        html_text(p, words);
        html_raw(p, "</p>");
    }
    html_raw(p, "</dd></div>\n");
}

/* Weighted and unweighted shares on one 0-100% axis: the drawing; the
 * table beside it carries the same numbers for every reader. */
static void
chart(struct page *p, const struct op_result *e)
{
    enum { W = 520, LEFT = 14, RIGHT = 22, ROW = 34, TOP = 10 };
    const double plot = W - LEFT - RIGHT;
    struct {
        double v, lo, hi;
        const char *fill;
    } rows[] = {
        {e->estimate, e->ci_low, e->ci_high, "#1d4e89"},
        {e->naive, NAN, NAN, "#942514"},
        {e->naive_filtered, NAN, NAN, "#cc4a2b"},
        {e->naive_posts, NAN, NAN, "#6f777b"},
    };
    int h = TOP + (int)ARRAY_LEN(rows) * ROW + 24;
    html_raw(p, "<svg class=\"tyndau-bars\" aria-hidden=\"true\" focusable=\"false\"");
    html_attr(p, "viewBox", arena_printf(p->r->arena, "0 0 %d %d", W, h));
    html_raw(p, ">\n");
    /* The band for all adults, behind the weighted row. */
    if (isfinite(e->band_low) && isfinite(e->band_high)) {
        html_raw(p, "<rect fill=\"#d2e2f1\" height=\"22\"");
        html_attr(p, "x", arena_printf(p->r->arena, "%.1f", LEFT + plot * e->band_low));
        html_attr(p, "y", arena_printf(p->r->arena, "%d", TOP));
        html_attr(p, "width",
                  arena_printf(p->r->arena, "%.1f", plot * (e->band_high - e->band_low)));
        html_raw(p, "></rect>\n");
    }
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        if (!isfinite(rows[i].v) || rows[i].v < 0)
            continue;
        int y = TOP + (int)i * ROW + 11;
        if (isfinite(rows[i].lo)) {
            html_raw(p, "<line stroke=\"#0b0c0c\" stroke-width=\"2\"");
            html_attr(p, "x1", arena_printf(p->r->arena, "%.1f", LEFT + plot * rows[i].lo));
            html_attr(p, "x2", arena_printf(p->r->arena, "%.1f", LEFT + plot * rows[i].hi));
            html_attr(p, "y1", arena_printf(p->r->arena, "%d", y));
            html_attr(p, "y2", arena_printf(p->r->arena, "%d", y));
            html_raw(p, "></line>\n");
        }
        html_raw(p, "<circle r=\"7\"");
        html_attr(p, "fill", rows[i].fill);
        html_attr(p, "cx", arena_printf(p->r->arena, "%.1f", LEFT + plot * rows[i].v));
        html_attr(p, "cy", arena_printf(p->r->arena, "%d", y));
        html_raw(p, "></circle>\n<text class=\"tyndau-bars__n\"");
        html_attr(p, "x", arena_printf(p->r->arena, "%.1f", LEFT + plot * rows[i].v + 10));
        html_attr(p, "y", arena_printf(p->r->arena, "%d", y - 9));
        html_raw(p, ">");
        html_text(p, pct(p, rows[i].v));
        html_raw(p, "</text>\n");
    }
    int axis = h - 20;
    html_raw(p, "<line stroke=\"#505a5f\" stroke-width=\"1\"");
    html_attr(p, "x1", arena_printf(p->r->arena, "%d", LEFT));
    html_attr(p, "x2", arena_printf(p->r->arena, "%d", W - RIGHT));
    html_attr(p, "y1", arena_printf(p->r->arena, "%d", axis));
    html_attr(p, "y2", arena_printf(p->r->arena, "%d", axis));
    html_raw(p, "></line>\n");
    for (int k = 0; k <= 4; k++) {
        html_raw(p, "<text class=\"tyndau-bars__n\" text-anchor=\"middle\"");
        html_attr(p, "x", arena_printf(p->r->arena, "%.1f", LEFT + plot * k / 4));
        html_attr(p, "y", arena_printf(p->r->arena, "%d", axis + 16));
        html_raw(p, ">");
        html_text(p,
                  page_tf(p, N_("{n}%"), (const char *const[]){"n", page_number(p, 25 * k), NULL}));
        html_raw(p, "</text>\n");
    }
    html_raw(p, "</svg>\n");
}

static void
chart_table(struct page *p, const struct op_result *e)
{
    html_raw(p, "<table class=\"govuk-table tyndau-table-compact\" id=\"table-shares\">"
                "<caption class=\"govuk-table__caption govuk-table__caption--s\">");
    html_t(p, N_("Weighted and unweighted shares"));
    html_raw(p, "</caption>\n<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">"
                "<th scope=\"col\" class=\"govuk-table__header\">");
    html_t(p, N_("Figure"));
    html_raw(p,
             "</th><th scope=\"col\" class=\"govuk-table__header govuk-table__header--numeric\">");
    html_t(p, N_("Share"));
    html_raw(p, "</th><th scope=\"col\" class=\"govuk-table__header\">");
    html_t(p, N_("95% CI or range"));
    html_raw(p, "</th></tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    struct {
        const char *name, *value, *range;
    } rows[] = {
        {N_("Weighted"), pct(p, e->estimate), range(p, e->ci_low, e->ci_high)},
        {N_("Range for all adults"), "", range(p, e->band_low, e->band_high)},
        {N_("Unweighted, every author once"), pct(p, e->naive), ""},
        {N_("Unweighted, likely bots left out"), pct(p, e->naive_filtered), ""},
        {N_("Share of posts"), e->naive_posts >= 0 ? pct(p, e->naive_posts) : "–", ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        html_raw(p,
                 "<tr class=\"govuk-table__row\"><th scope=\"row\" class=\"govuk-table__header\">");
        html_t(p, rows[i].name);
        html_raw(p, "</th><td class=\"govuk-table__cell govuk-table__cell--numeric\">");
        html_text(p, rows[i].value);
        html_raw(p, "</td><td class=\"govuk-table__cell\">");
        html_text(p, rows[i].range);
        html_raw(p, "</td></tr>\n");
    }
    html_raw(p, "</tbody></table>\n");
}

static void
calibration(struct page *p, const struct opinion_fig *x)
{
    const struct op_result *e = x->res;
    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("Calibration tables"));
    html_raw(p, "</h2>\n<dl class=\"govuk-summary-list\" data-testid=\"calibration\">\n");
    const struct calib_table *t[2] = {&x->mt, &x->ct};
    const char *names[2] = {N_("Population"), N_("Channel reach")};
    for (int i = 0; i < 2; i++) {
        char loaded[32];
        tm_format_utc(t[i]->loaded_at, loaded);
        html_summary_row(
            p, page_t(p, names[i]),
            page_tf(p, N_("{name}, version {version}, reference date {date}, loaded {loaded}"),
                    (const char *const[]){"name", t[i]->name, "version",
                                          page_number(p, t[i]->version), "date",
                                          t[i]->ref_date ? t[i]->ref_date : "–", "loaded",
                                          page_datetime(p, t[i]->loaded_at), NULL}));
    }
    html_raw(p, "</dl>\n<details class=\"govuk-details\"><summary class=\"govuk-details__summary\">"
                "<span class=\"govuk-details__summary-text\">");
    html_t(p, N_("Population rows and their sources"));
    html_raw(p, "</span></summary><div class=\"govuk-details__text\">\n"
                "<table class=\"govuk-table tyndau-table-compact\"><caption "
                "class=\"govuk-table__caption govuk-table__caption--s\">");
    html_t(p, N_("The margins the sample is weighted to"));
    html_raw(p, "</caption>\n<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">");
    const char *cols[] = {N_("Variable"), N_("Category"), N_("Population"), N_("Source"),
                          N_("Reference date")};
    for (size_t i = 0; i < ARRAY_LEN(cols); i++) {
        html_raw(p, "<th scope=\"col\" class=\"govuk-table__header\">");
        html_t(p, cols[i]);
        html_raw(p, "</th>");
    }
    html_raw(p, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    for (size_t u = 0; u < e->wt.var_used_count; u++) {
        const struct op_var *v = &x->m->var[e->wt.var_used[u]];
        for (size_t k = 0; k < v->cat_count; k++) {
            const char *cells[] = {
                v->name,
                strcmp(v->name, "region") == 0 ? page_region(p, v->cat[k]) : v->cat[k],
                page_number(p, (int64_t)llround(v->pop[k])),
                v->source && v->source[k] ? v->source[k] : "–",
                v->ref_date && v->ref_date[k] ? v->ref_date[k] : "–",
            };
            html_raw(p, "<tr class=\"govuk-table__row\">");
            for (size_t c = 0; c < ARRAY_LEN(cells); c++) {
                html_raw(p, "<td class=\"govuk-table__cell\">");
                html_text(p, cells[c]);
                html_raw(p, "</td>");
            }
            html_raw(p, "</tr>\n");
        }
    }
    html_raw(p, "</tbody></table>\n</div></details>\n");
}

static void
figures(struct page *p, const struct opinion_fig *x)
{
    const struct op_result *e = x->res;
    const struct opinion_q *q = x->q;
    char from[11], to[11];
    tm_format_date(q->from_day, from);
    tm_format_date(q->to_day, to);
    const char *who =
        page_tf(p, N_("people who post publicly on {channels} about {topic}, {from} to {to}"),
                (const char *const[]){"channels", channels(p, q), "topic", page_topic(p, q->topic),
                                      "from", from, "to", to, NULL});
    const char *population =
        q->region ? page_tf(p,
                            N_("the adults of {region} by sex, age and urban or rural home (the "
                               "national structure scaled to the region's adults)"),
                            (const char *const[]){"region", page_region(p, q->region->kato), NULL})
                  : page_t(p, N_("the adults of Kazakhstan by region, sex, age and urban or rural "
                                 "home"));
    if (x->synthetic) {
        html_raw(p, "<div class=\"govuk-inset-text tyndau-notice\" data-testid=\"synthetic\">");
        html_t(p, N_("These figures come from SYNTHETIC demo records: they describe no real "
                     "people."));
        html_raw(p, "</div>\n");
    }
    html_raw(p, "<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("Figures"));
    html_raw(p, "</h2>\n<dl class=\"govuk-summary-list\" data-testid=\"figures\">\n");
    figure(p, "estimate", page_t(p, N_("Weighted share of stance 1")),
           page_tf(p, N_("{value} (95% CI {low} to {high})"),
                   (const char *const[]){"value", pct(p, e->estimate), "low", pct(p, e->ci_low),
                                         "high", pct(p, e->ci_high), NULL}),
           page_tf(p,
                   N_("Estimates the share of stance 1 among {who}, one stance per author, likely "
                      "bots left out, weighted to {population}. CI by linearisation."),
                   (const char *const[]){"who", who, "population", population, NULL}));
    figure(p, "band", page_t(p, N_("Range for all adults")), range(p, e->band_low, e->band_high),
           page_tf(p,
                   N_("Holds if the {uncovered} of adults that {channels} does not reach differ "
                      "from those it reaches by at most {delta} percentage points: an assumption, "
                      "not an estimate."),
                   (const char *const[]){"uncovered", pct(p, 1 - e->coverage), "channels",
                                         channels(p, q), "delta", num1(p, 100 * e->delta), NULL}));
    figure(p, "coverage", page_t(p, N_("Coverage")), pct(p, e->coverage),
           page_tf(p,
                   N_("The share of adults the channel reaches (reach \"{channel}\" in the "
                      "channel table)."),
                   (const char *const[]){"channel", x->coverage_channel, NULL}));
    figure(p, "naive", page_t(p, N_("Unweighted share")), pct(p, e->naive),
           page_tf(p, N_("The plain share among {who}, every author counted once, no weights."),
                   (const char *const[]){"who", who, NULL}));
    figure(p, "n", page_t(p, N_("Sample size")),
           page_tf(p, N_("n = {n}, n_eff = {neff}"),
                   (const char *const[]){"n", page_number(p, (int64_t)e->n), "neff",
                                         num1(p, e->n_eff), NULL}),
           page_tf(p,
                   N_("{records} records from {authors} authors; n: authors weighted (likely bots "
                      "left out); n_eff: the effective sample size of the weights (Kish); design "
                      "effect {deff}."),
                   (const char *const[]){"records", page_number(p, (int64_t)x->records), "authors",
                                         page_number(p, (int64_t)e->n_rows), "deff",
                                         num1(p, e->deff), NULL}));
    if (e->low_confidence) {
        const char *codes = "";
        for (int k = 0; k < OP_REASON_COUNT; k++)
            if (e->reasons & (1u << k))
                codes = arena_printf(p->r->arena, "%s%s%s", codes, *codes ? ", " : "",
                                     op_reason_name((enum op_reason)(1u << k)));
        figure(p, "low-confidence", page_t(p, N_("Confidence")), page_t(p, N_("Low")),
               page_tf(p, N_("Read these figures with care: {reasons}."),
                       (const char *const[]){"reasons", codes, NULL}));
    }
    html_raw(p, "</dl>\n<h2 class=\"govuk-heading-m\">");
    html_t(p, N_("Weighted and unweighted"));
    html_raw(p,
             "</h2>\n<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-one-half\">\n");
    chart(p, e);
    html_raw(p, "<p class=\"govuk-body-s tyndau-muted\">");
    html_t(p, N_("Dark blue: weighted, with its 95% CI; light blue: the range for all adults; "
                 "red: unweighted; grey: share of posts."));
    html_raw(p, "</p>\n</div><div class=\"govuk-grid-column-one-half\">\n");
    chart_table(p, e);
    html_raw(p, "</div></div>\n");
    calibration(p, x);
}

enum handled
h_opinion_page(struct req *r)
{
    struct opinion_q q;
    struct opinion_fig x;
    struct opinion_fail f = {0};
    bool ok = http_opinion_query(r, true, &q, &f) && http_opinion_compute(r, &q, &x, &f);
    bool bad_input = !ok && f.why == OPW_QUERY;
    struct page p;
    page_init(&p, r, NULL);
    const char *title = page_t(&p, N_("Opinion on social networks"));
    page_begin(&p, bad_input ? page_tf(&p, N_("Error: {title}"),
                                       (const char *const[]){"title", title, NULL})
                             : title);
    html_raw(&p, "<link rel=\"stylesheet\"");
    html_attr(&p, "href", asset_url("dashboard.css"));
    html_raw(&p, ">\n");
    if (bad_input) {
        struct html_error err = {f.field ? f.field : "topic",
                                 page_t(&p, N_("A value in the form is not valid: check the "
                                               "marked field."))};
        html_error_summary(&p, &err, 1);
    }
    html_raw(&p, "<h1 class=\"govuk-heading-l\">");
    html_text(&p, title);
    html_raw(&p, "</h1>\n");
    notice(&p);
    form(&p, r, &f, !ok);
    if (ok) {
        figures(&p, &x);
    } else {
        html_raw(&p, "<p class=\"govuk-body\" data-testid=\"no-figures\">");
        html_text(&p, why_text(&p, &f));
        html_raw(&p, "</p>\n");
    }
    page_end(&p);
    unsigned status = ok || f.why == OPW_NO_TOPIC ? 200 : f.status;
    return page_reply(&p, status);
}
