/*
 * i18n.c - message catalogs (a small .po reader), plural rules, named
 * placeholders, dates and numbers per language, and the language of a
 * request. Exports the functions of i18n.h; the embedded catalogs are
 * parsed once, under pthread_once, and never change afterwards.
 */
#include "http/i18n.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/tm.h"
#include "base/util.h"
#include "http/webfiles.h"

struct i18n_entry {
    const char *msgid;
    const char *plural;                   /* msgid_plural or NULL */
    const char *msgstr[I18N_PLURALS_MAX]; /* NULL: absent */
};

struct i18n_cat {
    struct i18n_entry *entries; /* sorted by msgid */
    size_t count;
};

/* ---- the .po reader ---- */

struct po {
    struct str s;
    size_t pos;
    size_t line;
};

static bool
po_eof(const struct po *p)
{
    return p->pos >= p->s.len;
}

/* Skip blanks, blank lines and # comments. */
static void
po_skip(struct po *p)
{
    while (!po_eof(p)) {
        char c = p->s.p[p->pos];
        if (c == '\n') {
            p->line++;
            p->pos++;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            p->pos++;
        } else if (c == '#') {
            while (!po_eof(p) && p->s.p[p->pos] != '\n')
                p->pos++;
        } else {
            break;
        }
    }
}

/* A keyword at the start of a line: "msgid", "msgid_plural", "msgstr" or "msgstr[N]". */
static bool
po_keyword(struct po *p, const char **kw, size_t *kw_len)
{
    size_t start = p->pos;
    while (!po_eof(p) && (p->s.p[p->pos] == '_' || p->s.p[p->pos] == '[' || p->s.p[p->pos] == ']' ||
                          (p->s.p[p->pos] >= 'a' && p->s.p[p->pos] <= 'z') ||
                          (p->s.p[p->pos] >= '0' && p->s.p[p->pos] <= '9')))
        p->pos++;
    *kw = p->s.p + start;
    *kw_len = p->pos - start;
    return *kw_len > 0;
}

/* One or more "..." strings, concatenated, into the arena. */
static enum err
po_string(struct po *p, struct arena *a, char **out)
{
    struct buf b = BUF_INIT(I18N_PO_MAX);
    bool any = false;
    enum err e = ERR_OK;
    for (;;) {
        while (!po_eof(p) && (p->s.p[p->pos] == ' ' || p->s.p[p->pos] == '\t'))
            p->pos++;
        if (po_eof(p) || p->s.p[p->pos] != '"') {
            /* Continuation lines start a new line with '"'. */
            size_t save = p->pos, save_line = p->line;
            po_skip(p);
            if (!any || po_eof(p) || p->s.p[p->pos] != '"') {
                p->pos = save;
                p->line = save_line;
                break;
            }
        }
        p->pos++; /* opening quote */
        any = true;
        for (;;) {
            if (po_eof(p) || p->s.p[p->pos] == '\n') {
                e = ERR_INVALID;
                goto out;
            }
            char c = p->s.p[p->pos++];
            if (c == '"')
                break;
            if (c == '\\') {
                if (po_eof(p)) {
                    e = ERR_INVALID;
                    goto out;
                }
                char x = p->s.p[p->pos++];
                switch (x) {
                case 'n':
                    c = '\n';
                    break;
                case 't':
                    c = '\t';
                    break;
                case '"':
                case '\\':
                    c = x;
                    break;
                default:
                    e = ERR_INVALID;
                    goto out;
                }
            } else if ((unsigned char)c < 0x20 && c != '\t') {
                e = ERR_INVALID;
                goto out;
            }
            buf_putc(&b, c);
        }
    }
    if (!any) {
        e = ERR_INVALID;
        goto out;
    }
    *out = arena_strndup(a, b.p ? b.p : "", b.len);
out:
    buf_fini(&b);
    return e;
}

static int
entry_cmp(const void *x, const void *y)
{
    const struct i18n_entry *a = x, *b = y;
    return strcmp(a->msgid, b->msgid);
}

static bool
kw_is(const char *kw, size_t n, const char *want)
{
    return strlen(want) == n && memcmp(kw, want, n) == 0;
}

