/*
 * token.c - the tokeniser: one pass to find the spans, a second to fold
 * each. Exports token_split(); everything else is static.
 */
#include "text/token.h"

#include <endian.h>
#include <string.h>
#include <utf8proc.h>

#include "base/util.h"
#include "text/normalise.h"
#include "text/text_int.h"

static bool
is_apostrophe(int32_t cp)
{
    return cp == '\'' || cp == 0x2019 || cp == 0x2BC;
}

static bool
is_inner_point(int32_t cp)
{
    return cp == '.' || cp == ',';
}

static inline bool
is_body(int32_t cp)
{
    /* ASCII and Cyrillic letters first: nearly every character asked. */
    if (cp < 0x80)
        return ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') || (cp >= '0' && cp <= '9');
    if ((cp >= 0x400 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x52F))
        return true;
    return text__is_letter(cp) || text__is_digit(cp) || text__is_mark(cp);
}

/* The code point after byte i, or -1 at the end; *n its length. Invalid
 * UTF-8 there (U+FFFD for one byte) sets *bad: the walk decodes every
 * byte of the text, so it checks the text as it goes. */
static int32_t
peek(struct str s, size_t i, size_t *n, bool *bad)
{
    int32_t cp;
    if (i >= s.len) {
        *n = 0;
        return -1;
    }
    *n = text__decode(s.p + i, s.len - i, &cp);
    if (cp == TEXT__REPLACEMENT && *n == 1)
        *bad = true;
    return cp;
}

/* The token starting at byte i (a body character): its end, and what it is. */
static size_t
scan(struct str s, size_t i, struct token *t, bool *bad)
{
    bool latin = false, cyr = false, other = false;
    size_t letters = 0;
    int32_t prev = -1;
    size_t end = i;
    t->kind = TOKEN_NUMBER;
    while (end < s.len) {
        /* ASCII and basic Cyrillic letters (U+0400..U+047F: D0 or D1 and
         * a continuation byte) and ASCII digits without the general
         * classes: nearly every character of a token. */
        unsigned char b = (unsigned char)s.p[end];
        if (b < 0x80 && ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')) {
            letters++;
            t->kind = TOKEN_WORD;
            latin = true;
            prev = b;
            end++;
            continue;
        }
        if (b >= '0' && b <= '9') {
            prev = b;
            end++;
            continue;
        }
        if ((b == 0xD0 || b == 0xD1) && end + 1 < s.len &&
            ((unsigned char)s.p[end + 1] & 0xC0) == 0x80) {
            letters++;
            t->kind = TOKEN_WORD;
            cyr = true;
            prev = (int32_t)((b & 0x1Fu) << 6 | ((unsigned char)s.p[end + 1] & 0x3Fu));
            end += 2;
            continue;
        }
        size_t n, n2;
        int32_t cp = peek(s, end, &n, bad);
        if (is_body(cp) || (text__is_invisible(cp) && prev >= 0)) {
            if (text__is_letter(cp)) {
                letters++;
                t->kind = TOKEN_WORD;
                if (text__is_latin(cp))
                    latin = true;
                else if (text__is_cyrillic(cp))
                    cyr = true;
                else
                    other = true;
            }
            if (!text__is_invisible(cp) && !text__is_mark(cp))
                prev = cp;
            end += n;
            continue;
        }
        int32_t next = peek(s, end + n, &n2, bad);
        bool joins = (is_apostrophe(cp) && text__is_letter(prev) && text__is_letter(next)) ||
                     (is_inner_point(cp) && text__is_digit(prev) && text__is_digit(next));
        if (!joins)
            break;
        end += n;
        prev = cp;
    }
    /* Trailing invisibles are not part of the token. */
    while (end > i) {
        size_t k = end - 1;
        while (k > i && ((unsigned char)s.p[k] & 0xC0) == 0x80)
            k--;
        int32_t cp;
        (void)text__decode(s.p + k, end - k, &cp);
        if (!text__is_invisible(cp))
            break;
        end = k;
    }
    t->off = i;
    t->len = end - i;
    t->letter_count = letters;
    if (letters == 0)
        t->script = TOKEN_SCRIPT_NONE;
    else if (other)
        t->script = TOKEN_SCRIPT_OTHER;
    else if (latin && cyr)
        t->script = TOKEN_SCRIPT_MIXED;
    else
        t->script = latin ? TOKEN_SCRIPT_LATIN : TOKEN_SCRIPT_CYRILLIC;
    return end;
}

/* The lower case of U+0400..U+045F in UTF-8 (lead byte, then the other),
 * by (lead byte & 1) << 6 | (other byte & 0x3F) of the letter: D0 80..BF,
 * D1 80..9F; 0 for D1 A0..BF, which are left to utf8proc. */
