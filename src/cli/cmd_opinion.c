/*
 * cmd_opinion.c - `tyndau opinion`: weight a stance-labelled sample (CSV)
 * to population margins (CSV) and print the weighted share with its
 * uncertainty, side by side with the naive share; --json for one object,
 * --weights-out for the weights; --channels/--channel take the population
 * coverage of the selection band from a channel-reach table. Bad input
 * exits 2 with a message. `tyndau opinion demo-sample` writes a clearly
 * labelled synthetic stance sample into the store for the demo.
 * Exports cmd_opinion().
 */
#include "cli/cmd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/opinion.h"
#include "analytics/prng.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"
#include "base/util.h"
#include "base/xalloc.h"

#define FILE_MAX ((size_t)1 << 30)

static const char usage[] =
    "usage: tyndau opinion --sample S.csv --margins M.csv [--json] [--weights-out FILE]\n"
    "         [--cap-low 0.2] [--cap-high 5] [--bootstrap N --seed S]\n"
    "         [--method auto|poststratify|rake] [--min-cell 20] [--epsilon 1e-10]\n"
    "         [--max-iter 1000] [--bots exclude|downweight|keep] [--bot-threshold 0.5]\n"
    "         [--sens SE --spec SP [--sens-n N --spec-n N]]\n"
    "         [--coverage C | --channels CHANNELS.csv [--channel any]] [--delta 0.2]\n"
    "         [--level 0.95]\n"
    "       tyndau opinion demo-sample [--topic=housing] [--count=3000] [--seed=1]\n"
    "  S: a 0/1 column y and one column per weighting variable; optional weight, bot\n"
    "     (score in [0,1]) and author (rows are posts, collapsed to one per author)\n"
    "  M: variable,category,population[,source,ref_date]; \"_total,_all,N\" sets the total\n";

/* Flags that take a value; the rest are switches. */
static const char *const valued[] = {
    "sample",        "margins", "weights_out", "cap_low", "cap_high", "bootstrap",
    "seed",          "method",  "min_cell",    "epsilon", "max_iter", "bots",
    "bot_threshold", "sens",    "spec",        "sens_n",  "spec_n",   "coverage",
    "delta",         "level",   "channels",    "channel",
};
static const char *const switches[] = {"json"};

struct args {
    const char *v[ARRAY_LEN(valued)];
    bool json;
};

static int
valued_index(const char *name)
{
    for (size_t i = 0; i < ARRAY_LEN(valued); i++)
        if (strcmp(valued[i], name) == 0)
            return (int)i;
    return -1;
}

/* config_load() keeps "--name value" as a switch and a positional: pair
 * them again, in order. */
static bool
gather(const struct config_args *a, struct args *out)
{
    int next = 0;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < a->flag_count; i++) {
        int k = valued_index(a->name[i]);
        if (k < 0) {
            if (strcmp(a->name[i], switches[0]) != 0) {
                fprintf(stderr, "tyndau: opinion: unknown flag --%s\n%s", a->name[i], usage);
                return false;
            }
            out->json = strcmp(a->value[i], "false") != 0;
            continue;
        }
        const char *v = a->value[i];
        if (strcmp(v, "true") == 0) {
            if (next == a->pos_count) {
                fprintf(stderr, "tyndau: opinion: --%s needs a value\n", a->name[i]);
                return false;
            }
            v = a->pos[next++];
        }
        out->v[k] = v;
    }
    if (next < a->pos_count) {
        fprintf(stderr, "tyndau: opinion: unexpected argument %s\n%s", a->pos[next], usage);
        return false;
    }
    return true;
}

static const char *
arg(const struct args *g, const char *name)
{
    return g->v[valued_index(name)];
}

static bool
num(const struct args *g, const char *name, double lo, double hi, double *out)
{
    const char *s = arg(g, name);
    if (!s)
        return true;
    if (str_to_double(str_from_cstr(s), out) || !(*out >= lo && *out <= hi)) {
        fprintf(stderr, "tyndau: opinion: --%s must be a number in [%g, %g], not \"%s\"\n", name,
                lo, hi, s);
        return false;
    }
    return true;
}

static bool
count(const struct args *g, const char *name, uint64_t max, uint64_t *out)
{
    const char *s = arg(g, name);
    if (!s)
        return true;
    if (str_to_u64(str_from_cstr(s), max, out)) {
        fprintf(stderr, "tyndau: opinion: --%s must be a whole number up to %llu, not \"%s\"\n",
                name, (unsigned long long)max, s);
        return false;
    }
    return true;
}

