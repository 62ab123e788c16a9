/*
 * app.h - the use cases of tyndau, shared by every channel (HTTP, CLI, demo):
 * submit an appeal, act on it (take, answer, forward, extend, return, close,
 * rate, dispute, withdraw, triage, not-considered), read it, sign in, add
 * users; plus the deadline scheduler. Every transition goes through
 * apply_action() in act.c, which asks domain/appeal_transition() and writes
 * the new state, one hash-chained event and one live event in the same
 * transaction.
 *
 * Writes are asynchronous: a *_start() call queues a job on the store's
 * writer and calls done(arg) on the writer thread once the job's commit is
 * durable; the result is in the request struct the caller owns, which must
 * stay alive and untouched until done runs.
 */
#ifndef APP_APP_H
#define APP_APP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "domain/appeal.h"
#include "domain/calendar.h"
#include "domain/user.h"
#include "realtime/hub.h"
#include "store/store.h"

struct notice;

struct app_opts {
    int64_t clock_offset;       /* seconds added to the wall clock (drills and tests) */
    int64_t rate_submit;        /* appeals per IP per minute */
    int64_t rate_login;         /* login attempts per IP per minute */
    int64_t session_ttl;        /* seconds */
    int scheduler_interval_ms;  /* 0: no scheduler thread */
    unsigned live_heartbeat_ms; /* live stream heartbeat; 0: no heartbeat thread */
    size_t live_queue_bytes;    /* per live subscriber; 0: the hub's default */
    unsigned live_writers;      /* threads writing to attached streams; 0: 1 */
    int model_check_ms;         /* look for a newer model this often; 0: never */
    int64_t cluster_days;       /* near-duplicates looked for this far back, 1..365 days */
    size_t cluster_capacity;    /* appeals the near-duplicate index holds, 1024..LSH_CAPACITY_MAX */
    int64_t burst_warmup;       /* seconds of history a topic and region need before a burst */
    /* Citizens' e-mail notices. Renders n as one whole RFC 5322 message
     * (malloc'd, caller frees), or NULL when it cannot (an address that is
     * not safe in a header): then nothing is queued. NULL: no notices. */
    char *(*notice_render)(const struct notice *n);
    const char *site_url;   /* where links in notices point: "https://tyndau.example.kz" */
    const char *mail_from;  /* the From address of notices */
    const char *mail_spool; /* the scheduler delivers e-mail here; NULL: it stays queued */
};

struct app;         /* opaque */
struct minhash_sig; /* pipeline/minhash.h */

/* Load reference data and the calendar from s (borrowed; must outlive the app).
 * Caller owns *out. */
enum err app_new(struct store *s, const struct app_opts *o, struct app **out);
/* Stops the scheduler, waits for queued writes to reach the live hub and
 * frees it (streams still holding subscribers read HUB_CLOSED). No other
 * thread may use app meanwhile. Accepts NULL. */
void app_free(struct app *app);
int64_t app_now(const struct app *app);
struct store *app_store(const struct app *app);
/* Reference data in effect; valid until the next app_reload(). */
const struct ref_data *app_ref(const struct app *app);
const struct calendar *app_calendar(const struct app *app);
const struct ref_agency *app_agency(const struct app *app, const char *code);
const struct ref_region *app_region(const struct app *app, const char *kato);
const struct ref_topic *app_topic(const struct app *app, const char *code);
/* The agency a topic in a region routes to, or NULL. */
const char *app_route(const struct app *app, const char *topic, const char *region);
/* Re-read reference data after an administrator changed it. */
enum err app_reload(struct app *app);

/* Who is calling: a signed-in user, or nobody (id 0, role citizen). */
struct caller {
    struct user user;              /* id 0: anonymous */
    const char *ip;                /* for rate limits; borrowed */
    bool has_secret;               /* a tracking secret was presented... */
    unsigned char secret_hash[32]; /* ...with this sha256 */
};

/* ---- submit ---- */
enum report_kind { REPORT_NONE, REPORT_CRIME, REPORT_SECURITY };

