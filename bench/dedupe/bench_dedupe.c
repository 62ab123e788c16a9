/*
 * bench_dedupe.c - lookup latency and memory of the near-duplicate index
 * with N (1,000,000) appeals in it, against a brute-force scan measured in
 * the same run. Prints a Markdown table.
 *
 * The appeals are generated from a seed: texts of 12 to 40 words drawn from
 * a Zipf-distributed vocabulary of 20,000 words (so common words are shared
 * the way real appeals share them), places uniform over a 30 x 30 km city,
 * times uniform over the 90 days before the queries. They go in with
 * dedupe_add_signed() (shingled from word numbers, not text, to fill the
 * index in seconds). Each query's time is the whole path: its text made
 * into a signature as dedupe_add() does (tokens, language, stems, MinHash:
 * dedupe_sign()), then dedupe_candidates_signed() with the signature made
 * from the word numbers, so that its shingles collide with the stored ones
 * as real appeals' do (LSH, place grid, scoring). Half of the queries are
 * near copies of an indexed appeal (3 words changed, 0-30 m away), half are
 * new.
 *
 * The reference is the obvious alternative to the index: compare the
 * query's signature with every signature (brute-force MinHash scan), over
 * all N. It also gives the ground truth for the index's recall: of the
 * appeals whose signature agrees with the query's in at least half the
 * slots, the share the index returned.
 *
 * Beside the wall time of each lookup it takes the thread's CPU time
 * (CLOCK_THREAD_CPUTIME_ID), its minor page faults and involuntary context
 * switches (getrusage(RUSAGE_THREAD)), and what the index did
 * (dedupe_candidates_probe(): entries walked, candidates gathered,
 * signatures compared), to tell the index's own cost from a busy machine.
 *
 * Usage: bench_dedupe [N [QUERIES [SEED]]]
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "base/tm.h"
#include "base/xalloc.h"
#include "pipeline/dedupe.h"
#include "pipeline/lsh.h"
#include "pipeline/minhash.h"

enum { VOCAB = 20000, WORDS_MIN = 12, WORDS_MAX = 40 };

#define CITY_LAT 43.2389
#define CITY_LON 76.8897
#define NOW 1767225600 /* 2026-01-01T00:00:00Z */

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

/* Zipf(1) over VOCAB words by inverting the cumulative weights. */
struct zipf {
    double cum[VOCAB];
};

static void
zipf_init(struct zipf *z)
{
    double sum = 0;
    for (int i = 0; i < VOCAB; i++)
        z->cum[i] = sum += 1.0 / (i + 1);
    for (int i = 0; i < VOCAB; i++)
        z->cum[i] /= sum;
}

