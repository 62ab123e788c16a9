/*
 * margins.c - calibration tables: parse a margins CSV into struct
 * op_margins and reject one whose parts do not add up; channel reach
 * tables likewise. Exports op_margins_parse(), op_margins_check(),
 * op_margins_sourced(), op_channels_parse(), op_channels_sourced() and
 * op_channel_share().
 */
#include "analytics/opinion.h"

#include <math.h>
#include <string.h>

#include "analytics/csv.h"
#include "analytics/opinion_int.h"
#include "base/util.h"

enum { COLS_MAX = 64 };

struct row {
    struct str var, cat, source, ref_date;
    double pop;
    size_t line;
};

static size_t
line_bound(struct str in)
{
    size_t n = 1;
    for (size_t i = 0; i < in.len; i++)
        n += in.p[i] == '\n';
    return n;
}

static int
column(const struct str *h, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (str_cstr_eq(h[i], name))
            return (int)i;
    return -1;
}

/* Split a joint name "sex:age" into v->part; ERR_INVALID for an empty part. */
static enum err
split_parts(struct arena *a, struct op_var *v)
{
    const char *p = v->name;
    v->part_count = 0;
    for (;;) {
        const char *colon = strchr(p, ':');
        size_t len = colon ? (size_t)(colon - p) : strlen(p);
        if (len == 0 || v->part_count == OP_PARTS_MAX)
            return ERR_INVALID;
        v->part[v->part_count++] = arena_strndup(a, p, len);
        if (!colon)
            return ERR_OK;
        p = colon + 1;
    }
}

static size_t
count_colons(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += *s == ':';
    return n;
}

static enum err
read_rows(struct arena *a, struct str csv, struct row *rows, size_t max, size_t *row_count,
          const char **why)
{
    struct csv c;
    struct str f[COLS_MAX], h[COLS_MAX];
    size_t nf, nh;
    csv_init(&c, csv);
    enum err e = csv_next(&c, a, h, COLS_MAX, &nh);
    if (e || nh == 0) {
        *why = nh == 0 && !e ? "margins: the file is empty"
                             : arena_printf(a, "margins: line %zu: cannot read the header", c.line);
        return e ? e : ERR_INVALID;
    }
    int iv = column(h, nh, "variable"), ic = column(h, nh, "category");
    int ip = column(h, nh, "population"), is = column(h, nh, "source");
    int id = column(h, nh, "ref_date");
    if (iv < 0 || ic < 0 || ip < 0) {
        *why = "margins: the header must name variable, category and population";
        return ERR_INVALID;
    }
    size_t need = (size_t)MAX(iv, MAX(ic, ip)) + 1, n = 0;
    for (;;) {
        e = csv_next(&c, a, f, COLS_MAX, &nf);
        if (e) {
            *why = arena_printf(a, "margins: line %zu: %s", c.line,
                                e == ERR_TOOBIG ? "too many columns" : "malformed CSV");
            return e;
        }
        if (nf == 0)
            break;
        if (nf < need) {
            *why = arena_printf(a, "margins: line %zu: %zu fields, the header has %zu", c.line, nf,
                                nh);
            return ERR_INVALID;
        }
        if (n == max)
            return ERR_TOOBIG;
        struct row *r = &rows[n++];
        r->var = f[iv];
        r->cat = f[ic];
        r->source = is >= 0 && (size_t)is < nf ? f[is] : STR_NULL;
        r->ref_date = id >= 0 && (size_t)id < nf ? f[id] : STR_NULL;
        r->line = c.line;
        if (r->var.len == 0 || r->cat.len == 0) {
            *why = arena_printf(a, "margins: line %zu: empty variable or category", c.line);
            return ERR_INVALID;
        }
        if (str_to_double(f[ip], &r->pop) || !(r->pop >= 0)) {
            *why = arena_printf(a, "margins: line %zu: population \"%s\" is not a number >= 0",
                                c.line, arena_str(a, f[ip]));
            return ERR_INVALID;
        }
    }
    *row_count = n;
    return ERR_OK;
}

