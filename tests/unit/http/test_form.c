/*
 * test_form.c - the urlencoded form parser: decoding ('+', %XX in names and
 * values), order and duplicates, empty pieces, and every limit and refusal
 * (bad escapes, NUL, invalid UTF-8, bad names, too many fields, a name one
 * past FORM_NAME_MAX, a body past FORM_BODY_MAX).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/form.h"

static enum err
parse(struct arena *a, const char *body, struct form *f)
{
    return form_parse(a, str_from_cstr(body), f);
}

static void
decodes_fields(void **state)
{
    struct arena *a = arena_new();
    struct form f;
    (void)state;
    assert_int_equal(
        parse(a, "kind=complaint&text=%D0%AF%D0%BC%D0%B0+%D0%BD%D0%B0&x=a%2Bb%26c%3D", &f), ERR_OK);
    assert_int_equal(f.count, 3);
    assert_string_equal(form_get(&f, "kind"), "complaint");
    assert_string_equal(form_get(&f, "text"), "Яма на");
    assert_string_equal(form_get(&f, "x"), "a+b&c=");
    assert_int_equal(f.fields[2].value_len, 6);
    assert_null(form_get(&f, "missing"));
    arena_free(a);
}

static void
keeps_order_and_duplicates(void **state)
{
    struct arena *a = arena_new();
    struct form f;
    (void)state;
    assert_int_equal(parse(a, "&&a=1&&b&a=2&c=&", &f), ERR_OK);
    assert_int_equal(f.count, 4);
    assert_string_equal(f.fields[0].name, "a");
    assert_string_equal(form_get(&f, "a"), "1");
    assert_int_equal(form_count(&f, "a"), 2);
    assert_string_equal(form_get(&f, "b"), "");
    assert_string_equal(form_get(&f, "c"), "");
    assert_int_equal(parse(a, "", &f), ERR_OK);
    assert_int_equal(f.count, 0);
    assert_int_equal(parse(a, "na%6De=v", &f), ERR_OK); /* an escaped name */
    assert_string_equal(form_get(&f, "name"), "v");
    arena_free(a);
}

static void
refuses_bad_input(void **state)
{
    struct arena *a = arena_new();
    struct form f;
    (void)state;
    const char *bad[] = {
        "a=%",         "a=%4", "a=%zz", "a=%4g",   "a=%00", "a=x%00y", "a=%C3%28", "a=%FF",
        "a=%ED%A0%80", "=v",   "%20=v", "a%3Cb=v", "a b=v", "a=1&=2",  "a\xff=1",  "a=%E2%82",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        f.count = 99;
        enum err e = parse(a, bad[i], &f);
        if (e != ERR_INVALID)
            fail_msg("\"%s\": %d, want ERR_INVALID", bad[i], (int)e);
        assert_int_equal(f.count, 0);
    }
    /* Raw bytes in a value must be UTF-8 too. */
    assert_int_equal(form_parse(a, (struct str){"a=\xc3\x28", 5}, &f), ERR_INVALID);
    arena_free(a);
}

static void
limits(void **state)
{
    struct arena *a = arena_new();
    struct form f;
    struct buf b = BUF_INIT(FORM_BODY_MAX + 16);
    (void)state;
    for (int i = 0; i < FORM_FIELDS_MAX; i++)
        buf_printf(&b, "%sf%d=%d", i ? "&" : "", i, i);
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_OK);
    assert_int_equal(f.count, FORM_FIELDS_MAX);
    buf_puts(&b, "&one=more");
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_TOOBIG);
    assert_int_equal(f.count, 0);

    buf_reset(&b);
    for (int i = 0; i < FORM_NAME_MAX; i++)
        buf_putc(&b, 'n');
    buf_puts(&b, "=v");
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_OK);
    buf_reset(&b);
    for (int i = 0; i <= FORM_NAME_MAX; i++)
        buf_putc(&b, 'n');
    buf_puts(&b, "=v");
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_TOOBIG);

    buf_reset(&b);
    buf_puts(&b, "t=");
    while (b.len < FORM_BODY_MAX)
        buf_putc(&b, 'x');
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_OK);
    buf_putc(&b, 'x');
    assert_int_equal(form_parse(a, (struct str){b.p, b.len}, &f), ERR_TOOBIG);
    buf_fini(&b);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(decodes_fields),
        cmocka_unit_test(keeps_order_and_duplicates),
        cmocka_unit_test(refuses_bad_input),
        cmocka_unit_test(limits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
