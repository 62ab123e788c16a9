/*
 * api_opinion.c - GET /api/v1/opinion: the share of a stance among the
 * people who post about a topic, weighted to the adult population, with
 * every figure's estimand in words, n, n_eff, design effect, CI, the
 * selection band and the population coverage it assumes, the weighted and
 * unweighted shares side by side, and the calibration tables (name,
 * version, reference date, every row's source) it rests on. The sample is
 * the store's stance records (opinion_stances); appeals are a separate
 * stream and never counted here, which the answer says.
 *
 *   topic    a topic code (required)
 *   from,to  Almaty calendar days YYYY-MM-DD, both included (default: the
 *            30 days to today); at most OPINION_DAYS_MAX days
 *   sources  comma-separated channels (default: all); each needs a reach
 *            figure in the channel table: the band's coverage comes from it
 *   region   a KATO code: then the sample is that region's and the weights
 *            are the national sex, age and urban/rural shares scaled to the
 *            region's adults (the region's own structure is not published
 *            in the table), which the estimand says
 *
 * The computation is shared with the /opinion page (page_opinion.c):
 * http_opinion_query() reads the query, http_opinion_compute() the figures;
 * each says why it cannot (struct opinion_fail) instead of answering.
 * Exports h_opinion(), http_opinion_query() and http_opinion_compute().
 */
#include "http/http_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/opinion.h"
#include "base/buf.h"
#include "base/tm.h"
#include "base/util.h"

enum {
    OPINION_DAYS_MAX = 366,
    OPINION_DAYS_DEFAULT = 30,
    OPINION_SOURCE_LEN_MAX = 32,
};
#define OPINION_ROWS_MAX ((size_t)1000000) /* stance records read for one answer */
#define MARGINS_TABLE "kz_margins"
#define CHANNELS_TABLE "kz_channels"

/* A query value; with form, an empty one (a blank form field) is absent. */
static const char *
arg(struct req *r, const char *name, bool form)
{
    const char *v = http_query(r, name);
    return form && v && !*v ? NULL : v;
}

