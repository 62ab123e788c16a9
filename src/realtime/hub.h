/*
 * hub.h - in-process fan-out of live events to SSE subscribers. Events are
 * rows in the store's events table; the hub is only a cache of the newest
 * of them (for a cheap Last-Event-ID replay) plus the wake-up of waiting
 * streams. Exports struct hub_event, struct hub_filter, hub_filter_match(),
 * struct hub_opts, hub_new(), hub_free(), hub_publish(), hub_publish_n(),
 * hub_subscribe(),
 * hub_unsubscribe(), hub_sub_ref(), hub_sub_unref(), hub_sub_gap(),
 * hub_sub_read(), hub_sub_attach(), hub_sub_queued_len(), hub_heartbeat(),
 * hub_heartbeat_start(), hub_heartbeat_stop(), hub_close_all() and
 * hub_stats().
 *
 * Every function is thread-safe except hub_new() and hub_free(). Each event
 * is framed once (sse_frame()) and the frame is shared, read-only and
 * ref-counted, by the ring and every queue that holds it; a subscriber's
 * queue is a list of such frames and is charged each frame's length. The
 * wake callback always runs outside every hub lock.
 *
 * Using it from an SSE handler (libmicrohttpd with suspend/resume):
 *
 *   subscribe   s = hub_subscribe(h, &filter, last_id, wake, conn_ctx);
 *               if hub_sub_gap(s, &from, &to): send the store's events with
 *               from <= id <= to that hub_filter_match() lets through, in id
 *               order, before anything hub_sub_read() gives (the queue
 *               already holds every later event, so nothing is missed or
 *               sent twice).
 *   read        n = hub_sub_read(s, buf, max, &st):
 *               HUB_DATA     send n bytes.
 *               HUB_EMPTY    suspend the connection and return 0; the hub
 *                            has armed s and calls wake(arg) exactly once,
 *                            on the next event, heartbeat, drop or close.
 *               HUB_DROPPED  end the stream (the client reconnects with its
 *                            Last-Event-ID and is replayed from the store).
 *               HUB_CLOSED   end the stream (shutdown).
 *               HUB_FAILED   end the stream with an error (close, no
 *                            chunked terminator: a direct write failed or
 *                            stopped inside a frame).
 *   hand over   once caught up (HUB_EMPTY, nothing of the stream's own
 *               buffered, and the server has sent all it queued),
 *               hub_sub_attach(s, fd, chunked) gives the socket to the
 *               hub's writer threads: every later event, ping and the
 *               queue's bytes are written by them, framed once per event
 *               and shared, with one non-blocking send per subscriber.
 *               Then suspend exactly as after HUB_EMPTY (the flag pair
 *               below). The hub calls wake(arg) once, when the direct
 *               stream is over (drop, send error or reset peer, close) and
 *               the writer has taken fd out of its epoll and will never
 *               touch it again; the resumed reader then reads
 *               HUB_DROPPED, HUB_CLOSED or HUB_FAILED. Until then the
 *               reader must not run (the connection stays suspended), so
 *               only the writer writes to fd.
 *   wake(arg)   resume the connection. It may run on the publisher's thread
 *               before the reader has got round to suspending: MHD calls a
 *               resume of a connection that is not suspended undefined, so
 *               keep a flag pair under a small per-connection lock: wake
 *               resumes if "suspended", else sets "pending"; the reader,
 *               after HUB_EMPTY, clears "pending" and returns 0 without
 *               suspending if it was set, else suspends and sets
 *               "suspended". wake must not block and must not call
 *               hub_unsubscribe() (that waits for wake to return).
 *   end         in the response's free callback: hub_unsubscribe(s) (after
 *               it returns wake is never called again, so conn_ctx may go,
 *               and if s was still attached its writer has let go of fd,
 *               so the server may close it), then
 *               s = hub_sub_unref(s, __func__).
 *   shutdown    hub_heartbeat_stop(); hub_close_all() (every stream reads
 *               its queued bytes, then HUB_CLOSED, and is woken); stop the
 *               daemon once the streams have ended; hub_free().
 *
 * Suspended MHD connections neither time out nor notice a closed peer, so
 * the heartbeat is also what finds dead clients: it wakes every waiting
 * stream, whose next write fails. An attached socket's reset is seen at
 * once (EPOLLERR/EPOLLHUP in the writer's epoll), a quiet close by the
 * heartbeat's failing send.
 *
 * Direct writes, ordering and locks: a writer sends only while holding the
 * subscriber's lock (sends never block: MSG_DONTWAIT), publishers only
 * queue frames and put the subscriber on its writer's ready list (a mutex
 * and an eventfd write per writer per publish; they never wait for a send),
 * and only the writer ends an attached stream: it removes fd from its epoll
 * and sets it to -1 under that lock, and calls wake after releasing it. A
 * peer that stops reading keeps its offset, waits for EPOLLOUT, and is
 * dropped when its queue passes queue_max_bytes, as before.
 */
