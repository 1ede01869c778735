/* app.h - application services: the use cases of civicgrid, each one transaction.
 *
 * A service checks the rules of core/, reads and writes through store/, and writes
 * the audit record of what it did in the same transaction. The HTTP handlers of
 * api/ and the commands of cli/ both call these, so a user created on the command
 * line and one created through the API obey the same rules and leave the same trail.
 * Services return an error code of the registry (core/errors.def) and never know HTTP. */
#ifndef CW_APP_APP_H
#define CW_APP_APP_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/auth.h"
#include "core/error.h"
#include "core/region.h"
#include "store/store.h"

struct cw_arena;
struct cw_keyring;

/* Who acts, for permission checks and the audit trail. */
struct cw_actor {
	int64_t user_id;        /* 0 for the command line */
	const char *username;   /* "cli" for the command line */
	cw_roleset roles;       /* the command line acts with every admin role */
	const char *region_path; /* scope; NULL means the whole tree (command line) */
	const char *source;     /* client address, or "local" */
	const char *request_id; /* "" for the command line */
};

struct cw_actor cw_actor_cli(void);

/* Process-wide settings the services need (loaded by cli/config.c). */
struct cw_app_config {
	struct cw_auth_policy policy;
	int64_t session_touch_interval; /* seconds between last_seen writes (60) */
};

/* Appends one audit record for `actor` (roles as text) in `tx`. */
int cw_app_audit(struct cw_tx *tx, const struct cw_actor *actor, const char *action,
		 const char *object, bool success, const char *detail);
/* Maps a store code to the registry: NOTFOUND → not_found, BUSY/ERROR → STORE_UNAVAILABLE… */
enum cw_ec cw_app_store_ec(int rc, enum cw_ec not_found, enum cw_ec conflict);

/* ---- accounts (accounts.c) ---- */

/* A signed-in caller, as returned by login and by resolving a cookie or token. */
struct cw_identity {
	struct cw_user user;
	const char *session_key; /* SM3 hex of the cookie value; NULL for tokens */
	const char *csrf_token;  /* NULL for tokens */
	bool via_token;
};

/* Checks the password outside any transaction (argon2id is slow on purpose), then
 * in one write transaction counts the failure or opens a session. On success
 * *cookie_value is the new session cookie (never stored; only its digest is). */
enum cw_ec cw_login(cw_store *s, struct cw_arena *a, const struct cw_app_config *cfg,
		    const struct cw_actor *actor, const char *username, const char *password,
		    int64_t now, struct cw_identity *out, const char **cookie_value);
enum cw_ec cw_logout(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
		     const char *session_key);
/* Cookie → identity. SESSION_EXPIRED for a known but dead session (deleted then),
 * AUTH_REQUIRED for an unknown one, ACCOUNT_DISABLED / ACCOUNT_LOCKED if the user is. */
enum cw_ec cw_session_resolve(cw_store *s, struct cw_arena *a, const struct cw_app_config *cfg,
			      const char *cookie_value, int64_t now, struct cw_identity *out);
enum cw_ec cw_token_resolve(cw_store *s, struct cw_arena *a, const char *bearer, int64_t now,
			    struct cw_identity *out);

/* Deletes sessions past their idle or absolute limit; the number deleted or -1. */
int64_t cw_sessions_purge(cw_store *s, const struct cw_app_config *cfg, int64_t now);

struct cw_user_input {
	const char *username, *name, *region, *password; /* password may be NULL */
	cw_roleset roles;
	int64_t department_id;
};

enum cw_ec cw_user_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const struct cw_user_input *in, int64_t now, struct cw_user *out);
/* Changes the given fields (NULL / -1 keeps one): name, region, roles (0 keeps),
 * disabled (-1 keeps), department_id (-1 keeps, 0 clears). Disabling ends sessions. */
struct cw_user_change {
	const char *name, *region;
	cw_roleset roles;
	int disabled;
	int64_t department_id;
};
enum cw_ec cw_user_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  int64_t id, const struct cw_user_change *ch, int64_t now,
			  struct cw_user *out);
/* Sets a new password (policy-checked), clears lockout, ends the user's sessions. */
enum cw_ec cw_user_set_password(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *username, const char *password, int64_t now);
enum cw_ec cw_user_unlock(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *username, int64_t now);
/* A user visible to the actor (home region inside the actor's scope) or USER_NOT_FOUND. */
enum cw_ec cw_user_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      int64_t id, struct cw_user *out);
/* Users whose home region is in the actor's scope, by id after after_id. */
enum cw_ec cw_user_list_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			       int64_t after_id, int limit, struct cw_user **items, int *n);
enum cw_ec cw_department_list_scoped(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, int64_t after_id, int limit,
				     struct cw_department **items, int *n);
/* Creates an API token for `username`; *token_text is shown once and never stored. */
enum cw_ec cw_token_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			   const char *username, const char *name, int64_t now,
			   const char **token_text);

/* ---- regions (regions.c) ---- */

/* A region inside the actor's scope, or REGION_NOT_FOUND (also when outside). */
enum cw_ec cw_region_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *code, struct cw_region *out);
/* The root of the tree (the city); the _tx form inside a transaction. */
enum cw_ec cw_region_root(cw_store *s, struct cw_arena *a, struct cw_region *out);
int cw_region_root_tx(struct cw_tx *tx, struct cw_region *out);
/* Children of a region in scope, by code after `after` (NULL: first page). */
enum cw_ec cw_region_children_scoped(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, const char *parent,
				     const char *after, int limit, struct cw_region **items,
				     int *n);
