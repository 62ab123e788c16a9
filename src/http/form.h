/*
 * form.h - application/x-www-form-urlencoded bodies (HTML forms), parsed with
 * explicit limits: at most FORM_FIELDS_MAX fields, names of 1-FORM_NAME_MAX
 * characters from [A-Za-z0-9_.-], values that decode to valid UTF-8 with no
 * NUL, '+' for a space and %XX escapes with two hex digits. Pure; exports
 * struct form, form_parse(), form_get(), form_text() and form_count().
 */
#ifndef HTTP_FORM_H
#define HTTP_FORM_H

#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum { FORM_FIELDS_MAX = 64, FORM_NAME_MAX = 64, FORM_BODY_MAX = 1 << 20 };

struct form_field {
    const char *name;  /* NUL-terminated, lives in the arena */
    const char *value; /* decoded, NUL-terminated, valid UTF-8, lives in the arena */
    size_t value_len;
};

struct form {
    struct form_field *fields; /* in body order; lives in the arena */
    size_t count;
};

/* Parse body into *out (everything in a). An empty body is an empty form;
 * empty pieces between '&'s are skipped. ERR_INVALID for a malformed escape,
 * a bad name, a NUL or invalid UTF-8 in a value; ERR_TOOBIG for more than
 * FORM_FIELDS_MAX fields, a name longer than FORM_NAME_MAX, or a body over
 * FORM_BODY_MAX bytes. *out is empty after an error. */
enum err form_parse(struct arena *a, struct str body, struct form *out);
/* The first value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);
/* The first value of name without leading and trailing blanks (space, tab,
 * CR, LF), copied into a; NULL when absent or blank. */
const char *form_text(const struct form *f, struct arena *a, const char *name);
/* How many fields are called name. */
size_t form_count(const struct form *f, const char *name);

#endif
