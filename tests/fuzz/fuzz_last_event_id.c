/*
 * fuzz_last_event_id.c - the SSE text a client sends or shapes.
 * sse_parse_last_event_id() against a reference reading of its contract
 * (what it accepts prints back to the same value), and, from the same bytes,
 * an event name, a read size and a data payload for sse_frame(),
 * sse_comment() and the hub: a frame never holds a CR or NUL, every line is
 * a field or a comment, it ends at its one blank line, and an EventSource
 * reading (written here from the WHATWG text) gives back exactly one event
 * with the id, the type and the data (line breaks as LF); a comment
 * dispatches nothing; and a hub subscriber reading in small pieces gets the
 * frame byte for byte.
 *
 * Input: the whole of it is the Last-Event-ID. Then byte 0 % 24 is the name
 * length (20..23: no name), byte 1 % 16 + 1 the read size, the name follows,
 * and the rest, up to a NUL, is the data.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/str.h"
#include "fuzz/fuzz.h"
#include "realtime/hub.h"
#include "realtime/sse.h"

/* The documented contract: 1..19 ASCII digits, value <= INT64_MAX. */
static bool
ref_last_event_id(const uint8_t *p, size_t n, int64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 19)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0'); /* 19 digits fit in 64 bits */
    }
    if (v > (uint64_t)INT64_MAX)
        return false;
    *out = (int64_t)v;
    return true;
}

static void
check_last_event_id(const uint8_t *data, size_t size)
{
    int64_t got = -7, want = -7;
    enum err e = sse_parse_last_event_id((struct str){(const char *)data, size}, &got);
    bool ok = ref_last_event_id(data, size, &want);
    FUZZ_CHECK(e == (ok ? ERR_OK : ERR_INVALID));
    FUZZ_CHECK(got == want);
    if (ok) {
        char text[32];
        int n = snprintf(text, sizeof(text), "%lld", (long long)got);
        int64_t again = -1;
        FUZZ_CHECK(n > 0 &&
                   sse_parse_last_event_id((struct str){text, (size_t)n}, &again) == ERR_OK);
        FUZZ_CHECK(again == got);
    }
}

static bool
ref_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > SSE_EVENT_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '.' || s[i] == '_'))
            return false;
    return true;
}

/* Every line of p (len bytes) ends in LF and starts with one of the
 * prefixes; the last line is the only empty one; no CR or NUL anywhere. */
static void
check_lines(const char *p, size_t len, const char *const *prefixes, size_t prefix_count)
{
    FUZZ_CHECK(len >= 2 && p[len - 1] == '\n' && p[len - 2] == '\n');
    FUZZ_CHECK(memchr(p, '\r', len) == NULL && memchr(p, '\0', len) == NULL);
    size_t at = 0;
    while (at < len) {
        const char *nl = memchr(p + at, '\n', len - at);
        FUZZ_CHECK(nl != NULL);
        size_t n = (size_t)(nl - (p + at));
        if (n == 0) {
            FUZZ_CHECK(at + 1 == len); /* the blank line ends the frame */
            return;
        }
        bool known = false;
        for (size_t i = 0; i < prefix_count && !known; i++) {
            size_t pl = strlen(prefixes[i]);
            known = n >= pl && memcmp(p + at, prefixes[i], pl) == 0;
        }
        FUZZ_CHECK(known);
        at += n + 1;
    }
    FUZZ_CHECK(0); /* no blank line */
}

struct sse_event {
    struct buf id, type, data;
    int dispatched;
};

/* The WHATWG event-stream interpretation of a whole stream. */
static void
read_stream(const char *p, size_t len, struct sse_event *ev)
{
    struct buf data = BUF_INIT(SIZE_MAX / 2), type = BUF_INIT(SIZE_MAX / 2);
    size_t at = 0;
    while (at < len) {
        size_t n = 0;
        while (at + n < len && p[at + n] != '\r' && p[at + n] != '\n')
            n++;
        const char *line = p + at;
        at += n;
        if (at < len && p[at] == '\r' && at + 1 < len && p[at + 1] == '\n')
            at += 2;
        else if (at < len)
            at++;
        if (n == 0) {
            if (data.len) {
                ev->dispatched++;
                buf_reset(&ev->data);
                buf_append(&ev->data, data.p, data.len - 1); /* drop the last LF */
                buf_reset(&ev->type);
                if (type.len)
                    buf_append(&ev->type, type.p, type.len);
                else
                    buf_puts(&ev->type, "message");
            }
            buf_reset(&data);
            buf_reset(&type);
            continue;
        }
        if (line[0] == ':')
            continue;
        const char *colon = memchr(line, ':', n);
        size_t fl = colon ? (size_t)(colon - line) : n;
        const char *v = line + fl;
        size_t vl = n - fl;
        if (vl) {
            v++;
            vl--;
            if (vl && *v == ' ') {
                v++;
                vl--;
            }
        }
        if (fl == 4 && memcmp(line, "data", 4) == 0) {
            buf_append(&data, v, vl);
            buf_putc(&data, '\n');
        } else if (fl == 5 && memcmp(line, "event", 5) == 0) {
            buf_reset(&type);
            buf_append(&type, v, vl);
        } else if (fl == 2 && memcmp(line, "id", 2) == 0) {
            buf_reset(&ev->id);
            buf_append(&ev->id, v, vl);
        }
    }
    buf_fini(&data);
    buf_fini(&type);
}

static bool
buf_is(const struct buf *b, const char *s, size_t n)
{
    return b->len == n && (n == 0 || memcmp(b->p, s, n) == 0);
}

