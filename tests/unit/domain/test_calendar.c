/*
 * test_calendar.c - the working-day calendar and the APPK deadlines: weekends,
 * each kind of exception, moved days off, days made working, registration on
 * a non-working day, due dates across Nauryz, extension limits across month
 * ends, counting between days, and the checks on a calendar's entries.
 * Expected days are worked out by hand in the comments, never by the code
 * under test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/tm.h"
#include "base/util.h"
#include "domain/calendar.h"

static int32_t
day_of(int y, int m, int d)
{
    return tm_days_from_civil(y, m, d);
}

static int64_t
ts(const char *iso)
{
    int64_t t = 0;
    assert_int_equal(tm_parse_iso(str_from_cstr(iso), &t), ERR_OK);
    return t;
}

/* Compare instants as Almaty text, so that a failure shows the date. */
#define assert_time(t, iso)                                                                        \
    do {                                                                                           \
        char got_[32];                                                                             \
        tm_format_almaty((t), got_);                                                               \
        assert_string_equal(got_, (iso));                                                          \
    } while (0)

#define assert_day(day, y, m, d)                                                                   \
    do {                                                                                           \
        char got_[11], want_[11];                                                                  \
        tm_format_date((day), got_);                                                               \
        tm_format_date(day_of((y), (m), (d)), want_);                                              \
        assert_string_equal(got_, want_);                                                          \
    } while (0)

static int
setup_kz(void **state)
{
    *state = calendar_new(calendar_kz_default, calendar_kz_default_count);
    return *state ? 0 : -1;
}

static int
teardown_kz(void **state)
{
    calendar_free(*state);
    return 0;
}

static void
cal_date_matches_tm_days_from_civil(void **state)
{
    (void)state;
    for (int y = 1900; y <= 2100; y++) {
        for (int m = 1; m <= 12; m++) {
            assert_int_equal(CAL_DATE(y, m, 1), day_of(y, m, 1));
            assert_int_equal(CAL_DATE(y, m, 28), day_of(y, m, 28));
        }
    }
    assert_int_equal(CAL_DATE(1970, 1, 1), 0);
    assert_int_equal(CAL_DATE(2000, 2, 29), day_of(2000, 2, 29));
    assert_int_equal(CAL_DATE(9999, 12, 31), day_of(9999, 12, 31));
}

/* The table is in date order, within 2025-2027, and every moved day off is a
 * weekday and every day made working a weekend day. */
static void
default_table_is_consistent(void **state)
{
    (void)state;
    size_t bad = 0;
    assert_int_equal(calendar_check(calendar_kz_default, calendar_kz_default_count, &bad), ERR_OK);
    for (size_t i = 0; i < calendar_kz_default_count; i++) {
        const struct cal_entry *e = &calendar_kz_default[i];
        assert_true(e->day >= day_of(2025, 1, 1) && e->day <= day_of(2027, 12, 31));
        if (i > 0)
            assert_true(e->day > calendar_kz_default[i - 1].day);
        assert_non_null(e->source);
        if (e->kind == CAL_DAYOFF)
            assert_true(tm_weekday(e->day) <= 5);
        if (e->kind == CAL_WORKDAY)
            assert_true(tm_weekday(e->day) >= 6);
    }
}

static void
weekends_rest_weekdays_work(void **state)
{
    const struct calendar *c = *state;
    assert_true(calendar_is_working_day(c, day_of(2026, 1, 14)));  /* Wed */
    assert_true(calendar_is_working_day(c, day_of(2026, 1, 16)));  /* Fri */
    assert_false(calendar_is_working_day(c, day_of(2026, 1, 17))); /* Sat */
    assert_false(calendar_is_working_day(c, day_of(2026, 1, 18))); /* Sun */
    assert_true(calendar_is_working_day(c, day_of(2026, 1, 19)));  /* Mon */
    assert_null(calendar_find(c, day_of(2026, 1, 14)));
    /* Past the table, the plain week. */
    assert_false(calendar_is_working_day(c, day_of(2030, 1, 5))); /* Sat */
    assert_true(calendar_is_working_day(c, day_of(2030, 1, 1)));  /* Tue, no table for 2030 */
}

