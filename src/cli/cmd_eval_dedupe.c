/*
 * cmd_eval_dedupe.c - `tyndau eval dedupe`: replay Open311 service requests
 * (JSONL) through the near-duplicate index in time order and measure it
 * against duplicate pairs marked by staff (CSV): recall@3 of each
 * duplicate's original among the earlier candidates, and the precision of
 * "join the best candidate's cluster" at a threshold chosen on the earlier
 * half of the pairs and measured on the later half. Exports
 * cmd_eval_dedupe().
 *
 * Fields read from each record: service_request_id, description,
 * requested_datetime, lat, long, and where present address (the same
 * address) and service_name (the topic). status_notes, which names the
 * original of a duplicate, is never read.
 */
#include "cli/cmd.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analytics/csv.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/tm.h"
#include "base/util.h"
#include "base/xalloc.h"
#include "pipeline/dedupe.h"
#include "pipeline/jsonl.h"
#include "text/normalise.h"

#define FILE_MAX ((size_t)1 << 30)
/* The most records and pairs read. */
enum { RECORDS_MAX = 2000000, PAIRS_MAX = 2000000 };
/* Candidates that count for recall@k. */
enum { TOP_K = 3 };

static const char usage[] =
    "usage: tyndau eval dedupe --records R.jsonl --pairs P.csv [--json]\n"
    "         [--threshold X] [--weights TEXT,PLACE,TIME,TOPIC]\n"
    "  R: Open311 service requests, one JSON object a line (service_request_id,\n"
    "     description, requested_datetime, lat, long; address and service_name\n"
    "     when present)\n"
    "  P: CSV with columns duplicate_id and original_id\n"
    "  --threshold fixes the threshold instead of choosing it on the first half\n"
    "  --weights replaces the score's weights (they must sum to 1)\n";

struct rec {
    struct str sid; /* service_request_id, lives in the arena */
    int64_t id;     /* in the index: 1 + the record's place in time order */
    int64_t time;
    struct str text, address, topic;
    bool has_place;
    double lat, lon;
    /* results of the replay */
    int64_t top[TOP_K];
    size_t top_count;
    double best; /* best candidate's score, -1 without candidates */
    size_t comp; /* ground-truth component (union-find root) */
};

struct pair {
    size_t dup, orig; /* record indices */
};

struct eval {
    struct arena *a;
    struct rec *recs;
    size_t rec_count;
    struct pair *pairs;
    size_t pair_count;
    size_t *parent; /* union-find over records */
};

struct args {
    const char *records, *pairs;
    bool json;
    bool fixed_threshold;
    double threshold;
    bool weights_set;
    double w[4];
};

/* The whole file in memory (caller frees), at most FILE_MAX bytes. */
static char *
slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tyndau: eval dedupe: cannot open %s: %s\n", path, strerror(errno));
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
        fprintf(stderr, "tyndau: eval dedupe: cannot read %s: %s\n", path,
                bad ? "read error" : "larger than 1 GiB");
        buf_fini(&b);
        return NULL;
    }
    return buf_detach(&b, len);
}

static bool
parse_weights(const char *s, double w[4])
{
    struct str rest = str_from_cstr(s);
    for (int i = 0; i < 4; i++) {
        const char *comma = memchr(rest.p, ',', rest.len);
        size_t n = comma ? (size_t)(comma - rest.p) : rest.len;
        if ((i < 3) != (comma != NULL))
            return false;
        if (str_to_double((struct str){rest.p, n}, &w[i]) != ERR_OK || w[i] < 0)
            return false;
        if (comma)
            rest = (struct str){comma + 1, rest.len - n - 1};
    }
    return fabs(w[0] + w[1] + w[2] + w[3] - 1) < 1e-6;
}

