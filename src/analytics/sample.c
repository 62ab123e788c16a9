/*
 * sample.c - a stance-labelled sample from CSV, and one stance per author.
 * Exports op_sample_parse() and op_collapse().
 */
#include "analytics/opinion.h"

#include <math.h>
#include <string.h>

#include "analytics/csv.h"
#include "analytics/opinion_int.h"
#include "base/buf.h"

enum { COLS_MAX = 256, LABEL_MAX = 1024 };

void
op_collapse(struct arena *a, size_t post_count, const uint32_t *author, const uint8_t *y,
            size_t author_count, uint8_t *y_out, size_t *first_out, uint32_t *posts_out)
{
    uint32_t *ones = ARENA_ARRAY(a, uint32_t, author_count ? author_count : 1);
    for (size_t k = 0; k < author_count; k++) {
        posts_out[k] = 0;
        first_out[k] = SIZE_MAX;
    }
    for (size_t i = 0; i < post_count; i++) {
        uint32_t k = author[i];
        if (first_out[k] == SIZE_MAX)
            first_out[k] = i;
        posts_out[k]++;
        ones[k] += y[i];
        y_out[k] = y[i]; /* the latest post, for a tie */
    }
    for (size_t k = 0; k < author_count; k++) {
        uint64_t twice = 2 * (uint64_t)ones[k];
        if (twice != posts_out[k])
            y_out[k] = twice > posts_out[k];
    }
}

struct cols {
    int y, author, weight, bot;
    int part[OP_VARS_MAX][OP_PARTS_MAX]; /* column of each part of each variable */
};

static int
column(const struct str *h, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (str_cstr_eq(h[i], name))
            return (int)i;
    return -1;
}

static enum err
find_columns(struct arena *a, const struct str *h, size_t nh, const struct op_margins *m,
             struct cols *c, size_t *need, const char **why)
{
    c->y = column(h, nh, "y");
    c->author = column(h, nh, "author");
    c->weight = column(h, nh, "weight");
    c->bot = column(h, nh, "bot");
    if (c->y < 0) {
        *why = "sample: no column y (the 0/1 stance)";
        return ERR_INVALID;
    }
    int top = c->y;
    top = c->author > top ? c->author : top;
    top = c->weight > top ? c->weight : top;
    top = c->bot > top ? c->bot : top;
    for (size_t v = 0; v < m->var_count; v++) {
        for (size_t p = 0; p < m->var[v].part_count; p++) {
            int k = column(h, nh, m->var[v].part[p]);
            if (k < 0) {
                *why = arena_printf(a, "sample: no column %s (the margins weight by it)",
                                    m->var[v].part[p]);
                return ERR_INVALID;
            }
            c->part[v][p] = k;
            top = k > top ? k : top;
        }
    }
    *need = (size_t)top + 1;
    return ERR_OK;
}

static const char *
some_categories(struct arena *a, const struct op_var *var)
{
    struct buf b = BUF_INIT(400);
    for (size_t k = 0; k < var->cat_count && k < 6; k++)
        buf_printf(&b, "%s%s", k ? ", " : "", k == 5 ? "..." : var->cat[k]);
    const char *s = arena_strndup(a, b.p ? b.p : "", b.len);
    buf_fini(&b);
    return s;
}

/* The category of one row in variable v, or an error naming the value. */
static enum err
categorise(struct arena *a, const struct str *f, const struct op_var *var,
           const struct op__index *ix, const int *part, size_t line, uint32_t *out,
           const char **why)
{
    char label[LABEL_MAX];
    struct str k = f[part[0]];
    if (var->part_count > 1) {
        size_t len = 0;
        for (size_t p = 0; p < var->part_count; p++) {
            struct str s = f[part[p]];
            if (len + s.len + 1 >= sizeof(label))
                break;
            if (p)
                label[len++] = ':';
            memcpy(label + len, s.p, s.len);
            len += s.len;
        }
        k = (struct str){label, len};
    }
    *out = op__index_find(ix, k);
    if (*out != OP__NONE)
        return ERR_OK;
    *why = arena_printf(a, "sample line %zu: %s \"%s\" is not a category of the margins (%s)", line,
                        var->name, arena_str(a, k), some_categories(a, var));
    return ERR_INVALID;
}

struct rows {
    size_t n, max;
    uint32_t *cat; /* cat[v * max + i] */
    uint8_t *y;
    double *d, *bot;
    uint32_t *author;
};

static enum err
parse_row(struct arena *a, const struct str *f, size_t nf, size_t need, size_t line,
          const struct op_margins *m, const struct op__index *ix, const struct cols *c,
          struct op__index *authors, struct rows *r, const char **why)
{
    size_t i = r->n;
    if (nf < need) {
        *why = arena_printf(a, "sample line %zu: %zu fields, the header needs %zu", line, nf, need);
        return ERR_INVALID;
    }
    struct str y = f[c->y];
    if (y.len != 1 || (y.p[0] != '0' && y.p[0] != '1')) {
        *why =
            arena_printf(a, "sample line %zu: y must be 0 or 1, not \"%s\"", line, arena_str(a, y));
        return ERR_INVALID;
    }
    r->y[i] = (uint8_t)(y.p[0] - '0');
    for (size_t v = 0; v < m->var_count; v++) {
        enum err e =
            categorise(a, f, &m->var[v], &ix[v], c->part[v], line, &r->cat[v * r->max + i], why);
        if (e)
            return e;
    }
    r->d[i] = 1;
    if (c->weight >= 0 && (str_to_double(f[c->weight], &r->d[i]) || !(r->d[i] > 0))) {
        *why = arena_printf(a, "sample line %zu: weight must be a number > 0, not \"%s\"", line,
                            arena_str(a, f[c->weight]));
        return ERR_INVALID;
    }
    if (c->bot >= 0 &&
        (str_to_double(f[c->bot], &r->bot[i]) || !(r->bot[i] >= 0 && r->bot[i] <= 1))) {
        *why = arena_printf(a, "sample line %zu: bot must be a score in [0, 1], not \"%s\"", line,
                            arena_str(a, f[c->bot]));
        return ERR_INVALID;
    }
    if (c->author >= 0) {
        int added;
        if (f[c->author].len == 0) {
            *why = arena_printf(a, "sample line %zu: empty author", line);
            return ERR_INVALID;
        }
        r->author[i] = op__index_put(authors, f[c->author], &added);
    }
    r->n++;
    return ERR_OK;
}

