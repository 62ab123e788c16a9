/*
 * test_csv.c - the CSV reader: plain and quoted fields, "" inside quotes,
 * CRLF, a BOM, blank lines, spaces trimmed, and the errors (unterminated
 * quote, text after a closing quote, too many fields).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analytics/csv.h"

static void
plain_quoted_crlf_bom(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv c;
    struct str f[8];
    size_t n;
    csv_init(&c, STR("\xEF\xBB\xBFy, sex ,\"a,b\"\r\n\r\n1,m,\"say \"\"hi\"\"\"\n0,,x"));
    assert_int_equal(csv_next(&c, a, f, 8, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_true(str_cstr_eq(f[0], "y"));
    assert_true(str_cstr_eq(f[1], "sex"));
    assert_true(str_cstr_eq(f[2], "a,b"));
    assert_int_equal(c.line, 1);
    assert_int_equal(csv_next(&c, a, f, 8, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_true(str_cstr_eq(f[2], "say \"hi\""));
    assert_int_equal(c.line, 3);
    assert_int_equal(csv_next(&c, a, f, 8, &n), ERR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(f[1].len, 0);
    assert_true(str_cstr_eq(f[2], "x"));
    assert_int_equal(csv_next(&c, a, f, 8, &n), ERR_OK);
    assert_int_equal(n, 0);
    arena_free(a);
}

static void
errors(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct csv c;
    struct str f[2];
    size_t n;
    csv_init(&c, STR("\"open"));
    assert_int_equal(csv_next(&c, a, f, 2, &n), ERR_INVALID);
    csv_init(&c, STR("\"a\"b,c"));
    assert_int_equal(csv_next(&c, a, f, 2, &n), ERR_INVALID);
    csv_init(&c, STR("a,b,c"));
    assert_int_equal(csv_next(&c, a, f, 2, &n), ERR_TOOBIG);
    csv_init(&c, STR(""));
    assert_int_equal(csv_next(&c, a, f, 2, &n), ERR_OK);
    assert_int_equal(n, 0);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(plain_quoted_crlf_bom),
        cmocka_unit_test(errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
