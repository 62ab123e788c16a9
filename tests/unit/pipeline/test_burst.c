/*
 * test_burst.c - the burst detector on seeded synthetic streams: a steady
 * stream with daily and weekly seasonality raises at most one false alarm
 * per simulated week (many weeks, three levels), a surge is reported within
 * one window of its start with its cluster and a plain reason, one event per
 * surge, the Poisson tail, and bad input.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/burst.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z, a Thursday */
#define HOUR 3600
#define DAY 86400
#define WEEK (7 * DAY)

/* A seeded xorshift and uniform doubles in (0, 1). */
static uint64_t
next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static double
uniform(uint64_t *s)
{
    return ((double)(next(s) >> 11) + 0.5) / 9007199254740992.0;
}

/* Appeals per hour at t: quiet nights, busy mornings and evenings, calmer
 * weekends, around `level` on average. Almaty time is UTC+5. */
static double
rate(double level, int64_t t)
{
    int64_t local = t + 5 * HOUR;
    int hour = (int)((local / HOUR) % 24);
    int weekday = (int)(((local / DAY) + 3) % 7); /* 0 = Monday */
    static const double daily[24] = {0.2, 0.15, 0.1, 0.1, 0.1, 0.2, 0.5, 1.0, 1.6, 1.8, 1.7, 1.6,
                                     1.5, 1.6,  1.7, 1.6, 1.5, 1.5, 1.6, 1.7, 1.4, 1.0, 0.6, 0.3};
    return level * daily[hour] * (weekday >= 5 ? 0.6 : 1.1);
}

/* The next arrival after t of a Poisson process with rate(level, .) + extra
 * (per hour), by thinning against max_rate. */
static int64_t
arrival(uint64_t *seed, double level, double extra, double max_rate, double t)
{
    for (;;) {
        t += -log(uniform(seed)) * HOUR / max_rate;
        if (uniform(seed) * max_rate <= rate(level, (int64_t)t) + extra)
            return (int64_t)t;
    }
}

static struct burst *
make(void)
{
    struct burst_opts o;
    burst_opts_default(&o);
    struct burst *b = NULL;
    assert_int_equal(burst_new(&o, &b), ERR_OK);
    return b;
}

static void
steady_stream_few_false_alarms(void **state)
{
    (void)state;
    const double levels[] = {1, 6, 25};
    const int weeks = 40;
    for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
        struct burst *b = make();
        uint64_t seed = 1000 + l;
        size_t alarms = 0, appeals = 0;
        double t = T0;
        while (t < T0 + (double)weeks * WEEK) {
            t = (double)arrival(&seed, levels[l], 0, levels[l] * 2, t);
            struct burst_event ev;
            bool fired;
            assert_int_equal(burst_observe(b, STR("water supply"), STR("Almaty"), (int64_t)t,
                                           (int64_t)appeals + 1, &ev, &fired),
                             ERR_OK);
            alarms += fired;
            appeals++;
        }
        double per_week = (double)alarms / (weeks - 1); /* the first week is warm-up */
        print_message("steady stream, %.0f appeals/h on average: %zu appeals, %zu false alarms "
                      "in %d weeks (%.3f per week)\n",
                      levels[l], appeals, alarms, weeks - 1, per_week);
        assert_true(per_week <= 1.0);
        burst_free(b);
    }
}

