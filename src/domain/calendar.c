/*
 * calendar.c - working days on the calendar of Kazakhstan and the deadlines
 * built on them. A calendar is its exceptions sorted by day; a day without
 * one works from Monday to Friday. Exports what calendar.h declares,
 * including the table calendar_kz_default with the source of every row.
 */
#include "domain/calendar.h"

#include <assert.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/util.h"
#include "base/xalloc.h"

/*
 * Sources of the default table. The law: Law of the Republic of Kazakhstan
 * No. 267-II of 13 December 2001 "On holidays in the Republic of Kazakhstan"
 * (art. 2 national holidays, art. 3 state holidays, art. 5 holidays are
 * non-working days, and a holiday on a Saturday or Sunday makes the next
 * working day after it a day off). Orthodox Christmas and the first day of
 * Kurban Ait are days off under Labour Code art. 84 p. 5, not holidays under
 * the law, so they never move. The labour ministry may move days off (Labour
 * Code art. 85 p. 3); each such move is listed with its order.
 *
 * Checked against the yearly calendars published on egov.kz as reported by
 * Kazinform (inform.kz, 2 Jan 2026 for 2026), pobipb.kz (2025: 246 working
 * days), tengrinews.kz via alau.kz (2026: 246 working days before the change
 * of Constitution Day), and the news cited beside the rows.
 */
#define SRC_NATIONAL "Law 267-II of 13.12.2001 On holidays, art. 2 (national holiday)"
#define SRC_STATE "Law 267-II of 13.12.2001 On holidays, art. 3 (state holiday)"
#define SRC_MOVED "Law 267-II art. 5: holiday on a weekend, next working day is off"
#define SRC_CHRISTMAS "Labour Code art. 84 p. 5: day off, never moved"
#define SRC_KURBAN "Labour Code art. 84 p. 5: day off, never moved; date by DUMK"

