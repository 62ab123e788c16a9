/*
 * user.c - account rules. Exports user_login_valid().
 */
#include "domain/user.h"

bool
user_login_valid(struct str s)
{
    if (s.len < 2 || s.len > USER_LOGIN_MAX)
        return false;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.p[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}
