/*
 * lang.c - language identification by character n-gram profiles. Exports
 * lang_code(), lang_from_code(), lang_model_new(), lang_model_train(),
 * lang_model_free(), lang_detect(), lang_detect_tokens(), lang_memo_new(),
 * lang_memo_free() and lang_detect_tokens_memo(); the rest is static.
 *
 * The model is one open-addressing table from an n-gram (up to NGRAM_MAX
 * code points of a word padded with a space at each end, packed into 64
 * bits with the order) to its log probability in each class. Counting and
 * smoothing happen once, when the model is built; lookups only read.
 */
#include "text/lang.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "text/lang_corpus.h"
#include "text/text_int.h"
#include "text/token.h"
#include "text/translit.h"
#include "text/utf8.h"

enum {
    NGRAM_MAX = 4,
    WORD_CPS_MAX = 40, /* longer words are scored on their first letters */
    WEIGHT_MAX = 8,    /* a word's weight: its letters, up to this... */
    KAZAKH_WEIGHT = 2, /* ...times this for a word with ә ғ қ ң ө ұ ү һ і: Russian
                        * words inside Kazakh text are common, Kazakh ones inside
                        * Russian text are not */
};

/* The classes the model tells apart; two of them are Kazakh. */
enum cls { CLS_KK, CLS_KK_LATN, CLS_RU, CLS_EN, CLS__COUNT };

static const enum lang cls_lang[CLS__COUNT] = {LANG_ID_KK, LANG_ID_KK, LANG_ID_RU, LANG_ID_EN};

#define SMOOTH 0.5          /* additive smoothing of the counts */
#define DIACRITIC_BONUS 6.0 /* nats for a 2021 letter (ä ğ ñ ö ū ü ş ı) in a Latin word */
#define PRIOR_POWER 1.0     /* how much the whole text's language sways one word */

struct entry {
    uint64_t key;        /* 0: empty */
    float v[CLS__COUNT]; /* counts while building, then log probabilities */
};

struct lang_model {
    struct entry *tab;
    size_t cap; /* a power of two */
    size_t used;
    double total[CLS__COUNT][NGRAM_MAX + 1]; /* n-grams counted per class and order */
    size_t distinct[NGRAM_MAX + 1];
};

static const char *const codes[LANG_ID__COUNT] = {"und", "kk", "ru", "en"};

const char *
lang_code(enum lang l)
{
    return (unsigned)l < LANG_ID__COUNT ? codes[l] : codes[LANG_ID_UND];
}

enum lang
lang_from_code(struct str code)
{
    for (int l = 0; l < LANG_ID__COUNT; l++)
        if (str_cstr_eq(code, codes[l]))
            return (enum lang)l;
    return LANG_ID_UND;
}

static uint64_t
mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t
gram_key(const int32_t *cp, int n)
{
    uint64_t k = (uint64_t)n << 60;
    for (int i = 0; i < n; i++)
        k |= (uint64_t)(cp[i] & 0x7FFF) << (15 * i);
    return k;
}

static const struct entry *
lookup(const struct lang_model *m, uint64_t key)
{
    for (size_t i = mix(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
        if (m->tab[i].key == key)
            return &m->tab[i];
        if (m->tab[i].key == 0)
            return NULL;
    }
}

static void
grow(struct lang_model *m)
{
    struct entry *old = m->tab;
    size_t old_cap = m->cap;
    m->cap = old_cap ? old_cap * 2 : 4096;
    m->tab = xcalloc(m->cap, sizeof(*m->tab));
    for (size_t k = 0; k < old_cap; k++) {
        if (old[k].key == 0)
            continue;
        size_t i = mix(old[k].key) & (m->cap - 1);
        while (m->tab[i].key != 0)
            i = (i + 1) & (m->cap - 1);
        m->tab[i] = old[k];
    }
    free(old);
}

static void
count_gram(struct lang_model *m, uint64_t key, int n, enum cls c)
{
    if ((m->used + 1) * 2 > m->cap)
        grow(m);
    size_t i = mix(key) & (m->cap - 1);
    while (m->tab[i].key != 0 && m->tab[i].key != key)
        i = (i + 1) & (m->cap - 1);
    if (m->tab[i].key == 0) {
        m->tab[i].key = key;
        m->used++;
        m->distinct[n]++;
    }
    m->tab[i].v[c] += 1.0f;
    m->total[c][n] += 1.0;
}

/* The code points of a normalised word with a space at each end; their number. */
static int
word_cps(struct str w, int32_t *cp)
{
    int n = 0;
    cp[n++] = ' ';
    for (size_t i = 0; i < w.len && n < WORD_CPS_MAX - 1;) {
        int32_t c;
        i += text__decode(w.p + i, w.len - i, &c);
        if (!text__is_invisible(c))
            cp[n++] = c;
    }
    cp[n++] = ' ';
    return n;
}

static void
count_word(struct lang_model *m, struct str w, enum cls c)
{
    int32_t cp[WORD_CPS_MAX];
    int n = word_cps(w, cp);
    for (int order = 1; order <= NGRAM_MAX; order++)
        for (int i = 0; i + order <= n; i++)
            if (!(order == 1 && cp[i] == ' '))
                count_gram(m, gram_key(cp + i, order), order, c);
}

static void
count_text(struct lang_model *m, struct arena *a, struct str s, enum cls c)
{
    struct token *t;
    size_t n;
    if (token_split(a, s, &t, &n))
        return;
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == TOKEN_WORD)
            count_word(m, t[i].norm, c);
}

