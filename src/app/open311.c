/* open311.c - the Open311 GeoReport v2 services; see open311.h and docs/open311.md. */
#include "app/open311.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/case_flow.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/text.h"

const char *cw_o311_status(const char *st)
{
	static const char *const closed[] = {"closed", "rejected", "merged", "final"};
	for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++)
		if (strcmp(st, closed[i]) == 0)
			return "closed";
	return "open";
}

static const struct {
	const char *status, *update;
} update_statuses[] = {
    {"reported", "OPEN"},	   {"registered", "INVESTIGATING"},
    {"dispatched", "ACTION_SCHEDULED"}, {"in_progress", "IN_PROGRESS"},
    {"resolved", "IN_PROGRESS"},   {"suspended", "INVESTIGATING"},
    {"closed", "FIXED"},	   {"rejected", "NO_FURTHER_ACTION"},
    {"merged", "DUPLICATE"},
};

const char *cw_o311_update_status(const char *st)
{
	for (size_t i = 0; i < sizeof update_statuses / sizeof update_statuses[0]; i++)
		if (strcmp(st, update_statuses[i].status) == 0)
			return update_statuses[i].update;
	return strcmp(cw_o311_status(st), "closed") == 0 ? "CLOSED" : "OPEN";
}

static bool shown_kind(const char *kind)
{
	return strcmp(kind, "event") == 0 || strcmp(kind, "service") == 0;
}

/* ---- services ---- */

struct services_ctx {
	struct cw_stored_category *cats;
	int ncats;
	const char **with_attrs;
	int nwith;
	const char *code; /* one service's attributes */
	struct cw_o311_attr *attrs;
	int nattrs;
};

static int services_tx(struct cw_tx *tx, void *p)
{
	struct services_ctx *c = p;
	int rc = cw_store_category_list(tx, NULL, false, &c->cats, &c->ncats);
	if (rc == CW_DB_OK)
		rc = cw_store_o311_attr_categories(tx, &c->with_attrs, &c->nwith);
	if (rc == CW_DB_OK && c->code)
		rc = cw_store_o311_attrs(tx, c->code, &c->attrs, &c->nattrs);
	return rc;
}

static int cmp_cat(const void *k, const void *e)
{
	return strcmp(k, ((const struct cw_stored_category *)e)->cat.code);
}

static int cmp_str(const void *k, const void *e)
{
	return strcmp(k, *(const char *const *)e);
}

static bool as_service(const struct services_ctx *c, const struct cw_stored_category *sc,
		       struct cw_o311_service *out)
{
	const struct cw_category *k = &sc->cat;
	if (!sc->active || !shown_kind(k->kind) || !k->parent || !*k->parent)
		return false;
	const struct cw_stored_category *parent =
	    bsearch(k->parent, c->cats, (size_t)c->ncats, sizeof *c->cats, cmp_cat);
	*out = (struct cw_o311_service){
	    .code = k->code, .name = k->name, .kind = k->kind,
	    .group = parent ? parent->cat.name : "",
	    .metadata = bsearch(k->code, c->with_attrs, (size_t)c->nwith, sizeof *c->with_attrs,
				cmp_str) != NULL};
	return true;
}

enum cw_ec cw_o311_services(cw_store *s, struct cw_arena *a, struct cw_o311_service **items,
			    int *n)
{
	struct services_ctx c = {0};
	int rc = cw_store_tx(s, a, false, services_tx, &c);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CATEGORY_NOT_FOUND, CW_EC_INTERNAL);
	struct cw_o311_service *v = cw_arena_alloc(a, (size_t)c.ncats * sizeof *v + 1);
	int k = 0;
	for (int i = 0; i < c.ncats; i++)
		if (as_service(&c, &c.cats[i], &v[k]))
			k++;
	*items = v;
	*n = k;
	return CW_EC_OK;
}

enum cw_ec cw_o311_service_get(cw_store *s, struct cw_arena *a, const char *code,
			       struct cw_o311_service *out, struct cw_o311_attr **attrs, int *n)
{
	struct services_ctx c = {.code = code};
	int rc = cw_store_tx(s, a, false, services_tx, &c);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CATEGORY_NOT_FOUND, CW_EC_INTERNAL);
	const struct cw_stored_category *sc =
	    bsearch(code, c.cats, (size_t)c.ncats, sizeof *c.cats, cmp_cat);
	if (!sc || !as_service(&c, sc, out))
		return CW_EC_CATEGORY_NOT_FOUND;
	*attrs = c.attrs;
	*n = c.nattrs;
	return CW_EC_OK;
}

