/*
 * normalise.h - the one form text is compared in: NFC, Unicode case folding
 * and collapsed white space (utf8proc). Exports normalise_text() and
 * NORMALISE_MAX. Pure and thread-safe.
 */
#ifndef TEXT_NORMALISE_H
#define TEXT_NORMALISE_H

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* The longest input normalise_text() takes, in bytes (an appeal is far shorter). */
enum { NORMALISE_MAX = 1 << 20 };

/*
 * s in NFC, case-folded (full folding: "Straße" -> "strasse", "ҚАЗАҚ" ->
 * "қазақ"), with default-ignorable characters (soft hyphen, zero-width space,
 * BOM, direction marks) removed, every run of white space and control
 * characters turned into one ASCII space, and no space at either end. The
 * Turkic capital İ (U+0130, the Kazakh Latin И) folds to plain "i", not to
 * "i" + combining dot. *out lives in a and is followed by a NUL that its
 * length does not count. ERR_INVALID if s is not valid UTF-8 (text/utf8.h),
 * ERR_TOOBIG if it is longer than NORMALISE_MAX; *out is untouched then.
 */
enum err normalise_text(struct arena *a, struct str s, struct str *out);

#endif