enum cw_ec cw_region_create(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			    const char *code, const char *name, const char *parent, int64_t now,
			    struct cw_region *out);
/* Either or both of name and new_parent (NULL keeps), in one transaction. */
enum cw_ec cw_region_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			    const char *code, const char *name, const char *new_parent,
			    int64_t now);

/* ---- audit (audit.c) ---- */

/* Walks the whole chain. Returns 0 and sets *count when intact; otherwise sets
 * *bad_seq to the first record whose hash or link does not hold and returns 1;
 * -1 when the store cannot be read. */
int cw_audit_verify(cw_store *s, int64_t *count, int64_t *bad_seq, const char **why);

/* Audit records, newest first; only for roles allowed to read the audit log. */
enum cw_ec cw_audit_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			 const struct cw_audit_filter *f, int limit, struct cw_audit_rec **items,
			 int *n);

/* ---- grids (grids.c) ---- */

struct cw_geo_locator;
struct cw_geo_problem;

/* Loads every grid boundary, builds a new lookup index and publishes it. Returns
 * the number of grids indexed, or -1 when the store cannot be read. */
int64_t cw_grids_rebuild_index(cw_store *s, struct cw_geo_locator *loc);
/* The grids' change counter, bumped in every transaction that changes a grid
 * boundary: an instance compares it to rebuild its index after another
 * instance's change. -1 when the store cannot be read. */
int64_t cw_grids_version(cw_store *s);

struct cw_located {
	char grid[16], village[16], town[16], district[16], city[16];
};

/* The grid covering a point, and its ancestors. NO_GRID when no grid covers it or
 * the grid lies outside the actor's scope; INVALID_QUERY for coordinates out of range. */
enum cw_ec cw_grid_locate(cw_store *s, struct cw_arena *a, struct cw_geo_locator *loc,
			  const struct cw_actor *actor, double lon, double lat,
			  struct cw_located *out);

struct cw_grid_view {
	struct cw_grid grid;
	const char *geojson; /* boundary geometry text, NULL when none */
	double area_m2;
	struct cw_grid_worker *workers;
	int nworkers;
};

enum cw_ec cw_grid_get_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      const char *code, struct cw_grid_view *out);
/* Grids under `within` (a region in scope; NULL: the actor's home region) as a
 * GeoJSON FeatureCollection with code, name, type, households, population,
 * synthetic and worker names in the properties. */
enum cw_ec cw_grids_feature_collection(cw_store *s, struct cw_arena *a,
				       const struct cw_actor *actor, const char *within,
				       json_t **out);
/* Bumps the grids' change counter inside a transaction that changed boundaries. */
int cw_grids_bump_version(struct cw_tx *tx, int64_t now);
/* Validates and stores a grid's boundary: a valid geometry, inside its village's
 * boundary when it has one, not overlapping a sibling grid beyond 1 m². On a
 * geometry refusal *why says why (and where, and which grid). */
enum cw_ec cw_grid_set_boundary(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *code, const json_t *geometry, int64_t now,
				struct cw_geo_problem *why);
/* Attributes: kind (NULL keeps), households and population (-1 keeps). */
enum cw_ec cw_grid_update(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *code, const char *kind, int64_t households,
			  int64_t population, int64_t now);
/* "1+1": one full-time grid worker per grid (a grid_worker whose home region is
 * that grid) and any number of part-timers (grid workers of that grid, or staff
 * whose scope holds it). */
enum cw_ec cw_grid_assign_worker(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, int64_t user_id, const char *duty, int64_t now);
enum cw_ec cw_grid_remove_worker(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, int64_t user_id);

/* One refused feature of an import. */
struct cw_import_problem {
	size_t index;      /* the feature's position in the file, from 0 */
	char code[32];     /* its properties.code as given ("" when none) */
	char reason_zh[320], reason_en[320];
	bool has_location;
	double lon, lat;
};

struct cw_import_report {
	size_t features, created, updated;
	struct cw_import_problem *problems; /* in feature order; malloc'd, free() it */
	size_t nproblems;
};

/* Imports a FeatureCollection of grids, all or nothing: every feature is checked
 * (properties.code a grid code under an existing village, name, type, households,
 * population; the geometry as for cw_grid_set_boundary, against the file's other
 * grids and the stored ones) and every problem reported; only when there is none
 * is anything written, in one transaction. progress(done, total) is called while
 * checking, when given. Returns OK, INVALID_GEOMETRY when features were refused,
 * or another code for a file that is not a FeatureCollection. */
enum cw_ec cw_grids_import(cw_store *s, const struct cw_actor *actor, const json_t *fc,
			   int64_t now, void (*progress)(size_t done, size_t total),
			   struct cw_import_report *rep);

/* ---- the working-day calendar (calendar.c) ---- */

struct cw_calendar;

/* The stored calendar for deadline arithmetic (NULL: none listed, plain weekdays). */
struct cw_calendar *cw_calendar_load(cw_store *s);
/* Bumped whenever a year changes, so every instance reloads. -1 on a store error. */
int64_t cw_calendar_version(cw_store *s);
/* The listed days of one year, in date order. */
enum cw_ec cw_calendar_year(cw_store *s, struct cw_arena *a, int year,
			    struct cw_calendar_day **days, int *n);