static void
surge_found_within_a_window(void **state)
{
    (void)state;
    const int64_t window = 3600;
    int found = 0;
    const int surges = 12;
    for (int k = 0; k < surges; k++) {
        struct burst *b = make();
        uint64_t seed = 5000 + (uint64_t)k;
        /* three weeks of normal traffic, then a surge at some hour of day */
        int64_t start = T0 + 3 * WEEK + (int64_t)(next(&seed) % (7 * 24)) * HOUR + 1234;
        double t = T0;
        bool fired_before = false, detected = false;
        struct burst_event got;
        while (t < start + 2 * HOUR) {
            bool surging = t >= start;
            double level = 6, extra = surging ? 30 : 0;
            double next_t = (double)arrival(&seed, level, extra, level * 2 + extra, t);
            if (!surging && next_t >= start) {
                t = start; /* restart the process at the surge with the new rate */
                continue;
            }
            t = next_t;
            /* most of the surge's appeals are one complaint: cluster 777 */
            int64_t cluster =
                surging && uniform(&seed) < 0.7 ? 777 : (int64_t)(next(&seed) % 100000) + 1000;
            struct burst_event ev;
            bool fired;
            assert_int_equal(burst_observe(b, STR("water supply"), STR("Almaty"), (int64_t)t,
                                           cluster, &ev, &fired),
                             ERR_OK);
            if (fired && !surging)
                fired_before = true;
            if (fired && surging && !detected) {
                detected = true;
                got = ev;
            }
        }
        (void)fired_before; /* counted by the steady-stream test */
        assert_true(detected);
        assert_true(got.time >= start && got.time - start <= window);
        assert_true(llabs(got.start - start) <= window);
        assert_true(got.cluster_count >= 1);
        assert_int_equal(got.clusters[0], 777);
        assert_true(got.count >= 8 && got.expected < got.count / 2.5);
        assert_string_equal(got.topic, "water supply");
        assert_string_equal(got.region, "Almaty");
        char want[64];
        snprintf(want, sizeof(want), "%u appeals on water supply in Almaty in the last hour",
                 got.count);
        assert_true(strncmp(got.reason, want, strlen(want)) == 0);
        assert_non_null(strstr(got.reason, ", usually "));
        print_message("surge at %+lld s: found after %lld s, %s\n", (long long)(start - T0),
                      (long long)(got.time - start), got.reason);
        found++;
        burst_free(b);
    }
    assert_int_equal(found, surges);
}

static void
one_event_per_surge_and_reason(void **state)
{
    (void)state;
    struct burst_opts o;
    burst_opts_default(&o);
    o.warmup_s = 0;
    struct burst *b = NULL;
    assert_int_equal(burst_new(&o, &b), ERR_OK);
    struct burst_event ev;
    bool fired;
    int events = 0;
    /* nothing seen before: 8 in a few minutes is a burst at the 8th */
    for (int i = 1; i <= 30; i++) {
        assert_int_equal(burst_observe(b, STR("water supply"), STR("Almaty"), T0 + i * 10,
                                       i <= 5 ? 42 : 0, &ev, &fired),
                         ERR_OK);
        if (fired) {
            events++;
            assert_int_equal(i, 8);
            assert_string_equal(
                ev.reason, "8 appeals on water supply in Almaty in the last hour, usually none");
            assert_int_equal(ev.cluster_count, 1);
            assert_int_equal(ev.clusters[0], 42);
            assert_int_equal(ev.cluster_sizes[0], 5);
        }
    }
    assert_int_equal(events, 1);
    /* another region is another key */
    for (int i = 1; i <= 8; i++)
        assert_int_equal(
            burst_observe(b, STR("water supply"), STR("Astana"), T0 + 400 + i, 0, &ev, &fired),
            ERR_OK);
    assert_true(fired);
    assert_string_equal(ev.region, "Astana");
    burst_free(b);

    o.window_s = 2 * 3600;
    o.buckets = 24;
    assert_int_equal(burst_new(&o, &b), ERR_OK);
    for (int i = 1; i <= 8; i++)
        assert_int_equal(burst_observe(b, STR("дороги"), STR("Шымкент"), T0 + i, 0, &ev, &fired),
                         ERR_OK);
    assert_true(fired);
    assert_string_equal(ev.reason,
                        "8 appeals on дороги in Шымкент in the last 2 hours, usually none");
    burst_free(b);
}

