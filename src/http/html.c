/*
 * html.c - the page builder of html.h: escaping, the layout, govuk-frontend
 * form components, CSRF tokens and the language of a page, error pages.
 */
#include "http/html.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/log.h"
#include "base/rnd.h"
#include "base/util.h"

enum { CSRF_BYTES = 16, CSRF_LEN = (CSRF_BYTES * 8 + 4) / 5 };

static const char CSRF_COOKIE[] = "tyndau_csrf";
static const char LANG_COOKIE[] = "lang";

/* ---- escaping ---- */

void
html_escape(struct buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (const char *p = s; *p; p++) {
        const char *rep;
        switch (*p) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, run, (size_t)(p - run));
        buf_puts(b, rep);
        run = p + 1;
    }
    buf_puts(b, run);
}

void
html_raw(struct page *p, const char *markup)
{
    buf_puts(&p->b, markup);
}

void
html_text(struct page *p, const char *s)
{
    html_escape(&p->b, s);
}

void
html_attr(struct page *p, const char *name, const char *value)
{
    if (!value)
        return;
    buf_putc(&p->b, ' ');
    buf_puts(&p->b, name); /* attribute names are literals of ours */
    buf_puts(&p->b, "=\"");
    html_escape(&p->b, value);
    buf_putc(&p->b, '"');
}

const char *
page_t(const struct page *p, const char *msgid)
{
    return i18n_get(p->lang, msgid);
}

const char *
page_tn(const struct page *p, const char *msgid, const char *plural, int64_t n)
{
    return i18n_nget(p->lang, msgid, plural, n);
}

const char *
page_tf(struct page *p, const char *msgid, const char *const *kv)
{
    return i18n_fill(p->r->arena, page_t(p, msgid), kv);
}

void
html_t(struct page *p, const char *msgid)
{
    html_text(p, page_t(p, msgid));
}

void
html_link(struct page *p, const char *href, const char *text)
{
    html_raw(p, "<a class=\"govuk-link\"");
    html_attr(p, "href", href);
    html_raw(p, ">");
    html_text(p, text);
    html_raw(p, "</a>");
}

/* ---- URLs ---- */

static void
url_encode(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *q = (const unsigned char *)s; *q; q++) {
        if ((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
            *q == '-' || *q == '_' || *q == '.' || *q == '~') {
            buf_putc(b, (char)*q);
        } else {
            buf_putc(b, '%');
            buf_putc(b, hex[*q >> 4]);
            buf_putc(b, hex[*q & 15]);
        }
    }
}

const char *
page_url(struct page *p, const char *path, const char *const *kv)
{
    struct buf b = BUF_INIT(1 << 16);
    buf_puts(&b, path);
    char sep = '?';
    for (size_t i = 0; kv && kv[i]; i += 2) {
        if (!kv[i + 1] || !*kv[i + 1])
            continue;
        buf_putc(&b, sep);
        url_encode(&b, kv[i]);
        buf_putc(&b, '=');
        url_encode(&b, kv[i + 1]);
        sep = '&';
    }
    const char *s = arena_strndup(p->r->arena, b.p ? b.p : path, b.p ? b.len : strlen(path));
    buf_fini(&b);
    return s;
}

/* ---- language and CSRF ---- */

static bool
token_ok(const char *t)
{
    if (!t || strlen(t) != CSRF_LEN)
        return false;
    for (const char *q = t; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= '2' && *q <= '7')))
            return false;
    return true;
}

static const char *
cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static void
set_cookie(struct req *r, const char *name, const char *value, bool http_only)
{
    http_add_header(r, "Set-Cookie",
                    arena_printf(r->arena, "%s=%s; Path=/; Max-Age=31536000; SameSite=Lax%s%s",
                                 name, value, http_only ? "; HttpOnly" : "",
                                 r->behind_tls ? "; Secure" : ""));
}

