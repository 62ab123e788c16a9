/*
 * sse.c - Server-Sent Events framing and the Last-Event-ID parser. Exports
 * sse_event_name_valid(), sse_frame(), sse_comment() and
 * sse_parse_last_event_id(); see sse.h for the frame grammar.
 */
#include "realtime/sse.h"

#include <inttypes.h>
#include <string.h>

bool
sse_event_name_valid(const char *name)
{
    size_t n;
    if (!name)
        return false;
    for (n = 0; name[n]; n++) {
        char c = name[n];
        if (n == SSE_EVENT_NAME_MAX || !((c >= 'a' && c <= 'z') || c == '.' || c == '_'))
            return false;
    }
    return n > 0;
}

/* One prefixed line per line of s. CRLF, CR and LF each end a line, as
 * EventSource reads them, so no CR reaches the output. */
static void
put_lines(struct buf *b, const char *prefix, const char *s)
{
    const char *p = s;
    for (;;) {
        size_t n = strcspn(p, "\r\n");
        buf_puts(b, prefix);
        buf_append(b, p, n);
        buf_putc(b, '\n');
        p += n;
        if (*p == '\0')
            return;
        p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
    }
}

enum err
sse_frame(struct buf *b, int64_t id, const char *event, const char *data)
{
    if (id < 0 || !data || (event && !sse_event_name_valid(event)))
        return ERR_INVALID;
    buf_printf(b, "id: %" PRId64 "\n", id);
    if (event) {
        buf_puts(b, "event: ");
        buf_puts(b, event);
        buf_putc(b, '\n');
    }
    put_lines(b, "data: ", data);
    buf_putc(b, '\n');
    return buf_failed(b) ? ERR_TOOBIG : ERR_OK;
}

enum err
sse_comment(struct buf *b, const char *text)
{
    put_lines(b, ": ", text ? text : "");
    buf_putc(b, '\n');
    return buf_failed(b) ? ERR_TOOBIG : ERR_OK;
}

enum err
sse_parse_last_event_id(struct str s, int64_t *id)
{
    uint64_t v;
    /* str_to_u64() already refuses signs, spaces and other bytes; the digit
     * cap keeps "000...0001" of any length from being accepted. */
    if (s.len == 0 || s.len > SSE_ID_DIGITS_MAX)
        return ERR_INVALID;
    if (str_to_u64(s, INT64_MAX, &v) != ERR_OK)
        return ERR_INVALID;
    *id = (int64_t)v;
    return ERR_OK;
}
