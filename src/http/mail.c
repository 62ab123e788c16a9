/*
 * mail.c - the e-mail a citizen receives when their appeal is registered,
 * answered, extended or forwarded (see mail.h). The HTML part is built for
 * mail clients, which drop <style> and scripts and block remote content:
 * nested presentation tables, every style inline, system fonts, no images.
 * Every value that comes from a person (the appeal's text and address, the
 * citizen's name, the answer, a reason, a body's name) is escaped with
 * html_escape(); only literals of this file are markup. Exports
 * mail_render() and mail_address_ok().
 */
#include "http/mail.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/rnd.h"
#include "base/tm.h"
#include "base/xalloc.h"
#include "http/html.h"
#include "http/i18n.h"

enum {
    B64_LINE = 76,
    SUBJECT_CHUNK = 42 /* bytes per encoded-word: 56 base64 chars, lines within 78 */
};

bool
mail_address_ok(const char *a)
{
    if (!a)
        return false;
    size_t len = strlen(a);
    const char *at = strchr(a, '@');
    if (len == 0 || len > 254 || !at || at == a || !at[1] || strchr(at + 1, '@'))
        return false;
    for (const char *p = a; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= 0x20 || c >= 0x7f || strchr("\"(),:;<>[\\]", c))
            return false;
    }
    return true;
}

/* ---- what the notice says ---- */

struct words {
    const char *subject, *lead;
    const char *block_title, *block; /* the answer or the reason; NULL: none */
};

static const char *
tf(struct arena *a, enum appeal_language l, const char *msgid, const char *const *kv)
{
    return i18n_fill(a, i18n_get(l, msgid), kv);
}

static struct words
words_of(struct arena *a, const struct notice *n)
{
    enum appeal_language l = n->ap->language;
    const char *const num[] = {"number", n->ap->reg_number ? n->ap->reg_number : "", NULL};
    struct words w = {0};
    switch (n->kind) {
    case NOTICE_REGISTERED:
        w.subject = tf(a, l, N_("Your appeal {number} has been registered"), num);
        w.lead = i18n_get(l, N_("Your appeal has been registered. Keep its tracking number: with "
                                "it you can follow the appeal and read the answer on our site."));
        break;
    case NOTICE_ANSWERED:
        w.subject = tf(a, l, N_("Your appeal {number} has been answered"), num);
        w.lead = i18n_get(l, N_("Your appeal has been answered. The answer is below and on the "
                                "tracking page."));
        w.block_title = i18n_get(l, N_("The answer"));
        w.block = n->answer;
        break;
    case NOTICE_EXTENDED:
        w.subject = tf(a, l, N_("The time to answer your appeal {number} has been extended"), num);
        w.lead = i18n_get(l, N_("The body dealing with your appeal has extended the time to "
                                "answer it. The new due date is below."));
        w.block_title = i18n_get(l, N_("Reason"));
        w.block = n->reason;
        break;
    case NOTICE_FORWARDED:
        w.subject = tf(a, l, N_("Your appeal {number} has been forwarded"), num);
        w.lead = i18n_get(l, N_("Your appeal has been forwarded to the body responsible for it, "
                                "which will answer by the due date below."));
        w.block_title = i18n_get(l, N_("Reason"));
        w.block = n->reason;
        break;
    }
    return w;
}

static const char *
greeting(struct arena *a, const struct notice *n)
{
    enum appeal_language l = n->ap->language;
    const char *name = n->ap->contact_name;
    if (!name || !name[0])
        return i18n_get(l, N_("Hello,"));
    return tf(a, l, N_("Dear {name},"), (const char *const[]){"name", name, NULL});
}

static const char *
track_url(struct arena *a, const struct notice *n)
{
    const char *site = n->site_url ? n->site_url : "";
    size_t len = strlen(site);
    while (len && site[len - 1] == '/')
        len--;
    return arena_printf(a, "%.*s/track/%s?%s%s%slang=%s", (int)len, site, n->ap->tracking_id,
                        n->secret ? "secret=" : "", n->secret ? n->secret : "",
                        n->secret ? "&" : "", i18n_lang_code(n->ap->language));
}

/* One label and value per row of the summary table. */
struct fact {
    const char *label, *value;
};

static size_t
facts_of(struct arena *a, const struct notice *n, struct fact f[4])
{
    enum appeal_language l = n->ap->language;
    size_t k = 0;
    f[k++] = (struct fact){i18n_get(l, N_("Registration number")), n->ap->reg_number};
    f[k++] = (struct fact){i18n_get(l, N_("Tracking number")), n->ap->tracking_id};
    if (n->agency_name)
        f[k++] = (struct fact){i18n_get(l, N_("Responsible body")), n->agency_name};
    if (n->kind != NOTICE_ANSWERED && n->ap->due_at) {
        char *d = arena_alloc(a, 48);
        i18n_date(l, n->ap->due_at, d);
        f[k++] = (struct fact){i18n_get(l, N_("Answer due by")), d};
    }
    return k;
}

/* ---- the plain-text part ---- */

