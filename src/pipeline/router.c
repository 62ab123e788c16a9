/*
 * router.c - keyword rules, the model and the routing table, in that order.
 * Exports what router.h lists; everything else is static.
 *
 * Model bytes: "TYRM", u32 version (1), u32 1 if an agency classifier
 * follows, then the topic classifier's bytes (classify_save()) and the
 * agency classifier's.
 */
#include "pipeline/router.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "pipeline/features.h"
#include "text/lang.h"
#include "text/normalise.h"
#include "text/token.h"
#include "text/translit.h"

#define MODEL_MAGIC "TYRM"
enum { MODEL_VERSION = 1, IDLE_MAX = 64 };
#define THRESHOLD_DEFAULT 0.4

struct router_model {
    atomic_int refs;
    struct classifier *topic;
    struct classifier *agency; /* may be NULL */
    int64_t version;
    int64_t agency_version;
};

struct router_model *
router_model_new(struct classifier *topic, struct classifier *agency, int64_t version)
{
    struct router_model *m = xcalloc(1, sizeof(*m));
    atomic_init(&m->refs, 1);
    m->topic = topic;
    m->agency = agency;
    m->version = version;
    return m;
}

struct router_model *
router_model_ref(struct router_model *m)
{
    atomic_fetch_add(&m->refs, 1);
    return m;
}

struct router_model *
router_model_unref(struct router_model *m)
{
    if (m && atomic_fetch_sub(&m->refs, 1) == 1) {
        classify_free(m->topic);
        classify_free(m->agency);
        free(m);
    }
    return NULL;
}

int64_t
router_model_version(const struct router_model *m)
{
    return m->version;
}

void
router_model_set_agency_version(struct router_model *m, int64_t version)
{
    m->agency_version = version;
}

const struct classifier *
router_model_topic(const struct router_model *m)
{
    return m->topic;
}

const struct classifier *
router_model_agency(const struct router_model *m)
{
    return m->agency;
}

void
router_model_save(const struct router_model *m, struct buf *b)
{
    unsigned char head[12] = {'T', 'Y', 'R', 'M', MODEL_VERSION, 0, 0, 0, m->agency != NULL,
                              0,   0,   0};
    buf_append(b, head, sizeof(head));
    classify_save(m->topic, b);
    if (m->agency)
        classify_save(m->agency, b);
}

enum err
router_model_load(const void *p, size_t len, int64_t version, struct router_model **out)
{
    const unsigned char *c = p;
    static const unsigned char v1[8] = {MODEL_VERSION, 0, 0, 0};
    if (len < 12 || memcmp(c, MODEL_MAGIC, 4) != 0 || memcmp(c + 4, v1, 4) != 0 ||
        (c[8] != 0 && c[8] != 1) || c[9] || c[10] || c[11])
        return ERR_INVALID;
    bool has_agency = c[8] == 1;
    size_t pos = 12, used = 0;
    struct classifier *topic = NULL, *agency = NULL;
    enum err e = classify_load(c + pos, len - pos, &used, &topic);
    if (e)
        return e;
    pos += used;
    if (has_agency) {
        e = classify_load(c + pos, len - pos, &used, &agency);
        if (e) {
            classify_free(topic);
            return e;
        }
        pos += used;
    }
    if (pos != len) {
        classify_free(topic);
        classify_free(agency);
        return ERR_INVALID;
    }
    *out = router_model_new(topic, agency, version);
    return ERR_OK;
}

/* The rules and the table, immutable once made; replaced whole. */
struct rule {
    char **word; /* the keyword's words, folded */
    size_t word_count;
    char *region, *topic, *agency; /* region, agency may be NULL */
};
struct route {
    char *topic, *region, *agency;
};
struct rules {
    atomic_int refs;
    struct rule *rule;
    size_t rule_count;
    struct route *route;
    size_t route_count;
};

static char *
dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

static void
rules_unref(struct rules *rs)
{
    if (!rs || atomic_fetch_sub(&rs->refs, 1) != 1)
        return;
    for (size_t i = 0; i < rs->rule_count; i++) {
        for (size_t k = 0; k < rs->rule[i].word_count; k++)
            free(rs->rule[i].word[k]);
        free(rs->rule[i].word);
        free(rs->rule[i].region);
        free(rs->rule[i].topic);
        free(rs->rule[i].agency);
    }
    for (size_t i = 0; i < rs->route_count; i++) {
        free(rs->route[i].topic);
        free(rs->route[i].region);
        free(rs->route[i].agency);
    }
    free(rs->rule);
    free(rs->route);
    free(rs);
}

