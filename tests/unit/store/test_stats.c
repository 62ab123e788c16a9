/*
 * test_stats.c - store_stats() in both backends: the dashboard's counters
 * (received today, open, overdue), first answers in the window and on time,
 * the median time to a first answer, appeals per Almaty day, the top topics
 * and the per-region figures, for every agency, one agency, one region and
 * an empty scope; a window out of range is refused. SQLite in memory
 * always; PostgreSQL on a fresh database when TEST_PG_DSN is set (the PG
 * group skips without it).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "base/arena.h"
#include "base/rnd.h"
#include "base/tm.h"
#include "store/store.h"

#include "unit/store/store_fx.h"

/* ---- the fixture's appeals ---- */

enum { H = 3600 };

struct seed {
    const char *tracking, *agency, *topic, *region;
    enum appeal_status status;
    int64_t registered_at, due_at;
    int64_t answers[2]; /* times of answer events (0: none); the first is the first answer */
    int64_t answer_due; /* the due date in force when answered */
    int64_t id;         /* out */
};

static enum err
seed_job(struct store_tx *tx, void *arg)
{
    struct seed *sd = arg;
    unsigned char h[32] = {0};
    bool closed = sd->status == STATUS_CLOSED;
    struct appeal ap = {
        .tracking_id = sd->tracking,
        .reg_number = sd->tracking,
        .kind = KIND_COMPLAINT,
        .channel = CHANNEL_WEB,
        .language = LANG_RU,
        .region = sd->region,
        .topic = sd->topic,
        .agency = sd->agency,
        .status = sd->status,
        .text = "Яма на дороге у дома 5",
        .consent = true,
        .registered_by = "tyndau-intake",
        .filed_at = sd->registered_at,
        .registered_at = sd->registered_at,
        .due_at = sd->due_at,
        .updated_at = sd->registered_at,
        .closed_at = closed ? sd->registered_at + 1 : 0,
    };
    enum err e = store_tx_appeal_insert(tx, &ap, h);
    sd->id = ap.id;
    if (!e && closed)
        e = store_tx_appeal_update(tx, &ap);
    struct appeal_event reg = {.at = sd->registered_at,
                               .action = ACT_REGISTER,
                               .actor_role = ROLE_SYSTEM,
                               .from = STATUS__COUNT,
                               .to = STATUS_REGISTERED,
                               .agency = sd->agency,
                               .due_at = sd->due_at};
    if (!e)
        e = store_tx_event_append(tx, ap.id, &reg);
    for (int i = 0; i < 2 && !e && sd->answers[i]; i++) {
        struct appeal_event ev = {.at = sd->answers[i],
                                  .action = ACT_ANSWER,
                                  .actor_role = ROLE_OFFICIAL,
                                  .from = STATUS_IN_REVIEW,
                                  .to = STATUS_ANSWERED,
                                  .agency = sd->agency,
                                  .due_at = sd->answer_due};
        e = store_tx_event_append(tx, ap.id, &ev);
    }
    return e;
}

static const char *const roads = "almaty-city.roads", *const housing = "almaty-city.housing";
static const char *const almaty = "750000000", *const astana = "710000000";

/* 2026-03-10 12:00 in Almaty (UTC+5). */
static int64_t
t_now(void)
{
    return tm_local_time(tm_days_from_civil(2026, 3, 10), 12, 0, 0);
}

static struct stats_query
query(const char *agency, const char *region)
{
    int64_t now = t_now();
    int32_t today = tm_local_day(now);
    return (struct stats_query){
        .agency = agency,
        .region = region,
        .now = now,
        .today = tm_local_time(today, 0, 0, 0),
        .since = tm_local_time(today - 29, 0, 0, 0),
        .days = 30,
        .utc_offset = tm_almaty_offset(now),
    };
}

static void
seed_all(struct fx *f)
{
    int64_t now = t_now(), day = TM_DAY;
    int64_t today = tm_local_time(tm_local_day(now), 0, 0, 0);
    struct seed seeds[] = {
        /* today, open */
        {"S1", roads, "roads", almaty, STATUS_REGISTERED, today + 9 * H, now + 10 * day, {0}, 0, 0},
        /* 5 days ago, overdue since yesterday */
        {"S2", roads, "roads", almaty, STATUS_IN_REVIEW, now - 5 * day, now - day, {0}, 0, 0},
        /* 3 days ago, answered after 48 h, on time */
        {"S3",
         housing,
         "housing",
         astana,
         STATUS_ANSWERED,
         now - 3 * day,
         now + 9 * day,
         {now - 3 * day + 48 * H, 0},
         now + 9 * day,
         0},
        /* 20 days ago, answered late after 240 h, answered again later */
        {"S4",
         roads,
         "roads",
         astana,
         STATUS_CLOSED,
         now - 20 * day,
         now - 15 * day,
         {now - 10 * day, now - 8 * day},
         now - 15 * day,
         0},
        /* 40 days ago: outside the window; reopened and overdue */
        {"S5",
         roads,
         "roads",
         almaty,
         STATUS_REOPENED,
         now - 40 * day,
         now - 10 * day,
         {now - 35 * day, 0},
         now - 30 * day,
         0},
        /* today, in triage: no agency, no topic */
        {"S6", NULL, NULL, almaty, STATUS_REGISTERED, today + 10 * H, now + 15 * day, {0}, 0, 0},
    };
    for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
        enum err e = store_write(f->s, seed_job, &seeds[i]);
        if (e)
            fail_msg("seed %s: %s %s", seeds[i].tracking, err_name(e), store_errmsg(f->s));
    }
}

static const struct stats_region *
region_of(const struct store_stats *st, const char *kato)
{
    for (size_t i = 0; i < st->regions_count; i++)
        if (strcmp(st->regions[i].kato, kato) == 0)
            return &st->regions[i];
    return NULL;
}