static void
each_kind_of_exception(void **state)
{
    const struct calendar *c = *state;
    const struct cal_entry *e;

    /* A state holiday on a weekday: Thursday 1 May 2025. */
    e = calendar_find(c, day_of(2025, 5, 1));
    assert_non_null(e);
    assert_int_equal(e->kind, CAL_HOLIDAY);
    assert_false(calendar_is_working_day(c, e->day));

    /* A national holiday: Tuesday 16 December 2025. */
    assert_false(calendar_is_working_day(c, day_of(2025, 12, 16)));

    /* A religious day off: Kurban Ait, Friday 6 June 2025; Christmas,
     * Wednesday 7 January 2026. */
    assert_false(calendar_is_working_day(c, day_of(2025, 6, 6)));
    assert_false(calendar_is_working_day(c, day_of(2026, 1, 7)));

    /* A day off moved by law: Monday 10 March 2025, for Saturday 8 March. */
    e = calendar_find(c, day_of(2025, 3, 10));
    assert_non_null(e);
    assert_int_equal(e->kind, CAL_DAYOFF);
    assert_false(calendar_is_working_day(c, e->day));

    /* A weekend day made working by order: Sunday 5 January 2025. */
    e = calendar_find(c, day_of(2025, 1, 5));
    assert_non_null(e);
    assert_int_equal(e->kind, CAL_WORKDAY);
    assert_true(calendar_is_working_day(c, e->day));
}

static void
weekend_holiday_moves_the_day_off(void **state)
{
    const struct calendar *c = *state;
    /* 8 March 2025 is a Saturday: Monday 10 off, Tuesday 11 works. */
    assert_false(calendar_is_working_day(c, day_of(2025, 3, 8)));
    assert_false(calendar_is_working_day(c, day_of(2025, 3, 10)));
    assert_true(calendar_is_working_day(c, day_of(2025, 3, 11)));
    /* Nauryz 2026: Sat 21, Sun 22, Mon 23 are the holidays; the days off
     * for 21 and 22 are the next working days after the holiday, Tue 24 and
     * Wed 25; Thursday 26 works. */
    for (int d = 21; d <= 25; d++)
        assert_false(calendar_is_working_day(c, day_of(2026, 3, d)));
    assert_true(calendar_is_working_day(c, day_of(2026, 3, 20)));
    assert_true(calendar_is_working_day(c, day_of(2026, 3, 26)));
    /* 2 January 2027 is a Saturday: Monday 4 January off. */
    assert_false(calendar_is_working_day(c, day_of(2027, 1, 4)));
    assert_true(calendar_is_working_day(c, day_of(2027, 1, 5)));
    /* Religious days never move: Kurban Ait on Sunday 16 May 2027 leaves
     * Monday 17 May a working day. */
    assert_false(calendar_is_working_day(c, day_of(2027, 5, 16)));
    assert_true(calendar_is_working_day(c, day_of(2027, 5, 17)));
}

/* 2026: the new Constitution made 15 March Constitution Day from 2027, so
 * neither 30 August 2026 (Sunday) nor Monday 31 August is a day off. */
static void
constitution_day_2026_and_2027(void **state)
{
    const struct calendar *c = *state;
    assert_true(calendar_is_working_day(c, day_of(2026, 8, 31)));
    assert_true(calendar_is_working_day(c, day_of(2026, 3, 16)));
    assert_false(calendar_is_working_day(c, day_of(2027, 3, 15)));
    assert_true(calendar_is_working_day(c, day_of(2027, 8, 30)));
}

/* 2025: the day off moved from Sunday 5 January to Friday 3 January. */
static void
sunday_made_working_2025(void **state)
{
    const struct calendar *c = *state;
    assert_false(calendar_is_working_day(c, day_of(2025, 1, 3)));
    assert_false(calendar_is_working_day(c, day_of(2025, 1, 4)));
    assert_true(calendar_is_working_day(c, day_of(2025, 1, 5)));
    assert_true(calendar_is_working_day(c, day_of(2025, 1, 6)));
    assert_day(calendar_add_working_days(c, day_of(2025, 1, 2), 1), 2025, 1, 5);
    assert_day(calendar_next_working_day(c, day_of(2025, 1, 3)), 2025, 1, 5);
    /* Filed on Saturday 4 January 2025: registered Sunday 5 January, 09:00. */
    assert_time(sla_registration_time(c, ts("2025-01-04T12:00:00+05:00")),
                "2025-01-05T09:00:00+05:00");
}

