/* store.h - the domain's view of storage: transactions and typed queries.
 *
 * Callers (api/, cli/) open a store, run a callback in a transaction with
 * cw_store_tx(), and call the functions below inside it. Strings in results are
 * allocated in the arena passed to cw_store_tx() and live as long as it does.
 * Every function returns an enum cw_db_rc: CW_DB_OK, CW_DB_NOTFOUND for a lookup
 * that found nothing, CW_DB_CONSTRAINT when a unique/foreign key refused the
 * change, CW_DB_BUSY (retried by cw_store_tx), CW_DB_ERROR.
 * After any code other than CW_DB_OK and CW_DB_NOTFOUND the transaction can only
 * be rolled back (PostgreSQL aborts it on the failed statement): return the code
 * from the callback instead of trying another statement.
 *
 * No SQL leaves src/store/. */
#ifndef CW_STORE_STORE_H
#define CW_STORE_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/category.h"
#include "core/region.h"
#include "core/search.h"

struct cw_arena;
struct cw_db;
struct cw_tx;

/* Return codes of every store function. */
enum cw_db_rc {
	CW_DB_OK = 0,
	CW_DB_NOTFOUND = 1,   /* a lookup found no row */
	CW_DB_BUSY = 2,       /* lock timeout, SQLITE_BUSY, PG 40001/40P01: retried */
	CW_DB_CONSTRAINT = 3, /* unique / foreign-key / check violation */
	CW_DB_ERROR = 4,      /* anything else; logged by the driver without values */
	CW_DB_ABORT = 5,      /* the transaction callback chose to roll back */
};

typedef struct cw_db cw_store;

cw_store *cw_store_open(const char *url, int pool_size, char *err, size_t errlen);
void cw_store_close(cw_store *s);
bool cw_store_is_postgres(const cw_store *s);
int cw_store_schema_version(cw_store *s);
/* See cw_db_run_tx in db.h: commit on 0, roll back otherwise, retry on BUSY. */
int cw_store_tx(cw_store *s, struct cw_arena *a, bool write, int (*fn)(struct cw_tx *, void *),
		void *ctx);
struct cw_arena *cw_store_tx_arena(struct cw_tx *tx);

/* ---- regions ---- */
struct cw_region {
	const char *code, *name, *parent; /* parent NULL at the root */
	const char *path;                 /* root first, "/"-separated codes */
	enum cw_level level;
	int64_t created_at, updated_at;
};

int cw_store_region_insert(struct cw_tx *tx, const struct cw_region *r);
int cw_store_region_get(struct cw_tx *tx, const char *code, struct cw_region *out);
/* Children of `parent` (roots when NULL) in code order, after `after_code`
 * (NULL for the first page), at most `limit`. */
int cw_store_region_children(struct cw_tx *tx, const char *parent, const char *after_code,
			     int limit, struct cw_region **items, int *n);
int cw_store_region_rename(struct cw_tx *tx, const char *code, const char *name, int64_t now);
/* Moves `code` and its subtree: parent becomes new_parent and every path under
 * the old path is rewritten under new_path (the moved region's own new path). */
int cw_store_region_move(struct cw_tx *tx, const char *code, const char *new_parent,
			 const char *new_path, int64_t now);
int cw_store_region_count(struct cw_tx *tx, int64_t *n);

/* ---- departments (units of a department at one region) ---- */
struct cw_department {
	int64_t id;
	const char *code; /* unique, e.g. "cgj-340600000000" */
	const char *name, *region, *region_path;
	int64_t created_at;
};

/* Inserts, or when the code exists leaves it unchanged; sets d->id either way
 * and *created to whether a row was added. */
int cw_store_department_ensure(struct cw_tx *tx, struct cw_department *d, bool *created);
int cw_store_department_get(struct cw_tx *tx, int64_t id, struct cw_department *out);
/* One department unit by its code (store_cases.c: case routing). */
int cw_store_department_by_code(struct cw_tx *tx, const char *code, struct cw_department *out);
/* Departments whose region lies in `scope_path`, by id after `after_id`. */
int cw_store_department_list(struct cw_tx *tx, const char *scope_path, int64_t after_id,
			     int limit, struct cw_department **items, int *n);

