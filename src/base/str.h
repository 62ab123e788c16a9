/*
 * str.h - borrowed string views (pointer, length, no NUL) and checked number
 * parsers. Exports struct str, STR(), str_eq(), str_cstr_eq(), str_to_u64(),
 * str_to_i64(), str_to_double(), str_from_cstr().
 */
#ifndef BASE_STR_H
#define BASE_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct str {
    const char *p;
    size_t len;
};

#define STR(lit) ((struct str){(lit), sizeof(lit) - 1})
#define STR_NULL ((struct str){NULL, 0})

/* View of a NUL-terminated string (NULL gives an empty view). */
struct str str_from_cstr(const char *s);
bool str_eq(struct str a, struct str b);
bool str_cstr_eq(struct str a, const char *b);
bool str_has_prefix(struct str s, const char *prefix);
/* Parse decimal digits only (no sign, no spaces). ERR_INVALID if not a number,
 * ERR_TOOBIG if greater than max. */
enum err str_to_u64(struct str s, uint64_t max, uint64_t *out);
/* Optional leading '-', then digits; ERR_TOOBIG outside [min, max]. */
enum err str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out);
/* A finite decimal number; ERR_INVALID otherwise. */
enum err str_to_double(struct str s, double *out);

#endif