/* A Saturday made working, as the labour ministry did on 4 May 2024 (order of
 * 18.04.2024: the day off moved from Saturday 4 May to Wednesday 8 May). The
 * calendar is built here; names are copied, so the buffer may change after. */
static void
saturday_made_working(void **state)
{
    (void)state;
    char name[32] = "Рабочая суббота";
    struct cal_entry e[] = {
        {day_of(2024, 5, 9), CAL_HOLIDAY, "День Победы", NULL},
        {day_of(2024, 5, 4), CAL_WORKDAY, name, "order of 18.04.2024"},
        {day_of(2024, 5, 8), CAL_DAYOFF, "Перенос с 4 мая", NULL},
        {day_of(2024, 5, 7), CAL_HOLIDAY, "День защитника Отечества", NULL},
    };
    struct calendar *c = calendar_new(e, ARRAY_LEN(e));
    assert_non_null(c);
    memset(name, 'x', sizeof name - 1);

    assert_true(calendar_is_working_day(c, day_of(2024, 5, 4)));  /* Sat */
    assert_false(calendar_is_working_day(c, day_of(2024, 5, 5))); /* Sun */
    assert_false(calendar_is_working_day(c, day_of(2024, 5, 8))); /* Wed */
    const struct cal_entry *got = calendar_find(c, day_of(2024, 5, 4));
    assert_non_null(got);
    assert_string_equal(got->name, "Рабочая суббота");
    assert_string_equal(got->source, "order of 18.04.2024");
    assert_null(calendar_find(c, day_of(2024, 5, 7))->source);

    /* Friday 3 May + 1 = Saturday 4 May. Monday 6 May + 1: 7, 8, 9 off, so
     * Friday 10 May. */
    assert_day(calendar_add_working_days(c, day_of(2024, 5, 3), 1), 2024, 5, 4);
    assert_day(calendar_add_working_days(c, day_of(2024, 5, 6), 1), 2024, 5, 10);
    /* (30 Apr, 12 May]: 1, 2, 3 May, Sat 4, Mon 6, Fri 10 = 6. */
    assert_int_equal(calendar_working_days_between(c, day_of(2024, 4, 30), day_of(2024, 5, 12)), 6);
    calendar_free(c);
}

static void
next_working_day_is_the_day_itself_if_working(void **state)
{
    const struct calendar *c = *state;
    assert_day(calendar_next_working_day(c, day_of(2026, 1, 14)), 2026, 1, 14);
    /* Sat 9 May 2026 -> Sun 10 -> Mon 11 is off -> Tue 12. */
    assert_day(calendar_next_working_day(c, day_of(2026, 5, 9)), 2026, 5, 12);
    /* 1 January 2026 (Thu): 1, 2 off, 3, 4 weekend -> Mon 5. */
    assert_day(calendar_next_working_day(c, day_of(2026, 1, 1)), 2026, 1, 5);
}

/* Filed on Friday 9 January 2026 at 23:59 Almaty: a working day, so it is
 * registered at once and the 15 working days start on Monday 12:
 * 12-16 (5), 19-23 (10), 26-30 (15) -> due Friday 30 January, 23:59:59. */
static void
filed_friday_2359_registers_at_once(void **state)
{
    const struct calendar *c = *state;
    int64_t filed = ts("2026-01-09T23:59:00+05:00");
    int64_t reg = sla_registration_time(c, filed);
    assert_true(reg == filed);
    assert_time(sla_due(c, reg, 15), "2026-01-30T23:59:59+05:00");
}

/* 00:30 on Saturday 10 January 2026 in Almaty is still Friday in UTC
 * (19:30Z): the Almaty day decides. Registered Monday 12 January 09:00;
 * 15 working days after Monday 12: 13-16 (4), 19-23 (9), 26-30 (14),
 * Mon 2 February (15). */
