/*
 * jsonl.c - a strict reader for JSON Lines of flat records. Exports
 * jsonl_init(), jsonl_next(), jsonl_object() and jsonl_get(); everything
 * else is static.
 */
#include "pipeline/jsonl.h"

#include <math.h>
#include <string.h>

#include "text/utf8.h"

struct parser {
    struct arena *a;
    const char *p;
    size_t len, pos;
    const char *why;
};

void
jsonl_init(struct jsonl_reader *r, struct str in)
{
    *r = (struct jsonl_reader){.in = in};
}

static bool
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool
jsonl_next(struct jsonl_reader *r, struct str *line)
{
    while (r->pos < r->in.len) {
        const char *start = r->in.p + r->pos;
        const char *nl = memchr(start, '\n', r->in.len - r->pos);
        size_t n = nl ? (size_t)(nl - start) : r->in.len - r->pos;
        r->pos += n + (nl != NULL);
        r->line++;
        struct str s = {start, n};
        while (s.len > 0 && is_blank(s.p[0]))
            s.p++, s.len--;
        while (s.len > 0 && is_blank(s.p[s.len - 1]))
            s.len--;
        if (s.len > 0) {
            *line = s;
            return true;
        }
    }
    return false;
}

static bool
fail(struct parser *ps, const char *why)
{
    if (!ps->why)
        ps->why = why;
    return false;
}

static void
skip_ws(struct parser *ps)
{
    while (ps->pos < ps->len && is_blank(ps->p[ps->pos]))
        ps->pos++;
}

