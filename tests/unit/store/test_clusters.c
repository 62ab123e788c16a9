/*
 * test_clusters.c - the clusters of 006_clusters in both backends: a
 * cluster started by its first appeal, appeals joining it (count, last
 * seen, representative), the appeal's cluster, members by agency, closing
 * it once, lists with every filter and the cursor, the history read that
 * refills the index, and refusals (an unknown appeal or cluster, a closed
 * cluster, a page over the limit). SQLite in memory always; PostgreSQL on a
 * fresh database when TEST_PG_DSN is set (the PG group skips without it).
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

#include "base/arena.h"
#include "base/rnd.h"
#include "store/store.h"

#include "unit/store/store_fx.h"

/* ---- jobs ---- */

struct insert_args {
    const char *tracking, *agency, *topic, *region;
    int64_t filed_at;
    bool closed;
    int64_t id; /* out */
};

static enum err
insert_job(struct store_tx *tx, void *arg)
{
    struct insert_args *ia = arg;
    unsigned char h[32] = {0};
    struct appeal ap = {
        .tracking_id = ia->tracking,
        .reg_number = ia->tracking,
        .kind = KIND_COMPLAINT,
        .channel = CHANNEL_WEB,
        .language = LANG_RU,
        .region = ia->region,
        .topic = ia->topic,
        .agency = ia->agency,
        .status = ia->closed ? STATUS_CLOSED : STATUS_REGISTERED,
        .text = "Яма на дороге у дома 5, звонить +7 701 123 45 67",
        .address = "ул. Абая, 5",
        .has_location = true,
        .lat = 43.2389,
        .lon = 76.8897,
        .consent = true,
        .registered_by = "tyndau-intake",
        .filed_at = ia->filed_at,
        .registered_at = ia->filed_at,
        .updated_at = ia->filed_at,
        .closed_at = ia->closed ? ia->filed_at + 60 : 0,
    };
    enum err e = store_tx_appeal_insert(tx, &ap, h);
    ia->id = ap.id;
    if (!e && ia->closed)
        e = store_tx_appeal_update(tx, &ap);
    return e;
}

static int64_t
insert(struct fx *f, const char *tracking, const char *agency, int64_t filed_at, bool closed)
{
    struct insert_args ia = {tracking, agency, "roads", "750000000", filed_at, closed, 0};
    enum err e = store_write(f->s, insert_job, &ia);
    if (e)
        fail_msg("insert %s: %s %s", tracking, err_name(e), store_errmsg(f->s));
    return ia.id;
}

struct cl_args {
    int op; /* 0 insert, 1 join, 2 close, 3 get, 4 members, 5 history, 6 text */
    struct cluster_row c;
    int64_t id, appeal, at, rep, n;
    const char *text, *agency;
    struct arena *a;
    int64_t count;                    /* join out */
    const char **members;             /* members out */
    size_t members_count, limit;      /* members out, in */
    struct cluster_history_row *hist; /* history out */
    size_t hist_count;
    int64_t since, after; /* history in */
};

static enum err
cl_job(struct store_tx *tx, void *arg)
{
    struct cl_args *c = arg;
    switch (c->op) {
    case 0:
        return store_tx_cluster_insert(tx, &c->c);
    case 1:
        return store_tx_cluster_join(tx, c->id, c->appeal, c->at, c->rep, c->text, &c->count);
    case 2:
        return store_tx_cluster_close(tx, c->id, c->at, c->n);
    case 3:
        return store_tx_cluster_get(tx, c->a, c->id, &c->c);
    case 6:
        return store_tx_appeal_text(tx, c->a, c->id, &c->text);
    case 4:
        return store_tx_cluster_members(tx, c->a, c->id, c->agency, c->limit, &c->members,
                                        &c->members_count);
    default:
        return store_tx_cluster_history(tx, c->a, c->since, c->after, c->limit, &c->hist,
                                        &c->hist_count);
    }
}

