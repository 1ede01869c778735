/* open311.c - Open311 GeoReport v2 under /open311/v2/ (docs/open311.md): every answer in
 * JSON or XML by the path's extension, errors as the specification's list of
 * {code, description}, POSTs as application/x-www-form-urlencoded with an api_key (an
 * API token: its user is the actor). The routes are public: the key is checked here. */
#include "api/open311.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/open311.h"
#include "util/arena.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/text.h"

enum fmt { FMT_JSON, FMT_XML };

/* ---- forms ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char *form_decode(struct cw_arena *a, const char *s, size_t n, bool *ok)
{
	char *out = cw_arena_alloc(a, n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			out[k++] = ' ';
		} else if (s[i] == '%') {
			int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
			int h = hi >= 0 && lo >= 0 ? hi * 16 + lo : -1;
			if (h <= 0) { /* broken, or a NUL byte */
				*ok = false;
				return NULL;
			}
			out[k++] = (char)h;
			i += 2;
		} else {
			out[k++] = s[i];
		}
	}
	out[k] = 0;
	if (!cw_utf8_valid(out, k))
		*ok = false;
	return out;
}

bool cw_form_parse(struct cw_arena *a, const char *body, size_t len, struct cw_form_pair **pairs,
		   int *n)
{
	int cap = 1;
	for (size_t i = 0; i < len; i++)
		cap += body[i] == '&';
	struct cw_form_pair *v = cw_arena_alloc(a, (size_t)cap * sizeof *v);
	int k = 0;
	bool ok = true;
	size_t i = 0;
	while (i < len && ok) {
		size_t e = i;
		while (e < len && body[e] != '&')
			e++;
		if (e > i) {
			size_t eq = i;
			while (eq < e && body[eq] != '=')
				eq++;
			v[k].name = form_decode(a, body + i, eq - i, &ok);
			v[k].value = eq < e ? form_decode(a, body + eq + 1, e - eq - 1, &ok)
					    : cw_arena_strdup(a, "");
			k++;
		}
		i = e + 1;
	}
	*pairs = v;
	*n = k;
	return ok;
}

/* ---- the request's parameters ---- */

struct params {
	struct cw_req *req;
	struct cw_form_pair *form;
	int nform;
};

/* A parameter, from the form body and then the query; empty ones are absent. */
static const char *param(const struct params *p, const char *name)
{
	for (int i = 0; i < p->nform; i++)
		if (strcmp(p->form[i].name, name) == 0)
			return *p->form[i].value ? p->form[i].value : NULL;
	const char *q = cw_req_query(p->req, name);
	return q && *q ? q : NULL;
}

/* ---- answers ---- */

static const char *item_name(const char *list)
{
	static const char *const map[][2] = {
	    {"services", "service"},	     {"service_requests", "request"},
	    {"attributes", "attribute"},     {"values", "value"},
	    {"endpoints", "endpoint"},	     {"formats", "format"},
	    {"errors", "error"},	     {"service_requests_updates", "request_update"},
	    {"service_request_updates", "request_update"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(list, map[i][0]) == 0)
			return map[i][1];
	return "value";
}

static void xml_text(struct cw_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': cw_buf_puts(b, "&lt;"); break;
		case '>': cw_buf_puts(b, "&gt;"); break;
		case '&': cw_buf_puts(b, "&amp;"); break;
		case '"': cw_buf_puts(b, "&quot;"); break;
		case '\'': cw_buf_puts(b, "&apos;"); break;
		default:
			/* XML 1.0 allows no control characters but tab, LF and CR. */
			if ((unsigned char)*s >= 0x20 || *s == '\t' || *s == '\n' || *s == '\r')
				cw_buf_putc(b, *s);
		}
	}
}

