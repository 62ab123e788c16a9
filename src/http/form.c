/*
 * form.c - the urlencoded form parser of form.h. Exports form_parse(),
 * form_get(), form_text() and form_count().
 */
#include "http/form.h"

#include <string.h>

#include "text/utf8.h"

static int
hex_val(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode s into dst (at least s.len bytes); *n is the decoded length. */
static enum err
decode(struct str s, char *dst, size_t *n)
{
    size_t o = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (s.len - i < 3)
                return ERR_INVALID;
            int hi = hex_val(s.p[i + 1]), lo = hex_val(s.p[i + 2]);
            if (hi < 0 || lo < 0)
                return ERR_INVALID;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (c == '\0')
            return ERR_INVALID;
        dst[o++] = c;
    }
    dst[o] = '\0';
    *n = o;
    return ERR_OK;
}

static bool
name_ok(const char *s, size_t n)
{
    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return false;
    }
    return true;
}

enum err
form_parse(struct arena *a, struct str body, struct form *out)
{
    out->fields = NULL;
    out->count = 0;
    if (body.len > FORM_BODY_MAX)
        return ERR_TOOBIG;
    /* Count before allocating: the cap holds whatever the body says. */
    size_t nonempty = 0;
    for (size_t i = 0, start = 0; i <= body.len; i++) {
        if (i == body.len || body.p[i] == '&') {
            nonempty += i > start;
            start = i + 1;
        }
    }
    if (nonempty > FORM_FIELDS_MAX)
        return ERR_TOOBIG;
    struct form_field *v = ARENA_ARRAY(a, struct form_field, nonempty ? nonempty : 1);
    size_t n = 0;
    for (size_t i = 0, start = 0; i <= body.len; i++) {
        if (i < body.len && body.p[i] != '&')
            continue;
        struct str piece = {body.p + start, i - start};
        start = i + 1;
        if (!piece.len)
            continue;
        const char *eq = memchr(piece.p, '=', piece.len);
        struct str name = {piece.p, eq ? (size_t)(eq - piece.p) : piece.len};
        struct str value = eq ? (struct str){eq + 1, piece.len - name.len - 1} : STR_NULL;
        char *nbuf = arena_alloc(a, name.len + 1), *vbuf = arena_alloc(a, value.len + 1);
        size_t nlen, vlen;
        if (decode(name, nbuf, &nlen) || decode(value, vbuf, &vlen))
            return ERR_INVALID;
        if (nlen > FORM_NAME_MAX)
            return ERR_TOOBIG;
        if (!name_ok(nbuf, nlen) || !utf8_valid((struct str){vbuf, vlen}))
            return ERR_INVALID;
        v[n].name = nbuf;
        v[n].value = vbuf;
        v[n].value_len = vlen;
        n++;
    }
    out->fields = v;
    out->count = n;
    return ERR_OK;
}

const char *
form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; f && i < f->count; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}

const char *
form_text(const struct form *f, struct arena *a, const char *name)
{
    const char *v = form_get(f, name);
    if (!v)
        return NULL;
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    return n ? arena_strndup(a, v, n) : NULL;
}

size_t
form_count(const struct form *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; f && i < f->count; i++)
        n += strcmp(f->fields[i].name, name) == 0;
    return n;
}
