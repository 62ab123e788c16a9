/*
 * appeal.c - names of the appeal enums and the lifecycle table: for each
 * action, the roles that may take it, whether it needs the appeal's agency or
 * ownership, and the statuses it starts from. appeal_transition() is the only
 * judge of a transition; app/ calls it before writing any event.
 */
#include "domain/appeal.h"

#include <string.h>

#include "base/util.h"

static const char *const kind_names[] = {
    [KIND_STATEMENT] = "statement", [KIND_COMPLAINT] = "complaint", [KIND_PROPOSAL] = "proposal",
    [KIND_REQUEST] = "request",     [KIND_MESSAGE] = "message",     [KIND_RESPONSE] = "response",
};
_Static_assert(ARRAY_LEN(kind_names) == KIND__COUNT, "kind_names out of date");

static const char *const channel_names[] = {
    [CHANNEL_WEB] = "web",
    [CHANNEL_API] = "api",
    [CHANNEL_PHONE] = "phone",
    [CHANNEL_LETTER] = "letter",
    [CHANNEL_RECEPTION] = "reception",
};
_Static_assert(ARRAY_LEN(channel_names) == CHANNEL__COUNT, "channel_names out of date");

static const char *const language_names[] = {[LANG_KK] = "kk", [LANG_RU] = "ru", [LANG_EN] = "en"};
_Static_assert(ARRAY_LEN(language_names) == LANG__COUNT, "language_names out of date");

static const char *const status_names[] = {
    [STATUS_REGISTERED] = "registered",
    [STATUS_FORWARDED] = "forwarded",
    [STATUS_IN_REVIEW] = "in_review",
    [STATUS_EXTENDED] = "extended",
    [STATUS_ANSWERED] = "answered",
    [STATUS_CLOSED] = "closed",
    [STATUS_NOT_CONSIDERED] = "not_considered",
    [STATUS_WITHDRAWN] = "withdrawn",
    [STATUS_REOPENED] = "reopened",
};
_Static_assert(ARRAY_LEN(status_names) == STATUS__COUNT, "status_names out of date");

static const char *const role_names[] = {
    [ROLE_CITIZEN] = "citizen",       [ROLE_OPERATOR] = "operator", [ROLE_OFFICIAL] = "official",
    [ROLE_SUPERVISOR] = "supervisor", [ROLE_ANALYST] = "analyst",   [ROLE_ADMIN] = "admin",
    [ROLE_SYSTEM] = "system",
};
_Static_assert(ARRAY_LEN(role_names) == ROLE__COUNT, "role_names out of date");

#define R(x) (1u << (x))
#define S(x) (1u << (x))
#define OPEN_WORK                                                                                  \
    (S(STATUS_REGISTERED) | S(STATUS_FORWARDED) | S(STATUS_IN_REVIEW) | S(STATUS_EXTENDED) |       \
     S(STATUS_REOPENED))

enum need { NEED_NONE, NEED_AGENCY, NEED_OWNER };