enum err
op_margins_parse(struct arena *a, struct str csv, struct op_margins *m, const char **why)
{
    memset(m, 0, sizeof(*m));
    size_t max = line_bound(csv), n = 0;
    struct row *rows = ARENA_ARRAY(a, struct row, max);
    enum err e = read_rows(a, csv, rows, max, &n, why);
    if (e)
        return e;
    size_t *of = ARENA_ARRAY(a, size_t, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        struct row *r = &rows[i];
        if (str_cstr_eq(r->var, "_total")) {
            if (m->total_given) {
                *why = arena_printf(a, "margins: line %zu: a second _total row", r->line);
                return ERR_INVALID;
            }
            m->total = r->pop;
            m->total_given = true;
            of[i] = OP_VARS_MAX;
            continue;
        }
        size_t v = 0;
        while (v < m->var_count && !str_cstr_eq(r->var, m->var[v].name))
            v++;
        if (v == m->var_count) {
            if (v == OP_VARS_MAX) {
                *why = arena_printf(a, "margins: more than %d variables", OP_VARS_MAX);
                return ERR_TOOBIG;
            }
            m->var[v].name = arena_str(a, r->var);
            if (split_parts(a, &m->var[v])) {
                *why = arena_printf(a, "margins: line %zu: bad joint variable name \"%s\"", r->line,
                                    m->var[v].name);
                return ERR_INVALID;
            }
            m->var_count++;
        }
        if (m->var[v].cat_count == OP_CATS_MAX) {
            *why = arena_printf(a, "margins: %s has more than %d categories", m->var[v].name,
                                OP_CATS_MAX);
            return ERR_TOOBIG;
        }
        m->var[v].cat_count++;
        of[i] = v;
    }
    if (m->var_count == 0) {
        *why = "margins: no variables";
        return ERR_INVALID;
    }
    for (size_t v = 0; v < m->var_count; v++) {
        struct op_var *var = &m->var[v];
        var->cat = ARENA_ARRAY(a, const char *, var->cat_count);
        var->pop = ARENA_ARRAY(a, double, var->cat_count);
        var->source = ARENA_ARRAY(a, const char *, var->cat_count);
        var->ref_date = ARENA_ARRAY(a, const char *, var->cat_count);
        var->cat_count = 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (of[i] == OP_VARS_MAX)
            continue;
        struct op_var *var = &m->var[of[i]];
        struct row *r = &rows[i];
        const char *cat = arena_str(a, r->cat);
        if (count_colons(cat) + 1 != var->part_count) {
            *why = arena_printf(a, "margins: line %zu: category \"%s\" of %s needs %zu part(s)",
                                r->line, cat, var->name, var->part_count);
            return ERR_INVALID;
        }
        var->cat[var->cat_count] = cat;
        var->pop[var->cat_count] = r->pop;
        var->source[var->cat_count] = r->source.len ? arena_str(a, r->source) : NULL;
        var->ref_date[var->cat_count] = r->ref_date.len ? arena_str(a, r->ref_date) : NULL;
        var->cat_count++;
    }
    return op_margins_check(a, m, why);
}

enum err
op_margins_check(struct arena *a, struct op_margins *m, const char **why)
{
    double first = 0;
    m->max_sum_gap = 0;
    for (size_t v = 0; v < m->var_count; v++) {
        const struct op_var *var = &m->var[v];
        struct op__index ix;
        op__index_init(&ix, a, var->cat_count);
        double sum = 0;
        for (size_t k = 0; k < var->cat_count; k++) {
            int added;
            if (!isfinite(var->pop[k]) || var->pop[k] < 0) {
                *why = arena_printf(a, "margins: %s=%s: population must be a number >= 0",
                                    var->name, var->cat[k]);
                return ERR_UNPROCESSABLE;
            }
            (void)op__index_put(&ix, str_from_cstr(var->cat[k]), &added);
            if (!added) {
                *why = arena_printf(a, "margins: %s=%s appears twice", var->name, var->cat[k]);
                return ERR_UNPROCESSABLE;
            }
            sum += var->pop[k];
        }
        if (v == 0)
            first = sum;
        double total = m->total_given ? m->total : first;
        if (!(total > 0)) {
            *why = m->total_given ? "margins: _total must be greater than 0"
                                  : arena_printf(a, "margins: %s sums to 0", var->name);
            return ERR_UNPROCESSABLE;
        }
        double gap = fabs(sum - total) / total;
        if (gap > OP_SUM_TOL) {
            *why = arena_printf(a,
                                "margins: %s sums to %.17g but %s is %.17g (%.3g%% apart;"
                                " parts must sum to the total within %.1f%%)",
                                var->name, sum, m->total_given ? "the _total row" : m->var[0].name,
                                total, 100 * gap, 100 * OP_SUM_TOL);
            return ERR_UNPROCESSABLE;
        }
        m->max_sum_gap = MAX(m->max_sum_gap, gap);
    }
    if (!m->total_given)
        m->total = first;
    return ERR_OK;
}

