/*
 * test_appeal.c - the appeal lifecycle rules and the enum name tables.
 *
 * The expected results come from docs/api.md ("Routes", "Statuses and
 * actions") and the APPK rules in DESIGN.md, written out here as two tables
 * that the code under test never sees:
 *
 *   want_who[action][actor]     may this actor take this action at all:
 *                               Y (yes), D (ERR_DENIED: the role never may),
 *                               N (ERR_NOTFOUND: the actor may not see it);
 *   want_from[action][status]   the status after the action, or C
 *                               (ERR_CONFLICT: not from this status).
 *
 * Every action x status x actor combination (15 x 9 x 10) is then checked:
 * an actor that is not Y gets its error whatever the status, and a Y actor
 * gets want_from. The flags that are not the status (routed, extended) have
 * tests of their own below.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "domain/appeal.h"

/* The actors of the matrix, relative to one appeal of agency "roads". */
enum who {
    W_CIT_OWNER, /* the citizen who filed it (session owner or secret) */
    W_CIT_OTHER, /* another citizen */
    W_OPERATOR,
    W_OFF_SAME, /* official of the appeal's agency */
    W_OFF_OTHER,
    W_SUP_SAME, /* supervisor of the appeal's agency */
    W_SUP_OTHER,
    W_ANALYST,
    W_ADMIN,
    W_SYSTEM,
    W__COUNT
};

static const struct {
    const char *name;
    struct actor a;
} actors[] = {
    [W_CIT_OWNER] = {"citizen owner", {ROLE_CITIZEN, false, true}},
    [W_CIT_OTHER] = {"citizen non-owner", {ROLE_CITIZEN, false, false}},
    [W_OPERATOR] = {"operator", {ROLE_OPERATOR, false, false}},
    [W_OFF_SAME] = {"official same agency", {ROLE_OFFICIAL, true, false}},
    [W_OFF_OTHER] = {"official other agency", {ROLE_OFFICIAL, false, false}},
    [W_SUP_SAME] = {"supervisor same agency", {ROLE_SUPERVISOR, true, false}},
    [W_SUP_OTHER] = {"supervisor other agency", {ROLE_SUPERVISOR, false, false}},
    [W_ANALYST] = {"analyst", {ROLE_ANALYST, false, false}},
    [W_ADMIN] = {"admin", {ROLE_ADMIN, false, false}},
    [W_SYSTEM] = {"system", {ROLE_SYSTEM, false, false}},
};
_Static_assert(ARRAY_LEN(actors) == W__COUNT, "actors out of date");

enum { Y = 1, D, N };

/*
 * Who may act. Nobody who may not see an appeal learns anything about it:
 * a citizen who does not own it, staff of another agency and analysts (who
 * read aggregates only) get N for every action, before any role check.
 *   register   citizen (portal, API), operator (phone, letter, reception),
 *              system
 *   route      triage: operator; admin and system too
 *   take, extend, answer, close   official or supervisor of the agency
 *   assign, return                supervisor of the agency
 *   forward    official, supervisor of the agency; operator (triage)
 *   rate, dispute, withdraw       the citizen who owns it
 *   not_considered                official, supervisor; system (anonymous)
 *   warn, deemed refusal          system (the scheduler)
 */
