/*
 * http.h - the HTTP server of tyndau on libmicrohttpd (epoll, internal
 * thread pool, suspend/resume while a write waits for its durable commit).
 * Exports struct http_opts, http_start(), http_port(), http_quiesce(),
 * http_drain(), http_stop() and http_routes_json().
 */
#ifndef HTTP_HTTP_H
#define HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "base/buf.h"

struct http_opts {
    const char *listen;  /* "ADDR:PORT"; port 0 picks a free one */
    unsigned threads;    /* handler threads */
    unsigned conn_max;   /* open connections in all */
    unsigned per_ip_max; /* open connections per client address */
    unsigned timeout_s;  /* idle connection timeout */
    size_t body_max;     /* largest request body, bytes */
    bool behind_tls;     /* mark cookies Secure */
};

struct http_server;

/* Start serving; caller owns *out. app is borrowed and must outlive the server. */
enum err http_start(struct app *app, const struct http_opts *o, struct http_server **out);
/* The port actually bound. */
uint16_t http_port(const struct http_server *srv);
/* Refuse new requests from now on (503, Retry-After, Connection: close);
 * requests in flight go on. */
void http_quiesce(struct http_server *srv);
/* Wait up to timeout_ms for requests in flight to finish; false if some remain. */
bool http_drain(struct http_server *srv, int timeout_ms);
/* Stop and free. Accepts NULL. */
void http_stop(struct http_server *srv);
/* The router table as JSON (method, path, roles, object) into b. */
void http_routes_json(struct buf *b);

#endif
