/*
 * test_tm.c - civil dates, weekdays, the Asia/Almaty offset (UTC+6 until
 * 2024-03-01 00:00 local, UTC+5 since), local days and times around the
 * switch, the ISO 8601 / RFC 3339 parser and the formatters. Day numbers and
 * weekdays for fixed dates were computed with Python's datetime, not with
 * the code under test; the calendar walk below counts days on its own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/tm.h"
#include "base/util.h"

/* 2024-03-01 00:00 at UTC+6 = 2024-02-29T18:00:00Z. */
static const int64_t SWITCH = 1709229600;

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
mdays(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : md[m - 1];
}

static int64_t
iso(const char *s)
{
    int64_t t = 0;
    enum err e = tm_parse_iso(str_from_cstr(s), &t);
    if (e != ERR_OK)
        fail_msg("tm_parse_iso(\"%s\") = %s", s, err_name(e));
    return t;
}

#define assert_almaty(t, want)                                                                     \
    do {                                                                                           \
        char got_[32];                                                                             \
        tm_format_almaty((t), got_);                                                               \
        assert_string_equal(got_, (want));                                                         \
    } while (0)

#define assert_utc(t, want)                                                                        \
    do {                                                                                           \
        char got_[32];                                                                             \
        tm_format_utc((t), got_);                                                                  \
        assert_string_equal(got_, (want));                                                         \
    } while (0)

static void
fixed_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(tm_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(tm_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(tm_days_from_civil(1900, 1, 1), -25567);
    assert_int_equal(tm_days_from_civil(2000, 2, 29), 11016);
    assert_int_equal(tm_days_from_civil(2000, 3, 1), 11017);
    assert_int_equal(tm_days_from_civil(2024, 3, 1), 19783);
    assert_int_equal(tm_days_from_civil(2026, 1, 9), 20462);
    assert_int_equal(tm_days_from_civil(2100, 12, 31), 47846);
}

/* Walk every day of 1900..2100 with an independent calendar (month lengths
 * and leap years), checking both directions and the weekday cycle. */
static void
civil_round_trip_1900_2100(void **state)
{
    (void)state;
    int32_t day = tm_days_from_civil(1900, 1, 1);
    int wd = 1; /* 1900-01-01 was a Monday */
    long count = 0;
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            for (int d = 1; d <= mdays(y, m); d++, day++, count++) {
                int yy, mm, dd;
                if (tm_days_from_civil(y, m, d) != day)
                    fail_msg("days_from_civil(%d-%02d-%02d) = %d, want %d", y, m, d,
                             tm_days_from_civil(y, m, d), day);
                tm_civil_from_days(day, &yy, &mm, &dd);
                if (yy != y || mm != m || dd != d)
                    fail_msg("civil_from_days(%d) = %d-%02d-%02d, want %d-%02d-%02d", day, yy, mm,
                             dd, y, m, d);
                if (tm_weekday(day) != wd)
                    fail_msg("weekday(%d-%02d-%02d) = %d, want %d", y, m, d, tm_weekday(day), wd);
                wd = wd % 7 + 1;
            }
        }
    }
    /* 201 years: 49 leap years (1900 and 2100 are not, 2000 is). */
    assert_int_equal(count, 201L * 365 + 49);
    assert_int_equal(day - 1, 47846);
}

static void
weekdays(void **state)
{
    (void)state;
    assert_int_equal(tm_weekday(0), 4);  /* 1970-01-01 Thursday */
    assert_int_equal(tm_weekday(-1), 3); /* 1969-12-31 Wednesday */
    assert_int_equal(tm_weekday(-7), 4);
    assert_int_equal(tm_weekday(-8), 3);
    assert_int_equal(tm_weekday(tm_days_from_civil(1900, 1, 1)), 1);
    assert_int_equal(tm_weekday(tm_days_from_civil(2000, 2, 29)), 2);
    assert_int_equal(tm_weekday(tm_days_from_civil(2024, 3, 1)), 5);
    assert_int_equal(tm_weekday(tm_days_from_civil(2026, 1, 9)), 5);
    assert_int_equal(tm_weekday(tm_days_from_civil(2026, 1, 10)), 6);
    assert_int_equal(tm_weekday(tm_days_from_civil(2026, 1, 11)), 7);
    assert_int_equal(tm_weekday(tm_days_from_civil(2100, 12, 31)), 5);
}

