/*
 * test_train.c - training with cross-validation: on the seed corpus the
 * folds score high, the model routes hand-written texts that are not in the
 * templates (kk Cyrillic and Latin, ru, en), the metrics JSON, and bad
 * options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "pipeline/router.h"
#include "pipeline/seed.h"
#include "pipeline/train.h"

static const struct {
    const char *text, *topic;
} unseen[] = {
    {"Біздің көшеде асфальт түгел бұзылды, көлікпен жүру мүмкін емес", "roads"},
    {"Bizdıñ köşede asfalt tügel būzyldy, jol jöndeuı kerek", "roads"},
    {"Во дворе уже неделю нет горячей воды", "water"},
    {"Our radiators are cold again and there is no hot water", "water"},
    {"Иттер үйірімен жүріп, балаларды қорқытады", "stray-animals"},
    {"Врач в поликлинике отказался принять ребёнка без записи", "health"},
    {"The official asked me for a bribe to speed up the paperwork", "corruption"},
    {"Zeinetaqy eki ai boiy tölenbei jatyr", "social"},
};

static void
train_seed_routes_unseen_texts(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *rt = router_new(NULL);
    struct seed_row *rows;
    size_t n;
    assert_int_equal(seed_corpus(a, 1, 30, &rows, &n), ERR_OK);
    struct train_example *ex = ARENA_ARRAY(a, struct train_example, n);
    for (size_t i = 0; i < n; i++)
        ex[i] = (struct train_example){rows[i].text, rows[i].topic};
    struct classifier *m;
    struct train_metrics mt;
    clock_t t0 = clock();
    assert_int_equal(
        train_classifier(rt, ex, n, &(struct train_opts){.folds = 5, .seed = 1}, &m, &mt), ERR_OK);
    printf("seed: %zu texts, 5-fold accuracy %.3f macro-F1 %.3f, %.2f s CPU\n", n, mt.accuracy,
           mt.macro_f1, (double)(clock() - t0) / CLOCKS_PER_SEC);
    assert_int_equal(mt.n, n);
    assert_int_equal(mt.classes, seed_topic_count());
    assert_int_equal(mt.folds, 5);
    assert_true(mt.accuracy > 0.9 && mt.accuracy <= 1);
    assert_true(mt.macro_f1 > 0.9 && mt.macro_f1 <= 1);
    assert_int_equal(classify_label_count(m), seed_topic_count());
    router_swap_model(rt, router_model_new(m, NULL, 1));
    size_t right = 0;
    for (size_t i = 0; i < ARRAY_LEN(unseen); i++) {
        struct router_result r;
        assert_int_equal(router_classify(rt, a, str_from_cstr(unseen[i].text), NULL, &r), ERR_OK);
        if (r.topic && strcmp(r.topic, unseen[i].topic) == 0)
            right++;
        if (getenv("TRAIN_VERBOSE") || !r.topic || strcmp(r.topic, unseen[i].topic) != 0)
            printf("  %s: got %s (%.2f)\n", unseen[i].topic, r.topic, r.topic_confidence);
    }
    assert_true(right >= ARRAY_LEN(unseen) - 1);

    struct buf b = BUF_INIT(1024);
    train_metrics_json(&mt, &b);
    buf_putc(&b, '\0');
    assert_false(buf_failed(&b));
    assert_non_null(strstr(b.p, "\"folds\":5"));
    assert_non_null(strstr(b.p, "\"classes\":20"));
    assert_non_null(strstr(b.p, "\"macro_f1\":0."));
    assert_true(mt.features > 0);
    char want[64];
    snprintf(want, sizeof(want), "\"features\":%zu,", mt.features);
    assert_non_null(strstr(b.p, want));
    buf_fini(&b);
    router_free(rt);
    arena_free(a);
}

static void
train_rejects_bad_input(void **state)
{
    (void)state;
    struct router *rt = router_new(NULL);
    struct classifier *m = (struct classifier *)&m; /* must be reset to NULL */
    struct train_metrics mt;
    const struct train_example one[] = {{STR("яма на дороге"), "roads"},
                                        {STR("нет горячей воды"), "roads"}};
    const struct train_example two[] = {{STR("яма на дороге"), "roads"},
                                        {STR("нет горячей воды"), "water"},
                                        {STR("нет холодной воды"), ""}};
    assert_int_equal(train_classifier(rt, one, 2, &(struct train_opts){0}, &m, &mt), ERR_INVALID);
    assert_null(m);
    assert_int_equal(train_classifier(rt, two, 3, &(struct train_opts){0}, &m, &mt), ERR_INVALID);
    assert_int_equal(train_classifier(rt, two, 2, &(struct train_opts){.folds = 1}, &m, &mt),
                     ERR_INVALID);
    assert_int_equal(train_classifier(rt, two, 2, &(struct train_opts){.folds = 3}, &m, &mt),
                     ERR_INVALID);
    assert_int_equal(
        train_classifier(rt, two, 2, &(struct train_opts){.folds = TRAIN_FOLDS_MAX + 1}, &m, &mt),
        ERR_INVALID);
    assert_int_equal(train_classifier(rt, two, 2, &(struct train_opts){0}, &m, &mt), ERR_OK);
    assert_int_equal(mt.folds, 0);
    assert_int_equal(classify_label_count(m), 2);
    classify_free(m);
    router_free(rt);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(train_seed_routes_unseen_texts),
        cmocka_unit_test(train_rejects_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
