/*
 * test_jsonl.c - the JSON Lines reader: typed fields, escapes, nested values
 * skipped, line splitting, and every kind of bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "pipeline/jsonl.h"

static enum err
parse(struct arena *a, const char *line, struct jsonl_field **f, size_t *n, const char **why)
{
    return jsonl_object(a, str_from_cstr(line), f, n, why);
}

static void
reads_typed_fields(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct jsonl_field *f = NULL;
    size_t n = 0;
    const char *why = NULL;
    const char *line =
        " {\"service_request_id\": \"101000004808\", \"status_notes\": {\"x\": [1, {\"y\": null}]},"
        " \"lat\": 42.32, \"long\": -71.1e0, \"n\": 0, \"ok\": true, \"no\": false, \"gone\": null,"
        " \"description\": \"Шұңқыр \\\"үлкен\\\"\\n\\u0416\\ud83d\\ude00 \\/\\t\"} ";
    assert_int_equal(parse(a, line, &f, &n, &why), ERR_OK);
    assert_int_equal(n, 9);
    const struct jsonl_field *v = jsonl_get(f, n, "service_request_id");
    assert_non_null(v);
    assert_int_equal(v->type, JSONL_STRING);
    assert_true(str_cstr_eq(v->text, "101000004808"));
    assert_int_equal(jsonl_get(f, n, "status_notes")->type, JSONL_NESTED);
    v = jsonl_get(f, n, "lat");
    assert_int_equal(v->type, JSONL_NUMBER);
    assert_true(v->num > 42.319 && v->num < 42.321);
    assert_true(str_cstr_eq(v->text, "42.32"));
    assert_true(jsonl_get(f, n, "long")->num < -71.09);
    assert_int_equal(jsonl_get(f, n, "n")->num, 0);
    assert_true(jsonl_get(f, n, "ok")->type == JSONL_BOOL && jsonl_get(f, n, "ok")->b);
    assert_true(jsonl_get(f, n, "no")->type == JSONL_BOOL && !jsonl_get(f, n, "no")->b);
    assert_int_equal(jsonl_get(f, n, "gone")->type, JSONL_NULL);
    assert_null(jsonl_get(f, n, "address"));
    v = jsonl_get(f, n, "description");
    assert_true(str_cstr_eq(v->text, "Шұңқыр \"үлкен\"\nЖ\xF0\x9F\x98\x80 /\t"));
    /* Keys are unescaped too; the empty object has no fields. */
    assert_int_equal(parse(a, "{\"a\\u0062\":1}", &f, &n, &why), ERR_OK);
    assert_non_null(jsonl_get(f, n, "ab"));
    assert_int_equal(parse(a, "{}", &f, &n, &why), ERR_OK);
    assert_int_equal(n, 0);
    arena_free(a);
}

static void
splits_lines(void **state)
{
    (void)state;
    const char *in = "\n{\"a\":1}\r\n   \n\t{\"b\":2} \n{\"c\":3}";
    struct jsonl_reader r;
    struct str line;
    jsonl_init(&r, str_from_cstr(in));
    assert_true(jsonl_next(&r, &line));
    assert_true(str_cstr_eq(line, "{\"a\":1}"));
    assert_int_equal(r.line, 2);
    assert_true(jsonl_next(&r, &line));
    assert_true(str_cstr_eq(line, "{\"b\":2}"));
    assert_int_equal(r.line, 4);
    assert_true(jsonl_next(&r, &line));
    assert_true(str_cstr_eq(line, "{\"c\":3}"));
    assert_int_equal(r.line, 5);
    assert_false(jsonl_next(&r, &line));
    jsonl_init(&r, (struct str){"", 0});
    assert_false(jsonl_next(&r, &line));
}

static void
rejects_bad_input(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *why; /* a word the message must hold */
    } cases[] = {
        {"", "object"},
        {"[1, 2]", "object"},
        {"\"text\"", "object"},
        {"{\"a\":1", "','"},
        {"{\"a\":1,}", "string"},
        {"{\"a\" 1}", "':'"},
        {"{a:1}", "string"},
        {"{'a':1}", "string"},
        {"{\"a\":1} {\"b\":2}", "after"},
        {"{\"a\":1}x", "after"},
        {"{\"a\":1, \"a\":2}", "twice"},
        {"{\"a\":01}", "','"},
        {"{\"a\":1.}", "point"},
        {"{\"a\":.5}", "value"},
        {"{\"a\":1e}", "exponent"},
        {"{\"a\":+1}", "value"},
        {"{\"a\":1e999}", "range"},
        {"{\"a\":1234567890123456789012345678901234567890123456789012345678901234}", "63"},
        {"{\"a\":tru}", "value"},
        {"{\"a\":nul}", "value"},
        {"{\"a\":NaN}", "value"},
        {"{\"a\":\"x}", "closed"},
        {"{\"a\":\"x\\q\"}", "escape"},
        {"{\"a\":\"\\u12\"}", "hex"},
        {"{\"a\":\"\\u0000\"}", "u0000"},
        {"{\"a\":\"\\ud800\"}", "surrogate"},
        {"{\"a\":\"\\udc00x\"}", "surrogate"},
        {"{\"a\":\"tab\there\"}", "control"},
        {"{\"a\":\"\xC3\x28\"}", "UTF-8"},
        {"{\"a\":[1,]}", "value"},
        {"{\"a\":[1 2]}", "']'"},
        {"{\"a\":{\"b\" 1}}", "':'"},
        {"{\"a\":}", "value"},
    };
    struct arena *a = arena_new();
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct jsonl_field *f = (struct jsonl_field *)&cases; /* must stay untouched */
        size_t n = 777;
        const char *why = NULL;
        enum err e = parse(a, cases[i].in, &f, &n, &why);
        if (e != ERR_INVALID || why == NULL || strstr(why, cases[i].why) == NULL)
            fail_msg("%s: %s \"%s\", want invalid with \"%s\"", cases[i].in, err_name(e),
                     why ? why : "(none)", cases[i].why);
        assert_true(f == (struct jsonl_field *)&cases && n == 777);
    }
    arena_free(a);
}

static void
limits_depth_and_keys(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct jsonl_field *f;
    size_t n;
    const char *why;
    /* 64 levels inside a value are fine, 65 are not. */
    char deep[256];
    for (int levels = 64; levels <= 65; levels++) {
        size_t k = 0;
        k += (size_t)snprintf(deep + k, sizeof(deep) - k, "{\"a\":");
        for (int i = 0; i < levels; i++)
            deep[k++] = '[';
        for (int i = 0; i < levels; i++)
            deep[k++] = ']';
        deep[k++] = '}';
        deep[k] = '\0';
        enum err e = parse(a, deep, &f, &n, &why);
        assert_int_equal(e, levels == 64 ? ERR_OK : ERR_INVALID);
    }
    /* 256 keys are fine, 257 are too many. */
    char keys[8192];
    for (int count = 256; count <= 257; count++) {
        size_t k = 0;
        keys[k++] = '{';
        for (int i = 0; i < count; i++)
            k += (size_t)snprintf(keys + k, sizeof(keys) - k, "%s\"k%d\":%d", i ? "," : "", i, i);
        keys[k++] = '}';
        keys[k] = '\0';
        enum err e = parse(a, keys, &f, &n, &why);
        assert_int_equal(e, count == 256 ? ERR_OK : ERR_TOOBIG);
        if (count == 256) {
            assert_int_equal(n, 256);
            assert_int_equal(jsonl_get(f, n, "k255")->num, 255);
        }
    }
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_typed_fields),
        cmocka_unit_test(splits_lines),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(limits_depth_and_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
