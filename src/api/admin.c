/* admin.c - the endpoints the administration screens need beyond the resources' own
 * files: importing grids (a GeoJSON FeatureCollection) and categories (the CSV) with a
 * per-feature / per-line problem report, and one category read and edited on its own. */
#include "api/api.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/category.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

/* A media type, any case, optionally followed by parameters. */
static bool media_type_is(const char *ct, const char *want)
{
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strlen(want);
	if (strncasecmp(ct, want, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == 0 || *ct == ';';
}

/* The body of an import refused line by line or feature by feature: 422. */
static void reply_problems(struct cw_req *req, json_t *problems, const char *count_key,
			   size_t count)
{
	enum cw_ec ec = CW_EC_IMPORT_REJECTED;
	json_t *body = json_pack("{s:s, s:s, s:o, s:I, s:I}", "code", cw_ec_name(ec), "message",
				 cw_ec_message(ec, req->lang), "problems", problems, count_key,
				 (json_int_t)count, "refused", (json_int_t)json_array_size(problems));
	req->error_code = cw_ec_name(ec);
	cw_reply_json(req, cw_ec_status(ec), body);
}

/* ---- POST /api/v1/grids/import ---- */

/* The part of a feature a refusal is about, from the reason's wording (app/grids.c). */
static const char *grid_problem_field(const char *reason_en)
{
	static const struct {
		const char *prefix, *field;
	} map[] = {
	    {"properties.code", "properties.code"},
	    {"properties.name", "properties.name"},
	    {"properties.type", "properties.type"},
	    {"properties.households", "properties.households"},
	    {"its village", "properties.code"},
	    {"the same code", "properties.code"},
	    {"grid ", "properties.code"},
	    {"invalid geometry", "geometry"},
	    {"overlaps", "geometry"},
	    {"reaches outside", "geometry"},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strncmp(reason_en, map[i].prefix, strlen(map[i].prefix)) == 0)
			return map[i].field;
	return NULL;
}

void cw_h_grids_import(struct cw_req *req)
{
	if (!cw_api_require_or_reply(req, CW_PERM_REGION_WRITE))
		return;
	const char *ct = cw_req_header(req, "Content-Type");
	if (!media_type_is(ct, "application/json") && !media_type_is(ct, "application/geo+json")) {
		cw_reply_error(req, CW_EC_UNSUPPORTED_MEDIA_TYPE, NULL);
		return;
	}
	if (!req->body || req->body_len == 0) {
		cw_reply_error(req, CW_EC_INVALID_JSON, NULL);
		return;
	}
	if (cw_json_depth(req->body, req->body_len) > cw_server_limits_of(req)->max_json_depth) {
		cw_reply_error(req, CW_EC_JSON_TOO_DEEP, NULL);
		return;
	}
	if (memchr(req->body, 0, req->body_len)) {
		cw_reply_error(req, CW_EC_INVALID_JSON, NULL);
		return;
	}
	if (!cw_utf8_valid(req->body, req->body_len)) {
		cw_reply_error(req, CW_EC_INVALID_UTF8, NULL);
		return;
	}
	json_error_t err;
	json_t *fc = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
				&err);
	if (!fc) {
		cw_reply_error(req, CW_EC_INVALID_JSON, NULL);
		return;
	}
	cw_req_hold_json(req, fc);
	struct cw_actor actor = cw_api_actor(req);
	struct cw_import_report rep;
	enum cw_ec ec = cw_grids_import(cw_api_of(req)->store, &actor, fc, cw_now(), NULL, &rep);
	if (ec == CW_EC_INVALID_GEOMETRY && rep.nproblems) {
		json_t *problems = json_array();
		for (size_t i = 0; i < rep.nproblems; i++) {
			const struct cw_import_problem *p = &rep.problems[i];
			json_t *o = json_pack("{s:I, s:s, s:s}", "index", (json_int_t)p->index, "code",
					      p->code, "reason",
					      req->lang == CW_LANG_EN ? p->reason_en : p->reason_zh);
			const char *field = grid_problem_field(p->reason_en);
			if (field)
				json_object_set_new(o, "field", json_string(field));
			if (p->has_location)
				json_object_set_new(o, "location", json_pack("[f, f]", p->lon, p->lat));
			json_array_append_new(problems, o);
		}
		size_t features = rep.features;
		free(rep.problems);
		reply_problems(req, problems, "features", features);
		return;
	}
	free(rep.problems);
	if (cw_api_fail(req, ec, NULL))
		return;
	if (rep.created + rep.updated)
		cw_api_grids_changed(req);
	cw_reply_json(req, 200, json_pack("{s:I, s:I, s:I}", "features", (json_int_t)rep.features,
					  "created", (json_int_t)rep.created, "updated",
					  (json_int_t)rep.updated));
}

/* ---- PUT /api/v1/categories (the CSV) ---- */

/* Chinese for what each column must hold (app/categories.c has the English). */
static const struct {
	const char *field, *zh;
} column_zh[] = {
    {"code", "与类型相符的代码：城市管理类大类 2 位数字（06）、小类 5 位（06010）；社会治理类大类为 "
	     "D1/P1/H1/S1，小类如 D101"},
    {"parent", "同一类型（隐患还须同一风险类别）大类的代码，且本行代码以它开头"},
    {"name", "1-40 个字符，不含控制字符"},
    {"kind", "event、service、hazard、dispute 或 petition"},
    {"first_level", "grid、village、town、district 或 city"},
    {"dept_grid", "留空，或部门代码（小写字母、数字、_），首办层级以下须留空"},
    {"dept_village", "留空，或部门代码（小写字母、数字、_），首办层级以下须留空"},
    {"dept_town", "自首办层级起填写部门代码，以下留空"},
    {"dept_district", "自首办层级起填写部门代码，以下留空"},
    {"dept_city", "部门代码（每个类别都须填写市级部门）"},
    {"deadline_amount", "1-960 个工作小时、1-250 个工作日或 1-365 天"},
    {"deadline_unit", "working_hours、working_days 或 days"},
    {"risk", "隐患类填写 political_security、public_order、social_conflict、public_safety 或 "
	     "cyber_security；其他类型留空"},
};

/* The reason of a refused line in the caller's language. */
static const char *category_reason(struct cw_req *req, const struct cw_category_problem *p)
{
	if (req->lang == CW_LANG_EN)
		return p->reason;
	struct cw_arena *a = req->arena;
	const char *r = p->reason;
	const char *used = strstr(r, "is already used on line ");
	if (used)
		return cw_arena_printf(a, "代码 %s 与第 %d 行重复", p->code,
				       atoi(used + strlen("is already used on line ")));
	if (p->field && strcmp(p->field, "parent") == 0 && strncmp(r, "parent ", 7) == 0) {
		const char *code = r + 7, *end = strchr(code, ' ');
		int n = end ? (int)(end - code) : (int)strlen(code);
		return strstr(r, "is not in the file")
			   ? cw_arena_printf(a, "上级类别 %.*s 不在文件中（或它所在的行未通过检查）",
					     n, code)
			   : cw_arena_printf(a, "上级类别 %.*s 不是同一类型（隐患还须同一风险类别）"
						"的大类，或本行代码不以它开头",
					     n, code);
	}
	if (p->field)
		for (size_t i = 0; i < sizeof column_zh / sizeof column_zh[0]; i++)
			if (strcmp(p->field, column_zh[i].field) == 0)
				return cw_arena_printf(a, "%s 列的值不符合要求，应为：%s", p->field,
						       column_zh[i].zh);
	static const struct {
		const char *needle, *zh;
	} whole[] = {
	    {"the first line must be the header",
	     "第一行必须是表头 code,parent,name,kind,first_level,dept_grid,dept_village,dept_town,"
	     "dept_district,dept_city,deadline_amount,deadline_unit,risk"},
	    {"fields; a row has", "列数不对：每行应有 13 列"},
	    {"quoted field does not close", "引号没有在本行内闭合"},
	    {"not valid UTF-8", "不是有效的 UTF-8 文本"},
	    {"the file is empty", "文件是空的"},
	    {"lists no category", "文件中没有任何类别"},
	    {"more than", "类别超过 2000 个"},
	};
	for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
		if (strstr(r, whole[i].needle))
			return whole[i].zh;
	return r;
}

void cw_h_categories_put(struct cw_req *req)
{
	if (!cw_api_require_or_reply(req, CW_PERM_CONFIG_WRITE))
		return;
	const char *ct = cw_req_header(req, "Content-Type");
	if (!media_type_is(ct, "text/csv") && !media_type_is(ct, "text/plain")) {
		cw_reply_error(req, CW_EC_UNSUPPORTED_MEDIA_TYPE, NULL);
		return;
	}
	const char *text = req->body ? req->body : "";
	size_t len = req->body ? req->body_len : 0;
	if (memchr(text, 0, len)) {
		cw_reply_error(req, CW_EC_BAD_REQUEST, NULL);
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_category_import rep;
	enum cw_ec ec = cw_categories_import(cw_api_of(req)->store, req->arena, &actor, text, len,
					     cw_now(), false, &rep);
	if (ec == CW_EC_INVALID_CATEGORY && rep.nproblems) {
		json_t *problems = json_array();
		for (int i = 0; i < rep.nproblems; i++) {
			const struct cw_category_problem *p = &rep.problems[i];
			json_t *o = json_pack("{s:i, s:s, s:s}", "line", p->line, "code", p->code,
					      "reason", category_reason(req, p));
			if (p->field)
				json_object_set_new(o, "field", json_string(p->field));
			json_array_append_new(problems, o);
		}
		reply_problems(req, problems, "rows", (size_t)rep.rows);
		return;
	}
	if (cw_api_fail(req, ec, NULL))
		return;
	cw_reply_json(req, 200, json_pack("{s:i, s:i}", "rows", rep.rows, "changed", rep.changed));
}

/* ---- one category ---- */

static json_t *category_full_json(const struct cw_stored_category *c)
{
	json_t *o = cw_api_category_json(c);
	char at[40] = "";
	cw_time_format(c->updated_at, at, sizeof at);
	json_object_set_new(o, "active", json_boolean(c->active));
	json_object_set_new(o, "updated_at", json_string(at));
	return o;
}

void cw_api_categories_list_all(struct cw_req *req)
{
	struct cw_actor actor = cw_api_actor(req);
	struct cw_stored_category *items;
	int n;
	if (cw_api_fail(req, cw_categories_list_all(cw_api_of(req)->store, req->arena, &actor,
						    &items, &n),
			NULL))
		return;
	json_t *arr = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(arr, category_full_json(&items[i]));
	cw_reply_json(req, 200, json_pack("{s:o}", "items", arr));
}

static void reply_category(struct cw_req *req, const struct cw_stored_category *c)
{
	json_t *body = category_full_json(c);
	cw_reply_header(req, "ETag", cw_api_etag(req, body));
	cw_reply_json(req, 200, body);
}

void cw_h_category_get(struct cw_req *req)
{
	struct cw_stored_category c;
	if (cw_api_fail(req, cw_category_get_any(cw_api_of(req)->store, req->arena,
						 cw_req_param(req, 0), &c),
			NULL))
		return;
	/* Citizens and staff see active categories; the system administrator every one. */
	if (!c.active && !cw_roles_allow(req->user->roles, CW_PERM_CONFIG_WRITE)) {
		cw_reply_error(req, CW_EC_CATEGORY_NOT_FOUND, NULL);
		return;
	}
	reply_category(req, &c);
}

static bool category_fresh(void *req, const void *current)
{
	return cw_api_if_match_fresh(req, category_full_json(current));
}

void cw_h_category_update(struct cw_req *req)
{
	const char *name = NULL;
	json_t *deadline = NULL;
	bool active = false, has_active = false;
	struct cw_jfield spec[] = {
	    CW_JSTR("name", false, CW_CATEGORY_NAME_MAX, &name),
	    CW_JANY("deadline", false, &deadline),
	    {"active", CW_JT_BOOL, false, 0, 0, 0, &active, &has_active, false},
	    CW_JEND,
	};
	if (!cw_api_require_or_reply(req, CW_PERM_CONFIG_WRITE) || !cw_json_parse_or_reply(req, spec))
		return;
	struct cw_category_change ch = {.name = name, .unit = CW_CASE_DUE_NONE,
					.active = has_active ? active : -1};
	if (deadline) {
		json_t *amount = json_object_get(deadline, "amount");
		json_t *unit = json_object_get(deadline, "unit");
		if (!json_is_object(deadline) || json_object_size(deadline) != 2 ||
		    !json_is_integer(amount) || !json_is_string(unit)) {
			cw_reply_error(req, CW_EC_INVALID_FIELD, "deadline");
			return;
		}
		if (json_integer_value(amount) < 1 || json_integer_value(amount) > 100000) {
			cw_reply_error(req, CW_EC_INVALID_CATEGORY, "deadline.amount");
			return;
		}
		ch.amount = (int)json_integer_value(amount);
		ch.unit = cw_category_unit_parse(json_string_value(unit));
		if (ch.unit == CW_CASE_DUE_NONE) {
			cw_reply_error(req, CW_EC_INVALID_CATEGORY, "deadline.unit");
			return;
		}
	}
	if (!cw_req_header(req, "If-Match")) {
		cw_reply_error(req, CW_EC_PRECONDITION_REQUIRED, NULL);
		return;
	}
	struct cw_actor actor = cw_api_actor(req);
	struct cw_if_match m = {category_fresh, req};
	struct cw_stored_category out;
	const char *field = NULL;
	enum cw_ec ec = cw_category_update_if(cw_api_of(req)->store, req->arena, &actor,
					      cw_req_param(req, 0), &ch, cw_now(), &m, &out, &field);
	if (cw_api_fail(req, ec, field))
		return;
	reply_category(req, &out);
}

/* ---- GET /api/v1/grids/{code}/candidates ---- */

void cw_h_grid_candidates(struct cw_req *req)
{
	if (!cw_api_require_or_reply(req, CW_PERM_GRID_ASSIGN))
		return;
	struct cw_actor actor = cw_api_actor(req);
	struct cw_user *us;
	int n;
	if (cw_api_fail(req, cw_grid_worker_candidates(cw_api_of(req)->store, req->arena, &actor,
						       cw_req_param(req, 0), &us, &n),
			NULL))
		return;
	json_t *items = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(items, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)us[i].id,
						       "username", us[i].username, "name",
						       us[i].name));
	cw_reply_json(req, 200, json_pack("{s:o}", "items", items));
}
