/*
 * config.c - the option table and its sources. Only cli/ reads configuration;
 * other modules get small option structs built from struct config.
 */
#include "cli/config.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "base/str.h"
#include "base/util.h"
#include "base/xalloc.h"

enum opt_type { OPT_STR, OPT_INT, OPT_BOOL };
enum { CONFIG_LINE_MAX = 8192 };

#define OFF(f) offsetof(struct config, f)

static const struct opt {
    const char *name;
    enum opt_type type;
    size_t off;
    int64_t min, max;
    const char *def;
    const char *help;
} opts[] = {
    {"listen", OPT_STR, OFF(listen), 0, 0, "127.0.0.1:8080",
     "HTTP address ADDR:PORT (port 0: any)"},
    {"db", OPT_STR, OFF(db), 0, 0, "sqlite:tyndau.db",
     "database: sqlite:PATH, sqlite::memory: or postgresql://..."},
    {"log_level", OPT_STR, OFF(log_level), 0, 0, "info", "error, warn, info or debug"},
    {"threads", OPT_INT, OFF(threads), 1, 256, "4", "HTTP handler threads"},
    {"conn_max", OPT_INT, OFF(conn_max), 1, 1000000, "4096", "open connections in all"},
    {"per_ip_max", OPT_INT, OFF(per_ip_max), 1, 1000000, "512", "open connections per address"},
    {"timeout", OPT_INT, OFF(timeout), 1, 3600, "30", "idle connection timeout, seconds"},
    {"body_max", OPT_INT, OFF(body_max), 1024, 1 << 24, "65536", "largest request body, bytes"},
    {"rate_submit", OPT_INT, OFF(rate_submit), 1, INT64_MAX / 2, "60",
     "appeals per address (or account) per minute"},
    {"rate_login", OPT_INT, OFF(rate_login), 1, INT64_MAX / 2, "20",
     "login attempts per address per minute"},
    {"session_ttl", OPT_INT, OFF(session_ttl), 60, 90 * 86400, "43200",
     "session lifetime, seconds"},
    {"scheduler_interval_ms", OPT_INT, OFF(scheduler_interval_ms), 0, 86400000, "60000",
     "deadline scan interval, ms (0: off)"},
    {"model_check_ms", OPT_INT, OFF(model_check_ms), 0, 86400000, "30000",
     "how often to look for a newer routing model, ms (0: never)"},
    {"live_heartbeat_ms", OPT_INT, OFF(live_heartbeat_ms), 0, 3600000, "15000",
     "live stream heartbeat, ms (0: none)"},
    {"live_writers", OPT_INT, OFF(live_writers), 1, 8, "1",
     "threads that write live events to the streams' sockets"},
    {"live_queue_kb", OPT_INT, OFF(live_queue_kb), 16, 65536, "256",
     "live events queued per subscriber, KiB; a slower one is dropped"},
    {"clock_offset", OPT_INT, OFF(clock_offset), -3153600000LL, 3153600000LL, "0",
     "seconds added to the clock (drills and tests)"},
    {"cluster_days", OPT_INT, OFF(cluster_days), 1, 365, "90",
     "near-duplicates are looked for this many days back"},
    {"cluster_capacity", OPT_INT, OFF(cluster_capacity), 1024, 1 << 24, "262144",
     "appeals the near-duplicate index holds (about 650 bytes each)"},
    {"burst_warmup", OPT_INT, OFF(burst_warmup), 0, 30 * 86400, "604800",
     "seconds of history a topic and region need before a burst is reported"},
    {"readers", OPT_INT, OFF(readers), 1, 256, "16", "read connections to the store"},
    {"group_max", OPT_INT, OFF(group_max), 1, 100000, "1024", "most writes per commit"},
    {"behind_tls", OPT_BOOL, OFF(behind_tls), 0, 1, "false", "cookies get Secure (TLS proxy)"},
    {"demo_rate", OPT_INT, OFF(demo_rate), 1, 1000, "2", "demo appeals per second"},
    {"mail_spool", OPT_STR, OFF(mail_spool), 0, 0, "",
     "e-mail to citizens is written here as .eml files (empty: mail-spool beside the SQLite "
     "file; none for PostgreSQL or :memory:, where it stays queued)"},
    {"site_url", OPT_STR, OFF(site_url), 0, 0, "http://localhost:8080",
     "the public address of the site, for links in e-mail"},
    {"mail_from", OPT_STR, OFF(mail_from), 0, 0, "tyndau@localhost", "the From of e-mail"},
};

