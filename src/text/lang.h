/*
 * lang.h - which language a text is in: Kazakh (Cyrillic or the 2021 Latin
 * alphabet), Russian or English, with a share per language for the mixed
 * Kazakh-Russian texts people write. Exports enum lang, lang_code(),
 * lang_from_code(), struct lang_sample, struct lang_guess, lang_model_new(),
 * lang_model_train(), lang_model_free(), lang_detect(), lang_detect_tokens(),
 * struct lang_memo, lang_memo_new(), lang_memo_free() and
 * lang_detect_tokens_memo().
 *
 * How: each word is scored by the character 1- to 4-grams of its normalised
 * form against profiles counted from a seed corpus (text/lang_corpus.h),
 * one profile each for Kazakh in Cyrillic, Kazakh in Latin (the Kazakh
 * sentences transliterated, with and without the 2021 diacritics), Russian
 * and English. The script decides between the pairs: a Cyrillic word is
 * Kazakh or Russian, a Latin one Kazakh or English, and a Cyrillic word with
 * ә ғ қ ң ө ұ ү һ і is Kazakh outright. Then the language of the whole text
 * is the prior for each word, so a short word that both languages have
 * follows its neighbours while a telling word keeps its own language.
 *
 * Threads: a model is read-only after lang_model_new() or lang_model_train()
 * returns, so one model serves every thread; lang_detect() is pure.
 */
#ifndef TEXT_LANG_H
#define TEXT_LANG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "text/token.h"

enum lang { LANG_ID_UND, LANG_ID_KK, LANG_ID_RU, LANG_ID_EN, LANG_ID__COUNT };

/* A text of more words than this is judged on an even sample of at most
 * this many (every k-th word): the guess settles long before, and it keeps
 * the cost of a long text bounded. */
enum { LANG_WORDS_MAX = 32 };

/* A second language with at least this share makes a text mixed. */
#define LANG_MIXED_MIN 0.2

/* "und", "kk", "ru", "en". */
const char *lang_code(enum lang l);
/* The language of a code above; LANG_ID_UND for anything else. */
enum lang lang_from_code(struct str code);

/* A training text: borrowed. */
struct lang_sample {
    enum lang lang; /* LANG_ID_KK, LANG_ID_RU or LANG_ID_EN */
    struct str text;
};

struct lang_guess {
    enum lang lang; /* the language with the largest share; LANG_ID_UND if none */
    /* Share of the text's letters per language, summing to 1 over kk, ru
     * and en when any word was scored; score[LANG_ID_UND] is always 0. */
    double score[LANG_ID__COUNT];
    bool mixed;    /* the second language's share is at least LANG_MIXED_MIN */
    bool kk_latin; /* most of the Kazakh in it is in Latin letters */
    size_t words;  /* words scored (Latin or Cyrillic letters; see LANG_WORDS_MAX) */
};

struct lang_model; /* opaque */

/* The model of the built-in seed corpus. Caller owns it (lang_model_free()).
 * Takes a few milliseconds: make one at start-up and share it. */
struct lang_model *lang_model_new(void);
/* A model counted from samples (borrowed; used only during the call).
 * Samples of other languages than kk, ru, en are skipped, and so is text
 * that is not valid UTF-8. Caller owns the result. */
struct lang_model *lang_model_train(const struct lang_sample *samples, size_t count);
void lang_model_free(struct lang_model *m); /* accepts NULL */

/*
 * Guess the language of s into *g. Scratch memory comes from a. ERR_INVALID
 * if s is not valid UTF-8, ERR_TOOBIG past NORMALISE_MAX; *g is untouched on
 * error. Text without Latin or Cyrillic letters gives LANG_ID_UND, all scores 0.
 */
enum err lang_detect(const struct lang_model *m, struct arena *a, struct str s,
                     struct lang_guess *g);
/* The same guess from the tokens token_split() made of a text (borrowed),
 * for a caller that needs them anyway: one split instead of two. */
void lang_detect_tokens(const struct lang_model *m, const struct token *t, size_t count,
                        struct lang_guess *g);

/*
 * A memo of word scores for one thread (NOT thread-safe): the words a
 * guess scored, so that a word seen before costs one lookup instead of
 * its n-grams'. Bounded; emptied when full or used with another model.
 * Caller owns it (lang_memo_free(), which accepts NULL).
 */
struct lang_memo;
struct lang_memo *lang_memo_new(void);
void lang_memo_free(struct lang_memo *mm);
/* lang_detect_tokens() with mm: the same guess, to the bit. */
void lang_detect_tokens_memo(const struct lang_model *m, struct lang_memo *mm,
                             const struct token *t, size_t count, struct lang_guess *g);

#endif
