/*
 * redact.c - the personal data scanner. Exports redact_placeholder(),
 * redact_scan(), redact_apply(), redact_text(), redact_iin_check(),
 * redact_luhn_check() and redact_iban_check(); everything else is static.
 *
 * The text is decoded once into code points with their byte offsets. Four
 * detectors add candidate ranges (of code points): e-mail addresses, IBANs,
 * every 12-digit run with a right IIN check digit, and the numbers read
 * from runs of digit groups (phones, cards, grouped IINs). The candidates
 * are merged where they overlap and widened to whole digit runs, so no
 * run is ever cut in two, and become byte spans.
 */
#include "text/redact.h"

#include <stdlib.h>
#include <string.h>

#include "base/checkdigit.h"
#include "base/util.h"
#include "text/text_int.h"

enum {
    GROUPS_MAX = 16,   /* digit groups read in one number run */
    GROUP_DIGITS = 20, /* digits kept per group (a longer group is never a match) */
    GAP_MAX = 3,       /* visible separator characters between two groups */
};

struct ch {
    int32_t cp;
    size_t off;
};

struct cand {
    size_t b, e; /* code point indexes, [b, e) */
    enum redact_kind kind;
};

struct scan {
    struct arena *a;
    const struct ch *c; /* n code points and a sentinel at c[n] (cp -1, off = length) */
    size_t n;
    struct cand *cand;
    size_t count, cap;
};

/* Separators between groups. */
enum { GAP_SPACE = 1, GAP_DASH = 2, GAP_DOT = 4, GAP_BRACKET = 8 };

struct group {
    size_t b, e;          /* code points of the digits, [b, e) */
    char d[GROUP_DIGITS]; /* the digits as ASCII */
    size_t nd;            /* digits (may exceed GROUP_DIGITS: then d holds the first ones) */
    unsigned gap;         /* GAP_* before this group (0 for the first) */
    size_t gap_vis;       /* visible separator characters before it */
};

static const char *const placeholders[REDACT__COUNT] = {
    [REDACT_IIN] = "[IIN]",   [REDACT_PHONE] = "[PHONE]", [REDACT_EMAIL] = "[EMAIL]",
    [REDACT_CARD] = "[CARD]", [REDACT_IBAN] = "[IBAN]",
};

const char *
redact_placeholder(enum redact_kind k)
{
    return (unsigned)k < REDACT__COUNT ? placeholders[k] : "[PII]";
}

bool
redact_iin_check(struct str d)
{
    return checkdigit_kz12(d);
}

bool
redact_luhn_check(struct str d)
{
    if (d.len == 0)
        return false;
    int sum = 0;
    for (size_t i = 0; i < d.len; i++) {
        char c = d.p[d.len - 1 - i];
        if (c < '0' || c > '9')
            return false;
        int v = c - '0';
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9)
                v -= 9;
        }
        sum += v;
    }
    return sum % 10 == 0;
}

static int
alnum_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 10;
    return -1;
}

bool
redact_iban_check(struct str s)
{
    if (s.len < 15 || s.len > 34)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        int v = alnum_value(s.p[i]);
        if (v < 0 || (i < 2 && v < 10) || (i >= 2 && i < 4 && v >= 10))
            return false;
    }
    /* Country and check digits go to the end; letters count as 10..35. */
    unsigned rem = 0;
    for (size_t k = 0; k < s.len; k++) {
        int v = alnum_value(s.p[(k + 4) % s.len]);
        rem = (v >= 10 ? rem * 100 : rem * 10) + (unsigned)v;
        rem %= 97;
    }
    return rem == 1;
}

static bool
is_ascii_alnum(int32_t cp)
{
    return cp >= 0 && cp < 0x80 && alnum_value((char)cp) >= 0;
}

static bool
is_digit(int32_t cp)
{
    return text__digit_value(cp) >= 0;
}