static void
almaty_offset_switch(void **state)
{
    (void)state;
    assert_int_equal(iso("2024-02-29T18:00:00Z"), SWITCH);
    assert_int_equal(tm_almaty_offset(0), 6 * 3600);
    assert_int_equal(tm_almaty_offset(SWITCH - 1), 6 * 3600);
    assert_int_equal(tm_almaty_offset(SWITCH), 5 * 3600);
    assert_int_equal(tm_almaty_offset(iso("2026-07-01T00:00:00Z")), 5 * 3600);
    assert_int_equal(tm_almaty_offset(iso("2023-07-01T00:00:00Z")), 6 * 3600);
    /* The clock went from 23:59:59 (+06) back to 23:00:00 (+05). */
    assert_almaty(SWITCH - 1, "2024-02-29T23:59:59+06:00");
    assert_almaty(SWITCH, "2024-02-29T23:00:00+05:00");
    assert_almaty(SWITCH + 3600, "2024-03-01T00:00:00+05:00");
}

static void
local_day(void **state)
{
    (void)state;
    int32_t feb29 = tm_days_from_civil(2024, 2, 29), mar1 = feb29 + 1;
    assert_int_equal(tm_local_day(SWITCH - 1), feb29);
    assert_int_equal(tm_local_day(SWITCH), feb29);
    assert_int_equal(tm_local_day(SWITCH + 3599), feb29);
    assert_int_equal(tm_local_day(SWITCH + 3600), mar1);
    /* Before: midnight is 18:00Z; after: 19:00Z. */
    assert_int_equal(tm_local_day(iso("2023-06-01T17:59:59Z")), tm_days_from_civil(2023, 6, 1));
    assert_int_equal(tm_local_day(iso("2023-06-01T18:00:00Z")), tm_days_from_civil(2023, 6, 2));
    assert_int_equal(tm_local_day(iso("2025-06-01T18:59:59Z")), tm_days_from_civil(2025, 6, 1));
    assert_int_equal(tm_local_day(iso("2025-06-01T19:00:00Z")), tm_days_from_civil(2025, 6, 2));
    /* Negative instants round down, not toward zero. */
    assert_int_equal(tm_local_day(-6 * 3600), 0);
    assert_int_equal(tm_local_day(-6 * 3600 - 1), -1);
}

static void
local_time(void **state)
{
    (void)state;
    int32_t feb29 = tm_days_from_civil(2024, 2, 29);
    assert_int_equal(tm_local_time(tm_days_from_civil(2026, 1, 9), 10, 0, 0),
                     iso("2026-01-09T05:00:00Z"));
    assert_int_equal(tm_local_time(tm_days_from_civil(2023, 1, 9), 10, 0, 0),
                     iso("2023-01-09T04:00:00Z"));
    assert_int_equal(tm_local_time(tm_days_from_civil(2026, 1, 9), 23, 59, 59),
                     iso("2026-01-09T18:59:59Z"));
    assert_int_equal(tm_local_time(feb29, 22, 30, 0), iso("2024-02-29T16:30:00Z"));
    /* 23:00-23:59 of 29 February 2024 happened twice: the later one. */
    assert_int_equal(tm_local_time(feb29, 23, 30, 0), iso("2024-02-29T18:30:00Z"));
    assert_int_equal(tm_local_time(feb29 + 1, 0, 30, 0), iso("2024-02-29T19:30:00Z"));
    /* Each local time maps back to its own day. */
    for (int32_t d = tm_days_from_civil(2023, 12, 1); d < tm_days_from_civil(2024, 4, 1); d++) {
        assert_int_equal(tm_local_day(tm_local_time(d, 0, 0, 0)), d);
        assert_int_equal(tm_local_day(tm_local_time(d, 23, 59, 59)), d);
    }
}