/* ---- users ---- */
struct cw_user {
	int64_t id;
	const char *username, *name;
	const char *region, *region_path; /* home region and its path */
	cw_roleset roles;
	const char *password_hash; /* "" when the account has no password yet */
	int failed_logins;
	int64_t locked_until;
	bool disabled;
	int64_t department_id; /* 0 when none */
	int64_t created_at, updated_at;
};

int cw_store_user_insert(struct cw_tx *tx, struct cw_user *u); /* sets u->id */
int cw_store_user_get(struct cw_tx *tx, int64_t id, struct cw_user *out);
int cw_store_user_by_username(struct cw_tx *tx, const char *username, struct cw_user *out);
/* Users whose home region lies in `scope_path` (all when NULL), by id after
 * `after_id`, at most `limit`. */
int cw_store_user_list(struct cw_tx *tx, const char *scope_path, int64_t after_id, int limit,
		       struct cw_user **items, int *n);
/* Writes name, region, roles, disabled, department_id, updated_at. */
int cw_store_user_update(struct cw_tx *tx, const struct cw_user *u);
int cw_store_user_set_password(struct cw_tx *tx, int64_t id, const char *hash, int64_t now);
int cw_store_user_set_login_state(struct cw_tx *tx, int64_t id, int failed,
				  int64_t locked_until);

/* ---- sessions (the cookie value is never stored, only its SM3 digest) ---- */
struct cw_session {
	const char *id_hash;
	int64_t user_id;
	const char *csrf_token;
	int64_t created_at, last_seen;
	const char *source;
};

int cw_store_session_insert(struct cw_tx *tx, const struct cw_session *s);
int cw_store_session_get(struct cw_tx *tx, const char *id_hash, struct cw_session *out);
int cw_store_session_touch(struct cw_tx *tx, const char *id_hash, int64_t now);
int cw_store_session_delete(struct cw_tx *tx, const char *id_hash);
int cw_store_session_delete_user(struct cw_tx *tx, int64_t user_id);
/* Deletes sessions last seen before idle_before or created before abs_before. */
int cw_store_session_purge(struct cw_tx *tx, int64_t idle_before, int64_t abs_before,
			   int64_t *deleted);

/* ---- API tokens (stored as SM3 digests) ---- */
struct cw_api_token {
	int64_t id, user_id;
	const char *name, *hash;
	int64_t created_at, last_used;
	bool revoked;
};

int cw_store_token_insert(struct cw_tx *tx, struct cw_api_token *t); /* sets t->id */
int cw_store_token_by_hash(struct cw_tx *tx, const char *hash, struct cw_api_token *out);
int cw_store_token_list(struct cw_tx *tx, int64_t user_id /* 0: all */,
			struct cw_api_token **items, int *n);
int cw_store_token_revoke(struct cw_tx *tx, int64_t id);
int cw_store_token_touch(struct cw_tx *tx, int64_t id, int64_t now);

/* ---- audit log (append-only, SM3-chained; see core/audit.h) ---- */

/* Takes the chain head under a lock, sets rec->seq and rec->prev_hash, computes
 * rec->hash and appends. Call it in the same transaction as the change it records. */
int cw_store_audit_append(struct cw_tx *tx, struct cw_audit_rec *rec);

struct cw_audit_filter {
	const char *username;  /* exact, or NULL */
	const char *action;    /* prefix, or NULL ("session." matches every session action) */
	const char *object;    /* exact, or NULL */
	int success;           /* -1 any, 0 failures, 1 successes */
	int64_t from, to;      /* at >= from and at < to; 0 for no bound */
	int64_t before_seq;    /* keyset cursor: seq < before_seq; 0 for the newest */
};

/* Newest first, at most `limit`. */
int cw_store_audit_list(struct cw_tx *tx, const struct cw_audit_filter *f, int limit,
			struct cw_audit_rec **items, int *n);
/* The chain's head: the last record's seq and hash (0 and 64 zeros when empty). */
int cw_store_audit_head(struct cw_tx *tx, int64_t *seq, char hash[CW_SM3_HEX_LEN]);
/* Oldest first from seq > after_seq, at most `limit` (for verification). */
int cw_store_audit_scan(struct cw_tx *tx, int64_t after_seq, int limit,
			struct cw_audit_rec **items, int *n);

