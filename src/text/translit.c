/*
 * translit.c - Kazakh Cyrillic <-> 2021 Latin, and the matching fold.
 * Exports translit_to_latin(), translit_to_cyrillic(), translit_fold() and
 * translit_is_round_trip_word(); everything else is static.
 */
#include "text/translit.h"

#include <assert.h>
#include <string.h>
#include <utf8proc.h>

#include "base/ckd.h"
#include "base/util.h"
#include "text/normalise.h"
#include "text/text_int.h"
#include "text/utf8.h"

/* One Cyrillic letter: lowercase cp and its Latin forms. */
struct cyr {
    int32_t lower, upper;
    const char *lat;   /* lowercase */
    const char *title; /* first letter capital */
    const char *caps;  /* all capitals */
};

static const struct cyr cyr_table[] = {
    {0x430, 0x410, "a", "A", "A"},    /* а */
    {0x4D9, 0x4D8, "ä", "Ä", "Ä"},    /* ә */
    {0x431, 0x411, "b", "B", "B"},    /* б */
    {0x432, 0x412, "v", "V", "V"},    /* в */
    {0x433, 0x413, "g", "G", "G"},    /* г */
    {0x493, 0x492, "ğ", "Ğ", "Ğ"},    /* ғ */
    {0x434, 0x414, "d", "D", "D"},    /* д */
    {0x435, 0x415, "e", "E", "E"},    /* е */
    {0x451, 0x401, "io", "Io", "IO"}, /* ё */
    {0x436, 0x416, "j", "J", "J"},    /* ж */
    {0x437, 0x417, "z", "Z", "Z"},    /* з */
    {0x438, 0x418, "i", "İ", "İ"},    /* и */
    {0x439, 0x419, "i", "İ", "İ"},    /* й */
    {0x456, 0x406, "ı", "I", "I"},    /* і */
    {0x43A, 0x41A, "k", "K", "K"},    /* к */
    {0x49B, 0x49A, "q", "Q", "Q"},    /* қ */
    {0x43B, 0x41B, "l", "L", "L"},    /* л */
    {0x43C, 0x41C, "m", "M", "M"},    /* м */
    {0x43D, 0x41D, "n", "N", "N"},    /* н */
    {0x4A3, 0x4A2, "ñ", "Ñ", "Ñ"},    /* ң */
    {0x43E, 0x41E, "o", "O", "O"},    /* о */
    {0x4E9, 0x4E8, "ö", "Ö", "Ö"},    /* ө */
    {0x43F, 0x41F, "p", "P", "P"},    /* п */
    {0x440, 0x420, "r", "R", "R"},    /* р */
    {0x441, 0x421, "s", "S", "S"},    /* с */
    {0x442, 0x422, "t", "T", "T"},    /* т */
    {0x443, 0x423, "u", "U", "U"},    /* у */
    {0x4B1, 0x4B0, "ū", "Ū", "Ū"},    /* ұ */
    {0x4AF, 0x4AE, "ü", "Ü", "Ü"},    /* ү */
    {0x444, 0x424, "f", "F", "F"},    /* ф */
    {0x445, 0x425, "h", "H", "H"},    /* х */
    {0x4BB, 0x4BA, "h", "H", "H"},    /* һ */
    {0x446, 0x426, "ts", "Ts", "TS"}, /* ц */
    {0x447, 0x427, "ş", "Ş", "Ş"},    /* ч */
    {0x448, 0x428, "ş", "Ş", "Ş"},    /* ш */
    {0x449, 0x429, "şş", "Şş", "ŞŞ"}, /* щ */
    {0x44A, 0x42A, "", "", ""},       /* ъ */
    {0x44B, 0x42B, "y", "Y", "Y"},    /* ы */
    {0x44C, 0x42C, "", "", ""},       /* ь */
    {0x44D, 0x42D, "e", "E", "E"},    /* э */
    {0x44E, 0x42E, "iu", "Iu", "IU"}, /* ю */
    {0x44F, 0x42F, "ia", "Ia", "IA"}, /* я */
};

/* The entry for Cyrillic cp and whether cp is the capital, or NULL. */
static const struct cyr *
cyr_find(int32_t cp, bool *upper)
{
    for (size_t i = 0; i < ARRAY_LEN(cyr_table); i++) {
        if (cyr_table[i].lower == cp || cyr_table[i].upper == cp) {
            *upper = cyr_table[i].upper == cp;
            return &cyr_table[i];
        }
    }
    return NULL;
}

/* One Latin letter (2021 or an accepted variant) and its Cyrillic. */
struct lat {
    int32_t lower, upper;
    int32_t cyr_lower, cyr_upper;
};