/* Replaces one year's listed days (sysadmin); checks every day (a real date in that
 * year, off or work, a make-up day on a weekend, no day twice) and on
 * INVALID_CALENDAR sets *bad to the index of the first bad one (-1 when none). May
 * sort `days`. Audited as calendar.year; nothing is written when nothing changes. */
enum cw_ec cw_calendar_set_year(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				int year, struct cw_calendar_day *days, int n, int64_t now, int *bad);
/* Loads a date,type,holiday CSV (../shared/data/calendar-cn.csv) into the years the
 * store does not list yet. */
int cw_calendar_import_csv(cw_store *s, const char *path, bool quiet);

/* ---- the case category taxonomy (categories.c) ---- */

/* One refused line of a categories file. */
struct cw_category_problem {
	int line;	    /* in the file, from 1 */
	const char *code;   /* the row's code as given ("" when unknown) */
	const char *field;  /* the column at fault (catalog/README.md), NULL: the whole line */
	const char *reason; /* English, for the command line */
};

struct cw_category_import {
	int rows;    /* categories in the file */
	int changed; /* categories written or deactivated; 0 when nothing changed */
	struct cw_category_problem *problems; /* in line order; in the arena */
	int nproblems;
};

/* Makes the CSV text[0..len) (catalog/README.md) the taxonomy, all or nothing: every row
 * is checked (core/category.h, unique codes, parents) and every bad line reported; only
 * when there is none is anything written, in one transaction. Categories the file no
 * longer lists become inactive. Sysadmin only. Audited once as category.import when
 * anything changed; loading the same file again writes nothing. With only_if_empty a
 * store that holds categories is left as it is (the demo). INVALID_CATEGORY when lines
 * were refused. */
enum cw_ec cw_categories_import(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *text, size_t len, int64_t now, bool only_if_empty,
				struct cw_category_import *out);
/* Reads the file and imports it as above; prints each refused line to stderr as
 * "FILE:LINE: CODE reason" and, unless quiet, a summary to stdout. 0 or -1. */
int cw_categories_import_file(cw_store *s, const struct cw_actor *actor, const char *path,
			      bool only_if_empty, bool quiet);
/* The active categories in code order, of one kind (NULL: all); INVALID_QUERY for a kind
 * that does not exist. */
enum cw_ec cw_categories_list(cw_store *s, struct cw_arena *a, const char *kind,
			      struct cw_stored_category **items, int *n);

/* ---- the demo city (demo.c) ---- */

struct cw_demo_options {
	const char *data_dir;  /* where huaibei-towns.csv etc. are (../shared/data) */
	const char *password;  /* NULL: random passwords, printed */
	uint64_t seed;         /* of the synthetic grid layout */
	const char *categories_path; /* catalog/categories.csv; NULL: no categories */
	bool quiet;
};

/* Loads Huaibei's regions, departments, demo users and grids; idempotent. Prints
 * the logins. */
int cw_demo_load(cw_store *s, const struct cw_demo_options *opt);
/* Adds synthetic boundaries, about 2,000 grids and their ~4,600 workers (no
 * passwords; gw_001 takes the first grid of 相南街道); nothing when grids exist. */
int cw_demo_load_grids(cw_store *s, uint64_t seed, bool quiet);


/* ---- cases (cases.c; DOMAIN.md §2, API.md "Cases") ---- */
struct cw_case_kind;
struct cw_case_due;

/* What the case services need from the running server: the point-to-grid index and
 * deadline arithmetic over the loaded calendar (api: cw_api_due). */
struct cw_case_env {
	struct cw_geo_locator *locator;
	enum cw_ec (*due)(void *ctx, int unit, int amount, int64_t from, int64_t *out);
	void *ctx;
	struct cw_keyring *keyring; /* seals the reporter's personal data (app/pii.c) */
};

#define CW_CASE_TITLE_MAX 200	     /* characters */
#define CW_CASE_DESCRIPTION_MAX 4000 /* characters */
#define CW_CASE_ADDRESS_MAX 500	     /* characters */

struct cw_case_input {
	const char *kind, *category, *title, *description; /* description may be NULL */
	bool has_location;
	double lon, lat;
	const char *region;	 /* NULL: found from the location */
	const char *address, *channel; /* may be NULL */
	const char *idempotency_key;   /* NULL: none */
	const char *request_hash;      /* of the body, with a key */
	const char *reporter_name, *reporter_phone; /* NULL: not given (core/pii.h rules) */
	/* Optional: runs inside the creating transaction once the case, its timeline entry
	 * and audit record are written (c->id and c->number set); a store code: anything
	 * but CW_DB_OK rolls the whole report back (portal.c: the tracking code; open311.c:
	 * the attribute values). Not run for an Idempotency-Key replay. */
	int (*on_created)(struct cw_tx *tx, const struct cw_case *c, void *ctx);
	void *on_created_ctx;
};

/* The reporter's personal data as shown (app/pii.c). */
struct cw_case_reporter {
	bool present;	  /* the case holds a name or a phone */
	const char *name; /* NULL when none */
	const char *phone;
	bool masked;	  /* name and phone are masked (core/pii.h) */
	bool unreadable;  /* a value could not be opened (its key is gone): both NULL */
};

/* A case as a user sees it: the row, its timeline (oldest first) and the actions
 * this user may take now. */
