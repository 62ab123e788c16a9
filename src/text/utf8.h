/*
 * utf8.h - UTF-8 validation, encoding and NFC normalisation (utf8proc).
 * Exports utf8_valid(), utf8_count(), utf8_encode() and utf8_nfc().
 */
#ifndef TEXT_UTF8_H
#define TEXT_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* Strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF); NUL bytes
 * are valid UTF-8 and allowed here. */
bool utf8_valid(struct str s);
/* Code points in valid UTF-8 s. */
size_t utf8_count(struct str s);
/* UTF-8 of cp (a scalar value: at most U+10FFFF, no surrogate) into out;
 * the byte count, 1..4. */
size_t utf8_encode(int32_t cp, char out[4]);
/* NFC of s (must be valid UTF-8) as a NUL-terminated string in a, its length
 * in *len. ERR_INVALID if utf8proc rejects it. */
enum err utf8_nfc(struct arena *a, struct str s, char **out, size_t *len);

#endif
