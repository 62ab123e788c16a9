/*
 * test_buf.c - the capped buffer: growth, the hard cap at and one past the
 * limit, keeping the first error, detach/reset/fini, printf past the small
 * stack buffer, SSE line prefixing, and JSON string escaping. Escaped output
 * is checked against literal expectations and decoded again with Jansson
 * (an independent JSON parser) for every ASCII byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "base/buf.h"
#include "base/util.h"

/* The buffer's bytes are exactly want (n bytes) and NUL-terminated. */
static void
assert_buf(const struct buf *b, const char *want, size_t n)
{
    assert_false(buf_failed(b));
    assert_int_equal(b->len, n);
    assert_non_null(b->p);
    assert_memory_equal(b->p, want, n);
    assert_int_equal(b->p[n], '\0');
}

static char *
json_str(const char *s, size_t n)
{
    struct buf b = BUF_INIT(1 << 20);
    buf_append_json_str(&b, s, n);
    assert_false(buf_failed(&b));
    return buf_detach(&b, NULL);
}

#define assert_json(in, want)                                                                      \
    do {                                                                                           \
        char *got_ = json_str((in), sizeof(in) - 1);                                               \
        assert_string_equal(got_, (want));                                                         \
        free(got_);                                                                                \
    } while (0)

static void
appends(void **state)
{
    struct buf b = BUF_INIT(1024);
    (void)state;
    buf_append(&b, "ab", 2);
    buf_putc(&b, 'c');
    buf_puts(&b, "de");
    buf_put_str(&b, STR("fg"));
    buf_append(&b, NULL, 0);
    buf_put_str(&b, STR_NULL);
    buf_printf(&b, "%d-%s", 42, "x");
    assert_buf(&b, "abcdefg42-x", 11);
    /* NUL bytes are data. */
    buf_append(&b, "\0z", 2);
    assert_int_equal(b.len, 13);
    assert_memory_equal(b.p + 11, "\0z", 2);
    buf_fini(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
}

static void
grows_past_many_chunks(void **state)
{
    struct buf b = BUF_INIT(1 << 20);
    (void)state;
    for (int i = 0; i < 100000; i++)
        buf_putc(&b, (char)('a' + i % 26));
    assert_false(buf_failed(&b));
    assert_int_equal(b.len, 100000);
    assert_true(b.cap > b.len);
    for (int i = 0; i < 100000; i++)
        if (b.p[i] != (char)('a' + i % 26))
            fail_msg("byte %d is %c", i, b.p[i]);
    assert_int_equal(b.p[100000], '\0');
    buf_fini(&b);
}

/* max bytes fit; one more fails, and the failure sticks. */
static void
cap_is_exact(void **state)
{
    struct buf b = BUF_INIT(10);
    (void)state;
    buf_append(&b, "0123456789", 10);
    assert_buf(&b, "0123456789", 10);
    buf_append(&b, NULL, 0);
    assert_false(buf_failed(&b));
    buf_putc(&b, 'x');
    assert_true(buf_failed(&b));
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.p, "0123456789", 11);
    buf_fini(&b);

    b = BUF_INIT(10);
    buf_append(&b, "01234567890", 11);
    assert_true(buf_failed(&b));
    assert_int_equal(b.len, 0);
    buf_fini(&b);

    b = BUF_INIT(0);
    buf_append(&b, "", 0);
    assert_false(buf_failed(&b));
    buf_putc(&b, 'a');
    assert_true(buf_failed(&b));
    buf_fini(&b);
}

/* Build first, check once: after the first error nothing more is added,
 * even what would fit. */
static void
keeps_first_error(void **state)
{
    struct buf b = BUF_INIT(8);
    (void)state;
    buf_puts(&b, "abcd");
    buf_puts(&b, "efghi"); /* 9 > 8 */
    assert_true(buf_failed(&b));
    buf_puts(&b, "e");
    buf_putc(&b, 'f');
    buf_printf(&b, "%s", "g");
    buf_append_json_str(&b, "h", 1);
    buf_append_prefixed_lines(&b, "", "i");
    assert_true(buf_failed(&b));
    assert_int_equal(b.len, 4);
    assert_string_equal(b.p, "abcd");
    /* A huge size does not wrap around the cap check. */
    struct buf c = BUF_INIT(100);
    buf_puts(&c, "x");
    buf_append(&c, "y", SIZE_MAX);
    assert_true(buf_failed(&c));
    buf_append(&c, "y", SIZE_MAX - 1);
    assert_int_equal(c.len, 1);
    buf_fini(&c);
    /* Reset empties it and forgets the error, keeping the memory. */
    char *mem = b.p;
    buf_reset(&b);
    assert_false(buf_failed(&b));
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.p, mem);
    assert_string_equal(b.p, "");
    buf_puts(&b, "12345678");
    assert_buf(&b, "12345678", 8);
    buf_fini(&b);
}

static void
printf_beyond_the_stack_buffer(void **state)
{
    char big[1000];
    struct buf b = BUF_INIT(4096);
    (void)state;
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    buf_puts(&b, "<");
    buf_printf(&b, "%s|%d|%s", big, 7, big);
    buf_puts(&b, ">");
    assert_false(buf_failed(&b));
    assert_int_equal(b.len, 1 + 999 + 3 + 999 + 1);
    assert_int_equal(b.p[0], '<');
    assert_memory_equal(b.p + 1000, "|7|", 3);
    assert_int_equal(b.p[b.len - 1], '>');
    assert_int_equal(b.p[b.len], '\0');
    buf_fini(&b);

    /* A long printf over the cap fails and leaves the bytes as they were. */
    b = BUF_INIT(500);
    buf_puts(&b, "keep");
    buf_printf(&b, "%s", big);
    assert_true(buf_failed(&b));
    assert_int_equal(b.len, 4);
    assert_string_equal(b.p, "keep");
    buf_fini(&b);

    /* Exactly to the cap through the long path. */
    b = BUF_INIT(999);
    buf_printf(&b, "%s", big);
    assert_false(buf_failed(&b));
    assert_int_equal(b.len, 999);
    buf_fini(&b);
}

