/*
 * sse.h - Server-Sent Events framing (WHATWG HTML "server-sent events"):
 * build one event or one comment as bytes that an EventSource reads back
 * exactly, and parse the Last-Event-ID request header. Exports
 * sse_event_name_valid(), sse_frame(), sse_comment() and
 * sse_parse_last_event_id(). Pure: no globals, no locks.
 *
 * Every frame these functions write is a run of lines, each ended by "\n"
 * and each starting with a field name ("id: ", "event: ", "data: ") or a
 * colon (a comment), then one empty line that dispatches it. A frame never
 * holds a "\r": a CR, LF or CRLF in the data ends a data line, which is how
 * EventSource itself splits lines, so what the client reads back is the
 * data with each line break turned into "\n".
 */
#ifndef REALTIME_SSE_H
#define REALTIME_SSE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/str.h"

/* Longest event name sse_frame() accepts, bytes. */
#define SSE_EVENT_NAME_MAX 64
/* Most digits of a Last-Event-ID (INT64_MAX has 19). */
#define SSE_ID_DIGITS_MAX 19

/* True if name is 1..SSE_EVENT_NAME_MAX bytes of [a-z._] ("appeal.due_soon").
 * NULL is not valid. */
bool sse_event_name_valid(const char *name);

/* Append one event to b: "id: <id>\n", "event: <event>\n" (left out when
 * event is NULL: the client sees type "message"), one "data: <line>\n" per
 * line of data (split on CRLF, CR and LF; an empty data gives one empty
 * data line), then "\n". All arguments are borrowed; data is NUL-terminated
 * and is usually one line of JSON.
 * ERR_INVALID if id < 0, event is not NULL and not sse_event_name_valid(),
 * or data is NULL: b is unchanged. ERR_TOOBIG if b failed (it was already
 * failed or reached its cap): b holds a partial frame and stays failed, so
 * build into a buf of its own (or check buf_failed() before and after). */
enum err sse_frame(struct buf *b, int64_t id, const char *event, const char *data);

/* Append a comment the client ignores (a heartbeat keeps proxies and dead
 * peers from idling): ": <line>\n" per line of text (split as above; NULL
 * counts as ""), then "\n". sse_comment(b, "ping") appends ": ping\n\n".
 * text is borrowed. ERR_TOOBIG if b failed, as for sse_frame(). */
enum err sse_comment(struct buf *b, const char *text);

/* Parse a Last-Event-ID header value (borrowed) into *id: 1 to
 * SSE_ID_DIGITS_MAX ASCII digits (leading zeros allowed) whose value is at
 * most INT64_MAX. Anything else (empty, a sign, a space, any other byte, 20
 * digits or more, a value over INT64_MAX) is ERR_INVALID and leaves *id
 * unchanged. A missing header is the caller's case, not this function's. */
enum err sse_parse_last_event_id(struct str s, int64_t *id);

#endif
