/*
 * cmd_admin.c - the administrative subcommands: migrate, user, routes,
 * config, verify.
 */
#include "cli/cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/log.h"

int
cmd_migrate(struct config *c, struct config_args *a)
{
    (void)a;
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    bool trained = false;
    int64_t version = 0;
    enum err e = app_model_default(s, &trained);
    if (!e && trained)
        e = store_model_latest(s, "topic", &version);
    store_close(s);
    if (e) {
        log_error("cannot train the default routing model: %s", err_name(e));
        return 1;
    }
    printf("schema is current\n");
    if (trained)
        printf("default routing model trained from the seed corpus (topic model version %lld)\n",
               (long long)version);
    return 0;
}

static int
user_add(struct app *app, struct config_args *a)
{
    if (a->pos_count < 2) {
        fprintf(stderr, "usage: tyndau user add LOGIN --role=ROLE [--agency=A] [--name=N]"
                        " (password on stdin)\n");
        return 2;
    }
    struct user u = {.login = a->pos[1]};
    const char *role = config_arg(a, "role");
    if (!role || role_parse(str_from_cstr(role), &u.role)) {
        fprintf(stderr, "tyndau: --role must be citizen, operator, official, supervisor,"
                        " analyst or admin\n");
        return 2;
    }
    u.agency = config_arg(a, "agency");
    u.name = config_arg(a, "name");
    char pw[512];
    if (!fgets(pw, sizeof(pw), stdin)) {
        fprintf(stderr, "tyndau: give the password on standard input\n");
        return 2;
    }
    pw[strcspn(pw, "\r\n")] = '\0';
    int64_t id = 0;
    const char *why = NULL;
    enum err e = app_user_add(app, &u, pw, &id, &why);
    explicit_bzero(pw, sizeof(pw));
    if (e) {
        fprintf(stderr, "tyndau: cannot add user: %s\n", why ? why : err_name(e));
        return 1;
    }
    printf("%lld\n", (long long)id);
    return 0;
}

static int
user_token(struct app *app, struct config_args *a)
{
    if (a->pos_count < 2) {
        fprintf(stderr, "usage: tyndau user token LOGIN [--label=L]\n");
        return 2;
    }
    char token[APP_TOKEN_LEN];
    const char *label = config_arg(a, "label");
    enum err e = app_token_new(app, a->pos[1], label ? label : "cli", token);
    if (e) {
        fprintf(stderr, "tyndau: cannot make a token for %s: %s\n", a->pos[1], err_name(e));
        return 1;
    }
    printf("%s\n", token);
    return 0;
}

int
cmd_user(struct config *c, struct config_args *a)
{
    const char *sub = a->pos_count > 0 ? a->pos[0] : "";
    if (strcmp(sub, "add") != 0 && strcmp(sub, "token") != 0) {
        fprintf(stderr, "usage: tyndau user add|token LOGIN ...\n");
        return 2;
    }
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    struct app *app = NULL;
    struct app_opts ao = cli_app_opts(c);
    ao.scheduler_interval_ms = 0;
    ao.live_heartbeat_ms = 0;
    ao.model_check_ms = 0;
    int rc = 1;
    if (app_new(s, &ao, &app) == ERR_OK)
        rc = strcmp(sub, "add") == 0 ? user_add(app, a) : user_token(app, a);
    app_free(app);
    store_close(s);
    return rc;
}

int
cmd_routes(struct config *c, struct config_args *a)
{
    (void)c;
    (void)a;
    struct buf b = BUF_INIT(1 << 20);
    http_routes_json(&b);
    fwrite(b.p, 1, b.len, stdout);
    buf_fini(&b);
    return 0;
}

int
cmd_config(struct config *c, struct config_args *a)
{
    (void)a;
    config_print(c, stdout);
    return 0;
}

int
cmd_verify(struct config *c, struct config_args *a)
{
    (void)a;
    struct store *s = cli_store(c);
    if (!s)
        return 1;
    int64_t checked = 0, bad = 0;
    enum err e = store_chain_verify(s, &checked, &bad);
    store_close(s);
    if (e) {
        fprintf(stderr, "tyndau: cannot verify: %s\n", err_name(e));
        return 1;
    }
    printf("%lld appeals checked, %lld with a broken timeline\n", (long long)checked,
           (long long)bad);
    return bad ? 1 : 0;
}
