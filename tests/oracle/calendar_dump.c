/*
 * calendar_dump.c - print the built-in calendar (calendar_kz_default) for the
 * oracle in tests/oracle/holidays.mjs, or as the INSERT rows of
 * src/store/migrations/003_calendar.sql.
 *
 *   calendar_dump          JSON: [{"date":"YYYY-MM-DD","kind":"holiday|dayoff|workday",
 *                                  "name":"...","source":"..."}, ...]
 *   calendar_dump --sql    one "('YYYY-MM-DD', 'kind', 'name', 'source')" row a line
 *
 * Build (not part of `make`; links the library):
 *   make build/libtyndau.a && mkdir -p build/tests/oracle &&
 *   cc -std=c11 -D_POSIX_C_SOURCE=200809L -Isrc -o build/tests/oracle/calendar_dump \
 *      tests/oracle/calendar_dump.c build/libtyndau.a
 */
#include <stdio.h>
#include <string.h>

#include "base/tm.h"
#include "domain/calendar.h"

/* s as the inside of a JSON string: quote, backslash and control bytes
 * escaped; UTF-8 passes through. */
static void
put_json(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
}

/* s as the inside of an SQL string literal: quotes doubled. */
static void
put_sql(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            putchar('\'');
        putchar(*p);
    }
}

int
main(int argc, char **argv)
{
    int sql = argc == 2 && strcmp(argv[1], "--sql") == 0;
    if (argc > 2 || (argc == 2 && !sql)) {
        fprintf(stderr, "usage: calendar_dump [--sql]\n");
        return 2;
    }
    if (!sql)
        fputs("[\n", stdout);
    for (size_t i = 0; i < calendar_kz_default_count; i++) {
        const struct cal_entry *e = &calendar_kz_default[i];
        const char *source = e->source ? e->source : "";
        char date[11];
        tm_format_date(e->day, date);
        const char *end = i + 1 < calendar_kz_default_count ? "," : "";
        if (sql) {
            printf("    ('%s', '%s', '", date, calendar_kind_name(e->kind));
            put_sql(e->name);
            fputs("', '", stdout);
            put_sql(source);
            printf("')%s\n", i + 1 < calendar_kz_default_count ? "," : ";");
        } else {
            printf("  {\"date\": \"%s\", \"kind\": \"%s\", \"name\": \"", date,
                   calendar_kind_name(e->kind));
            put_json(e->name);
            fputs("\", \"source\": \"", stdout);
            put_json(source);
            printf("\"}%s\n", end);
        }
    }
    if (!sql)
        fputs("]\n", stdout);
    return ferror(stdout) ? 1 : 0;
}
