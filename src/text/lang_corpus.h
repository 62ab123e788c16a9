/*
 * lang_corpus.h - the seed corpus the language profiles are built from:
 * sentences the project wrote itself in Kazakh (Cyrillic), Russian and
 * English. Exports lang_corpus_get().
 */
#ifndef TEXT_LANG_CORPUS_H
#define TEXT_LANG_CORPUS_H

#include <stddef.h>

#include "text/lang.h"

/* The sentences of lang (static, NUL-terminated UTF-8) and their *count;
 * NULL and 0 for LANG_ID_UND. */
const char *const *lang_corpus_get(enum lang lang, size_t *count);

#endif