static char errmsg[256];

static const struct opt *
find(const char *name, size_t len)
{
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        const char *n = opts[i].name;
        if (strlen(n) != len)
            continue;
        size_t k = 0;
        /* '-' and '_' are the same in option names. */
        while (k < len && (n[k] == name[k] || (n[k] == '_' && name[k] == '-')))
            k++;
        if (k == len)
            return &opts[i];
    }
    return NULL;
}

static enum err
set(struct config *c, const struct opt *o, const char *value, const char *source)
{
    char *base = (char *)c;
    switch (o->type) {
    case OPT_STR: {
        char **p = (char **)(void *)(base + o->off);
        free(*p);
        *p = xstrdup(value);
        return ERR_OK;
    }
    case OPT_INT: {
        int64_t v;
        if (str_to_i64(str_from_cstr(value), o->min, o->max, &v)) {
            snprintf(errmsg, sizeof(errmsg), "%s: %s must be an integer in %lld..%lld", source,
                     o->name, (long long)o->min, (long long)o->max);
            return ERR_INVALID;
        }
        *(int64_t *)(void *)(base + o->off) = v;
        return ERR_OK;
    }
    case OPT_BOOL: {
        bool *p = (bool *)(void *)(base + o->off);
        if (!strcmp(value, "true") || !strcmp(value, "1") || !strcmp(value, "yes"))
            *p = true;
        else if (!strcmp(value, "false") || !strcmp(value, "0") || !strcmp(value, "no"))
            *p = false;
        else {
            snprintf(errmsg, sizeof(errmsg), "%s: %s must be true or false", source, o->name);
            return ERR_INVALID;
        }
        return ERR_OK;
    }
    }
    return ERR_INVALID;
}

static char *
trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* name = value lines; '#' starts a comment. */
static enum err
load_file(struct config *c, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errmsg, sizeof(errmsg), "cannot open config file %s", path);
        return ERR_IO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int lineno = 0;
    enum err e = ERR_OK;
    /* getline: a line of any length is one line, never read in pieces. */
    while (!e && (n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (n > CONFIG_LINE_MAX) {
            snprintf(errmsg, sizeof(errmsg), "%.200s:%d: line longer than %d bytes", path, lineno,
                     CONFIG_LINE_MAX);
            e = ERR_TOOBIG;
            break;
        }
        if (memchr(line, '\0', (size_t)n)) {
            snprintf(errmsg, sizeof(errmsg), "%.200s:%d: NUL byte in line", path, lineno);
            e = ERR_INVALID;
            break;
        }
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *s = trim(line);
        if (!*s)
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(errmsg, sizeof(errmsg), "%.200s:%d: expected name = value", path, lineno);
            e = ERR_INVALID;
            break;
        }
        *eq = '\0';
        char *name = trim(s), *value = trim(eq + 1);
        const struct opt *o = find(name, strlen(name));
        if (!o) {
            snprintf(errmsg, sizeof(errmsg), "%.150s:%d: unknown option %.64s", path, lineno, name);
            e = ERR_INVALID;
            break;
        }
        char src[300];
        snprintf(src, sizeof(src), "%.200s:%d", path, lineno);
        e = set(c, o, value, src);
    }
    free(line);
    fclose(f);
    return e;
}

/* The data directory is the SQLite file's: e-mail is spooled beside it
 * unless mail_spool says otherwise. */
