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

/* The script of a token of letters letters, some Latin, Cyrillic or other. */
static enum token_script
script_of(size_t letters, bool latin, bool cyr, bool other)
{
    if (letters == 0)
        return TOKEN_SCRIPT_NONE;
    if (other)
        return TOKEN_SCRIPT_OTHER;
    if (latin && cyr)
        return TOKEN_SCRIPT_MIXED;
    return latin ? TOKEN_SCRIPT_LATIN : TOKEN_SCRIPT_CYRILLIC;
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
    t->script = script_of(letters, latin, cyr, other);
    return end;
}

/* Bytes every hash reads, whatever the length: three blocks of eight,
 * zero past the end. Words up to this long hash without a branch. */
enum { HASH_HEAD = 24 };

/* The high and low halves of a * b, mixed: every bit of the result
 * depends on every bit of both unless one of them is 0. */
static inline uint64_t
mum(uint64_t a, uint64_t b)
{
    __extension__ unsigned __int128 r = (unsigned __int128)a * b;
    return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/* Keys the blocks are mixed with. The low byte of each is 0 and the high
 * one is not, which no block of a normal form is (its bytes are not 0 and
 * those past its end are), so no block ^ key is 0. */
#define HASH_K0 0xa0761d6478bd6400ull
#define HASH_K1 0xe7037ed1a0b42800ull
#define HASH_K2 0x8ebc6af09c88c600ull
#define HASH_K3 0x589965cc75374c00ull

/* The hash of a normal form of len bytes by its blocks: the first three
 * (a, b, c) in two independent products, the rest one after another. */
static inline uint64_t
hash_head(uint64_t a, uint64_t b, uint64_t c, size_t len)
{
    return mum(a ^ HASH_K0, b ^ HASH_K1) ^ mum(c ^ HASH_K2, (uint64_t)len ^ HASH_K3);
}

static inline uint64_t
hash_more(uint64_t h, uint64_t v)
{
    return mum(h ^ HASH_K1, v ^ HASH_K0);
}

static inline uint64_t
hash_end(uint64_t h)
{
    h *= 0xc4ceb9fe1a85ec53ull;
    return h ^ h >> 29;
}

/* The first n bytes (n <= 8) of the 8 at p as a little-endian number. */
static const uint64_t byte_mask[9] = {
    0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFFFF, 0xFFFFFFFFFFFF, 0xFFFFFFFFFFFFFF, ~0ull,
};

static inline uint64_t
load_block(const char *p, size_t n)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return le64toh(v) & byte_mask[n];
}

/* Block i (of 8 bytes) of w, zero past its end. */
static uint64_t
block_of(struct str w, size_t i)
{
    size_t n = i < w.len ? MIN(w.len - i, 8) : 0;
    uint64_t v = 0;
    for (size_t k = 0; k < n; k++)
        v |= (uint64_t)(unsigned char)w.p[i + k] << 8 * k;
    return v;
}

uint64_t
token_hash(struct str w)
{
    uint64_t h = hash_head(block_of(w, 0), block_of(w, 8), block_of(w, 16), w.len);
    for (size_t i = HASH_HEAD; i < w.len; i += 8)
        h = hash_more(h, block_of(w, i));
    return hash_end(h);
}

/* token_hash() of the len bytes at p, which are followed by at least
 * HASH_HEAD more that may be read: whole blocks read and masked. */
static inline uint64_t
hash_padded(const char *p, size_t len)
{
    uint64_t h =
        hash_head(load_block(p, MIN(len, 8)), load_block(p + 8, len > 8 ? MIN(len - 8, 8) : 0),
                  load_block(p + 16, len > 16 ? MIN(len - 16, 8) : 0), len);
    for (size_t i = HASH_HEAD; i < len; i += 8)
        h = hash_more(h, load_block(p + i, MIN(len - i, 8)));
    return hash_end(h);
}

/* Could byte next, after a token whose last character is a digit or
 * not, join the token to what follows: an apostrophe after a letter, a
 * point or comma after a digit (scan() then decides by what follows). */
static inline bool
may_join(unsigned char next, bool after_digit)
{
    return after_digit ? next == '.' || next == ',' : next == '\'';
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
 * join it: its end, with *t filled (its hash too) and its normal form
 * written at out (and a NUL after it; out has room to read a hash's blocks
 * past it); 0 otherwise, and the token takes scan() and
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
            if (may_join(b, digit))
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
    t->hash = hash_padded(out, o);
    t->kind = letters ? TOKEN_WORD : TOKEN_NUMBER;
    t->letter_count = letters;
    t->script = script_of(letters, latin, cyr, false);
    return end;
}