/* ---- attribute definitions ---- */

static const char *const datatypes[] = {"string", "number", "datetime", "text",
					"singlevaluelist", "multivaluelist"};

static bool datatype_valid(const char *t)
{
	for (size_t i = 0; i < sizeof datatypes / sizeof datatypes[0]; i++)
		if (strcmp(t, datatypes[i]) == 0)
			return true;
	return false;
}

static bool is_list(const char *t)
{
	return strcmp(t, "singlevaluelist") == 0 || strcmp(t, "multivaluelist") == 0;
}

/* Printable UTF-8 of 1..max characters (0..max when empty_ok), no control characters. */
static bool text_ok(const char *s, size_t max, bool empty_ok)
{
	if (!s)
		return empty_ok;
	size_t n = strlen(s);
	if (!cw_utf8_valid(s, n) || (!empty_ok && n == 0) || cw_utf8_len(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 && *p != '\n' && *p != '\r' && *p != '\t')
			return false;
	return true;
}

static bool code_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static const char *str_or_null(const json_t *o, const char *key, bool *bad)
{
	const json_t *v = json_object_get(o, key);
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		return NULL;
	}
	return json_string_value(v);
}

static enum cw_ec parse_attr(struct cw_arena *a, const json_t *o, int i, struct cw_o311_attr *out,
			     const char **field)
{
	bool bad = false;
	const char *f = NULL;
	*out = (struct cw_o311_attr){.variable = true, .order = i + 1};
	const char *keys[] = {"code", "datatype", "required", "variable", "datatype_description",
			      "order", "description", "values"};
	const char *key;
	json_t *val;
	if (!json_is_object(o)) {
		*field = cw_arena_printf(a, "attributes[%d]", i);
		return CW_EC_INVALID_FIELD;
	}
	json_object_foreach((json_t *)o, key, val) {
		bool known = false;
		for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
			known |= strcmp(key, keys[k]) == 0;
		if (!known) {
			*field = cw_arena_printf(a, "attributes[%d].%s", i, key);
			return CW_EC_UNKNOWN_FIELD;
		}
	}
	out->code = str_or_null(o, "code", &bad);
	/* A letter first: the code names an XML element in requests/{id}.xml. */
	if (bad || !code_ok(out->code) || !((out->code[0] >= 'a' && out->code[0] <= 'z') ||
					   (out->code[0] >= 'A' && out->code[0] <= 'Z')))
		f = "code";
	out->datatype = str_or_null(o, "datatype", &bad);
	if (!f && (bad || !out->datatype || !datatype_valid(out->datatype)))
		f = "datatype";
	const json_t *b = json_object_get(o, "required");
	if (!f && b && !json_is_boolean(b))
		f = "required";
	out->required = b && json_is_true(b);
	b = json_object_get(o, "variable");
	if (!f && b && !json_is_boolean(b))
		f = "variable";
	if (b && json_is_boolean(b))
		out->variable = json_is_true(b);
	out->datatype_description = str_or_null(o, "datatype_description", &bad);
	if (!f && (bad || !text_ok(out->datatype_description, 200, true)))
		f = "datatype_description";
	out->description = str_or_null(o, "description", &bad);
	if (!f && (bad || !text_ok(out->description, 500, true)))
		f = "description";
	const json_t *ord = json_object_get(o, "order");
	if (ord && !json_is_null(ord)) {
		if (!f && (!json_is_integer(ord) || json_integer_value(ord) < 1 ||
			   json_integer_value(ord) > 1000))
			f = "order";
		else
			out->order = (int)json_integer_value(ord);
	}
	const json_t *vals = json_object_get(o, "values");
	json_t *clean = json_array();
	if (!f && out->datatype) {
		bool list = is_list(out->datatype);
		size_t nv = vals && json_is_array(vals) ? json_array_size(vals) : 0;
		if ((vals && !json_is_null(vals) && !json_is_array(vals)) || (list && nv == 0) ||
		    (!list && nv > 0) || nv > 100)
			f = "values";
		for (size_t k = 0; !f && k < nv; k++) {
			const json_t *it = json_array_get(vals, k);
			bool bad2 = false;
			const char *kk = json_is_object(it) ? str_or_null(it, "key", &bad2) : NULL;
			const char *nn = json_is_object(it) ? str_or_null(it, "name", &bad2) : NULL;
			if (bad2 || !code_ok(kk) || !text_ok(nn, 100, false)) {
				f = "values";
				break;
			}
			for (size_t m = 0; m < k; m++)
				if (strcmp(json_string_value(json_object_get(json_array_get(clean, m),
									       "key")),
					   kk) == 0)
					f = "values";
			json_array_append_new(clean, json_pack("{s:s, s:s}", "key", kk, "name", nn));
		}
	}
	if (f) {
		json_decref(clean);
		*field = cw_arena_printf(a, "attributes[%d].%s", i, f);
		return CW_EC_INVALID_FIELD;
	}
	char *txt = json_dumps(clean, JSON_COMPACT);
	out->values = cw_arena_strdup(a, txt);
	free(txt);
	json_decref(clean);
	return CW_EC_OK;
}

