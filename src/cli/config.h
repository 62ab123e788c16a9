/*
 * config.h - the options of tyndau in one table: defaults < file <
 * TYNDAU_<NAME> environment < --name=value flags. Exports struct config,
 * config_load(), config_print(), config_arg() and config_usage().
 */
#ifndef CLI_CONFIG_H
#define CLI_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "base/err.h"

struct config {
    char *listen;
    char *db;
    char *log_level;
    int64_t threads;
    int64_t conn_max;
    int64_t per_ip_max;
    int64_t timeout;
    int64_t body_max;
    int64_t rate_submit;
    int64_t rate_login;
    int64_t session_ttl;
    int64_t scheduler_interval_ms;
    int64_t model_check_ms;
    int64_t live_heartbeat_ms;
    int64_t live_queue_kb;
    int64_t live_writers;
    int64_t clock_offset;
    int64_t cluster_days;
    int64_t cluster_capacity;
    int64_t burst_warmup;
    int64_t readers;
    int64_t group_max;
    bool behind_tls;
    int64_t demo_rate;
    char *mail_spool;
    char *site_url;
    char *mail_from;
};

/* Command-specific flags that are not options (--role=..., positional args). */
enum { CONFIG_ARGS_MAX = 16 };
struct config_args {
    const char *pos[CONFIG_ARGS_MAX]; /* positional, borrowed from argv */
    int pos_count;
    const char *name[CONFIG_ARGS_MAX]; /* --name=value not in the table */
    const char *value[CONFIG_ARGS_MAX];
    int flag_count;
};

/* Fill c from defaults, --config=FILE (or TYNDAU_CONFIG), the environment
 * and argv (argv[0] is the subcommand). On error *why is a message in a
 * static buffer. Caller frees with config_fini(). */
enum err config_load(struct config *c, struct config_args *args, int argc, char **argv,
                     const char **why);
void config_fini(struct config *c);
void config_args_fini(struct config_args *a);
void config_print(const struct config *c, FILE *out);
void config_usage(FILE *out);
/* The value of a command flag, or NULL. */
const char *config_arg(const struct config_args *a, const char *name);

#endif
