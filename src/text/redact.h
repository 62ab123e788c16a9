/*
 * redact.h - find personal data in text and replace it with typed
 * placeholders: IINs, phone numbers, e-mail addresses, payment card numbers
 * and Kazakh IBANs. Exports enum redact_kind, struct redact_span,
 * redact_scan(), redact_apply(), redact_text(), redact_placeholder(),
 * redact_iin_check(), redact_luhn_check(), redact_iban_check() and
 * REDACT_MAX. Pure and thread-safe.
 *
 * What counts (digits are ASCII or fullwidth; "sep" is a space of any
 * width, a hyphen or dash, a dot or a bracket, and zero-width characters
 * are skipped everywhere):
 *  - IIN: every run of exactly 12 digits whose check digit is right (see
 *    redact_iin_check()), whatever is around it; and 12 digits written
 *    6-6, 4-4-4 or 3-3-3-3 with single spaces or hyphens when the check
 *    digit is right and they read as a birth date (month 01-12, day 01-31,
 *    7th digit 0-6). A company's BIN has the same check digit: it is
 *    redacted too, on purpose.
 *  - PHONE: +7, 7 or 8 and a 10-digit number that starts with 3-9, written
 *    whole or grouped 3-7, 3-3-4, 3-3-2-2, 4-6, 4-3-3 or 4-2-2-2 with
 *    separators and brackets ("+7 (701) 123-45-67", "8 7172 12 34 56",
 *    "87011234567", "8.701.123.45.67"); a bare 7 only before a number that
 *    starts with 7; without a prefix, a Kazakh mobile number (700-708, 747,
 *    750-751, 760-764, 771, 775-778) whole or grouped 3-7, 3-3-4, 3-3-2-2
 *    ("7011234567", "701 123 45 67"), and a Russian 9XX one grouped 3-3-2-2.
 *  - EMAIL: local@domain.tld (letters of any script), also with "[at]" or
 *    "(at)" for "@".
 *  - CARD: 13-19 digits that pass the Luhn check and start like a card
 *    (Mir 2200-2204, Mastercard 2221-2720, 3, 4, 5, 6: not 2015...), whole
 *    or in groups of 4 (the last 1-4) or 4-6-5 / 4-6-4, single spaces or
 *    hyphens between groups.
 *  - IBAN: KZ (any case), 2 check digits and 16 letters or digits, with
 *    single spaces or hyphens anywhere, passing the ISO 13616 mod-97 check.
 * The IIN check is written again here (domain/iin.h has iin_valid()): text/
 * may not include domain/.
 */
#ifndef TEXT_REDACT_H
#define TEXT_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* The longest text redact_scan() takes, in bytes. */
enum { REDACT_MAX = 1 << 20 };

enum redact_kind {
    REDACT_IIN,
    REDACT_PHONE,
    REDACT_EMAIL,
    REDACT_CARD,
    REDACT_IBAN,
    REDACT__COUNT
};

struct redact_span {
    size_t off; /* first byte in the scanned text */
    size_t len; /* bytes */
    enum redact_kind kind;
};

/* "[IIN]", "[PHONE]", "[EMAIL]", "[CARD]", "[IBAN]"; "[PII]" for anything else. */
const char *redact_placeholder(enum redact_kind k);

/*
 * Find the personal data in s: *spans (an array of *count in text order, not
 * overlapping, lives in a; NULL when none). Any bytes are scanned: invalid
 * UTF-8 counts as a separator. A span never cuts a run of digits: a run it
 * touches is inside it whole. ERR_TOOBIG if s is longer than REDACT_MAX; the
 * outputs are untouched then.
 */
enum err redact_scan(struct arena *a, struct str s, struct redact_span **spans, size_t *count);

/*
 * s with each span replaced by its placeholder, into *out (lives in a,
 * NUL-terminated). spans must be in order and not overlap, each inside s
 * (as redact_scan() makes them); ERR_INVALID otherwise.
 */
enum err redact_apply(struct arena *a, struct str s, const struct redact_span *spans, size_t count,
                      struct str *out);

/* redact_scan() then redact_apply(); spans and count may be NULL. */
enum err redact_text(struct arena *a, struct str s, struct str *out, struct redact_span **spans,
                     size_t *count);

/*
 * The IIN (and BIN) check digit rule: d is exactly 12 ASCII digits and the
 * last equals the first 11 weighted 1..11 modulo 11, or, when that is 10,
 * weighted 3..11,1,2 modulo 11 (never 10 again).
 */
bool redact_iin_check(struct str d);
/* d is ASCII digits only and passes the Luhn check. */
bool redact_luhn_check(struct str d);
/* s is an IBAN of ASCII letters and digits, no spaces: 15 to 34 of them,
 * two letters, two digits, and the ISO 13616 remainder mod 97 is 1. */
bool redact_iban_check(struct str s);

#endif
