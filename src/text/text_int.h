/*
 * text_int.h - what the files of text/ share and nobody else includes: a
 * decoder that never fails (invalid bytes come back as U+FFFD, one byte
 * each), an encoder, and the character classes the tokeniser, the language
 * guesser, the transliterator and the redaction scanner agree on. All
 * static inline: no state.
 */
#ifndef TEXT_TEXT_INT_H
#define TEXT_TEXT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <utf8proc.h>

enum { TEXT__REPLACEMENT = 0xFFFD };

/* Decode the code point at p[0..len) (len > 0) into *cp; the bytes it took.
 * Invalid or truncated UTF-8 gives U+FFFD for one byte, so a scan over any
 * bytes always moves on. */
static inline size_t
text__decode(const char *p, size_t len, int32_t *cp)
{
    /* ASCII and the two-byte forms (Latin-1, Cyrillic) without a call: the
     * letters of nearly every appeal. The rest goes through utf8proc. */
    unsigned char b0 = (unsigned char)p[0];
    if (b0 < 0x80) {
        *cp = b0;
        return 1;
    }
    if (b0 >= 0xC2 && b0 <= 0xDF && len >= 2 && ((unsigned char)p[1] & 0xC0) == 0x80) {
        *cp = (int32_t)((b0 & 0x1Fu) << 6 | ((unsigned char)p[1] & 0x3Fu));
        return 2;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t n =
        utf8proc_iterate((const utf8proc_uint8_t *)p, len > 4 ? 4 : (utf8proc_ssize_t)len, &c);
    if (n <= 0 || c < 0) {
        *cp = TEXT__REPLACEMENT;
        return 1;
    }
    *cp = c;
    return (size_t)n;
}

/* UTF-8 of cp (a valid scalar value) into out; the byte count (1..4). */
static inline size_t
text__encode(int32_t cp, char out[4])
{
    return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
}

static inline bool
text__is_letter(int32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    /* Cyrillic without the signs and combining marks at U+0482..U+0489. */
    if ((cp >= 0x400 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x52F))
        return true;
    /* Latin-1 without a lookup: its letters are ª µ º and U+00C0..U+00FF
     * but × ÷; and General Punctuation (dashes, quotes, spaces) has none.
     * Appeals are full of « » — and no-break spaces. */
    if (cp < 0x100)
        return cp == 0xAA || cp == 0xB5 || cp == 0xBA || (cp >= 0xC0 && cp != 0xD7 && cp != 0xF7);
    if (cp >= 0x2000 && cp <= 0x206F)
        return false;
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO;
}

/* Combining marks: they belong to the letter before them. */
static inline bool
text__is_mark(int32_t cp)
{
    if (cp < 0x300 || (cp >= 0x400 && cp <= 0x482) || (cp >= 0x48A && cp <= 0x52F))
        return false;
    utf8proc_category_t c = utf8proc_category(cp);
    return c >= UTF8PROC_CATEGORY_MN && c <= UTF8PROC_CATEGORY_ME;
}

/* Decimal digits of any script (Nd). */
static inline bool
text__is_digit(int32_t cp)
{
    if (cp < 0x80)
        return cp >= '0' && cp <= '9';
    if (cp < 0x660 || (cp >= 0x400 && cp <= 0x52F))
        return false;
    return utf8proc_category(cp) == UTF8PROC_CATEGORY_ND;
}

/* The value of an ASCII or fullwidth digit, or -1: the digits the redaction
 * scanner reads as numbers. */
static inline int
text__digit_value(int32_t cp)
{
    if (cp >= '0' && cp <= '9')
        return cp - '0';
    if (cp >= 0xFF10 && cp <= 0xFF19)
        return cp - 0xFF10;
    return -1;
}

/* White space: the C0 spacing controls, NEL, and Zs/Zl/Zp. */
static inline bool
text__is_space(int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85)
        return true;
    if (cp < 0xA0 || (cp > 0xA0 && cp < 0x1680))
        return false;
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_ZS || c == UTF8PROC_CATEGORY_ZL || c == UTF8PROC_CATEGORY_ZP;
}

/* Invisible format characters people paste between letters or digits: soft
 * hyphen, zero-width space/joiners, marks of direction, word joiner, BOM. */
static inline bool
text__is_invisible(int32_t cp)
{
    return cp == 0xAD || (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x2064) || cp == 0xFEFF;
}

static inline bool
text__is_cyrillic(int32_t cp)
{
    return cp >= 0x400 && cp <= 0x52F;
}

static inline bool
text__is_latin(int32_t cp)
{
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7) ||
           (cp >= 0x1E00 && cp <= 0x1EFF);
}

/* Lowercase Kazakh letters that Russian does not have: ә ғ қ ң ө ұ ү һ і. */
static inline bool
text__is_kazakh_cyrillic(int32_t cp)
{
    switch (cp) {
    case 0x4D9: /* ә */
    case 0x4D8:
    case 0x493: /* ғ */
    case 0x492:
    case 0x49B: /* қ */
    case 0x49A:
    case 0x4A3: /* ң */
    case 0x4A2:
    case 0x4E9: /* ө */
    case 0x4E8:
    case 0x4B1: /* ұ */
    case 0x4B0:
    case 0x4AF: /* ү */
    case 0x4AE:
    case 0x4BB: /* һ */
    case 0x4BA:
    case 0x456: /* і */
    case 0x406:
        return true;
    default:
        return false;
    }
}

#endif
