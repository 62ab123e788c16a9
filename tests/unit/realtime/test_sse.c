/*
 * test_sse.c - SSE framing: event names, frames and comments byte for byte,
 * line breaks (CRLF, CR, LF) split into data lines, refused input leaving
 * the buffer unchanged, the buffer cap, a frame read back by a small
 * EventSource parser written from the WHATWG text, and the Last-Event-ID
 * parser at and past its limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/util.h"
#include "realtime/sse.h"

/* Frame id/event/data into a fresh buffer and compare with want. */
static void
assert_frame(int64_t id, const char *event, const char *data, const char *want)
{
    struct buf b = BUF_INIT(1 << 16);
    assert_int_equal(sse_frame(&b, id, event, data), ERR_OK);
    assert_non_null(b.p);
    assert_string_equal(b.p, want);
    buf_fini(&b);
}

static void
event_names(void **state)
{
    char long_name[SSE_EVENT_NAME_MAX + 2];
    (void)state;
    assert_true(sse_event_name_valid("appeal.registered"));
    assert_true(sse_event_name_valid("appeal.due_soon"));
    assert_true(sse_event_name_valid("x"));
    assert_false(sse_event_name_valid(NULL));
    assert_false(sse_event_name_valid(""));
    assert_false(sse_event_name_valid("Appeal"));
    assert_false(sse_event_name_valid("appeal registered"));
    assert_false(sse_event_name_valid("appeal\n"));
    assert_false(sse_event_name_valid("a\rb"));
    assert_false(sse_event_name_valid("a:b"));
    assert_false(sse_event_name_valid("a1"));
    assert_false(sse_event_name_valid("\xd0\xb0")); /* Cyrillic a */
    memset(long_name, 'a', SSE_EVENT_NAME_MAX);
    long_name[SSE_EVENT_NAME_MAX] = '\0';
    assert_true(sse_event_name_valid(long_name));
    long_name[SSE_EVENT_NAME_MAX] = 'a';
    long_name[SSE_EVENT_NAME_MAX + 1] = '\0';
    assert_false(sse_event_name_valid(long_name));
}

static void
frames(void **state)
{
    (void)state;
    assert_frame(42, "appeal.registered", "{\"id\":7}",
                 "id: 42\nevent: appeal.registered\ndata: {\"id\":7}\n\n");
    assert_frame(0, NULL, "x", "id: 0\ndata: x\n\n");
    assert_frame(INT64_MAX, "a", "", "id: 9223372036854775807\nevent: a\ndata: \n\n");
    /* Every line break ends a data line; none survives as a bare CR. */
    assert_frame(1, "a", "l1\nl2\r\nl3\rl4",
                 "id: 1\nevent: a\ndata: l1\ndata: l2\ndata: l3\ndata: l4\n\n");
    assert_frame(1, "a", "x\n", "id: 1\nevent: a\ndata: x\ndata: \n\n");
    assert_frame(1, "a", "\r\n\r\n", "id: 1\nevent: a\ndata: \ndata: \ndata: \n\n");
    assert_frame(1, "a", "\n\r", "id: 1\nevent: a\ndata: \ndata: \ndata: \n\n");
    /* A line that looks like a field stays inside its data line. */
    assert_frame(1, "a", "x\nid: 99\n\nevent: evil",
                 "id: 1\nevent: a\ndata: x\ndata: id: 99\ndata: \ndata: event: evil\n\n");
    /* A leading space survives: the client strips only the one after "data:". */
    assert_frame(1, "a", " x", "id: 1\nevent: a\ndata:  x\n\n");
}

static void
frame_refuses(void **state)
{
    struct buf b = BUF_INIT(1024);
    (void)state;
    buf_puts(&b, "kept");
    assert_int_equal(sse_frame(&b, -1, "a", "x"), ERR_INVALID);
    assert_int_equal(sse_frame(&b, 1, "Bad", "x"), ERR_INVALID);
    assert_int_equal(sse_frame(&b, 1, "", "x"), ERR_INVALID);
    assert_int_equal(sse_frame(&b, 1, "a\nid: 5", "x"), ERR_INVALID);
    assert_int_equal(sse_frame(&b, 1, "a", NULL), ERR_INVALID);
    assert_false(buf_failed(&b));
    assert_string_equal(b.p, "kept");
    buf_fini(&b);
}

static void
frame_cap(void **state)
{
    const char *want = "id: 1\nevent: a\ndata: xyz\n\n"; /* 26 bytes */
    struct buf b = BUF_INIT(26);
    (void)state;
    assert_int_equal(sse_frame(&b, 1, "a", "xyz"), ERR_OK);
    assert_string_equal(b.p, want);
    buf_fini(&b);
    b = BUF_INIT(25);
    assert_int_equal(sse_frame(&b, 1, "a", "xyz"), ERR_TOOBIG);
    assert_true(buf_failed(&b));
    /* A buffer that already failed stays failed. */
    assert_int_equal(sse_frame(&b, 1, "a", ""), ERR_TOOBIG);
    assert_int_equal(sse_comment(&b, "ping"), ERR_TOOBIG);
    buf_fini(&b);
}

static void
comments(void **state)
{
    struct buf b = BUF_INIT(1024);
    (void)state;
    assert_int_equal(sse_comment(&b, "ping"), ERR_OK);
    assert_string_equal(b.p, ": ping\n\n");
    buf_reset(&b);
    assert_int_equal(sse_comment(&b, NULL), ERR_OK);
    assert_string_equal(b.p, ": \n\n");
    buf_reset(&b);
    assert_int_equal(sse_comment(&b, "a\r\nb\rc"), ERR_OK);
    assert_string_equal(b.p, ": a\n: b\n: c\n\n");
    buf_fini(&b);
}

