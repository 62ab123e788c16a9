/*
 * fuzz_utf8.c - text/utf8: utf8_valid() against an independent decoder built
 * from Table 3-7 of the Unicode Standard (well-formed byte sequences),
 * utf8_count() against its code point count, and for valid input
 * utf8_nfc(): its output is valid UTF-8, NUL-terminated, and already NFC
 * (nfc(nfc(x)) == nfc(x)).
 */
#include <stdbool.h>
#include <string.h>

#include "base/arena.h"
#include "fuzz/fuzz.h"
#include "text/utf8.h"

/* Well-formed UTF-8 per Unicode Table 3-7; *count gets the code points. */
static bool
ref_valid(const uint8_t *p, size_t n, size_t *count)
{
    size_t i = 0, cps = 0;
    while (i < n) {
        uint8_t b = p[i];
        size_t need;
        uint8_t lo = 0x80, hi = 0xBF; /* range of the second byte */
        if (b <= 0x7F) {
            need = 0;
        } else if (b >= 0xC2 && b <= 0xDF) {
            need = 1;
        } else if (b == 0xE0) {
            need = 2;
            lo = 0xA0;
        } else if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) {
            need = 2;
        } else if (b == 0xED) {
            need = 2;
            hi = 0x9F;
        } else if (b == 0xF0) {
            need = 3;
            lo = 0x90;
        } else if (b >= 0xF1 && b <= 0xF3) {
            need = 3;
        } else if (b == 0xF4) {
            need = 3;
            hi = 0x8F;
        } else {
            return false;
        }
        if (n - i - 1 < need)
            return false;
        for (size_t k = 1; k <= need; k++) {
            uint8_t c = p[i + k];
            if (c < (k == 1 ? lo : 0x80) || c > (k == 1 ? hi : 0xBF))
                return false;
        }
        i += need + 1;
        cps++;
    }
    *count = cps;
    return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct str s = {(const char *)data, size};
    size_t want_count = 0;
    bool valid = utf8_valid(s);
    FUZZ_CHECK(valid == ref_valid(data, size, &want_count));
    size_t count = utf8_count(s); /* defined for any input, exact for valid */
    FUZZ_CHECK(count <= size);
    if (!valid)
        return 0;
    FUZZ_CHECK(count == want_count);

    struct arena *a = arena_new();
    char *nfc = NULL, *nfc2 = NULL;
    size_t nfc_len = 0, nfc2_len = 0;
    /* utf8proc takes every valid string (no REJECTNA): unassigned code points
     * and NULs pass through. */
    FUZZ_CHECK(utf8_nfc(a, s, &nfc, &nfc_len) == ERR_OK);
    FUZZ_CHECK(nfc != NULL && nfc[nfc_len] == '\0');
    FUZZ_CHECK(utf8_valid((struct str){nfc, nfc_len}));
    FUZZ_CHECK(utf8_nfc(a, (struct str){nfc, nfc_len}, &nfc2, &nfc2_len) == ERR_OK);
    FUZZ_CHECK(nfc2_len == nfc_len && memcmp(nfc, nfc2, nfc_len) == 0);
    arena_free(a);
    return 0;
}