static void xml_value(struct cw_buf *b, const char *name, const json_t *v)
{
	if (json_is_null(v)) {
		cw_buf_printf(b, "<%s/>", name);
		return;
	}
	cw_buf_printf(b, "<%s>", name);
	if (json_is_object(v)) {
		const char *k;
		json_t *x;
		json_object_foreach((json_t *)v, k, x)
			xml_value(b, k, x);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
			xml_value(b, item_name(name), x);
	} else if (json_is_string(v)) {
		xml_text(b, json_string_value(v));
	} else if (json_is_true(v)) {
		cw_buf_puts(b, "true");
	} else if (json_is_false(v)) {
		cw_buf_puts(b, "false");
	} else if (json_is_integer(v)) {
		cw_buf_printf(b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		cw_buf_printf(b, "%.7f", json_real_value(v));
	}
	cw_buf_printf(b, "</%s>", name);
}

/* Replies with body (taken): JSON as it is, XML under root. */
static void reply(struct cw_req *req, enum fmt f, int status, const char *root, json_t *body)
{
	if (f == FMT_JSON) {
		cw_reply_json(req, status, body);
		return;
	}
	struct cw_buf b = {0};
	cw_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
	xml_value(&b, root, body);
	cw_buf_putc(&b, '\n');
	json_decref(body);
	const char *text = cw_arena_strndup(req->arena, cw_buf_str(&b), b.len);
	size_t len = b.len;
	cw_buf_release(&b);
	cw_reply_text(req, status, "text/xml; charset=utf-8", text, len);
}

/* The specification's error list: 403 for authentication, 404 for anything not
 * found, 400 for every other refusal; the registry's status for server errors. */
static void fail(struct cw_req *req, enum fmt f, enum cw_ec ec, const char *field)
{
	int st = cw_ec_status(ec);
	int code = st >= 500 ? st : st == 401 || st == 403 ? 403 : st == 404 ? 404 : 400;
	const char *msg = cw_ec_message(ec, CW_LANG_EN);
	const char *desc = field ? cw_arena_printf(req->arena, "%s: %s", field, msg) : msg;
	json_t *one = json_pack("{s:i, s:s}", "code", code, "description", desc);
	if (!one) /* a field from the client that is not UTF-8 */
		one = json_pack("{s:i, s:s}", "code", code, "description", msg);
	json_t *list = json_array();
	json_array_append_new(list, one);
	req->error_code = cw_ec_name(ec);
	reply(req, f, code, "errors", list);
}

/* Splits "name.ext" into name and format; false (404 answered) for another extension. */
static bool split_or_reply(struct cw_req *req, const char *seg, const char **name, enum fmt *f)
{
	const char *dot = strrchr(seg, '.');
	*f = FMT_JSON;
	if (dot && strcmp(dot, ".xml") == 0)
		*f = FMT_XML;
	else if (!dot || strcmp(dot, ".json") != 0) {
		fail(req, FMT_JSON, CW_EC_ROUTE_NOT_FOUND, NULL);
		return false;
	}
	*name = cw_arena_strndup(req->arena, seg, (size_t)(dot - seg));
	return true;
}

static json_t *str_or_null(const char *s)
{
	return s && *s ? json_string(s) : json_null();
}

static struct cw_actor key_actor(struct cw_req *req, const struct params *p, enum cw_ec *ec)
{
	struct cw_api *api = cw_api_of(req);
	struct cw_identity id;
	const char *key = param(p, "api_key");
	*ec = key ? cw_token_resolve(api->store, req->arena, key, cw_now(), &id)
		  : CW_EC_AUTH_REQUIRED;
	if (*ec != CW_EC_OK) {
		/* A key problem is 403; a store outage stays what it is. */
		if (cw_ec_status(*ec) < 500)
			*ec = CW_EC_FORBIDDEN;
		return cw_api_anonymous(req);
	}
	return (struct cw_actor){.user_id = id.user.id, .username = id.user.username,
				 .roles = id.user.roles,
				 .region_path = id.user.region_path ? id.user.region_path : "-",
				 .source = req->source, .request_id = req->request_id};
}

/* ---- discovery ---- */

static void discovery(struct cw_req *req, enum fmt f)
{
	const char *host = cw_req_header(req, "Host");
	const char *proto = cw_api_of(req)->secure_cookies ? "https" : "http";
	const char *url = cw_arena_printf(req->arena, "%s://%s/open311/v2", proto,
					  host && cw_utf8_valid(host, strlen(host)) ? host : "localhost");
	const char *changeset = "2026-11-27T00:00:00+08:00";
	json_t *formats = json_pack("[s, s]", "text/xml", "application/json");
	json_t *ep = json_pack("[{s:s, s:s, s:s, s:s, s:o}]", "specification",
			       "http://wiki.open311.org/GeoReport_v2", "url", url, "changeset",
			       changeset, "type", "production", "formats", formats);
	json_t *body = json_pack("{s:s, s:s, s:s, s:o}", "changeset", changeset, "contact",
				 "淮北市12345政务服务便民热线 Huaibei 12345 citizen hotline",
				 "key_service", "API keys: civicgrid token add (docs/open311.md)",
				 "endpoints", ep);
	reply(req, f, 200, "discovery", body);
}

/* ---- services ---- */

static json_t *service_json(const struct cw_o311_service *s)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:o}", "service_code", s->code,
			 "service_name", s->name, "description",
			 *s->group ? s->group : s->name, "metadata", s->metadata, "type", "realtime",
			 "keywords", s->kind, "group", str_or_null(s->group));
}

