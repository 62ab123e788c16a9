/*
 * page_dashboard.c - GET /dashboard (supervisors: their agency; analysts:
 * every agency or one): the live counters (received today, open, overdue,
 * answered on time, median time to answer), appeals per day over the last
 * APP_STATS_DAYS days, the top topics, a map of the 20 regions shaded by
 * volume or by overdue share (?shade=volume|overdue), and a live feed of new
 * appeals, clusters and bursts. Every chart has its data table beside it:
 * the tables are the page without JavaScript; web/static/dashboard.js draws
 * the day chart with uPlot, re-shades the map in place, fills the feed from
 * GET /api/v1/events and refetches GET /api/v1/stats (at most once a second)
 * as events arrive. The figures come from app_stats(). Exports h_dashboard().
 */
#include "http/html.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/util.h"
#include "http/kzmap.h"

enum { SHADES = 5 };

/* Fill colours by class, 0 (none) to SHADES; dashboard.js reads them from
 * the map's data attributes. */
static const char *const volume_fill[SHADES + 1] = {"#f3f2f1", "#d2e2f1", "#a6c4e0",
                                                    "#6f9fcb", "#3b73ad", "#1d4e89"};
static const char *const overdue_fill[SHADES + 1] = {"#f3f2f1", "#fbe0d4", "#f4b197",
                                                     "#e67c5b", "#cc4a2b", "#942514"};

struct dash {
    struct app_stats st;
    bool overdue;    /* shade the map by overdue share */
    bool any_agency; /* the caller may choose the agency */
    const char *agency_arg, *region_arg;
};

/* x with one decimal, in the page's language ("12.5", "12,5"). */
static const char *
decimal(struct page *p, double x)
{
    char *s = arena_printf(p->r->arena, "%.1f", x);
    if (p->lang != LANG_EN)
        for (char *c = s; *c; c++)
            if (*c == '.')
                *c = ',';
    return s;
}

static const char *
percent(struct page *p, double share)
{
    return page_tf(p, N_("{n}%"),
                   (const char *const[]){"n", page_number(p, (int64_t)lround(100 * share)), NULL});
}

static const char *
share_text(struct page *p, int64_t part, int64_t whole)
{
    return whole > 0 ? percent(p, (double)part / (double)whole) : page_t(p, N_("none open"));
}

static int
volume_class(int64_t v, int64_t max)
{
    if (v <= 0 || max <= 0)
        return 0;
    int k = (int)((SHADES * v + max - 1) / max);
    return k > SHADES ? SHADES : k;
}

static int
overdue_class(int64_t overdue, int64_t open)
{
    if (open <= 0)
        return 0;
    int k = 1 + (int)(SHADES * overdue / open);
    return k > SHADES ? SHADES : k;
}

static void
section_heading(struct page *p, const char *id, const char *msgid)
{
    html_raw(p, "<h2 class=\"govuk-heading-m\"");
    html_attr(p, "id", id);
    html_raw(p, ">");
    html_t(p, msgid);
    html_raw(p, "</h2>\n");
}

static void
counter(struct page *p, const char *key, const char *label, const char *value)
{
    html_raw(p, "<div class=\"tyndau-counter\"><dt class=\"tyndau-counter__label\">");
    html_text(p, label);
    /* Words in place of a number ("no answers yet") take less room. */
    bool words = value[0] < '0' || value[0] > '9';
    html_raw(p, words ? "</dt><dd class=\"tyndau-counter__value tyndau-counter__value--words\""
                      : "</dt><dd class=\"tyndau-counter__value\"");
    html_attr(p, "data-counter", key);
    html_raw(p, ">");
    html_text(p, value);
    html_raw(p, "</dd></div>\n");
}

static void
counters(struct page *p, const struct dash *d)
{
    const struct store_stats *s = &d->st.s;
    html_raw(p, "<dl class=\"tyndau-counters\" data-testid=\"counters\">\n");
    counter(p, "received_today", page_t(p, N_("Received today")),
            page_number(p, s->received_today));
    counter(p, "open", page_t(p, N_("Open")), page_number(p, s->open));
    counter(p, "overdue", page_t(p, N_("Overdue")), page_number(p, s->overdue));
    counter(p, "on_time_share", page_t(p, N_("Answered on time")),
            s->answered ? percent(p, d->st.on_time_share) : page_t(p, N_("no answers yet")));
    counter(p, "median_hours_to_answer", page_t(p, N_("Median time to answer")),
            s->median_answer_hours >= 0
                ? page_tf(p, N_("{n} h"),
                          (const char *const[]){"n", decimal(p, s->median_answer_hours), NULL})
                : page_t(p, N_("no answers yet")));
    html_raw(p, "</dl>\n<p class=\"govuk-body-s tyndau-muted\">");
    html_text(p, page_tf(p,
                         N_("Open: awaiting an answer. On time and median: first answers of the "
                            "last {days} days ({answered} answers)."),
                         (const char *const[]){"days", page_number(p, APP_STATS_DAYS), "answered",
                                               page_number(p, s->answered), NULL}));
    html_raw(p, "</p>\n");
}

