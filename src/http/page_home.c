/*
 * page_home.c - GET /: a plain HTML page that says what this service is,
 * shows the live counts and links the API. It holds no personal data and
 * works without JavaScript. Exports h_home().
 */
#include "http/http_int.h"

#include "base/buf.h"

enum handled
h_home(struct req *r)
{
    int64_t total = 0, open = 0, overdue = 0;
    if (store_counts(app_store(r->app), &total, &open, &overdue))
        return http_problem(r, 503, "unavailable", "the store does not answer", NULL);
    struct buf b = BUF_INIT(1 << 16);
    buf_printf(&b,
               "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
               "<meta http-equiv=\"refresh\" content=\"10\">"
               "<title>tyndau</title></head>\n<body>\n"
               "<main>\n<h1>tyndau</h1>\n"
               "<p>Citizens' appeals to state bodies, registered, routed and answered within "
               "the statutory deadline (15 working days, Asia/Almaty calendar).</p>\n"
               "<table>\n<caption>Appeals now (this page reloads every 10 seconds)</caption>\n"
               "<tr><th scope=\"row\">registered in all</th><td>%lld</td></tr>\n"
               "<tr><th scope=\"row\">open</th><td>%lld</td></tr>\n"
               "<tr><th scope=\"row\">open past the due date</th><td>%lld</td></tr>\n"
               "</table>\n"
               "<h2>Use it</h2>\n<ul>\n"
               "<li><code>POST /api/v1/appeals</code> submits an appeal; the answer holds the "
               "tracking id and its secret.</li>\n"
               "<li><a href=\"/api/v1/regions\">/api/v1/regions</a>, "
               "<a href=\"/api/v1/topics\">/api/v1/topics</a>, "
               "<a href=\"/api/v1/agencies\">/api/v1/agencies</a>: reference data.</li>\n"
               "<li><code>POST /api/v1/session</code> signs staff in; "
               "<code>GET /api/v1/queue</code> is an agency's live queue.</li>\n"
               "<li><a href=\"/metrics\">/metrics</a>, <a href=\"/healthz\">/healthz</a>, "
               "<a href=\"/readyz\">/readyz</a>: operations.</li>\n"
               "</ul>\n<p>The whole API is described in docs/api.md in the source tree.</p>\n"
               "</main>\n<footer><p>Regions: geokz, A. Rodionov, CC BY 4.0. "
               "Licence: AGPL-3.0-or-later.</p></footer>\n</body></html>\n",
               (long long)total, (long long)open, (long long)overdue);
    if (buf_failed(&b)) {
        buf_fini(&b);
        return http_problem(r, 500, "internal", "the page is too large", NULL);
    }
    size_t len;
    char *s = buf_detach(&b, &len);
    return http_reply(r, 200, "text/html; charset=utf-8", s, len);
}
