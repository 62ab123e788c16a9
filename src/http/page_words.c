/*
 * page_words.c - the words pages share: statuses, timeline actions and kinds
 * of appeal, reference names (regions, topics, agencies) in the page's
 * language, dates, numbers, and the due date in plain words. Exports the
 * page_status() ... page_topic_options() functions of html.h.
 */
#include "http/html.h"

#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/util.h"

static const char *const status_msg[STATUS__COUNT] = {
    [STATUS_REGISTERED] = N_("Registered"),
    [STATUS_FORWARDED] = N_("Forwarded to another body"),
    [STATUS_IN_REVIEW] = N_("In review"),
    [STATUS_EXTENDED] = N_("In review, deadline extended"),
    [STATUS_ANSWERED] = N_("Answered"),
    [STATUS_CLOSED] = N_("Closed"),
    [STATUS_NOT_CONSIDERED] = N_("Not considered"),
    [STATUS_WITHDRAWN] = N_("Withdrawn"),
    [STATUS_REOPENED] = N_("Reopened after a dispute"),
};
_Static_assert(ARRAY_LEN(status_msg) == STATUS__COUNT, "status_msg out of date");

static const char *const action_msg[ACT__COUNT] = {
    [ACT_REGISTER] = N_("The appeal was registered"),
    [ACT_ROUTE] = N_("The appeal was sent to the responsible body"),
    [ACT_TAKE] = N_("An official took the appeal into review"),
    [ACT_ASSIGN] = N_("An official was assigned"),
    [ACT_FORWARD] = N_("The appeal was forwarded to another body"),
    [ACT_EXTEND] = N_("The deadline was extended"),
    [ACT_ANSWER] = N_("An answer was given"),
    [ACT_RETURN] = N_("The answer was returned for rework"),
    [ACT_CLOSE] = N_("The appeal was closed"),
    [ACT_RATE] = N_("The answer was rated"),
    [ACT_DISPUTE] = N_("The answer was disputed"),
    [ACT_NOT_CONSIDER] = N_("The appeal was not considered"),
    [ACT_WITHDRAW] = N_("The appeal was withdrawn"),
    [ACT_WARN] = N_("The deadline is near"),
    [ACT_DEEM_REFUSAL] = N_("The deadline passed without an answer"),
};
_Static_assert(ARRAY_LEN(action_msg) == ACT__COUNT, "action_msg out of date");

static const char *const kind_msg[KIND__COUNT] = {
    [KIND_STATEMENT] = N_("Statement"), [KIND_COMPLAINT] = N_("Complaint"),
    [KIND_PROPOSAL] = N_("Proposal"),   [KIND_REQUEST] = N_("Request"),
    [KIND_MESSAGE] = N_("Message"),     [KIND_RESPONSE] = N_("Response"),
};
_Static_assert(ARRAY_LEN(kind_msg) == KIND__COUNT, "kind_msg out of date");

static const char *const channel_msg[CHANNEL__COUNT] = {
    [CHANNEL_WEB] = N_("Web portal"),
    [CHANNEL_API] = N_("Connected system"),
    [CHANNEL_PHONE] = N_("Phone call"),
    [CHANNEL_LETTER] = N_("Letter"),
    [CHANNEL_RECEPTION] = N_("In person at reception"),
};
_Static_assert(ARRAY_LEN(channel_msg) == CHANNEL__COUNT, "channel_msg out of date");

const char *
page_status(const struct page *p, enum appeal_status s)
{
    return (unsigned)s < STATUS__COUNT ? page_t(p, status_msg[s]) : "?";
}

const char *
page_channel(const struct page *p, enum appeal_channel c)
{
    return (unsigned)c < CHANNEL__COUNT ? page_t(p, channel_msg[c]) : "?";
}

const char *
page_action(const struct page *p, enum appeal_action a)
{
    return (unsigned)a < ACT__COUNT ? page_t(p, action_msg[a]) : "?";
}

const char *
page_kind(const struct page *p, enum appeal_kind k)
{
    return (unsigned)k < KIND__COUNT ? page_t(p, kind_msg[k]) : "?";
}

static const char *
pick(const struct page *p, const char *kk, const char *ru, const char *en)
{
    const char *s = p->lang == LANG_KK ? kk : p->lang == LANG_RU ? ru : en;
    return s && *s ? s : en;
}

const char *
page_region(const struct page *p, const char *kato)
{
    if (!kato)
        return NULL;
    const struct ref_region *g = app_region(p->r->app, kato);
    return g ? pick(p, g->name_kk, g->name_ru, g->name_en) : kato;
}

const char *
page_topic(const struct page *p, const char *code)
{
    if (!code)
        return NULL;
    const struct ref_topic *t = app_topic(p->r->app, code);
    return t ? pick(p, t->name_kk, t->name_ru, t->name_en) : code;
}

