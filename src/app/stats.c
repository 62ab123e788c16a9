/*
 * stats.c - the figures of the live dashboard: received today, open,
 * overdue, answered on time, the median time to a first answer, appeals per
 * day over the last APP_STATS_DAYS days, the top topics, and volume and
 * overdue share for each of the 20 regions, for the agency (or all
 * agencies) and region the caller may see. Exports app_stats().
 */
#include "app/app_int.h"

#include <string.h>

#include "base/tm.h"

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
    e = store_stats(app->store, a, &q, &out->s);
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