static const struct lat lat_table[] = {
    {'a', 'A', 0x430, 0x410},
    {0xE4, 0xC4, 0x4D9, 0x4D8},
    {'b', 'B', 0x431, 0x411},
    {'c', 'C', 0x446, 0x426},
    {'d', 'D', 0x434, 0x414},
    {'e', 'E', 0x435, 0x415},
    {'f', 'F', 0x444, 0x424},
    {'g', 'G', 0x433, 0x413},
    {0x11F, 0x11E, 0x493, 0x492},
    {'h', 'H', 0x445, 0x425},
    {0x131, 'I', 0x456, 0x406},
    {'i', 0x130, 0x438, 0x418},
    {'j', 'J', 0x436, 0x416},
    {'k', 'K', 0x43A, 0x41A},
    {'l', 'L', 0x43B, 0x41B},
    {'m', 'M', 0x43C, 0x41C},
    {'n', 'N', 0x43D, 0x41D},
    {0xF1, 0xD1, 0x4A3, 0x4A2},
    {'o', 'O', 0x43E, 0x41E},
    {0xF6, 0xD6, 0x4E9, 0x4E8},
    {'p', 'P', 0x43F, 0x41F},
    {'q', 'Q', 0x49B, 0x49A},
    {'r', 'R', 0x440, 0x420},
    {'s', 'S', 0x441, 0x421},
    {0x15F, 0x15E, 0x448, 0x428},
    {'t', 'T', 0x442, 0x422},
    {'u', 'U', 0x443, 0x423},
    {0x16B, 0x16A, 0x4B1, 0x4B0},
    {0xFC, 0xDC, 0x4AF, 0x4AE},
    {'v', 'V', 0x432, 0x412},
    {'w', 'W', 0x443, 0x423},
    {'x', 'X', 0x445, 0x425},
    {'y', 'Y', 0x44B, 0x42B},
    {'z', 'Z', 0x437, 0x417},
    /* the 2018 acute letters, ŋ, ç, and the Latin schwa */
    {0xE1, 0xC1, 0x4D9, 0x4D8},
    {0x1F5, 0x1F4, 0x493, 0x492},
    {0x144, 0x143, 0x4A3, 0x4A2},
    {0x14B, 0x14A, 0x4A3, 0x4A2},
    {0xF3, 0xD3, 0x4E9, 0x4E8},
    {0xFA, 0xDA, 0x4AF, 0x4AE},
    {0xFD, 0xDD, 0x443, 0x423},
    {0xE7, 0xC7, 0x447, 0x427},
    {0x259, 0x18F, 0x4D9, 0x4D8},
};

static const struct lat *
lat_find(int32_t cp, bool *upper)
{
    for (size_t i = 0; i < ARRAY_LEN(lat_table); i++) {
        if (lat_table[i].lower == cp || lat_table[i].upper == cp) {
            *upper = lat_table[i].upper == cp;
            return &lat_table[i];
        }
    }
    return NULL;
}

static bool
is_latin_vowel(int32_t cp)
{
    switch (utf8proc_tolower(cp)) {
    case 'a':
    case 'e':
    case 'i':
    case 'o':
    case 'u':
    case 'y':
    case 0xE4:  /* ä */
    case 0x131: /* ı */
    case 0xF6:  /* ö */
    case 0x16B: /* ū */
    case 0xFC:  /* ü */
    case 0xE1:  /* á */
    case 0xF3:  /* ó */
    case 0xFA:  /* ú */
    case 0xFD:  /* ý */
    case 0x259: /* ə */
        return true;
    default:
        return cp == 0x130; /* İ */
    }
}

static bool
is_cyr_vowel(int32_t cp)
{
    switch (utf8proc_tolower(cp)) {
    case 0x430: /* а */
    case 0x4D9: /* ә */
    case 0x435: /* е */
    case 0x438: /* и */
    case 0x456: /* і */
    case 0x43E: /* о */
    case 0x4E9: /* ө */
    case 0x443: /* у */
    case 0x4B1: /* ұ */
    case 0x4AF: /* ү */
    case 0x44B: /* ы */
        return true;
    default:
        return false;
    }
}

/* An output buffer in the arena, sized up front. */
struct out {
    char *p;
    size_t len, cap;
};

static void
out_init(struct out *o, struct arena *a, size_t cap)
{
    o->p = arena_alloc(a, cap + 1);
    o->len = 0;
    o->cap = cap;
}

static void
out_bytes(struct out *o, const char *p, size_t n)
{
    assert(o->len + n <= o->cap);
    memcpy(o->p + o->len, p, n);
    o->len += n;
}

static void
out_cp(struct out *o, int32_t cp)
{
    char b[4];
    out_bytes(o, b, text__encode(cp, b));
}

