/*
 * test_router.c - the router on a tiny generated set in kk (Cyrillic and
 * Latin), ru and en: train, predict, the threshold, a keyword rule that
 * overrides the model, the routing table, a save/load round trip, and a
 * swapped model used at once by the router's cached word rows.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/util.h"
#include "pipeline/classify.h"
#include "pipeline/router.h"
#include "text/normalise.h"

static const struct {
    const char *text, *topic;
} train_set[] = {
    {"Жолда үлкен шұңқыр бар, асфальт бұзылған", "roads"},
    {"Joldа ülken şūñqyr bar, asfalt būzylğan", "roads"},
    {"На дороге огромная яма, асфальт разрушен", "roads"},
    {"There is a huge pothole on the road, the asphalt is broken", "roads"},
    {"Көшедегі жолды жөндеу керек, шұңқырлар көп", "roads"},
    {"Отремонтируйте дорогу на нашей улице, сплошные ямы", "roads"},
    {"Please repair the road on our street, potholes everywhere", "roads"},
    {"Үйде ыстық су жоқ, жылу берілмейді", "water"},
    {"Üide ystyq su joq, jylu berilmeidi", "water"},
    {"В доме нет горячей воды, отопление не работает", "water"},
    {"There is no hot water in the building and the heating is off", "water"},
    {"Су құбыры жарылды, суық су ағып жатыр", "water"},
    {"Прорвало трубу водопровода, течёт холодная вода", "water"},
    {"A water pipe burst and cold water is leaking", "water"},
};

static struct router_model *
trained(struct router *r, struct arena *a)
{
    const char *names[] = {"roads", "water"};
    struct classify_sample s[ARRAY_LEN(train_set)];
    for (size_t i = 0; i < ARRAY_LEN(train_set); i++) {
        struct feature *f;
        size_t n;
        assert_int_equal(router_features(r, a, str_from_cstr(train_set[i].text), &f, &n, NULL),
                         ERR_OK);
        assert_true(n > 0);
        s[i] = (struct classify_sample){f, n, strcmp(train_set[i].topic, "water") == 0};
    }
    struct classifier *m;
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, 2, NULL, &m), ERR_OK);
    return router_model_new(m, NULL, 7);
}

static const struct router_route routes[] = {
    {"roads", NULL, "min-transport"},
    {"roads", "almaty", "almaty-city.roads"},
    {"water", NULL, "min-industry"},
};

static void
predicts_unseen_texts_in_three_languages(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    router_swap_model(r, trained(r, a));
    assert_int_equal(router_set_rules(r, NULL, 0, routes, ARRAY_LEN(routes)), ERR_OK);
    static const struct {
        const char *text, *topic;
    } cases[] = {
        {"Жолдағы шұңқырлар әлі жөнделмеді", "roads"},
        {"joldağy şūñqyrlar äli jöndelmedi", "roads"},
        {"Яма на дороге так и не отремонтирована", "roads"},
        {"The pothole on the road is still not repaired", "roads"},
        {"Ыстық су үш күн бойы жоқ", "water"},
        {"Горячей воды нет уже три дня", "water"},
        {"No hot water for three days", "water"},
        {"Горячей су жоқ, жылу жоқ", "water"}, /* mixed Russian and Kazakh */
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct router_result res;
        assert_int_equal(router_classify(r, a, str_from_cstr(cases[i].text), NULL, &res), ERR_OK);
        if (strcmp(res.topic, cases[i].topic) != 0)
            fail_msg("\"%s\": %s, want %s", cases[i].text, res.topic, cases[i].topic);
        assert_int_equal(res.model_version, 7);
    }
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("Яма на дороге"), "almaty", &res), ERR_OK);
    assert_string_equal(res.agency, "almaty-city.roads");
    assert_int_equal(router_classify(r, a, STR("Яма на дороге"), "astana", &res), ERR_OK);
    assert_string_equal(res.agency, "min-transport");
    assert_string_equal(res.lang, "ru");
    router_free(r);
    arena_free(a);
}

static void
threshold_sends_to_triage(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router_opts strict = {.threshold = 0.999};
    struct router *r = router_new(&strict);
    router_swap_model(r, trained(r, a));
    assert_int_equal(router_set_rules(r, NULL, 0, routes, ARRAY_LEN(routes)), ERR_OK);
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("Жолда шұңқыр"), NULL, &res), ERR_OK);
    assert_true(res.topic_confidence < 0.999);
    assert_true(res.triage);
    assert_int_equal(res.why, ROUTER_WHY_LOW);
    router_free(r);
    r = router_new(NULL);
    assert_int_equal(router_classify(r, a, STR("Жолда шұңқыр"), NULL, &res), ERR_OK);
    assert_true(res.triage);
    assert_int_equal(res.why, ROUTER_WHY_NOMODEL);
    assert_null(res.topic);
    router_free(r);
    arena_free(a);
}

/* The result hands on the text's tokens and language guess, so that the
 * intake signs the text for near-duplicates without splitting it again. */
