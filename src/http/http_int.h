/*
 * http_int.h - what the files of the http module share: the request, the
 * route table entry, problem responses and the JSON helpers.
 */
#ifndef HTTP_HTTP_INT_H
#define HTTP_HTTP_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>

#include "http/http.h"

struct req;
struct form;

enum route_obj { OBJ_NONE, OBJ_APPEAL };
/* What a handler did: answered (response set), or started a job and waits. */
enum handled { HANDLED_DONE, HANDLED_WAIT };
typedef enum handled (*handler_fn)(struct req *r);

#define ROLE_BIT(x) (1u << (x))
#define ROLES_ANY 0xFFFFu /* anyone, signed in or not */
#define ROLES_STAFF                                                                                \
    (ROLE_BIT(ROLE_OPERATOR) | ROLE_BIT(ROLE_OFFICIAL) | ROLE_BIT(ROLE_SUPERVISOR) |               \
     ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_ADMIN))
#define ROLES_SIGNED_IN (ROLES_STAFF | ROLE_BIT(ROLE_CITIZEN))

struct route {
    const char *method;
    const char *path; /* literal segments and {tracking} or {type} */
    unsigned roles;   /* ROLES_ANY, or the roles that may call it */
    enum route_obj obj;
    handler_fn fn;
};

extern const struct route http_routes[];
extern const size_t http_routes_count;
/* A POST outside /api/ is an HTML form post (html.h): its body is parsed into
 * r->form and its csrf field checked before the handler runs, in place of
 * the X-CSRF-Token header. */
bool http_route_is_form(const struct route *rt);

enum req_state { RS_NEW, RS_WAIT, RS_RESUMED, RS_READY };

struct hdr {
    const char *name, *value; /* live in the request arena */
};

struct req {
    struct http_server *srv;
    struct app *app;
    struct MHD_Connection *conn;
    struct arena *arena;
    const char *method;
    const char *url;
    bool http_1_0; /* an HTTP/1.0 request: a body of unknown size is raw */
    const struct route *route;
    const char *param; /* the {tracking} or {type} segment */
    bool method_mismatch;
    const char *allow; /* methods the path has, for 405 */
    struct buf body;
    bool too_big;
    _Atomic int state;
    bool counted; /* in the server's in-flight count */
    /* the caller */
    struct caller caller;
    bool via_cookie;
    char *session_token;
    char *csrf;
    char ip[64];
    bool behind_tls; /* cookies get Secure */
    /* the response */
    unsigned status;
    char *resp; /* malloc'd */
    size_t resp_len;
    const char *ctype;
    struct hdr hdrs[8];
    size_t hdr_count;
    struct MHD_Response *stream; /* instead of resp: a body made as it is sent */
    /* a job in flight and what to do when it is durable */
    enum handled (*finish)(struct req *r);
    union {
        struct submit_req submit;
        struct act_req act;
        struct audit_req audit;
        struct cluster_answer_req cluster_answer;
    } job;
    bool job_is_submit; /* job.submit is the member in use */
    struct form *form;  /* form posts: the parsed body (in arena) */
    void *view;         /* handler state kept across the wait (in arena) */
};

/* ---- responses ---- */
void http_add_header(struct req *r, const char *name, const char *value);
/* The query-string parameter name as sent, or NULL. */
const char *http_query(struct req *r, const char *name);
/* List parameters. Each leaves *out alone when the parameter is absent and
 * returns true; a malformed one is answered 400 invalid-query (false).
 * limit: 1..max; topic and region: a known code, copied into the arena. */
bool http_query_limit(struct req *r, uint64_t max, size_t *out);
bool http_query_topic(struct req *r, const char **out);
bool http_query_region(struct req *r, const char **out);
/* Answer with a body MHD pulls from crc as the client reads (SSE); crfc
 * frees cls when the connection ends (also if this fails). */
enum handled http_reply_stream(struct req *r, unsigned status, const char *ctype,
                               MHD_ContentReaderCallback crc, void *cls,
                               MHD_ContentReaderFreeCallback crfc);
/* Take ownership of body (malloc'd). */
enum handled http_reply(struct req *r, unsigned status, const char *ctype, char *body, size_t len);
enum handled http_reply_json(struct req *r, unsigned status, json_t *j); /* steals j */
/* application/problem+json; type is the slug after /problems/. */
enum handled http_problem(struct req *r, unsigned status, const char *type, const char *detail,
                          const char *field);
/* The problem for an app/store error. */
enum handled http_problem_err(struct req *r, enum err e, const char *why);
/* Suspend the connection until the job started by start() finishes; finish
 * then builds the response on a handler thread. start returns non-OK if the
 * job was refused before it was queued (it never calls back then); finish
 * runs all the same and answers from the error the job recorded. */
enum handled http_wait(struct req *r, enum err (*start)(struct req *r),
                       enum handled (*finish)(struct req *r));
/* The callback app jobs call when durable (arg = struct req). */
void http_job_done(void *arg);

/* The Idempotency-Key header, if any, is well-formed (else a problem is set). */
bool http_idem_key_ok(struct req *r);

