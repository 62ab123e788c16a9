/*
 * test_prng.c - the seeded generator: the same seed gives the same stream,
 * different seeds differ, prng_unit() stays in [0, 1), prng_below() in
 * range and roughly uniform, prng_normal() with mean 0 and SD 1.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analytics/prng.h"

static void
reproducible(void **state)
{
    (void)state;
    struct prng a, b, c;
    prng_seed(&a, 42);
    prng_seed(&b, 42);
    prng_seed(&c, 43);
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = prng_next(&a);
        assert_true(x == prng_next(&b));
        same += x == prng_next(&c);
    }
    assert_int_equal(same, 0);
}

static void
ranges_and_moments(void **state)
{
    (void)state;
    struct prng g;
    prng_seed(&g, 7);
    int count[10] = {0};
    double s = 0, s2 = 0;
    const int n = 200000;
    for (int i = 0; i < n; i++) {
        double u = prng_unit(&g);
        assert_true(u >= 0 && u < 1);
        uint64_t k = prng_below(&g, 10);
        assert_true(k < 10);
        count[k]++;
        double z = prng_normal(&g);
        s += z;
        s2 += z * z;
    }
    for (int k = 0; k < 10; k++)
        assert_true(fabs(count[k] - n / 10.0) < 5 * sqrt(n * 0.09));
    assert_true(fabs(s / n) < 0.01);
    assert_true(fabs(s2 / n - 1) < 0.02);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reproducible),
        cmocka_unit_test(ranges_and_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