struct cw_case_view {
	struct cw_case c;
	const struct cw_case_kind *kind;
	struct cw_case_event *timeline;
	int ntimeline;
	const char *actions[64];
	int nactions;
	const char *department_code; /* NULL when none */
	bool replayed;		     /* an Idempotency-Key replay: nothing was created */
	struct cw_attachment *attachments; /* photos, oldest first (attachments.c) */
	int nattachments;
	struct cw_case_reporter reporter; /* masked unless asked for and allowed */
	/* Names for the screens (NULL when none or gone): the department unit, the case's
	 * region and its grid. */
	const char *department_name, *region_name, *grid_name;
};

/* Reports a case: kind and category checked (CATEGORY_NOT_FOUND for an unknown or
 * inactive category, INVALID_FIELD kind when it is not the category's), the grid and
 * region found from the location in the actor's scope (LOCATION_NOT_IN_GRID when it
 * lies in no grid and no region is given; MISSING_FIELD location when neither is
 * given; REGION_NOT_FOUND for a region outside the scope). Level: the category's first
 * level, capped by the region's own. Department: the category's key at that level as
 * the unit "<key>-<district code>" of the case's district, else "<key>-<city code>",
 * else none. Status reported, its register clock started; timeline entry and audit
 * case.create in the same transaction. With an Idempotency-Key: the same key and hash
 * give the first case back (replayed), another hash IDEMPOTENCY_KEY_REUSED. On a 400
 * *field names the field. */
enum cw_ec cw_case_create(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			  const struct cw_actor *actor, const struct cw_case_input *in,
			  int64_t now, struct cw_case_view *out, const char **field);
/* A case in the actor's scope with its timeline and actions, or CASE_NOT_FOUND. */
enum cw_ec cw_case_get(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
		       const struct cw_actor *actor, int64_t id, int64_t now,
		       struct cw_case_view *out);
/* Takes `action` (API name) on case `id` at version `if_version` (PRECONDITION_FAILED
 * when the case has changed since), through the engine (core/case_flow.h), and
 * persists the new state, its deadline, a timeline entry and audit case.<action> in
 * one transaction. Answers the case as it is afterwards. */
enum cw_ec cw_case_act(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
		       const struct cw_actor *actor, int64_t id, int64_t if_version,
		       const char *action, const struct cw_case_action_input *in, int64_t now,
		       struct cw_case_view *out, const char **field);
/* cw_case_get, and with unmask_reporter the reporter's name and phone unmasked: only
 * for roles with CW_PERM_PII_VIEW or the case's own reporter (FORBIDDEN otherwise,
 * nothing shown), audited as case.unmask (detail: the fields shown, never the values)
 * in the same, then writing, transaction. */
enum cw_ec cw_case_get_unmasked(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
				const struct cw_actor *actor, int64_t id, int64_t now,
				bool unmask_reporter, struct cw_case_view *out);
/* Cases in the actor's scope (f->scope_path is set from it), newest first. */
enum cw_ec cw_case_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			struct cw_case_filter *f, int limit, struct cw_case **items, int *n);
/* The case list's ?department= (case_filters.c): "mine" (the caller's own unit), a
 * unit's code or its id → the unit's id. INVALID_QUERY when there is no such unit (or
 * the caller belongs to none). */
enum cw_ec cw_case_filter_department(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, const char *value, int64_t *id);

/* ---- the escalation policy as configuration (escalation_policy.c; DOMAIN.md §3) ---- */
#include "core/escalation.h"

/* A policy for the cases of one category and the categories below it ("01" covers
 * "01001"): the base policy with the levels it names (and max_escalations) replaced. */
struct cw_escalation_override {
	const char *category;
	struct cw_escalation_policy policy;
	unsigned levels_set; /* bit (1u << level) for each level it names */
	bool max_set;
};

struct cw_escalation_config {
	struct cw_escalation_policy base; /* cw_escalation_policy_default() unless configured */
	struct cw_escalation_override *categories;
	int ncategories;
};

/* The JSON of the API, {"levels":{"grid":{"warn_percent":80,"escalate":true,
 * "grace_hours":0},…},"max_escalations":0,"categories":{"01010":{"levels":{…},
 * "max_escalations":1}}}, checked field by field: levels and rule fields left out keep
 * the default (a category's, the base's); INVALID_FIELD or UNKNOWN_FIELD with *field
 * the path of the bad one ("levels.town.warn_percent"). Pure. */
enum cw_ec cw_escalation_config_parse(struct cw_arena *a, const json_t *in,
				      struct cw_escalation_config *out, const char **field);
/* The canonical JSON of a configuration (every level of the base listed). */
json_t *cw_escalation_config_json(const struct cw_escalation_config *c);
/* The policy for a case of `category`. */
const struct cw_escalation_policy *cw_escalation_config_for(const struct cw_escalation_config *c,
							    const char *category);
/* Inside a transaction: the stored configuration, or the default. */
int cw_escalation_config_load_tx(struct cw_tx *tx, struct cw_escalation_config *out);
enum cw_ec cw_escalation_policy_get(cw_store *s, struct cw_arena *a,
				    struct cw_escalation_config *out);
/* Replaces the configuration (CONFIG_WRITE: sysadmin): parsed as above, every category
 * named must exist (CATEGORY_NOT_FOUND with *field "categories.<code>"); audited as
 * escalation_policy.set when it changes; nothing changes on an error. */
enum cw_ec cw_escalation_policy_set(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				    const json_t *in, int64_t now, const char **field);

