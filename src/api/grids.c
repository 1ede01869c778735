/* grids.c - the grid endpoints: locate a point, the GeoJSON of a region's grids, one
 * grid with its workers, its boundary, attributes and worker assignments. */
#include "api/api.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "geo/geo.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/gate.h"
#include "util/log.h"
#include "util/text.h"

static bool coord_or_reply(struct cw_req *req, const char *name, double lo, double hi,
			   double *out)
{
	const char *s = cw_req_query(req, name);
	char *end;
	errno = 0;
	double v = s && *s ? strtod(s, &end) : NAN;
	if (!s || !*s || *end || errno || !isfinite(v) || v < lo || v > hi) {
		cw_reply_error(req, CW_EC_INVALID_QUERY, name);
		return false;
	}
	*out = v;
	return true;
}

void cw_h_grids_locate(struct cw_req *req)
{
	double lon, lat;
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_READ) ||
	    !coord_or_reply(req, "lon", -180, 180, &lon) || !coord_or_reply(req, "lat", -90, 90, &lat))
		return;
	struct cw_api *api = cw_api_of(req);
	struct cw_actor actor = cw_api_actor(req);
	struct cw_located l;
	if (cw_api_fail(req, cw_grid_locate(api->store, req->arena, api->locator, &actor, lon, lat, &l),
			NULL))
		return;
	cw_reply_json(req, 200,
		      json_pack("{s:s, s:s, s:s, s:s, s:s}", "grid", l.grid, "village", l.village,
				"town", l.town, "district", l.district, "city", l.city));
}

void cw_h_grids_list(struct cw_req *req)
{
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_READ))
		return;
	const char *within = cw_req_query(req, "within");
	if (!within || !*within)
		within = req->user->region;
	struct cw_actor actor = cw_api_actor(req);
	json_t *fc;
	enum cw_ec ec = cw_grids_feature_collection(cw_api_of(req)->store, req->arena, &actor, within, &fc);
	if (cw_api_fail(req, ec, ec == CW_EC_REGION_NOT_FOUND ? "within" : NULL))
		return;
	cw_reply_json(req, 200, fc);
}

static json_t *grid_json(const struct cw_grid_view *v)
{
	json_t *workers = json_array();
	for (int i = 0; i < v->nworkers; i++) {
		char since[40];
		cw_time_format(v->workers[i].since, since, sizeof since);
		json_array_append_new(workers,
				      json_pack("{s:I, s:s, s:s, s:s, s:s}", "id",
						(json_int_t)v->workers[i].user_id, "username",
						v->workers[i].username, "name", v->workers[i].name,
						"duty", v->workers[i].duty, "since", since));
	}
	json_t *boundary = v->geojson ? json_loads(v->geojson, 0, NULL) : NULL;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:o, s:o, s:o}", "code",
			 v->grid.code, "name", v->grid.name, "level", "grid", "village",
			 v->grid.village, "type", v->grid.kind, "households",
			 (json_int_t)v->grid.households, "population", (json_int_t)v->grid.population,
			 "synthetic", v->grid.synthetic, "area_m2",
			 v->geojson ? json_real(round(v->area_m2)) : json_null(), "boundary",
			 boundary ? boundary : json_null(), "workers", workers);
}

/* Loads the grid of the path for the caller, or replies 404. */
static bool load_or_reply(struct cw_req *req, struct cw_grid_view *v)
{
	struct cw_actor actor = cw_api_actor(req);
	return !cw_api_fail(req, cw_grid_get_scoped(cw_api_of(req)->store, req->arena, &actor,
						    cw_req_param(req, 0), v),
			    NULL);
}

static void reply_grid(struct cw_req *req, int status)
{
	struct cw_grid_view v;
	if (!load_or_reply(req, &v))
		return;
	json_t *body = grid_json(&v);
	cw_reply_header(req, "ETag", cw_api_etag(req, body));
	cw_reply_json(req, status, body);
}

void cw_h_grid_get(struct cw_req *req)
{
	if (cw_api_require_or_reply(req, CW_PERM_REGION_READ))
		reply_grid(req, 200);
}

static bool grid_fresh(void *req, const void *current)
{
	return cw_api_if_match_fresh(req, grid_json(current));
}

/* Loads the grid and checks If-Match against its current representation. */
static bool fresh_or_reply(struct cw_req *req)
{
	struct cw_grid_view v;
	if (!load_or_reply(req, &v))
		return false;
	json_t *cur = grid_json(&v);
	bool ok = cw_api_if_match_or_reply(req, cur);
	json_decref(cur);
	return ok;
}

static void reply_geometry_problem(struct cw_req *req, enum cw_ec ec,
				   const struct cw_geo_problem *why)
{
	json_t *body = json_pack("{s:s, s:s, s:s, s:s}", "code", cw_ec_name(ec), "message",
				 cw_ec_message(ec, req->lang), "field", "geometry", "reason",
				 req->lang == CW_LANG_EN ? why->reason_en : why->reason_zh);
	if (why->has_location)
		json_object_set_new(body, "location", json_pack("[f, f]", why->lon, why->lat));
	if (why->other[0])
		json_object_set_new(body, "other", json_string(why->other));
	req->error_code = cw_ec_name(ec);
	cw_reply_json(req, cw_ec_status(ec), body);
}

