/*
 * bench_opinion.c - the synthetic-population benchmark of opinion
 * measurement (issue 5). A seeded population of 1,000,000 adults with
 * region, sex, age, urban and a hidden trait; a 0/1 opinion that depends on
 * all of them. Each replication draws who uses social media (58% of adults,
 * depending on age, urbanity and, by scenario, the hidden trait), who posts
 * on the topic and how much (heavy-tailed: the top tenth of posters write
 * about four fifths of the posts; by scenario, dissatisfied people post
 * more and write more), and bots with a fixed stance and a noisy bot score. Then it
 * measures, against the population's true share: the naive post share, the
 * naive author share, the author share after the bot filter, the
 * post-stratified estimate (sex x age x urban) and the raked estimate
 * (region, sex, age, urban), with CI coverage, band coverage and how often
 * the low-confidence flag is raised, and for which reasons. The band's
 * coverage is the share of adults on any network, read from the
 * channel-reach table (data/calibration/kz_channels.csv, "any": 58%, which
 * is also the share of users the population is drawn with), and its delta
 * the default. Prints a Markdown table.
 *
 *   bench_opinion [--reps N] [--seed S] [--pop N] [--channels FILE]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/opinion.h"
#include "analytics/prng.h"
#include "base/arena.h"
#include "base/xalloc.h"

enum { REGIONS = 20, AGES = 5, EST = 5 };

static const char *const region_code[REGIONS] = {
    "100000000", "110000000", "150000000", "190000000", "230000000", "270000000", "310000000",
    "330000000", "350000000", "390000000", "430000000", "470000000", "550000000", "590000000",
    "610000000", "620000000", "630000000", "710000000", "750000000", "790000000"};
/* Adult population shares as in data/calibration/kz_margins.csv (rounded). */
static const double region_share[REGIONS] = {2.9, 3.9, 4.7, 7.8, 3.5,  3.4, 5.9, 3.4, 5.5,  4.0,
                                             4.1, 4.0, 3.7, 2.5, 10.5, 1.1, 3.5, 8.0, 11.5, 6.3};
static const char *const age_label[AGES] = {"18-29", "30-39", "40-49", "50-64", "65+"};
static const double age_share[AGES] = {0.24, 0.21, 0.17, 0.22, 0.16};
/* Social-media use by age and urbanity: multiplicative, so that raking to
 * the margins can undo it (the MAR scenarios). */
static const double use_age[AGES] = {0.92, 0.85, 0.72, 0.50, 0.25};
static const double use_rural = 0.80;
/* Topic posting activity by age (younger post more). */
static const double act_age[AGES] = {1.6, 1.3, 1.0, 0.8, 0.6};

struct person {
    uint8_t region, sex, age, urban, y;
    float h; /* hidden trait */
};

struct scenario {
    const char *name;
    double use_h;  /* log-odds-like tilt of use by the hidden trait */
    double post_y; /* posting rate multiplier for y = 1 */
    double bots;   /* share of authors that are bots */
};

static const struct scenario scenarios[] = {
    {"MAR given weighting vars", 0, 1, 0},
    {"MAR + 15% bots", 0, 1, 0.15},
    {"weak hidden selection, 5% bots", 0.05, 1.02, 0.05},
    {"moderate hidden selection, 10% bots", 0.12, 1.06, 0.10},
    {"strong hidden selection, 15% bots", 0.25, 1.10, 0.15},
    /* beyond what the default band (delta 0.10) is meant to cover */
    {"extreme hidden selection, 15% bots", 1.0, 2.5, 0.15},
};
#define SCENARIOS (sizeof(scenarios) / sizeof(scenarios[0]))

static const char *const est_name[EST] = {"naive post share", "naive author share",
                                          "author share, bot filter", "post-stratified", "raked"};

struct acc {
    double bias, abs, cover, band, flag, n;
    double why[OP_REASON_COUNT]; /* runs flagged for each reason */
};

struct author {
    struct person p;
    uint32_t posts;
    uint8_t bot;
    double score;
};

static double
logistic(double x)
{
    return 1 / (1 + exp(-x));
}