struct submit_req {
    /* in: fields already syntax-checked by the caller; strings borrowed */
    struct appeal ap; /* kind, channel, language, region, topic, text (NFC), address,
                         location, contacts, consent */
    enum report_kind report;
    const char *idem_key; /* may be NULL */
    unsigned char req_hash[32];
    struct caller caller;
    /* Renders the 201 body for the new appeal (the caller owns the JSON
     * format); the result is malloc'd, the app frees it. */
    char *(*render)(const struct appeal *ap, const char *secret, void *render_arg);
    void *render_arg;
    /* out */
    enum err e;
    const char *why;   /* static text for the error */
    const char *field; /* offending field, static */
    char *response;    /* malloc'd 201 body (caller frees) */
    bool replayed;     /* same Idempotency-Key seen before */
    /* private */
    struct app *app;
    struct arena *arena; /* the caller's request arena: only the writer touches it meanwhile */
    void (*done)(void *arg);
    void *done_arg;
    const char *route_reason; /* the registered event's reason: what routing decided (JSON) */
    struct minhash_sig *sig;  /* the text's signature for clustering (in arena); NULL: none */
    bool clustered;           /* the job put it into the near-duplicate index */
};
/* Check semantics (region, topic, who may use the channel) and queue the
 * registration. Returns an error (and never calls done) if the request is
 * rejected before queueing; then r->why/r->field say why. */
enum err app_submit_start(struct app *app, struct submit_req *r, struct arena *a,
                          void (*done)(void *), void *arg);

/* ---- act ---- */
struct act_req {
    /* in */
    enum appeal_action action;
    const char *tracking_id;
    struct caller caller;
    const char *reason; /* forward, extend, return, dispute, withdraw, not-consider */
    const char *text;   /* answer */
    enum appeal_language language;
    const char *agency;          /* forward, triage */
    const char *topic;           /* triage */
    int32_t due_day;             /* extend: new due date (Almaty day) */
    int score;                   /* rate: 1..5 */
    int64_t assignee;            /* assign */
    const char *assignee_agency; /* assign: the assignee's agency, NULL if not staff */
    /* out */
    enum err e;
    const char *why;
    const char *field; /* the request field at fault, or NULL */
    struct appeal ap;  /* the appeal after the action; strings in the arena */
    /* private */
    struct app *app;
    struct arena *arena;
    void (*done)(void *arg);
    void *done_arg;
};
enum err app_act_start(struct app *app, struct act_req *r, struct arena *a, void (*done)(void *),
                       void *arg);

/* ---- read ---- */
struct appeal_view {
    struct appeal ap;
    struct appeal_event *events;
    size_t events_count;
    struct answer_row *answers;
    size_t answers_count;
    bool full; /* caller may see personal data (owner or staff of its agency) */
};
/* The appeal if the caller may see it (else ERR_NOTFOUND); strings in a.
 * Staff reads of personal data queue an audit row: *audit is true then and
 * the caller must wait for app_audit_start(). */
enum err app_view(struct app *app, struct arena *a, const char *tracking, const struct caller *c,
                  struct appeal_view *v);

struct audit_req {
    int64_t user;
    const char *action, *object; /* borrowed until done */
    enum err e;
    void (*done)(void *arg);
    void *done_arg;
    struct app *app;
};
enum err app_audit_start(struct app *app, struct audit_req *r, void (*done)(void *), void *arg);

/* The caller's queue: officials and supervisors see their agency, operators
 * the triage queue. ERR_DENIED for other roles. */
enum err app_queue(struct app *app, struct arena *a, const struct caller *c, struct queue_query *q,
                   struct appeal **rows, size_t *count, bool *more);

/* The public list of answered appeals (store_answered()) with personal data
 * redacted from the appeal and the answer (text/redact.h); strings in a.
 * ERR_TOOBIG if q->limit is over APP_ANSWERED_MAX. */
enum { APP_ANSWERED_MAX = 100 };
enum err app_answered(struct app *app, struct arena *a, const struct answered_query *q,
                      struct answered_row **rows, size_t *count, bool *more);

/* ---- dashboard statistics (stats.c) ---- */
enum {
    APP_STATS_DAYS = 30,         /* the window: today and the 29 days before it */
    APP_STATS_REGIONS = 20,      /* regions of Kazakhstan (KATO), all of them listed */
    APP_STATS_TTL_MS = 5000,     /* figures are reused this long for the same scope */
    APP_STATS_CACHE_SLOTS = 128, /* scopes kept at once (a few KiB each) */
};
struct app_stats {
    const char *agency;           /* the scope: NULL every agency */
    const char *region;           /* NULL every region */
    int64_t now;                  /* when they were read from the store (generated) */
    int max_age;                  /* seconds they stay current: 0..APP_STATS_TTL_MS/1000 */
    int32_t first_day;            /* Almaty day number of per_day[0] */
    struct store_stats s;         /* per_day has APP_STATS_DAYS entries; regions as stored */
    double on_time_share;         /* answered_on_time / answered; -1 when none answered */
    struct stats_region *regions; /* every region of the reference data, by KATO code; in a */
    size_t regions_count;
};
/* The statistics caller c may see: a supervisor their agency's (agency
 * NULL or theirs; another is ERR_DENIED), an analyst or admin every agency's
 * or one agency's; narrowed to a region when given. ERR_INVALID with *why
 * for an unknown agency or region, ERR_DENIED for any other role. Strings
 * in a.
 *
 * Figures are cached per scope (the agency the caller's role resolves to,
 * and the region) for APP_STATS_TTL_MS: a change shows within that time.
 * Callers that ask for a scope being read wait for that one read. At most
 * APP_STATS_CACHE_SLOTS scopes are kept; the least recently used goes. */