/* Kazakh in Cyrillic as people type it on a Russian keyboard: ә -> а,
 * ғ -> г, қ -> к, ң -> н, ө -> о, ұ ү -> у, һ -> х, і -> и. */
static struct str
russian_keyboard(struct arena *a, struct str s)
{
    static const struct {
        int32_t from, to;
    } plain[] = {
        {0x4D9, 0x430}, {0x4D8, 0x410}, {0x493, 0x433}, {0x492, 0x413}, {0x49B, 0x43A},
        {0x49A, 0x41A}, {0x4A3, 0x43D}, {0x4A2, 0x41D}, {0x4E9, 0x43E}, {0x4E8, 0x41E},
        {0x4B1, 0x443}, {0x4B0, 0x423}, {0x4AF, 0x443}, {0x4AE, 0x423}, {0x4BB, 0x445},
        {0x4BA, 0x425}, {0x456, 0x438}, {0x406, 0x418},
    };
    char *p = arena_alloc(a, s.len + 1);
    size_t len = 0;
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        size_t k = text__decode(s.p + i, s.len - i, &cp);
        for (size_t j = 0; j < ARRAY_LEN(plain); j++)
            if (plain[j].from == cp)
                cp = plain[j].to;
        /* Every pair above keeps its UTF-8 length (2 bytes). */
        len += text__encode(cp, p + len);
        i += k;
    }
    return (struct str){p, len};
}

/* Latin Kazakh as people type it without the 2021 letters: ä -> a, ş -> sh. */
static struct str
strip_diacritics(struct arena *a, struct str s)
{
    static const struct {
        int32_t cp;
        const char *to;
    } plain[] = {
        {0xE4, "a"},   {0xC4, "A"},   {0x11F, "g"}, {0x11E, "G"}, {0xF1, "n"}, {0xD1, "N"},
        {0xF6, "o"},   {0xD6, "O"},   {0x16B, "u"}, {0x16A, "U"}, {0xFC, "u"}, {0xDC, "U"},
        {0x15F, "sh"}, {0x15E, "Sh"}, {0x131, "i"}, {0x130, "I"},
    };
    char *p = arena_alloc(a, s.len * 2 + 1);
    size_t len = 0;
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        size_t k = text__decode(s.p + i, s.len - i, &cp);
        const char *to = NULL;
        for (size_t j = 0; j < ARRAY_LEN(plain) && !to; j++)
            if (plain[j].cp == cp)
                to = plain[j].to;
        if (to) {
            memcpy(p + len, to, strlen(to));
            len += strlen(to);
        } else {
            memcpy(p + len, s.p + i, k);
            len += k;
        }
        i += k;
    }
    return (struct str){p, len};
}

static void
smooth(struct lang_model *m)
{
    double denom[CLS__COUNT][NGRAM_MAX + 1];
    for (int c = 0; c < CLS__COUNT; c++)
        for (int n = 1; n <= NGRAM_MAX; n++)
            denom[c][n] = log(m->total[c][n] + SMOOTH * (double)(m->distinct[n] + 1));
    for (size_t i = 0; i < m->cap; i++) {
        struct entry *e = &m->tab[i];
        if (e->key == 0)
            continue;
        int n = (int)(e->key >> 60);
        for (int c = 0; c < CLS__COUNT; c++)
            e->v[c] = (float)(log(e->v[c] + SMOOTH) - denom[c][n]);
    }
}