static void
out_str(struct out *o, const char *s)
{
    out_bytes(o, s, strlen(s));
}

static struct str
out_done(struct out *o)
{
    o->p[o->len] = '\0';
    return (struct str){o->p, o->len};
}

static enum err
check_input(struct str s, size_t factor, size_t *cap)
{
    if (s.len > NORMALISE_MAX)
        return ERR_TOOBIG;
    if (!utf8_valid(s))
        return ERR_INVALID;
    if (ckd_mul(cap, s.len, factor))
        return ERR_TOOBIG;
    return ERR_OK;
}

/* Is the letter after byte i (skipping marks) a capital? */
static bool
next_is_upper(struct str s, size_t i)
{
    while (i < s.len) {
        int32_t cp;
        i += text__decode(s.p + i, s.len - i, &cp);
        if (text__is_mark(cp))
            continue;
        return text__is_letter(cp) && utf8proc_toupper(cp) == cp && utf8proc_tolower(cp) != cp;
    }
    return false;
}

enum err
translit_to_latin(struct arena *a, struct str s, struct str *out)
{
    size_t cap;
    /* The longest: щ (2 bytes) -> şş (4 bytes). */
    enum err e = check_input(s, 2, &cap);
    if (e)
        return e;
    struct out o;
    out_init(&o, a, cap);
    bool prev_upper = false;
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        size_t n = text__decode(s.p + i, s.len - i, &cp);
        bool upper = false;
        const struct cyr *c = cyr_find(cp, &upper);
        if (!c) {
            out_bytes(&o, s.p + i, n);
            prev_upper = text__is_letter(cp) && utf8proc_tolower(cp) != cp;
        } else if (!upper) {
            out_str(&o, c->lat);
            prev_upper = false;
        } else {
            /* ЁЛКА -> IOLKA but Ёлка -> Iolka; the last letter of ЛЁ -> LIO too. */
            bool caps = next_is_upper(s, i + n);
            if (!caps && prev_upper) {
                int32_t nx = -1;
                if (i + n < s.len)
                    (void)text__decode(s.p + i + n, s.len - i - n, &nx);
                caps = !text__is_letter(nx);
            }
            out_str(&o, caps ? c->caps : c->title);
            prev_upper = true;
        }
        i += n;
    }
    *out = out_done(&o);
    return ERR_OK;
}

enum err
translit_to_cyrillic(struct arena *a, struct str s, struct str *out)
{
    size_t cap;
    /* The longest: an ASCII letter (1 byte) -> a Cyrillic one (2 bytes). */
    enum err e = check_input(s, 2, &cap);
    if (e)
        return e;
    struct out o;
    out_init(&o, a, cap);
    int32_t prev = -1;
    for (size_t i = 0; i < s.len;) {
        int32_t cp;
        size_t n = text__decode(s.p + i, s.len - i, &cp);
        bool upper = false;
        const struct lat *l = lat_find(cp, &upper);
        if (!l) {
            out_bytes(&o, s.p + i, n);
        } else if ((cp == 'i' || cp == 0x130) && prev >= 0 && is_latin_vowel(prev)) {
            out_cp(&o, upper ? 0x419 : 0x439); /* й */
        } else {
            out_cp(&o, upper ? l->cyr_upper : l->cyr_lower);
        }
        if (!text__is_mark(cp))
            prev = text__is_letter(cp) ? cp : -1;
        i += n;
    }
    *out = out_done(&o);
    return ERR_OK;
}

/* Latin letters that look like Cyrillic ones (after case folding). */
static int32_t
homoglyph(int32_t cp)
{
    switch (cp) {
    case 'a':
        return 0x430;
    case 'b':
        return 0x432; /* B / В */
    case 'c':
        return 0x441;
    case 'e':
        return 0x435;
    case 'h':
        return 0x43D; /* H / Н */
    case 'i':
        return 0x456;
    case 'k':
        return 0x43A;
    case 'm':
        return 0x43C;
    case 'o':
        return 0x43E;
    case 'p':
        return 0x440;
    case 't':
        return 0x442;
    case 'x':
        return 0x445;
    case 'y':
        return 0x443;
    case 0x259: /* ə */
        return 0x4D9;
    default:
        return -1;
    }
}

