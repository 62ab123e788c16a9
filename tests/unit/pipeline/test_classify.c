/*
 * test_classify.c - the linear classifier on generated sparse data: it
 * learns separable classes (more features per text than one prediction
 * block, a class count that is not a multiple of eight), its probabilities,
 * unknown features, the save/load round trip, and bytes and inputs it must
 * refuse.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/util.h"
#include "pipeline/classify.h"

enum { CLASSES = 11, PER_CLASS = 12, FEATS = 60 };

static const char *const names[CLASSES] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"};

static uint32_t
rnd(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Sample i of class c: half its features are the class's own ids
 * (1000 * (c + 1) + 0..29), half noise shared by all classes. */
static void
sample(size_t c, uint32_t *seed, struct feature *f)
{
    for (size_t j = 0; j < FEATS; j++) {
        uint32_t id = j % 2 == 0 ? (uint32_t)(1000 * (c + 1) + rnd(seed) % 30)
                                 : (uint32_t)(50000 + rnd(seed) % 400);
        f[j] = (struct feature){id, 0.1f};
    }
    /* Distinct ids, as the extractor gives them. */
    for (size_t j = 0; j < FEATS; j++)
        for (size_t k = 0; k < j; k++)
            if (f[k].id == f[j].id)
                f[j].id = 100000 + (uint32_t)j * 7919 + (uint32_t)c;
}

static struct feature data[CLASSES * PER_CLASS][FEATS];

static struct classifier *
trained(void)
{
    struct classify_sample s[CLASSES * PER_CLASS];
    uint32_t seed = 7;
    for (size_t i = 0; i < ARRAY_LEN(s); i++) {
        sample(i % CLASSES, &seed, data[i]);
        s[i] = (struct classify_sample){data[i], FEATS, i % CLASSES};
    }
    struct classifier *m = NULL;
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, CLASSES, NULL, &m), ERR_OK);
    return m;
}

static void
learns_separable_classes(void **state)
{
    (void)state;
    struct classifier *m = trained();
    assert_int_equal(classify_label_count(m), CLASSES);
    uint32_t seed = 12345;
    size_t right = 0, total = 0;
    double prob[CLASSES];
    for (size_t c = 0; c < CLASSES; c++)
        for (int r = 0; r < 5; r++) {
            struct feature f[FEATS];
            sample(c, &seed, f);
            size_t best = classify_predict(m, f, FEATS, prob);
            right += strcmp(classify_label(m, best), names[c]) == 0;
            total++;
            double sum = 0;
            for (size_t k = 0; k < CLASSES; k++) {
                assert_true(prob[k] >= 0 && prob[k] <= 1);
                assert_true(prob[k] <= prob[best]);
                sum += prob[k];
            }
            assert_float_equal(sum, 1.0, 1e-9);
            /* Without prob the same class comes back. */
            assert_int_equal(classify_predict(m, f, FEATS, NULL), best);
        }
    assert_int_equal(right, total);
    classify_free(m);
}

static void
unknown_features_count_zero(void **state)
{
    (void)state;
    struct classifier *m = trained();
    double none[CLASSES], unknown[CLASSES];
    size_t a = classify_predict(m, NULL, 0, none);
    struct feature f[] = {{999999, 1.0f}, {888888, 0.5f}};
    size_t b = classify_predict(m, f, ARRAY_LEN(f), unknown);
    assert_int_equal(a, b);
    for (size_t k = 0; k < CLASSES; k++)
        assert_float_equal(none[k], unknown[k], 0);
    classify_free(m);
}

static void
round_trips_as_bytes(void **state)
{
    (void)state;
    struct classifier *m = trained();
    struct buf b = BUF_INIT(1 << 24);
    classify_save(m, &b);
    assert_false(buf_failed(&b));
    struct classifier *copy = NULL;
    size_t used = 0;
    assert_int_equal(classify_load(b.p, b.len, &used, &copy), ERR_OK);
    assert_int_equal(used, b.len);
    assert_int_equal(classify_feature_count(copy), classify_feature_count(m));
    for (size_t i = 0; i < CLASSES * PER_CLASS; i++) {
        double p1[CLASSES], p2[CLASSES];
        assert_int_equal(classify_predict(m, data[i], FEATS, p1),
                         classify_predict(copy, data[i], FEATS, p2));
        for (size_t k = 0; k < CLASSES; k++)
            assert_float_equal(p1[k], p2[k], 0);
    }
    /* Saved again, the bytes are the same. */
    struct buf b2 = BUF_INIT(1 << 24);
    classify_save(copy, &b2);
    assert_int_equal(b2.len, b.len);
    assert_memory_equal(b2.p, b.p, b.len);
    buf_fini(&b2);
    classify_free(copy);

    /* Every truncation is refused, and so are a wrong magic and version. */
    for (size_t len = 0; len < b.len; len += 1 + len / 8) {
        copy = NULL;
        assert_int_equal(classify_load(b.p, len, &used, &copy), ERR_INVALID);
        assert_null(copy);
    }
    char *p = (char *)b.p;
    assert_int_equal(classify_bytes_version(b.p, b.len), CLASSIFY_VERSION);
    p[0] = 'X';
    assert_int_equal(classify_load(b.p, b.len, &used, &copy), ERR_INVALID);
    assert_int_equal(classify_bytes_version(b.p, b.len), 0);
    p[0] = 'T';
    /* Another version, older or newer, is refused but named. */
    p[4] = CLASSIFY_VERSION - 1;
    assert_int_equal(classify_load(b.p, b.len, &used, &copy), ERR_INVALID);
    assert_null(copy);
    assert_int_equal(classify_bytes_version(b.p, b.len), CLASSIFY_VERSION - 1);
    p[4] = 9;
    assert_int_equal(classify_load(b.p, b.len, &used, &copy), ERR_INVALID);
    assert_int_equal(classify_bytes_version(b.p, b.len), 9);
    assert_int_equal(classify_bytes_version(b.p, 7), 0);
    buf_fini(&b);
    classify_free(m);
}