/* ---- the case scheduler (scheduler.c) ---- */

/* One change a pass made. */
struct cw_tick_change {
	int64_t case_id;
	const char *number;
	const char *what;  /* "warn", "overdue" or "escalate" */
	const char *level; /* the handling level afterwards */
};

struct cw_tick_report {
	bool skipped;	    /* another instance was running a pass: nothing done */
	int64_t candidates; /* cases looked at */
	int warned, overdue, escalated;
	int notified;  /* notifications written */
	int conflicts; /* cases changed by someone else meanwhile: left for the next pass */
	int errors;    /* cases whose new deadline could not be computed, or refused */
	struct cw_tick_change *changes; /* in the arena, in case id order */
	int nchanges;
};

#define CW_SCHEDULER_BATCH 500 /* cases per write transaction */

/* One pass as of `now` over every case whose deadline clock runs, in batches of
 * CW_SCHEDULER_BATCH by id, one write transaction each: warn, mark overdue or escalate
 * per the configured policy (read at the start), each change written with the version
 * check, a timeline entry by "system", notifications and, for an escalation, the audit
 * record case.escalate. A second pass at the same `now` changes nothing. On PostgreSQL
 * only one instance runs a pass at a time (an advisory lock; see docs/operations.md):
 * a pass that finds it taken sets out->skipped and does nothing. */
enum cw_ec cw_scheduler_pass(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			     int64_t now, struct cw_tick_report *out);

/* ---- notifications (notifications.c) ---- */

/* The short text of a notification: "案件 2026112700001 已超期" (or in English). */
const char *cw_notification_text(struct cw_arena *a, const struct cw_notification *nt,
				 enum cw_lang lang);
/* The actor's own notifications, newest first, id < before_id (0: the newest). */
enum cw_ec cw_notifications_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 bool unread_only, int64_t before_id, int limit,
				 struct cw_notification **items, int *n);
/* Marks one of the actor's notifications read; NOTIFICATION_NOT_FOUND for another's. */
enum cw_ec cw_notification_read(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				int64_t id, int64_t now);
enum cw_ec cw_notifications_read_all(cw_store *s, struct cw_arena *a,
				     const struct cw_actor *actor, int64_t now, int64_t *changed);
/* ---- case search (search.c; core/search.h) ---- */

/* (Re)builds the search index of case c (number, title, address, description) inside
 * the caller's transaction; c->id and c->number must be set. A store code. */
int cw_case_index_tx(struct cw_tx *tx, const struct cw_case *c);

/* ---- If-Match checked inside the write transaction ---- */

/* The caller's precondition: fresh(ctx, current) answers whether the ETag it was given
 * is still the current state's, where `current` is what the service reads under its
 * write lock: a const struct cw_region * (regions), a const struct cw_grid_view *
 * (grids) or a const struct cw_calendar_days * (calendar). When it is not, nothing is
 * written and the service answers PRECONDITION_FAILED; of two writers with one ETag
 * exactly one wins. A NULL struct cw_if_match checks nothing (the plain functions). */
struct cw_if_match {
	bool (*fresh)(void *ctx, const void *current);
	void *ctx;
};

struct cw_calendar_days {
	int year;
	const struct cw_calendar_day *days;
	int n;
};

enum cw_ec cw_region_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			       const char *code, const char *name, const char *new_parent,
			       int64_t now, const struct cw_if_match *m);
enum cw_ec cw_grid_set_boundary_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				   const char *code, const json_t *geometry, int64_t now,
				   struct cw_geo_problem *why, const struct cw_if_match *m);
enum cw_ec cw_grid_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     const char *code, const char *kind, int64_t households,
			     int64_t population, int64_t now, const struct cw_if_match *m);
enum cw_ec cw_calendar_set_year_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				   int year, struct cw_calendar_day *days, int n, int64_t now,
				   int *bad, const struct cw_if_match *m);
/* ---- photos attached to cases (attachments.c) ---- */

#define CW_ATTACHMENT_MAX_BYTES (10u << 20) /* 10 MiB of upload */
#define CW_ATTACHMENT_LABEL_MAX 64	    /* characters */

struct cw_attachment_input {
	const char *content_type; /* as declared by the client */
	const void *data;	  /* the image as uploaded */
	size_t len;
	const char *label;	  /* "before", "after", a short note; NULL: none */
};

/* Attaches a photo to case `case_id`: the actor must see the case (its scope, or being
 * its reporter: else CASE_NOT_FOUND) and the case must not be final (rejected, merged:
 * ACTION_NOT_ALLOWED). The bytes must be a JPEG, PNG or WebP of the declared type
 * (UNSUPPORTED_IMAGE, *field "Content-Type") with a sound structure (INVALID_IMAGE).
 * Metadata is stripped (core/image.h) and the result stored under
 * <data_dir>/attachments/<2 hex>/<sha256 hex> (durably, before the row commits) unless
 * that file is there; then the row, the timeline entry "attach" and audit case.attach in
 * one transaction. The same bytes on the same case again: *existed, nothing written. */
enum cw_ec cw_attachment_add(cw_store *s, struct cw_arena *a, const char *data_dir,
			     const struct cw_actor *actor, int64_t case_id,
			     const struct cw_attachment_input *in, int64_t now,
			     struct cw_attachment *out, bool *existed, const char **field);