/* to == STATUS__COUNT: the status stays as it is. */
static const struct rule {
    const char *name;
    unsigned roles;
    enum need need;
    unsigned from;
    enum appeal_status to;
} rules[] = {
    [ACT_REGISTER] = {"registered", R(ROLE_SYSTEM) | R(ROLE_CITIZEN) | R(ROLE_OPERATOR), NEED_NONE,
                      0, STATUS_REGISTERED},
    [ACT_ROUTE] = {"routed", R(ROLE_OPERATOR) | R(ROLE_ADMIN) | R(ROLE_SYSTEM), NEED_NONE,
                   S(STATUS_REGISTERED), STATUS__COUNT},
    [ACT_TAKE] = {"taken", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR), NEED_AGENCY,
                  S(STATUS_REGISTERED) | S(STATUS_FORWARDED) | S(STATUS_REOPENED),
                  STATUS_IN_REVIEW},
    [ACT_ASSIGN] = {"assigned", R(ROLE_SUPERVISOR), NEED_AGENCY, OPEN_WORK, STATUS__COUNT},
    [ACT_FORWARD] = {"forwarded", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR) | R(ROLE_OPERATOR),
                     NEED_AGENCY, S(STATUS_REGISTERED) | S(STATUS_FORWARDED) | S(STATUS_IN_REVIEW),
                     STATUS_FORWARDED},
    [ACT_EXTEND] = {"extended", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR), NEED_AGENCY,
                    S(STATUS_IN_REVIEW) | S(STATUS_REOPENED), STATUS_EXTENDED},
    [ACT_ANSWER] = {"answered", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR), NEED_AGENCY,
                    S(STATUS_IN_REVIEW) | S(STATUS_EXTENDED) | S(STATUS_REOPENED), STATUS_ANSWERED},
    [ACT_RETURN] = {"returned", R(ROLE_SUPERVISOR), NEED_AGENCY, S(STATUS_ANSWERED),
                    STATUS_IN_REVIEW},
    [ACT_CLOSE] = {"closed", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR), NEED_AGENCY, S(STATUS_ANSWERED),
                   STATUS_CLOSED},
    [ACT_RATE] = {"rated", R(ROLE_CITIZEN), NEED_OWNER, S(STATUS_ANSWERED) | S(STATUS_CLOSED),
                  STATUS__COUNT},
    [ACT_DISPUTE] = {"disputed", R(ROLE_CITIZEN), NEED_OWNER, S(STATUS_ANSWERED) | S(STATUS_CLOSED),
                     STATUS_REOPENED},
    [ACT_NOT_CONSIDER] = {"not_considered", R(ROLE_OFFICIAL) | R(ROLE_SUPERVISOR) | R(ROLE_SYSTEM),
                          NEED_AGENCY,
                          S(STATUS_REGISTERED) | S(STATUS_FORWARDED) | S(STATUS_IN_REVIEW),
                          STATUS_NOT_CONSIDERED},
    [ACT_WITHDRAW] = {"withdrawn", R(ROLE_CITIZEN), NEED_OWNER, OPEN_WORK, STATUS_WITHDRAWN},
    [ACT_WARN] = {"due_soon", R(ROLE_SYSTEM), NEED_NONE, OPEN_WORK, STATUS__COUNT},
    [ACT_DEEM_REFUSAL] = {"deemed_refusal", R(ROLE_SYSTEM), NEED_NONE, OPEN_WORK, STATUS__COUNT},
};
_Static_assert(ARRAY_LEN(rules) == ACT__COUNT, "rules out of date");

const char *
appeal_kind_name(enum appeal_kind k)
{
    return (unsigned)k < KIND__COUNT ? kind_names[k] : "?";
}

const char *
appeal_channel_name(enum appeal_channel c)
{
    return (unsigned)c < CHANNEL__COUNT ? channel_names[c] : "?";
}

const char *
appeal_language_name(enum appeal_language l)
{
    return (unsigned)l < LANG__COUNT ? language_names[l] : "?";
}

const char *
appeal_status_name(enum appeal_status s)
{
    return (unsigned)s < STATUS__COUNT ? status_names[s] : "?";
}

const char *
appeal_action_name(enum appeal_action a)
{
    return (unsigned)a < ACT__COUNT ? rules[a].name : "?";
}

const char *
role_name(enum role r)
{
    return (unsigned)r < ROLE__COUNT ? role_names[r] : "?";
}

