/*
 * piigen.h - a seeded generator of labelled texts for measuring redaction
 * (text/redact.h): sentences in Kazakh, Russian and English that carry
 * made-up personal data (IINs with right check digits, phone numbers in
 * PIIGEN_PHONE_FORMS written forms, e-mail addresses, Luhn-valid card
 * numbers, KZ IBANs with right check digits) among the numbers an appeal
 * is full of, and texts that carry only those numbers: dates, sums,
 * registration numbers (75-2026-0000123), law and order numbers, KATO codes,
 * cadastral numbers, postal and tracking ids, 12-digit contract numbers
 * whose IIN check fails. Every value is random; no real person's data.
 * Used by the redaction test, bench/text/ and demo data. Exports struct
 * piigen, struct piigen_item, struct piigen_sample, piigen_init(),
 * piigen_pii(), piigen_clean(), piigen_form_name() and the form counts.
 * Deterministic for a seed; one struct piigen per thread.
 */
#ifndef TEXT_PIIGEN_H
#define TEXT_PIIGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/str.h"
#include "text/lang.h"
#include "text/redact.h"

enum {
    PIIGEN_IIN_FORMS = 5,
    PIIGEN_PHONE_FORMS = 17,
    PIIGEN_EMAIL_FORMS = 7,
    PIIGEN_CARD_FORMS = 6,
    PIIGEN_IBAN_FORMS = 4,
    PIIGEN_ITEMS_MAX = 3, /* personal data items in one text */
};

struct piigen {
    uint64_t state; /* splitmix64 */
};

/* One made-up item of personal data inside a sample's text. */
struct piigen_item {
    size_t off, len; /* bytes in the sample's text */
    enum redact_kind kind;
    unsigned form; /* which written form (piigen_form_name()) */
};

struct piigen_sample {
    struct str text; /* lives in the arena */
    enum lang lang;
    struct piigen_item items[PIIGEN_ITEMS_MAX];
    size_t item_count; /* 0 for piigen_clean() */
};

void piigen_init(struct piigen *g, uint64_t seed);
/* A text in a random language with 1 to PIIGEN_ITEMS_MAX items of personal
 * data (kinds and forms spread evenly) and some numbers that are not. */
void piigen_pii(struct piigen *g, struct arena *a, struct piigen_sample *out);
/* A text in a random language with numbers that are not personal data. */
void piigen_clean(struct piigen *g, struct arena *a, struct piigen_sample *out);
/* A short name of a written form, e.g. "+7 (7XX) XXX-XX-XX". */
const char *piigen_form_name(enum redact_kind kind, unsigned form);
/* How many forms kind has. */
unsigned piigen_form_count(enum redact_kind kind);

#endif
