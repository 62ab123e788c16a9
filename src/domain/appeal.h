/*
 * appeal.h - what an appeal is and which transitions its lifecycle allows
 * (APPK RK Art. 63, 76). Pure rules: no I/O, time passed in.
 * Exports the enums appeal_kind, appeal_channel, appeal_status, appeal_action,
 * role, their name tables and parsers, and appeal_transition().
 */
#ifndef DOMAIN_APPEAL_H
#define DOMAIN_APPEAL_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum {
    APPEAL_TEXT_MIN = 10,
    APPEAL_TEXT_MAX = 10000,
    APPEAL_ADDRESS_MAX = 500,
    APPEAL_REASON_MAX = 2000,
    APPEAL_ANSWER_MAX = 20000,
    SLA_DECIDE_DAYS = 15,
    SLA_FORWARD_DAYS = 3,
    SLA_NOTIFY_DAYS = 3,
    SLA_WARN_DAYS = 3
};

enum appeal_kind {
    KIND_STATEMENT,
    KIND_COMPLAINT,
    KIND_PROPOSAL,
    KIND_REQUEST,
    KIND_MESSAGE,
    KIND_RESPONSE,
    KIND__COUNT
};
enum appeal_channel {
    CHANNEL_WEB,
    CHANNEL_API,
    CHANNEL_PHONE,
    CHANNEL_LETTER,
    CHANNEL_RECEPTION,
    CHANNEL__COUNT
};
enum appeal_language { LANG_KK, LANG_RU, LANG_EN, LANG__COUNT };

enum appeal_status {
    STATUS_REGISTERED,
    STATUS_FORWARDED,
    STATUS_IN_REVIEW,
    STATUS_EXTENDED,
    STATUS_ANSWERED,
    STATUS_CLOSED,
    STATUS_NOT_CONSIDERED,
    STATUS_WITHDRAWN,
    STATUS_REOPENED,
    STATUS__COUNT
};

enum appeal_action {
    ACT_REGISTER, /* system: the appeal is registered (first event) */
    ACT_ROUTE,    /* operator: triage sets topic and agency */
    ACT_TAKE,     /* official takes it into review */
    ACT_ASSIGN,   /* supervisor assigns an official */
    ACT_FORWARD,  /* to another agency, with reason */
    ACT_EXTEND,   /* reasoned extension, once */
    ACT_ANSWER,
    ACT_RETURN, /* supervisor returns a poor answer for rework */
    ACT_CLOSE,
    ACT_RATE,         /* citizen rates 1-5 */
    ACT_DISPUTE,      /* citizen disputes the answer: reopened */
    ACT_NOT_CONSIDER, /* anonymous or outside the law: not considered */
    ACT_WITHDRAW,     /* citizen withdraws */
    ACT_WARN,         /* system: due date is near */
    ACT_DEEM_REFUSAL, /* system: due date passed without an answer */
    ACT__COUNT
};

enum role {
    ROLE_CITIZEN,
    ROLE_OPERATOR,
    ROLE_OFFICIAL,
    ROLE_SUPERVISOR,
    ROLE_ANALYST,
    ROLE_ADMIN,
    ROLE_SYSTEM,
    ROLE__COUNT
};

/* Lowercase wire names ("complaint", "in_review", "not_considered", ...). */
const char *appeal_kind_name(enum appeal_kind k);
const char *appeal_channel_name(enum appeal_channel c);
const char *appeal_language_name(enum appeal_language l);
const char *appeal_status_name(enum appeal_status s);
const char *appeal_action_name(enum appeal_action a);
const char *role_name(enum role r);

/* Parse a wire name; ERR_INVALID if unknown. */
enum err appeal_kind_parse(struct str s, enum appeal_kind *out);
enum err appeal_channel_parse(struct str s, enum appeal_channel *out);
enum err appeal_language_parse(struct str s, enum appeal_language *out);
enum err appeal_status_parse(struct str s, enum appeal_status *out);
enum err role_parse(struct str s, enum role *out);

/* Channels only staff may use on a citizen's behalf (phone, letter, reception). */
bool appeal_channel_needs_operator(enum appeal_channel c);
/* Terminal statuses take no further action except rating/dispute of a closed one. */
bool appeal_status_is_open(enum appeal_status s);

/* Who is acting, relative to the appeal. */
struct actor {
    enum role role;
    bool same_agency; /* staff of the appeal's current agency */
    bool owner;       /* the citizen: holds the secret or owns it by session */
};

/* What the appeal looks like before the action. */
struct appeal_state {
    enum appeal_status status;
    bool routed;   /* has an agency */
    bool extended; /* already extended once */
    bool answered_once;
};

/*
 * Check that actor may do act on an appeal in state st and give the status
 * after it in *to. ERR_DENIED if the role may never do it, ERR_NOTFOUND if
 * the actor may not see this appeal (another agency, not the owner), and
 * ERR_CONFLICT if the current status does not allow it; *why then names the
 * rule (static string).
 */
enum err appeal_transition(const struct appeal_state *st, enum appeal_action act,
                           const struct actor *who, enum appeal_status *to, const char **why);

/* May actor see the appeal at all (read)? Staff of another agency may not. */
bool appeal_visible(const struct actor *who);

/* What routing decided when the appeal was registered: who chose the topic
 * and agency, and the model's opinion (kept even when the citizen chose). */
struct appeal_routing {
    const char *routed_by;        /* "citizen", "rule", "model", "operator"; NULL: triage */
    const char *model_topic;      /* the model's or a keyword rule's topic; NULL: none */
    const char *model_agency;     /* the agency it leads to; NULL: none */
    double topic_confidence;      /* of model_topic; 1 for a rule */
    double agency_confidence;     /* of model_agency; 1 for a rule or the routing table */
    int64_t model_version;        /* topic model used; 0: none */
    int64_t agency_model_version; /* agency model used; 0: none */
};

/* One appeal as stored. Strings are borrowed or live in the caller's arena;
 * NULL means absent. */
struct appeal {
    int64_t id;
    const char *tracking_id;
    const char *reg_number;
    enum appeal_kind kind;
    enum appeal_channel channel;
    enum appeal_language language;
    const char *region; /* KATO */
    const char *topic;  /* NULL: not chosen yet */
    const char *agency; /* NULL: operators' triage queue */
    enum appeal_status status;
    const char *text;
    const char *address;
    bool has_location;
    double lat, lon;
    const char *contact_name, *contact_email, *contact_phone, *contact_iin;
    bool anonymous;
    bool consent;
    int64_t owner_user; /* 0: none */
    const char *registered_by;
    int64_t filed_at, registered_at;
    int64_t due_at;         /* 0: none (terminal) */
    int64_t forward_due_at; /* latest time to forward */
    int64_t assignee;       /* 0: nobody */
    int rating;             /* 0: not rated */
    bool warned, overdue, extended;
    int64_t updated_at, closed_at;
    struct appeal_routing routing; /* set at registration; store reads leave it zero */
    int64_t cluster_id;            /* near-duplicate cluster (store_appeal_cluster()); 0: none */
    int64_t cluster_count;         /* appeals in it when last read */
};

/* One entry of an appeal's timeline. */
struct appeal_event {
    int64_t id;
    int seq;
    int64_t at;
    enum appeal_action action;
    enum role actor_role;
    int64_t actor_id; /* 0: none */
    enum appeal_status from, to;
    const char *agency; /* agency after the event */
    const char *reason; /* may be NULL */
    int64_t due_at;     /* due date after the event, 0 none */
    unsigned char hash[32];
};

enum err appeal_action_parse(struct str s, enum appeal_action *out);

#endif