/* ---- JSON in ---- */
enum jtype { JT_STRING, JT_INT, JT_NUMBER, JT_BOOL, JT_OBJECT, JT_ARRAY };
struct jfield {
    const char *name;
    enum jtype type;
    bool required;
};
/* Parse the body as a JSON object whose keys are all in fields; on failure the
 * problem response is already set and *out is NULL. Caller json_decref()s. */
enum handled http_json_body(struct req *r, const struct jfield *fields, size_t count, json_t **out);
/* A string field copied into the arena (NULL if absent); max code points.
 * Checks UTF-8 and NUL; false after setting a problem. */
bool http_json_str(struct req *r, json_t *o, const char *name, size_t max, const char **out);

/* ---- JSON out ---- */
json_t *http_appeal_json(struct req *r, const struct appeal *ap, bool full);
/* ---- opinion figures (api_opinion.c), for the API and the /opinion page ---- */
struct op_result;
struct op_margins;
enum { OPINION_SOURCES_MAX = 8 };
struct opinion_q {
    const char *topic;
    const struct ref_topic *topic_ref;
    int32_t from_day, to_day; /* Almaty days, both included */
    const char *sources[OPINION_SOURCES_MAX];
    size_t sources_count;
    const char *sources_csv; /* ",vk,ok," or NULL */
    const struct ref_region *region;
};
/* Why there are no figures, for a page to say in its own words. */
enum opinion_why {
    OPW_QUERY,      /* a malformed or unknown query value (field) */
    OPW_NO_TOPIC,   /* no topic given */
    OPW_NO_TABLES,  /* no calibration tables loaded */
    OPW_BAD_TABLE,  /* a stored table does not parse or lacks "any" */
    OPW_STORE,      /* the store does not answer */
    OPW_NO_REACH,   /* a source without a reach figure (source) */
    OPW_REGION,     /* no population for the region */
    OPW_TOO_MANY,   /* too many records */
    OPW_NO_RECORDS, /* no records */
    OPW_SAMPLE,     /* a record does not fit the margins */
    OPW_WEIGHTS,    /* the sample cannot be weighted */
};
struct opinion_fail {
    enum opinion_why why;
    unsigned status; /* the API's problem: status, type, detail (English), field */
    const char *type, *detail, *field;
    const char *source; /* OPW_NO_REACH: the source */
};
/* The figures of one query; everything lives in the request arena. */
struct opinion_fig {
    const struct opinion_q *q;
    const struct op_result *res;
    const struct op_margins *m; /* as weighted to */
    struct calib_table mt, ct;  /* margins and channels tables, latest versions */
    const char *coverage_channel;
    size_t records;
    bool synthetic;
};
/* Read topic, from, to, sources and region from the query string (with
 * form, a blank value is absent). False with f set on bad input. */
bool http_opinion_query(struct req *r, bool form, struct opinion_q *q, struct opinion_fail *f);
/* The figures for q. False with f set when there are none. */
bool http_opinion_compute(struct req *r, const struct opinion_q *q, struct opinion_fig *x,
                          struct opinion_fail *f);

/* The dashboard's figures (api_stats.c). */
json_t *http_stats_json(struct req *r, const struct app_stats *st);
char *http_time(struct req *r, int64_t t); /* RFC 3339 Almaty, in arena; NULL for 0 */

/* ---- handlers ---- */
enum handled h_healthz(struct req *r);
enum handled h_readyz(struct req *r);
enum handled h_metrics(struct req *r);
enum handled h_regions(struct req *r);
enum handled h_topics(struct req *r);
enum handled h_agencies(struct req *r);
enum handled h_problem_doc(struct req *r);
enum handled h_session_new(struct req *r);
enum handled h_session_end(struct req *r);
enum handled h_me(struct req *r);
enum handled h_appeal_submit(struct req *r);
enum handled h_appeal_get(struct req *r);
enum handled h_appeal_act(struct req *r);
enum handled h_queue(struct req *r);
enum handled h_events(struct req *r);
enum handled h_rules_get(struct req *r);
enum handled h_rules_put(struct req *r);
enum handled h_keyword_rules_get(struct req *r);
enum handled h_keyword_rules_put(struct req *r);
enum handled h_opinion(struct req *r);
enum handled h_stats(struct req *r);
enum handled h_clusters_list(struct req *r);
enum handled h_cluster_get(struct req *r);
enum handled h_cluster_answer(struct req *r);
/* pages (page_*.c) */
enum handled h_asset(struct req *r);
enum handled h_portal(struct req *r);
enum handled h_portal_submit(struct req *r);
enum handled h_track(struct req *r);
enum handled h_track_act(struct req *r);
enum handled h_answered(struct req *r);
enum handled h_dashboard(struct req *r);
enum handled h_opinion_page(struct req *r);
enum handled h_work_login(struct req *r);
enum handled h_work_login_post(struct req *r);
enum handled h_work_logout(struct req *r);
enum handled h_work_queue(struct req *r);
enum handled h_work_case(struct req *r);
enum handled h_work_act(struct req *r);
enum handled h_intake(struct req *r);
enum handled h_intake_submit(struct req *r);
/* Shared checks of contact fields (api_appeals.c). */
bool http_phone_ok(const char *p);
bool http_email_ok(const char *e);

#endif