/* The attachments of a case the actor sees (as above), oldest first. */
enum cw_ec cw_attachment_list(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			      int64_t case_id, struct cw_attachment **items, int *n);
/* One attachment of a case the actor sees; ATTACHMENT_NOT_FOUND when the case has no
 * such attachment, CASE_NOT_FOUND when the case is not seen. */
enum cw_ec cw_attachment_get(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     int64_t case_id, int64_t id, struct cw_attachment *out);
/* The stored bytes of an attachment, checked against their hash (INTERNAL, logged, when
 * the file is missing or damaged). */
enum cw_ec cw_attachment_read(struct cw_arena *a, const char *data_dir,
			      const struct cw_attachment *att, const char **data, size_t *len);
/* <data_dir>/attachments/<first 2 hex>/<sha256 hex>. */
const char *cw_attachment_path(struct cw_arena *a, const char *data_dir, const char *sha256);
/* ---- personal data: the reporter's name and phone (pii.c) ---- */

struct cw_keyring;

/* Audit labels (associated data) of the sealed columns. */
#define CW_PII_LABEL_NAME "cases.reporter_name_enc"
#define CW_PII_LABEL_PHONE "cases.reporter_phone_enc"

/* Checks a reporter's name and phone (either may be NULL; core/pii.h): INVALID_FIELD or
 * FIELD_TOO_LONG with *field "reporter.name" / "reporter.phone". */
enum cw_ec cw_pii_reporter_check(const char *name, const char *phone, const char **field);
/* Seals name and phone (NULL: none) into c->reporter_name_enc / _phone_enc ("" none). */
enum cw_ec cw_pii_reporter_seal(struct cw_keyring *kr, struct cw_arena *a, const char *name,
				const char *phone, struct cw_case *c);
/* Opens a case's sealed values and shows them masked or, with unmasked, in full. A value
 * that cannot be opened is logged (case id and key id only) and marks out unreadable. */
void cw_pii_reporter_view(struct cw_keyring *kr, struct cw_arena *a, const struct cw_case *c,
			  bool unmasked, struct cw_case_reporter *out);

/* How many stored values one key seals. */
struct cw_key_usage {
	char id[33];   /* CW_KEY_ID_MAX */
	int64_t values;
	bool current;  /* the key new values are sealed with */
	bool in_file;  /* false: values under a key the file no longer holds */
};

/* Every key of the file (in file order) and any other key id the stored values name,
 * with their counts; *items is malloc'd (free it). */
enum cw_ec cw_keys_usage(cw_store *s, struct cw_keyring *kr, struct cw_key_usage **items,
			 int *n);
/* Re-seals every stored value that is not under the current key, `batch` cases per
 * transaction; *rewrapped counts the values re-sealed, *failed those that could not be
 * opened (left as they are). Audited as keys.rewrap when anything changed. */
enum cw_ec cw_keys_rewrap(cw_store *s, struct cw_keyring *kr, const struct cw_actor *actor,
			  int batch, int64_t now, int64_t *rewrapped, int64_t *failed);

/* ---- live case changes: the timeline poller and its fan-out (events.c) ----
 *
 * One poller thread per process reads the case timeline after the last entry it has
 * seen (every poll_ms, and at once after cw_events_wake), with the bookkeeping of
 * core/event_cursor.h so that entries committed out of id order are not missed, and
 * hands each entry, as one Server-Sent Event, to every subscriber whose region path
 * contains the case's. The store is the source, so changes made by other instances
 * and by the command line arrive too. Subscribers are sinks: a send that fails (the
 * client fell behind or left) or a sink no longer alive drops the subscriber; the
 * poller then removes it and releases its sink. */
struct cw_events;

struct cw_events_sink {
	/* Called under the hub's lock; must not block or call back into the hub. */
	bool (*send)(void *cls, const char *text, size_t len);
	bool (*alive)(void *cls);   /* may be NULL: alive until a send fails */
	void (*release)(void *cls); /* may be NULL; called once, without the lock */
	void *cls;
};

struct cw_events_options {
	int max_subscribers; /* subscribe refuses beyond (default 1000) */
	int replay_max;	     /* entries replayed after a Last-Event-ID (default 1000) */
	int poll_ms;	     /* between reads of the timeline (default 1000) */
	int ping_ms;	     /* a ": ping" comment after this much silence (default 15000) */
	int gap_grace_ms;    /* how long a skipped id is waited for (default 60000) */
};

/* store may be NULL for a hub that only fans out (tests). */
struct cw_events *cw_events_new(cw_store *s, const struct cw_events_options *opt);
/* Reads the timeline's end and starts the poller; false when the thread cannot start. */
bool cw_events_start(struct cw_events *h);
/* Stops and joins the poller (no send after it returns). */
void cw_events_stop(struct cw_events *h);
/* Stops, releases every sink still subscribed, frees. */
void cw_events_free(struct cw_events *h);
/* This process just committed a timeline entry: poll now. */
void cw_events_wake(struct cw_events *h);
/* Reserves a subscriber slot for the cases under scope_path: its handle (> 0), or 0
 * when max_subscribers are taken. last_id >= 0: the entries after it (in scope, at
 * most replay_max, then an "event: reset" when more were missed) are sent first, by
 * the poller, then the live ones; -1: live only. Nothing is sent before
 * cw_events_activate gives the sink. */
