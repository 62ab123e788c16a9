/*
 * user.h - a staff or citizen account as the rules see it. Exports struct user
 * and user_login_valid().
 */
#ifndef DOMAIN_USER_H
#define DOMAIN_USER_H

#include <stdbool.h>
#include <stdint.h>

#include "base/str.h"
#include "domain/appeal.h"

enum { USER_LOGIN_MAX = 64, USER_PASSWORD_MIN = 8, USER_PASSWORD_MAX = 256 };

/* Strings borrowed or in the caller's arena. */
struct user {
    int64_t id;
    const char *login;
    enum role role;
    const char *agency; /* NULL unless official or supervisor */
    const char *name;
    bool disabled;
};

/* Logins: 2..64 of [a-z0-9._-], starting with a letter or digit. */
bool user_login_valid(struct str s);

#endif
