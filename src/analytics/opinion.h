/*
 * opinion.h - honest opinion measurement. A sample of authors, each with a
 * 0/1 stance y and categories of the weighting variables (region, sex, age,
 * urban, ...), is weighted to population margins: post-stratification when
 * one table covers every variable and all its cells are large enough,
 * otherwise raking (iterative proportional fitting) with capped weights.
 * The result carries the weighted and unweighted shares, n, Kish's n_eff,
 * the design effect, a 95% CI by linearisation computed as R's survey
 * package does for svymean() on a raked or post-stratified design, an
 * optional bootstrap that re-rakes every replicate, a Rogan-Gladen
 * correction for classifier error, a selection-sensitivity band for the
 * people the channel cannot see, and a low-confidence flag.
 *
 * Pure: no I/O, no globals, no clock. Callers read files and pass bytes.
 * Everything a call makes lives in the arena it is given.
 *
 * Exports struct op_var, op_margins, op_sample, op_opts, op_weights,
 * op_result, op_channels; op_margins_parse(), op_margins_check(),
 * op_margins_sourced(), op_channels_parse(), op_channels_sourced(),
 * op_channel_share(), op_sample_parse(),
 * op_collapse(), op_opts_default(), op_weight(), op_linvar(), op_estimate(),
 * op_rogan_gladen(), op_band(), op_method_name(), op_reason_name().
 */
#ifndef ANALYTICS_OPINION_H
#define ANALYTICS_OPINION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum {
    OP_VARS_MAX = 16,     /* weighting variables in one margins table */
    OP_PARTS_MAX = 8,     /* variables joined in one joint ("sex:age") */
    OP_CATS_MAX = 100000, /* categories of one variable */
};
#define OP_ROWS_MAX ((size_t)50000000) /* rows of a sample */
#define OP_SUM_TOL 0.001               /* parts must sum to the total within 0.1% */
#define OP_R_BACKFIT_SWEEPS 10         /* as svyrecvar() does for raking */

/* One weighting variable. A joint variable names its parts, e.g. "sex:age"
 * with parts sex and age and categories like "f:18-29". */
struct op_var {
    const char *name;
    size_t part_count; /* 1 for a simple variable */
    const char *part[OP_PARTS_MAX];
    size_t cat_count;
    const char **cat;      /* labels */
    double *pop;           /* population in each category, >= 0 */
    const char **source;   /* per category, or NULL entries: where the number is from */
    const char **ref_date; /* per category, or NULL entries: the date it refers to */
};

/* A calibration table: every variable partitions the same population. */
struct op_margins {
    size_t var_count;
    struct op_var var[OP_VARS_MAX];
    double total;       /* the population total every variable sums to */
    bool total_given;   /* a row "_total,_all,N" set it; else the first variable's sum */
    double max_sum_gap; /* largest relative gap of a variable's sum from total */
};

/* Parse a margins CSV with the header variable,category,population and
 * optionally source,ref_date (other columns are ignored). A row
 * "_total,_all,N" gives the table's total. Then op_margins_check().
 * Everything lives in a. ERR_INVALID, ERR_TOOBIG or ERR_UNPROCESSABLE with
 * *why a message living in a. */
enum err op_margins_parse(struct arena *a, struct str csv, struct op_margins *m, const char **why);
/* Reject a table whose variables do not sum to its total within OP_SUM_TOL,
 * with a negative or non-finite population, or with a repeated category.
 * Sets m->max_sum_gap. ERR_UNPROCESSABLE with *why living in a. */
enum err op_margins_check(struct arena *a, struct op_margins *m, const char **why);

/* Every category of m has a source and a reference date (YYYY, YYYY-MM or
 * YYYY-MM-DD): what a calibration table needs before the store keeps it.
 * *latest (if latest is not NULL) is set to the latest reference date.
 * ERR_UNPROCESSABLE with *why (in a) naming the first row without them. */
enum err op_margins_sourced(struct arena *a, const struct op_margins *m, const char **latest,
                            const char **why);

/* Channel reach: the share of adults each channel reaches, with sources. */
enum { OP_CHANNELS_MAX = 64 };
struct op_channel {
    const char *name;     /* "vk", "none", "any", "tv_main_news", ... */
    double share;         /* in [0, 1] */
    const char *source;   /* or NULL */
    const char *ref_date; /* or NULL */
};
struct op_channels {
    size_t count;
    struct op_channel ch[OP_CHANNELS_MAX];
};