const struct cal_entry calendar_kz_default[] = {
    /* 2025. One move: the labour ministry's order approved 21.11.2024
     * (Labour Code art. 85 p. 3) moved the day off from Sunday 5 January
     * to Friday 3 January; asked before the May holidays, the ministry said
     * no other move was planned for 2025 (smartnews.kz, informburo.kz). */
    {CAL_DATE(2025, 1, 1), CAL_HOLIDAY, "Новый год", SRC_STATE},
    {CAL_DATE(2025, 1, 2), CAL_HOLIDAY, "Новый год", SRC_STATE},
    {CAL_DATE(2025, 1, 3), CAL_DAYOFF, "Выходной, перенесённый с воскресенья 5 января",
     "Order of the Minister of Labour approved 21.11.2024 (Labour Code art. 85 p. 3)"},
    {CAL_DATE(2025, 1, 5), CAL_WORKDAY, "Рабочий день: выходной перенесён на 3 января",
     "Order of the Minister of Labour approved 21.11.2024 (Labour Code art. 85 p. 3)"},
    {CAL_DATE(2025, 1, 7), CAL_HOLIDAY, "Православное Рождество", SRC_CHRISTMAS},
    {CAL_DATE(2025, 3, 8), CAL_HOLIDAY, "Международный женский день", SRC_STATE}, /* Sat */
    {CAL_DATE(2025, 3, 10), CAL_DAYOFF, "Выходной за 8 марта", SRC_MOVED},
    {CAL_DATE(2025, 3, 21), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE},
    {CAL_DATE(2025, 3, 22), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE}, /* Sat */
    {CAL_DATE(2025, 3, 23), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE}, /* Sun */
    {CAL_DATE(2025, 3, 24), CAL_DAYOFF, "Выходной за 22 марта", SRC_MOVED},
    {CAL_DATE(2025, 3, 25), CAL_DAYOFF, "Выходной за 23 марта", SRC_MOVED},
    {CAL_DATE(2025, 5, 1), CAL_HOLIDAY, "Праздник единства народа Казахстана", SRC_STATE},
    {CAL_DATE(2025, 5, 7), CAL_HOLIDAY, "День защитника Отечества", SRC_STATE},
    {CAL_DATE(2025, 5, 9), CAL_HOLIDAY, "День Победы", SRC_STATE},
    {CAL_DATE(2025, 6, 6), CAL_HOLIDAY, "Курбан айт, первый день", SRC_KURBAN},
    {CAL_DATE(2025, 7, 6), CAL_HOLIDAY, "День столицы", SRC_STATE}, /* Sun */
    {CAL_DATE(2025, 7, 7), CAL_DAYOFF, "Выходной за День столицы", SRC_MOVED},
    {CAL_DATE(2025, 8, 30), CAL_HOLIDAY, "День Конституции", SRC_STATE}, /* Sat */
    {CAL_DATE(2025, 9, 1), CAL_DAYOFF, "Выходной за День Конституции", SRC_MOVED},
    {CAL_DATE(2025, 10, 25), CAL_HOLIDAY, "День Республики", SRC_NATIONAL}, /* Sat */
    {CAL_DATE(2025, 10, 27), CAL_DAYOFF, "Выходной за День Республики", SRC_MOVED},
    {CAL_DATE(2025, 12, 16), CAL_HOLIDAY, "День Независимости", SRC_NATIONAL},

    /* 2026. No ministerial move (1-4 January rest without one). Constitution
     * Day: the Constitution adopted by referendum on 15.03.2026 (in force
     * 01.07.2026; art. 94 p. 2) makes the day of its adoption Constitution
     * Day, and the labour ministry said on 18.03.2026 that 30 August is no
     * longer a holiday from 2026 and 15 March is kept from 2027
     * (taspanews.kz). So 30 and 31 August 2026 are ordinary days here, and
     * 15-16 March 2026 are too. */
    {CAL_DATE(2026, 1, 1), CAL_HOLIDAY, "Новый год", SRC_STATE},
    {CAL_DATE(2026, 1, 2), CAL_HOLIDAY, "Новый год", SRC_STATE},
    {CAL_DATE(2026, 1, 7), CAL_HOLIDAY, "Православное Рождество", SRC_CHRISTMAS},
    {CAL_DATE(2026, 3, 8), CAL_HOLIDAY, "Международный женский день", SRC_STATE}, /* Sun */
    {CAL_DATE(2026, 3, 9), CAL_DAYOFF, "Выходной за 8 марта", SRC_MOVED},
    {CAL_DATE(2026, 3, 21), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE}, /* Sat */
    {CAL_DATE(2026, 3, 22), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE}, /* Sun */
    {CAL_DATE(2026, 3, 23), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE},
    {CAL_DATE(2026, 3, 24), CAL_DAYOFF, "Выходной за 21 марта", SRC_MOVED},
    {CAL_DATE(2026, 3, 25), CAL_DAYOFF, "Выходной за 22 марта", SRC_MOVED},
    {CAL_DATE(2026, 5, 1), CAL_HOLIDAY, "Праздник единства народа Казахстана", SRC_STATE},
    {CAL_DATE(2026, 5, 7), CAL_HOLIDAY, "День защитника Отечества", SRC_STATE},
    {CAL_DATE(2026, 5, 9), CAL_HOLIDAY, "День Победы", SRC_STATE}, /* Sat */
    {CAL_DATE(2026, 5, 11), CAL_DAYOFF, "Выходной за День Победы", SRC_MOVED},
    /* DUMK calendar of religious dates for 2026, published 06.11.2025. */
    {CAL_DATE(2026, 5, 27), CAL_HOLIDAY, "Курбан айт, первый день", SRC_KURBAN},
    {CAL_DATE(2026, 7, 6), CAL_HOLIDAY, "День столицы", SRC_STATE},
    {CAL_DATE(2026, 10, 25), CAL_HOLIDAY, "День Республики", SRC_NATIONAL}, /* Sun */
    {CAL_DATE(2026, 10, 26), CAL_DAYOFF, "Выходной за День Республики", SRC_MOVED},
    {CAL_DATE(2026, 12, 16), CAL_HOLIDAY, "День Независимости", SRC_NATIONAL},

    /* 2027. No ministerial order known yet: the law's automatic rules only.
     * Constitution Day on 15 March as above; 30 August is an ordinary day.
     * Kurban Ait: DUMK had not published its 2027 calendar; 16 May (10 Dhu
     * al-Hijjah 1448 by the astronomical calendar) is a Sunday, so the
     * estimate moves no working day. Check each row when the 2027 orders
     * and the DUMK calendar appear. */
    {CAL_DATE(2027, 1, 1), CAL_HOLIDAY, "Новый год", SRC_STATE},
    {CAL_DATE(2027, 1, 2), CAL_HOLIDAY, "Новый год", SRC_STATE}, /* Sat */
    {CAL_DATE(2027, 1, 4), CAL_DAYOFF, "Выходной за 2 января", SRC_MOVED},
    {CAL_DATE(2027, 1, 7), CAL_HOLIDAY, "Православное Рождество", SRC_CHRISTMAS},
    {CAL_DATE(2027, 3, 8), CAL_HOLIDAY, "Международный женский день", SRC_STATE},
    {CAL_DATE(2027, 3, 15), CAL_HOLIDAY, "День Конституции",
     "Constitution of 15.03.2026 art. 94 p. 2 (state holiday); Law 267-II art. 5"},
    {CAL_DATE(2027, 3, 21), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE}, /* Sun */
    {CAL_DATE(2027, 3, 22), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE},
    {CAL_DATE(2027, 3, 23), CAL_HOLIDAY, "Наурыз мейрамы", SRC_STATE},
    {CAL_DATE(2027, 3, 24), CAL_DAYOFF, "Выходной за 21 марта", SRC_MOVED},
    {CAL_DATE(2027, 5, 1), CAL_HOLIDAY, "Праздник единства народа Казахстана", SRC_STATE}, /* Sat */
    {CAL_DATE(2027, 5, 3), CAL_DAYOFF, "Выходной за 1 мая", SRC_MOVED},
    {CAL_DATE(2027, 5, 7), CAL_HOLIDAY, "День защитника Отечества", SRC_STATE},
    {CAL_DATE(2027, 5, 9), CAL_HOLIDAY, "День Победы", SRC_STATE}, /* Sun */
    {CAL_DATE(2027, 5, 10), CAL_DAYOFF, "Выходной за День Победы", SRC_MOVED},
    {CAL_DATE(2027, 5, 16), CAL_HOLIDAY, "Курбан айт, первый день",
     SRC_KURBAN " (2027: astronomical estimate)"}, /* Sun */
    {CAL_DATE(2027, 7, 6), CAL_HOLIDAY, "День столицы", SRC_STATE},
    {CAL_DATE(2027, 10, 25), CAL_HOLIDAY, "День Республики", SRC_NATIONAL},
    {CAL_DATE(2027, 12, 16), CAL_HOLIDAY, "День Независимости", SRC_NATIONAL},
};
const size_t calendar_kz_default_count = ARRAY_LEN(calendar_kz_default);