static int
zipf_draw(const struct zipf *z, uint64_t *s)
{
    double u = uniform(s);
    int lo = 0, hi = VOCAB - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (z->cum[mid] < u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Word number w as a word: two to four syllables from its digits. */
static size_t
word(int w, char *out)
{
    static const char *const syl[] = {"ka", "zu", "mi", "to", "ra", "ne", "so", "li",
                                      "be", "da", "qo", "sh", "ty", "ar", "en", "ul"};
    size_t n = 0;
    int x = w + 16;
    while (x > 0) {
        memcpy(out + n, syl[x % 16], 2);
        n += 2;
        x /= 16;
    }
    return n;
}

/* A text of count words into buf; returns its length. */
static size_t
text_of(const int *words, int count, char *buf)
{
    size_t n = 0;
    for (int i = 0; i < count; i++) {
        n += word(words[i], buf + n);
        buf[n++] = ' ';
    }
    return n;
}

/* The signature minhash_shingles() would give for these words if each
 * word's key were its number: the 1- to 3-grams hashed the same way. */
static void
sign_words(const int *words, int count, struct minhash_sig *sig)
{
    uint64_t h[3 * WORDS_MAX];
    size_t n = 0;
    for (int i = 0; i < count; i++) {
        uint64_t g = 0;
        for (int len = 1; len <= 3 && i + len <= count; len++) {
            uint64_t w = minhash_hash(&words[i + len - 1], sizeof(int));
            g = minhash_hash(&(uint64_t[2]){g, w}, 16);
            h[n++] = g;
        }
    }
    minhash_sign(h, n, sig);
}

static int
cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double
pct(const double *sorted, size_t n, double p)
{
    size_t i = (size_t)(p * (double)(n - 1) + 0.5);
    return sorted[i];
}

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* This thread's minor faults and involuntary context switches so far. */
static void
thread_usage(long *minflt, long *nivcsw)
{
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    *minflt = ru.ru_minflt;
    *nivcsw = ru.ru_nivcsw;
}

static void
sort_doubles(double *v, size_t n)
{
    qsort(v, n, sizeof(double), cmp_double);
}

static long
proc_kb(const char *path, const char *field)
{
    FILE *f = fopen(path, "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    size_t n = strlen(field);
    while (fgets(line, sizeof(line), f))
        if (strncmp(line, field, n) == 0)
            kb = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return kb;
}

int
main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000;
    size_t queries = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 20260101;
    if (n < 1000 || n > 4000000 || queries < 10 || queries > 100000 || seed == 0) {
        fprintf(stderr, "usage: bench_dedupe [N 1000..4000000 [QUERIES 10..100000 [SEED]]]\n");
        return 2;
    }
    struct zipf *z = xmalloc(sizeof(*z));
    zipf_init(z);
    struct dedupe_opts o;
    dedupe_opts_default(&o);
    o.capacity = n;
    struct dedupe *d = NULL;
    if (dedupe_new(&o, &d) != ERR_OK) {
        fprintf(stderr, "bench_dedupe: cannot make the index\n");
        return 1;
    }
    long rss0 = proc_kb("/proc/self/status", "VmRSS:");
    /* Keep the words of every 1000th appeal to make near copies from. */
    size_t kept_count = n / 1000;
    int(*kept)[WORDS_MAX] = xcalloc(kept_count, sizeof(*kept));
    int *kept_len = xcalloc(kept_count, sizeof(*kept_len));
    double *kept_lat = xcalloc(kept_count, sizeof(double)),
           *kept_lon = xcalloc(kept_count, sizeof(double));
    const double deg_lat = 15000 / 111320.0,
                 deg_lon = 15000 / (111320.0 * cos(CITY_LAT * M_PI / 180));
    double t0 = now_s();
    struct dedupe_result *res = xmalloc(sizeof(*res));
    for (size_t i = 0; i < n; i++) {
        int words[WORDS_MAX];
        int count = WORDS_MIN + (int)(next(&seed) % (WORDS_MAX - WORDS_MIN + 1));
        for (int k = 0; k < count; k++)
            words[k] = zipf_draw(z, &seed);
        struct minhash_sig sig;
        sign_words(words, count, &sig);
        struct dedupe_appeal ap = {
            .id = (int64_t)i + 1,
            .has_place = true,
            .lat = CITY_LAT + (2 * uniform(&seed) - 1) * deg_lat,
            .lon = CITY_LON + (2 * uniform(&seed) - 1) * deg_lon,
            .topic = STR("housing"),
            .time = NOW - 90 * 86400 + (int64_t)((double)i / (double)n * 90 * 86400),
        };
        if (dedupe_add_signed(d, &ap, &sig, res) != ERR_OK) {
            fprintf(stderr, "bench_dedupe: add %zu failed\n", i);
            return 1;
        }
        if (i % 1000 == 0 && i / 1000 < kept_count) {
            memcpy(kept[i / 1000], words, sizeof(words));
            kept_len[i / 1000] = count;
            kept_lat[i / 1000] = ap.lat;
            kept_lon[i / 1000] = ap.lon;
        }
    }
    double fill_s = now_s() - t0;
    long rss1 = proc_kb("/proc/self/status", "VmRSS:");
    size_t bytes = dedupe_bytes(d);
    long huge_kb = proc_kb("/proc/self/smaps_rollup", "AnonHugePages:");

    /* A few unmeasured lookups first, with their own seed: the first one
     * touches fresh stack and scratch pages, which a running server has
     * long since done. */
    uint64_t warm_seed = seed ^ 0x77a3;
    for (int w = 0; w < 10; w++) {
        int words[WORDS_MAX];
        int count = WORDS_MIN + (int)(next(&warm_seed) % (WORDS_MAX - WORDS_MIN + 1));
        for (int k = 0; k < count; k++)
            words[k] = zipf_draw(z, &warm_seed);
        char wtext[WORDS_MAX * 12];
        struct dedupe_appeal ap = {.id = -1 - w,
                                   .text = {wtext, text_of(words, count, wtext)},
                                   .has_place = true,
                                   .lat = CITY_LAT,
                                   .lon = CITY_LON,
                                   .topic = STR("housing"),
                                   .time = NOW};
        struct dedupe_candidate top[3];
        size_t got;
        if (dedupe_candidates(d, &ap, top, 3, &got) != ERR_OK)
            return 1;
    }

    /* Queries through the whole path, with real text. */
    double *lat_ms = xmalloc(queries * sizeof(double));
    double *text_ms = xmalloc(queries * sizeof(double));
    double *index_ms = xmalloc(queries * sizeof(double));
    double *cpu_ms = xmalloc(queries * sizeof(double));
    double *index_cpu_ms = xmalloc(queries * sizeof(double));
    double *walked = xmalloc(queries * sizeof(double));
    double *gathered = xmalloc(queries * sizeof(double));
    double *compared = xmalloc(queries * sizeof(double));
    long faults = 0, faults_max = 0, index_faults = 0, switches = 0;
    double worst_cpu = -1;
    long worst_faults = 0, worst_switches = 0;
    size_t switched = 0, late = 0, late_switched = 0;
    size_t found_copy = 0, copies = 0;
    char text[WORDS_MAX * 12];
    for (size_t q = 0; q < queries; q++) {
        int words[WORDS_MAX], count;
        struct dedupe_appeal ap = {
            .id = (int64_t)(n + q + 1), .has_place = true, .topic = STR("housing"), .time = NOW};
        int64_t source = 0;
        if (q % 2 == 0) { /* a near copy: 3 words replaced, 0-30 m away */
            size_t k = next(&seed) % kept_count;
            count = kept_len[k];
            memcpy(words, kept[k], sizeof(words));
            for (int r = 0; r < 3; r++)
                words[next(&seed) % (uint64_t)count] = zipf_draw(z, &seed);
            ap.lat = kept_lat[k] + 30 * uniform(&seed) / 111320.0;
            ap.lon = kept_lon[k];
            source = (int64_t)(k * 1000) + 1;
        } else {
            count = WORDS_MIN + (int)(next(&seed) % (WORDS_MAX - WORDS_MIN + 1));
            for (int k = 0; k < count; k++)
                words[k] = zipf_draw(z, &seed);
            ap.lat = CITY_LAT + (2 * uniform(&seed) - 1) * deg_lat;
            ap.lon = CITY_LON + (2 * uniform(&seed) - 1) * deg_lon;
        }
        ap.text = (struct str){text, text_of(words, count, text)};
        struct dedupe_candidate top[3];
        size_t got = 0;
        struct minhash_sig from_text, from_words;
        sign_words(words, count, &from_words);
        struct dedupe_probe probe;
        long f0, f1, fm, v0, v1, vm;
        thread_usage(&f0, &v0);
        double ca = cpu_s();
        double a = now_s();
        if (dedupe_sign(d, ap.text, &from_text) != ERR_OK) {
            fprintf(stderr, "bench_dedupe: query %zu failed\n", q);
            return 1;
        }
        double b = now_s();
        double cb = cpu_s();
        thread_usage(&fm, &vm);
        if (dedupe_candidates_probe(d, &ap, &from_words, top, 3, &got, &probe) != ERR_OK) {
            fprintf(stderr, "bench_dedupe: query %zu failed\n", q);
            return 1;
        }
        double c = now_s();
        double cc = cpu_s();
        thread_usage(&f1, &v1);
        lat_ms[q] = (c - a) * 1000;
        text_ms[q] = (b - a) * 1000;
        index_ms[q] = (c - b) * 1000;
        cpu_ms[q] = (cc - ca) * 1000;
        index_cpu_ms[q] = (cc - cb) * 1000;
        walked[q] = (double)probe.walked;
        gathered[q] = (double)probe.gathered;
        compared[q] = (double)probe.compared;
        faults += f1 - f0;
        index_faults += f1 - fm;
        if (cpu_ms[q] > worst_cpu) {
            worst_cpu = cpu_ms[q];
            worst_faults = f1 - f0;
            worst_switches = v1 - v0;
        }
        faults_max = f1 - f0 > faults_max ? f1 - f0 : faults_max;
        switches += v1 - v0;
        switched += v1 > v0;
        if (lat_ms[q] > 1.0) {
            late++;
            late_switched += v1 > v0;
        }
        if (source != 0) {
            copies++;
            for (size_t k = 0; k < got; k++)
                found_copy += top[k].id == source;
        }
    }
    sort_doubles(lat_ms, queries);
    sort_doubles(text_ms, queries);
    sort_doubles(index_ms, queries);
    sort_doubles(cpu_ms, queries);
    sort_doubles(index_cpu_ms, queries);
    sort_doubles(walked, queries);
    sort_doubles(gathered, queries);
    sort_doubles(compared, queries);

    /* The reference: a brute-force scan of all N signatures, and the
     * index's recall of what the scan finds (LSH alone, text only). */
    struct lsh *l = NULL;
    struct lsh_opts lo = {o.bands, o.rows, n, o.band_chain_max};
    if (lsh_new(&lo, &l) != ERR_OK)
        return 1;
    uint64_t s2 = seed ^ 0x5555;
    struct minhash_sig *sigs = xmalloc(n * sizeof(*sigs));
    for (size_t i = 0; i < n; i++) {
        int words[WORDS_MAX];
        int count = WORDS_MIN + (int)(next(&s2) % (WORDS_MAX - WORDS_MIN + 1));
        for (int k = 0; k < count; k++)
            words[k] = zipf_draw(z, &s2);
        sign_words(words, count, &sigs[i]);
        lsh_insert(l, &sigs[i]);
    }
    size_t scans = 20, truth = 0, truth_found = 0;
    double scan_ms = 0, lsh_ms = 0;
    uint32_t *out = xmalloc(LSH_QUERY_MAX * sizeof(*out));
    for (size_t q = 0; q < scans; q++) {
        /* a near copy of a random stored signature: 3 words replaced */
        int words[WORDS_MAX];
        int count = WORDS_MIN + (int)(next(&s2) % (WORDS_MAX - WORDS_MIN + 1));
        for (int k = 0; k < count; k++)
            words[k] = zipf_draw(z, &s2);
        struct minhash_sig qs;
        sign_words(words, count, &qs);
        if (q % 2 == 0)
            qs = sigs[next(&s2) % n];
        double a = now_s();
        size_t m = lsh_query(l, &qs, out, LSH_QUERY_MAX);
        double best = 0;
        for (size_t k = 0; k < m; k++) {
            double sim = minhash_similarity(&qs, lsh_get(l, out[k]));
            best = sim > best ? sim : best;
        }
        lsh_ms += (now_s() - a) * 1000;
        a = now_s();
        volatile double sink = best;
        for (size_t i = 0; i < n; i++) {
            double sim = minhash_similarity(&qs, &sigs[i]);
            if (sim >= 0.5) {
                truth++;
                bool hit = false;
                for (size_t k = 0; k < m && !hit; k++)
                    hit = out[k] == (uint32_t)i + 1;
                truth_found += hit;
            }
            sink += sim;
        }
        scan_ms += (now_s() - a) * 1000;
        (void)sink;
    }
    scan_ms /= (double)scans;
    lsh_ms /= (double)scans;

    printf("| near-duplicate index, %zu appeals | value |\n|---|---:|\n", n);
    printf("| fill (signatures given) | %.1f s, %.1f µs per appeal |\n", fill_s,
           fill_s * 1e6 / (double)n);
    printf("| index memory (dedupe_bytes) | %.1f MB, %.0f bytes per appeal |\n", bytes / 1e6,
           (double)bytes / (double)n);
    printf("| RSS growth while filling | %.1f MB |\n", (rss1 - rss0) / 1024.0);
    printf("| of the process's memory, in huge pages | %.1f MB |\n", huge_kb / 1024.0);
    printf("| lookup with text, %zu queries: p50 / p99 / max | %.3f / %.3f / %.3f ms |\n", queries,
           pct(lat_ms, queries, 0.5), pct(lat_ms, queries, 0.99), lat_ms[queries - 1]);
    printf("| of which the text to a signature: p50 / p99 | %.3f / %.3f ms |\n",
           pct(text_ms, queries, 0.5), pct(text_ms, queries, 0.99));
    printf("| of which the index (LSH, place, scoring): p50 / p99 | %.3f / %.3f ms |\n",
           pct(index_ms, queries, 0.5), pct(index_ms, queries, 0.99));
    printf("| lookup thread CPU time: p50 / p99 / max | %.3f / %.3f / %.3f ms |\n",
           pct(cpu_ms, queries, 0.5), pct(cpu_ms, queries, 0.99), cpu_ms[queries - 1]);
    printf("| of which the index: p50 / p99 / max | %.3f / %.3f / %.3f ms |\n",
           pct(index_cpu_ms, queries, 0.5), pct(index_cpu_ms, queries, 0.99),
           index_cpu_ms[queries - 1]);
    printf("| index wall time: max | %.3f ms |\n", index_ms[queries - 1]);
    printf("| minor page faults per lookup: mean / max | %.2f / %ld |\n",
           (double)faults / (double)queries, faults_max);
    printf("| of them in the index part | %.2f per lookup |\n",
           (double)index_faults / (double)queries);
    printf("| the lookup with the most CPU time: faults / involuntary switches | %ld / %ld |\n",
           worst_faults, worst_switches);
    printf("| lookups preempted (involuntary switches) | %zu (%ld switches) |\n", switched,
           switches);
    printf("| lookups over 1 ms wall / of them preempted | %zu / %zu |\n", late, late_switched);
    printf("| chain entries walked per lookup: p50 / p99 / max | %.0f / %.0f / %.0f |\n",
           pct(walked, queries, 0.5), pct(walked, queries, 0.99), walked[queries - 1]);
    printf("| candidates gathered: p50 / p99 / max | %.0f / %.0f / %.0f |\n",
           pct(gathered, queries, 0.5), pct(gathered, queries, 0.99), gathered[queries - 1]);
    printf("| signatures compared: p50 / p99 / max | %.0f / %.0f / %.0f |\n",
           pct(compared, queries, 0.5), pct(compared, queries, 0.99), compared[queries - 1]);
    printf("| near copies with their source in the top 3 | %zu of %zu (%.3f) |\n", found_copy,
           copies, copies ? (double)found_copy / (double)copies : 0);
    printf("| reference: brute-force MinHash scan of %zu signatures | %.2f ms per query |\n", n,
           scan_ms);
    printf("| LSH query + scoring, same queries | %.3f ms per query |\n", lsh_ms);
    printf("| LSH speed-up over the scan | %.0fx |\n", scan_ms / (lsh_ms > 0 ? lsh_ms : 1e-9));
    printf("| LSH recall of scan hits with J >= 0.5 | %zu of %zu (%.3f) |\n", truth_found, truth,
           truth ? (double)truth_found / (double)truth : 0);
    printf("| target: lookup p99 <= 1 ms | %s |\n",
           pct(lat_ms, queries, 0.99) <= 1.0 ? "**pass**" : "**fail**");
    free(out);
    free(sigs);
    lsh_free(l);
    free(lat_ms);
    free(text_ms);
    free(index_ms);
    free(cpu_ms);
    free(index_cpu_ms);
    free(walked);
    free(gathered);
    free(compared);
    free(res);
    free(kept);
    free(kept_len);
    free(kept_lat);
    free(kept_lon);
    free(z);
    dedupe_free(d);
    return 0;
}
