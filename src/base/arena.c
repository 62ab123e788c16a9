/*
 * arena.c - chunked bump allocator. Big requests get a chunk of their own.
 */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/ckd.h"
#include "base/xalloc.h"

enum { ARENA_CHUNK = 8192, ARENA_ALIGN = 16 };

struct chunk {
    struct chunk *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
};

/* The arena and its first chunk are one allocation: an arena made and
 * freed per request or per text costs one malloc() and one free(). */
struct arena {
    struct chunk *head;
    struct chunk *first; /* inside this allocation: not freed alone */
    _Alignas(16) unsigned char chunk[];
};

/* sizeof(struct chunk) + cap, or abort() if that overflows. */
static size_t
chunk_bytes(size_t cap)
{
    size_t total;
    if (ckd_add(&total, sizeof(struct chunk), cap)) {
        fprintf(stderr, "tyndau: arena chunk of %zu bytes overflows\n", cap);
        abort();
    }
    return total;
}

static void
chunk_init(struct chunk *c, size_t cap)
{
    c->next = NULL;
    c->cap = cap;
    c->used = 0;
}

static struct chunk *
chunk_new(size_t cap)
{
    struct chunk *c = xmalloc(chunk_bytes(cap));
    chunk_init(c, cap);
    return c;
}

struct arena *
arena_new(void)
{
    return arena_new_sized(ARENA_CHUNK);
}

struct arena *
arena_new_sized(size_t first)
{
    size_t cap = first ? first : ARENA_CHUNK, total;
    if (ckd_add(&total, sizeof(struct arena), chunk_bytes(cap))) {
        fprintf(stderr, "tyndau: arena of %zu bytes overflows\n", cap);
        abort();
    }
    struct arena *a = xmalloc(total);
    a->first = (struct chunk *)a->chunk;
    chunk_init(a->first, cap);
    a->head = a->first;
    return a;
}

void
arena_free(struct arena *a)
{
    if (!a)
        return;
    struct chunk *c = a->head;
    while (c) {
        struct chunk *next = c->next;
        if (c != a->first)
            free(c);
        c = next;
    }
    free(a);
}

/* n bytes of a, not cleared. */
static void *
alloc(struct arena *a, size_t n)
{
    size_t need;
    if (ckd_add(&need, n, (size_t)ARENA_ALIGN - 1)) {
        fprintf(stderr, "tyndau: arena request of %zu bytes overflows\n", n);
        abort();
    }
    need &= ~((size_t)ARENA_ALIGN - 1);
    if (need == 0)
        need = ARENA_ALIGN;
    struct chunk *c = a->head;
    if (c->cap - c->used < need) {
        if (need > ARENA_CHUNK / 4) {
            /* Big block: own chunk, linked behind the head so the head keeps its space. */
            struct chunk *big = chunk_new(need);
            big->used = need;
            big->next = c->next;
            c->next = big;
            return big->data;
        }
        c = chunk_new(ARENA_CHUNK);
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += need;
    return p;
}

void *
arena_alloc(struct arena *a, size_t n)
{
    void *p = alloc(a, n);
    memset(p, 0, n);
    return p;
}

void *
arena_alloc_raw(struct arena *a, size_t n)
{
    return alloc(a, n);
}

void *
arena_array(struct arena *a, size_t size, size_t count)
{
    size_t n;
    if (ckd_mul(&n, size, count)) {
        fprintf(stderr, "tyndau: arena array %zu x %zu overflows\n", count, size);
        abort();
    }
    return arena_alloc(a, n);
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
    return s ? arena_strndup(a, s, strlen(s)) : NULL;
}

char *
arena_str(struct arena *a, struct str s)
{
    return arena_strndup(a, s.p ? s.p : "", s.len);
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    char *p = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
