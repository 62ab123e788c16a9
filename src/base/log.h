/*
 * log.h - one line per event on stderr:
 *   <utc time> <level> <file>:<line> <message>
 * Exports log_level, log_write(), log_set_level(), log_level_parse() and the
 * log_error/warn/info/debug macros (arguments unevaluated when the level is off).
 * Never log appeal text or citizens' personal data.
 */
#ifndef BASE_LOG_H
#define BASE_LOG_H

#include "base/err.h"

enum log_lvl { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

extern enum log_lvl log_level;

void log_write(enum log_lvl lvl, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "error" | "warn" | "info" | "debug" -> ERR_OK, else ERR_INVALID. */
enum err log_level_parse(const char *s, enum log_lvl *out);

#define LOG(lvl, ...)                                                                              \
    do {                                                                                           \
        if ((lvl) <= log_level)                                                                    \
            log_write((lvl), __FILE__, __LINE__, __VA_ARGS__);                                     \
    } while (0)
#define log_error(...) LOG(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) LOG(LOG_WARN, __VA_ARGS__)
#define log_info(...) LOG(LOG_INFO, __VA_ARGS__)
#define log_debug(...) LOG(LOG_DEBUG, __VA_ARGS__)

#endif