static void
filed_after_midnight_saturday_registers_monday(void **state)
{
    const struct calendar *c = *state;
    int64_t filed = ts("2026-01-09T19:30:00Z");
    int64_t reg = sla_registration_time(c, filed);
    assert_time(reg, "2026-01-12T09:00:00+05:00");
    assert_time(sla_due(c, reg, 15), "2026-02-02T23:59:59+05:00");
}

/* Filed on Victory Day, Saturday 9 May 2026, at 23:59: Sunday 10 rests and
 * Monday 11 is the day off for the holiday, so registered Tuesday 12 May
 * 09:00. 15 working days after Tuesday 12: 13, 14, 15 (3), 18-22 (8), 25, 26
 * (10), Wednesday 27 is Kurban Ait, 28, 29 (12), 1, 2, 3 June (15). */
static void
filed_on_holiday_registers_next_working_day(void **state)
{
    const struct calendar *c = *state;
    int64_t reg = sla_registration_time(c, ts("2026-05-09T23:59:00+05:00"));
    assert_time(reg, "2026-05-12T09:00:00+05:00");
    assert_time(sla_due(c, reg, 15), "2026-06-03T23:59:59+05:00");
    /* A holiday on a weekday: Christmas, Wednesday 7 January 2026. */
    assert_time(sla_registration_time(c, ts("2026-01-07T10:00:00+05:00")),
                "2026-01-08T09:00:00+05:00");
}

/* Registered Monday 16 March 2026: 17-20 (4), Nauryz and its days off 21-25,
 * 26, 27 (6), 30, 31 (8), 1-3 April (11), 6-9 April (15) -> Thursday 9 April.
 * Registered Monday 17 March 2025: 18-20 (3), 21 holiday, 24, 25 days off,
 * 26-28 (6), 31 (7), 1-4 April (11), 7-10 April (15) -> Thursday 10 April. */
static void
due_15_working_days_spans_nauryz(void **state)
{
    const struct calendar *c = *state;
    assert_time(sla_due(c, ts("2026-03-16T10:00:00+05:00"), 15), "2026-04-09T23:59:59+05:00");
    assert_time(sla_due(c, ts("2025-03-17T16:45:00+05:00"), 15), "2025-04-10T23:59:59+05:00");
    /* 3 working days from Friday 12 December 2025: Mon 15 (1), Tue 16 is
     * Independence Day, Wed 17 (2), Thu 18 (3). */
    assert_time(sla_due(c, ts("2025-12-12T11:00:00+05:00"), 3), "2025-12-18T23:59:59+05:00");
}

static void
extension_limit_two_calendar_months(void **state)
{
    (void)state;
    /* 31 December -> 28 February, or 29 in a leap year. */
    assert_time(sla_extension_limit(ts("2025-12-31T23:59:59+05:00")), "2026-02-28T23:59:59+05:00");
    assert_time(sla_extension_limit(ts("2026-12-31T23:59:59+05:00")), "2027-02-28T23:59:59+05:00");
    assert_time(sla_extension_limit(ts("2027-12-31T18:00:00+05:00")), "2028-02-29T18:00:00+05:00");
    /* Other month ends: clamp to 30, keep 31 where the month has it. */
    assert_time(sla_extension_limit(ts("2026-07-31T23:59:59+05:00")), "2026-09-30T23:59:59+05:00");
    assert_time(sla_extension_limit(ts("2026-03-31T23:59:59+05:00")), "2026-05-31T23:59:59+05:00");
    assert_time(sla_extension_limit(ts("2025-10-31T12:00:00+05:00")), "2025-12-31T12:00:00+05:00");
    assert_time(sla_extension_limit(ts("2026-11-30T23:59:59+05:00")), "2027-01-30T23:59:59+05:00");
    assert_time(sla_extension_limit(ts("2026-01-15T00:00:00+05:00")), "2026-03-15T00:00:00+05:00");
    /* Across Kazakhstan's change to UTC+5 on 1 March 2024: same local time. */
    assert_time(sla_extension_limit(ts("2024-01-15T12:00:00+06:00")), "2024-03-15T12:00:00+05:00");
}