static void services(struct cw_req *req, enum fmt f)
{
	struct cw_o311_service *items;
	int n;
	enum cw_ec ec = cw_o311_services(cw_api_of(req)->store, req->arena, &items, &n);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, service_json(&items[i]));
	reply(req, f, 200, "services", list);
}

void cw_h_o311_service(struct cw_req *req)
{
	const char *code;
	enum fmt f;
	if (!split_or_reply(req, cw_req_param(req, 0), &code, &f))
		return;
	struct cw_o311_service svc;
	struct cw_o311_attr *attrs;
	int n;
	enum cw_ec ec = cw_o311_service_get(cw_api_of(req)->store, req->arena, code, &svc, &attrs, &n);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		const struct cw_o311_attr *at = &attrs[i];
		json_t *vals = json_loads(at->values, 0, NULL);
		json_t *o = json_pack("{s:b, s:s, s:s, s:b, s:o, s:i, s:o, s:o}", "variable",
				      at->variable, "code", at->code, "datatype", at->datatype,
				      "required", at->required, "datatype_description",
				      str_or_null(at->datatype_description), "order", at->order,
				      "description", str_or_null(at->description), "values",
				      vals ? vals : json_array());
		json_array_append_new(list, o);
	}
	reply(req, f, 200, "service_definition",
	      json_pack("{s:s, s:o}", "service_code", svc.code, "attributes", list));
}

/* ---- requests ---- */

static json_t *request_json(const struct cw_o311_request *q)
{
	json_t *o = json_pack(
	    "{s:s, s:s, s:o, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s, s:n}",
	    "service_request_id", q->number, "status", cw_o311_status(q->status), "status_notes",
	    str_or_null(q->status_notes), "service_name", q->category_name, "service_code",
	    q->category, "description", str_or_null(q->description), "agency_responsible",
	    str_or_null(q->agency), "service_notice", json_null(), "requested_datetime",
	    cw_api_time_json(q->created_at), "updated_datetime", cw_api_time_json(q->updated_at),
	    "expected_datetime", cw_api_time_json(q->deadline), "address", str_or_null(q->address),
	    "address_id", q->region, "zipcode");
	json_object_set_new(o, "lat", q->has_location ? json_real(q->lat) : json_null());
	json_object_set_new(o, "long", q->has_location ? json_real(q->lon) : json_null());
	json_object_set_new(o, "media_url", str_or_null(q->media_url));
	return o;
}

static bool date_or_reply(struct cw_req *req, enum fmt f, const struct params *p,
			  const char *name, int64_t *t, bool *given)
{
	const char *s = param(p, name);
	*given = s != NULL;
	if (s && !cw_time_parse(s, t)) {
		fail(req, f, CW_EC_INVALID_QUERY, name);
		return false;
	}
	return true;
}

/* start_date/end_date: the window [start, end], by default the 90 days up to now (or
 * from start_date, or up to end_date). */
static bool window_or_reply(struct cw_req *req, enum fmt f, const struct params *p,
			    int64_t *from, int64_t *to)
{
	bool has_from, has_to;
	int64_t s = 0, e = 0;
	if (!date_or_reply(req, f, p, "start_date", &s, &has_from) ||
	    !date_or_reply(req, f, p, "end_date", &e, &has_to))
		return false;
	const int64_t window = (int64_t)CW_O311_WINDOW_DAYS * 86400;
	if (!has_to)
		e = has_from ? s + window : cw_now();
	if (!has_from)
		s = e - window;
	if (e < s) {
		fail(req, f, CW_EC_INVALID_QUERY, "end_date");
		return false;
	}
	*from = s;
	*to = e + 1;
	return true;
}

