/* api.h - the HTTP API: the route table, authentication and the handlers' helpers.
 *
 * Handlers are thin: parse with a spec, call a service of app/, reply. */
#ifndef CW_API_API_H
#define CW_API_API_H

#include <stdbool.h>

#include "app/app.h"
#include "core/calendar.h"
#include "http/json.h"
#include "http/server.h"

struct cw_ratelimit;

struct cw_api {
	cw_store *store;
	struct cw_app_config cfg;
	bool secure_cookies; /* add Secure to the session cookie (behind TLS) */
	const char *web_dir; /* static console files; NULL for none */
	struct cw_geo_locator *locator; /* the point-to-grid index */
	struct cw_calendar *calendar;   /* holidays for deadlines (see api/calendar.c) */
	int64_t calendar_version;       /* of the calendar loaded last (atomic) */
	struct cw_work_hours work_hours;
	int64_t grids_version;          /* of the index published last (atomic) */
	const char *data_dir;           /* --data-dir: attachments/ lives there */
	struct cw_keyring *keyring;     /* personal-data keys (util/keyring.h) */
	struct cw_events *events;       /* live case changes (GET /api/v1/events) */
	struct cw_ratelimit *portal_limit; /* the public routes' buckets; NULL: no limit */
	const char *trusted_proxies; /* comma-separated addresses of reverse proxies; NULL none */
	const char *tile_url;           /* map tiles for the console (GET /api/v1/config) */
	const char *tile_attribution;
};

/* The route table of the whole server. */
const struct cw_route *cw_api_routes(int *n);
/* The authenticate hook of cw_server_config: cookie session or bearer token, and
 * the CSRF check for cookie-authenticated writes. */
bool cw_api_authenticate(struct cw_req *req);
/* Serves the console's static files from web_dir. */
bool cw_api_static(struct cw_req *req);

static inline struct cw_api *cw_api_of(struct cw_req *req)
{
	return req->app;
}

/* The actor of the signed-in caller for services and the audit trail. */
struct cw_actor cw_api_actor(struct cw_req *req);
/* An anonymous actor (login attempts). */
struct cw_actor cw_api_anonymous(struct cw_req *req);
/* Replies 403 FORBIDDEN and returns false unless the caller's roles allow perm. */
bool cw_api_require_or_reply(struct cw_req *req, enum cw_perm perm);
/* Reads ?limit= (1..200, default def) or replies 400 INVALID_QUERY. */
bool cw_api_limit_or_reply(struct cw_req *req, int def, int *limit);
/* After a grid boundary changed: rebuild the lookup index now (other instances
 * notice the changed version within seconds). */
void cw_api_grids_changed(struct cw_req *req);
/* Rebuilds the index when the stored grids version differs from the published
 * one (called at start and periodically). */
void cw_api_grids_refresh(struct cw_api *api, bool force);
/* Reloads the holiday calendar when its stored version changed (or always). */
void cw_api_calendar_refresh(struct cw_api *api, bool force);
void cw_api_calendar_release(struct cw_api *api);
/* A deadline `amount` units (enum cw_case_due_unit) from `from` with the loaded calendar,
 * under its read lock: what the case engine's clocks use. */
enum cw_ec cw_api_due(struct cw_api *api, int unit, int amount, int64_t from, int64_t *due);
/* What the case services need of the server: the grid locator, the calendar's deadlines
 * (cw_api_due) and the personal-data keys. */
struct cw_case_env cw_api_case_env(struct cw_req *req);
/* A time as RFC 3339 with offset, or JSON null for 0 (none). */
json_t *cw_api_time_json(int64_t t);
/* Replies with the error when ec is not OK; returns whether it replied. */
bool cw_api_fail(struct cw_req *req, enum cw_ec ec, const char *field);

/* A strong ETag of a representation: changes whenever any shown field does. */
const char *cw_api_etag(struct cw_req *req, json_t *body);
/* Replies 428 without If-Match and 412 when it is not the ETag of `current`
 * (or "*"); returns whether the change may go ahead. */
bool cw_api_if_match_or_reply(struct cw_req *req, json_t *current);

/* The case list's console filters (case_filters.c): reads status (one or a comma-
 * separated list), open, supervised, escalated, department, grid and due_before into f,
 * or replies 400 INVALID_QUERY naming the bad one and returns false. */