static const char *const kind_names[] = {
    [CAL_HOLIDAY] = "holiday",
    [CAL_DAYOFF] = "dayoff",
    [CAL_WORKDAY] = "workday",
};
_Static_assert(ARRAY_LEN(kind_names) == CAL__COUNT, "kind_names out of date");

struct calendar {
    size_t count;
    struct cal_entry *e; /* sorted by day; names and sources point into text */
    char *text;          /* every name and source, each NUL-terminated */
};

const char *
calendar_kind_name(enum cal_kind k)
{
    if ((unsigned)k >= CAL__COUNT)
        return "?";
    return kind_names[k];
}

enum err
calendar_kind_parse(struct str s, enum cal_kind *out)
{
    for (size_t i = 0; i < ARRAY_LEN(kind_names); i++) {
        if (str_cstr_eq(s, kind_names[i])) {
            *out = (enum cal_kind)i;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

static bool
text_ok(const char *s, bool required)
{
    if (!s)
        return !required;
    size_t len = strnlen(s, CALENDAR_NAME_MAX + 1);
    return len <= CALENDAR_NAME_MAX && (len > 0 || !required);
}

static bool
entry_ok(const struct cal_entry *e)
{
    return e->day >= CAL_DAY_MIN && e->day <= CAL_DAY_MAX && (unsigned)e->kind < CAL__COUNT &&
           text_ok(e->name, true) && text_ok(e->source, false);
}

struct day_index {
    int32_t day;
    size_t index;
};

static int
cmp_day_index(const void *pa, const void *pb)
{
    const struct day_index *a = pa, *b = pb;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return a->index < b->index ? -1 : a->index > b->index;
}

enum err
calendar_check(const struct cal_entry *e, size_t count, size_t *bad)
{
    if (count > CALENDAR_ENTRIES_MAX)
        return ERR_TOOBIG;
    for (size_t i = 0; i < count; i++) {
        if (!entry_ok(&e[i])) {
            if (bad)
                *bad = i;
            return ERR_INVALID;
        }
    }
    /* Sorted by (day, index), the second of two equal days is the later
     * entry; report the earliest such entry so the answer is stable. */
    struct day_index *ix = xcalloc(count, sizeof *ix);
    for (size_t i = 0; i < count; i++)
        ix[i] = (struct day_index){e[i].day, i};
    qsort(ix, count, sizeof *ix, cmp_day_index);
    size_t first = SIZE_MAX;
    for (size_t i = 1; i < count; i++) {
        if (ix[i].day == ix[i - 1].day && ix[i].index < first)
            first = ix[i].index;
    }
    free(ix);
    if (first == SIZE_MAX)
        return ERR_OK;
    if (bad)
        *bad = first;
    return ERR_INVALID;
}

static int
cmp_entry(const void *pa, const void *pb)
{
    const struct cal_entry *a = pa, *b = pb;
    return (a->day > b->day) - (a->day < b->day);
}

/* Copy s to *p, advance *p past its NUL, and return the copy. */
static const char *
put_text(char **p, const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = memcpy(*p, s, len);
    *p += len;
    return copy;
}

struct calendar *
calendar_new(const struct cal_entry *e, size_t count)
{
    if (calendar_check(e, count, NULL))
        return NULL;
    /* At most CALENDAR_ENTRIES_MAX entries of two strings of at most
     * CALENDAR_NAME_MAX bytes each: the sum cannot overflow. */
    size_t text_len = 0;
    for (size_t i = 0; i < count; i++)
        text_len += strlen(e[i].name) + 1 + (e[i].source ? strlen(e[i].source) + 1 : 0);

    struct calendar *c = xcalloc(1, sizeof *c);
    c->e = xcalloc(count, sizeof *c->e);
    c->text = xmalloc(text_len);
    char *p = c->text;
    for (size_t i = 0; i < count; i++) {
        c->e[i] = e[i];
        c->e[i].name = put_text(&p, e[i].name);
        c->e[i].source = e[i].source ? put_text(&p, e[i].source) : NULL;
    }
    qsort(c->e, count, sizeof *c->e, cmp_entry);
    c->count = count;
    return c;
}

void
calendar_free(struct calendar *c)
{
    if (!c)
        return;
    free(c->e);
    free(c->text);
    free(c);
}

/* Index of the first entry whose day is >= day (c->count if none). */
static size_t
lower_bound(const struct calendar *c, int32_t day)
{
    size_t lo = 0, hi = c->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->e[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct cal_entry *
calendar_find(const struct calendar *c, int32_t day)
{
    size_t i = lower_bound(c, day);
    return i < c->count && c->e[i].day == day ? &c->e[i] : NULL;
}

static bool
is_weekend(int32_t day)
{
    return tm_weekday(day) >= 6;
}

bool
calendar_is_working_day(const struct calendar *c, int32_t day)
{
    const struct cal_entry *e = calendar_find(c, day);
    if (e)
        return e->kind == CAL_WORKDAY;
    return !is_weekend(day);
}

int32_t
calendar_next_working_day(const struct calendar *c, int32_t day)
{
    while (day < INT32_MAX && !calendar_is_working_day(c, day))
        day++;
    return day;
}

int32_t
calendar_add_working_days(const struct calendar *c, int32_t day, int n)
{
    assert(n >= 1 && n <= CALENDAR_SPAN_MAX);
    while (n > 0 && day < INT32_MAX) {
        day++;
        if (calendar_is_working_day(c, day))
            n--;
    }
    return day;
}

/* Working days in (from, to] for from <= to: Monday to Friday by arithmetic,
 * then each entry in the range that changes the plain week. */
static int64_t
working_days_forward(const struct calendar *c, int32_t from, int32_t to)
{
    int64_t len = (int64_t)to - from;
    int64_t n = len / 7 * 5; /* any 7 days in a row hold 5 weekdays */
    for (int64_t d = (int64_t)from + len / 7 * 7 + 1; d <= to; d++)
        n += !is_weekend((int32_t)d);
    for (size_t i = lower_bound(c, from); i < c->count && c->e[i].day <= to; i++) {
        const struct cal_entry *e = &c->e[i];
        if (e->day == from)
            continue;
        bool weekend = is_weekend(e->day);
        switch (e->kind) {
        case CAL_HOLIDAY:
        case CAL_DAYOFF:
            n -= !weekend;
            break;
        case CAL_WORKDAY:
            n += weekend;
            break;
        case CAL__COUNT:
            break;
        }
    }
    return n;
}

int
calendar_working_days_between(const struct calendar *c, int32_t from, int32_t to)
{
    int64_t n = from <= to ? working_days_forward(c, from, to) : -working_days_forward(c, to, from);
    return (int)MAX(MIN(n, INT_MAX), INT_MIN);
}

int64_t
sla_registration_time(const struct calendar *c, int64_t filed_at)
{
    int32_t day = tm_local_day(filed_at);
    if (calendar_is_working_day(c, day))
        return filed_at;
    return tm_local_time(calendar_next_working_day(c, day), 9, 0, 0);
}

int64_t
sla_due(const struct calendar *c, int64_t registered_at, int working_days)
{
    int32_t day = calendar_add_working_days(c, tm_local_day(registered_at), working_days);
    return tm_local_time(day, 23, 59, 59);
}

static int
month_len(int y, int m)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : len[m - 1];
}

int64_t
sla_extension_limit(int64_t due_at)
{
    int32_t day = tm_local_day(due_at);
    int64_t sec = due_at + tm_almaty_offset(due_at) - (int64_t)day * TM_DAY; /* 0..86399 */
    int y, m, d;
    tm_civil_from_days(day, &y, &m, &d);
    m += 2;
    if (m > 12) {
        m -= 12;
        y++;
    }
    d = MIN(d, month_len(y, m));
    return tm_local_time(tm_days_from_civil(y, m, d), (int)(sec / 3600), (int)(sec / 60 % 60),
                         (int)(sec % 60));
}