/* data with CRLF and CR turned into LF, as EventSource reads it. */
static void
normalise_breaks(struct buf *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\r') {
            buf_putc(out, '\n');
            if (s[1] == '\n')
                s++;
        } else {
            buf_putc(out, *s);
        }
    }
}

static void
check_hub(int64_t id, const char *name, const char *payload, const struct buf *frame, size_t chunk)
{
    struct hub *h = hub_new(&(struct hub_opts){.ring_count = 4, .queue_max_bytes = frame->len});
    struct hub_sub *s =
        hub_subscribe(h, &(struct hub_filter){.public_only = true}, HUB_LIVE, NULL, NULL);
    struct hub_event ev = {.id = id, .kind = name, .agency = "a", .json = payload};
    FUZZ_CHECK(hub_publish(h, &ev) == ERR_OK);
    FUZZ_CHECK(hub_publish(h, &ev) == ERR_CONFLICT);
    struct buf got = BUF_INIT(frame->len);
    char tmp[16];
    enum hub_read_state st;
    size_t n;
    while ((n = hub_sub_read(s, tmp, chunk, &st)) > 0) {
        FUZZ_CHECK(st == HUB_DATA && n <= chunk);
        buf_append(&got, tmp, n);
    }
    FUZZ_CHECK(st == HUB_EMPTY && !buf_failed(&got));
    FUZZ_CHECK(buf_is(&got, frame->p, frame->len));
    buf_fini(&got);
    hub_unsubscribe(s);
    hub_sub_unref(s, __func__);
    hub_free(h);
}

static void
check_frame(const uint8_t *data, size_t size, int64_t id)
{
    if (size < 2)
        return;
    size_t name_len = data[0] % 24, chunk = data[1] % 16 + 1;
    bool no_name = name_len >= 20;
    const uint8_t *rest = data + 2;
    size_t rest_len = size - 2;
    if (no_name)
        name_len = 0;
    if (name_len > rest_len)
        name_len = rest_len;
    char name[24];
    memcpy(name, rest, name_len);
    name[name_len] = '\0';
    /* The payload is a C string: it ends at the first NUL. */
    struct buf payload = BUF_INIT(SIZE_MAX / 2);
    const uint8_t *pl = rest + name_len;
    size_t pl_len = rest_len - name_len;
    const uint8_t *nul = memchr(pl, 0, pl_len);
    buf_append(&payload, pl, nul ? (size_t)(nul - pl) : pl_len); /* NUL-terminated, never NULL */

    bool name_ok = ref_name_valid(name);
    FUZZ_CHECK(sse_event_name_valid(name) == name_ok);
    const char *event = no_name ? NULL : name;

    /* Each byte grows by at most "\ndata: " (a lone CR). */
    struct buf frame = BUF_INIT(8 * size + 256);
    enum err e = sse_frame(&frame, id, event, payload.p);
    if (event && !name_ok) {
        FUZZ_CHECK(e == ERR_INVALID && frame.len == 0 && !buf_failed(&frame));
    } else {
        static const char *const fields[] = {"id: ", "event: ", "data: "};
        FUZZ_CHECK(e == ERR_OK);
        check_lines(frame.p, frame.len, fields, 3);
        struct sse_event ev = {BUF_INIT(SIZE_MAX / 2), BUF_INIT(SIZE_MAX / 2),
                               BUF_INIT(SIZE_MAX / 2), 0};
        read_stream(frame.p, frame.len, &ev);
        FUZZ_CHECK(ev.dispatched == 1);
        char idtext[32];
        int n = snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
        FUZZ_CHECK(buf_is(&ev.id, idtext, (size_t)n));
        FUZZ_CHECK(buf_is(&ev.type, event ? event : "message", strlen(event ? event : "message")));
        struct buf want = BUF_INIT(SIZE_MAX / 2);
        normalise_breaks(&want, payload.p);
        FUZZ_CHECK(buf_is(&ev.data, want.p, want.len));
        buf_fini(&want);
        buf_fini(&ev.id);
        buf_fini(&ev.type);
        buf_fini(&ev.data);
        if (event && id > 0)
            check_hub(id, event, payload.p, &frame, chunk);
    }

    /* A comment carries the same text and dispatches nothing. */
    struct buf comment = BUF_INIT(8 * size + 256);
    static const char *const colon[] = {":"};
    FUZZ_CHECK(sse_comment(&comment, payload.p) == ERR_OK);
    check_lines(comment.p, comment.len, colon, 1);
    struct sse_event none = {BUF_INIT(64), BUF_INIT(64), BUF_INIT(64), 0};
    read_stream(comment.p, comment.len, &none);
    FUZZ_CHECK(none.dispatched == 0 && none.id.len == 0);
    buf_fini(&none.id);
    buf_fini(&none.type);
    buf_fini(&none.data);

    /* A cap one byte short of the frame fails, and says so. */
    if (frame.len) {
        struct buf small = BUF_INIT(frame.len - 1);
        FUZZ_CHECK(sse_frame(&small, id, event, payload.p) == ERR_TOOBIG && buf_failed(&small));
        buf_fini(&small);
    }
    buf_fini(&comment);
    buf_fini(&frame);
    buf_fini(&payload);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int64_t id;
    check_last_event_id(data, size);
    if (sse_parse_last_event_id((struct str){(const char *)data, size}, &id) != ERR_OK)
        id = (int64_t)size + 1;
    check_frame(data, size, id);
    return 0;
}
