/*
 * weight.c - weighting a sample to population margins and the variance of
 * the weighted share. Exports op_weight() (post-stratification or raking by
 * iterative proportional fitting, with weight caps) and op_linvar() (the
 * linearisation variance as R's survey package computes it).
 */
#include "analytics/opinion.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "base/xalloc.h"

/* Every part of var b is a part of var a. */
static bool
covers(const struct op_var *a, const struct op_var *b)
{
    for (size_t i = 0; i < b->part_count; i++) {
        size_t j = 0;
        while (j < a->part_count && strcmp(a->part[j], b->part[i]) != 0)
            j++;
        if (j == a->part_count)
            return false;
    }
    return true;
}

/* The variable whose parts include every other variable's, or SIZE_MAX. */
static size_t
covering_var(const struct op_margins *m)
{
    for (size_t v = 0; v < m->var_count; v++) {
        size_t u = 0;
        while (u < m->var_count && covers(&m->var[v], &m->var[u]))
            u++;
        if (u == m->var_count)
            return v;
    }
    return SIZE_MAX;
}

/* Rows with d > 0 in each category of variable v. */
static void
cell_counts(const struct op_sample *s, const double *d, size_t v, size_t cat_count, size_t *count)
{
    memset(count, 0, cat_count * sizeof(size_t));
    const uint32_t *cat = &s->cat[v * s->n];
    for (size_t i = 0; i < s->n; i++)
        if (d[i] > 0)
            count[cat[i]]++;
}

/* Choose the method and the variables to weight to. */
static enum err
plan(struct arena *a, const struct op_sample *s, const double *d, const struct op_margins *m,
     const struct op_opts *o, struct op_weights *out, const char **why)
{
    size_t j = covering_var(m);
    size_t small = 0;
    if (j != SIZE_MAX) {
        size_t *count = ARENA_ARRAY(a, size_t, m->var[j].cat_count);
        cell_counts(s, d, j, m->var[j].cat_count, count);
        for (size_t k = 0; k < m->var[j].cat_count; k++)
            small += count[k] < o->min_cell;
    }
    if (o->method == OP_POSTSTRAT && j == SIZE_MAX) {
        *why = "post-stratification needs one margins variable that covers all the others"
               " (a joint such as sex:age)";
        return ERR_INVALID;
    }
    out->var_used_count = 0;
    if (o->method == OP_POSTSTRAT || (o->method == OP_AUTO && j != SIZE_MAX && small == 0) ||
        m->var_count == 1) {
        out->method = OP_POSTSTRAT;
        out->var_used[out->var_used_count++] = j;
        out->small_cells = small;
        return ERR_OK;
    }
    /* Rake to every variable but the covering joint whose cells are too
     * small: its parts are among the others. */
    out->method = OP_RAKE;
    for (size_t v = 0; v < m->var_count; v++)
        if (v != j)
            out->var_used[out->var_used_count++] = v;
    return ERR_OK;
}

/* Largest |weighted margin - target| / total over the used variables. */
static double
margin_error(const struct op_sample *s, const double *w, const struct op_margins *m,
             const struct op_weights *out, double *const *target, double *sum)
{
    double err = 0;
    for (size_t u = 0; u < out->var_used_count; u++) {
        size_t v = out->var_used[u];
        const uint32_t *cat = &s->cat[v * s->n];
        memset(sum, 0, m->var[v].cat_count * sizeof(double));
        for (size_t i = 0; i < s->n; i++)
            sum[cat[i]] += w[i];
        for (size_t k = 0; k < m->var[v].cat_count; k++)
            err = MAX(err, fabs(sum[k] - target[u][k]) / m->total);
    }
    return err;
}

/* Largest total-variation distance, over the used variables, between the
 * weighted shares of the categories and the population's: meeting that
 * margin exactly could move a 0/1 share by at most this much. */
static double
margin_tv(const struct op_sample *s, const double *w, const struct op_margins *m,
          const struct op_weights *out, double *const *target, double *sum)
{
    double W = 0, tv_max = 0;
    for (size_t i = 0; i < s->n; i++)
        W += w[i];
    for (size_t u = 0; u < out->var_used_count; u++) {
        size_t v = out->var_used[u];
        const uint32_t *cat = &s->cat[v * s->n];
        memset(sum, 0, m->var[v].cat_count * sizeof(double));
        for (size_t i = 0; i < s->n; i++)
            sum[cat[i]] += w[i];
        double tv = 0;
        for (size_t k = 0; k < m->var[v].cat_count; k++)
            tv += fabs(sum[k] / W - target[u][k] / m->total);
        tv_max = MAX(tv_max, tv / 2);
    }
    return tv_max;
}

/* Hold the weights of kept rows within the caps; counts the rows held. */
static void
trim(const struct op_sample *s, const double *d, double *w, const struct op_opts *o,
     struct op_weights *out)
{
    double total = 0;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++)
        if (d[i] > 0) {
            total += w[i];
            n++;
        }
    double mean = total / (double)n;
    double lo = o->cap_low > 0 ? o->cap_low * mean : 0;
    double hi = o->cap_high > 0 ? o->cap_high * mean : INFINITY;
    out->capped_low = out->capped_high = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!(d[i] > 0))
            continue;
        if (w[i] < lo) {
            w[i] = lo;
            out->capped_low++;
        } else if (w[i] > hi) {
            w[i] = hi;
            out->capped_high++;
        }
    }
}