enum err app_stats(struct app *app, struct arena *a, const struct caller *c, const char *agency,
                   const char *region, struct app_stats *out, const char **why);
/* Scopes read from the store and answers served from the cache, so far. */
void app_stats_counts(struct app *app, uint64_t *reads, uint64_t *hits);

/* ---- accounts ---- */
/* Verify login and password; on success a new session (token and csrf
 * written into the caller's buffers, base32, NUL-terminated). Rate-limited per IP.
 * ERR_UNAUTH on a bad login or password. Blocking (waits for the commit). */
enum { APP_TOKEN_LEN = 27 };
enum err app_login(struct app *app, struct arena *a, const char *ip, const char *login,
                   const char *password, struct user *u, char token[APP_TOKEN_LEN],
                   char csrf[APP_TOKEN_LEN]);
enum err app_logout(struct app *app, const char *token);
/* Resolve a session cookie or API token to a user (ERR_UNAUTH if unknown). Answers
 * are cached for AUTHCACHE_TTL (10) seconds: logout takes effect at once, a token
 * revoked or a session expired in the database within that time. */
enum err app_session_user(struct app *app, struct arena *a, const char *token, struct user *u,
                          char **csrf);
enum err app_token_user(struct app *app, struct arena *a, const char *token, struct user *u);
/* Create a user (argon2id hash of password). Blocking. */
enum err app_user_add(struct app *app, const struct user *u, const char *password, int64_t *id,
                      const char **why);
/* A new API token for login, written into token. Blocking. */
enum err app_token_new(struct app *app, const char *login, const char *label,
                       char token[APP_TOKEN_LEN]);
/* Upsert a routing rule (admin). Blocking; reloads reference data. */
enum err app_rule_set(struct app *app, const struct caller *c, const char *topic,
                      const char *region, const char *agency, const char **why);

/* ---- router (route.c) ---- */
/* Train the default topic model from the seed corpus (pipeline/seed.h) and
 * store it (version 1 in a new store) if s has no topic model, or if its
 * newest is of a format this build does not read (logged: features
 * changed); *trained says whether it did. Blocking; about a second of CPU. */
enum err app_model_default(struct store *s, bool *trained);
/* Put the newest stored models in place if they are newer than the ones in
 * use (the model watcher calls this every model_check_ms); *changed says
 * whether they were. */
enum err app_models_reload(struct app *app, bool *changed);
/* The versions in use (0: none). */
void app_models_in_use(struct app *app, int64_t *topic, int64_t *agency);
/* The topic model in use: its k most probable topics for text, most
 * probable first, into codes[0..*n) and p (its probabilities; strings in a).
 * *n is 0 with no model. For the operators' triage, where a person chooses.
 * ERR_INVALID for text that is not UTF-8, ERR_TOOBIG past the router's limit. */
enum err app_route_suggest(struct app *app, struct arena *a, const char *text, size_t k,
                           const char **codes, double *p, size_t *n);
/* The keyword rules in order; strings in a. */
enum err app_keyword_rules(struct app *app, struct arena *a, struct keyword_rule_row **rows,
                           size_t *count);
/* Replace the keyword rules (admin; created_by and created_at are set here).
 * ERR_UNPROCESSABLE with *why and *at (the rule's index) for an unknown
 * topic, region or agency or a keyword that has no word or is longer than
 * ROUTER_KEYWORD_MAX bytes; ERR_TOOBIG past STORE_KEYWORD_RULES_MAX.
 * Blocking; the router uses them at once. */
enum err app_keyword_rules_set(struct app *app, const struct caller *c,
                               struct keyword_rule_row *rules, size_t n, const char **why,
                               size_t *at);

/* ---- clusters of near-duplicates (cluster.c) ---- */
/* Staff who see clusters: officials and supervisors those holding an appeal
 * of their agency, operators, analysts and admins all. A cluster another
 * agency's staff may not see is ERR_NOTFOUND, as a missing one; ERR_DENIED
 * for citizens. Strings in a. */
enum err app_cluster_get(struct app *app, struct arena *a, const struct caller *c, int64_t id,
                         struct cluster_row *out);
/* Clusters matching q (q->agency is set here from the caller); as
 * store_cluster_list(). */
enum err app_cluster_list(struct app *app, struct arena *a, const struct caller *c,
                          struct cluster_query *q, struct cluster_row **rows, size_t *count,
                          bool *more);

