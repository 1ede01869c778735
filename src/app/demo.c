/* demo.c - the Huaibei demo city: regions from ../shared/data, departments, demo users.
 *
 * Idempotent: what exists is left as it is, so a second run changes nothing (with
 * --password, a demo user whose password differs gets that password). */
#include "app/app.h"
#include "app/open311.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/crypto.h"
#include "util/log.h"

/* The city and its county-level units are named in ../shared/data/README.md; the
 * towns and villages come from the CSV files beside it. */
static const struct {
	const char *code, *name;
} top[] = {
    {"340600000000", "淮北市"},   {"340602000000", "杜集区"}, {"340603000000", "相山区"},
    {"340604000000", "烈山区"},   {"340621000000", "濉溪县"},
};

/* Departments of the city: each has a unit at the city and, where the work is
 * done locally, one in every county-level unit. */
static const struct {
	const char *key, *name;
	bool district_units;
} departments[] = {
    {"zzb", "市委政法委（市综治中心）", true},
    {"cgj", "城市管理局", true},
    {"gaj", "公安局", true},
    {"scjgj", "市场监督管理局", true},
    {"zjj", "住房和城乡建设局", true},
    {"sthjj", "生态环境局", true},
    {"sfj", "司法局", true},
    {"xfj", "信访局", true},
    {"yjglj", "应急管理局", true},
    {"mzj", "民政局", true},
    {"rsj", "人力资源和社会保障局", false},
    {"jtj", "交通运输局", false},
    {"wjw", "卫生健康委员会", false},
    {"jyj", "教育局", false},
    {"zrzyj", "自然资源和规划局", false},
    {"slj", "水利局", false},
    {"nyj", "农业农村局", false},
};

struct demo_user {
	const char *username, *name, *role, *region, *department_key;
};

/* API.md, "Demo users". gw_001's region is a community of 相南街道 until grids exist. */
static const struct demo_user demo_users[] = {
    {"admin", "系统管理员", "sysadmin", "340600000000", NULL},
    {"secadmin", "安全管理员", "secadmin", "340600000000", NULL},
    {"auditor", "安全审计员", "auditor", "340600000000", NULL},
    {"leader", "市领导", "leader", "340600000000", NULL},
    {"center", "市综治中心调度员", "dispatcher", "340600000000", "zzb"},
    {"xs_center", "相山区综治中心调度员", "dispatcher", "340603000000", "zzb"},
    {"cg_dept", "城市管理局办事员", "department", "340600000000", "cgj"},
    {"gw_001", "网格员001", "grid_worker", NULL, NULL},
    {"mediator", "相山区人民调解员", "mediator", "340603000000", "sfj"},
    {"xf_officer", "信访局办事员", "petition_officer", "340600000000", "xfj"},
    {"citizen", "市民", "citizen", "340600000000", NULL},
};

/* ---- CSV reading (the files are simple: quoted names without commas) ---- */

static int split_csv(char *line, char **cols, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		if (*p == '"') {
			char *end = strchr(p + 1, '"');
			if (!end)
				return -1;
			*end = 0;
			cols[n++] = p + 1;
			p = end + 1;
		} else {
			cols[n++] = p;
			p += strcspn(p, ",\r\n");
		}
		if (*p != ',') {
			*p = 0;
			break;
		}
		*p++ = 0;
	}
	return n;
}

/* `digits` (n < 12 chars, or exactly 12) followed by zeros up to 12 digits. */
static void pad12(char out[16], const char *digits, size_t n)
{
	memset(out, '0', 12);
	memcpy(out, digits, n > 12 ? 12 : n);
	out[12] = 0;
}

struct region_row {
	char code[16], parent[16];
	char *name;
};

static int read_csv(const char *path, int code_digits, struct region_row **rows, int *nrows,
		    struct cw_arena *a)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "civicgrid: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int cap = 512, n = 0;
	struct region_row *r = cw_arena_alloc(a, sizeof *r * (size_t)cap);
	bool header = true;
	while (fgets(line, sizeof line, f)) {
		if (header) {
			header = false;
			continue;
		}
		char *cols[6];
		int nc = split_csv(line, cols, 6);
		if (nc < 3 || strlen(cols[0]) != (size_t)code_digits || n == cap)
			continue;
		const char *parent = cols[2];
		size_t pl = strlen(parent);
		if (pl == 0 || pl >= 12)
			continue;
		/* Codes of every level are padded to 12 digits in the tree. */
		pad12(r[n].code, cols[0], (size_t)code_digits);
		pad12(r[n].parent, parent, pl);
		r[n].name = cw_arena_strdup(a, cols[1]);
		n++;
	}
	fclose(f);
	*rows = r;
	*nrows = n;
	return 0;
}