/* Folded Latin for a lowercase letter cp; NULL to copy cp as it is. */
static const char *
fold_letter(int32_t cp)
{
    switch (cp) {
    case 0x131: /* ı */
    case 0x456: /* і */
        return "i";
    case 0x451: /* ё */
        return "e";
    case 0xE1:  /* á */
    case 0x259: /* ə */
        return "ä";
    case 0x1F5: /* ǵ */
        return "ğ";
    case 0x144: /* ń */
    case 0x14B: /* ŋ */
        return "ñ";
    case 0xF3: /* ó */
        return "ö";
    case 0xFA: /* ú */
        return "ü";
    case 0xFD: /* ý */
        return "u";
    case 0xE7: /* ç */
        return "ş";
    default:
        break;
    }
    bool upper;
    const struct cyr *c = cyr_find(cp, &upper);
    return c ? c->lat : NULL;
}

/* Fold one word w (normalised: lowercase NFC, letters, marks, digits). */
static void
fold_word(struct out *o, struct str w)
{
    bool latin = false, cyr = false;
    for (size_t i = 0; i < w.len;) {
        int32_t cp;
        i += text__decode(w.p + i, w.len - i, &cp);
        if (text__is_cyrillic(cp))
            cyr = true;
        else if (text__is_latin(cp) || cp == 0x259)
            latin = true;
    }
    bool mixed = latin && cyr;
    size_t start = o->len;
    for (size_t i = 0; i < w.len;) {
        int32_t cp;
        size_t n = text__decode(w.p + i, w.len - i, &cp);
        i += n;
        if (text__is_mark(cp))
            continue;
        if (mixed && homoglyph(cp) >= 0)
            cp = homoglyph(cp);
        const char *f = fold_letter(cp);
        /* The digraphs of careless Latin: sh ch -> ş, zh -> j. An h from
         * Cyrillic х joins them too (схема folds as its Latin, shema, does),
         * so a word folds the same in both scripts. */
        bool h = f ? strcmp(f, "h") == 0 : cp == 'h';
        if (h && o->len > start) {
            char last = o->p[o->len - 1];
            if (last == 's' || last == 'c') {
                o->len--;
                out_str(o, "ş");
                continue;
            }
            if (last == 'z') {
                o->p[o->len - 1] = 'j';
                continue;
            }
        }
        if (f) {
            out_str(o, f);
            continue;
        }
        out_cp(o, cp);
    }
}

enum err
translit_fold(struct arena *a, struct str s, struct str *out)
{
    struct str n;
    enum err e = normalise_text(a, s, &n);
    if (e)
        return e;
    struct out o;
    /* Per character at most 2x (щ -> şş); marks and ъ ь only shrink it. */
    out_init(&o, a, n.len * 2);
    for (size_t i = 0; i < n.len;) {
        int32_t cp;
        size_t k = text__decode(n.p + i, n.len - i, &cp);
        if (!text__is_letter(cp) && !text__is_digit(cp)) {
            if (!text__is_mark(cp)) /* marks go, with or without a letter */
                out_bytes(&o, n.p + i, k);
            i += k;
            continue;
        }
        size_t j = i;
        while (j < n.len) {
            size_t m = text__decode(n.p + j, n.len - j, &cp);
            if (!text__is_letter(cp) && !text__is_digit(cp) && !text__is_mark(cp))
                break;
            j += m;
        }
        fold_word(&o, (struct str){n.p + i, j - i});
        i = j;
    }
    /* A word of only ъ and ь folds to nothing: close the gap it leaves. */
    size_t len = 0;
    for (size_t i = 0; i < o.len; i++)
        if (o.p[i] != ' ' || (len > 0 && o.p[len - 1] != ' '))
            o.p[len++] = o.p[i];
    if (len > 0 && o.p[len - 1] == ' ')
        len--;
    o.len = len;
    *out = out_done(&o);
    return ERR_OK;
}

bool
translit_is_round_trip_word(struct str w)
{
    if (w.len == 0 || !utf8_valid(w))
        return false;
    int32_t prev = -1;
    for (size_t i = 0; i < w.len;) {
        int32_t cp;
        bool upper;
        i += text__decode(w.p + i, w.len - i, &cp);
        const struct cyr *c = cyr_find(cp, &upper);
        if (!c)
            return false;
        switch (c->lower) {
        case 0x4BB: /* һ */
        case 0x451: /* ё */
        case 0x446: /* ц */
        case 0x447: /* ч */
        case 0x449: /* щ */
        case 0x44A: /* ъ */
        case 0x44C: /* ь */
        case 0x44D: /* э */
        case 0x44E: /* ю */
        case 0x44F: /* я */
            return false;
        case 0x439: /* й */
            if (prev < 0 || !is_cyr_vowel(prev))
                return false;
            break;
        case 0x438: /* и: й is Latin i too, so not after it either */
            if (prev >= 0 && (is_cyr_vowel(prev) || utf8proc_tolower(prev) == 0x439))
                return false;
            break;
        default:
            break;
        }
        prev = cp;
    }
    return true;
}