static void
formats(void **state)
{
    char out[32];
    char date[11];
    (void)state;
    assert_utc(0, "1970-01-01T00:00:00Z");
    assert_utc(-1, "1969-12-31T23:59:59Z");
    assert_utc(SWITCH, "2024-02-29T18:00:00Z");
    assert_utc(4102444799, "2099-12-31T23:59:59Z");
    assert_almaty(0, "1970-01-01T06:00:00+06:00");
    assert_almaty(iso("2026-01-09T05:00:00Z"), "2026-01-09T10:00:00+05:00");
    tm_format_almaty(iso("2100-12-31T18:59:59Z"), out);
    assert_string_equal(out, "2100-12-31T23:59:59+05:00");
    assert_int_equal(strlen(out), 25);
    tm_format_date(0, date);
    assert_string_equal(date, "1970-01-01");
    tm_format_date(tm_days_from_civil(1900, 1, 1), date);
    assert_string_equal(date, "1900-01-01");
    tm_format_date(tm_days_from_civil(2100, 12, 31), date);
    assert_string_equal(date, "2100-12-31");
}

static void
parse_iso_accepted(void **state)
{
    (void)state;
    int64_t t = iso("2026-01-09T05:00:00Z");
    assert_int_equal(t, 1767934800);
    assert_int_equal(iso("2026-01-09T10:00:00+05:00"), t);
    assert_int_equal(iso("2026-01-09T05:00:00z"), t);
    assert_int_equal(iso("2026-01-09 05:00:00Z"), t);
    assert_int_equal(iso("2026-01-09T05:00Z"), t);
    assert_int_equal(iso("2026-01-09T10:00+05:00"), t);
    assert_int_equal(iso("2026-01-09T05:00:00.999Z"), t);
    assert_int_equal(iso("2026-01-09T05:00:00.1+00:00"), t);
    assert_int_equal(iso("2026-01-09T00:00:00-05:00"), t);
    assert_int_equal(iso("2026-01-09T05:00:00-00:00"), t);
    assert_int_equal(iso("2026-01-09T19:00:00+14:00"), t);
    assert_int_equal(iso("2026-01-09T11:30:00+05:30"), t + 3600);
    /* A leap second is the second before the next minute. */
    assert_int_equal(iso("2016-12-31T23:59:60Z"), iso("2016-12-31T23:59:59Z"));
    /* A bare date is midnight in Almaty, at the offset of that day. */
    assert_int_equal(iso("2026-01-09"), iso("2026-01-08T19:00:00Z"));
    assert_int_equal(iso("2023-01-09"), iso("2023-01-08T18:00:00Z"));
    assert_int_equal(iso("2024-03-01"), SWITCH + 3600);
    assert_int_equal(iso("2024-02-29"), iso("2024-02-28T18:00:00Z"));
    assert_int_equal(iso("2000-02-29T00:00:00Z"), 951782400);
    assert_int_equal(iso("1900-01-01T00:00:00Z"), -2208988800LL);
    assert_int_equal(iso("9999-12-31T23:59:59Z"), 253402300799LL);
}

static void
parse_iso_rejected(void **state)
{
    static const char *const bad[] = {
        "",
        "2026",
        "2026-01",
        "2026-1-09",
        "26-01-09",
        "2026/01/09",
        "2026-01-9",
        "20260109",
        "2026-00-10",
        "2026-13-01",
        "2026-01-00",
        "2026-01-32",
        "2026-02-29",
        "2024-02-30",
        "2100-02-29",
        "1899-12-31",
        "0000-01-01",
        "-2026-01-09",
        "+2026-01-09",
        "2026-01-09 ",
        " 2026-01-09",
        "2026-01-09T",
        "2026-01-09T10",
        "2026-01-09T10:00",
        "2026-01-09T10:00:00",
        "2026-01-09T10:00:00.5",
        "2026-01-09X10:00:00Z",
        "2026-01-09t10:00:00+05:00x",
        "2026-01-09T24:00:00Z",
        "2026-01-09T10:60:00Z",
        "2026-01-09T10:00:61Z",
        "2026-01-09T1:00:00Z",
        "2026-01-09T10:0:00Z",
        "2026-01-09T10:00:0Z",
        "2026-01-09T1a:00:00Z",
        "2026-01-09T-1:00:00Z",
        "2026-01-09T10:00:00ZZ",
        "2026-01-09T10:00:00 Z",
        "2026-01-09T10:00:00+05",
        "2026-01-09T10:00:00+0500",
        "2026-01-09T10:00:00+05:00:00",
        "2026-01-09T10:00:00+5:00",
        "2026-01-09T10:00:00+15:00",
        "2026-01-09T10:00:00+05:60",
        "2026-01-09T10:00:00*05:00",
        "2026-01-09T10:00:00+05-00",
        "2026-01-09T10:00:00+aa:00",
        "2026-01-09T10:00:00.Z",
        "2026-01-09T10:00:00.+05:00",
        "2026-01-09T10:00:00.12a",
    };
    int accepted = 0;
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t t = 42;
        enum err e = tm_parse_iso(str_from_cstr(bad[i]), &t);
        if (e != ERR_INVALID || t != 42) {
            print_error("\"%s\" accepted (%s, t=%lld)\n", bad[i], err_name(e), (long long)t);
            accepted++;
        }
    }
    assert_int_equal(accepted, 0);
    /* Only the view is read, so a valid prefix is not the whole. */
    int64_t t = 0;
    assert_int_equal(tm_parse_iso((struct str){"2026-01-09T05:00:00Zjunk", 20}, &t), ERR_OK);
    assert_int_equal(t, 1767934800);
    assert_int_equal(tm_parse_iso((struct str){"2026-01-09T05:00:00Z", 19}, &t), ERR_INVALID);
}