static void
working_days_between_counts_half_open(void **state)
{
    const struct calendar *c = *state;
    int32_t fri = day_of(2026, 1, 16), sat = day_of(2026, 1, 17), mon = day_of(2026, 1, 19);
    assert_int_equal(calendar_working_days_between(c, fri, fri), 0);
    assert_int_equal(calendar_working_days_between(c, fri, sat), 0);
    assert_int_equal(calendar_working_days_between(c, fri, mon), 1);
    assert_int_equal(calendar_working_days_between(c, mon, fri), -1);
    /* Whole years, 31 Dec to 31 Dec. 2025: 261 weekdays, 16 of them off
     * (1-3, 7 Jan; 10, 21, 24, 25 Mar; 1, 7, 9 May; 6 Jun; 7 Jul; 1 Sep;
     * 27 Oct; 16 Dec) plus Sunday 5 January = 246, the official figure.
     * 2026: 261 weekdays, 14 off (1, 2, 7 Jan; 9, 23, 24, 25 Mar; 1, 7, 11,
     * 27 May; 6 Jul; 26 Oct; 16 Dec) = 247 (246 before 31 August stopped
     * being a day off). 2027: 261 weekdays, 14 off (1, 4, 7 Jan; 8, 15, 22,
     * 23, 24 Mar; 3, 7, 10 May; 6 Jul; 25 Oct; 16 Dec) = 247. */
    assert_int_equal(calendar_working_days_between(c, day_of(2024, 12, 31), day_of(2025, 12, 31)),
                     246);
    assert_int_equal(calendar_working_days_between(c, day_of(2025, 12, 31), day_of(2026, 12, 31)),
                     247);
    assert_int_equal(calendar_working_days_between(c, day_of(2026, 12, 31), day_of(2027, 12, 31)),
                     247);
    assert_int_equal(calendar_working_days_between(c, day_of(2026, 12, 31), day_of(2024, 12, 31)),
                     -(246 + 247));
    /* March 2026 from 28 Feb: 22 weekdays, 4 off (9, 23, 24, 25) = 18. */
    assert_int_equal(calendar_working_days_between(c, day_of(2026, 2, 28), day_of(2026, 3, 31)),
                     18);
}

/* The counting shortcut agrees with walking day by day, and with
 * calendar_add_working_days(), on every start day around the table. */
static void
working_days_between_agrees_with_walking(void **state)
{
    const struct calendar *c = *state;
    static const int ns[] = {1, 2, 3, 5, 15, 40};
    int32_t first = day_of(2024, 12, 1), last = day_of(2028, 1, 31);
    for (int32_t d = first; d <= last; d++) {
        for (size_t i = 0; i < ARRAY_LEN(ns); i++) {
            int32_t to = calendar_add_working_days(c, d, ns[i]);
            assert_true(calendar_is_working_day(c, to));
            assert_int_equal(calendar_working_days_between(c, d, to), ns[i]);
            assert_int_equal(calendar_working_days_between(c, to, d), -ns[i]);
        }
    }
    int walked = 0;
    for (int32_t d = first + 1; d <= last; d++)
        walked += calendar_is_working_day(c, d);
    assert_int_equal(calendar_working_days_between(c, first, last), walked);
}

static void
empty_calendar_is_the_plain_week(void **state)
{
    (void)state;
    struct calendar *c = calendar_new(NULL, 0);
    assert_non_null(c);
    assert_true(calendar_is_working_day(c, day_of(2026, 1, 1))); /* Thu */
    /* Thu 1 Jan 2026 + 5: 2, 5, 6, 7, 8 -> Thursday 8. */
    assert_day(calendar_add_working_days(c, day_of(2026, 1, 1), 5), 2026, 1, 8);
    assert_int_equal(calendar_working_days_between(c, day_of(2025, 12, 31), day_of(2026, 12, 31)),
                     261);
    calendar_free(c);
    calendar_free(NULL);
}

