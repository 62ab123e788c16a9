/*
 * api_appeals.c - POST /api/v1/appeals (submit), GET /api/v1/appeals/{tracking}
 * and every POST /api/v1/appeals/{tracking}/<action>. Syntax is checked here,
 * semantics and permissions in app/. Exports h_appeal_submit(),
 * h_appeal_get(), h_appeal_act().
 */
#include "http/http_int.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/util.h"
#include "domain/iin.h"
#include "text/utf8.h"

enum { IDEM_KEY_MAX = 128 };

/* Idempotency-Key: 1-128 printable ASCII, on any POST; false after setting a problem. */
bool
http_idem_key_ok(struct req *r)
{
    const char *k = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Idempotency-Key");
    if (!k)
        return true;
    size_t n = strlen(k);
    bool ok = n >= 1 && n <= IDEM_KEY_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = k[i] > 0x20 && k[i] < 0x7F;
    if (!ok)
        http_problem(r, 400, "invalid-header",
                     "Idempotency-Key must be 1-128 printable ASCII characters", NULL);
    return ok;
}

static void
idem_key(struct req *r, const char **out)
{
    const char *k = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Idempotency-Key");
    *out = k ? arena_strdup(r->arena, k) : NULL;
}

/* What routing decided (docs/routing.md): null fields where nothing did. */
static json_t *
routing_json(const struct appeal_routing *rt)
{
    json_t *j = json_object();
    json_object_set_new(j, "routed_by", rt->routed_by ? json_string(rt->routed_by) : json_null());
    json_object_set_new(j, "model_topic",
                        rt->model_topic ? json_string(rt->model_topic) : json_null());
    json_object_set_new(j, "topic_confidence",
                        rt->model_topic ? json_real(rt->topic_confidence) : json_null());
    json_object_set_new(j, "model_agency",
                        rt->model_agency ? json_string(rt->model_agency) : json_null());
    json_object_set_new(j, "agency_confidence",
                        rt->model_agency ? json_real(rt->agency_confidence) : json_null());
    json_object_set_new(j, "model_version",
                        rt->model_version ? json_integer(rt->model_version) : json_null());
    json_object_set_new(j, "agency_model_version",
                        rt->agency_model_version ? json_integer(rt->agency_model_version)
                                                 : json_null());
    return j;
}

static char *
render_created(const struct appeal *ap, const char *secret, void *arg)
{
    struct req *r = arg;
    json_t *j = json_object();
    char reg[32], due[32];
    tm_format_almaty(ap->registered_at, reg);
    json_object_set_new(j, "tracking_id", json_string(ap->tracking_id));
    json_object_set_new(j, "secret", json_string(secret));
    json_object_set_new(j, "registration_number", json_string(ap->reg_number));
    json_object_set_new(j, "registered_at", json_string(reg));
    json_object_set_new(j, "registered_by", json_string(ap->registered_by));
    json_object_set_new(j, "status", json_string(appeal_status_name(ap->status)));
    json_object_set_new(j, "topic", ap->topic ? json_string(ap->topic) : json_null());
    json_object_set_new(j, "agency", ap->agency ? json_string(ap->agency) : json_null());
    json_object_set_new(j, "routing", routing_json(&ap->routing));
    if (ap->due_at) {
        tm_format_almaty(ap->due_at, due);
        json_object_set_new(j, "due_at", json_string(due));
    } else {
        json_object_set_new(j, "due_at", json_null());
    }
    if (ap->cluster_id)
        json_object_set_new(j, "cluster",
                            json_pack("{s:I, s:I}", "id", (json_int_t)ap->cluster_id, "count",
                                      (json_int_t)ap->cluster_count));
    json_object_set_new(j, "track_url",
                        json_string(arena_printf(r->arena, "/track/%s", ap->tracking_id)));
    char *s = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(j);
    return s;
}

bool
http_phone_ok(const char *p)
{
    size_t digits = 0;
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9')
            digits++;
        else if (!strchr("+ ()-", *p))
            return false;
    }
    return digits >= 7 && digits <= 15;
}

bool
http_email_ok(const char *e)
{
    const char *at = strchr(e, '@');
    return at && at != e && !strchr(at + 1, '@') && strchr(at + 1, '.') && at[1] != '.' &&
           !strpbrk(e, " \t\r\n<>\"");
}