bool cw_api_case_filters_or_reply(struct cw_req *req, const struct cw_actor *actor,
				  struct cw_case_filter *f);

/* JSON views shared by several handlers. */
json_t *cw_api_user_json(const struct cw_user *u);
json_t *cw_api_region_json(const struct cw_region *r);

/* Handlers, one file per resource. */
void cw_h_session_create(struct cw_req *req);
void cw_h_session_get(struct cw_req *req);
void cw_h_session_delete(struct cw_req *req);
void cw_h_regions_list(struct cw_req *req);
void cw_h_region_get(struct cw_req *req);
void cw_h_region_create(struct cw_req *req);
void cw_h_region_update(struct cw_req *req);
void cw_h_users_list(struct cw_req *req);
void cw_h_user_get(struct cw_req *req);
void cw_h_user_create(struct cw_req *req);
void cw_h_user_update(struct cw_req *req);
void cw_h_user_unlock(struct cw_req *req);
void cw_h_user_password(struct cw_req *req);
void cw_h_departments_list(struct cw_req *req);
void cw_h_audit_list(struct cw_req *req);
void cw_h_grids_locate(struct cw_req *req);
void cw_h_grids_list(struct cw_req *req);
void cw_h_grid_get(struct cw_req *req);
void cw_h_grid_boundary_put(struct cw_req *req);
void cw_h_grid_update(struct cw_req *req);
void cw_h_grid_worker_add(struct cw_req *req);
void cw_h_grid_worker_remove(struct cw_req *req);
void cw_h_calendar_get(struct cw_req *req);
void cw_h_calendar_put(struct cw_req *req);
void cw_h_calendar_due(struct cw_req *req);
void cw_h_categories_list(struct cw_req *req);
void cw_h_cases_list(struct cw_req *req);
void cw_h_case_create(struct cw_req *req);
void cw_h_case_get(struct cw_req *req);
void cw_h_case_action(struct cw_req *req);
void cw_h_notifications_list(struct cw_req *req);
void cw_h_notification_read(struct cw_req *req);
void cw_h_notifications_read_all(struct cw_req *req);
void cw_h_escalation_policy_get(struct cw_req *req);
void cw_h_escalation_policy_put(struct cw_req *req);
void cw_h_attachment_create(struct cw_req *req);
void cw_h_attachments_list(struct cw_req *req);
void cw_h_attachment_get(struct cw_req *req);
/* [{"id","mime","size","url"}] of a case's attachments, for the case's JSON. */
json_t *cw_api_attachments_brief(struct cw_req *req, const struct cw_attachment *items, int n);
void cw_h_healthz(struct cw_req *req);
void cw_h_metrics(struct cw_req *req);
void cw_h_events(struct cw_req *req);
/* The map and the dashboard (api/stats.c). */
void cw_h_config(struct cw_req *req);
void cw_h_stats_cases(struct cw_req *req);
void cw_h_stats_grids(struct cw_req *req);
void cw_h_case_points(struct cw_req *req);

/* The citizens' portal (portal.c): public routes. */
void cw_h_public_categories(struct cw_req *req);
void cw_h_public_report_create(struct cw_req *req);
void cw_h_public_report_get(struct cw_req *req);
void cw_h_public_report_photo(struct cw_req *req);
void cw_h_public_report_rate(struct cw_req *req);

/* The If-Match of a write, checked again inside the service's write transaction (see
 * struct cw_if_match in app.h): whether the request's If-Match is "*" or the ETag of
 * `current`, which it takes (json_decref). */
bool cw_api_if_match_fresh(struct cw_req *req, json_t *current);

/* ---- administration (admin.c) ---- */

#define CW_IMPORT_MAX_BYTES (32u << 20) /* body of a grids import (GeoJSON) */
#define CW_CATEGORIES_MAX_BYTES (4u << 20) /* body of a categories CSV */

void cw_h_grids_import(struct cw_req *req);
void cw_h_categories_put(struct cw_req *req);
void cw_h_category_get(struct cw_req *req);
void cw_h_category_update(struct cw_req *req);
/* GET /api/v1/categories?all=true: every category with "active" and "updated_at". */
void cw_api_categories_list_all(struct cw_req *req);
void cw_h_grid_candidates(struct cw_req *req);
/* A category as GET /api/v1/categories lists it (categories.c). */
json_t *cw_api_category_json(const struct cw_stored_category *c);

#endif
