/*
 * account.c - staff and citizen accounts: argon2id passwords (libsodium),
 * 128-bit session and API tokens stored only as sha256 hashes, login rate
 * limits kept in the database, routing-rule edits. Exports app_login(),
 * app_logout(), app_session_user(), app_token_user(), app_user_add(),
 * app_token_new(), app_rule_set().
 */
#include "app/app_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "base/rnd.h"

enum { TOKEN_BYTES = 16 };

struct login_job {
    struct app *app;
    const char *ip;
    const char *login;
    bool password_ok;
    int64_t user;
    unsigned char token_hash[32];
    const char *csrf;
    int64_t now;
};

static enum err
login_run(struct store_tx *tx, void *arg)
{
    struct login_job *j = arg;
    char key[96];
    snprintf(key, sizeof(key), "ip:%s:login", j->ip ? j->ip : "?");
    enum err e = store_tx_rate_hit(tx, key, app__minute(j->now), j->app->opts.rate_login);
    if (e)
        return e;
    /* Per account too: guessing one official's password from many addresses. */
    snprintf(key, sizeof(key), "login:%.64s", j->login);
    e = store_tx_rate_hit(tx, key, app__minute(j->now), j->app->opts.rate_login);
    if (e)
        return e;
    if (!j->password_ok)
        return ERR_OK;
    e = store_tx_session_insert(tx, j->token_hash, j->user, j->csrf, j->now,
                                j->now + j->app->opts.session_ttl);
    if (!e)
        e = store_tx_audit(tx, j->now, j->user, "login", NULL, NULL);
    return e;
}

enum err
app_login(struct app *app, struct arena *a, const char *ip, const char *login, const char *password,
          struct user *u, char token[APP_TOKEN_LEN], char csrf[APP_TOKEN_LEN])
{
    char *pwhash = NULL;
    enum err e = store_user_by_login(app->store, a, login, u, &pwhash);
    if (e && e != ERR_NOTFOUND)
        return e;
    bool ok = false;
    if (!e && pwhash)
        ok = crypto_pwhash_str_verify(pwhash, password, strlen(password)) == 0;
    struct login_job j = {
        .app = app, .ip = ip, .login = login, .password_ok = ok, .now = app_now(app)};
    if (ok) {
        rnd_token(token, TOKEN_BYTES);
        rnd_token(csrf, TOKEN_BYTES);
        app_hash(token, j.token_hash);
        j.user = u->id;
        j.csrf = csrf;
    }
    e = store_write(app->store, login_run, &j);
    if (e)
        return e;
    return ok ? ERR_OK : ERR_UNAUTH;
}

static enum err
logout_run(struct store_tx *tx, void *arg)
{
    return store_tx_session_delete(tx, arg);
}

enum err
app_logout(struct app *app, const char *token)
{
    unsigned char h[32];
    app_hash(token, h);
    app__authcache_drop(app, h);
    return store_write(app->store, logout_run, h);
}

enum err
app_session_user(struct app *app, struct arena *a, const char *token, struct user *u, char **csrf)
{
    unsigned char h[32];
    int64_t now = app_now(app);
    app_hash(token, h);
    if (app__authcache_get(app, a, h, true, now, u, csrf))
        return ERR_OK;
    enum err e = store_session_lookup(app->store, a, h, now, u, csrf);
    if (!e)
        app__authcache_put(app, h, true, now, u, csrf ? *csrf : NULL);
    return e == ERR_NOTFOUND ? ERR_UNAUTH : e;
}

enum err
app_token_user(struct app *app, struct arena *a, const char *token, struct user *u)
{
    unsigned char h[32];
    int64_t now = app_now(app);
    app_hash(token, h);
    if (app__authcache_get(app, a, h, false, now, u, NULL))
        return ERR_OK;
    enum err e = store_token_lookup(app->store, a, h, u);
    if (!e)
        app__authcache_put(app, h, false, now, u, NULL);
    return e == ERR_NOTFOUND ? ERR_UNAUTH : e;
}

