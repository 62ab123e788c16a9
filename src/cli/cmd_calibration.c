/*
 * cmd_calibration.c - `tyndau calibration`: the versioned calibration tables
 * opinion measurement weights to, kept in the store (005_calibration).
 *   calibration load FILE [--name=N] [--kind=margins|channels]
 *   calibration list [--all]
 *   calibration show NAME [--version=V]
 * load validates the CSV (a margins table's variables sum to its total
 * within 0.1%, channel reach "any" and "none" to 1; every row has a source
 * and a reference date) and adds it as the next version of its name (the
 * file's name without .csv unless --name is given); the same body twice is
 * refused. Bad input exits 2 with one line saying what and where.
 * Exports cmd_calibration().
 */
#include "cli/cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analytics/opinion.h"
#include "base/arena.h"
#include "base/buf.h"
#include "base/log.h"

#define CALIB_FILE_MAX ((size_t)1 << 24)
enum { CALIB_NAME_MAX = 64 };

static const char usage[] =
    "usage: tyndau calibration load FILE [--name=N] [--kind=margins|channels]\n"
    "       tyndau calibration list [--all]\n"
    "       tyndau calibration show NAME [--version=V]\n";

static bool
name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CALIB_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return false;
    return true;
}

/* The file's base name without ".csv", in a. */
static const char *
default_name(struct arena *a, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    return arena_strndup(a, base, n);
}

/* The whole file, NUL-terminated, in a; at most CALIB_FILE_MAX bytes. */
static char *
read_file(struct arena *a, const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "tyndau: calibration: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    struct buf b = BUF_INIT(CALIB_FILE_MAX);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    bool bad = ferror(f) != 0;
    fclose(f);
    if (bad || buf_failed(&b)) {
        fprintf(stderr, "tyndau: calibration: cannot read %s: %s\n", path,
                bad ? "read error" : "larger than 16 MiB");
        buf_fini(&b);
        return NULL;
    }
    char *p = arena_strndup(a, b.p ? b.p : "", b.len);
    *len = b.len;
    buf_fini(&b);
    return p;
}

/* Validate body as a table of kind; sets t->total and t->ref_date. */
static bool
validate(struct arena *a, const char *path, struct calib_table *t)
{
    struct str csv = {t->body, t->body_len};
    const char *why = NULL, *latest = NULL;
    enum err e;
    if (strcmp(t->kind, "margins") == 0) {
        struct op_margins m;
        e = op_margins_parse(a, csv, &m, &why);
        if (!e)
            e = op_margins_sourced(a, &m, &latest, &why);
        t->total = m.total;
    } else {
        struct op_channels ch;
        e = op_channels_parse(a, csv, &ch, &why);
        if (!e)
            e = op_channels_sourced(a, &ch, &latest, &why);
        t->total = 1;
    }
    if (!e && memchr(t->body, '\0', t->body_len)) {
        why = "the file holds a NUL byte";
        e = ERR_INVALID;
    }
    if (e) {
        fprintf(stderr, "tyndau: calibration: %s: %s\n", path, why);
        return false;
    }
    t->ref_date = latest;
    return true;
}

/* The kind named by --kind, or guessed from the header's first field. */
static const char *
kind_of(const struct config_args *a, const char *body)
{
    const char *k = config_arg(a, "kind");
    if (k)
        return strcmp(k, "margins") == 0 || strcmp(k, "channels") == 0 ? k : NULL;
    if (strncmp(body, "channel,", 8) == 0)
        return "channels";
    return "margins";
}

static enum err
insert_job(struct store_tx *tx, void *arg)
{
    return store_tx_calibration_insert(tx, arg);
}

static int
load(struct store *s, struct arena *ar, const struct config_args *a)
{
    if (a->pos_count != 2) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    const char *path = a->pos[1];
    struct calib_table t = {0};
    t.body = read_file(ar, path, &t.body_len);
    if (!t.body)
        return 2;
    t.name = config_arg(a, "name") ? config_arg(a, "name") : default_name(ar, path);
    if (!name_ok(t.name)) {
        fprintf(stderr,
                "tyndau: calibration: the name \"%s\" must be 1 to 64 of a-z, 0-9 and _"
                " (give --name)\n",
                t.name);
        return 2;
    }
    t.kind = kind_of(a, t.body);
    if (!t.kind) {
        fprintf(stderr, "tyndau: calibration: --kind must be margins or channels\n");
        return 2;
    }
    if (!validate(ar, path, &t))
        return 2;
    t.loaded_at = (int64_t)time(NULL);
    enum err e = store_write(s, insert_job, &t);
    if (e == ERR_CONFLICT) {
        fprintf(stderr, "tyndau: calibration: %s\n", store_errmsg(s));
        return 2;
    }
    if (e) {
        log_error("calibration: cannot store %s: %s: %s", t.name, err_name(e), store_errmsg(s));
        return 1;
    }
    printf("%s version %lld: %s, total %.15g, reference date %s\n", t.name, (long long)t.version,
           t.kind, t.total, t.ref_date);
    return 0;
}

static int
list(struct store *s, struct arena *ar, const struct config_args *a)
{
    const char *all = config_arg(a, "all");
    struct calib_table *rows;
    size_t count;
    enum err e = store_calibration_list(s, ar, all && strcmp(all, "false") != 0, &rows, &count);
    if (e) {
        log_error("calibration: cannot list: %s: %s", err_name(e), store_errmsg(s));
        return 1;
    }
    printf("%-24s %7s %-9s %15s %-10s %s\n", "name", "version", "kind", "total", "ref_date",
           "loaded (UTC)");
    for (size_t i = 0; i < count; i++) {
        char when[32];
        time_t t = (time_t)rows[i].loaded_at;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
        printf("%-24s %7lld %-9s %15.15g %-10s %s\n", rows[i].name, (long long)rows[i].version,
               rows[i].kind, rows[i].total, rows[i].ref_date, when);
    }
    return 0;
}

static int
show(struct store *s, struct arena *ar, const struct config_args *a)
{
    uint64_t version = 0;
    const char *v = config_arg(a, "version");
    if (a->pos_count != 2 || (v && str_to_u64(str_from_cstr(v), INT64_MAX, &version))) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    struct calib_table t;
    enum err e = store_calibration_get(s, ar, a->pos[1], (int64_t)version, &t);
    if (e == ERR_NOTFOUND) {
        fprintf(stderr, "tyndau: calibration: no table %s%s\n", a->pos[1],
                version ? " at that version" : "");
        return 2;
    }
    if (e) {
        log_error("calibration: cannot read %s: %s: %s", a->pos[1], err_name(e), store_errmsg(s));
        return 1;
    }
    fwrite(t.body, 1, t.body_len, stdout);
    return 0;
}

int
cmd_calibration(struct config *c, struct config_args *a)
{
    const char *sub = a->pos_count > 0 ? a->pos[0] : "";
    int (*run)(struct store *, struct arena *, const struct config_args *) = NULL;
    if (strcmp(sub, "load") == 0)
        run = load;
    else if (strcmp(sub, "list") == 0)
        run = list;
    else if (strcmp(sub, "show") == 0)
        run = show;
    if (!run) {
        fprintf(stderr, "%s", usage);
        return 2;
    }
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    struct arena *ar = arena_new();
    int rc = run(s, ar, a);
    arena_free(ar);
    store_close(s);
    return rc;
}
