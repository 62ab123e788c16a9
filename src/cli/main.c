/*
 * main.c - tyndau's entry point: reads the configuration and runs one
 * subcommand from the table.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "cli/cmd.h"

static const struct {
    const char *name;
    int (*run)(struct config *c, struct config_args *a);
    const char *help;
} cmds[] = {
    {"serve", cmd_serve, "run the service"},
    {"demo", cmd_demo, "run the service on a fresh demo database with generated demo traffic"},
    {"migrate", cmd_migrate, "create or update the database schema"},
    {"user", cmd_user,
     "user add LOGIN --role=R [--agency=A] [--name=N] (password on stdin);"
     " user token LOGIN [--label=L]"},
    {"routes", cmd_routes, "print the router table as JSON"},
    {"config", cmd_config, "print the configuration in effect"},
    {"verify", cmd_verify, "check every appeal's hash-chained timeline"},
    {"opinion", cmd_opinion,
     "weight a 0/1 stance sample to population margins: opinion --sample S.csv --margins M.csv"
     " [--json]; opinion demo-sample [--topic=T] [--count=N] [--seed=S]"},
    {"calibration", cmd_calibration,
     "calibration tables in the store: calibration load FILE | list [--all] | show NAME"},
    {"eval", cmd_eval,
     "score the router's classifier: eval --train A (--test B | --folds K) --text-col N"
     " --label-col M [--json]; eval dedupe ..."},
    {"train", cmd_train,
     "store a new routing model: train (--data F --text-col N --label-col M | --seed | "
     "--corrections)... [--kind topic|agency] [--list]"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: tyndau COMMAND [--option=value ...]\ncommands:\n");
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
        fprintf(out, "  %-8s %s\n", cmds[i].name, cmds[i].help);
    config_usage(out);
}

int
main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
        !strcmp(argv[1], "help")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    /* eval dedupe reads its own flags. */
    if (strcmp(argv[1], "eval") == 0 && argc > 2 && strcmp(argv[2], "dedupe") == 0)
        return cmd_eval_dedupe(argc - 2, argv + 2);
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        if (strcmp(argv[1], cmds[i].name) != 0)
            continue;
        struct config c;
        struct config_args a;
        const char *why;
        if (config_load(&c, &a, argc - 1, argv + 1, &why)) {
            fprintf(stderr, "tyndau: %s\n", why);
            config_fini(&c);
            config_args_fini(&a);
            return 2;
        }
        enum log_lvl lvl;
        if (log_level_parse(c.log_level, &lvl)) {
            fprintf(stderr, "tyndau: log_level must be error, warn, info or debug\n");
            config_fini(&c);
            config_args_fini(&a);
            return 2;
        }
        log_level = lvl;
        int rc = cmds[i].run(&c, &a);
        config_fini(&c);
        config_args_fini(&a);
        return rc;
    }
    fprintf(stderr, "tyndau: unknown command %s\n", argv[1]);
    usage(stderr);
    return 2;
}