/* Features in fewer examples than min_count are left out, and by default
 * only from CLASSIFY_PRUNE_FROM examples on: with 132 examples every
 * feature is kept; with min_count 2 the ones in a single example go; on
 * CLASSIFY_PRUNE_FROM examples the default drops them too. */
static void
rare_features_are_left_out(void **state)
{
    (void)state;
    struct classify_sample s[CLASSES * PER_CLASS];
    uint32_t seed = 7;
    for (size_t i = 0; i < ARRAY_LEN(s); i++) {
        sample(i % CLASSES, &seed, data[i]);
        s[i] = (struct classify_sample){data[i], FEATS, i % CLASSES};
    }
    /* one id of its own in each of the first five examples */
    for (size_t i = 0; i < 5; i++)
        data[i][0].id = 900000 + (uint32_t)i;
    struct classifier *all = NULL, *pruned = NULL;
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, CLASSES, NULL, &all), ERR_OK);
    struct classify_opts o = {.min_count = 2};
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, CLASSES, &o, &pruned), ERR_OK);
    assert_true(classify_feature_count(pruned) + 5 <= classify_feature_count(all));
    /* the unique ids weigh in the full model and not in the pruned one */
    struct feature own = {900000, 1.0f};
    double p_all[CLASSES], p_pruned[CLASSES], p_none[CLASSES];
    (void)classify_predict(all, &own, 1, p_all);
    (void)classify_predict(pruned, &own, 1, p_pruned);
    (void)classify_predict(pruned, NULL, 0, p_none);
    assert_true(p_all[0] > p_none[0]);
    for (size_t c = 0; c < CLASSES; c++)
        assert_float_equal(p_pruned[c], p_none[c], 1e-12);
    classify_free(all);
    classify_free(pruned);

    /* CLASSIFY_PRUNE_FROM examples (the same ones again and again, ids
     * in one copy only made unique): the default prunes */
    size_t n = CLASSIFY_PRUNE_FROM;
    struct classify_sample *big = calloc(n, sizeof(*big));
    struct feature *one = calloc(n, sizeof(*one));
    assert_non_null(big);
    assert_non_null(one);
    for (size_t i = 0; i < n; i++) {
        one[i] = (struct feature){800000 + (uint32_t)i, 1.0f};
        big[i] = i % 2 ? s[i % ARRAY_LEN(s)] : (struct classify_sample){&one[i], 1, i % CLASSES};
    }
    struct classifier *dflt = NULL;
    o.min_count = 1;
    assert_int_equal(classify_train(big, n, names, CLASSES, NULL, &dflt), ERR_OK);
    assert_int_equal(classify_train(big, n, names, CLASSES, &o, &all), ERR_OK);
    assert_int_equal(classify_feature_count(all), classify_feature_count(dflt) + n / 2);
    classify_free(dflt);
    classify_free(all);
    free(big);
    free(one);
}

static void
training_refuses_bad_input(void **state)
{
    (void)state;
    struct feature f[] = {{1, 1.0f}};
    struct classify_sample one[] = {{f, 1, 0}, {f, 1, 0}};
    struct classifier *m = NULL;
    assert_int_equal(classify_train(one, 2, names, 2, NULL, &m), ERR_INVALID); /* one class */
    struct classify_sample out_of_range[] = {{f, 1, 0}, {f, 1, 5}};
    assert_int_equal(classify_train(out_of_range, 2, names, 2, NULL, &m), ERR_INVALID);
    const char *empty[] = {"a", ""};
    struct classify_sample two[] = {{f, 1, 0}, {f, 1, 1}};
    assert_int_equal(classify_train(two, 2, empty, 2, NULL, &m), ERR_INVALID);
    assert_int_equal(classify_train(two, 2, names, CLASSIFY_LABELS_MAX + 1, NULL, &m), ERR_TOOBIG);
    assert_null(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(learns_separable_classes),   cmocka_unit_test(unknown_features_count_zero),
        cmocka_unit_test(round_trips_as_bytes),       cmocka_unit_test(rare_features_are_left_out),
        cmocka_unit_test(training_refuses_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