static const struct jfield contact_fields[] = {
    {"name", JT_STRING, false},
    {"email", JT_STRING, false},
    {"phone", JT_STRING, false},
    {"iin", JT_STRING, false},
};

/* Check the contact object; false after setting a problem. */
static bool
decode_contact(struct req *r, json_t *c, struct appeal *ap)
{
    const char *key;
    json_t *v;
    json_object_foreach(c, key, v)
    {
        size_t i = 0;
        while (i < ARRAY_LEN(contact_fields) && strcmp(contact_fields[i].name, key) != 0)
            i++;
        if (i == ARRAY_LEN(contact_fields)) {
            char *k = arena_printf(r->arena, "contact.%.64s", key);
            http_problem(r, 422, "unknown-field", arena_printf(r->arena, "unknown field %s", k), k);
            return false;
        }
        if (!json_is_string(v) && !json_is_null(v)) {
            char *k = arena_printf(r->arena, "contact.%s", key);
            http_problem(r, 422, "wrong-type", arena_printf(r->arena, "%s must be a string", k), k);
            return false;
        }
    }
    if (!http_json_str(r, c, "name", 200, &ap->contact_name) ||
        !http_json_str(r, c, "email", 254, &ap->contact_email) ||
        !http_json_str(r, c, "phone", 32, &ap->contact_phone) ||
        !http_json_str(r, c, "iin", 12, &ap->contact_iin))
        return false;
    if (ap->contact_name && !*ap->contact_name)
        ap->contact_name = NULL;
    if (ap->contact_email && !http_email_ok(ap->contact_email)) {
        http_problem(r, 422, "invalid-value", "contact.email is not an e-mail address",
                     "contact.email");
        return false;
    }
    if (ap->contact_phone && !http_phone_ok(ap->contact_phone)) {
        http_problem(r, 422, "invalid-value", "contact.phone must have 7-15 digits",
                     "contact.phone");
        return false;
    }
    if (ap->contact_iin && !iin_valid(str_from_cstr(ap->contact_iin))) {
        http_problem(r, 422, "invalid-value",
                     "contact.iin must be 12 digits with a valid check digit", "contact.iin");
        return false;
    }
    return true;
}

static const struct jfield submit_fields[] = {
    {"kind", JT_STRING, true},     {"channel", JT_STRING, false}, {"language", JT_STRING, false},
    {"region", JT_STRING, true},   {"topic", JT_STRING, false},   {"text", JT_STRING, true},
    {"address", JT_STRING, false}, {"lat", JT_NUMBER, false},     {"lon", JT_NUMBER, false},
    {"contact", JT_OBJECT, false}, {"consent", JT_BOOL, true},    {"report", JT_STRING, false},
};

static enum err
submit_start(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    return app_submit_start(r->app, s, r->arena, http_job_done, r);
}

static enum handled
submit_finish(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    if (s->e) {
        if (s->why && strcmp(s->why, "idempotency-key-reused") == 0)
            return http_problem(r, 422, "idempotency-key-reused",
                                "this Idempotency-Key was used with a different body", NULL);
        if (s->e == ERR_UNPROCESSABLE)
            return http_problem(r, 422, "invalid-value", s->why, s->field);
        if (s->e == ERR_DENIED)
            return http_problem(r, 403, "forbidden", s->why, s->field);
        return http_problem_err(r, s->e, s->why);
    }
    char *body = s->response;
    s->response = NULL;
    if (s->replayed)
        http_add_header(r, "Idempotent-Replayed", "true");
    const char *slash = strstr(body, "\"tracking_id\":\"");
    if (slash) {
        const char *id = slash + strlen("\"tracking_id\":\"");
        const char *end = strchr(id, '"');
        if (end)
            http_add_header(r, "Location",
                            arena_printf(r->arena, "/api/v1/appeals/%.*s", (int)(end - id), id));
    }
    return http_reply(r, 201, "application/json", body, strlen(body));
}

static bool
parse_enum_field(struct req *r, json_t *o, const char *name, enum err (*parse)(struct str, void *),
                 void *out)
{
    json_t *v = json_object_get(o, name);
    if (!v || json_is_null(v))
        return true;
    struct str s = {json_string_value(v), json_string_length(v)};
    if (parse(s, out)) {
        http_problem(r, 422, "invalid-value",
                     arena_printf(r->arena, "%s has an unknown value", name), name);
        return false;
    }
    return true;
}

