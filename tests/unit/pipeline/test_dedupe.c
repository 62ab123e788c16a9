/*
 * test_dedupe.c - clusters of near-duplicate appeals: the same complaint in
 * other words at the same place, the same words in Kazakh Cyrillic and
 * Latin without a place, the same address written differently; strangers,
 * old appeals and closed clusters stay apart; counts and representatives;
 * the ring forgets; bad input; several threads at once; a lookup gathers at
 * most scored_max candidates and loses none below that, and skipping the
 * signatures that cannot matter changes no result.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pipeline/dedupe.h"
#include "text/lang.h"

#define T0 1767225600 /* 2026-01-01T00:00:00Z */
#define HOUR 3600
#define DAY 86400

/* Almaty: Abai Avenue and a point about 30 m from it, and Astana. */
#define ALA_LAT 43.2389
#define ALA_LON 76.8897
#define NEAR_LAT 43.2391
#define NEAR_LON 76.8899
#define AST_LAT 51.1605
#define AST_LON 71.4704

static struct lang_model *model;

static int
setup(void **state)
{
    (void)state;
    model = lang_model_new();
    return model == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
    (void)state;
    lang_model_free(model);
    return 0;
}

static struct dedupe *
make(size_t capacity)
{
    struct dedupe_opts o;
    dedupe_opts_default(&o);
    o.capacity = capacity;
    o.lang = model;
    struct dedupe *d = NULL;
    assert_int_equal(dedupe_new(&o, &d), ERR_OK);
    return d;
}

static struct dedupe_appeal
appeal(int64_t id, const char *text, double lat, double lon, const char *addr, int64_t t)
{
    return (struct dedupe_appeal){
        .id = id,
        .text = str_from_cstr(text),
        .has_place = lat != 0,
        .lat = lat,
        .lon = lon,
        .address = str_from_cstr(addr),
        .topic = STR("water"),
        .time = t,
    };
}

static int64_t
add(struct dedupe *d, struct dedupe_appeal ap, bool *joined)
{
    struct dedupe_result r;
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
    if (joined)
        *joined = r.joined;
    return r.cluster_id;
}

static void
same_place_other_words(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    bool joined;
    int64_t c1 =
        add(d, appeal(1, "Үйде үш күннен бері ыстық су жоқ", ALA_LAT, ALA_LON, "", T0), &joined);
    assert_int_equal(c1, 1);
    assert_false(joined);
    /* Russian, other words, 30 m away, two hours later */
    int64_t c2 = add(d,
                     appeal(2, "Третий день нет горячей воды, когда дадут?", NEAR_LAT, NEAR_LON, "",
                            T0 + 2 * HOUR),
                     &joined);
    assert_true(joined);
    assert_int_equal(c2, c1);
    /* the same words in Astana: another place, another cluster */
    int64_t c3 =
        add(d, appeal(3, "Үйде үш күннен бері ыстық су жоқ", AST_LAT, AST_LON, "", T0 + 3 * HOUR),
            &joined);
    assert_false(joined);
    assert_int_equal(c3, 3);
    struct dedupe_cluster c;
    assert_int_equal(dedupe_cluster_get(d, c1, &c), ERR_OK);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.first_time, T0);
    assert_int_equal(c.last_time, T0 + 2 * HOUR);
    assert_true(c.open);
    /* only a cluster's first appeal names it */
    assert_int_equal(dedupe_cluster_get(d, 2, &c), ERR_NOTFOUND);
    assert_int_equal(dedupe_cluster_get(d, 99, &c), ERR_NOTFOUND);
    dedupe_free(d);
}

static void
same_words_both_scripts_no_place(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    bool joined;
    add(d, appeal(10, "Абай даңғылындағы бағдаршам жұмыс істемейді, жол қауіпті", 0, 0, "", T0),
        &joined);
    add(d, appeal(11, "Балалар алаңындағы әткеншек сынған", 0, 0, "", T0 + 60), &joined);
    assert_false(joined);
    struct dedupe_result r;
    struct dedupe_appeal ap =
        appeal(12, "Abai dañğylyndağy bağdarşam jūmys ıstemeidı, jol qauıptı", 0, 0, "", T0 + DAY);
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
    assert_true(r.joined);
    assert_int_equal(r.cluster_id, 10);
    assert_true(r.candidate_count >= 1);
    assert_int_equal(r.top[0].id, 10);
    assert_true(r.top[0].text > 0.8);
    assert_true(r.top[0].metres < 0); /* no place on either side */
    assert_true(r.top[0].place == 0);
    dedupe_free(d);
}

