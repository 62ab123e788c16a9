/*
 * test_calibration.c - the opinion tables of 005_calibration in both
 * backends: the default Kazakhstan calibration tables loaded at migrate time
 * are the CSV files in data/calibration byte for byte (and valid), new versions of a
 * table, a repeated body refused, lists of the latest and of every version,
 * and stance records written and read back with every filter, the row limit
 * and the purge of synthetic records. SQLite in memory always; PostgreSQL
 * on a fresh database when TEST_PG_DSN is set (the PG group skips without
 * it). Run from the repository root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "analytics/opinion.h"
#include "base/arena.h"
#include "base/rnd.h"
#include "store/store.h"

#include "unit/store/store_fx.h"

static char *
slurp(struct arena *a, const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        fail_msg("cannot open %s (run from the repository root)", path);
    char *p = ARENA_ARRAY(a, char, 1 << 20);
    *len = fread(p, 1, (1 << 20) - 1, fp);
    fclose(fp);
    p[*len] = '\0';
    return p;
}

static void
defaults_are_the_files(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    struct calib_table t;
    size_t len;
    const char *why = NULL;

    assert_int_equal(store_calibration_get(f->s, f->a, "kz_margins", 0, &t), ERR_OK);
    char *file = slurp(f->a, "data/calibration/kz_margins.csv", &len);
    assert_int_equal(t.version, 1);
    assert_string_equal(t.kind, "margins");
    assert_string_equal(t.ref_date, "2025-12-01");
    assert_int_equal(t.body_len, len);
    assert_memory_equal(t.body, file, len);
    struct op_margins m;
    assert_int_equal(op_margins_parse(f->a, (struct str){t.body, t.body_len}, &m, &why), ERR_OK);
    assert_true(t.total == m.total);
    const char *latest = NULL;
    assert_int_equal(op_margins_sourced(f->a, &m, &latest, &why), ERR_OK);
    assert_string_equal(latest, t.ref_date);

    assert_int_equal(store_calibration_get(f->s, f->a, "kz_channels", 0, &t), ERR_OK);
    file = slurp(f->a, "data/calibration/kz_channels.csv", &len);
    assert_string_equal(t.kind, "channels");
    assert_int_equal(t.body_len, len);
    assert_memory_equal(t.body, file, len);
    struct op_channels ch;
    assert_int_equal(op_channels_parse(f->a, (struct str){t.body, t.body_len}, &ch, &why), ERR_OK);
    assert_true(op_channel_share(&ch, "vk") == 0.329);
    assert_true(op_channel_share(&ch, "any") == 0.58);
    assert_int_equal(op_channels_sourced(f->a, &ch, &latest, &why), ERR_OK);
    assert_string_equal(latest, t.ref_date);

    assert_int_equal(store_calibration_get(f->s, f->a, "kz_margins", 2, &t), ERR_NOTFOUND);
    assert_int_equal(store_calibration_get(f->s, f->a, "nope", 0, &t), ERR_NOTFOUND);
}

static enum err
insert_job(struct store_tx *tx, void *arg)
{
    return store_tx_calibration_insert(tx, arg);
}

static void
versions(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    static const char body2[] = "variable,category,population,source,ref_date\n"
                                "sex,m,480,\"BNS, 2026\",2026-01-01\nsex,f,520,BNS,2026-01-01\n";
    struct calib_table t = {.name = "kz_margins",
                            .kind = "margins",
                            .total = 1000,
                            .ref_date = "2026-01-01",
                            .body = body2,
                            .body_len = sizeof(body2) - 1,
                            .loaded_at = 1767934800};
    assert_int_equal(store_write(f->s, insert_job, &t), ERR_OK);
    assert_int_equal(t.version, 2);
    assert_true(t.id > 0);
    struct calib_table again = t;
    assert_int_equal(store_write(f->s, insert_job, &again), ERR_CONFLICT);
    assert_non_null(strstr(store_errmsg(f->s), "version 2 already holds"));

    struct calib_table *rows;
    size_t count;
    assert_int_equal(store_calibration_list(f->s, f->a, false, &rows, &count), ERR_OK);
    assert_int_equal(count, 2);
    assert_string_equal(rows[0].name, "kz_channels");
    assert_string_equal(rows[1].name, "kz_margins");
    assert_int_equal(rows[1].version, 2);
    assert_null(rows[1].body);
    assert_int_equal(store_calibration_list(f->s, f->a, true, &rows, &count), ERR_OK);
    assert_int_equal(count, 3);
    assert_int_equal(rows[1].version, 1);
    assert_int_equal(rows[2].version, 2);

    struct calib_table got;
    assert_int_equal(store_calibration_get(f->s, f->a, "kz_margins", 0, &got), ERR_OK);
    assert_int_equal(got.version, 2);
    assert_string_equal(got.body, body2);
    assert_true(got.total == 1000);
    assert_int_equal(got.loaded_at, 1767934800);
    assert_int_equal(store_calibration_get(f->s, f->a, "kz_margins", 1, &got), ERR_OK);
    assert_int_equal(got.version, 1);
    assert_true(got.total == 13568458);
}

struct stances {
    const struct stance_row *rows;
    size_t count;
    int64_t removed;
};

static enum err
stance_job(struct store_tx *tx, void *arg)
{
    struct stances *s = arg;
    for (size_t i = 0; i < s->count; i++) {
        enum err e = store_tx_stance_insert(tx, &s->rows[i]);
        if (e)
            return e;
    }
    return ERR_OK;
}

static enum err
purge_job(struct store_tx *tx, void *arg)
{
    struct stances *s = arg;
    return store_tx_stance_purge_synthetic(tx, &s->removed);
}

static void
stance_records(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    static const struct stance_row in[] = {
        {0, "vk", "h1", "housing", "750000000", "f", "18-44", "urban", 1, 1000, 0.1, false},
        {0, "ok", "h2", "housing", "710000000", "m", "60+", "urban", 0, 1001, -1, false},
        {0, "vk", "h3", "housing", "750000000", "m", "45-59", "rural", 1, 999, 0.9, true},
        {0, "facebook", "h4", "housing", "750000000", "f", "18-44", "urban", 0, 1002, 0, true},
        {0, "vk", "h5", "roads", "750000000", "f", "18-44", "urban", 1, 1000, 0.2, false},
        {0, "vk", "h6", "housing", "750000000", "f", "18-44", "urban", 1, 2000, 0.3, false},
    };
    struct stances s = {in, sizeof(in) / sizeof(in[0]), 0};
    assert_int_equal(store_write(f->s, stance_job, &s), ERR_OK);

    struct stance_query q = {.topic = "housing", .from = 999, .to = 2000, .limit = 100};
    struct stance_row *rows;
    size_t count;
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 4);                     /* not roads, not at 2000 (to is exclusive) */
    assert_string_equal(rows[0].author_hash, "h3"); /* oldest first */
    assert_true(rows[0].synthetic && rows[0].bot == 0.9 && rows[0].stance == 1);
    assert_string_equal(rows[0].sex, "m");
    assert_string_equal(rows[0].age, "45-59");
    assert_string_equal(rows[0].urban, "rural");
    assert_string_equal(rows[2].author_hash, "h2");
    assert_true(rows[2].bot == -1 && rows[2].stance == 0 && !rows[2].synthetic);
    assert_int_equal(rows[2].at, 1001);
    assert_string_equal(rows[2].region, "710000000");

    q.sources = ",vk,facebook,";
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 3);
    q.sources = ",v,"; /* whole names only */
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 0);
    q.sources = NULL;
    q.region = "710000000";
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 1);
    q.region = NULL;
    q.limit = 4; /* exactly the limit is fine; one more is too many */
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 4);
    q.limit = 3;
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_TOOBIG);
    assert_int_equal(count, 0);

    assert_int_equal(store_write(f->s, purge_job, &s), ERR_OK);
    assert_int_equal(s.removed, 2);
    q.limit = 100;
    q.to = 3000;
    assert_int_equal(store_stance_list(f->s, f->a, &q, &rows, &count), ERR_OK);
    assert_int_equal(count, 3);
}

int
main(void)
{
    const struct CMUnitTest sqlite[] = {
        cmocka_unit_test_setup_teardown(defaults_are_the_files, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(versions, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(stance_records, setup_sqlite, teardown),
    };
    const struct CMUnitTest pg[] = {
        cmocka_unit_test_setup_teardown(defaults_are_the_files, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(versions, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(stance_records, setup_pg, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite", sqlite, NULL, NULL);
    failed += cmocka_run_group_tests_name("postgresql", pg, NULL, NULL);
    return failed;
}
