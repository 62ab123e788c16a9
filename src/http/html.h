/*
 * html.h - server-rendered HTML pages: a builder that escapes every dynamic
 * value by construction, the page layout (skip link, header with the
 * product name and the kk/ru/en switcher, main landmark, footer with
 * credits), govuk-frontend form components (labels, hints, error summary,
 * inline errors), CSRF tokens for forms, the language of the page, and
 * error pages. docs/pages.md shows how to add a page.
 *
 * The rule: markup is written only with html_raw(), whose argument must be a
 * string literal (a greppable marker: nothing built at run time goes through
 * it); everything else (text, attribute values, URLs, messages from the
 * catalogs) goes through html_text(), html_attr() and the components, which
 * escape & < > " ' and drop NUL bytes.
 *
 * Exports struct page, struct html_field, struct html_option,
 * struct html_error, page_init(), page_t(), page_tn(), page_tf(),
 * page_url(), page_begin(), page_end(), page_reply(), page_redirect(),
 * page_error(), page_form_guard(), html_raw(), html_text(), html_attr(),
 * html_t(), html_link(), html_form_begin(), html_form_end(),
 * html_error_summary(), html_input(), html_select(), html_radios(),
 * html_checkbox(), html_button(), html_summary_row(), html_escape(), and
 * from page_assets.c asset_url() and h_asset().
 */
#ifndef HTTP_HTML_H
#define HTTP_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "base/buf.h"
#include "domain/appeal.h"
#include "http/form.h"
#include "http/http_int.h"
#include "http/i18n.h"

enum {
    PAGE_MAX = 4 << 20,  /* bytes of one page */
    PAGE_ERRORS_MAX = 16 /* entries in one error summary */
};

/* One page being built for request r; everything it allocates lives in the
 * request arena, except b (freed or handed over by page_reply()). */
struct page {
    struct req *r;
    struct buf b;
    enum appeal_language lang;
    const char *csrf; /* this browser's form token */
    const char *self; /* path the language links point to; NULL: this GET URL */
};

/* A label, hint, value and error for one form control. Every string is text:
 * the components escape it. */
struct html_field {
    const char *name;  /* form field name; also the id of the control */
    const char *label; /* translated */
    const char *hint;  /* translated, or NULL */
    const char *value; /* the user's input to show again, or NULL */
    const char *error; /* translated message, or NULL */
    const char *type;  /* input type: "text" (NULL), "email", "tel" ... */
    const char *autocomplete;
    const char *inputmode;
    int rows;        /* > 0: a textarea of that many rows */
    bool heading;    /* radios: the legend is the page's h1 */
    const char *cls; /* extra class on the input ("govuk-input--width-10") */
};

struct html_option {
    const char *value;
    const char *label; /* translated text */
    const char *hint;  /* radios only; translated, or NULL */
};

struct html_error {
    const char *field; /* the control's id */
    const char *msg;   /* translated */
};

/* Pick the page's language (form or ?lang=, lang cookie, Accept-Language)
 * and its CSRF token; sets the cookies that need setting. f may be NULL. */
void page_init(struct page *p, struct req *r, const struct form *f);
/* msgid in the page's language (unescaped; it goes through the escaping
 * calls like any other text). */
const char *page_t(const struct page *p, const char *msgid);
const char *page_tn(const struct page *p, const char *msgid, const char *plural, int64_t n);
/* msgid translated, then its {name}s filled from kv (name, value, ..., NULL). */
const char *page_tf(struct page *p, const char *msgid, const char *const *kv);
/* path plus "?k=v&..." from kv (name, value, ... NULL; a NULL or empty
 * value is left out), values percent-encoded. Lives in the request arena. */
const char *page_url(struct page *p, const char *path, const char *const *kv);

/* The document up to the opening of <main>; title is translated text. */
void page_begin(struct page *p, const char *title);
/* Close main, the footer, the scripts and the document. */
void page_end(struct page *p);
/* Send the page with status (text/html; Content-Language). */
enum handled page_reply(struct page *p, unsigned status);
/* 303 See Other to location (a path we built). */
enum handled page_redirect(struct req *r, const char *location);
/* A whole page that says what went wrong: title and body are msgids. */
enum handled page_error(struct req *r, unsigned status, const char *title, const char *body);
/* For form posts (http_route_is_form()): the body must be a urlencoded form with the
 * right csrf field (the session's token when signed in by cookie, else the
 * tyndau_csrf cookie's). Parses it into r->form. HANDLED_DONE after setting an
 * error page; HANDLED_WAIT to go on. */
