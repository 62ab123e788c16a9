/*
 * token.h - split text into words and numbers, each with its byte span in
 * the original text and its normalised form. Exports struct token,
 * enum token_kind, enum token_script, token_split(), token_hash() and
 * TOKEN_MAX. Pure and thread-safe.
 *
 * A word is a run of letters (any script: Latin, Cyrillic with the Kazakh
 * letters ә ғ қ ң ө ұ ү һ і, ...), combining marks and digits, with an
 * apostrophe (' ’ ʼ) allowed between two letters ("don't", "Qazaqstan'ga").
 * A number is a run of digits, with '.' or ',' allowed between two digits
 * ("3,5", "12.03.2026"). Everything else separates tokens: white space,
 * punctuation, hyphens ("бір-бірі" is two words), symbols. Invisible format
 * characters (soft hyphen, zero-width space) inside a token are skipped
 * over and dropped from its normal form.
 */
#ifndef TEXT_TOKEN_H
#define TEXT_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"

/* The most tokens token_split() returns for one text. */
enum { TOKEN_MAX = 1 << 18 };

enum token_kind { TOKEN_WORD, TOKEN_NUMBER };

enum token_script {
    TOKEN_SCRIPT_NONE,     /* no letters: a number */
    TOKEN_SCRIPT_LATIN,    /* Latin letters only */
    TOKEN_SCRIPT_CYRILLIC, /* Cyrillic letters only */
    TOKEN_SCRIPT_MIXED,    /* Latin and Cyrillic: a typo, a homoglyph or spam */
    TOKEN_SCRIPT_OTHER,    /* any other script among its letters */
};

struct token {
    size_t off;      /* first byte in the original text */
    size_t len;      /* bytes in the original text */
    struct str norm; /* NFC + case folded (normalise_text()); lives in the arena */
    enum token_kind kind;
    enum token_script script;
    size_t letter_count; /* letters in it (code points) */
    uint64_t hash;       /* token_hash(norm) */
};

/* A 64-bit hash of a normal form, eight bytes a step: the key its
 * per-word caches find a token by. */
uint64_t token_hash(struct str w);

/*
 * Split s (valid UTF-8) into tokens, in text order: *tokens (an array of
 * *count, lives in a; NULL when there are none). ERR_INVALID if s is not
 * valid UTF-8, ERR_TOOBIG if it is longer than NORMALISE_MAX or has more than
 * TOKEN_MAX tokens; the outputs are untouched on error.
 */
enum err token_split(struct arena *a, struct str s, struct token **tokens, size_t *count);

#endif
