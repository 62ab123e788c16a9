/*
 * buf.h - a growable byte buffer with a hard cap that keeps its first error:
 * build first, check once. Exports struct buf, BUF_INIT(), buf_append(),
 * buf_puts(), buf_putc(), buf_printf(), buf_append_json_str(), buf_failed(),
 * buf_detach(), buf_fini(), buf_reset().
 */
#ifndef BASE_BUF_H
#define BASE_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "base/str.h"

struct buf {
    char *p; /* malloc-backed, always NUL-terminated when non-NULL */
    size_t len;
    size_t cap;
    size_t max; /* hard limit on len */
    bool failed;
};

#define BUF_INIT(maxlen) ((struct buf){NULL, 0, 0, (maxlen), false})

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_put_str(struct buf *b, struct str s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a JSON string literal with quotes; s must be valid UTF-8. */
void buf_append_json_str(struct buf *b, const char *s, size_t n);
void buf_append_prefixed_lines(struct buf *b, const char *prefix, const char *s);
bool buf_failed(const struct buf *b);
/* Hand the bytes to the caller (free()); b becomes empty. Never NULL. */
char *buf_detach(struct buf *b, size_t *len);
void buf_reset(struct buf *b); /* empty, keep memory */
void buf_fini(struct buf *b);

#endif