enum err
op_weight(struct arena *a, const struct op_sample *s, const double *d, const struct op_margins *m,
          const struct op_opts *o, struct op_weights *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++)
        kept += d[i] > 0;
    if (kept == 0) {
        *why = "no rows left to weight";
        return ERR_UNPROCESSABLE;
    }
    enum err e = plan(a, s, d, m, o, out, why);
    if (e)
        return e;
    /* Targets: each variable scaled to the table's total, so that margins
     * within OP_SUM_TOL of each other can still be met exactly. */
    double *target[OP_VARS_MAX];
    size_t cat_max = 0;
    for (size_t u = 0; u < out->var_used_count; u++) {
        const struct op_var *var = &m->var[out->var_used[u]];
        double sum = 0;
        for (size_t k = 0; k < var->cat_count; k++)
            sum += var->pop[k];
        target[u] = ARENA_ARRAY(a, double, var->cat_count);
        for (size_t k = 0; k < var->cat_count; k++)
            target[u][k] = sum == m->total ? var->pop[k] : var->pop[k] * (m->total / sum);
        cat_max = MAX(cat_max, var->cat_count);
        size_t *count = ARENA_ARRAY(a, size_t, var->cat_count);
        cell_counts(s, d, out->var_used[u], var->cat_count, count);
        for (size_t k = 0; k < var->cat_count; k++) {
            if (count[k] == 0 && target[u][k] > 0) {
                *why = arena_printf(a,
                                    "cannot weight: no sample rows in %s=%s (population %.15g);"
                                    " merge categories or drop the variable",
                                    var->name, var->cat[k], var->pop[k]);
                return ERR_UNPROCESSABLE;
            }
        }
    }
    double *w = ARENA_ARRAY(a, double, s->n);
    double *sum = ARENA_ARRAY(a, double, cat_max);
    for (size_t i = 0; i < s->n; i++)
        w[i] = d[i] > 0 ? d[i] : 0;
    bool caps = o->cap_low > 0 || o->cap_high > 0;
    for (out->iterations = 1; out->iterations <= o->max_iter; out->iterations++) {
        for (size_t u = 0; u < out->var_used_count; u++) {
            size_t v = out->var_used[u];
            const uint32_t *cat = &s->cat[v * s->n];
            memset(sum, 0, m->var[v].cat_count * sizeof(double));
            for (size_t i = 0; i < s->n; i++)
                sum[cat[i]] += w[i];
            for (size_t i = 0; i < s->n; i++)
                if (w[i] > 0)
                    w[i] *= target[u][cat[i]] / sum[cat[i]];
        }
        if (caps)
            trim(s, d, w, o, out);
        out->margin_err = margin_error(s, w, m, out, target, sum);
        if (out->margin_err <= o->epsilon) {
            out->converged = true;
            break;
        }
    }
    if (out->iterations > o->max_iter)
        out->iterations = o->max_iter;
    out->margin_tv = margin_tv(s, w, m, out, target, sum);
    out->w = w;
    return ERR_OK;
}

void
op_linvar(const struct op_sample *s, const double *d, const struct op_margins *m,
          const struct op_weights *wt, double *mean, double *var)
{
    const double *w = wt->w;
    double W = 0, Wy = 0;
    size_t n = 0, cat_max = 0;
    for (size_t i = 0; i < s->n; i++) {
        if (!(d[i] > 0))
            continue;
        W += w[i];
        Wy += w[i] * s->y[i];
        n++;
    }
    *mean = Wy / W;
    for (size_t u = 0; u < wt->var_used_count; u++)
        cat_max = MAX(cat_max, m->var[wt->var_used[u]].cat_count);
    double *x = xcalloc(s->n, sizeof(double));
    double *acc = xcalloc(cat_max ? cat_max : 1, sizeof(double));
    double *den = xcalloc(cat_max ? cat_max : 1, sizeof(double));
    for (size_t i = 0; i < s->n; i++)
        x[i] = d[i] > 0 ? w[i] * (s->y[i] - *mean) / W : 0;
    /* Calibration residuals. For raking svyrecvar() takes, margin by margin
     * and OP_R_BACKFIT_SWEEPS times, the unweighted category mean of x / w
     * away (times w); for post-stratification the d-weighted mean of x / w. */
    int sweeps = wt->method == OP_RAKE ? OP_R_BACKFIT_SWEEPS : 1;
    for (int it = 0; it < sweeps; it++) {
        for (size_t u = 0; u < wt->var_used_count; u++) {
            size_t v = wt->var_used[u], cats = m->var[v].cat_count;
            const uint32_t *cat = &s->cat[v * s->n];
            memset(acc, 0, cats * sizeof(double));
            memset(den, 0, cats * sizeof(double));
            for (size_t i = 0; i < s->n; i++) {
                if (!(d[i] > 0))
                    continue;
                double z = w[i] > 0 ? x[i] / w[i] : 0;
                double f = wt->method == OP_RAKE ? 1 : d[i];
                acc[cat[i]] += f * z;
                den[cat[i]] += f;
            }
            for (size_t i = 0; i < s->n; i++)
                if (d[i] > 0)
                    x[i] -= w[i] * acc[cat[i]] / den[cat[i]];
        }
    }
    double xbar = 0, ss = 0;
    for (size_t i = 0; i < s->n; i++)
        if (d[i] > 0)
            xbar += x[i];
    xbar /= (double)n;
    for (size_t i = 0; i < s->n; i++)
        if (d[i] > 0)
            ss += (x[i] - xbar) * (x[i] - xbar);
    *var = n > 1 ? ss * (double)n / (double)(n - 1) : NAN;
    free(x);
    free(acc);
    free(den);
}
