/*
 * classify.c - logistic regression through liblinear. Exports
 * classify_train(), classify_predict(), classify_label_count(),
 * classify_label(), classify_feature_count(), classify_save(),
 * classify_load() and classify_free(); everything else is static.
 *
 * Bytes (little-endian): "TYCL", u32 version (1), u32 classes K, u32
 * features F; K names (u32 length, bytes); F feature ids (u32, distinct,
 * non-zero); (F + 1) * K weights (f32): row r < F belongs to id r, row F is
 * the bias.
 */
#include "pipeline/classify.h"

#include <linear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/ckd.h"
#include "base/util.h"
#include "base/xalloc.h"

#define MAGIC "TYCL"
enum { VERSION = 1 };

struct classifier {
    size_t k;      /* classes */
    char **name;   /* k names */
    size_t f;      /* features */
    uint32_t *id;  /* open addressing: cap slots of feature id (0 empty) ... */
    uint32_t *row; /* ... and its row */
    size_t cap;
    float *w; /* (f + 1) * k: row r at w + r * k, the bias row last */
};

static uint32_t
slot_of(uint32_t id)
{
    id ^= id >> 16;
    id *= 0x7feb352du;
    id ^= id >> 15;
    return id;
}

static size_t
find(const struct classifier *m, uint32_t id)
{
    size_t i = slot_of(id) & (m->cap - 1);
    while (m->id[i] != 0 && m->id[i] != id)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* An empty model of k classes and f features (names and ids still to set). */
static struct classifier *
alloc_model(size_t k, size_t f)
{
    struct classifier *m = xcalloc(1, sizeof(*m));
    m->k = k;
    m->f = f;
    m->name = xcalloc(k, sizeof(*m->name));
    m->cap = 16;
    while (m->cap < f * 2)
        m->cap *= 2;
    m->id = xcalloc(m->cap, sizeof(*m->id));
    m->row = xcalloc(m->cap, sizeof(*m->row));
    m->w = xcalloc((f + 1) * k, sizeof(*m->w));
    return m;
}

/* Put id at row r; false if it is 0 or already there. */
static bool
put_id(struct classifier *m, uint32_t id, uint32_t r)
{
    if (id == 0)
        return false;
    size_t i = find(m, id);
    if (m->id[i] == id)
        return false;
    m->id[i] = id;
    m->row[i] = r;
    return true;
}

void
classify_free(struct classifier *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->k; i++)
        free(m->name[i]);
    free(m->name);
    free(m->id);
    free(m->row);
    free(m->w);
    free(m);
}

size_t
classify_label_count(const struct classifier *m)
{
    return m->k;
}

const char *
classify_label(const struct classifier *m, size_t i)
{
    return i < m->k ? m->name[i] : NULL;
}

size_t
classify_feature_count(const struct classifier *m)
{
    return m->f;
}

size_t
classify_predict(const struct classifier *m, const struct feature *f, size_t n, double *prob)
{
    float score[CLASSIFY_LABELS_MAX];
    const float *bias = m->w + m->f * m->k;
    memcpy(score, bias, m->k * sizeof(float));
    for (size_t j = 0; j < n; j++) {
        size_t i = find(m, f[j].id);
        if (m->id[i] == 0)
            continue;
        const float *w = m->w + (size_t)m->row[i] * m->k;
        float v = f[j].value;
        for (size_t c = 0; c < m->k; c++)
            score[c] += v * w[c];
    }
    size_t best = 0;
    for (size_t c = 1; c < m->k; c++)
        if (score[c] > score[best])
            best = c;
    if (prob) {
        double sum = 0;
        for (size_t c = 0; c < m->k; c++) {
            prob[c] = 1.0 / (1.0 + exp(-(double)score[c]));
            sum += prob[c];
        }
        for (size_t c = 0; c < m->k; c++)
            prob[c] /= sum;
    }
    return best;
}

static void
quiet(const char *s)
{
    (void)s;
}

