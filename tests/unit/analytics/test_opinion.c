/*
 * test_opinion.c - the whole estimate: the normal quantile, Rogan-Gladen,
 * the selection band, bot exclusion and its effect, a seeded bootstrap that
 * repeats itself and agrees with the linearised SE, the low-confidence
 * reasons, and bad options.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/opinion.h"
#include "analytics/prng.h"

static void
normal_quantile(void **state)
{
    (void)state;
    assert_true(fabs(op_z(0.95) - 1.959963984540054) < 1e-13);
    assert_true(fabs(op_z(0.90) - 1.6448536269514722) < 1e-13);
    assert_true(fabs(op_z(0.99) - 2.5758293035489004) < 1e-13);
    assert_true(fabs(op_z(0.999) - 3.2905267314918945) < 1e-12);
}

static void
rogan_gladen(void **state)
{
    (void)state;
    double p, v;
    assert_int_equal(op_rogan_gladen(0.3, 0.0004, 0.9, 0.8, 0, 0, &p, &v), ERR_OK);
    assert_true(fabs(p - 0.1 / 0.7) < 1e-15);
    assert_true(fabs(v - 0.0004 / 0.49) < 1e-15);
    assert_int_equal(op_rogan_gladen(0.3, 0.0004, 0.9, 0.8, 100, 200, &p, &v), ERR_OK);
    double pc = 0.1 / 0.7;
    double expect = (0.0004 + pc * pc * 0.09 / 100 + (1 - pc) * (1 - pc) * 0.16 / 200) / 0.49;
    assert_true(fabs(v - expect) < 1e-15);
    assert_int_equal(op_rogan_gladen(0.05, 0, 0.9, 0.8, 0, 0, &p, &v), ERR_OK);
    assert_true(p == 0); /* clipped */
    assert_int_equal(op_rogan_gladen(0.3, 0, 0.5, 0.5, 0, 0, &p, &v), ERR_INVALID);
}

static void
band(void **state)
{
    (void)state;
    double lo, hi;
    op_band(0.4, 0.5, 1, 0.3, &lo, &hi);
    assert_true(lo == 0.4 && hi == 0.5);
    op_band(0.4, 0.5, 0.5, 0.1, &lo, &hi);
    assert_true(fabs(lo - 0.35) < 1e-15 && fabs(hi - 0.55) < 1e-15);
    op_band(0.05, 0.97, 0, 0.1, &lo, &hi);
    assert_true(lo == 0 && hi == 1);
}

static const char margins_csv[] = "variable,category,population\nsex,m,4800\nsex,f,5200\n"
                                  "age,a,3000\nage,b,3500\nage,c,3500\n";

/* n authors; the first bots of them bots with y = 1 and score 0.95. */
static void
make(struct arena *a, struct op_margins *m, struct op_sample *s, size_t n, size_t bots,
     uint64_t seed)
{
    const char *why = NULL;
    struct prng g;
    if (op_margins_parse(a, str_from_cstr(margins_csv), m, &why))
        fail_msg("%s", why);
    prng_seed(&g, seed);
    memset(s, 0, sizeof(*s));
    s->n = n;
    s->var_count = 2;
    s->cat = ARENA_ARRAY(a, uint32_t, 2 * n);
    s->y = ARENA_ARRAY(a, uint8_t, n);
    s->d = ARENA_ARRAY(a, double, n);
    s->bot = ARENA_ARRAY(a, double, n);
    for (size_t i = 0; i < n; i++) {
        s->cat[i] = prng_unit(&g) < 0.35;
        s->cat[n + i] = prng_unit(&g) < 0.5 ? 0 : (uint32_t)(1 + prng_below(&g, 2));
        s->y[i] = i < bots ? 1 : prng_unit(&g) < 0.25 + 0.15 * s->cat[n + i];
        s->d[i] = 1;
        s->bot[i] = i < bots ? 0.95 : 0.05 * prng_unit(&g);
    }
}

static void
bots_excluded(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r, keep;
    const char *why;
    make(a, &m, &s, 2000, 300, 11);
    op_opts_default(&o);
    o.coverage = 1;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_int_equal(r.n_rows, 2000);
    assert_int_equal(r.n, 1700);
    assert_int_equal(r.n_bots, 300);
    assert_true(r.wt.w[0] == 0);
    o.bots = OP_BOTS_KEEP;
    assert_int_equal(op_estimate(a, &s, &m, &o, &keep, &why), ERR_OK);
    assert_int_equal(keep.n, 2000);
    assert_true(fabs(r.bot_effect - (keep.estimate - r.estimate)) < 1e-9);
    assert_true(r.bot_effect > 0.05);
    assert_true(r.low_confidence && (r.reasons & OP_LOW_BOTS));
    assert_true(r.naive > r.naive_filtered);
    o.bots = OP_BOTS_DOWNWEIGHT;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_int_equal(r.n, 2000);
    assert_true(r.estimate < keep.estimate);
    arena_free(a);
}