static void
poisson_tail(void **state)
{
    (void)state;
    assert_true(burst_poisson_tail(0, 3) == 1);
    assert_true(fabs(burst_poisson_tail(1, 1) - 0.6321205588) < 1e-9);
    assert_true(fabs(burst_poisson_tail(10, 2) / 4.6498075017e-05 - 1) < 1e-6);
    assert_true(fabs(burst_poisson_tail(30, 5) / 2.8175176156e-14 - 1) < 1e-6);
    assert_true(fabs(burst_poisson_tail(100, 50) / 3.2000653246e-10 - 1) < 1e-6);
    assert_true(burst_poisson_tail(5, 0) == 0);
    assert_true(burst_poisson_tail(3, 50) > 0.999);
}

static void
bad_input(void **state)
{
    (void)state;
    struct burst_opts o;
    burst_opts_default(&o);
    o.key_max = 2;
    struct burst *b = NULL;
    assert_int_equal(burst_new(&o, &b), ERR_OK);
    struct burst_event ev;
    bool fired = true;
    assert_int_equal(burst_observe(b, STR(""), STR("Almaty"), T0, 0, &ev, &fired), ERR_INVALID);
    assert_false(fired);
    assert_int_equal(burst_observe(b, STR("roads"), STR(""), T0, 0, &ev, &fired), ERR_INVALID);
    assert_int_equal(burst_observe(b, STR("ro\xff"), STR("Almaty"), T0, 0, &ev, &fired),
                     ERR_INVALID);
    assert_int_equal(burst_observe(b, STR("a"), STR("x"), T0, 0, &ev, &fired), ERR_OK);
    assert_int_equal(burst_observe(b, STR("b"), STR("x"), T0, 0, &ev, &fired), ERR_OK);
    assert_int_equal(burst_observe(b, STR("c"), STR("x"), T0, 0, &ev, &fired), ERR_TOOBIG);
    assert_int_equal(burst_observe(b, STR("a"), STR("x"), T0 + 1, 0, &ev, &fired), ERR_OK);
    /* a long name is cut at a character boundary, and the cut name is the key */
    char name[300];
    for (int i = 0; i < 150; i++)
        memcpy(name + 2 * i, "ж", 2);
    assert_int_equal(burst_observe(b, (struct str){name, 300}, STR("x"), T0, 0, &ev, &fired),
                     ERR_TOOBIG); /* a third key */
    burst_free(b);

    const struct burst_opts good = o;
    struct burst_opts bad[6];
    for (int i = 0; i < 6; i++)
        bad[i] = good;
    bad[0].buckets = 0;
    bad[1].window_s = 3601; /* not a multiple of 12 parts */
    bad[2].alpha = 0;
    bad[3].p_max = 0.7;
    bad[4].min_ratio = 0.5;
    bad[5].key_max = 0;
    for (int i = 0; i < 6; i++) {
        b = NULL;
        assert_int_equal(burst_new(&bad[i], &b), ERR_INVALID);
        assert_null(b);
    }
    burst_free(NULL);
}

static void
long_names_are_cut(void **state)
{
    (void)state;
    struct burst_opts o;
    burst_opts_default(&o);
    o.warmup_s = 0;
    struct burst *b = NULL;
    assert_int_equal(burst_new(&o, &b), ERR_OK);
    char name[301];
    for (int i = 0; i < 150; i++)
        memcpy(name + 2 * i, "ж", 2);
    name[300] = '\0';
    struct burst_event ev;
    bool fired = false;
    for (int i = 1; i <= 8; i++)
        assert_int_equal(
            burst_observe(b, (struct str){name, 300}, STR("x"), T0 + i, 0, &ev, &fired), ERR_OK);
    assert_true(fired);
    assert_int_equal(strlen(ev.topic), BURST_NAME_MAX); /* 48 whole letters */
    assert_memory_equal(ev.topic, name, BURST_NAME_MAX);
    burst_free(b);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(steady_stream_few_false_alarms),
        cmocka_unit_test(surge_found_within_a_window),
        cmocka_unit_test(one_event_per_surge_and_reason),
        cmocka_unit_test(poisson_tail),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(long_names_are_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
