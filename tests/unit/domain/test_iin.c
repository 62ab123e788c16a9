/*
 * test_iin.c - the IIN check digit (both weight sets and the number that has
 * no check digit), malformed input, and the birth date and sex it encodes.
 * Every valid number here was made up, its check digit worked out by hand in
 * the comment beside it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/tm.h"
#include "base/util.h"
#include "domain/iin.h"

static bool
valid(const char *s)
{
    return iin_valid(str_from_cstr(s));
}

/*
 * 900101 3 0000 ?: digits 9 0 0 1 0 1 3 0 0 0 0, weights 1..11:
 * 9*1 + 1*4 + 1*6 + 3*7 = 9 + 4 + 6 + 21 = 40; 40 mod 11 = 7 -> 900101300007.
 * 000229 5 0000 ?: 2*4 + 2*5 + 9*6 + 5*7 = 8 + 10 + 54 + 35 = 107;
 * 107 mod 11 = 8 -> 000229500008.
 */
static void
first_weights(void **state)
{
    (void)state;
    assert_true(valid("900101300007"));
    assert_true(valid("000229500008"));
    /* Any other last digit is wrong. */
    assert_false(valid("900101300008"));
    assert_false(valid("900101300000"));
    assert_false(valid("000229500009"));
    /* A changed first digit: 8 + 4 + 6 + 21 = 39, 39 mod 11 = 6, not 7. */
    assert_false(valid("800101300007"));
}

/*
 * 991231 4 0001 ?: digits 9 9 1 2 3 1 4 0 0 0 1.
 * Weights 1..11: 9 + 18 + 3 + 8 + 15 + 6 + 28 + 0 + 0 + 0 + 11 = 98;
 * 98 mod 11 = 10, so weights 3 4 5 6 7 8 9 10 11 1 2:
 * 27 + 36 + 5 + 12 + 21 + 8 + 36 + 0 + 0 + 0 + 2 = 147; 147 mod 11 = 4
 * -> 991231400014.
 * 850515 2 0000 ?: weights 1..11: 8 + 10 + 0 + 20 + 5 + 30 + 14 = 87,
 * 87 mod 11 = 10; second set: 24 + 20 + 0 + 30 + 7 + 40 + 18 = 139,
 * 139 mod 11 = 7 -> 850515200007.
 */
static void
second_weights(void **state)
{
    (void)state;
    assert_true(valid("991231400014"));
    assert_true(valid("850515200007"));
    /* 10, the first remainder, is not a digit that could match; and a
     * check digit from the first set is wrong here. */
    assert_false(valid("991231400010"));
    assert_false(valid("850515200000"));
}

/*
 * 991231 4 0004 ?: weights 1..11: 9 + 18 + 3 + 8 + 15 + 6 + 28 + 44 = 131,
 * 131 mod 11 = 10; second set: 27 + 36 + 5 + 12 + 21 + 8 + 36 + 8 = 153,
 * 153 mod 11 = 10 again: no IIN starts with these 11 digits.
 */
static void
both_remainders_ten_is_invalid(void **state)
{
    (void)state;
    char s[] = "99123140004?";
    for (char k = '0'; k <= '9'; k++) {
        s[11] = k;
        assert_false(valid(s));
    }
}

static void
malformed_input(void **state)
{
    (void)state;
    assert_false(iin_valid(STR_NULL));
    assert_false(valid(""));
    assert_false(valid("90010130000"));   /* 11 digits */
    assert_false(valid("9001013000070")); /* 13 digits */
    assert_false(valid("90010130000a"));
    assert_false(valid("A00101300007"));
    assert_false(valid("9001013000 7"));
    assert_false(valid(" 900101300007"));
    assert_false(valid("900101-300007"));
    assert_false(valid("９００１０１３００００７")); /* full-width digits */
    /* A NUL inside the 12 bytes. */
    assert_false(iin_valid((struct str){"90010\000300007", 12}));
    /* Only the 12 bytes of the view count, not what follows them. */
    assert_true(iin_valid((struct str){"900101300007999", 12}));
}

static void
assert_birth(const char *iin, int y, int m, int d, enum iin_sex want_sex)
{
    int32_t day = -1;
    enum iin_sex sex = want_sex == IIN_MALE ? IIN_FEMALE : IIN_MALE;
    assert_int_equal(iin_decode(str_from_cstr(iin), &day, &sex), ERR_OK);
    char got[11], want[11];
    tm_format_date(day, got);
    tm_format_date(tm_days_from_civil(y, m, d), want);
    assert_string_equal(got, want);
    assert_int_equal(sex, want_sex);
    day = -1;
    assert_int_equal(iin_birth_date(str_from_cstr(iin), &day), ERR_OK);
    assert_int_equal(day, tm_days_from_civil(y, m, d));
}

/* The 7th digit: 1, 2 -> 1800s; 3, 4 -> 1900s; 5, 6 -> 2000s; odd male. */
static void
birth_date_and_sex(void **state)
{
    (void)state;
    assert_birth("900101300007", 1990, 1, 1, IIN_MALE);
    assert_birth("991231400014", 1999, 12, 31, IIN_FEMALE);
    assert_birth("850515200007", 1885, 5, 15, IIN_FEMALE);
    assert_birth("000229500008", 2000, 2, 29, IIN_MALE); /* 2000 is a leap year */
}

/*
 * Each of these has a right check digit, so only the decoding fails:
 * 901301 3 0000: 9 + 3 + 12 + 6 + 21 = 51, 51 mod 11 = 7 (month 13).
 * 230229 5 0000: 2 + 6 + 8 + 10 + 54 + 35 = 115, 115 mod 11 = 5 (2023 is not
 * a leap year).
 * 900101 7 0000: 9 + 4 + 6 + 49 = 68, 68 mod 11 = 2 (century digit 7).
 * 900101 0 0000: 9 + 4 + 6 = 19, 19 mod 11 = 8 (century digit 0).
 */
static void
birth_date_rejects_impossible(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "901301300007",
        "230229500005",
        "900101700002",
        "900101000008",
        "900101300008", /* wrong check digit */
        "90010130000",  /* 11 digits */
        "",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        assert_true(i >= 4 || valid(bad[i]));
        int32_t day = 12345;
        enum iin_sex sex = IIN_FEMALE;
        assert_int_equal(iin_decode(str_from_cstr(bad[i]), &day, &sex), ERR_INVALID);
        assert_int_equal(iin_birth_date(str_from_cstr(bad[i]), &day), ERR_INVALID);
        assert_int_equal(day, 12345); /* untouched on error */
        assert_int_equal(sex, IIN_FEMALE);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(first_weights),
        cmocka_unit_test(second_weights),
        cmocka_unit_test(both_remainders_ten_is_invalid),
        cmocka_unit_test(malformed_input),
        cmocka_unit_test(birth_date_and_sex),
        cmocka_unit_test(birth_date_rejects_impossible),
    };
    return cmocka_run_group_tests_name("iin", tests, NULL, NULL);
}
