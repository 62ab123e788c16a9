/*
 * fuzz_calendar.c - domain/calendar with arbitrary entries and queries.
 * Entries are checked by calendar_check() (compared with a reference reading
 * of its contract) and built by calendar_new(), whose copies must outlive
 * the caller's strings. Then, for each query day d: is_working_day agrees
 * with counting, the next working day is the first one, for n in 1..60
 * calendar_working_days_between(c, d, calendar_add_working_days(c, d, n)) == n
 * (and -n backwards), calendar_find() returns the entry given for that day,
 * and the deadlines of the SLA land on working days.
 *
 * Input: a header byte (bit 0: the next 4 bytes are the anchor day instead
 * of 2025-01-01; exactly 0x0e or 0x1e: a calendar of CALENDAR_ENTRIES_MAX
 * entries, one more for 0x1e, and nothing else), an entry count byte, the entries
 * (2 bytes: day offset from the anchor; 1 byte: kind and flags; 1 byte:
 * name length and source choice; then the name's bytes), and 3-byte queries
 * (2 bytes: offset from the anchor; 1 byte: flags and time of day).
 */
#include <limits.h>
#include <stdbool.h>
#include <string.h>

#include "base/tm.h"
#include "base/util.h"
#include "domain/appeal.h"
#include "domain/calendar.h"
#include "fuzz/fuzz.h"

enum {
    E_NAME_NULL = 1 << 2,
    E_SOURCE = 1 << 3,
    E_NAME_LONG = 1 << 4, /* 198..201 bytes: across CALENDAR_NAME_MAX */
    E_EDGE_DAY = 1 << 5,
    E_NAME_EMPTY = 1 << 6,
    Q_EDGE_DAY = 1 << 0,
    QUERIES_MAX = 16,
    N_MAX = 60,
};

static const int32_t edge_days[] = {
    INT32_MIN,       INT32_MIN + 1, CAL_DAY_MIN - 1, CAL_DAY_MIN,           CAL_DAY_MAX,
    CAL_DAY_MAX + 1, INT32_MAX - 1, INT32_MAX,       CAL_DATE(2024, 2, 29), CAL_DATE(2024, 3, 1),
};

struct input {
    const uint8_t *p;
    size_t n;
};