static enum err
kind_p(struct str s, void *o)
{
    return appeal_kind_parse(s, o);
}
static enum err
channel_p(struct str s, void *o)
{
    return appeal_channel_parse(s, o);
}
static enum err
lang_p(struct str s, void *o)
{
    return appeal_language_parse(s, o);
}

enum handled
h_appeal_submit(struct req *r)
{
    struct submit_req *s = &r->job.submit;
    struct appeal *ap = &s->ap;
    r->job_is_submit = true;
    json_t *o;
    if (http_json_body(r, submit_fields, ARRAY_LEN(submit_fields), &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    ap->kind = KIND_STATEMENT;
    ap->channel = CHANNEL_WEB;
    ap->language = LANG_RU;
    if (!parse_enum_field(r, o, "kind", kind_p, &ap->kind) ||
        !parse_enum_field(r, o, "channel", channel_p, &ap->channel) ||
        !parse_enum_field(r, o, "language", lang_p, &ap->language))
        goto out;
    const char *text, *region, *topic, *report;
    if (!http_json_str(r, o, "region", 9, &region) || !http_json_str(r, o, "topic", 64, &topic) ||
        !http_json_str(r, o, "address", APPEAL_ADDRESS_MAX, &ap->address) ||
        !http_json_str(r, o, "report", 16, &report))
        goto out;
    json_t *t = json_object_get(o, "text");
    struct str raw = {json_string_value(t), json_string_length(t)};
    if (memchr(raw.p, '\0', raw.len)) {
        http_problem(r, 422, "invalid-value", "text contains a NUL character", "text");
        goto out;
    }
    char *nfc;
    size_t nfc_len;
    if (utf8_nfc(r->arena, raw, &nfc, &nfc_len)) {
        http_problem(r, 400, "invalid-utf8", "text is not valid Unicode", "text");
        goto out;
    }
    text = nfc;
    size_t chars = utf8_count((struct str){text, nfc_len});
    if (chars < APPEAL_TEXT_MIN) {
        http_problem(r, 422, "text-too-short", "text must have at least 10 characters", "text");
        goto out;
    }
    if (chars > APPEAL_TEXT_MAX) {
        http_problem(r, 422, "text-too-long", "text must have at most 10000 characters", "text");
        goto out;
    }
    ap->text = text;
    ap->region = region;
    ap->topic = topic;
    json_t *lat = json_object_get(o, "lat"), *lon = json_object_get(o, "lon");
    bool has_lat = lat && !json_is_null(lat), has_lon = lon && !json_is_null(lon);
    if (has_lat != has_lon) {
        http_problem(r, 422, "invalid-value", "give both lat and lon, or neither",
                     has_lat ? "lon" : "lat");
        goto out;
    }
    if (has_lat) {
        ap->lat = json_number_value(lat);
        ap->lon = json_number_value(lon);
        if (!(ap->lat >= -90 && ap->lat <= 90) || !(ap->lon >= -180 && ap->lon <= 180)) {
            http_problem(r, 422, "invalid-value", "lat must be -90..90 and lon -180..180",
                         ap->lat >= -90 && ap->lat <= 90 ? "lon" : "lat");
            goto out;
        }
        ap->has_location = true;
    }
    json_t *c = json_object_get(o, "contact");
    if (c && json_is_object(c) && !decode_contact(r, c, ap))
        goto out;
    ap->consent = json_is_true(json_object_get(o, "consent"));
    s->report = REPORT_NONE;
    if (report) {
        if (strcmp(report, "crime") == 0) {
            s->report = REPORT_CRIME;
        } else if (strcmp(report, "security") == 0) {
            s->report = REPORT_SECURITY;
        } else {
            http_problem(r, 422, "invalid-value", "report must be crime or security", "report");
            goto out;
        }
    }
    idem_key(r, &s->idem_key);
    if (s->idem_key) /* only a keyed request is compared with its earlier body */
        crypto_hash_sha256(s->req_hash, (const unsigned char *)r->body.p, r->body.len);
    s->caller = r->caller;
    s->render = render_created;
    s->render_arg = r;
    /* Region, topic, consent and who may use the channel are the app's to judge. */
    h = http_wait(r, submit_start, submit_finish);
out:
    json_decref(o);
    return h;
}

/* ---- read ---- */

struct get_state {
    struct appeal_view v;
};

static json_t *
timeline_json(struct req *r, const struct appeal_view *v)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < v->events_count; i++) {
        const struct appeal_event *ev = &v->events[i];
        json_t *e = json_object();
        json_object_set_new(e, "seq", json_integer(ev->seq));
        json_object_set_new(e, "at", json_string(http_time(r, ev->at)));
        json_object_set_new(e, "action", json_string(appeal_action_name(ev->action)));
        json_object_set_new(e, "actor", json_string(role_name(ev->actor_role)));
        json_object_set_new(e, "from",
                            ev->from < STATUS__COUNT ? json_string(appeal_status_name(ev->from))
                                                     : json_null());
        json_object_set_new(e, "status", json_string(appeal_status_name(ev->to)));
        json_object_set_new(e, "agency", ev->agency ? json_string(ev->agency) : json_null());
        json_object_set_new(e, "reason", ev->reason ? json_string(ev->reason) : json_null());
        json_object_set_new(e, "due_at",
                            ev->due_at ? json_string(http_time(r, ev->due_at)) : json_null());
        char hex[65];
        sodium_bin2hex(hex, sizeof(hex), ev->hash, 32);
        json_object_set_new(e, "hash", json_string(hex));
        json_array_append_new(arr, e);
    }
    return arr;
}