static void
text_part(struct buf *b, struct arena *a, const struct notice *n, const struct words *w)
{
    enum appeal_language l = n->ap->language;
    struct fact f[4];
    size_t k = facts_of(a, n, f);
    buf_printf(b, "%s\n\n%s\n\n", greeting(a, n), w->lead);
    for (size_t i = 0; i < k; i++)
        buf_printf(b, "%s: %s\n", f[i].label, f[i].value ? f[i].value : "");
    if (w->block)
        buf_printf(b, "\n%s:\n%s\n", w->block_title, w->block);
    buf_printf(b, "\n%s:\n%s\n", i18n_get(l, N_("Your appeal")), n->ap->text ? n->ap->text : "");
    if (n->ap->address && n->ap->address[0])
        buf_printf(b, "%s: %s\n", i18n_get(l, N_("Address")), n->ap->address);
    buf_printf(b, "\n%s:\n%s\n\n-- \n%s\n",
               i18n_get(l, N_("Follow your appeal on the tracking page")), track_url(a, n),
               i18n_get(l, N_("This message was sent automatically. Do not reply to it: "
                              "follow your appeal on the tracking page.")));
}

/* ---- the HTML part: literals of this file are the only markup ---- */

#define TD_TEXT                                                                                    \
    "font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:24px;color:#0b0c0c;"

static void
html_part(struct buf *b, struct arena *a, const struct notice *n, const struct words *w)
{
    enum appeal_language l = n->ap->language;
    struct fact f[4];
    size_t k = facts_of(a, n, f);
    buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
    html_escape(b, i18n_lang_code(l));
    buf_puts(b, "\"><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
    html_escape(b, w->subject);
    buf_puts(b, "</title></head>\n<body style=\"margin:0;padding:0;background-color:#f3f2f1;\">\n"
                "<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
                "border=\"0\" style=\"background-color:#f3f2f1;\"><tr>"
                "<td align=\"center\" style=\"padding:24px 12px;\">\n"
                "<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" "
                "border=\"0\" style=\"width:100%;max-width:600px;background-color:#ffffff;"
                "border-top:8px solid #1d70b8;\"><tr><td style=\"padding:24px;" TD_TEXT "\">\n"
                "<p style=\"margin:0 0 16px 0;font-size:24px;line-height:30px;font-weight:bold;\">"
                "tyndau</p>\n<p style=\"margin:0 0 16px 0;\">");
    html_escape(b, greeting(a, n));
    buf_puts(b, "</p>\n<p style=\"margin:0 0 16px 0;\">");
    html_escape(b, w->lead);
    buf_puts(b, "</p>\n<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" "
                "cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;"
                "margin:0 0 16px 0;\">\n");
    for (size_t i = 0; i < k; i++) {
        buf_puts(b, "<tr><td style=\"padding:8px 8px 8px 0;border-bottom:1px solid #b1b4b6;"
                    "font-weight:bold;width:40%;vertical-align:top;" TD_TEXT "\">");
        html_escape(b, f[i].label);
        buf_puts(b, "</td><td style=\"padding:8px 0;border-bottom:1px solid #b1b4b6;"
                    "vertical-align:top;" TD_TEXT "\">");
        html_escape(b, f[i].value);
        buf_puts(b, "</td></tr>\n");
    }
    buf_puts(b, "</table>\n");
    if (w->block) {
        buf_puts(b, "<p style=\"margin:0 0 8px 0;font-weight:bold;\">");
        html_escape(b, w->block_title);
        buf_puts(b, "</p>\n<p data-part=\"block\" style=\"margin:0 0 16px 0;padding:0 0 0 12px;"
                    "border-left:4px solid #1d70b8;white-space:pre-wrap;\">");
        html_escape(b, w->block);
        buf_puts(b, "</p>\n");
    }
    buf_puts(b, "<p style=\"margin:0 0 8px 0;font-weight:bold;\">");
    html_escape(b, i18n_get(l, N_("Your appeal")));
    buf_puts(b, "</p>\n<p data-part=\"text\" style=\"margin:0 0 16px 0;padding:0 0 0 12px;"
                "border-left:4px solid #b1b4b6;white-space:pre-wrap;\">");
    html_escape(b, n->ap->text);
    buf_puts(b, "</p>\n");
    if (n->ap->address && n->ap->address[0]) {
        buf_puts(b, "<p style=\"margin:0 0 16px 0;\"><strong>");
        html_escape(b, i18n_get(l, N_("Address")));
        buf_puts(b, ":</strong> <span data-part=\"address\">");
        html_escape(b, n->ap->address);
        buf_puts(b, "</span></p>\n");
    }
    buf_puts(b, "<p style=\"margin:24px 0 16px 0;\"><a href=\"");
    html_escape(b, track_url(a, n));
    buf_puts(b, "\" style=\"color:#1d70b8;font-weight:bold;\">");
    html_escape(b, i18n_get(l, N_("Follow your appeal on the tracking page")));
    buf_puts(b, "</a></p>\n<p style=\"margin:0;font-size:14px;line-height:20px;color:#505a5f;\">");
    html_escape(b, i18n_get(l, N_("This message was sent automatically. Do not reply to it: "
                                  "follow your appeal on the tracking page.")));
    buf_puts(b, "</p>\n</td></tr></table>\n</td></tr></table>\n</body>\n</html>\n");
}

/* ---- MIME ---- */

/* s with every line ended by CRLF, the canonical form of text before base64. */
static void
put_crlf(struct buf *b, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r'))
            buf_putc(b, '\r');
        buf_putc(b, *p);
    }
}

