/*
 * test_i18n.c - the message catalogs and language rules of the pages:
 *  - web/i18n/{kk,ru,en}.po (as embedded) parse, have the same msgids, a
 *    non-empty msgstr for every plural form of their language, and the same
 *    {placeholders} as the msgid;
 *  - every N_("...") in the .c files of src/http is in all three catalogs (a missing key
 *    fails, and the checker is shown to catch one);
 *  - the .po reader refuses what gettext refuses; plural rules; placeholder
 *    filling; dates, numbers and the choice of language.
 * Run from the source tree root (scripts/run-tests.sh does).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/buf.h"
#include "base/tm.h"
#include "http/i18n.h"
#include "http/webfiles.h"

static const char *const po_files[LANG__COUNT] = {
    [LANG_KK] = "i18n/kk.po", [LANG_RU] = "i18n/ru.po", [LANG_EN] = "i18n/en.po"};

static struct i18n_cat *
load(struct arena *a, enum appeal_language l)
{
    const struct webfile *f = webfile_find(po_files[l]);
    assert_non_null(f);
    struct i18n_cat *c = NULL;
    size_t bad = 0;
    enum err e = i18n_parse(a, (struct str){(const char *)f->data, f->len}, &c, &bad);
    if (e)
        fail_msg("%s: parse error near line %zu", po_files[l], bad);
    return c;
}

static int
forms_of(enum appeal_language l)
{
    return l == LANG_RU ? 3 : 2;
}

static void
catalogs_agree(void **state)
{
    struct arena *a = arena_new();
    struct i18n_cat *cat[LANG__COUNT];
    (void)state;
    for (int l = 0; l < LANG__COUNT; l++)
        cat[l] = load(a, (enum appeal_language)l);
    const char *problems = "";
    for (int l = 0; l < LANG__COUNT; l++) {
        for (size_t i = 0; i < i18n_cat_count(cat[l]); i++) {
            const char *plural;
            const char *id = i18n_cat_msgid(cat[l], i, &plural);
            for (int k = 0; k < LANG__COUNT; k++) {
                int forms = plural ? forms_of((enum appeal_language)k) : 1;
                for (int f = 0; f < forms; f++) {
                    const char *s = i18n_cat_get(cat[k], id, f);
                    if (!s) {
                        problems = arena_printf(a, "%s  %s lacks \"%s\" (form %d)\n", problems,
                                                po_files[k], id, f);
                    } else if (!i18n_placeholders_match(id, s)) {
                        problems =
                            arena_printf(a, "%s  %s: placeholders of \"%s\" differ in \"%s\"\n",
                                         problems, po_files[k], id, s);
                    }
                }
            }
        }
    }
    if (*problems)
        fail_msg("catalogs differ:\n%s", problems);
    assert_true(i18n_cat_count(cat[LANG_EN]) > 100);
    arena_free(a);
}

/* Append every N_("...") literal of the C text s (adjacent literals joined)
 * to ids, NUL-separated. */
static void
scan_msgids(const char *s, struct buf *ids)
{
    for (const char *p = strstr(s, "N_("); p; p = strstr(p + 1, "N_(")) {
        if (p > s &&
            (p[-1] == '_' || (p[-1] >= 'A' && p[-1] <= 'Z') || (p[-1] >= 'a' && p[-1] <= 'z')))
            continue;
        const char *q = p + 3;
        bool any = false;
        for (;;) {
            while (*q == ' ' || *q == '\n' || *q == '\t')
                q++;
            if (*q != '"')
                break;
            q++;
            while (*q && *q != '"') {
                if (*q == '\\' && q[1]) {
                    q++;
                    buf_putc(ids, *q == 'n' ? '\n' : *q);
                } else {
                    buf_putc(ids, *q);
                }
                q++;
            }
            if (*q == '"')
                q++;
            any = true;
        }
        if (any)
            buf_putc(ids, '\0');
    }
}

