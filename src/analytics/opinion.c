/*
 * opinion.c - the whole opinion estimate: bots, weighting, variance,
 * bootstrap, classifier correction, selection band and low-confidence flag.
 * Exports op_opts_default(), op_estimate(), op_rogan_gladen(), op_band(),
 * op_z(), op_method_name() and op_reason_name().
 */
#include "analytics/opinion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/prng.h"
#include "base/util.h"

enum { BOOT_MAX = 100000 };

void
op_opts_default(struct op_opts *o)
{
    *o = (struct op_opts){
        .method = OP_AUTO,
        .cap_low = 0.2,
        .cap_high = 5,
        .epsilon = 1e-10,
        .max_iter = 1000,
        .min_cell = 20,
        .bots = OP_BOTS_EXCLUDE,
        .bot_threshold = 0.5,
        .level = 0.95,
        .delta = 0.20,
    };
}

const char *
op_method_name(enum op_method m)
{
    switch (m) {
    case OP_AUTO:
        return "auto";
    case OP_POSTSTRAT:
        return "poststratify";
    case OP_RAKE:
        return "rake";
    }
    return "?";
}

const char *
op_reason_name(enum op_reason r)
{
    switch (r) {
    case OP_LOW_BAND:
        return "band";
    case OP_LOW_BOTS:
        return "bots";
    case OP_LOW_NEFF:
        return "n_eff";
    case OP_LOW_NOCONV:
        return "not_converged";
    case OP_LOW_SMALLCELLS:
        return "small_cells";
    }
    return "?";
}

/* Acklam's rational approximation of the normal quantile, polished by two
 * Halley steps on erfc() to full double precision. */
