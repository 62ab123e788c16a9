/*
 * utf8.h - UTF-8 validation and NFC normalisation (utf8proc). Exports
 * utf8_valid(), utf8_count() and utf8_nfc().
 */
#ifndef TEXT_UTF8_H
#define TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF); NUL bytes
 * are valid UTF-8 and allowed here. */
bool utf8_valid(struct str s);
/* Code points in valid UTF-8 s. */
size_t utf8_count(struct str s);
/* NFC of s (must be valid UTF-8) as a NUL-terminated string in a, its length
 * in *len. ERR_INVALID if utf8proc rejects it. */
enum err utf8_nfc(struct arena *a, struct str s, char **out, size_t *len);

#endif
