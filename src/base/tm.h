/*
 * tm.h - time as int64_t Unix seconds (UTC), civil dates as int32_t days since
 * 1970-01-01, and the Asia/Almaty zone (UTC+6 until 2024-03-01 00:00 local,
 * UTC+5 since). Exports tm_now(), tm_now_ms(), tm_days_from_civil(),
 * tm_civil_from_days(), tm_weekday(), tm_almaty_offset(), tm_local_day(),
 * tm_local_time(), tm_format_almaty(), tm_format_utc(), tm_parse_iso(),
 * tm_parse_date().
 */
#ifndef BASE_TM_H
#define BASE_TM_H

#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum { TM_DAY = 86400 };

int64_t tm_now(void);     /* wall clock, seconds */
int64_t tm_now_ms(void);  /* wall clock, milliseconds */
int64_t tm_mono_ms(void); /* monotonic clock, milliseconds */

/* Proleptic Gregorian calendar; valid for years 1..9999. */
int32_t tm_days_from_civil(int y, int m, int d);
void tm_civil_from_days(int32_t days, int *y, int *m, int *d);
/* 1 = Monday ... 7 = Sunday. */
int tm_weekday(int32_t days);

/* Almaty's offset from UTC in seconds at instant t. */
int32_t tm_almaty_offset(int64_t t);
/* The Almaty calendar day that contains instant t. */
int32_t tm_local_day(int64_t t);
/* The instant of local (Almaty) day `day` at hh:mm:ss. */
int64_t tm_local_time(int32_t day, int hh, int mm, int ss);

/* "2026-01-09T10:00:00+05:00" into out (at least 32 bytes). */
void tm_format_almaty(int64_t t, char out[32]);
/* "2026-01-09T05:00:00Z" into out (at least 32 bytes). */
void tm_format_utc(int64_t t, char out[32]);
/* "YYYY-MM-DD" into out (at least 11 bytes). */
void tm_format_date(int32_t day, char out[11]);
/* RFC 3339 date-time with Z or +hh:mm, seconds optional; a bare date is
 * midnight Almaty. ERR_INVALID otherwise. */
enum err tm_parse_iso(struct str s, int64_t *out);
/* "YYYY-MM-DD" -> day number. */
enum err tm_parse_date(struct str s, int32_t *out);

#endif