/* clang-format off */
static const unsigned char want_who[ACT__COUNT][W__COUNT] = {
    /*                     cit  cit- opr  off  off- sup  sup- anl  adm  sys */
    [ACT_REGISTER] =     {  Y,   N,   Y,   D,   N,   D,   N,   N,   D,   Y},
    [ACT_ROUTE] =        {  D,   N,   Y,   D,   N,   D,   N,   N,   Y,   Y},
    [ACT_TAKE] =         {  D,   N,   D,   Y,   N,   Y,   N,   N,   D,   D},
    [ACT_ASSIGN] =       {  D,   N,   D,   D,   N,   Y,   N,   N,   D,   D},
    [ACT_FORWARD] =      {  D,   N,   Y,   Y,   N,   Y,   N,   N,   D,   D},
    [ACT_EXTEND] =       {  D,   N,   D,   Y,   N,   Y,   N,   N,   D,   D},
    [ACT_ANSWER] =       {  D,   N,   D,   Y,   N,   Y,   N,   N,   D,   D},
    [ACT_RETURN] =       {  D,   N,   D,   D,   N,   Y,   N,   N,   D,   D},
    [ACT_CLOSE] =        {  D,   N,   D,   Y,   N,   Y,   N,   N,   D,   D},
    [ACT_RATE] =         {  Y,   N,   D,   D,   N,   D,   N,   N,   D,   D},
    [ACT_DISPUTE] =      {  Y,   N,   D,   D,   N,   D,   N,   N,   D,   D},
    [ACT_NOT_CONSIDER] = {  D,   N,   D,   Y,   N,   Y,   N,   N,   D,   Y},
    [ACT_WITHDRAW] =     {  Y,   N,   D,   D,   N,   D,   N,   N,   D,   D},
    [ACT_WARN] =         {  D,   N,   D,   D,   N,   D,   N,   N,   D,   Y},
    [ACT_DEEM_REFUSAL] = {  D,   N,   D,   D,   N,   D,   N,   N,   D,   Y},
};
/* clang-format on */

/* Status codes for want_from: a target status is stored +1 so that 0 is
 * never a valid entry (a forgotten row fails loudly). */
#define REG (1 + STATUS_REGISTERED)
#define FWD (1 + STATUS_FORWARDED)
#define REV (1 + STATUS_IN_REVIEW)
#define EXT (1 + STATUS_EXTENDED)
#define ANS (1 + STATUS_ANSWERED)
#define CLO (1 + STATUS_CLOSED)
#define NCO (1 + STATUS_NOT_CONSIDERED)
#define WDR (1 + STATUS_WITHDRAWN)
#define REO (1 + STATUS_REOPENED)
#define C 100

/*
 * From which status, and to which. The lifecycle (docs/api.md):
 * registered -> (forwarded) -> in_review -> (extended) -> answered -> closed,
 * plus not_considered, withdrawn, and reopened after a dispute, which goes
 * back into review. closed, not_considered and withdrawn are final except
 * that a closed appeal may still be rated or disputed.
 *   register   the first event: never from an existing status
 *   route      sets topic and agency of a registered appeal; status stays
 *   take       a waiting appeal (registered, forwarded, reopened) -> in_review
 *   assign     any open work; a waiting one goes into review (as take)
 *   forward    before review ends: registered, forwarded, in_review
 *   extend     once, while in review (in_review or reopened)
 *   answer     once reviewed: in_review, extended, reopened
 *   return     answered -> in_review (supervisor: poor answer)
 *   close      answered -> closed
 *   rate       answered or closed; status stays
 *   dispute    answered or closed -> reopened
 *   not_considered   registered, forwarded, in_review
 *   withdraw   any open work, not once answered
 *   warn, deemed refusal   open work with a running deadline; status stays
 */
/* clang-format off */
static const unsigned char want_from[ACT__COUNT][STATUS__COUNT] = {
    /*                     reg  fwd  rev  ext  ans  clo  nco  wdr  reo */
    [ACT_REGISTER] =     {  C,   C,   C,   C,   C,   C,   C,   C,   C},
    [ACT_ROUTE] =        {REG,   C,   C,   C,   C,   C,   C,   C,   C},
    [ACT_TAKE] =         {REV, REV,   C,   C,   C,   C,   C,   C, REV},
    [ACT_ASSIGN] =       {REV, REV, REV, EXT,   C,   C,   C,   C, REV},
    [ACT_FORWARD] =      {FWD, FWD, FWD,   C,   C,   C,   C,   C,   C},
    [ACT_EXTEND] =       {  C,   C, EXT,   C,   C,   C,   C,   C, EXT},
    [ACT_ANSWER] =       {  C,   C, ANS, ANS,   C,   C,   C,   C, ANS},
    [ACT_RETURN] =       {  C,   C,   C,   C, REV,   C,   C,   C,   C},
    [ACT_CLOSE] =        {  C,   C,   C,   C, CLO,   C,   C,   C,   C},
    [ACT_RATE] =         {  C,   C,   C,   C, ANS, CLO,   C,   C,   C},
    [ACT_DISPUTE] =      {  C,   C,   C,   C, REO, REO,   C,   C,   C},
    [ACT_NOT_CONSIDER] = {NCO, NCO, NCO,   C,   C,   C,   C,   C,   C},
    [ACT_WITHDRAW] =     {WDR, WDR, WDR, WDR,   C,   C,   C,   C, WDR},
    [ACT_WARN] =         {REG, FWD, REV, EXT,   C,   C,   C,   C, REO},
    [ACT_DEEM_REFUSAL] = {REG, FWD, REV, EXT,   C,   C,   C,   C, REO},
};
/* clang-format on */

