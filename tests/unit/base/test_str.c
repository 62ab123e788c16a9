/*
 * test_str.c - string views and the checked number parsers: empty input,
 * signs, spaces, limits at and one past the maximum, the 64-bit edges, and
 * that a failed parse leaves the output alone.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/str.h"
#include "base/util.h"

static enum err
u64(const char *s, uint64_t max, uint64_t *out)
{
    return str_to_u64(str_from_cstr(s), max, out);
}

static enum err
i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    return str_to_i64(str_from_cstr(s), min, max, out);
}

static enum err
dbl(const char *s, double *out)
{
    return str_to_double(str_from_cstr(s), out);
}

static void
views(void **state)
{
    (void)state;
    struct str e = str_from_cstr(NULL);
    assert_non_null(e.p);
    assert_int_equal(e.len, 0);
    assert_int_equal(str_from_cstr("абв").len, 6);
    assert_int_equal(STR("abc").len, 3);
    assert_true(str_eq(STR(""), STR_NULL));
    assert_true(str_eq(STR_NULL, STR_NULL));
    assert_true(str_eq(STR("abc"), str_from_cstr("abc")));
    assert_false(str_eq(STR("abc"), STR("abd")));
    assert_false(str_eq(STR("abc"), STR("ab")));
    assert_true(str_cstr_eq(STR("roads"), "roads"));
    assert_false(str_cstr_eq(STR("roads"), "road"));
    assert_true(str_cstr_eq(STR_NULL, NULL));
    assert_true(str_cstr_eq(STR_NULL, ""));
    /* Bytes after the view's length do not count. */
    assert_true(str_eq((struct str){"abcdef", 3}, STR("abc")));
    /* A view may hold a NUL. */
    assert_false(str_eq((struct str){"a\0b", 3}, (struct str){"a\0c", 3}));
    assert_true(str_has_prefix(STR("sqlite:x.db"), "sqlite:"));
    assert_true(str_has_prefix(STR("abc"), ""));
    assert_true(str_has_prefix(STR("abc"), "abc"));
    assert_false(str_has_prefix(STR("ab"), "abc"));
    assert_false(str_has_prefix((struct str){"abcdef", 2}, "abc"));
}