static enum err
cl(struct fx *f, struct cl_args *c)
{
    c->a = f->a;
    return store_write(f->s, cl_job, c);
}

static const char *const roads = "almaty-city.roads", *const housing = "almaty-city.housing";

static void
cluster_grows_and_closes(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    int64_t t0 = 1767225600; /* 2026-01-01T00:00Z */
    int64_t a1 = insert(f, "T1", roads, t0, false);
    int64_t a2 = insert(f, "T2", roads, t0 + 600, false);
    int64_t a3 = insert(f, "T3", housing, t0 + 1200, false);
    int64_t a4 = insert(f, "T4", roads, t0 + 1800, true);
    int64_t cid, cnt;
    assert_int_equal(store_appeal_cluster(f->s, a1, &cid, &cnt), ERR_NOTFOUND);

    struct cl_args c = {.op = 0,
                        .c = {.id = a1,
                              .topic = "roads",
                              .region = "750000000",
                              .agency = roads,
                              .rep_text = "Яма на дороге, звонить [PHONE]",
                              .first_seen = t0}};
    assert_int_equal(cl(f, &c), ERR_OK);
    assert_int_equal(cl(f, &c), ERR_CONFLICT); /* started once */
    struct cl_args bad = {.op = 0, .c = {.id = 999999, .region = "750000000", .first_seen = t0}};
    assert_int_equal(cl(f, &bad), ERR_NOTFOUND); /* no such appeal */
    assert_int_equal(store_appeal_cluster(f->s, a1, &cid, &cnt), ERR_OK);
    assert_int_equal(cid, a1);
    assert_int_equal(cnt, 1);

    /* Three join: count, last seen (never backwards), representative. */
    int64_t joins[][2] = {{a2, t0 + 600}, {a3, t0 + 1200}, {a4, t0 + 300}};
    for (int i = 0; i < 3; i++) {
        struct cl_args j = {.op = 1,
                            .id = a1,
                            .appeal = joins[i][0],
                            .at = joins[i][1],
                            .rep = a2,
                            .text = "Яма у дома [PHONE]"};
        assert_int_equal(cl(f, &j), ERR_OK);
        assert_int_equal(j.count, 2 + i);
    }
    struct cl_args j = {.op = 1, .id = 424242, .appeal = a2, .at = t0, .rep = a2, .text = "x"};
    assert_int_equal(cl(f, &j), ERR_NOTFOUND); /* no such cluster */
    j = (struct cl_args){.op = 1, .id = a1, .appeal = 777777, .at = t0, .rep = a1, .text = "x"};
    assert_int_equal(cl(f, &j), ERR_NOTFOUND); /* no such appeal: nothing counted */

    struct cluster_row r;
    assert_int_equal(store_cluster_get(f->s, f->a, a1, NULL, &r), ERR_OK);
    assert_int_equal(r.id, a1);
    assert_int_equal(r.count, 4);
    assert_int_equal(r.first_seen, t0);
    assert_int_equal(r.last_seen, t0 + 1200);
    assert_int_equal(r.representative, a2);
    assert_string_equal(r.rep_text, "Яма у дома [PHONE]");
    assert_string_equal(r.topic, "roads");
    assert_string_equal(r.region, "750000000");
    assert_string_equal(r.agency, roads);
    assert_true(r.open);
    assert_int_equal(r.answered_at, 0);
    assert_int_equal(store_cluster_get(f->s, f->a, a2, NULL, &r), ERR_NOTFOUND);
    /* Staff of an agency see a cluster only when it holds one of theirs. */
    assert_int_equal(store_cluster_get(f->s, f->a, a1, housing, &r), ERR_OK);
    assert_int_equal(store_cluster_get(f->s, f->a, a1, "almaty-city.energy", &r), ERR_NOTFOUND);
    struct cl_args tx_text = {.op = 6, .id = a3};
    assert_int_equal(cl(f, &tx_text), ERR_OK);
    assert_non_null(strstr(tx_text.text, "+7 701"));
    tx_text.id = 8888888;
    assert_int_equal(cl(f, &tx_text), ERR_NOTFOUND);
    assert_int_equal(store_appeal_cluster(f->s, a3, &cid, &cnt), ERR_OK);
    assert_true(cid == a1 && cnt == 4);

    /* Members: open appeals of one agency, oldest first; the limit. */
    struct cl_args m = {.op = 4, .id = a1, .agency = roads, .limit = 10};
    assert_int_equal(cl(f, &m), ERR_OK);
    assert_int_equal(m.members_count, 2); /* T4 is closed, T3 another agency's */
    assert_string_equal(m.members[0], "T1");
    assert_string_equal(m.members[1], "T2");
    m.limit = 1;
    assert_int_equal(cl(f, &m), ERR_TOOBIG);
    m = (struct cl_args){.op = 4, .id = a1, .agency = housing, .limit = 10};
    assert_int_equal(cl(f, &m), ERR_OK);
    assert_int_equal(m.members_count, 1);
    assert_string_equal(m.members[0], "T3");
    m = (struct cl_args){.op = 4, .id = a1, .agency = NULL, .limit = 10};
    assert_int_equal(cl(f, &m), ERR_OK);
    assert_int_equal(m.members_count, 3); /* any agency; T4 is closed */

    /* Closed once; a closed cluster takes no one. */
    struct cl_args k = {.op = 2, .id = a1, .at = t0 + 7200, .n = 2};
    assert_int_equal(cl(f, &k), ERR_OK);
    assert_int_equal(cl(f, &k), ERR_NOTFOUND);
    j = (struct cl_args){.op = 1, .id = a1, .appeal = a2, .at = t0, .rep = a2, .text = "x"};
    assert_int_equal(cl(f, &j), ERR_NOTFOUND);
    struct cl_args g = {.op = 3, .id = a1};
    assert_int_equal(cl(f, &g), ERR_OK);
    assert_false(g.c.open);
    assert_int_equal(g.c.answered_at, t0 + 7200);
    assert_int_equal(g.c.answered_count, 2);
    assert_int_equal(g.c.count, 4);
    g.id = 31337;
    assert_int_equal(cl(f, &g), ERR_NOTFOUND);
}

