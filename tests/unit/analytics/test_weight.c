/*
 * test_weight.c - weighting: post-stratification by hand, raking that meets
 * every margin, caps that bind (and the trimming loop that re-rakes), caps
 * that cannot be met (reported as not converged), the automatic choice
 * between post-stratification and raking, the error for an empty category,
 * and the post-stratified variance against the textbook formula.
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
margins(struct arena *a, struct op_margins *m, const char *csv)
{
    const char *why = NULL;
    if (op_margins_parse(a, str_from_cstr(csv), m, &why))
        fail_msg("margins: %s", why);
}

/* n rows, var_count columns; category of row i in var v from pick(). */
static void
sample(struct arena *a, struct op_sample *s, size_t n, size_t vars, const uint32_t *cats,
       const uint8_t *y)
{
    memset(s, 0, sizeof(*s));
    s->n = n;
    s->var_count = vars;
    s->cat = ARENA_ARRAY(a, uint32_t, n * vars);
    memcpy(s->cat, cats, n * vars * sizeof(uint32_t));
    s->y = ARENA_ARRAY(a, uint8_t, n);
    memcpy(s->y, y, n);
    s->d = ARENA_ARRAY(a, double, n);
    for (size_t i = 0; i < n; i++)
        s->d[i] = 1;
}

static void
poststratify_by_hand(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_opts o;
    struct op_weights w;
    const char *why;
    margins(a, &m, "variable,category,population\nsex,m,600\nsex,f,400\n");
    uint32_t cat[] = {0, 0, 0, 1, 1, 1, 1, 1};
    uint8_t y[] = {1, 0, 0, 1, 1, 1, 0, 1};
    sample(a, &s, 8, 1, cat, y);
    op_opts_default(&o);
    o.cap_low = o.cap_high = 0;
    o.min_cell = 3;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    assert_int_equal(w.method, OP_POSTSTRAT);
    assert_int_equal(w.iterations, 1);
    assert_true(w.converged);
    assert_true(fabs(w.w[0] - 200) < 1e-9 && fabs(w.w[7] - 80) < 1e-9);
    /* textbook: mean = sum_h N_h ybar_h / N, var from within-stratum residuals */
    double mean, var;
    op_linvar(&s, s.d, &m, &w, &mean, &var);
    double expect = (600 * (1.0 / 3) + 400 * (4.0 / 5)) / 1000;
    assert_true(fabs(mean - expect) < 1e-12);
    double ss = 0;
    for (size_t i = 0; i < 8; i++) {
        double ybar = cat[i] ? 0.8 : 1.0 / 3;
        double r = w.w[i] * (y[i] - ybar) / 1000;
        ss += r * r;
    }
    assert_true(fabs(var - ss * 8 / 7) < 1e-15);
    arena_free(a);
}

static struct op_sample
random_sample(struct arena *a, size_t n, uint64_t seed)
{
    struct prng g;
    struct op_sample s;
    prng_seed(&g, seed);
    uint32_t *cat = ARENA_ARRAY(a, uint32_t, 3 * n);
    uint8_t *y = ARENA_ARRAY(a, uint8_t, n);
    for (size_t i = 0; i < n; i++) {
        cat[i] = prng_unit(&g) < 0.7;                 /* sex: mostly f */
        cat[n + i] = (uint32_t)prng_below(&g, 3);     /* age */
        cat[2 * n + i] = prng_unit(&g) < 0.2 ? 1 : 0; /* urban: few rural */
        y[i] = prng_unit(&g) < 0.3 + 0.1 * cat[n + i];
    }
    sample(a, &s, n, 3, cat, y);
    return s;
}

static const char three[] = "variable,category,population\nsex,m,480\nsex,f,520\n"
                            "age,a,300\nage,b,350\nage,c,350\nurban,u,600\nurban,r,400\n";