/* What one thread needs to route a text, kept between texts for its
 * caches: a feature extractor and a memo of language scores. */
struct worker {
    struct features *fx;
    struct lang_memo *memo;
};

struct router {
    struct lang_model *lm; /* read-only once made */
    double threshold;
    pthread_mutex_t mu;
    struct router_model *model;   /* guarded by mu */
    struct rules *rules;          /* guarded by mu */
    struct worker idle[IDLE_MAX]; /* guarded by mu: what no thread is using */
    size_t idle_count;            /* guarded by mu */
};

struct router *
router_new(const struct router_opts *o)
{
    struct router *r = xcalloc(1, sizeof(*r));
    r->lm = lang_model_new();
    r->threshold = o && o->threshold > 0 ? o->threshold : THRESHOLD_DEFAULT;
    pthread_mutex_init(&r->mu, NULL);
    r->rules = xcalloc(1, sizeof(*r->rules));
    atomic_init(&r->rules->refs, 1);
    return r;
}

void
router_free(struct router *r)
{
    if (!r)
        return;
    router_model_unref(r->model);
    rules_unref(r->rules);
    for (size_t i = 0; i < r->idle_count; i++) {
        features_free(r->idle[i].fx);
        lang_memo_free(r->idle[i].memo);
    }
    lang_model_free(r->lm);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

void
router_swap_model(struct router *r, struct router_model *m)
{
    pthread_mutex_lock(&r->mu);
    struct router_model *old = r->model;
    r->model = m;
    pthread_mutex_unlock(&r->mu);
    router_model_unref(old);
}

/* Is byte c part of a word of folded text? Multi-byte letters are. */
static bool
word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'';
}

/* The words of folded text s, as views into it: *words lives in a. */
static size_t
split_folded(struct arena *a, struct str s, struct str **words)
{
    size_t n = 0;
    for (size_t i = 0; i < s.len; i++)
        n += word_byte((unsigned char)s.p[i]) && (i == 0 || !word_byte((unsigned char)s.p[i - 1]));
    struct str *w = n ? ARENA_ARRAY(a, struct str, n) : NULL;
    size_t k = 0;
    for (size_t i = 0; i < s.len;) {
        if (!word_byte((unsigned char)s.p[i])) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < s.len && word_byte((unsigned char)s.p[j]))
            j++;
        w[k++] = (struct str){s.p + i, j - i};
        i = j;
    }
    *words = w;
    return n;
}

static enum err
rule_make(struct arena *a, const struct router_rule *in, struct rule *out)
{
    if (!in->keyword || !in->topic || !*in->topic)
        return ERR_INVALID;
    size_t len = strlen(in->keyword);
    if (len > ROUTER_KEYWORD_MAX)
        return ERR_TOOBIG;
    struct str fold, *w;
    enum err e = translit_fold(a, (struct str){in->keyword, len}, &fold);
    if (e)
        return e;
    size_t n = split_folded(a, fold, &w);
    if (n == 0)
        return ERR_INVALID;
    out->word = xcalloc(n, sizeof(*out->word));
    for (size_t k = 0; k < n; k++)
        out->word[k] = xstrndup(w[k].p, w[k].len);
    out->word_count = n;
    out->region = dup_or_null(in->region);
    out->topic = xstrdup(in->topic);
    out->agency = dup_or_null(in->agency);
    return ERR_OK;
}

enum err
router_set_rules(struct router *r, const struct router_rule *rules, size_t rule_count,
                 const struct router_route *routes, size_t route_count)
{
    if (rule_count > ROUTER_RULES_MAX || route_count > ROUTER_ROUTES_MAX)
        return ERR_TOOBIG;
    for (size_t i = 0; i < route_count; i++)
        if (!routes[i].topic || !*routes[i].topic || !routes[i].agency || !*routes[i].agency)
            return ERR_INVALID;
    struct rules *rs = xcalloc(1, sizeof(*rs));
    atomic_init(&rs->refs, 1);
    rs->rule = xcalloc(rule_count ? rule_count : 1, sizeof(*rs->rule));
    rs->route = xcalloc(route_count ? route_count : 1, sizeof(*rs->route));
    struct arena *a = arena_new();
    enum err e = ERR_OK;
    for (size_t i = 0; i < rule_count && !e; i++) {
        e = rule_make(a, &rules[i], &rs->rule[i]);
        if (!e)
            rs->rule_count++;
    }
    arena_free(a);
    if (e) {
        rules_unref(rs);
        return e;
    }
    for (size_t i = 0; i < route_count; i++) {
        rs->route[i] = (struct route){xstrdup(routes[i].topic), dup_or_null(routes[i].region),
                                      xstrdup(routes[i].agency)};
        rs->route_count++;
    }
    pthread_mutex_lock(&r->mu);
    struct rules *old = r->rules;
    r->rules = rs;
    pthread_mutex_unlock(&r->mu);
    rules_unref(old);
    return ERR_OK;
}

