/* open311.h - the Open311 GeoReport v2 services (docs/open311.md): services from the case
 * categories of the kinds shown (event, service), their attributes (questions), filing a
 * request as a case, and reading cases and their timelines as requests and updates. */
#ifndef CW_APP_OPEN311_H
#define CW_APP_OPEN311_H

#include "app/app.h"
#include "store/store_open311.h"

#define CW_O311_PAGE_MAX 1000	   /* requests per page: the specification's default */
#define CW_O311_WINDOW_DAYS 90	   /* default date window of a request search */
#define CW_O311_MEDIA_URL_MAX 500  /* bytes */
#define CW_O311_STRING_MAX 200	   /* characters of a "string" attribute */
#define CW_O311_ATTRS_MAX 50	   /* attributes of one category */

/* A service: an active subclass category of a shown kind. */
struct cw_o311_service {
	const char *code, *name, *group, *kind;
	bool metadata; /* it has attributes */
};

enum cw_ec cw_o311_services(cw_store *s, struct cw_arena *a, struct cw_o311_service **items,
			    int *n);
/* One service and its attributes; CATEGORY_NOT_FOUND when it is not a shown service. */
enum cw_ec cw_o311_service_get(cw_store *s, struct cw_arena *a, const char *code,
			       struct cw_o311_service *out, struct cw_o311_attr **attrs, int *n);
/* Replaces a category's attributes (sysadmin: CONFIG_WRITE) with the JSON array
 * [{"code","datatype","required"?,"variable"?,"datatype_description"?,"order"?,
 * "description"?,"values"?:[{"key","name"}]}]: every item checked (INVALID_FIELD with
 * *field "attributes[i].name"), lists need values and other types none. Audited as
 * category.attributes. */
enum cw_ec cw_o311_attrs_set(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     const char *code, const json_t *list, int64_t now, const char **field);
/* The demo's attributes (every datatype) on a few demo categories, when none exist. */
int cw_o311_demo_attributes(cw_store *s, bool quiet);

/* A submitted attribute: attribute[code]=v (n 1) or attribute[code][]=v… (list). */
struct cw_o311_value {
	const char *code;
	const char **v;
	int n;
	bool list;
};

/* Checks submitted values against a service's attributes: every code known, required
 * ones present, each value of its datatype (number, RFC 3339 datetime, a key of the
 * list; one value unless multivaluelist). INVALID_ATTRIBUTE with *field
 * "attribute[code]"; otherwise *json is the JSON object text code -> value(s). */
enum cw_ec cw_o311_check_values(struct cw_arena *a, const struct cw_o311_attr *attrs, int nattrs,
				const struct cw_o311_value *vals, int nvals, const char **json,
				const char **field);

struct cw_o311_request_input {
	const char *service_code, *description, *address, *address_id, *media_url;
	const char *first_name, *last_name, *phone, *email;
	bool has_location;
	double lon, lat;
	const struct cw_o311_value *attrs;
	int nattrs;
};

/* Files a request as a case of the service's category (cw_case_create, channel
 * "open311", title the service's name) and records its attribute values and media URL.
 * *number is the new case's number (the service_request_id). */
enum cw_ec cw_o311_request_create(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
				  const struct cw_actor *actor,
				  const struct cw_o311_request_input *in, int64_t now,
				  const char **number, const char **field);
enum cw_ec cw_o311_requests(cw_store *s, struct cw_arena *a, const struct cw_o311_filter *f,
			    int offset, int limit, struct cw_o311_request **items, int *n);
enum cw_ec cw_o311_updates(cw_store *s, struct cw_arena *a, int64_t from, int64_t to, int limit,
			   struct cw_o311_update **items, int *n);
/* Adds an update to case `number`: a status of the open311-adapter's set mapped to an
 * action of the engine (docs/open311.md), or without a status (or the one it shows
 * now) a note on its timeline. *update_id is the timeline entry written. */
enum cw_ec cw_o311_update_post(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			       const struct cw_actor *actor, const char *number, const char *status,
			       const char *description, int64_t now, int64_t *update_id,
			       const char **field);

/* "open" or "closed" for a case status. */
const char *cw_o311_status(const char *case_status);
/* The open311-adapter's upper-case status for a case status (OPEN, FIXED, …). */
const char *cw_o311_update_status(const char *case_status);

#endif
