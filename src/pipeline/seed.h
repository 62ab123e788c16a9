/*
 * seed.h - the seed corpus: labelled appeals generated from templates, in
 * Kazakh (Cyrillic, and the same texts in the 2021 Latin alphabet), Russian
 * and English, for every topic of the reference data (002_reference). The
 * default topic model is trained on it when the store has none. The texts
 * are plainly generated: a problem sentence of the topic, a detail, and
 * shared phrases (greeting, place, duration, request) that carry no topic;
 * no names, no contacts, no real personal data. Exports struct seed_row,
 * seed_corpus(), seed_topic_count(), seed_topic(), SEED_PER_MAX and
 * SEED_VERSION. Pure.
 *
 * What a model trained on it knows: the words of these templates. Its
 * cross-validated figures say how well it separates the templates, not how
 * it does on real appeals; `tyndau train --data` or --corrections on real,
 * labelled appeals replaces it.
 */
#ifndef PIPELINE_SEED_H
#define PIPELINE_SEED_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

enum {
    SEED_VERSION = 1,   /* of the templates: bump when they change */
    SEED_PER_MAX = 1000 /* texts per topic and script */
};

struct seed_row {
    struct str text;   /* lives in the arena */
    const char *topic; /* a topic code of 002_reference (static) */
    const char *lang;  /* "kk", "kk-latn", "ru" or "en" (static) */
};

/* The topics the corpus covers, in a fixed order. */
size_t seed_topic_count(void);
const char *seed_topic(size_t i);

/*
 * per (1..SEED_PER_MAX) texts for each topic in each of kk, kk-latn, ru
 * and en, drawn by seed: the same seed gives the same corpus. *rows (an
 * array of *count) lives in a. ERR_INVALID for per 0, ERR_TOOBIG past
 * SEED_PER_MAX.
 */
enum err seed_corpus(struct arena *a, uint64_t seed, size_t per, struct seed_row **rows,
                     size_t *count);

#endif
