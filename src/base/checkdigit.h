/*
 * checkdigit.h - check-digit rules shared by the layers that validate
 * (domain) and the ones that find identifiers in free text (text). Exports
 * checkdigit_kz12().
 */
#ifndef BASE_CHECKDIGIT_H
#define BASE_CHECKDIGIT_H

#include <stdbool.h>

#include "base/str.h"

/* The 12-digit Kazakh IIN/BIN rule: weights 1..11 mod 11; a remainder of 10
 * retries with weights 3..11,1,2; 10 again means no valid number. True if s
 * is 12 ASCII digits whose last one is that check digit. */
bool checkdigit_kz12(struct str s);

#endif