/* ---- loading ---- */

struct load_ctx {
	struct region_row *rows;
	int nrows;
	int64_t now;
	int added_regions, added_departments;
};

static int ensure_region(struct cw_tx *tx, struct load_ctx *c, const char *code,
			 const char *name, const char *parent)
{
	struct cw_region r, p = {0};
	int rc = cw_store_region_get(tx, code, &r);
	if (rc != CW_DB_NOTFOUND)
		return rc;
	if (parent && (rc = cw_store_region_get(tx, parent, &p)))
		return rc;
	if (cw_region_check_new(code, parent, parent ? p.level : CW_LEVEL_INVALID)) {
		cw_warn("demo: skipping region %s: its code does not fit under %s", code,
			parent ? parent : "-");
		return CW_DB_OK;
	}
	char path[CW_REGION_PATH_MAX];
	cw_region_child_path(parent ? p.path : NULL, code, path, sizeof path);
	struct cw_region n = {.code = code, .name = name, .parent = parent, .path = path,
			      .level = cw_region_code_level(code), .created_at = c->now,
			      .updated_at = c->now};
	if ((rc = cw_store_region_insert(tx, &n)))
		return rc;
	c->added_regions++;
	return CW_DB_OK;
}

static int load_tx(struct cw_tx *tx, void *p)
{
	struct load_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	int rc;
	c->added_regions = c->added_departments = 0;
	for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
		if ((rc = ensure_region(tx, c, top[i].code, top[i].name, i ? top[0].code : NULL)))
			return rc;
	for (int i = 0; i < c->nrows; i++)
		if ((rc = ensure_region(tx, c, c->rows[i].code, c->rows[i].name, c->rows[i].parent)))
			return rc;
	for (size_t i = 0; i < sizeof departments / sizeof departments[0]; i++) {
		size_t nunits = departments[i].district_units ? sizeof top / sizeof top[0] : 1;
		for (size_t k = 0; k < nunits; k++) {
			struct cw_department d = {
			    .code = cw_arena_printf(a, "%s-%s", departments[i].key, top[k].code),
			    .name = k ? cw_arena_printf(a, "%s%s", top[k].name, departments[i].name)
				      : departments[i].name,
			    .region = top[k].code,
			    .created_at = c->now,
			};
			bool created;
			if ((rc = cw_store_department_ensure(tx, &d, &created)))
				return rc;
			c->added_departments += created;
		}
	}
	if (c->added_regions || c->added_departments) {
		struct cw_actor actor = cw_actor_cli();
		actor.username = "demo";
		return cw_app_audit(tx, &actor, "demo.load", "city:340600000000", true,
				    cw_arena_printf(a, "regions+%d departments+%d", c->added_regions,
						    c->added_departments));
	}
	return CW_DB_OK;
}

struct lookup_ctx {
	const char *username, *dept_code, *first_child_of;
	struct cw_user user;
	int64_t dept_id;
	const char *child;
	int user_rc;
};

static int lookup_tx(struct cw_tx *tx, void *p)
{
	struct lookup_ctx *c = p;
	c->user_rc = cw_store_user_by_username(tx, c->username, &c->user);
	if (c->user_rc && c->user_rc != CW_DB_NOTFOUND)
		return c->user_rc;
	if (c->dept_code) {
		/* The departments were loaded in the transaction before this one. */
		struct cw_department d;
		int rc = cw_store_department_by_code(tx, c->dept_code, &d);
		if (rc)
			return rc;
		c->dept_id = d.id;
	}
	if (c->first_child_of) {
		struct cw_region *items;
		int n;
		int rc = cw_store_region_children(tx, c->first_child_of, NULL, 1, &items, &n);
		if (rc)
			return rc;
		c->child = n ? items[0].code : c->first_child_of;
	}
	return CW_DB_OK;
}

static void demo_password(char *out, size_t n)
{
	char t[CW_TOKEN_TEXT_LEN];
	cw_random_token(t);
	/* 16 random characters plus one of each class the policy counts. */
	snprintf(out, n, "%.16s-Aa1", t);
}