/* ---- grids: attributes, boundaries, workers ---- */
struct cw_grid {
	const char *code, *name, *village, *path; /* from the region row */
	const char *kind;                         /* "comprehensive", "school", … */
	int64_t households, population;
	bool synthetic;
	bool has_boundary;
	int64_t updated_at;
};

/* Writes a grid's attributes (the region row must exist). */
int cw_store_grid_upsert(struct cw_tx *tx, const struct cw_grid *g);
/* A region of level grid with its attributes (defaults when none were written). */
int cw_store_grid_get(struct cw_tx *tx, const char *code, struct cw_grid *out);
/* Grids whose path lies in scope_path, by code after after_code, at most limit. */
int cw_store_grid_list(struct cw_tx *tx, const char *scope_path, const char *after_code,
		       int limit, struct cw_grid **items, int *n);

struct cw_boundary {
	const char *code;
	const char *geojson; /* the geometry object, compact text */
	double bbox[4];      /* min lon, min lat, max lon, max lat */
	double area_m2;
	int64_t updated_at;
};

int cw_store_boundary_set(struct cw_tx *tx, const struct cw_boundary *b);
int cw_store_boundary_get(struct cw_tx *tx, const char *code, struct cw_boundary *out);
/* Boundaries of regions of `level` by code after after_code (NULL: from the start). */
int cw_store_boundary_scan(struct cw_tx *tx, enum cw_level level, const char *after_code,
			   int limit, struct cw_boundary **items, int *n);
/* Boundaries of the children of `parent` whose envelope meets bbox, except `exclude`. */
int cw_store_boundary_siblings(struct cw_tx *tx, const char *parent, const char *exclude,
			       const double bbox[4], struct cw_boundary **items, int *n);

struct cw_grid_worker {
	const char *grid;
	int64_t user_id;
	const char *username, *name;
	const char *duty; /* "full_time" or "part_time" */
	int64_t since;
};

/* Assigns (or changes the duty of) a worker; CONSTRAINT when the grid already has
 * another full-time worker. */
int cw_store_grid_worker_set(struct cw_tx *tx, const char *grid, int64_t user_id,
			     const char *duty, int64_t since);
int cw_store_grid_worker_remove(struct cw_tx *tx, const char *grid, int64_t user_id);
/* Workers of the grids in scope_path (full-time first within a grid), by grid code;
 * with grid set, only that grid's. */
int cw_store_grid_workers(struct cw_tx *tx, const char *scope_path, const char *grid,
			  struct cw_grid_worker **items, int *n);

/* ---- the working-day calendar ---- */
struct cw_calendar_day {
	const char *day;  /* "YYYY-MM-DD" */
	const char *kind; /* "off" or "work" */
	const char *note; /* e.g. 春节 */
};

/* Every listed day between from and to ("YYYY-MM-DD", inclusive), in date order. */
int cw_store_calendar_list(struct cw_tx *tx, const char *from, const char *to,
			   struct cw_calendar_day **items, int *n);
/* Replaces the listed days of one year with the given ones. */
int cw_store_calendar_replace_year(struct cw_tx *tx, int year, const struct cw_calendar_day *days,
				   int n, int64_t now);

/* ---- the case category taxonomy (see core/category.h) ---- */
struct cw_stored_category {
	struct cw_category cat; /* parent, risk and unused departments are "" when none */
	bool active;		/* false once dropped from the catalogue (kept for old cases) */
	int64_t updated_at;
};

/* Categories in code order (byte order); of one kind when `kind` is not NULL; the
 * inactive ones too when `all`. */
int cw_store_category_list(struct cw_tx *tx, const char *kind, bool all,
			   struct cw_stored_category **items, int *n);
/* One category by code, active or not. */
int cw_store_category_get(struct cw_tx *tx, const char *code, struct cw_stored_category *out);
/* Makes the given rows the active taxonomy: writes each row that is new or differs from
 * the stored one (active again if it was not) and marks every other active category
 * inactive. *changed counts the categories written or deactivated (0: nothing changed,
 * nothing written). The rows are assumed checked (core/category.h). */
int cw_store_category_replace_all(struct cw_tx *tx, const struct cw_category *v, int n,
				  int64_t now, int *changed);