static bool
options(const struct args *g, struct op_opts *o)
{
    uint64_t boot = 0, seed = 0, min_cell = o->min_cell, max_iter = (uint64_t)o->max_iter;
    uint64_t sens_n = 0, spec_n = 0;
    const char *method = arg(g, "method"), *bots = arg(g, "bots");
    if (!num(g, "cap_low", 0, 0.999999, &o->cap_low) || !num(g, "cap_high", 0, 1e9, &o->cap_high) ||
        !num(g, "epsilon", 1e-16, 1, &o->epsilon) || !num(g, "level", 0.5, 0.9999, &o->level) ||
        !num(g, "bot_threshold", 1e-9, 1, &o->bot_threshold) || !num(g, "sens", 0, 1, &o->sens) ||
        !num(g, "spec", 0, 1, &o->spec) || !num(g, "coverage", 0, 1, &o->coverage) ||
        !num(g, "delta", 0, 1, &o->delta) || !count(g, "bootstrap", 100000, &boot) ||
        !count(g, "seed", UINT64_MAX, &seed) || !count(g, "min_cell", 1000000, &min_cell) ||
        !count(g, "max_iter", 1000000, &max_iter) || !count(g, "sens_n", 1000000000, &sens_n) ||
        !count(g, "spec_n", 1000000000, &spec_n))
        return false;
    if (o->cap_high != 0 && o->cap_high <= 1) {
        fprintf(stderr, "tyndau: opinion: --cap-high must be 0 (no cap) or greater than 1\n");
        return false;
    }
    if ((o->sens > 0) != (o->spec > 0)) {
        fprintf(stderr, "tyndau: opinion: give --sens and --spec together\n");
        return false;
    }
    o->bootstrap = (int)boot;
    o->seed = seed;
    o->min_cell = (size_t)min_cell;
    o->max_iter = max_iter ? (int)max_iter : 1;
    o->sens_n = (size_t)sens_n;
    o->spec_n = (size_t)spec_n;
    if (method) {
        if (strcmp(method, "auto") == 0)
            o->method = OP_AUTO;
        else if (strcmp(method, "poststratify") == 0)
            o->method = OP_POSTSTRAT;
        else if (strcmp(method, "rake") == 0)
            o->method = OP_RAKE;
        else {
            fprintf(stderr, "tyndau: opinion: --method must be auto, poststratify or rake\n");
            return false;
        }
    }
    if (bots) {
        if (strcmp(bots, "exclude") == 0)
            o->bots = OP_BOTS_EXCLUDE;
        else if (strcmp(bots, "downweight") == 0)
            o->bots = OP_BOTS_DOWNWEIGHT;
        else if (strcmp(bots, "keep") == 0)
            o->bots = OP_BOTS_KEEP;
        else {
            fprintf(stderr, "tyndau: opinion: --bots must be exclude, downweight or keep\n");
            return false;
        }
    }
    return true;
}

/* The whole file in memory (caller frees), at most FILE_MAX bytes. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tyndau: opinion: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT(FILE_MAX);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || buf_failed(&b)) {
        fprintf(stderr, "tyndau: opinion: cannot read %s: %s\n", path,
                bad ? "read error" : "larger than 1 GiB");
        buf_fini(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}

/* The shortest of %.15g and %.17g that reads back as x. */
static void
json_num(struct buf *b, const char *key, double x)
{
    char s[40];
    if (!isfinite(x)) {
        buf_printf(b, "\"%s\":null,", key);
        return;
    }
    snprintf(s, sizeof(s), "%.15g", x);
    double back;
    if (str_to_double(str_from_cstr(s), &back) || back != x)
        snprintf(s, sizeof(s), "%.17g", x);
    buf_printf(b, "\"%s\":%s,", key, s);
}

static void
json_vars(struct buf *b, const struct op_margins *m, const struct op_weights *wt)
{
    buf_puts(b, "\"variables\":[");
    for (size_t u = 0; u < wt->var_used_count; u++) {
        const char *name = m->var[wt->var_used[u]].name;
        if (u)
            buf_putc(b, ',');
        buf_append_json_str(b, name, strlen(name));
    }
    buf_puts(b, "],");
}