static enum err
parse_name(struct str s, const char *const *names, int count, int *out)
{
    for (int i = 0; i < count; i++) {
        if (str_cstr_eq(s, names[i])) {
            *out = i;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}

enum err
appeal_kind_parse(struct str s, enum appeal_kind *out)
{
    int v = 0;
    enum err e = parse_name(s, kind_names, KIND__COUNT, &v);
    if (!e)
        *out = (enum appeal_kind)v;
    return e;
}

enum err
appeal_channel_parse(struct str s, enum appeal_channel *out)
{
    int v = 0;
    enum err e = parse_name(s, channel_names, CHANNEL__COUNT, &v);
    if (!e)
        *out = (enum appeal_channel)v;
    return e;
}

enum err
appeal_language_parse(struct str s, enum appeal_language *out)
{
    int v = 0;
    enum err e = parse_name(s, language_names, LANG__COUNT, &v);
    if (!e)
        *out = (enum appeal_language)v;
    return e;
}

enum err
appeal_status_parse(struct str s, enum appeal_status *out)
{
    int v = 0;
    enum err e = parse_name(s, status_names, STATUS__COUNT, &v);
    if (!e)
        *out = (enum appeal_status)v;
    return e;
}

enum err
role_parse(struct str s, enum role *out)
{
    int v = 0;
    /* "system" is internal: no user may hold it. */
    enum err e = parse_name(s, role_names, ROLE_SYSTEM, &v);
    if (!e)
        *out = (enum role)v;
    return e;
}

bool
appeal_channel_needs_operator(enum appeal_channel c)
{
    return c == CHANNEL_PHONE || c == CHANNEL_LETTER || c == CHANNEL_RECEPTION;
}

bool
appeal_status_is_open(enum appeal_status s)
{
    if ((unsigned)s >= STATUS__COUNT)
        return false;
    return (OPEN_WORK | S(STATUS_ANSWERED)) & S(s);
}

bool
appeal_visible(const struct actor *who)
{
    /* Whoever holds the tracking secret (or owns the appeal) may see it. */
    if (who->owner)
        return true;
    switch (who->role) {
    case ROLE_CITIZEN:
        return who->owner;
    case ROLE_OFFICIAL:
    case ROLE_SUPERVISOR:
        return who->same_agency;
    case ROLE_OPERATOR:
    case ROLE_ADMIN:
    case ROLE_SYSTEM:
        return true;
    case ROLE_ANALYST:
    case ROLE__COUNT:
        return false;
    }
    return false;
}

enum err
appeal_transition(const struct appeal_state *st, enum appeal_action act, const struct actor *who,
                  enum appeal_status *to, const char **why)
{
    *why = NULL;
    if ((unsigned)act >= ACT__COUNT || (unsigned)who->role >= ROLE__COUNT ||
        (unsigned)st->status >= STATUS__COUNT) {
        *why = "unknown action, role or status";
        return ERR_INVALID;
    }
    const struct rule *r = &rules[act];
    /* An appeal the actor may not see answers 404, before any role check leaks it. */
    if (!appeal_visible(who)) {
        *why = "no such appeal";
        return ERR_NOTFOUND;
    }
    /* The owner of an appeal acts as its citizen, whatever role their session holds. */
    bool as_citizen = who->owner && r->need == NEED_OWNER;
    if (!as_citizen && !(r->roles & R(who->role))) {
        *why = "this role may not do that";
        return ERR_DENIED;
    }
    if (r->need == NEED_AGENCY && who->role != ROLE_OPERATOR && who->role != ROLE_SYSTEM &&
        !who->same_agency) {
        *why = "no such appeal";
        return ERR_NOTFOUND;
    }
    if (r->need == NEED_OWNER && !who->owner) {
        *why = "no such appeal";
        return ERR_NOTFOUND;
    }
    if (!(r->from & S(st->status))) {
        *why = "not allowed from the current status";
        return ERR_CONFLICT;
    }
    switch (act) {
    case ACT_ROUTE:
        if (st->routed) {
            *why = "the appeal is already routed";
            return ERR_CONFLICT;
        }
        break;
    case ACT_TAKE:
    case ACT_FORWARD:
    case ACT_EXTEND:
    case ACT_ANSWER:
    case ACT_ASSIGN:
        if (!st->routed) {
            *why = "the appeal has no agency yet";
            return ERR_CONFLICT;
        }
        if (act == ACT_EXTEND && st->extended) {
            *why = "the deadline was already extended once";
            return ERR_CONFLICT;
        }
        break;
    case ACT_REGISTER:
    case ACT_RETURN:
    case ACT_CLOSE:
    case ACT_RATE:
    case ACT_DISPUTE:
    case ACT_NOT_CONSIDER:
    case ACT_WITHDRAW:
    case ACT_WARN:
    case ACT_DEEM_REFUSAL:
    case ACT__COUNT:
        break;
    }
    *to = r->to == STATUS__COUNT ? st->status : r->to;
    /* Assigning a waiting appeal puts it into review. */
    if (act == ACT_ASSIGN && (st->status == STATUS_REGISTERED || st->status == STATUS_FORWARDED ||
                              st->status == STATUS_REOPENED))
        *to = STATUS_IN_REVIEW;
    return ERR_OK;
}

enum err
appeal_action_parse(struct str s, enum appeal_action *out)
{
    for (int i = 0; i < ACT__COUNT; i++) {
        if (str_cstr_eq(s, rules[i].name)) {
            *out = (enum appeal_action)i;
            return ERR_OK;
        }
    }
    return ERR_INVALID;
}