/* ---- cases (DOMAIN.md §2), their timeline and creation idempotency keys ---- */
struct cw_case {
	int64_t id;
	const char *number;	/* "YYYYMMDD" + 5-digit sequence of that day, e.g. 2026112700001 */
	const char *kind, *category, *title, *description;
	const char *status;	/* status name (core/case_flow.h), kind's own included */
	const char *level;	/* "grid" … "city": where it is handled now */
	const char *region;	/* the region it lies in (a grid when located in one) */
	const char *region_path; /* read from the regions table; ignored on write */
	const char *grid;	/* NULL when not located in a grid */
	int64_t department_id;	/* 0 none */
	bool has_location;
	double lon, lat;
	const char *address, *channel;
	int64_t reporter_user_id; /* 0 none */
	int64_t deadline;	  /* 0 none */
	const char *clock;	  /* the running deadline's phase name, "" none */
	int64_t clock_started_at; /* 0 none */
	int64_t clock_remaining;  /* while paused: seconds that were left */
	bool overdue, warned, supervised, extension_pending;
	int extension_days_asked, extensions, extension_days, reworks, escalations;
	int ratings, rating, rectifications;
	int64_t kind_flags;
	const char *resume_status; /* "" unless suspended */
	int64_t merged_into;	   /* 0 none */
	int64_t version;	   /* bumped on every change: the ETag */
	int64_t created_at, updated_at;
	/* The reporter's name and phone number as sealed by the application
	 * (util/keyring.h), opaque text to the store; "" (or NULL on write) for none. */
	const char *reporter_name_enc, *reporter_phone_enc;
	/* Ever marked overdue (sticky: the store keeps it set once overdue was); a writer
	 * of a case's final state (the demo generator) sets it when its history was late. */
	bool late;
};

/* Draws the next number of `day` ("YYYYMMDD", the caller's local day) and inserts the
 * case with version 1; sets c->id, c->number and c->version. */
int cw_store_case_insert(struct cw_tx *tx, struct cw_case *c, const char *day);
int cw_store_case_get(struct cw_tx *tx, int64_t id, struct cw_case *out);
/* Writes every mutable field (all but id, number, kind, created_at) when the stored
 * version is still c->version, and bumps it (c->version too). A stale version, or no
 * such case, is CW_DB_NOTFOUND: the caller has just read the case, so it means that
 * another change came first (PRECONDITION_FAILED). */
int cw_store_case_update(struct cw_tx *tx, struct cw_case *c);

struct cw_case_filter {
	const char *scope_path;	 /* the caller's scope: region path subtree, or NULL */
	const char *region_path; /* a further subtree filter, or NULL */
	const char *status, *kind, *category; /* exact, or NULL */
	int overdue;		 /* -1 any, 0 not overdue, 1 overdue */
	int64_t before_id;	 /* keyset cursor: id < before_id; 0 for the newest */
	const char *q;		 /* full-text query (core/search.h), or NULL */
	/* The console's list filters (store_case_filters.c); zero is "any" for each. */
	const char *const *statuses; /* status is any of these (with status: both) */
	int nstatuses;
	const char *const *status_set; /* what ?open= stands for: status IN these (or NOT IN */
	int nstatus_set;	       /* them when status_set_not) too */
	bool status_set_not;
	int supervised, escalated;   /* 1 yes, -1 no (escalations = 0), 0 any */
	int64_t department_id;	     /* the unit the case is with, 0 any */
	const char *grid;	     /* exact grid code, or NULL */
	int64_t due_before;	     /* a running deadline (deadline > 0) before this */
};

/* Newest first (by id), at most `limit`. */
int cw_store_case_list(struct cw_tx *tx, const struct cw_case_filter *f, int limit,
		       struct cw_case **items, int *n);

struct cw_case_event {
	int64_t id, case_id, at;
	int64_t user_id; /* 0: the system (scheduler) */
	const char *username, *action, *note, *status_before, *status_after;
	const char *detail; /* JSON text or "" */
};

int cw_store_case_event_append(struct cw_tx *tx, struct cw_case_event *e); /* sets e->id */
/* Oldest first. */
int cw_store_case_events(struct cw_tx *tx, int64_t case_id, struct cw_case_event **items,
			 int *n);
/* Appends n entries (of any cases) in order, several rows a statement; ids are not set
 * (store_case_bulk.c: for the demo generator's millions of entries). */
int cw_store_case_events_insert(struct cw_tx *tx, const struct cw_case_event *e, int n);

struct cw_idempotency_key {
	const char *key;
	int64_t user_id;
	const char *request_hash;
	int64_t case_id, created_at;
};