/* s (len bytes) in base64, lines of B64_LINE characters ended by CRLF. */
static void
put_base64(struct buf *b, const char *s, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *enc = xmalloc(cap);
    sodium_bin2base64(enc, cap, (const unsigned char *)s, len, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(enc);
    for (size_t i = 0; i < n; i += B64_LINE) {
        buf_append(b, enc + i, n - i < B64_LINE ? n - i : B64_LINE);
        buf_puts(b, "\r\n");
    }
    free(enc);
}

/* The subject as RFC 2047 encoded-words, split between UTF-8 sequences. */
static void
put_subject(struct buf *b, const char *s)
{
    buf_puts(b, "Subject:");
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t k = len - i < SUBJECT_CHUNK ? len - i : SUBJECT_CHUNK;
        while (k > 1 && i + k < len && ((unsigned char)s[i + k] & 0xc0) == 0x80)
            k--;
        char enc[sodium_base64_ENCODED_LEN(SUBJECT_CHUNK, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(enc, sizeof(enc), (const unsigned char *)s + i, k,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(b, "%s=?UTF-8?B?%s?=", i ? "\r\n " : " ", enc);
        i += k;
    }
    buf_puts(b, "\r\n");
}

/* "Sat, 28 Nov 2026 10:38:38 +0500": Almaty time, as RFC 5322 writes it. */
static void
put_date(struct buf *b, int64_t t)
{
    static const char *const wd[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int32_t off = tm_almaty_offset(t);
    int64_t local = t + off;
    int32_t day = (int32_t)(local >= 0 ? local / TM_DAY : (local - TM_DAY + 1) / TM_DAY);
    int64_t sec = local - (int64_t)day * TM_DAY;
    int y, m, d;
    tm_civil_from_days(day, &y, &m, &d);
    buf_printf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n", wd[tm_weekday(day) - 1],
               d, mon[m - 1], y, (int)(sec / 3600), (int)(sec / 60 % 60), (int)(sec % 60),
               off < 0 ? '-' : '+', (int)(labs(off) / 3600), (int)(labs(off) / 60 % 60));
}

char *
mail_render(const struct notice *n)
{
    const char *from = n->from ? n->from : "tyndau@localhost";
    if (!mail_address_ok(n->ap->contact_email) || !mail_address_ok(from) || !n->ap->tracking_id)
        return NULL;
    struct arena *a = arena_new();
    struct words w = words_of(a, n);
    struct buf text = BUF_INIT(MAIL_MAX), html = BUF_INIT(MAIL_MAX), msg = BUF_INIT(MAIL_MAX);
    struct buf part = BUF_INIT(MAIL_MAX);
    text_part(&part, a, n, &w);
    put_crlf(&text, part.p ? part.p : "");
    bool failed = buf_failed(&part);
    buf_reset(&part);
    html_part(&part, a, n, &w);
    put_crlf(&html, part.p ? part.p : "");
    failed = failed || buf_failed(&part);
    buf_fini(&part);
    char id[(16 * 8 + 4) / 5 + 1], boundary[(12 * 8 + 4) / 5 + 1];
    rnd_token(id, 16);
    rnd_token(boundary, 12);
    buf_printf(&msg, "From: %s\r\nTo: %s\r\n", from, n->ap->contact_email);
    put_subject(&msg, w.subject);
    put_date(&msg, n->now);
    buf_printf(&msg,
               "Message-ID: <%s.%s%s>\r\n"
               "MIME-Version: 1.0\r\n"
               "Auto-Submitted: auto-generated\r\n"
               "Content-Language: %s\r\n"
               "Content-Type: multipart/alternative; boundary=\"=_%s\"\r\n"
               "\r\n"
               "--=_%s\r\n"
               "Content-Type: text/plain; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               id, n->ap->tracking_id, strchr(from, '@'), i18n_lang_code(n->ap->language), boundary,
               boundary);
    put_base64(&msg, text.p ? text.p : "", text.len);
    buf_printf(&msg,
               "--=_%s\r\n"
               "Content-Type: text/html; charset=UTF-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary);
    put_base64(&msg, html.p ? html.p : "", html.len);
    buf_printf(&msg, "--=_%s--\r\n", boundary);
    char *out = NULL;
    if (!failed && !buf_failed(&text) && !buf_failed(&html) && !buf_failed(&msg))
        out = buf_detach(&msg, NULL);
    buf_fini(&text);
    buf_fini(&html);
    buf_fini(&msg);
    arena_free(a);
    return out;
}
