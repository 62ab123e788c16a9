/*
 * str.c - string views and checked number parsers.
 */
#include "base/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct str
str_from_cstr(const char *s)
{
    return s ? (struct str){s, strlen(s)} : (struct str){"", 0};
}

bool
str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

bool
str_cstr_eq(struct str a, const char *b)
{
    return str_eq(a, str_from_cstr(b));
}

bool
str_has_prefix(struct str s, const char *prefix)
{
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.p, prefix, n) == 0;
}

enum err
str_to_u64(struct str s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (s.len == 0)
        return ERR_INVALID;
    for (size_t i = 0; i < s.len; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return ERR_INVALID;
    for (size_t i = 0; i < s.len; i++) {
        unsigned d = (unsigned)(s.p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return ERR_TOOBIG;
        v = v * 10 + d;
    }
    if (v > max)
        return ERR_TOOBIG;
    *out = v;
    return ERR_OK;
}

enum err
str_to_i64(struct str s, int64_t min, int64_t max, int64_t *out)
{
    bool neg = s.len > 0 && s.p[0] == '-';
    uint64_t u;
    enum err e;
    if (neg) {
        s.p++;
        s.len--;
    }
    /* The magnitude of INT64_MIN is one more than INT64_MAX. */
    e = str_to_u64(s, neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX, &u);
    if (e)
        return e;
    int64_t v = neg ? (int64_t)(0 - u) : (int64_t)u;
    if (v < min || v > max)
        return ERR_TOOBIG;
    *out = v;
    return ERR_OK;
}

enum err
str_to_double(struct str s, double *out)
{
    char tmp[64];
    char *end;
    if (s.len == 0 || s.len >= sizeof(tmp))
        return ERR_INVALID;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'))
            return ERR_INVALID;
    }
    memcpy(tmp, s.p, s.len);
    tmp[s.len] = '\0';
    double v = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(v))
        return ERR_INVALID;
    *out = v;
    return ERR_OK;
}
