/*
 * authcache.c - a small cache of who a session or API token belongs to, so
 * that a busy official's every request does not cost a database read. An
 * entry lives AUTHCACHE_TTL seconds; logout drops its entry at once, and a
 * token revoked in the database stops working within the TTL. Exports
 * app__authcache_get(), app__authcache_put(), app__authcache_drop().
 */
#include "app/app_int.h"

#include <string.h>

static size_t
slot_of(const unsigned char hash[32])
{
    size_t v;
    memcpy(&v, hash, sizeof(v)); /* the hash is uniform: any bytes make a good index */
    return v % AUTHCACHE_SLOTS;
}

static void
copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

bool
app__authcache_get(struct app *app, struct arena *a, const unsigned char hash[32], bool session,
                   int64_t now, struct user *u, char **csrf)
{
    bool hit = false;
    struct authcache_entry *e = &app->auth[slot_of(hash)];
    pthread_mutex_lock(&app->auth_mu);
    if (e->expires > now && e->session == session && memcmp(e->hash, hash, 32) == 0) {
        memset(u, 0, sizeof(*u));
        u->id = e->id;
        u->role = e->role;
        u->login = arena_strdup(a, e->login);
        u->agency = e->agency[0] ? arena_strdup(a, e->agency) : NULL;
        u->name = arena_strdup(a, e->name);
        if (csrf)
            *csrf = arena_strdup(a, e->csrf);
        hit = true;
    }
    pthread_mutex_unlock(&app->auth_mu);
    return hit;
}

void
app__authcache_put(struct app *app, const unsigned char hash[32], bool session, int64_t now,
                   const struct user *u, const char *csrf)
{
    struct authcache_entry *e = &app->auth[slot_of(hash)];
    /* Logins and agencies longer than the slots are never cached: read the store. */
    if ((u->login && strlen(u->login) >= sizeof(e->login)) ||
        (u->agency && strlen(u->agency) >= sizeof(e->agency)) ||
        (csrf && strlen(csrf) >= sizeof(e->csrf)))
        return;
    pthread_mutex_lock(&app->auth_mu);
    memcpy(e->hash, hash, 32);
    e->session = session;
    e->expires = now + AUTHCACHE_TTL;
    e->id = u->id;
    e->role = u->role;
    copy_str(e->login, sizeof(e->login), u->login);
    copy_str(e->agency, sizeof(e->agency), u->agency);
    copy_str(e->name, sizeof(e->name), u->name);
    copy_str(e->csrf, sizeof(e->csrf), csrf);
    pthread_mutex_unlock(&app->auth_mu);
}

void
app__authcache_drop(struct app *app, const unsigned char hash[32])
{
    struct authcache_entry *e = &app->auth[slot_of(hash)];
    pthread_mutex_lock(&app->auth_mu);
    if (memcmp(e->hash, hash, 32) == 0)
        e->expires = 0;
    pthread_mutex_unlock(&app->auth_mu);
}