static void
check_rejects_bad_entries(void **state)
{
    (void)state;
    int32_t d = day_of(2026, 6, 1);
    size_t bad = 99;
    struct cal_entry dup[] = {
        {d, CAL_HOLIDAY, "a", NULL},
        {d + 1, CAL_HOLIDAY, "b", NULL},
        {d, CAL_DAYOFF, "c", NULL},
    };
    assert_int_equal(calendar_check(dup, ARRAY_LEN(dup), &bad), ERR_INVALID);
    assert_int_equal(bad, 2);
    assert_null(calendar_new(dup, ARRAY_LEN(dup)));

    struct cal_entry one = {d, CAL_HOLIDAY, "a", NULL};
    assert_int_equal(calendar_check(&one, 1, &bad), ERR_OK);

    one.kind = CAL__COUNT;
    assert_int_equal(calendar_check(&one, 1, &bad), ERR_INVALID);
    assert_int_equal(bad, 0);
    one.kind = CAL_HOLIDAY;

    one.name = NULL;
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_INVALID);
    one.name = "";
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_INVALID);
    one.name = "a";

    one.day = CAL_DAY_MIN - 1;
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_INVALID);
    one.day = CAL_DAY_MAX + 1;
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_INVALID);
    one.day = d;

    char long_name[CALENDAR_NAME_MAX + 2];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    one.source = long_name;
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_INVALID);
    long_name[CALENDAR_NAME_MAX] = '\0'; /* exactly the limit */
    assert_int_equal(calendar_check(&one, 1, NULL), ERR_OK);
    one.name = long_name;
    struct calendar *c = calendar_new(&one, 1);
    assert_non_null(c);
    assert_int_equal(strlen(calendar_find(c, d)->name), CALENDAR_NAME_MAX);
    calendar_free(c);

    /* Too many entries is refused before any entry is read. */
    assert_int_equal(calendar_check(NULL, CALENDAR_ENTRIES_MAX + 1, &bad), ERR_TOOBIG);
    assert_null(calendar_new(NULL, CALENDAR_ENTRIES_MAX + 1));
}

static void
kind_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < CAL__COUNT; k++) {
        enum cal_kind got = CAL__COUNT;
        assert_int_equal(calendar_kind_parse(str_from_cstr(calendar_kind_name(k)), &got), ERR_OK);
        assert_int_equal(got, k);
    }
    assert_string_equal(calendar_kind_name(CAL_DAYOFF), "dayoff");
    assert_string_equal(calendar_kind_name(CAL__COUNT), "?");
    enum cal_kind k;
    assert_int_equal(calendar_kind_parse(STR("Holiday"), &k), ERR_INVALID);
    assert_int_equal(calendar_kind_parse(STR("holidays"), &k), ERR_INVALID);
    assert_int_equal(calendar_kind_parse(STR(""), &k), ERR_INVALID);
}

int
main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(cal_date_matches_tm_days_from_civil),
        cmocka_unit_test(default_table_is_consistent),
        cmocka_unit_test(saturday_made_working),
        cmocka_unit_test(extension_limit_two_calendar_months),
        cmocka_unit_test(empty_calendar_is_the_plain_week),
        cmocka_unit_test(check_rejects_bad_entries),
        cmocka_unit_test(kind_names_round_trip),
    };
    const struct CMUnitTest kz[] = {
        cmocka_unit_test(weekends_rest_weekdays_work),
        cmocka_unit_test(each_kind_of_exception),
        cmocka_unit_test(weekend_holiday_moves_the_day_off),
        cmocka_unit_test(constitution_day_2026_and_2027),
        cmocka_unit_test(sunday_made_working_2025),
        cmocka_unit_test(next_working_day_is_the_day_itself_if_working),
        cmocka_unit_test(filed_friday_2359_registers_at_once),
        cmocka_unit_test(filed_after_midnight_saturday_registers_monday),
        cmocka_unit_test(filed_on_holiday_registers_next_working_day),
        cmocka_unit_test(due_15_working_days_spans_nauryz),
        cmocka_unit_test(working_days_between_counts_half_open),
        cmocka_unit_test(working_days_between_agrees_with_walking),
    };
    int failed = cmocka_run_group_tests_name("calendar", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("calendar_kz_default", kz, setup_kz, teardown_kz);
    return failed;
}
