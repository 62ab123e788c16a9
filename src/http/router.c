/*
 * router.c - the router table: every route names the roles that may call it
 * and how the object is checked ("appeal": the app answers 404 for an appeal
 * the caller may not see). Nothing is served that is not in this table.
 * Pages live outside /api/; a POST there is an HTML form.
 * Exports http_routes, http_routes_count, http_route_is_form() and
 * http_routes_json().
 */
#include "http/http_int.h"

#include <string.h>

#include "base/util.h"

#define OFFICIALS (ROLE_BIT(ROLE_OFFICIAL) | ROLE_BIT(ROLE_SUPERVISOR))

const struct route http_routes[] = {
    {"GET", "/", ROLES_ANY, OBJ_NONE, h_portal},
    {"POST", "/appeal", ROLES_ANY, OBJ_NONE, h_portal_submit},
    {"GET", "/track/{tracking}", ROLES_ANY, OBJ_APPEAL, h_track},
    {"POST", "/track/{tracking}/rating", ROLES_ANY, OBJ_APPEAL, h_track_act},
    {"POST", "/track/{tracking}/dispute", ROLES_ANY, OBJ_APPEAL, h_track_act},
    {"GET", "/answered", ROLES_ANY, OBJ_NONE, h_answered},
    {"GET", "/work/login", ROLES_ANY, OBJ_NONE, h_work_login},
    {"POST", "/work/login", ROLES_ANY, OBJ_NONE, h_work_login_post},
    {"POST", "/work/logout", ROLES_SIGNED_IN, OBJ_NONE, h_work_logout},
    {"GET", "/work", OFFICIALS | ROLE_BIT(ROLE_OPERATOR), OBJ_NONE, h_work_queue},
    {"GET", "/work/intake", ROLE_BIT(ROLE_OPERATOR), OBJ_NONE, h_intake},
    {"POST", "/work/intake", ROLE_BIT(ROLE_OPERATOR), OBJ_NONE, h_intake_submit},
    {"GET", "/work/case/{tracking}", OFFICIALS | ROLE_BIT(ROLE_OPERATOR), OBJ_APPEAL, h_work_case},
    {"POST", "/work/case/{tracking}/take", OFFICIALS, OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/answer", OFFICIALS, OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/forward", OFFICIALS | ROLE_BIT(ROLE_OPERATOR), OBJ_APPEAL,
     h_work_act},
    {"POST", "/work/case/{tracking}/extend", OFFICIALS, OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/return", ROLE_BIT(ROLE_SUPERVISOR), OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/close", OFFICIALS, OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/triage", ROLE_BIT(ROLE_OPERATOR), OBJ_APPEAL, h_work_act},
    {"POST", "/work/case/{tracking}/assign", ROLE_BIT(ROLE_SUPERVISOR), OBJ_APPEAL, h_work_act},
    {"GET", "/assets/{name}", ROLES_ANY, OBJ_NONE, h_asset},
    {"GET", "/dashboard", ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_ANALYST), OBJ_NONE,
     h_dashboard},
    {"GET", "/opinion", ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_ADMIN),
     OBJ_NONE, h_opinion_page},
    {"GET", "/healthz", ROLES_ANY, OBJ_NONE, h_healthz},
    {"GET", "/readyz", ROLES_ANY, OBJ_NONE, h_readyz},
    {"GET", "/metrics", ROLES_ANY, OBJ_NONE, h_metrics},
    {"GET", "/problems/{type}", ROLES_ANY, OBJ_NONE, h_problem_doc},
    {"GET", "/api/v1/regions", ROLES_ANY, OBJ_NONE, h_regions},
    {"GET", "/api/v1/topics", ROLES_ANY, OBJ_NONE, h_topics},
    {"GET", "/api/v1/agencies", ROLES_ANY, OBJ_NONE, h_agencies},
    {"POST", "/api/v1/session", ROLES_ANY, OBJ_NONE, h_session_new},
    {"DELETE", "/api/v1/session", ROLES_SIGNED_IN, OBJ_NONE, h_session_end},
    {"GET", "/api/v1/me", ROLES_SIGNED_IN, OBJ_NONE, h_me},
    {"POST", "/api/v1/appeals", ROLES_ANY, OBJ_NONE, h_appeal_submit},
    {"GET", "/api/v1/queue", OFFICIALS | ROLE_BIT(ROLE_OPERATOR), OBJ_NONE, h_queue},
    {"GET", "/api/v1/events", ROLES_ANY, OBJ_NONE, h_events},
    {"GET", "/api/v1/appeals/{tracking}", ROLES_ANY, OBJ_APPEAL, h_appeal_get},
    {"POST", "/api/v1/appeals/{tracking}/rating", ROLES_ANY, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/dispute", ROLES_ANY, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/withdraw", ROLES_ANY, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/triage", ROLE_BIT(ROLE_OPERATOR), OBJ_APPEAL,
     h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/take", OFFICIALS, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/assign", ROLE_BIT(ROLE_SUPERVISOR), OBJ_APPEAL,
     h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/answer", OFFICIALS, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/forward", OFFICIALS | ROLE_BIT(ROLE_OPERATOR), OBJ_APPEAL,
     h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/extend", OFFICIALS, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/return", ROLE_BIT(ROLE_SUPERVISOR), OBJ_APPEAL,
     h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/close", OFFICIALS, OBJ_APPEAL, h_appeal_act},
    {"POST", "/api/v1/appeals/{tracking}/not-considered", OFFICIALS, OBJ_APPEAL, h_appeal_act},
    {"GET", "/api/v1/clusters", ROLES_STAFF, OBJ_NONE, h_clusters_list},
    {"GET", "/api/v1/clusters/{id}", ROLES_STAFF, OBJ_NONE, h_cluster_get},
    {"POST", "/api/v1/clusters/{id}/answer", OFFICIALS, OBJ_NONE, h_cluster_answer},
    {"GET", "/api/v1/opinion",
     ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_ADMIN), OBJ_NONE,
     h_opinion},
    {"GET", "/api/v1/stats",
     ROLE_BIT(ROLE_SUPERVISOR) | ROLE_BIT(ROLE_ANALYST) | ROLE_BIT(ROLE_ADMIN), OBJ_NONE, h_stats},
    {"GET", "/api/v1/admin/routing-rules", ROLE_BIT(ROLE_ADMIN), OBJ_NONE, h_rules_get},
    {"PUT", "/api/v1/admin/routing-rules", ROLE_BIT(ROLE_ADMIN), OBJ_NONE, h_rules_put},
    {"GET", "/api/v1/admin/keyword-rules", ROLE_BIT(ROLE_ADMIN), OBJ_NONE, h_keyword_rules_get},
    {"PUT", "/api/v1/admin/keyword-rules", ROLE_BIT(ROLE_ADMIN), OBJ_NONE, h_keyword_rules_put},
};
const size_t http_routes_count = ARRAY_LEN(http_routes);

bool
http_route_is_form(const struct route *rt)
{
    return strcmp(rt->method, "POST") == 0 && strncmp(rt->path, "/api/", 5) != 0;
}

void
http_routes_json(struct buf *b)
{
    buf_puts(b, "[");
    for (size_t i = 0; i < http_routes_count; i++) {
        const struct route *rt = &http_routes[i];
        buf_printf(b, "%s\n{\"method\":\"%s\",\"path\":\"%s\",\"roles\":[", i ? "," : "",
                   rt->method, rt->path);
        if (rt->roles == ROLES_ANY) {
            buf_puts(b, "\"any\"");
        } else {
            bool first = true;
            for (int role = 0; role < ROLE_SYSTEM; role++) {
                if (rt->roles & ROLE_BIT(role)) {
                    buf_printf(b, "%s\"%s\"", first ? "" : ",", role_name((enum role)role));
                    first = false;
                }
            }
        }
        buf_printf(b, "],\"object\":\"%s\"}", rt->obj == OBJ_APPEAL ? "appeal" : "none");
    }
    buf_puts(b, "\n]\n");
}
