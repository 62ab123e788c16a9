/*
 * fuzz_time.c - the text parsers of base/: tm_parse_date() and tm_parse_iso()
 * (what they accept formats back and re-parses to the same value; the
 * canonical forms format back byte for byte), the civil-date arithmetic
 * they rest on, and str_to_u64(), str_to_i64() and str_to_double() against
 * a reference reading of their documented contract, under several limits.
 */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "base/str.h"
#include "base/tm.h"
#include "base/util.h"
#include "fuzz/fuzz.h"

static int32_t day_min, day_max; /* 1900-01-01 and 9999-12-31, as tm_parse_date() accepts */

static int64_t
floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void
check_date(const uint8_t *data, size_t size)
{
    int32_t day, again;
    if (tm_parse_date((struct str){(const char *)data, size}, &day))
        return;
    /* Only YYYY-MM-DD is accepted, so the text is canonical: formatting gives it back. */
    char text[11];
    tm_format_date(day, text);
    FUZZ_CHECK(size == 10 && memcmp(text, data, 10) == 0);
    FUZZ_CHECK(day >= day_min && day <= day_max);
    FUZZ_CHECK(tm_parse_date((struct str){text, 10}, &again) == ERR_OK && again == day);
    int w = tm_weekday(day);
    FUZZ_CHECK(w >= 1 && w <= 7);
    FUZZ_CHECK(tm_weekday(day + 1) == w % 7 + 1);
}

static void
check_iso(const uint8_t *data, size_t size)
{
    struct str s = {(const char *)data, size};
    int64_t t, again;
    int32_t day;
    if (tm_parse_iso(s, &t))
        return;
    FUZZ_CHECK(size >= 10 && tm_parse_date((struct str){s.p, 10}, &day) == ERR_OK);
    if (size == 10) /* a bare date is midnight in Almaty */
        FUZZ_CHECK(t == tm_local_time(day, 0, 0, 0) && tm_local_day(t) == day);

    int64_t utc_day = floor_div(t, TM_DAY);
    if (utc_day >= day_min && utc_day <= day_max) {
        char text[32];
        tm_format_utc(t, text);
        FUZZ_CHECK(tm_parse_iso(str_from_cstr(text), &again) == ERR_OK && again == t);
        /* YYYY-MM-DDThh:mm:ssZ is the form tm_format_utc() writes (a leap second reads as :59). */
        if (size == 20 && s.p[10] == 'T' && s.p[19] == 'Z' && memcmp(s.p + 17, "60", 2) != 0)
            FUZZ_CHECK(memcmp(text, s.p, 20) == 0);
    }
    int32_t local = tm_local_day(t);
    if (local >= day_min && local <= day_max) {
        char text[32];
        tm_format_almaty(t, text);
        FUZZ_CHECK(tm_parse_iso(str_from_cstr(text), &again) == ERR_OK && again == t);
        /* The local day and time of day lead back to t, except in the hour
         * that 2024-03-01 repeats (17:00-18:00Z), where tm_local_time() takes
         * the later instant by design. */
        int64_t sec = t + tm_almaty_offset(t) - (int64_t)local * TM_DAY;
        FUZZ_CHECK(sec >= 0 && sec < TM_DAY);
        int64_t back =
            tm_local_time(local, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60));
        if (t < 1709226000 || t >= 1709229600)
            FUZZ_CHECK(back == t);
        else
            FUZZ_CHECK(back == t + 3600);
    }
}

/* A day number from the first four bytes: the civil conversion round-trips
 * over years 1..9999 and local noon lies on its own local day. */
static void
check_days(const uint8_t *data, size_t size)
{
    if (size < 4)
        return;
    int32_t d;
    memcpy(&d, data, sizeof(d));
    int32_t lo = tm_days_from_civil(1, 1, 1), hi = day_max;
    int64_t span = (int64_t)hi - lo + 1;
    d = (int32_t)(lo + ((int64_t)d % span + span) % span);
    int y, m, dd;
    tm_civil_from_days(d, &y, &m, &dd);
    FUZZ_CHECK(y >= 1 && y <= 9999 && m >= 1 && m <= 12 && dd >= 1 && dd <= 31);
    FUZZ_CHECK(tm_days_from_civil(y, m, dd) == d);
    FUZZ_CHECK(tm_local_day(tm_local_time(d, 12, 0, 0)) == d);
}

static bool
is_digit(uint8_t c)
{
    return c >= '0' && c <= '9';
}

/* The contract of str_to_u64(): one or more ASCII digits, else ERR_INVALID;
 * a value above max (however many digits) ERR_TOOBIG. */
static enum err
ref_u64(const uint8_t *p, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    bool big = false;
    if (n == 0)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(p[i]))
            return ERR_INVALID;
        big = big || __builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, p[i] - '0', &v);
    }
    if (big || v > max)
        return ERR_TOOBIG;
    *out = v;
    return ERR_OK;
}

/* The contract of str_to_i64(): an optional '-', then as above; ERR_TOOBIG
 * outside [min, max]. */
static enum err
ref_i64(const uint8_t *p, size_t n, int64_t min, int64_t max, int64_t *out)
{
    bool neg = n > 0 && p[0] == '-';
    uint64_t mag;
    enum err e = ref_u64(p + neg, n - neg, UINT64_MAX, &mag);
    if (e)
        return e;
    if (mag > (uint64_t)INT64_MAX + neg)
        return ERR_TOOBIG;
    int64_t v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    if (v < min || v > max)
        return ERR_TOOBIG;
    *out = v;
    return ERR_OK;
}

static void
check_numbers(const uint8_t *data, size_t size)
{
    static const uint64_t umax[] = {UINT64_MAX, INT64_MAX, 1u << 24, 500, 1, 0};
    static const int64_t irange[][2] = {
        {INT64_MIN, INT64_MAX}, {-3153600000LL, 3153600000LL}, {1, 256}, {0, 0}, {-1, -1}};
    struct str s = {(const char *)data, size};
    for (size_t i = 0; i < ARRAY_LEN(umax); i++) {
        uint64_t got = 7, want = 7;
        enum err e = str_to_u64(s, umax[i], &got);
        FUZZ_CHECK(e == ref_u64(data, size, umax[i], &want));
        FUZZ_CHECK(e || got == want);
    }
    for (size_t i = 0; i < ARRAY_LEN(irange); i++) {
        int64_t got = 7, want = 7;
        enum err e = str_to_i64(s, irange[i][0], irange[i][1], &got);
        FUZZ_CHECK(e == ref_i64(data, size, irange[i][0], irange[i][1], &want));
        FUZZ_CHECK(e || got == want);
    }
    double v, again;
    if (str_to_double(s, &v) == ERR_OK) {
        FUZZ_CHECK(isfinite(v));
        for (size_t i = 0; i < size; i++)
            FUZZ_CHECK(is_digit(data[i]) || (data[i] && strchr("+-.eE", data[i]) != NULL));
        char text[64];
        snprintf(text, sizeof(text), "%.17g", v);
        FUZZ_CHECK(str_to_double(str_from_cstr(text), &again) == ERR_OK && again == v);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!day_max) {
        day_min = tm_days_from_civil(1900, 1, 1);
        day_max = tm_days_from_civil(9999, 12, 31);
    }
    check_date(data, size);
    check_iso(data, size);
    check_days(data, size);
    check_numbers(data, size);
    return 0;
}
