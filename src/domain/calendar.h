/*
 * calendar.h - the working-day calendar of Kazakhstan (Asia/Almaty) and the
 * statutory deadlines computed on it (APPK RK Art. 63, 76). Pure rules: no
 * I/O, no globals that change, no locks; every time is passed in.
 *
 * A calendar is a set of exceptions to the week (Monday to Friday work,
 * Saturday and Sunday rest): public holidays, days off moved onto a weekday,
 * and weekend days made working. Exports enum cal_kind, struct cal_entry,
 * CAL_DATE(), the default table calendar_kz_default (2025-2027),
 * calendar_kind_name(), calendar_kind_parse(), calendar_check(),
 * calendar_new(), calendar_free(), calendar_find(), calendar_is_working_day(),
 * calendar_next_working_day(), calendar_add_working_days(),
 * calendar_working_days_between(), sla_registration_time(), sla_due() and
 * sla_extension_limit().
 */
#ifndef DOMAIN_CALENDAR_H
#define DOMAIN_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum cal_kind {
    CAL_HOLIDAY, /* a national, state or religious holiday: no work */
    CAL_DAYOFF,  /* a day off moved onto a weekday (by law or by decree) */
    CAL_WORKDAY, /* a weekend day made a working day (by decree) */
    CAL__COUNT
};

/* One exception to the week. name and source are NUL-terminated UTF-8;
 * source (the law article or decree, for administrators) may be NULL. */
struct cal_entry {
    int32_t day; /* days since 1970-01-01, as in base/tm.h */
    enum cal_kind kind;
    const char *name;
    const char *source;
};

/*
 * CAL_DATE(y, m, d) is the day number of a civil date as a constant
 * expression, so that tables of dates can be static. The same value as
 * tm_days_from_civil() for years 1..9999.
 */
#define CAL__Y(y, m) ((y) - ((m) <= 2))
#define CAL_DATE(y, m, d)                                                                          \
    ((int32_t)(365 * CAL__Y(y, m) + CAL__Y(y, m) / 4 - CAL__Y(y, m) / 100 + CAL__Y(y, m) / 400 +   \
               (153 * ((m) + ((m) > 2 ? -3 : 9)) + 2) / 5 + (d)-1 - 719468))

enum {
    CALENDAR_ENTRIES_MAX = 10000,       /* entries in one calendar */
    CALENDAR_NAME_MAX = 200,            /* bytes in a name or a source */
    CALENDAR_SPAN_MAX = 100000,         /* largest n for calendar_add_working_days() */
    CAL_DAY_MIN = CAL_DATE(1900, 1, 1), /* days an entry may have */
    CAL_DAY_MAX = CAL_DATE(9999, 12, 31),
};

/* The official calendar of the Republic of Kazakhstan for 2025, 2026 and
 * 2027 in date order, with the source of every entry. The same rows are in
 * src/store/migrations/003_calendar.sql: change both together. */
extern const struct cal_entry calendar_kz_default[];
extern const size_t calendar_kz_default_count;

/* "holiday", "dayoff" or "workday"; "?" for a value outside the enum. */
const char *calendar_kind_name(enum cal_kind k);
/* Parse one of those names; ERR_INVALID otherwise. */
enum err calendar_kind_parse(struct str s, enum cal_kind *out);

/*
 * Check count entries before building a calendar from them. ERR_TOOBIG if
 * count > CALENDAR_ENTRIES_MAX; ERR_INVALID if an entry has a day outside
 * CAL_DAY_MIN..CAL_DAY_MAX, a kind outside the enum, a NULL or empty name, a
 * name or source longer than CALENDAR_NAME_MAX, or a day that an earlier
 * entry already has. On ERR_INVALID, *bad (if bad is not NULL) is the index
 * of the offending entry. e is borrowed.
 */
enum err calendar_check(const struct cal_entry *e, size_t count, size_t *bad);

struct calendar; /* opaque: a sorted copy of the entries; immutable once made */

/*
 * Build a calendar from count entries in any order. Everything is copied,
 * names and sources included: e may be freed as soon as this returns. Caller
 * owns the result (calendar_free()). NULL if calendar_check() rejects the
 * entries; never NULL otherwise (allocation aborts). A calendar is never
 * changed after it is made, so any number of threads may read it at once.
 */
struct calendar *calendar_new(const struct cal_entry *e, size_t count);
void calendar_free(struct calendar *c); /* accepts NULL */

/* The entry for day, or NULL if day is an ordinary day. The entry and its
 * strings live as long as c. */
const struct cal_entry *calendar_find(const struct calendar *c, int32_t day);

/*
 * The day functions below accept any day number. Days past the calendar's
 * entries follow the plain week; results saturate at INT32_MAX (far beyond
 * year 9999) instead of overflowing.
 */

/* Monday to Friday unless a holiday or a moved day off; Saturday and Sunday
 * only if made a working day. */
bool calendar_is_working_day(const struct calendar *c, int32_t day);

/* day itself if it is a working day, else the first working day after it. */
int32_t calendar_next_working_day(const struct calendar *c, int32_t day);

/* The n-th working day strictly after day. n must be in 1..CALENDAR_SPAN_MAX
 * (assert: n comes from rules and configuration, which are checked against
 * that limit where they are read, never from a request). */
int32_t calendar_add_working_days(const struct calendar *c, int32_t day, int n);

/* The number of working days in (from, to]: 0 if to == from, and minus the
 * number in (to, from] if to < from, so that
 * calendar_working_days_between(c, d, calendar_add_working_days(c, d, n)) == n.
 * Saturates at INT_MAX and INT_MIN. */
int calendar_working_days_between(const struct calendar *c, int32_t from, int32_t to);

/*
 * Deadlines (APPK RK Art. 63, 76). Instants are Unix seconds; days and times
 * of day are Almaty's (base/tm.h).
 */

/* When an appeal filed at filed_at counts as registered (Art. 63): filed on a
 * non-working day, 09:00 of the next working day; otherwise filed_at itself,
 * whatever the hour. */
int64_t sla_registration_time(const struct calendar *c, int64_t filed_at);

/* The end (23:59:59) of the working_days-th working day after the day of
 * registered_at (Art. 76: 15 working days to decide, 3 to forward or to tell
 * the citizen of an extension). working_days as for calendar_add_working_days(). */
int64_t sla_due(const struct calendar *c, int64_t registered_at, int working_days);

/* The latest new due date an extension may set (Art. 76: up to two months):
 * the same time of day two calendar months after due_at, the day of the month
 * clamped to the month's last day (31 December -> 28 or 29 February).
 * due_at must lie in years 1..9999 (it is a due date this module computed). */
int64_t sla_extension_limit(int64_t due_at);

#endif
