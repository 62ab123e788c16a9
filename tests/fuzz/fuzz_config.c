/*
 * fuzz_config.c - the config file parser of cli/config.c: the input is
 * written to a file in memory and loaded with --config=FILE, between the
 * defaults and two command-line flags. Comments change nothing (the file
 * without them loads the same), a message names a line the file has, and
 * a file that loads prints (config print) to a file that loads again and
 * prints the same. The environment's TYNDAU_* variables are cleared first
 * so that runs do not depend on it.
 */
#define _GNU_SOURCE /* memfd_create() */
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/config.h"
#include "fuzz/fuzz.h"

extern char **environ;

static char config_flag[64];
static int fd = -1;

static void
clear_env(void)
{
    for (;;) {
        char name[256];
        size_t n = 0;
        for (char **e = environ; *e && !n; e++) {
            if (strncmp(*e, "TYNDAU_", 7) != 0)
                continue;
            const char *eq = strchr(*e, '=');
            n = eq ? (size_t)(eq - *e) : strlen(*e);
            if (n >= sizeof(name))
                n = sizeof(name) - 1;
            memcpy(name, *e, n);
            name[n] = '\0';
        }
        if (!n)
            return;
        FUZZ_CHECK(unsetenv(name) == 0);
    }
}

/* An in-memory file (ftruncate() on a disk file costs a journal commit),
 * read through /proc/self/fd; nothing is left behind when a crash ends the
 * process. Where memfd_create() fails, an unlinked temporary file. */
static void
setup(void)
{
    clear_env();
    fd = memfd_create("tyndau-fuzz-config", 0);
    if (fd < 0) {
        char path[256];
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof(path), "%s/tyndau-fuzz-config-XXXXXX", dir && *dir ? dir : "/tmp");
        fd = mkstemp(path);
        if (fd < 0) {
            perror(path);
            abort();
        }
        (void)unlink(path);
    }
    snprintf(config_flag, sizeof(config_flag), "--config=/proc/self/fd/%d", fd);
}

static void
write_file(const void *p, size_t n)
{
    FUZZ_CHECK(ftruncate(fd, 0) == 0);
    for (size_t off = 0; off < n;) {
        ssize_t w = pwrite(fd, (const char *)p + off, n - off, (off_t)off);
        FUZZ_CHECK(w > 0);
        off += (size_t)w;
    }
}

/* Longest line, without its newline. */
static size_t
longest_line(const char *p, size_t n)
{
    size_t best = 0, start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || p[i] == '\n') {
            if (i - start > best)
                best = i - start;
            start = i + 1;
        }
    }
    return best;
}

/* What loading a file gave: the error, and config_print()'s output or the
 * message. */
struct outcome {
    enum err e;
    char *text; /* caller frees */
    size_t len;
};

/* Load the file as `tyndau serve --config=FILE --demo-rate=7 --role=admin`. */
static struct outcome
load(void)
{
    char *argv[] = {"serve", config_flag, "--demo-rate=7", "--role=admin", NULL};
    struct config c;
    struct config_args args;
    const char *why = NULL;
    struct outcome o = {0};
    o.e = config_load(&c, &args, 4, argv, &why);
    if (o.e) {
        FUZZ_CHECK(o.e == ERR_INVALID);
        FUZZ_CHECK(why != NULL && why[0] != '\0' && strlen(why) < 256);
        o.len = strlen(why);
        o.text = malloc(o.len + 1);
        FUZZ_CHECK(o.text != NULL);
        memcpy(o.text, why, o.len + 1);
    } else {
        /* The command line overrides the file; unknown flags are kept for the command. */
        FUZZ_CHECK(c.demo_rate == 7);
        const char *role = config_arg(&args, "role");
        FUZZ_CHECK(role != NULL && strcmp(role, "admin") == 0);
        FUZZ_CHECK(args.pos_count == 0);
        FILE *m = open_memstream(&o.text, &o.len);
        FUZZ_CHECK(m != NULL);
        config_print(&c, m);
        FUZZ_CHECK(fclose(m) == 0);
    }
    config_fini(&c);
    config_args_fini(&args);
    return o;
}

static bool
same_outcome(struct outcome a, struct outcome b)
{
    return a.e == b.e && a.len == b.len && memcmp(a.text, b.text, a.len) == 0;
}

/* The lines of p with everything from '#' on removed; caller frees. */
static char *
strip_comments(const char *p, size_t n, size_t *out_len)
{
    char *out = malloc(n + 1);
    FUZZ_CHECK(out != NULL);
    size_t k = 0;
    bool comment = false;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n')
            comment = false;
        else if (p[i] == '#')
            comment = true;
        if (!comment)
            out[k++] = p[i];
    }
    *out_len = k;
    return out;
}

/* A message "FILE:N: ..." names a line that the file has. */
static void
check_line_number(const struct outcome *o, const char *p, size_t n)
{
    const char *path = config_flag + strlen("--config=");
    size_t path_len = strlen(path);
    if (!o->e || o->len <= path_len || memcmp(o->text, path, path_len) != 0 ||
        o->text[path_len] != ':')
        return;
    size_t lines = 0, lineno = 0;
    for (size_t i = 0; i < n; i++)
        lines += p[i] == '\n' || i == n - 1;
    for (const char *q = o->text + path_len + 1; *q >= '0' && *q <= '9'; q++)
        lineno = lineno * 10 + (size_t)(*q - '0');
    FUZZ_CHECK(lineno >= 1 && lineno <= lines);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data;
    if (fd < 0)
        setup();
    write_file(p, size);
    struct outcome first = load(), stripped = {0}, again = {0};
    bool fits = true; /* lines of any length are read whole (getline) */

    if (fits) {
        check_line_number(&first, p, size);
        /* Comments change nothing. */
        size_t n;
        char *bare = strip_comments(p, size, &n);
        write_file(bare, n);
        stripped = load();
        free(bare);
        FUZZ_CHECK(same_outcome(first, stripped));
    }
    /* What config print writes loads again to the same values. */
    if (!first.e && (fuzz_strict() || (fits && longest_line(first.text, first.len) < 1020))) {
        write_file(first.text, first.len);
        again = load();
        FUZZ_CHECK(again.e == ERR_OK && same_outcome(first, again));
    }
    free(first.text);
    free(stripped.text);
    free(again.text);
    return 0;
}