/* A long table scrolls in a box that the keyboard can reach and that says
 * what it holds. */
static void
scroll_begin(struct page *p, const char *msgid)
{
    html_raw(p, "<div class=\"tyndau-scroll\" tabindex=\"0\" role=\"region\"");
    html_attr(p, "aria-label", page_t(p, msgid));
    html_raw(p, ">\n");
}

static void
table_begin(struct page *p, const char *id, const char *caption)
{
    html_raw(p, "<table class=\"govuk-table tyndau-table-compact\"");
    html_attr(p, "id", id);
    html_raw(p, "><caption class=\"govuk-table__caption govuk-table__caption--s\">");
    html_text(p, caption);
    html_raw(p, "</caption>\n");
}

static void
th(struct page *p, const char *msgid, bool numeric)
{
    html_raw(p, numeric ? "<th scope=\"col\" class=\"govuk-table__header "
                          "govuk-table__header--numeric\">"
                        : "<th scope=\"col\" class=\"govuk-table__header\">");
    html_t(p, msgid);
    html_raw(p, "</th>");
}

static void
td(struct page *p, const char *text, bool numeric, const char *key)
{
    html_raw(p, numeric ? "<td class=\"govuk-table__cell govuk-table__cell--numeric\""
                        : "<td class=\"govuk-table__cell\"");
    html_attr(p, "data-cell", key);
    html_raw(p, ">");
    html_text(p, text);
    html_raw(p, "</td>");
}

