/*
 * app_int.h - what the files of the app module share.
 */
#ifndef APP_APP_INT_H
#define APP_APP_INT_H

#include "app/app.h"

struct ref_gen {
    struct arena *arena; /* holds data and cal's entries */
    struct ref_data data;
    struct calendar *cal;
    struct ref_gen *older; /* kept alive until app_free: readers may still hold them */
};

enum { AUTHCACHE_SLOTS = 1024, AUTHCACHE_TTL = 10 /* seconds */ };

struct authcache_entry {
    unsigned char hash[32]; /* sha256 of the session or API token */
    bool session;
    int64_t expires; /* 0: empty */
    int64_t id;
    enum role role;
    char login[65], agency[65], name[201], csrf[32];
};

struct app {
    struct store *store;
    struct app_opts opts;
    pthread_mutex_t mu;
    struct ref_gen *ref; /* guarded by mu (the pointer; the data is immutable) */
    pthread_t sched;
    bool sched_started;
    pthread_mutex_t sched_mu;
    pthread_cond_t sched_cv;
    bool stopping; /* guarded by sched_mu */
    pthread_mutex_t auth_mu;
    struct authcache_entry auth[AUTHCACHE_SLOTS]; /* guarded by auth_mu */
    struct hub *hub;                              /* live events; owned */
};

/* Start the hub after the newest stored event and become the store's sink. */
enum err app__live_start(struct app *app);
/* Wait for queued writes to reach the hub, leave the store, free the hub. */
void app__live_stop(struct app *app);

/* Append the live event for ap after action (redacted: no text, no contacts). */
enum err app__stream(struct store_tx *tx, const struct appeal *ap, enum appeal_action act,
                     int64_t at);
/* Append one timeline event and the live event; updates nothing else. */
enum err app__record(struct store_tx *tx, const struct appeal *ap, enum appeal_action act,
                     enum role role, int64_t actor, enum appeal_status from, const char *reason,
                     int64_t at);
/* The actor a caller is for ap. has_secret must already be checked against ap. */
struct actor app__actor(const struct caller *c, const struct appeal *ap);
/* The cached user of a token hash; false on a miss. Strings go to a. */
bool app__authcache_get(struct app *app, struct arena *a, const unsigned char hash[32],
                        bool session, int64_t now, struct user *u, char **csrf);
void app__authcache_put(struct app *app, const unsigned char hash[32], bool session, int64_t now,
                        const struct user *u, const char *csrf);
void app__authcache_drop(struct app *app, const unsigned char hash[32]);
/* The fixed one-minute window of now. */
int64_t app__minute(int64_t now);

#endif