/* The most appeals one cluster answer reaches. */
enum { APP_CLUSTER_ANSWER_MAX = 2000 };
struct cluster_answer_req {
    /* in */
    int64_t cluster_id;
    struct caller caller; /* an official or supervisor of an agency */
    const char *text;
    enum appeal_language language;
    /* out */
    enum err e;
    const char *why;          /* static or in the arena */
    struct cluster_row after; /* the cluster afterwards */
    const char **answered;    /* tracking ids answered, oldest first (in the arena) */
    size_t answered_count;
    const char **skipped;     /* tracking ids the appeal's state refused... */
    const char **skipped_why; /* ...and why */
    size_t skipped_count;
    bool closed; /* no appeal of the cluster awaits an answer now: it takes no more */
    /* private */
    struct app *app;
    struct arena *arena;
    void (*done)(void *arg);
    void *done_arg;
};
/* Answer every appeal of the cluster that is with the caller's agency and
 * awaits an answer, in one job: each one goes through the answer action
 * (taken first when it is still registered or forwarded), with its own
 * events, answer and legal record, each transition checked as if the
 * official had answered it alone. An appeal its state refuses is skipped
 * and listed. ERR_NOTFOUND for a cluster the caller may not see or none of
 * whose appeals awaits the caller's agency's answer; ERR_CONFLICT if every
 * appeal was refused; ERR_TOOBIG past APP_CLUSTER_ANSWER_MAX appeals. */
enum err app_cluster_answer_start(struct app *app, struct cluster_answer_req *r, struct arena *a,
                                  void (*done)(void *), void *arg);

/* sha256 of a token or secret string. */
void app_hash(const char *s, unsigned char out[32]);

/* ---- live stream ---- */
/* The hub every committed event is published to (after its commit, once). */
struct hub *app_live_hub(struct app *app);
/* What caller c may receive: the public (redacted) stream, or their agency's
 * or every agency's events for staff; narrowed to one region (a KATO code)
 * and to one appeal by tracking id when given (either may be NULL). A
 * tracked appeal must be one c may read (its secret, or staff of its
 * agency): ERR_NOTFOUND otherwise, as for an unknown one. ERR_INVALID for an
 * unknown region. *why is static text for the error. f's strings borrow c's
 * and the arguments. */
enum err app_live_filter(struct app *app, struct arena *a, const struct caller *c,
                         const char *tracking, const char *region, struct hub_filter *f,
                         const char **why);
/* Frame into out the stored events with after < id <= upto that f lets
 * through, reading at most max_rows rows; *last is the id to continue after
 * (upto once nothing more is left). ERR_TOOBIG if out filled up. */
enum err app_live_replay(struct app *app, struct arena *a, const struct hub_filter *f,
                         int64_t after, int64_t upto, size_t max_rows, struct buf *out,
                         int64_t *last);
/* SIGTERM: stop the heartbeat and end every stream after its queued bytes. */
void app_live_close(struct app *app);
/* Subscribers now, dropped so far, events published so far. */
void app_live_stats(struct app *app, size_t *subs, uint64_t *dropped, uint64_t *published);

/* ---- notices to citizens ---- */
/* What a citizen who left an e-mail address is told, in the appeal's
 * language: registered (with the tracking link), answered (with the
 * answer), extended (the new due date and the reason) and forwarded (the
 * new body, its due date and the reason). */
enum notice_kind { NOTICE_REGISTERED, NOTICE_ANSWERED, NOTICE_EXTENDED, NOTICE_FORWARDED };
struct notice {
    enum notice_kind kind;
    const struct appeal *ap; /* after the action; borrowed */
    const char *agency_name; /* the responsible body in ap's language; NULL: none yet */
    const char *answer;      /* answered: the answer text; else NULL */
    const char *reason;      /* extended, forwarded: the official's reason; else NULL */
    const char *secret;      /* registered: the tracking secret for the link; else NULL */
    const char *site_url;    /* app_opts.site_url */
    const char *from;        /* app_opts.mail_from */
    int64_t now;
};
/* Write each queued e-mail into opts.mail_spool as one .eml file (written
 * aside, fsync'd, renamed into place: a reader never sees half a message)
 * and mark its row sent; *sent counts them. No-op without a spool. Blocking. */
enum err app_mail_deliver(struct app *app, int *sent);

/* ---- scheduler ---- */
/* One pass: warn appeals near their due date, record deemed refusal for
 * those past it. *warned and *overdue count what it did. Blocking.
 * app_scheduler_tick() does not deliver e-mail: the scheduler thread calls
 * app_mail_deliver() after it. */
enum err app_scheduler_tick(struct app *app, int *warned, int *overdue);

#endif