static void
over_time(struct page *p, const struct dash *d)
{
    section_heading(p, "over-time", N_("Appeals over time"));
    html_raw(p, "<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n"
                "<div id=\"chart-days\" class=\"tyndau-chart tyndau-js-only\" hidden "
                "aria-hidden=\"true\"></div>\n</div>\n"
                "<div class=\"govuk-grid-column-one-third\">\n");
    scroll_begin(p, N_("Appeals over time"));
    table_begin(p, "table-days",
                page_tf(p, N_("Appeals received per day, last {days} days"),
                        (const char *const[]){"days", page_number(p, APP_STATS_DAYS), NULL}));
    html_raw(p, "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">");
    th(p, N_("Date"), false);
    th(p, N_("Appeals"), true);
    html_raw(p, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    for (int i = APP_STATS_DAYS - 1; i >= 0; i--) {
        int64_t t = tm_local_time(d->st.first_day + i, 12, 0, 0);
        char iso[11];
        tm_format_date(d->st.first_day + i, iso);
        html_raw(p, "<tr class=\"govuk-table__row\"");
        html_attr(p, "data-day", iso);
        html_attr(p, "data-t",
                  arena_printf(p->r->arena, "%lld",
                               (long long)tm_local_time(d->st.first_day + i, 0, 0, 0)));
        html_attr(p, "data-count",
                  arena_printf(p->r->arena, "%lld", (long long)d->st.s.per_day[i]));
        html_raw(p, ">");
        td(p, page_date(p, t), false, "date");
        td(p, page_number(p, d->st.s.per_day[i]), true, "count");
        html_raw(p, "</tr>\n");
    }
    html_raw(p, "</tbody></table>\n</div></div></div>\n");
}

static void
top_topics(struct page *p, const struct dash *d)
{
    const struct store_stats *s = &d->st.s;
    section_heading(p, "topics", N_("Top topics"));
    html_raw(p, "<div class=\"govuk-grid-row\" id=\"topics-block\"><div "
                "class=\"govuk-grid-column-one-half\">\n");
    int64_t max = s->topics_count ? s->topics[0].count : 0;
    if (!s->topics_count) {
        html_raw(p, "<p class=\"govuk-body\" data-testid=\"topics-empty\">");
        html_t(p, N_("No appeals in the last 30 days."));
        html_raw(p, "</p>\n");
    }
    /* Bars: the table beside says the same, so the drawing is hidden from
     * screen readers. */
    enum { BAR_H = 22, BAR_W = 360 };
    html_raw(p, "<svg class=\"tyndau-bars\" id=\"topics-bars\" aria-hidden=\"true\" "
                "focusable=\"false\"");
    html_attr(p, "viewBox",
              arena_printf(p->r->arena, "0 0 %d %d", BAR_W, (int)s->topics_count * BAR_H + 2));
    html_raw(p, ">\n");
    for (size_t i = 0; i < s->topics_count; i++) {
        int w = max ? (int)(s->topics[i].count * (BAR_W - 40) / max) : 0;
        html_raw(p, "<rect fill=\"#3b73ad\" height=\"16\" x=\"0\"");
        html_attr(p, "y", arena_printf(p->r->arena, "%d", (int)i * BAR_H + 2));
        html_attr(p, "width", arena_printf(p->r->arena, "%d", w > 1 ? w : 1));
        html_raw(p, "></rect><text class=\"tyndau-bars__n\"");
        html_attr(p, "x", arena_printf(p->r->arena, "%d", (w > 1 ? w : 1) + 6));
        html_attr(p, "y", arena_printf(p->r->arena, "%d", (int)i * BAR_H + 15));
        html_raw(p, ">");
        html_text(p, page_number(p, s->topics[i].count));
        html_raw(p, "</text>\n");
    }
    html_raw(p, "</svg>\n</div>\n<div class=\"govuk-grid-column-one-half\">\n");
    table_begin(p, "table-topics",
                page_tf(p, N_("The {n} topics with most appeals, last {days} days"),
                        (const char *const[]){"n", page_number(p, STORE_STATS_TOPICS), "days",
                                              page_number(p, APP_STATS_DAYS), NULL}));
    html_raw(p, "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">");
    th(p, N_("Topic"), false);
    th(p, N_("Appeals"), true);
    html_raw(p, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    for (size_t i = 0; i < s->topics_count; i++) {
        html_raw(p, "<tr class=\"govuk-table__row\"");
        html_attr(p, "data-topic", s->topics[i].topic);
        html_raw(p, ">");
        td(p, page_topic(p, s->topics[i].topic), false, "topic");
        td(p, page_number(p, s->topics[i].count), true, "count");
        html_raw(p, "</tr>\n");
    }
    html_raw(p, "</tbody></table>\n</div></div>\n");
}

static const char *
fills_attr(struct page *p, const char *const fills[SHADES + 1])
{
    const char *s = fills[0];
    for (int k = 1; k <= SHADES; k++)
        s = arena_printf(p->r->arena, "%s,%s", s, fills[k]);
    return s;
}

static const struct stats_region *
region_stats(const struct dash *d, const char *kato)
{
    for (size_t i = 0; i < d->st.regions_count; i++)
        if (strcmp(d->st.regions[i].kato, kato) == 0)
            return &d->st.regions[i];
    return NULL;
}

static void
legend(struct page *p, const struct dash *d, int64_t max)
{
    html_raw(p, "<ul class=\"govuk-list tyndau-legend\" id=\"map-legend\">\n");
    for (int k = 0; k <= SHADES; k++) {
        const char *label;
        if (d->overdue) {
            label =
                k == 0
                    ? page_t(p, N_("none open"))
                    : page_tf(p, N_("{from}–{to}% overdue"),
                              (const char *const[]){
                                  "from", page_number(p, (k - 1) * 100 / SHADES), "to",
                                  page_number(p, k == SHADES ? 100 : k * 100 / SHADES - 1), NULL});
        } else {
            int64_t lo = max * (k - 1) / SHADES + 1, hi = max * k / SHADES;
            if (k > 0 && lo > hi)
                continue;
            label = k == 0     ? page_t(p, N_("no appeals"))
                    : lo == hi ? i18n_fill(p->r->arena,
                                           page_tn(p, N_("{n} appeal"), N_("{n} appeals"), lo),
                                           (const char *const[]){"n", page_number(p, lo), NULL})
                               : page_tf(p, N_("{from}–{to} appeals"),
                                         (const char *const[]){"from", page_number(p, lo), "to",
                                                               page_number(p, hi), NULL});
        }
        html_raw(p, "<li class=\"tyndau-legend__item\"><svg class=\"tyndau-legend__swatch\" "
                    "viewBox=\"0 0 16 16\" aria-hidden=\"true\" focusable=\"false\"><rect "
                    "width=\"16\" height=\"16\" stroke=\"#505a5f\"");
        html_attr(p, "fill", (d->overdue ? overdue_fill : volume_fill)[k]);
        html_raw(p, "></rect></svg> ");
        html_text(p, label);
        html_raw(p, "</li>\n");
    }
    html_raw(p, "</ul>\n");
}

static void
region_map(struct page *p, const struct dash *d)
{
    section_heading(p, "map", N_("Regions"));
    int64_t max = 0;
    for (size_t i = 0; i < d->st.regions_count; i++)
        if (d->st.regions[i].received > max)
            max = d->st.regions[i].received;
    const char *lang = i18n_lang_code(p->lang);
    html_raw(p, "<p class=\"govuk-body\" id=\"map-shade\">");
    html_t(p, N_("Shade the map by:"));
    html_raw(p, " ");
    const char *shades[2] = {"volume", "overdue"};
    const char *shade_label[2] = {page_t(p, N_("appeals received")),
                                  page_t(p, N_("share of open appeals overdue"))};
    for (int i = 0; i < 2; i++) {
        bool on = (i == 1) == d->overdue;
        if (i)
            html_raw(p, " | ");
        html_raw(p, on ? "<a class=\"govuk-link tyndau-shade-link\" aria-current=\"true\""
                       : "<a class=\"govuk-link tyndau-shade-link\"");
        html_attr(p, "data-shade", shades[i]);
        html_attr(p, "href",
                  arena_printf(p->r->arena, "%s#map",
                               page_url(p, "/dashboard",
                                        (const char *const[]){"agency", d->agency_arg, "region",
                                                              d->region_arg, "shade", shades[i],
                                                              "lang", lang, NULL})));
        html_raw(p, ">");
        html_text(p, shade_label[i]);
        html_raw(p, "</a>");
    }
    html_raw(p, "</p>\n<div class=\"govuk-grid-row\"><div class=\"govuk-grid-column-two-thirds\">\n"
                "<figure class=\"tyndau-map\">\n<svg id=\"kz-map\" class=\"tyndau-map__svg\" "
                "role=\"img\" aria-labelledby=\"kz-map-title\"");
    html_attr(p, "viewBox", arena_printf(p->r->arena, "0 0 %d %d", KZMAP_WIDTH, KZMAP_HEIGHT));
    html_attr(p, "data-shade", d->overdue ? "overdue" : "volume");
    html_attr(p, "data-fill-volume", fills_attr(p, volume_fill));
    html_attr(p, "data-fill-overdue", fills_attr(p, overdue_fill));
    html_raw(p, "><title id=\"kz-map-title\">");
    html_text(p, d->overdue ? page_t(p, N_("Map of the regions by share of open appeals overdue"))
                            : page_t(p, N_("Map of the regions by appeals received")));
    html_raw(p, "</title>\n");
    for (size_t i = 0; i < kzmap_count; i++) {
        const struct kzmap_region *m = &kzmap_regions[i];
        const struct stats_region *g = region_stats(d, m->kato);
        int64_t rec = g ? g->received : 0, open = g ? g->open : 0, over = g ? g->overdue : 0;
        int k = d->overdue ? overdue_class(over, open) : volume_class(rec, max);
        html_raw(p, m->city ? "<path class=\"tyndau-map__region tyndau-map__region--city\" "
                              "stroke=\"#0b0c0c\" stroke-width=\"1\""
                            : "<path class=\"tyndau-map__region\" stroke=\"#ffffff\" "
                              "stroke-width=\"0.8\"");
        html_attr(p, "data-kato", m->kato);
        html_attr(p, "data-received", arena_printf(p->r->arena, "%lld", (long long)rec));
        html_attr(p, "data-open", arena_printf(p->r->arena, "%lld", (long long)open));
        html_attr(p, "data-overdue", arena_printf(p->r->arena, "%lld", (long long)over));
        html_attr(p, "fill", (d->overdue ? overdue_fill : volume_fill)[k]);
        html_attr(p, "d", m->d);
        html_raw(p, "><title>");
        html_text(p, page_region(p, m->kato));
        html_raw(p, "</title></path>\n");
    }
    html_raw(p, "</svg>\n<figcaption class=\"govuk-body-s tyndau-muted\">");
    html_t(p, N_("Map: geokz, A. Rodionov, CC BY 4.0."));
    html_raw(p, "</figcaption>\n</figure>\n");
    legend(p, d, max);
    html_raw(p, "</div></div>\n<div class=\"govuk-grid-row\"><div "
                "class=\"govuk-grid-column-full\">\n");
    scroll_begin(p, N_("Regions"));
    table_begin(p, "table-regions",
                page_tf(p,
                        N_("Appeals by region: received in the last {days} days, open and "
                           "overdue now"),
                        (const char *const[]){"days", page_number(p, APP_STATS_DAYS), NULL}));
    html_raw(p, "<thead class=\"govuk-table__head\"><tr class=\"govuk-table__row\">");
    th(p, N_("Region"), false);
    th(p, N_("Received"), true);
    th(p, N_("Open"), true);
    th(p, N_("Overdue"), true);
    th(p, N_("Overdue share"), true);
    html_raw(p, "</tr></thead>\n<tbody class=\"govuk-table__body\">\n");
    for (size_t i = 0; i < d->st.regions_count; i++) {
        const struct stats_region *g = &d->st.regions[i];
        html_raw(p, "<tr class=\"govuk-table__row\"");
        html_attr(p, "data-kato", g->kato);
        html_raw(p, "><th scope=\"row\" class=\"govuk-table__header\">");
        html_text(p, page_region(p, g->kato));
        html_raw(p, "</th>");
        td(p, page_number(p, g->received), true, "received");
        td(p, page_number(p, g->open), true, "open");
        td(p, page_number(p, g->overdue), true, "overdue");
        td(p, share_text(p, g->overdue, g->open), true, "overdue_share");
        html_raw(p, "</tr>\n");
    }
    html_raw(p, "</tbody></table>\n</div></div></div>\n");
}

/* Names the script needs for the feed and the tables it redraws: a JSON
 * object code -> name in the page's language (escaped as an attribute). */
static const char *
names_json(struct page *p, bool topics)
{
    const struct ref_data *ref = app_ref(p->r->app);
    json_t *o = json_object();
    size_t n = topics ? ref->topics_count : ref->regions_count;
    for (size_t i = 0; i < n; i++) {
        const char *code = topics ? ref->topics[i].code : ref->regions[i].kato;
        json_object_set_new(o, code,
                            json_string(topics ? page_topic(p, code) : page_region(p, code)));
    }
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    const char *out = s ? arena_strdup(p->r->arena, s) : "{}";
    free(s);
    return out;
}

static void
feed(struct page *p, const struct dash *d)
{
    html_raw(p, "<div class=\"tyndau-js-only\" hidden>\n");
    section_heading(p, "feed-title", N_("Live feed"));
    html_raw(p, "<p class=\"govuk-body-s tyndau-muted\" id=\"feed-status\">");
    html_t(p, N_("New appeals, growing clusters and bursts appear here as they happen."));
    html_raw(p, "</p>\n<ol class=\"govuk-list tyndau-feed\" id=\"dash-feed\" "
                "aria-live=\"polite\" aria-labelledby=\"feed-title\" data-testid=\"feed\"");
    html_attr(p, "data-t-registered", page_t(p, N_("New appeal {number}: {topic}, {region}")));
    html_attr(p, "data-t-grew",
              page_t(p, N_("Similar appeals: {count} in one cluster, {topic}, {region}")));
    html_attr(p, "data-t-burst",
              page_t(p, N_("Burst: {count} appeals on {topic} in {region} (about {expected} "
                           "expected)")));
    html_attr(p, "data-t-none", page_t(p, N_("no topic")));
    html_attr(p, "data-region", d->st.region);
    html_attr(p, "data-agency", d->st.agency);
    html_raw(p, "></ol>\n</div>\n");
}

static void
filters(struct page *p, const struct dash *d)
{
    html_form_begin(p, "get", "/dashboard");
    html_raw(p, "<div class=\"tyndau-filters\">\n");
    size_t n;
    struct html_option *regions = page_region_options(p, page_t(p, N_("All regions")), &n);
    html_select(p,
                &(struct html_field){
                    .name = "region", .label = page_t(p, N_("Region")), .value = d->region_arg},
                regions, n);
    if (d->any_agency) {
        const struct ref_data *ref = app_ref(p->r->app);
        struct html_option *ag =
            ARENA_ARRAY(p->r->arena, struct html_option, ref->agencies_count + 1);
        ag[0] = (struct html_option){"", page_t(p, N_("All agencies")), NULL};
        for (size_t i = 0; i < ref->agencies_count; i++)
            ag[i + 1] = (struct html_option){ref->agencies[i].code,
                                             page_agency(p, ref->agencies[i].code), NULL};
        html_select(p,
                    &(struct html_field){.name = "agency",
                                         .label = page_t(p, N_("Agency")),
                                         .value = d->agency_arg,
                                         .cls = "tyndau-select-wide"},
                    ag, ref->agencies_count + 1);
    }
    html_raw(p, "<input type=\"hidden\" name=\"shade\"");
    html_attr(p, "value", d->overdue ? "overdue" : "volume");
    html_raw(p, ">\n");
    html_button(p, page_t(p, N_("Show")), true);
    html_raw(p, "</div>\n");
    html_form_end(p);
}

static void
scripts(struct page *p)
{
    html_raw(p, "<link rel=\"stylesheet\"");
    html_attr(p, "href", asset_url("dashboard.css"));
    html_raw(p, ">\n<link rel=\"stylesheet\"");
    html_attr(p, "href", asset_url("uPlot.min.css"));
    html_raw(p, ">\n<script");
    html_attr(p, "src", asset_url("uPlot.iife.min.js"));
    html_raw(p, "></script>\n<script type=\"module\"");
    html_attr(p, "src", asset_url("dashboard.js"));
    html_raw(p, "></script>\n");
}

static enum handled
render(struct req *r, struct dash *d)
{
    struct page p;
    page_init(&p, r, NULL);
    page_begin(&p, page_t(&p, N_("Dashboard")));
    const char *lang = i18n_lang_code(p.lang);
    html_raw(&p, "<span class=\"govuk-caption-l\">");
    const char *scope =
        d->st.agency ? page_agency(&p, d->st.agency) : page_t(&p, N_("All agencies"));
    if (d->st.region)
        scope = arena_printf(r->arena, "%s · %s", scope, page_region(&p, d->st.region));
    html_text(&p, scope);
    html_raw(&p, "</span>\n<h1 class=\"govuk-heading-l\">");
    html_t(&p, N_("Dashboard"));
    html_raw(&p, "</h1>\n");
    filters(&p, d);
    html_raw(&p, "<div id=\"dash\"");
    html_attr(
        &p, "data-stats",
        page_url(&p, "/api/v1/stats",
                 (const char *const[]){"agency", d->st.agency, "region", d->st.region, NULL}));
    html_attr(&p, "data-events",
              page_url(&p, "/api/v1/events", (const char *const[]){"region", d->st.region, NULL}));
    html_attr(&p, "data-lang", lang);
    html_attr(&p, "data-t-percent", page_t(&p, N_("{n}%")));
    html_attr(&p, "data-t-hours", page_t(&p, N_("{n} h")));
    html_attr(&p, "data-t-no-answers", page_t(&p, N_("no answers yet")));
    html_attr(&p, "data-t-none-open", page_t(&p, N_("none open")));
    html_attr(&p, "data-t-appeals", page_t(&p, N_("Appeals")));
    html_attr(&p, "data-topics", names_json(&p, true));
    html_attr(&p, "data-regions", names_json(&p, false));
    html_raw(&p, ">\n");
    counters(&p, d);
    over_time(&p, d);
    top_topics(&p, d);
    region_map(&p, d);
    feed(&p, d);
    html_raw(&p, "</div>\n");
    scripts(&p);
    page_end(&p);
    return page_reply(&p, 200);
}

enum handled
h_dashboard(struct req *r)
{
    struct dash *d = ARENA_NEW(r->arena, struct dash);
    const char *shade = http_query(r, "shade");
    if (shade && *shade && strcmp(shade, "volume") != 0 && strcmp(shade, "overdue") != 0)
        return page_error(r, 400, N_("Check the address"),
                          N_("The map can be shaded by appeals received or by overdue share."));
    d->overdue = shade && strcmp(shade, "overdue") == 0;
    const char *agency = http_query(r, "agency"), *region = http_query(r, "region");
    d->agency_arg = agency && *agency ? arena_strdup(r->arena, agency) : NULL;
    d->region_arg = region && *region ? arena_strdup(r->arena, region) : NULL;
    d->any_agency = r->caller.user.role != ROLE_SUPERVISOR;
    const char *why;
    enum err e =
        app_stats(r->app, r->arena, &r->caller, d->agency_arg, d->region_arg, &d->st, &why);
    if (e == ERR_INVALID)
        return page_error(r, 400, N_("Check the address"),
                          N_("There is no such region or agency: choose one from the lists."));
    if (e == ERR_DENIED)
        return page_error(r, 403, N_("You cannot see these figures"),
                          N_("A supervisor sees the figures of their own agency."));
    if (e)
        return page_error(r, 503, N_("Sorry, something went wrong"),
                          N_("Try again in a few minutes."));
    return render(r, d);
}