void
page_init(struct page *p, struct req *r, const struct form *f)
{
    memset(p, 0, sizeof(*p));
    p->r = r;
    p->b = BUF_INIT(PAGE_MAX);
    const char *asked = f ? form_get(f, "lang") : NULL;
    if (!asked)
        asked = http_query(r, "lang");
    const char *had = cookie(r, LANG_COOKIE);
    p->lang = i18n_pick(
        asked, had,
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_LANGUAGE));
    enum appeal_language l;
    /* An explicit choice is remembered; a guess from the browser is not. */
    if (i18n_lang_parse(asked, &l) == ERR_OK && (!had || strcmp(had, asked) != 0))
        set_cookie(r, LANG_COOKIE, i18n_lang_code(l), false);
    if (r->via_cookie && r->csrf) {
        p->csrf = r->csrf;
    } else if (token_ok(cookie(r, CSRF_COOKIE))) {
        p->csrf = arena_strdup(r->arena, cookie(r, CSRF_COOKIE));
    } else {
        char *t = arena_alloc(r->arena, CSRF_LEN + 1);
        rnd_token(t, CSRF_BYTES);
        p->csrf = t;
        set_cookie(r, CSRF_COOKIE, t, true);
    }
}

enum handled
page_form_guard(struct req *r)
{
    const char *ct =
        MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    static const char urlenc[] = "application/x-www-form-urlencoded";
    if (!ct || strncasecmp(ct, urlenc, sizeof(urlenc) - 1) != 0 ||
        (ct[sizeof(urlenc) - 1] && ct[sizeof(urlenc) - 1] != ';'))
        return page_error(r, 415, N_("This form cannot be read"),
                          N_("Send the form from this site's pages."));
    struct form *f = ARENA_NEW(r->arena, struct form);
    enum err e = form_parse(r->arena, (struct str){r->body.p, r->body.len}, f);
    if (e == ERR_TOOBIG)
        return page_error(r, 413, N_("The form is too large"),
                          N_("Shorten what you typed and send the form again."));
    if (e)
        return page_error(r, 400, N_("This form cannot be read"),
                          N_("Send the form from this site's pages."));
    r->form = f;
    const char *want = r->via_cookie ? r->csrf : cookie(r, CSRF_COOKIE);
    const char *got = form_get(f, "csrf");
    if (!want || !token_ok(want) || !got || strlen(got) != strlen(want) ||
        sodium_memcmp(got, want, strlen(want)) != 0) {
        log_info("http: form refused: %s csrf token", want ? "wrong" : "no");
        return page_error(r, 403, N_("The form has expired"),
                          N_("Your browser must accept cookies from this site to send forms. "
                             "Open the page again and send the form from there."));
    }
    return HANDLED_WAIT;
}

/* ---- the layout ---- */

struct lang_arg {
    struct page *p;
    struct buf *b;
    char sep;
};

static enum MHD_Result
keep_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct lang_arg *a = cls;
    (void)kind;
    if (!key || strcmp(key, "lang") == 0)
        return MHD_YES;
    buf_putc(a->b, a->sep);
    url_encode(a->b, key);
    buf_putc(a->b, '=');
    url_encode(a->b, value ? value : "");
    a->sep = '&';
    return MHD_YES;
}

/* The URL of this page in language l. */
static const char *
lang_url(struct page *p, enum appeal_language l)
{
    struct buf b = BUF_INIT(1 << 16);
    struct lang_arg a = {p, &b, '?'};
    if (p->self) {
        buf_puts(&b, p->self);
        a.sep = strchr(p->self, '?') ? '&' : '?';
    } else {
        buf_puts(&b, p->r->url);
        MHD_get_connection_values(p->r->conn, MHD_GET_ARGUMENT_KIND, keep_arg, &a);
    }
    buf_printf(&b, "%clang=%s", a.sep, i18n_lang_code(l));
    const char *s = buf_failed(&b) ? "/" : arena_strndup(p->r->arena, b.p, b.len);
    buf_fini(&b);
    return s;
}

static void
stylesheet(struct page *p, const char *name)
{
    html_raw(p, "<link rel=\"stylesheet\"");
    html_attr(p, "href", asset_url(name));
    html_raw(p, ">\n");
}

