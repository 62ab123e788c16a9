/*
 * features.h - the features the router classifies by: hashed stems of the
 * words, and character 3- and 4-grams of each word in its
 * Kazakh fold (translit_fold()), so that a word written in Cyrillic and in
 * the 2021 Latin alphabet gives the same grams. Exports struct features,
 * features_new(), features_free(), features_extract(), features_predict(),
 * features_hash() and FEATURES_MAX.
 *
 * Values: linear counts, all scaled by 1 / sqrt(the text's total count of
 * features), so a text whose features each occur once has length 1, as
 * with the L2 norm. The transform is additive per word occurrence: a text's
 * scores are a sum of one row per word (its stem's and its grams' rows
 * added) times that scale, which is what lets features_predict() cache a
 * word's row. A model trained on other features (format 1: 1 + ln tf, L2
 * norm per group; format 2: each group scaled apart; format 3: bigrams of
 * stems too) is refused by classify_load() (CLASSIFY_VERSION).
 *
 * Bigrams of stems were left out in format 4: on the 2,000 Kursk appeals
 * (5 folds) macro-F1 without them was as high or higher for every label
 * (topic 0.1597 vs 0.1592, executor 0.1148 vs 0.1136, topic group 0.3573
 * vs 0.3560), and each bigram cost a model lookup at every prediction.
 *
 * Threads: a struct features holds Snowball stemmers and a cache from a
 * word to its features and to its rows in up to two classifiers, so it is
 * NOT thread-safe: one per thread.
 */
#ifndef PIPELINE_FEATURES_H
#define PIPELINE_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "pipeline/classify.h"
#include "text/lang.h"
#include "text/token.h"

/* The most distinct features of one text; the rest are dropped. */
enum { FEATURES_MAX = 1 << 16 };

struct features; /* opaque */

/* A new extractor into *out (caller owns it: features_free()).
 * ERR_UNAVAILABLE if the stemmers cannot be made. */
enum err features_new(struct features **out);
void features_free(struct features *fx); /* accepts NULL */

/*
 * The features of a text split by token_split() (t: count tokens, borrowed)
 * whose language is lang (LANG_ID_UND: each word by its script). Each word is
 * stemmed in its own language: a Cyrillic word with ә ғ қ ң ө ұ ү һ і is
 * Kazakh, a Latin word with a 2021 letter too; other Cyrillic words follow
 * lang between Kazakh and Russian, other Latin ones between Kazakh and
 * English. *out (an array of *count, in no particular order, each id once)
 * lives in a; NULL and 0 for a text without words.
 */
void features_extract(struct features *fx, struct arena *a, const struct token *t, size_t count,
                      enum lang lang, struct feature **out, size_t *out_count);

/*
 * The most probable class of the same text under m, as
 * classify_predict(m, features_extract()'s features) gives it (the same
 * probabilities into prob, may be NULL, to float rounding), but computed
 * word by word from rows cached in fx: a word seen before costs one cache
 * lookup and a row of k adds. Scratch memory in a.
 */
size_t features_predict(struct features *fx, struct arena *a, const struct token *t, size_t count,
                        enum lang lang, const struct classifier *m, double *prob);

/* The id of bytes p[0..len) under tag (0..255): what features_extract()
 * uses, for tests and for rules that name a feature. Never 0. */
uint32_t features_hash(unsigned tag, const void *p, size_t len);

#endif