static void requests_get(struct cw_req *req, enum fmt f, const struct params *p)
{
	struct cw_o311_filter flt = {.closed = -1};
	const char *ids = param(p, "service_request_id");
	if (ids) {
		char *copy = cw_arena_strdup(req->arena, ids);
		const char **v = cw_arena_alloc(req->arena, (strlen(ids) / 2 + 2) * sizeof *v);
		int n = 0;
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (*t)
				v[n++] = t;
		}
		if (n == 0 || n > 100) {
			fail(req, f, CW_EC_INVALID_QUERY, "service_request_id");
			return;
		}
		flt.numbers = v;
		flt.nnumbers = n;
	}
	flt.category = param(p, "service_code");
	const char *st = param(p, "status");
	if (st) {
		/* A comma list of open and closed. */
		bool open = strstr(st, "open") != NULL, closed = strstr(st, "closed") != NULL;
		char *copy = cw_arena_strdup(req->arena, st);
		for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
		     t = strtok_r(NULL, ",", &save))
			if (strcmp(t, "open") != 0 && strcmp(t, "closed") != 0) {
				fail(req, f, CW_EC_INVALID_QUERY, "status");
				return;
			}
		flt.closed = open && closed ? -1 : closed ? 1 : 0;
	}
	if (!window_or_reply(req, f, p, &flt.from, &flt.to))
		return;
	int64_t page = 1, size = CW_O311_PAGE_MAX;
	const char *ps = param(p, "page"), *pz = param(p, "page_size");
	if (ps && !cw_parse_int(ps, 1, 1000000, &page)) {
		fail(req, f, CW_EC_INVALID_QUERY, "page");
		return;
	}
	if (pz && !cw_parse_int(pz, 1, CW_O311_PAGE_MAX, &size)) {
		fail(req, f, CW_EC_INVALID_QUERY, "page_size");
		return;
	}
	struct cw_o311_request *items;
	int n;
	enum cw_ec ec = cw_o311_requests(cw_api_of(req)->store, req->arena, &flt,
					 (int)((page - 1) * size), (int)size, &items, &n);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, request_json(&items[i]));
	reply(req, f, 200, "service_requests", list);
}

void cw_h_o311_request(struct cw_req *req)
{
	const char *id;
	enum fmt f;
	if (!split_or_reply(req, cw_req_param(req, 0), &id, &f))
		return;
	const char *ids[1] = {id};
	struct cw_o311_filter flt = {.numbers = ids, .nnumbers = 1, .closed = -1};
	struct cw_o311_request *items;
	int n;
	enum cw_ec ec = cw_o311_requests(cw_api_of(req)->store, req->arena, &flt, 0, 1, &items, &n);
	if (ec == CW_EC_OK && n == 0)
		ec = CW_EC_CASE_NOT_FOUND;
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	json_t *o = request_json(&items[0]);
	/* An extension: the attribute values it was filed with. */
	json_t *attrs = *items[0].attributes ? json_loads(items[0].attributes, 0, NULL) : NULL;
	json_object_set_new(o, "attributes", attrs ? attrs : json_object());
	json_t *list = json_array();
	json_array_append_new(list, o);
	reply(req, f, 200, "service_requests", list);
}

void cw_h_o311_token(struct cw_req *req)
{
	const char *tok;
	enum fmt f;
	if (!split_or_reply(req, cw_req_param(req, 0), &tok, &f))
		return;
	/* Requests are never queued: a token is the request's number (docs/open311.md). */
	const char *ids[1] = {tok};
	struct cw_o311_filter flt = {.numbers = ids, .nnumbers = 1, .closed = -1};
	struct cw_o311_request *items;
	int n;
	enum cw_ec ec = cw_o311_requests(cw_api_of(req)->store, req->arena, &flt, 0, 1, &items, &n);
	if (ec == CW_EC_OK && n == 0)
		ec = CW_EC_TOKEN_NOT_FOUND;
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	reply(req, f, 200, "service_requests",
	      json_pack("[{s:s, s:s}]", "service_request_id", items[0].number, "token", tok));
}

