/*
 * problem.c - RFC 9457 problem details: one stable type per kind of error,
 * its title and status, and GET /problems/{type} that explains each.
 * Exports http_problem(), http_problem_err(), h_problem_doc().
 */
#include "http/http_int.h"

#include <string.h>

#include "base/util.h"

static const struct {
    const char *type;
    unsigned status;
    const char *title;
} problems[] = {
    {"invalid-json", 400, "The body is not valid JSON"},
    {"invalid-utf8", 400, "The text is not valid UTF-8"},
    {"invalid-query", 400, "A query parameter is malformed"},
    {"invalid-header", 400, "A request header is malformed"},
    {"unauthorized", 401, "Sign in first"},
    {"forbidden", 403, "Not allowed for your role"},
    {"csrf", 403, "Missing or wrong CSRF token"},
    {"not-found", 404, "Not found"},
    {"method-not-allowed", 405, "Method not allowed"},
    {"invalid-transition", 409, "Not allowed in the appeal's current status"},
    {"conflict", 409, "Conflict"},
    {"body-too-large", 413, "The request body is too large"},
    {"unsupported-media-type", 415, "Send application/json"},
    {"unknown-field", 422, "Unknown field"},
    {"wrong-type", 422, "A field has the wrong type"},
    {"missing-field", 422, "A required field is missing"},
    {"invalid-value", 422, "A field has an invalid value"},
    {"text-too-short", 422, "The text is too short"},
    {"text-too-long", 422, "The text is too long"},
    {"idempotency-key-reused", 422, "This Idempotency-Key was used for a different request"},
    {"rate-limited", 429, "Too many requests"},
    {"internal", 500, "Internal error"},
    {"unavailable", 503, "Service unavailable"},
};

static const char *
title_of(const char *type)
{
    for (size_t i = 0; i < ARRAY_LEN(problems); i++)
        if (strcmp(problems[i].type, type) == 0)
            return problems[i].title;
    return "Error";
}

enum handled
http_problem(struct req *r, unsigned status, const char *type, const char *detail,
             const char *field)
{
    json_t *j = json_object();
    json_object_set_new(j, "type", json_string(arena_printf(r->arena, "/problems/%s", type)));
    json_object_set_new(j, "title", json_string(title_of(type)));
    json_object_set_new(j, "status", json_integer(status));
    if (detail)
        json_object_set_new(j, "detail", json_string(detail));
    if (field)
        json_object_set_new(j, "field", json_string(field));
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    if (status == 429)
        http_add_header(r, "Retry-After", "60");
    return http_reply(r, status, "application/problem+json", s, s ? strlen(s) : 0);
}

enum handled
http_problem_err(struct req *r, enum err e, const char *why)
{
    switch (e) {
    case ERR_INVALID:
        return http_problem(r, 400, "invalid-query", why, NULL);
    case ERR_NOTFOUND:
        return http_problem(r, 404, "not-found", "no such resource", NULL);
    case ERR_CONFLICT:
        return http_problem(r, 409, "invalid-transition", why, NULL);
    case ERR_TOOBIG:
        return http_problem(r, 413, "body-too-large", why, NULL);
    case ERR_UNAVAILABLE:
        return http_problem(r, 503, "unavailable", "the service is shutting down or overloaded",
                            NULL);
    case ERR_DENIED:
        return http_problem(r, 403, "forbidden", why, NULL);
    case ERR_UNAUTH:
        return http_problem(r, 401, "unauthorized", why, NULL);
    case ERR_RATE:
        return http_problem(r, 429, "rate-limited", "too many requests; try again in a minute",
                            NULL);
    case ERR_UNPROCESSABLE:
        return http_problem(r, 422, "invalid-value", why, NULL);
    case ERR_OK:
    case ERR_STORE:
    case ERR_IO:
    case ERR__COUNT:
        break;
    }
    return http_problem(r, 500, "internal", "the request failed; it was not saved", NULL);
}

enum handled
h_problem_doc(struct req *r)
{
    for (size_t i = 0; i < ARRAY_LEN(problems); i++) {
        if (strcmp(problems[i].type, r->param) == 0) {
            json_t *j = json_pack("{s:s, s:s, s:i}", "type",
                                  arena_printf(r->arena, "/problems/%s", problems[i].type), "title",
                                  problems[i].title, "status", problems[i].status);
            return http_reply_json(r, 200, j);
        }
    }
    return http_problem(r, 404, "not-found", "no such problem type", NULL);
}