static uint8_t
take_byte(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint16_t
take_u16(struct input *in)
{
    uint16_t lo = take_byte(in);
    return (uint16_t)(lo | take_byte(in) << 8);
}

/* A NUL-terminated copy of up to len input bytes, padded with 'x' to pad bytes. */
static char *
take_text(struct input *in, size_t len, size_t pad)
{
    size_t n = MIN(len, in->n);
    char *s = malloc(MAX(n, pad) + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, in->p, n);
    in->p += n;
    in->n -= n;
    if (pad > n)
        memset(s + n, 'x', pad - n);
    s[MAX(n, pad)] = '\0';
    return s;
}

static char *
dup_or_null(const char *s)
{
    if (!s)
        return NULL;
    char *d = malloc(strlen(s) + 1);
    FUZZ_CHECK(d != NULL);
    return strcpy(d, s);
}

static int32_t
day_at(int32_t anchor, uint16_t off, bool edge)
{
    if (edge)
        return edge_days[off % ARRAY_LEN(edge_days)];
    int64_t d = (int64_t)anchor + (int16_t)off;
    return (int32_t)MAX(MIN(d, INT32_MAX), INT32_MIN);
}

static bool
ref_entry_ok(const struct cal_entry *e)
{
    if (e->day < CAL_DAY_MIN || e->day > CAL_DAY_MAX || (unsigned)e->kind >= CAL__COUNT)
        return false;
    if (!e->name || !e->name[0] || strlen(e->name) > CALENDAR_NAME_MAX)
        return false;
    return !e->source || strlen(e->source) <= CALENDAR_NAME_MAX;
}

/* calendar_check() as documented: the first bad entry, else the first entry
 * whose day an earlier entry has. */
static enum err
ref_check(const struct cal_entry *e, size_t count, size_t *bad)
{
    if (count > CALENDAR_ENTRIES_MAX)
        return ERR_TOOBIG;
    for (size_t i = 0; i < count; i++) {
        if (!ref_entry_ok(&e[i])) {
            *bad = i;
            return ERR_INVALID;
        }
    }
    for (size_t j = 1; j < count; j++) {
        for (size_t k = 0; k < j; k++) {
            if (e[k].day == e[j].day) {
                *bad = j;
                return ERR_INVALID;
            }
        }
    }
    return ERR_OK;
}

static bool
same_text(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void
check_find(const struct calendar *c, const struct cal_entry *ref, size_t count, int32_t d)
{
    const struct cal_entry *want = NULL;
    for (size_t i = 0; i < count && !want; i++)
        if (ref[i].day == d)
            want = &ref[i];
    const struct cal_entry *got = calendar_find(c, d);
    FUZZ_CHECK((got == NULL) == (want == NULL));
    if (!got)
        return;
    FUZZ_CHECK(got->day == d && got->kind == want->kind);
    FUZZ_CHECK(same_text(got->name, want->name) && same_text(got->source, want->source));
}

static void
check_sla(const struct calendar *c, int32_t d, uint8_t q)
{
    if (d <= CAL_DAY_MIN || d > CAL_DAY_MAX - 400)
        return;
    int hh = (q >> 1) % 24, mm = (q >> 3) * 7 % 60;
    int64_t t = tm_local_time(d, hh, mm, 30);
    FUZZ_CHECK(tm_local_day(t) == d);
    int64_t reg = sla_registration_time(c, t);
    FUZZ_CHECK(reg >= t && calendar_is_working_day(c, tm_local_day(reg)));
    FUZZ_CHECK(calendar_is_working_day(c, d)
                   ? reg == t
                   : calendar_working_days_between(c, d, tm_local_day(reg)) == 1);
    static const int terms[] = {SLA_FORWARD_DAYS, SLA_DECIDE_DAYS};
    for (size_t i = 0; i < ARRAY_LEN(terms); i++) {
        int64_t due = sla_due(c, reg, terms[i]);
        int32_t due_day = tm_local_day(due);
        FUZZ_CHECK(due_day == calendar_add_working_days(c, tm_local_day(reg), terms[i]));
        FUZZ_CHECK(due == tm_local_time(due_day, 23, 59, 59));
        int64_t limit = sla_extension_limit(due);
        FUZZ_CHECK(limit - due >= 59 * (int64_t)TM_DAY - 3600);
        FUZZ_CHECK(limit - due <= 62 * (int64_t)TM_DAY + 3600);
    }
}

static void
check_day(const struct calendar *c, const struct cal_entry *ref, size_t count, int32_t d, uint8_t q)
{
    bool working = calendar_is_working_day(c, d);
    if (d > INT32_MIN)
        FUZZ_CHECK(calendar_working_days_between(c, d - 1, d) == (int)working);
    int32_t next = calendar_next_working_day(c, d);
    FUZZ_CHECK(next >= d && working == (next == d));
    if (next < INT32_MAX) {
        FUZZ_CHECK(calendar_is_working_day(c, next));
        FUZZ_CHECK(calendar_working_days_between(c, d, next) == (next == d ? 0 : 1));
    }
    int32_t prev = d;
    for (int n = 1; n <= N_MAX; n++) {
        int32_t e = calendar_add_working_days(c, d, n);
        FUZZ_CHECK(e > prev || e == INT32_MAX);
        if (e == INT32_MAX) /* saturated: documented, no count to compare */
            break;
        FUZZ_CHECK(calendar_is_working_day(c, e));
        FUZZ_CHECK(calendar_working_days_between(c, d, e) == n);
        FUZZ_CHECK(calendar_working_days_between(c, e, d) == -n);
        if (n == 1)
            FUZZ_CHECK(e == calendar_next_working_day(c, d + 1));
        prev = e;
    }
    check_find(c, ref, count, d);
    check_sla(c, d, q);
}

/* CALENDAR_ENTRIES_MAX + extra consecutive entries of every kind. */
static void
big_calendar(int32_t anchor, size_t extra)
{
    size_t count = CALENDAR_ENTRIES_MAX + extra;
    struct cal_entry *e = calloc(count, sizeof *e);
    FUZZ_CHECK(e != NULL);
    int32_t first = (int32_t)MIN(MAX(anchor, CAL_DAY_MIN), CAL_DAY_MAX - (int32_t)count);
    for (size_t i = 0; i < count; i++)
        e[i] = (struct cal_entry){first + (int32_t)i, (enum cal_kind)(i % CAL__COUNT), "x", NULL};
    size_t bad = SIZE_MAX;
    FUZZ_CHECK(calendar_check(e, count, &bad) == (extra ? ERR_TOOBIG : ERR_OK));
    struct calendar *c = calendar_new(e, count);
    FUZZ_CHECK((c == NULL) == (extra != 0));
    if (c) {
        int32_t mid = first + (int32_t)(count / 2);
        check_day(c, e, count, mid, 0);
        FUZZ_CHECK(calendar_find(c, mid) != NULL);
        calendar_free(c);
    }
    free(e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = {data, size};
    uint8_t h = take_byte(&in);
    int32_t anchor = CAL_DATE(2025, 1, 1);
    if (h & 1) {
        uint32_t u = take_u16(&in);
        u |= (uint32_t)take_u16(&in) << 16;
        anchor = (int32_t)u;
    }
    if ((h & 0xef) == 0x0e) { /* rare: it is slow */
        big_calendar(anchor, (h >> 4) & 1);
        return 0;
    }

    size_t count = take_byte(&in);
    struct cal_entry *given = calloc(count ? count : 1, sizeof *given);
    struct cal_entry *ref = calloc(count ? count : 1, sizeof *ref);
    FUZZ_CHECK(given && ref);
    for (size_t i = 0; i < count; i++) {
        uint16_t off = take_u16(&in);
        uint8_t kf = take_byte(&in), len = take_byte(&in);
        struct cal_entry *e = &given[i];
        e->day = day_at(anchor, off, kf & E_EDGE_DAY);
        e->kind = (enum cal_kind)(kf & 3);
        if (kf & E_NAME_NULL)
            e->name = NULL;
        else if (kf & E_NAME_EMPTY)
            e->name = take_text(&in, 0, 0);
        else
            e->name = take_text(&in, len & 0x3f, kf & E_NAME_LONG ? 198 + (len & 3) : 0);
        if (kf & E_SOURCE) {
            static const size_t source_len[] = {0, 12, CALENDAR_NAME_MAX, CALENDAR_NAME_MAX + 1};
            e->source = take_text(&in, 0, source_len[len >> 6]);
        }
        ref[i] = *e;
        ref[i].name = dup_or_null(e->name);
        ref[i].source = dup_or_null(e->source);
    }

    size_t bad = SIZE_MAX, want_bad = SIZE_MAX;
    enum err e = calendar_check(given, count, &bad);
    FUZZ_CHECK(e == ref_check(given, count, &want_bad));
    FUZZ_CHECK(e != ERR_INVALID || bad == want_bad);
    struct calendar *c = calendar_new(given, count);
    FUZZ_CHECK((c == NULL) == (e != ERR_OK));
    /* The calendar holds copies: the caller's strings may go at once. */
    for (size_t i = 0; i < count; i++) {
        free((char *)given[i].name);
        free((char *)given[i].source);
    }
    free(given);

    for (int k = 0; c && k < QUERIES_MAX && in.n > 0; k++) {
        uint16_t off = take_u16(&in);
        uint8_t q = take_byte(&in);
        check_day(c, ref, count, day_at(anchor, off, q & Q_EDGE_DAY), q);
    }
    /* Every entry is found on its own day. */
    for (size_t i = 0; c && i < count; i++)
        check_find(c, ref, count, ref[i].day);

    calendar_free(c);
    for (size_t i = 0; i < count; i++) {
        free((char *)ref[i].name);
        free((char *)ref[i].source);
    }
    free(ref);
    return 0;
}