static void
lists_and_history(void **state)
{
    struct fx *f = *state;
    NEED_STORE(f);
    int64_t t0 = 1767225600;
    int64_t ids[5];
    /* Five clusters, one a week, of one appeal each; the second is closed;
     * the third is in another region and topic. */
    for (int i = 0; i < 5; i++) {
        char tr[8];
        snprintf(tr, sizeof(tr), "L%d", i);
        struct insert_args ia = {arena_strdup(f->a, tr),
                                 roads,
                                 i == 2 ? "water" : "roads",
                                 i == 2 ? "710000000" : "750000000",
                                 t0 + i * 7 * 86400,
                                 false,
                                 0};
        assert_int_equal(store_write(f->s, insert_job, &ia), ERR_OK);
        ids[i] = ia.id;
        struct cl_args c = {.op = 0,
                            .c = {.id = ia.id,
                                  .topic = ia.topic,
                                  .region = ia.region,
                                  .agency = roads,
                                  .rep_text = "text",
                                  .first_seen = ia.filed_at}};
        assert_int_equal(cl(f, &c), ERR_OK);
    }
    struct cl_args k = {.op = 2, .id = ids[1], .at = t0 + 8 * 86400, .n = 1};
    assert_int_equal(cl(f, &k), ERR_OK);
    /* An appeal filed long ago joins the first cluster late. */
    int64_t late = insert(f, "LATE", housing, t0 + 40 * 86400, false);
    struct cl_args j = {.op = 1,
                        .id = ids[0],
                        .appeal = late,
                        .at = t0 + 40 * 86400,
                        .rep = ids[0],
                        .text = "text"};
    assert_int_equal(cl(f, &j), ERR_OK);

    struct cluster_query q = {.open = -1, .limit = 10};
    struct cluster_row *rows;
    size_t n;
    bool more;
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 5);
    assert_false(more);
    assert_int_equal(rows[0].id, ids[0]); /* last seen 40 days in */
    assert_int_equal(rows[1].id, ids[4]);
    assert_int_equal(rows[4].id, ids[1]);
    q.open = 1;
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 4);
    q.open = 0;
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_true(n == 1 && rows[0].id == ids[1] && !rows[0].open);
    q = (struct cluster_query){.open = -1, .limit = 10, .region = "710000000"};
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_true(n == 1 && rows[0].id == ids[2]);
    q = (struct cluster_query){.open = -1, .limit = 10, .topic = "roads", .region = "750000000"};
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_int_equal(n, 4);
    /* By agency: clusters holding an appeal of it. */
    q = (struct cluster_query){.open = -1, .limit = 10, .agency = housing};
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
    assert_true(n == 1 && rows[0].id == ids[0]);
    /* Pages of two with the cursor. */
    q = (struct cluster_query){.open = -1, .limit = 2};
    int64_t seen[5];
    size_t total = 0;
    for (;;) {
        assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_OK);
        for (size_t i = 0; i < n; i++)
            seen[total++] = rows[i].id;
        if (!more)
            break;
        q.has_cursor = true;
        q.cursor_last = rows[n - 1].last_seen;
        q.cursor_id = rows[n - 1].id;
    }
    assert_int_equal(total, 5);
    assert_true(seen[0] == ids[0] && seen[1] == ids[4] && seen[4] == ids[1]);
    q.limit = 0;
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_TOOBIG);
    q.limit = STORE_CLUSTER_PAGE_MAX + 1;
    assert_int_equal(store_cluster_list(f->s, f->a, &q, &rows, &n, &more), ERR_TOOBIG);

    /* History from day 20: the appeals filed since (ids[3], ids[4], LATE)
     * and the first appeal of an open cluster last seen since (ids[0]); not
     * the closed one nor the old open one last seen before. */
    struct cl_args h = {.op = 5, .since = t0 + 20 * 86400, .after = 0, .limit = 100};
    assert_int_equal(cl(f, &h), ERR_OK);
    assert_int_equal(h.hist_count, 4);
    assert_int_equal(h.hist[0].id, ids[0]);
    assert_int_equal(h.hist[1].id, ids[3]);
    assert_int_equal(h.hist[2].id, ids[4]);
    assert_int_equal(h.hist[3].id, late);
    assert_int_equal(h.hist[3].cluster_id, ids[0]);
    assert_true(h.hist[3].cluster_open);
    assert_true(h.hist[0].has_location && h.hist[0].lat > 43.2 && h.hist[0].lon < 76.9);
    assert_string_equal(h.hist[0].address, "ул. Абая, 5");
    assert_non_null(strstr(h.hist[0].text, "+7 701")); /* the original, for the index only */
    assert_string_equal(h.hist[0].topic, "roads");
    /* Paged by id. */
    h = (struct cl_args){.op = 5, .since = t0 + 20 * 86400, .after = ids[3], .limit = 1};
    assert_int_equal(cl(f, &h), ERR_OK);
    assert_true(h.hist_count == 1 && h.hist[0].id == ids[4]);
    h.limit = STORE_CLUSTER_PAGE_MAX + 1;
    assert_int_equal(cl(f, &h), ERR_TOOBIG);
}

int
main(void)
{
    const struct CMUnitTest sqlite_tests[] = {
        cmocka_unit_test_setup_teardown(cluster_grows_and_closes, setup_sqlite, teardown),
        cmocka_unit_test_setup_teardown(lists_and_history, setup_sqlite, teardown),
    };
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(cluster_grows_and_closes, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(lists_and_history, setup_pg, teardown),
    };
    int rc = cmocka_run_group_tests_name("sqlite", sqlite_tests, NULL, NULL);
    return rc + cmocka_run_group_tests_name("postgresql", pg_tests, NULL, NULL);
}
