/*
 * csv.h - a small RFC 4180 reader for the evaluation programs in
 * bench/text/ (quoted fields, doubled quotes, newlines inside quotes).
 * Header-only: static functions, one reader per file.
 */
#ifndef BENCH_TEXT_CSV_H
#define BENCH_TEXT_CSV_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CSV_FIELDS_MAX = 16 };

struct csv {
    char *data; /* the whole file, NUL-terminated */
    size_t len, pos;
    char *field[CSV_FIELDS_MAX]; /* the current record, unquoted in place */
    size_t field_len[CSV_FIELDS_MAX];
    int count;
};

/* Read path into c; false if it cannot be read. */
static inline bool
csv_open(struct csv *c, const char *path)
{
    memset(c, 0, sizeof(*c));
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t cap = 1 << 20;
    c->data = malloc(cap);
    for (;;) {
        if (c->len + 1 >= cap)
            c->data = realloc(c->data, cap *= 2);
        size_t n = fread(c->data + c->len, 1, cap - c->len - 1, f);
        if (n == 0)
            break;
        c->len += n;
    }
    fclose(f);
    c->data[c->len] = '\0';
    return true;
}

/* The next record into c->field[]; false at the end. */
static inline bool
csv_next(struct csv *c)
{
    if (c->pos >= c->len)
        return false;
    c->count = 0;
    for (;;) {
        char *out = c->data + c->pos, *start = out;
        if (c->data[c->pos] == '"') {
            c->pos++;
            while (c->pos < c->len) {
                if (c->data[c->pos] == '"') {
                    if (c->data[c->pos + 1] == '"') {
                        *out++ = '"';
                        c->pos += 2;
                        continue;
                    }
                    c->pos++;
                    break;
                }
                *out++ = c->data[c->pos++];
            }
        } else {
            while (c->pos < c->len && c->data[c->pos] != ',' && c->data[c->pos] != '\n' &&
                   c->data[c->pos] != '\r')
                *out++ = c->data[c->pos++];
        }
        if (c->count < CSV_FIELDS_MAX) {
            c->field[c->count] = start;
            c->field_len[c->count] = (size_t)(out - start);
            c->count++;
        }
        char sep = c->pos < c->len ? c->data[c->pos] : '\n';
        c->pos++;
        if (sep == ',')
            continue;
        if (sep == '\r' && c->pos < c->len && c->data[c->pos] == '\n')
            c->pos++;
        return true;
    }
}

static inline void
csv_close(struct csv *c)
{
    free(c->data);
}

/* Drop HTML tags and the common entities in place; the new length. */
static inline size_t
csv_strip_html(char *p, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '<') {
            while (i < n && p[i] != '>')
                i++;
            p[o++] = ' ';
            continue;
        }
        if (p[i] == '&') {
            static const char *const ent[][2] = {
                {"&nbsp;", " "},  {"&amp;", "&"},    {"&lt;", "<"},    {"&gt;", ">"},
                {"&quot;", "\""}, {"&laquo;", "\""}, {"&raquo;", "\""}};
            bool done = false;
            for (size_t k = 0; k < sizeof(ent) / sizeof(ent[0]) && !done; k++) {
                size_t l = strlen(ent[k][0]);
                if (i + l <= n && memcmp(p + i, ent[k][0], l) == 0) {
                    p[o++] = ent[k][1][0];
                    i += l - 1;
                    done = true;
                }
            }
            if (done)
                continue;
        }
        p[o++] = p[i];
    }
    return o;
}

#endif
