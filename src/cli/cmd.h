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
/* Replace the store's synthetic opinion sample (tyndau opinion demo-sample);
 * 0 on success, else an exit status. */
int cli_opinion_demo_write(struct store *s, const char *topic, uint64_t count, uint64_t seed);
int cmd_eval(struct config *c, struct config_args *a);
int cmd_train(struct config *c, struct config_args *a);
/* `tyndau eval dedupe`: argv[0] is "dedupe", options follow. Returns the exit code. */
int cmd_eval_dedupe(int argc, char **argv);

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

struct dataset_opts;
struct dataset_row;
/* Read a labelled CSV or JSONL file (pipeline/dataset.h; JSONL when the name
 * ends in .jsonl or .ndjson) into rows living in a; on failure print why,
 * prefixed "tyndau: cmd:", and return false. */
bool cli_dataset_read(const char *cmd, struct arena *a, const char *path,
                      const struct dataset_opts *o, struct dataset_row **rows, size_t *count);

struct classify_opts;
/* The classifier options of train and eval into *o from the values of
 * --c and --min-count (NULL when not given: the defaults); on a bad one
 * print why, prefixed "tyndau: cmd:", and return false. */
bool cli_classify_opts(const char *cmd, const char *c, const char *min_count,
                       struct classify_opts *o);

#endif