static int
pick(struct prng *g, const double *share, int count, double total)
{
    double u = prng_unit(g) * total;
    for (int k = 0; k < count - 1; k++) {
        if (u < share[k])
            return k;
        u -= share[k];
    }
    return count - 1;
}

static uint32_t
poisson(struct prng *g, double lambda)
{
    if (lambda > 30) {
        double x = lambda + sqrt(lambda) * prng_normal(g);
        return x < 0 ? 0 : (uint32_t)(x + 0.5);
    }
    double l = exp(-lambda), p = 1;
    uint32_t k = 0;
    do {
        k++;
        p *= prng_unit(g);
    } while (p > l);
    return k - 1;
}

static struct person *
make_population(size_t n, uint64_t seed, double *truth, double *region_eff)
{
    struct prng g;
    prng_seed(&g, seed);
    double rsum = 0;
    for (int r = 0; r < REGIONS; r++) {
        rsum += region_share[r];
        region_eff[r] = 0.3 * prng_normal(&g);
    }
    struct person *pop = xcalloc(n, sizeof(*pop));
    size_t ones = 0;
    for (size_t i = 0; i < n; i++) {
        struct person *p = &pop[i];
        p->region = (uint8_t)pick(&g, region_share, REGIONS, rsum);
        bool city = p->region >= 17; /* Astana, Almaty, Shymkent */
        p->urban = city ? 1 : prng_unit(&g) < 0.47;
        p->sex = prng_unit(&g) < 0.524; /* 1 = female */
        p->age = (uint8_t)pick(&g, age_share, AGES, 1);
        p->h = (float)prng_normal(&g);
        double lin = -0.35 + region_eff[p->region] + 0.15 * p->sex + 0.25 * (p->age - 2) -
                     0.2 * p->urban + 0.8 * p->h;
        p->y = prng_unit(&g) < logistic(lin);
        ones += p->y;
    }
    *truth = (double)ones / (double)n;
    return pop;
}

/* Population margins, as the CSV the CLI would read. */
static void
margins(struct arena *a, const struct person *pop, size_t n, struct op_margins *rake,
        struct op_margins *ps)
{
    double reg[REGIONS] = {0}, sex[2] = {0}, age[AGES] = {0}, urb[2] = {0}, cell[2 * AGES * 2];
    memset(cell, 0, sizeof(cell));
    for (size_t i = 0; i < n; i++) {
        reg[pop[i].region]++;
        sex[pop[i].sex]++;
        age[pop[i].age]++;
        urb[pop[i].urban]++;
        cell[(pop[i].sex * AGES + pop[i].age) * 2 + pop[i].urban]++;
    }
    char *csv = arena_printf(a, "variable,category,population\n");
    for (int r = 0; r < REGIONS; r++)
        csv = arena_printf(a, "%sregion,%s,%.0f\n", csv, region_code[r], reg[r]);
    csv = arena_printf(a, "%ssex,m,%.0f\nsex,f,%.0f\n", csv, sex[0], sex[1]);
    for (int k = 0; k < AGES; k++)
        csv = arena_printf(a, "%sage,%s,%.0f\n", csv, age_label[k], age[k]);
    csv = arena_printf(a, "%surban,rural,%.0f\nurban,urban,%.0f\n", csv, urb[0], urb[1]);
    const char *why = NULL;
    if (op_margins_parse(a, str_from_cstr(csv), rake, &why)) {
        fprintf(stderr, "bench: margins: %s\n", why);
        exit(1);
    }
    csv = arena_printf(a, "variable,category,population\n");
    for (int s = 0; s < 2; s++)
        for (int k = 0; k < AGES; k++)
            for (int u = 0; u < 2; u++)
                csv =
                    arena_printf(a, "%ssex:age:urban,%s:%s:%s,%.0f\n", csv, s ? "f" : "m",
                                 age_label[k], u ? "urban" : "rural", cell[(s * AGES + k) * 2 + u]);
    if (op_margins_parse(a, str_from_cstr(csv), ps, &why)) {
        fprintf(stderr, "bench: margins: %s\n", why);
        exit(1);
    }
}