const char *
router_why_name(enum router_why w)
{
    switch (w) {
    case ROUTER_WHY_MODEL:
        return "model";
    case ROUTER_WHY_KEYWORD:
        return "keyword";
    case ROUTER_WHY_LOW:
        return "low";
    case ROUTER_WHY_NOMODEL:
        return "nomodel";
    }
    return "model";
}

/* A worker from the idle ones, or a new one. */
static enum err
worker_take(struct router *r, struct worker *w)
{
    *w = (struct worker){0};
    pthread_mutex_lock(&r->mu);
    if (r->idle_count > 0)
        *w = r->idle[--r->idle_count];
    pthread_mutex_unlock(&r->mu);
    if (w->fx)
        return ERR_OK;
    w->memo = lang_memo_new();
    enum err e = features_new(&w->fx);
    if (e)
        lang_memo_free(w->memo);
    return e;
}

static void
worker_give(struct router *r, struct worker w)
{
    pthread_mutex_lock(&r->mu);
    if (r->idle_count < IDLE_MAX) {
        r->idle[r->idle_count++] = w;
        w = (struct worker){0};
    }
    pthread_mutex_unlock(&r->mu);
    features_free(w.fx);
    lang_memo_free(w.memo);
}

/* Text split into *t and *n (in a) and its language into g. */
static enum err
split(struct router *r, struct worker *w, struct arena *a, struct str text, struct lang_guess *g,
      struct token **t, size_t *n)
{
    if (text.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    enum err e = token_split(a, text, t, n);
    if (e)
        return e;
    lang_detect_tokens_memo(r->lm, w->memo, *t, *n, g);
    return ERR_OK;
}

/* The features of text into f, count and g, and its tokens into *t and *n
 * (in a). */
static enum err
extract(struct router *r, struct arena *a, struct str text, struct feature **f, size_t *count,
        struct lang_guess *g, struct token **t, size_t *n)
{
    struct worker w;
    enum err e = worker_take(r, &w);
    if (e)
        return e;
    e = split(r, &w, a, text, g, t, n);
    if (!e)
        features_extract(w.fx, a, *t, *n, g->lang, f, count);
    worker_give(r, w);
    return e;
}

enum err
router_predict(struct router *r, struct arena *a, struct str text, const struct classifier *m,
               double *prob, size_t *best)
{
    struct lang_guess g;
    struct token *t;
    size_t n;
    struct worker w;
    enum err e = worker_take(r, &w);
    if (e)
        return e;
    e = split(r, &w, a, text, &g, &t, &n);
    if (!e)
        *best = features_predict(w.fx, a, t, n, g.lang, m, prob);
    worker_give(r, w);
    return e;
}

enum err
router_suggest(struct router *r, struct arena *a, struct str text, size_t k,
               struct router_guess *out, size_t *n)
{
    *n = 0;
    if (text.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    pthread_mutex_lock(&r->mu);
    struct router_model *m = r->model ? router_model_ref(r->model) : NULL;
    pthread_mutex_unlock(&r->mu);
    if (!m)
        return ERR_OK;
    size_t labels = classify_label_count(m->topic), best = 0;
    double *p = ARENA_ARRAY(a, double, labels);
    enum err e = router_predict(r, a, text, m->topic, p, &best);
    /* k passes of a selection: k is a handful and labels a few dozen. */
    for (size_t j = 0; !e && j < k && j < labels; j++) {
        size_t top = labels;
        for (size_t i = 0; i < labels; i++)
            if (p[i] >= 0 && (top == labels || p[i] > p[top]))
                top = i;
        out[(*n)++] = (struct router_guess){arena_strdup(a, classify_label(m->topic, top)), p[top]};
        p[top] = -1;
    }
    router_model_unref(m);
    return e;
}

enum err
router_features(struct router *r, struct arena *a, struct str text, struct feature **f,
                size_t *count, const char **lang)
{
    struct lang_guess g;
    struct token *t;
    size_t n;
    enum err e = extract(r, a, text, f, count, &g, &t, &n);
    if (!e && lang)
        *lang = lang_code(g.lang);
    return e;
}

static bool
region_matches(const char *want, const char *region)
{
    return !want || (region && strcmp(want, region) == 0);
}

/* The first rule whose words begin consecutive words of the text, or NULL. */
static const struct rule *
rule_find(const struct rules *rs, struct arena *a, struct str text, const char *region)
{
    if (rs->rule_count == 0)
        return NULL;
    struct str fold, *w;
    if (translit_fold(a, text, &fold))
        return NULL;
    size_t n = split_folded(a, fold, &w);
    for (size_t i = 0; i < rs->rule_count; i++) {
        const struct rule *ru = &rs->rule[i];
        if (!region_matches(ru->region, region))
            continue;
        for (size_t s = 0; s + ru->word_count <= n; s++) {
            size_t k = 0;
            while (k < ru->word_count && str_has_prefix(w[s + k], ru->word[k]))
                k++;
            if (k == ru->word_count)
                return ru;
        }
    }
    return NULL;
}

/* The agency of topic in region by the table: the region's row, else the
 * row for anywhere else. */
static const char *
route_find(const struct rules *rs, const char *topic, const char *region)
{
    const char *any = NULL;
    for (size_t i = 0; i < rs->route_count; i++) {
        const struct route *ro = &rs->route[i];
        if (strcmp(ro->topic, topic) != 0)
            continue;
        if (!ro->region)
            any = any ? any : ro->agency;
        else if (region && strcmp(ro->region, region) == 0)
            return ro->agency;
    }
    return any;
}

static enum err
classify_text(struct router *r, const struct router_model *m, struct arena *a, struct str text,
              struct router_result *out)
{
    struct worker w;
    enum err e = worker_take(r, &w);
    if (e)
        return e;
    e = split(r, &w, a, text, &out->guess, &out->tokens, &out->token_count);
    if (e || !m)
        goto out;
    struct features *fx = w.fx;
    const struct token *t = out->tokens;
    size_t n = out->token_count;
    enum lang l = out->guess.lang;
    double *p = ARENA_ARRAY(a, double, classify_label_count(m->topic));
    size_t best = features_predict(fx, a, t, n, l, m->topic, p);
    out->topic = classify_label(m->topic, best);
    out->topic_confidence = p[best];
    if (m->agency) {
        p = ARENA_ARRAY(a, double, classify_label_count(m->agency));
        best = features_predict(fx, a, t, n, l, m->agency, p);
        out->agency = classify_label(m->agency, best);
        out->agency_confidence = p[best];
    }
out:
    if (!e) {
        out->lang = lang_code(out->guess.lang);
        out->lang_mixed = out->guess.mixed;
        out->kk_latin = out->guess.kk_latin;
    }
    worker_give(r, w);
    return e;
}

enum err
router_classify(struct router *r, struct arena *a, struct str text, const char *region,
                struct router_result *out)
{
    if (text.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    pthread_mutex_lock(&r->mu);
    struct router_model *m = r->model ? router_model_ref(r->model) : NULL;
    struct rules *rs = r->rules;
    atomic_fetch_add(&rs->refs, 1);
    pthread_mutex_unlock(&r->mu);

    struct router_result res = {.why = ROUTER_WHY_NOMODEL, .triage = true};
    enum err e = classify_text(r, m, a, text, &res);
    if (e)
        goto out;
    res.model_version = m ? m->version : 0;
    res.agency_model_version = m && m->agency ? m->agency_version : 0;
    const struct rule *ru = rule_find(rs, a, text, region);
    if (ru) {
        bool same = res.topic && strcmp(res.topic, ru->topic) == 0;
        res.topic = ru->topic;
        res.topic_confidence = 1;
        res.why = ROUTER_WHY_KEYWORD;
        if (ru->agency) {
            res.agency = ru->agency;
            res.agency_confidence = 1;
        } else if (!same || !res.agency || res.agency_confidence < r->threshold) {
            res.agency = route_find(rs, ru->topic, region);
            res.agency_confidence = 1;
        }
    } else if (m) {
        res.why = res.topic_confidence >= r->threshold ? ROUTER_WHY_MODEL : ROUTER_WHY_LOW;
        if (!res.agency || res.agency_confidence < r->threshold) {
            res.agency = route_find(rs, res.topic, region);
            res.agency_confidence = 1;
        }
    }
    res.triage = res.why == ROUTER_WHY_LOW || res.why == ROUTER_WHY_NOMODEL || !res.agency;
    /* Copy what outlives the model and the rules into a. */
    res.topic = res.topic ? arena_strdup(a, res.topic) : NULL;
    res.agency = res.agency ? arena_strdup(a, res.agency) : NULL;
    *out = res;
out:
    router_model_unref(m);
    rules_unref(rs);
    return e;
}