static double
qnorm(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    double x;
    if (p < 0.02425) {
        double q = sqrt(-2 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else if (p > 1 - 0.02425) {
        double q = sqrt(-2 * log(1 - p));
        x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    for (int i = 0; i < 2; i++) {
        double e = 0.5 * erfc(-x / M_SQRT2) - p;
        double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
        x = x - u / (1 + x * u / 2);
    }
    return x;
}

double
op_z(double level)
{
    return qnorm(1 - (1 - level) / 2);
}

enum err
op_rogan_gladen(double p, double var, double sens, double spec, size_t sens_n, size_t spec_n,
                double *p_out, double *var_out)
{
    double j = sens + spec - 1; /* Youden's J */
    if (!(j > 0) || sens > 1 || spec > 1)
        return ERR_INVALID;
    double pc = (p + spec - 1) / j;
    pc = pc < 0 ? 0 : pc > 1 ? 1 : pc;
    double v = var;
    if (sens_n > 0)
        v += pc * pc * sens * (1 - sens) / (double)sens_n;
    if (spec_n > 0)
        v += (1 - pc) * (1 - pc) * spec * (1 - spec) / (double)spec_n;
    *p_out = pc;
    *var_out = v / (j * j);
    return ERR_OK;
}

static double
clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

void
op_band(double lo, double hi, double coverage, double delta, double *low, double *high)
{
    double c = clamp01(coverage);
    lo = clamp01(lo);
    hi = clamp01(hi);
    *low = c * lo + (1 - c) * MAX(0.0, lo - delta);
    *high = c * hi + (1 - c) * MIN(1.0, hi + delta);
}

static enum err
check_opts(const struct op_opts *o, const char **why)
{
    *why = NULL;
    if (!(o->cap_low >= 0 && o->cap_low < 1))
        *why = "cap_low must be in [0, 1)";
    else if (!(o->cap_high == 0 || o->cap_high > 1))
        *why = "cap_high must be 0 (none) or greater than 1";
    else if (!(o->epsilon > 0) || o->max_iter < 1)
        *why = "epsilon must be > 0 and max_iter >= 1";
    else if (!(o->level > 0 && o->level < 1))
        *why = "level must be in (0, 1)";
    else if (o->bootstrap < 0 || o->bootstrap > BOOT_MAX)
        *why = "bootstrap must be between 0 and 100000 replicates";
    else if (!(o->sens >= 0 && o->sens <= 1 && o->spec >= 0 && o->spec <= 1))
        *why = "sensitivity and specificity must be in [0, 1]";
    else if ((o->sens > 0 || o->spec > 0) && !(o->sens + o->spec > 1))
        *why = "sensitivity + specificity must exceed 1 (a classifier better than chance)";
    else if (!(o->coverage >= 0 && o->coverage <= 1) || !(o->delta >= 0 && o->delta <= 1))
        *why = "coverage and delta must be in [0, 1]";
    else if (!(o->bot_threshold > 0 && o->bot_threshold <= 1))
        *why = "bot_threshold must be in (0, 1]";
    return *why ? ERR_INVALID : ERR_OK;
}

/* The design weights after the bot filter; counts the bots. */
static double *
bot_weights(struct arena *a, const struct op_sample *s, const struct op_opts *o, size_t *bots)
{
    double *d = ARENA_ARRAY(a, double, s->n);
    *bots = 0;
    for (size_t i = 0; i < s->n; i++) {
        d[i] = s->d[i];
        if (!s->bot)
            continue;
        *bots += s->bot[i] >= o->bot_threshold;
        if (o->bots == OP_BOTS_EXCLUDE && s->bot[i] >= o->bot_threshold)
            d[i] = 0;
        else if (o->bots == OP_BOTS_DOWNWEIGHT)
            d[i] *= 1 - s->bot[i];
    }
    return d;
}

static double
weighted_share(const struct op_sample *s, const double *w)
{
    double W = 0, Wy = 0;
    for (size_t i = 0; i < s->n; i++) {
        W += w[i];
        Wy += w[i] * s->y[i];
    }
    return W > 0 ? Wy / W : NAN;
}

static int
cmp_double(const void *pa, const void *pb)
{
    double x = *(const double *)pa, y = *(const double *)pb;
    return (x > y) - (x < y);
}

/* Type 7 quantile of sorted x[0..n). */
static double
quantile(const double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)floor(h);
    size_t hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - (double)lo) * (x[hi] - x[lo]);
}

/* Resample the kept rows with replacement and re-weight, o->bootstrap
 * times; a replicate that cannot be weighted counts as failed. */
static void
bootstrap(const struct op_sample *s, const double *d, const struct op_margins *m,
          const struct op_opts *o, struct op_result *r)
{
    size_t nk = 0;
    for (size_t i = 0; i < s->n; i++)
        nk += d[i] > 0;
    struct arena *keep = arena_new();
    size_t *kept = ARENA_ARRAY(keep, size_t, nk);
    double *est = ARENA_ARRAY(keep, double, (size_t)o->bootstrap);
    for (size_t i = 0, k = 0; i < s->n; i++)
        if (d[i] > 0)
            kept[k++] = i;
    struct prng g;
    prng_seed(&g, o->seed);
    struct op_opts ro = *o;
    ro.method = r->wt.method;
    for (int b = 0; b < o->bootstrap; b++) {
        struct arena *a = arena_new();
        struct op_sample rs = {.n = nk, .var_count = s->var_count};
        rs.cat = ARENA_ARRAY(a, uint32_t, s->var_count * nk);
        rs.y = ARENA_ARRAY(a, uint8_t, nk);
        rs.d = ARENA_ARRAY(a, double, nk);
        for (size_t j = 0; j < nk; j++) {
            size_t i = kept[prng_below(&g, nk)];
            rs.y[j] = s->y[i];
            rs.d[j] = d[i];
            for (size_t v = 0; v < s->var_count; v++)
                rs.cat[v * nk + j] = s->cat[v * s->n + i];
        }
        struct op_weights wt;
        const char *why;
        if (op_weight(a, &rs, rs.d, m, &ro, &wt, &why) == ERR_OK) {
            double p = weighted_share(&rs, wt.w), v;
            if (r->corrected)
                (void)op_rogan_gladen(p, 0, o->sens, o->spec, 0, 0, &p, &v);
            est[r->boot_ok++] = p;
        } else {
            r->boot_failed++;
        }
        arena_free(a);
    }
    if (r->boot_ok > 1) {
        size_t k = (size_t)r->boot_ok;
        double mean = 0, ss = 0;
        for (size_t i = 0; i < k; i++)
            mean += est[i];
        mean /= (double)k;
        for (size_t i = 0; i < k; i++)
            ss += (est[i] - mean) * (est[i] - mean);
        r->boot_se = sqrt(ss / (double)(k - 1));
        qsort(est, k, sizeof(double), cmp_double);
        r->boot_low = quantile(est, k, (1 - o->level) / 2);
        r->boot_high = quantile(est, k, 1 - (1 - o->level) / 2);
    }
    arena_free(keep);
}

static void
weight_summary(const struct op_sample *s, const double *d, struct op_result *r)
{
    double W = 0, W2 = 0, lo = INFINITY, hi = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!(d[i] > 0))
            continue;
        double w = r->wt.w[i];
        W += w;
        W2 += w * w;
        lo = MIN(lo, w);
        hi = MAX(hi, w);
        n++;
    }
    r->n = n;
    r->n_eff = W * W / W2;
    r->deff_kish = (double)n / r->n_eff;
    r->w_mean = W / (double)n;
    r->w_min = lo;
    r->w_max = hi;
    double var = W2 / (double)n - r->w_mean * r->w_mean;
    r->w_cv = sqrt(MAX(var, 0.0)) / r->w_mean;
}

