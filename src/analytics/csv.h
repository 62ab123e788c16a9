/*
 * csv.h - a small RFC 4180 reader over bytes already in memory: comma
 * separated, optional double quotes with "" inside, CRLF or LF, a UTF-8 BOM
 * skipped, blank lines skipped. Exports struct csv, csv_init(), csv_next().
 * Pure: the caller reads the file.
 */
#ifndef ANALYTICS_CSV_H
#define ANALYTICS_CSV_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

struct csv {
    struct str in; /* borrowed */
    size_t pos;
    size_t line; /* line of the record csv_next() returned last, from 1 */
};

void csv_init(struct csv *c, struct str in);
/* Read the next record into fields[0..*count). Unquoted fields are views of
 * the input, trimmed of spaces and tabs; quoted ones are unescaped copies
 * living in a. *count is 0 at the end of the input. ERR_INVALID for an
 * unterminated quote or text after a closing quote, ERR_TOOBIG for more
 * than max fields; c->line says where. */
enum err csv_next(struct csv *c, struct arena *a, struct str *fields, size_t max, size_t *count);

#endif