static enum handled
get_reply(struct req *r)
{
    struct get_state *g = r->view;
    json_t *j = http_appeal_json(r, &g->v.ap, g->v.full);
    json_object_set_new(j, "timeline", timeline_json(r, &g->v));
    json_t *ans = json_array();
    for (size_t i = 0; i < g->v.answers_count; i++) {
        const struct answer_row *a = &g->v.answers[i];
        json_array_append_new(ans, json_pack("{s:s, s:s, s:s}", "text", a->text, "language",
                                             a->language, "at", http_time(r, a->at)));
    }
    json_object_set_new(j, "answers", ans);
    return http_reply_json(r, 200, j);
}

static enum err
audit_start(struct req *r)
{
    struct get_state *g = r->view;
    r->job.audit.user = r->caller.user.id;
    r->job.audit.action = "read_pii";
    r->job.audit.object = g->v.ap.tracking_id;
    return app_audit_start(r->app, &r->job.audit, http_job_done, r);
}

static enum handled
audit_finish(struct req *r)
{
    if (r->job.audit.e)
        return http_problem_err(r, r->job.audit.e, NULL);
    return get_reply(r);
}

enum handled
h_appeal_get(struct req *r)
{
    struct get_state *g = ARENA_NEW(r->arena, struct get_state);
    r->view = g;
    enum err e = app_view(r->app, r->arena, r->param, &r->caller, &g->v);
    if (e)
        return http_problem_err(r, e, NULL);
    /* Staff reading a citizen's personal data leave an audit row first. */
    bool staff = r->caller.user.id && r->caller.user.role != ROLE_CITIZEN;
    if (staff)
        return http_wait(r, audit_start, audit_finish);
    return get_reply(r);
}

/* ---- actions ---- */

static const struct {
    const char *name;
    enum appeal_action act;
    struct jfield fields[3];
    size_t count;
} actions[] = {
    {"take", ACT_TAKE, {{0}}, 0},
    {"assign", ACT_ASSIGN, {{"user", JT_INT, true}}, 1},
    {"answer", ACT_ANSWER, {{"text", JT_STRING, true}, {"language", JT_STRING, false}}, 2},
    {"forward", ACT_FORWARD, {{"agency", JT_STRING, true}, {"reason", JT_STRING, true}}, 2},
    {"extend", ACT_EXTEND, {{"reason", JT_STRING, true}, {"due_date", JT_STRING, true}}, 2},
    {"return", ACT_RETURN, {{"reason", JT_STRING, true}}, 1},
    {"close", ACT_CLOSE, {{"reason", JT_STRING, false}}, 1},
    {"rating", ACT_RATE, {{"score", JT_INT, true}, {"comment", JT_STRING, false}}, 2},
    {"dispute", ACT_DISPUTE, {{"reason", JT_STRING, true}}, 1},
    {"withdraw", ACT_WITHDRAW, {{"reason", JT_STRING, false}}, 1},
    {"triage", ACT_ROUTE, {{"topic", JT_STRING, true}, {"agency", JT_STRING, true}}, 2},
    {"not-considered", ACT_NOT_CONSIDER, {{"reason", JT_STRING, true}}, 1},
};