enum handled page_form_guard(struct req *r);

/* Trusted markup: the argument is always a string literal. */
void html_raw(struct page *p, const char *markup);
/* Escaped text (NULL writes nothing). */
void html_text(struct page *p, const char *s);
/* ` name="value"` with value escaped (NULL value: nothing). */
void html_attr(struct page *p, const char *name, const char *value);
/* page_t(msgid), escaped. */
void html_t(struct page *p, const char *msgid);
/* <a class="govuk-link" href="href">text</a>, both escaped. */
void html_link(struct page *p, const char *href, const char *text);
/* Append s escaped for text and attribute contexts to b. */
void html_escape(struct buf *b, const char *s);

/* <form> with the hidden csrf and lang fields (post) or lang only (get). */
void html_form_begin(struct page *p, const char *method, const char *action);
void html_form_end(struct page *p);
/* The govuk error summary for errs (nothing when count is 0); the page's
 * title should then start with "Error: ". */
void html_error_summary(struct page *p, const struct html_error *errs, size_t count);
/* A text input, or a textarea when f->rows > 0. */
void html_input(struct page *p, const struct html_field *f);
void html_select(struct page *p, const struct html_field *f, const struct html_option *opts,
                 size_t count);
/* Radios in a fieldset whose legend is f->label; f->value is the checked value. */
void html_radios(struct page *p, const struct html_field *f, const struct html_option *opts,
                 size_t count);
/* One checkbox in a fieldset; checked when f->value is non-NULL. */
void html_checkbox(struct page *p, const struct html_field *f, const char *legend,
                   const char *value);
void html_button(struct page *p, const char *label, bool secondary);
/* One row of a govuk summary list: key and value are text. */
void html_summary_row(struct page *p, const char *key, const char *value);

/* ---- words shared by pages (page_words.c), all in the page's language ---- */
const char *page_status(const struct page *p, enum appeal_status s);
const char *page_action(const struct page *p, enum appeal_action a);
const char *page_kind(const struct page *p, enum appeal_kind k);
const char *page_channel(const struct page *p, enum appeal_channel c);
/* Reference names; the code itself when unknown, NULL for NULL. */
const char *page_region(const struct page *p, const char *kato);
const char *page_topic(const struct page *p, const char *code);
const char *page_agency(const struct page *p, const char *code);
const char *page_date(struct page *p, int64_t t);
const char *page_datetime(struct page *p, int64_t t);
const char *page_number(struct page *p, int64_t n);
/* "due by 18 December 2026, in 9 working days" (or today, or how long ago). */
const char *page_due(struct page *p, int64_t due_at);
/* "given on 2 December 2026, within the deadline" (or after it, naming it). */
const char *page_answered(struct page *p, int64_t answered_at, int64_t due_at);
/* The "Answer" row of an appeal's summary list: when it is due while it is
 * open and unanswered, when it was given once answered, none otherwise. */
void page_answer_row(struct page *p, const struct appeal_view *v);
/* When a timeline event happened, as text. An appeal filed on a day off is
 * registered as of the next working day: its registration shows the time it
 * was filed, and *note (else NULL) says the registration date. */
const char *page_event_when(struct page *p, const struct appeal *ap, const struct appeal_event *ev,
                            const char **note);
/* The regions and topics as options, in the page's language, sorted by
 * name; first is an extra option with value "" (NULL: none). */
struct html_option *page_region_options(struct page *p, const char *first, size_t *count);
struct html_option *page_topic_options(struct page *p, const char *first, size_t *count);

/* ---- the officials' workspace (page_work.c) ---- */
/* A page route the caller may not use unsigned in: GET goes to /work/login
 * (and back after signing in); a form post is answered with a 401 page. */
enum handled page_sign_in(struct req *r);
/* Who is signed in, links to the queue (and intake for operators), sign out. */
void page_work_bar(struct page *p);

/* "/assets/NAME?v=HASH" for an embedded file name ("tyndau.css"); the hash
 * (of the content) changes when the file does, so the URL may be cached for
 * a year. NULL if there is no such asset. */
const char *asset_url(const char *name);

#endif