void
page_begin(struct page *p, const char *title)
{
    /* Each language's own name: the same on every page. */
    static const char *const names[LANG__COUNT] = {
        [LANG_KK] = "Қазақша", [LANG_RU] = "Русский", [LANG_EN] = "English"};
    html_raw(p, "<!DOCTYPE html>\n<html class=\"govuk-template\"");
    html_attr(p, "lang", i18n_lang_code(p->lang));
    html_raw(p, ">\n<head>\n<meta charset=\"utf-8\">\n<title>");
    html_text(p, title);
    html_raw(p, " – tyndau</title>\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<meta name=\"theme-color\" content=\"#00558a\">\n");
    stylesheet(p, "govuk-frontend.min.css");
    stylesheet(p, "tyndau.css");
    html_raw(p, "<script type=\"module\"");
    html_attr(p, "src", asset_url("tyndau.js"));
    html_raw(p, "></script>\n</head>\n<body class=\"govuk-template__body\">\n"
                "<a href=\"#main-content\" class=\"govuk-skip-link\" "
                "data-module=\"govuk-skip-link\">");
    html_t(p, N_("Skip to main content"));
    html_raw(p, "</a>\n<header class=\"govuk-header tyndau-header\">\n"
                "<div class=\"govuk-header__container govuk-width-container tyndau-header__bar\">\n"
                "<div class=\"govuk-header__logo\"><a class=\"govuk-header__link "
                "govuk-header__link--homepage tyndau-logo\"");
    html_attr(p, "href",
              page_url(p, "/", (const char *const[]){"lang", i18n_lang_code(p->lang), NULL}));
    html_raw(p, "><span class=\"tyndau-logo__mark\" aria-hidden=\"true\"></span>"
                "<span class=\"tyndau-logo__name\">tyndau</span></a></div>\n"
                "<div class=\"govuk-header__content\"><span class=\"govuk-header__service-name\">");
    html_t(p, N_("Appeals to state bodies"));
    html_raw(p, "</span></div>\n<nav class=\"tyndau-langs\"");
    html_attr(p, "aria-label", page_t(p, N_("Language")));
    html_raw(p, "><ul class=\"tyndau-langs__list\">");
    for (int l = 0; l < LANG__COUNT; l++) {
        html_raw(p, "<li class=\"tyndau-langs__item\">");
        if (l == (int)p->lang) {
            html_raw(p, "<span class=\"tyndau-langs__current\" aria-current=\"true\"");
            html_attr(p, "lang", i18n_lang_code((enum appeal_language)l));
            html_raw(p, ">");
            html_text(p, names[l]);
            html_raw(p, "</span>");
        } else {
            html_raw(p, "<a class=\"govuk-link tyndau-langs__link\"");
            html_attr(p, "href", lang_url(p, (enum appeal_language)l));
            html_attr(p, "lang", i18n_lang_code((enum appeal_language)l));
            html_attr(p, "hreflang", i18n_lang_code((enum appeal_language)l));
            html_raw(p, ">");
            html_text(p, names[l]);
            html_raw(p, "</a>");
        }
        html_raw(p, "</li>");
    }
    html_raw(p, "</ul></nav>\n</div>\n</header>\n"
                "<div class=\"govuk-width-container\">\n"
                "<nav class=\"tyndau-nav\"");
    html_attr(p, "aria-label", page_t(p, N_("Sections")));
    html_raw(p, "><ul class=\"govuk-list tyndau-nav__list\"><li>");
    const char *const lang[] = {"lang", i18n_lang_code(p->lang), NULL};
    html_link(p, page_url(p, "/", lang), page_t(p, N_("Send an appeal")));
    html_raw(p, "</li><li>");
    html_link(p, page_url(p, "/answered", lang), page_t(p, N_("Answered appeals")));
    html_raw(p, "</li></ul></nav>\n"
                "<main class=\"govuk-main-wrapper\" id=\"main-content\">\n");
}