struct lang_model *
lang_model_train(const struct lang_sample *samples, size_t count)
{
    struct lang_model *m = xcalloc(1, sizeof(*m));
    grow(m);
    struct arena *a = arena_new();
    for (size_t i = 0; i < count; i++) {
        struct str s = samples[i].text;
        if (!utf8_valid(s))
            continue;
        switch (samples[i].lang) {
        case LANG_ID_KK: {
            struct str lat;
            count_text(m, a, s, CLS_KK);
            count_text(m, a, russian_keyboard(a, s), CLS_KK);
            if (translit_to_latin(a, s, &lat) == ERR_OK) {
                count_text(m, a, lat, CLS_KK_LATN);
                count_text(m, a, strip_diacritics(a, lat), CLS_KK_LATN);
            }
            break;
        }
        case LANG_ID_RU:
            count_text(m, a, s, CLS_RU);
            break;
        case LANG_ID_EN:
            count_text(m, a, s, CLS_EN);
            break;
        case LANG_ID_UND:
        case LANG_ID__COUNT:
            break;
        }
    }
    arena_free(a);
    smooth(m);
    return m;
}

struct lang_model *
lang_model_new(void)
{
    size_t total = 0, n;
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        (void)lang_corpus_get((enum lang)l, &n);
        total += n;
    }
    struct lang_sample *s = xcalloc(total, sizeof(*s));
    size_t k = 0;
    for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
        const char *const *sent = lang_corpus_get((enum lang)l, &n);
        for (size_t i = 0; i < n; i++)
            s[k++] = (struct lang_sample){(enum lang)l, str_from_cstr(sent[i])};
    }
    struct lang_model *m = lang_model_train(s, k);
    free(s);
    return m;
}

void
lang_model_free(struct lang_model *m)
{
    if (!m)
        return;
    free(m->tab);
    free(m);
}

static bool
has_kazakh_letter(struct str w)
{
    for (size_t i = 0; i < w.len;) {
        int32_t cp;
        i += text__decode(w.p + i, w.len - i, &cp);
        if (text__is_kazakh_cyrillic(cp))
            return true;
    }
    return false;
}

/* A 2021 letter that English does not use: ä ğ ñ ö ū ü ş ı. */
static bool
has_2021_letter(struct str w)
{
    for (size_t i = 0; i < w.len;) {
        int32_t cp;
        i += text__decode(w.p + i, w.len - i, &cp);
        switch (cp) {
        case 0xE4:
        case 0x11F:
        case 0xF1:
        case 0xF6:
        case 0x16B:
        case 0xFC:
        case 0x15F:
        case 0x131:
            return true;
        default:
            break;
        }
    }
    return false;
}

/* Class probabilities of one word into p[]; false if it cannot be scored. */
static bool
score_word(const struct lang_model *m, const struct token *t, double p[CLS__COUNT])
{
    bool allowed[CLS__COUNT] = {false};
    switch (t->script) {
    case TOKEN_SCRIPT_CYRILLIC:
        allowed[CLS_KK] = true;
        allowed[CLS_RU] = !has_kazakh_letter(t->norm);
        break;
    case TOKEN_SCRIPT_LATIN:
        allowed[CLS_KK_LATN] = allowed[CLS_EN] = true;
        break;
    case TOKEN_SCRIPT_MIXED:
        for (int c = 0; c < CLS__COUNT; c++)
            allowed[c] = true;
        break;
    case TOKEN_SCRIPT_NONE:
    case TOKEN_SCRIPT_OTHER:
        return false;
    }
    if (!allowed[CLS_RU] && t->script == TOKEN_SCRIPT_CYRILLIC) {
        /* Only Kazakh is possible: nothing to look up. */
        for (int c = 0; c < CLS__COUNT; c++)
            p[c] = c == CLS_KK;
        return true;
    }
    double ll[CLS__COUNT] = {0};
    int32_t cp[WORD_CPS_MAX];
    int n = word_cps(t->norm, cp);
    for (int order = 1; order <= NGRAM_MAX; order++) {
        for (int i = 0; i + order <= n; i++) {
            if (order == 1 && cp[i] == ' ')
                continue;
            const struct entry *e = lookup(m, gram_key(cp + i, order));
            if (!e)
                continue;
            for (int c = 0; c < CLS__COUNT; c++)
                ll[c] += e->v[c];
        }
    }
    if (t->script == TOKEN_SCRIPT_LATIN && has_2021_letter(t->norm))
        ll[CLS_KK_LATN] += DIACRITIC_BONUS;
    double max = -INFINITY, sum = 0;
    for (int c = 0; c < CLS__COUNT; c++)
        if (allowed[c] && ll[c] > max)
            max = ll[c];
    for (int c = 0; c < CLS__COUNT; c++) {
        p[c] = allowed[c] ? exp(ll[c] - max) : 0;
        sum += p[c];
    }
    for (int c = 0; c < CLS__COUNT; c++)
        p[c] /= sum;
    return true;
}