static void
rake_meets_margins(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_opts o;
    struct op_weights w;
    const char *why;
    margins(a, &m, three);
    struct op_sample s = random_sample(a, 500, 1);
    op_opts_default(&o);
    o.cap_low = o.cap_high = 0;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    assert_int_equal(w.method, OP_RAKE);
    assert_int_equal(w.var_used_count, 3);
    assert_true(w.converged && w.iterations > 1);
    for (size_t v = 0; v < 3; v++) {
        double sum[3] = {0};
        for (size_t i = 0; i < s.n; i++)
            sum[s.cat[v * s.n + i]] += w.w[i];
        for (size_t k = 0; k < m.var[v].cat_count; k++)
            assert_true(fabs(sum[k] - m.var[v].pop[k]) < 1e-6);
    }
    arena_free(a);
}

static void
caps_bind_and_rerake(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_opts o;
    struct op_weights w;
    const char *why;
    margins(a, &m, three);
    struct op_sample s = random_sample(a, 500, 2);
    op_opts_default(&o);
    o.cap_low = 0.2;
    o.cap_high = 3;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    double mean = 1000.0 / 500;
    for (size_t i = 0; i < s.n; i++)
        assert_true(w.w[i] <= 3 * mean * (1 + 1e-6) && w.w[i] >= 0.2 * mean * (1 - 1e-6));
    assert_true(w.capped_high > 0);
    assert_true(w.converged);
    assert_true(w.margin_err <= o.epsilon);
    assert_true(w.margin_tv < 1e-9);

    o.cap_high = 1.01; /* the margins cannot be met with weights this even */
    o.cap_low = 0.99;
    o.max_iter = 50;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    assert_false(w.converged);
    assert_int_equal(w.iterations, 50);
    assert_true(w.margin_err > 0.01);
    /* near-equal weights keep the sample's own shares, far from the margins */
    assert_true(w.margin_tv > 0.01 && w.margin_tv < 1);
    arena_free(a);
}

static void
auto_choice_and_empty_cells(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_opts o;
    struct op_weights w;
    const char *why = NULL;
    margins(a, &m,
            "variable,category,population\nsex,m,480\nsex,f,520\nage,a,300\nage,b,350\nage,c,350\n"
            "sex:age,m:a,140\nsex:age,f:a,160\nsex:age,m:b,170\nsex:age,f:b,180\n"
            "sex:age,m:c,170\nsex:age,f:c,180\n");
    struct op_sample s3 = random_sample(a, 600, 3);
    /* the sample parser would fill the joint column; do it by hand */
    struct op_sample s = s3;
    s.var_count = 3;
    s.cat = ARENA_ARRAY(a, uint32_t, 3 * s.n);
    for (size_t i = 0; i < s.n; i++) {
        s.cat[i] = s3.cat[i];
        s.cat[s.n + i] = s3.cat[s.n + i];
        s.cat[2 * s.n + i] = s3.cat[s.n + i] * 2 + s3.cat[i];
    }
    op_opts_default(&o);
    o.cap_low = o.cap_high = 0;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    assert_int_equal(w.method, OP_POSTSTRAT);
    assert_int_equal(w.var_used[0], 2);
    o.min_cell = 1000; /* cells too small: rake to sex and age instead */
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_OK);
    assert_int_equal(w.method, OP_RAKE);
    assert_int_equal(w.var_used_count, 2);
    /* nobody in age c */
    for (size_t i = 0; i < s.n; i++)
        if (s.cat[s.n + i] == 2)
            s.d[i] = 0;
    assert_int_equal(op_weight(a, &s, s.d, &m, &o, &w, &why), ERR_UNPROCESSABLE);
    assert_non_null(strstr(why, "no sample rows in age=c"));
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(poststratify_by_hand),
        cmocka_unit_test(rake_meets_margins),
        cmocka_unit_test(caps_bind_and_rerake),
        cmocka_unit_test(auto_choice_and_empty_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