static void
same_address_written_differently(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    bool joined;
    add(d, appeal(20, "Подъезд не убирают месяц", 0, 0, "г. Алматы, ул. Абая, 10", T0), NULL);
    int64_t c =
        add(d, appeal(21, "Kire berıste qoqys jatyr", 0, 0, "Г. АЛМАТЫ  ул Абая 10", T0 + 3 * HOUR),
            &joined);
    assert_true(joined);
    assert_int_equal(c, 20);
    /* another house number is another address */
    add(d, appeal(22, "Лифт не работает", 0, 0, "г. Алматы, ул. Абая, 12", T0 + 4 * HOUR), &joined);
    assert_false(joined);
    dedupe_free(d);
}

static void
strangers_and_old_appeals_stay_apart(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    bool joined;
    add(d, appeal(30, "Pothole on Main Street near the school", ALA_LAT, ALA_LON, "", T0), NULL);
    /* different words, far away, same day */
    add(d, appeal(31, "Noise from a bar all night", AST_LAT, AST_LON, "", T0 + HOUR), &joined);
    assert_false(joined);
    /* the same words at the same place, but past the horizon (90 days) */
    struct dedupe_result r;
    struct dedupe_appeal ap = appeal(32, "Pothole on Main Street near the school", ALA_LAT, ALA_LON,
                                     "", T0 + 120 * (int64_t)DAY);
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
    assert_false(r.joined);
    assert_int_equal(r.candidate_count, 0);
    dedupe_free(d);
}

static void
closed_cluster_takes_no_more(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    bool joined;
    const char *text = "Нет света во всём доме с утра";
    add(d, appeal(40, text, ALA_LAT, ALA_LON, "", T0), NULL);
    add(d, appeal(41, text, ALA_LAT, ALA_LON, "", T0 + 60), &joined);
    assert_true(joined);
    assert_int_equal(dedupe_cluster_close(d, 40), ERR_OK);
    struct dedupe_cluster c;
    assert_int_equal(dedupe_cluster_get(d, 40, &c), ERR_OK);
    assert_false(c.open);
    assert_int_equal(c.count, 2);
    int64_t id = add(d, appeal(42, text, ALA_LAT, ALA_LON, "", T0 + 120), &joined);
    assert_false(joined);
    assert_int_equal(id, 42);
    /* the next one joins the new, open cluster */
    assert_int_equal(add(d, appeal(43, text, ALA_LAT, ALA_LON, "", T0 + 180), &joined), 42);
    assert_true(joined);
    assert_int_equal(dedupe_cluster_close(d, 41), ERR_NOTFOUND);
    dedupe_free(d);
}

/* Refilled from the store: the clusters it says, not the ones scoring would make. */
static void
restore_keeps_the_stored_clusters(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    const char *text = "Нет света во всём доме с утра";
    struct dedupe_appeal a = appeal(60, text, ALA_LAT, ALA_LON, "", T0);
    assert_int_equal(dedupe_restore(d, &a, NULL, 60, false), ERR_OK); /* closed */
    a = appeal(61, text, ALA_LAT, ALA_LON, "", T0 + 60);
    assert_int_equal(dedupe_restore(d, &a, NULL, 60, true), ERR_OK); /* open ignored: joins */
    /* a stranger in Astana that the store put into its own open cluster */
    a = appeal(62, "Мусор не вывозят", AST_LAT, AST_LON, "", T0 + 120);
    assert_int_equal(dedupe_restore(d, &a, NULL, 62, true), ERR_OK);
    struct dedupe_cluster c;
    assert_int_equal(dedupe_cluster_get(d, 60, &c), ERR_OK);
    assert_false(c.open);
    assert_int_equal(c.count, 2);
    assert_int_equal(c.last_time, T0 + 60);
    /* refusals add nothing */
    a = appeal(63, text, ALA_LAT, ALA_LON, "", T0 + 180);
    assert_int_equal(dedupe_restore(d, &a, NULL, 9999, true), ERR_NOTFOUND); /* no cluster */
    assert_int_equal(dedupe_restore(d, &a, NULL, 61, true), ERR_NOTFOUND);   /* not a first */
    a = appeal(61, text, ALA_LAT, ALA_LON, "", T0 + 180);
    assert_int_equal(dedupe_restore(d, &a, NULL, 61, true), ERR_CONFLICT);
    a = appeal(64, text, 91, ALA_LON, "", T0 + 180);
    assert_int_equal(dedupe_restore(d, &a, NULL, 64, true), ERR_INVALID);
    assert_int_equal(dedupe_count(d), 3);
    /* the same text at the same place now starts a cluster: 60's is closed */
    bool joined;
    assert_int_equal(add(d, appeal(65, text, ALA_LAT, ALA_LON, "", T0 + 240), &joined), 65);
    assert_false(joined);
    /* and a new one near 62 joins the restored open cluster */
    assert_int_equal(
        add(d, appeal(66, "Мусор не вывозят неделю", AST_LAT, AST_LON, "", T0 + 300), &joined), 62);
    assert_true(joined);
    dedupe_free(d);
}