static void
default_spool(struct config *c)
{
    const char *path = c->db + 7;
    if (c->mail_spool[0] || strncmp(c->db, "sqlite:", 7) != 0 || strcmp(path, ":memory:") == 0)
        return;
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0;
    size_t len = dir_len + sizeof("mail-spool");
    free(c->mail_spool);
    c->mail_spool = xmalloc(len);
    snprintf(c->mail_spool, len, "%.*smail-spool", (int)dir_len, path);
}

enum err
config_load(struct config *c, struct config_args *a, int argc, char **argv, const char **why)
{
    enum err e = ERR_OK;
    memset(c, 0, sizeof(*c));
    memset(a, 0, sizeof(*a));
    *why = errmsg;
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        if ((e = set(c, &opts[i], opts[i].def, "default")))
            return e;
    const char *file = getenv("TYNDAU_CONFIG");
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--config=", 9) == 0)
            file = argv[i] + 9;
    if (file && (e = load_file(c, file)))
        return e;
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        char env[64] = "TYNDAU_";
        size_t k = 7;
        for (const char *p = opts[i].name; *p && k < sizeof(env) - 1; p++)
            env[k++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        env[k] = '\0';
        const char *v = getenv(env);
        if (v && (e = set(c, &opts[i], v, env)))
            return e;
    }
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strncmp(arg, "--", 2) != 0) {
            if (a->pos_count == CONFIG_ARGS_MAX) {
                snprintf(errmsg, sizeof(errmsg), "too many arguments");
                return ERR_INVALID;
            }
            a->pos[a->pos_count++] = arg;
            continue;
        }
        if (strncmp(arg, "--config=", 9) == 0)
            continue;
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const char *value = eq ? eq + 1 : "true";
        const struct opt *o = find(name, len);
        if (o) {
            if ((e = set(c, o, value, "command line")))
                return e;
            continue;
        }
        if (a->flag_count == CONFIG_ARGS_MAX) {
            snprintf(errmsg, sizeof(errmsg), "too many flags");
            return ERR_INVALID;
        }
        char *n = xstrndup(name, len);
        for (char *p = n; *p; p++)
            if (*p == '-')
                *p = '_';
        a->name[a->flag_count] = n;
        a->value[a->flag_count] = value;
        a->flag_count++;
    }
    default_spool(c);
    return ERR_OK;
}

void
config_fini(struct config *c)
{
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        if (opts[i].type == OPT_STR)
            free(*(char **)(void *)((char *)c + opts[i].off));
}

void
config_args_fini(struct config_args *a)
{
    for (int i = 0; i < a->flag_count; i++)
        free((char *)a->name[i]);
    a->flag_count = 0;
}

const char *
config_arg(const struct config_args *a, const char *name)
{
    for (int i = 0; i < a->flag_count; i++)
        if (strcmp(a->name[i], name) == 0)
            return a->value[i];
    return NULL;
}

void
config_print(const struct config *c, FILE *out)
{
    const char *base = (const char *)c;
    for (size_t i = 0; i < ARRAY_LEN(opts); i++) {
        const struct opt *o = &opts[i];
        switch (o->type) {
        case OPT_STR:
            fprintf(out, "%s = %s\n", o->name, *(char *const *)(const void *)(base + o->off));
            break;
        case OPT_INT:
            fprintf(out, "%s = %lld\n", o->name,
                    (long long)*(const int64_t *)(const void *)(base + o->off));
            break;
        case OPT_BOOL:
            fprintf(out, "%s = %s\n", o->name,
                    *(const bool *)(const void *)(base + o->off) ? "true" : "false");
            break;
        }
    }
}

void
config_usage(FILE *out)
{
    fprintf(out, "options (--name=value, TYNDAU_NAME, or name = value in --config=FILE):\n");
    for (size_t i = 0; i < ARRAY_LEN(opts); i++)
        fprintf(out, "  --%-24s %s (default %s)\n", opts[i].name, opts[i].help, opts[i].def);
}
