/*
 * test_user.c - login names: 2..64 of [a-z0-9._-], starting with a letter or
 * a digit (domain/user.h). Lengths at and past both limits, every character
 * class, and views that are not NUL-terminated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/util.h"
#include "domain/user.h"

static bool
ok(const char *s)
{
    return user_login_valid(str_from_cstr(s));
}

static void
accepts_plain_logins(void **state)
{
    (void)state;
    assert_true(ok("aa"));
    assert_true(ok("a1"));
    assert_true(ok("1a"));
    assert_true(ok("00"));
    assert_true(ok("aigerim.n"));
    assert_true(ok("official_roads-2"));
    assert_true(ok("a.b_c-d"));
    /* Separators may follow one another and end the name. */
    assert_true(ok("a.."));
    assert_true(ok("a-"));
    assert_true(ok("z_"));
}

static void
length_limits(void **state)
{
    char s[USER_LOGIN_MAX + 2];
    (void)state;
    assert_int_equal(USER_LOGIN_MAX, 64);
    assert_false(user_login_valid(STR_NULL));
    assert_false(ok(""));
    assert_false(ok("a"));
    memset(s, 'a', sizeof(s));
    assert_true(user_login_valid((struct str){s, 2}));
    assert_true(user_login_valid((struct str){s, USER_LOGIN_MAX}));
    assert_false(user_login_valid((struct str){s, USER_LOGIN_MAX + 1}));
    assert_false(user_login_valid((struct str){s, USER_LOGIN_MAX + 2}));
}

static void
first_character_is_a_letter_or_digit(void **state)
{
    (void)state;
    assert_false(ok(".a"));
    assert_false(ok("_a"));
    assert_false(ok("-a"));
    assert_false(ok(".."));
}

/* Everything outside [a-z0-9._-] anywhere in the name, one byte at a time. */
static void
every_other_byte_rejected(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        char s[3] = {'a', (char)c, 'b'};
        bool allowed =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
        if (user_login_valid((struct str){s, 3}) != allowed)
            fail_msg("byte 0x%02x in the middle: want %d", c, allowed);
        s[0] = (char)c;
        s[1] = 'a';
        bool first = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (user_login_valid((struct str){s, 2}) != first)
            fail_msg("byte 0x%02x first: want %d", c, first);
    }
    /* Upper case, spaces, '@', and a Cyrillic letter (UTF-8) are not allowed. */
    assert_false(ok("Admin"));
    assert_false(ok("ad min"));
    assert_false(ok("a@b"));
    assert_false(ok("\xd0\xb0\xd0\xb1"));
    assert_false(ok("ab\xd0\xb0"));
}

/* Only the view's bytes count: what follows it is not read. */
static void
reads_only_the_view(void **state)
{
    const char s[] = "ab!!";
    (void)state;
    assert_true(user_login_valid((struct str){s, 2}));
    assert_false(user_login_valid((struct str){s, 3}));
    const char nul[] = {'a', 'b', '\0', 'c'};
    assert_false(user_login_valid((struct str){nul, 4}));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accepts_plain_logins),
        cmocka_unit_test(length_limits),
        cmocka_unit_test(first_character_is_a_letter_or_digit),
        cmocka_unit_test(every_other_byte_rejected),
        cmocka_unit_test(reads_only_the_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
