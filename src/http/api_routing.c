/*
 * api_routing.c - GET and PUT /api/v1/admin/keyword-rules: the keyword
 * rules that override the routing model (docs/routing.md). PUT replaces the
 * whole list, in order: the first rule that matches wins. Exports
 * h_keyword_rules_get() and h_keyword_rules_put().
 */
#include "http/http_int.h"

#include <string.h>

#include "base/util.h"
#include "pipeline/router.h"

static json_t *
str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

enum handled
h_keyword_rules_get(struct req *r)
{
    struct keyword_rule_row *rows;
    size_t n;
    enum err e = app_keyword_rules(r->app, r->arena, &rows, &n);
    if (e)
        return http_problem_err(r, e, "cannot read the keyword rules");
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            arr, json_pack("{s:s, s:o, s:s, s:o, s:s, s:o}", "keyword", rows[i].keyword, "region",
                           str_or_null(rows[i].region), "topic", rows[i].topic, "agency",
                           str_or_null(rows[i].agency), "created_by", rows[i].created_by,
                           "created_at", json_string(http_time(r, rows[i].created_at))));
    return http_reply_json(r, 200, json_pack("{s:o}", "items", arr));
}

static const struct jfield list_fields[] = {
    {"items", JT_ARRAY, true},
};

static const char *const item_keys[] = {"keyword", "region", "topic", "agency"};

/* Item i of the list into *out; false after setting a problem. */
static bool
item_read(struct req *r, json_t *it, size_t i, struct keyword_rule_row *out)
{
    const char *field = arena_printf(r->arena, "items[%zu]", i);
    if (!json_is_object(it)) {
        http_problem(r, 422, "wrong-type", arena_printf(r->arena, "%s must be an object", field),
                     field);
        return false;
    }
    const char *key;
    json_t *v;
    json_object_foreach(it, key, v)
    {
        size_t k = 0;
        while (k < ARRAY_LEN(item_keys) && strcmp(item_keys[k], key) != 0)
            k++;
        if (k == ARRAY_LEN(item_keys)) {
            http_problem(r, 422, "unknown-field",
                         arena_printf(r->arena, "%s: unknown field \"%.64s\"", field, key), field);
            return false;
        }
        if (!json_is_string(v) && !(json_is_null(v) && (k == 1 || k == 3))) {
            http_problem(r, 422, "wrong-type",
                         arena_printf(r->arena, "%s.%s must be a string", field, key), field);
            return false;
        }
    }
    *out = (struct keyword_rule_row){0};
    if (!http_json_str(r, it, "keyword", ROUTER_KEYWORD_MAX, &out->keyword) ||
        !http_json_str(r, it, "region", 9, &out->region) ||
        !http_json_str(r, it, "topic", 64, &out->topic) ||
        !http_json_str(r, it, "agency", 64, &out->agency))
        return false;
    if (!out->keyword || !out->topic) {
        http_problem(r, 422, "missing-field",
                     arena_printf(r->arena, "%s needs keyword and topic", field), field);
        return false;
    }
    return true;
}

enum handled
h_keyword_rules_put(struct req *r)
{
    json_t *o;
    if (http_json_body(r, list_fields, ARRAY_LEN(list_fields), &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    json_t *items = json_object_get(o, "items");
    size_t n = json_array_size(items);
    if (n > STORE_KEYWORD_RULES_MAX) {
        h = http_problem(
            r, 422, "invalid-value",
            arena_printf(r->arena, "at most %d keyword rules", (int)STORE_KEYWORD_RULES_MAX),
            "items");
        goto out;
    }
    struct keyword_rule_row *rows = ARENA_ARRAY(r->arena, struct keyword_rule_row, n + 1);
    for (size_t i = 0; i < n; i++)
        if (!item_read(r, json_array_get(items, i), i, &rows[i]))
            goto out;
    const char *why;
    size_t at;
    enum err e = app_keyword_rules_set(r->app, &r->caller, rows, n, &why, &at);
    if (e == ERR_UNPROCESSABLE) {
        const char *field = arena_printf(r->arena, "items[%zu]", at);
        h = http_problem(r, 422, "invalid-value", arena_printf(r->arena, "%s: %s", field, why),
                         field);
    } else if (e) {
        h = http_problem_err(r, e, why ? why : "cannot store the keyword rules");
    } else {
        h = h_keyword_rules_get(r);
    }
out:
    json_decref(o);
    return h;
}