struct attrs_set_ctx {
	const struct cw_actor *actor;
	const char *code;
	struct cw_o311_attr *v;
	int n;
	enum cw_ec ec;
};

static int attrs_set_tx(struct cw_tx *tx, void *p)
{
	struct attrs_set_ctx *c = p;
	struct cw_stored_category sc;
	int rc = cw_store_category_get(tx, c->code, &sc);
	if (rc == CW_DB_NOTFOUND || (rc == CW_DB_OK && (!sc.active || !sc.cat.parent ||
						       !*sc.cat.parent || !shown_kind(sc.cat.kind)))) {
		c->ec = CW_EC_CATEGORY_NOT_FOUND;
		return CW_DB_ABORT;
	}
	if (rc == CW_DB_OK)
		rc = cw_store_o311_attrs_replace(tx, c->code, c->v, c->n);
	if (rc == CW_DB_OK) {
		struct cw_arena *a = cw_store_tx_arena(tx);
		rc = cw_app_audit(tx, c->actor, "category.attributes",
				  cw_arena_printf(a, "category:%s", c->code), true,
				  cw_arena_printf(a, "attributes:%d", c->n));
	}
	return rc;
}

enum cw_ec cw_o311_attrs_set(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
			     const char *code, const json_t *list, int64_t now, const char **field)
{
	(void)now;
	*field = NULL;
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	if (!json_is_array(list) || json_array_size(list) > CW_O311_ATTRS_MAX) {
		*field = "attributes";
		return CW_EC_INVALID_FIELD;
	}
	int n = (int)json_array_size(list);
	struct cw_o311_attr *v = cw_arena_alloc(a, (size_t)n * sizeof *v + 1);
	for (int i = 0; i < n; i++) {
		enum cw_ec ec = parse_attr(a, json_array_get(list, (size_t)i), i, &v[i], field);
		if (ec != CW_EC_OK)
			return ec;
		for (int k = 0; k < i; k++)
			if (strcmp(v[k].code, v[i].code) == 0) {
				*field = cw_arena_printf(a, "attributes[%d].code", i);
				return CW_EC_INVALID_FIELD;
			}
	}
	struct attrs_set_ctx c = {.actor = actor, .code = code, .v = v, .n = n};
	int rc = cw_store_tx(s, a, true, attrs_set_tx, &c);
	if (rc == CW_DB_ABORT)
		return c.ec;
	return rc == CW_DB_OK ? CW_EC_OK
			      : cw_app_store_ec(rc, CW_EC_CATEGORY_NOT_FOUND, CW_EC_INTERNAL);
}

