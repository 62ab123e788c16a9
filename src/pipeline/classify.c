/*
 * classify.c - logistic regression through liblinear. Exports
 * classify_train(), classify_predict(), classify_label_count(),
 * classify_label(), classify_feature_count(), classify_save(),
 * classify_load(), classify_bytes_version() and classify_free(); everything
 * else is static.
 *
 * Bytes (little-endian): "TYCL", u32 version (CLASSIFY_VERSION), u32 classes K, u32
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
#include "base/rnd.h"
#include "base/util.h"
#include "base/xalloc.h"

#define MAGIC "TYCL"

/* One entry of the feature table: the id (0: empty) and its row, side by
 * side so that a lookup touches one cache line. */
struct slot {
    uint32_t id;
    uint32_t row;
};

struct classifier {
    size_t k;          /* classes */
    char **name;       /* k names */
    size_t f;          /* features */
    struct slot *slot; /* open addressing, cap slots */
    size_t cap;
    /* One bit per hash of an id (bit_of()), set for every id of the model:
     * many ids a text asks for are not in it (grams of rare words), and
     * a clear bit in this small table says so without a probe of the big
     * one. bits_mask + 1 bits, about 8 per feature. */
    uint64_t *bits;
    size_t bits_mask;
    float *w; /* (f + 1) * k: row r at w + r * k, the bias row last */
    /* What predictions read: row r at q + r * stride, a float scale and k
     * int8 weights, about a quarter of the bytes of w, so that more rows
     * stay in the caches and a row is one or two cache lines. */
    unsigned char *q;
    size_t stride;
    uint64_t stamp; /* random: see classify_stamp() */
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
bit_of(const struct classifier *m, uint32_t id)
{
    return (size_t)((id * 0x9E3779B97F4A7C15ull) >> 32) & m->bits_mask;
}

static bool
maybe_has(const struct classifier *m, uint32_t id)
{
    size_t b = bit_of(m, id);
    return m->bits[b / 64] >> (b % 64) & 1;
}

static size_t
find(const struct classifier *m, uint32_t id)
{
    size_t i = slot_of(id) & (m->cap - 1);
    while (m->slot[i].id != 0 && m->slot[i].id != id)
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
    m->slot = xcalloc(m->cap, sizeof(*m->slot));
    size_t bits = 4096;
    while (bits < f * 8)
        bits *= 2;
    m->bits = xcalloc(bits / 64, sizeof(*m->bits));
    m->bits_mask = bits - 1;
    m->w = xcalloc((f + 1) * k, sizeof(*m->w));
    m->stride = (sizeof(float) + k + 3) & ~(size_t)3;
    m->q = xcalloc(f ? f : 1, m->stride);
    m->stamp = rnd_u64();
    return m;
}

/* Fill q and scale from w: each row to int8 by its largest magnitude. The
 * error of a weight is at most half a step, 1/254 of its row's largest. */
static void
quantise(struct classifier *m)
{
    for (size_t r = 0; r < m->f; r++) {
        const float *w = m->w + r * m->k;
        float max = 0;
        for (size_t c = 0; c < m->k; c++)
            max = fabsf(w[c]) > max ? fabsf(w[c]) : max;
        unsigned char *row = m->q + r * m->stride;
        float scale = max / 127.0f, inv = max > 0 ? 127.0f / max : 0;
        memcpy(row, &scale, sizeof(scale));
        int8_t *q = (int8_t *)(row + sizeof(float));
        for (size_t c = 0; c < m->k; c++)
            q[c] = (int8_t)lrintf(w[c] * inv);
    }
}

/* Put id at row r; false if it is 0 or already there. */
static bool
put_id(struct classifier *m, uint32_t id, uint32_t r)
{
    if (id == 0)
        return false;
    size_t i = find(m, id);
    if (m->slot[i].id == id)
        return false;
    m->slot[i] = (struct slot){id, r};
    size_t b = bit_of(m, id);
    m->bits[b / 64] |= (uint64_t)1 << (b % 64);
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
    free(m->slot);
    free(m->bits);
    free(m->w);
    free(m->q);
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

typedef float v8f __attribute__((vector_size(32)));
typedef int8_t v8b __attribute__((vector_size(8)));

/* score[0..k) += val[j] * scale * q of each row[j] (j < count): the inner
 * loop of a prediction, built for AVX2 too where the CPU has it. */
__attribute__((target_clones("avx2", "default"))) static void
accumulate(float *restrict score, const unsigned char *const *row, const float *val, size_t count,
           size_t k)
{
    for (size_t j = 0; j < count; j++) {
        float scale;
        memcpy(&scale, row[j], sizeof(scale));
        float v = val[j] * scale;
        const int8_t *q = (const int8_t *)(row[j] + sizeof(float));
        size_t c = 0;
        for (; c + 8 <= k; c += 8) {
            v8b b;
            v8f s;
            memcpy(&b, q + c, sizeof(b));
            memcpy(&s, score + c, sizeof(s));
            s += v * __builtin_convertvector(b, v8f);
            memcpy(score + c, &s, sizeof(s));
        }
        for (; c < k; c++)
            score[c] += v * (float)q[c];
    }
}

enum { BLOCK = 32 };

/* score[0..k) += val[j] (1 when val is NULL) times the row of ids[j], for
 * j < n <= BLOCK. The table and the rows are mostly cache misses: pass over
 * the ids whose bit is clear, find the block's slots and ask for its rows
 * first, so that the misses overlap, then add. */
static void
add_block(const struct classifier *m, const uint32_t *ids, const float *val, size_t n, float *score)
{
    const unsigned char *row[BLOCK];
    float v[BLOCK];
    uint32_t maybe[BLOCK]; /* the j whose bit is set */
    size_t row_bytes = m->stride, got = 0, nm = 0;
    for (size_t j = 0; j < n; j++) {
        if (!maybe_has(m, ids[j]))
            continue;
        __builtin_prefetch(&m->slot[slot_of(ids[j]) & (m->cap - 1)]);
        maybe[nm++] = (uint32_t)j;
    }
    for (size_t x = 0; x < nm; x++) {
        size_t j = maybe[x];
        const struct slot *sl = &m->slot[find(m, ids[j])];
        if (sl->id == 0)
            continue;
        const unsigned char *q = m->q + (size_t)sl->row * m->stride;
        for (size_t off = 0; off < row_bytes; off += 64)
            __builtin_prefetch(q + off);
        __builtin_prefetch(q + row_bytes - 1);
        row[got] = q;
        v[got++] = val ? val[j] : 1.0f;
    }
    accumulate(score, row, v, got, m->k);
}

void
classify_sum_rows(const struct classifier *m, const uint32_t *ids, size_t n, float *score)
{
    for (size_t b = 0; b < n; b += BLOCK)
        add_block(m, ids + b, NULL, n - b < BLOCK ? n - b : BLOCK, score);
}

uint64_t
classify_stamp(const struct classifier *m)
{
    return m->stamp;
}

size_t
classify_predict(const struct classifier *m, const struct feature *f, size_t n, double *prob)
{
    float score[CLASSIFY_LABELS_MAX] = {0};
    uint32_t ids[BLOCK];
    float val[BLOCK];
    for (size_t b = 0; b < n; b += BLOCK) {
        size_t e = n - b < BLOCK ? n - b : BLOCK;
        for (size_t j = 0; j < e; j++) {
            ids[j] = f[b + j].id;
            val[j] = f[b + j].value;
        }
        add_block(m, ids, val, e, score);
    }
    return classify_decide(m, score, prob);
}

size_t
classify_decide(const struct classifier *m, float *score, double *prob)
{
    const float *bias = m->w + m->f * m->k;
    for (size_t c = 0; c < m->k; c++)
        score[c] += bias[c];
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

/* The distinct feature ids of the samples that occur in at least min of
 * them, sorted, into *ids; their count. A sample lists an id once. */
static size_t
distinct_ids(const struct classify_sample *s, size_t n, size_t min, uint32_t **ids)
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
    for (size_t i = 0; i < k;) {
        size_t j = i;
        while (j < k && v[j] == v[i])
            j++;
        if (v[i] != 0 && j - i >= min)
            v[u++] = v[i];
        i = j;
    }
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

    size_t min = o && o->min_count > 0 ? o->min_count : n >= CLASSIFY_PRUNE_FROM ? 2 : 1;
    uint32_t *ids = NULL;
    size_t f = distinct_ids(s, n, min, &ids);
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
            const struct slot *sl = &m->slot[find(m, s[i].f[j].id)];
            if (sl->id == 0)
                continue;
            *p++ = (struct feature_node){(int)sl->row + 1, s[i].f[j].value};
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
    quantise(m);
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
    put_u32(b, CLASSIFY_VERSION);
    put_u32(b, (uint32_t)m->k);
    put_u32(b, (uint32_t)m->f);
    for (size_t c = 0; c < m->k; c++) {
        size_t n = strlen(m->name[c]);
        put_u32(b, (uint32_t)n);
        buf_append(b, m->name[c], n);
    }
    uint32_t *byrow = xcalloc(m->f ? m->f : 1, sizeof(*byrow));
    for (size_t i = 0; i < m->cap; i++)
        if (m->slot[i].id != 0)
            byrow[m->slot[i].row] = m->slot[i].id;
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

uint32_t
classify_bytes_version(const void *p, size_t len)
{
    struct reader r = {p, len, 4};
    uint32_t version;
    if (len < 8 || memcmp(p, MAGIC, 4) != 0 || !get_u32(&r, &version))
        return 0;
    return version;
}

enum err
classify_load(const void *p, size_t len, size_t *used, struct classifier **out)
{
    struct reader r = {p, len, 0};
    uint32_t version, k, f;
    if (len < 16 || memcmp(p, MAGIC, 4) != 0)
        return ERR_INVALID;
    r.pos = 4;
    if (!get_u32(&r, &version) || version != CLASSIFY_VERSION || !get_u32(&r, &k) ||
        !get_u32(&r, &f) || k < 2 || k > CLASSIFY_LABELS_MAX || f > CLASSIFY_FEATURES_MAX)
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
    quantise(m);
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
