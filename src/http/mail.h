/*
 * mail.h - e-mail notices to citizens, rendered for the outbox: one whole
 * RFC 5322 message, multipart/alternative with a plain-text part and an
 * e-mail-safe HTML part (table layout, inline styles only, no script, no
 * external images, fonts or style sheets, every user-editable value
 * escaped, the one link to our own tracking page), both UTF-8 in base64,
 * in the appeal's language from the message catalogs (i18n.h). Rendering
 * lives in http/ beside the catalogs and html_escape(); the app reaches it
 * through app_opts.notice_render. Exports mail_render(),
 * mail_address_ok() and MAIL_MAX.
 */
#ifndef HTTP_MAIL_H
#define HTTP_MAIL_H

#include <stdbool.h>

#include "app/app.h"

enum { MAIL_MAX = 1 << 20 /* bytes of one rendered message */ };

/* The message for n with CRLF line ends, malloc'd (caller frees); NULL if
 * the recipient or sender address is not mail_address_ok() or the message
 * would pass MAIL_MAX. n->site_url NULL: links are relative. */
char *mail_render(const struct notice *n);
/* Is a a plain addr-spec safe to put in a header: printable ASCII without
 * spaces, quotes, angle brackets, commas, semicolons or backslashes, one @
 * with something on both sides, at most 254 bytes? NULL is not. */
bool mail_address_ok(const char *a);

#endif