static enum err
act_start(struct req *r)
{
    return app_act_start(r->app, &r->job.act, r->arena, http_job_done, r);
}

static enum handled
act_finish(struct req *r)
{
    struct act_req *a = &r->job.act;
    if (a->e == ERR_UNPROCESSABLE)
        return http_problem(r, 422, "invalid-value", a->why, a->field);
    if (a->e)
        return http_problem_err(r, a->e, a->why);
    return http_reply_json(r, 200, http_appeal_json(r, &a->ap, false));
}

/* The last path segment names the action. */
static const char *
action_name(const char *url)
{
    const char *slash = strrchr(url, '/');
    return slash ? slash + 1 : url;
}

enum handled
h_appeal_act(struct req *r)
{
    const char *name = action_name(r->url);
    size_t i = 0;
    while (i < ARRAY_LEN(actions) && strcmp(actions[i].name, name) != 0)
        i++;
    if (i == ARRAY_LEN(actions))
        return http_problem(r, 404, "not-found", "no such action", NULL);
    struct act_req *a = &r->job.act;
    json_t *o;
    if (http_json_body(r, actions[i].fields, actions[i].count, &o) == HANDLED_DONE)
        return HANDLED_DONE;
    enum handled h = HANDLED_DONE;
    a->action = actions[i].act;
    a->tracking_id = r->param;
    a->caller = r->caller;
    a->language = LANG_RU;
    const char *due = NULL, *lang = NULL;
    if (!http_json_str(r, o, "reason", APPEAL_REASON_MAX, &a->reason) ||
        !http_json_str(r, o, "text", APPEAL_ANSWER_MAX, &a->text) ||
        !http_json_str(r, o, "agency", 64, &a->agency) ||
        !http_json_str(r, o, "topic", 64, &a->topic) ||
        !http_json_str(r, o, "due_date", 10, &due) || !http_json_str(r, o, "language", 2, &lang) ||
        !http_json_str(r, o, "comment", APPEAL_REASON_MAX, &a->reason))
        goto out;
    if (a->action != ACT_RATE)
        (void)http_json_str(r, o, "reason", APPEAL_REASON_MAX, &a->reason);
    if (a->reason && !*a->reason && actions[i].fields[0].required) {
        http_problem(r, 422, "invalid-value", "reason must not be empty", "reason");
        goto out;
    }
    if (a->action == ACT_ANSWER && utf8_count(str_from_cstr(a->text)) < 2) {
        http_problem(r, 422, "text-too-short", "the answer is empty", "text");
        goto out;
    }
    if (lang && appeal_language_parse(str_from_cstr(lang), &a->language)) {
        http_problem(r, 422, "invalid-value", "language must be kk, ru or en", "language");
        goto out;
    }
    if (due && tm_parse_date(str_from_cstr(due), &a->due_day)) {
        http_problem(r, 422, "invalid-value", "due_date must be YYYY-MM-DD", "due_date");
        goto out;
    }
    json_t *score = json_object_get(o, "score");
    if (score) {
        json_int_t sc = json_integer_value(score);
        if (sc < 1 || sc > 5) {
            http_problem(r, 422, "invalid-value", "score must be 1 to 5", "score");
            goto out;
        }
        a->score = (int)sc;
    }
    json_t *user = json_object_get(o, "user");
    if (user) {
        /* Whether the user belongs to the appeal's agency is judged by the app,
         * after it has checked that the caller may see the appeal at all. */
        struct user u;
        json_int_t id = json_integer_value(user);
        if (id > 0 && store_user_by_id(app_store(r->app), r->arena, id, &u) == ERR_OK &&
            (u.role == ROLE_OFFICIAL || u.role == ROLE_SUPERVISOR))
            a->assignee_agency = u.agency;
        a->assignee = id;
    }
    h = http_wait(r, act_start, act_finish);
out:
    json_decref(o);
    return h;
}