struct user_job {
    const struct user *u;
    const char *pwhash;
    int64_t now;
    int64_t id;
};

static enum err
user_run(struct store_tx *tx, void *arg)
{
    struct user_job *j = arg;
    enum err e = store_tx_user_insert(tx, j->u, j->pwhash, j->now, &j->id);
    if (!e)
        e = store_tx_audit(tx, j->now, j->id, "user_add", j->u->login, role_name(j->u->role));
    return e;
}

enum err
app_user_add(struct app *app, const struct user *u, const char *password, int64_t *id,
             const char **why)
{
    *why = NULL;
    if (!user_login_valid(str_from_cstr(u->login))) {
        *why = "login must be 2-64 characters of a-z, 0-9, '.', '_', '-'";
        return ERR_INVALID;
    }
    size_t plen = strlen(password);
    if (plen < USER_PASSWORD_MIN || plen > USER_PASSWORD_MAX) {
        *why = "password must be 8-256 bytes";
        return ERR_INVALID;
    }
    bool needs_agency = u->role == ROLE_OFFICIAL || u->role == ROLE_SUPERVISOR;
    if (needs_agency && !app_agency(app, u->agency)) {
        *why = "officials and supervisors need an existing agency";
        return ERR_INVALID;
    }
    if (!needs_agency && u->agency) {
        *why = "only officials and supervisors belong to an agency";
        return ERR_INVALID;
    }
    char pwhash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(pwhash, password, plen, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
        *why = "out of memory hashing the password";
        return ERR_UNAVAILABLE;
    }
    struct user_job j = {.u = u, .pwhash = pwhash, .now = app_now(app)};
    enum err e = store_write(app->store, user_run, &j);
    if (e == ERR_CONFLICT)
        *why = "that login exists";
    if (!e && id)
        *id = j.id;
    return e;
}

struct token_job {
    int64_t user;
    const char *label;
    unsigned char hash[32];
    int64_t now;
};

static enum err
token_run(struct store_tx *tx, void *arg)
{
    struct token_job *j = arg;
    enum err e = store_tx_token_insert(tx, j->hash, j->user, j->label, j->now);
    if (!e)
        e = store_tx_audit(tx, j->now, j->user, "token_new", NULL, j->label);
    return e;
}

enum err
app_token_new(struct app *app, const char *login, const char *label, char token[APP_TOKEN_LEN])
{
    struct arena *a = arena_new();
    struct user u;
    char *pw;
    enum err e = store_user_by_login(app->store, a, login, &u, &pw);
    if (!e) {
        struct token_job j = {.user = u.id, .label = label, .now = app_now(app)};
        rnd_token(token, TOKEN_BYTES);
        app_hash(token, j.hash);
        e = store_write(app->store, token_run, &j);
    }
    arena_free(a);
    return e;
}

struct rule_job {
    const char *topic, *region, *agency;
    int64_t user, now;
};

static enum err
rule_run(struct store_tx *tx, void *arg)
{
    struct rule_job *j = arg;
    enum err e = store_tx_rule_upsert(tx, j->topic, j->region, j->agency);
    if (!e)
        e = store_tx_audit(tx, j->now, j->user, "rule_set", j->topic, j->agency);
    return e;
}

enum err
app_rule_set(struct app *app, const struct caller *c, const char *topic, const char *region,
             const char *agency, const char **why)
{
    *why = NULL;
    if (c->user.role != ROLE_ADMIN)
        return ERR_DENIED;
    if (!app_topic(app, topic)) {
        *why = "unknown topic";
        return ERR_UNPROCESSABLE;
    }
    if (region && !app_region(app, region)) {
        *why = "unknown region";
        return ERR_UNPROCESSABLE;
    }
    if (!app_agency(app, agency)) {
        *why = "unknown agency";
        return ERR_UNPROCESSABLE;
    }
    struct rule_job j = {topic, region, agency, c->user.id, app_now(app)};
    enum err e = store_write(app->store, rule_run, &j);
    if (!e)
        e = app_reload(app);
    return e;
}
