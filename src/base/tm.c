/*
 * tm.c - civil-date arithmetic (days from civil and back, after the well-known
 * era algorithm) and Asia/Almaty local time without the C library's TZ state.
 */
#include "base/tm.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* 2024-03-01 00:00 at UTC+6 = 2024-02-29T18:00:00Z: Kazakhstan moved to one zone, UTC+5. */
static const int64_t almaty_switch = 1709229600;

int64_t
tm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

int64_t
tm_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
tm_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int32_t
tm_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void
tm_civil_from_days(int32_t z, int *y, int *m, int *d)
{
    z += 719468;
    int era = (z >= 0 ? z : z - 146096) / 146097;
    int doe = z - era * 146097;
    int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int
tm_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int w = (int)((days % 7 + 7 + 3) % 7); /* 0 = Monday */
    return w + 1;
}

int32_t
tm_almaty_offset(int64_t t)
{
    return t < almaty_switch ? 6 * 3600 : 5 * 3600;
}

static int64_t
floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

int32_t
tm_local_day(int64_t t)
{
    return (int32_t)floor_div(t + tm_almaty_offset(t), TM_DAY);
}

int64_t
tm_local_time(int32_t day, int hh, int mm, int ss)
{
    int64_t local = (int64_t)day * TM_DAY + hh * 3600 + mm * 60 + ss;
    /* Try the current offset first; the one hour of 2024-03-01 that repeats takes the later. */
    int64_t t = local - 5 * 3600;
    if (tm_almaty_offset(t) != 5 * 3600)
        t = local - 6 * 3600;
    return t;
}

static void
split(int64_t local, int *y, int *mo, int *d, int *h, int *mi, int *s)
{
    int64_t day = floor_div(local, TM_DAY);
    int64_t sec = local - day * TM_DAY;
    tm_civil_from_days((int32_t)day, y, mo, d);
    *h = (int)(sec / 3600);
    *mi = (int)(sec / 60 % 60);
    *s = (int)(sec % 60);
}

static char *
put2(char *p, int v)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    return p + 2;
}

/* "YYYY-MM-DDTHH:MM:SS" of a local second count; returns the end. Written by
 * hand: the queue formats hundreds of these per request. */
static char *
put_datetime(char *p, int64_t local)
{
    int y, mo, d, h, mi, s;
    split(local, &y, &mo, &d, &h, &mi, &s);
    if (y < 0 || y > 9999)
        y = 0;
    p = put2(p, y / 100);
    p = put2(p, y % 100);
    *p++ = '-';
    p = put2(p, mo);
    *p++ = '-';
    p = put2(p, d);
    *p++ = 'T';
    p = put2(p, h);
    *p++ = ':';
    p = put2(p, mi);
    *p++ = ':';
    return put2(p, s);
}

void
tm_format_almaty(int64_t t, char out[32])
{
    int32_t off = tm_almaty_offset(t);
    char *p = put_datetime(out, t + off);
    *p++ = '+';
    p = put2(p, (int)(off / 3600));
    memcpy(p, ":00", 4);
}

void
tm_format_utc(int64_t t, char out[32])
{
    char *p = put_datetime(out, t);
    memcpy(p, "Z", 2);
}

void
tm_format_date(int32_t day, char out[11])
{
    int y, m, d;
    tm_civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

static int
digits(const char *p, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -1;
        v = v * 10 + (p[i] - '0');
    }
    return v;
}

static int
month_days(int y, int m)
{
    static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : md[m - 1];
}

enum err
tm_parse_date(struct str s, int32_t *out)
{
    if (s.len != 10 || s.p[4] != '-' || s.p[7] != '-')
        return ERR_INVALID;
    int y = digits(s.p, 4), m = digits(s.p + 5, 2), d = digits(s.p + 8, 2);
    if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1 || d > month_days(y, m))
        return ERR_INVALID;
    *out = tm_days_from_civil(y, m, d);
    return ERR_OK;
}

enum err
tm_parse_iso(struct str s, int64_t *out)
{
    int32_t day;
    if (s.len < 10 || tm_parse_date((struct str){s.p, 10}, &day))
        return ERR_INVALID;
    if (s.len == 10) {
        *out = tm_local_time(day, 0, 0, 0);
        return ERR_OK;
    }
    if (s.len < 16 || (s.p[10] != 'T' && s.p[10] != ' ') || s.p[13] != ':')
        return ERR_INVALID;
    int h = digits(s.p + 11, 2), mi = digits(s.p + 14, 2), sec = 0;
    size_t i = 16;
    if (i < s.len && s.p[i] == ':') {
        if (s.len < 19)
            return ERR_INVALID;
        sec = digits(s.p + 17, 2);
        i = 19;
        if (i < s.len && s.p[i] == '.') {
            size_t start = ++i;
            while (i < s.len && s.p[i] >= '0' && s.p[i] <= '9')
                i++;
            if (i == start)
                return ERR_INVALID; /* RFC 3339: a fraction has at least one digit */
        }
    }
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
        return ERR_INVALID;
    int64_t off;
    if (i + 1 == s.len && (s.p[i] == 'Z' || s.p[i] == 'z')) {
        off = 0;
    } else if (i + 6 == s.len && (s.p[i] == '+' || s.p[i] == '-') && s.p[i + 3] == ':') {
        int oh = digits(s.p + i + 1, 2), om = digits(s.p + i + 4, 2);
        if (oh < 0 || oh > 14 || om < 0 || om > 59)
            return ERR_INVALID;
        off = (oh * 3600 + om * 60) * (s.p[i] == '-' ? -1 : 1);
    } else {
        return ERR_INVALID;
    }
    *out = (int64_t)day * TM_DAY + h * 3600 + mi * 60 + (sec == 60 ? 59 : sec) - off;
    return ERR_OK;
}
