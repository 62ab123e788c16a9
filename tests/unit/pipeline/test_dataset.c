/*
 * test_dataset.c - the CSV and JSON Lines readers of labelled texts and the
 * HTML stripper, with bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "pipeline/dataset.h"

static enum err
load(struct arena *a, const char *in, struct dataset_opts o, struct dataset_row **r, size_t *n,
     size_t *skipped)
{
    const char *why;
    return dataset_load(a, str_from_cstr(in), &o, r, n, skipped, &why);
}

static void
reads_csv_by_name_and_number(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct dataset_row *r;
    size_t n, skipped;
    const char *csv = "id,text,topic\r\n"
                      "1,\"Жолда шұңқыр, \"\"үлкен\"\"\nекі жол\",roads\r\n"
                      "2,<p>Нет&nbsp;воды &amp; тепла</p>, water \r\n"
                      "3,,roads\n"
                      "4,Qar tazalanbağan,\n";
    struct dataset_opts o = {.text_col = "text", .label_col = "topic"};
    assert_int_equal(load(a, csv, o, &r, &n, &skipped), ERR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(skipped, 2);
    assert_true(str_cstr_eq(r[0].text, "Жолда шұңқыр, \"үлкен\"\nекі жол"));
    assert_true(str_cstr_eq(r[0].label, "roads"));
    assert_true(str_cstr_eq(r[1].text, " Нет\xC2\xA0воды & тепла "));
    assert_true(str_cstr_eq(r[1].label, "water"));
    assert_int_equal(r[1].line, 4);
    o = (struct dataset_opts){.no_header = true, .text_col = "2", .label_col = "3"};
    assert_int_equal(load(a, "1,Road is broken,roads\n2,No water,water", o, &r, &n, &skipped),
                     ERR_OK);
    assert_int_equal(n, 2);
    assert_true(str_cstr_eq(r[1].label, "water"));
    arena_free(a);
}

static void
reads_jsonl(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct dataset_row *r;
    size_t n, skipped;
    const char *in = "{\"text\": \"Ыстық су жоқ \\u0026 \\\"жылу\\\"\", \"group\": 3, \"x\": [1, "
                     "{\"y\": null}]}\n"
                     "\n"
                     "{\"group\": \"roads\", \"text\": \"Pothole \\ud83d\\ude00\"}\n";
    struct dataset_opts o = {.jsonl = true, .text_col = "text", .label_col = "group"};
    assert_int_equal(load(a, in, o, &r, &n, &skipped), ERR_OK);
    assert_int_equal(n, 2);
    assert_true(str_cstr_eq(r[0].text, "Ыстық су жоқ & \"жылу\""));
    assert_true(str_cstr_eq(r[0].label, "3"));
    assert_true(str_cstr_eq(r[1].text, "Pothole \xF0\x9F\x98\x80"));
    assert_int_equal(r[1].line, 3);
    arena_free(a);
}

static void
rejects_bad_input(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct dataset_row *r;
    size_t n, skipped;
    struct dataset_opts csv = {.text_col = "text", .label_col = "topic"};
    assert_int_equal(load(a, "text,topic\n\"open,roads\n", csv, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "text,topic\n\"a\"b,roads\n", csv, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "body,topic\nx,roads\n", csv, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "text,topic\nx\n", csv, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "text,topic\n\xFF,roads\n", csv, &r, &n, &skipped), ERR_INVALID);
    struct dataset_opts named = {.no_header = true, .text_col = "text", .label_col = "2"};
    assert_int_equal(load(a, "x,roads\n", named, &r, &n, &skipped), ERR_INVALID);
    struct dataset_opts zero = {.no_header = true, .text_col = "0", .label_col = "2"};
    assert_int_equal(load(a, "x,roads\n", zero, &r, &n, &skipped), ERR_INVALID);
    struct dataset_opts j = {.jsonl = true, .text_col = "text", .label_col = "topic"};
    assert_int_equal(load(a, "[1,2]\n", j, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "{\"text\":\"x\",\"topic\":\"a\"} junk\n", j, &r, &n, &skipped),
                     ERR_INVALID);
    assert_int_equal(load(a, "{\"text\":\"x\"}\n", j, &r, &n, &skipped), ERR_INVALID);
    assert_int_equal(load(a, "{\"text\":\"\\ud800\",\"topic\":\"a\"}\n", j, &r, &n, &skipped),
                     ERR_INVALID);
    assert_int_equal(load(a, "{\"text\":\"\\u0000\",\"topic\":\"a\"}\n", j, &r, &n, &skipped),
                     ERR_INVALID);
    arena_free(a);
}

static void
strips_html(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"<p>Яма</p>", " Яма "},
        {"a < b &lt;c&gt;", "a < b <c>"},
        {"x<!-- hidden -->y", "xy"},
        {"&#1179;&#x49B;&unknown; &#0; &#xD800;", "ққ&unknown; &#0; &#xD800;"},
        {"<br/>line<br>", " line "},
        {"unclosed <p", "unclosed <p"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char buf[128];
        size_t len = strlen(cases[i].in);
        memcpy(buf, cases[i].in, len);
        size_t n = dataset_strip_html(buf, len);
        assert_true(n <= len);
        if (n != strlen(cases[i].out) || memcmp(buf, cases[i].out, n) != 0)
            fail_msg("\"%s\" -> \"%.*s\", want \"%s\"", cases[i].in, (int)n, buf, cases[i].out);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_csv_by_name_and_number),
        cmocka_unit_test(reads_jsonl),
        cmocka_unit_test(rejects_bad_input),
        cmocka_unit_test(strips_html),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