static void
result_has_tokens(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("Жолда үлкен шұңқыр, 3 күн"), NULL, &res), ERR_OK);
    assert_int_equal(res.token_count, 5);
    assert_string_equal(res.lang, "kk");
    assert_int_equal(res.guess.lang, lang_from_code(STR("kk")));
    struct token *t;
    size_t n;
    assert_int_equal(token_split(a, STR("Жолда үлкен шұңқыр, 3 күн"), &t, &n), ERR_OK);
    assert_int_equal(n, res.token_count);
    for (size_t i = 0; i < n; i++)
        assert_true(str_eq(t[i].norm, res.tokens[i].norm));
    assert_int_equal(router_classify(r, a, STR(" ... "), NULL, &res), ERR_OK);
    assert_int_equal(res.token_count, 0);
    router_free(r);
    arena_free(a);
}

static void
keyword_rule_overrides_the_model(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    router_swap_model(r, trained(r, a));
    const struct router_rule rules[] = {
        {"авария", "almaty", "water", "almaty-city.emergency"},
        {"Qar tazalau", NULL, "roads", NULL}, /* Latin keyword, Cyrillic text */
    };
    assert_int_equal(router_set_rules(r, rules, ARRAY_LEN(rules), routes, ARRAY_LEN(routes)),
                     ERR_OK);
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("Авария на дороге, огромная яма"), "almaty", &res),
                     ERR_OK);
    assert_string_equal(res.topic, "water");
    assert_string_equal(res.agency, "almaty-city.emergency");
    assert_int_equal(res.why, ROUTER_WHY_KEYWORD);
    assert_false(res.triage);
    /* Another region: the rule does not apply, the model does. */
    assert_int_equal(router_classify(r, a, STR("Авария на дороге, огромная яма"), "astana", &res),
                     ERR_OK);
    assert_string_equal(res.topic, "roads");
    assert_int_equal(res.why, ROUTER_WHY_MODEL);
    /* Ending- and script-insensitive: "тазалауды" begins with the fold of "tazalau". */
    assert_int_equal(router_classify(r, a, STR("Ыстық су жоқ, қар тазалауды сұраймыз"), NULL, &res),
                     ERR_OK);
    assert_string_equal(res.topic, "roads");
    assert_string_equal(res.agency, "min-transport");
    const struct router_rule bad[] = {{"", NULL, "roads", NULL}};
    assert_int_equal(router_set_rules(r, bad, 1, NULL, 0), ERR_INVALID);
    const struct router_rule no_topic[] = {{"яма", NULL, NULL, NULL}};
    assert_int_equal(router_set_rules(r, no_topic, 1, NULL, 0), ERR_INVALID);
    router_free(r);
    arena_free(a);
}

static void
model_round_trips_as_bytes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    struct router_model *m = trained(r, a);
    struct buf b = BUF_INIT((size_t)1 << 26);
    router_model_save(m, &b);
    assert_false(buf_failed(&b));
    struct router_model *back;
    assert_int_equal(router_model_load(b.p, b.len, 8, &back), ERR_OK);
    assert_int_equal(router_model_version(back), 8);
    struct feature *f;
    size_t n;
    assert_int_equal(router_features(r, a, STR("Ыстық су жоқ"), &f, &n, NULL), ERR_OK);
    double p1[2], p2[2];
    size_t b1 = classify_predict(router_model_topic(m), f, n, p1);
    size_t b2 = classify_predict(router_model_topic(back), f, n, p2);
    assert_int_equal(b1, b2);
    assert_true(p1[0] == p2[0] && p1[1] == p2[1]);
    assert_string_equal(classify_label(router_model_topic(back), b2), "water");
    /* Truncated, trailing bytes, wrong magic. */
    struct router_model *bad = NULL;
    assert_int_equal(router_model_load(b.p, b.len - 1, 1, &bad), ERR_INVALID);
    assert_int_equal(router_model_load(b.p, 20, 1, &bad), ERR_INVALID);
    buf_putc(&b, 0);
    assert_int_equal(router_model_load(b.p, b.len, 1, &bad), ERR_INVALID);
    b.p[0] = 'X';
    assert_int_equal(router_model_load(b.p, b.len - 1, 1, &bad), ERR_INVALID);
    assert_null(bad);
    buf_fini(&b);
    /* Swap while holding a reference: the old model lives until unref. */
    router_swap_model(r, m);
    router_model_ref(m);
    router_swap_model(r, back);
    assert_int_equal(router_model_version(m), 7);
    router_model_unref(m);
    router_free(r);
    arena_free(a);
}

static void
training_rejects_bad_input(void **state)
{
    (void)state;
    struct feature f = {42, 1};
    const char *names[] = {"a", "b"};
    struct classify_sample one[] = {{&f, 1, 0}, {&f, 1, 0}};
    struct classifier *m = NULL;
    assert_int_equal(classify_train(one, 2, names, 2, NULL, &m), ERR_INVALID);
    struct classify_sample out_of_range[] = {{&f, 1, 0}, {&f, 1, 2}};
    assert_int_equal(classify_train(out_of_range, 2, names, 2, NULL, &m), ERR_INVALID);
    const char *empty[] = {"a", ""};
    struct classify_sample two[] = {{&f, 1, 0}, {&f, 1, 1}};
    assert_int_equal(classify_train(two, 2, empty, 2, NULL, &m), ERR_INVALID);
    assert_null(m);
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("\xC0\x80"), NULL, &res), ERR_INVALID);
    router_free(r);
    arena_free(a);
}

