/*
 * fuzz_form.c - urlencoded form bodies as the pages read them (form_parse()):
 * on success every name is 1-FORM_NAME_MAX characters of [A-Za-z0-9_.-],
 * every value is valid UTF-8 with no NUL and value_len is its length, there
 * are at most FORM_FIELDS_MAX fields, and form_get() finds the first of each
 * name; on failure the form is empty. Every value is then escaped for HTML
 * (html_escape()) and must come out with no raw < > " ' and only our
 * entities after each &.
 */
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "fuzz/fuzz.h"
#include "http/form.h"
#include "http/html.h"
#include "text/utf8.h"

static void
check_escaped(const char *s)
{
    struct buf b = BUF_INIT(FORM_BODY_MAX * 6 + 16);
    html_escape(&b, s);
    FUZZ_CHECK(!buf_failed(&b));
    for (size_t i = 0; i < b.len; i++) {
        char c = b.p[i];
        FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
        if (c == '&') {
            const char *rest = b.p + i;
            FUZZ_CHECK(strncmp(rest, "&amp;", 5) == 0 || strncmp(rest, "&lt;", 4) == 0 ||
                       strncmp(rest, "&gt;", 4) == 0 || strncmp(rest, "&quot;", 6) == 0 ||
                       strncmp(rest, "&#39;", 5) == 0);
        }
    }
    buf_fini(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena *a = arena_new();
    struct form f;
    enum err e = form_parse(a, (struct str){(const char *)data, size}, &f);
    if (e) {
        FUZZ_CHECK(e == ERR_INVALID || e == ERR_TOOBIG);
        FUZZ_CHECK(f.count == 0);
    } else {
        FUZZ_CHECK(f.count <= FORM_FIELDS_MAX);
        for (size_t i = 0; i < f.count; i++) {
            const struct form_field *x = &f.fields[i];
            size_t n = strlen(x->name);
            FUZZ_CHECK(n >= 1 && n <= FORM_NAME_MAX);
            FUZZ_CHECK(strspn(x->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                       "0123456789_.-") == n);
            FUZZ_CHECK(strlen(x->value) == x->value_len);
            FUZZ_CHECK(utf8_valid((struct str){x->value, x->value_len}));
            FUZZ_CHECK(form_get(&f, x->name) != NULL);
            size_t first = 0;
            while (strcmp(f.fields[first].name, x->name) != 0)
                first++;
            FUZZ_CHECK(form_get(&f, x->name) == f.fields[first].value);
            check_escaped(x->value);
        }
    }
    arena_free(a);
    return 0;
}