static char *
to_json(const struct op_result *r, const struct op_margins *m, const struct op_opts *o, size_t *len)
{
    struct buf b = BUF_INIT((size_t)1 << 20);
    buf_putc(&b, '{');
    json_num(&b, "estimate", r->estimate);
    json_num(&b, "se", r->se);
    json_num(&b, "ci_low", r->ci_low);
    json_num(&b, "ci_high", r->ci_high);
    json_num(&b, "level", o->level);
    json_num(&b, "naive", r->naive);
    json_num(&b, "naive_bot_filtered", r->naive_filtered);
    if (r->naive_posts >= 0)
        json_num(&b, "naive_posts", r->naive_posts);
    buf_printf(&b, "\"n\":%zu,\"n_rows\":%zu,\"n_bots\":%zu,", r->n, r->n_rows, r->n_bots);
    json_num(&b, "n_eff", r->n_eff);
    json_num(&b, "deff", r->deff);
    json_num(&b, "deff_kish", r->deff_kish);
    buf_printf(&b, "\"method\":\"%s\",", op_method_name(r->wt.method));
    json_vars(&b, m, &r->wt);
    buf_printf(&b, "\"iterations\":%d,\"converged\":%s,", r->wt.iterations,
               r->wt.converged ? "true" : "false");
    json_num(&b, "margin_err", r->wt.margin_err);
    buf_printf(&b, "\"weights\":{");
    json_num(&b, "min", r->w_min);
    json_num(&b, "max", r->w_max);
    json_num(&b, "mean", r->w_mean);
    json_num(&b, "cv", r->w_cv);
    json_num(&b, "cap_low", o->cap_low);
    json_num(&b, "cap_high", o->cap_high);
    buf_printf(&b, "\"capped_low\":%zu,\"capped_high\":%zu},", r->wt.capped_low, r->wt.capped_high);
    if (o->bootstrap > 0) {
        buf_printf(&b, "\"bootstrap\":{\"replicates\":%d,\"failed\":%d,\"seed\":%llu,", r->boot_ok,
                   r->boot_failed, (unsigned long long)o->seed);
        json_num(&b, "se", r->boot_se);
        json_num(&b, "ci_low", r->boot_low);
        json_num(&b, "ci_high", r->boot_high);
        b.len--; /* the last comma */
        buf_puts(&b, "},");
    }
    if (r->corrected) {
        buf_puts(&b, "\"classifier\":{");
        json_num(&b, "sens", o->sens);
        json_num(&b, "spec", o->spec);
        json_num(&b, "estimate_raw", r->estimate_raw);
        json_num(&b, "se_raw", r->se_raw);
        b.len--;
        buf_puts(&b, "},");
    }
    json_num(&b, "coverage", r->coverage);
    json_num(&b, "delta", r->delta);
    json_num(&b, "band_low", r->band_low);
    json_num(&b, "band_high", r->band_high);
    json_num(&b, "bot_effect", r->bot_effect);
    buf_printf(&b, "\"low_confidence\":%s,\"reasons\":[", r->low_confidence ? "true" : "false");
    int first = 1;
    for (int k = 0; k < OP_REASON_COUNT; k++) {
        if (!(r->reasons & (1u << k)))
            continue;
        buf_printf(&b, "%s\"%s\"", first ? "" : ",", op_reason_name((enum op_reason)(1u << k)));
        first = 0;
    }
    buf_puts(&b, "]}\n");
    return buf_detach(&b, len);
}