/* Scale of posting rates so that about target humans post. */
static double
activity_scale(const struct person *pop, size_t n, double target, uint64_t seed)
{
    double lo = 1e-9, hi = 10;
    for (int it = 0; it < 50; it++) {
        double mid = sqrt(lo * hi), expect = 0;
        struct prng g;
        prng_seed(&g, seed);
        for (size_t i = 0; i < n; i += 10) {
            const struct person *p = &pop[i];
            double use = 0.934 * use_age[p->age] * (p->urban ? 1 : use_rural);
            double r = mid * act_age[p->age] * exp(2.1 * prng_normal(&g));
            expect += use * (1 - exp(-r)) * 10;
        }
        if (expect < target)
            lo = mid;
        else
            hi = mid;
    }
    return sqrt(lo * hi);
}

static int
cmp_posts(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x < y) - (x > y);
}

/* One replication: the authors (humans, then bots) of scenario sc. */
static size_t
draw_authors(struct prng *g, const struct person *pop, size_t n, const struct scenario *sc,
             double scale, struct author *out, size_t max)
{
    size_t k = 0;
    double norm = exp(-sc->use_h * sc->use_h / 2);
    for (size_t i = 0; i < n && k < max; i++) {
        const struct person *p = &pop[i];
        double use = 0.934 * use_age[p->age] * (p->urban ? 1 : use_rural);
        if (sc->use_h > 0)
            use = fmin(1, use * norm * exp(sc->use_h * p->h));
        if (prng_unit(g) >= use)
            continue;
        double r = scale * act_age[p->age] * exp(2.1 * prng_normal(g));
        if (p->y)
            r *= sc->post_y;
        if (prng_unit(g) >= 1 - exp(-r))
            continue;
        /* how much an author writes: lognormal, sigma 2.2, so that the top
         * tenth write about four fifths of the posts */
        double m = act_age[p->age] * exp(2.2 * prng_normal(g)) * (p->y ? sc->post_y : 1);
        out[k] = (struct author){.p = *p, .posts = 1 + (uint32_t)fmin(floor(m), 1e7)};
        out[k].score = prng_unit(g) < 0.02 ? 0.9 : 0.1; /* 2% false positives */
        k++;
    }
    size_t humans = k;
    size_t bots = (size_t)(sc->bots / (1 - sc->bots) * (double)humans + 0.5);
    for (size_t b = 0; b < bots && k < max; b++) {
        /* a bot claims the profile of a random adult, posts a lot, says 1 */
        const struct person *p = &pop[prng_below(g, n)];
        out[k] = (struct author){.p = *p, .posts = 5 + poisson(g, 20), .bot = 1};
        out[k].p.y = 1;
        out[k].score = prng_unit(g) < 0.9 ? 0.9 : 0.2; /* 90% caught */
        k++;
    }
    return k;
}

static void
add_reasons(struct acc *a, unsigned reasons)
{
    for (int k = 0; k < OP_REASON_COUNT; k++)
        a->why[k] += (reasons >> k) & 1;
}

/* The share of adults on any network, from the channel-reach table. */
static double
channel_coverage(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench: cannot open %s\n", path);
        exit(1);
    }
    static char text[1 << 16];
    size_t len = fread(text, 1, sizeof(text), f);
    fclose(f);
    struct arena *a = arena_new();
    struct op_channels ch;
    const char *why = NULL;
    if (op_channels_parse(a, (struct str){text, len}, &ch, &why)) {
        fprintf(stderr, "bench: %s: %s\n", path, why);
        exit(1);
    }
    double c = op_channel_share(&ch, "any");
    arena_free(a);
    if (!(c > 0)) {
        fprintf(stderr, "bench: %s has no share for \"any\"\n", path);
        exit(1);
    }
    return c;
}

static void
add(struct acc *a, double est, double truth, int cover, int band, int flag)
{
    a->bias += est - truth;
    a->abs += fabs(est - truth);
    a->cover += cover;
    a->band += band;
    a->flag += flag;
    a->n++;
}

