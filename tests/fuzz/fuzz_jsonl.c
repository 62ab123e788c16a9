/*
 * fuzz_jsonl.c - pipeline/jsonl on any bytes, as one line and as a file of
 * lines. On error the outputs stay untouched and a reason is given. What
 * it accepts: at most JSONL_FIELDS_MAX fields with distinct keys, keys and
 * string values valid UTF-8 without NUL, numbers finite and their text a
 * JSON number; and written back as JSON (escaped here, independently) it
 * parses again to the same fields. jsonl_next() returns lines in order,
 * none blank or with a line end inside, and each inside the input.
 */
#include <math.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "fuzz/fuzz.h"
#include "pipeline/jsonl.h"
#include "text/utf8.h"

static void
put_json_str(struct buf *b, struct str s)
{
    buf_puts(b, "\"");
    for (size_t i = 0; i < s.len; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (c == '"' || c == '\\')
            buf_printf(b, "\\%c", c);
        else if (c < 0x20)
            buf_printf(b, "\\u%04x", c);
        else
            buf_append(b, s.p + i, 1);
    }
    buf_puts(b, "\"");
}

static void
check_fields(const struct jsonl_field *f, size_t n)
{
    FUZZ_CHECK(n <= JSONL_FIELDS_MAX);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(utf8_valid(f[i].key) && memchr(f[i].key.p, 0, f[i].key.len) == NULL);
        for (size_t k = 0; k < i; k++)
            FUZZ_CHECK(!str_eq(f[k].key, f[i].key));
        FUZZ_CHECK(jsonl_get(f, n, "") == NULL || jsonl_get(f, n, "")->key.len == 0);
        switch (f[i].type) {
        case JSONL_STRING:
            FUZZ_CHECK(utf8_valid(f[i].text) &&
                       (f[i].text.len == 0 || memchr(f[i].text.p, 0, f[i].text.len) == NULL));
            break;
        case JSONL_NUMBER:
            FUZZ_CHECK(isfinite(f[i].num) && f[i].text.len > 0 &&
                       f[i].text.len <= JSONL_NUMBER_MAX);
            break;
        case JSONL_NULL:
        case JSONL_BOOL:
        case JSONL_NESTED:
            break;
        }
    }
}

static void
round_trip(struct arena *a, const struct jsonl_field *f, size_t n)
{
    struct buf b = BUF_INIT(1 << 24);
    buf_puts(&b, "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(&b, ",");
        put_json_str(&b, f[i].key);
        buf_puts(&b, ":");
        switch (f[i].type) {
        case JSONL_STRING:
            put_json_str(&b, f[i].text);
            break;
        case JSONL_NUMBER:
            buf_append(&b, f[i].text.p, f[i].text.len);
            break;
        case JSONL_BOOL:
            buf_puts(&b, f[i].b ? "true" : "false");
            break;
        case JSONL_NULL:
            buf_puts(&b, "null");
            break;
        case JSONL_NESTED:
            buf_puts(&b, "[]");
            break;
        }
    }
    buf_puts(&b, "}");
    FUZZ_CHECK(!buf_failed(&b));
    struct jsonl_field *g = NULL;
    size_t m = 0;
    const char *why = NULL;
    FUZZ_CHECK(jsonl_object(a, (struct str){b.p, b.len}, &g, &m, &why) == ERR_OK);
    FUZZ_CHECK(m == n);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK(str_eq(g[i].key, f[i].key) && g[i].type == f[i].type);
        if (f[i].type == JSONL_STRING || f[i].type == JSONL_NUMBER)
            FUZZ_CHECK(str_eq(g[i].text, f[i].text));
        if (f[i].type == JSONL_NUMBER)
            FUZZ_CHECK(g[i].num == f[i].num);
        if (f[i].type == JSONL_BOOL)
            FUZZ_CHECK(g[i].b == f[i].b);
    }
    buf_fini(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    struct str in = {(const char *)data, size};
    struct jsonl_field *f = (struct jsonl_field *)&in; /* a sentinel for errors */
    size_t n = 4242;
    const char *why = NULL;
    enum err e = jsonl_object(a, in, &f, &n, &why);
    if (e) {
        FUZZ_CHECK(e == ERR_INVALID || e == ERR_TOOBIG);
        FUZZ_CHECK(why != NULL && f == (struct jsonl_field *)&in && n == 4242);
    } else {
        FUZZ_CHECK(utf8_valid(in));
        check_fields(f, n);
        round_trip(a, f, n);
    }
    struct jsonl_reader r;
    struct str line;
    const char *prev_end = in.p;
    size_t prev_line = 0;
    jsonl_init(&r, in);
    while (jsonl_next(&r, &line)) {
        FUZZ_CHECK(line.len > 0 && line.p >= prev_end && line.p + line.len <= in.p + in.len);
        FUZZ_CHECK(memchr(line.p, '\n', line.len) == NULL && r.line > prev_line);
        FUZZ_CHECK(line.p[0] != ' ' && line.p[line.len - 1] != ' ' && line.p[line.len - 1] != '\r');
        prev_end = line.p + line.len;
        prev_line = r.line;
        struct jsonl_field *g;
        size_t m;
        if (jsonl_object(a, line, &g, &m, &why) == ERR_OK)
            check_fields(g, m);
    }
    arena_free(a);
    return 0;
}
