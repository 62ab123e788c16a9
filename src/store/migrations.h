/*
 * migrations.h - the migration files compiled into the binary by
 * scripts/embed.sh, sorted by name (NNN_name.{sqlite,pg}.sql).
 */
#ifndef STORE_MIGRATIONS_H
#define STORE_MIGRATIONS_H

struct migration {
    const char *name;
    const char *sql;
};

extern const struct migration migrations[];
extern const unsigned long migrations_count;

#endif
