/*
 * i18n.h - the three languages of the pages (kk, ru, en): message catalogs
 * read from gettext .po text, plural rules, named placeholders, dates in
 * Asia/Almaty and numbers written the way each language writes them, and the
 * choice of language for a request. The catalogs web/i18n/{kk,ru,en}.po are
 * embedded in the binary at build time (webfiles.h) and parsed once, on first
 * use. Exports N_(), struct i18n_cat, i18n_parse(), i18n_cat_get(),
 * i18n_cat_count(), i18n_cat_msgid(), i18n_plural_index(), i18n_get(),
 * i18n_nget(), i18n_fill(), i18n_placeholders_match(), i18n_date(),
 * i18n_datetime(), i18n_number(), i18n_lang_code(), i18n_lang_parse(),
 * i18n_pick() and I18N_DEFAULT.
 *
 * A msgid is the English text (or a stable English key); msgstr may use the
 * placeholders {name} of its msgid, filled by i18n_fill(). Every msgid the
 * code uses is written N_("...") so that tests/unit/http/test_i18n.c finds it
 * and checks that all three catalogs have it.
 */
#ifndef HTTP_I18N_H
#define HTTP_I18N_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/err.h"
#include "base/str.h"
#include "domain/appeal.h"

/* Marks a msgid literal; the lookup happens where it is shown. */
#define N_(msgid) (msgid)

enum {
    I18N_DEFAULT = LANG_KK,  /* when nothing else says */
    I18N_PLURALS_MAX = 3,    /* msgstr[0..2] */
    I18N_ENTRIES_MAX = 4096, /* entries in one catalog */
    I18N_PO_MAX = 1 << 20,   /* bytes of one .po file */
    I18N_FILL_MAX = 1 << 16, /* bytes of one filled message */
};

struct i18n_cat; /* one parsed catalog, lives in the arena given to i18n_parse() */

/* Parse .po text: msgid, msgid_plural, msgstr and msgstr[n], each a run of
 * "..." lines with C escapes (\" \\ \n \t); comments and the header entry
 * (msgid "") are skipped. ERR_INVALID on a syntax error, a duplicate msgid or
 * an entry without msgstr (*bad_line then is its 1-based line); ERR_TOOBIG
 * past I18N_PO_MAX or I18N_ENTRIES_MAX. *out lives in a. */
enum err i18n_parse(struct arena *a, struct str po, struct i18n_cat **out, size_t *bad_line);
/* msgstr of msgid (plural form index form), or NULL if absent or empty. */
const char *i18n_cat_get(const struct i18n_cat *c, const char *msgid, int form);
size_t i18n_cat_count(const struct i18n_cat *c);
/* The i-th msgid in sorted order (i < i18n_cat_count()); *plural is its
 * msgid_plural or NULL. */
const char *i18n_cat_msgid(const struct i18n_cat *c, size_t i, const char **plural);

/* The plural form index of n in language l (en and kk: 2 forms, ru: 3). */
int i18n_plural_index(enum appeal_language l, int64_t n);

/* msgid in language l from the embedded catalogs; msgid itself if a catalog
 * lacks it (the unit tests make sure none does). Never NULL; static storage. */
const char *i18n_get(enum appeal_language l, const char *msgid);
/* The plural entry msgid/plural for n. */
const char *i18n_nget(enum appeal_language l, const char *msgid, const char *plural, int64_t n);

/* tmpl with every {name} replaced by the value after name in kv (name,
 * value, ..., NULL); an unknown {name} stays as it is. Lives in a; the
 * result is cut at I18N_FILL_MAX bytes. */
char *i18n_fill(struct arena *a, const char *tmpl, const char *const *kv);
/* Do a and b use the same set of {name} placeholders? */
bool i18n_placeholders_match(const char *a, const char *b);

/* "18 December 2026", "18 декабря 2026 г.", "2026 жылғы 18 желтоқсан" for the
 * Almaty day of instant t (48 bytes); datetime adds ", 14:05" (64 bytes). */
void i18n_date(enum appeal_language l, int64_t t, char out[48]);
void i18n_datetime(enum appeal_language l, int64_t t, char out[64]);
/* "1,234,567" in en, "1 234 567" (no-break spaces) in kk and ru. */
void i18n_number(enum appeal_language l, int64_t n, char out[48]);

/* "kk", "ru", "en". */
const char *i18n_lang_code(enum appeal_language l);
/* Exactly "kk", "ru" or "en"; ERR_INVALID otherwise (NULL included). */
enum err i18n_lang_parse(const char *s, enum appeal_language *out);
/* The language of a request: the ?lang= (or form) value, then the lang
 * cookie, then the first supported language in Accept-Language (q values
 * honoured, up to 32 entries), then I18N_DEFAULT. Any argument may be NULL. */
enum appeal_language i18n_pick(const char *query, const char *cookie, const char *accept);

#endif