/* svymean(deff = TRUE): var over the SRS variance without replacement,
 * svyvar() * (N - n) / (N n) with N the sum of the weights. */
static double
design_effect(const struct op_sample *s, const double *d, const struct op_result *r, double var)
{
    double W = 0, ss = 0, n = (double)r->n;
    for (size_t i = 0; i < s->n; i++) {
        if (!(d[i] > 0))
            continue;
        double e = s->y[i] - r->estimate_raw;
        W += r->wt.w[i];
        ss += r->wt.w[i] * e * e;
    }
    double svyvar = ss / W * n / (n - 1);
    if (W < n || !(svyvar > 0))
        return NAN;
    return var / (svyvar * (W - n) / (W * n));
}

/* The flag says what the data show is wrong (bots, too few, margins not
 * met) and whether the whole-population band rests more on the people the
 * channel cannot see than on those it can. Selection that runs through
 * something unmeasured cannot be seen in the sample at all: the band, not
 * the flag, is what covers it. */
static void
flag(const struct op_result *r, struct op_result *out)
{
    double half = (r->ci_high - r->ci_low) / 2;
    unsigned reasons = 0;
    if (r->coverage < OP_COVERAGE_MIN && r->delta > 0)
        reasons |= OP_LOW_BAND;
    if (fabs(r->bot_effect) > half)
        reasons |= OP_LOW_BOTS;
    if (!(r->n_eff >= OP_NEFF_MIN))
        reasons |= OP_LOW_NEFF;
    if (!r->wt.converged && r->wt.margin_tv > half)
        reasons |= OP_LOW_NOCONV;
    if (r->wt.small_cells)
        reasons |= OP_LOW_SMALLCELLS;
    out->reasons = reasons;
    out->low_confidence = reasons != 0;
}

enum err
op_estimate(struct arena *a, const struct op_sample *s, const struct op_margins *m,
            const struct op_opts *o, struct op_result *r, const char **why)
{
    memset(r, 0, sizeof(*r));
    enum err e = check_opts(o, why);
    if (e)
        return e;
    if (s->n == 0 || s->var_count != m->var_count) {
        *why = s->n == 0 ? "the sample is empty" : "sample and margins do not match";
        return ERR_INVALID;
    }
    r->n_rows = s->n;
    double *d = bot_weights(a, s, o, &r->n_bots);
    size_t ones = 0;
    for (size_t i = 0; i < s->n; i++)
        ones += s->y[i];
    r->naive = (double)ones / (double)s->n;
    r->naive_filtered = weighted_share(s, d);
    r->naive_posts = s->post_count ? s->naive_posts : -1;
    if ((e = op_weight(a, s, d, m, o, &r->wt, why)))
        return e;
    double var;
    op_linvar(s, d, m, &r->wt, &r->estimate, &var);
    r->estimate_raw = r->estimate;
    r->se_raw = sqrt(var);
    weight_summary(s, d, r);
    r->deff = design_effect(s, d, r, var);
    if (o->sens > 0 || o->spec > 0) {
        (void)op_rogan_gladen(r->estimate_raw, var, o->sens, o->spec, o->sens_n, o->spec_n,
                              &r->estimate, &var);
        r->corrected = true;
    }
    r->se = sqrt(var);
    double z = op_z(o->level);
    r->ci_low = r->estimate - z * r->se;
    r->ci_high = r->estimate + z * r->se;
    if (o->bootstrap > 0)
        bootstrap(s, d, m, o, r);
    if (s->bot && o->bots != OP_BOTS_KEEP && r->n_bots > 0) {
        struct op_weights all;
        const char *ignored;
        if (op_weight(a, s, s->d, m, o, &all, &ignored) == ERR_OK) {
            double p = weighted_share(s, all.w), v;
            if (r->corrected)
                (void)op_rogan_gladen(p, 0, o->sens, o->spec, 0, 0, &p, &v);
            r->bot_effect = p - r->estimate;
        }
    }
    r->delta = o->delta;
    r->coverage = o->coverage > 0 ? o->coverage : MIN(1.0, (double)r->n / m->total);
    op_band(r->ci_low, r->ci_high, r->coverage, r->delta, &r->band_low, &r->band_high);
    flag(r, r);
    return ERR_OK;
}