void cw_h_grid_boundary_put(struct cw_req *req)
{
	const char *type;
	json_t *coordinates = NULL, *bbox = NULL;
	struct cw_jfield spec[] = {
	    CW_JSTR("type", true, 32, &type),
	    CW_JANY("coordinates", true, &coordinates),
	    CW_JANY("bbox", false, &bbox), /* GeoJSON allows it; we compute our own */
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_WRITE) || !cw_json_parse_or_reply(req, spec) ||
	    !fresh_or_reply(req))
		return;
	json_t *geometry = json_pack("{s:s, s:O}", "type", type, "coordinates", coordinates);
	struct cw_actor actor = cw_api_actor(req);
	struct cw_geo_problem why;
	memset(&why, 0, sizeof why);
	struct cw_if_match m = {grid_fresh, req}; /* checked again under the grid's lock */
	enum cw_ec ec = cw_grid_set_boundary_if(cw_api_of(req)->store, req->arena, &actor,
						cw_req_param(req, 0), geometry, cw_now(), &why, &m);
	json_decref(geometry);
	if (ec == CW_EC_INVALID_GEOMETRY || ec == CW_EC_GEOMETRY_OVERLAP ||
	    ec == CW_EC_GEOMETRY_OUTSIDE_PARENT) {
		reply_geometry_problem(req, ec, &why);
		return;
	}
	if (cw_api_fail(req, ec, NULL))
		return;
	cw_api_grids_changed(req);
	reply_grid(req, 200);
}

void cw_h_grid_update(struct cw_req *req)
{
	const char *type = NULL;
	int64_t households = -1, population = -1;
	struct cw_jfield spec[] = {
	    CW_JSTR("type", false, 32, &type),
	    CW_JINT("households", false, 0, 1000000, &households),
	    CW_JINT("population", false, 0, 10000000, &population),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_WRITE) || !cw_json_parse_or_reply(req, spec) ||
	    !fresh_or_reply(req))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_if_match m = {grid_fresh, req}; /* checked again under the grid's lock */
	enum cw_ec ec = cw_grid_update_if(cw_api_of(req)->store, req->arena, &actor,
					  cw_req_param(req, 0), type, households, population,
					  cw_now(), &m);
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_FIELD ? "type" : NULL))
		return;
	reply_grid(req, 200);
}

void cw_h_grid_worker_add(struct cw_req *req)
{
	int64_t user = 0;
	const char *duty;
	struct cw_jfield spec[] = {
	    CW_JINT("user", true, 1, 9007199254740991.0, &user),
	    CW_JSTR("duty", true, 16, &duty),
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_GRID_ASSIGN) || !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_actor actor = cw_api_actor(req);
	enum cw_ec ec = cw_grid_assign_worker(cw_api_of(req)->store, req->arena, &actor,
					      cw_req_param(req, 0), user, duty, cw_now());
	if (cw_api_fail(req, ec, ec == CW_EC_INVALID_FIELD		? "duty"
				 : ec == CW_EC_USER_NOT_FOUND		? "user"
				 : ec == CW_EC_NOT_A_GRID_WORKER	? "user"
									: NULL))
		return;
	reply_grid(req, 200);
}

void cw_h_grid_worker_remove(struct cw_req *req)
{
	int64_t user;
	if (!cw_api_require_or_reply(req, CW_PERM_GRID_ASSIGN))
		return;
	if (!cw_parse_int(cw_req_param(req, 1), 1, INT64_MAX, &user)) {
		cw_reply_error(req, CW_EC_USER_NOT_FOUND, NULL);
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	if (cw_api_fail(req, cw_grid_remove_worker(cw_api_of(req)->store, req->arena, &actor,
						   cw_req_param(req, 0), user),
			NULL))
		return;
	cw_reply_empty(req, 204);
}

/* One rebuild at a time, so an older read can never publish after a newer one;
 * lookups meanwhile go on against the current index. */
static pthread_mutex_t rebuild_lock = PTHREAD_MUTEX_INITIALIZER;

void cw_api_grids_refresh(struct cw_api *api, bool force)
{
	/* Out of the gate (util/gate.h): a thread that holds the lock must never queue
	 * for a place that the threads waiting for the lock hold. */
	bool gate = cw_gate_pause();
	pthread_mutex_lock(&rebuild_lock);
	int64_t stored = cw_grids_version(api->store);
	if (stored < 0 ||
	    (!force && stored == __atomic_load_n(&api->grids_version, __ATOMIC_ACQUIRE))) {
		pthread_mutex_unlock(&rebuild_lock);
		cw_gate_resume(gate);
		return;
	}
	/* Record the version before reading the boundaries: a change that lands while
	 * we read bumps it again, and the next refresh picks that up. */
	__atomic_store_n(&api->grids_version, stored, __ATOMIC_RELEASE);
	int64_t n = cw_grids_rebuild_index(api->store, api->locator);
	if (n < 0) {
		__atomic_store_n(&api->grids_version, -1, __ATOMIC_RELEASE);
		cw_warn("grid index: cannot read the boundaries; will retry");
	} else {
		cw_info("grid index: %lld grids", (long long)n);
	}
	pthread_mutex_unlock(&rebuild_lock);
	cw_gate_resume(gate);
}

void cw_api_grids_changed(struct cw_req *req)
{
	cw_api_grids_refresh(cw_api_of(req), true);
}