static void
bootstrap_seeded(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r1, r2, r3;
    const char *why;
    make(a, &m, &s, 1500, 0, 12);
    op_opts_default(&o);
    o.bootstrap = 300;
    o.seed = 99;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r1, &why), ERR_OK);
    assert_int_equal(op_estimate(a, &s, &m, &o, &r2, &why), ERR_OK);
    o.seed = 100;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r3, &why), ERR_OK);
    assert_int_equal(r1.boot_ok, 300);
    assert_true(r1.boot_se == r2.boot_se && r1.boot_low == r2.boot_low);
    assert_true(r1.boot_se != r3.boot_se);
    assert_true(fabs(r1.boot_se / r1.se - 1) < 0.2);
    assert_true(r1.boot_low < r1.estimate && r1.estimate < r1.boot_high);
    arena_free(a);
}

static void
confidence_flag(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r;
    const char *why;
    make(a, &m, &s, 3000, 0, 13);
    op_opts_default(&o);
    o.coverage = 1;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_false(r.low_confidence);
    assert_true(r.band_low == fmax(0, r.ci_low) && r.band_high == r.ci_high);
    o.coverage = 0; /* n / N = 0.3: most people unseen */
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_true(fabs(r.coverage - 0.3) < 1e-12);
    assert_true(r.low_confidence && r.reasons == OP_LOW_BAND);
    assert_true(r.band_low < r.ci_low && r.band_high > r.ci_high);
    /* classifier correction widens the interval */
    o.coverage = 1;
    o.sens = 0.9;
    o.spec = 0.85;
    o.sens_n = 200;
    o.spec_n = 300;
    struct op_result c;
    assert_int_equal(op_estimate(a, &s, &m, &o, &c, &why), ERR_OK);
    assert_true(c.corrected && c.estimate_raw == r.estimate);
    assert_true(c.se > r.se / 0.75);
    arena_free(a);
}

/* Raking that stops short of the margins raises the flag only when the
 * shortfall could move the share by more than the CI's half-width. */
static void
shortfall_flag(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r;
    const char *why;
    make(a, &m, &s, 3000, 0, 15);
    op_opts_default(&o);
    o.coverage = 1;
    o.max_iter = 1; /* one sweep: close to the margins, not within epsilon */
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_false(r.wt.converged);
    assert_true(r.wt.margin_tv < (r.ci_high - r.ci_low) / 2);
    assert_false(r.reasons & OP_LOW_NOCONV);
    o.max_iter = 200;
    o.cap_low = 0.999; /* weights this even cannot meet the margins */
    o.cap_high = 1.001;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_false(r.wt.converged);
    assert_true(r.wt.margin_tv > (r.ci_high - r.ci_low) / 2);
    assert_true(r.low_confidence && (r.reasons & OP_LOW_NOCONV));
    arena_free(a);
}

/* The band reason: the channel sees under half the population. */
static void
band_reason_by_coverage(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r;
    const char *why;
    make(a, &m, &s, 3000, 0, 16);
    op_opts_default(&o);
    o.coverage = 0.58; /* adults on any network */
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_false(r.reasons & OP_LOW_BAND);
    assert_true(fabs((r.band_high - r.ci_high) - 0.42 * 0.20) < 1e-12);
    o.coverage = 0.329; /* VK alone */
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_true(r.low_confidence && r.reasons == OP_LOW_BAND);
    o.delta = 0; /* no allowance for the unseen: the band is the CI */
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_OK);
    assert_false(r.low_confidence);
    arena_free(a);
}

static void
bad_options(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_result r;
    const char *why;
    make(a, &m, &s, 100, 0, 14);
    op_opts_default(&o);
    o.cap_high = 0.5;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_INVALID);
    op_opts_default(&o);
    o.sens = 0.4;
    o.spec = 0.5;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_INVALID);
    assert_non_null(strstr(why, "chance"));
    op_opts_default(&o);
    o.level = 1;
    assert_int_equal(op_estimate(a, &s, &m, &o, &r, &why), ERR_INVALID);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normal_quantile),
        cmocka_unit_test(rogan_gladen),
        cmocka_unit_test(band),
        cmocka_unit_test(bots_excluded),
        cmocka_unit_test(bootstrap_seeded),
        cmocka_unit_test(confidence_flag),
        cmocka_unit_test(shortfall_flag),
        cmocka_unit_test(band_reason_by_coverage),
        cmocka_unit_test(bad_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