static int
cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int
cmp_node(const void *a, const void *b)
{
    const struct feature_node *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

static bool
label_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    return n > 0 && n <= CLASSIFY_LABEL_LEN_MAX;
}

/* The distinct feature ids of the samples, sorted, into *ids; their count. */
static size_t
distinct_ids(const struct classify_sample *s, size_t n, uint32_t **ids)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += s[i].count;
    uint32_t *v = xmalloc((total ? total : 1) * sizeof(*v));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s[i].count; j++)
            v[k++] = s[i].f[j].id;
    qsort(v, k, sizeof(*v), cmp_u32);
    size_t u = 0;
    for (size_t i = 0; i < k; i++)
        if (v[i] != 0 && (u == 0 || v[u - 1] != v[i]))
            v[u++] = v[i];
    *ids = v;
    return u;
}

enum err
classify_train(const struct classify_sample *s, size_t n, const char *const *labels,
               size_t label_count, const struct classify_opts *o, struct classifier **out)
{
    if (n > CLASSIFY_SAMPLES_MAX || label_count > CLASSIFY_LABELS_MAX)
        return ERR_TOOBIG;
    bool *seen = xcalloc(label_count ? label_count : 1, sizeof(*seen));
    size_t classes = 0;
    enum err e = ERR_OK;
    for (size_t i = 0; i < n && !e; i++) {
        if (s[i].label >= label_count || !label_ok(labels[s[i].label]))
            e = ERR_INVALID;
        else if (!seen[s[i].label]) {
            seen[s[i].label] = true;
            classes++;
        }
    }
    free(seen);
    if (e)
        return e;
    if (classes < 2)
        return ERR_INVALID;

    uint32_t *ids = NULL;
    size_t f = distinct_ids(s, n, &ids);
    if (f > CLASSIFY_FEATURES_MAX) {
        free(ids);
        return ERR_TOOBIG;
    }
    /* liblinear's indices: 1..f for the features, f + 1 for the bias. */
    struct classifier *m = alloc_model(classes, f);
    for (size_t r = 0; r < f; r++)
        (void)put_id(m, ids[r], (uint32_t)r);
    free(ids);

    size_t nodes = 0;
    for (size_t i = 0; i < n; i++)
        nodes += s[i].count + 2;
    struct feature_node *space = xmalloc(nodes * sizeof(*space));
    struct feature_node **x = xmalloc((n ? n : 1) * sizeof(*x));
    double *y = xmalloc((n ? n : 1) * sizeof(*y));
    struct feature_node *p = space;
    for (size_t i = 0; i < n; i++) {
        x[i] = p;
        y[i] = (double)s[i].label;
        struct feature_node *start = p;
        for (size_t j = 0; j < s[i].count; j++) {
            size_t slot = find(m, s[i].f[j].id);
            if (m->id[slot] == 0)
                continue;
            *p++ = (struct feature_node){(int)m->row[slot] + 1, s[i].f[j].value};
        }
        qsort(start, (size_t)(p - start), sizeof(*p), cmp_node);
        *p++ = (struct feature_node){(int)f + 1, 1.0};
        *p++ = (struct feature_node){-1, 0};
    }
    struct problem prob = {.l = (int)n, .n = (int)f + 1, .y = y, .x = x, .bias = 1.0};
    struct parameter par = {.solver_type = L2R_LR,
                            .eps = o && o->eps > 0 ? o->eps : 0.01,
                            .C = o && o->c > 0 ? o->c : 8.0,
                            .p = 0.1};
    struct model *lm = NULL;
    set_print_string_function(quiet);
    if (check_parameter(&prob, &par)) {
        e = ERR_INVALID;
        goto out;
    }
    lm = train(&prob, &par);
    if (!lm || (size_t)lm->nr_class != classes) {
        e = ERR_INVALID;
        goto out;
    }
    for (size_t c = 0; c < classes; c++)
        m->name[c] = xstrdup(labels[lm->label[c]]);
    /* Two classes: liblinear keeps one column, the score of its first label. */
    size_t cols = classes == 2 ? 1 : classes;
    for (size_t r = 0; r <= f; r++)
        for (size_t c = 0; c < classes; c++) {
            double v = cols == 1 ? (c == 0 ? lm->w[r] : -lm->w[r]) : lm->w[r * cols + c];
            m->w[r * classes + c] = (float)v;
        }
out:
    if (lm)
        free_and_destroy_model(&lm);
    free(space);
    free(x);
    free(y);
    if (e)
        classify_free(m);
    else
        *out = m;
    return e;
}