int
main(int argc, char **argv)
{
    int reps = 200;
    uint64_t seed = 20240505;
    size_t popn = 1000000;
    const char *channels = "data/calibration/kz_channels.csv";
    for (int i = 1; i + 1 < argc; i += 2) {
        uint64_t v;
        if (strcmp(argv[i], "--channels") == 0) {
            channels = argv[i + 1];
            continue;
        }
        if (str_to_u64(str_from_cstr(argv[i + 1]), UINT64_MAX, &v)) {
            fprintf(stderr,
                    "usage: bench_opinion [--reps N] [--seed S] [--pop N] [--channels F]\n");
            return 2;
        }
        if (strcmp(argv[i], "--reps") == 0 && v >= 1 && v <= 100000)
            reps = (int)v;
        else if (strcmp(argv[i], "--seed") == 0)
            seed = v;
        else if (strcmp(argv[i], "--pop") == 0 && v >= 10000 && v <= 100000000)
            popn = (size_t)v;
        else {
            fprintf(stderr,
                    "usage: bench_opinion [--reps N] [--seed S] [--pop N] [--channels F]\n");
            return 2;
        }
    }
    clock_t t0 = clock();
    double coverage = channel_coverage(channels);
    struct op_opts defaults;
    op_opts_default(&defaults);
    double truth, region_eff[REGIONS];
    struct person *pop = make_population(popn, seed, &truth, region_eff);
    struct arena *ma = arena_new();
    struct op_margins mr, mp;
    margins(ma, pop, popn, &mr, &mp);
    double scale = activity_scale(pop, popn, 3000.0 * (double)popn / 1e6, seed + 1);
    size_t max = popn / 4 + 1000;
    struct author *au = xcalloc(max, sizeof(*au));
    uint32_t *posts = xcalloc(max, sizeof(*posts));

    printf("Opinion benchmark: population %zu adults, true share %.4f, %d replications per"
           " scenario, seed %llu\nband: coverage %.3f (\"any\" in %s), delta %.2f (the"
           " default)\n\n",
           popn, truth, reps, (unsigned long long)seed, coverage, channels, defaults.delta);
    printf("| scenario | estimator | bias (pp) | MAE (pp) | 95%% CI coverage | band coverage |"
           " low-confidence flag | flagged for: band / bots / n_eff / margins / cells |\n"
           "|---|---|---:|---:|---:|---:|---:|---|\n");
    struct {
        double authors, bots, users, top10, bot_bias_before, bot_bias_after, fail;
    } info[SCENARIOS];
    memset(info, 0, sizeof(info));
    for (size_t sc = 0; sc < SCENARIOS; sc++) {
        struct acc acc[EST];
        memset(acc, 0, sizeof(acc));
        struct prng g;
        prng_seed(&g, seed * 1000 + sc);
        for (int rep = 0; rep < reps; rep++) {
            size_t n = draw_authors(&g, pop, popn, &scenarios[sc], scale, au, max);
            struct arena *a = arena_new();
            struct op_sample sr = {.n = n, .var_count = 4}, sp = {.n = n, .var_count = 1};
            sr.cat = ARENA_ARRAY(a, uint32_t, 4 * n);
            sp.cat = ARENA_ARRAY(a, uint32_t, n);
            sr.y = sp.y = ARENA_ARRAY(a, uint8_t, n);
            sr.d = sp.d = ARENA_ARRAY(a, double, n);
            sr.bot = sp.bot = ARENA_ARRAY(a, double, n);
            double py = 0, pn = 0, ay = 0, hy = 0, hn = 0, fy = 0, fn = 0;
            size_t nh = 0, nbots = 0;
            for (size_t i = 0; i < n; i++) {
                const struct author *x = &au[i];
                sr.cat[i] = x->p.region;
                sr.cat[n + i] = x->p.sex;
                sr.cat[2 * n + i] = x->p.age;
                sr.cat[3 * n + i] = x->p.urban; /* rural is category 0 */
                sp.cat[i] = (uint32_t)((x->p.sex * AGES + x->p.age) * 2 + x->p.urban);
                sr.y[i] = x->p.y;
                sr.d[i] = 1;
                sr.bot[i] = x->score;
                py += x->posts * x->p.y;
                pn += x->posts;
                ay += x->p.y;
                if (!x->bot) {
                    hy += x->p.y;
                    hn++;
                    posts[nh++] = x->posts;
                } else {
                    nbots++;
                }
                if (x->score < 0.5) {
                    fy += x->p.y;
                    fn++;
                }
            }
            qsort(posts, nh, sizeof(uint32_t), cmp_posts);
            double top = 0, all = 0;
            for (size_t i = 0; i < nh; i++) {
                all += posts[i];
                if (i < nh / 10)
                    top += posts[i];
            }
            info[sc].authors += (double)n;
            info[sc].bots += (double)nbots;
            info[sc].top10 += top / all;
            info[sc].bot_bias_before += ay / (double)n - hy / hn;
            info[sc].bot_bias_after += fy / fn - hy / hn;
            add(&acc[0], py / pn, truth, 0, 0, 0);
            add(&acc[1], ay / (double)n, truth, 0, 0, 0);
            add(&acc[2], fy / fn, truth, 0, 0, 0);
            struct op_opts o;
            struct op_result r;
            const char *why;
            op_opts_default(&o);
            o.method = OP_POSTSTRAT;
            o.coverage = coverage;
            if (op_estimate(a, &sp, &mp, &o, &r, &why) == ERR_OK) {
                add(&acc[3], r.estimate, truth, r.ci_low <= truth && truth <= r.ci_high,
                    r.band_low <= truth && truth <= r.band_high, r.low_confidence);
                add_reasons(&acc[3], r.reasons);
            } else {
                info[sc].fail++;
            }
            op_opts_default(&o);
            o.coverage = coverage;
            if (op_estimate(a, &sr, &mr, &o, &r, &why) == ERR_OK) {
                add(&acc[4], r.estimate, truth, r.ci_low <= truth && truth <= r.ci_high,
                    r.band_low <= truth && truth <= r.band_high, r.low_confidence);
                add_reasons(&acc[4], r.reasons);
            } else {
                info[sc].fail++;
            }
            arena_free(a);
        }
        for (int e = 0; e < EST; e++) {
            struct acc *x = &acc[e];
            printf("| %s | %s | %+.2f | %.2f |", scenarios[sc].name, est_name[e],
                   100 * x->bias / x->n, 100 * x->abs / x->n);
            if (e >= 3) {
                printf(" %.1f%% | %.1f%% | %.0f%% |", 100 * x->cover / x->n, 100 * x->band / x->n,
                       100 * x->flag / x->n);
                for (int k = 0; k < OP_REASON_COUNT; k++)
                    printf("%s%.0f%%", k ? " / " : " ", 100 * x->why[k] / x->n);
                printf(" |\n");
            } else {
                printf(" - | - | - | - |\n");
            }
        }
    }
    printf("\n| scenario | authors (mean) | bots (mean) | top 10%% of human posters' share of"
           " posts | bot bias, naive author share (pp) | after the filter (pp) | bot bias"
           " removed | estimates that failed |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for (size_t sc = 0; sc < SCENARIOS; sc++) {
        double before = info[sc].bot_bias_before / reps, after = info[sc].bot_bias_after / reps;
        printf("| %s | %.0f | %.0f | %.1f%% | %+.2f | %+.2f | ", scenarios[sc].name,
               info[sc].authors / reps, info[sc].bots / reps, 100 * info[sc].top10 / reps,
               100 * before, 100 * after);
        if (scenarios[sc].bots > 0)
            printf("%.0f%% |", 100 * (1 - fabs(after) / fabs(before)));
        else
            printf("- |");
        printf(" %.0f |\n", info[sc].fail);
    }
    printf("\nCPU time %.1f s\n", (double)(clock() - t0) / CLOCKS_PER_SEC);
    free(au);
    free(posts);
    free(pop);
    arena_free(ma);
    return 0;
}
