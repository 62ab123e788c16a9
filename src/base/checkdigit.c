/*
 * checkdigit.c - the 12-digit Kazakh IIN/BIN check digit.
 */
#include "base/checkdigit.h"

bool
checkdigit_kz12(struct str s)
{
    static const int first[11] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    static const int second[11] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2};
    if (s.len != 12)
        return false;
    for (size_t i = 0; i < 12; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    int s1 = 0, s2 = 0;
    for (int i = 0; i < 11; i++) {
        s1 += (s.p[i] - '0') * first[i];
        s2 += (s.p[i] - '0') * second[i];
    }
    int k = s1 % 11;
    if (k == 10)
        k = s2 % 11;
    return k != 10 && k == s.p[11] - '0';
}