/* The state each action is judged in by the matrix: routed (triage needs an
 * unrouted one), never extended before. */
static struct appeal_state
base_state(enum appeal_action act, enum appeal_status s)
{
    return (struct appeal_state){.status = s, .routed = act != ACT_ROUTE, .extended = false};
}

static enum err
expect_for(enum appeal_action act, enum appeal_status s, enum who w, enum appeal_status *to)
{
    switch (want_who[act][w]) {
    case D:
        return ERR_DENIED;
    case N:
        return ERR_NOTFOUND;
    case Y:
        break;
    default:
        fail_msg("want_who[%d][%d] is not filled in", (int)act, (int)w);
    }
    unsigned v = want_from[act][s];
    if (v == C)
        return ERR_CONFLICT;
    if (v < 1 || v > STATUS__COUNT)
        fail_msg("want_from[%d][%d] is not filled in", (int)act, (int)s);
    *to = (enum appeal_status)(v - 1);
    return ERR_OK;
}

static void
full_matrix(void **state)
{
    (void)state;
    int failures = 0, checked = 0;
    for (int act = 0; act < ACT__COUNT; act++) {
        for (int s = 0; s < STATUS__COUNT; s++) {
            for (int w = 0; w < W__COUNT; w++) {
                struct appeal_state st = base_state(act, s);
                enum appeal_status want_to = STATUS__COUNT, got_to = STATUS__COUNT;
                enum err want = expect_for(act, s, w, &want_to);
                const char *why = "unset";
                enum err got = appeal_transition(&st, act, &actors[w].a, &got_to, &why);
                checked++;
                bool ok = got == want && (got != ERR_OK || got_to == want_to);
                /* A refusal names its rule; a success names none. */
                ok = ok && (got == ERR_OK ? why == NULL : why != NULL && *why != '\0');
                if (!ok) {
                    failures++;
                    print_error("%-14s from %-14s by %-24s: want %s%s%s, got %s%s%s (%s)\n",
                                appeal_action_name(act), appeal_status_name(s), actors[w].name,
                                err_name(want), want == ERR_OK ? " -> " : "",
                                want == ERR_OK ? appeal_status_name(want_to) : "", err_name(got),
                                got == ERR_OK ? " -> " : "",
                                got == ERR_OK ? appeal_status_name(got_to) : "",
                                why ? why : "why=NULL");
                }
            }
        }
    }
    assert_int_equal(checked, ACT__COUNT * STATUS__COUNT * W__COUNT);
    assert_int_equal(failures, 0);
}

/* Sanity of the tables themselves: each action is possible for someone from
 * some status, except register (never a transition). */
static void
tables_are_complete(void **state)
{
    (void)state;
    for (int act = 0; act < ACT__COUNT; act++) {
        int who = 0, from = 0;
        for (int w = 0; w < W__COUNT; w++) {
            assert_true(want_who[act][w] >= Y && want_who[act][w] <= N);
            who += want_who[act][w] == Y;
        }
        for (int s = 0; s < STATUS__COUNT; s++) {
            assert_true(want_from[act][s] == C ||
                        (want_from[act][s] >= 1 && want_from[act][s] <= STATUS__COUNT));
            from += want_from[act][s] != C;
        }
        assert_true(who > 0);
        assert_true(act == ACT_REGISTER ? from == 0 : from > 0);
    }
}

