/* routes.c - every route of the server in one table (as the Taler exchange keeps it). */
#include "api/api.h"
#include "api/open311.h"

static const struct cw_route routes[] = {
    {"GET", "/healthz", cw_h_healthz, CW_ROUTE_PUBLIC},
    {"GET", "/metrics", cw_h_metrics, CW_ROUTE_PUBLIC},

    {"POST", "/api/v1/session", cw_h_session_create, CW_ROUTE_PUBLIC},
    {"GET", "/api/v1/session", cw_h_session_get, 0},
    {"DELETE", "/api/v1/session", cw_h_session_delete, 0},

    {"GET", "/api/v1/regions", cw_h_regions_list, 0},
    {"POST", "/api/v1/regions", cw_h_region_create, 0},
    {"GET", "/api/v1/regions/{code}", cw_h_region_get, 0},
    {"PATCH", "/api/v1/regions/{code}", cw_h_region_update, 0},

    {"GET", "/api/v1/grids/locate", cw_h_grids_locate, 0},
    {"GET", "/api/v1/grids", cw_h_grids_list, 0},
    {"GET", "/api/v1/grids/{code}", cw_h_grid_get, 0},
    {"PATCH", "/api/v1/grids/{code}", cw_h_grid_update, 0},
    {"PUT", "/api/v1/grids/{code}/boundary", cw_h_grid_boundary_put, 0},
    {"POST", "/api/v1/grids/{code}/workers", cw_h_grid_worker_add, 0},
    {"DELETE", "/api/v1/grids/{code}/workers/{user}", cw_h_grid_worker_remove, 0},

    {"GET", "/api/v1/calendar/due", cw_h_calendar_due, 0},
    {"GET", "/api/v1/cases", cw_h_cases_list, 0},
    {"POST", "/api/v1/cases", cw_h_case_create, 0},
    {"GET", "/api/v1/cases/{id}", cw_h_case_get, 0},
    {"POST", "/api/v1/cases/{id}/actions/{action}", cw_h_case_action, 0},
    {"POST", "/api/v1/cases/{id}/attachments", cw_h_attachment_create, 0,
     CW_ATTACHMENT_MAX_BYTES},
    {"GET", "/api/v1/cases/{id}/attachments", cw_h_attachments_list, 0},
    {"GET", "/api/v1/cases/{id}/attachments/{aid}", cw_h_attachment_get, 0},
    {"GET", "/api/v1/calendar", cw_h_calendar_get, 0},
    {"PUT", "/api/v1/calendar/{year}", cw_h_calendar_put, 0},

    {"GET", "/api/v1/categories", cw_h_categories_list, 0},

    {"GET", "/api/v1/departments", cw_h_departments_list, 0},

    {"GET", "/api/v1/users", cw_h_users_list, 0},
    {"POST", "/api/v1/users", cw_h_user_create, 0},
    {"GET", "/api/v1/users/{id}", cw_h_user_get, 0},
    {"PATCH", "/api/v1/users/{id}", cw_h_user_update, 0},
    {"POST", "/api/v1/users/{id}/unlock", cw_h_user_unlock, 0},
    {"POST", "/api/v1/users/{id}/password", cw_h_user_password, 0},

    {"GET", "/api/v1/audit", cw_h_audit_list, 0},

    {"GET", "/api/v1/notifications", cw_h_notifications_list, 0},
    {"POST", "/api/v1/notifications/read-all", cw_h_notifications_read_all, 0},
    {"POST", "/api/v1/notifications/{id}/read", cw_h_notification_read, 0},
    {"GET", "/api/v1/escalation-policy", cw_h_escalation_policy_get, 0},
    {"PUT", "/api/v1/escalation-policy", cw_h_escalation_policy_put, 0},
    {"GET", "/api/v1/events", cw_h_events, 0},

    {"POST", "/api/v1/grids/import", cw_h_grids_import, 0, CW_IMPORT_MAX_BYTES},
    {"PUT", "/api/v1/categories", cw_h_categories_put, 0, CW_CATEGORIES_MAX_BYTES},
    {"GET", "/api/v1/categories/{code}", cw_h_category_get, 0},
    {"PATCH", "/api/v1/categories/{code}", cw_h_category_update, 0},
    {"GET", "/api/v1/grids/{code}/candidates", cw_h_grid_candidates, 0},
    {"GET", "/api/v1/config", cw_h_config, CW_ROUTE_PUBLIC},
    {"GET", "/api/v1/stats/cases", cw_h_stats_cases, 0},
    {"GET", "/api/v1/stats/grids", cw_h_stats_grids, 0},
    {"GET", "/api/v1/cases/points", cw_h_case_points, 0},
    /* Open311 GeoReport v2 (api/open311.c): public, POSTs check their api_key. */
    {"GET", "/open311/v2/{file}", cw_h_o311_get, CW_ROUTE_PUBLIC},
    {"POST", "/open311/v2/{file}", cw_h_o311_post, CW_ROUTE_PUBLIC},
    {"GET", "/open311/v2/services/{file}", cw_h_o311_service, CW_ROUTE_PUBLIC},
    {"GET", "/open311/v2/requests/{file}", cw_h_o311_request, CW_ROUTE_PUBLIC},
    {"GET", "/open311/v2/tokens/{file}", cw_h_o311_token, CW_ROUTE_PUBLIC},
    {"PUT", "/api/v1/categories/{code}/attributes", cw_h_category_attributes_put, 0},
};

const struct cw_route *cw_api_routes(int *n)
{
	*n = (int)(sizeof routes / sizeof routes[0]);
	return routes;
}