static const uint16_t cyrillic_lower[128] = {
#define CYR4(x) x, x + 1, x + 2, x + 3
#define CYR16(x) CYR4(x), CYR4(x + 4), CYR4(x + 8), CYR4(x + 12)
    CYR16(0xD190), /* U+0400..U+040F -> U+0450..U+045F */
    CYR16(0xD0B0), /* U+0410..U+041F -> U+0430..U+043F */
    CYR16(0xD180), /* U+0420..U+042F -> U+0440..U+044F */
    CYR16(0xD0B0), /* U+0430..U+043F */
    CYR16(0xD180), /* U+0440..U+044F */
    CYR16(0xD190), /* U+0450..U+045F */
#undef CYR16
#undef CYR4
};

/*
 * The token at byte i when it is made of ASCII letters and digits and
 * basic Cyrillic letters (U+0400..U+045F) only and ends where nothing could
 * join it: its end, with *t filled and its normal form written at out (and
 * a NUL after it); 0 otherwise, and the token takes scan() and
 * fold_token(). Nearly every token of an appeal is such a token, and this
 * finds and folds it in one step a character, giving what the slow way
 * gives: the same span, script and normal form.
 */
static size_t
scan_fast(struct str s, size_t i, struct token *t, char *out)
{
    size_t end = i, o = 0, letters = 0;
    bool latin = false, cyr = false, digit = false;
    while (end < s.len) {
        unsigned char b = (unsigned char)s.p[end];
        if (b < 0x80) {
            if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z') {
                out[o++] = (char)(b | 0x20);
                letters++;
                latin = true;
                digit = false;
                end++;
                continue;
            }
            if (b >= '0' && b <= '9') {
                out[o++] = (char)b;
                digit = true;
                end++;
                continue;
            }
            /* An apostrophe after a letter, or a point or comma after a
             * digit, may join what follows. */
            if ((b == '\'' && o > 0 && !digit) || ((b == '.' || b == ',') && digit))
                return 0;
            break;
        }
        if (end + 1 >= s.len || (b & 0xFE) != 0xD0)
            return 0;
        unsigned char c = (unsigned char)s.p[end + 1];
        uint16_t low = (c & 0xC0) == 0x80 ? cyrillic_lower[(b & 1) << 6 | (c & 0x3F)] : 0;
        if (!low)
            return 0;
        out[o++] = (char)(low >> 8);
        out[o++] = (char)(low & 0xFF);
        letters++;
        cyr = true;
        digit = false;
        end += 2;
    }
    out[o] = '\0';
    t->off = i;
    t->len = end - i;
    t->norm = (struct str){out, o};
    t->kind = letters ? TOKEN_WORD : TOKEN_NUMBER;
    t->letter_count = letters;
    if (letters == 0)
        t->script = TOKEN_SCRIPT_NONE;
    else if (latin && cyr)
        t->script = TOKEN_SCRIPT_MIXED;
    else
        t->script = latin ? TOKEN_SCRIPT_LATIN : TOKEN_SCRIPT_CYRILLIC;
    return end;
}

/* Tokens token_split() finds in one walk, on the stack. */
enum { TOKEN_STACK = 256 };

/* Walk s; fill t[0 .. max) when it is not NULL. The token count; *bad set
 * if s is not valid UTF-8. A token scan_fast() takes has its normal form
 * written at out (room for the text's bytes and a NUL a token); the others
 * have none yet (norm.p NULL). */
static size_t
walk(struct str s, struct token *t, size_t max, char *out, bool *bad)
{
    size_t count = 0, o = 0;
    for (size_t i = 0; i < s.len;) {
        unsigned char b = (unsigned char)s.p[i];
        bool alnum = (b | 0x20) >= 'a' && (b | 0x20) <= 'z';
        alnum = alnum || (b >= '0' && b <= '9');
        /* ASCII space and punctuation between tokens, without decoding. */
        if (b < 0x80 && !alnum) {
            i++;
            continue;
        }
        struct token tmp;
        size_t end = 0;
        if (alnum || b == 0xD0 || b == 0xD1)
            end = scan_fast(s, i, &tmp, out + o);
        if (end) {
            o += tmp.norm.len + 1;
        } else {
            size_t n;
            int32_t cp = peek(s, i, &n, bad);
            if (!is_body(cp) || text__is_mark(cp)) {
                i += n;
                continue;
            }
            end = scan(s, i, &tmp, bad);
            tmp.norm = (struct str){NULL, 0};
        }
        if (t && count < max)
            t[count] = tmp;
        count++;
        i = end;
    }
    return count;
}

/* Can cp be folded by utf8proc_tolower() alone, NFC and all? ASCII,
 * Latin-1 and Latin Extended-A (not ß ŉ ſ, which fold to two letters) and
 * Cyrillic: the letters of nearly every appeal. */
static bool
simple_fold(int32_t cp)
{
    return cp < 0x80 || (cp >= 0xC0 && cp < 0x180 && cp != 0xDF && cp != 0x149 && cp != 0x17F) ||
           (cp >= 0x400 && cp < 0x530);
}

/* The lower case of cp (simple_fold(cp)): ASCII and the basic Cyrillic
 * capitals by arithmetic, the rest by utf8proc. */