void
page_end(struct page *p)
{
    html_raw(p, "</main>\n</div>\n<footer class=\"govuk-footer tyndau-footer\">\n"
                "<div class=\"govuk-width-container\">\n<div class=\"govuk-footer__meta\">\n"
                "<div class=\"govuk-footer__meta-item govuk-footer__meta-item--grow\">\n"
                "<h2 class=\"govuk-visually-hidden\">");
    html_t(p, N_("About this service"));
    html_raw(p, "</h2>\n<p class=\"govuk-body-s\">");
    html_t(p, N_("tyndau registers appeals to state bodies of Kazakhstan and tracks them "
                 "until they are answered, within the deadlines set by law."));
    html_raw(p, "</p>\n<p class=\"govuk-body-s\">");
    const char *const kv[] = {"govuk", "GOV.UK Frontend", "geo", "geokz (A. Rodionov)", NULL};
    html_text(
        p, page_tf(p, N_("Built with {govuk} (MIT licence). Region data: {geo}, CC BY 4.0."), kv));
    html_raw(p, " ");
    html_link(p, asset_url("licences.txt"), page_t(p, N_("Licences")));
    html_raw(p, "</p>\n</div>\n</div>\n</div>\n</footer>\n</body>\n</html>\n");
}

enum handled
page_reply(struct page *p, unsigned status)
{
    struct req *r = p->r;
    if (buf_failed(&p->b)) {
        buf_fini(&p->b);
        log_error("http: page %s is larger than %d bytes", r->url, PAGE_MAX);
        return http_problem(r, 500, "internal", "the page is too large", NULL);
    }
    http_add_header(r, "Content-Language", i18n_lang_code(p->lang));
    http_add_header(r, "Vary", "Cookie, Accept-Language");
    size_t len;
    char *s = buf_detach(&p->b, &len);
    return http_reply(r, status, "text/html; charset=utf-8", s, len);
}

enum handled
page_redirect(struct req *r, const char *location)
{
    http_add_header(r, "Location", location);
    return http_reply(r, 303, "text/plain; charset=utf-8", NULL, 0);
}

enum handled
page_error(struct req *r, unsigned status, const char *title, const char *body)
{
    struct page p;
    page_init(&p, r, r->form);
    page_begin(&p, page_t(&p, title));
    html_raw(&p, "<h1 class=\"govuk-heading-l\">");
    html_t(&p, title);
    html_raw(&p, "</h1>\n<p class=\"govuk-body\">");
    html_t(&p, body);
    html_raw(&p, "</p>\n<p class=\"govuk-body\">");
    html_link(&p, "/", page_t(&p, N_("Go to the start page")));
    html_raw(&p, "</p>\n");
    page_end(&p);
    return page_reply(&p, status);
}

/* ---- forms ---- */

void
html_form_begin(struct page *p, const char *method, const char *action)
{
    bool post = strcmp(method, "post") == 0;
    html_raw(p, "<form novalidate");
    html_attr(p, "method", post ? "post" : "get");
    html_attr(p, "action", action);
    html_raw(p, ">\n");
    if (post) {
        html_raw(p, "<input type=\"hidden\" name=\"csrf\"");
        html_attr(p, "value", p->csrf);
        html_raw(p, ">\n");
    }
    html_raw(p, "<input type=\"hidden\" name=\"lang\"");
    html_attr(p, "value", i18n_lang_code(p->lang));
    html_raw(p, ">\n");
}

void
html_form_end(struct page *p)
{
    html_raw(p, "</form>\n");
}

void
html_error_summary(struct page *p, const struct html_error *errs, size_t count)
{
    if (!count)
        return;
    html_raw(p, "<div class=\"govuk-error-summary\" data-module=\"govuk-error-summary\">\n"
                "<div role=\"alert\">\n<h2 class=\"govuk-error-summary__title\">");
    html_t(p, N_("There is a problem"));
    html_raw(p, "</h2>\n<div class=\"govuk-error-summary__body\">\n"
                "<ul class=\"govuk-list govuk-error-summary__list\">\n");
    for (size_t i = 0; i < count && i < PAGE_ERRORS_MAX; i++) {
        html_raw(p, "<li>");
        html_link(p, arena_printf(p->r->arena, "#%s", errs[i].field), errs[i].msg);
        html_raw(p, "</li>\n");
    }
    html_raw(p, "</ul>\n</div>\n</div>\n</div>\n");
}