static enum err
judge(enum appeal_status s, bool routed, bool extended, enum appeal_action act, struct actor who,
      enum appeal_status *to)
{
    struct appeal_state st = {.status = s, .routed = routed, .extended = extended};
    const char *why = NULL;
    enum appeal_status dummy;
    return appeal_transition(&st, act, &who, to ? to : &dummy, &why);
}

static const struct actor official = {ROLE_OFFICIAL, true, false};
static const struct actor supervisor = {ROLE_SUPERVISOR, true, false};
static const struct actor oper = {ROLE_OPERATOR, false, false};
static const struct actor citizen = {ROLE_CITIZEN, false, true};
static const struct actor sys = {ROLE_SYSTEM, false, false};

/* Triage sets the agency once: an appeal that has one is not routed again. */
static void
route_only_unrouted(void **state)
{
    enum appeal_status to = STATUS__COUNT;
    (void)state;
    assert_int_equal(judge(STATUS_REGISTERED, false, false, ACT_ROUTE, oper, &to), ERR_OK);
    assert_int_equal(to, STATUS_REGISTERED);
    assert_int_equal(judge(STATUS_REGISTERED, true, false, ACT_ROUTE, oper, NULL), ERR_CONFLICT);
    assert_int_equal(judge(STATUS_REGISTERED, true, false, ACT_ROUTE, sys, NULL), ERR_CONFLICT);
}

/* Work on an appeal needs its agency: without one it is still in triage. */
static void
agency_work_needs_routing(void **state)
{
    static const enum appeal_action need[] = {ACT_TAKE, ACT_ASSIGN, ACT_FORWARD, ACT_EXTEND,
                                              ACT_ANSWER};
    static const enum appeal_status from[] = {STATUS_REGISTERED, STATUS_REGISTERED,
                                              STATUS_REGISTERED, STATUS_IN_REVIEW,
                                              STATUS_IN_REVIEW};
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(need); i++) {
        assert_int_equal(judge(from[i], true, false, need[i], supervisor, NULL), ERR_OK);
        assert_int_equal(judge(from[i], false, false, need[i], supervisor, NULL), ERR_CONFLICT);
    }
    /* The operator forwards from triage only once it has an agency. */
    assert_int_equal(judge(STATUS_REGISTERED, false, false, ACT_FORWARD, oper, NULL), ERR_CONFLICT);
}

/* APPK Art. 76: one reasoned extension; a reopened appeal keeps the flag. */
static void
extension_only_once(void **state)
{
    enum appeal_status to = STATUS__COUNT;
    (void)state;
    assert_int_equal(judge(STATUS_IN_REVIEW, true, false, ACT_EXTEND, official, &to), ERR_OK);
    assert_int_equal(to, STATUS_EXTENDED);
    assert_int_equal(judge(STATUS_IN_REVIEW, true, true, ACT_EXTEND, official, NULL), ERR_CONFLICT);
    assert_int_equal(judge(STATUS_REOPENED, true, false, ACT_EXTEND, official, &to), ERR_OK);
    assert_int_equal(to, STATUS_EXTENDED);
    assert_int_equal(judge(STATUS_REOPENED, true, true, ACT_EXTEND, supervisor, NULL),
                     ERR_CONFLICT);
    /* The other actions do not care about the flag. */
    assert_int_equal(judge(STATUS_EXTENDED, true, true, ACT_ANSWER, official, &to), ERR_OK);
    assert_int_equal(to, STATUS_ANSWERED);
}

/* APPK: an anonymous appeal is registered and at once not considered by the
 * system, before anyone has routed it. */