/* Every datatype, on two categories of the demo catalogue (catalog/categories.csv). */
static const char demo_garbage[] =
    "[{\"code\":\"volume\",\"datatype\":\"singlevaluelist\",\"required\":true,\"order\":1,"
    "\"description\":\"垃圾量 How much garbage\",\"values\":[{\"key\":\"small\",\"name\":\"少量 "
    "a bag or two\"},{\"key\":\"medium\",\"name\":\"一车以内 up to a cart\"},{\"key\":\"large\","
    "\"name\":\"成堆 a heap\"}]},"
    "{\"code\":\"kinds\",\"datatype\":\"multivaluelist\",\"order\":2,\"description\":\"垃圾种类 "
    "Kinds of garbage\",\"values\":[{\"key\":\"household\",\"name\":\"生活垃圾 household\"},"
    "{\"key\":\"construction\",\"name\":\"建筑垃圾 construction\"},{\"key\":\"hazardous\","
    "\"name\":\"有害垃圾 hazardous\"}]},"
    "{\"code\":\"bags\",\"datatype\":\"number\",\"order\":3,\"description\":\"袋数 Number of "
    "bags\",\"datatype_description\":\"a number, e.g. 3\"},"
    "{\"code\":\"seen_at\",\"datatype\":\"datetime\",\"order\":4,\"description\":\"发现时间 When "
    "it was seen\",\"datatype_description\":\"ISO 8601, e.g. 2026-11-27T08:30:00+08:00\"},"
    "{\"code\":\"landmark\",\"datatype\":\"string\",\"order\":5,\"description\":\"附近标志物 "
    "Nearby landmark\"},"
    "{\"code\":\"details\",\"datatype\":\"text\",\"order\":6,\"description\":\"补充说明 "
    "More details\"},"
    "{\"code\":\"notice\",\"datatype\":\"string\",\"variable\":false,\"order\":7,"
    "\"description\":\"大件垃圾请拨打 12345 预约 Bulky waste: call 12345\"}]";

int cw_o311_demo_attributes(cw_store *s, bool quiet)
{
	struct cw_arena *a = cw_arena_new();
	struct services_ctx c = {0};
	int rc = cw_store_tx(s, a, false, services_tx, &c);
	int result = 0;
	if (rc != CW_DB_OK) {
		result = -1;
	} else if (c.nwith == 0 &&
		   bsearch("06010", c.cats, (size_t)c.ncats, sizeof *c.cats, cmp_cat)) {
		json_t *list = json_loads(demo_garbage, 0, NULL);
		const char *field;
		struct cw_actor actor = cw_actor_cli();
		actor.username = "demo";
		enum cw_ec ec = cw_o311_attrs_set(s, a, &actor, "06010", list, cw_now(), &field);
		json_decref(list);
		if (ec != CW_EC_OK) {
			cw_error("open311 demo attributes: %s %s", cw_ec_name(ec), field ? field : "");
			result = -1;
		} else if (!quiet) {
			printf("open311: attributes for category 06010\n");
		}
	}
	cw_arena_free(a);
	return result;
}

/* ---- submitted values ---- */

static const struct cw_o311_attr *attr_find(const struct cw_o311_attr *v, int n, const char *code)
{
	for (int i = 0; i < n; i++)
		if (strcmp(v[i].code, code) == 0)
			return &v[i];
	return NULL;
}

static bool list_has_key(const char *values_json, const char *key)
{
	json_t *v = json_loads(values_json, 0, NULL);
	bool found = false;
	size_t i;
	json_t *it;
	json_array_foreach(v, i, it) {
		const char *k = json_string_value(json_object_get(it, "key"));
		if (k && strcmp(k, key) == 0)
			found = true;
	}
	json_decref(v);
	return found;
}

static bool value_ok(const struct cw_o311_attr *at, const char *v)
{
	if (strcmp(at->datatype, "string") == 0)
		return text_ok(v, CW_O311_STRING_MAX, false);
	if (strcmp(at->datatype, "text") == 0)
		return text_ok(v, CW_CASE_DESCRIPTION_MAX, false);
	if (strcmp(at->datatype, "number") == 0) {
		char *end;
		if (!*v || strlen(v) > 40)
			return false;
		double d = strtod(v, &end);
		return *end == 0 && isfinite(d);
	}
	if (strcmp(at->datatype, "datetime") == 0) {
		int64_t t;
		return cw_time_parse(v, &t);
	}
	return list_has_key(at->values, v);
}