#ifndef REALTIME_HUB_H
#define REALTIME_HUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

/* last_event_id for a client that sent no Last-Event-ID (any negative value
 * means the same): no replay, only events published after hub_subscribe(). */
#define HUB_LIVE (-1)

/* Most writer threads a hub runs (hub_opts.writer_count). */
#define HUB_WRITERS_MAX 8

/* One committed change, as published. Every field is borrowed for the call;
 * the hub copies what it keeps. */
struct hub_event {
    int64_t id;         /* the events row id: the SSE id, > 0, increasing */
    const char *kind;   /* SSE event name, [a-z._] ("appeal.registered") */
    const char *agency; /* owning agency code; NULL: no agency (system-wide) */
    const char *region; /* region code (KATO); NULL: none */
    const char *json;   /* the data: redacted JSON, usually one line */
    int64_t appeal_id;  /* the appeal it is about; 0: none */
    bool internal;      /* staff only: never sent to public subscribers */
};

/* What one subscriber may see; all strings are borrowed by
 * hub_filter_match() and copied by hub_subscribe(). Zeroed, it matches
 * nothing (deny by default). */
struct hub_filter {
    bool public_only;   /* an anonymous (public) stream: every event but the
                         * internal ones (the data is redacted for all) */
    bool all_agencies;  /* staff who see every agency (supervisor, analyst) */
    const char *agency; /* staff of one agency: that agency's events only */
    const char *region; /* NULL: any region; else also only this region's */
    int64_t appeal_id;  /* 0: any; else also only this appeal's events (a
                         * citizen following the appeal they may see) */
};

/* True if a subscriber with filter f may receive ev. The rule, in order:
 * public_only: every event that is not internal; else all_agencies: every
 * event; else agency: events whose agency equals it (not those with none);
 * else nothing. Then, if f->region is set, only events of that region, and
 * if f->appeal_id is set, only events of that appeal.
 * Pure: callers use it to filter a replay read from the store. */
bool hub_filter_match(const struct hub_filter *f, const struct hub_event *ev);

struct hub_opts {
    size_t queue_max_bytes; /* per subscriber; 0: 256 KiB. An event over it is
                             * refused; a subscriber over it is dropped */
    size_t ring_count;      /* newest events kept for replay; 0: 4096 */
    unsigned heartbeat_ms;  /* hub_heartbeat_start() period; 0: 15000 */
    int64_t start_id;       /* newest event id already in the store when the
                             * hub starts: older ids are replayed from the
                             * store, and publishing one is ERR_CONFLICT */
    unsigned writer_count;  /* threads that write attached sockets; 0: 1,
                             * at most HUB_WRITERS_MAX */
};

struct hub;     /* opaque */
struct hub_sub; /* opaque: one subscriber (one SSE stream), ref-counted */