static void
anonymous_not_considered_by_system(void **state)
{
    enum appeal_status to = STATUS__COUNT;
    (void)state;
    assert_int_equal(judge(STATUS_REGISTERED, false, false, ACT_NOT_CONSIDER, sys, &to), ERR_OK);
    assert_int_equal(to, STATUS_NOT_CONSIDERED);
    /* not_considered is final: nothing moves it, not even the citizen. */
    for (int act = 0; act < ACT__COUNT; act++) {
        struct actor w[] = {citizen, official, supervisor, oper, sys};
        for (size_t i = 0; i < ARRAY_LEN(w); i++) {
            enum err e = judge(STATUS_NOT_CONSIDERED, true, false, act, w[i], NULL);
            assert_true(e == ERR_CONFLICT || e == ERR_DENIED);
        }
    }
}

/* The path of one appeal through its life, feeding each new status into the
 * next step: the dispute reopens it, and it goes back into review. */
static void
lifecycle_walk(void **state)
{
    static const struct step {
        enum appeal_action act;
        const struct actor *who;
        enum err want;
        enum appeal_status to;
    } steps[] = {
        {ACT_ROUTE, &oper, ERR_OK, STATUS_REGISTERED},
        {ACT_TAKE, &official, ERR_OK, STATUS_IN_REVIEW},
        {ACT_EXTEND, &official, ERR_OK, STATUS_EXTENDED},
        {ACT_ANSWER, &official, ERR_OK, STATUS_ANSWERED},
        {ACT_RETURN, &supervisor, ERR_OK, STATUS_IN_REVIEW},
        {ACT_EXTEND, &official, ERR_CONFLICT, STATUS_IN_REVIEW}, /* once only */
        {ACT_ANSWER, &official, ERR_OK, STATUS_ANSWERED},
        {ACT_CLOSE, &official, ERR_OK, STATUS_CLOSED},
        {ACT_RATE, &citizen, ERR_OK, STATUS_CLOSED},
        {ACT_DISPUTE, &citizen, ERR_OK, STATUS_REOPENED},
        {ACT_WARN, &sys, ERR_OK, STATUS_REOPENED},
        {ACT_TAKE, &official, ERR_OK, STATUS_IN_REVIEW},
        {ACT_ANSWER, &supervisor, ERR_OK, STATUS_ANSWERED},
        {ACT_CLOSE, &supervisor, ERR_OK, STATUS_CLOSED},
        {ACT_WITHDRAW, &citizen, ERR_CONFLICT, STATUS_CLOSED},
    };
    struct appeal_state st = {.status = STATUS_REGISTERED};
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(steps); i++) {
        enum appeal_status to = STATUS__COUNT;
        const char *why = NULL;
        enum err e = appeal_transition(&st, steps[i].act, steps[i].who, &to, &why);
        if (e != steps[i].want)
            fail_msg("step %zu (%s): want %s, got %s (%s)", i, appeal_action_name(steps[i].act),
                     err_name(steps[i].want), err_name(e), why ? why : "");
        if (e == ERR_OK) {
            assert_int_equal(to, steps[i].to);
            st.status = to;
        }
        if (steps[i].act == ACT_ROUTE)
            st.routed = true;
        if (steps[i].act == ACT_EXTEND && e == ERR_OK)
            st.extended = true;
    }
    assert_int_equal(st.status, STATUS_CLOSED);
}

/*
 * "The owner of an appeal acts as its citizen, whatever role their session
 * holds" (appeal.c): staff who filed an appeal, or hold its tracking secret,
 * see it and rate, dispute or withdraw it even when it belongs to another
 * agency.
 */