/* What a walk fills: up to max tokens at t, and their count (which may
 * pass max: the tokens past it are counted, not kept). */
struct walk {
    struct token *t;
    size_t max, count;
};

static inline void
walk_put(struct walk *w, const struct token *tok)
{
    if (w->count < w->max)
        w->t[w->count] = *tok;
    w->count++;
}

/* Walk s from byte i on, a character at a time, until a token or the gap
 * between two ends at or past byte stop; where it ended. A token
 * scan_fast() takes has its normal form written at out + its offset (out
 * mirrors the text: a token's normal form is as long as the token and the
 * byte after it is a separator or the end) and its hash; the others have
 * none yet (norm.p NULL). *bad set if s is not valid UTF-8 there. */
static size_t
walk_bytes(struct str s, size_t i, size_t stop, struct walk *w, char *out, bool *bad)
{
    while (i < stop) {
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
            end = scan_fast(s, i, &tmp, out + i);
        if (!end) {
            size_t n;
            int32_t cp = peek(s, i, &n, bad);
            if (!is_body(cp) || text__is_mark(cp)) {
                i += n;
                continue;
            }
            end = scan(s, i, &tmp, bad);
            tmp.norm = (struct str){NULL, 0};
        }
        walk_put(w, &tmp);
        i = end;
    }
    return i;
}

#ifdef __SSE2__
/*
 * The walk sixteen bytes a step, for texts of plain tokens. Each step
 * classifies its bytes at once into bitmaps (one bit a byte of the text):
 * word bytes (ASCII letters and digits, and every byte from 0x80 up),
 * ASCII letters, Cyrillic lead bytes, and "odd" bytes: any byte from 0x80
 * up that is not part of a basic Cyrillic letter scan_fast() folds (D0
 * 80..BF, D1 80..9F). It also writes the step's sixteen bytes folded, the
 * way scan_fast() folds them, to out. A run of word bytes with no odd
 * byte, and nothing after it that could join it, is a token as the walk
 * a character at a time would make it; any other run is walked that way
 * (walk_bytes()), which gives the same tokens by construction.
 */
#include <emmintrin.h>

enum { SIMD_MIN = 64 }; /* shorter texts walk a character at a time */

/* Bits a text of len bytes needs per bitmap: whole words, and one more
 * that is all zero, so that a run always ends inside the map. */
static size_t
map_words(size_t len)
{
    return len / 64 + 2;
}

struct maps {
    uint64_t *word, *letter, *lead, *odd;
};

/* Classify and fold s (a copy padded with zero bytes: src[-1] and
 * src[len .. len + 16] readable) into m and out. */