enum err
op_channels_parse(struct arena *a, struct str csv, struct op_channels *ch, const char **why)
{
    struct csv c;
    struct str f[COLS_MAX], h[COLS_MAX];
    size_t nf, nh;
    memset(ch, 0, sizeof(*ch));
    csv_init(&c, csv);
    enum err e = csv_next(&c, a, h, COLS_MAX, &nh);
    int in = e ? -1 : column(h, nh, "channel"), ish = e ? -1 : column(h, nh, "share");
    int is = e ? -1 : column(h, nh, "source"), id = e ? -1 : column(h, nh, "ref_date");
    if (in < 0 || ish < 0) {
        *why = "channels: the header must name channel and share";
        return ERR_INVALID;
    }
    size_t need = (size_t)MAX(in, ish) + 1;
    for (;;) {
        if ((e = csv_next(&c, a, f, COLS_MAX, &nf))) {
            *why = arena_printf(a, "channels: line %zu: malformed CSV", c.line);
            return e;
        }
        if (nf == 0)
            break;
        if (nf < need || ch->count == OP_CHANNELS_MAX) {
            *why = arena_printf(a, "channels: line %zu: %s", c.line,
                                nf < need ? "too few fields" : "too many channels");
            return nf < need ? ERR_INVALID : ERR_TOOBIG;
        }
        struct op_channel *x = &ch->ch[ch->count];
        x->name = arena_str(a, f[in]);
        if (str_to_double(f[ish], &x->share) || !(x->share >= 0 && x->share <= 1)) {
            *why = arena_printf(a, "channels: line %zu: share must be in [0, 1]", c.line);
            return ERR_INVALID;
        }
        if (op_channel_share(ch, x->name) >= 0) {
            *why = arena_printf(a, "channels: %s appears twice", x->name);
            return ERR_UNPROCESSABLE;
        }
        x->source = is >= 0 && (size_t)is < nf && f[is].len ? arena_str(a, f[is]) : NULL;
        x->ref_date = id >= 0 && (size_t)id < nf && f[id].len ? arena_str(a, f[id]) : NULL;
        ch->count++;
    }
    double any = op_channel_share(ch, "any"), none = op_channel_share(ch, "none");
    if (any >= 0 && none >= 0 && fabs(any + none - 1) > OP_SUM_TOL) {
        *why = arena_printf(a,
                            "channels: any (%.4g) and none (%.4g) sum to %.4g, not 1 within"
                            " %.1f%%",
                            any, none, any + none, 100 * OP_SUM_TOL);
        return ERR_UNPROCESSABLE;
    }
    return ERR_OK;
}

double
op_channel_share(const struct op_channels *c, const char *name)
{
    for (size_t i = 0; i < c->count; i++)
        if (strcmp(c->ch[i].name, name) == 0)
            return c->ch[i].share;
    return -1;
}

/* A reference date: YYYY, YYYY-MM or YYYY-MM-DD. */
static bool
is_ref_date(const char *d)
{
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10)
        return false;
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : !(d[i] >= '0' && d[i] <= '9'))
            return false;
    }
    return true;
}

/* Checks one row's source and date; keeps the latest date in *latest. */
static const char *
sourced_row(struct arena *a, const char *what, const char *source, const char *ref_date,
            const char **latest)
{
    if (!source || !*source)
        return arena_printf(a, "%s has no source", what);
    if (!ref_date || !is_ref_date(ref_date))
        return arena_printf(a, "%s has no reference date (YYYY, YYYY-MM or YYYY-MM-DD)", what);
    if (!*latest || strcmp(ref_date, *latest) > 0)
        *latest = ref_date;
    return NULL;
}

enum err
op_margins_sourced(struct arena *a, const struct op_margins *m, const char **latest,
                   const char **why)
{
    const char *last = NULL;
    for (size_t v = 0; v < m->var_count; v++) {
        const struct op_var *x = &m->var[v];
        for (size_t k = 0; k < x->cat_count; k++) {
            const char *what = arena_printf(a, "margins: %s=%s", x->name, x->cat[k]);
            *why = sourced_row(a, what, x->source ? x->source[k] : NULL,
                               x->ref_date ? x->ref_date[k] : NULL, &last);
            if (*why)
                return ERR_UNPROCESSABLE;
        }
    }
    if (latest)
        *latest = last;
    return ERR_OK;
}

enum err
op_channels_sourced(struct arena *a, const struct op_channels *c, const char **latest,
                    const char **why)
{
    const char *last = NULL;
    for (size_t i = 0; i < c->count; i++) {
        const char *what = arena_printf(a, "channels: %s", c->ch[i].name);
        *why = sourced_row(a, what, c->ch[i].source, c->ch[i].ref_date, &last);
        if (*why)
            return ERR_UNPROCESSABLE;
    }
    if (latest)
        *latest = last;
    return ERR_OK;
}
