/*
 * jsonl.h - JSON Lines without a JSON library: one object per line, read
 * into named fields. Values that are strings, numbers, true, false or null
 * come back typed; nested arrays and objects are checked and skipped (a
 * caller can see that a key holds one, not what is inside). Exports enum
 * jsonl_type, struct jsonl_field, struct jsonl_reader, jsonl_init(),
 * jsonl_next(), jsonl_object(), jsonl_get() and the limits JSONL_*. Pure.
 *
 * The grammar is RFC 8259's, strictly: no comments, no trailing commas, no
 * single quotes, numbers as JSON writes them, \u escapes with surrogate
 * pairs, valid UTF-8. A key given twice is an error (which value would be
 * meant?), and so is \u0000: a NUL inside a text is not something we take.
 */
#ifndef PIPELINE_JSONL_H
#define PIPELINE_JSONL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum {
    JSONL_FIELDS_MAX = 256, /* keys of one object */
    JSONL_DEPTH_MAX = 64,   /* nesting of arrays and objects inside a value */
    JSONL_NUMBER_MAX = 63,  /* bytes of a number as written */
};

enum jsonl_type { JSONL_NULL, JSONL_BOOL, JSONL_NUMBER, JSONL_STRING, JSONL_NESTED };

struct jsonl_field {
    struct str key; /* unescaped; lives in the arena */
    enum jsonl_type type;
    struct str text; /* STRING: unescaped (lives in the arena); NUMBER: as written
                      * (borrows the line); otherwise empty */
    double num;      /* NUMBER (finite) */
    bool b;          /* BOOL */
};

/* Lines of a JSON Lines text; in is borrowed. */
struct jsonl_reader {
    struct str in;
    size_t pos;
    size_t line; /* of the line returned last, from 1 */
};

void jsonl_init(struct jsonl_reader *r, struct str in);
/* The next line that is not blank, without its line end and the blanks
 * around it, into *line (borrows r->in); r->line is its number. False at
 * the end. */
bool jsonl_next(struct jsonl_reader *r, struct str *line);

/*
 * Parse line, which must hold exactly one JSON object, into *fields (an
 * array of *count in the order written; it and its strings live in a).
 * ERR_INVALID for anything that is not one well-formed object, a key given
 * twice, invalid UTF-8, \u0000, a number that is not finite or longer than
 * JSONL_NUMBER_MAX, or nesting deeper than JSONL_DEPTH_MAX; ERR_TOOBIG past
 * JSONL_FIELDS_MAX keys. *why (static text) says what on error; the
 * outputs are untouched then.
 */
enum err jsonl_object(struct arena *a, struct str line, struct jsonl_field **fields, size_t *count,
                      const char **why);

/* The field named key among f[0..n), or NULL. */
const struct jsonl_field *jsonl_get(const struct jsonl_field *f, size_t n, const char *key);

#endif