enum cw_ec cw_o311_check_values(struct cw_arena *a, const struct cw_o311_attr *attrs, int nattrs,
				const struct cw_o311_value *vals, int nvals, const char **json,
				const char **field)
{
	json_t *out = json_object();
	enum cw_ec ec = CW_EC_OK;
	for (int i = 0; i < nvals && ec == CW_EC_OK; i++) {
		const struct cw_o311_value *sv = &vals[i];
		const struct cw_o311_attr *at = attr_find(attrs, nattrs, sv->code);
		bool multi = at && strcmp(at->datatype, "multivaluelist") == 0;
		if (!at || !at->variable || json_object_get(out, sv->code) || sv->n < 1 ||
		    (!multi && (sv->n != 1 || sv->list))) {
			ec = CW_EC_INVALID_ATTRIBUTE;
		} else {
			json_t *arr = multi ? json_array() : NULL;
			for (int k = 0; k < sv->n && ec == CW_EC_OK; k++) {
				if (!value_ok(at, sv->v[k]))
					ec = CW_EC_INVALID_ATTRIBUTE;
				else if (multi)
					json_array_append_new(arr, json_string(sv->v[k]));
			}
			if (ec == CW_EC_OK)
				json_object_set_new(out, sv->code, multi ? arr : json_string(sv->v[0]));
			else
				json_decref(arr);
		}
		if (ec != CW_EC_OK)
			*field = cw_arena_printf(a, "attribute[%s]", sv->code);
	}
	for (int i = 0; i < nattrs && ec == CW_EC_OK; i++)
		if (attrs[i].required && attrs[i].variable && !json_object_get(out, attrs[i].code)) {
			ec = CW_EC_INVALID_ATTRIBUTE;
			*field = cw_arena_printf(a, "attribute[%s]", attrs[i].code);
		}
	if (ec == CW_EC_OK) {
		char *txt = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
		*json = cw_arena_strdup(a, txt);
		free(txt);
	}
	json_decref(out);
	return ec;
}

/* ---- filing a request ---- */

/* Markup: '<' that opens a tag, a comment or a declaration. */
static bool has_html(const char *s)
{
	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		char n = p[1];
		if ((n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z') || n == '/' || n == '!' || n == '?')
			return true;
	}
	return false;
}

static bool media_url_ok(const char *u)
{
	size_t n = strlen(u);
	if (n > CW_O311_MEDIA_URL_MAX || !(strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0))
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == '"' || u[i] == '<' || u[i] == '>' || u[i] == 0x7f)
			return false;
	return strlen(u) > (u[4] == 's' ? 8u : 7u);
}

struct put_ctx {
	const char *attrs, *media_url;
	int64_t now;
};

/* In the case's own transaction (cw_case_input.also): the case and its Open311 data
 * are written together or not at all. */
static int put_also(struct cw_tx *tx, const struct cw_case *c, void *p)
{
	struct put_ctx *pc = p;
	return cw_store_o311_request_put(tx, c->id, pc->attrs, pc->media_url, pc->now);
}