static void
owner_with_a_staff_session_acts_as_citizen(void **state)
{
    static const struct actor owners[] = {
        {ROLE_OFFICIAL, false, true}, {ROLE_SUPERVISOR, false, true}, {ROLE_ANALYST, false, true},
        {ROLE_OPERATOR, false, true}, {ROLE_ADMIN, false, true},
    };
    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(owners); i++) {
        enum appeal_status to = STATUS__COUNT;
        if (!appeal_visible(&owners[i]))
            fail_msg("%s owning the appeal cannot see it", role_name(owners[i].role));
        assert_int_equal(judge(STATUS_ANSWERED, true, false, ACT_DISPUTE, owners[i], &to), ERR_OK);
        assert_int_equal(to, STATUS_REOPENED);
        assert_int_equal(judge(STATUS_CLOSED, true, false, ACT_RATE, owners[i], &to), ERR_OK);
        assert_int_equal(to, STATUS_CLOSED);
        assert_int_equal(judge(STATUS_IN_REVIEW, true, false, ACT_WITHDRAW, owners[i], &to),
                         ERR_OK);
        assert_int_equal(to, STATUS_WITHDRAWN);
    }
    /* Owning it gives no staff rights in another agency. */
    assert_int_equal(judge(STATUS_REGISTERED, true, false, ACT_TAKE,
                           (struct actor){ROLE_OFFICIAL, false, true}, NULL),
                     ERR_NOTFOUND);
}

static void
unknown_action_or_role_is_invalid(void **state)
{
    struct appeal_state st = {.status = STATUS_IN_REVIEW, .routed = true};
    struct actor bad_role = {ROLE__COUNT, true, true};
    enum appeal_status to;
    const char *why = NULL;
    (void)state;
    assert_int_equal(appeal_transition(&st, ACT__COUNT, &official, &to, &why), ERR_INVALID);
    assert_non_null(why);
    why = NULL;
    assert_int_equal(appeal_transition(&st, (enum appeal_action) - 1, &official, &to, &why),
                     ERR_INVALID);
    assert_non_null(why);
    why = NULL;
    assert_int_equal(appeal_transition(&st, ACT_ANSWER, &bad_role, &to, &why), ERR_INVALID);
    assert_non_null(why);
}

static void
visibility(void **state)
{
    static const bool want[W__COUNT] = {
        [W_CIT_OWNER] = true,  [W_CIT_OTHER] = false, [W_OPERATOR] = true,   [W_OFF_SAME] = true,
        [W_OFF_OTHER] = false, [W_SUP_SAME] = true,   [W_SUP_OTHER] = false, [W_ANALYST] = false,
        [W_ADMIN] = true,      [W_SYSTEM] = true,
    };
    (void)state;
    for (int w = 0; w < W__COUNT; w++) {
        if (appeal_visible(&actors[w].a) != want[w])
            fail_msg("%s: want visible=%d", actors[w].name, want[w]);
    }
    /* Consistent with the matrix: who cannot see gets N for every action. */
    for (int w = 0; w < W__COUNT; w++)
        for (int act = 0; act < ACT__COUNT; act++)
            if (!want[w])
                assert_int_equal(want_who[act][w], N);
}

/* ---- name tables ---- */

typedef const char *(*name_fn)(int v);
typedef enum err (*parse_fn)(struct str s, int *out);

/* Adapters so that one loop covers every table. */
#define ADAPT(name, parse, type)                                                                   \
    static const char *name##_n(int v)                                                             \
    {                                                                                              \
        return name((type)v);                                                                      \
    }                                                                                              \
    static enum err name##_p(struct str s, int *out)                                               \
    {                                                                                              \
        type t = (type)-7;                                                                         \
        enum err e = parse(s, &t);                                                                 \
        *out = (int)t;                                                                             \
        return e;                                                                                  \
    }
ADAPT(appeal_kind_name, appeal_kind_parse, enum appeal_kind)
ADAPT(appeal_channel_name, appeal_channel_parse, enum appeal_channel)
ADAPT(appeal_language_name, appeal_language_parse, enum appeal_language)
ADAPT(appeal_status_name, appeal_status_parse, enum appeal_status)
ADAPT(appeal_action_name, appeal_action_parse, enum appeal_action)
ADAPT(role_name, role_parse, enum role)