int cw_store_idempotency_get(struct cw_tx *tx, const char *key, int64_t user_id,
			     struct cw_idempotency_key *out);
/* CONSTRAINT when (key, user) is taken. */
int cw_store_idempotency_put(struct cw_tx *tx, const struct cw_idempotency_key *k);

/* ---- photos attached to cases (store_attachments.c); the bytes are files ---- */
struct cw_attachment {
	int64_t id, case_id;
	const char *sha256;	 /* hex of the stored (stripped) bytes: the file's name */
	const char *mime;	 /* image/jpeg, image/png, image/webp */
	int64_t size, width, height; /* bytes; pixels, 0 when unknown */
	const char *label;	 /* "before", "after", a short note, or "" */
	int64_t user_id;	 /* who attached it; 0 none */
	const char *username;	 /* read through users; ignored on write */
	int64_t created_at;
};

/* Inserts a->case_id's use of a->sha256 and sets a->id; when that case already has
 * those bytes, nothing is written, *a becomes the stored row and *existed is true. */
int cw_store_attachment_insert(struct cw_tx *tx, struct cw_attachment *a, bool *existed);
/* Attachment `id` of case `case_id`; NOTFOUND when it is not that case's. */
int cw_store_attachment_get(struct cw_tx *tx, int64_t case_id, int64_t id,
			    struct cw_attachment *out);
/* A case's attachments, oldest first. */
int cw_store_attachments_of_case(struct cw_tx *tx, int64_t case_id, struct cw_attachment **items,
				 int *n);
/* ---- sealed personal data of cases (app/pii.c: key listing and rewrapping) ---- */

struct cw_case_pii {
	int64_t id;
	const char *name_enc, *phone_enc; /* as stored; "" none */
};

/* Cases holding a sealed reporter name or phone, by id after after_id, at most limit. */
int cw_store_case_pii_page(struct cw_tx *tx, int64_t after_id, int limit,
			   struct cw_case_pii **items, int *n);
/* Replaces a case's sealed values when they are still old's (the version is not
 * bumped: what they say is unchanged). NOTFOUND when they changed meanwhile. */
int cw_store_case_pii_set(struct cw_tx *tx, const struct cw_case_pii *old,
			  const char *name_enc, const char *phone_enc);

/* ---- settings: small key/value configuration kept in the database ---- */
int cw_store_setting_get(struct cw_tx *tx, const char *key, const char **value);
int cw_store_setting_set(struct cw_tx *tx, const char *key, const char *value, int64_t now);

/* ---- the scheduler's scan, its lock, and notifications ---- */

/* What the scheduler may have to do at `now` (see core/escalation.h). */
struct cw_case_due_scan {
	int64_t now;
	int64_t after_id;  /* keyset cursor: id > after_id; 0 from the start */
	int warn_permille; /* the smallest warning share of any rule, in ‰; 0: no warnings */
	/* Levels at which an overdue case may still be escalated ("town", …), NULL-ended. */
	const char *escalate_levels[6];
};

/* Cases whose deadline clock runs (deadline set: not suspended, not finished) and that
 * may have something due at f->now: not yet warned and past the earliest warning mark,
 * past the deadline and not yet marked overdue, or overdue at a level in
 * escalate_levels. By id, at most `limit` (store_cases.c). A superset: the caller decides
 * with the case's own rule. */
int cw_store_case_due_scan(struct cw_tx *tx, const struct cw_case_due_scan *f, int limit,
			   struct cw_case **items, int *n);

/* Runs fn(ctx) only if no other process is running it: PostgreSQL's session advisory
 * lock `key` held on a pooled connection set aside for the run (fn's transactions use
 * the others; the pool needs two). *got false and fn not run when another session
 * holds it. SQLite: fn runs (*got true); its write transactions are serialised anyway.
 * Returns fn's code, or CW_DB_ERROR (db.c). */
int cw_store_exclusive(cw_store *s, int64_t key, int (*fn)(void *ctx), void *ctx, bool *got);

/* A user to notify (store_notifications.c). */
struct cw_recipient {
	int64_t id;
	cw_roleset roles;
};

/* Enabled users whose home region is exactly `region`. */
int cw_store_users_at_region(struct cw_tx *tx, const char *region, struct cw_recipient **items,
			     int *n);