static bool
at(const struct parser *ps, char c)
{
    return ps->pos < ps->len && ps->p[ps->pos] == c;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Four hex digits at p[i..]; -1 if there are not. */
static long
hex4(const struct parser *ps, size_t i)
{
    if (i + 4 > ps->len)
        return -1;
    long v = 0;
    for (size_t k = 0; k < 4; k++) {
        int d = hex_digit(ps->p[i + k]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* The \u escape at p[i] (after the backslash and 'u'), a surrogate pair
 * taken whole, into out; the bytes of input it took, 0 if it is invalid. */
static size_t
unicode_escape(struct parser *ps, size_t i, char *out, size_t *w)
{
    long u = hex4(ps, i);
    if (u < 0)
        return fail(ps, "a \\u escape needs four hex digits"), 0;
    unsigned long cp = (unsigned long)u;
    size_t took = 4;
    if (u >= 0xD800 && u <= 0xDBFF) {
        long lo =
            i + 10 <= ps->len && ps->p[i + 4] == '\\' && ps->p[i + 5] == 'u' ? hex4(ps, i + 6) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(ps, "a lone UTF-16 surrogate in a \\u escape"), 0;
        cp = 0x10000 + (((unsigned long)u - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
        took = 10;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
        return fail(ps, "a lone UTF-16 surrogate in a \\u escape"), 0;
    }
    if (cp == 0)
        return fail(ps, "\\u0000 in a string"), 0;
    *w += utf8_encode((int32_t)cp, out + *w);
    return took;
}

/* The string at ps (at its quote), unescaped into *out (lives in the arena;
 * NULL out: checked and skipped). */
static bool
parse_string(struct parser *ps, struct str *out)
{
    if (!at(ps, '"'))
        return fail(ps, "expected a string");
    size_t i = ps->pos + 1, end = i;
    while (end < ps->len && ps->p[end] != '"')
        end += ps->p[end] == '\\' ? 2 : 1;
    /* The unescaped text is never longer than the escaped one. */
    char *o = out ? arena_alloc(ps->a, (end < ps->len ? end : ps->len) - i + 1) : NULL;
    char tmp[4];
    size_t w = 0;
    while (i < ps->len && ps->p[i] != '"') {
        unsigned char c = (unsigned char)ps->p[i];
        if (c < 0x20)
            return fail(ps, "a control character inside a string");
        if (c != '\\') {
            if (o)
                o[w] = (char)c;
            w++;
            i++;
            continue;
        }
        if (i + 1 >= ps->len)
            return fail(ps, "a string is not closed");
        char e = ps->p[i + 1];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *k = e != '\0' ? strchr(from, e) : NULL;
        if (k != NULL) {
            if (o)
                o[w] = to[k - from];
            w++;
            i += 2;
            continue;
        }
        if (e != 'u')
            return fail(ps, "an unknown escape in a string");
        size_t scratch = 0; /* skipping: decode into tmp, keep nothing */
        size_t took = unicode_escape(ps, i + 2, o ? o : tmp, o ? &w : &scratch);
        if (took == 0)
            return false;
        i += 2 + took;
    }
    if (i >= ps->len)
        return fail(ps, "a string is not closed");
    ps->pos = i + 1;
    if (out)
        *out = (struct str){o, w};
    return true;
}

/* A number as RFC 8259 writes it: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool
parse_number(struct parser *ps, struct jsonl_field *f)
{
    size_t s = ps->pos, i = s;
    const char *p = ps->p;
#define DIGIT(k) ((k) < ps->len && p[k] >= '0' && p[k] <= '9')
    if (i < ps->len && p[i] == '-')
        i++;
    if (!DIGIT(i))
        return fail(ps, "not a JSON value");
    if (p[i] == '0')
        i++;
    else
        while (DIGIT(i))
            i++;
    if (i < ps->len && p[i] == '.') {
        i++;
        if (!DIGIT(i))
            return fail(ps, "a number needs digits after its point");
        while (DIGIT(i))
            i++;
    }
    if (i < ps->len && (p[i] == 'e' || p[i] == 'E')) {
        i++;
        if (i < ps->len && (p[i] == '+' || p[i] == '-'))
            i++;
        if (!DIGIT(i))
            return fail(ps, "a number needs digits in its exponent");
        while (DIGIT(i))
            i++;
    }
#undef DIGIT
    struct str t = {p + s, i - s};
    if (t.len > JSONL_NUMBER_MAX)
        return fail(ps, "a number longer than 63 characters");
    double d;
    if (str_to_double(t, &d) != ERR_OK || !isfinite(d))
        return fail(ps, "a number out of range");
    ps->pos = i;
    if (f) {
        f->type = JSONL_NUMBER;
        f->text = t;
        f->num = d;
    }
    return true;
}

static bool
literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if (ps->len - ps->pos < n || memcmp(ps->p + ps->pos, word, n) != 0)
        return false;
    ps->pos += n;
    return true;
}

static bool parse_value(struct parser *ps, struct jsonl_field *f, int depth);

/* An array or object at ps (at its bracket), checked and skipped. */
static bool
skip_nested(struct parser *ps, int depth)
{
    if (depth >= JSONL_DEPTH_MAX)
        return fail(ps, "nested deeper than 64 levels");
    bool object = ps->p[ps->pos] == '{';
    char close = object ? '}' : ']';
    ps->pos++;
    skip_ws(ps);
    if (at(ps, close)) {
        ps->pos++;
        return true;
    }
    for (;;) {
        skip_ws(ps);
        if (object) {
            if (!parse_string(ps, NULL))
                return false;
            skip_ws(ps);
            if (!at(ps, ':'))
                return fail(ps, "expected ':' after a key");
            ps->pos++;
        }
        if (!parse_value(ps, NULL, depth + 1))
            return false;
        skip_ws(ps);
        if (at(ps, ',')) {
            ps->pos++;
            continue;
        }
        if (at(ps, close)) {
            ps->pos++;
            return true;
        }
        return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/* Any value; its type and contents into f (NULL: checked and skipped). */
static bool
parse_value(struct parser *ps, struct jsonl_field *f, int depth)
{
    skip_ws(ps);
    if (ps->pos >= ps->len)
        return fail(ps, "a value is missing");
    char c = ps->p[ps->pos];
    if (c == '"') {
        if (f)
            f->type = JSONL_STRING;
        return parse_string(ps, f ? &f->text : NULL);
    }
    if (c == '{' || c == '[') {
        if (f)
            f->type = JSONL_NESTED;
        return skip_nested(ps, depth);
    }
    if (literal(ps, "true") || literal(ps, "false")) {
        if (f) {
            f->type = JSONL_BOOL;
            f->b = c == 't';
        }
        return true;
    }
    if (literal(ps, "null")) {
        if (f)
            f->type = JSONL_NULL;
        return true;
    }
    return parse_number(ps, f);
}

const struct jsonl_field *
jsonl_get(const struct jsonl_field *f, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (str_cstr_eq(f[i].key, key))
            return &f[i];
    return NULL;
}

static bool
parse_object(struct parser *ps, struct jsonl_field *v, size_t *n, enum err *e)
{
    skip_ws(ps);
    if (!at(ps, '{'))
        return fail(ps, "not a JSON object");
    ps->pos++;
    skip_ws(ps);
    if (at(ps, '}')) {
        ps->pos++;
        return true;
    }
    for (;;) {
        if (*n == JSONL_FIELDS_MAX) {
            *e = ERR_TOOBIG;
            return fail(ps, "more than 256 keys");
        }
        struct jsonl_field *f = &v[*n];
        memset(f, 0, sizeof(*f));
        skip_ws(ps);
        if (!parse_string(ps, &f->key))
            return false;
        for (size_t i = 0; i < *n; i++)
            if (str_eq(v[i].key, f->key))
                return fail(ps, "a key given twice");
        skip_ws(ps);
        if (!at(ps, ':'))
            return fail(ps, "expected ':' after a key");
        ps->pos++;
        if (!parse_value(ps, f, 0))
            return false;
        (*n)++;
        skip_ws(ps);
        if (at(ps, ',')) {
            ps->pos++;
            continue;
        }
        if (at(ps, '}')) {
            ps->pos++;
            return true;
        }
        return fail(ps, "expected ',' or '}'");
    }
}

enum err
jsonl_object(struct arena *a, struct str line, struct jsonl_field **fields, size_t *count,
             const char **why)
{
    struct parser ps = {.a = a, .p = line.p, .len = line.len};
    *why = NULL;
    if (!utf8_valid(line)) {
        *why = "not valid UTF-8";
        return ERR_INVALID;
    }
    /* Parsed on the stack, then only the fields there are go to the arena. */
    struct jsonl_field v[JSONL_FIELDS_MAX];
    size_t n = 0;
    enum err e = ERR_INVALID;
    if (!parse_object(&ps, v, &n, &e)) {
        *why = ps.why;
        return e;
    }
    skip_ws(&ps);
    if (ps.pos != ps.len) {
        *why = "text after the object";
        return ERR_INVALID;
    }
    struct jsonl_field *out = ARENA_ARRAY(a, struct jsonl_field, n ? n : 1);
    memcpy(out, v, n * sizeof(*v));
    *fields = out;
    *count = n;
    return ERR_OK;
}