enum err
i18n_parse(struct arena *a, struct str po, struct i18n_cat **out, size_t *bad_line)
{
    if (po.len > I18N_PO_MAX)
        return ERR_TOOBIG;
    struct po p = {po, 0, 1};
    size_t cap = 64, n = 0;
    struct i18n_entry *v = ARENA_ARRAY(a, struct i18n_entry, cap);
    struct i18n_entry cur = {0};
    bool have_id = false, have_str = false;
    size_t entry_line = 1;
    enum err e = ERR_OK;
    *bad_line = 0;
    for (;;) {
        po_skip(&p);
        const char *kw = NULL;
        size_t kw_len = 0;
        bool done = po_eof(&p);
        if (!done && !po_keyword(&p, &kw, &kw_len)) {
            e = ERR_INVALID;
            break;
        }
        bool new_entry = done || kw_is(kw, kw_len, "msgid");
        if (new_entry && have_id) {
            /* Close the entry before this msgid (or the end of the text). */
            if (!have_str) {
                e = ERR_INVALID;
                p.line = entry_line;
                break;
            }
            if (*cur.msgid) {
                if (n == I18N_ENTRIES_MAX) {
                    e = ERR_TOOBIG;
                    break;
                }
                if (n == cap) {
                    struct i18n_entry *w = ARENA_ARRAY(a, struct i18n_entry, cap * 2);
                    memcpy(w, v, n * sizeof(*v));
                    v = w;
                    cap *= 2;
                }
                v[n++] = cur;
            }
            memset(&cur, 0, sizeof(cur));
            have_id = have_str = false;
        }
        if (done)
            break;
        char *s;
        size_t kw_line = p.line;
        e = po_string(&p, a, &s);
        if (e)
            break;
        if (kw_is(kw, kw_len, "msgid")) {
            cur.msgid = s;
            have_id = true;
            entry_line = kw_line;
        } else if (kw_is(kw, kw_len, "msgid_plural") && have_id && !have_str && !cur.plural) {
            cur.plural = s;
        } else if (kw_is(kw, kw_len, "msgstr") && have_id && !have_str && !cur.plural) {
            cur.msgstr[0] = s;
            have_str = true;
        } else if (kw_len == 9 && memcmp(kw, "msgstr[", 7) == 0 && kw[8] == ']' && kw[7] >= '0' &&
                   kw[7] < '0' + I18N_PLURALS_MAX && have_id && cur.plural &&
                   !cur.msgstr[kw[7] - '0']) {
            cur.msgstr[kw[7] - '0'] = s;
            have_str = true;
        } else {
            e = ERR_INVALID;
            p.line = kw_line;
            break;
        }
    }
    if (e) {
        *bad_line = p.line;
        return e;
    }
    qsort(v, n, sizeof(*v), entry_cmp);
    for (size_t i = 1; i < n; i++) {
        if (strcmp(v[i - 1].msgid, v[i].msgid) == 0) {
            *bad_line = 0;
            return ERR_INVALID;
        }
    }
    struct i18n_cat *c = ARENA_NEW(a, struct i18n_cat);
    c->entries = v;
    c->count = n;
    *out = c;
    return ERR_OK;
}

static const struct i18n_entry *
cat_find(const struct i18n_cat *c, const char *msgid)
{
    struct i18n_entry key = {.msgid = msgid};
    return bsearch(&key, c->entries, c->count, sizeof(key), entry_cmp);
}

const char *
i18n_cat_get(const struct i18n_cat *c, const char *msgid, int form)
{
    if (form < 0 || form >= I18N_PLURALS_MAX)
        return NULL;
    const struct i18n_entry *en = cat_find(c, msgid);
    if (!en || !en->msgstr[form] || !*en->msgstr[form])
        return NULL;
    return en->msgstr[form];
}

size_t
i18n_cat_count(const struct i18n_cat *c)
{
    return c->count;
}

const char *
i18n_cat_msgid(const struct i18n_cat *c, size_t i, const char **plural)
{
    assert(i < c->count);
    *plural = c->entries[i].plural;
    return c->entries[i].msgid;
}

int
i18n_plural_index(enum appeal_language l, int64_t n)
{
    if (n < 0)
        n = -n;
    switch (l) {
    case LANG_RU:
        if (n % 10 == 1 && n % 100 != 11)
            return 0;
        if (n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20))
            return 1;
        return 2;
    case LANG_KK:
    case LANG_EN:
    case LANG__COUNT:
        break;
    }
    return n == 1 ? 0 : 1;
}

/* ---- the embedded catalogs ---- */

static struct {
    pthread_once_t once;
    struct arena *arena;
    struct i18n_cat *cat[LANG__COUNT];
} embedded = {PTHREAD_ONCE_INIT, NULL, {NULL}};

