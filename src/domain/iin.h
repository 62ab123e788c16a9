/*
 * iin.h - the individual identification number (IIN, ЖСН/ИИН) of Kazakhstan:
 * 12 digits YYMMDD C NNNN K, where YYMMDD is the date of birth, C the century
 * and sex (1/2 born 1800-1899, 3/4 born 1900-1999, 5/6 born 2000-2099; odd
 * male, even female), NNNN a registration number and K the check digit.
 * Exports iin_valid(), iin_decode() and iin_birth_date(). Pure: no I/O.
 *
 * An IIN is personal data: never log it (STYLE.md section 10).
 */
#ifndef DOMAIN_IIN_H
#define DOMAIN_IIN_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "base/str.h"

enum { IIN_LEN = 12 };

enum iin_sex { IIN_MALE, IIN_FEMALE };

/*
 * True if s is exactly 12 ASCII digits whose last is the check digit of the
 * first 11: their sum weighted 1, 2, ..., 11, modulo 11; if that is 10, the
 * sum weighted 3, 4, ..., 11, 1, 2, modulo 11; if that is 10 too, no IIN has
 * these 11 digits and s is not valid. Nothing else is checked (not the date:
 * see iin_decode()). s is borrowed and may hold any bytes.
 */
bool iin_valid(struct str s);

/*
 * Decode a valid IIN: *birth_day is the day of birth (days since 1970-01-01,
 * base/tm.h) and *sex the sex, each only if its pointer is not NULL.
 * ERR_INVALID if !iin_valid(s), if the 7th digit is not 1..6, or if YYMMDD in
 * that century is not a real date (2023-02-29, month 13). The outputs are
 * untouched on error. A birth date in the future is not rejected here: this
 * module has no clock.
 */
enum err iin_decode(struct str s, int32_t *birth_day, enum iin_sex *sex);

/* iin_decode(s, day, NULL). */
enum err iin_birth_date(struct str s, int32_t *day);

#endif