/* Enabled users of department unit `department_id`. */
int cw_store_users_of_department(struct cw_tx *tx, int64_t department_id,
				 struct cw_recipient **items, int *n);

struct cw_notification {
	int64_t id, user_id, case_id;
	const char *number; /* the case's number (read through the cases table) */
	const char *what;   /* timeline key: "warn", "overdue", "escalate.overdue", "dispatch", … */
	const char *level;  /* the case's handling level after the change */
	int64_t at;
	int64_t read_at; /* 0: unread */
};

int cw_store_notification_insert(struct cw_tx *tx, struct cw_notification *nt); /* sets id; 0 when the user is disabled (nothing written) */
/* One user's, newest first, id < before_id (0: the newest), only the unread when asked. */
int cw_store_notification_list(struct cw_tx *tx, int64_t user_id, bool unread_only,
			       int64_t before_id, int limit, struct cw_notification **items,
			       int *n);
/* Marks notification `id` of `user_id` read (kept as it is when it already was).
 * CW_DB_NOTFOUND when the user has no such notification. */
int cw_store_notification_read(struct cw_tx *tx, int64_t user_id, int64_t id, int64_t now);
/* Marks every unread notification of the user read; *changed counts them. */
int cw_store_notification_read_all(struct cw_tx *tx, int64_t user_id, int64_t now,
				   int64_t *changed);
/* ---- case changes for live updates (store_events.c) ---- */
struct cw_case_change {
	int64_t id, case_id, at; /* the timeline entry's id and time */
	const char *action;	 /* the timeline's action ("create", "dispatch", …) */
	const char *status;	 /* the entry's status_after, else the case's status now */
	const char *number, *level, *region, *region_path; /* the case's, now */
};

/* Timeline entries with id > after_id, oldest first, at most `limit`, joined with
 * their case; only those whose case's region path lies in scope_path unless it is
 * NULL. */
int cw_store_case_changes_since(struct cw_tx *tx, int64_t after_id, const char *scope_path,
				int limit, struct cw_case_change **items, int *n);
/* The highest timeline id (0 when there is none). */
int cw_store_case_timeline_max_id(struct cw_tx *tx, int64_t *id);

/* ---- test support: only tests/store calls these ---- */

/* Drops every table (PostgreSQL: the whole public schema) and migrates again. */
int cw_store_reset_for_tests(cw_store *s);
/* Tries to UPDATE (del false) or DELETE (del true) audit row `seq` and returns the
 * statement's code, which must never be CW_DB_OK: the database refuses it. */
int cw_store_audit_tamper_for_tests(struct cw_tx *tx, int64_t seq, bool del);

/* ---- the case search index (store_search.c; core/search.h) ---- */

/* Makes terms[0..n) the case's index terms and `body` (its folded text, cw_search_fold)
 * the text its fragments are checked against, replacing what was there. The terms must
 * be cw_search_index_terms of the fields that body folds: SQLite's FTS5 index
 * (migration 15) recomputes a case's old terms from its stored body to delete them. */
int cw_store_case_terms_replace(struct cw_tx *tx, int64_t case_id, const cw_search_term *terms,
				int n, const char *body);

/* ---- named locks (store_lock.c) ---- */

/* Holds off every other writer that takes the same name until this transaction ends,
 * so a check made after it (an If-Match) still holds at commit. PostgreSQL: an advisory
 * transaction lock on the name's hash (a collision only serializes a little more);
 * SQLite: nothing, its write transactions are serialized already. */
int cw_store_lock(struct cw_tx *tx, const char *name);

/* ---- administration (store_admin.c) ---- */

/* Writes one category's name, deadline (amount and unit), active flag and updated_at;
 * CW_DB_NOTFOUND when there is no such code. The row is assumed checked. */
int cw_store_category_update(struct cw_tx *tx, const struct cw_category *c, bool active,
			     int64_t now);
/* ---- the citizens' portal: tracking codes (store_portal.c; migration 10) ---- */

/* Records that the tracking code whose SHA-256 (hex) is code_hash leads to case_id.
 * CW_DB_CONSTRAINT when that hash or that case already has a code. */
int cw_store_portal_code_insert(struct cw_tx *tx, const char *code_hash, int64_t case_id,
				int64_t now);