static const struct table {
    const char *what;
    int count;
    name_fn name;
    parse_fn parse;
} tables[] = {
    {"kind", KIND__COUNT, appeal_kind_name_n, appeal_kind_name_p},
    {"channel", CHANNEL__COUNT, appeal_channel_name_n, appeal_channel_name_p},
    {"language", LANG__COUNT, appeal_language_name_n, appeal_language_name_p},
    {"status", STATUS__COUNT, appeal_status_name_n, appeal_status_name_p},
    {"action", ACT__COUNT, appeal_action_name_n, appeal_action_name_p},
    {"role", ROLE__COUNT, role_name_n, role_name_p},
};

static bool
wire_name(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_'))
            return false;
    return true;
}

static void
names_round_trip(void **state)
{
    (void)state;
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        const struct table *tb = &tables[t];
        for (int v = 0; v < tb->count; v++) {
            const char *n = tb->name(v);
            int back = -1;
            assert_non_null(n);
            if (!wire_name(n))
                fail_msg("%s %d: name \"%s\" is not a lowercase wire name", tb->what, v, n);
            /* No two values share a name. */
            for (int u = 0; u < v; u++)
                if (strcmp(tb->name(u), n) == 0)
                    fail_msg("%s %d and %d share the name %s", tb->what, u, v, n);
            enum err e = tb->parse(str_from_cstr(n), &back);
            if (tb->parse == role_name_p && v == ROLE_SYSTEM) {
                /* "system" is internal: no user may hold it. */
                assert_int_equal(e, ERR_INVALID);
                continue;
            }
            if (e != ERR_OK || back != v)
                fail_msg("%s: parse(name(%d) = \"%s\") gave %s, %d", tb->what, v, n, err_name(e),
                         back);
        }
        /* Out of range: a placeholder, never NULL. */
        assert_string_equal(tb->name(tb->count), "?");
        assert_string_equal(tb->name(-1), "?");
    }
}

/* Exact names as docs/api.md spells them on the wire. */
static void
names_are_the_documented_ones(void **state)
{
    (void)state;
    assert_string_equal(appeal_kind_name(KIND_STATEMENT), "statement");
    assert_string_equal(appeal_kind_name(KIND_RESPONSE), "response");
    assert_string_equal(appeal_channel_name(CHANNEL_RECEPTION), "reception");
    assert_string_equal(appeal_language_name(LANG_KK), "kk");
    assert_string_equal(appeal_status_name(STATUS_IN_REVIEW), "in_review");
    assert_string_equal(appeal_status_name(STATUS_NOT_CONSIDERED), "not_considered");
    assert_string_equal(appeal_status_name(STATUS_REOPENED), "reopened");
    assert_string_equal(role_name(ROLE_SUPERVISOR), "supervisor");
    assert_string_equal(role_name(ROLE_SYSTEM), "system");
}

static void
unknown_names_rejected(void **state)
{
    static const char *const junk[] = {
        "",         " ",          "complaint ", " complaint", "Complaint", "COMPLAINT",
        "complain", "complaints", "in-review",  "In_review",  "registere", "registeredx",
        "ru-RU",    "RU",         "k",          "?",          "web\n",     "Web",
    };
    (void)state;
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        for (size_t i = 0; i < ARRAY_LEN(junk); i++) {
            int out = 12345;
            enum err e = tables[t].parse(str_from_cstr(junk[i]), &out);
            if (e != ERR_INVALID)
                fail_msg("%s: \"%s\" accepted", tables[t].what, junk[i]);
        }
        /* A view with an embedded NUL after a good name is not that name. */
        int out = 0;
        char buf[32];
        const char *n = tables[t].name(0);
        size_t len = strlen(n);
        memcpy(buf, n, len);
        buf[len] = '\0';
        buf[len + 1] = 'x';
        assert_int_equal(tables[t].parse((struct str){buf, len + 2}, &out), ERR_INVALID);
        /* A prefix of a good name is not that name either. */
        assert_int_equal(tables[t].parse((struct str){n, len - 1}, &out), ERR_INVALID);
        /* A view that is not NUL-terminated is read only up to its length. */
        memcpy(buf, n, len);
        memcpy(buf + len, "zzz", 3);
        assert_int_equal(tables[t].parse((struct str){buf, len}, &out), ERR_OK);
        assert_int_equal(out, 0);
    }
    /* Across tables: a status is not an action and a kind is not a role. */
    enum appeal_action a;
    enum role r;
    assert_int_equal(appeal_action_parse(STR("in_review"), &a), ERR_INVALID);
    assert_int_equal(role_parse(STR("complaint"), &r), ERR_INVALID);
    assert_int_equal(role_parse(STR("system"), &r), ERR_INVALID);
}