static void
classify(const unsigned char *src, size_t len, struct maps *m, char *out)
{
    const __m128i x20 = _mm_set1_epi8(0x20), d0 = _mm_set1_epi8((char)0xD0),
                  d1 = _mm_set1_epi8((char)0xD1);
    /* as signed bytes: 0x80..0xBF are -128..-65 */
    const __m128i c_c0 = _mm_set1_epi8(-64), c_90 = _mm_set1_epi8(-112), c_a0 = _mm_set1_epi8(-96),
                  c_b0 = _mm_set1_epi8(-80);
    for (size_t i = 0; i < len; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(src + i));
        __m128i prev = _mm_loadu_si128((const __m128i *)(src + i - 1));
        __m128i next = _mm_loadu_si128((const __m128i *)(src + i + 1));
        __m128i lower = _mm_or_si128(v, x20);
        __m128i letter = _mm_and_si128(_mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)),
                                       _mm_cmplt_epi8(lower, _mm_set1_epi8('z' + 1)));
        __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
        __m128i upper = _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                                      _mm_cmplt_epi8(v, _mm_set1_epi8('Z' + 1)));
        __m128i is_d0 = _mm_cmpeq_epi8(v, d0), is_d1 = _mm_cmpeq_epi8(v, d1);
        __m128i cont = _mm_cmplt_epi8(v, c_c0);
        __m128i next_cont = _mm_cmplt_epi8(next, c_c0);
        __m128i prev_d0 = _mm_cmpeq_epi8(prev, d0), prev_d1 = _mm_cmpeq_epi8(prev, d1);
        /* a lead: D0 before any continuation, D1 before 80..9F */
        __m128i next_low = _mm_cmplt_epi8(next, c_a0); /* 80..9F when a continuation */
        __m128i lead =
            _mm_and_si128(next_cont, _mm_or_si128(is_d0, _mm_and_si128(is_d1, next_low)));
        /* a continuation after D0, or after D1 when it is 80..9F */
        __m128i low = _mm_cmplt_epi8(v, c_a0);
        __m128i tail = _mm_and_si128(cont, _mm_or_si128(prev_d0, _mm_and_si128(prev_d1, low)));
        /* fold: A-Z + 0x20; after D0: 80..8F + 0x10, 90..9F + 0x20,
         * A0..AF - 0x20; D0 before 80..8F or A0..AF becomes D1 */
        __m128i r8 = _mm_cmplt_epi8(v, c_90);                        /* 80..8F */
        __m128i r9 = _mm_andnot_si128(r8, low);                      /* 90..9F */
        __m128i ra = _mm_andnot_si128(low, _mm_cmplt_epi8(v, c_b0)); /* A0..AF */
        __m128i delta_tail = _mm_and_si128(
            prev_d0, _mm_or_si128(_mm_and_si128(r8, _mm_set1_epi8(0x10)),
                                  _mm_or_si128(_mm_and_si128(r9, x20),
                                               _mm_and_si128(ra, _mm_set1_epi8((char)0xE0)))));
        __m128i n8 = _mm_cmplt_epi8(next, c_90);
        __m128i na = _mm_andnot_si128(next_low, _mm_cmplt_epi8(next, c_b0));
        __m128i delta_lead =
            _mm_and_si128(is_d0, _mm_and_si128(_mm_or_si128(n8, na), _mm_set1_epi8(1)));
        __m128i folded = _mm_add_epi8(
            v, _mm_add_epi8(_mm_and_si128(upper, x20), _mm_add_epi8(delta_tail, delta_lead)));
        _mm_storeu_si128((__m128i *)(out + i), folded);
        unsigned hi = (unsigned)_mm_movemask_epi8(v);
        unsigned word = hi | (unsigned)_mm_movemask_epi8(_mm_or_si128(letter, digit));
        unsigned odd = hi & ~(unsigned)_mm_movemask_epi8(_mm_or_si128(lead, tail));
        size_t w = i / 64, sh = i % 64;
        m->word[w] |= (uint64_t)word << sh;
        m->letter[w] |= (uint64_t)(unsigned)_mm_movemask_epi8(letter) << sh;
        m->lead[w] |= (uint64_t)(unsigned)_mm_movemask_epi8(lead) << sh;
        m->odd[w] |= (uint64_t)odd << sh;
    }
}

/* The first set bit of map at or after bit i (of a map with a zero word
 * at the end: see map_words()); nbits when none is. */
