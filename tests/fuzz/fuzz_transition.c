/*
 * fuzz_transition.c - the appeal lifecycle table of domain/appeal.c. The
 * input is a sequence of 4-byte records (status, action, role, flags).
 * Each record is judged on its own by appeal_transition() and checked
 * against the rules the table must keep: only a valid target status, no
 * success for an actor who may not see the appeal, terminal statuses closed
 * to everything but rating and disputing a closed appeal. The same records
 * (without their status byte) then drive one appeal from registration, as
 * app/act.c does, checking what must hold over a whole lifecycle.
 */
#include <stdbool.h>

#include "domain/appeal.h"
#include "fuzz/fuzz.h"

enum {
    F_ROUTED = 1 << 0,
    F_EXTENDED = 1 << 1,
    F_ANSWERED_ONCE = 1 << 2,
    F_SAME_AGENCY = 1 << 3,
    F_OWNER = 1 << 4,
    /* Values well past each enum check the range tests. */
    STATUS_SPAN = STATUS__COUNT + 40,
    ACT_SPAN = ACT__COUNT + 2,
    ROLE_SPAN = ROLE__COUNT + 2,
};

static bool
is_terminal(enum appeal_status s)
{
    return s == STATUS_CLOSED || s == STATUS_NOT_CONSIDERED || s == STATUS_WITHDRAWN;
}

static bool
needs_agency_set(enum appeal_action a)
{
    return a == ACT_TAKE || a == ACT_FORWARD || a == ACT_EXTEND || a == ACT_ANSWER ||
           a == ACT_ASSIGN;
}

/* Judge one transition and check its outcome; returns the error. */
static enum err
judge(const struct appeal_state *st, enum appeal_action act, const struct actor *who,
      enum appeal_status *to)
{
    const char *why = "unset";
    *to = STATUS__COUNT;
    enum err e = appeal_transition(st, act, who, to, &why);
    FUZZ_CHECK(e == ERR_OK || e == ERR_INVALID || e == ERR_NOTFOUND || e == ERR_DENIED ||
               e == ERR_CONFLICT);
    bool known = (unsigned)act < ACT__COUNT && (unsigned)who->role < ROLE__COUNT &&
                 (unsigned)st->status < STATUS__COUNT;
    FUZZ_CHECK(known == (e != ERR_INVALID));
    if (e) {
        FUZZ_CHECK(why != NULL && why[0] != '\0');
        /* An appeal the actor may not see is never told apart from a missing one. */
        if (known && !appeal_visible(who))
            FUZZ_CHECK(e == ERR_NOTFOUND);
        return e;
    }
    FUZZ_CHECK(why == NULL);
    FUZZ_CHECK((unsigned)*to < STATUS__COUNT);
    FUZZ_CHECK((unsigned)st->status < STATUS__COUNT);
    FUZZ_CHECK(appeal_visible(who));
    FUZZ_CHECK(who->role != ROLE_ANALYST || who->owner); /* with the secret, as the citizen */
    if (who->role == ROLE_CITIZEN)
        FUZZ_CHECK(who->owner);
    if (who->role == ROLE_OFFICIAL || who->role == ROLE_SUPERVISOR)
        FUZZ_CHECK(who->same_agency || who->owner);
    FUZZ_CHECK(act != ACT_REGISTER); /* registration is an insert, never a transition */
    if (st->status == STATUS_CLOSED)
        FUZZ_CHECK(act == ACT_RATE || act == ACT_DISPUTE);
    if (st->status == STATUS_NOT_CONSIDERED || st->status == STATUS_WITHDRAWN)
        FUZZ_CHECK(false);
    if (act == ACT_RATE || act == ACT_DISPUTE || act == ACT_WITHDRAW)
        FUZZ_CHECK(who->owner);
    if (act == ACT_DISPUTE)
        FUZZ_CHECK(*to == STATUS_REOPENED);
    if (act == ACT_RATE || act == ACT_WARN || act == ACT_DEEM_REFUSAL || act == ACT_ROUTE)
        FUZZ_CHECK(*to == st->status);
    if (act == ACT_ROUTE)
        FUZZ_CHECK(!st->routed);
    if (needs_agency_set(act))
        FUZZ_CHECK(st->routed);
    if (act == ACT_EXTEND)
        FUZZ_CHECK(!st->extended && *to == STATUS_EXTENDED);
    if (is_terminal(*to) && *to != st->status)
        FUZZ_CHECK(act == ACT_CLOSE || act == ACT_NOT_CONSIDER || act == ACT_WITHDRAW);
    return ERR_OK;
}

static struct actor
actor_of(uint8_t role, uint8_t flags)
{
    return (struct actor){
        .role = (enum role)(role % ROLE_SPAN),
        .same_agency = flags & F_SAME_AGENCY,
        .owner = flags & F_OWNER,
    };
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t count = size / 4;
    enum appeal_status to;

    for (size_t i = 0; i < count; i++) {
        const uint8_t *r = data + 4 * i;
        struct appeal_state st = {
            .status = (enum appeal_status)(r[0] % STATUS_SPAN),
            .routed = r[3] & F_ROUTED,
            .extended = r[3] & F_EXTENDED,
            .answered_once = r[3] & F_ANSWERED_ONCE,
        };
        struct actor who = actor_of(r[2], r[3]);
        (void)judge(&st, (enum appeal_action)(r[1] % ACT_SPAN), &who, &to);
    }

    /* One appeal from registration, updated as app/act.c updates it. */
    struct appeal_state st = {.status = STATUS_REGISTERED};
    int extensions = 0;
    for (size_t i = 0; i < count; i++) {
        const uint8_t *r = data + 4 * i;
        enum appeal_action act = (enum appeal_action)(r[1] % ACT_SPAN);
        struct actor who = actor_of(r[2], r[3]);
        enum appeal_status from = st.status;
        if (judge(&st, act, &who, &to))
            continue;
        /* Not considered and withdrawn are final; closed only reopens by dispute. */
        FUZZ_CHECK(from != STATUS_NOT_CONSIDERED && from != STATUS_WITHDRAWN);
        if (from == STATUS_CLOSED)
            FUZZ_CHECK(to == STATUS_CLOSED || (act == ACT_DISPUTE && to == STATUS_REOPENED));
        st.status = to;
        if (act == ACT_ROUTE)
            st.routed = true;
        if (act == ACT_EXTEND)
            st.extended = true;
        if (act == ACT_ANSWER)
            st.answered_once = true;
        extensions += act == ACT_EXTEND;
        FUZZ_CHECK(extensions <= 1);
        FUZZ_CHECK(st.routed || (act != ACT_ANSWER && act != ACT_CLOSE));
    }
    return 0;
}
