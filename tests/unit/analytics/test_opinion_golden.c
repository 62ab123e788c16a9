/*
 * test_opinion_golden.c - conformance with R's survey package: for each case
 * in tests/golden/opinion/ (a sample, its margins, and the weights, estimate,
 * SE and deff that rake() or postStratify() and svymean() gave), our weights
 * and numbers must match to 1e-6 relative. When Rscript and the survey
 * package are installed, make_golden.R is run again into a temporary folder
 * and we compare with that live output as well (and the live output with
 * the committed one). TYNDAU_GOLDEN_DIR overrides the folder.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "analytics/csv.h"
#include "analytics/opinion.h"
#include "base/arena.h"
#include "base/buf.h"

#define REL_TOL 1e-6

static const char *const cases[] = {"rake3", "rake4w", "ps"};

static const char *
golden_dir(void)
{
    const char *d = getenv("TYNDAU_GOLDEN_DIR");
    return d ? d : "tests/golden/opinion";
}

/* The file's bytes living in a, or NULL. */
static struct str
slurp(struct arena *a, const char *dir, const char *name, const char *suffix)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s%s", dir, name, suffix);
    FILE *f = fopen(path, "rb");
    if (!f)
        return STR_NULL;
    struct buf b = BUF_INIT((size_t)1 << 26);
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    struct str s = {arena_strndup(a, b.p ? b.p : "", b.len), b.len};
    buf_fini(&b);
    return s;
}

/* Column 1 of a two-column CSV with a header, as numbers. */
static double *
read_column(struct arena *a, struct str csv, size_t *count)
{
    struct csv c;
    struct str f[4];
    size_t nf, n = 0, cap = 16;
    double *x = ARENA_ARRAY(a, double, cap);
    csv_init(&c, csv);
    assert_int_equal(csv_next(&c, a, f, 4, &nf), ERR_OK); /* header */
    for (;;) {
        assert_int_equal(csv_next(&c, a, f, 4, &nf), ERR_OK);
        if (nf == 0)
            break;
        assert_int_equal(nf, 2);
        if (n == cap) {
            double *bigger = ARENA_ARRAY(a, double, cap * 2);
            memcpy(bigger, x, cap * sizeof(double));
            x = bigger;
            cap *= 2;
        }
        assert_int_equal(str_to_double(f[1], &x[n]), ERR_OK);
        n++;
    }
    *count = n;
    return x;
}

static double
rel_err(double ours, double theirs)
{
    double scale = fabs(theirs) > 1e-300 ? fabs(theirs) : 1;
    return fabs(ours - theirs) / scale;
}

struct ours {
    struct op_sample s;
    struct op_result r;
};

/* Our estimate for a case, with no caps and a tight tolerance: R's rake()
 * has no caps. */
static void
run_ours(struct arena *a, const char *dir, const char *name, struct ours *o)
{
    struct op_margins m;
    struct op_opts opts;
    const char *why = NULL;
    struct str ms = slurp(a, dir, name, ".margins.csv");
    struct str ss = slurp(a, dir, name, ".sample.csv");
    if (!ms.p || !ss.p)
        fail_msg("cannot read %s/%s.{margins,sample}.csv", dir, name);
    if (op_margins_parse(a, ms, &m, &why))
        fail_msg("%s margins: %s", name, why);
    if (op_sample_parse(a, ss, &m, &o->s, &why))
        fail_msg("%s sample: %s", name, why);
    op_opts_default(&opts);
    opts.cap_low = 0;
    opts.cap_high = 0;
    opts.epsilon = 1e-14;
    opts.max_iter = 100000;
    if (op_estimate(a, &o->s, &m, &opts, &o->r, &why))
        fail_msg("%s estimate: %s", name, why);
}