static void
print_text(const struct op_result *r, const struct op_margins *m, const struct op_opts *o)
{
    printf("estimate    %.4f  se %.4f  %.0f%% CI [%.4f, %.4f]  (%s", r->estimate, r->se,
           100 * o->level, r->ci_low, r->ci_high, op_method_name(r->wt.method));
    for (size_t u = 0; u < r->wt.var_used_count; u++)
        printf("%s%s", u ? ", " : " to ", m->var[r->wt.var_used[u]].name);
    printf(")\n");
    printf("naive       %.4f  unweighted share of %zu rows", r->naive, r->n_rows);
    if (r->n_bots)
        printf("; %.4f after the bot filter (%zu bots)", r->naive_filtered, r->n_bots);
    if (r->naive_posts >= 0)
        printf("; %.4f of posts", r->naive_posts);
    printf("\n");
    printf("n           %zu  n_eff %.1f  deff %.3f  (Kish %.3f)\n", r->n, r->n_eff, r->deff,
           r->deff_kish);
    printf("weights     min %.4g  max %.4g  cv %.3f  capped %zu low, %zu high\n", r->w_min,
           r->w_max, r->w_cv, r->wt.capped_low, r->wt.capped_high);
    printf("raking      %d sweep(s), %s, largest margin error %.3g of the total\n",
           r->wt.iterations, r->wt.converged ? "converged" : "NOT converged", r->wt.margin_err);
    if (o->bootstrap > 0)
        printf("bootstrap   se %.4f  CI [%.4f, %.4f]  %d replicates (%d failed), seed %llu\n",
               r->boot_se, r->boot_low, r->boot_high, r->boot_ok, r->boot_failed,
               (unsigned long long)o->seed);
    if (r->corrected)
        printf("classifier  corrected from %.4f (se %.4f) for sens %.3f, spec %.3f\n",
               r->estimate_raw, r->se_raw, o->sens, o->spec);
    printf("band        [%.4f, %.4f] for the whole population: channel sees %.1f%%, unseen"
           " differ by <= %.2f\n",
           r->band_low, r->band_high, 100 * r->coverage, r->delta);
    if (r->n_bots)
        printf("bot effect  %+.4f\n", r->bot_effect);
    printf("confidence  %s", r->low_confidence ? "LOW:" : "ok");
    for (int k = 0; k < OP_REASON_COUNT; k++)
        if (r->reasons & (1u << k))
            printf(" %s", op_reason_name((enum op_reason)(1u << k)));
    printf("\n");
}

