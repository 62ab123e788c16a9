/*
 * app_int.h - what the files of the app module share.
 */
#ifndef APP_APP_INT_H
#define APP_APP_INT_H

#include "app/app.h"
#include "pipeline/router.h"

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
    struct ref_gen *ref;                   /* guarded by mu (the pointer; the data is immutable) */
    int64_t topic_version, agency_version; /* guarded by mu: the models in use */
    /* guarded by mu: the newest stored versions last looked at (a model of
     * another format is looked at, logged once and not used) */
    int64_t seen_topic_version, seen_agency_version;
    pthread_t sched;
    bool sched_started;
    pthread_mutex_t sched_mu;
    pthread_cond_t sched_cv;
    bool stopping; /* guarded by sched_mu */
    pthread_mutex_t auth_mu;
    struct authcache_entry auth[AUTHCACHE_SLOTS]; /* guarded by auth_mu */
    struct hub *hub;                              /* live events; owned */
    struct router *router;                        /* rules and model; thread-safe; owned */
    pthread_t model_watch;                        /* runs app_models_reload() */
    bool model_watch_started;
    struct app_cluster *cluster; /* near-duplicate index and burst detector; owned */
    struct stats_cache *stats;   /* dashboard figures per scope (stats.c); owned */
};

/* Make the router: the default model if the store has none, the newest
 * models, the keyword rules and the routing table; start the model watcher. */
enum err app__router_start(struct app *app);
/* Stop the watcher (app->stopping must be set and sched_cv signalled) and
 * free the router. */
void app__router_stop(struct app *app);
/* Give the router the routing table of the current reference data. */
enum err app__router_rules(struct app *app);
/* Route ap (text, region, topic as the citizen gave it): sets ap->topic,
 * ap->agency and ap->routing, *reason (JSON in a) for the registered
 * event and, when res is not NULL, *res: the router's result with the
 * text's tokens and language (in a), for app__cluster_sign(). */
enum err app__route(struct app *app, struct arena *a, struct appeal *ap, const char **reason,
                    struct router_result *res);

/* Make the near-duplicate index and the burst detector and fill them from
 * the store's recent appeals (cluster.c). Blocking. */
enum err app__cluster_start(struct app *app);
void app__cluster_stop(struct app *app); /* accepts app->cluster NULL */
/* The signature of ap's text into a new r->sig (in r->arena), outside the
 * writer; r->sig stays NULL for a text that cannot be signed. routed
 * (borrowed; NULL: split the text here) is what app__route() found for
 * the same text: its tokens and language are signed without a second
 * split. */
void app__cluster_sign(struct app *app, struct submit_req *r, const struct router_result *routed);
/* In the submit job, after the insert: put ap into its cluster (sets
 * ap->cluster_id and ap->cluster_count), record it in the store and write
 * the cluster.grew and burst.detected live events. sig as from
 * app__cluster_sign() (NULL: made here). */
enum err app__cluster_add(struct app *app, struct store_tx *tx, struct arena *a, struct appeal *ap,
                          const struct minhash_sig *sig);
/* A job that changed the index did not commit: refill it before the next
 * use, from the store. */
void app__cluster_stale(struct app *app);
/* One action inside the caller's job, as app_act_start() would queue it
 * (r->app and r->arena set). *refused: the appeal's state or the caller's
 * rights refused it (r->e and r->why say why; nothing written). An error
 * return is a failed write, and the caller's job must fail. */
enum err app__act_in_job(struct store_tx *tx, struct act_req *r, bool *refused);

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
/* The statistics cache: made by app_new(), freed by app_free() (accepts NULL). */
struct stats_cache *app__stats_cache_new(void);
void app__stats_cache_free(struct stats_cache *c);

/* Queue n (site_url, from and now are filled in here) for the appeal's
 * e-mail address inside the caller's job (mail.c); a no-op without an
 * address or a renderer, or when the renderer refuses the address. An error
 * return is a failed write. */
enum err app__notify(struct app *app, struct store_tx *tx, struct notice *n);
/* The fixed one-minute window of now. */
int64_t app__minute(int64_t now);

#endif