static bool
parse_args(int argc, char **argv, struct args *out, bool *help)
{
    memset(out, 0, sizeof(*out));
    *help = false;
    for (int i = 1; i < argc; i++) {
        const char *f = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(f, "--json") == 0) {
            out->json = true;
            continue;
        }
        if (strcmp(f, "--help") == 0 || strcmp(f, "-h") == 0) {
            fputs(usage, stdout);
            *help = true;
            return false;
        }
        bool valued = strcmp(f, "--records") == 0 || strcmp(f, "--pairs") == 0 ||
                      strcmp(f, "--threshold") == 0 || strcmp(f, "--weights") == 0;
        if (!valued) {
            fprintf(stderr, "tyndau: eval dedupe: unknown argument %s\n%s", f, usage);
            return false;
        }
        if (v == NULL) {
            fprintf(stderr, "tyndau: eval dedupe: %s needs a value\n%s", f, usage);
            return false;
        }
        i++;
        if (strcmp(f, "--records") == 0) {
            out->records = v;
        } else if (strcmp(f, "--pairs") == 0) {
            out->pairs = v;
        } else if (strcmp(f, "--threshold") == 0) {
            if (str_to_double(str_from_cstr(v), &out->threshold) != ERR_OK || out->threshold < 0 ||
                out->threshold > 1) {
                fprintf(stderr, "tyndau: eval dedupe: --threshold must be in [0, 1]\n");
                return false;
            }
            out->fixed_threshold = true;
        } else {
            if (!parse_weights(v, out->w)) {
                fprintf(stderr, "tyndau: eval dedupe: --weights needs four numbers >= 0, "
                                "comma separated, summing to 1\n");
                return false;
            }
            out->weights_set = true;
        }
    }
    if (out->records == NULL || out->pairs == NULL) {
        fprintf(stderr, "tyndau: eval dedupe: --records and --pairs are required\n%s", usage);
        return false;
    }
    return true;
}

/* A string field (borrowed from the parsed line); empty when absent or null. */
static bool
field_str(const struct jsonl_field *f, size_t n, const char *name, struct str *out)
{
    const struct jsonl_field *v = jsonl_get(f, n, name);
    *out = (struct str){"", 0};
    if (v == NULL || v->type == JSONL_NULL)
        return true;
    if (v->type != JSONL_STRING)
        return false;
    *out = v->text;
    return true;
}

/* The id as text: a string as it is, an integer as written. */
static bool
parse_id(const struct jsonl_field *v, struct str *out)
{
    if (v == NULL)
        return false;
    if (v->type == JSONL_NUMBER) {
        for (size_t i = 0; i < v->text.len; i++)
            if (v->text.p[i] < '0' || v->text.p[i] > '9')
                return false;
        *out = v->text;
        return true;
    }
    if (v->type != JSONL_STRING || v->text.len == 0 || v->text.len > 256)
        return false;
    *out = v->text;
    return true;
}

/* A coordinate: a number, or a string holding one (Open311 servers write
 * both); *has false when it is absent or null. */
static bool
parse_coord(const struct jsonl_field *v, double *out, bool *has)
{
    *has = false;
    if (v == NULL || v->type == JSONL_NULL)
        return true;
    if (v->type == JSONL_NUMBER) {
        *out = v->num;
    } else if (v->type != JSONL_STRING || str_to_double(v->text, out) != ERR_OK) {
        return false;
    }
    *has = true;
    return true;
}

/* One JSONL line into r (strings live in a); a message in *why on failure.
 * status_notes is never looked at: it names the original of a duplicate. */
static bool
parse_record(struct arena *a, struct str line, struct rec *r, const char **why)
{
    struct jsonl_field *f = NULL;
    size_t n = 0;
    memset(r, 0, sizeof(*r));
    if (jsonl_object(a, line, &f, &n, why) != ERR_OK)
        return false;
    if (!parse_id(jsonl_get(f, n, "service_request_id"), &r->sid)) {
        *why = "service_request_id missing, empty, longer than 256 bytes or not a string";
        return false;
    }
    r->sid.p = arena_strndup(a, r->sid.p, r->sid.len); /* a number borrows the line */
    struct str when;
    if (!field_str(f, n, "requested_datetime", &when) || when.len == 0) {
        *why = "requested_datetime missing or not a string";
        return false;
    }
    if (tm_parse_iso(when, &r->time) != ERR_OK) {
        *why = "requested_datetime is not an RFC 3339 date and time";
        return false;
    }
    if (!field_str(f, n, "description", &r->text) || !field_str(f, n, "address", &r->address) ||
        !field_str(f, n, "service_name", &r->topic)) {
        *why = "description, address or service_name is not a string";
        return false;
    }
    if (r->text.len > NORMALISE_MAX) {
        *why = "description longer than 1 MiB";
        return false;
    }
    bool has_lat, has_lon;
    if (!parse_coord(jsonl_get(f, n, "lat"), &r->lat, &has_lat) ||
        !parse_coord(jsonl_get(f, n, "long"), &r->lon, &has_lon) || has_lat != has_lon) {
        *why = "lat and long must be numbers (or both absent)";
        return false;
    }
    if (has_lat && !(r->lat >= -90 && r->lat <= 90 && r->lon >= -180 && r->lon <= 180)) {
        *why = "lat or long out of range";
        return false;
    }
    r->has_place = has_lat;
    return true;
}