int64_t cw_events_subscribe(struct cw_events *h, const char *scope_path, int64_t last_id);
void cw_events_activate(struct cw_events *h, int64_t sub, struct cw_events_sink sink);
/* Removes the subscriber and releases its sink (if activated). */
void cw_events_unsubscribe(struct cw_events *h, int64_t sub);
int cw_events_subscribers(struct cw_events *h);
/* The fan-out of changes read from the store (the poller's; public for tests). */
void cw_events_dispatch(struct cw_events *h, const struct cw_case_change *v, int n);
/* Removes the subscribers whose sink failed or is no longer alive and releases their
 * sinks (the poller does it every round; public for tests). */
void cw_events_reap(struct cw_events *h);
/* One change as a Server-Sent Event: "id: …\nevent: case\ndata: {…}\n\n". */
char *cw_events_format(struct cw_arena *a, const struct cw_case_change *c);
/* ---- demo cases (demo_cases.c, demo_cases_walk.c) ---- */
struct cw_work_hours;

struct cw_demo_cases_options {
	int64_t cases;	/* how many (0: none) */
	uint64_t seed;
	int64_t until;	/* the data ends here: reports in [until - 365 days, until) */
	const struct cw_work_hours *work_hours; /* NULL: 08:30-12:00, 14:30-17:30 */
	bool quiet;	/* no summary, no progress */
};

/* Generates a year of cases across the demo city (which must be loaded: regions,
 * grids, departments, categories, calendar), with their timelines as the engine and
 * the scheduler's default policy would have written them; deterministic for the seed
 * and `until`. Only into a store that holds no cases yet (otherwise nothing, 0).
 * Thousands of cases per transaction; one audit record demo.cases for the whole run.
 * Progress on stderr when it is a terminal. 0, or -1 after printing the problem. */
int cw_demo_load_cases(cw_store *s, const struct cw_demo_cases_options *opt);

/* ---- the administration screens (admin.c) ---- */

enum cw_user_state {
	CW_USER_STATE_ANY = -1,
	CW_USER_STATE_ACTIVE,	/* neither disabled nor locked */
	CW_USER_STATE_DISABLED,
	CW_USER_STATE_LOCKED,	/* locked out by failed logins now */
};

/* Filters of the users list; each left out (-1, NULL, "") matches everyone. */
struct cw_user_filter {
	int role;	    /* enum cw_role */
	const char *region; /* home region in this region's subtree (in scope, else
			       REGION_NOT_FOUND) */
	const char *q;	    /* part of the username or name (ASCII letters in any case) */
	int state;	    /* enum cw_user_state */
};

/* Users in the actor's scope that match f, by id after after_id, at most limit. */
enum cw_ec cw_user_search_scoped(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const struct cw_user_filter *f, int64_t now, int64_t after_id,
				 int limit, struct cw_user **items, int *n);

/* One category, active or not; CATEGORY_NOT_FOUND. */
enum cw_ec cw_category_get_any(cw_store *s, struct cw_arena *a, const char *code,
			       struct cw_stored_category *out);
/* Every category, inactive ones too, in code order (CONFIG_WRITE: sysadmin). */
enum cw_ec cw_categories_list_all(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				  struct cw_stored_category **items, int *n);

/* What to change in one category: NULL / 0 / CW_CASE_DUE_NONE / -1 keep. */
struct cw_category_change {
	const char *name;
	int amount;			/* the deadline's amount */
	enum cw_case_due_unit unit;	/* the deadline's unit */
	int active;			/* 0 or 1 */
};

/* Changes one category's name, deadline or active flag (CONFIG_WRITE: sysadmin) under
 * If-Match (`current` is a const struct cw_stored_category *): the result must pass
 * core/category.h (INVALID_CATEGORY, *field "name", "deadline.amount", "deadline.unit");
 * a class with active subclasses cannot be deactivated and a subclass of an inactive
 * class cannot be activated (CATEGORY_ACTIVE_CONFLICT, *field "active"). Audited as
 * category.update when anything changed; *out is the stored category afterwards. */
enum cw_ec cw_category_update_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				 const char *code, const struct cw_category_change *ch, int64_t now,
				 const struct cw_if_match *m, struct cw_stored_category *out,
				 const char **field);

/* The grid workers a grid's workers may be chosen from (GRID_ASSIGN): the enabled
 * grid_worker users whose home region is that grid, by id; GRID_NOT_FOUND outside scope. */
enum cw_ec cw_grid_worker_candidates(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				     const char *code, struct cw_user **items, int *n);
/* ---- the citizens' portal (portal.c; core/portal.h; issue 5 point 6) ----
 *
 * The public reports without an account. Every portal report is a case made through
 * cw_case_create by one system account, CW_PORTAL_USERNAME (role citizen, home region
 * the city, disabled: nobody signs in as it; made on first use, audited). That account
 * is the cases' reporter, so the engine's reporter rows (rate) apply to it; the
 * citizen's key to their own case is the tracking code, which only the portal's
 * services accept. The name and phone a citizen gives are the case's reporter data,
 * sealed as for any case. */
#define CW_PORTAL_USERNAME "@portal" /* '@' is never valid in a username made otherwise */

struct cw_portal_input {
	const char *category, *description;
	const char *title;   /* NULL: made from the description */
	const char *address; /* NULL: none */
	double lon, lat;
	const char *name, *phone; /* NULL: not given */
};

/* One entry of the public timeline (core/portal.h cw_portal_event). */
struct cw_portal_event {
	int64_t at;
	const char *event, *phase;
	const char *note; /* NULL unless meant for the citizen */
};

