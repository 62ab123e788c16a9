/*
 * log.c - line logger on stderr; one write() per line so threads don't interleave.
 */
#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum log_lvl log_level = LOG_INFO;

static const char *const lvl_name[] = {"error", "warn", "info", "debug"};

void
log_write(enum log_lvl lvl, const char *file, int line, const char *fmt, ...)
{
    char out[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    const char *src = strstr(file, "src/");
    src = src ? src + 4 : file;
    int n = snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s %s:%d ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     ts.tv_nsec / 1000000, lvl_name[lvl], src, line);
    if (n < 0 || (size_t)n >= sizeof(out))
        return;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(out + n, sizeof(out) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        return;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(out) - 2)
        len = sizeof(out) - 2;
    out[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, out, len);
    (void)w; /* nowhere to report a failed log write */
}

enum err
log_level_parse(const char *s, enum log_lvl *out)
{
    for (size_t i = 0; i < sizeof(lvl_name) / sizeof(lvl_name[0]); i++) {
        if (strcmp(s, lvl_name[i]) == 0) {
            *out = (enum log_lvl)i;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}