enum hub_read_state {
    HUB_DATA,    /* bytes were copied */
    HUB_EMPTY,   /* nothing queued: s is armed, wake will be called once */
    HUB_DROPPED, /* fell more than queue_max_bytes behind: queue discarded */
    HUB_CLOSED,  /* hub_close_all() or hub_free(), and every byte was read */
    HUB_FAILED,  /* attached: a send failed, the peer reset, or the stream
                  * was cut inside a frame; end it with an error */
};

/* A new hub; o (borrowed) may be NULL for the defaults. Caller owns it:
 * hub_free(). Aborts if memory runs out (xmalloc). */
struct hub *hub_new(const struct hub_opts *o);

/* Stop the heartbeat thread, close every remaining subscriber as
 * hub_close_all() does (waking it), detach it from h, and free h. Detached
 * subscribers stay valid for their holders: they read their queue and then
 * HUB_CLOSED, and hub_unsubscribe() on them does nothing. No other call on
 * h may run during or after hub_free(). NULL is a no-op. */
void hub_free(struct hub *h);

/* Frame ev once, keep it in the ring (dropping the oldest when full), queue
 * it to every subscriber whose filter matches and whose replay point it is
 * past, and wake each of them that was waiting. A subscriber whose queue
 * would grow past queue_max_bytes is dropped instead: its queue is freed,
 * it reads HUB_DROPPED from then on (woken if it was waiting), and it
 * leaves the hub. wake runs on the publishing thread, after the hub's locks
 * are released; likewise for hub_heartbeat() and hub_close_all().
 * ERR_CONFLICT: ev->id is not above the last id published (or start_id):
 *   ignored, so a repeat is never delivered twice.
 * ERR_INVALID: id <= 0, kind not [a-z._] or json NULL.
 * ERR_TOOBIG: the frame is longer than queue_max_bytes.
 * ERR_UNAVAILABLE: after hub_close_all().
 * On any error nothing changes. */
enum err hub_publish(struct hub *h, const struct hub_event *ev);

/* Publish the n events of one commit (ids increasing) as hub_publish()
 * would publish each in turn, in one pass over the subscribers: each one
 * that any of them reaches is locked, queued to and woken (or handed to its
 * writer) once for all of them. errs[i] (the caller's n slots) is set to event
 * i's result as hub_publish() gives it; an event in error is left out and
 * the others are published. A subscriber that the batch overfills is
 * dropped at the event that does not fit. n 0: nothing. */
void hub_publish_n(struct hub *h, const struct hub_event *evs, size_t n, enum err *errs);

/* A new subscriber with filter f (borrowed; its strings are copied). Its
 * queue starts with the ring's events that f matches and whose id is above
 * last_event_id (HUB_LIVE: none; only later events). If the ring cannot
 * cover that (last_event_id is older than the hub's oldest event, or the
 * matching replay is over half of queue_max_bytes, in which case only the
 * newest that fit are queued), hub_sub_gap() reports the ids to read from
 * the store. A last_event_id above the newest published event is honoured:
 * events up to it are not delivered.
 * wake(arg) (wake may be NULL for a reader that polls) is called as
 * described at the top of this file; arg is borrowed and must stay valid
 * until hub_unsubscribe() returns.
 * Never NULL. The caller owns one reference; the hub holds another until
 * hub_unsubscribe(), a drop, hub_close_all() or hub_free(). After
 * hub_close_all() the subscriber is born closed (reads HUB_CLOSED). */
struct hub_sub *hub_subscribe(struct hub *h, const struct hub_filter *f, int64_t last_event_id,
                              void (*wake)(void *arg), void *arg);

/* Take s out of its hub (if it is still in) and wait until no wake call for
 * s is running; after it returns wake is never called again. Its queue can
 * still be read. Idempotent. Does not drop the caller's reference. Never
 * call it from wake, or with a lock that wake takes. */
void hub_unsubscribe(struct hub_sub *s);

/* Take a reference to s (returned); who (__func__) is logged at debug. */
struct hub_sub *hub_sub_ref(struct hub_sub *s, const char *who);

