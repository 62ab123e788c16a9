/*
 * test_eval_dedupe.c - `tyndau eval dedupe` on a small Open311 file and a
 * pairs file this test writes: twelve reported problems, each filed again
 * ten metres away in other words, among distractors far from all of them.
 * Checks the JSON keys and values, that status_notes (which names the
 * original) is not needed, and that bad input ends with exit status 2 and a
 * message naming the file, the line and what is wrong.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "integration/srv.h"

enum { PROBLEMS = 12, DISTRACTORS = 30 };

static const char *const streets[PROBLEMS] = {
    "Moraine", "Centre", "Boylston",  "Tremont",   "Beacon",   "Hanover",
    "Dudley",  "Warren", "Blue Hill", "Hyde Park", "Columbia", "Dorchester",
};

/* The directory and files a test wrote, removed by cleanup(). */
#define TMP_TEMPLATE "/tmp/tyndau-evaldedupe-XXXXXX"
static char tmp_dir[] = TMP_TEMPLATE;
static bool tmp_made; /* not the template's last byte: mkdtemp() may make it an X */
static const char *written[64];
static size_t written_count;

/* A temp file holding text; its path lives in the scratch arena. */
static const char *
write_file(const char *name, const char *text)
{
    if (!tmp_made) {
        assert_non_null(mkdtemp(tmp_dir));
        tmp_made = true;
    }
    assert_true(written_count < sizeof(written) / sizeof(written[0]));
    const char *path = t_printf("%s/%zu-%s", tmp_dir, written_count, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    assert_int_equal(fclose(f), 0);
    written[written_count++] = path;
    return path;
}

static int
cleanup(void **state)
{
    for (size_t i = 0; i < written_count; i++)
        (void)unlink(written[i]);
    written_count = 0;
    if (tmp_made)
        (void)rmdir(tmp_dir);
    memcpy(tmp_dir, TMP_TEMPLATE, sizeof(tmp_dir));
    tmp_made = false;
    return srv_teardown(state);
}

/* The records: originals 2.2 km apart, each duplicate 11 m and two hours
 * after its original, distractors in another town with words of their own. */
static const char *
records_text(const char *extra_line)
{
    const char *s = "";
    for (int i = 0; i < PROBLEMS; i++) {
        double lat = 42.30 + 0.02 * i, lon = -71.10;
        s = t_printf(
            "%s{\"service_request_id\":\"%d\",\"status\":\"open\",\"service_name\":"
            "\"Pothole\",\"description\":\"Deep pothole on %s Street near the school, "
            "cars swerve around it\",\"requested_datetime\":\"2016-0%d-1%dT10:00:00-04:00\","
            "\"address\":\"%d %s St\",\"lat\":%.6f,\"long\":%.6f}\n",
            s, 1000 + i, streets[i], 1 + i % 9, i % 10, 10 + i, streets[i], lat, lon);
        /* status_notes names the original, as city staff write it: it must
         * not be needed (and its nested form must not break the reader). */
        s = t_printf("%s{\"service_request_id\":%d,\"status\":\"closed\",\"status_notes\":"
                     "{\"text\":\"Case noted. Duplicate of %d\",\"by\":[\"staff\"]},"
                     "\"service_name\":\"Pothole\",\"description\":\"Big hole in the road on %s, "
                     "please fix before someone gets hurt\",\"requested_datetime\":"
                     "\"2016-0%d-1%dT12:00:00-04:00\",\"lat\":%.6f,\"long\":%.6f}\n",
                     s, 2000 + i, 1000 + i, streets[i], 1 + i % 9, i % 10, lat + 0.0001, lon);
    }
    static const char *const words[] = {"graffiti", "streetlight", "sidewalk", "tree",    "trash",
                                        "signal",   "hydrant",     "bench",    "parking", "noise"};
    for (int i = 0; i < DISTRACTORS; i++)
        s = t_printf("%s{\"service_request_id\":\"%d\",\"service_name\":\"Other\",\"description\":"
                     "\"%s %s issue number %d at block %d\",\"requested_datetime\":"
                     "\"2016-0%d-0%dT08:%02d:00Z\",\"lat\":%.6f,\"long\":%.6f}\n",
                     s, 5000 + i, words[i % 10], words[(i * 3 + 1) % 10], i, i * 7, 1 + i % 9,
                     1 + i % 9, i, 40.0 + 0.05 * i, -75.0 - 0.05 * i);
    return t_printf("%s%s", s, extra_line ? extra_line : "");
}

static const char *
pairs_text(const char *extra_row)
{
    const char *s = "duplicate_id,original_id\n";
    for (int i = 0; i < PROBLEMS; i++)
        s = t_printf("%s%d,%d\n", s, 2000 + i, 1000 + i);
    return t_printf("%s%s", s, extra_row ? extra_row : "");
}

static int
run_eval(const char *records, const char *pairs, const char *extra, char **out, char **err)
{
    const char *argv[] = {"eval",   "dedupe", "--records",           records, "--pairs", pairs,
                          "--json", extra,    extra ? "0.35" : NULL, NULL};
    return cli_run(argv, NULL, out, err);
}

static double
num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_number(v))
        fail_msg("\"%s\" is missing or not a number", key);
    return json_number_value(v);
}