/* The msgids of ids that some catalog lacks (as a msgid or a msgid_plural). */
static const char *
missing(struct arena *a, struct i18n_cat *const *cat, size_t ncat, const struct buf *ids)
{
    const char *out = "";
    for (size_t off = 0; off < ids->len; off += strlen(ids->p + off) + 1) {
        const char *id = ids->p + off;
        for (size_t k = 0; k < ncat; k++) {
            bool found = i18n_cat_get(cat[k], id, 0) != NULL;
            for (size_t i = 0; !found && i < i18n_cat_count(cat[k]); i++) {
                const char *plural;
                (void)i18n_cat_msgid(cat[k], i, &plural);
                found = plural && strcmp(plural, id) == 0;
            }
            if (!found)
                out = arena_printf(a, "%s  %s: \"%s\"\n", out, po_files[k], id);
        }
    }
    return out;
}

static char *
read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = BUF_INIT(1 << 22);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    return buf_detach(&b, NULL);
}

static void
code_msgids_in_catalogs(void **state)
{
    struct arena *a = arena_new();
    struct i18n_cat *cat[LANG__COUNT];
    (void)state;
    for (int l = 0; l < LANG__COUNT; l++)
        cat[l] = load(a, (enum appeal_language)l);
    DIR *d = opendir("src/http");
    if (!d)
        fail_msg("src/http not found: run from the source tree root");
    struct buf ids = BUF_INIT(1 << 22);
    struct dirent *de;
    size_t files = 0;
    while ((de = readdir(d))) {
        size_t n = strlen(de->d_name);
        if (n < 3 || strcmp(de->d_name + n - 2, ".c") != 0)
            continue;
        char *text = read_file(arena_printf(a, "src/http/%s", de->d_name));
        assert_non_null(text);
        scan_msgids(text, &ids);
        free(text);
        files++;
    }
    closedir(d);
    assert_true(files > 3);
    assert_true(ids.len > 1000);
    const char *m = missing(a, cat, LANG__COUNT, &ids);
    if (*m)
        fail_msg("msgids used in src/http but missing from a catalog:\n%s", m);

    /* The checker catches a key that is missing. */
    struct buf extra = BUF_INIT(1024);
    scan_msgids("page_t(p, N_(\"A message\"\n \" no catalog has\"));", &extra);
    assert_string_equal(extra.p, "A message no catalog has");
    assert_string_not_equal(missing(a, cat, LANG__COUNT, &extra), "");
    buf_fini(&extra);
    buf_fini(&ids);
    arena_free(a);
}

static enum err
parse_text(struct arena *a, const char *po, size_t *bad)
{
    struct i18n_cat *c;
    return i18n_parse(a, str_from_cstr(po), &c, bad);
}

