/*
 * cmd.h - the subcommands of tyndau, one cmd_*.c each, and what they share:
 * opening the store and the app from the configuration.
 */
#ifndef CLI_CMD_H
#define CLI_CMD_H

#include "app/app.h"
#include "cli/config.h"
#include "http/http.h"
#include "store/store.h"

int cmd_serve(struct config *c, struct config_args *a);
int cmd_migrate(struct config *c, struct config_args *a);
int cmd_user(struct config *c, struct config_args *a);
int cmd_routes(struct config *c, struct config_args *a);
int cmd_config(struct config *c, struct config_args *a);
int cmd_demo(struct config *c, struct config_args *a);
int cmd_verify(struct config *c, struct config_args *a);
int cmd_opinion(struct config *c, struct config_args *a);
int cmd_calibration(struct config *c, struct config_args *a);

/* Open and migrate the store named by c->db; logs and returns NULL on failure. */
struct store *cli_store(const struct config *c);
/* The app options from c. */
struct app_opts cli_app_opts(const struct config *c);
struct http_opts cli_http_opts(const struct config *c);
/* Run the HTTP server until SIGTERM or SIGINT, then shut down gracefully.
 * on_ready (may be NULL) runs once the server listens. Returns the exit code. */
int cli_serve_until_signal(const struct config *c, struct app *app,
                           void (*on_ready)(struct app *app, void *arg), void *arg);
/* Block SIGTERM/SIGINT in this thread and every thread it starts after. */
void cli_block_signals(void);

#endif