static void
detach(void **state)
{
    struct buf b = BUF_INIT(64);
    size_t len = 99;
    (void)state;
    char *p = buf_detach(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);
    buf_puts(&b, "hello");
    p = buf_detach(&b, &len);
    assert_string_equal(p, "hello");
    assert_int_equal(len, 5);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    /* b is usable again, with the same cap. */
    buf_puts(&b, "again");
    assert_buf(&b, "again", 5);
    free(p);
    buf_fini(&b);
    buf_fini(&b); /* twice is harmless */
}

static void
prefixed_lines(void **state)
{
    struct buf b = BUF_INIT(256);
    (void)state;
    buf_append_prefixed_lines(&b, "data: ", "{\"a\":1}");
    assert_string_equal(b.p, "data: {\"a\":1}\n");
    buf_reset(&b);
    buf_append_prefixed_lines(&b, "data: ", "one\ntwo\nthree");
    assert_string_equal(b.p, "data: one\ndata: two\ndata: three\n");
    buf_reset(&b);
    buf_append_prefixed_lines(&b, "data: ", "");
    assert_string_equal(b.p, "data: \n");
    buf_reset(&b);
    buf_append_prefixed_lines(&b, "> ", "a\n\nb\n");
    assert_string_equal(b.p, "> a\n> \n> b\n> \n");
    buf_fini(&b);
}

static void
json_escapes(void **state)
{
    (void)state;
    assert_json("", "\"\"");
    assert_json("plain text", "\"plain text\"");
    assert_json("say \"hi\"", "\"say \\\"hi\\\"\"");
    assert_json("back\\slash", "\"back\\\\slash\"");
    assert_json("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
    assert_json("\b\f", "\"\\u0008\\u000c\"");
    assert_json("\x01\x1f", "\"\\u0001\\u001f\"");
    assert_json("\0", "\"\\u0000\"");
    assert_json("x\0y", "\"x\\u0000y\"");
    /* Inert inside HTML and <script>. */
    assert_json("</script><b>&amp;", "\"\\u003c/script\\u003e\\u003cb\\u003e\\u0026amp;\"");
    /* Left alone: /, ', DEL and UTF-8. */
    assert_json("a/b'c\x7f", "\"a/b'c\x7f\"");
    assert_json("Қазақстан ә ғ қ ң ө ұ ү һ і", "\"Қазақстан ә ғ қ ң ө ұ ү һ і\"");
    assert_json("Ёлка й 😀", "\"Ёлка й 😀\"");
    /* Only n bytes are read. */
    char *p = json_str("abc\"def", 3);
    assert_string_equal(p, "\"abc\"");
    free(p);
}

/* Every ASCII byte, alone and inside text, decodes back to itself; the
 * output never holds a raw control byte, <, > or &. */
static void
json_every_ascii_byte_round_trips(void **state)
{
    (void)state;
    for (int c = 0; c < 0x80; c++) {
        char in[3] = {'a', (char)c, 'z'};
        char *out = json_str(in, 3);
        for (const char *q = out; *q; q++) {
            unsigned char u = (unsigned char)*q;
            if (u < 0x20 || u == '<' || u == '>' || u == '&')
                fail_msg("byte 0x%02x: raw 0x%02x in %s", c, u, out);
        }
        json_error_t jerr;
        json_t *j = json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
        if (!j)
            fail_msg("byte 0x%02x: %s is not JSON: %s", c, out, jerr.text);
        assert_true(json_is_string(j));
        assert_int_equal(json_string_length(j), 3);
        assert_memory_equal(json_string_value(j), in, 3);
        json_decref(j);
        free(out);
    }
    /* A long mixed string too. */
    const char *text = "Жол \"бұзылған\" <жоқ> & 50%\n\tбітті\\";
    char *out = json_str(text, strlen(text));
    json_t *j = json_loads(out, JSON_DECODE_ANY, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), text);
    json_decref(j);
    free(out);
}

static void
json_respects_the_cap(void **state)
{
    struct buf b = BUF_INIT(10);
    (void)state;
    /* "<<" becomes 14 bytes with quotes: over the cap. */
    buf_append_json_str(&b, "<<", 2);
    assert_true(buf_failed(&b));
    assert_true(b.len <= 10);
    buf_fini(&b);
    b = BUF_INIT(8);
    buf_append_json_str(&b, "<", 1); /* "\u003c" with quotes is 8 */
    assert_buf(&b, "\"\\u003c\"", 8);
    buf_fini(&b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(appends),
        cmocka_unit_test(grows_past_many_chunks),
        cmocka_unit_test(cap_is_exact),
        cmocka_unit_test(keeps_first_error),
        cmocka_unit_test(printf_beyond_the_stack_buffer),
        cmocka_unit_test(detach),
        cmocka_unit_test(prefixed_lines),
        cmocka_unit_test(json_escapes),
        cmocka_unit_test(json_every_ascii_byte_round_trips),
        cmocka_unit_test(json_respects_the_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