/* What the holder of a tracking code sees: no staff, no internal notes, no reporter. */
struct cw_portal_view {
	const char *number, *category, *category_name, *phase;
	int64_t created_at, updated_at;
	int64_t deadline; /* the handling deadline while the case is being handled; 0 none */
	struct cw_portal_event *timeline; /* oldest first */
	int ntimeline;
	int photos;	/* photos the citizen added */
	bool can_rate;	/* the engine allows the reporter's rate now */
	int rating;	/* the latest rating, 1-5; 0 none */
	const char *merged_phase; /* merged: the phase of the case it lives on in; else NULL */
};

/* Reports a problem: the category must be one the public may report
 * (cw_portal_category_public, else CATEGORY_NOT_FOUND), the description 5-1000
 * characters and the title (if given) up to 60, address up to 200, none with markup or
 * control characters (INVALID_FIELD); the location must lie in a grid of the city
 * (LOCATION_NOT_IN_GRID). The kind is the category's, the channel "portal". The case and
 * its tracking code's hash are written in one transaction; code_shown (16 bytes,
 * XXXX-XXXX-XXXX) is the only copy of the code. source and request_id go to the audit
 * trail. On a 4xx *field names the field as the request has it. */
enum cw_ec cw_portal_report(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			    const char *source, const char *request_id,
			    const struct cw_portal_input *in, int64_t now, char code_shown[16],
			    struct cw_portal_view *out, const char **field);
/* The public view of the case of a tracking code (as typed: see cw_portal_code_normalize);
 * CASE_NOT_FOUND for a code that is malformed, unknown or wrong, after the same work. */
enum cw_ec cw_portal_get(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			 const char *code, int64_t now, struct cw_portal_view *out);
/* Adds the citizen's photo (cw_attachment_add's checks and storage) to the case of a
 * code while it is open (not closed, rejected or merged: ACTION_NOT_ALLOWED), at most
 * CW_PORTAL_PHOTOS_MAX (TOO_MANY_PHOTOS); the same photo again changes nothing. *out
 * is the view afterwards. */
enum cw_ec cw_portal_add_photo(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			       const char *data_dir, const char *source, const char *request_id,
			       const char *code, const struct cw_attachment_input *in,
			       int64_t now, struct cw_portal_view *out, const char **field);
/* Rates the case of a code (好差评: 5 very satisfied … 1 very dissatisfied) through the
 * engine's rate action as its reporter: RATING_NOT_ALLOWED unless the case is closed and
 * not rated since it was closed; a bad rating reopens it for rectification (DOMAIN.md
 * §3). comment (may be NULL) up to 500 characters without markup. */
enum cw_ec cw_portal_rate(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			  const char *source, const char *request_id, const char *code,
			  int level, const char *comment, int64_t now, struct cw_portal_view *out,
			  const char **field);
/* The active categories the public may report, in code order (classes included). */
enum cw_ec cw_portal_categories(cw_store *s, struct cw_arena *a,
				struct cw_stored_category **items, int *n);

/* ---- figures for the dashboard and the map (stats.c) ---- */

/* One row of a breakdown: a category, a region or a status. */
struct cw_stats_count {
	const char *code, *name; /* name NULL for a status */
	int64_t count, open, overdue;
};

/* The figures of the cases created in a period under one region (stats.c). Closed:
 * closed, and a petition's reviewed or final; ended without closing: rejected and
 * merged; open: the rest. On time: closed and never marked late by the scheduler
 * (no "overdue" or "escalate.overdue" entry on its timeline).
 * Satisfied: latest rating 非常满意 or 满意 (5, 4; DOMAIN.md §3). */
struct cw_case_stats {
	struct cw_region region;
	int64_t from_day, to_day; /* local days, both included (cw_day_from_civil) */
	int64_t total, open, closed, overdue, supervised, escalated;
	int64_t closed_late, rated, satisfied;
	int64_t *by_day; /* to_day - from_day + 1 counts */
	struct cw_stats_count *by_category, *by_region, *by_status;
	int ncategories, nregions, nstatuses;
};

#define CW_STATS_MAX_DAYS 732 /* two years (a leap day included) */

/* For leaders, dispatchers, departments and the sysadmin (FORBIDDEN for others).
 * region: one in the actor's scope (REGION_NOT_FOUND otherwise); NULL: the home
 * region. Days: from <= to, at most CW_STATS_MAX_DAYS (INVALID_QUERY, *field "from"
 * or "to"). Top-level categories by count; the region's children in code order. */
enum cw_ec cw_stats_cases(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *region, int64_t from_day, int64_t to_day,
			  struct cw_case_stats *out, const char **field);
/* Unfinished cases per grid under `within` (NULL: the home region), in scope. */
enum cw_ec cw_stats_grids(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *within, struct cw_stats_grid **items, int *n);
/* Located cases under `region` (NULL: home), newest first, at most `limit`;
 * *truncated when there were more. */
enum cw_ec cw_case_points(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			  const char *region, bool open_only, int limit, struct cw_case **items,
			  int *n, bool *truncated);

/* Forgets every resolved bearer token cached by cw_token_resolve (app/accounts.c):
 * call it after a transaction that changes what a token's identity holds (account,
 * roles, region path, lock, disabled, revocation). */
void cw_token_cache_flush(void);

#endif
