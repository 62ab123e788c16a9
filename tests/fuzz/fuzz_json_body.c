/*
 * fuzz_json_body.c - JSON bodies as the API reads them: Jansson loads the
 * input with the flags of http_json_body() (JSON_REJECT_DUPLICATES |
 * JSON_ALLOW_NUL), and every string it yields, keys included, is valid UTF-8
 * by utf8_valid() (buf_append_json_str() relies on it). The document is then
 * written out again with our own string encoder, buf_append_json_str(), and
 * must parse back to an equal document (json_equal()) with no raw control
 * character, '<', '>' or '&' in the text (JSON inside HTML and SSE stays
 * inert).
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "base/buf.h"
#include "fuzz/fuzz.h"
#include "text/utf8.h"

enum { LOAD_FLAGS = JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, OUT_MAX = 1 << 24 };

static void
put_string(struct buf *b, const char *s, size_t len)
{
    FUZZ_CHECK(utf8_valid((struct str){s, len}));
    buf_append_json_str(b, s, len);
}

/* v as JSON text: strings through buf_append_json_str(), numbers as Jansson
 * writes them (integers and reals keep their type). */
static void
encode(struct buf *b, const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *key;
        json_t *item;
        bool first = true;
        buf_putc(b, '{');
        json_object_foreach((json_t *)v, key, item)
        {
            if (!first)
                buf_putc(b, ',');
            first = false;
            put_string(b, key, strlen(key));
            buf_putc(b, ':');
            encode(b, item);
        }
        buf_putc(b, '}');
        break;
    }
    case JSON_ARRAY:
        buf_putc(b, '[');
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                buf_putc(b, ',');
            encode(b, json_array_get(v, i));
        }
        buf_putc(b, ']');
        break;
    case JSON_STRING:
        put_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
    case JSON_REAL: {
        char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        FUZZ_CHECK(text != NULL);
        buf_puts(b, text);
        free(text);
        break;
    }
    case JSON_TRUE:
        buf_puts(b, "true");
        break;
    case JSON_FALSE:
        buf_puts(b, "false");
        break;
    case JSON_NULL:
        buf_puts(b, "null");
        break;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool seeded;
    if (!seeded) {
        json_object_seed(1); /* the same hash order in every run */
        seeded = true;
    }
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, LOAD_FLAGS, &jerr);
    if (!root)
        return 0;
    /* Jansson checks UTF-8 itself; ours must agree with it on the whole body. */
    FUZZ_CHECK(utf8_valid((struct str){(const char *)data, size}));

    struct buf b = BUF_INIT(OUT_MAX);
    encode(&b, root);
    FUZZ_CHECK(!buf_failed(&b));
    for (size_t i = 0; i < b.len; i++) {
        unsigned char c = (unsigned char)b.p[i];
        FUZZ_CHECK(c >= 0x20 && c != '<' && c != '>' && c != '&');
    }
    json_t *back = json_loadb(b.p, b.len, LOAD_FLAGS, &jerr);
    if (!back)
        fprintf(stderr, "re-encoded JSON does not parse: %s at %d:%d\n", jerr.text, jerr.line,
                jerr.column);
    FUZZ_CHECK(back != NULL);
    FUZZ_CHECK(json_equal(root, back));
    json_decref(back);
    json_decref(root);
    buf_fini(&b);
    return 0;
}