static void
load_embedded(void)
{
    static const char *const files[LANG__COUNT] = {
        [LANG_KK] = "i18n/kk.po", [LANG_RU] = "i18n/ru.po", [LANG_EN] = "i18n/en.po"};
    embedded.arena = arena_new();
    for (int l = 0; l < LANG__COUNT; l++) {
        const struct webfile *f = webfile_find(files[l]);
        size_t bad = 0;
        /* The catalogs are part of the build; the unit tests parse them. */
        assert(f);
        enum err e = i18n_parse(embedded.arena, (struct str){(const char *)f->data, f->len},
                                &embedded.cat[l], &bad);
        assert(e == ERR_OK);
        (void)e;
    }
}

static const struct i18n_cat *
cat_of(enum appeal_language l)
{
    pthread_once(&embedded.once, load_embedded);
    return (unsigned)l < LANG__COUNT ? embedded.cat[l] : embedded.cat[LANG_KK];
}

const char *
i18n_get(enum appeal_language l, const char *msgid)
{
    const char *s = i18n_cat_get(cat_of(l), msgid, 0);
    return s ? s : msgid;
}

const char *
i18n_nget(enum appeal_language l, const char *msgid, const char *plural, int64_t n)
{
    int form = i18n_plural_index(l, n);
    const char *s = i18n_cat_get(cat_of(l), msgid, form);
    if (s)
        return s;
    return n == 1 ? msgid : plural;
}

/* ---- placeholders ---- */

char *
i18n_fill(struct arena *a, const char *tmpl, const char *const *kv)
{
    struct buf b = BUF_INIT(I18N_FILL_MAX);
    for (const char *p = tmpl; *p;) {
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        bool hit = false;
        if (close) {
            size_t n = (size_t)(close - p - 1);
            for (size_t i = 0; kv && kv[i] && kv[i + 1]; i += 2) {
                if (strlen(kv[i]) == n && memcmp(kv[i], p + 1, n) == 0) {
                    buf_puts(&b, kv[i + 1]);
                    p = close + 1;
                    hit = true;
                    break;
                }
            }
        }
        if (!hit)
            buf_putc(&b, *p++);
    }
    /* Cut at the cap rather than fail: b.p holds what fitted. */
    char *s = arena_strndup(a, b.p ? b.p : "", b.len);
    buf_fini(&b);
    return s;
}

/* The sorted, NUL-separated list of {name}s in s. */
static void
placeholders(const char *s, struct buf *out)
{
    const char *names[64];
    size_t lens[64], n = 0;
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *close = strchr(p, '}');
        if (!close)
            break;
        if (n < ARRAY_LEN(names)) {
            names[n] = p + 1;
            lens[n] = (size_t)(close - p - 1);
            n++;
        }
    }
    /* Insertion sort: a message has a handful at most. */
    for (size_t i = 1; i < n; i++) {
        for (size_t j = i; j > 0; j--) {
            size_t m = MIN(lens[j - 1], lens[j]);
            int c = memcmp(names[j - 1], names[j], m);
            if (c < 0 || (c == 0 && lens[j - 1] <= lens[j]))
                break;
            const char *tn = names[j];
            size_t tl = lens[j];
            names[j] = names[j - 1];
            lens[j] = lens[j - 1];
            names[j - 1] = tn;
            lens[j - 1] = tl;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (i && lens[i] == lens[i - 1] && memcmp(names[i], names[i - 1], lens[i]) == 0)
            continue;
        buf_append(out, names[i], lens[i]);
        buf_putc(out, '\0');
    }
}

bool
i18n_placeholders_match(const char *a, const char *b)
{
    struct buf x = BUF_INIT(1 << 16), y = BUF_INIT(1 << 16);
    placeholders(a, &x);
    placeholders(b, &y);
    bool same = !buf_failed(&x) && !buf_failed(&y) && x.len == y.len &&
                (x.len == 0 || memcmp(x.p, y.p, x.len) == 0);
    buf_fini(&x);
    buf_fini(&y);
    return same;
}

/* ---- dates and numbers ---- */

static const char *const months_en[12] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};
/* Russian dates use the genitive: "18 декабря". */
static const char *const months_ru[12] = {"января",   "февраля", "марта",  "апреля",
                                          "мая",      "июня",    "июля",   "августа",
                                          "сентября", "октября", "ноября", "декабря"};
static const char *const months_kk[12] = {"қаңтар",   "ақпан",  "наурыз", "сәуір",
                                          "мамыр",    "маусым", "шілде",  "тамыз",
                                          "қыркүйек", "қазан",  "қараша", "желтоқсан"};

