/*
 * json.c - strict JSON bodies in (Content-Type, UTF-8, duplicate keys,
 * unknown fields, types) and appeals out. Exports http_json_body(),
 * http_json_str(), http_appeal_json(), http_time().
 */
#include "http/http_int.h"

#include <strings.h>
#include <string.h>

#include "base/tm.h"
#include "text/utf8.h"

static bool
is_json_ctype(const char *ct)
{
    if (!ct)
        return false;
    size_t n = strlen("application/json");
    return strncasecmp(ct, "application/json", n) == 0 && (ct[n] == '\0' || ct[n] == ';');
}

static bool
type_ok(json_t *v, enum jtype t)
{
    switch (t) {
    case JT_STRING:
        return json_is_string(v);
    case JT_INT:
        return json_is_integer(v);
    case JT_NUMBER:
        return json_is_number(v);
    case JT_BOOL:
        return json_is_boolean(v);
    case JT_OBJECT:
        return json_is_object(v);
    case JT_ARRAY:
        return json_is_array(v);
    }
    return false;
}

static const char *const type_word[] = {"a string",      "an integer", "a number",
                                        "true or false", "an object",  "an array"};

enum handled
http_json_body(struct req *r, const struct jfield *fields, size_t count, json_t **out)
{
    *out = NULL;
    json_t *root;
    bool needs_body = false;
    for (size_t i = 0; i < count; i++)
        needs_body |= fields[i].required;
    if (r->body.len == 0 && needs_body)
        return http_problem(r, 400, "invalid-json", "the body is empty", NULL);
    if (r->body.len == 0) {
        root = json_object();
    } else {
        const char *ct =
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!is_json_ctype(ct))
            return http_problem(r, 415, "unsupported-media-type",
                                "send the body as application/json", NULL);
        if (!utf8_valid((struct str){r->body.p, r->body.len}))
            return http_problem(r, 400, "invalid-utf8", "the body is not valid UTF-8", NULL);
        json_error_t jerr;
        root = json_loadb(r->body.p, r->body.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
        if (!root)
            return http_problem(
                r, 400, "invalid-json",
                arena_printf(r->arena, "line %d column %d: %s", jerr.line, jerr.column, jerr.text),
                NULL);
        if (!json_is_object(root)) {
            json_decref(root);
            return http_problem(r, 400, "invalid-json", "the body must be a JSON object", NULL);
        }
    }
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v)
    {
        size_t i = 0;
        while (i < count && strcmp(fields[i].name, key) != 0)
            i++;
        if (i == count) {
            char *k = arena_strdup(r->arena, key);
            json_decref(root);
            return http_problem(r, 422, "unknown-field",
                                arena_printf(r->arena, "unknown field \"%.64s\"", k), k);
        }
        if (json_is_null(v) && !fields[i].required)
            continue;
        if (!type_ok(v, fields[i].type)) {
            json_decref(root);
            return http_problem(
                r, 422, "wrong-type",
                arena_printf(r->arena, "%s must be %s", fields[i].name, type_word[fields[i].type]),
                fields[i].name);
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (fields[i].required && !json_object_get(root, fields[i].name)) {
            json_decref(root);
            return http_problem(r, 422, "missing-field",
                                arena_printf(r->arena, "%s is required", fields[i].name),
                                fields[i].name);
        }
    }
    *out = root;
    return HANDLED_WAIT;
}

bool
http_json_str(struct req *r, json_t *o, const char *name, size_t max, const char **out)
{
    json_t *v = json_object_get(o, name);
    *out = NULL;
    if (!v || json_is_null(v))
        return true;
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (memchr(s, '\0', len)) {
        http_problem(r, 422, "invalid-value", arena_printf(r->arena, "%s contains a NUL", name),
                     name);
        return false;
    }
    if (utf8_count((struct str){s, len}) > max) {
        http_problem(r, 422, strcmp(name, "text") == 0 ? "text-too-long" : "invalid-value",
                     arena_printf(r->arena, "%s must have at most %zu characters", name, max),
                     name);
        return false;
    }
    *out = arena_strndup(r->arena, s, len);
    return true;
}

char *
http_time(struct req *r, int64_t t)
{
    if (!t)
        return NULL;
    char *out = arena_alloc(r->arena, 32);
    tm_format_almaty(t, out);
    return out;
}

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *
time_or_null(struct req *r, int64_t t)
{
    return t ? json_string(http_time(r, t)) : json_null();
}

json_t *
http_appeal_json(struct req *r, const struct appeal *ap, bool full)
{
    json_t *j = json_object();
    json_object_set_new(j, "tracking_id", json_string(ap->tracking_id));
    json_object_set_new(j, "registration_number", json_string(ap->reg_number));
    json_object_set_new(j, "registered_at", time_or_null(r, ap->registered_at));
    json_object_set_new(j, "registered_by", str_or_null(ap->registered_by));
    json_object_set_new(j, "kind", json_string(appeal_kind_name(ap->kind)));
    json_object_set_new(j, "channel", json_string(appeal_channel_name(ap->channel)));
    json_object_set_new(j, "language", json_string(appeal_language_name(ap->language)));
    json_object_set_new(j, "region", json_string(ap->region));
    json_object_set_new(j, "topic", str_or_null(ap->topic));
    json_object_set_new(j, "agency", str_or_null(ap->agency));
    json_object_set_new(j, "status", json_string(appeal_status_name(ap->status)));
    json_object_set_new(j, "due_at", time_or_null(r, ap->due_at));
    json_object_set_new(j, "overdue", json_boolean(ap->overdue));
    json_object_set_new(j, "extended", json_boolean(ap->extended));
    json_object_set_new(j, "rating", ap->rating ? json_integer(ap->rating) : json_null());
    json_object_set_new(j, "updated_at", time_or_null(r, ap->updated_at));
    json_object_set_new(j, "closed_at", time_or_null(r, ap->closed_at));
    json_object_set_new(j, "assignee", ap->assignee ? json_integer(ap->assignee) : json_null());
    if (ap->cluster_id)
        json_object_set_new(j, "cluster",
                            json_pack("{s:I, s:I}", "id", (json_int_t)ap->cluster_id, "count",
                                      (json_int_t)ap->cluster_count));
    if (full) {
        json_object_set_new(j, "text", json_string(ap->text ? ap->text : ""));
        json_object_set_new(j, "address", str_or_null(ap->address));
        if (ap->has_location) {
            json_object_set_new(j, "lat", json_real(ap->lat));
            json_object_set_new(j, "lon", json_real(ap->lon));
        }
        json_t *c = json_object();
        json_object_set_new(c, "name", str_or_null(ap->contact_name));
        json_object_set_new(c, "email", str_or_null(ap->contact_email));
        json_object_set_new(c, "phone", str_or_null(ap->contact_phone));
        json_object_set_new(c, "iin", str_or_null(ap->contact_iin));
        json_object_set_new(j, "contact", c);
        json_object_set_new(j, "anonymous", json_boolean(ap->anonymous));
    }
    return j;
}
