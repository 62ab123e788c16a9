/*
 * iin.c - the IIN check digit and the birth date and sex it encodes. Exports
 * iin_valid(), iin_decode() and iin_birth_date(); everything else is static.
 */
#include "domain/iin.h"

#include "base/checkdigit.h"
#include "base/tm.h"
#include "base/util.h"

bool
iin_valid(struct str s)
{
    return checkdigit_kz12(s);
}

static int
two_digits(const char *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static bool
real_date(int y, int m, int d)
{
    static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= (m == 2 && leap ? 29 : len[m - 1]);
}

enum err
iin_decode(struct str s, int32_t *birth_day, enum iin_sex *sex)
{
    if (!iin_valid(s))
        return ERR_INVALID;
    int c = s.p[6] - '0';
    if (c < 1 || c > 6)
        return ERR_INVALID;
    int y = 1800 + (c - 1) / 2 * 100 + two_digits(s.p);
    int m = two_digits(s.p + 2);
    int d = two_digits(s.p + 4);
    if (!real_date(y, m, d))
        return ERR_INVALID;
    if (birth_day)
        *birth_day = tm_days_from_civil(y, m, d);
    if (sex)
        *sex = c % 2 ? IIN_MALE : IIN_FEMALE;
    return ERR_OK;
}

enum err
iin_birth_date(struct str s, int32_t *day)
{
    return iin_decode(s, day, NULL);
}
