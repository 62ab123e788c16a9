/*
 * test_sample.c - samples from CSV: categories found (simple and joint),
 * weight and bot columns, every bad input rejected with a message naming
 * the line and column (missing column, unknown category, y not 0/1, empty
 * sample, bad weight or bot score); posts collapsed to one stance per
 * author by majority, a tie going to the latest post.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/opinion.h"

static const char margins[] = "variable,category,population\n"
                              "sex,m,50\nsex,f,50\nage,young,40\nage,old,60\n";

static void
setup_margins(struct arena *a, struct op_margins *m, const char *csv)
{
    const char *why = NULL;
    if (op_margins_parse(a, str_from_cstr(csv), m, &why))
        fail_msg("margins: %s", why);
}

static void
parses(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    const char *why = NULL;
    setup_margins(a, &m, margins);
    assert_int_equal(op_sample_parse(a,
                                     STR("id,age,y,sex,weight,bot\n7,old,1,f,2.5,0.9\n"
                                         "8,young,0,m,1,0\n"),
                                     &m, &s, &why),
                     ERR_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.y[0], 1);
    assert_int_equal(s.cat[0 * 2 + 0], 1); /* sex f */
    assert_int_equal(s.cat[1 * 2 + 0], 1); /* age old */
    assert_int_equal(s.cat[1 * 2 + 1], 0);
    assert_true(s.d[0] == 2.5 && s.d[1] == 1);
    assert_true(s.bot[0] == 0.9);
    assert_null(s.author);
    arena_free(a);
}

static void
joint_variable(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    const char *why = NULL;
    setup_margins(a, &m,
                  "variable,category,population\nsex:age,m:young,1\nsex:age,f:young,1\n"
                  "sex:age,m:old,1\nsex:age,f:old,1\n");
    assert_int_equal(op_sample_parse(a, STR("y,sex,age\n1,f,old\n0,m,young\n"), &m, &s, &why),
                     ERR_OK);
    assert_int_equal(s.cat[0], 3);
    assert_int_equal(s.cat[1], 0);
    assert_int_equal(op_sample_parse(a, STR("y,sex,age\n1,f,mid\n"), &m, &s, &why), ERR_INVALID);
    assert_non_null(strstr(why, "\"f:mid\""));
    arena_free(a);
}

static void
rejects(void **state)
{
    (void)state;
    static const struct {
        const char *csv, *says;
    } bad[] = {
        {"y,sex\n1,m\n", "no column age"},
        {"sex,age\nm,old\n", "no column y"},
        {"y,sex,age\n1,m,old\n1,x,old\n", "line 3: sex \"x\" is not a category"},
        {"y,sex,age\n2,m,old\n", "y must be 0 or 1"},
        {"y,sex,age\nyes,m,old\n", "y must be 0 or 1"},
        {"y,sex,age\n", "no rows"},
        {"", "empty"},
        {"y,sex,age\n1,m\n", "fields"},
        {"y,sex,age,weight\n1,m,old,0\n", "weight must be"},
        {"y,sex,age,bot\n1,m,old,1.5\n", "bot must be"},
    };
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_sample s;
    setup_margins(a, &m, margins);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *why = NULL;
        assert_int_equal(op_sample_parse(a, str_from_cstr(bad[i].csv), &m, &s, &why), ERR_INVALID);
        if (!strstr(why, bad[i].says))
            fail_msg("case %zu: \"%s\" does not say \"%s\"", i, why, bad[i].says);
    }
    arena_free(a);
}

static void
collapse(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* author 0: 1,0,1 -> 1; author 1: 0,1 tie, latest 1 -> 1; author 2: 1,0 -> 0;
     * author 3: 0 -> 0 */
    uint32_t author[] = {0, 1, 0, 2, 1, 0, 2, 3};
    uint8_t y[] = {1, 0, 0, 1, 1, 1, 0, 0};
    uint8_t out[4];
    size_t first[4];
    uint32_t posts[4];
    op_collapse(a, 8, author, y, 4, out, first, posts);
    assert_int_equal(out[0], 1);
    assert_int_equal(out[1], 1);
    assert_int_equal(out[2], 0);
    assert_int_equal(out[3], 0);
    assert_int_equal(first[2], 3);
    assert_int_equal(posts[0], 3);

    struct op_margins m;
    struct op_sample s;
    const char *why = NULL;
    setup_margins(a, &m, margins);
    assert_int_equal(op_sample_parse(a,
                                     STR("author,y,sex,age\nann,1,f,old\nbob,0,m,young\n"
                                         "ann,1,f,young\nann,0,f,old\n"),
                                     &m, &s, &why),
                     ERR_OK);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.post_count, 4);
    assert_true(s.naive_posts == 0.5);
    assert_int_equal(s.y[0], 1);
    assert_int_equal(s.y[1], 0);
    assert_int_equal(s.conflicts, 1); /* ann said young once */
    assert_true(str_cstr_eq(s.author[1], "bob"));
    assert_int_equal(s.cat[1 * 2 + 0], 1); /* ann's first post: old */
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses),
        cmocka_unit_test(joint_variable),
        cmocka_unit_test(rejects),
        cmocka_unit_test(collapse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