static int32_t
lower_simple(int32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp;
    if (cp >= 0x410 && cp <= 0x42F)
        return cp + 0x20;
    if (cp >= 0x430 && cp <= 0x45F) /* already lower case */
        return cp;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    return cp == 0x130 ? 'i' : utf8proc_tolower(cp);
}

/* The normal form of token t of s in one pass, without utf8proc_map()'s
 * malloc while every character folds simply (the same result: see
 * simple_fold()); normalise_text() from the first one that does not. */
static enum err
fold_token(struct arena *a, struct str s, struct token *t)
{
    struct str w = {s.p + t->off, t->len};
    /* Lower case never takes more bytes than upper case here. */
    char *p = arena_alloc(a, w.len + 1);
    size_t len = 0;
    for (size_t i = 0; i < w.len;) {
        unsigned char b = (unsigned char)w.p[i];
        if (b < 0x80) {
            p[len++] = (char)(b >= 'A' && b <= 'Z' ? b + 0x20 : b);
            i++;
            continue;
        }
        int32_t cp;
        i += text__decode(w.p + i, w.len - i, &cp);
        if (!simple_fold(cp))
            return normalise_text(a, w, &t->norm);
        cp = lower_simple(cp);
        if (cp < 0x80) {
            p[len++] = (char)cp;
        } else if (cp < 0x800) {
            p[len++] = (char)(0xC0 | (cp >> 6));
            p[len++] = (char)(0x80 | (cp & 0x3F));
        } else {
            len += text__encode(cp, p + len);
        }
    }
    p[len] = '\0';
    t->norm = (struct str){p, len};
    return ERR_OK;
}

/* Bytes every hash reads, whatever the length: three blocks of eight,
 * zero past the end. Words up to this long hash without a branch. */
enum { HASH_HEAD = 24 };

static inline uint64_t
hash_block(uint64_t h, uint64_t v)
{
    h = (h ^ v) * 0xff51afd7ed558ccdull;
    return h ^ h >> 32;
}

static inline uint64_t
hash_end(uint64_t h)
{
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ h >> 29;
}

/* The first n bytes (n <= 8) of the 8 at p as a little-endian number. */
static const uint64_t keep[9] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF, ~0ull,
};

static inline uint64_t
load_block(const char *p, size_t n)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return le64toh(v) & keep[n];
}

uint64_t
token_hash(struct str w)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ w.len;
    for (size_t i = 0; i < HASH_HEAD || i < w.len; i += 8) {
        size_t n = i < w.len ? MIN(w.len - i, 8) : 0;
        uint64_t v = 0;
        for (size_t k = 0; k < n; k++)
            v |= (uint64_t)(unsigned char)w.p[i + k] << 8 * k;
        h = hash_block(h, v);
    }
    return hash_end(h);
}

/* token_hash() of the len bytes at p, which are followed by at least
 * HASH_HEAD more that may be read: whole blocks read and masked. */
static inline uint64_t
hash_padded(const char *p, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ len;
    h = hash_block(h, load_block(p, MIN(len, 8)));
    h = hash_block(h, load_block(p + 8, len > 8 ? MIN(len - 8, 8) : 0));
    h = hash_block(h, load_block(p + 16, len > 16 ? MIN(len - 16, 8) : 0));
    for (size_t i = HASH_HEAD; i < len; i += 8)
        h = hash_block(h, load_block(p + i, MIN(len - i, 8)));
    return hash_end(h);
}

enum err
token_split(struct arena *a, struct str s, struct token **tokens, size_t *count)
{
    if (s.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    /* One walk for a text of up to TOKEN_STACK tokens (nearly every
     * appeal); a longer one is walked again into its array, writing the
     * same normal forms again. A token takes at least one byte and is
     * followed by a separator or the end, so there are at most
     * (len + 1) / 2 of them, each with its NUL. */
    char *out = arena_alloc(a, s.len + s.len / 2 + 2 + HASH_HEAD);
    struct token first[TOKEN_STACK];
    bool bad = false;
    size_t n = walk(s, first, TOKEN_STACK, out, &bad);
    if (bad)
        return ERR_INVALID;
    if (n > TOKEN_MAX)
        return ERR_TOOBIG;
    struct token *t = n ? ARENA_ARRAY(a, struct token, n) : NULL;
    if (n > TOKEN_STACK)
        (void)walk(s, t, n, out, &bad);
    else if (n > 0) /* memcpy() wants a pointer even for 0 bytes */
        memcpy(t, first, n * sizeof(*t));
    for (size_t k = 0; k < n; k++) {
        if (t[k].norm.p) { /* in out, with room to read past it */
            t[k].hash = hash_padded(t[k].norm.p, t[k].norm.len);
            continue;
        }
        enum err e = fold_token(a, s, &t[k]);
        /* A valid slice of valid UTF-8 at character bounds is valid. */
        if (e)
            return e;
        t[k].hash = token_hash(t[k].norm);
    }
    *tokens = t;
    *count = n;
    return ERR_OK;
}
