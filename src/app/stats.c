/*
 * stats.c - the figures of the live dashboard: received today, open,
 * overdue, answered on time, the median time to a first answer, appeals per
 * day over the last APP_STATS_DAYS days, the top topics, and volume and
 * overdue share for each of the 20 regions, for the agency (or all
 * agencies) and region the caller may see. One read costs a few hundred
 * milliseconds on 100,000 appeals, so the figures of each scope are kept
 * for APP_STATS_TTL_MS and shared by every caller whose role resolves to
 * the same scope; a scope being read is read once, whoever else asks
 * meanwhile waits for it. Exports app_stats(), app_stats_counts() and the
 * cache's app__stats_cache_new() and app__stats_cache_free().
 */
#include "app/app_int.h"

#include <stdlib.h>
#include <string.h>

#include "base/tm.h"
#include "base/xalloc.h"

/* One scope's figures. The key is the agency the caller's role resolved
 * to (NULL: every agency) and the region (NULL: every region). */
struct stats_entry {
    bool used, computing;
    const char *agency, *region; /* in arena */
    int64_t expires_ms;          /* tm_mono_ms() until which st is current */
    int64_t last_ms;             /* last read, for eviction */
    struct arena *arena;         /* holds the key and st; owned */
    struct app_stats st;
};

struct stats_cache {
    pthread_mutex_t mu;
    pthread_cond_t cv;                               /* a computing entry finished */
    struct stats_entry slots[APP_STATS_CACHE_SLOTS]; /* guarded by mu */
    uint64_t computed, hits;                         /* guarded by mu */
};

struct stats_cache *
app__stats_cache_new(void)
{
    struct stats_cache *c = xcalloc(1, sizeof(*c));
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    return c;
}

void
app__stats_cache_free(struct stats_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < APP_STATS_CACHE_SLOTS; i++)
        arena_free(c->slots[i].arena);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    free(c);
}

void
app_stats_counts(struct app *app, uint64_t *reads, uint64_t *hits)
{
    pthread_mutex_lock(&app->stats->mu);
    *reads = app->stats->computed;
    *hits = app->stats->hits;
    pthread_mutex_unlock(&app->stats->mu);
}

static bool
same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static const char *
dup_or_null(struct arena *a, const char *s)
{
    return s ? arena_strdup(a, s) : NULL;
}

/* A deep copy of src into a. */
static void
stats_copy(struct arena *a, const struct app_stats *src, struct app_stats *dst)
{
    *dst = *src;
    dst->agency = dup_or_null(a, src->agency);
    dst->region = dup_or_null(a, src->region);
    dst->s.per_day = ARENA_ARRAY(a, int64_t, APP_STATS_DAYS);
    if (src->s.per_day)
        memcpy(dst->s.per_day, src->s.per_day, APP_STATS_DAYS * sizeof(int64_t));
    for (size_t i = 0; i < src->s.topics_count; i++)
        dst->s.topics[i].topic = dup_or_null(a, src->s.topics[i].topic);
    dst->s.regions = ARENA_ARRAY(a, struct stats_region, src->s.regions_count + 1);
    for (size_t i = 0; i < src->s.regions_count; i++) {
        dst->s.regions[i] = src->s.regions[i];
        dst->s.regions[i].kato = dup_or_null(a, src->s.regions[i].kato);
    }
    dst->regions = ARENA_ARRAY(a, struct stats_region, src->regions_count + 1);
    for (size_t i = 0; i < src->regions_count; i++) {
        dst->regions[i] = src->regions[i];
        dst->regions[i].kato = dup_or_null(a, src->regions[i].kato);
    }
}

/* The agency whose figures c may see (NULL: all), given the one asked for. */
static enum err
scope(struct app *app, const struct caller *c, const char *asked, const char **agency,
      const char **why)
{
    *agency = NULL;
    if (asked && !app_agency(app, asked)) {
        *why = "no such agency";
        return ERR_INVALID;
    }
    switch (c->user.role) {
    case ROLE_SUPERVISOR:
        if (!c->user.agency || !c->user.agency[0]) {
            *why = "a supervisor without an agency sees no figures";
            return ERR_DENIED;
        }
        if (asked && strcmp(asked, c->user.agency) != 0) {
            *why = "a supervisor sees the figures of their own agency";
            return ERR_DENIED;
        }
        *agency = c->user.agency;
        return ERR_OK;
    case ROLE_ANALYST:
    case ROLE_ADMIN:
        *agency = asked;
        return ERR_OK;
    case ROLE_CITIZEN:
    case ROLE_OPERATOR:
    case ROLE_OFFICIAL:
    case ROLE_SYSTEM:
    case ROLE__COUNT:
        break;
    }
    *why = "the figures are for supervisors, analysts and administrators";
    return ERR_DENIED;
}