static void
stats_all_agencies(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    seed_all(f);
    struct stats_query q = query(NULL, NULL);
    struct store_stats st;
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    assert_int_equal(st.received_today, 2); /* S1, S6 */
    assert_int_equal(st.open, 4);           /* S1, S2, S5, S6 */
    assert_int_equal(st.overdue, 2);        /* S2, S5 */
    assert_int_equal(st.answered, 2);       /* S3, S4 (first answers only; S5's is older) */
    assert_int_equal(st.answered_on_time, 1);
    assert_float_equal(st.median_answer_hours, (48.0 + 240.0) / 2, 1e-9);
    int64_t want_days[30] = {0};
    want_days[29] = 2; /* S1, S6 */
    want_days[24] = 1; /* S2 */
    want_days[26] = 1; /* S3 */
    want_days[9] = 1;  /* S4 */
    for (int i = 0; i < 30; i++)
        if (st.per_day[i] != want_days[i])
            fail_msg("day %d: %lld appeals, want %lld", i, (long long)st.per_day[i],
                     (long long)want_days[i]);
    assert_int_equal(st.topics_count, 2);
    assert_string_equal(st.topics[0].topic, "roads");
    assert_int_equal(st.topics[0].count, 3); /* S1, S2, S4 */
    assert_string_equal(st.topics[1].topic, "housing");
    assert_int_equal(st.topics[1].count, 1);
    assert_int_equal(st.regions_count, 2);
    assert_string_equal(st.regions[0].kato, astana); /* by KATO code */
    const struct stats_region *ast = region_of(&st, astana), *alm = region_of(&st, almaty);
    assert_non_null(ast);
    assert_non_null(alm);
    assert_int_equal(ast->received, 2);
    assert_int_equal(ast->open, 0);
    assert_int_equal(ast->overdue, 0);
    assert_int_equal(alm->received, 3);
    assert_int_equal(alm->open, 4);
    assert_int_equal(alm->overdue, 2);
}

static void
stats_one_agency_and_region(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    seed_all(f);
    struct store_stats st;
    struct stats_query q = query(roads, NULL);
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    assert_int_equal(st.received_today, 1);
    assert_int_equal(st.open, 3);
    assert_int_equal(st.overdue, 2);
    assert_int_equal(st.answered, 1); /* S4: S3 was answered by housing */
    assert_int_equal(st.answered_on_time, 0);
    assert_float_equal(st.median_answer_hours, 240.0, 1e-9);
    assert_int_equal(st.topics_count, 1);
    assert_int_equal(st.topics[0].count, 3);

    q = query(NULL, astana);
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    assert_int_equal(st.received_today, 0);
    assert_int_equal(st.open, 0);
    assert_int_equal(st.answered, 2);
    assert_float_equal(st.median_answer_hours, 144.0, 1e-9);
    assert_int_equal(st.regions_count, 1);

    /* Three first answers: the median is the middle one. */
    q = query(NULL, NULL);
    struct seed more = {"S7",
                        housing,
                        "water",
                        almaty,
                        STATUS_ANSWERED,
                        t_now() - 2 * TM_DAY,
                        t_now() + TM_DAY,
                        {t_now() - 2 * TM_DAY + 5 * H, 0},
                        t_now() + TM_DAY,
                        0};
    assert_int_equal(store_write(f->s, seed_job, &more), ERR_OK);
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    assert_int_equal(st.answered, 3);
    assert_int_equal(st.answered_on_time, 2);
    assert_float_equal(st.median_answer_hours, 48.0, 1e-9);
    assert_int_equal(st.topics_count, 3);
    assert_string_equal(st.topics[1].topic, "housing"); /* ties by code */
    assert_string_equal(st.topics[2].topic, "water");

    /* Nothing in scope: zeros, no median. */
    q = query("almaty-city.energy", astana);
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    assert_int_equal(st.received_today + st.open + st.overdue + st.answered, 0);
    assert_true(st.median_answer_hours < 0);
    assert_int_equal(st.topics_count, 0);
    assert_int_equal(st.regions_count, 0);
    for (int i = 0; i < 30; i++)
        assert_int_equal(st.per_day[i], 0);
}

static void
stats_window_limits(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    seed_all(f);
    struct store_stats st;
    struct stats_query q = query(NULL, NULL);
    q.days = 0;
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_INVALID);
    q.days = STORE_STATS_DAYS_MAX + 1;
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_INVALID);
    /* The longest window reaches S5, 40 days back. */
    q.days = STORE_STATS_DAYS_MAX;
    q.since = tm_local_time(tm_local_day(q.now) - (STORE_STATS_DAYS_MAX - 1), 0, 0, 0);
    assert_int_equal(store_stats(f->s, f->a, &q, &st), ERR_OK);
    int64_t sum = 0;
    for (int i = 0; i < STORE_STATS_DAYS_MAX; i++)
        sum += st.per_day[i];
    assert_int_equal(sum, 6);
    assert_int_equal(st.per_day[STORE_STATS_DAYS_MAX - 1 - 40], 1);
    assert_int_equal(st.answered, 3); /* S5's answer 35 days ago counts now */
}

int
main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        cmocka_unit_test_setup_teardown(stats_all_agencies, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(stats_one_agency_and_region, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(stats_window_limits, setup_sqlite, teardown),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(stats_all_agencies, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(stats_one_agency_and_region, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(stats_window_limits, setup_pg, teardown),
    };
    int failed = cmocka_run_group_tests_name("stats_sqlite", sqlite_tests, NULL, NULL);
    failed += cmocka_run_group_tests_name("stats_pg", pg_tests, NULL, NULL);
    return failed;
}