/* A model of the train set with its labels swapped when flip. */
static struct router_model *
trained_as(struct router *r, struct arena *a, bool flip, int64_t version)
{
    const char *names[] = {"roads", "water"};
    struct classify_sample s[ARRAY_LEN(train_set)];
    for (size_t i = 0; i < ARRAY_LEN(train_set); i++) {
        struct feature *f;
        size_t n;
        assert_int_equal(router_features(r, a, str_from_cstr(train_set[i].text), &f, &n, NULL),
                         ERR_OK);
        s[i] = (struct classify_sample){f, n, (strcmp(train_set[i].topic, "water") == 0) != flip};
    }
    struct classifier *m;
    assert_int_equal(classify_train(s, ARRAY_LEN(s), names, 2, NULL, &m), ERR_OK);
    return router_model_new(m, NULL, version);
}

/* What router_classify() says of text: the topic and its probability, and
 * the same from the full feature vector of the model in use. */
static void
check_against_full_vector(struct router *r, struct arena *a, const struct router_model *m,
                          const char *text, const char *want)
{
    struct router_result res;
    assert_int_equal(router_classify(r, a, str_from_cstr(text), NULL, &res), ERR_OK);
    assert_string_equal(res.topic, want);
    struct feature *f;
    size_t n;
    assert_int_equal(router_features(r, a, str_from_cstr(text), &f, &n, NULL), ERR_OK);
    double p[2];
    size_t best = classify_predict(router_model_topic(m), f, n, p);
    assert_string_equal(classify_label(router_model_topic(m), best), want);
    assert_float_equal(res.topic_confidence, p[best], 1e-5);
}

/* The router's threads keep rows of the model per word; a swapped model
 * (here one that says the opposite) is used at once, never the old rows. */
static void
swapped_model_is_used_at_once(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    const char *text = "Горячей воды нет уже три дня";
    for (int round = 0; round < 4; round++) {
        bool flip = round % 2 == 1;
        struct router_model *m = trained_as(r, a, flip, round + 1);
        router_swap_model(r, router_model_ref(m));
        check_against_full_vector(r, a, m, text, flip ? "roads" : "water");
        check_against_full_vector(r, a, m, text, flip ? "roads" : "water"); /* cached */
        router_model_unref(m);
    }
    router_free(r);
    arena_free(a);
}

/* Triage's alternatives: the model's topics by probability, the first the
 * one router_classify() picks, with the same probability. */
static void
suggests_topics_by_probability(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct router *r = router_new(NULL);
    struct router_guess g[4];
    size_t n = 99;
    assert_int_equal(router_suggest(r, a, STR("Яма на дороге"), 3, g, &n), ERR_OK);
    assert_int_equal(n, 0); /* no model */
    router_swap_model(r, trained(r, a));
    assert_int_equal(router_suggest(r, a, STR("Горячей воды нет уже три дня"), 4, g, &n), ERR_OK);
    assert_int_equal(n, 2); /* as many as the model has */
    assert_string_equal(g[0].topic, "water");
    assert_string_equal(g[1].topic, "roads");
    assert_true(g[0].p > g[1].p);
    assert_true(fabs(g[0].p + g[1].p - 1) < 1e-6);
    struct router_result res;
    assert_int_equal(router_classify(r, a, STR("Горячей воды нет уже три дня"), NULL, &res),
                     ERR_OK);
    assert_string_equal(res.topic, g[0].topic);
    assert_true(fabs(res.topic_confidence - g[0].p) < 1e-9);
    assert_int_equal(router_suggest(r, a, STR("The pothole is still there"), 1, g, &n), ERR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].topic, "roads");
    assert_int_equal(router_suggest(r, a, STR("Яма"), 0, g, &n), ERR_OK);
    assert_int_equal(n, 0);
    assert_int_equal(router_suggest(r, a, (struct str){"\xff\xfe", 2}, 2, g, &n), ERR_INVALID);
    assert_int_equal(n, 0);
    char *big = arena_alloc(a, NORMALISE_MAX + 2);
    memset(big, 'a', NORMALISE_MAX + 1);
    big[NORMALISE_MAX + 1] = 0;
    assert_int_equal(router_suggest(r, a, str_from_cstr(big), 2, g, &n), ERR_TOOBIG);
    router_free(r);
    arena_free(a);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(predicts_unseen_texts_in_three_languages),
        cmocka_unit_test(threshold_sends_to_triage),
        cmocka_unit_test(result_has_tokens),
        cmocka_unit_test(keyword_rule_overrides_the_model),
        cmocka_unit_test(model_round_trips_as_bytes),
        cmocka_unit_test(training_rejects_bad_input),
        cmocka_unit_test(swapped_model_is_used_at_once),
        cmocka_unit_test(suggests_topics_by_probability),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