enum cw_ec cw_o311_request_create(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
				  const struct cw_actor *actor,
				  const struct cw_o311_request_input *in, int64_t now,
				  const char **number, const char **field)
{
	*field = NULL;
	if (!in->service_code) {
		*field = "service_code";
		return CW_EC_MISSING_FIELD;
	}
	struct cw_o311_service svc;
	struct cw_o311_attr *attrs;
	int nattrs;
	enum cw_ec ec = cw_o311_service_get(s, a, in->service_code, &svc, &attrs, &nattrs);
	if (ec != CW_EC_OK)
		return ec;
	if (in->description &&
	    (!text_ok(in->description, CW_CASE_DESCRIPTION_MAX, true) || has_html(in->description))) {
		*field = "description";
		return CW_EC_INVALID_FIELD;
	}
	if (in->media_url && !media_url_ok(in->media_url)) {
		*field = "media_url";
		return CW_EC_INVALID_FIELD;
	}
	if (in->email && (!text_ok(in->email, 254, false) || !strchr(in->email, '@'))) {
		*field = "email";
		return CW_EC_INVALID_FIELD;
	}
	const char *attrs_json = "{}";
	ec = cw_o311_check_values(a, attrs, nattrs, in->attrs, in->nattrs, &attrs_json, field);
	if (ec != CW_EC_OK)
		return ec;
	struct cw_case_input ci = {.kind = svc.kind, .category = svc.code, .title = svc.name,
				   .description = in->description, .channel = "open311",
				   .address = in->address, .reporter_phone = in->phone};
	if (in->has_location) {
		if (!(in->lat >= -90 && in->lat <= 90 && in->lon >= -180 && in->lon <= 180)) {
			*field = "lat";
			return CW_EC_INVALID_FIELD;
		}
		ci.has_location = true;
		ci.lon = in->lon;
		ci.lat = in->lat;
	} else if (in->address_id) {
		/* Our address ids are division codes: the case lies in that region. */
		ci.region = in->address_id;
	} else if (in->address) {
		/* An address alone: the case goes to the filer's home region to be located. */
		const char *path = actor->region_path ? actor->region_path : "";
		const char *slash = strrchr(path, '/');
		ci.region = cw_arena_strdup(a, slash ? slash + 1 : path);
		if (!*ci.region)
			ci.region = NULL;
	}
	if (!ci.has_location && !ci.region) {
		*field = "lat";
		return CW_EC_MISSING_FIELD;
	}
	if (in->first_name || in->last_name) {
		const char *fn = in->first_name ? in->first_name : "";
		const char *ln = in->last_name ? in->last_name : "";
		/* Chinese order: family name first. */
		ci.reporter_name = cw_arena_printf(a, "%s%s%s", ln, *ln && *fn ? " " : "", fn);
	}
	struct put_ctx pc = {.attrs = attrs_json, .media_url = in->media_url ? in->media_url : "",
			     .now = now};
	ci.also = put_also;
	ci.also_ctx = &pc;
	struct cw_case_view v;
	ec = cw_case_create(s, a, env, actor, &ci, now, &v, field);
	if (ec != CW_EC_OK) {
		if (*field && strcmp(*field, "location") == 0)
			*field = "lat";
		else if (*field && strcmp(*field, "region") == 0)
			*field = in->address_id ? "address_id" : "address_string";
		else if (*field && strcmp(*field, "address") == 0)
			*field = "address_string";
		else if (*field && strcmp(*field, "reporter.phone") == 0)
			*field = "phone";
		else if (*field && strcmp(*field, "reporter.name") == 0)
			*field = "first_name";
		return ec;
	}
	*number = v.c.number;
	return CW_EC_OK;
}

/* ---- reading ---- */

struct list_ctx {
	const struct cw_o311_filter *f;
	int offset, limit;
	struct cw_o311_request *items;
	int n;
	int64_t from, to;
	struct cw_o311_update *updates;
};

static int requests_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_o311_requests(tx, c->f, c->offset, c->limit, &c->items, &c->n);
}

enum cw_ec cw_o311_requests(cw_store *s, struct cw_arena *a, const struct cw_o311_filter *f,
			    int offset, int limit, struct cw_o311_request **items, int *n)
{
	struct list_ctx c = {.f = f, .offset = offset, .limit = limit};
	int rc = cw_store_tx(s, a, false, requests_tx, &c);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
	*items = c.items;
	*n = c.n;
	return CW_EC_OK;
}

static int updates_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_o311_updates(tx, c->from, c->to, c->limit, &c->updates, &c->n);
}

enum cw_ec cw_o311_updates(cw_store *s, struct cw_arena *a, int64_t from, int64_t to, int limit,
			   struct cw_o311_update **items, int *n)
{
	struct list_ctx c = {.from = from, .to = to, .limit = limit};
	int rc = cw_store_tx(s, a, false, updates_tx, &c);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
	*items = c.updates;
	*n = c.n;
	return CW_EC_OK;
}

/* ---- posting an update ---- */

struct note_ctx {
	const struct cw_actor *actor;
	int64_t case_id, now, event_id;
	const char *note;
};