static bool coord(const char *s, double lo, double hi, double *out)
{
	char *end;
	if (!s || strlen(s) > 40)
		return false;
	*out = strtod(s, &end);
	return end != s && *end == 0 && *out >= lo && *out <= hi;
}

/* attribute[code] and attribute[code][] pairs. */
static bool attrs_of(struct cw_req *req, const struct params *p, struct cw_o311_value **out,
		     int *nout, const char **bad)
{
	struct cw_o311_value *v = cw_arena_alloc(req->arena, (size_t)(p->nform + 1) * sizeof *v);
	int n = 0;
	for (int i = 0; i < p->nform; i++) {
		const char *name = p->form[i].name;
		if (strncmp(name, "attribute[", 10) != 0)
			continue;
		const char *code = name + 10, *close = strchr(code, ']');
		if (!close || close == code || (close[1] && strcmp(close + 1, "[]") != 0)) {
			*bad = name;
			return false;
		}
		bool list = close[1] != 0;
		if (!*p->form[i].value)
			continue; /* empty: absent */
		const char *c = cw_arena_strndup(req->arena, code, (size_t)(close - code));
		int k = 0;
		while (k < n && strcmp(v[k].code, c) != 0)
			k++;
		if (k == n) {
			v[n] = (struct cw_o311_value){.code = c, .list = list,
						      .v = cw_arena_alloc(req->arena,
									  (size_t)(p->nform + 1) *
									      sizeof(char *))};
			n++;
		}
		v[k].list |= list;
		v[k].v[v[k].n++] = p->form[i].value;
	}
	*out = v;
	*nout = n;
	return true;
}

static void requests_post(struct cw_req *req, enum fmt f, const struct params *p)
{
	enum cw_ec ec;
	struct cw_actor actor = key_actor(req, p, &ec);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, "api_key");
		return;
	}
	struct cw_o311_request_input in = {
	    .service_code = param(p, "service_code"), .description = param(p, "description"),
	    .address = param(p, "address_string"), .address_id = param(p, "address_id"),
	    .media_url = param(p, "media_url"), .first_name = param(p, "first_name"),
	    .last_name = param(p, "last_name"), .phone = param(p, "phone"),
	    .email = param(p, "email")};
	const char *lat = param(p, "lat"), *lon = param(p, "long");
	if (lat || lon) {
		if (!coord(lat, -90, 90, &in.lat)) {
			fail(req, f, CW_EC_INVALID_FIELD, "lat");
			return;
		}
		if (!coord(lon, -180, 180, &in.lon)) {
			fail(req, f, CW_EC_INVALID_FIELD, "long");
			return;
		}
		in.has_location = true;
	}
	struct cw_o311_value *vals;
	const char *bad = NULL;
	if (!attrs_of(req, p, &vals, &in.nattrs, &bad)) {
		fail(req, f, CW_EC_INVALID_ATTRIBUTE, bad);
		return;
	}
	in.attrs = vals;
	const char *number = NULL, *field = NULL;
	struct cw_case_env env = cw_api_case_env(req);
	ec = cw_o311_request_create(cw_api_of(req)->store, req->arena, &env, &actor, &in, cw_now(),
				    &number, &field);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, field);
		return;
	}
	reply(req, f, 200, "service_requests",
	      json_pack("[{s:s, s:s, s:s, s:n}]", "service_request_id", number, "token", number,
			"service_notice", "", "account_id"));
}

/* ---- servicerequestupdates ---- */

static void updates_get(struct cw_req *req, enum fmt f, const struct params *p)
{
	int64_t from, to;
	if (!window_or_reply(req, f, p, &from, &to))
		return;
	struct cw_o311_update *items;
	int n;
	enum cw_ec ec = cw_o311_updates(cw_api_of(req)->store, req->arena, from, to,
					CW_O311_PAGE_MAX, &items, &n);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, NULL);
		return;
	}
	json_t *list = json_array();
	for (int i = 0; i < n; i++) {
		const struct cw_o311_update *u = &items[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:s}", "update_id",
				      cw_arena_printf(req->arena, "%" PRId64, u->id),
				      "service_request_id", u->number, "status",
				      cw_o311_update_status(u->status), "updated_datetime",
				      cw_api_time_json(u->at), "description", u->note, "media_url",
				      str_or_null(u->media_url), "external_status_code", u->status);
		json_array_append_new(list, o);
	}
	reply(req, f, 200, "service_requests_updates", list);
}