const char *
page_agency(const struct page *p, const char *code)
{
    if (!code)
        return NULL;
    if (strcmp(code, "tyndau-intake") == 0)
        return page_t(p, N_("tyndau intake service"));
    const struct ref_agency *g = app_agency(p->r->app, code);
    return g ? pick(p, g->name_kk, g->name_ru, g->name_en) : code;
}

const char *
page_date(struct page *p, int64_t t)
{
    char out[48];
    i18n_date(p->lang, t, out);
    return arena_strdup(p->r->arena, out);
}

const char *
page_datetime(struct page *p, int64_t t)
{
    char out[64];
    i18n_datetime(p->lang, t, out);
    return arena_strdup(p->r->arena, out);
}

const char *
page_number(struct page *p, int64_t n)
{
    char out[48];
    i18n_number(p->lang, n, out);
    return arena_strdup(p->r->arena, out);
}

const char *
page_due(struct page *p, int64_t due_at)
{
    const struct calendar *cal = app_calendar(p->r->app);
    int32_t today = tm_local_day(app_now(p->r->app)), day = tm_local_day(due_at);
    const char *date = page_date(p, due_at);
    if (day == today)
        return page_tf(p, N_("due today, {date}"), (const char *const[]){"date", date, NULL});
    int n = calendar_working_days_between(cal, today, day);
    if (day > today) {
        const char *const kv[] = {"date", date, "n", page_number(p, n), NULL};
        return i18n_fill(p->r->arena,
                         page_tn(p, N_("due by {date}, in {n} working day"),
                                 N_("due by {date}, in {n} working days"), n),
                         kv);
    }
    const char *const kv[] = {"date", date, "n", page_number(p, -n), NULL};
    return i18n_fill(p->r->arena,
                     page_tn(p, N_("was due by {date}, {n} working day ago"),
                             N_("was due by {date}, {n} working days ago"), -n),
                     kv);
}

const char *
page_answered(struct page *p, int64_t answered_at, int64_t due_at)
{
    const char *date = page_date(p, answered_at);
    if (!due_at || answered_at <= due_at)
        return page_tf(p, N_("given on {date}, within the deadline"),
                       (const char *const[]){"date", date, NULL});
    return page_tf(p, N_("given on {date}, after the deadline of {due}"),
                   (const char *const[]){"date", date, "due", page_date(p, due_at), NULL});
}

void
page_answer_row(struct page *p, const struct appeal_view *v)
{
    const struct appeal *ap = &v->ap;
    bool answered = ap->status == STATUS_ANSWERED || ap->status == STATUS_CLOSED;
    if (answered && v->answers_count) {
        const struct answer_row *last = &v->answers[v->answers_count - 1];
        html_summary_row(p, page_t(p, N_("Answer")), page_answered(p, last->at, ap->due_at));
    } else if (ap->due_at && appeal_status_is_open(ap->status)) {
        html_summary_row(p, page_t(p, N_("Answer")), page_due(p, ap->due_at));
    }
}

const char *
page_event_when(struct page *p, const struct appeal *ap, const struct appeal_event *ev,
                const char **note)
{
    *note = NULL;
    if (ev->action == ACT_REGISTER && ap->filed_at > 0 && ap->filed_at < ev->at) {
        *note = page_tf(p, N_("filed on a day off; registered as of {datetime}"),
                        (const char *const[]){"datetime", page_datetime(p, ev->at), NULL});
        return page_datetime(p, ap->filed_at);
    }
    return page_datetime(p, ev->at);
}

/* Sort options by label, bytewise within a script: good enough for 20 names. */
static int
option_cmp(const void *x, const void *y)
{
    const struct html_option *a = x, *b = y;
    return strcmp(a->label, b->label);
}

static struct html_option *
options_begin(struct page *p, const char *first, size_t n, size_t *off)
{
    struct html_option *v = ARENA_ARRAY(p->r->arena, struct html_option, n + 1);
    *off = 0;
    if (first) {
        v[0].value = "";
        v[0].label = first;
        *off = 1;
    }
    return v;
}

struct html_option *
page_region_options(struct page *p, const char *first, size_t *count)
{
    const struct ref_data *d = app_ref(p->r->app);
    size_t off;
    struct html_option *v = options_begin(p, first, d->regions_count, &off);
    for (size_t i = 0; i < d->regions_count; i++) {
        v[off + i].value = d->regions[i].kato;
        v[off + i].label = page_region(p, d->regions[i].kato);
    }
    qsort(v + off, d->regions_count, sizeof(*v), option_cmp);
    *count = off + d->regions_count;
    return v;
}

struct html_option *
page_topic_options(struct page *p, const char *first, size_t *count)
{
    const struct ref_data *d = app_ref(p->r->app);
    size_t off;
    struct html_option *v = options_begin(p, first, d->topics_count, &off);
    for (size_t i = 0; i < d->topics_count; i++) {
        v[off + i].value = d->topics[i].code;
        v[off + i].label = page_topic(p, d->topics[i].code);
    }
    qsort(v + off, d->topics_count, sizeof(*v), option_cmp);
    *count = off + d->topics_count;
    return v;
}