static int
cmp_str(struct str a, struct str b)
{
    int c = memcmp(a.p, b.p, MIN(a.len, b.len));
    return c != 0 ? c : (a.len > b.len) - (a.len < b.len);
}

static int
cmp_rec_id(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    return cmp_str(a->sid, b->sid);
}

static int
cmp_rec_time(const void *x, const void *y)
{
    const struct rec *a = x, *b = y;
    if (a->time != b->time)
        return (a->time > b->time) - (a->time < b->time);
    return cmp_str(a->sid, b->sid);
}

static bool
load_records(struct eval *ev, const char *path)
{
    size_t len = 0;
    char *data = slurp(path, &len);
    if (data == NULL)
        return false;
    bool ok = false;
    size_t cap = 1024;
    ev->recs = xmalloc(cap * sizeof(*ev->recs));
    struct jsonl_reader rd;
    struct str line;
    jsonl_init(&rd, (struct str){data, len});
    while (jsonl_next(&rd, &line)) {
        if (ev->rec_count == RECORDS_MAX) {
            fprintf(stderr, "tyndau: eval dedupe: %s: more than %d records\n", path, RECORDS_MAX);
            goto out;
        }
        if (ev->rec_count == cap) {
            cap *= 2;
            ev->recs = xrealloc(ev->recs, cap * sizeof(*ev->recs));
        }
        const char *why = NULL;
        if (!parse_record(ev->a, line, &ev->recs[ev->rec_count], &why)) {
            fprintf(stderr, "tyndau: eval dedupe: %s:%zu: %s\n", path, rd.line, why);
            goto out;
        }
        ev->rec_count++;
    }
    if (ev->rec_count == 0) {
        fprintf(stderr, "tyndau: eval dedupe: %s: no records\n", path);
        goto out;
    }
    qsort(ev->recs, ev->rec_count, sizeof(*ev->recs), cmp_rec_id);
    for (size_t i = 1; i < ev->rec_count; i++) {
        if (cmp_str(ev->recs[i].sid, ev->recs[i - 1].sid) == 0) {
            fprintf(stderr, "tyndau: eval dedupe: %s: a service_request_id appears twice\n", path);
            goto out;
        }
    }
    /* Time order from here on: the replay and the record indices in pairs. */
    qsort(ev->recs, ev->rec_count, sizeof(*ev->recs), cmp_rec_time);
    for (size_t i = 0; i < ev->rec_count; i++)
        ev->recs[i].id = (int64_t)i + 1;
    ok = true;
out:
    free(data);
    return ok;
}

/* A record's id and index, for lookups by id. */
struct id_index {
    struct str sid;
    size_t idx;
};

static int
cmp_id_index(const void *x, const void *y)
{
    const struct id_index *a = x, *b = y;
    return cmp_str(a->sid, b->sid);
}

/* The records' ids in order (caller frees). */
static struct id_index *
index_ids(const struct eval *ev)
{
    struct id_index *by_id = xmalloc(ev->rec_count * sizeof(*by_id));
    for (size_t i = 0; i < ev->rec_count; i++)
        by_id[i] = (struct id_index){ev->recs[i].sid, i};
    qsort(by_id, ev->rec_count, sizeof(*by_id), cmp_id_index);
    return by_id;
}