static void
po_reader(void **state)
{
    struct arena *a = arena_new();
    struct i18n_cat *c;
    size_t bad;
    (void)state;
    const char *ok = "# comment\nmsgid \"\"\nmsgstr \"Language: ru\\n\"\n\n"
                     "msgid \"Hello \\\"you\\\"\"\nmsgstr \"\"\n\"При\"\n\"вет\"\n\n"
                     "msgid \"{n} day\"\nmsgid_plural \"{n} days\"\n"
                     "msgstr[0] \"{n} день\"\nmsgstr[1] \"{n} дня\"\nmsgstr[2] \"{n} дней\"\n"
                     "msgid \"Empty\"\nmsgstr \"\"\n";
    assert_int_equal(i18n_parse(a, str_from_cstr(ok), &c, &bad), ERR_OK);
    assert_int_equal(i18n_cat_count(c), 3);
    assert_string_equal(i18n_cat_get(c, "Hello \"you\"", 0), "Привет");
    assert_string_equal(i18n_cat_get(c, "{n} day", 2), "{n} дней");
    assert_null(i18n_cat_get(c, "Empty", 0)); /* untranslated */
    assert_null(i18n_cat_get(c, "Absent", 0));
    assert_null(i18n_cat_get(c, "{n} day", 3));

    static const struct {
        const char *po;
        size_t line;
    } bad_po[] = {
        {"msgid \"a\"\nmsgstr \"b\n", 2},                  /* unterminated */
        {"msgstr \"b\"\n", 1},                             /* msgstr first */
        {"msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"c\"\n", 1}, /* no msgstr */
        {"msgid \"a\"\nmsgstr \"\\q\"\n", 2},              /* bad escape */
        {"msgid \"a\"\nmsgstr[0] \"b\"\n", 2},             /* msgstr[n] without plural */
        {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr \"b\"\n", 3},
        {"msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[3] \"b\"\n", 3},
        {"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"\n", 3},
        {"msgid a\nmsgstr \"b\"\n", 1},
        {"bogus \"a\"\n", 1},
    };
    for (size_t i = 0; i < sizeof(bad_po) / sizeof(bad_po[0]); i++) {
        bad = 0;
        enum err e = parse_text(a, bad_po[i].po, &bad);
        if (e != ERR_INVALID || bad != bad_po[i].line)
            fail_msg("case %zu: err %d line %zu, want ERR_INVALID at line %zu", i, (int)e, bad,
                     bad_po[i].line);
    }
    assert_int_equal(parse_text(a, "msgid \"a\"\nmsgstr \"b\"\nmsgid \"a\"\nmsgstr \"c\"\n", &bad),
                     ERR_INVALID); /* duplicate */
    struct buf big = BUF_INIT(I18N_PO_MAX + 64);
    while (big.len <= I18N_PO_MAX)
        buf_puts(&big, "# padding padding padding\n");
    assert_false(buf_failed(&big));
    assert_int_equal(i18n_parse(a, (struct str){big.p, big.len}, &c, &bad), ERR_TOOBIG);
    buf_fini(&big);
    arena_free(a);
}

static void
plurals(void **state)
{
    (void)state;
    static const struct {
        int64_t n;
        int ru, en;
    } cases[] = {{0, 2, 1},   {1, 0, 0},   {2, 1, 1},   {4, 1, 1},    {5, 2, 1},  {11, 2, 1},
                 {12, 2, 1},  {14, 2, 1},  {21, 0, 1},  {22, 1, 1},   {25, 2, 1}, {101, 0, 1},
                 {111, 2, 1}, {112, 2, 1}, {122, 1, 1}, {1001, 0, 1}, {-1, 0, 0}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(i18n_plural_index(LANG_RU, cases[i].n), cases[i].ru);
        assert_int_equal(i18n_plural_index(LANG_EN, cases[i].n), cases[i].en);
        assert_int_equal(i18n_plural_index(LANG_KK, cases[i].n), cases[i].en);
    }
    assert_string_equal(i18n_nget(LANG_RU, "due by {date}, in {n} working day",
                                  "due by {date}, in {n} working days", 5),
                        "срок — до {date}, через {n} рабочих дней");
    assert_string_equal(i18n_nget(LANG_RU, "due by {date}, in {n} working day",
                                  "due by {date}, in {n} working days", 21),
                        "срок — до {date}, через {n} рабочий день");
    assert_string_equal(i18n_nget(LANG_EN, "due by {date}, in {n} working day",
                                  "due by {date}, in {n} working days", 1),
                        "due by {date}, in {n} working day");
}

static void
fill_and_placeholders(void **state)
{
    struct arena *a = arena_new();
    (void)state;
    const char *const kv[] = {"date", "18 December 2026", "n", "9", NULL};
    assert_string_equal(i18n_fill(a, "due by {date}, in {n} days {x} {", kv),
                        "due by 18 December 2026, in 9 days {x} {");
    /* A value is inserted once, never scanned again. */
    const char *const loop[] = {"a", "{a}", NULL};
    assert_string_equal(i18n_fill(a, "{a}{a}", loop), "{a}{a}");
    assert_true(i18n_placeholders_match("{a} and {b}", "{b} и {a} и {a}"));
    assert_false(i18n_placeholders_match("{a} and {b}", "{a}"));
    assert_false(i18n_placeholders_match("{n} of 5", "{m} из 5"));
    assert_true(i18n_placeholders_match("none", "нет"));
    assert_string_equal(i18n_get(LANG_KK, "Send an appeal"), "Өтініш беру");
    assert_string_equal(i18n_get(LANG_RU, "no such message"), "no such message");
    arena_free(a);
}

static void
dates_and_numbers(void **state)
{
    char out[64];
    (void)state;
    int64_t t = tm_local_time(tm_days_from_civil(2026, 12, 18), 14, 5, 0);
    i18n_date(LANG_EN, t, out);
    assert_string_equal(out, "18 December 2026");
    i18n_date(LANG_RU, t, out);
    assert_string_equal(out, "18 декабря 2026 г.");
    i18n_date(LANG_KK, t, out);
    assert_string_equal(out, "2026 жылғы 18 желтоқсан");
    i18n_datetime(LANG_EN, t, out);
    assert_string_equal(out, "18 December 2026, 14:05");
    /* 23:30 Almaty is the next day in no zone we show: the local day counts. */
    i18n_datetime(LANG_RU, tm_local_time(tm_days_from_civil(2026, 1, 1), 0, 30, 0), out);
    assert_string_equal(out, "1 января 2026 г., 00:30");
    char num[48];
    i18n_number(LANG_EN, 1234567, num);
    assert_string_equal(num, "1,234,567");
    i18n_number(LANG_RU, 1234567, num);
    assert_string_equal(num, "1\xc2\xa0"
                             "234\xc2\xa0"
                             "567");
    i18n_number(LANG_KK, -1000, num);
    assert_string_equal(num, "-1\xc2\xa0"
                             "000");
    i18n_number(LANG_EN, 999, num);
    assert_string_equal(num, "999");
    i18n_number(LANG_EN, INT64_MIN, num);
    assert_string_equal(num, "-9,223,372,036,854,775,808");
}

static void
choosing_a_language(void **state)
{
    (void)state;
    assert_int_equal(i18n_pick(NULL, NULL, NULL), LANG_KK);
    assert_int_equal(i18n_pick("en", "ru", "kk"), LANG_EN);
    assert_int_equal(i18n_pick("xx", "ru", "en"), LANG_RU);
    assert_int_equal(i18n_pick("EN", "zz", "en-GB,en;q=0.9"), LANG_EN);
    assert_int_equal(i18n_pick(NULL, NULL, "de-DE, ru;q=0.8, en;q=0.9"), LANG_EN);
    assert_int_equal(i18n_pick(NULL, NULL, "ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7"), LANG_RU);
    assert_int_equal(i18n_pick(NULL, NULL, "kk-Cyrl-KZ;q=0.5, fr"), LANG_KK);
    assert_int_equal(i18n_pick(NULL, NULL, "en;q=0, ru;q=0.1"), LANG_RU);
    assert_int_equal(i18n_pick(NULL, NULL, "de, fr, *"), LANG_KK);
    assert_int_equal(i18n_pick(NULL, NULL, ",,,;;;q=,e"), LANG_KK);
    enum appeal_language l;
    assert_int_equal(i18n_lang_parse("ru", &l), ERR_OK);
    assert_int_equal(l, LANG_RU);
    assert_int_equal(i18n_lang_parse("ru ", &l), ERR_INVALID);
    assert_int_equal(i18n_lang_parse(NULL, &l), ERR_INVALID);
    assert_string_equal(i18n_lang_code(LANG_KK), "kk");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogs_agree),
        cmocka_unit_test(code_msgids_in_catalogs),
        cmocka_unit_test(po_reader),
        cmocka_unit_test(plurals),
        cmocka_unit_test(fill_and_placeholders),
        cmocka_unit_test(dates_and_numbers),
        cmocka_unit_test(choosing_a_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