static void
put_u32(struct buf *b, uint32_t v)
{
    unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    buf_append(b, c, 4);
}

void
classify_save(const struct classifier *m, struct buf *b)
{
    buf_append(b, MAGIC, 4);
    put_u32(b, VERSION);
    put_u32(b, (uint32_t)m->k);
    put_u32(b, (uint32_t)m->f);
    for (size_t c = 0; c < m->k; c++) {
        size_t n = strlen(m->name[c]);
        put_u32(b, (uint32_t)n);
        buf_append(b, m->name[c], n);
    }
    uint32_t *byrow = xcalloc(m->f ? m->f : 1, sizeof(*byrow));
    for (size_t i = 0; i < m->cap; i++)
        if (m->id[i] != 0)
            byrow[m->row[i]] = m->id[i];
    for (size_t r = 0; r < m->f; r++)
        put_u32(b, byrow[r]);
    free(byrow);
    for (size_t i = 0; i < (m->f + 1) * m->k; i++) {
        uint32_t v;
        memcpy(&v, &m->w[i], 4);
        put_u32(b, v);
    }
}

struct reader {
    const unsigned char *p;
    size_t len, pos;
};

static bool
get_u32(struct reader *r, uint32_t *v)
{
    if (r->len - r->pos < 4)
        return false;
    const unsigned char *c = r->p + r->pos;
    *v = (uint32_t)c[0] | (uint32_t)c[1] << 8 | (uint32_t)c[2] << 16 | (uint32_t)c[3] << 24;
    r->pos += 4;
    return true;
}

enum err
classify_load(const void *p, size_t len, size_t *used, struct classifier **out)
{
    struct reader r = {p, len, 0};
    uint32_t version, k, f;
    if (len < 16 || memcmp(p, MAGIC, 4) != 0)
        return ERR_INVALID;
    r.pos = 4;
    if (!get_u32(&r, &version) || version != VERSION || !get_u32(&r, &k) || !get_u32(&r, &f) ||
        k < 2 || k > CLASSIFY_LABELS_MAX || f > CLASSIFY_FEATURES_MAX)
        return ERR_INVALID;
    /* The weights alone need (f + 1) * k * 4 bytes: check before allocating. */
    size_t need;
    if (ckd_mul(&need, ((size_t)f + 1) * k, (size_t)4) || need > len - r.pos)
        return ERR_INVALID;
    struct classifier *m = alloc_model(k, f);
    enum err e = ERR_INVALID;
    for (size_t c = 0; c < k; c++) {
        uint32_t n;
        if (!get_u32(&r, &n) || n == 0 || n > CLASSIFY_LABEL_LEN_MAX || len - r.pos < n)
            goto out;
        m->name[c] = xmalloc((size_t)n + 1);
        memcpy(m->name[c], r.p + r.pos, n);
        m->name[c][n] = '\0';
        if (strlen(m->name[c]) != n)
            goto out;
        r.pos += n;
    }
    for (uint32_t i = 0; i < f; i++) {
        uint32_t id;
        if (!get_u32(&r, &id) || !put_id(m, id, i))
            goto out;
    }
    for (size_t i = 0; i < ((size_t)f + 1) * k; i++) {
        uint32_t v;
        if (!get_u32(&r, &v))
            goto out;
        memcpy(&m->w[i], &v, 4);
        if (!isfinite(m->w[i]))
            goto out;
    }
    e = ERR_OK;
out:
    if (e) {
        classify_free(m);
        return e;
    }
    *used = r.pos;
    *out = m;
    return ERR_OK;
}