static void
eval_dedupe_finds_every_duplicate(void **state)
{
    (void)state;
    const char *rec = write_file("r.jsonl", records_text(NULL));
    const char *pairs = write_file("p.csv", pairs_text(NULL));
    char *out = NULL, *err = NULL;
    int st = run_eval(rec, pairs, NULL, &out, &err);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("eval dedupe failed: %s", err);
    json_error_t jerr;
    json_t *j = json_loads(out, 0, &jerr);
    if (!j)
        fail_msg("not JSON: %s", out);
    assert_int_equal((int)num(j, "records"), 2 * PROBLEMS + DISTRACTORS);
    assert_int_equal((int)num(j, "pairs"), PROBLEMS);
    /* Every duplicate's original is its best candidate: recall@3 is 1. */
    assert_true(num(j, "recall_at_3") == 1.0);
    double t = num(j, "threshold");
    assert_true(t > 0 && t <= 1);
    /* The distractors have no candidate near them: all that links is right. */
    assert_true(num(j, "precision") == 1.0);
    assert_string_equal(json_string_value(json_object_get(j, "threshold_chosen_on")), "tune");
    json_t *all = json_object_get(j, "all");
    assert_int_equal((int)num(all, "pairs"), PROBLEMS);
    assert_int_equal((int)num(all, "linked"), PROBLEMS);
    assert_true(num(all, "recall_at_threshold") == 1.0);
    assert_true(num(json_object_get(j, "test"), "pairs") +
                    num(json_object_get(j, "tune"), "pairs") ==
                PROBLEMS);
    assert_true(num(j, "ms_per_appeal") >= 0);
    json_t *w = json_object_get(j, "weights");
    assert_true(fabs(num(w, "text") + num(w, "place") + num(w, "time") + num(w, "topic") - 1) <
                1e-9);
    json_decref(j);
    free(out);
    free(err);

    /* A given threshold is used as given. */
    st = run_eval(rec, pairs, "--threshold", &out, &err);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    j = json_loads(out, 0, &jerr);
    assert_non_null(j);
    assert_true(fabs(num(j, "threshold") - 0.35) < 1e-9);
    assert_string_equal(json_string_value(json_object_get(j, "threshold_chosen_on")), "given");
    json_decref(j);
    free(out);
    free(err);
}

static void
expect_failure(const char *records, const char *pairs, const char *want)
{
    char *out = NULL, *err = NULL;
    int st = run_eval(records, pairs, NULL, &out, &err);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 2 || !strstr(err, want))
        fail_msg("want exit 2 and \"%s\"; got status %d, stderr: %s", want, st, err);
    assert_string_equal(out, ""); /* no figures from bad input */
    free(out);
    free(err);
}

static void
eval_dedupe_rejects_bad_input(void **state)
{
    (void)state;
    const char *rec = write_file("r.jsonl", records_text(NULL));
    const char *pairs = write_file("p.csv", pairs_text(NULL));
    int line = 2 * PROBLEMS + DISTRACTORS + 1;
    expect_failure("/nonexistent/r.jsonl", pairs, "cannot open /nonexistent/r.jsonl");
    expect_failure(rec, "/nonexistent/p.csv", "cannot open /nonexistent/p.csv");
    static const struct {
        const char *line, *why;
    } bad[] = {
        {"{\"service_request_id\":\"9\",\"description\":\"x\"", "expected ',' or '}'"},
        {"not json at all", "not a JSON object"},
        {"{\"service_request_id\":\"9\",\"requested_datetime\":\"2016-02-30T10:00:00Z\"}",
         "requested_datetime is not an RFC 3339"},
        {"{\"service_request_id\":\"9\",\"requested_datetime\":\"yesterday\"}",
         "requested_datetime is not an RFC 3339"},
        {"{\"service_request_id\":\"9\",\"requested_datetime\":\"2016-02-03T10:00:00Z\","
         "\"lat\":91.5,\"long\":-71}",
         "lat or long out of range"},
        {"{\"service_request_id\":\"9\",\"requested_datetime\":\"2016-02-03T10:00:00Z\","
         "\"lat\":42.3}",
         "lat and long must be numbers"},
        {"{\"service_request_id\":\"9\",\"service_request_id\":\"10\"}", "a key given twice"},
        {"{\"description\":\"no id\",\"requested_datetime\":\"2016-02-03T10:00:00Z\"}",
         "service_request_id missing"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *path = write_file("bad.jsonl", records_text(t_printf("%s\n", bad[i].line)));
        expect_failure(path, pairs, t_printf("%s:%d: %s", path, line, bad[i].why));
    }
    const char *dup = write_file("dup.jsonl", records_text("{\"service_request_id\":\"1000\","
                                                           "\"requested_datetime\":"
                                                           "\"2016-02-03T10:00:00Z\"}\n"));
    expect_failure(dup, pairs, "a service_request_id appears twice");
    const char *p2 = write_file("p2.csv", pairs_text("2001,424242\n"));
    expect_failure(rec, p2, t_printf("%s:%d: id not among the records", p2, PROBLEMS + 2));
    const char *p3 = write_file("p3.csv", "dup,orig\n2000,1000\n");
    expect_failure(rec, p3, "needs columns duplicate_id and original_id");
    const char *p4 = write_file("p4.csv", "duplicate_id,original_id\n");
    expect_failure(rec, p4, "no pairs");
    const char *empty = write_file("e.jsonl", "\n\n");
    expect_failure(empty, pairs, "no records");
    char *out = NULL, *err = NULL;
    int st =
        cli_run((const char *const[]){"eval", "dedupe", "--records", rec, NULL}, NULL, &out, &err);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    assert_non_null(strstr(err, "--records and --pairs are required"));
    free(out);
    free(err);
    st = cli_run((const char *const[]){"eval", "dedupe", "--records", rec, "--pairs", pairs,
                                       "--weights", "0.5,0.5,0.5,0", NULL},
                 NULL, &out, &err);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 2);
    assert_non_null(strstr(err, "summing to 1"));
    free(out);
    free(err);
}

int
main(void)
{
    srv_init(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(eval_dedupe_finds_every_duplicate, cleanup),
        cmocka_unit_test_teardown(eval_dedupe_rejects_bad_input, cleanup),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    (void)rmdir(tmp_dir);
    return rc;
}
