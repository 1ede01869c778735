/* store_open311.h - the rows behind the Open311 GeoReport v2 interface (app/open311.c):
 * category attributes (the questions a service asks), the attribute values and media URL
 * of requests filed through Open311, and the read views of cases and their timelines
 * as service requests and updates. Migration 14. */
#ifndef CW_STORE_STORE_OPEN311_H
#define CW_STORE_STORE_OPEN311_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store.h"

/* One question of a category (GeoReport v2 "attribute"). */
struct cw_o311_attr {
	const char *category, *code;
	int order;
	const char *datatype; /* string number datetime text singlevaluelist multivaluelist */
	bool required, variable;
	const char *datatype_description, *description;
	const char *values; /* JSON array text of {"key","name"}; "[]" for none */
};

/* A category's attributes by order, then code. */
int cw_store_o311_attrs(struct cw_tx *tx, const char *category, struct cw_o311_attr **items,
			int *n);
/* The codes of categories that have attributes (sorted). */
int cw_store_o311_attr_categories(struct cw_tx *tx, const char ***codes, int *n);
/* Replaces a category's attributes with v[0..n). */
int cw_store_o311_attrs_replace(struct cw_tx *tx, const char *category,
				const struct cw_o311_attr *v, int n);
/* Records what an Open311 request brought with it: attribute values (JSON object text)
 * and a media URL ("" none). */
int cw_store_o311_request_put(struct cw_tx *tx, int64_t case_id, const char *attributes,
			      const char *media_url, int64_t now);

/* A case as a service request. */
struct cw_o311_request {
	int64_t id;
	const char *number, *category, *category_name, *title, *description, *status;
	const char *agency;      /* the department's name, "" none */
	int64_t deadline;        /* 0 none */
	const char *address, *region;
	bool has_location;
	double lon, lat;
	int64_t created_at, updated_at;
	const char *media_url;   /* "" none */
	const char *attributes;  /* JSON object text, "" none */
	const char *status_notes; /* the latest timeline note, "" none */
};

struct cw_o311_filter {
	const char *const *numbers; /* case numbers; when given, the other filters are ignored */
	int nnumbers;
	const char *category;       /* NULL any */
	int closed;                 /* -1 any, 0 open, 1 closed (cw_o311_closed_statuses) */
	int64_t from, to;           /* created_at in [from, to) */
};

/* The statuses an Open311 client sees as "closed", as an SQL list. */
#define CW_O311_CLOSED_SQL "('closed', 'rejected', 'merged', 'final')"
/* The timeline entries Open311 publishes (as updates and status notes): those that changed
 * the status, and notes posted through Open311; internal steps (escalations, extension
 * requests, supervision, photos) stay in the console. `t` is the case_timeline alias. */
#define CW_O311_PUBLIC_ENTRY_SQL(t)                                                            \
	"((" t ".status_after <> '' AND " t ".status_after <> " t ".status_before) OR " t         \
	".action = 'open311.update')"
/* The kinds of cases Open311 shows and takes. */
#define CW_O311_KINDS_SQL "('event', 'service')"

/* Newest first, `offset` skipped, at most `limit`. */
int cw_store_o311_requests(struct cw_tx *tx, const struct cw_o311_filter *f, int offset,
			   int limit, struct cw_o311_request **items, int *n);

/* A timeline entry as a request update. */
struct cw_o311_update {
	int64_t id, at;
	const char *number, *action, *note, *status, *media_url;
};

/* Timeline entries of shown cases with at in [from, to), oldest first, at most limit. */
int cw_store_o311_updates(struct cw_tx *tx, int64_t from, int64_t to, int limit,
			  struct cw_o311_update **items, int *n);
/* A shown case's id by number; CW_DB_NOTFOUND when there is none. */
int cw_store_o311_case_id(struct cw_tx *tx, const char *number, int64_t *id);

#endif