/* The WHATWG event-stream reader, cut down to one frame: lines end at CRLF,
 * CR or LF; "field: value" strips one space; data lines join with LF; a
 * blank line dispatches. Returns the number of events dispatched and the
 * last one's id, type and data (caller frees *data). */
static int
parse_stream(const char *s, char **id, char **type, char **data)
{
    struct buf d = BUF_INIT(1 << 16);
    char *cur_id = NULL, *cur_type = NULL;
    int events = 0;
    bool have_data = false;
    *id = *type = *data = NULL;
    while (*s) {
        size_t n = strcspn(s, "\r\n");
        const char *line = s;
        s += n;
        if (*s == '\r' && s[1] == '\n')
            s += 2;
        else if (*s)
            s++;
        if (n == 0) {
            if (have_data) {
                events++;
                free(*id);
                free(*type);
                free(*data);
                *id = cur_id ? strdup(cur_id) : NULL;
                *type = strdup(cur_type ? cur_type : "message");
                /* The final LF of the data buffer is removed. */
                *data = strndup(d.p ? d.p : "", d.len ? d.len - 1 : 0);
            }
            buf_reset(&d);
            free(cur_type);
            cur_type = NULL;
            have_data = false;
            continue;
        }
        if (line[0] == ':')
            continue;
        size_t fl = strcspn(line, ":");
        if (fl > n)
            fl = n;
        const char *v = line + fl;
        size_t vl = n - fl;
        if (vl > 0) { /* skip the colon and one space */
            v++;
            vl--;
            if (vl > 0 && *v == ' ') {
                v++;
                vl--;
            }
        }
        if (fl == 4 && memcmp(line, "data", 4) == 0) {
            buf_append(&d, v, vl);
            buf_putc(&d, '\n');
            have_data = true;
        } else if (fl == 5 && memcmp(line, "event", 5) == 0) {
            free(cur_type);
            cur_type = strndup(v, vl);
        } else if (fl == 2 && memcmp(line, "id", 2) == 0) {
            free(cur_id);
            cur_id = strndup(v, vl);
        }
    }
    free(cur_id);
    free(cur_type);
    buf_fini(&d);
    return events;
}

static void
frames_read_back(void **state)
{
    static const struct {
        const char *data, *want;
    } cases[] = {
        {"{\"a\":1}", "{\"a\":1}"},
        {"", ""},
        {"a\nb", "a\nb"},
        {"a\r\nb\rc", "a\nb\nc"},
        {"x\n", "x\n"},
        {"  two spaces", "  two spaces"},
        {"data: fake\n\nid: 7", "data: fake\n\nid: 7"},
        {":not a comment", ":not a comment"},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct buf b = BUF_INIT(1 << 16);
        char *id, *type, *data;
        assert_int_equal(sse_frame(&b, 77, "appeal.answered", cases[i].data), ERR_OK);
        assert_int_equal(parse_stream(b.p, &id, &type, &data), 1);
        assert_string_equal(id, "77");
        assert_string_equal(type, "appeal.answered");
        assert_string_equal(data, cases[i].want);
        free(id);
        free(type);
        free(data);
        buf_fini(&b);
    }
}

static void
last_event_id(void **state)
{
    static const struct {
        const char *in;
        enum err e;
        int64_t want;
    } cases[] = {
        {"0", ERR_OK, 0},
        {"1", ERR_OK, 1},
        {"42", ERR_OK, 42},
        {"007", ERR_OK, 7},
        {"9223372036854775807", ERR_OK, INT64_MAX},
        {"0000000000000000001", ERR_OK, 1},       /* 19 digits */
        {"00000000000000000001", ERR_INVALID, 0}, /* 20 digits */
        {"9223372036854775808", ERR_INVALID, 0},
        {"9999999999999999999", ERR_INVALID, 0},
        {"18446744073709551616", ERR_INVALID, 0},
        {"", ERR_INVALID, 0},
        {"-1", ERR_INVALID, 0},
        {"+1", ERR_INVALID, 0},
        {" 1", ERR_INVALID, 0},
        {"1 ", ERR_INVALID, 0},
        {"1\n", ERR_INVALID, 0},
        {"0x10", ERR_INVALID, 0},
        {"1e3", ERR_INVALID, 0},
        {"12a", ERR_INVALID, 0},
        {"\xd9\xa1", ERR_INVALID, 0}, /* Arabic-Indic one */
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        int64_t id = -5;
        enum err e = sse_parse_last_event_id(str_from_cstr(cases[i].in), &id);
        assert_int_equal(e, cases[i].e);
        assert_int_equal(id, e ? -5 : cases[i].want);
    }
    /* Bytes past the view's length are not read: "12" of "123". */
    int64_t id = 0;
    assert_int_equal(sse_parse_last_event_id((struct str){"123", 2}, &id), ERR_OK);
    assert_int_equal(id, 12);
    /* An embedded NUL is a byte like any other. */
    assert_int_equal(sse_parse_last_event_id((struct str){"1\0002", 3}, &id), ERR_INVALID);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(event_names),   cmocka_unit_test(frames),
        cmocka_unit_test(frame_refuses), cmocka_unit_test(frame_cap),
        cmocka_unit_test(comments),      cmocka_unit_test(frames_read_back),
        cmocka_unit_test(last_event_id),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