static void
parse_date(void **state)
{
    int32_t d = 42;
    (void)state;
    assert_int_equal(tm_parse_date(STR("2026-01-09"), &d), ERR_OK);
    assert_int_equal(d, 20462);
    assert_int_equal(tm_parse_date(STR("2000-02-29"), &d), ERR_OK);
    assert_int_equal(d, 11016);
    assert_int_equal(tm_parse_date(STR("1900-01-01"), &d), ERR_OK);
    assert_int_equal(d, -25567);
    assert_int_equal(tm_parse_date(STR("9999-12-31"), &d), ERR_OK);
    d = 42;
    assert_int_equal(tm_parse_date(STR("1900-02-29"), &d), ERR_INVALID);
    assert_int_equal(tm_parse_date(STR("2026-01-09T00:00Z"), &d), ERR_INVALID);
    assert_int_equal(tm_parse_date(STR("2026-01-0a"), &d), ERR_INVALID);
    assert_int_equal(tm_parse_date(STR("2026_01_09"), &d), ERR_INVALID);
    assert_int_equal(tm_parse_date(STR_NULL, &d), ERR_INVALID);
    assert_int_equal(d, 42);
}

/* format -> parse gives the instant back, on both sides of the switch, every
 * 7 hours 13 minutes and 17 seconds from 1990 to 2035. */
static void
format_parse_round_trip(void **state)
{
    (void)state;
    for (int64_t t = iso("1990-01-01T00:00:00Z"); t < iso("2035-01-01T00:00:00Z");
         t += 7 * 3600 + 13 * 60 + 17) {
        char a[32], u[32];
        int64_t back = 0;
        tm_format_almaty(t, a);
        tm_format_utc(t, u);
        assert_int_equal(tm_parse_iso(str_from_cstr(a), &back), ERR_OK);
        if (back != t)
            fail_msg("almaty %s -> %lld, want %lld", a, (long long)back, (long long)t);
        assert_int_equal(tm_parse_iso(str_from_cstr(u), &back), ERR_OK);
        assert_int_equal(back, t);
        int32_t day = 0;
        char date[11];
        tm_format_date(tm_local_day(t), date);
        assert_int_equal(memcmp(date, a, 10), 0);
        assert_int_equal(tm_parse_date(str_from_cstr(date), &day), ERR_OK);
        assert_int_equal(day, tm_local_day(t));
    }
}

static void
clocks(void **state)
{
    (void)state;
    int64_t now = tm_now();
    assert_true(now > iso("2024-01-01T00:00:00Z"));
    int64_t ms = tm_now_ms();
    assert_true(ms / 1000 >= now && ms / 1000 <= now + 2);
    int64_t m1 = tm_mono_ms(), m2 = tm_mono_ms();
    assert_true(m2 >= m1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fixed_day_numbers),
        cmocka_unit_test(civil_round_trip_1900_2100),
        cmocka_unit_test(weekdays),
        cmocka_unit_test(almaty_offset_switch),
        cmocka_unit_test(local_day),
        cmocka_unit_test(local_time),
        cmocka_unit_test(formats),
        cmocka_unit_test(parse_iso_accepted),
        cmocka_unit_test(parse_iso_rejected),
        cmocka_unit_test(parse_date),
        cmocka_unit_test(format_parse_round_trip),
        cmocka_unit_test(clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