/* The ids a control is described by (hint, error), or NULL. */
static const char *
described_by(struct page *p, const struct html_field *f)
{
    if (f->hint && f->error)
        return arena_printf(p->r->arena, "%s-hint %s-error", f->name, f->name);
    if (f->hint)
        return arena_printf(p->r->arena, "%s-hint", f->name);
    if (f->error)
        return arena_printf(p->r->arena, "%s-error", f->name);
    return NULL;
}

static void
group_begin(struct page *p, const struct html_field *f)
{
    html_raw(p, f->error ? "<div class=\"govuk-form-group govuk-form-group--error\">\n"
                         : "<div class=\"govuk-form-group\">\n");
}

static void
hint_and_error(struct page *p, const struct html_field *f)
{
    if (f->hint) {
        html_raw(p, "<div class=\"govuk-hint\"");
        html_attr(p, "id", arena_printf(p->r->arena, "%s-hint", f->name));
        html_raw(p, ">");
        html_text(p, f->hint);
        html_raw(p, "</div>\n");
    }
    if (f->error) {
        html_raw(p, "<p class=\"govuk-error-message\"");
        html_attr(p, "id", arena_printf(p->r->arena, "%s-error", f->name));
        html_raw(p, "><span class=\"govuk-visually-hidden\">");
        html_text(p, page_t(p, N_("Error:")));
        html_raw(p, "</span> ");
        html_text(p, f->error);
        html_raw(p, "</p>\n");
    }
}

static void
label(struct page *p, const struct html_field *f)
{
    html_raw(p, "<label class=\"govuk-label govuk-label--s\"");
    html_attr(p, "for", f->name);
    html_raw(p, ">");
    html_text(p, f->label);
    html_raw(p, "</label>\n");
}

void
html_input(struct page *p, const struct html_field *f)
{
    group_begin(p, f);
    label(p, f);
    hint_and_error(p, f);
    if (f->rows > 0) {
        html_raw(p, f->error ? "<textarea class=\"govuk-textarea govuk-textarea--error\""
                             : "<textarea class=\"govuk-textarea\"");
        html_attr(p, "id", f->name);
        html_attr(p, "name", f->name);
        html_attr(p, "rows", arena_printf(p->r->arena, "%d", f->rows));
        html_attr(p, "aria-describedby", described_by(p, f));
        html_raw(p, ">");
        html_text(p, f->value);
        html_raw(p, "</textarea>\n</div>\n");
        return;
    }
    html_raw(p, "<input");
    html_attr(p, "class",
              arena_printf(p->r->arena, "govuk-input%s%s%s", f->error ? " govuk-input--error" : "",
                           f->cls ? " " : "", f->cls ? f->cls : ""));
    html_attr(p, "id", f->name);
    html_attr(p, "name", f->name);
    html_attr(p, "type", f->type ? f->type : "text");
    html_attr(p, "value", f->value);
    html_attr(p, "autocomplete", f->autocomplete);
    html_attr(p, "inputmode", f->inputmode);
    html_attr(p, "spellcheck", f->type && strcmp(f->type, "text") != 0 ? "false" : NULL);
    html_attr(p, "aria-describedby", described_by(p, f));
    html_raw(p, ">\n</div>\n");
}

void
html_select(struct page *p, const struct html_field *f, const struct html_option *opts,
            size_t count)
{
    group_begin(p, f);
    label(p, f);
    hint_and_error(p, f);
    html_raw(p, f->error ? "<select class=\"govuk-select govuk-select--error\""
                         : "<select class=\"govuk-select\"");
    html_attr(p, "id", f->name);
    html_attr(p, "name", f->name);
    html_attr(p, "aria-describedby", described_by(p, f));
    html_raw(p, ">\n");
    for (size_t i = 0; i < count; i++) {
        html_raw(p, "<option");
        html_attr(p, "value", opts[i].value);
        if (f->value && strcmp(f->value, opts[i].value) == 0)
            html_raw(p, " selected");
        html_raw(p, ">");
        html_text(p, opts[i].label);
        html_raw(p, "</option>\n");
    }
    html_raw(p, "</select>\n</div>\n");
}

