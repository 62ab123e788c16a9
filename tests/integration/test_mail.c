/*
 * test_mail.c - e-mail to citizens on the real binary: an appeal with an
 * e-mail address gets one message when it is registered and one when it is
 * answered, each written by the scheduler into the spool (by default beside
 * the SQLite file; named with --mail-spool on PostgreSQL) as an .eml with a
 * plain-text and an HTML part, the HTML one carrying the answer escaped; an
 * appeal without an address gets none; delivered rows are marked sent; the
 * log (at debug level) names neither the address nor the citizen.
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
#include <sodium.h>

#include "integration/srv.h"

/* The .eml files of dir, up to max, read whole (caller frees each). */
static size_t
spool_read(const char *dir, char **out, size_t max)
{
    size_t n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < max) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".eml") != 0 || de->d_name[0] == '.')
            continue;
        out[n] = srv_read_file(t_printf("%s/%s", dir, de->d_name), NULL);
        assert_non_null(out[n]);
        n++;
    }
    closedir(d);
    return n;
}

static size_t
spool_wait(const char *dir, size_t want, char **out, size_t max)
{
    for (int i = 0; i < 100 * srv_slow(); i++) {
        size_t n = spool_read(dir, out, max);
        if (n >= want)
            return n;
        for (size_t k = 0; k < n; k++)
            free(out[k]);
        t_sleep_ms(100);
    }
    return spool_read(dir, out, max);
}

/* The decoded part of msg whose Content-Type starts with type (malloc'd). */
static char *
part(const char *msg, const char *type)
{
    const char *h = strstr(msg, t_printf("Content-Type: %s; charset=UTF-8\r\n", type));
    assert_non_null(h);
    const char *body = strstr(h, "\r\n\r\n");
    assert_non_null(body);
    body += 4;
    const char *end = strstr(body, "\r\n--=_");
    assert_non_null(end);
    size_t cap = (size_t)(end - body) + 1, len = 0;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(sodium_base642bin(out, cap, body, (size_t)(end - body), "\r\n", &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[len] = '\0';
    return (char *)out;
}

static void
answered_appeal_mails_the_citizen(void **state)
{
    (void)state;
    struct srv *s = srv_start("--scheduler-interval-ms=200", "--log-level=debug",
                              "--site-url=https://tyndau.example.kz", NULL);
    const char *spool = t_printf("%s/mail-spool", srv_dir(s));
    if (strncmp(srv_db_url(s), "sqlite:", 7) != 0) {
        /* Only a SQLite file has a directory to spool beside: name one. */
        srv_set_args(s, "--scheduler-interval-ms=200", "--log-level=debug",
                     "--site-url=https://tyndau.example.kz", t_printf("--mail-spool=%s", spool),
                     NULL);
        srv_restart(s);
    }
    const char *agency = srv_db_text(
        s, "SELECT agency FROM routing_rules WHERE topic = ?1 AND region = '750000000'", "roads");
    assert_non_null(agency);
    const char *off = srv_bearer(s, srv_user(s, "off-m", "official", agency));

    /* One appeal without an address: no mail for it. */
    struct resp *r =
        srv_post(s, "/api/v1/appeals", NULL, appeal_json("{\"contact\":{\"email\":null}}"));
    expect_status(r, 201);
    resp_free(r);
    r = srv_post(s, "/api/v1/appeals", NULL,
                 appeal_json("{\"text\":\"Яма на дороге <script>alert(1)</script> у дома 7\"}"));
    expect_status(r, 201);
    const char *tid = t_printf("%s", resp_str(r, "tracking_id"));
    resp_free(r);
    r = srv_post(s, t_printf("/api/v1/appeals/%s/take", tid), off, "{}");
    expect_status(r, 200);
    resp_free(r);
    const char *answer = "Яму заделали <img src=x onerror=alert(1)> за два дня.";
    r = srv_post(s, t_printf("/api/v1/appeals/%s/answer", tid), off,
                 t_printf("{\"text\":\"%s\",\"language\":\"ru\"}", answer));
    expect_status(r, 200);
    resp_free(r);

    char *files[8] = {0};
    size_t n = spool_wait(spool, 2, files, 8);
    if (n != 2) {
        srv_dump_log(s, 30);
        fail_msg("%zu messages in the spool, want 2 (registered and answered)", n);
    }
    int answered = 0;
    for (size_t i = 0; i < n; i++) {
        assert_non_null(strstr(files[i], "To: aigul@example.kz\r\n"));
        assert_non_null(strstr(files[i], "Content-Type: multipart/alternative; boundary="));
        char *text = part(files[i], "text/plain");
        char *html = part(files[i], "text/html");
        assert_non_null(strstr(html, "<html lang=\"ru\">"));
        assert_null(strstr(html, "<script"));
        assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_non_null(strstr(html, t_printf("href=\"https://tyndau.example.kz/track/%s?", tid)));
        if (strstr(text, answer)) {
            answered++;
            assert_null(strstr(html, "<img"));
            assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
        }
        free(text);
        free(html);
        free(files[i]);
    }
    assert_int_equal(answered, 1);
    assert_int_equal(
        srv_db_int(s, "SELECT count(*) FROM outbox WHERE channel = ?1 AND sent_at IS NULL",
                   "email"),
        0);
    assert_int_equal(
        srv_db_int(s, "SELECT count(*) FROM outbox WHERE channel = ?1 AND sent_at > 0", "email"),
        2);

    char *log = srv_read_file(t_printf("%s/stderr.log", srv_dir(s)), NULL);
    assert_non_null(log);
    assert_null(strstr(log, "aigul@example.kz"));
    assert_null(strstr(log, "Серикова"));
    free(log);
    srv_done(s);
}

int
main(void)
{
    srv_init(120);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(answered_appeal_mails_the_citizen, srv_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