/* The case of a tracking code's hash, or CW_DB_NOTFOUND. */
int cw_store_portal_code_case(struct cw_tx *tx, const char *code_hash, int64_t *case_id);
/* How many photos of case_id were added by user_id. */
int cw_store_attachments_count_by(struct cw_tx *tx, int64_t case_id, int64_t user_id,
				  int64_t *n);

/* ---- figures for the dashboard and the map (store_stats.c) ---- */

/* Which cases: created in [from, to) under the region path `scope_path` (whole_tree:
 * it is the root's, so every case); `done` lists the status names of finished cases
 * (closed or ended otherwise; all 8 set, repeat a name to fill) and `closed` those
 * that count as closed (all 4 set likewise). */
struct cw_stats_query {
	const char *scope_path;
	bool whole_tree;
	int64_t from, to;	   /* instants: from's local midnight, the day after to's */
	int64_t from_day, to_day; /* the same as local days (cw_day_of), both included */
	const char *done[8];
	const char *closed[4];
	int good_rating; /* ratings at or above it are good */
	bool no_counts;  /* read the cases even where the counters serve (the contract test) */
};

/* Cases of one (status, category). */
struct cw_stats_group {
	const char *status, *category;
	int64_t count, overdue, supervised, escalated, rated, good;
};
int cw_store_stats_groups(struct cw_tx *tx, const struct cw_stats_query *q,
			  struct cw_stats_group **items, int *n);
/* Cases of each region (with its path) that has any: count, unfinished (status not in
 * q->done) and overdue among those. */
struct cw_stats_region {
	const char *region, *path;
	int64_t count, open, overdue;
};
int cw_store_stats_regions(struct cw_tx *tx, const struct cw_stats_query *q,
			   struct cw_stats_region **items, int *n);
/* Cases created per local day (cw_day_of numbering), days with cases only. */
struct cw_stats_day {
	int64_t day, count;
};
int cw_store_stats_days(struct cw_tx *tx, const struct cw_stats_query *q,
			struct cw_stats_day **items, int *n);
/* Closed cases (q->closed) that were marked overdue at some time (cases.late, set with
 * the scheduler's "overdue" timeline entry): the late ones. */
int cw_store_stats_closed_late(struct cw_tx *tx, const struct cw_stats_query *q, int64_t *n);

/* Unfinished cases (status not in q->done) of each grid under q->scope_path, any
 * creation time: grid code, open count, overdue count. */
struct cw_stats_grid {
	const char *grid;
	int64_t open, overdue;
};
int cw_store_stats_grids(struct cw_tx *tx, const struct cw_stats_query *q,
			 struct cw_stats_grid **items, int *n);
/* Located cases under q->scope_path, newest first, at most `limit`; with open_only
 * only those whose status is not in q->done. Rows carry id, number, title, status,
 * overdue, lon and lat only. */
int cw_store_stats_points(struct cw_tx *tx, const struct cw_stats_query *q, bool open_only,
			  int limit, struct cw_case **items, int *n);

/* ---- counters of cases (store_counts.c, migration 16) ----
 * Kept by cw_store_case_insert and cw_store_case_update in the caller's transaction;
 * cw_store_stats_* read them for the whole city (q->whole_tree) and, since migration 18,
 * for a district (a scope whose path has two codes). */
/* The rows in which the counters differ from a recount of the cases (0: they agree). */
int cw_store_counts_check(struct cw_tx *tx, int64_t *diff);
/* Recomputes every counter from the cases (repair after a write that bypassed the store). */
int cw_store_counts_rebuild(struct cw_tx *tx);

/* ---- a case's display names in one statement (store_case_view.c) ----
 * The code and name of department `department_id` (0: none), the names of regions
 * `region` and `grid` (NULL: none): each NULL when there is none or it is gone. One
 * statement instead of a department and two region reads for GET /cases/{id}. */
struct cw_case_names {
	const char *department_code, *department_name, *region_name, *grid_name;
	/* User `user_id` (0: none) as cw_store_user_get reads its id, region,
	 * region_path, roles and department_id (the rest zero); user_found false when
	 * there is no such user (cw_store_user_get's NOTFOUND). */
	bool user_found;
	struct cw_user user;
};
int cw_store_case_names(struct cw_tx *tx, int64_t department_id, const char *region,
			const char *grid, int64_t user_id, struct cw_case_names *out);

#endif