/* The index of the record with id, or SIZE_MAX. */
static size_t
find_rec(const struct eval *ev, const struct id_index *by_id, struct str sid)
{
    size_t lo = 0, hi = ev->rec_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_str(by_id[mid].sid, sid);
        if (c == 0)
            return by_id[mid].idx;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

static int
column(const struct str *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (str_cstr_eq(f[i], name))
            return (int)i;
    return -1;
}

static bool
load_pairs(struct eval *ev, const char *path)
{
    size_t len = 0;
    char *data = slurp(path, &len);
    struct id_index *by_id = NULL;
    bool ok = false;
    if (data == NULL)
        return false;
    by_id = index_ids(ev);
    struct csv c;
    csv_init(&c, (struct str){data, len});
    struct str f[16];
    size_t n = 0;
    if (csv_next(&c, ev->a, f, ARRAY_LEN(f), &n) != ERR_OK || n == 0) {
        fprintf(stderr, "tyndau: eval dedupe: %s: no header line\n", path);
        goto out;
    }
    int cd = column(f, n, "duplicate_id"), co = column(f, n, "original_id");
    if (cd < 0 || co < 0) {
        fprintf(stderr, "tyndau: eval dedupe: %s: needs columns duplicate_id and original_id\n",
                path);
        goto out;
    }
    size_t cap = 1024;
    ev->pairs = xmalloc(cap * sizeof(*ev->pairs));
    while (true) {
        enum err e = csv_next(&c, ev->a, f, ARRAY_LEN(f), &n);
        if (e) {
            fprintf(stderr, "tyndau: eval dedupe: %s:%zu: %s\n", path, c.line, err_name(e));
            goto out;
        }
        if (n == 0)
            break;
        if ((size_t)cd >= n || (size_t)co >= n) {
            fprintf(stderr, "tyndau: eval dedupe: %s:%zu: too few fields\n", path, c.line);
            goto out;
        }
        size_t d = find_rec(ev, by_id, f[cd]), o = find_rec(ev, by_id, f[co]);
        if (d == SIZE_MAX || o == SIZE_MAX || d == o) {
            fprintf(stderr, "tyndau: eval dedupe: %s:%zu: %s\n", path, c.line,
                    d == o && d != SIZE_MAX ? "a record cannot duplicate itself"
                                            : "id not among the records");
            goto out;
        }
        if (ev->pair_count == PAIRS_MAX) {
            fprintf(stderr, "tyndau: eval dedupe: %s: more than %d pairs\n", path, PAIRS_MAX);
            goto out;
        }
        if (ev->pair_count == cap) {
            cap *= 2;
            ev->pairs = xrealloc(ev->pairs, cap * sizeof(*ev->pairs));
        }
        ev->pairs[ev->pair_count++] = (struct pair){d, o};
    }
    if (ev->pair_count == 0) {
        fprintf(stderr, "tyndau: eval dedupe: %s: no pairs\n", path);
        goto out;
    }
    ok = true;
out:
    free(by_id);
    free(data);
    return ok;
}

static size_t
uf_find(size_t *parent, size_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Feed every record to a fresh index in time order; keep each one's best
 * candidates. Returns the seconds it took, or -1 on failure. */
static double
replay(struct eval *ev, const struct dedupe_opts *o)
{
    struct dedupe *d = NULL;
    double secs = -1;
    enum err e = dedupe_new(o, &d);
    if (e) {
        fprintf(stderr, "tyndau: eval dedupe: cannot make the index: %s\n", err_name(e));
        return -1;
    }
    struct dedupe_result *res = xmalloc(sizeof(*res));
    int64_t t0 = tm_mono_ms();
    for (size_t i = 0; i < ev->rec_count; i++) {
        struct rec *r = &ev->recs[i];
        struct dedupe_appeal ap = {
            .id = r->id,
            .text = r->text,
            .has_place = r->has_place,
            .lat = r->lat,
            .lon = r->lon,
            .address = r->address,
            .topic = r->topic,
            .time = r->time,
        };
        e = dedupe_add(d, &ap, res);
        if (e) {
            fprintf(stderr, "tyndau: eval dedupe: record %.*s: %s\n", (int)r->sid.len, r->sid.p,
                    err_name(e));
            goto out;
        }
        r->top_count = MIN(res->candidate_count, (size_t)TOP_K);
        for (size_t k = 0; k < r->top_count; k++)
            r->top[k] = res->top[k].id;
        r->best = res->candidate_count > 0 ? res->top[0].score : -1;
    }
    secs = (double)(tm_mono_ms() - t0) / 1000;
out:
    free(res);
    dedupe_free(d);
    return secs;
}

/* Counts for one part of the data at one threshold. */
struct tally {
    size_t pairs, pairs_earlier, hit3, hit3_earlier;
    size_t linked, linked_right; /* records whose best score passes, and right ones */
    size_t pair_linked_right;    /* pair duplicates linked into their own component */
};

/* Whether r's best candidate is in r's ground-truth component. */
static bool
best_right(const struct eval *ev, const struct rec *r)
{
    if (r->top_count == 0)
        return false;
    return ev->recs[r->top[0] - 1].comp == r->comp;
}

/* part: 0 all, 1 before split, 2 from split on. */
static bool
in_part(int part, int64_t t, int64_t split)
{
    return part == 0 || (part == 1 && t < split) || (part == 2 && t >= split);
}

static struct tally
tally_at(const struct eval *ev, const bool *right, int part, int64_t split, double threshold)
{
    struct tally t = {0};
    for (size_t i = 0; i < ev->rec_count; i++) {
        const struct rec *r = &ev->recs[i];
        if (!in_part(part, r->time, split) || r->best < threshold || r->top_count == 0)
            continue;
        t.linked++;
        t.linked_right += right[i];
    }
    for (size_t p = 0; p < ev->pair_count; p++) {
        const struct rec *d = &ev->recs[ev->pairs[p].dup];
        const struct rec *o = &ev->recs[ev->pairs[p].orig];
        if (!in_part(part, d->time, split))
            continue;
        bool earlier = ev->pairs[p].orig < ev->pairs[p].dup; /* time order */
        bool hit = false;
        for (size_t k = 0; k < d->top_count; k++)
            hit = hit || d->top[k] == o->id;
        t.pairs++;
        t.pairs_earlier += earlier;
        t.hit3 += hit;
        t.hit3_earlier += hit && earlier;
        t.pair_linked_right += d->best >= threshold && right[ev->pairs[p].dup];
    }
    return t;
}

static double
ratio(size_t a, size_t b)
{
    return b == 0 ? 0 : (double)a / (double)b;
}

static double
f1(const struct tally *t)
{
    double p = ratio(t->linked_right, t->linked), r = ratio(t->pair_linked_right, t->pairs);
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

static int
cmp_double_desc(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a < b) - (a > b);
}

/* The threshold with the best F1 (link precision, link recall) on part 1.
 * Every best score is tried: the threshold sits at one of them. */
static double
choose_threshold(const struct eval *ev, const bool *right, int64_t split)
{
    double *s = xmalloc(ev->rec_count * sizeof(*s));
    size_t n = 0;
    for (size_t i = 0; i < ev->rec_count; i++)
        if (ev->recs[i].time < split && ev->recs[i].best >= 0)
            s[n++] = ev->recs[i].best;
    qsort(s, n, sizeof(*s), cmp_double_desc);
    double best_t = 1, best_f = -1;
    /* Many records share a score range: try at most 400 quantiles. */
    size_t step = n / 400 + 1;
    for (size_t i = 0; i < n; i += step) {
        struct tally t = tally_at(ev, right, 1, split, s[i]);
        double f = f1(&t);
        if (f > best_f) {
            best_f = f;
            best_t = s[i];
        }
    }
    free(s);
    return n == 0 ? -1 : best_t;
}

static void
tally_json(struct buf *b, const char *name, const struct tally *t, bool last)
{
    buf_printf(b,
               "\"%s\":{\"pairs\":%zu,\"pairs_original_earlier\":%zu,\"recall_at_3\":%.4f,"
               "\"recall_at_3_original_earlier\":%.4f,\"linked\":%zu,\"precision\":%.4f,"
               "\"recall_at_threshold\":%.4f}%s",
               name, t->pairs, t->pairs_earlier, ratio(t->hit3, t->pairs),
               ratio(t->hit3_earlier, t->pairs_earlier), t->linked,
               ratio(t->linked_right, t->linked), ratio(t->pair_linked_right, t->pairs),
               last ? "" : ",");
}

static void
tally_text(const char *name, const struct tally *t)
{
    printf("%-22s %6zu %9.3f %13.3f %7zu %9.3f %9.3f\n", name, t->pairs, ratio(t->hit3, t->pairs),
           ratio(t->hit3_earlier, t->pairs_earlier), t->linked, ratio(t->linked_right, t->linked),
           ratio(t->pair_linked_right, t->pairs));
}

static int
cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

static int
report(struct eval *ev, const struct args *ar, const struct dedupe_opts *o, double secs)
{
    bool *right = xcalloc(ev->rec_count, sizeof(*right));
    int64_t *dup_times = xmalloc(ev->pair_count * sizeof(*dup_times));
    ev->parent = xmalloc(ev->rec_count * sizeof(*ev->parent));
    for (size_t i = 0; i < ev->rec_count; i++)
        ev->parent[i] = i;
    for (size_t p = 0; p < ev->pair_count; p++) {
        size_t a = uf_find(ev->parent, ev->pairs[p].dup),
               b = uf_find(ev->parent, ev->pairs[p].orig);
        ev->parent[a] = b;
    }
    for (size_t i = 0; i < ev->rec_count; i++)
        ev->recs[i].comp = uf_find(ev->parent, i);
    for (size_t i = 0; i < ev->rec_count; i++)
        right[i] = best_right(ev, &ev->recs[i]);
    /* The split: the median time of the duplicates. The threshold is chosen
     * on the records and pairs before it and measured on those after. */
    for (size_t p = 0; p < ev->pair_count; p++)
        dup_times[p] = ev->recs[ev->pairs[p].dup].time;
    qsort(dup_times, ev->pair_count, sizeof(*dup_times), cmp_i64);
    int64_t split = dup_times[ev->pair_count / 2];
    double threshold = ar->fixed_threshold ? ar->threshold : choose_threshold(ev, right, split);
    const char *chosen = ar->fixed_threshold ? "given" : "tune";
    if (threshold < 0) { /* nothing scored before the split */
        threshold = o->threshold;
        chosen = "default";
    }
    struct tally all = tally_at(ev, right, 0, split, threshold);
    struct tally tune = tally_at(ev, right, 1, split, threshold);
    struct tally test = tally_at(ev, right, 2, split, threshold);
    char split_s[32];
    tm_format_utc(split, split_s);
    if (ar->json) {
        struct buf b = BUF_INIT(1 << 16);
        buf_printf(&b,
                   "{\"recall_at_3\":%.4f,\"precision\":%.4f,\"threshold\":%.4f,"
                   "\"threshold_chosen_on\":\"%s\",\"precision_on\":\"%s\",\"split\":\"%s\","
                   "\"records\":%zu,\"pairs\":%zu,\"weights\":{\"text\":%g,\"place\":%g,"
                   "\"time\":%g,\"topic\":%g},\"ms_per_appeal\":%.4f,",
                   ratio(all.hit3, all.pairs), ratio(test.linked_right, test.linked), threshold,
                   chosen, "test", split_s, ev->rec_count, ev->pair_count, o->w_text, o->w_place,
                   o->w_time, o->w_topic, 1000 * secs / (double)ev->rec_count);
        tally_json(&b, "all", &all, false);
        tally_json(&b, "tune", &tune, false);
        tally_json(&b, "test", &test, true);
        buf_puts(&b, "}\n");
        if (!buf_failed(&b))
            fputs(b.p, stdout);
        buf_fini(&b);
    } else {
        printf("records %zu, pairs %zu, replayed in %.2f s (%.3f ms per appeal)\n", ev->rec_count,
               ev->pair_count, secs, 1000 * secs / (double)ev->rec_count);
        printf("weights: text %g, place %g, time %g, topic %g\n", o->w_text, o->w_place, o->w_time,
               o->w_topic);
        printf("threshold %.4f (%s); tune = duplicates before %s, test = from then on\n", threshold,
               strcmp(chosen, "tune") == 0 ? "best F1 on tune" : chosen, split_s);
        printf("%-22s %6s %9s %13s %7s %9s %9s\n", "part", "pairs", "recall@3", "r@3 orig<dup",
               "linked", "precision", "recall@t");
        tally_text("all", &all);
        tally_text("tune", &tune);
        tally_text("test", &test);
    }
    free(dup_times);
    free(right);
    return 0;
}

int
cmd_eval_dedupe(int argc, char **argv)
{
    struct args ar;
    struct eval ev = {0};
    int rc = 2;
    bool help = false;
    if (!parse_args(argc, argv, &ar, &help))
        return help ? 0 : 2;
    ev.a = arena_new();
    if (!load_records(&ev, ar.records) || !load_pairs(&ev, ar.pairs))
        goto out;
    struct dedupe_opts o;
    dedupe_opts_default(&o);
    if (ar.weights_set) {
        o.w_text = ar.w[0];
        o.w_place = ar.w[1];
        o.w_time = ar.w[2];
        o.w_topic = ar.w[3];
    }
    if (ar.fixed_threshold)
        o.threshold = ar.threshold;
    if (ev.rec_count > o.capacity)
        o.capacity = ev.rec_count;
    double secs = replay(&ev, &o);
    if (secs < 0) {
        rc = 1;
        goto out;
    }
    rc = report(&ev, &ar, &o, secs);
out:
    free(ev.recs);
    free(ev.pairs);
    free(ev.parent);
    arena_free(ev.a);
    return rc;
}
