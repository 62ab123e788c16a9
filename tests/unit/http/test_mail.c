/*
 * test_mail.c - the e-mail notices: every user-editable value (appeal text,
 * address, name, answer, reason, body name) escaped in the HTML part and
 * kept as it is in the plain part; only our own markup (an allow-list of
 * tags and attributes, every style inline, no <script>, no on*= handler, no
 * javascript: URL, one link, to our tracking page); a valid
 * multipart/alternative message (headers, boundaries, base64 parts, CRLF,
 * short lines, an encoded subject); the appeal's language; and refusal of
 * addresses that could inject headers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "base/arena.h"
#include "base/buf.h"
#include "http/html.h"
#include "http/mail.h"

static const char *const hostile[] = {
    "<script>window.__xss=1</script>",
    "\"><img src=x onerror=alert(1)>",
    "'><svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "</title><script>alert(1)</script>",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<iframe src=//evil.example></iframe>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">",
    "--=_boundary\r\nContent-Type: text/html\r\n\r\n<script>alert(1)</script>",
    "=?UTF-8?B?PHNjcmlwdD4=?= \r\nBcc: victim@example.kz",
};

struct parts {
    char *headers, *text, *html; /* malloc'd */
};

static char *
b64_decode(const char *s, size_t len)
{
    size_t cap = len + 1, out_len = 0;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    assert_int_equal(
        sodium_base642bin(out, cap, s, len, "\r\n", &out_len, NULL, sodium_base64_VARIANT_ORIGINAL),
        0);
    out[out_len] = '\0';
    return (char *)out;
}

/* Split msg at its boundary; assert the MIME structure on the way. */
static struct parts
split(const char *msg)
{
    struct parts p = {0};
    const char *end = strstr(msg, "\r\n\r\n");
    assert_non_null(end);
    p.headers = strndup(msg, (size_t)(end - msg) + 2);
    const char *bq = strstr(p.headers, "boundary=\"");
    assert_non_null(bq);
    bq += 10;
    char delim[128];
    snprintf(delim, sizeof(delim), "\r\n--%.*s", (int)(strchr(bq, '"') - bq), bq);
    const char *first = strstr(end, delim);
    assert_non_null(first);
    const char *second = strstr(first + 1, delim);
    assert_non_null(second);
    const char *last = strstr(second + 1, delim);
    assert_non_null(last);
    assert_memory_equal(last + strlen(delim), "--\r\n", 4);
    assert_null(strstr(last + 1, delim)); /* exactly two parts */
    const char *parts[2][2] = {{first, second}, {second, last}};
    for (int i = 0; i < 2; i++) {
        const char *h = parts[i][0] + strlen(delim) + 2;
        const char *body = strstr(h, "\r\n\r\n");
        assert_non_null(body);
        assert_true(body < parts[i][1]);
        char *ph = strndup(h, (size_t)(body - h));
        assert_non_null(strstr(ph, "Content-Transfer-Encoding: base64"));
        assert_non_null(strstr(ph, i == 0 ? "Content-Type: text/plain; charset=UTF-8"
                                          : "Content-Type: text/html; charset=UTF-8"));
        free(ph);
        body += 4;
        char *dec = b64_decode(body, (size_t)(parts[i][1] - body));
        if (i == 0)
            p.text = dec;
        else
            p.html = dec;
    }
    return p;
}

static void
parts_free(struct parts *p)
{
    free(p->headers);
    free(p->text);
    free(p->html);
}

/* strstr without regard to ASCII case. */
static const char *
strcasestr_ascii(const char *h, const char *n)
{
    size_t len = strlen(n);
    for (; *h; h++) {
        size_t i = 0;
        while (i < len && h[i] && (h[i] | 0x20) == (n[i] | 0x20))
            i++;
        if (i == len)
            return h;
    }
    return NULL;
}

static struct appeal
sample(const char *v)
{
    return (struct appeal){
        .tracking_id = "abcdefghij234567",
        .reg_number = "75-2026-0000042",
        .language = LANG_EN,
        .text = v,
        .address = v,
        .contact_name = v,
        .contact_email = "citizen@example.kz",
        .due_at = 1798000000,
    };
}

/* The HTML's own markup: tags and attributes from a short list, quoted
 * values, styles inline, the one href to the tracking page. */