/* A visible separator inside a number and its GAP_* kind; 0 if none. */
static unsigned
gap_kind(int32_t cp)
{
    if (cp == ' ' || cp == '\t' || cp == 0xA0 || cp == 0x202F || cp == 0x3000 ||
        (cp >= 0x2000 && cp <= 0x200A))
        return GAP_SPACE;
    if (cp == '-' || (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFF0D)
        return GAP_DASH;
    if (cp == '.')
        return GAP_DOT;
    if (cp == '(' || cp == ')')
        return GAP_BRACKET;
    return 0;
}

static void
add(struct scan *sc, size_t b, size_t e, enum redact_kind kind)
{
    if (sc->count == sc->cap) {
        size_t cap = sc->cap ? sc->cap * 2 : 16;
        struct cand *p = ARENA_ARRAY(sc->a, struct cand, cap);
        if (sc->count)
            memcpy(p, sc->cand, sc->count * sizeof(*p));
        sc->cand = p;
        sc->cap = cap;
    }
    sc->cand[sc->count++] = (struct cand){b, e, kind};
}

/* The next index at or after i that is not an invisible character. */
static size_t
skip_invisible(const struct scan *sc, size_t i)
{
    while (i < sc->n && text__is_invisible(sc->c[i].cp))
        i++;
    return i;
}

/* The previous index before i that is not invisible, or SIZE_MAX. */
static size_t
prev_visible(const struct scan *sc, size_t i)
{
    while (i > 0) {
        i--;
        if (!text__is_invisible(sc->c[i].cp))
            return i;
    }
    return (size_t)-1;
}

/* Read the digit group at i (a digit) into g; its end. */
static size_t
read_group(const struct scan *sc, size_t i, struct group *g)
{
    g->b = i;
    g->nd = 0;
    size_t last = i;
    for (;;) {
        i = skip_invisible(sc, i);
        int v = i < sc->n ? text__digit_value(sc->c[i].cp) : -1;
        if (v < 0)
            break;
        if (g->nd < GROUP_DIGITS)
            g->d[g->nd] = (char)('0' + v);
        g->nd++;
        last = ++i;
    }
    g->e = last;
    return last;
}

/* Read the groups of the number run at i: their count. */
static size_t
read_run(const struct scan *sc, size_t i, struct group *g)
{
    size_t count = 0;
    while (count < GROUPS_MAX) {
        struct group *cur = &g[count];
        size_t end = read_group(sc, i, cur);
        count++;
        /* The gap to the next group: up to GAP_MAX separators. */
        unsigned kind = 0;
        size_t vis = 0, j = end;
        for (;;) {
            j = skip_invisible(sc, j);
            unsigned k = j < sc->n ? gap_kind(sc->c[j].cp) : 0;
            if (!k)
                break;
            kind |= k;
            vis++;
            j++;
        }
        if (count == GROUPS_MAX || vis == 0 || vis > GAP_MAX || j >= sc->n ||
            !is_digit(sc->c[j].cp))
            break;
        g[count].gap = kind;
        g[count].gap_vis = vis;
        i = j;
    }
    g[0].gap = 0;
    g[0].gap_vis = 0;
    return count;
}

static bool
simple_gap(const struct group *g)
{
    return g->gap_vis == 1 && (g->gap == GAP_SPACE || g->gap == GAP_DASH);
}

static bool
plausible_birth(const char *d)
{
    int month = (d[2] - '0') * 10 + (d[3] - '0');
    int day = (d[4] - '0') * 10 + (d[5] - '0');
    return month >= 1 && month <= 12 && day >= 1 && day <= 31 && d[6] <= '6';
}

/* 12 digits of g[i..] in one of the grouped IIN shapes: groups used, or 0. */
static size_t
match_grouped_iin(const struct group *g, size_t count, size_t i)
{
    static const size_t shapes[][4] = {{6, 6}, {4, 4, 4}, {3, 3, 3, 3}};
    static const size_t lens[] = {2, 3, 4};
    for (size_t s = 0; s < ARRAY_LEN(shapes); s++) {
        if (i + lens[s] > count)
            continue;
        char d[12];
        size_t nd = 0;
        bool ok = true;
        for (size_t k = 0; k < lens[s] && ok; k++) {
            const struct group *x = &g[i + k];
            ok = x->nd == shapes[s][k] && (k == 0 || simple_gap(x));
            if (ok) {
                memcpy(d + nd, x->d, x->nd);
                nd += x->nd;
            }
        }
        if (ok && redact_iin_check((struct str){d, 12}) && plausible_birth(d))
            return lens[s];
    }
    return 0;
}

/* Does d start like a payment card? Mir 2200-2204, Mastercard 2221-2720
 * and 51-55, Amex, Diners and JCB 30-39, Visa 4, Maestro 50 and 56-59,
 * UnionPay and Discover 6: numbers that start 2015... or 2026... (dates)
 * are not cards. */
static bool
card_prefix(const char *d)
{
    int four = (d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 + (d[3] - '0');
    if (d[0] == '2')
        return (four >= 2200 && four <= 2204) || (four >= 2221 && four <= 2720);
    return d[0] >= '3' && d[0] <= '6';
}

/* The longest card number starting at g[i]: groups used, or 0. */
static size_t
match_card(const struct group *g, size_t count, size_t i)
{
    char d[GROUP_DIGITS * 2];
    size_t nd = 0, best = 0;
    for (size_t j = i; j < count; j++) {
        const struct group *x = &g[j];
        if (x->nd > GROUP_DIGITS || nd + x->nd > 19)
            break;
        if (j > i && (!simple_gap(x) || x->gap != g[i + 1].gap))
            break;
        memcpy(d + nd, x->d, x->nd);
        nd += x->nd;
        if (nd < 13 || !card_prefix(d))
            continue;
        size_t used = j - i + 1;
        bool shape = used == 1;
        if (!shape) {
            shape = x->nd >= 1 && x->nd <= 4;
            for (size_t k = i; k < j && shape; k++)
                shape = g[k].nd == 4;
        }
        if (!shape && used == 3)
            shape = g[i].nd == 4 && g[i + 1].nd == 6 && (x->nd == 5 || x->nd == 4);
        if (shape && redact_luhn_check((struct str){d, nd}))
            best = used;
    }
    return best;
}

static bool
kz_mobile(const char *d)
{
    static const char *const codes[] = {"700", "701", "702", "705", "707", "708", "747",
                                        "750", "751", "760", "761", "762", "763", "764",
                                        "771", "775", "776", "777", "778"};
    for (size_t k = 0; k < ARRAY_LEN(codes); k++)
        if (memcmp(d, codes[k], 3) == 0)
            return true;
    return false;
}

/* Do these group lengths write a 10-digit national number? */
static bool
national_shape(const size_t *len, size_t n)
{
    static const size_t shapes[][5] = {{10},   {3, 7},    {3, 3, 4},   {3, 3, 2, 2},
                                       {4, 6}, {4, 3, 3}, {4, 2, 2, 2}};
    static const size_t counts[] = {1, 2, 3, 4, 2, 3, 4};
    for (size_t s = 0; s < ARRAY_LEN(shapes); s++)
        if (counts[s] == n && memcmp(shapes[s], len, n * sizeof(*len)) == 0)
            return true;
    return false;
}

/* A phone number starting at g[i]: groups used, or 0; *plus if a '+' before it counts. */
static size_t
match_phone(const struct scan *sc, const struct group *g, size_t count, size_t i, bool *plus)
{
    const struct group *f = &g[i];
    size_t pvis = prev_visible(sc, g[i].b);
    *plus = pvis != (size_t)-1 && (sc->c[pvis].cp == '+' || sc->c[pvis].cp == 0xFF0B);
    if (f->nd > GROUP_DIGITS)
        return 0;
    size_t len[5], n = 0, total = 0, j = i + 1, pv = pvis;
    bool prefix = f->d[0] == '8' || f->d[0] == '7';
    if (prefix && (f->nd > 1 || j < count)) {
        char first_national = f->nd == 1 ? g[j].d[0] : f->d[1];
        if (f->nd > 1) {
            len[n++] = f->nd - 1;
            total = f->nd - 1;
        }
        /* A bare 7 (no +) only before a Kazakh number, which starts with 7. */
        bool ok = first_national >= '3' && first_national <= '9' &&
                  (*plus || f->d[0] == '8' || first_national == '7');
        for (; ok && j < count && total < 10 && n < 5; j++) {
            len[n++] = g[j].nd;
            total += g[j].nd;
        }
        if (ok && total == 10 && national_shape(len, n))
            return j - i;
    }
    /* No prefix: a Kazakh mobile number (whole, 3-7, 3-3-4 or 3-3-2-2), or a
     * Russian one (9XX) grouped 3-3-2-2. */
    *plus = false;
    if (pv != (size_t)-1 && is_digit(sc->c[pv].cp))
        return 0;
    n = 0;
    total = 0;
    for (j = i; j < count && total < 10 && n < 5; j++) {
        len[n++] = g[j].nd;
        total += g[j].nd;
    }
    if (total != 10 || !national_shape(len, n) || len[0] == 4)
        return 0;
    if (kz_mobile(f->d))
        return n;
    if (f->d[0] == '9' && n == 4 && len[1] == 3)
        return n;
    return 0;
}

static void
scan_numbers(struct scan *sc)
{
    struct group g[GROUPS_MAX];
    for (size_t i = 0; i < sc->n;) {
        if (!is_digit(sc->c[i].cp)) {
            i++;
            continue;
        }
        size_t count = read_run(sc, i, g);
        /* Every 12-digit group with a right check digit, whatever else it is. */
        for (size_t k = 0; k < count; k++)
            if (g[k].nd == 12 && redact_iin_check((struct str){g[k].d, 12}))
                add(sc, g[k].b, g[k].e, REDACT_IIN);
        for (size_t k = 0; k < count;) {
            bool plus = false;
            size_t card = match_card(g, count, k);
            size_t iin = match_grouped_iin(g, count, k);
            size_t phone = match_phone(sc, g, count, k, &plus);
            size_t used = MAX(card, MAX(iin, phone));
            if (used == 0) {
                k++;
                continue;
            }
            size_t b = g[k].b, e = g[k + used - 1].e;
            if (used == card)
                add(sc, b, e, REDACT_CARD);
            else if (used == iin)
                add(sc, b, e, REDACT_IIN);
            else
                add(sc, plus ? prev_visible(sc, b) : b, e, REDACT_PHONE);
            k += used;
        }
        i = g[count - 1].e;
    }
}

/* Every run of exactly 12 ASCII digits with a right check digit, even
 * where zero-width characters join it to more digits. */
static void
scan_plain_iins(struct scan *sc)
{
    for (size_t i = 0; i < sc->n;) {
        if (sc->c[i].cp < '0' || sc->c[i].cp > '9') {
            i++;
            continue;
        }
        size_t j = i;
        char d[12];
        while (j < sc->n && sc->c[j].cp >= '0' && sc->c[j].cp <= '9') {
            if (j - i < 12)
                d[j - i] = (char)sc->c[j].cp;
            j++;
        }
        if (j - i == 12 && redact_iin_check((struct str){d, 12}))
            add(sc, i, j, REDACT_IIN);
        i = j;
    }
}

static void
scan_ibans(struct scan *sc)
{
    for (size_t i = 0; i + 1 < sc->n; i++) {
        if (sc->c[i].cp != 'K' && sc->c[i].cp != 'k')
            continue;
        size_t z = skip_invisible(sc, i + 1);
        if (z >= sc->n || (sc->c[z].cp != 'Z' && sc->c[z].cp != 'z'))
            continue;
        size_t pv = prev_visible(sc, i);
        if (pv != (size_t)-1 && is_ascii_alnum(sc->c[pv].cp))
            continue;
        char buf[20] = {'K', 'Z'};
        size_t got = 2, j = z + 1, end = j;
        while (got < 20) {
            j = skip_invisible(sc, j);
            if (j >= sc->n)
                break;
            int32_t cp = sc->c[j].cp;
            if (is_ascii_alnum(cp)) {
                buf[got++] = (char)cp;
                end = ++j;
                continue;
            }
            unsigned k = gap_kind(cp);
            size_t nx = skip_invisible(sc, j + 1);
            if ((k == GAP_SPACE || k == GAP_DASH) && nx < sc->n && is_ascii_alnum(sc->c[nx].cp)) {
                j = nx;
                continue;
            }
            break;
        }
        if (got < 20)
            continue;
        size_t after = skip_invisible(sc, end);
        if (after < sc->n && is_ascii_alnum(sc->c[after].cp))
            continue;
        if (redact_iban_check((struct str){buf, 20}))
            add(sc, i, end, REDACT_IBAN);
    }
}

static bool
is_local_char(int32_t cp)
{
    return cp == '.' || cp == '_' || cp == '%' || cp == '+' || cp == '-' || text__is_letter(cp) ||
           text__is_digit(cp);
}

static bool
is_label_char(int32_t cp)
{
    return cp == '-' || text__is_letter(cp) || text__is_digit(cp) || text__is_mark(cp);
}

static bool
ascii_ieq(int32_t cp, char c)
{
    return cp == c || (c >= 'a' && c <= 'z' && cp == c - 'a' + 'A');
}

/* An "@" at i: "@", "＠", or "[at]" / "(at)" with optional spaces around.
 * *lo is where the local part ends, *hi where the domain starts. */
static bool
at_sign(const struct scan *sc, size_t i, size_t *lo, size_t *hi)
{
    int32_t cp = sc->c[i].cp;
    if (cp == '@' || cp == 0xFF20) {
        *lo = i;
        *hi = i + 1;
        return true;
    }
    if ((cp != '[' && cp != '(') || i + 3 >= sc->n)
        return false;
    int32_t close = cp == '[' ? ']' : ')';
    if (!ascii_ieq(sc->c[i + 1].cp, 'a') || !ascii_ieq(sc->c[i + 2].cp, 't') ||
        sc->c[i + 3].cp != close)
        return false;
    *lo = i;
    while (*lo > 0 && sc->c[*lo - 1].cp == ' ')
        (*lo)--;
    *hi = i + 4;
    while (*hi < sc->n && sc->c[*hi].cp == ' ')
        (*hi)++;
    return true;
}

static void
scan_emails(struct scan *sc)
{
    for (size_t i = 0; i < sc->n; i++) {
        size_t lo, hi;
        if (!at_sign(sc, i, &lo, &hi))
            continue;
        size_t b = lo;
        while (b > 0 && is_local_char(sc->c[b - 1].cp))
            b--;
        while (b < lo && sc->c[b].cp == '.')
            b++;
        if (b == lo)
            continue;
        /* Labels separated by single dots; the last one letters only, 2+. */
        size_t e = hi, labels = 0, last_b = hi, end = hi;
        while (e < sc->n) {
            size_t lb = e;
            while (e < sc->n && is_label_char(sc->c[e].cp))
                e++;
            if (e == lb)
                break;
            labels++;
            last_b = lb;
            end = e;
            if (e + 1 < sc->n && sc->c[e].cp == '.' && is_label_char(sc->c[e + 1].cp))
                e++;
            else
                break;
        }
        if (labels < 2)
            continue;
        size_t tld = 0;
        bool letters = true;
        for (size_t k = last_b; k < end; k++) {
            letters = letters && (text__is_letter(sc->c[k].cp) || text__is_mark(sc->c[k].cp));
            tld++;
        }
        if (!letters || tld < 2)
            continue;
        add(sc, b, end, REDACT_EMAIL);
        i = end - 1;
    }
}

static int
by_start(const void *x, const void *y)
{
    const struct cand *a = x, *b = y;
    if (a->b != b->b)
        return a->b < b->b ? -1 : 1;
    return a->e > b->e ? -1 : a->e < b->e;
}

/* Sort, widen to whole digit runs, merge overlaps; the new count. */
static size_t
merge(struct scan *sc)
{
    struct cand *c = sc->cand;
    if (sc->count == 0)
        return 0;
    for (size_t k = 0; k < sc->count; k++) {
        while (c[k].b > 0 && is_digit(sc->c[c[k].b].cp) && is_digit(sc->c[c[k].b - 1].cp))
            c[k].b--;
        while (c[k].e < sc->n && is_digit(sc->c[c[k].e - 1].cp) && is_digit(sc->c[c[k].e].cp))
            c[k].e++;
    }
    qsort(c, sc->count, sizeof(*c), by_start);
    size_t out = 0;
    for (size_t k = 0; k < sc->count; k++) {
        if (out > 0 && c[k].b < c[out - 1].e) {
            if (c[k].e > c[out - 1].e)
                c[out - 1].e = c[k].e;
            continue;
        }
        c[out++] = c[k];
    }
    return out;
}

enum err
redact_scan(struct arena *a, struct str s, struct redact_span **spans, size_t *count)
{
    if (s.len > REDACT_MAX)
        return ERR_TOOBIG;
    struct ch *c = ARENA_ARRAY(a, struct ch, s.len + 1);
    size_t n = 0;
    for (size_t i = 0; i < s.len;) {
        c[n].off = i;
        i += text__decode(s.p + i, s.len - i, &c[n].cp);
        n++;
    }
    c[n] = (struct ch){-1, s.len};
    struct scan sc = {.a = a, .c = c, .n = n};
    scan_emails(&sc);
    scan_ibans(&sc);
    scan_plain_iins(&sc);
    scan_numbers(&sc);
    size_t m = merge(&sc);
    struct redact_span *r = m ? ARENA_ARRAY(a, struct redact_span, m) : NULL;
    for (size_t k = 0; k < m; k++)
        r[k] = (struct redact_span){c[sc.cand[k].b].off, c[sc.cand[k].e].off - c[sc.cand[k].b].off,
                                    sc.cand[k].kind};
    *spans = r;
    *count = m;
    return ERR_OK;
}

enum err
redact_apply(struct arena *a, struct str s, const struct redact_span *spans, size_t count,
             struct str *out)
{
    size_t need = s.len, at = 0;
    for (size_t k = 0; k < count; k++) {
        if (spans[k].off < at || spans[k].len == 0 || spans[k].off > s.len ||
            spans[k].len > s.len - spans[k].off)
            return ERR_INVALID;
        at = spans[k].off + spans[k].len;
        need += strlen(redact_placeholder(spans[k].kind));
    }
    char *p = arena_alloc(a, need + 1);
    size_t len = 0;
    at = 0;
    for (size_t k = 0; k < count; k++) {
        if (spans[k].off > at)
            memcpy(p + len, s.p + at, spans[k].off - at);
        len += spans[k].off - at;
        const char *ph = redact_placeholder(spans[k].kind);
        memcpy(p + len, ph, strlen(ph));
        len += strlen(ph);
        at = spans[k].off + spans[k].len;
    }
    if (s.len > at)
        memcpy(p + len, s.p + at, s.len - at);
    len += s.len - at;
    p[len] = '\0';
    *out = (struct str){p, len};
    return ERR_OK;
}

enum err
redact_text(struct arena *a, struct str s, struct str *out, struct redact_span **spans,
            size_t *count)
{
    struct redact_span *sp;
    size_t n;
    enum err e = redact_scan(a, s, &sp, &n);
    if (e)
        return e;
    e = redact_apply(a, s, sp, n, out);
    if (e)
        return e;
    if (spans)
        *spans = sp;
    if (count)
        *count = n;
    return ERR_OK;
}