/* Read the figures of out->agency and region from the store into out (in a). */
static enum err
compute(struct app *app, struct arena *a, const char *region, struct app_stats *out)
{
    out->region = region;
    out->now = app_now(app);
    int32_t today = tm_local_day(out->now);
    out->first_day = today - (APP_STATS_DAYS - 1);
    struct stats_query q = {
        .agency = out->agency,
        .region = region,
        .now = out->now,
        .today = tm_local_time(today, 0, 0, 0),
        .since = tm_local_time(out->first_day, 0, 0, 0),
        .days = APP_STATS_DAYS,
        .utc_offset = tm_almaty_offset(out->now),
    };
    enum err e = store_stats(app->store, a, &q, &out->s);
    if (e)
        return e;
    out->on_time_share =
        out->s.answered ? (double)out->s.answered_on_time / (double)out->s.answered : -1;
    /* Every region of the reference data, with zeros where nothing is stored. */
    const struct ref_data *ref = app_ref(app);
    out->regions = ARENA_ARRAY(a, struct stats_region, ref->regions_count + 1);
    for (size_t i = 0; i < ref->regions_count; i++) {
        struct stats_region *r = &out->regions[out->regions_count++];
        *r = (struct stats_region){.kato = ref->regions[i].kato};
        for (size_t k = 0; k < out->s.regions_count; k++)
            if (out->s.regions[k].kato && strcmp(out->s.regions[k].kato, r->kato) == 0)
                *r = out->s.regions[k];
    }
    return ERR_OK;
}

/* The entry for the key, or a slot to fill (free, stale, or the least
 * recently read); NULL when every slot is being computed. Under mu. */
static struct stats_entry *
find_slot(struct stats_cache *c, const char *agency, const char *region, bool *hit)
{
    struct stats_entry *victim = NULL;
    *hit = false;
    for (size_t i = 0; i < APP_STATS_CACHE_SLOTS; i++) {
        struct stats_entry *e = &c->slots[i];
        if (e->used && same(e->agency, agency) && same(e->region, region)) {
            *hit = true;
            return e;
        }
        if (e->computing)
            continue;
        if (!victim || !e->used || (victim->used && e->last_ms < victim->last_ms))
            victim = e;
    }
    return victim;
}

/* The figures of scope (out->agency, region) from the cache, read once
 * from the store when missing or stale. Copies into a. */
static enum err
cached(struct app *app, struct arena *a, const char *region, struct app_stats *out)
{
    struct stats_cache *c = app->stats;
    const char *agency = out->agency;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        bool hit;
        struct stats_entry *e = find_slot(c, agency, region, &hit);
        int64_t now_ms = tm_mono_ms();
        if (hit && e->computing) {
            pthread_cond_wait(&c->cv, &c->mu);
            continue;
        }
        if (hit && now_ms < e->expires_ms) {
            e->last_ms = now_ms;
            c->hits++;
            stats_copy(a, &e->st, out);
            out->max_age = (int)((e->expires_ms - now_ms) / 1000);
            pthread_mutex_unlock(&c->mu);
            return ERR_OK;
        }
        if (!e) {
            /* Every slot is being read: read this one alone, uncached. */
            c->computed++;
            pthread_mutex_unlock(&c->mu);
            return compute(app, a, region, out);
        }
        arena_free(e->arena);
        *e = (struct stats_entry){.used = true, .computing = true, .arena = arena_new()};
        e->agency = dup_or_null(e->arena, agency);
        e->region = dup_or_null(e->arena, region);
        e->st.agency = e->agency;
        c->computed++;
        pthread_mutex_unlock(&c->mu);
        /* Only this thread touches e while it is computing. */
        enum err err = compute(app, e->arena, e->region, &e->st);
        pthread_mutex_lock(&c->mu);
        e->computing = false;
        pthread_cond_broadcast(&c->cv);
        if (err) {
            /* Nothing kept: the next caller reads again. */
            arena_free(e->arena);
            *e = (struct stats_entry){0};
            pthread_mutex_unlock(&c->mu);
            return err;
        }
        now_ms = tm_mono_ms();
        e->expires_ms = now_ms + APP_STATS_TTL_MS;
        e->last_ms = now_ms;
        stats_copy(a, &e->st, out);
        out->max_age = APP_STATS_TTL_MS / 1000;
        pthread_mutex_unlock(&c->mu);
        return ERR_OK;
    }
}

enum err
app_stats(struct app *app, struct arena *a, const struct caller *c, const char *agency,
          const char *region, struct app_stats *out, const char **why)
{
    memset(out, 0, sizeof(*out));
    *why = NULL;
    enum err e = scope(app, c, agency, &out->agency, why);
    if (e)
        return e;
    if (region && !app_region(app, region)) {
        *why = "no such region";
        return ERR_INVALID;
    }
    return cached(app, a, region, out);
}