/* A failed parse leaves *out as it was: callers (the store reading an
 * event's actor, which may be "system") preset a default and rely on it. */
static void
failed_parse_keeps_out(void **state)
{
    (void)state;
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        int out = 0;
        /* The adapter presets -7; a failed parse must hand it back. */
        assert_int_equal(tables[t].parse(STR("nonsense"), &out), ERR_INVALID);
        if (out != -7)
            fail_msg("%s: failed parse overwrote *out with %d", tables[t].what, out);
    }
    enum role r = ROLE_SYSTEM;
    assert_int_equal(role_parse(STR("system"), &r), ERR_INVALID);
    assert_int_equal(r, ROLE_SYSTEM);
}

static void
channels_needing_an_operator(void **state)
{
    (void)state;
    assert_false(appeal_channel_needs_operator(CHANNEL_WEB));
    assert_false(appeal_channel_needs_operator(CHANNEL_API));
    assert_true(appeal_channel_needs_operator(CHANNEL_PHONE));
    assert_true(appeal_channel_needs_operator(CHANNEL_LETTER));
    assert_true(appeal_channel_needs_operator(CHANNEL_RECEPTION));
}

static void
open_statuses(void **state)
{
    static const bool open[STATUS__COUNT] = {
        [STATUS_REGISTERED] = true,      [STATUS_FORWARDED] = true,  [STATUS_IN_REVIEW] = true,
        [STATUS_EXTENDED] = true,        [STATUS_ANSWERED] = true,   [STATUS_CLOSED] = false,
        [STATUS_NOT_CONSIDERED] = false, [STATUS_WITHDRAWN] = false, [STATUS_REOPENED] = true,
    };
    (void)state;
    for (int s = 0; s < STATUS__COUNT; s++)
        if (appeal_status_is_open(s) != open[s])
            fail_msg("%s: want open=%d", appeal_status_name(s), open[s]);
}

/* The APPK numbers (Art. 76): 15 working days to decide, 3 to forward and 3
 * to tell the citizen of an extension; the text limits of docs/api.md. */
static void
statutory_numbers(void **state)
{
    (void)state;
    assert_int_equal(SLA_DECIDE_DAYS, 15);
    assert_int_equal(SLA_FORWARD_DAYS, 3);
    assert_int_equal(SLA_NOTIFY_DAYS, 3);
    assert_int_equal(APPEAL_TEXT_MIN, 10);
    assert_int_equal(APPEAL_TEXT_MAX, 10000);
    assert_int_equal(APPEAL_ADDRESS_MAX, 500);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tables_are_complete),
        cmocka_unit_test(full_matrix),
        cmocka_unit_test(route_only_unrouted),
        cmocka_unit_test(agency_work_needs_routing),
        cmocka_unit_test(extension_only_once),
        cmocka_unit_test(anonymous_not_considered_by_system),
        cmocka_unit_test(lifecycle_walk),
        cmocka_unit_test(owner_with_a_staff_session_acts_as_citizen),
        cmocka_unit_test(unknown_action_or_role_is_invalid),
        cmocka_unit_test(visibility),
        cmocka_unit_test(names_round_trip),
        cmocka_unit_test(names_are_the_documented_ones),
        cmocka_unit_test(unknown_names_rejected),
        cmocka_unit_test(failed_parse_keeps_out),
        cmocka_unit_test(channels_needing_an_operator),
        cmocka_unit_test(open_statuses),
        cmocka_unit_test(statutory_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