static void
assert_markup_ours(const char *html)
{
    static const char *const tags[] = {"!DOCTYPE", "html",   "head", "meta", "title",
                                       "body",     "table",  "tr",   "td",   "p",
                                       "a",        "strong", "span"};
    static const char *const attrs[] = {"lang",  "http-equiv",  "content",     "name",   "role",
                                        "width", "cellpadding", "cellspacing", "border", "style",
                                        "align", "href",        "data-part"};
    int links = 0;
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        const char *q = p + 1 + (p[1] == '/');
        size_t n = strcspn(q, " >");
        bool known = false;
        for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
            known = known || (strlen(tags[i]) == n && strncmp(q, tags[i], n) == 0);
        if (!known)
            fail_msg("unknown tag at: %.40s", p);
        q += n;
        while (*q == ' ') {
            q++;
            size_t an = strcspn(q, "=> ");
            bool ok = false;
            for (size_t i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++)
                ok = ok || (strlen(attrs[i]) == an && strncmp(q, attrs[i], an) == 0);
            if (!ok && !(p[1] == '!' && an == 4 && strncmp(q, "html", 4) == 0))
                fail_msg("unknown attribute at: %.40s", q);
            if (strncmp(q, "href", 4) == 0) {
                links++;
                assert_memory_equal(q, "href=\"https://tyndau.example.kz/track/", 38);
            }
            q += an;
            if (*q == '=') {
                assert_int_equal(q[1], '"');
                const char *v = q + 2;
                q = strchr(v, '"');
                assert_non_null(q);
                char *val = strndup(v, (size_t)(q - v));
                assert_null(strcasestr_ascii(val, "javascript:"));
                assert_null(strcasestr_ascii(val, "url("));
                assert_null(strcasestr_ascii(val, "expression("));
                free(val);
                q++;
            }
        }
        assert_int_equal(*q, '>');
    }
    assert_int_equal(links, 1);
    assert_null(strcasestr_ascii(html, "<script"));
    assert_null(strcasestr_ascii(html, "<style"));
    assert_null(strcasestr_ascii(html, "<link"));
    assert_null(strcasestr_ascii(html, "<img"));
}

static void
escapes_every_field(void **state)
{
    (void)state;
    enum notice_kind kinds[] = {NOTICE_REGISTERED, NOTICE_ANSWERED, NOTICE_EXTENDED,
                                NOTICE_FORWARDED};
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        for (size_t k = 0; k < 4; k++) {
            struct appeal ap = sample(hostile[i]);
            struct notice n = {.kind = kinds[k],
                               .ap = &ap,
                               .agency_name = hostile[i],
                               .answer = hostile[i],
                               .reason = hostile[i],
                               .secret = kinds[k] == NOTICE_REGISTERED ? "secretsecret" : NULL,
                               .site_url = "https://tyndau.example.kz/",
                               .from = "noreply@tyndau.example.kz",
                               .now = 1790000000};
            char *msg = mail_render(&n);
            assert_non_null(msg);
            struct parts p = split(msg);
            assert_markup_ours(p.html);
            /* The plain part carries the value as it is... */
            assert_non_null(strstr(p.text, hostile[i]));
            /* ...the HTML part only escaped. */
            struct buf esc = BUF_INIT(1 << 16);
            html_escape(&esc, hostile[i]);
            assert_non_null(strstr(p.html, esc.p));
            buf_fini(&esc);
            /* Nothing of the value reaches the headers. */
            assert_null(strstr(p.headers, "Bcc"));
            assert_null(strstr(p.headers, "<script"));
            parts_free(&p);
            free(msg);
        }
    }
}

