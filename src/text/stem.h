/*
 * stem.h - word stems for matching: Snowball russian and english through
 * libstemmer, and our own Kazakh suffix stripper. Exports struct stem,
 * stem_new(), stem_free(), stem_word(), stem_word_folded(), stem_kk() and
 * STEM_WORD_MAX.
 *
 * Threads: libstemmer's stemmers keep the last result inside themselves, so
 * a struct stem is NOT thread-safe: make one per thread (or per call site
 * that is only ever entered by one thread) and never share it. stem_new()
 * and stem_free() may run in any thread. stem_kk() is pure and thread-safe.
 */
#ifndef TEXT_STEM_H
#define TEXT_STEM_H

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "text/lang.h"

/* Words longer than this (bytes) are not stemmed, only normalised. */
enum { STEM_WORD_MAX = 128 };

struct stem; /* opaque: a russian and an english Snowball stemmer */

/* A new pair of stemmers into *out (caller owns it: stem_free()).
 * ERR_UNAVAILABLE if libstemmer cannot make them. */
enum err stem_new(struct stem **out);
void stem_free(struct stem *st); /* accepts NULL */

/*
 * The stem of one word in language lang, into *out (lives in a). The word is
 * normalised first (normalise_text()). LANG_ID_RU and LANG_ID_EN go through
 * Snowball ("жалобами" -> "жалоб", "complaints" -> "complaint"). LANG_ID_KK
 * goes through translit_fold() and then stem_kk(), so the stem is in the
 * folded Latin form and a word stems alike in both scripts ("жолдарда" and
 * "joldarda" -> "jol"). LANG_ID_UND gives the normalised word. A word longer than
 * STEM_WORD_MAX comes back normalised, unstemmed. ERR_INVALID if word is not
 * valid UTF-8; *out is untouched on error.
 */
enum err stem_word(struct stem *st, struct arena *a, enum lang lang, struct str word,
                   struct str *out);

/*
 * stem_word() put through translit_fold() (a Kazakh stem is folded
 * already): the form near-duplicate search compares, so that a word
 * matches itself in either script. Remembered like the stem itself, so a
 * word seen before costs one lookup and no allocation. *out lives in a or
 * in st: borrowed, valid until the next call with st. Errors as
 * stem_word().
 */
enum err stem_word_folded(struct stem *st, struct arena *a, enum lang lang, struct str word,
                          struct str *out);

/*
 * Strip Kazakh suffixes from a folded word (translit_fold() of one word, so
 * і/и/й are all "i"): at most one case ending (-nyñ -ğa -dy -da -dan -men
 * ... and -dağy), then one possessive (-ymyz -yñyz -ym -yñ -sy -y ...), then
 * one plural (-lar -ler -dar -der -tar -ter), longest first, each only when
 * the rest keeps at least 3 letters and a vowel (4 letters for a one-letter
 * possessive -y/-i). After a suffix that starts with a vowel the consonant it
 * voiced is put back (kitab-y -> kitap, jüreg-i -> jürek, taraq-y). Bare
 * -a/-e (dative) and -m/-ñ/-n are never stripped: too many stems end in
 * them. Conservative by design: "qalalarynda" -> "qala", "balalarğa" ->
 * "bala", "mektebimizde" -> "mektep", but "qala" and "adam" stay. The
 * result is a prefix of w (a view into it), except when a consonant is put
 * back: then it lives in a. Pure.
 */
struct str stem_kk(struct arena *a, struct str w);

#endif