static void
representative_is_the_medoid(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    /* the first is the odd one out; the other three say much the same */
    add(d, appeal(50, "Вода", ALA_LAT, ALA_LON, "", T0), NULL);
    add(d,
        appeal(51, "Нет горячей воды в доме по улице Абая с понедельника", ALA_LAT, ALA_LON, "",
               T0 + 60),
        NULL);
    add(d,
        appeal(52, "Нет горячей воды в доме по улице Абая с понедельника, дети болеют", ALA_LAT,
               ALA_LON, "", T0 + 120),
        NULL);
    add(d,
        appeal(53, "Нет горячей воды в доме по улице Абая с понедельника!!", ALA_LAT, ALA_LON, "",
               T0 + 180),
        NULL);
    struct dedupe_cluster c;
    assert_int_equal(dedupe_cluster_get(d, 50, &c), ERR_OK);
    assert_int_equal(c.count, 4);
    assert_true(c.representative == 51 || c.representative == 53);
    dedupe_free(d);
}

static void
ring_forgets_oldest(void **state)
{
    (void)state;
    struct dedupe *d = make(3);
    char text[64];
    for (int i = 1; i <= 5; i++) {
        snprintf(text, sizeof(text), "appeal number %d about something else entirely %d", i, i);
        add(d, appeal(i, text, 0, 0, "", T0 + i), NULL);
    }
    assert_int_equal(dedupe_count(d), 3);
    struct dedupe_cluster c;
    assert_int_equal(dedupe_cluster_get(d, 1, &c), ERR_NOTFOUND);
    assert_int_equal(dedupe_cluster_get(d, 2, &c), ERR_NOTFOUND);
    assert_int_equal(dedupe_cluster_get(d, 5, &c), ERR_OK);
    /* a forgotten id may come again */
    struct dedupe_result r;
    struct dedupe_appeal ap = appeal(1, "again", 0, 0, "", T0 + 10);
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
    assert_true(dedupe_bytes(d) > 3 * sizeof(int64_t));
    dedupe_free(d);
}

static void
bad_input(void **state)
{
    (void)state;
    struct dedupe *d = make(10);
    struct dedupe_result r;
    struct dedupe_appeal ap = appeal(1, "ok", ALA_LAT, ALA_LON, "", T0);
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
    assert_int_equal(dedupe_add(d, &ap, &r), ERR_CONFLICT); /* the same id twice */
    struct dedupe_appeal bad = appeal(2, "bad \xc3\x28 utf8", 0, 0, "", T0);
    assert_int_equal(dedupe_add(d, &bad, &r), ERR_INVALID);
    bad = appeal(3, "ok", 91, 0, "", T0);
    assert_int_equal(dedupe_add(d, &bad, &r), ERR_INVALID);
    bad = appeal(4, "ok", 45, -181, "", T0);
    assert_int_equal(dedupe_add(d, &bad, &r), ERR_INVALID);
    bad = appeal(5, "ok", 0, 0, "addr \xff", T0);
    assert_int_equal(dedupe_add(d, &bad, &r), ERR_INVALID);
    assert_int_equal(dedupe_count(d), 1); /* nothing added on error */
    struct dedupe_candidate out[4];
    size_t n = 99;
    assert_int_equal(dedupe_candidates(d, &bad, out, 4, &n), ERR_INVALID);
    ap.id = 6;
    assert_int_equal(dedupe_candidates(d, &ap, out, 4, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].id, 1);
    assert_int_equal(dedupe_count(d), 1); /* candidates adds nothing */
    dedupe_free(d);

    struct dedupe_opts o;
    dedupe_opts_default(&o);
    o.w_text = 0.9; /* weights no longer sum to 1 */
    assert_int_equal(dedupe_new(&o, &d), ERR_INVALID);
    dedupe_opts_default(&o);
    o.threshold = 1.5;
    assert_int_equal(dedupe_new(&o, &d), ERR_INVALID);
    dedupe_opts_default(&o);
    o.capacity = 0;
    assert_int_equal(dedupe_new(&o, &d), ERR_TOOBIG);
    dedupe_free(NULL);
}