static void
fieldset_begin(struct page *p, const struct html_field *f, const char *legend)
{
    group_begin(p, f);
    html_raw(p, "<fieldset class=\"govuk-fieldset\"");
    html_attr(p, "aria-describedby", described_by(p, f));
    html_raw(p, f->heading
                    ? ">\n<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--l\">"
                      "<h1 class=\"govuk-fieldset__heading\">"
                    : ">\n<legend class=\"govuk-fieldset__legend govuk-fieldset__legend--s\">");
    html_text(p, legend);
    html_raw(p, f->heading ? "</h1></legend>\n" : "</legend>\n");
    hint_and_error(p, f);
}

void
html_radios(struct page *p, const struct html_field *f, const struct html_option *opts,
            size_t count)
{
    fieldset_begin(p, f, f->label);
    html_raw(p, "<div class=\"govuk-radios\" data-module=\"govuk-radios\">\n");
    for (size_t i = 0; i < count; i++) {
        /* The first radio carries the field's id: the error summary links to it. */
        const char *id = i ? arena_printf(p->r->arena, "%s-%zu", f->name, i + 1) : f->name;
        html_raw(p, "<div class=\"govuk-radios__item\">\n<input class=\"govuk-radios__input\"");
        html_attr(p, "id", id);
        html_attr(p, "name", f->name);
        html_raw(p, " type=\"radio\"");
        html_attr(p, "value", opts[i].value);
        if (f->value && strcmp(f->value, opts[i].value) == 0)
            html_raw(p, " checked");
        if (opts[i].hint)
            html_attr(p, "aria-describedby", arena_printf(p->r->arena, "%s-item-hint", id));
        html_raw(p, ">\n<label class=\"govuk-label govuk-radios__label\"");
        html_attr(p, "for", id);
        html_raw(p, ">");
        html_text(p, opts[i].label);
        html_raw(p, "</label>\n");
        if (opts[i].hint) {
            html_raw(p, "<div class=\"govuk-hint govuk-radios__hint\"");
            html_attr(p, "id", arena_printf(p->r->arena, "%s-item-hint", id));
            html_raw(p, ">");
            html_text(p, opts[i].hint);
            html_raw(p, "</div>\n");
        }
        html_raw(p, "</div>\n");
    }
    html_raw(p, "</div>\n</fieldset>\n</div>\n");
}

void
html_checkbox(struct page *p, const struct html_field *f, const char *legend, const char *value)
{
    fieldset_begin(p, f, legend);
    html_raw(p, "<div class=\"govuk-checkboxes\" data-module=\"govuk-checkboxes\">\n"
                "<div class=\"govuk-checkboxes__item\">\n"
                "<input class=\"govuk-checkboxes__input\" type=\"checkbox\"");
    html_attr(p, "id", f->name);
    html_attr(p, "name", f->name);
    html_attr(p, "value", value);
    if (f->value)
        html_raw(p, " checked");
    html_raw(p, ">\n<label class=\"govuk-label govuk-checkboxes__label\"");
    html_attr(p, "for", f->name);
    html_raw(p, ">");
    html_text(p, f->label);
    html_raw(p, "</label>\n</div>\n</div>\n</fieldset>\n</div>\n");
}

void
html_button(struct page *p, const char *text, bool secondary)
{
    html_raw(p, secondary
                    ? "<button type=\"submit\" class=\"govuk-button govuk-button--secondary\" "
                      "data-module=\"govuk-button\" data-prevent-double-click=\"true\">"
                    : "<button type=\"submit\" class=\"govuk-button\" "
                      "data-module=\"govuk-button\" data-prevent-double-click=\"true\">");
    html_text(p, text);
    html_raw(p, "</button>\n");
}

void
html_summary_row(struct page *p, const char *key, const char *value)
{
    html_raw(p, "<div class=\"govuk-summary-list__row\">\n<dt class=\"govuk-summary-list__key\">");
    html_text(p, key);
    html_raw(p, "</dt>\n<dd class=\"govuk-summary-list__value\">");
    html_text(p, value);
    html_raw(p, "</dd>\n</div>\n");
}
