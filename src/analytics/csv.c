/*
 * csv.c - the CSV reader behind csv.h: one record per csv_next() call.
 */
#include "analytics/csv.h"

#include <string.h>

#include "base/buf.h"

void
csv_init(struct csv *c, struct str in)
{
    c->in = in;
    c->pos = 0;
    c->line = 0;
    if (in.len >= 3 && memcmp(in.p, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
}

static struct str
trim(struct str s)
{
    while (s.len && (s.p[0] == ' ' || s.p[0] == '\t')) {
        s.p++;
        s.len--;
    }
    while (s.len && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t'))
        s.len--;
    return s;
}

/* Quoted field starting after the opening quote at c->pos; leaves c->pos
 * after the closing quote. */
static enum err
quoted(struct csv *c, struct arena *a, struct str *out)
{
    struct buf b = BUF_INIT((size_t)1 << 24);
    const char *p = c->in.p;
    enum err e = ERR_INVALID;
    while (c->pos < c->in.len) {
        char ch = p[c->pos++];
        if (ch == '"') {
            if (c->pos < c->in.len && p[c->pos] == '"') {
                buf_putc(&b, '"');
                c->pos++;
                continue;
            }
            e = ERR_OK;
            break;
        }
        if (ch == '\n')
            c->line++;
        buf_putc(&b, ch);
    }
    if (buf_failed(&b))
        e = ERR_TOOBIG;
    if (!e) {
        char *copy = arena_strndup(a, b.p ? b.p : "", b.len);
        *out = (struct str){copy, b.len};
    }
    buf_fini(&b);
    return e;
}

static bool
blank_line(const struct csv *c)
{
    size_t i = c->pos;
    while (i < c->in.len && (c->in.p[i] == ' ' || c->in.p[i] == '\t' || c->in.p[i] == '\r'))
        i++;
    return i == c->in.len || c->in.p[i] == '\n';
}

static void
skip_line(struct csv *c)
{
    while (c->pos < c->in.len && c->in.p[c->pos] != '\n')
        c->pos++;
    if (c->pos < c->in.len)
        c->pos++;
}

enum err
csv_next(struct csv *c, struct arena *a, struct str *fields, size_t max, size_t *count)
{
    *count = 0;
    while (c->pos < c->in.len && blank_line(c)) {
        c->line++;
        skip_line(c);
    }
    if (c->pos >= c->in.len)
        return ERR_OK;
    c->line++;
    size_t n = 0;
    const char *p = c->in.p;
    for (;;) {
        struct str f;
        while (c->pos < c->in.len && (p[c->pos] == ' ' || p[c->pos] == '\t'))
            c->pos++;
        if (c->pos < c->in.len && p[c->pos] == '"') {
            c->pos++;
            enum err e = quoted(c, a, &f);
            if (e)
                return e;
            while (c->pos < c->in.len && (p[c->pos] == ' ' || p[c->pos] == '\t'))
                c->pos++;
            if (c->pos < c->in.len && p[c->pos] != ',' && p[c->pos] != '\n' && p[c->pos] != '\r')
                return ERR_INVALID;
        } else {
            size_t start = c->pos;
            while (c->pos < c->in.len && p[c->pos] != ',' && p[c->pos] != '\n' && p[c->pos] != '\r')
                c->pos++;
            f = trim((struct str){p + start, c->pos - start});
        }
        if (n == max)
            return ERR_TOOBIG;
        fields[n++] = f;
        if (c->pos < c->in.len && p[c->pos] == ',') {
            c->pos++;
            continue;
        }
        if (c->pos < c->in.len && p[c->pos] == '\r')
            c->pos++;
        if (c->pos < c->in.len && p[c->pos] == '\n')
            c->pos++;
        break;
    }
    *count = n;
    return ERR_OK;
}