/* Drop a reference: s = hub_sub_unref(s, __func__); frees s and its queue at
 * zero. Always returns NULL. who is logged at debug. NULL is a no-op. */
struct hub_sub *hub_sub_unref(struct hub_sub *s, const char *who);

/* True if the store must fill in events the queue lacks: then *from and *to
 * (either may be NULL) are the inclusive id range to read from the store and
 * send, after filtering with hub_filter_match(), before the queue. False:
 * the queue alone continues the client's stream; *from and *to unchanged. */
bool hub_sub_gap(const struct hub_sub *s, int64_t *from, int64_t *to);

/* Copy up to max (> 0) queued bytes into out (caller's storage) and return
 * how many; frames may be split across calls (the rest stays queued).
 * *st says what happened:
 *   HUB_DATA     n > 0 bytes copied.
 *   HUB_EMPTY    0: nothing queued, and, in the same locked step, s is now
 *                waiting: the next publish, heartbeat, drop or close that
 *                reaches s calls wake(arg) exactly once, so an event that
 *                arrives between this call and the caller's suspend is
 *                never missed. Another HUB_EMPTY before that wake owes
 *                no second one: one wake per wait, however often armed.
 *   HUB_DROPPED  0: s was dropped (too slow); its queue is gone.
 *   HUB_CLOSED   0: the hub closed and every queued byte has been read. */
size_t hub_sub_read(struct hub_sub *s, char *out, size_t max, enum hub_read_state *st);

/* Hand the connected socket fd (borrowed; the caller keeps owning it and
 * closes it only after hub_unsubscribe()) to the hub's writers: from now on
 * they write s's frames to fd themselves, as HTTP/1.1 chunks if chunked,
 * else raw (an HTTP/1.0 close-delimited body), and hub_sub_read() gives
 * HUB_EMPTY without arming until the direct stream is over; then wake(arg)
 * runs once and reads give HUB_DROPPED, HUB_CLOSED or HUB_FAILED.
 * Call it right after hub_sub_read() said HUB_EMPTY, with nothing of the
 * stream unsent anywhere else.
 * ERR_CONFLICT: something is queued (read it first), or s is dropped,
 * closed, out of its hub or already attached: carry on as after HUB_EMPTY.
 * ERR_UNAVAILABLE: the writer cannot watch fd; likewise. */
enum err hub_sub_attach(struct hub_sub *s, int fd, bool chunked);

/* Bytes queued for s and not yet read (0 once dropped). */
size_t hub_sub_queued_len(struct hub_sub *s);

/* Queue the comment ": ping\n\n" to every subscriber (one ping at most at
 * the tail of a queue: pings do not pile up behind a stalled reader) and
 * wake the waiting ones. Call it every heartbeat_ms, or let
 * hub_heartbeat_start() do it. */
void hub_heartbeat(struct hub *h);

/* Start a thread that calls hub_heartbeat() every heartbeat_ms.
 * ERR_CONFLICT if it already runs; ERR_UNAVAILABLE if no thread can be made. */
enum err hub_heartbeat_start(struct hub *h);

/* Stop and join the heartbeat thread; a no-op if it does not run. */
void hub_heartbeat_stop(struct hub *h);

/* For SIGTERM: every subscriber reads its queued bytes, then HUB_CLOSED,
 * and is woken if waiting; all leave the hub. An attached one is sent what
 * its socket takes at once; one whose socket is full is cut (HUB_CLOSED if
 * it stopped between frames, else HUB_FAILED), as shutdown does not wait
 * for a stalled peer. Later publishes are
 * ERR_UNAVAILABLE and later subscribers are born closed. Idempotent. */
void hub_close_all(struct hub *h);

/* Counters for /metrics; any pointer may be NULL. *subs: subscribers now in
 * the hub; *dropped: subscribers dropped so far; *published: events
 * accepted so far. */
void hub_stats(struct hub *h, size_t *subs, uint64_t *dropped, uint64_t *published);

#endif