/* Parse a channel-reach CSV with the header channel,share and optionally
 * source,ref_date. Shares overlap (one adult uses several networks), so the
 * only parts that must add up are "any" and "none": to 1 within OP_SUM_TOL.
 * ERR_INVALID or ERR_UNPROCESSABLE with *why living in a. */
enum err op_channels_parse(struct arena *a, struct str csv, struct op_channels *c,
                           const char **why);
/* op_margins_sourced() for a channel-reach table. */
enum err op_channels_sourced(struct arena *a, const struct op_channels *c, const char **latest,
                             const char **why);
/* The share of channel name, or -1 if the table has none. */
double op_channel_share(const struct op_channels *c, const char *name);

/* A stance-labelled sample, one row per author (or per respondent). */
struct op_sample {
    size_t n;
    size_t var_count;   /* the margins' var_count */
    uint32_t *cat;      /* cat[v * n + i]: category of row i in margins variable v */
    uint8_t *y;         /* 0 or 1 */
    double *d;          /* design weight of each row (1 when none was given) */
    double *bot;        /* bot score in [0, 1] of each row, or NULL */
    size_t post_count;  /* posts the rows were collapsed from; 0 if rows were authors */
    double naive_posts; /* share of those posts with y = 1 */
    size_t conflicts;   /* authors whose posts disagreed on a weighting variable */
    struct str *author; /* each row's author when rows were collapsed, else NULL */
};

/* Parse a sample CSV: a column y (0/1), one column per simple variable
 * named in m (a joint variable's parts), and optionally "weight" (design
 * weight > 0), "bot" (score in [0, 1]) and "author" (then rows are posts,
 * collapsed by op_collapse() to one row per author; the author's first post
 * gives its categories, weight and bot score). Unknown columns are ignored.
 * ERR_INVALID for a missing column, an unknown category, a y other than 0
 * or 1, an empty sample; *why living in a says which line and column. */
enum err op_sample_parse(struct arena *a, struct str csv, const struct op_margins *m,
                         struct op_sample *s, const char **why);

/* One stance per author: author[i] in [0, author_count) for each of
 * post_count posts, in time order. y_out[k] is the majority stance of
 * author k's posts (a tie goes to the latest post), first_out[k] the index
 * of its first post and posts_out[k] the number of posts. Every author in
 * [0, author_count) must have a post. Scratch space comes from a. */
void op_collapse(struct arena *a, size_t post_count, const uint32_t *author, const uint8_t *y,
                 size_t author_count, uint8_t *y_out, size_t *first_out, uint32_t *posts_out);

enum op_method { OP_AUTO, OP_POSTSTRAT, OP_RAKE };
enum op_bots { OP_BOTS_KEEP, OP_BOTS_EXCLUDE, OP_BOTS_DOWNWEIGHT };

/* Low-confidence reasons, a bit each. */
enum op_reason {
    OP_LOW_BAND = 1 << 0,      /* the channel sees under OP_COVERAGE_MIN of the population */
    OP_LOW_BOTS = 1 << 1,      /* bots move the estimate by more than the CI's half-width */
    OP_LOW_NEFF = 1 << 2,      /* n_eff below OP_NEFF_MIN */
    OP_LOW_NOCONV = 1 << 3,    /* raking stopped short of the margins by enough to matter */
    OP_LOW_SMALLCELLS = 1 << 4 /* post-strata below min_cell and nothing to rake instead */
};
#define OP_NEFF_MIN 30.0
/* Below this coverage the band's unseen part outweighs its seen part. */
#define OP_COVERAGE_MIN 0.5
#define OP_REASON_COUNT 5

struct op_opts {
    enum op_method method; /* OP_AUTO: post-stratify when possible, else rake */
    double cap_low;        /* weights kept >= cap_low * mean; 0 for no floor */
    double cap_high;       /* weights kept <= cap_high * mean; 0 for no ceiling */
    double epsilon;        /* converged when every margin is within epsilon * total */
    int max_iter;          /* raking sweeps at most */
    size_t min_cell;       /* post-stratify only if every cell has this many rows */
    enum op_bots bots;
    double bot_threshold;  /* OP_BOTS_EXCLUDE drops rows whose score is >= this */
    double level;          /* confidence level, 0.95 */
    int bootstrap;         /* replicates, 0 for none */
    uint64_t seed;         /* of the bootstrap */
    double sens, spec;     /* classifier sensitivity and specificity; 0 for no correction */
    size_t sens_n, spec_n; /* labelled positives and negatives they were measured on; 0 = exact */
    double coverage;       /* share of the population the channel can see, in (0, 1]; from
                              the channel-reach table (op_channel_share()) */
    double delta;          /* largest gap in share between unseen and seen people */
};