static struct dedupe *
make_capped(size_t scored_max)
{
    struct dedupe_opts o;
    dedupe_opts_default(&o);
    o.capacity = 100;
    o.scored_max = scored_max;
    o.lang = model;
    struct dedupe *d = NULL;
    assert_int_equal(dedupe_new(&o, &d), ERR_OK);
    return d;
}

static void
scored_max_is_honoured(void **state)
{
    (void)state;
    struct dedupe *d = make_capped(8);
    struct dedupe_result r;
    for (int i = 1; i <= 50; i++) {
        struct dedupe_appeal ap =
            appeal(i, "burst pipe floods the yard", ALA_LAT, ALA_LON, "Abai 10", T0 + i);
        assert_int_equal(dedupe_add(d, &ap, &r), ERR_OK);
        assert_true(r.candidate_count <= 8);
    }
    struct dedupe_appeal q =
        appeal(51, "burst pipe floods the yard", ALA_LAT, ALA_LON, "Abai 10", T0 + HOUR);
    struct dedupe_candidate out[DEDUPE_TOP_MAX];
    struct dedupe_probe pr;
    size_t n = 0;
    assert_int_equal(dedupe_candidates_probe(d, &q, NULL, out, DEDUPE_TOP_MAX, &n, &pr), ERR_OK);
    assert_int_equal(pr.gathered, 8);
    assert_int_equal(n, 8);
    assert_true(pr.compared <= pr.gathered);
    /* 32 bands of 16 entries, one address chain and 9 grid cells of 64 */
    assert_true(pr.walked <= 32 * 16 + 64 + 9 * 64);
    assert_true(pr.walked >= 8);
    dedupe_free(d);

    struct dedupe_opts o;
    dedupe_opts_default(&o);
    o.scored_max = 0;
    assert_int_equal(dedupe_new(&o, &d), ERR_INVALID);
    o.scored_max = DEDUPE_SCORED_MAX + 1;
    assert_int_equal(dedupe_new(&o, &d), ERR_INVALID);
}

static void
no_candidate_lost_below_the_cap(void **state)
{
    (void)state;
    struct dedupe *d = make_capped(8);
    for (int i = 1; i <= 7; i++)
        (void)add(d, appeal(i, "burst pipe floods the yard", ALA_LAT, ALA_LON, "", T0 + i), NULL);
    struct dedupe_appeal q =
        appeal(8, "burst pipe floods the yard", ALA_LAT, ALA_LON, "", T0 + HOUR);
    struct dedupe_candidate out[DEDUPE_TOP_MAX];
    struct dedupe_probe pr;
    size_t n = 0;
    assert_int_equal(dedupe_candidates_probe(d, &q, NULL, out, DEDUPE_TOP_MAX, &n, &pr), ERR_OK);
    assert_int_equal(pr.gathered, 7);
    assert_int_equal(n, 7);
    bool seen[8] = {false};
    for (size_t i = 0; i < n; i++) {
        assert_true(out[i].id >= 1 && out[i].id <= 7);
        seen[out[i].id] = true;
    }
    for (int i = 1; i <= 7; i++)
        assert_true(seen[i]);
    dedupe_free(d);
}

/* A signature that agrees with sig_of(0, 0) in its first `shared` slots. */
static struct minhash_sig
sig_of(int who, size_t shared)
{
    struct minhash_sig sig = {.empty = false};
    for (size_t i = 0; i < MINHASH_K; i++)
        sig.v[i] = (uint16_t)(i < shared ? i + 1 : 1000 + (size_t)who * MINHASH_K + i);
    return sig;
}

/* Fewer results let more signatures be skipped, but the best few are the
 * same, with the same scores, as when every candidate is compared. The
 * newest text candidates sit on the query's place with little text in
 * common and are looked at first; the older ones, a few metres off, have
 * more: a lookup that skipped them on a wrong bound would miss the best.
 * Three strangers 80 m off come last and cannot matter. */