enum err
lang_detect(const struct lang_model *m, struct arena *a, struct str s, struct lang_guess *g)
{
    struct token *t;
    size_t n;
    enum err e = token_split(a, s, &t, &n);
    if (e)
        return e;
    lang_detect_tokens(m, t, n, g);
    return ERR_OK;
}

enum { MEMO_SLOTS = 1 << 15 }; /* up to MEMO_SLOTS / 2 words, then emptied */

/* What score_word() gave for one word (as floats: a slot is half a cache
 * line, and the memo's slots are cache misses), and whether it has a
 * Kazakh letter. */
struct memo_slot {
    uint64_t key; /* 0: empty */
    float p[CLS__COUNT];
    bool ok, kazakh;
};

struct lang_memo {
    const struct lang_model *m; /* the model the slots were scored by */
    struct memo_slot *slot;
    size_t used;
};

struct lang_memo *
lang_memo_new(void)
{
    struct lang_memo *mm = xcalloc(1, sizeof(*mm));
    mm->slot = xcalloc(MEMO_SLOTS, sizeof(*mm->slot));
    return mm;
}

void
lang_memo_free(struct lang_memo *mm)
{
    if (!mm)
        return;
    free(mm->slot);
    free(mm);
}

/* The memo's key of t: its normal form's hash (token_split() made it) and
 * its script, mixed. */
static uint64_t
memo_key(const struct token *t)
{
    uint64_t h = (t->hash ^ (uint64_t)t->script << 56) * 0xff51afd7ed558ccdull;
    h ^= h >> 32;
    return h ? h : 1;
}

/* Is t a word with a Kazakh letter? */
static bool
kazakh_word(const struct token *t)
{
    return t->script == TOKEN_SCRIPT_CYRILLIC && has_kazakh_letter(t->norm);
}

/* Does t take part in the guess: a word of Latin or Cyrillic letters? */
static bool
scorable(const struct token *t)
{
    return t->kind == TOKEN_WORD && t->script != TOKEN_SCRIPT_OTHER &&
           t->script != TOKEN_SCRIPT_NONE;
}

/* score_word() (into p) and kazakh_word() of t, from mm when it
 * was seen. The caller has made room in mm for the word and checked that
 * mm is of model m. */
static bool
score_memo(const struct lang_model *m, struct lang_memo *mm, const struct token *t, uint64_t key,
           double *p, bool *kazakh)
{
    size_t i = (size_t)key & (MEMO_SLOTS - 1);
    while (mm->slot[i].key != 0 && mm->slot[i].key != key)
        i = (i + 1) & (MEMO_SLOTS - 1);
    struct memo_slot *s = &mm->slot[i];
    if (s->key == 0) {
        double own[CLS__COUNT];
        s->key = key;
        s->ok = score_word(m, t, own);
        for (int c = 0; c < CLS__COUNT; c++)
            s->p[c] = (float)own[c];
        s->kazakh = kazakh_word(t);
        mm->used++;
    }
    for (int c = 0; c < CLS__COUNT; c++)
        p[c] = s->p[c];
    *kazakh = s->kazakh;
    return s->ok;
}

void
lang_detect_tokens(const struct lang_model *m, const struct token *t, size_t n,
                   struct lang_guess *g)
{
    lang_detect_tokens_memo(m, NULL, t, n, g);
}

