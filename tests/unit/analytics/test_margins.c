/*
 * test_margins.c - calibration tables: a good table parses with its
 * sources; tables whose parts do not sum to the total within 0.1% are
 * rejected with a message that says which; repeated categories, negative
 * populations, a joint whose categories have the wrong number of parts and
 * a missing header are rejected; the shipped Kazakhstan tables load and the
 * region codes are the 20 KATO codes; channel reach tables check any+none.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "analytics/opinion.h"
#include "base/buf.h"

static enum err
parse(struct arena *a, const char *csv, struct op_margins *m, const char **why)
{
    return op_margins_parse(a, str_from_cstr(csv), m, why);
}

static void
good_table(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    const char *why = NULL;
    assert_int_equal(parse(a,
                           "variable,category,population,source,ref_date\n"
                           "sex,m,480,census,2021-09-01\nsex,f,520,census,2021-09-01\n"
                           "age,young,300,,\nage,old,700.4,,\n",
                           &m, &why),
                     ERR_OK);
    assert_int_equal(m.var_count, 2);
    assert_string_equal(m.var[0].name, "sex");
    assert_int_equal(m.var[1].cat_count, 2);
    assert_string_equal(m.var[0].source[1], "census");
    assert_string_equal(m.var[0].ref_date[0], "2021-09-01");
    assert_null(m.var[1].source[0]);
    assert_true(m.total == 1000);
    assert_true(m.max_sum_gap > 0 && m.max_sum_gap < 0.001);
    arena_free(a);
}

static void
rejects_sums(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    const char *why = NULL;
    assert_int_equal(parse(a,
                           "variable,category,population\nsex,m,480\nsex,f,520\nage,a,300\n"
                           "age,b,702\n",
                           &m, &why),
                     ERR_UNPROCESSABLE);
    assert_non_null(strstr(why, "age sums to 1002"));
    assert_non_null(strstr(why, "0.1%"));
    assert_int_equal(parse(a,
                           "variable,category,population\n_total,_all,1000\nsex,m,480\n"
                           "sex,f,530\n",
                           &m, &why),
                     ERR_UNPROCESSABLE);
    assert_non_null(strstr(why, "_total"));
    assert_int_equal(parse(a,
                           "variable,category,population\n_total,_all,1000\nsex,m,480\n"
                           "sex,f,520.5\n",
                           &m, &why),
                     ERR_OK);
    assert_true(m.total_given && m.total == 1000);
    arena_free(a);
}

static void
rejects_bad_rows(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_margins m;
    const char *why = NULL;
    assert_int_equal(parse(a, "variable,category,population\nsex,m,1\nsex,m,1\n", &m, &why),
                     ERR_UNPROCESSABLE);
    assert_non_null(strstr(why, "twice"));
    assert_int_equal(parse(a, "variable,category,population\nsex,m,-1\n", &m, &why), ERR_INVALID);
    assert_int_equal(parse(a, "variable,category,population\nsex,m,lots\n", &m, &why), ERR_INVALID);
    assert_non_null(strstr(why, "line 2"));
    assert_int_equal(parse(a, "variable,category,population\nsex:age,m,1\n", &m, &why),
                     ERR_INVALID);
    assert_non_null(strstr(why, "2 part"));
    assert_int_equal(parse(a, "var,cat,pop\nsex,m,1\n", &m, &why), ERR_INVALID);
    assert_int_equal(parse(a, "", &m, &why), ERR_INVALID);
    assert_int_equal(parse(a, "variable,category,population\n", &m, &why), ERR_INVALID);
    assert_int_equal(
        parse(a, "variable,category,population\nsex:age,m:a,3\nsex:age,f:a,4\n", &m, &why), ERR_OK);
    assert_int_equal(m.var[0].part_count, 2);
    assert_string_equal(m.var[0].part[1], "age");
    arena_free(a);
}

static struct str
slurp(struct arena *a, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s (run from the repository root)", path);
    struct buf b = BUF_INIT((size_t)1 << 24);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    struct str s = {arena_strndup(a, b.p ? b.p : "", b.len), b.len};
    buf_fini(&b);
    return s;
}

static void
shipped_tables(void **state)
{
    (void)state;
    static const char *const kato[] = {
        "100000000", "110000000", "150000000", "190000000", "230000000", "270000000", "310000000",
        "330000000", "350000000", "390000000", "430000000", "470000000", "550000000", "590000000",
        "610000000", "620000000", "630000000", "710000000", "750000000", "790000000"};
    struct arena *a = arena_new();
    struct op_margins m;
    struct op_channels ch;
    const char *why = NULL;
    if (op_margins_parse(a, slurp(a, "data/calibration/kz_margins.csv"), &m, &why))
        fail_msg("kz_margins.csv: %s", why);
    assert_int_equal(m.var_count, 4);
    assert_true(m.total_given);
    const struct op_var *region = &m.var[0];
    assert_string_equal(region->name, "region");
    assert_int_equal(region->cat_count, 20);
    for (size_t k = 0; k < 20; k++) {
        size_t j = 0;
        while (j < 20 && strcmp(region->cat[k], kato[j]) != 0)
            j++;
        assert_true(j < 20);
    }
    for (size_t v = 0; v < m.var_count; v++)
        for (size_t k = 0; k < m.var[v].cat_count; k++) {
            assert_non_null(m.var[v].source[k]);
            assert_non_null(m.var[v].ref_date[k]);
        }
    if (op_channels_parse(a, slurp(a, "data/calibration/kz_channels.csv"), &ch, &why))
        fail_msg("kz_channels.csv: %s", why);
    assert_true(op_channel_share(&ch, "vk") == 0.329);
    assert_true(op_channel_share(&ch, "none") == 0.42);
    assert_true(op_channel_share(&ch, "tv_main_news") == 0.60);
    assert_true(op_channel_share(&ch, "nothing") < 0);
    arena_free(a);
}

static void
channels_check(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct op_channels ch;
    const char *why = NULL;
    assert_int_equal(op_channels_parse(a, STR("channel,share\nany,0.6\nnone,0.42\n"), &ch, &why),
                     ERR_UNPROCESSABLE);
    assert_non_null(strstr(why, "any"));
    assert_int_equal(op_channels_parse(a, STR("channel,share\nvk,1.2\n"), &ch, &why), ERR_INVALID);
    assert_int_equal(op_channels_parse(a, STR("channel,share\nvk,0.3\nvk,0.3\n"), &ch, &why),
                     ERR_UNPROCESSABLE);
    assert_int_equal(op_channels_parse(a, STR("name,share\n"), &ch, &why), ERR_INVALID);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(good_table),       cmocka_unit_test(rejects_sums),
        cmocka_unit_test(rejects_bad_rows), cmocka_unit_test(shipped_tables),
        cmocka_unit_test(channels_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
