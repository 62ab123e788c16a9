/*
 * webfiles.h - the files under web/ (catalogs, our stylesheet and script)
 * and govuk-frontend's compiled CSS and JS, embedded in the binary at build
 * time by scripts/embed-web.sh so that it serves them without a file system.
 * Exports struct webfile, webfiles, webfiles_count and webfile_find().
 */
#ifndef HTTP_WEBFILES_H
#define HTTP_WEBFILES_H

#include <stddef.h>

struct webfile {
    const char *name;          /* "i18n/kk.po", "static/tyndau.css", "govuk-frontend.min.css" */
    const unsigned char *data; /* NUL-terminated, len bytes before it */
    size_t len;
};

/* Generated: every embedded file, sorted by name. */
extern const struct webfile webfiles[];
extern const size_t webfiles_count;

/* The file called name, or NULL. */
const struct webfile *webfile_find(const char *name);

#endif