static bool
source_ok(const char *s, size_t n)
{
    if (n == 0 || n > OPINION_SOURCE_LEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* Say why in f; false. */
static bool
fail(struct opinion_fail *f, enum opinion_why why, unsigned status, const char *type,
     const char *detail, const char *field)
{
    f->why = why;
    f->status = status;
    f->type = type;
    f->detail = detail;
    f->field = field;
    return false;
}

bool
http_opinion_query(struct req *r, bool form, struct opinion_q *q, struct opinion_fail *f)
{
    memset(q, 0, sizeof(*q));
    q->topic = arg(r, "topic", form);
    if (!q->topic)
        return fail(f, OPW_NO_TOPIC, 400, "invalid-query", "give a topic, e.g. topic=housing",
                    "topic");
    q->topic_ref = app_topic(r->app, q->topic);
    if (!q->topic_ref)
        return fail(f, OPW_QUERY, 400, "invalid-query", "unknown topic (see /api/v1/topics)",
                    "topic");
    int32_t today = tm_local_day(app_now(r->app));
    const char *from = arg(r, "from", form), *to = arg(r, "to", form);
    q->to_day = today;
    if (to && tm_parse_date(str_from_cstr(to), &q->to_day))
        return fail(f, OPW_QUERY, 400, "invalid-query", "to must be a date YYYY-MM-DD", "to");
    q->from_day = q->to_day - (OPINION_DAYS_DEFAULT - 1);
    if (from && tm_parse_date(str_from_cstr(from), &q->from_day))
        return fail(f, OPW_QUERY, 400, "invalid-query", "from must be a date YYYY-MM-DD", "from");
    if (q->from_day > q->to_day)
        return fail(f, OPW_QUERY, 400, "invalid-query", "from must not be after to", "from");
    if (q->to_day - q->from_day + 1 > OPINION_DAYS_MAX)
        return fail(f, OPW_QUERY, 400, "invalid-query", "the period is at most 366 days", "from");
    const char *src = arg(r, "sources", form);
    if (src) {
        struct buf b = BUF_INIT(1024);
        buf_putc(&b, ',');
        const char *p = src;
        for (;;) {
            size_t n = strcspn(p, ",");
            if (!source_ok(p, n) || q->sources_count == OPINION_SOURCES_MAX) {
                buf_fini(&b);
                return fail(f, OPW_QUERY, 400, "invalid-query",
                            "sources is a comma-separated list of up to 8 channel names"
                            " (a-z, 0-9, _), e.g. sources=vk,ok",
                            "sources");
            }
            q->sources[q->sources_count++] = arena_strndup(r->arena, p, n);
            buf_append(&b, p, n);
            buf_putc(&b, ',');
            if (!p[n])
                break;
            p += n + 1;
        }
        q->sources_csv = arena_strndup(r->arena, b.p, b.len);
        buf_fini(&b);
    }
    const char *region = arg(r, "region", form);
    if (region) {
        q->region = app_region(r->app, region);
        if (!q->region)
            return fail(f, OPW_QUERY, 400, "invalid-query",
                        "unknown region (a KATO code, see /api/v1/regions)", "region");
    }
    return true;
}

/* The latest version of both tables, parsed. */
static bool
load_tables(struct req *r, struct opinion_fig *x, struct op_margins *m, struct op_channels *ch,
            struct opinion_fail *f)
{
    struct store *s = app_store(r->app);
    const char *why = NULL;
    enum err e = store_calibration_get(s, r->arena, MARGINS_TABLE, 0, &x->mt);
    if (!e)
        e = store_calibration_get(s, r->arena, CHANNELS_TABLE, 0, &x->ct);
    if (e == ERR_NOTFOUND)
        return fail(f, OPW_NO_TABLES, 503, "unavailable",
                    "no calibration table " MARGINS_TABLE " or " CHANNELS_TABLE
                    " in the store (tyndau calibration load)",
                    NULL);
    if (e)
        return fail(f, OPW_STORE, 503, "unavailable", "the store does not answer", NULL);
    if (op_margins_parse(r->arena, (struct str){x->mt.body, x->mt.body_len}, m, &why) ||
        op_channels_parse(r->arena, (struct str){x->ct.body, x->ct.body_len}, ch, &why))
        return fail(f, OPW_BAD_TABLE, 500, "internal", "a stored calibration table does not parse",
                    NULL);
    return true;
}

static int
var_index(const struct op_margins *m, const char *name)
{
    for (size_t v = 0; v < m->var_count; v++)
        if (strcmp(m->var[v].name, name) == 0)
            return (int)v;
    return -1;
}

static int
cat_index(const struct op_var *v, const char *label)
{
    for (size_t k = 0; k < v->cat_count; k++)
        if (strcmp(v->cat[k], label) == 0)
            return (int)k;
    return -1;
}

/* For a region: the margins without the region variable, every other
 * variable scaled from the national total to the region's adults (in a). */
static bool
region_margins(struct arena *a, const struct op_margins *m, const char *kato,
               struct op_margins *out)
{
    int rv = var_index(m, "region");
    int k = rv < 0 ? -1 : cat_index(&m->var[rv], kato);
    if (k < 0)
        return false;
    double pop = m->var[rv].pop[k], f = pop / m->total;
    *out = (struct op_margins){.total = pop, .total_given = true};
    for (size_t v = 0; v < m->var_count; v++) {
        if ((int)v == rv || m->var[v].part_count != 1)
            continue;
        out->var[out->var_count] = m->var[v];
        double *p = ARENA_ARRAY(a, double, m->var[v].cat_count);
        for (size_t c = 0; c < m->var[v].cat_count; c++)
            p[c] = m->var[v].pop[c] * f;
        out->var[out->var_count++].pop = p;
    }
    return out->var_count > 0;
}

struct keyed {
    const char *key;
    size_t i;
};

static int
cmp_keyed(const void *pa, const void *pb)
{
    const struct keyed *x = pa, *y = pb;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* Number the authors (source and hash) of rows 0..: author[i], in order of
 * their keys; returns how many there are. */
static size_t
number_authors(struct arena *a, const struct stance_row *rows, size_t count, uint32_t *author)
{
    struct keyed *k = ARENA_ARRAY(a, struct keyed, count);
    for (size_t i = 0; i < count; i++)
        k[i] = (struct keyed){arena_printf(a, "%s\x1f%s", rows[i].source, rows[i].author_hash), i};
    qsort(k, count, sizeof(*k), cmp_keyed);
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        if (i > 0 && strcmp(k[i].key, k[i - 1].key) != 0)
            n++;
        author[k[i].i] = (uint32_t)n;
    }
    return count ? n + 1 : 0;
}

/* The sample: records collapsed to one stance per author (source and hash),
 * categories from the author's first record. On failure *why says which
 * record does not fit the margins. */
static bool
build_sample(struct arena *a, const struct stance_row *rows, size_t count,
             const struct op_margins *m, struct op_sample *s, bool *synthetic, const char **why)
{
    size_t nv = m->var_count;
    uint32_t *author = ARENA_ARRAY(a, uint32_t, count);
    uint8_t *y = ARENA_ARRAY(a, uint8_t, count);
    size_t *first = ARENA_ARRAY(a, size_t, count);
    size_t posts1 = 0;
    *synthetic = false;
    for (size_t i = 0; i < count; i++) {
        y[i] = (uint8_t)(rows[i].stance != 0);
        posts1 += y[i];
        *synthetic = *synthetic || rows[i].synthetic;
    }
    size_t n = number_authors(a, rows, count, author);
    uint32_t *posts = ARENA_ARRAY(a, uint32_t, n);
    *s = (struct op_sample){.n = n, .var_count = nv, .post_count = count};
    s->cat = ARENA_ARRAY(a, uint32_t, nv * n);
    s->y = ARENA_ARRAY(a, uint8_t, n);
    s->d = ARENA_ARRAY(a, double, n);
    s->bot = ARENA_ARRAY(a, double, n);
    s->naive_posts = (double)posts1 / (double)count;
    op_collapse(a, count, author, y, n, s->y, first, posts);
    for (size_t k = 0; k < n; k++) {
        const struct stance_row *x = &rows[first[k]];
        s->d[k] = 1;
        s->bot[k] = x->bot >= 0 ? x->bot : 0;
        for (size_t v = 0; v < nv; v++) {
            const struct op_var *var = &m->var[v];
            const char *label = strcmp(var->name, "region") == 0  ? x->region
                                : strcmp(var->name, "sex") == 0   ? x->sex
                                : strcmp(var->name, "age") == 0   ? x->age
                                : strcmp(var->name, "urban") == 0 ? x->urban
                                                                  : NULL;
            int c = label ? cat_index(var, label) : -1;
            if (c < 0) {
                *why = label ? arena_printf(a,
                                            "stance record %lld has %s \"%s\", which the"
                                            " calibration table does not have",
                                            (long long)x->id, var->name, label)
                             : arena_printf(a,
                                            "the calibration table weights by %s, which stance"
                                            " records do not carry",
                                            var->name);
                return false;
            }
            s->cat[v * n + k] = (uint32_t)c;
        }
    }
    return true;
}

/* ---- the answer ---- */

static void
jnum(struct buf *b, const char *key, double x)
{
    if (isfinite(x))
        buf_printf(b, "\"%s\":%.10g,", key, x);
    else
        buf_printf(b, "\"%s\":null,", key);
}

static void
jstr(struct buf *b, const char *key, const char *v)
{
    buf_printf(b, "\"%s\":", key);
    if (v)
        buf_append_json_str(b, v, strlen(v));
    else
        buf_puts(b, "null");
    buf_putc(b, ',');
}

static void
end_obj(struct buf *b, const char *close)
{
    if (b->len && b->p[b->len - 1] == ',')
        b->len--;
    buf_puts(b, close);
}

/* "VK, OK or Facebook", or "any social network" when no sources are named. */
static const char *
channels_in_words(struct arena *a, const struct opinion_q *q)
{
    if (!q->sources_count)
        return "any social network";
    const char *w = "";
    for (size_t i = 0; i < q->sources_count; i++) {
        const char *s = q->sources[i];
        const char *name = strcmp(s, "vk") == 0         ? "VK"
                           : strcmp(s, "ok") == 0       ? "Odnoklassniki"
                           : strcmp(s, "facebook") == 0 ? "Facebook"
                                                        : s;
        const char *sep = i == 0 ? "" : i + 1 == q->sources_count ? " or " : ", ";
        w = arena_printf(a, "%s%s%s", w, sep, name);
    }
    return w;
}

static void
margins_rows(struct buf *b, const struct op_margins *m, const struct op_weights *wt)
{
    buf_puts(b, "\"rows\":[");
    for (size_t u = 0; u < wt->var_used_count; u++) {
        const struct op_var *v = &m->var[wt->var_used[u]];
        for (size_t k = 0; k < v->cat_count; k++) {
            buf_putc(b, '{');
            jstr(b, "variable", v->name);
            jstr(b, "category", v->cat[k]);
            jnum(b, "population", v->pop[k]);
            jstr(b, "source", v->source ? v->source[k] : NULL);
            jstr(b, "ref_date", v->ref_date ? v->ref_date[k] : NULL);
            end_obj(b, "},");
        }
    }
    end_obj(b, "],");
}

static void
table_json(struct buf *b, const char *key, const struct calib_table *t)
{
    buf_printf(b, "\"%s\":{", key);
    jstr(b, "name", t->name);
    buf_printf(b, "\"version\":%lld,", (long long)t->version);
    jstr(b, "ref_date", t->ref_date);
    char when[32];
    tm_format_utc(t->loaded_at, when);
    jstr(b, "loaded_at", when);
}

static char *
answer_json(struct req *r, const struct opinion_fig *x, size_t *len)
{
    const struct op_result *e = x->res;
    struct arena *a = r->arena;
    char from[11], to[11];
    tm_format_date(x->q->from_day, from);
    tm_format_date(x->q->to_day, to);
    const char *who =
        arena_printf(a, "people who post publicly on %s about %s (%s), %s to %s",
                     channels_in_words(a, x->q), x->q->topic_ref->name_en, x->q->topic, from, to);
    const char *weighted_to =
        x->q->region ? arena_printf(a,
                                    "adults of %s, by sex, age and urban/rural (the national"
                                    " structure scaled to the region's adults)",
                                    x->q->region->name_en)
                     : "adults of Kazakhstan by region, sex, age and urban/rural";
    struct buf b = BUF_INIT((size_t)1 << 22);
    buf_putc(&b, '{');
    jstr(&b, "topic", x->q->topic);
    jstr(&b, "from", from);
    jstr(&b, "to", to);
    buf_puts(&b, "\"sources\":");
    if (x->q->sources_count) {
        buf_putc(&b, '[');
        for (size_t i = 0; i < x->q->sources_count; i++) {
            buf_append_json_str(&b, x->q->sources[i], strlen(x->q->sources[i]));
            buf_putc(&b, ',');
        }
        end_obj(&b, "],");
    } else {
        buf_puts(&b, "\"all\",");
    }
    jstr(&b, "region", x->q->region ? x->q->region->kato : NULL);
    jstr(&b, "estimand",
         arena_printf(a, "the share of stance 1 among %s, weighted to %s", who, weighted_to));

    buf_puts(&b, "\"estimate\":{");
    jnum(&b, "value", e->estimate);
    jnum(&b, "se", e->se);
    jnum(&b, "ci_low", e->ci_low);
    jnum(&b, "ci_high", e->ci_high);
    jnum(&b, "level", 0.95);
    jstr(&b, "method", op_method_name(e->wt.method));
    jstr(&b, "in_words",
         arena_printf(a,
                      "%s, one stance per author, likely bots excluded, weighted to %s; 95%%"
                      " CI by linearisation (as R's survey package)",
                      who, weighted_to));
    end_obj(&b, "},");

    buf_puts(&b, "\"unweighted\":{");
    jnum(&b, "value", e->naive);
    jnum(&b, "bot_filtered", e->naive_filtered);
    jnum(&b, "posts", e->naive_posts);
    jstr(&b, "in_words",
         arena_printf(a,
                      "value: the plain share of authors (%s), every author counted once;"
                      " bot_filtered: the same without likely bots; posts: the share of"
                      " records, each post counted",
                      who));
    end_obj(&b, "},");
    buf_puts(&b, "\"side_by_side\":{");
    jnum(&b, "weighted", e->estimate);
    jnum(&b, "unweighted", e->naive);
    jnum(&b, "difference", e->estimate - e->naive);
    end_obj(&b, "},");

    buf_printf(&b, "\"records\":%zu,\"n_authors\":%zu,\"n\":%zu,\"n_bots\":%zu,", x->records,
               e->n_rows, e->n, e->n_bots);
    jnum(&b, "n_eff", e->n_eff);
    jnum(&b, "deff", e->deff);
    jnum(&b, "deff_kish", e->deff_kish);
    buf_puts(&b, "\"counts_in_words\":\"records: stance-labelled posts; n_authors: distinct"
                 " authors; n: authors weighted (likely bots excluded); n_eff: Kish's"
                 " effective sample size of the weights\",");
    buf_puts(&b, "\"weights\":{");
    jnum(&b, "min", e->w_min);
    jnum(&b, "max", e->w_max);
    jnum(&b, "cv", e->w_cv);
    buf_printf(&b, "\"iterations\":%d,\"converged\":%s,", e->wt.iterations,
               e->wt.converged ? "true" : "false");
    jnum(&b, "margin_tv", e->wt.margin_tv);
    end_obj(&b, "},");

    jnum(&b, "population_coverage", e->coverage);
    buf_puts(&b, "\"band\":{");
    jnum(&b, "low", e->band_low);
    jnum(&b, "high", e->band_high);
    jnum(&b, "coverage", e->coverage);
    jstr(&b, "coverage_channel", x->coverage_channel);
    jnum(&b, "delta", e->delta);
    jstr(&b, "in_words",
         arena_printf(a,
                      "all adults, if the %.1f%% of adults %s does not reach (channel"
                      " reach \"%s\" in %s version %lld) differ from those it reaches by at most"
                      " %.0f percentage points: an assumption, not an estimate",
                      100 * (1 - e->coverage), channels_in_words(a, x->q), x->coverage_channel,
                      x->ct.name, (long long)x->ct.version, 100 * e->delta));
    end_obj(&b, "},");
    jnum(&b, "bot_effect", e->bot_effect);
    buf_printf(&b, "\"low_confidence\":%s,\"reasons\":[", e->low_confidence ? "true" : "false");
    for (int k = 0; k < OP_REASON_COUNT; k++)
        if (e->reasons & (1u << k))
            buf_printf(&b, "\"%s\",", op_reason_name((enum op_reason)(1u << k)));
    end_obj(&b, "],");

    buf_puts(&b, "\"calibration\":{");
    table_json(&b, "margins", &x->mt);
    margins_rows(&b, x->m, &e->wt);
    end_obj(&b, "},");
    table_json(&b, "channels", &x->ct);
    jnum(&b, "coverage", e->coverage);
    jstr(&b, "channel", x->coverage_channel);
    end_obj(&b, "},");
    end_obj(&b, "},");

    buf_printf(&b, "\"synthetic\":%s,", x->synthetic ? "true" : "false");
    if (x->synthetic)
        buf_puts(&b, "\"synthetic_note\":\"the sample holds SYNTHETIC demo records (tyndau"
                     " opinion demo-sample): the figures describe no real people\",");
    buf_puts(&b, "\"appeals\":\"not included: appeals are a separate stream; their counts"
                 " describe demand on agencies, not opinion\"");
    buf_putc(&b, '}');
    if (buf_failed(&b)) {
        buf_fini(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}

/* The band's coverage: the largest reach among the named channels (a lower
 * bound on the reach of them together, so the band errs wide), or "any". */
static bool
coverage_of(struct req *r, const struct opinion_q *q, const struct op_channels *ch,
            double *coverage, const char **channel, struct opinion_fail *f)
{
    if (!q->sources_count) {
        *channel = "any";
        *coverage = op_channel_share(ch, "any");
    } else {
        *coverage = -1;
        for (size_t i = 0; i < q->sources_count; i++) {
            double c = op_channel_share(ch, q->sources[i]);
            if (!(c > 0)) {
                f->source = q->sources[i];
                return fail(f, OPW_NO_REACH, 422, "invalid-value",
                            arena_printf(r->arena,
                                         "source %s has no reach figure in the channel table,"
                                         " so the band cannot be drawn",
                                         q->sources[i]),
                            "sources");
            }
            if (c > *coverage) {
                *coverage = c;
                *channel = q->sources[i];
            }
        }
    }
    if (!(*coverage > 0))
        return fail(f, OPW_BAD_TABLE, 503, "unavailable",
                    "the channel table has no reach for \"any\"", NULL);
    return true;
}

bool
http_opinion_compute(struct req *r, const struct opinion_q *q, struct opinion_fig *x,
                     struct opinion_fail *f)
{
    memset(x, 0, sizeof(*x));
    x->q = q;
    struct op_margins *national = ARENA_NEW(r->arena, struct op_margins), *m = national;
    struct op_channels ch;
    if (!load_tables(r, x, national, &ch, f))
        return false;
    struct op_opts o;
    op_opts_default(&o);
    if (!coverage_of(r, q, &ch, &o.coverage, &x->coverage_channel, f))
        return false;
    if (q->region) {
        m = ARENA_NEW(r->arena, struct op_margins);
        if (!region_margins(r->arena, national, q->region->kato, m))
            return fail(f, OPW_REGION, 422, "invalid-value",
                        "the calibration table has no population for this region", "region");
    }
    struct stance_query sq = {
        .topic = q->topic,
        .from = tm_local_time(q->from_day, 0, 0, 0),
        .to = tm_local_time(q->to_day + 1, 0, 0, 0),
        .sources = q->sources_csv,
        .region = q->region ? q->region->kato : NULL,
        .limit = OPINION_ROWS_MAX,
    };
    struct stance_row *rows;
    size_t count;
    const char *why = NULL;
    struct op_sample s;
    enum err e = store_stance_list(app_store(r->app), r->arena, &sq, &rows, &count);
    if (e == ERR_TOOBIG)
        return fail(f, OPW_TOO_MANY, 422, "invalid-value",
                    "more than 1,000,000 stance records match: narrow the period, sources"
                    " or region",
                    "from");
    if (e)
        return fail(f, OPW_STORE, 503, "unavailable", "the store does not answer", NULL);
    if (count == 0)
        return fail(f, OPW_NO_RECORDS, 422, "invalid-value",
                    "no stance records for this topic, period, sources and region", "topic");
    if (!build_sample(r->arena, rows, count, m, &s, &x->synthetic, &why))
        return fail(f, OPW_SAMPLE, 422, "invalid-value", why, NULL);
    struct op_result *res = ARENA_NEW(r->arena, struct op_result);
    e = op_estimate(r->arena, &s, m, &o, res, &why);
    if (e)
        return fail(f, OPW_WEIGHTS, 422, "invalid-value",
                    arena_printf(r->arena, "the sample cannot be weighted: %s", why), NULL);
    x->res = res;
    x->m = m;
    x->records = count;
    return true;
}

enum handled
h_opinion(struct req *r)
{
    struct opinion_q q;
    struct opinion_fig x;
    struct opinion_fail f = {0};
    if (!http_opinion_query(r, false, &q, &f) || !http_opinion_compute(r, &q, &x, &f))
        return http_problem(r, f.status, f.type, f.detail, f.field);
    size_t len;
    char *body = answer_json(r, &x, &len);
    return body ? http_reply(r, 200, "application/json", body, len)
                : http_problem(r, 500, "internal", "cannot encode the response", NULL);
}