static size_t
line_bound(struct str in)
{
    size_t n = 1;
    for (size_t i = 0; i < in.len; i++)
        n += in.p[i] == '\n';
    return n;
}

/* Rows were posts: one row per author from its first post. */
static void
collapse_rows(struct arena *a, const struct rows *r, const struct op__index *authors,
              size_t var_count, struct op_sample *s)
{
    size_t na = authors->count;
    s->author = authors->key;
    uint8_t *y = ARENA_ARRAY(a, uint8_t, na);
    size_t *first = ARENA_ARRAY(a, size_t, na);
    uint32_t *posts = ARENA_ARRAY(a, uint32_t, na);
    op_collapse(a, r->n, r->author, r->y, na, y, first, posts);
    s->n = na;
    s->y = y;
    s->cat = ARENA_ARRAY(a, uint32_t, var_count * na);
    s->d = ARENA_ARRAY(a, double, na);
    s->bot = r->bot ? ARENA_ARRAY(a, double, na) : NULL;
    for (size_t k = 0; k < na; k++) {
        for (size_t v = 0; v < var_count; v++)
            s->cat[v * na + k] = r->cat[v * r->max + first[k]];
        s->d[k] = r->d[first[k]];
        if (s->bot)
            s->bot[k] = r->bot[first[k]];
    }
    uint8_t *conflict = ARENA_ARRAY(a, uint8_t, na);
    size_t ones = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t k = r->author[i];
        ones += r->y[i];
        for (size_t v = 0; v < var_count; v++)
            if (r->cat[v * r->max + i] != s->cat[v * na + k])
                conflict[k] = 1;
    }
    for (size_t k = 0; k < na; k++)
        s->conflicts += conflict[k];
    s->post_count = r->n;
    s->naive_posts = (double)ones / (double)r->n;
}

enum err
op_sample_parse(struct arena *a, struct str csv, const struct op_margins *m, struct op_sample *s,
                const char **why)
{
    memset(s, 0, sizeof(*s));
    struct csv c;
    struct str f[COLS_MAX], h[COLS_MAX];
    size_t nf, nh, need = 0;
    struct cols cols;
    csv_init(&c, csv);
    enum err e = csv_next(&c, a, h, COLS_MAX, &nh);
    if (e) {
        *why = arena_printf(a, "sample line %zu: cannot read the header", c.line);
        return e;
    }
    if (nh == 0) {
        *why = "sample: the file is empty";
        return ERR_INVALID;
    }
    if ((e = find_columns(a, h, nh, m, &cols, &need, why)))
        return e;
    size_t max = line_bound(csv);
    if (max > OP_ROWS_MAX + 1) {
        *why = arena_printf(a, "sample: more than %zu rows", OP_ROWS_MAX);
        return ERR_TOOBIG;
    }
    struct op__index ix[OP_VARS_MAX], authors;
    for (size_t v = 0; v < m->var_count; v++) {
        int added;
        op__index_init(&ix[v], a, m->var[v].cat_count);
        for (size_t k = 0; k < m->var[v].cat_count; k++)
            (void)op__index_put(&ix[v], str_from_cstr(m->var[v].cat[k]), &added);
    }
    struct rows r = {.max = max};
    r.cat = ARENA_ARRAY(a, uint32_t, m->var_count * max);
    r.y = ARENA_ARRAY(a, uint8_t, max);
    r.d = ARENA_ARRAY(a, double, max);
    r.bot = cols.bot >= 0 ? ARENA_ARRAY(a, double, max) : NULL;
    if (cols.author >= 0) {
        r.author = ARENA_ARRAY(a, uint32_t, max);
        op__index_init(&authors, a, max);
    }
    for (;;) {
        e = csv_next(&c, a, f, COLS_MAX, &nf);
        if (e) {
            *why = arena_printf(a, "sample line %zu: %s", c.line,
                                e == ERR_TOOBIG ? "too many columns" : "malformed CSV");
            return e;
        }
        if (nf == 0)
            break;
        e = parse_row(a, f, nf, need, c.line, m, ix, &cols, &authors, &r, why);
        if (e)
            return e;
    }
    if (r.n == 0) {
        *why = "sample: no rows (the sample is empty)";
        return ERR_INVALID;
    }
    s->var_count = m->var_count;
    if (cols.author >= 0) {
        collapse_rows(a, &r, &authors, m->var_count, s);
        return ERR_OK;
    }
    /* Rows are authors: pack cat from stride max to stride n. */
    s->n = r.n;
    s->cat = ARENA_ARRAY(a, uint32_t, m->var_count * r.n);
    for (size_t v = 0; v < m->var_count; v++)
        memcpy(&s->cat[v * r.n], &r.cat[v * r.max], r.n * sizeof(uint32_t));
    s->y = r.y;
    s->d = r.d;
    s->bot = r.bot;
    return ERR_OK;
}