static int note_tx(struct cw_tx *tx, void *p)
{
	struct note_ctx *c = p;
	struct cw_case k;
	int rc = cw_store_case_get(tx, c->case_id, &k);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case_event e = {.case_id = c->case_id, .at = c->now, .user_id = c->actor->user_id,
				  .username = c->actor->username, .action = "open311.update",
				  .note = c->note, .detail = ""};
	rc = cw_store_case_event_append(tx, &e);
	c->event_id = e.id;
	if (rc == CW_DB_OK)
		rc = cw_app_audit(tx, c->actor, "case.open311_update",
				  cw_arena_printf(cw_store_tx_arena(tx), "case:%lld", (long long)c->case_id),
				  true, "note");
	return rc;
}

struct id_ctx {
	const char *number;
	int64_t id;
};

static int id_tx(struct cw_tx *tx, void *p)
{
	struct id_ctx *c = p;
	return cw_store_o311_case_id(tx, c->number, &c->id);
}

enum cw_ec cw_o311_update_post(cw_store *s, struct cw_arena *a, const struct cw_case_env *env,
			       const struct cw_actor *actor, const char *number, const char *status,
			       const char *description, int64_t now, int64_t *update_id,
			       const char **field)
{
	*field = NULL;
	if (!number) {
		*field = "service_request_id";
		return CW_EC_MISSING_FIELD;
	}
	if (!description) {
		*field = "description";
		return CW_EC_MISSING_FIELD;
	}
	if (!text_ok(description, CW_CASE_DESCRIPTION_MAX, false) || has_html(description)) {
		*field = "description";
		return CW_EC_INVALID_FIELD;
	}
	static const char *const known[] = {"OPEN", "CLOSED", "FIXED", "IN_PROGRESS",
					    "ACTION_SCHEDULED", "INVESTIGATING", "DUPLICATE",
					    "NOT_COUNCILS_RESPONSIBILITY", "NO_FURTHER_ACTION",
					    "INTERNAL_REFERRAL"};
	bool ok = !status;
	for (size_t i = 0; status && i < sizeof known / sizeof known[0]; i++)
		ok |= strcmp(status, known[i]) == 0;
	if (!ok) {
		*field = "status";
		return CW_EC_INVALID_FIELD;
	}
	struct id_ctx ic = {.number = number};
	int rc = cw_store_tx(s, a, false, id_tx, &ic);
	if (rc != CW_DB_OK)
		return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
	struct cw_case_view v;
	enum cw_ec ec = cw_case_get(s, a, env, actor, ic.id, now, &v);
	if (ec != CW_EC_OK)
		return ec;
	const char *action = NULL;
	struct cw_case_action_input ai = {.note = description};
	if (status && strcmp(status, cw_o311_update_status(v.c.status)) != 0) {
		if (strcmp(status, "IN_PROGRESS") == 0) {
			action = "accept";
		} else if (strcmp(status, "FIXED") == 0) {
			action = "report_result";
			ai.result = description;
		} else if (strcmp(status, "CLOSED") == 0) {
			action = "verify";
			ai.fixed = true;
		} else if (strcmp(status, "INVESTIGATING") == 0 || strcmp(status, "OPEN") == 0) {
			action = "register";
		} else if (strcmp(status, "NO_FURTHER_ACTION") == 0 ||
			   strcmp(status, "NOT_COUNCILS_RESPONSIBILITY") == 0) {
			action = "reject";
			ai.reason = description;
		} else {
			/* ACTION_SCHEDULED needs a department, DUPLICATE the case it duplicates,
			 * INTERNAL_REFERRAL a unit: the console does those. */
			*field = "status";
			return CW_EC_INVALID_FIELD;
		}
	}
	if (!action) {
		struct note_ctx nc = {.actor = actor, .case_id = ic.id, .now = now, .note = description};
		rc = cw_store_tx(s, a, true, note_tx, &nc);
		if (rc != CW_DB_OK)
			return cw_app_store_ec(rc, CW_EC_CASE_NOT_FOUND, CW_EC_INTERNAL);
		*update_id = nc.event_id;
		return CW_EC_OK;
	}
	struct cw_case_view after;
	ec = cw_case_act(s, a, env, actor, ic.id, v.c.version, action, &ai, now, &after, field);
	if (ec != CW_EC_OK) {
		if (*field)
			*field = "status";
		return ec;
	}
	*update_id = after.ntimeline > 0 ? after.timeline[after.ntimeline - 1].id : 0;
	return CW_EC_OK;
}