/* Defaults: OP_AUTO, caps 0.2 and 5, epsilon 1e-10, 1000 sweeps, min_cell
 * 20, bots excluded at 0.5, level 0.95, no bootstrap, no classifier
 * correction, coverage 0 (no channel table: then n / total, the share of
 * the population that actually appears, is used), delta 0.20. */
void op_opts_default(struct op_opts *o);

struct op_weights {
    enum op_method method;        /* OP_POSTSTRAT or OP_RAKE, as applied */
    size_t var_used[OP_VARS_MAX]; /* margins variables weighted to, in order */
    size_t var_used_count;
    double *w;      /* n weights; 0 for a row left out (d = 0) */
    int iterations; /* sweeps done */
    bool converged;
    double margin_err;              /* largest |weighted margin - population| / total at the end */
    double margin_tv;               /* largest total-variation distance of a weighted margin from
                                       the population's: how far meeting it could move a share */
    size_t capped_low, capped_high; /* rows held at a cap at the end */
    size_t small_cells;             /* post-strata with fewer than min_cell rows */
};

/* Weight the rows with d > 0 to m: post-stratify or rake, then hold the
 * weights within the caps and rake again until both hold (or max_iter).
 * out->w lives in a. ERR_UNPROCESSABLE if a category with population has
 * no row, *why naming it. */
enum err op_weight(struct arena *a, const struct op_sample *s, const double *d,
                   const struct op_margins *m, const struct op_opts *o, struct op_weights *out,
                   const char **why);

/* Weighted mean of y and its linearisation variance, as R's svymean() on
 * svydesign(ids = ~1, weights = d) after rake() (or postStratify()):
 * calibration residuals (OP_R_BACKFIT_SWEEPS backfitting sweeps over the
 * margins for raking, one weighted pass for post-stratification), then
 * n / (n - 1) times the sum of squared centred residuals. Rows with w = 0
 * are not in the design. */
void op_linvar(const struct op_sample *s, const double *d, const struct op_margins *m,
               const struct op_weights *wt, double *mean, double *var);

struct op_result {
    size_t n_rows;         /* rows in the sample */
    size_t n;              /* rows weighted (bots excluded when asked) */
    size_t n_bots;         /* rows excluded or down-weighted as bots */
    double naive;          /* unweighted share over all rows */
    double naive_filtered; /* d-weighted share over rows kept after the bot filter */
    double naive_posts;    /* share of posts, when rows were collapsed; else -1 */
    double estimate;       /* weighted share */
    double se;             /* linearisation */
    double ci_low, ci_high;
    double n_eff;     /* Kish: (sum w)^2 / sum w^2 */
    double deff_kish; /* n / n_eff */
    double deff;      /* var / SRS var, as svymean(deff = TRUE) */
    struct op_weights wt;
    double w_min, w_max, w_mean, w_cv; /* of the kept rows */
    /* bootstrap: replicates that re-raked, their SD and percentile CI */
    int boot_ok, boot_failed;
    double boot_se, boot_low, boot_high;
    /* classifier correction (estimate_raw is the share before it) */
    bool corrected;
    double estimate_raw, se_raw;
    /* selection band around the CI, for the whole population */
    double coverage, delta, band_low, band_high;
    /* bot effect: estimate with every row at d = 1, minus the estimate */
    double bot_effect;
    bool low_confidence;
    unsigned reasons; /* enum op_reason bits */
};

/* The whole estimate: bot handling, weighting, variance, bootstrap,
 * correction, band and flag. r->wt.w lives in a. ERR_INVALID for bad
 * options, ERR_UNPROCESSABLE for data that cannot be weighted (*why). */
enum err op_estimate(struct arena *a, const struct op_sample *s, const struct op_margins *m,
                     const struct op_opts *o, struct op_result *r, const char **why);

/* Rogan-Gladen: the true share from an observed one, and the variance,
 * adding the sampling error of sens and spec when their n are given.
 * ERR_INVALID when sens + spec <= 1 (no better than chance). */
enum err op_rogan_gladen(double p, double var, double sens, double spec, size_t sens_n,
                         size_t spec_n, double *p_out, double *var_out);
/* Band for the whole population around [lo, hi] for the seen share
 * coverage, the unseen differing by at most delta: [low, high]. */
void op_band(double lo, double hi, double coverage, double delta, double *low, double *high);

const char *op_method_name(enum op_method m); /* "auto", "poststratify", "rake" */
const char *op_reason_name(enum op_reason r); /* "band", "bots", ... */
/* Two-sided normal quantile for level (1.959964 for 0.95). */
double op_z(double level);

#endif