void
i18n_date(enum appeal_language l, int64_t t, char out[48])
{
    int y, m, d;
    tm_civil_from_days(tm_local_day(t), &y, &m, &d);
    switch (l) {
    case LANG_RU:
        snprintf(out, 48, "%d %s %d г.", d, months_ru[m - 1], y);
        return;
    case LANG_KK:
        snprintf(out, 48, "%d жылғы %d %s", y, d, months_kk[m - 1]);
        return;
    case LANG_EN:
    case LANG__COUNT:
        break;
    }
    snprintf(out, 48, "%d %s %d", d, months_en[m - 1], y);
}

void
i18n_datetime(enum appeal_language l, int64_t t, char out[64])
{
    char day[48];
    i18n_date(l, t, day);
    int64_t local = t + tm_almaty_offset(t);
    int64_t sec = ((local % TM_DAY) + TM_DAY) % TM_DAY;
    snprintf(out, 64, "%s, %02d:%02d", day, (int)(sec / 3600), (int)(sec / 60 % 60));
}

void
i18n_number(enum appeal_language l, int64_t n, char out[48])
{
    char digits[24];
    uint64_t u = n < 0 ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    snprintf(digits, sizeof(digits), "%llu", (unsigned long long)u);
    const char *sep = l == LANG_EN ? "," : "\xc2\xa0"; /* U+00A0 */
    size_t len = strlen(digits), o = 0;
    if (n < 0)
        out[o++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0) {
            size_t k = strlen(sep);
            memcpy(out + o, sep, k);
            o += k;
        }
        out[o++] = digits[i];
    }
    out[o] = '\0';
}

/* ---- the language of a request ---- */

static const char *const lang_codes[LANG__COUNT] = {
    [LANG_KK] = "kk", [LANG_RU] = "ru", [LANG_EN] = "en"};

const char *
i18n_lang_code(enum appeal_language l)
{
    return (unsigned)l < LANG__COUNT ? lang_codes[l] : lang_codes[LANG_KK];
}

enum err
i18n_lang_parse(const char *s, enum appeal_language *out)
{
    for (int l = 0; s && l < LANG__COUNT; l++) {
        if (strcmp(s, lang_codes[l]) == 0) {
            *out = (enum appeal_language)l;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

/* The q value of an Accept-Language entry's parameters, in thousandths; 1000 if none. */
static int
accept_q(const char *params, size_t n)
{
    const char *q = NULL;
    for (size_t i = 0; i + 1 < n; i++)
        if (params[i] == 'q' && params[i + 1] == '=')
            q = params + i + 2;
    if (!q)
        return 1000;
    const char *end = params + n;
    int v = 0, scale = 1000;
    if (q < end && *q == '1')
        return 1000;
    if (q >= end || *q != '0')
        return 0;
    q++;
    if (q < end && *q == '.') {
        q++;
        for (int k = 0; k < 3 && q < end && *q >= '0' && *q <= '9'; k++, q++) {
            scale /= 10;
            v += (*q - '0') * scale;
        }
    }
    return v;
}

enum appeal_language
i18n_pick(const char *query, const char *cookie, const char *accept)
{
    enum appeal_language l;
    if (i18n_lang_parse(query, &l) == ERR_OK)
        return l;
    if (i18n_lang_parse(cookie, &l) == ERR_OK)
        return l;
    enum appeal_language best = (enum appeal_language)I18N_DEFAULT;
    int best_q = 0;
    const char *p = accept;
    for (int entries = 0; p && *p && entries < 32; entries++) {
        size_t n = strcspn(p, ",");
        size_t tag = strcspn(p, ";,");
        const char *t = p;
        while (tag && (*t == ' ' || *t == '\t')) {
            t++;
            tag--;
        }
        /* "ru", "ru-RU", "kk-Cyrl-KZ": the primary subtag decides. */
        char code[3] = {0};
        size_t primary = strcspn(t, "-;, \t");
        if (primary == 2 && primary <= tag) {
            code[0] = (char)(t[0] | 0x20);
            code[1] = (char)(t[1] | 0x20);
            int q = tag < (size_t)(p + n - t) ? accept_q(t + tag, (size_t)(p + n - t) - tag) : 1000;
            if (i18n_lang_parse(code, &l) == ERR_OK && q > best_q) {
                best = l;
                best_q = q;
            }
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return best;
}