static void
message_is_well_formed(void **state)
{
    (void)state;
    struct appeal ap = sample("Яма на дороге у дома 5, очень глубокая и опасная для всех");
    ap.language = LANG_RU;
    struct notice n = {.kind = NOTICE_ANSWERED,
                       .ap = &ap,
                       .agency_name = "Акимат",
                       .answer = "Яму заделали.\nСпасибо.",
                       .site_url = "https://tyndau.example.kz",
                       .from = "noreply@tyndau.example.kz",
                       .now = 1790000000};
    char *msg = mail_render(&n);
    assert_non_null(msg);
    /* 7-bit, CRLF only, no line past 78 characters. */
    size_t line = 0;
    for (const char *p = msg; *p; p++) {
        assert_true((unsigned char)*p < 0x80);
        if (*p == '\n') {
            assert_true(p > msg && p[-1] == '\r');
            line = 0;
        } else if (*p != '\r') {
            line++;
            assert_true(line <= 78);
        } else {
            assert_int_equal(p[1], '\n');
        }
    }
    struct parts p = split(msg);
    static const char *const need[] = {"From: noreply@tyndau.example.kz\r\n",
                                       "To: citizen@example.kz\r\n",
                                       "Subject: =?UTF-8?B?",
                                       "Date: ",
                                       "+0500\r\n",
                                       "Message-ID: <",
                                       "@tyndau.example.kz>\r\n",
                                       "MIME-Version: 1.0\r\n",
                                       "Content-Language: ru\r\n",
                                       "Content-Type: multipart/alternative; boundary=\"",
                                       "Auto-Submitted: auto-generated\r\n"};
    for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
        if (!strstr(p.headers, need[i]))
            fail_msg("header missing: %s", need[i]);
    /* The subject decodes to the Russian catalog's text. */
    struct buf subj = BUF_INIT(4096);
    for (const char *w = strstr(p.headers, "=?UTF-8?B?"); w; w = strstr(w, "=?UTF-8?B?")) {
        w += 10;
        const char *e = strstr(w, "?=");
        char *d = b64_decode(w, (size_t)(e - w));
        buf_puts(&subj, d);
        free(d);
        w = e;
    }
    assert_string_equal(subj.p, "На ваше обращение 75-2026-0000042 дан ответ");
    buf_fini(&subj);
    assert_non_null(strstr(p.html, "<html lang=\"ru\">"));
    assert_non_null(strstr(p.html, "Яму заделали.\r\nСпасибо."));
    assert_non_null(strstr(p.text, "Яму заделали.\r\nСпасибо."));
    assert_non_null(strstr(p.text, "https://tyndau.example.kz/track/abcdefghij234567?lang=ru"));
    parts_free(&p);
    free(msg);
}

static void
due_date_in_words(void **state)
{
    (void)state;
    struct appeal ap = sample("Pothole on the road by house 5");
    ap.due_at = 1797620399; /* 2026-12-18 23:59:59 Almaty */
    struct notice n = {.kind = NOTICE_EXTENDED,
                       .ap = &ap,
                       .reason = "an expert is needed",
                       .site_url = "https://tyndau.example.kz",
                       .now = 1790000000};
    char *msg = mail_render(&n);
    assert_non_null(msg);
    struct parts p = split(msg);
    assert_non_null(strstr(p.text, "Answer due by: 18 December 2026"));
    assert_non_null(strstr(p.html, "18 December 2026"));
    assert_non_null(strstr(p.text, "an expert is needed"));
    parts_free(&p);
    free(msg);
}

static void
refuses_unsafe_addresses(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "a@b.kz\r\nBcc: x@y.kz",
        "a@b.kz\nBcc: x@y.kz",
        "Name <a@b.kz>",
        "a b@c.kz",
        "a@b.kz,c@d.kz",
        "a@b.kz;c@d.kz",
        "\"a\"@b.kz",
        "a@@b.kz",
        "@b.kz",
        "a@",
        "ab.kz",
        "",
        "a@b.kz\x01",
        "á@b.kz",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(mail_address_ok(bad[i]));
        struct appeal ap = sample("Pothole on the road by house 5");
        ap.contact_email = bad[i];
        struct notice n = {.kind = NOTICE_REGISTERED, .ap = &ap, .now = 1790000000};
        assert_null(mail_render(&n));
    }
    assert_false(mail_address_ok(NULL));
    assert_true(mail_address_ok("first.last+tag@mail.example.kz"));
    struct appeal ap = sample("Pothole on the road by house 5");
    struct notice n = {
        .kind = NOTICE_REGISTERED, .ap = &ap, .from = "x\r\nBcc: y@z.kz", .now = 1790000000};
    assert_null(mail_render(&n));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_every_field),
        cmocka_unit_test(message_is_well_formed),
        cmocka_unit_test(due_date_in_words),
        cmocka_unit_test(refuses_unsafe_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