void
lang_detect_tokens_memo(const struct lang_model *m, struct lang_memo *mm, const struct token *t,
                        size_t n, struct lang_guess *g)
{
    /* mass: each class's weighted sum over the words, in registers; prior:
     * the same per language (two classes are Kazakh) */
    double mass[CLS__COUNT] = {0}, prior[LANG_ID__COUNT] = {0}, wsum = 0;
    size_t seen = 0, stride = 1, words = 0;
    for (size_t i = 0; i < n; i++)
        words += scorable(&t[i]);
    /* A long text is judged on every stride-th word: an even sample of at
     * most LANG_WORDS_MAX. */
    if (words > LANG_WORDS_MAX)
        stride = (words + LANG_WORDS_MAX - 1) / LANG_WORDS_MAX;
    size_t sampled = (words + stride - 1) / stride;
    /* Per sampled word: its token and memo key, its class probabilities
     * (rounded to floats, as the memo keeps them, with a memo or without)
     * and its weight. */
    uint32_t idx[LANG_WORDS_MAX];
    uint64_t key[LANG_WORDS_MAX];
    double w[LANG_WORDS_MAX], p[LANG_WORDS_MAX][CLS__COUNT];
    if (mm && (mm->m != m || (mm->used + sampled) * 2 > MEMO_SLOTS)) {
        memset(mm->slot, 0, MEMO_SLOTS * sizeof(*mm->slot));
        mm->used = 0;
        mm->m = m;
    }
    /* The memo's slots are cache misses: the keys of the sampled words
     * first, their slots asked for, so that the misses overlap. */
    size_t ns = 0;
    for (size_t i = 0; i < n && ns < sampled; i++) {
        if (!scorable(&t[i]))
            continue;
        /* every stride-th scorable word from the first (no division) */
        bool take = seen == 0;
        seen = seen + 1 == stride ? 0 : seen + 1;
        if (!take)
            continue;
        if (mm) {
            key[ns] = memo_key(&t[i]);
            __builtin_prefetch(&mm->slot[key[ns] & (MEMO_SLOTS - 1)]);
        }
        idx[ns++] = (uint32_t)i;
    }
    size_t kept = 0;
    for (size_t j = 0; j < ns; j++) {
        const struct token *tok = &t[idx[j]];
        bool kazakh;
        if (mm) {
            if (!score_memo(m, mm, tok, key[j], p[kept], &kazakh))
                continue;
        } else {
            if (!score_word(m, tok, p[kept]))
                continue;
            for (int c = 0; c < CLS__COUNT; c++)
                p[kept][c] = (float)p[kept][c];
            kazakh = kazakh_word(tok);
        }
        w[kept] = (double)MIN(tok->letter_count, (size_t)WEIGHT_MAX);
        if (kazakh)
            w[kept] *= KAZAKH_WEIGHT;
        wsum += w[kept];
        for (int c = 0; c < CLS__COUNT; c++)
            mass[c] += w[kept] * p[kept][c];
        kept++;
    }
    for (int c = 0; c < CLS__COUNT; c++)
        prior[cls_lang[c]] += mass[c];
    struct lang_guess r = {.lang = LANG_ID_UND, .words = kept};
    if (wsum > 0) {
        /* Each word's probabilities times the text's share of each
         * language, renormalised, and weighted: sum[c] / wsum is class c's
         * share of the text. */
        double share[CLS__COUNT], sum[CLS__COUNT] = {0};
        for (int c = 0; c < CLS__COUNT; c++) {
            double prior_share = prior[cls_lang[c]] / wsum;
            share[c] = PRIOR_POWER == 1.0 ? prior_share : pow(prior_share, PRIOR_POWER);
        }
        for (size_t j = 0; j < kept; j++) {
            double q[CLS__COUNT], total = 0;
            for (int c = 0; c < CLS__COUNT; c++) {
                q[c] = p[j][c] * share[c];
                total += q[c];
            }
            if (total <= 0) /* every allowed language has no prior: keep the word's own */
                memcpy(q, p[j], sizeof(q)), total = 1;
            double f = w[j] / total;
            for (int c = 0; c < CLS__COUNT; c++)
                sum[c] += f * q[c];
        }
        for (int c = 0; c < CLS__COUNT; c++)
            r.score[cls_lang[c]] += sum[c] / wsum;
        double kk_latin = sum[CLS_KK_LATN], kk_cyr = sum[CLS_KK];
        double first = 0, second = 0;
        for (int l = LANG_ID_KK; l < LANG_ID__COUNT; l++) {
            if (r.score[l] > first) {
                second = first;
                first = r.score[l];
                r.lang = (enum lang)l;
            } else if (r.score[l] > second) {
                second = r.score[l];
            }
        }
        r.mixed = second >= LANG_MIXED_MIN;
        r.kk_latin = kk_latin > kk_cyr;
    }
    *g = r;
}