/* Compare ours with R's files in dir; returns the largest relative error. */
static double
compare(struct arena *a, const char *name, const struct ours *o, const char *dir)
{
    size_t nw = 0, nr = 0;
    struct str wcsv = slurp(a, dir, name, ".weights.csv");
    struct str rcsv = slurp(a, dir, name, ".result.csv");
    if (!wcsv.p || !rcsv.p)
        fail_msg("cannot read %s/%s.{weights,result}.csv", dir, name);
    double *w = read_column(a, wcsv, &nw);
    double *res = read_column(a, rcsv, &nr);
    assert_int_equal(nw, o->s.n);
    assert_int_equal(nr, 4); /* estimate, se, deff, n */
    double worst_w = 0;
    for (size_t i = 0; i < nw; i++)
        worst_w = fmax(worst_w, rel_err(o->r.wt.w[i], w[i]));
    double e_est = rel_err(o->r.estimate, res[0]);
    double e_se = rel_err(o->r.se, res[1]);
    double e_deff = rel_err(o->r.deff, res[2]);
    print_message("golden %-7s %-28s weights %.2e  estimate %.2e  se %.2e  deff %.2e"
                  "  (R: %.10f se %.10f; ours %.10f se %.10f)\n",
                  name, dir, worst_w, e_est, e_se, e_deff, res[0], res[1], o->r.estimate, o->r.se);
    assert_true(worst_w < REL_TOL);
    assert_true(e_est < REL_TOL);
    assert_true(e_se < REL_TOL);
    assert_true(e_deff < REL_TOL);
    assert_int_equal((size_t)res[3], o->s.n);
    return fmax(fmax(worst_w, e_est), fmax(e_se, e_deff));
}

static void
matches_committed(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct arena *a = arena_new();
        struct ours o;
        run_ours(a, golden_dir(), cases[k], &o);
        (void)compare(a, cases[k], &o, golden_dir());
        assert_true(o.r.wt.converged);
        arena_free(a);
    }
}

static bool
have_r_survey(void)
{
    return system("Rscript -e 'suppressPackageStartupMessages(library(survey))'"
                  " >/dev/null 2>&1") == 0;
}

static void
matches_live_r(void **state)
{
    (void)state;
    if (!have_r_survey()) {
        print_message("Rscript with the survey package not installed: live comparison"
                      " skipped\n");
        skip();
    }
    char tmp[] = "/tmp/tyndau-golden-XXXXXX";
    if (!mkdtemp(tmp))
        fail_msg("mkdtemp failed");
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "Rscript %s/make_golden.R %s %s >/dev/null", golden_dir(),
             golden_dir(), tmp);
    assert_int_equal(system(cmd), 0);
    for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
        struct arena *a = arena_new();
        struct ours o;
        run_ours(a, golden_dir(), cases[k], &o);
        (void)compare(a, cases[k], &o, tmp);
        /* and R today against R when the files were committed */
        size_t n1, n2;
        double *now = read_column(a, slurp(a, tmp, cases[k], ".result.csv"), &n1);
        double *then = read_column(a, slurp(a, golden_dir(), cases[k], ".result.csv"), &n2);
        assert_int_equal(n1, n2);
        for (size_t i = 0; i < n1; i++)
            assert_true(rel_err(now[i], then[i]) < 1e-9);
        arena_free(a);
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
    (void)system(cmd);
}

/* Default caps (0.2-5x the mean) that do not bind change nothing: on the
 * post-stratified case, whose weights are within 0.37-3.8x, they give R's
 * numbers. On rake3 (weights up to 9.4x) they bind, and every weight ends
 * within them. */
static void
default_caps(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        bool binds;
    } k[] = {{"ps", false}, {"rake3", true}};
    for (size_t c = 0; c < 2; c++) {
        struct arena *a = arena_new();
        struct ours o;
        struct op_margins m;
        struct op_opts opts;
        struct op_result r;
        const char *why;
        run_ours(a, golden_dir(), k[c].name, &o);
        double hi = o.r.w_max / o.r.w_mean;
        assert_true(k[c].binds == (hi > 5));
        assert_int_equal(
            op_margins_parse(a, slurp(a, golden_dir(), k[c].name, ".margins.csv"), &m, &why),
            ERR_OK);
        op_opts_default(&opts);
        opts.epsilon = 1e-14;
        assert_int_equal(op_estimate(a, &o.s, &m, &opts, &r, &why), ERR_OK);
        assert_true(r.wt.converged);
        if (!k[c].binds) {
            assert_int_equal(r.wt.capped_low + r.wt.capped_high, 0);
            assert_true(rel_err(r.se, o.r.se) < 1e-9);
            assert_true(rel_err(r.estimate, o.r.estimate) < 1e-9);
        } else {
            assert_true(r.wt.capped_high > 0);
            assert_true(r.w_max <= 5 * r.w_mean * (1 + 1e-9));
            assert_true(r.w_min >= 0.2 * r.w_mean * (1 - 1e-9));
            assert_true(r.n_eff > o.r.n_eff);
        }
        arena_free(a);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_committed),
        cmocka_unit_test(default_caps),
        cmocka_unit_test(matches_live_r),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