static size_t
next_set(const uint64_t *map, size_t i, size_t nbits)
{
    size_t w = i / 64, words = nbits / 64;
    uint64_t m = map[w] & (~0ull << (i % 64));
    while (m == 0) {
        if (++w >= words)
            return nbits;
        m = map[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(m);
}

/* The first clear bit of map at or after bit i (there is one). */
static size_t
next_clear(const uint64_t *map, size_t i)
{
    size_t w = i / 64;
    uint64_t m = ~map[w] & (~0ull << (i % 64));
    while (m == 0)
        m = ~map[++w];
    return w * 64 + (size_t)__builtin_ctzll(m);
}

/* Set bits in x: one instruction in walk_simd()'s clone for CPUs that
 * have it. */
static inline size_t
popcount64(uint64_t x)
{
    return (size_t)__builtin_popcountll(x);
}

/* What the run of bits [from, to) holds: odd bytes (any), ASCII letters
 * (any) and letters (a count). */
struct run {
    bool odd, latin, cyrillic;
    size_t letters;
};

static inline struct run
run_of(const struct maps *m, size_t from, size_t to)
{
    struct run r = {false, false, false, 0};
    while (from < to) {
        size_t w = from / 64, lo = from % 64, hi = to - w * 64 < 64 ? to - w * 64 : 64;
        uint64_t keep = (hi - lo < 64 ? (1ull << (hi - lo)) - 1 : ~0ull) << lo;
        uint64_t lat = m->letter[w] & keep, cyr = m->lead[w] & keep;
        r.odd |= (m->odd[w] & keep) != 0;
        r.latin |= lat != 0;
        r.cyrillic |= cyr != 0;
        r.letters += popcount64(lat | cyr);
        from = w * 64 + hi;
    }
    return r;
}

/* Tokens a text of the maps m (words of them) can have at most: one at
 * the start of each run of word bytes, and one after each odd byte. A
 * token starts at a word byte, and where it does not start a run, the
 * byte before it ends a character the walk stepped over (not a letter,
 * digit or basic Cyrillic letter, or a mark or invisible one): from 0x80
 * up and odd, as no byte of such a character is a basic Cyrillic lead or
 * tail. */
static size_t
token_bound(const struct maps *m, size_t words)
{
    size_t n = 0;
    uint64_t carry = 0;
    for (size_t i = 0; i < words; i++) {
        n += popcount64(m->word[i] & ~(m->word[i] << 1 | carry)) + popcount64(m->odd[i]);
        carry = m->word[i] >> 63;
    }
    return n;
}

/* The walk of s (at least SIMD_MIN bytes) by bitmaps; see classify(). A
 * walk without an array (w->t NULL) is given one in a, of token_bound()
 * tokens. */
__attribute__((target_clones("popcnt", "default"))) static void
walk_simd(struct arena *a, struct str s, struct walk *w, char *out, bool *bad)
{
    size_t words = map_words(s.len), nbits = words * 64;
    /* the text between 16 zero bytes and 32 */
    unsigned char *src = arena_alloc_raw(a, s.len + 48);
    memset(src, 0, 16);
    memcpy(src + 16, s.p, s.len);
    memset(src + 16 + s.len, 0, 32);
    struct maps m = {ARENA_ARRAY(a, uint64_t, words), ARENA_ARRAY(a, uint64_t, words),
                     ARENA_ARRAY(a, uint64_t, words), ARENA_ARRAY(a, uint64_t, words)};
    classify(src + 16, s.len, &m, out);
    if (!w->t) {
        w->max = token_bound(&m, words);
        w->t = arena_alloc_raw(a, w->max * sizeof(*w->t));
    }
    size_t i = 0;
    while (i < s.len) {
        size_t start = next_set(m.word, i, nbits);
        if (start >= s.len)
            break;
        size_t end = next_clear(m.word, start);
        struct run r = run_of(&m, start, end);
        bool plain = !r.odd;
        if (plain && end < s.len) {
            unsigned char last = (unsigned char)s.p[end - 1];
            plain = !may_join((unsigned char)s.p[end], last >= '0' && last <= '9');
        }
        if (!plain) {
            i = walk_bytes(s, start, end, w, out, bad);
            continue;
        }
        out[end] = '\0';
        struct token tok = {
            .off = start,
            .len = end - start,
            .norm = {out + start, end - start},
            .kind = r.letters ? TOKEN_WORD : TOKEN_NUMBER,
            .script = script_of(r.letters, r.latin, r.cyrillic, false),
            .letter_count = r.letters,
            .hash = hash_padded(out + start, end - start),
        };
        walk_put(w, &tok);
        i = end;
    }
}
#endif

/* Walk s into w; see walk_bytes(). out has room for s and a byte, and
 * HASH_HEAD more. A walk without an array (w->t NULL) is given one in a,
 * of as many tokens as s can have. */
static void
walk(struct arena *a, struct str s, struct walk *w, char *out, bool *bad)
{
#ifdef __SSE2__
    if (s.len >= SIMD_MIN) {
        walk_simd(a, s, w, out, bad);
        return;
    }
#endif
    if (!w->t) { /* a token is at least a byte */
        w->max = s.len;
        w->t = arena_alloc_raw(a, (s.len ? s.len : 1) * sizeof(*w->t));
    }
    (void)walk_bytes(s, 0, s.len, w, out, bad);
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

enum err
token_split(struct arena *a, struct str s, struct token **tokens, size_t *count)
{
    if (s.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    /* One walk into an array as long as the text can need; the normal
     * forms of plain tokens are written into out at their own offsets,
     * with room past the end to read a hash's blocks. */
    char *out = arena_alloc_raw(a, s.len + 16 + HASH_HEAD);
    bool bad = false;
    struct walk w = {NULL, 0, 0};
    walk(a, s, &w, out, &bad);
    if (bad)
        return ERR_INVALID;
    size_t n = w.count;
    if (n > TOKEN_MAX)
        return ERR_TOOBIG;
    struct token *t = w.t;
    if (n > w.max) { /* not by token_bound(), but kept safe: walk again */
        t = arena_alloc_raw(a, n * sizeof(*t));
        w = (struct walk){t, n, 0};
        walk(a, s, &w, out, &bad);
    }
    for (size_t k = 0; k < n; k++) {
        if (t[k].norm.p) /* hashed by the walk */
            continue;
        enum err e = fold_token(a, s, &t[k]);
        /* A valid slice of valid UTF-8 at character bounds is valid. */
        if (e)
            return e;
        t[k].hash = token_hash(t[k].norm);
    }
    *tokens = n ? t : NULL;
    *count = n;
    return ERR_OK;
}