static void
skipping_changes_no_result(void **state)
{
    (void)state;
    struct dedupe *d = make(100);
    struct dedupe_result r;
    for (int i = 1; i <= 15; i++) {
        bool text = i <= 12;
        struct minhash_sig sig = sig_of(i, text ? (size_t)(4 + 10 * (12 - i)) : 0);
        double lat = ALA_LAT + 0.000009 * (text ? 12 - i : 80); /* 0.000009: 1 m */
        struct dedupe_appeal ap = appeal(i, "", lat, ALA_LON, "", T0 + i * HOUR);
        assert_int_equal(dedupe_add_signed(d, &ap, &sig, &r), ERR_OK);
    }
    struct minhash_sig qs = sig_of(0, MINHASH_K);
    struct dedupe_appeal q = appeal(99, "", ALA_LAT, ALA_LON, "", T0 + DAY);
    struct dedupe_candidate all[DEDUPE_TOP_MAX], few[DEDUPE_TOP_MAX];
    struct dedupe_probe pr_all, pr_few;
    size_t n_all = 0, n_few = 0;
    assert_int_equal(dedupe_candidates_probe(d, &q, &qs, all, DEDUPE_TOP_MAX, &n_all, &pr_all),
                     ERR_OK);
    assert_int_equal(n_all, 15); /* top never full: every signature compared */
    assert_int_equal(pr_all.compared, 15);
    assert_true(all[0].id != 12); /* the best is not the first looked at */
    for (size_t max = 1; max <= 5; max++) {
        assert_int_equal(dedupe_candidates_probe(d, &q, &qs, few, max, &n_few, &pr_few), ERR_OK);
        assert_int_equal(n_few, max);
        for (size_t i = 0; i < max; i++) {
            assert_int_equal(few[i].id, all[i].id);
            assert_true(few[i].score == all[i].score);
            assert_int_equal(few[i].cluster_id, all[i].cluster_id);
        }
    }
    /* with one result wanted, some signatures were not read at all */
    assert_int_equal(dedupe_candidates_probe(d, &q, &qs, few, 1, &n_few, &pr_few), ERR_OK);
    assert_true(pr_few.compared < pr_all.compared);
    dedupe_free(d);
}

struct worker {
    struct dedupe *d;
    int first;
};

static void *
work(void *arg)
{
    struct worker *w = arg;
    char text[96];
    for (int i = 0; i < 200; i++) {
        int id = w->first + i;
        snprintf(text, sizeof(text), "Жарық жоқ, үй %d, кезек %d", id % 50, id);
        struct dedupe_appeal ap =
            appeal(id, text, ALA_LAT + (id % 50) * 0.01, ALA_LON, "", T0 + id);
        struct dedupe_result r;
        if (dedupe_add(w->d, &ap, &r) != ERR_OK)
            return (void *)1;
        struct dedupe_candidate c[3];
        size_t n;
        if (dedupe_candidates(w->d, &ap, c, 3, &n) != ERR_OK)
            return (void *)1;
    }
    return NULL;
}

static void
threads(void **state)
{
    (void)state;
    struct dedupe *d = make(10000);
    pthread_t t[4];
    struct worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){d, 1 + i * 1000};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *rc;
        assert_int_equal(pthread_join(t[i], &rc), 0);
        assert_null(rc);
    }
    assert_int_equal(dedupe_count(d), 800);
    /* every appeal is in exactly one cluster: the counts add up */
    size_t total = 0;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 200; k++) {
            struct dedupe_cluster c;
            if (dedupe_cluster_get(d, w[i].first + k, &c) == ERR_OK)
                total += c.count;
        }
    assert_int_equal(total, 800);
    dedupe_free(d);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_place_other_words),
        cmocka_unit_test(same_words_both_scripts_no_place),
        cmocka_unit_test(same_address_written_differently),
        cmocka_unit_test(strangers_and_old_appeals_stay_apart),
        cmocka_unit_test(closed_cluster_takes_no_more),
        cmocka_unit_test(restore_keeps_the_stored_clusters),
        cmocka_unit_test(representative_is_the_medoid),
        cmocka_unit_test(ring_forgets_oldest),
        cmocka_unit_test(bad_input),
        cmocka_unit_test(threads),
        cmocka_unit_test(scored_max_is_honoured),
        cmocka_unit_test(no_candidate_lost_below_the_cap),
        cmocka_unit_test(skipping_changes_no_result),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