static void
u64_accepts_digits_up_to_max(void **state)
{
    uint64_t v = 7;
    (void)state;
    assert_int_equal(u64("0", 0, &v), ERR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(u64("50", 500, &v), ERR_OK);
    assert_int_equal(v, 50);
    assert_int_equal(u64("500", 500, &v), ERR_OK);
    assert_int_equal(v, 500);
    assert_int_equal(u64("007", 500, &v), ERR_OK);
    assert_int_equal(v, 7);
    assert_int_equal(u64("18446744073709551615", UINT64_MAX, &v), ERR_OK);
    assert_true(v == UINT64_MAX);
    assert_int_equal(u64("18446744073709551614", UINT64_MAX, &v), ERR_OK);
    assert_true(v == UINT64_MAX - 1);
}

static void
u64_limits(void **state)
{
    uint64_t v = 7;
    (void)state;
    assert_int_equal(u64("501", 500, &v), ERR_TOOBIG);
    assert_int_equal(u64("1", 0, &v), ERR_TOOBIG);
    assert_int_equal(u64("18446744073709551616", UINT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(u64("18446744073709551625", UINT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(u64("99999999999999999999", UINT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(u64("184467440737095516150", UINT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(u64("1000000000000000000000000000000", UINT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(v, 7);
}

/* "ERR_INVALID if not a number": whatever its length. */
static void
u64_rejects_non_numbers(void **state)
{
    static const char *const bad[] = {
        "",
        " ",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1a",
        "a1",
        "0x10",
        "1.0",
        "1e3",
        "١",
        "--",
        "\t5",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "123456789012345678901234567890x",
    };
    uint64_t v = 7;
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (u64(bad[i], UINT64_MAX, &v) != ERR_INVALID)
            fail_msg("\"%s\" is not ERR_INVALID", bad[i]);
    assert_int_equal(str_to_u64(STR_NULL, 10, &v), ERR_INVALID);
    assert_int_equal(str_to_u64((struct str){"1\0", 2}, 10, &v), ERR_INVALID);
    assert_int_equal(v, 7);
    /* Only the view is read. */
    assert_int_equal(str_to_u64((struct str){"12abc", 2}, 100, &v), ERR_OK);
    assert_int_equal(v, 12);
}

/* Zeros in front do not change the value: 21 or more digits may still be a
 * small number. */
static void
u64_leading_zeros_any_length(void **state)
{
    uint64_t v = 7;
    (void)state;
    assert_int_equal(u64("00000000000000000050", 200, &v), ERR_OK); /* 20 digits */
    assert_int_equal(v, 50);
    v = 7;
    assert_int_equal(u64("000000000000000000050", 200, &v), ERR_OK); /* 21 digits */
    assert_int_equal(v, 50);
}

static void
i64_signs_and_ranges(void **state)
{
    int64_t v = 7;
    (void)state;
    assert_int_equal(i64("0", -5, 5, &v), ERR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(i64("-0", -5, 5, &v), ERR_OK);
    assert_int_equal(v, 0);
    assert_int_equal(i64("-5", -5, 5, &v), ERR_OK);
    assert_int_equal(v, -5);
    assert_int_equal(i64("5", -5, 5, &v), ERR_OK);
    assert_int_equal(v, 5);
    v = 7;
    assert_int_equal(i64("-6", -5, 5, &v), ERR_TOOBIG);
    assert_int_equal(i64("6", -5, 5, &v), ERR_TOOBIG);
    assert_int_equal(i64("0", 1, 200, &v), ERR_TOOBIG);
    assert_int_equal(v, 7);
    static const char *const bad[] = {"", "-", "+5", "--5", "- 5", " -5", "5-", "-a", "-0x1"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (i64(bad[i], INT64_MIN, INT64_MAX, &v) != ERR_INVALID)
            fail_msg("\"%s\" is not ERR_INVALID", bad[i]);
    assert_int_equal(v, 7);
}

static void
i64_edges(void **state)
{
    int64_t v = 7;
    (void)state;
    assert_int_equal(i64("9223372036854775807", INT64_MIN, INT64_MAX, &v), ERR_OK);
    assert_true(v == INT64_MAX);
    assert_int_equal(i64("9223372036854775808", INT64_MIN, INT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(i64("-9223372036854775807", INT64_MIN, INT64_MAX, &v), ERR_OK);
    assert_true(v == -INT64_MAX);
    assert_int_equal(i64("-9223372036854775809", INT64_MIN, INT64_MAX, &v), ERR_TOOBIG);
    assert_int_equal(i64("-99999999999999999999", INT64_MIN, INT64_MAX, &v), ERR_TOOBIG);
    /* The most negative int64_t is a number in [INT64_MIN, INT64_MAX]. */
    v = 7;
    assert_int_equal(i64("-9223372036854775808", INT64_MIN, INT64_MAX, &v), ERR_OK);
    assert_true(v == INT64_MIN);
}

static void
doubles(void **state)
{
    double v = 7;
    (void)state;
    assert_int_equal(dbl("43.238", &v), ERR_OK);
    assert_true(v == 43.238);
    assert_int_equal(dbl("-180", &v), ERR_OK);
    assert_true(v == -180.0);
    assert_int_equal(dbl("+1.5", &v), ERR_OK);
    assert_true(v == 1.5);
    assert_int_equal(dbl("1e3", &v), ERR_OK);
    assert_true(v == 1000.0);
    assert_int_equal(dbl("-2.5E-1", &v), ERR_OK);
    assert_true(v == -0.25);
    assert_int_equal(dbl("0", &v), ERR_OK);
    assert_true(v == 0.0);
    assert_int_equal(dbl(".5", &v), ERR_OK);
    assert_true(v == 0.5);
    /* Only the view is read, not what follows it. */
    assert_int_equal(str_to_double((struct str){"12.5abc", 4}, &v), ERR_OK);
    assert_true(v == 12.5);
    /* 63 characters still fit the parser's buffer. */
    char longest[64];
    memset(longest, '0', 63);
    longest[1] = '.';
    longest[62] = '1';
    longest[63] = '\0';
    assert_int_equal(dbl(longest, &v), ERR_OK);
    assert_true(v > 0 && v < 1e-59);
}

static void
doubles_rejected(void **state)
{
    static const char *const bad[] = {
        "",      " 1",     "1 ",  "1,5", "nan",  "NaN", "inf",   "-inf", "infinity",
        "0x1p3", "1e",     "e5",  ".",   "-",    "+",   "1.2.3", "1e+",  "--1",
        "1e999", "-1e999", "1-2", "1+2", "1e5e", "\t1", "1\n",
    };
    double v = 7;
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++)
        if (dbl(bad[i], &v) != ERR_INVALID)
            fail_msg("\"%s\" is not ERR_INVALID", bad[i]);
    assert_int_equal(str_to_double(STR_NULL, &v), ERR_INVALID);
    assert_int_equal(str_to_double((struct str){"1\0", 2}, &v), ERR_INVALID);
    /* Longer than the parser takes (63 characters): refused, not cut. */
    char huge[200];
    memset(huge, '1', sizeof(huge) - 1);
    huge[sizeof(huge) - 1] = '\0';
    assert_int_equal(dbl(huge, &v), ERR_INVALID);
    assert_true(v == 7);
    assert_false(isnan(v));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(views),
        cmocka_unit_test(u64_accepts_digits_up_to_max),
        cmocka_unit_test(u64_limits),
        cmocka_unit_test(u64_rejects_non_numbers),
        cmocka_unit_test(u64_leading_zeros_any_length),
        cmocka_unit_test(i64_signs_and_ranges),
        cmocka_unit_test(i64_edges),
        cmocka_unit_test(doubles),
        cmocka_unit_test(doubles_rejected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
