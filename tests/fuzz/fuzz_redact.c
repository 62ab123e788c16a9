/*
 * fuzz_redact.c - text/redact on any bytes. The spans are in order, do not
 * overlap and lie inside the text; the output is the text with each span
 * replaced by its placeholder (so its length adds up), valid UTF-8 when the
 * input was, and holds no run of exactly 12 ASCII digits with a right IIN
 * check digit. The input's first byte also picks a wrapper ("ИИН ", "тел.
 * +7 ", ...) so the scanner sees its contexts.
 */
#include <string.h>

#include "base/arena.h"
#include "base/util.h"
#include "fuzz/fuzz.h"
#include "text/redact.h"
#include "text/utf8.h"

static void
check(struct arena *a, struct str s)
{
    struct redact_span *sp = NULL;
    size_t n = 0;
    struct str out;
    FUZZ_CHECK(redact_text(a, s, &out, &sp, &n) == ERR_OK);
    size_t end = 0, want_len = s.len;
    for (size_t k = 0; k < n; k++) {
        FUZZ_CHECK(sp[k].len > 0 && sp[k].off >= end && sp[k].off + sp[k].len <= s.len);
        FUZZ_CHECK((unsigned)sp[k].kind < REDACT__COUNT);
        end = sp[k].off + sp[k].len;
        want_len = want_len - sp[k].len + strlen(redact_placeholder(sp[k].kind));
    }
    FUZZ_CHECK(out.len == want_len && out.p[out.len] == '\0');
    if (utf8_valid(s))
        FUZZ_CHECK(utf8_valid(out));
    for (size_t i = 0; i < out.len;) {
        if (out.p[i] < '0' || out.p[i] > '9') {
            i++;
            continue;
        }
        size_t j = i;
        while (j < out.len && out.p[j] >= '0' && out.p[j] <= '9')
            j++;
        if (j - i == 12)
            FUZZ_CHECK(!redact_iin_check((struct str){out.p + i, 12}));
        i = j;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const wrap[] = {"",        "ИИН ",      "тел. +7 ", "8 (",      "KZ",
                                       "карта 4", "e-mail: a", "ЖСН: 9",   "call +7 7"};
    struct arena *a = arena_new();
    check(a, (struct str){(const char *)data, size});
    if (size > 0) {
        const char *w = wrap[data[0] % ARRAY_LEN(wrap)];
        size_t wl = strlen(w);
        char *p = arena_alloc(a, wl + size);
        memcpy(p, w, wl);
        memcpy(p + wl, data + 1, size - 1);
        check(a, (struct str){p, wl + size - 1});
    }
    arena_free(a);
    return 0;
}