static void updates_post(struct cw_req *req, enum fmt f, const struct params *p)
{
	enum cw_ec ec;
	struct cw_actor actor = key_actor(req, p, &ec);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, "api_key");
		return;
	}
	const char *when = param(p, "updated_datetime");
	int64_t t;
	if (when && !cw_time_parse(when, &t)) {
		fail(req, f, CW_EC_INVALID_FIELD, "updated_datetime");
		return;
	}
	int64_t update_id = 0;
	const char *field = NULL;
	struct cw_case_env env = cw_api_case_env(req);
	ec = cw_o311_update_post(cw_api_of(req)->store, req->arena, &env, &actor,
				 param(p, "service_request_id"), param(p, "status"),
				 param(p, "description"), cw_now(), &update_id, &field);
	if (ec != CW_EC_OK) {
		fail(req, f, ec, field);
		return;
	}
	reply(req, f, 200, "service_request_updates",
	      json_pack("[{s:s}]", "update_id", cw_arena_printf(req->arena, "%" PRId64, update_id)));
}

/* ---- dispatch ---- */

static bool params_or_reply(struct cw_req *req, enum fmt f, struct params *p)
{
	*p = (struct params){.req = req};
	if (!req->body || !req->body_len)
		return true;
	const char *ct = cw_req_header(req, "Content-Type");
	if (ct && strncmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
		fail(req, f, CW_EC_INVALID_FIELD, "Content-Type");
		return false;
	}
	if (!cw_form_parse(req->arena, req->body, req->body_len, &p->form, &p->nform)) {
		fail(req, f, CW_EC_INVALID_FIELD, "body");
		return false;
	}
	return true;
}

void cw_h_o311_get(struct cw_req *req)
{
	const char *name;
	enum fmt f;
	struct params p;
	if (!split_or_reply(req, cw_req_param(req, 0), &name, &f) || !params_or_reply(req, f, &p))
		return;
	if (strcmp(name, "discovery") == 0)
		discovery(req, f);
	else if (strcmp(name, "services") == 0)
		services(req, f);
	else if (strcmp(name, "requests") == 0)
		requests_get(req, f, &p);
	else if (strcmp(name, "servicerequestupdates") == 0)
		updates_get(req, f, &p);
	else
		fail(req, f, CW_EC_ROUTE_NOT_FOUND, NULL);
}

void cw_h_o311_post(struct cw_req *req)
{
	const char *name;
	enum fmt f;
	struct params p;
	if (!split_or_reply(req, cw_req_param(req, 0), &name, &f) || !params_or_reply(req, f, &p))
		return;
	if (strcmp(name, "requests") == 0)
		requests_post(req, f, &p);
	else if (strcmp(name, "servicerequestupdates") == 0)
		updates_post(req, f, &p);
	else if (strcmp(name, "discovery") == 0 || strcmp(name, "services") == 0)
		fail(req, f, CW_EC_METHOD_NOT_ALLOWED, NULL);
	else
		fail(req, f, CW_EC_ROUTE_NOT_FOUND, NULL);
}

/* ---- defining attributes ---- */

void cw_h_category_attributes_put(struct cw_req *req)
{
	json_t *list = NULL;
	struct cw_jfield spec[] = {CW_JANY("attributes", true, &list), CW_JEND};
	if (!cw_json_parse_or_reply(req, spec))
		return;
	struct cw_actor actor = cw_api_actor(req);
	const char *field = NULL, *code = cw_req_param(req, 0);
	struct cw_api *api = cw_api_of(req);
	enum cw_ec ec = cw_o311_attrs_set(api->store, req->arena, &actor, code, list, cw_now(), &field);
	if (cw_api_fail(req, ec, field))
		return;
	cw_reply_json(req, 200, json_pack("{s:s, s:O}", "category", code, "attributes", list));
}
