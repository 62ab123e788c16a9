/*
 * err.c - names and HTTP statuses of enum err. Exports err_name() and err_status().
 */
#include "base/err.h"

#include "base/util.h"

static const struct {
    int status;
    const char *name;
} err_info[] = {
    [ERR_OK] = {200, "ok"},
    [ERR_INVALID] = {400, "invalid"},
    [ERR_NOTFOUND] = {404, "notfound"},
    [ERR_CONFLICT] = {409, "conflict"},
    [ERR_TOOBIG] = {413, "toobig"},
    [ERR_UNAVAILABLE] = {503, "unavailable"},
    [ERR_STORE] = {500, "store"},
    [ERR_DENIED] = {403, "denied"},
    [ERR_UNAUTH] = {401, "unauthorized"},
    [ERR_RATE] = {429, "rate"},
    [ERR_UNPROCESSABLE] = {422, "unprocessable"},
    [ERR_IO] = {500, "io"},
};
_Static_assert(ARRAY_LEN(err_info) == ERR__COUNT, "err_info out of date");

const char *
err_name(enum err e)
{
    if ((unsigned)e >= ERR__COUNT)
        return "unknown";
    return err_info[e].name;
}

int
err_status(enum err e)
{
    if ((unsigned)e >= ERR__COUNT)
        return 500;
    return err_info[e].status;
}
