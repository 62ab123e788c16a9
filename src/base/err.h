/*
 * err.h - the one error enum of tyndau and its names. Exports enum err,
 * err_name() and err_status() (the HTTP status each error maps to).
 */
#ifndef BASE_ERR_H
#define BASE_ERR_H

enum err {
    ERR_OK,
    ERR_INVALID,       /* malformed input */
    ERR_NOTFOUND,      /* no such object (or not visible to the caller) */
    ERR_CONFLICT,      /* state does not allow it, or a unique key exists */
    ERR_TOOBIG,        /* over a size or count limit */
    ERR_UNAVAILABLE,   /* shutting down, overloaded, backend down */
    ERR_STORE,         /* the database failed */
    ERR_DENIED,        /* authenticated but not allowed */
    ERR_UNAUTH,        /* no or bad credentials */
    ERR_RATE,          /* rate limit exceeded */
    ERR_UNPROCESSABLE, /* well-formed but semantically wrong */
    ERR_IO,            /* file or socket failed */
    ERR__COUNT
};

/* Short lowercase name of e, e.g. "notfound". Never NULL. */
const char *err_name(enum err e);
/* HTTP status for e (200 for ERR_OK). */
int err_status(enum err e);

#endif