int cw_demo_load(cw_store *s, const struct cw_demo_options *opt)
{
	struct cw_arena *a = cw_arena_new();
	const char *dir = opt->data_dir ? opt->data_dir : "../shared/data";
	struct region_row *towns, *villages;
	int ntowns, nvillages;
	if (read_csv(cw_arena_printf(a, "%s/huaibei-towns.csv", dir), 9, &towns, &ntowns, a) ||
	    read_csv(cw_arena_printf(a, "%s/huaibei-villages.csv", dir), 12, &villages, &nvillages,
		     a)) {
		cw_arena_free(a);
		return -1;
	}
	struct load_ctx c = {.nrows = ntowns + nvillages, .now = cw_now()};
	c.rows = cw_arena_alloc(a, sizeof *c.rows * (size_t)c.nrows);
	memcpy(c.rows, towns, sizeof *towns * (size_t)ntowns);
	memcpy(c.rows + ntowns, villages, sizeof *villages * (size_t)nvillages);
	int rc = cw_store_tx(s, a, true, load_tx, &c);
	if (rc) {
		fprintf(stderr, "civicgrid: loading the demo city failed (store error %d)\n", rc);
		cw_arena_free(a);
		return -1;
	}
	if (cw_calendar_import_csv(s, cw_arena_printf(a, "%s/calendar-cn.csv", dir), opt->quiet)) {
		cw_arena_free(a);
		return -1;
	}
	if (opt->categories_path) {
		struct cw_actor cat_actor = cw_actor_cli();
		cat_actor.username = "demo";
		/* Like the calendar: the catalogue fills an empty taxonomy; a city's own
		 * (from `import categories`) stays as it is. */
		if (cw_categories_import_file(s, &cat_actor, opt->categories_path, true, opt->quiet)) {
			cw_arena_free(a);
			return -1;
		}
		/* Open311 service attributes of every datatype (app/open311.c). */
		if (cw_o311_demo_attributes(s, opt->quiet)) {
			cw_arena_free(a);
			return -1;
		}
	}
	if (!opt->quiet)
		printf("demo city: %d regions and %d department units added\n", c.added_regions,
		       c.added_departments);

	struct cw_actor actor = cw_actor_cli();
	actor.username = "demo";
	int64_t now = cw_now();
	int failures = 0;
	const char *shown_pw[sizeof demo_users / sizeof demo_users[0]] = {0};
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0]; i++) {
		const struct demo_user *du = &demo_users[i];
		struct lookup_ctx l = {
		    .username = du->username,
		    .dept_code = du->department_key
				     ? cw_arena_printf(a, "%s-%s", du->department_key,
						       du->region ? du->region : "340600000000")
				     : NULL,
		    .first_child_of = du->region ? NULL : "340603001000",
		};
		if (cw_store_tx(s, a, false, lookup_tx, &l)) {
			failures++;
			continue;
		}
		const char *region = du->region ? du->region : l.child;
		char pw[64];
		const char *shown;
		enum cw_ec ec = CW_EC_OK;
		if (l.user_rc == CW_DB_NOTFOUND) {
			if (opt->password)
				snprintf(pw, sizeof pw, "%s", opt->password);
			else
				demo_password(pw, sizeof pw);
			cw_roleset roles;
			cw_roleset_parse(du->role, &roles);
			struct cw_user_input in = {.username = du->username, .name = du->name,
						   .region = region, .password = pw, .roles = roles,
						   .department_id = l.dept_id};
			struct cw_user u;
			ec = cw_user_create(s, a, &actor, &in, now, &u);
			shown = pw;
		} else if (opt->password && !cw_password_verify(l.user.password_hash, opt->password)) {
			ec = cw_user_set_password(s, a, &actor, du->username, opt->password, now);
			shown = opt->password;
		} else {
			shown = opt->password ? opt->password : "(unchanged)";
		}
		if (ec) {
			fprintf(stderr, "civicgrid: demo user %s: %s\n", du->username,
				cw_ec_message(ec, CW_LANG_EN));
			failures++;
			continue;
		}
		shown_pw[i] = cw_arena_strdup(a, shown);
	}
	/* Grids after the users, so gw_001 can take the first grid of 相南街道. */
	if (!failures && cw_demo_load_grids(s, opt->seed, opt->quiet))
		failures++;
	if (!opt->quiet)
		printf("\n%-12s %-18s %-16s %s\n", "username", "role", "region", "password");
	for (size_t i = 0; i < sizeof demo_users / sizeof demo_users[0] && !opt->quiet; i++) {
		struct lookup_ctx l = {.username = demo_users[i].username};
		if (!shown_pw[i] || cw_store_tx(s, a, false, lookup_tx, &l) || l.user_rc)
			continue;
		printf("%-12s %-18s %-16s %s\n", demo_users[i].username, demo_users[i].role,
		       l.user.region, shown_pw[i]);
	}
	cw_arena_free(a);
	return failures ? -1 : 0;
}
