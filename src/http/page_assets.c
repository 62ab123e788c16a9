/*
 * page_assets.c - GET /assets/{name}: the stylesheets, scripts and licence
 * text embedded at build time (webfiles.h), with a content hash for the URL
 * and the ETag: a request that names the current hash (?v=) may be cached
 * for a year, any other is revalidated. Catalogs are not served. Exports
 * h_asset(), asset_url() and webfile_find().
 */
#include "http/html.h"

#include <assert.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"
#include "http/webfiles.h"

enum { HASH_BYTES = 8, HASH_HEX = 2 * HASH_BYTES + 1 };

/* What /assets/ serves, by URL name, and where it is embedded. */
static const struct {
    const char *name, *file, *ctype;
} served[] = {
    {"govuk-frontend.min.css", "govuk-frontend.min.css", "text/css; charset=utf-8"},
    {"govuk-frontend.min.js", "govuk-frontend.min.js", "text/javascript; charset=utf-8"},
    {"licences.txt", "static/licences.txt", "text/plain; charset=utf-8"},
    {"tyndau.css", "static/tyndau.css", "text/css; charset=utf-8"},
    {"tyndau.js", "static/tyndau.js", "text/javascript; charset=utf-8"},
    {"work.js", "static/work.js", "text/javascript; charset=utf-8"},
    {"dashboard.css", "static/dashboard.css", "text/css; charset=utf-8"},
    {"dashboard.js", "static/dashboard.js", "text/javascript; charset=utf-8"},
    {"uPlot.min.css", "uPlot.min.css", "text/css; charset=utf-8"},
    {"uPlot.iife.min.js", "uPlot.iife.min.js", "text/javascript; charset=utf-8"},
};

static struct {
    pthread_once_t once;
    const struct webfile *file[ARRAY_LEN(served)];
    char hash[ARRAY_LEN(served)][HASH_HEX];
    char *url[ARRAY_LEN(served)];
} assets = {PTHREAD_ONCE_INIT, {NULL}, {{0}}, {NULL}};

const struct webfile *
webfile_find(const char *name)
{
    size_t lo = 0, hi = webfiles_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(webfiles[mid].name, name);
        if (c == 0)
            return &webfiles[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void
hash_assets(void)
{
    for (size_t i = 0; i < ARRAY_LEN(served); i++) {
        const struct webfile *f = webfile_find(served[i].file);
        assert(f); /* the build embeds every one of them */
        unsigned char h[HASH_BYTES];
        crypto_generichash(h, sizeof(h), f->data, f->len, NULL, 0);
        sodium_bin2hex(assets.hash[i], HASH_HEX, h, sizeof(h));
        assets.file[i] = f;
        size_t n = strlen("/assets/") + strlen(served[i].name) + strlen("?v=") + HASH_HEX;
        assets.url[i] = xmalloc(n);
        snprintf(assets.url[i], n, "/assets/%s?v=%s", served[i].name, assets.hash[i]);
    }
}

static int
find(const char *name)
{
    pthread_once(&assets.once, hash_assets);
    for (size_t i = 0; name && i < ARRAY_LEN(served); i++)
        if (strcmp(served[i].name, name) == 0)
            return (int)i;
    return -1;
}

const char *
asset_url(const char *name)
{
    int i = find(name);
    return i < 0 ? NULL : assets.url[i];
}

enum handled
h_asset(struct req *r)
{
    int i = find(r->param);
    if (i < 0)
        return http_problem(r, 404, "not-found", "no such asset", NULL);
    const char *etag = arena_printf(r->arena, "\"%s\"", assets.hash[i]);
    const char *v = http_query(r, "v");
    bool pinned = v && strcmp(v, assets.hash[i]) == 0;
    http_add_header(r, "ETag", etag);
    http_add_header(r, "Cache-Control",
                    pinned ? "public, max-age=31536000, immutable" : "no-cache");
    const char *inm =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && strstr(inm, etag))
        return http_reply(r, 304, NULL, NULL, 0);
    const struct webfile *f = assets.file[i];
    char *body = xmalloc(f->len ? f->len : 1);
    memcpy(body, f->data, f->len);
    return http_reply(r, 200, served[i].ctype, body, f->len);
}