static int
write_weights(const char *path, const struct op_sample *s, const struct op_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "tyndau: opinion: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    fprintf(f, s->author ? "author,weight\n" : "row,weight\n");
    for (size_t i = 0; i < s->n; i++) {
        if (s->author) {
            /* CSV-quote the author: names may hold commas and quotes */
            fputc('"', f);
            for (size_t k = 0; k < s->author[i].len; k++) {
                if (s->author[i].p[k] == '"')
                    fputc('"', f);
                fputc(s->author[i].p[k], f);
            }
            fprintf(f, "\",%.17g\n", r->wt.w[i]);
        } else
            fprintf(f, "%zu,%.17g\n", i + 1, r->wt.w[i]);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "tyndau: opinion: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

/* --coverage, or the share of --channel (default "any") in --channels. */
static bool
coverage_from_channels(struct arena *ar, const struct args *g, struct op_opts *o)
{
    const char *path = arg(g, "channels"), *name = arg(g, "channel");
    if (!path) {
        if (name)
            fprintf(stderr, "tyndau: opinion: --channel needs --channels\n");
        return !name;
    }
    if (arg(g, "coverage")) {
        fprintf(stderr, "tyndau: opinion: give --coverage or --channels, not both\n");
        return false;
    }
    size_t len;
    char *bytes = slurp(path, &len);
    if (!bytes)
        return false;
    struct op_channels ch;
    const char *why = NULL;
    bool ok = op_channels_parse(ar, (struct str){bytes, len}, &ch, &why) == ERR_OK;
    free(bytes);
    if (!ok) {
        fprintf(stderr, "tyndau: opinion: %s: %s\n", path, why);
        return false;
    }
    name = name ? name : "any";
    o->coverage = op_channel_share(&ch, name);
    if (!(o->coverage > 0)) {
        fprintf(stderr, "tyndau: opinion: %s has no positive share for channel %s\n", path, name);
        return false;
    }
    return true;
}

/* ---- demo-sample ---- */

enum { DEMO_COUNT_MAX = 100000, DEMO_DAYS = 28 };

/* A category of v drawn in proportion to its population. */
static uint32_t
draw_cat(struct prng *g, const struct op_var *v)
{
    double total = 0;
    for (size_t k = 0; k < v->cat_count; k++)
        total += v->pop[k];
    double u = prng_unit(g) * total;
    for (size_t k = 0; k + 1 < v->cat_count; k++) {
        if (u < v->pop[k])
            return (uint32_t)k;
        u -= v->pop[k];
    }
    return (uint32_t)(v->cat_count - 1);
}

static const struct op_var *
find_var(const struct op_margins *m, const char *name)
{
    for (size_t v = 0; v < m->var_count; v++)
        if (strcmp(m->var[v].name, name) == 0)
            return &m->var[v];
    return NULL;
}

/* Position of category k among count, from 0 (first) to 1 (last). */
static double
rank01(uint32_t k, size_t count)
{
    return count > 1 ? (double)k / (double)(count - 1) : 0;
}

struct demo_job {
    struct stance_row *rows;
    size_t count;
    int64_t removed;
};

static enum err
demo_job_run(struct store_tx *tx, void *arg)
{
    struct demo_job *j = arg;
    enum err e = store_tx_stance_purge_synthetic(tx, &j->removed);
    for (size_t i = 0; !e && i < j->count; i++)
        e = store_tx_stance_insert(tx, &j->rows[i]);
    return e;
}

/* A synthetic public: adults drawn from the latest kz_margins, who post
 * about the topic more when young and urban (the channel's selection), a
 * stance that depends on age, urbanity and sex, some authors posting more
 * than once, and bots that all say 1. Everything is marked synthetic. */
static bool
demo_generate(struct arena *ar, const struct op_margins *m, const struct op_channels *ch,
              const char *topic, size_t count, uint64_t seed, int64_t now, struct demo_job *j)
{
    const struct op_var *reg = find_var(m, "region"), *sex = find_var(m, "sex");
    const struct op_var *age = find_var(m, "age"), *urb = find_var(m, "urban");
    if (!reg || !sex || !age || !urb) {
        fprintf(stderr, "tyndau: opinion: kz_margins needs the variables region, sex, age and"
                        " urban\n");
        return false;
    }
    static const char *const sources[] = {"vk", "ok", "facebook"};
    double reach[3], reach_sum = 0;
    for (int k = 0; k < 3; k++) {
        reach[k] = MAX(op_channel_share(ch, sources[k]), 0.0);
        reach_sum += reach[k];
    }
    struct prng g;
    prng_seed(&g, seed);
    j->rows = ARENA_ARRAY(ar, struct stance_row, count);
    j->count = 0;
    while (j->count < count) {
        uint32_t r = draw_cat(&g, reg), x = draw_cat(&g, sex), y = draw_cat(&g, age);
        uint32_t u = draw_cat(&g, urb);
        bool urban = strcmp(urb->cat[u], "urban") == 0;
        bool female = strcmp(sex->cat[x], "f") == 0;
        double old = rank01(y, age->cat_count);
        if (prng_unit(&g) >= (0.85 - 0.65 * old) * (urban ? 1 : 0.6))
            continue; /* not on the channel, or not posting about the topic */
        bool bot = prng_unit(&g) < 0.06;
        double lin = -0.5 + 1.2 * old - 0.4 * urban + 0.2 * female + 0.3 * prng_normal(&g);
        int stance = bot ? 1 : prng_unit(&g) < 1 / (1 + exp(-lin));
        double score =
            bot ? (prng_unit(&g) < 0.9 ? 0.9 : 0.3) : (prng_unit(&g) < 0.02 ? 0.7 : 0.05);
        double pick = prng_unit(&g) * reach_sum;
        int src = pick < reach[0] ? 0 : pick < reach[0] + reach[1] ? 1 : 2;
        char *hash = arena_printf(ar, "synthetic-%016llx", (unsigned long long)prng_next(&g));
        int posts = bot ? 3 : 1 + (prng_unit(&g) < 0.3) + (prng_unit(&g) < 0.1);
        for (int p = 0; p < posts && j->count < count; p++) {
            /* an author's later posts mostly repeat the stance */
            int s = p > 0 && !bot && prng_unit(&g) < 0.15 ? !stance : stance;
            j->rows[j->count++] = (struct stance_row){
                .source = sources[src],
                .author_hash = hash,
                .topic = topic,
                .region = reg->cat[r],
                .sex = sex->cat[x],
                .age = age->cat[y],
                .urban = urb->cat[u],
                .stance = s,
                .at = now - (int64_t)prng_below(&g, (uint64_t)DEMO_DAYS * 86400),
                .bot = score,
                .synthetic = true,
            };
        }
    }
    return true;
}

static bool
topic_ok(const char *t)
{
    size_t n = strlen(t);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') || t[i] == '-'))
            return false;
    return true;
}

/* Replace the store's synthetic stance records with a fresh synthetic
 * sample of count authors on topic; 0 on success, else the exit status. */
int
cli_opinion_demo_write(struct store *s, const char *topic, uint64_t count, uint64_t seed)
{
    int rc = 1;
    struct arena *ar = arena_new();
    struct calib_table mt, ct;
    struct op_margins m;
    struct op_channels ch;
    struct demo_job j = {0};
    const char *why = NULL;
    enum err e = store_calibration_get(s, ar, "kz_margins", 0, &mt);
    if (!e)
        e = store_calibration_get(s, ar, "kz_channels", 0, &ct);
    if (e) {
        log_error("opinion: cannot read the calibration tables: %s: %s", err_name(e),
                  store_errmsg(s));
        goto out;
    }
    if (op_margins_parse(ar, (struct str){mt.body, mt.body_len}, &m, &why) ||
        op_channels_parse(ar, (struct str){ct.body, ct.body_len}, &ch, &why)) {
        log_error("opinion: stored calibration table does not parse: %s", why);
        goto out;
    }
    if (!demo_generate(ar, &m, &ch, topic, (size_t)count, seed, (int64_t)time(NULL), &j)) {
        rc = 2;
        goto out;
    }
    e = store_write(s, demo_job_run, &j);
    if (e) {
        log_error("opinion: cannot write the demo sample: %s: %s", err_name(e), store_errmsg(s));
        goto out;
    }
    printf("wrote %zu SYNTHETIC stance records on topic %s (seed %llu, the last %d days),"
           " replacing %lld earlier synthetic ones\n",
           j.count, topic, (unsigned long long)seed, DEMO_DAYS, (long long)j.removed);
    rc = 0;
out:
    arena_free(ar);
    return rc;
}

/* tyndau opinion demo-sample: replace the store's synthetic stance records
 * with a fresh synthetic sample. */
static int
opinion_demo_sample(struct config *c, struct config_args *a)
{
    const char *topic = config_arg(a, "topic") ? config_arg(a, "topic") : "housing";
    const char *cs = config_arg(a, "count"), *ss = config_arg(a, "seed");
    uint64_t count = 3000, seed = 1;
    if (a->pos_count != 1 || !topic_ok(topic) ||
        (cs && (str_to_u64(str_from_cstr(cs), DEMO_COUNT_MAX, &count) || count == 0)) ||
        (ss && str_to_u64(str_from_cstr(ss), UINT64_MAX, &seed))) {
        fprintf(stderr,
                "usage: tyndau opinion demo-sample [--topic=housing] [--count=1..%d] [--seed=S]\n",
                DEMO_COUNT_MAX);
        return 2;
    }
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    int rc = cli_opinion_demo_write(s, topic, count, seed);
    store_close(s);
    return rc;
}

int
cmd_opinion(struct config *c, struct config_args *a)
{
    if (a->pos_count > 0 && strcmp(a->pos[0], "demo-sample") == 0)
        return opinion_demo_sample(c, a);
    struct args g;
    struct op_opts o;
    op_opts_default(&o);
    if (!gather(a, &g) || !options(&g, &o))
        return 2;
    const char *sample_path = arg(&g, "sample"), *margins_path = arg(&g, "margins");
    if (!sample_path || !margins_path) {
        fprintf(stderr, "tyndau: opinion: give --sample and --margins\n%s", usage);
        return 2;
    }
    int rc = 2;
    size_t slen = 0, mlen = 0;
    char *sbytes = NULL, *mbytes = NULL, *json = NULL;
    struct arena *ar = arena_new();
    struct op_margins m;
    struct op_sample s;
    struct op_result r;
    const char *why = NULL;
    if (!coverage_from_channels(ar, &g, &o))
        goto out;
    mbytes = slurp(margins_path, &mlen);
    if (!mbytes)
        goto out;
    sbytes = slurp(sample_path, &slen);
    if (!sbytes)
        goto out;
    if (op_margins_parse(ar, (struct str){mbytes, mlen}, &m, &why) ||
        op_sample_parse(ar, (struct str){sbytes, slen}, &m, &s, &why) ||
        op_estimate(ar, &s, &m, &o, &r, &why)) {
        fprintf(stderr, "tyndau: opinion: %s\n", why);
        goto out;
    }
    rc = 0;
    if (g.json) {
        size_t len;
        json = to_json(&r, &m, &o, &len);
        fwrite(json, 1, len, stdout);
    } else {
        print_text(&r, &m, &o);
        if (s.conflicts)
            printf("note        %zu author(s) had posts with different categories; the first"
                   " post's were used\n",
                   s.conflicts);
    }
    if (arg(&g, "weights_out"))
        rc = write_weights(arg(&g, "weights_out"), &s, &r);
out:
    free(json);
    free(sbytes);
    free(mbytes);
    arena_free(ar);
    return rc;
}
