/* test_store.c - the store contract: one cmocka suite that every backend must pass.
 * Run as `test_store sqlite:PATH` or `test_store postgres://…` (GNUnet's pattern). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/auth.h"
#include "core/region.h"
#include "store/db.h"
#include "store/migrations.h"
#include "store/store.h"
#include "util/arena.h"
#include "util/crypto.h"

#define POOL 4
#define THREADS 4
#define PER_THREAD 50
#define TFAIL 99 /* a callback's own check failed; tfail says which */

static const char *url;
static cw_store *S;
static char tfail[512];

/* Checks inside a transaction callback: a cmocka assertion there would jump out
 * with the transaction open and its pooled connection taken, so these record the
 * failure and return, and run() reports it after the rollback. */
#define T(cond)                                                                              \
	do {                                                                                 \
		if (!(cond)) {                                                               \
			snprintf(tfail, sizeof tfail, "%s:%d: %s", __FILE__, __LINE__, #cond);  \
			return TFAIL;                                                        \
		}                                                                            \
	} while (0)
#define T_RC(expr, want)                                                                     \
	do {                                                                                 \
		int rc_ = (expr);                                                            \
		if (rc_ != (want)) {                                                         \
			snprintf(tfail, sizeof tfail, "%s:%d: %s gave %d, want %d", __FILE__,   \
				 __LINE__, #expr, rc_, (int)(want));                         \
			return TFAIL;                                                        \
		}                                                                            \
	} while (0)
#define T_OK(expr) T_RC(expr, CW_DB_OK)
#define T_STR(a, b) T((a) != NULL && strcmp((a), (b)) == 0)

static int run(bool write, int (*fn)(struct cw_tx *, void *), void *ctx)
{
	struct cw_arena *a = cw_arena_new();
	tfail[0] = 0;
	int rc = cw_store_tx(S, a, write, fn, ctx);
	cw_arena_free(a);
	if (tfail[0])
		fail_msg("%s", tfail);
	return rc;
}

/* ---- fixtures ---- */

#define CITY "340600000000"
#define DUJI "340602000000"
#define XIANGSHAN "340603000000"
#define LIESHAN "340604000000"
#define SUIXI "340621000000"
#define TOWN1 "340603001000"
#define TOWN2 "340603002000"
#define VILLAGE "340603001001"
#define GRID "340603001001001"

#define P_CITY CITY
#define P_XIANGSHAN CITY "/" XIANGSHAN
#define P_LIESHAN CITY "/" LIESHAN

/* Inserts a region under `parent` (NULL for a root) with the path the parent gives. */
static int mkregion(struct cw_tx *tx, const char *code, const char *name, const char *parent,
		    enum cw_level level)
{
	char path[CW_REGION_PATH_MAX] = "";
	struct cw_region p = {0};
	if (parent) {
		int rc = cw_store_region_get(tx, parent, &p);
		if (rc != CW_DB_OK)
			return rc;
	}
	cw_region_child_path(parent ? p.path : "", code, path, sizeof path);
	struct cw_region r = {.code = code, .name = name, .parent = parent, .path = path,
			      .level = level, .created_at = 1000, .updated_at = 1000};
	return cw_store_region_insert(tx, &r);
}

static int region_insert_fn(struct cw_tx *tx, void *ctx)
{
	return cw_store_region_insert(tx, ctx);
}

static int user_insert_fn(struct cw_tx *tx, void *ctx)
{
	return cw_store_user_insert(tx, ctx);
}

static int session_insert_fn(struct cw_tx *tx, void *ctx)
{
	return cw_store_session_insert(tx, ctx);
}

static int token_insert_fn(struct cw_tx *tx, void *ctx)
{
	return cw_store_token_insert(tx, ctx);
}

static int dept_ensure_fn(struct cw_tx *tx, void *ctx)
{
	bool created;
	return cw_store_department_ensure(tx, ctx, &created);
}

/* ---- opening and migrations ---- */

static int setting_put_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	return cw_store_setting_set(tx, "test.survives", "yes", 1);
}

static int setting_check_fn(struct cw_tx *tx, void *ctx)
{
	const char *v = NULL;
	(void)ctx;
	T_OK(cw_store_setting_get(tx, "test.survives", &v));
	T_STR(v, "yes");
	return CW_DB_OK;
}

static void test_migrations(void **state)
{
	(void)state;
	int v = cw_store_schema_version(S);
	assert_int_equal(v, cw_migrations[cw_migrations_count - 1].version);
	assert_int_equal(run(true, setting_put_fn, NULL), CW_DB_OK);

	/* Opening a migrated database again applies nothing and loses nothing. */
	char err[256] = "";
	cw_store_close(S);
	S = cw_store_open(url, POOL, err, sizeof err);
	assert_non_null(S);
	assert_int_equal(cw_store_schema_version(S), v);
	assert_int_equal(run(false, setting_check_fn, NULL), CW_DB_OK);
}

static void test_open_errors(void **state)
{
	(void)state;
	char err[512] = "";
	/* Port 1 on loopback refuses at once; the message must not carry the password. */
	cw_store *s = cw_store_open("postgres://cw:S3cret-pw@127.0.0.1:1/nodb", 1, err, sizeof err);
	assert_null(s);
	assert_true(err[0] != 0);
	assert_null(strstr(err, "S3cret-pw"));
	s = cw_store_open("postgresql://127.0.0.1:1/nodb?password=S3cret-pw", 1, err, sizeof err);
	assert_null(s);
	assert_null(strstr(err, "S3cret-pw"));
	s = cw_store_open("mysql://root:S3cret-pw@localhost/x", 1, err, sizeof err);
	assert_null(s);
	assert_null(strstr(err, "S3cret-pw"));
	s = cw_store_open("sqlite:/nonexistent-dir/x/y.db", 1, err, sizeof err);
	assert_null(s);
	assert_true(err[0] != 0);
}

/* ---- regions ---- */

static int regions_fn(struct cw_tx *tx, void *ctx)
{
	struct cw_region r, *v;
	int n;
	int64_t count;
	(void)ctx;
	T_OK(mkregion(tx, CITY, "淮北市", NULL, CW_LEVEL_CITY));
	T_OK(mkregion(tx, DUJI, "杜集区", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, XIANGSHAN, "相山区", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, LIESHAN, "烈山区", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, SUIXI, "濉溪县", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, TOWN1, "相南街道", XIANGSHAN, CW_LEVEL_TOWN));
	T_OK(mkregion(tx, TOWN2, "东街道", XIANGSHAN, CW_LEVEL_TOWN));
	T_OK(mkregion(tx, VILLAGE, "南湖社区", TOWN1, CW_LEVEL_VILLAGE));
	T_OK(mkregion(tx, GRID, "南湖一网格", VILLAGE, CW_LEVEL_GRID));

	T_OK(cw_store_region_get(tx, XIANGSHAN, &r));
	T_STR(r.code, XIANGSHAN);
	T_STR(r.name, "相山区");
	T_STR(r.parent, CITY);
	T_STR(r.path, P_XIANGSHAN);
	T(r.level == CW_LEVEL_DISTRICT);
	T(r.created_at == 1000 && r.updated_at == 1000);
	T_OK(cw_store_region_get(tx, CITY, &r));
	T(r.parent == NULL);
	T_STR(r.path, CITY);
	T(r.level == CW_LEVEL_CITY);
	T_OK(cw_store_region_get(tx, GRID, &r));
	T_STR(r.path, P_XIANGSHAN "/" TOWN1 "/" VILLAGE "/" GRID);
	T(r.level == CW_LEVEL_GRID);
	T_RC(cw_store_region_get(tx, "340699000000", &r), CW_DB_NOTFOUND);

	/* Children in code order, two per page, with a keyset cursor. */
	T_OK(cw_store_region_children(tx, CITY, NULL, 2, &v, &n));
	T(n == 2);
	T_STR(v[0].code, DUJI);
	T_STR(v[1].code, XIANGSHAN);
	T_OK(cw_store_region_children(tx, CITY, v[1].code, 2, &v, &n));
	T(n == 2);
	T_STR(v[0].code, LIESHAN);
	T_STR(v[1].code, SUIXI);
	T_STR(v[1].path, CITY "/" SUIXI);
	T_OK(cw_store_region_children(tx, CITY, v[1].code, 2, &v, &n));
	T(n == 0);
	T_OK(cw_store_region_children(tx, NULL, NULL, 10, &v, &n));
	T(n == 1);
	T_STR(v[0].code, CITY);
	T_OK(cw_store_region_children(tx, GRID, NULL, 10, &v, &n));
	T(n == 0);

	T_OK(cw_store_region_rename(tx, XIANGSHAN, "相山区（新）", 2000));
	T_OK(cw_store_region_get(tx, XIANGSHAN, &r));
	T_STR(r.name, "相山区（新）");
	T(r.updated_at == 2000 && r.created_at == 1000);
	T_RC(cw_store_region_rename(tx, "340699000000", "x", 2000), CW_DB_NOTFOUND);

	T_OK(cw_store_region_count(tx, &count));
	T(count == 9);
	return CW_DB_OK;
}

static void test_regions(void **state)
{
	(void)state;
	assert_int_equal(run(true, regions_fn, NULL), CW_DB_OK);

	/* A duplicate code and an unknown parent are refused by the database. */
	struct cw_region dup = {.code = DUJI, .name = "again", .parent = CITY,
				.path = CITY "/" DUJI, .level = CW_LEVEL_DISTRICT};
	assert_int_equal(run(true, region_insert_fn, &dup), CW_DB_CONSTRAINT);
	struct cw_region orphan = {.code = "340699001000", .name = "orphan",
				   .parent = "340699000000",
				   .path = CITY "/340699000000/340699001000",
				   .level = CW_LEVEL_TOWN};
	assert_int_equal(run(true, region_insert_fn, &orphan), CW_DB_CONSTRAINT);
	struct cw_region badlevel = {.code = "340699000000", .name = "bad", .parent = CITY,
				     .path = CITY "/340699000000", .level = CW_LEVEL_INVALID};
	assert_int_equal(run(true, region_insert_fn, &badlevel), CW_DB_CONSTRAINT);
}

#define DECOY TOWN1 "999" /* a code whose path has TOWN1's path as a plain prefix */

static int move_fn(struct cw_tx *tx, void *ctx)
{
	struct cw_region r, *v;
	int n;
	(void)ctx;
	T_OK(mkregion(tx, DECOY, "decoy", XIANGSHAN, CW_LEVEL_GRID));
	T_OK(cw_store_region_move(tx, TOWN1, LIESHAN, P_LIESHAN "/" TOWN1, 3000));

	T_OK(cw_store_region_get(tx, TOWN1, &r));
	T_STR(r.parent, LIESHAN);
	T_STR(r.path, P_LIESHAN "/" TOWN1);
	T(r.updated_at == 3000);
	T_OK(cw_store_region_get(tx, VILLAGE, &r));
	T_STR(r.parent, TOWN1);
	T_STR(r.path, P_LIESHAN "/" TOWN1 "/" VILLAGE);
	T_OK(cw_store_region_get(tx, GRID, &r));
	T_STR(r.path, P_LIESHAN "/" TOWN1 "/" VILLAGE "/" GRID);
	/* Neither the sibling nor a path that merely starts with the same text moved. */
	T_OK(cw_store_region_get(tx, TOWN2, &r));
	T_STR(r.path, P_XIANGSHAN "/" TOWN2);
	T_OK(cw_store_region_get(tx, DECOY, &r));
	T_STR(r.path, P_XIANGSHAN "/" DECOY);
	T(r.updated_at == 1000);

	T_OK(cw_store_region_children(tx, LIESHAN, NULL, 10, &v, &n));
	T(n == 1);
	T_STR(v[0].code, TOWN1);
	T_OK(cw_store_region_children(tx, XIANGSHAN, NULL, 10, &v, &n));
	T(n == 2);
	T_STR(v[0].code, DECOY);
	T_STR(v[1].code, TOWN2);
	T_RC(cw_store_region_move(tx, "340699000000", CITY, CITY "/340699000000", 3000),
	     CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static int move_bad_parent_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	return cw_store_region_move(tx, TOWN2, "340699000000", CITY "/340699000000/" TOWN2, 3000);
}

static void test_region_move(void **state)
{
	(void)state;
	assert_int_equal(run(true, move_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, move_bad_parent_fn, NULL), CW_DB_CONSTRAINT);
}

/* ---- departments ---- */

static int departments_fn(struct cw_tx *tx, void *ctx)
{
	struct cw_department d = {.code = "cgj-" XIANGSHAN, .name = "相山区城管局",
				  .region = XIANGSHAN, .created_at = 1000};
	struct cw_department d2 = {.code = "cgj-" LIESHAN, .name = "烈山区城管局",
				   .region = LIESHAN, .created_at = 1000};
	struct cw_department again = {.code = "cgj-" XIANGSHAN, .name = "other name",
				      .region = XIANGSHAN, .created_at = 5000};
	struct cw_department got, *v;
	bool created = false;
	int n;
	(void)ctx;
	T_OK(cw_store_department_ensure(tx, &d, &created));
	T(created && d.id > 0);
	T_OK(cw_store_department_ensure(tx, &again, &created));
	T(!created && again.id == d.id);
	T_OK(cw_store_department_ensure(tx, &d2, &created));
	T(created && d2.id > d.id);

	T_OK(cw_store_department_get(tx, d.id, &got));
	T_STR(got.code, "cgj-" XIANGSHAN);
	T_STR(got.name, "相山区城管局"); /* ensure left the first row as it was */
	T_STR(got.region, XIANGSHAN);
	T_STR(got.region_path, P_XIANGSHAN);
	T(got.created_at == 1000);
	T_RC(cw_store_department_get(tx, d2.id + 1000, &got), CW_DB_NOTFOUND);

	T_OK(cw_store_department_list(tx, P_XIANGSHAN, 0, 10, &v, &n));
	T(n == 1 && v[0].id == d.id);
	T_OK(cw_store_department_list(tx, P_CITY, 0, 10, &v, &n));
	T(n == 2 && v[0].id == d.id && v[1].id == d2.id);
	T_OK(cw_store_department_list(tx, P_CITY, d.id, 10, &v, &n));
	T(n == 1 && v[0].id == d2.id);
	T_OK(cw_store_department_list(tx, NULL, 0, 1, &v, &n));
	T(n == 1 && v[0].id == d.id);
	return CW_DB_OK;
}

static int64_t dept_id(const char *code);

static void test_departments(void **state)
{
	(void)state;
	assert_int_equal(run(true, departments_fn, NULL), CW_DB_OK);
	struct cw_department bad = {.code = "cgj-x", .name = "x", .region = "340699000000"};
	assert_int_equal(run(true, dept_ensure_fn, &bad), CW_DB_CONSTRAINT);
	assert_true(dept_id("cgj-" XIANGSHAN) > 0);
}

struct dept_lookup {
	const char *code;
	int64_t id;
};

static int dept_lookup_fn(struct cw_tx *tx, void *ctx)
{
	struct dept_lookup *l = ctx;
	struct cw_department d = {.code = l->code, .name = "unused", .region = CITY};
	bool created;
	int rc = cw_store_department_ensure(tx, &d, &created);
	l->id = created ? -1 : d.id;
	return created ? CW_DB_ABORT : rc;
}

static int64_t dept_id(const char *code)
{
	struct dept_lookup l = {.code = code};
	int rc = run(true, dept_lookup_fn, &l);
	return rc == CW_DB_OK ? l.id : -1;
}

/* ---- users ---- */

static struct cw_user mkuser(const char *username, const char *name, const char *region,
			     cw_roleset roles)
{
	return (struct cw_user){.username = username, .name = name, .region = region,
				.roles = roles, .created_at = 1000, .updated_at = 1000};
}

#define ROLE(r) (1u << CW_ROLE_##r)

static int users_fn(struct cw_tx *tx, void *ctx)
{
	struct cw_user alice = mkuser("alice", "王芳", XIANGSHAN, ROLE(DISPATCHER) | ROLE(LEADER));
	struct cw_user bob = mkuser("bob", "李强", LIESHAN, ROLE(GRID_WORKER));
	struct cw_user carol = mkuser("carol", "张敏", CITY, ROLE(SECADMIN));
	struct cw_user dave = mkuser("dave", "赵磊", VILLAGE, ROLE(GRID_WORKER));
	struct cw_user got, *v;
	int n;
	int64_t dept = *(int64_t *)ctx;

	bob.department_id = dept;
	carol.password_hash = "$argon2id$v=19$fake";
	T_OK(cw_store_user_insert(tx, &alice));
	T_OK(cw_store_user_insert(tx, &bob));
	T_OK(cw_store_user_insert(tx, &carol));
	T_OK(cw_store_user_insert(tx, &dave));
	T(alice.id > 0 && bob.id > alice.id && carol.id > bob.id && dave.id > carol.id);

	T_OK(cw_store_user_get(tx, alice.id, &got));
	T(got.id == alice.id);
	T_STR(got.username, "alice");
	T_STR(got.name, "王芳");
	T_STR(got.region, XIANGSHAN);
	T_STR(got.region_path, P_XIANGSHAN);
	T(got.roles == (ROLE(DISPATCHER) | ROLE(LEADER)));
	T_STR(got.password_hash, "");
	T(got.failed_logins == 0 && got.locked_until == 0 && !got.disabled);
	T(got.department_id == 0);
	T(got.created_at == 1000 && got.updated_at == 1000);

	T_OK(cw_store_user_by_username(tx, "bob", &got));
	T(got.id == bob.id && got.department_id == dept);
	T_STR(got.region_path, P_LIESHAN);
	T_OK(cw_store_user_by_username(tx, "carol", &got));
	T_STR(got.password_hash, "$argon2id$v=19$fake");
	/* dave's village moved under 烈山区 with its town: his scope path follows. */
	T_OK(cw_store_user_by_username(tx, "dave", &got));
	T_STR(got.region_path, P_LIESHAN "/" TOWN1 "/" VILLAGE);
	T_RC(cw_store_user_by_username(tx, "nobody", &got), CW_DB_NOTFOUND);
	T_RC(cw_store_user_get(tx, dave.id + 1000, &got), CW_DB_NOTFOUND);

	/* Lists by scope: a district sees its subtree, the city everyone. */
	T_OK(cw_store_user_list(tx, P_XIANGSHAN, 0, 10, &v, &n));
	T(n == 1 && v[0].id == alice.id);
	T_OK(cw_store_user_list(tx, P_LIESHAN, 0, 10, &v, &n));
	T(n == 2 && v[0].id == bob.id && v[1].id == dave.id);
	T_OK(cw_store_user_list(tx, P_LIESHAN "/" TOWN1, 0, 10, &v, &n));
	T(n == 1 && v[0].id == dave.id);
	T_OK(cw_store_user_list(tx, P_CITY, 0, 10, &v, &n));
	T(n == 4);
	T_OK(cw_store_user_list(tx, NULL, 0, 2, &v, &n));
	T(n == 2 && v[0].id == alice.id && v[1].id == bob.id);
	T_OK(cw_store_user_list(tx, NULL, v[1].id, 2, &v, &n));
	T(n == 2 && v[0].id == carol.id && v[1].id == dave.id);
	T_OK(cw_store_user_list(tx, NULL, v[1].id, 2, &v, &n));
	T(n == 0);

	/* Update writes name, region, roles, disabled, department and updated_at. */
	alice.name = "王芳芳";
	alice.region = LIESHAN;
	alice.roles = ROLE(MEDIATOR);
	alice.disabled = true;
	alice.department_id = dept;
	alice.updated_at = 2000;
	T_OK(cw_store_user_update(tx, &alice));
	T_OK(cw_store_user_get(tx, alice.id, &got));
	T_STR(got.name, "王芳芳");
	T_STR(got.region_path, P_LIESHAN);
	T(got.roles == ROLE(MEDIATOR) && got.disabled && got.department_id == dept);
	T(got.updated_at == 2000 && got.created_at == 1000);
	alice.department_id = 0;
	alice.disabled = false;
	T_OK(cw_store_user_update(tx, &alice));
	T_OK(cw_store_user_get(tx, alice.id, &got));
	T(got.department_id == 0 && !got.disabled);

	T_OK(cw_store_user_set_password(tx, alice.id, "$argon2id$v=19$new", 3000));
	T_OK(cw_store_user_set_login_state(tx, alice.id, 3, 4000));
	T_OK(cw_store_user_get(tx, alice.id, &got));
	T_STR(got.password_hash, "$argon2id$v=19$new");
	T(got.updated_at == 3000 && got.failed_logins == 3 && got.locked_until == 4000);

	struct cw_user ghost = mkuser("ghost", "x", CITY, ROLE(CITIZEN));
	ghost.id = dave.id + 1000;
	T_RC(cw_store_user_update(tx, &ghost), CW_DB_NOTFOUND);
	T_RC(cw_store_user_set_password(tx, ghost.id, "x", 1), CW_DB_NOTFOUND);
	T_RC(cw_store_user_set_login_state(tx, ghost.id, 1, 1), CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static void test_users(void **state)
{
	(void)state;
	int64_t dept = dept_id("cgj-" LIESHAN);
	assert_true(dept > 0);
	assert_int_equal(run(true, users_fn, &dept), CW_DB_OK);

	struct cw_user dup = mkuser("alice", "another", CITY, ROLE(CITIZEN));
	assert_int_equal(run(true, user_insert_fn, &dup), CW_DB_CONSTRAINT);
	struct cw_user noregion = mkuser("erin", "x", "340699000000", ROLE(CITIZEN));
	assert_int_equal(run(true, user_insert_fn, &noregion), CW_DB_CONSTRAINT);
	struct cw_user nodept = mkuser("frank", "x", CITY, ROLE(CITIZEN));
	nodept.department_id = 1000000;
	assert_int_equal(run(true, user_insert_fn, &nodept), CW_DB_CONSTRAINT);
}

struct uid_lookup {
	const char *username;
	int64_t id;
};

static int uid_fn(struct cw_tx *tx, void *ctx)
{
	struct uid_lookup *l = ctx;
	struct cw_user u;
	int rc = cw_store_user_by_username(tx, l->username, &u);
	l->id = rc == CW_DB_OK ? u.id : -1;
	return rc;
}

static int64_t uid(const char *username)
{
	struct uid_lookup l = {.username = username};
	run(false, uid_fn, &l);
	return l.id;
}

/* ---- a case's names in one statement (store_case_view.c) ---- */

static int case_names_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_user bob, alice;
	struct cw_department d;
	struct cw_region xs, ls;
	struct cw_case_names nm;
	T_OK(cw_store_user_by_username(tx, "bob", &bob));
	T_OK(cw_store_user_by_username(tx, "alice", &alice));
	T_OK(cw_store_department_get(tx, bob.department_id, &d));
	T_OK(cw_store_region_get(tx, XIANGSHAN, &xs));
	T_OK(cw_store_region_get(tx, LIESHAN, &ls));

	/* The same as the department, region and user reads, one statement. */
	T_OK(cw_store_case_names(tx, d.id, XIANGSHAN, LIESHAN, bob.id, &nm));
	T_STR(nm.department_code, d.code);
	T_STR(nm.department_name, d.name);
	T_STR(nm.region_name, xs.name);
	T_STR(nm.grid_name, ls.name);
	T(nm.user_found && nm.user.id == bob.id && nm.user.roles == bob.roles);
	T_STR(nm.user.region, bob.region);
	T_STR(nm.user.region_path, bob.region_path);
	T(nm.user.department_id == bob.department_id);
	T_OK(cw_store_case_names(tx, 0, XIANGSHAN, NULL, alice.id, &nm));
	T(nm.department_code == NULL && nm.department_name == NULL && nm.grid_name == NULL);
	T(nm.user_found && nm.user.department_id == 0 && nm.user.roles == alice.roles);

	/* Gone or none: NULL names, no user. */
	T_OK(cw_store_case_names(tx, d.id + 100000, "340699000000", "340699000001", 0, &nm));
	T(!nm.department_code && !nm.department_name && !nm.region_name && !nm.grid_name);
	T(!nm.user_found);
	T_OK(cw_store_case_names(tx, 0, NULL, NULL, bob.id + 100000, &nm));
	T(!nm.user_found && !nm.region_name);
	return CW_DB_OK;
}

static void test_case_names(void **state)
{
	(void)state;
	assert_int_equal(run(false, case_names_fn, NULL), CW_DB_OK);
}

/* ---- sessions ---- */

static int sessions_fn(struct cw_tx *tx, void *ctx)
{
	const int64_t *ids = ctx;
	struct cw_session s1 = {.id_hash = "h1", .user_id = ids[0], .csrf_token = "c1",
				.created_at = 1000, .last_seen = 1000, .source = "10.0.0.1"};
	struct cw_session s2 = {.id_hash = "h2", .user_id = ids[0], .csrf_token = "c2",
				.created_at = 1000, .last_seen = 5000, .source = "10.0.0.2"};
	struct cw_session s3 = {.id_hash = "h3", .user_id = ids[1], .csrf_token = "c3",
				.created_at = 4000, .last_seen = 4000};
	struct cw_session got;
	int64_t deleted = -1;

	T_OK(cw_store_session_insert(tx, &s1));
	T_OK(cw_store_session_insert(tx, &s2));
	T_OK(cw_store_session_insert(tx, &s3));
	T_OK(cw_store_session_get(tx, "h1", &got));
	T_STR(got.id_hash, "h1");
	T(got.user_id == ids[0]);
	T_STR(got.csrf_token, "c1");
	T(got.created_at == 1000 && got.last_seen == 1000);
	T_STR(got.source, "10.0.0.1");
	T_OK(cw_store_session_get(tx, "h3", &got));
	T_STR(got.source, "");

	T_OK(cw_store_session_touch(tx, "h1", 2000));
	T_OK(cw_store_session_get(tx, "h1", &got));
	T(got.last_seen == 2000 && got.created_at == 1000);
	T_RC(cw_store_session_touch(tx, "nope", 2000), CW_DB_NOTFOUND);

	T_OK(cw_store_session_delete(tx, "h1"));
	T_RC(cw_store_session_get(tx, "h1", &got), CW_DB_NOTFOUND);
	T_RC(cw_store_session_delete(tx, "h1"), CW_DB_NOTFOUND);

	/* h2 is fresh but older than the absolute limit; h3 is within both. */
	T_OK(cw_store_session_purge(tx, 3000, 3000, &deleted));
	T(deleted == 1);
	T_RC(cw_store_session_get(tx, "h2", &got), CW_DB_NOTFOUND);
	T_OK(cw_store_session_get(tx, "h3", &got));
	T_OK(cw_store_session_purge(tx, 3000, 3000, &deleted));
	T(deleted == 0);

	T_OK(cw_store_session_delete_user(tx, ids[1]));
	T_RC(cw_store_session_get(tx, "h3", &got), CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static void test_sessions(void **state)
{
	(void)state;
	int64_t ids[2] = {uid("alice"), uid("bob")};
	assert_true(ids[0] > 0 && ids[1] > 0);
	assert_int_equal(run(true, sessions_fn, ids), CW_DB_OK);
	struct cw_session orphan = {.id_hash = "h9", .user_id = 1000000, .csrf_token = "c",
				    .created_at = 1, .last_seen = 1};
	assert_int_equal(run(true, session_insert_fn, &orphan), CW_DB_CONSTRAINT);
}

/* ---- API tokens ---- */

static int tokens_fn(struct cw_tx *tx, void *ctx)
{
	const int64_t *ids = ctx;
	struct cw_api_token t1 = {.user_id = ids[0], .name = "gis sync", .hash = "th1",
				  .created_at = 1000};
	struct cw_api_token t2 = {.user_id = ids[1], .name = "12345 hotline", .hash = "th2",
				  .created_at = 1100};
	struct cw_api_token got, *v;
	int n;

	T_OK(cw_store_token_insert(tx, &t1));
	T_OK(cw_store_token_insert(tx, &t2));
	T(t1.id > 0 && t2.id > t1.id);
	T_OK(cw_store_token_by_hash(tx, "th1", &got));
	T(got.id == t1.id && got.user_id == ids[0] && got.created_at == 1000);
	T_STR(got.name, "gis sync");
	T_STR(got.hash, "th1");
	T(got.last_used == 0 && !got.revoked);
	T_RC(cw_store_token_by_hash(tx, "nope", &got), CW_DB_NOTFOUND);

	T_OK(cw_store_token_list(tx, ids[0], &v, &n));
	T(n == 1 && v[0].id == t1.id);
	T_OK(cw_store_token_list(tx, 0, &v, &n));
	T(n == 2 && v[0].id == t1.id && v[1].id == t2.id);

	T_OK(cw_store_token_touch(tx, t1.id, 2000));
	T_OK(cw_store_token_revoke(tx, t1.id));
	T_OK(cw_store_token_by_hash(tx, "th1", &got));
	T(got.revoked && got.last_used == 2000);
	T_OK(cw_store_token_by_hash(tx, "th2", &got));
	T(!got.revoked);
	T_RC(cw_store_token_revoke(tx, t2.id + 1000), CW_DB_NOTFOUND);
	T_RC(cw_store_token_touch(tx, t2.id + 1000, 1), CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static void test_tokens(void **state)
{
	(void)state;
	int64_t ids[2] = {uid("alice"), uid("bob")};
	assert_int_equal(run(true, tokens_fn, ids), CW_DB_OK);
	struct cw_api_token dup = {.user_id = ids[0], .name = "again", .hash = "th1"};
	assert_int_equal(run(true, token_insert_fn, &dup), CW_DB_CONSTRAINT);
	struct cw_api_token orphan = {.user_id = 1000000, .name = "x", .hash = "th9"};
	assert_int_equal(run(true, token_insert_fn, &orphan), CW_DB_CONSTRAINT);
}

/* ---- settings ---- */

static int settings_fn(struct cw_tx *tx, void *ctx)
{
	const char *v = NULL;
	(void)ctx;
	T_RC(cw_store_setting_get(tx, "deadline.scan_interval", &v), CW_DB_NOTFOUND);
	T_OK(cw_store_setting_set(tx, "deadline.scan_interval", "30s", 1000));
	T_OK(cw_store_setting_get(tx, "deadline.scan_interval", &v));
	T_STR(v, "30s");
	T_OK(cw_store_setting_set(tx, "deadline.scan_interval", "1m", 2000));
	T_OK(cw_store_setting_get(tx, "deadline.scan_interval", &v));
	T_STR(v, "1m");
	T_OK(cw_store_setting_set(tx, "empty", "", 2000));
	T_OK(cw_store_setting_get(tx, "empty", &v));
	T_STR(v, "");
	return CW_DB_OK;
}

static void test_settings(void **state)
{
	(void)state;
	assert_int_equal(run(true, settings_fn, NULL), CW_DB_OK);
}

/* ---- audit ---- */

struct audit_in {
	int64_t at;
	const char *username, *action, *object;
	bool success;
};

static const struct audit_in audit_fixture[] = {
    {100, "alice", "session.login", "user:1", true},
    {200, "alice", "session.logout", "user:1", true},
    {300, "bob", "session.login", "user:2", false},
    {400, "bob", "user.create", "user:5", true},
    {500, "carol", "region.move", "region:" TOWN1, true},
};

static struct cw_audit_rec audit_rec(const struct audit_in *in)
{
	return (struct cw_audit_rec){.at = in->at, .user_id = 1, .username = in->username,
				     .role = "dispatcher", .source = "127.0.0.1",
				     .action = in->action, .object = in->object,
				     .success = in->success, .request_id = "req-1",
				     .detail = "{\"k\":\"值\"}"};
}

struct append_ctx {
	int from, to; /* fixture rows appended in this transaction */
	int64_t seqs[8];
};

static int append_fn(struct cw_tx *tx, void *p)
{
	struct append_ctx *c = p;
	for (int i = c->from; i < c->to; i++) {
		struct cw_audit_rec rec = audit_rec(&audit_fixture[i]);
		T_OK(cw_store_audit_append(tx, &rec));
		T(cw_audit_hash_ok(&rec));
		c->seqs[i] = rec.seq;
	}
	return CW_DB_OK;
}

/* Walks the whole chain oldest first: seqs 1..n without gaps, each record's
 * prev_hash its predecessor's hash, each hash right. Sets *count. */
static int verify_chain_fn(struct cw_tx *tx, void *p)
{
	int64_t *count = p, after = 0;
	char prev[CW_SM3_HEX_LEN] = CW_AUDIT_GENESIS;
	for (;;) {
		struct cw_audit_rec *v;
		int n;
		T_OK(cw_store_audit_scan(tx, after, 64, &v, &n));
		if (n == 0)
			break;
		for (int i = 0; i < n; i++) {
			T(v[i].seq == after + 1);
			T(strcmp(v[i].prev_hash, prev) == 0);
			T(cw_audit_hash_ok(&v[i]));
			memcpy(prev, v[i].hash, sizeof prev);
			after = v[i].seq;
		}
	}
	*count = after;
	return CW_DB_OK;
}

static int64_t verified_chain_length(void)
{
	int64_t count = -1;
	assert_int_equal(run(false, verify_chain_fn, &count), CW_DB_OK);
	return count;
}

static int audit_read_fn(struct cw_tx *tx, void *p)
{
	struct cw_audit_rec *v;
	int n;
	(void)p;
	T_OK(cw_store_audit_scan(tx, 0, 10, &v, &n));
	T(n == 5);
	for (int i = 0; i < n; i++) {
		T(v[i].seq == i + 1);
		T(v[i].at == audit_fixture[i].at && v[i].user_id == 1);
		T_STR(v[i].username, audit_fixture[i].username);
		T_STR(v[i].action, audit_fixture[i].action);
		T_STR(v[i].object, audit_fixture[i].object);
		T(v[i].success == audit_fixture[i].success);
		T_STR(v[i].role, "dispatcher");
		T_STR(v[i].source, "127.0.0.1");
		T_STR(v[i].request_id, "req-1");
		T_STR(v[i].detail, "{\"k\":\"值\"}");
		T(cw_audit_hash_ok(&v[i]));
		if (i == 0)
			T(strcmp(v[i].prev_hash, CW_AUDIT_GENESIS) == 0);
		else
			T(strcmp(v[i].prev_hash, v[i - 1].hash) == 0);
	}
	T_OK(cw_store_audit_scan(tx, 3, 10, &v, &n));
	T(n == 2 && v[0].seq == 4);
	/* The head names the last record, so a cut at the end can be detected. */
	int64_t head_seq;
	char head_hash[CW_SM3_HEX_LEN];
	T_OK(cw_store_audit_head(tx, &head_seq, head_hash));
	T(head_seq == 5);
	T_STR(head_hash, v[1].hash);
	return CW_DB_OK;
}

static void test_audit_chain(void **state)
{
	(void)state;
	/* Three transactions of one record, then one transaction of two. */
	for (int i = 0; i < 3; i++) {
		struct append_ctx c = {.from = i, .to = i + 1};
		assert_int_equal(run(true, append_fn, &c), CW_DB_OK);
		assert_int_equal(c.seqs[i], i + 1);
	}
	struct append_ctx c = {.from = 3, .to = 5};
	assert_int_equal(run(true, append_fn, &c), CW_DB_OK);
	assert_int_equal(c.seqs[3], 4);
	assert_int_equal(c.seqs[4], 5);
	assert_int_equal(run(false, audit_read_fn, NULL), CW_DB_OK);
	assert_int_equal(verified_chain_length(), 5);
}

/* Lists with filter f; expects exactly the seqs in want (newest first). */
static int audit_expect(struct cw_tx *tx, const struct cw_audit_filter *f, int limit,
			const int64_t *want, int nwant)
{
	struct cw_audit_rec *v;
	int n;
	T_OK(cw_store_audit_list(tx, f, limit, &v, &n));
	T(n == nwant);
	for (int i = 0; i < n; i++) {
		T(v[i].seq == want[i]);
		T(cw_audit_hash_ok(&v[i]));
	}
	return CW_DB_OK;
}

#define EXPECT(f, limit, ...)                                                                \
	do {                                                                                 \
		const int64_t want_[] = {__VA_ARGS__};                                       \
		int rc_ = audit_expect(tx, (f), (limit), want_,                              \
				       (int)(sizeof want_ / sizeof want_[0]));               \
		if (rc_ != CW_DB_OK)                                                         \
			return rc_;                                                          \
	} while (0)

static int audit_list_fn(struct cw_tx *tx, void *p)
{
	struct cw_audit_filter f = {.success = -1};
	struct cw_audit_rec *v;
	int n;
	(void)p;
	EXPECT(&f, 10, 5, 4, 3, 2, 1);
	EXPECT(&f, 2, 5, 4);
	f.before_seq = 4;
	EXPECT(&f, 2, 3, 2);
	f.before_seq = 2;
	EXPECT(&f, 2, 1);
	f = (struct cw_audit_filter){.success = -1, .username = "alice"};
	EXPECT(&f, 10, 2, 1);
	f = (struct cw_audit_filter){.success = -1, .action = "session."};
	EXPECT(&f, 10, 3, 2, 1);
	f.before_seq = 3;
	EXPECT(&f, 10, 2, 1);
	f = (struct cw_audit_filter){.success = -1, .action = "session.login"};
	EXPECT(&f, 10, 3, 1);
	f = (struct cw_audit_filter){.success = 0};
	EXPECT(&f, 10, 3);
	f = (struct cw_audit_filter){.success = 1, .username = "bob"};
	EXPECT(&f, 10, 4);
	f = (struct cw_audit_filter){.success = -1, .object = "region:" TOWN1};
	EXPECT(&f, 10, 5);
	f = (struct cw_audit_filter){.success = -1, .from = 200, .to = 400};
	EXPECT(&f, 10, 3, 2);
	f = (struct cw_audit_filter){.success = -1, .username = "nobody"};
	T_OK(cw_store_audit_list(tx, &f, 10, &v, &n));
	T(n == 0);
	T_OK(cw_store_audit_list(tx, NULL, 1, &v, &n));
	T(n == 1 && v[0].seq == 5);
	return CW_DB_OK;
}

static void test_audit_list(void **state)
{
	(void)state;
	assert_int_equal(run(false, audit_list_fn, NULL), CW_DB_OK);
}

struct tamper_ctx {
	int64_t seq;
	bool del;
};

static int tamper_fn(struct cw_tx *tx, void *p)
{
	struct tamper_ctx *c = p;
	return cw_store_audit_tamper_for_tests(tx, c->seq, c->del);
}

static void test_audit_append_only(void **state)
{
	(void)state;
	/* The database itself refuses to change or remove an audit row, whatever
	 * SQL the application might send. */
	struct tamper_ctx upd = {.seq = 2, .del = false}, del = {.seq = 2, .del = true};
	int rc = run(true, tamper_fn, &upd);
	assert_int_not_equal(rc, CW_DB_OK);
	assert_int_equal(rc, CW_DB_CONSTRAINT);
	rc = run(true, tamper_fn, &del);
	assert_int_not_equal(rc, CW_DB_OK);
	assert_int_equal(rc, CW_DB_CONSTRAINT);
	assert_int_equal(run(false, audit_read_fn, NULL), CW_DB_OK);
	assert_int_equal(verified_chain_length(), 5);
}

/* ---- transactions ---- */

static int abort_fn(struct cw_tx *tx, void *p)
{
	struct cw_audit_rec rec = audit_rec(&audit_fixture[0]);
	int *reached = p;
	T_OK(mkregion(tx, "340621001000", "濉溪镇", SUIXI, CW_LEVEL_TOWN));
	T_OK(cw_store_audit_append(tx, &rec));
	T_OK(cw_store_setting_set(tx, "aborted", "1", 1));
	*reached = 1;
	return CW_DB_ABORT;
}

static int fail_late_fn(struct cw_tx *tx, void *p)
{
	struct cw_audit_rec rec = audit_rec(&audit_fixture[0]);
	(void)p;
	T_OK(mkregion(tx, "340621002000", "x", SUIXI, CW_LEVEL_TOWN));
	T_OK(cw_store_audit_append(tx, &rec));
	/* A duplicate code: the statement fails and the whole transaction goes. */
	return mkregion(tx, DUJI, "dup", CITY, CW_LEVEL_DISTRICT);
}

static int nothing_left_fn(struct cw_tx *tx, void *p)
{
	struct cw_region r;
	const char *v;
	(void)p;
	T_RC(cw_store_region_get(tx, "340621001000", &r), CW_DB_NOTFOUND);
	T_RC(cw_store_region_get(tx, "340621002000", &r), CW_DB_NOTFOUND);
	T_RC(cw_store_setting_get(tx, "aborted", &v), CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static void test_tx_rollback(void **state)
{
	(void)state;
	int reached = 0;
	assert_int_equal(run(true, abort_fn, &reached), CW_DB_ABORT);
	assert_int_equal(reached, 1);
	assert_int_equal(run(true, fail_late_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(false, nothing_left_fn, NULL), CW_DB_OK);
	assert_int_equal(verified_chain_length(), 5);
}

static int busy_fn(struct cw_tx *tx, void *p)
{
	int *calls = p;
	(void)tx;
	return ++calls[0] <= calls[1] ? CW_DB_BUSY : CW_DB_OK;
}

static void test_tx_busy_retry(void **state)
{
	(void)state;
	int calls[2] = {0, 2}; /* busy twice, then done */
	assert_int_equal(run(true, busy_fn, calls), CW_DB_OK);
	assert_int_equal(calls[0], 3);
	calls[0] = 0;
	calls[1] = 1000; /* always busy: gives up after the first run and 10 retries */
	assert_int_equal(run(true, busy_fn, calls), CW_DB_BUSY);
	assert_int_equal(calls[0], 11);
}

/* ---- concurrency ---- */

struct worker {
	pthread_t thread;
	int id, ok, failed;
};

struct worker_tx {
	int id, i;
};

static int worker_fn(struct cw_tx *tx, void *p)
{
	struct worker_tx *w = p;
	char user[32], obj[32];
	snprintf(user, sizeof user, "worker-%d", w->id);
	snprintf(obj, sizeof obj, "case:%d", w->i);
	struct cw_audit_rec rec = {.at = 10000 + w->i, .user_id = w->id + 1, .username = user,
				   .role = "grid_worker", .source = "127.0.0.1",
				   .action = "case.update", .object = obj, .success = true,
				   .request_id = "", .detail = ""};
	return cw_store_audit_append(tx, &rec);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	for (int i = 0; i < PER_THREAD; i++) {
		struct cw_arena *a = cw_arena_new();
		struct worker_tx wt = {.id = w->id, .i = i};
		if (cw_store_tx(S, a, true, worker_fn, &wt) == CW_DB_OK)
			w->ok++;
		else
			w->failed++;
		cw_arena_free(a);
	}
	return NULL;
}

static void test_concurrent_appends(void **state)
{
	(void)state;
	int64_t before = verified_chain_length();
	struct worker w[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.id = i};
		assert_int_equal(pthread_create(&w[i].thread, NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)
		pthread_join(w[i].thread, NULL);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(w[i].failed, 0);
		assert_int_equal(w[i].ok, PER_THREAD);
	}
	assert_int_equal(verified_chain_length(), before + THREADS * PER_THREAD);
}

/* ---- group commit: concurrent writers share commits, each keeps its own outcome ---- */

#define GC_THREADS 16
#define GC_PER_THREAD 30

enum gc_kind { GC_OK, GC_REFUSE, GC_DUPLICATE, GC_LOSE, GC_LATER_FAILS };

static enum gc_kind gc_kind_of(int t, int k)
{
	int n = t * GC_PER_THREAD + k;
	if (n % 5 == 1)
		return GC_REFUSE; /* inserts, then the caller's own check fails */
	if (n % 7 == 2)
		return GC_DUPLICATE; /* inserts, then breaks the primary key */
	if (n % 11 == 3)
		return GC_LOSE; /* ends the whole transaction (SQLite only) */
	if (n % 13 == 4)
		return GC_LATER_FAILS; /* what it left for the end (cw_tx_later) fails */
	return GC_OK;
}

struct gc_job {
	int t, k;
	bool lose; /* the backend has group commit, so GC_LOSE is exercised */
};

/* Every job leaves a second row for the end of its transaction (cw_tx_later), which
 * must still see the job's own row; GC_LATER_FAILS writes it twice. */
#define GC_LATER_ID 100000

static int gc_later(struct cw_tx *tx, void *p)
{
	struct gc_job *j = p;
	int id = j->t * 1000 + j->k + 1;
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT count(*) FROM gc_rows WHERE id = $1", &r, CW_P_INT(id));
	if (rc != CW_DB_OK)
		return rc;
	if (cw_db_cell_int(&r, 0, 0) != 1)
		return CW_DB_ABORT;
	for (int i = 0; i < (gc_kind_of(j->t, j->k) == GC_LATER_FAILS ? 2 : 1); i++) {
		rc = CW_TXQ(tx, "INSERT INTO gc_rows (id, who) VALUES ($1, $2)", NULL,
			    CW_P_INT(GC_LATER_ID + id), CW_P_INT(j->t));
		if (rc != CW_DB_OK)
			return rc;
	}
	return CW_DB_OK;
}

static int gc_fn(struct cw_tx *tx, void *p)
{
	struct gc_job *j = p;
	int id = j->t * 1000 + j->k + 1;
	enum gc_kind kind = gc_kind_of(j->t, j->k);
	int rc = CW_TXQ(tx, "INSERT INTO gc_rows (id, who) VALUES ($1, $2)", NULL, CW_P_INT(id),
			CW_P_INT(j->t));
	if (rc == CW_DB_OK)
		rc = cw_tx_later(tx, gc_later, j);
	if (rc != CW_DB_OK)
		return rc;
	if (kind == GC_REFUSE)
		return CW_DB_ABORT;
	if (kind == GC_DUPLICATE)
		return CW_TXQ(tx, "INSERT INTO gc_rows (id, who) VALUES ($1, $2)", NULL,
			      CW_P_INT(id), CW_P_INT(j->t));
	if (kind == GC_LOSE && j->lose)
		return cw_tx_query(tx, "ROLLBACK", NULL, 0, NULL);
	return CW_DB_OK;
}

struct gc_worker {
	pthread_t thread;
	int t;
	bool lose;
	int rc[GC_PER_THREAD];
};

static void *gc_main(void *p)
{
	struct gc_worker *w = p;
	for (int k = 0; k < GC_PER_THREAD; k++) {
		struct cw_arena *a = cw_arena_new();
		struct gc_job j = {.t = w->t, .k = k, .lose = w->lose};
		w->rc[k] = cw_store_tx(S, a, true, gc_fn, &j);
		cw_arena_free(a);
	}
	return NULL;
}

static int gc_setup(struct cw_tx *tx, void *p)
{
	(void)p;
	int rc = cw_tx_query(tx, "DROP TABLE IF EXISTS gc_rows", NULL, 0, NULL);
	return rc ? rc
		  : cw_tx_query(tx, "CREATE TABLE gc_rows (id INTEGER PRIMARY KEY, who INTEGER)",
				NULL, 0, NULL);
}

static int gc_count(struct cw_tx *tx, void *p)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT count(*) FROM gc_rows WHERE id = $1", &r, CW_P_INT(*(int *)p));
	if (rc == CW_DB_OK)
		*(int *)p = (int)cw_db_cell_int(&r, 0, 0);
	return rc;
}

static void test_group_commit(void **state)
{
	(void)state;
	/* Losing the transaction mid-batch is a SQLite case (an I/O error or a full disk
	 * rolls back by itself); PostgreSQL runs each writer in its own transaction. */
	bool lose = cw_db_dialect(S) == CW_DIALECT_SQLITE;
	assert_int_equal(run(true, gc_setup, NULL), CW_DB_OK);
	struct gc_worker w[GC_THREADS];
	for (int t = 0; t < GC_THREADS; t++) {
		w[t] = (struct gc_worker){.t = t, .lose = lose};
		assert_int_equal(pthread_create(&w[t].thread, NULL, gc_main, &w[t]), 0);
	}
	for (int t = 0; t < GC_THREADS; t++)
		pthread_join(w[t].thread, NULL);
	for (int t = 0; t < GC_THREADS; t++)
		for (int k = 0; k < GC_PER_THREAD; k++) {
			enum gc_kind kind = gc_kind_of(t, k);
			if (kind == GC_LOSE && !lose)
				kind = GC_OK;
			int want = kind == GC_OK	   ? CW_DB_OK
				   : kind == GC_REFUSE	   ? CW_DB_ABORT
				   : kind == GC_DUPLICATE ? CW_DB_CONSTRAINT
				   : kind == GC_LATER_FAILS ? CW_DB_CONSTRAINT
							   : -1;
			if (want >= 0)
				assert_int_equal(w[t].rc[k], want);
			else
				assert_int_not_equal(w[t].rc[k], CW_DB_OK);
			/* Committed exactly when the caller was told so. */
			int n = t * 1000 + k + 1;
			assert_int_equal(run(false, gc_count, &n), CW_DB_OK);
			if (n != (kind == GC_OK ? 1 : 0))
				fail_msg("thread %d job %d (kind %d, rc %d): %d rows", t, k, (int)kind,
					 w[t].rc[k], n);
			n = GC_LATER_ID + t * 1000 + k + 1;
			assert_int_equal(run(false, gc_count, &n), CW_DB_OK);
			if (n != (kind == GC_OK ? 1 : 0))
				fail_msg("thread %d job %d (kind %d): %d later rows", t, k, (int)kind, n);
		}
}

/* ---- grids ---- */

#define GTOWN "340604001000"
#define GVILLAGE "340604001200"
#define GRID_A GVILLAGE "001"
#define GRID_B GVILLAGE "002"
#define SQ(x0, y0, x1, y1)                                                                   \
	"{\"type\":\"Polygon\",\"coordinates\":[[[" #x0 "," #y0 "],[" #x1 "," #y0 "],[" #x1     \
	"," #y1 "],[" #x0 "," #y1 "],[" #x0 "," #y0 "]]]}"

static int grids_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_grid g;
	T_OK(mkregion(tx, GTOWN, "杨庄街道", LIESHAN, CW_LEVEL_TOWN));
	T_OK(mkregion(tx, GVILLAGE, "某村", GTOWN, CW_LEVEL_VILLAGE));
	T_OK(mkregion(tx, GRID_A, "第一网格", GVILLAGE, CW_LEVEL_GRID));
	T_OK(mkregion(tx, GRID_B, "第二网格", GVILLAGE, CW_LEVEL_GRID));

	/* A grid region without attributes reads with the defaults. */
	T_OK(cw_store_grid_get(tx, GRID_B, &g));
	T_STR(g.kind, "comprehensive");
	T(g.households == 0 && !g.synthetic && !g.has_boundary);
	T_STR(g.village, GVILLAGE);
	T_RC(cw_store_grid_get(tx, GVILLAGE, &g), CW_DB_NOTFOUND); /* not a grid */

	struct cw_grid a = {.code = GRID_A, .kind = "school", .households = 320, .population = 900,
			    .synthetic = true, .updated_at = 5000};
	T_OK(cw_store_grid_upsert(tx, &a));
	a.households = 330;
	T_OK(cw_store_grid_upsert(tx, &a));
	T_OK(cw_store_grid_get(tx, GRID_A, &g));
	T_STR(g.kind, "school");
	T(g.households == 330 && g.population == 900 && g.synthetic && g.updated_at == 5000);
	return CW_DB_OK;
}

static int grids_bad_kind_rolled_back_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_grid bad = {.code = GRID_B, .kind = "castle", .updated_at = 5000};
	return cw_store_grid_upsert(tx, &bad);
}

static int boundaries_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_boundary b, *bv;
	struct cw_grid g, *gv;
	int n;
	struct cw_boundary ba = {.code = GRID_A, .geojson = SQ(116.8, 33.9, 116.81, 33.91),
				 .bbox = {116.8, 33.9, 116.81, 33.91}, .area_m2 = 1027000.5,
				 .updated_at = 6000};
	struct cw_boundary bb = {.code = GRID_B, .geojson = SQ(116.81, 33.9, 116.82, 33.91),
				 .bbox = {116.81, 33.9, 116.82, 33.91}, .area_m2 = 1027000.5,
				 .updated_at = 6000};
	T_OK(cw_store_boundary_set(tx, &ba));
	T_OK(cw_store_boundary_set(tx, &bb));
	T_OK(cw_store_boundary_get(tx, GRID_A, &b));
	T_STR(b.geojson, ba.geojson);
	T(b.bbox[0] == 116.8 && b.bbox[3] == 33.91 && b.area_m2 == 1027000.5);
	T_RC(cw_store_boundary_get(tx, GVILLAGE, &b), CW_DB_NOTFOUND);

	/* Siblings whose envelope meets a box, never the excluded grid itself. */
	double box[4] = {116.805, 33.905, 116.815, 33.906};
	T_OK(cw_store_boundary_siblings(tx, GVILLAGE, GRID_A, box, &bv, &n));
	T(n == 1);
	T_STR(bv[0].code, GRID_B);
	double far[4] = {117.0, 34.0, 117.1, 34.1};
	T_OK(cw_store_boundary_siblings(tx, GVILLAGE, NULL, far, &bv, &n));
	T(n == 0);

	/* Scanning grid boundaries pages by code. */
	T_OK(cw_store_boundary_scan(tx, CW_LEVEL_GRID, NULL, 1, &bv, &n));
	T(n == 1);
	T_STR(bv[0].code, GRID_A);
	T_OK(cw_store_boundary_scan(tx, CW_LEVEL_GRID, GRID_A, 10, &bv, &n));
	T(n == 1);
	T_STR(bv[0].code, GRID_B);
	T_OK(cw_store_boundary_scan(tx, CW_LEVEL_VILLAGE, NULL, 10, &bv, &n));
	T(n == 0);

	/* Grid lists follow scope; the boundary shows in has_boundary. */
	T_OK(cw_store_grid_list(tx, P_LIESHAN "/" GTOWN, NULL, 10, &gv, &n));
	T(n == 2);
	T_STR(gv[0].code, GRID_A);
	T(gv[0].has_boundary);
	T_OK(cw_store_grid_list(tx, P_LIESHAN "/" GTOWN, GRID_A, 10, &gv, &n));
	T(n == 1);
	T_OK(cw_store_grid_list(tx, P_XIANGSHAN "/" TOWN2, NULL, 10, &gv, &n));
	T(n == 0);
	T_OK(cw_store_grid_get(tx, GRID_B, &g));
	T(g.has_boundary);
	return CW_DB_OK;
}

static int workers_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_grid_worker *wv;
	int n;
	struct cw_user u1 = mkuser("gwa", "张三", GRID_A, ROLE(GRID_WORKER));
	struct cw_user u2 = mkuser("gwb", "李四", GRID_A, ROLE(GRID_WORKER));
	struct cw_user u3 = mkuser("gwc", "王五", GRID_B, ROLE(GRID_WORKER));
	T_OK(cw_store_user_insert(tx, &u1));
	T_OK(cw_store_user_insert(tx, &u2));
	T_OK(cw_store_user_insert(tx, &u3));
	T_OK(cw_store_grid_worker_set(tx, GRID_A, u2.id, "part_time", 7000));
	T_OK(cw_store_grid_worker_set(tx, GRID_A, u1.id, "full_time", 7000));
	T_OK(cw_store_grid_worker_set(tx, GRID_B, u3.id, "full_time", 7000));
	T_OK(cw_store_grid_workers(tx, NULL, GRID_A, &wv, &n));
	T(n == 2);
	T_STR(wv[0].username, "gwa"); /* full-time first */
	T_STR(wv[0].duty, "full_time");
	T_STR(wv[1].name, "李四");
	T_OK(cw_store_grid_workers(tx, P_LIESHAN "/" GTOWN, NULL, &wv, &n));
	T(n == 3);
	T_STR(wv[2].grid, GRID_B);
	T_OK(cw_store_grid_workers(tx, P_XIANGSHAN, NULL, &wv, &n));
	T(n == 0);
	T_OK(cw_store_grid_worker_remove(tx, GRID_A, u2.id));
	T_RC(cw_store_grid_worker_remove(tx, GRID_A, u2.id), CW_DB_NOTFOUND);
	return CW_DB_OK;
}

static int second_full_time_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	return cw_store_grid_worker_set(tx, GRID_A, uid("gwc"), "full_time", 8000);
}

static int unknown_grid_worker_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	return cw_store_grid_worker_set(tx, GVILLAGE "999", uid("gwc"), "part_time", 8000);
}

static void test_grids(void **state)
{
	(void)state;
	assert_int_equal(run(true, grids_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, grids_bad_kind_rolled_back_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(true, boundaries_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, workers_fn, NULL), CW_DB_OK);
	/* One full-time worker per grid ("1+1"), and only for grids that exist. */
	assert_int_equal(run(true, second_full_time_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(true, unknown_grid_worker_fn, NULL), CW_DB_CONSTRAINT);
}

/* ---- the working-day calendar ---- */

static int calendar_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_calendar_day *v;
	int n;
	const struct cw_calendar_day y26[] = {
	    {"2026-01-01", "off", "元旦"}, {"2026-01-04", "work", "元旦"}, {"2026-10-01", "off", ""}};
	const struct cw_calendar_day y27[] = {{"2027-01-01", "off", "元旦"}};
	T_OK(cw_store_calendar_replace_year(tx, 2026, y26, 3, 9000));
	T_OK(cw_store_calendar_replace_year(tx, 2027, y27, 1, 9000));
	T_OK(cw_store_calendar_list(tx, "2026-01-01", "2026-12-31", &v, &n));
	T(n == 3);
	T_STR(v[0].day, "2026-01-01");
	T_STR(v[0].note, "元旦");
	T_STR(v[1].kind, "work");
	/* Replacing a year leaves the other years alone. */
	const struct cw_calendar_day y26b[] = {{"2026-05-01", "off", "劳动节"}};
	T_OK(cw_store_calendar_replace_year(tx, 2026, y26b, 1, 9100));
	T_OK(cw_store_calendar_list(tx, "0000-00-00", "9999-99-99", &v, &n));
	T(n == 2);
	T_STR(v[0].day, "2026-05-01");
	T_STR(v[1].day, "2027-01-01");
	return CW_DB_OK;
}

static int calendar_bad_kind_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	const struct cw_calendar_day bad[] = {{"2028-01-01", "holiday", ""}};
	return cw_store_calendar_replace_year(tx, 2028, bad, 1, 9000);
}

static void test_calendar(void **state)
{
	(void)state;
	assert_int_equal(run(true, calendar_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, calendar_bad_kind_fn, NULL), CW_DB_CONSTRAINT);
}

/* ---- the case category taxonomy ---- */

static struct cw_category cat_row(const char *code, const char *parent, const char *name,
				  const char *kind, const char *risk)
{
	return (struct cw_category){
	    .code = code,
	    .parent = parent,
	    .name = name,
	    .kind = kind,
	    .first_level = "town",
	    .departments = {[CW_LEVEL_TOWN] = "cgj", [CW_LEVEL_DISTRICT] = "cgj", [CW_LEVEL_CITY] = "cgj"},
	    .deadline = {CW_CASE_DUE_WORKING_HOURS, 4},
	    .risk = risk,
	};
}

static int categories_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_stored_category *v, one;
	int n, changed;
	/* Out of order on purpose: the store sorts by code, subclasses after their class. */
	struct cw_category rows[] = {
	    cat_row("06010", "06", "暴露垃圾", "event", NULL),
	    cat_row("06", "", "市容环境", "event", ""),
	    cat_row("H4", NULL, "公共安全风险", "hazard", "public_safety"),
	    cat_row("07001", "07", "违法小广告", "event", NULL),
	    cat_row("07", NULL, "宣传广告", "event", NULL),
	};
	rows[2].departments[CW_LEVEL_TOWN] = "zzb";
	rows[2].departments[CW_LEVEL_DISTRICT] = "yjglj";
	rows[2].deadline = (struct cw_case_due){CW_CASE_DUE_WORKING_DAYS, 1};
	T_OK(cw_store_category_replace_all(tx, rows, 5, 9000, &changed));
	T(changed == 5);
	T_OK(cw_store_category_list(tx, NULL, false, &v, &n));
	T(n == 5);
	T_STR(v[0].cat.code, "06");
	T_STR(v[1].cat.code, "06010");
	T_STR(v[2].cat.code, "07");
	T_STR(v[4].cat.code, "H4");
	T_STR(v[1].cat.parent, "06");
	T_STR(v[0].cat.parent, "");
	T_STR(v[1].cat.name, "暴露垃圾");
	T_STR(v[1].cat.first_level, "town");
	T(v[1].cat.deadline.unit == CW_CASE_DUE_WORKING_HOURS && v[1].cat.deadline.amount == 4);
	T_STR(v[1].cat.departments[CW_LEVEL_TOWN], "cgj");
	T_STR(v[1].cat.departments[CW_LEVEL_GRID], "");
	T_STR(v[1].cat.risk, "");
	T(v[1].active && v[1].updated_at == 9000);
	T_STR(v[4].cat.risk, "public_safety");
	T_STR(v[4].cat.departments[CW_LEVEL_DISTRICT], "yjglj");
	T(v[4].cat.deadline.unit == CW_CASE_DUE_WORKING_DAYS);
	T(cw_category_same(&v[1].cat, &rows[0]));
	/* By kind. */
	T_OK(cw_store_category_list(tx, "hazard", false, &v, &n));
	T(n == 1);
	T_STR(v[0].cat.code, "H4");
	T_STR(v[0].cat.departments[CW_LEVEL_CITY], "cgj");
	T_OK(cw_store_category_list(tx, "petition", false, &v, &n));
	T(n == 0);
	/* The same rows again change nothing and write nothing. */
	T_OK(cw_store_category_replace_all(tx, rows, 5, 9100, &changed));
	T(changed == 0);
	T_OK(cw_store_category_get(tx, "06010", &one));
	T(one.updated_at == 9000);
	/* A rename and a dropped subclass: two changes; the dropped one stays, inactive. */
	rows[0].name = "暴露垃圾（含散落垃圾）";
	rows[0].departments[CW_LEVEL_TOWN] = "zjj";
	T_OK(cw_store_category_replace_all(tx, rows, 4, 9200, &changed));
	T(changed == 2);
	T_OK(cw_store_category_get(tx, "06010", &one));
	T_STR(one.cat.name, "暴露垃圾（含散落垃圾）");
	T_STR(one.cat.departments[CW_LEVEL_TOWN], "zjj");
	T_STR(one.cat.departments[CW_LEVEL_CITY], "cgj");
	T(one.updated_at == 9200);
	T_OK(cw_store_category_list(tx, NULL, false, &v, &n));
	T(n == 4);
	T_OK(cw_store_category_list(tx, "event", true, &v, &n));
	T(n == 4);
	T_OK(cw_store_category_get(tx, "07", &one));
	T(!one.active && one.updated_at == 9200);
	/* Listed again, it is active again. */
	T_OK(cw_store_category_replace_all(tx, rows, 5, 9300, &changed));
	T(changed == 1);
	T_OK(cw_store_category_get(tx, "07", &one));
	T(one.active);
	T_RC(cw_store_category_get(tx, "99999", &one), CW_DB_NOTFOUND);
	/* An empty taxonomy deactivates everything. */
	T_OK(cw_store_category_replace_all(tx, NULL, 0, 9400, &changed));
	T(changed == 5);
	T_OK(cw_store_category_list(tx, NULL, false, &v, &n));
	T(n == 0);
	T_OK(cw_store_category_list(tx, NULL, true, &v, &n));
	T(n == 5);
	return CW_DB_OK;
}

/* The schema refuses what the loader should have refused (each in its own
 * transaction: on PostgreSQL the failed statement aborts it). */
static int category_bad_kind_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	int changed;
	struct cw_category bad = cat_row("X1", "", "坏类型", "incident", NULL);
	return cw_store_category_replace_all(tx, &bad, 1, 9000, &changed);
}

static int category_bad_deadline_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	int changed;
	struct cw_category bad = cat_row("06011", "06", "道路遗撒", "event", NULL);
	bad.deadline.amount = 0;
	return cw_store_category_replace_all(tx, &bad, 1, 9000, &changed);
}

static int category_untouched_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_stored_category one;
	T_RC(cw_store_category_get(tx, "X1", &one), CW_DB_NOTFOUND);
	T_RC(cw_store_category_get(tx, "06011", &one), CW_DB_NOTFOUND);
	T_OK(cw_store_category_get(tx, "06010", &one));
	T(!one.active); /* as categories_fn left it */
	return CW_DB_OK;
}

static void test_categories(void **state)
{
	(void)state;
	assert_int_equal(run(true, categories_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, category_bad_kind_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(true, category_bad_deadline_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(false, category_untouched_fn, NULL), CW_DB_OK);
}

/* ---- cases, their timeline and idempotency keys ---- */

#define CD1 "340611000000"
#define CD2 "340612000000"
#define CGRID "340611001001001"

static struct cw_case case_row_new(const char *region, const char *grid, const char *status,
				   int64_t at)
{
	return (struct cw_case){.kind = "event", .category = "07", .title = "垃圾暴露",
				.description = "路边", .status = status, .level = "district",
				.region = region, .grid = grid, .has_location = grid != NULL,
				.lon = 116.8123456, .lat = 33.9612345, .channel = "app",
				.created_at = at, .updated_at = at};
}

static int cases_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case a, b, c, got, *v;
	struct cw_case_event e, *ev;
	int n;
	T_OK(mkregion(tx, CD1, "case district 1", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, CD2, "case district 2", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, CGRID, "case grid", CD1, CW_LEVEL_GRID));

	a = case_row_new(CGRID, CGRID, "reported", 10000);
	a.reporter_user_id = uid("alice");
	T_OK(cw_store_case_insert(tx, &a, "20261127"));
	T_STR(a.number, "2026112700001");
	T(a.id > 0 && a.version == 1);
	b = case_row_new(CD2, NULL, "registered", 10001);
	T_OK(cw_store_case_insert(tx, &b, "20261127"));
	T_STR(b.number, "2026112700002");
	c = case_row_new(CD1, NULL, "reported", 10002);
	T_OK(cw_store_case_insert(tx, &c, "20261128"));
	T_STR(c.number, "2026112800001"); /* a new day starts a new sequence */

	T_OK(cw_store_case_get(tx, a.id, &got));
	T_STR(got.number, "2026112700001");
	T_STR(got.title, "垃圾暴露");
	T_STR(got.region_path, CITY "/" CD1 "/" CGRID);
	T_STR(got.grid, CGRID);
	T(got.has_location && got.lon > 116.81234 && got.lon < 116.81235);
	T(got.reporter_user_id == uid("alice") && got.department_id == 0 && got.deadline == 0);
	T(got.version == 1 && got.created_at == 10000 && !got.overdue);
	T_OK(cw_store_case_get(tx, b.id, &got));
	T(!got.has_location && got.grid == NULL);
	T_RC(cw_store_case_get(tx, c.id + 1000, &got), CW_DB_NOTFOUND);

	/* The version is the optimistic lock: a stale one changes nothing. */
	T_OK(cw_store_case_get(tx, a.id, &got));
	got.status = "registered";
	got.deadline = 20000;
	got.clock = "dispatch";
	got.clock_started_at = 10100;
	got.overdue = true;
	got.reworks = 2;
	got.rating = 4;
	got.updated_at = 10100;
	T_OK(cw_store_case_update(tx, &got));
	T(got.version == 2);
	struct cw_case stale = got;
	stale.version = 1;
	stale.status = "rejected";
	T_RC(cw_store_case_update(tx, &stale), CW_DB_NOTFOUND);
	T_OK(cw_store_case_get(tx, a.id, &got));
	T_STR(got.status, "registered");
	T_STR(got.clock, "dispatch");
	T(got.version == 2 && got.deadline == 20000 && got.overdue && got.reworks == 2);
	T(got.rating == 4 && got.updated_at == 10100 && got.created_at == 10000);

	/* Lists: newest first, scope and filters, keyset. */
	struct cw_case_filter f = {.overdue = -1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 3 && v[0].id == c.id && v[2].id == a.id);
	T_OK(cw_store_case_list(tx, &f, 2, &v, &n));
	T(n == 2);
	f.before_id = v[1].id;
	T_OK(cw_store_case_list(tx, &f, 2, &v, &n));
	T(n == 1 && v[0].id == a.id);
	f = (struct cw_case_filter){.scope_path = CITY "/" CD1, .overdue = -1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 2 && v[0].id == c.id && v[1].id == a.id);
	f.status = "registered";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a.id);
	f = (struct cw_case_filter){.scope_path = CITY, .region_path = CITY "/" CD2,
				    .overdue = -1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == b.id);
	f = (struct cw_case_filter){.overdue = 1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a.id);
	f = (struct cw_case_filter){.overdue = 0, .kind = "event", .category = "07"};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 2);
	f = (struct cw_case_filter){.overdue = -1, .kind = "petition"};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f = (struct cw_case_filter){.overdue = -1, .scope_path = CITY "/" CD1 "/" CGRID};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a.id);
	/* The console's filters (store_case_filters.c): a registered (overdue, deadline
	 * 20000, in CGRID), b registered, c reported. */
	static const char *const some[] = {"reported", "rejected"};
	static const char *const fin[] = {"closed", "rejected", "merged"};
	f = (struct cw_case_filter){.overdue = -1, .statuses = some, .nstatuses = 2};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == c.id);
	f = (struct cw_case_filter){.overdue = -1, .status_set = fin, .nstatus_set = 3};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f.statuses = some; /* both sets hold */
	f.nstatuses = 2;
	f.status_set = some + 1;
	f.nstatus_set = 1;
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f.status_set = some;
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == c.id);
	f = (struct cw_case_filter){.overdue = -1, .status_set = some, .nstatus_set = 1,
				    .status_set_not = true}; /* not reported */
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 2 && v[0].id == b.id && v[1].id == a.id);
	f = (struct cw_case_filter){.overdue = -1, .grid = CGRID};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a.id);
	f = (struct cw_case_filter){.overdue = -1, .due_before = 20001};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a.id);
	f.due_before = 20000;
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f = (struct cw_case_filter){.overdue = -1, .supervised = -1, .escalated = -1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 3);
	f.supervised = 1;
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f = (struct cw_case_filter){.overdue = -1, .escalated = 1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f = (struct cw_case_filter){.overdue = -1, .department_id = 999999};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);

	/* The timeline, oldest first. */
	e = (struct cw_case_event){.case_id = a.id, .at = 10000, .user_id = uid("alice"),
				   .username = "alice", .action = "create",
				   .status_after = "reported"};
	T_OK(cw_store_case_event_append(tx, &e));
	T(e.id > 0);
	e = (struct cw_case_event){.case_id = a.id, .at = 10100, .action = "register",
				   .note = "ok", .status_before = "reported",
				   .status_after = "registered", .detail = "{\"x\":1}"};
	T_OK(cw_store_case_event_append(tx, &e));
	T_OK(cw_store_case_events(tx, a.id, &ev, &n));
	T(n == 2);
	T_STR(ev[0].action, "create");
	T(ev[0].user_id == uid("alice") && ev[0].at == 10000);
	T_STR(ev[0].status_before, "");
	T_STR(ev[1].username, "");
	T(ev[1].user_id == 0);
	T_STR(ev[1].status_after, "registered");
	T_STR(ev[1].detail, "{\"x\":1}");
	T_OK(cw_store_case_events(tx, b.id, &ev, &n));
	T(n == 0);

	/* Idempotency keys, per user. */
	struct cw_idempotency_key k = {.key = "k1", .user_id = uid("alice"),
				       .request_hash = "h1", .case_id = a.id, .created_at = 10000};
	struct cw_idempotency_key kg;
	T_RC(cw_store_idempotency_get(tx, "k1", uid("alice"), &kg), CW_DB_NOTFOUND);
	T_OK(cw_store_idempotency_put(tx, &k));
	T_OK(cw_store_idempotency_get(tx, "k1", uid("alice"), &kg));
	T_STR(kg.request_hash, "h1");
	T(kg.case_id == a.id && kg.created_at == 10000);
	T_RC(cw_store_idempotency_get(tx, "k1", uid("bob"), &kg), CW_DB_NOTFOUND);
	k.user_id = uid("bob");
	T_OK(cw_store_idempotency_put(tx, &k));
	return CW_DB_OK;
}

static int idempotency_again_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case_filter f = {.overdue = -1};
	struct cw_case *v;
	int n;
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 1);
	struct cw_idempotency_key k = {.key = "k1", .user_id = uid("alice"),
				       .request_hash = "h2", .case_id = v[0].id, .created_at = 1};
	return cw_store_idempotency_put(tx, &k);
}

static int case_unknown_category_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case c = case_row_new(CD1, NULL, "reported", 1);
	c.category = "NOPE9";
	return cw_store_case_insert(tx, &c, "20261127");
}

static int case_number_after_rollback_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case c = case_row_new(CD2, NULL, "reported", 20000);
	T_OK(cw_store_case_insert(tx, &c, "20261127"));
	T_STR(c.number, "2026112700003"); /* the rolled-back insert drew no number */
	return CW_DB_OK;
}

/* The reporter's sealed name and phone: opaque text, written by insert and update,
 * listed and swapped by the rewrap functions only while unchanged. */
static int case_pii_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case a = case_row_new(CD2, NULL, "reported", 30000), got;
	a.reporter_name_enc = "sm4gcm:k1:bmFtZQ==";
	a.reporter_phone_enc = "sm4gcm:k1:cGhvbmU=";
	T_OK(cw_store_case_insert(tx, &a, "20261201"));
	struct cw_case b = case_row_new(CD2, NULL, "reported", 30001); /* none: "" */
	T_OK(cw_store_case_insert(tx, &b, "20261201"));
	T_OK(cw_store_case_get(tx, a.id, &got));
	T_STR(got.reporter_name_enc, "sm4gcm:k1:bmFtZQ==");
	T_STR(got.reporter_phone_enc, "sm4gcm:k1:cGhvbmU=");
	T_OK(cw_store_case_get(tx, b.id, &got));
	T_STR(got.reporter_name_enc, "");
	T_STR(got.reporter_phone_enc, "");
	/* An update writes them like every other column. */
	got.reporter_phone_enc = "sm4gcm:k2:eA==";
	got.updated_at = 30005;
	T_OK(cw_store_case_update(tx, &got));
	T_OK(cw_store_case_get(tx, b.id, &got));
	T_STR(got.reporter_name_enc, "");
	T_STR(got.reporter_phone_enc, "sm4gcm:k2:eA==");
	T(got.version == 2);

	struct cw_case_pii *v;
	int n;
	T_OK(cw_store_case_pii_page(tx, a.id - 1, 10, &v, &n));
	T(n == 2 && v[0].id == a.id && v[1].id == b.id);
	T_STR(v[0].phone_enc, "sm4gcm:k1:cGhvbmU=");
	T_STR(v[1].name_enc, "");
	T_OK(cw_store_case_pii_page(tx, a.id - 1, 1, &v, &n));
	T(n == 1 && v[0].id == a.id);
	struct cw_case_pii old = v[0];
	T_OK(cw_store_case_pii_set(tx, &old, "sm4gcm:k2:bg==", "sm4gcm:k2:cA=="));
	/* Changed meanwhile: not replaced. */
	T_RC(cw_store_case_pii_set(tx, &old, "x", "y"), CW_DB_NOTFOUND);
	T_OK(cw_store_case_get(tx, a.id, &got));
	T_STR(got.reporter_name_enc, "sm4gcm:k2:bg==");
	T_STR(got.reporter_phone_enc, "sm4gcm:k2:cA==");
	T(got.version == 1); /* rewrapping changes no ETag */
	return CW_DB_OK;
}

/* Timeline entries in bulk (the demo generator): 16 + 4 + 1 rows, of two cases, in order. */
static int case_events_bulk_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case a = case_row_new(CD1, NULL, "reported", 30000);
	struct cw_case b = case_row_new(CD2, NULL, "reported", 30000);
	T_OK(cw_store_case_insert(tx, &a, "20261128"));
	T_OK(cw_store_case_insert(tx, &b, "20261128"));
	struct cw_case_event e[21], *ev;
	char what[21][16];
	int n;
	for (int i = 0; i < 21; i++) {
		snprintf(what[i], sizeof what[i], "step%d", i);
		e[i] = (struct cw_case_event){.case_id = i % 3 ? a.id : b.id, .at = 30000 + i,
					      .user_id = i == 0 ? uid("alice") : 0,
					      .username = i == 0 ? "alice" : "system",
					      .action = what[i], .note = i == 5 ? "备注" : NULL,
					      .status_before = i ? "reported" : NULL,
					      .status_after = "reported"};
	}
	T_OK(cw_store_case_events_insert(tx, e, 21));
	T_OK(cw_store_case_events(tx, a.id, &ev, &n));
	T(n == 14);
	T_STR(ev[0].action, "step1");
	T_STR(ev[3].action, "step5");
	T_STR(ev[3].note, "备注");
	T_STR(ev[13].action, "step20");
	T(ev[13].at == 30020 && ev[13].user_id == 0);
	T_STR(ev[13].username, "system");
	T_OK(cw_store_case_events(tx, b.id, &ev, &n));
	T(n == 7);
	T_STR(ev[0].action, "step0");
	T(ev[0].user_id == uid("alice"));
	T_STR(ev[0].status_before, "");
	T_STR(ev[6].action, "step18");
	T_OK(cw_store_case_events_insert(tx, e, 0));
	/* A bad row (no such case) refuses the statement. */
	e[0].case_id = 999999999;
	T_RC(cw_store_case_events_insert(tx, e, 2), CW_DB_CONSTRAINT);
	return CW_DB_ABORT;
}

static void test_cases(void **state)
{
	(void)state;
	assert_int_equal(run(true, cases_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, idempotency_again_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(true, case_unknown_category_fn, NULL), CW_DB_CONSTRAINT);
	assert_int_equal(run(true, case_number_after_rollback_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, case_pii_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, case_events_bulk_fn, NULL), CW_DB_ABORT);
}

/* ---- the scheduler's scan, its lock, and notifications ---- */

#define SD "340613000000"

static int64_t sched_ids[6]; /* w, n, o, od, s; the dispatcher */

static int sched_fixture_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	T_OK(mkregion(tx, SD, "scheduler district", CITY, CW_LEVEL_DISTRICT));
	struct {
		int64_t started, deadline;
		bool warned, overdue;
	} rows[5] = {{1000, 2000, false, false}, /* w: past the 80% mark at 1850 */
		     {1000, 3000, false, false}, /* n: not yet */
		     {1000, 1500, true, false},	 /* o: past its deadline */
		     {1000, 1500, true, true},	 /* od: overdue already */
		     {0, 0, false, false}};	 /* s: no clock */
	for (int i = 0; i < 5; i++) {
		struct cw_case c = case_row_new(SD, NULL, "dispatched", 900);
		c.clock = rows[i].deadline ? "handle" : "";
		c.clock_started_at = rows[i].started;
		c.deadline = rows[i].deadline;
		c.warned = rows[i].warned;
		c.overdue = rows[i].overdue;
		T_OK(cw_store_case_insert(tx, &c, "20261129"));
		sched_ids[i] = c.id;
	}
	struct cw_user d = {.username = "sched_disp", .name = "调度", .region = SD,
			    .roles = 1u << CW_ROLE_DISPATCHER, .created_at = 1, .updated_at = 1};
	struct cw_user off = {.username = "sched_off", .name = "停用", .region = SD,
			      .roles = 1u << CW_ROLE_DISPATCHER, .disabled = true, .created_at = 1,
			      .updated_at = 1};
	T_OK(cw_store_user_insert(tx, &d));
	T_OK(cw_store_user_insert(tx, &off));
	sched_ids[5] = d.id;
	return CW_DB_OK;
}

/* The scan's result restricted to this test's cases, as a bit set by index. */
static int scan_bits(struct cw_tx *tx, struct cw_case_due_scan *f, int limit, unsigned *bits)
{
	struct cw_case *v;
	int n;
	*bits = 0;
	int rc = cw_store_case_due_scan(tx, f, limit, &v, &n);
	if (rc != CW_DB_OK)
		return rc;
	for (int i = 0; i < n; i++) {
		if (i && v[i].id <= v[i - 1].id)
			return TFAIL; /* by id */
		for (int k = 0; k < 5; k++)
			if (v[i].id == sched_ids[k])
				*bits |= 1u << k;
	}
	return CW_DB_OK;
}

static int sched_scan_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	unsigned bits;
	struct cw_case_due_scan f = {.now = 1850, .warn_permille = 800,
				     .escalate_levels = {"town", NULL}};
	T_OK(scan_bits(tx, &f, 100, &bits));
	T(bits == (1u << 0 | 1u << 2)); /* w and o; od is overdue at a level that stays */
	f.escalate_levels[0] = "district";
	T_OK(scan_bits(tx, &f, 100, &bits));
	T(bits == (1u << 0 | 1u << 2 | 1u << 3));
	f.warn_permille = 0; /* no warnings configured */
	T_OK(scan_bits(tx, &f, 100, &bits));
	T(bits == (1u << 2 | 1u << 3));
	f.warn_permille = 900; /* the mark at 1900: not yet */
	T_OK(scan_bits(tx, &f, 100, &bits));
	T(bits == (1u << 2 | 1u << 3));
	f.now = 2600; /* n's mark (80%) */
	f.warn_permille = 800;
	T_OK(scan_bits(tx, &f, 100, &bits));
	T(bits & (1u << 1));
	T(!(bits & (1u << 4)));
	/* Keyset: after w, at most one. */
	f.now = 1850;
	f.after_id = sched_ids[0];
	struct cw_case *v;
	int n;
	T_OK(cw_store_case_due_scan(tx, &f, 1, &v, &n));
	T(n == 1 && v[0].id == sched_ids[2]);
	T_STR(v[0].clock, "handle");
	T(v[0].deadline == 1500 && v[0].clock_started_at == 1000 && v[0].version == 1);
	return CW_DB_OK;
}

static int sched_recipients_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_recipient *v;
	int n;
	T_OK(cw_store_users_at_region(tx, SD, &v, &n));
	T(n == 1 && v[0].id == sched_ids[5] && v[0].roles == (1u << CW_ROLE_DISPATCHER));
	T_OK(cw_store_users_at_region(tx, "349999000000", &v, &n));
	T(n == 0);
	struct cw_department d = {.code = "sched-dept", .name = "排程部门", .region = SD,
				  .created_at = 1};
	bool created;
	T_OK(cw_store_department_ensure(tx, &d, &created));
	T_OK(cw_store_users_of_department(tx, d.id, &v, &n));
	T(n == 0);
	struct cw_user u;
	T_OK(cw_store_user_get(tx, sched_ids[5], &u));
	u.department_id = d.id;
	T_OK(cw_store_user_update(tx, &u));
	T_OK(cw_store_users_of_department(tx, d.id, &v, &n));
	T(n == 1 && v[0].id == sched_ids[5]);
	return CW_DB_OK;
}

static int sched_notifications_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	int64_t me = sched_ids[5], other = uid("alice");
	struct cw_notification nt[3];
	for (int i = 0; i < 3; i++) {
		nt[i] = (struct cw_notification){.user_id = me, .case_id = sched_ids[i],
						 .what = i ? "overdue" : "warn", .level = "district",
						 .at = 5000 + i};
		T_OK(cw_store_notification_insert(tx, &nt[i]));
	}
	struct cw_notification theirs = {.user_id = other, .case_id = sched_ids[0],
					 .what = "warn", .level = "district", .at = 5000};
	T_OK(cw_store_notification_insert(tx, &theirs));
	struct cw_notification *v;
	int n;
	T_OK(cw_store_notification_list(tx, me, false, 0, 10, &v, &n));
	T(n == 3 && v[0].id == nt[2].id && v[2].id == nt[0].id); /* newest first, mine only */
	T_STR(v[2].what, "warn");
	T_STR(v[2].level, "district");
	T(v[2].case_id == sched_ids[0] && v[2].at == 5000 && v[2].read_at == 0);
	T(v[2].number && strlen(v[2].number) == 13);
	T_OK(cw_store_notification_list(tx, me, false, nt[2].id, 1, &v, &n));
	T(n == 1 && v[0].id == nt[1].id); /* keyset */
	/* Reading: only one's own; twice keeps the first time. */
	T_RC(cw_store_notification_read(tx, me, theirs.id, 6000), CW_DB_NOTFOUND);
	T_RC(cw_store_notification_read(tx, me, theirs.id + 1000, 6000), CW_DB_NOTFOUND);
	T_OK(cw_store_notification_read(tx, me, nt[1].id, 6000));
	T_OK(cw_store_notification_read(tx, me, nt[1].id, 7000));
	T_OK(cw_store_notification_list(tx, me, true, 0, 10, &v, &n));
	T(n == 2 && v[0].id == nt[2].id && v[1].id == nt[0].id);
	T_OK(cw_store_notification_list(tx, me, false, 0, 10, &v, &n));
	T(v[1].id == nt[1].id && v[1].read_at == 6000);
	int64_t changed;
	T_OK(cw_store_notification_read_all(tx, me, 8000, &changed));
	T(changed == 2);
	T_OK(cw_store_notification_read_all(tx, me, 9000, &changed));
	T(changed == 0);
	T_OK(cw_store_notification_list(tx, me, true, 0, 10, &v, &n));
	T(n == 0);
	T_OK(cw_store_notification_list(tx, other, true, 0, 10, &v, &n));
	T(n == 1 && v[0].id == theirs.id); /* another's untouched */
	return CW_DB_OK;
}

static int sched_recipients_check_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_recipient *v;
	int n;
	T_OK(cw_store_users_at_region(tx, SD, &v, &n));
	T(n == 1);
	return CW_DB_OK;
}

static int inner_ran;

static int inner_fn(void *ctx)
{
	(void)ctx;
	inner_ran++;
	return CW_DB_OK;
}

static int outer_fn(void *ctx)
{
	bool *inner_got = ctx;
	int rc = cw_store_exclusive(S, 0x7465737a, inner_fn, NULL, inner_got);
	if (rc != CW_DB_OK)
		return rc;
	/* The holder's own transactions run on the pool's other connections. */
	return run(false, sched_recipients_check_fn, NULL);
}

static void test_scheduler_store(void **state)
{
	(void)state;
	assert_int_equal(run(true, sched_fixture_fn, NULL), CW_DB_OK);
	assert_int_equal(run(false, sched_scan_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, sched_recipients_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, sched_notifications_fn, NULL), CW_DB_OK);

	/* One holder at a time on PostgreSQL: a second session is refused while the first
	 * holds the lock, and gets it once it is released. SQLite: both run. */
	bool got = false, inner_got = false;
	inner_ran = 0;
	assert_int_equal(cw_store_exclusive(S, 0x7465737a, outer_fn, &inner_got, &got), CW_DB_OK);
	assert_true(got);
	assert_int_equal(inner_got, !cw_store_is_postgres(S));
	assert_int_equal(inner_ran, cw_store_is_postgres(S) ? 0 : 1);
	assert_int_equal(cw_store_exclusive(S, 0x7465737a, inner_fn, NULL, &got), CW_DB_OK);
	assert_true(got);
}

/* ---- the case search index (store_search.c) ---- */

static int index_text(struct cw_tx *tx, int64_t id, const char *text)
{
	static cw_search_term terms[CW_SEARCH_TERMS_MAX];
	int n = 0;
	static char body[8192]; /* the whole folded text: SQLite recomputes old terms from it */
	cw_search_index_terms(text, terms, &n, CW_SEARCH_TERMS_MAX);
	cw_search_fold(text, body, sizeof body);
	return cw_store_case_terms_replace(tx, id, terms, n, body);
}

/* test_cases's cases (numbered on 2026-11-27 and 28) in a list newest first, at most 4;
 * other tests' cases are numbered on other days. */
static int my_cases(const struct cw_case *v, int n, int64_t mine[4])
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (k < 4 && (strncmp(v[i].number, "20261127", 8) == 0 ||
			      strncmp(v[i].number, "20261128", 8) == 0))
			mine[k++] = v[i].id;
	return k;
}

static int case_search_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case_filter f = {.overdue = -1};
	struct cw_case *v;
	int n;
	T_OK(cw_store_case_list(tx, &f, 20, &v, &n));
	/* test_cases's cases (numbered on 2026-11-27 and 28), newest first: the one after the
	 * rollback, c (CD1), b (CD2), a (CGRID); other tests' cases are numbered on other days. */
	int64_t mine[4];
	T(my_cases(v, n, mine) == 4);
	int64_t c = mine[1], b = mine[2], a = mine[3];
	T_OK(index_text(tx, a, "垃圾暴露 路边 Xiangshan Road"));
	T_OK(index_text(tx, b, "夜间噪音扰民"));
	T_OK(index_text(tx, c, "垃圾 散落，圾桶 倾倒"));

	f.q = "垃圾";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 2 && v[0].id == c && v[1].id == a);
	f.q = "垃圾桶"; /* c has 垃圾 and 圾桶, never together */
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f.q = "噪";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == b);
	f.q = "road 垃圾暴露";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a);
	f.q = "没有";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f.q = "，，"; /* no searchable character: nothing matches */
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	/* with scope, filters and the cursor */
	f = (struct cw_case_filter){.overdue = -1, .q = "噪音", .scope_path = CITY "/" CD1};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	f = (struct cw_case_filter){.overdue = -1, .q = "垃圾", .before_id = c};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a);
	f = (struct cw_case_filter){.overdue = -1, .q = "垃圾", .status = "registered"};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == a);
	/* replacing a case's terms drops the old ones */
	T_OK(index_text(tx, c, "垃圾桶满"));
	f = (struct cw_case_filter){.overdue = -1, .q = "垃圾桶"};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == c);
	f.q = "散落";
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	/* many terms in one case: several INSERT batches */
	char big[3 * 600 + 1];
	size_t o = 0;
	for (unsigned cp = 0x4E00; cp < 0x4E00 + 600; cp++) {
		big[o++] = (char)(0xE0 | (cp >> 12));
		big[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
		big[o++] = (char)(0x80 | (cp & 0x3F));
	}
	big[o] = 0;
	T_OK(index_text(tx, b, big));
	f.q = "丁"; /* U+4E01 */
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == b);
	return CW_DB_OK;
}

static void test_case_search(void **state)
{
	(void)state;
	assert_int_equal(run(true, case_search_fn, NULL), CW_DB_OK);
}

/* Query text that looks like FTS5 syntax is just text; prefixes, one CJK character,
 * paging, and a replaced case's old terms. Runs after test_case_search (same cases). */
static int case_search_text_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case_filter f = {.overdue = -1};
	struct cw_case *v;
	int n;
	T_OK(cw_store_case_list(tx, &f, 20, &v, &n));
	int64_t mine[4];
	T(my_cases(v, n, mine) == 4);
	int64_t c = mine[1], b = mine[2], a = mine[3];
	T_OK(index_text(tx, a, "垃圾暴露 路边 Xiangshan Road"));
	T_OK(index_text(tx, b, "井盖缺失 near the school"));
	T_OK(index_text(tx, c, "垃圾 散落"));

	/* syntax characters and keywords: no error, matched as text or ignored */
	static const struct {
		const char *q;
		int n; /* cases found: a, b or c as flags 1, 2, 4 */
		int who;
	} cases[] = {
	    {"垃圾*", 2, 5},	  {"-垃圾", 2, 5},	{"road:", 1, 1},   {"^road", 1, 1},
	    {"垃圾 AND 井盖", 0, 0}, {"垃圾 OR 井盖", 0, 0}, {"NOT 垃圾", 0, 0}, {"NEAR(垃圾", 0, 0},
	    {"near", 1, 2},	  {"NEAR(井盖", 1, 2},	{"\"垃圾\"", 2, 5}, {"垃\"圾", 2, 5},
	    {"\"", 0, 0},	  {"*", 0, 0},		{"(", 0, 0},	   {"road\"\"", 1, 1},
	    {"xiang", 1, 1},	  {"XIANGS", 1, 1},	{"ｘｉａｎｇ", 1, 1}, {"shan", 0, 0},
	    {"x", 1, 1},	  {"井", 1, 2},		{"圾", 2, 5},	   {"盖", 1, 2},
	    {"缺", 1, 2},	  {"散落", 1, 4},	{"垃圾 散落", 1, 4}, {"schoo", 1, 2},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = (struct cw_case_filter){.overdue = -1, .q = cases[i].q};
		T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
		int who = 0;
		for (int j = 0; j < n; j++)
			who |= v[j].id == a ? 1 : v[j].id == b ? 2 : v[j].id == c ? 4 : 8;
		if (n != cases[i].n || who != cases[i].who) {
			fprintf(stderr, "q=%s: %d cases (flags %d), want %d (%d)\n", cases[i].q, n,
				who, cases[i].n, cases[i].who);
			return CW_DB_ERROR;
		}
	}
	/* paging: one case a page, newest first, the cursor excludes what was seen */
	f = (struct cw_case_filter){.overdue = -1, .q = "垃圾"};
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 1 && v[0].id == c);
	f.before_id = v[0].id;
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 1 && v[0].id == a);
	f.before_id = v[0].id;
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 0);
	/* replaced twice: only the last terms find it; the first and second do not */
	T_OK(index_text(tx, c, "路灯 不亮"));
	T_OK(index_text(tx, c, "窨井 冒水 Manhole"));
	static const char *gone[] = {"垃圾", "散落", "散", "路灯", "不亮", "灯"};
	for (size_t i = 0; i < sizeof gone / sizeof gone[0]; i++) {
		f = (struct cw_case_filter){.overdue = -1, .q = gone[i]};
		T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
		for (int j = 0; j < n; j++)
			T(v[j].id != c);
	}
	/* SQLite: the FTS5 index itself no longer holds the replaced terms for c (the
	 * substring check alone would hide a stale term from the list above) */
	if (cw_tx_dialect(tx) == CW_DIALECT_SQLITE) {
		static const char *const stale[] = {"\"垃圾\"", "\"散落\"", "\"路灯\"", "\"灯\"",
						    "\"不亮\""};
		for (size_t i = 0; i < sizeof stale / sizeof stale[0]; i++) {
			struct cw_db_result r;
			int rc = CW_TXQ(tx,
					"SELECT count(*) FROM case_fts WHERE case_fts MATCH $1 AND "
					"rowid = $2",
					&r, CW_P_TEXT(stale[i]), CW_P_INT(c));
			T_OK(rc);
			T(cw_db_cell_int(&r, 0, 0) == 0);
		}
		struct cw_db_result r;
		int rc = CW_TXQ(tx,
				"SELECT count(*) FROM case_fts WHERE case_fts MATCH '\"manh\"' AND "
				"rowid = $1",
				&r, CW_P_INT(c));
		T_OK(rc);
		T(cw_db_cell_int(&r, 0, 0) == 1);
	}
	static const char *found[] = {"窨井", "冒", "manh", "窨井 manhole"};
	for (size_t i = 0; i < sizeof found / sizeof found[0]; i++) {
		f = (struct cw_case_filter){.overdue = -1, .q = found[i]};
		T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
		T(n == 1 && v[0].id == c);
	}
	/* a case with no index terms at all, then with some again */
	T_OK(index_text(tx, c, "，。"));
	f = (struct cw_case_filter){.overdue = -1, .q = "窨井"};
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 0);
	T_OK(index_text(tx, c, "窨井"));
	T_OK(cw_store_case_list(tx, &f, 10, &v, &n));
	T(n == 1 && v[0].id == c);
	return CW_DB_OK;
}

static void test_case_search_text(void **state)
{
	(void)state;
	assert_int_equal(run(true, case_search_text_fn, NULL), CW_DB_OK);
}

/* SQLite puts only the rarest CJK terms of a query in the FTS5 MATCH (store_search.c)
 * and searches the newest matches in windows of 4 pages, 2,000, then all: the results
 * are those of every term on both backends. Its own cases, rolled back at the end. */
static int case_search_rare_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	static const char *const text[8] = {
	    "村民委员会 门前 积水 zzwater", "村民委员会 门前 积水 zzwater",
	    "村民委员会 门前 积水 zzwater", "村民委员会 门前 积水 zzwater",
	    "roadside 村民委员会 门前 积水 zzwater", "broadway 村民委员会 门前 积水 zzwater",
	    "甲乙村民委员会 积水 zzwater",	 "甲乙村 民委员会 zzwater"};
	int64_t e[8];
	for (int i = 0; i < 8; i++) {
		struct cw_case c = case_row_new(CD1, NULL, i == 0 ? "closed" : "reported",
						50000 + i);
		T_OK(cw_store_case_insert(tx, &c, "20261201"));
		e[i] = c.id;
		T_OK(index_text(tx, c.id, text[i]));
	}
	static const struct {
		const char *q;
		int who; /* e[i] found: bit i */
	} cases[] = {
	    /* the rare bigrams 甲乙/乙村 drive it; the common ones are left to the
	       substring check, which rejects 甲乙村 民委员会 */
	    {"甲乙村民委员会", 1 << 6},
	    {"甲乙村", 3 << 6},
	    {"村民委员会", 0x7F},
	    /* one fragment rare, the other common */
	    {"甲乙 积水", 1 << 6},
	    {"积水 甲乙", 1 << 6},
	    {"甲乙 民委员会", 3 << 6},
	    /* the rarest term found nowhere: nothing, whatever the others */
	    {"甲乙 量子", 0},
	    {"量子纠缠村民委员会", 0},
	    {"村民委员会丙", 0},
	    /* a word still matches from its start only */
	    {"road 村民委员会", 1 << 4},
	    {"oad 村民委员会", 0},
	    {"broad 门前", 1 << 5},
	    {"zzwater 甲乙村", 3 << 6},
	};
	struct cw_case_filter f;
	struct cw_case *v;
	int n;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		f = (struct cw_case_filter){.overdue = -1, .q = cases[i].q};
		T_OK(cw_store_case_list(tx, &f, 20, &v, &n));
		int who = 0, want = 0;
		for (int j = 0; j < n; j++)
			for (int k = 0; k < 8; k++)
				if (v[j].id == e[k])
					who |= 1 << k;
		for (int k = 0; k < 8; k++)
			want += (cases[i].who >> k) & 1;
		if (who != cases[i].who || n != want) {
			fprintf(stderr, "q=%s: %d cases (flags %#x), want %#x\n", cases[i].q, n, who,
				cases[i].who);
			return TFAIL;
		}
	}
	/* a page the newest 4 matches of a word cannot fill (the oldest is the only
	   closed one): found by the wider windows */
	f = (struct cw_case_filter){.overdue = -1, .q = "zzwater", .status = "closed"};
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 1 && v[0].id == e[0]);
	/* paging, 2 a page, through every match, newest first, on either kind of query */
	static const char *const pages[] = {"zzwater", "积水", "zzwater 积水"};
	for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
		f = (struct cw_case_filter){.overdue = -1, .q = pages[i]};
		int k = i == 0 ? 7 : 6, seen = 0; /* e[7] has zzwater but not 积水 */
		for (;;) {
			T_OK(cw_store_case_list(tx, &f, 2, &v, &n));
			for (int j = 0; j < n; j++, k--) {
				T(k >= 0 && v[j].id == e[k]);
				seen++;
			}
			if (n < 2)
				break;
			f.before_id = v[n - 1].id;
		}
		T(k == -1 && seen == (i == 0 ? 8 : 7));
	}
	return CW_DB_NOTFOUND; /* rolls its cases back */
}

static void test_case_search_rare(void **state)
{
	(void)state;
	assert_int_equal(run(true, case_search_rare_fn, NULL), CW_DB_NOTFOUND);
}

/* ---- photos attached to cases ---- */

#define SHA_A "aaaa000000000000000000000000000000000000000000000000000000000001"
#define SHA_B "bbbb000000000000000000000000000000000000000000000000000000000002"

static int attachments_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case c1 = case_row_new(CD1, NULL, "reported", 30000);
	struct cw_case c2 = case_row_new(CD2, NULL, "reported", 30001);
	T_OK(cw_store_case_insert(tx, &c1, "20261129"));
	T_OK(cw_store_case_insert(tx, &c2, "20261129"));
	struct cw_attachment a = {.case_id = c1.id, .sha256 = SHA_A, .mime = "image/jpeg",
				  .size = 1234, .width = 640, .height = 480, .label = "before",
				  .user_id = uid("alice"), .created_at = 30002};
	struct cw_attachment b = a, again = a, other = a, got, *v;
	bool existed = true;
	int n;
	T_OK(cw_store_attachment_insert(tx, &a, &existed));
	T(a.id > 0 && !existed);
	b.sha256 = SHA_B;
	b.mime = "image/png";
	b.label = NULL;
	b.user_id = 0;
	T_OK(cw_store_attachment_insert(tx, &b, &existed));
	T(b.id > a.id && !existed);
	/* The same bytes on the same case: the first row back, nothing added. */
	again.label = "after";
	again.created_at = 40000;
	T_OK(cw_store_attachment_insert(tx, &again, &existed));
	T(existed && again.id == a.id);
	T_STR(again.label, "before");
	T(again.created_at == 30002);
	T_STR(again.username, "alice");
	/* The same bytes on another case: a row of its own. */
	other.case_id = c2.id;
	T_OK(cw_store_attachment_insert(tx, &other, &existed));
	T(!existed && other.id != a.id);

	T_OK(cw_store_attachment_get(tx, c1.id, b.id, &got));
	T_STR(got.sha256, SHA_B);
	T_STR(got.mime, "image/png");
	T_STR(got.label, "");
	T_STR(got.username, "");
	T(got.user_id == 0 && got.size == 1234 && got.width == 640 && got.height == 480);
	/* An attachment is found only under its own case. */
	T_RC(cw_store_attachment_get(tx, c2.id, b.id, &got), CW_DB_NOTFOUND);
	T_RC(cw_store_attachment_get(tx, c1.id, 999999, &got), CW_DB_NOTFOUND);

	T_OK(cw_store_attachments_of_case(tx, c1.id, &v, &n));
	T(n == 2 && v[0].id == a.id && v[1].id == b.id);
	T_STR(v[0].username, "alice");
	T_OK(cw_store_attachments_of_case(tx, c2.id, &v, &n));
	T(n == 1 && v[0].id == other.id);
	T_OK(cw_store_attachments_of_case(tx, 999999, &v, &n));
	T(n == 0);
	return CW_DB_OK;
}

static int attachment_bad_fn(struct cw_tx *tx, void *ctx)
{
	struct cw_case_filter f = {.overdue = -1};
	struct cw_case *v;
	int n;
	bool existed;
	T_OK(cw_store_case_list(tx, &f, 1, &v, &n));
	T(n == 1);
	struct cw_attachment a = {.case_id = v[0].id, .sha256 = SHA_A, .mime = "image/gif",
				  .size = 1, .created_at = 1};
	if (*(int *)ctx == 1)
		a.sha256 = "short"; /* not 64 hex digits */
	else if (*(int *)ctx == 2)
		a.case_id = 999999; /* no such case */
	else if (*(int *)ctx == 3)
		a.size = 0;
	if (*(int *)ctx)
		a.mime = "image/webp";
	return cw_store_attachment_insert(tx, &a, &existed);
}

static void test_attachments(void **state)
{
	(void)state;
	assert_int_equal(run(true, attachments_fn, NULL), CW_DB_OK);
	for (int k = 0; k < 4; k++)
		assert_int_equal(run(true, attachment_bad_fn, &k), CW_DB_CONSTRAINT);
}

/* Live updates read the timeline joined with the case (store_events.c). */
static int case_changes_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	struct cw_case_filter f = {.overdue = -1};
	struct cw_case *cs;
	struct cw_case_change *v;
	int n, nc;
	int64_t max0, max1;
	T_OK(cw_store_case_timeline_max_id(tx, &max0));
	T_OK(cw_store_case_list(tx, &f, 10, &cs, &nc));
	T(nc >= 3);
	const struct cw_case *in_cd2 = NULL, *in_cd1 = NULL;
	for (int i = 0; i < nc; i++) {
		if (!strcmp(cs[i].region, CD2) && !in_cd2)
			in_cd2 = &cs[i];
		if (!strcmp(cs[i].region, CD1) && !in_cd1)
			in_cd1 = &cs[i];
	}
	T(in_cd1 && in_cd2);
	struct cw_case_event e = {.case_id = in_cd2->id, .at = 30000, .action = "dispatch",
				  .status_before = "registered", .status_after = "dispatched"};
	T_OK(cw_store_case_event_append(tx, &e));
	e = (struct cw_case_event){.case_id = in_cd1->id, .at = 30001, .action = "supervise"};
	T_OK(cw_store_case_event_append(tx, &e)); /* no status_after: the case's own */
	T_OK(cw_store_case_timeline_max_id(tx, &max1));
	T(max1 == e.id && max1 > max0);

	T_OK(cw_store_case_changes_since(tx, max0, NULL, 10, &v, &n));
	T(n == 2 && v[0].id < v[1].id && v[1].id == max1);
	T(v[0].case_id == in_cd2->id && v[0].at == 30000);
	T_STR(v[0].action, "dispatch");
	T_STR(v[0].status, "dispatched");
	T_STR(v[0].number, in_cd2->number);
	T_STR(v[0].level, in_cd2->level);
	T_STR(v[0].region, CD2);
	T_STR(v[0].region_path, CITY "/" CD2);
	T_STR(v[1].status, in_cd1->status);
	/* Scope by the case's region path; after_id and limit. */
	T_OK(cw_store_case_changes_since(tx, max0, CITY "/" CD1, 10, &v, &n));
	T(n == 1 && v[0].id == max1);
	T_OK(cw_store_case_changes_since(tx, 0, CITY "/" CD1, 100, &v, &n));
	for (int i = 0; i < n; i++)
		T(!strncmp(v[i].region_path, CITY "/" CD1, strlen(CITY "/" CD1)));
	T(n >= 3);
	T_OK(cw_store_case_changes_since(tx, 0, NULL, 2, &v, &n));
	T(n == 2 && v[0].id < v[1].id);
	T_OK(cw_store_case_changes_since(tx, max1, NULL, 10, &v, &n));
	T(n == 0);
	return CW_DB_OK;
}

static void test_case_changes(void **state)
{
	(void)state;
	assert_int_equal(run(true, case_changes_fn, NULL), CW_DB_OK);
}

/* ---- the counters of cases (store_counts.c, migration 16) ---- */

#define KD1 "340615000000"
#define KD2 "340616000000"
#define KGRID "340615001001001"
#define KTOWN "340615002000"
#define KVIL "340615002001"
#define KGRID2 "340615002001001"
#define KTOWN2 "340616003000"
#define KDAY0 20000 /* a local day; the cases of other tests are decades before */
#define KAT(day, s) ((int64_t)(day) * 86400 - 28800 + (s))

/* The whole city's figures (from the counters) against the same read with the root's
 * path as a scope (from the cases): both ways must agree, period by period. */
static void counts_query(struct cw_stats_query *q, bool whole, int64_t d0, int64_t d1)
{
	static const char *const done[8] = {"closed", "reviewed", "final", "rejected",
					    "merged", "merged", "merged", "merged"};
	static const char *const closed[4] = {"closed", "reviewed", "final", "final"};
	*q = (struct cw_stats_query){.scope_path = CITY, .whole_tree = whole,
				     .from = KAT(d0, 0), .to = KAT(d1 + 1, 0),
				     .from_day = d0, .to_day = d1, .good_rating = 4};
	memcpy(q->done, done, sizeof q->done);
	memcpy(q->closed, closed, sizeof q->closed);
}

static int64_t group_sum(const struct cw_stats_group *g, int n, const char *status,
			 const char *category, int field)
{
	int64_t t = 0;
	for (int i = 0; i < n; i++)
		if (!strcmp(g[i].status, status) && !strcmp(g[i].category, category)) {
			const int64_t f[6] = {g[i].count, g[i].overdue, g[i].supervised,
					      g[i].escalated, g[i].rated, g[i].good};
			t += f[field];
		}
	return t;
}

/* The sum of a field over the rows under the sub-region of the scope that holds `path`
 * (the dashboard adds the rows up per sub-region: counters give areas, cases regions). */
static int64_t region_sum(const struct cw_stats_region *r, int n, const char *scope,
			  const char *path, int field)
{
	size_t k = strlen(scope);
	const char *end = strchr(path + k + 1, '/');
	size_t len = end ? (size_t)(end - path) : strlen(path); /* scope + "/" + child */
	int64_t t = 0;
	for (int i = 0; i < n; i++)
		if (strlen(r[i].path) > k && !strncmp(r[i].path, path, len) &&
		    (r[i].path[len] == '\0' || r[i].path[len] == '/'))
			t += field == 0 ? r[i].count : field == 1 ? r[i].open : r[i].overdue;
	return t;
}

static int counts_agree_q(struct cw_tx *tx, const struct cw_stats_query *qa,
			  const struct cw_stats_query *qb);

static int counts_agree(struct cw_tx *tx, int64_t d0, int64_t d1)
{
	struct cw_stats_query a, b;
	counts_query(&a, true, d0, d1);
	counts_query(&b, false, d0, d1);
	int rc = counts_agree_q(tx, &a, &b);
	if (rc != CW_DB_OK)
		return rc;
	/* Each district (counters, migration 18) and a scope below one (cases) against
	 * the same scope read from the cases. */
	static const char *const scopes[] = {CITY "/" KD1, CITY "/" KD2, CITY "/" KD1 "/" KTOWN};
	for (int i = 0; i < 3; i++) {
		a.whole_tree = b.whole_tree = false;
		a.scope_path = b.scope_path = scopes[i];
		a.no_counts = false;
		b.no_counts = true;
		if ((rc = counts_agree_q(tx, &a, &b)) != CW_DB_OK)
			return rc;
	}
	return CW_DB_OK;
}

static int counts_agree_q(struct cw_tx *tx, const struct cw_stats_query *qa,
			  const struct cw_stats_query *qb)
{
	struct cw_stats_query a = *qa, b = *qb;
	struct cw_stats_group *ga, *gb;
	int na, nb;
	T_OK(cw_store_stats_groups(tx, &a, &ga, &na));
	T_OK(cw_store_stats_groups(tx, &b, &gb, &nb));
	T(na == nb);
	for (int i = 0; i < nb; i++)
		for (int f = 0; f < 6; f++)
			T(group_sum(ga, na, gb[i].status, gb[i].category, f) ==
			  group_sum(gb, nb, gb[i].status, gb[i].category, f));
	struct cw_stats_region *ra, *rb;
	T_OK(cw_store_stats_regions(tx, &a, &ra, &na));
	T_OK(cw_store_stats_regions(tx, &b, &rb, &nb));
	int64_t ta = 0, tb = 0;
	for (int i = 0; i < na; i++)
		ta += ra[i].count;
	for (int i = 0; i < nb; i++) {
		tb += rb[i].count;
		for (int f = 0; f < 3; f++)
			if (strlen(rb[i].path) > strlen(b.scope_path))
				T(region_sum(ra, na, b.scope_path, rb[i].path, f) ==
				  region_sum(rb, nb, b.scope_path, rb[i].path, f));
	}
	T(ta == tb);
	struct cw_stats_day *da, *db;
	T_OK(cw_store_stats_days(tx, &a, &da, &na));
	T_OK(cw_store_stats_days(tx, &b, &db, &nb));
	T(na == nb);
	for (int i = 0; i < na && i < nb; i++)
		T(da[i].day == db[i].day && da[i].count == db[i].count);
	int64_t la, lb;
	T_OK(cw_store_stats_closed_late(tx, &a, &la));
	T_OK(cw_store_stats_closed_late(tx, &b, &lb));
	T(la == lb);
	return CW_DB_OK;
}

/* counts_agree's own failure is the one reported. */
#define T_AGREE(d0, d1)                                                                      \
	do {                                                                                 \
		int rc_ = counts_agree(tx, (d0), (d1));                                      \
		if (rc_ != CW_DB_OK)                                                         \
			return rc_;                                                          \
	} while (0)

static int64_t counts_ids[12];

static int counts_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	int64_t diff = -1;
	T_OK(mkregion(tx, KD1, "counts district 1", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, KD2, "counts district 2", CITY, CW_LEVEL_DISTRICT));
	T_OK(mkregion(tx, KGRID, "counts grid", KD1, CW_LEVEL_GRID));
	T_OK(mkregion(tx, KTOWN, "counts town", KD1, CW_LEVEL_TOWN));
	T_OK(mkregion(tx, KVIL, "counts village", KTOWN, CW_LEVEL_VILLAGE));
	T_OK(mkregion(tx, KGRID2, "counts grid 2", KVIL, CW_LEVEL_GRID));
	T_OK(mkregion(tx, KTOWN2, "counts town 2", KD2, CW_LEVEL_TOWN));
	/* Twelve cases over 100 days (several 32-day buckets), varied in every counted field;
	 * in a grid under the district, the other district itself, a grid under a village. */
	for (int i = 0; i < 12; i++) {
		const char *grid = i % 3 == 0 ? NULL : i % 3 == 1 ? KGRID : KGRID2;
		struct cw_case c = case_row_new(grid ? grid : KD2, grid,
						i % 4 == 0 ? "closed" : i % 4 == 1 ? "dispatched"
						: i % 4 == 2 ? "rejected" : "reported",
						KAT(KDAY0 + i * 9, i * 600));
		c.category = i % 2 ? "07" : "06010";
		c.overdue = i % 5 == 0;
		c.supervised = i % 3 == 1;
		c.escalations = i % 6 == 0;
		c.ratings = i % 4 == 0;
		c.rating = i % 8 == 0 ? 5 : 3;
		T_OK(cw_store_case_insert(tx, &c, "20261201"));
		counts_ids[i] = c.id;
	}
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff == 0);
	T_AGREE(KDAY0, KDAY0 + 99);
	T_AGREE(KDAY0 - 40, KDAY0 + 130);
	T_AGREE(KDAY0 + 5, KDAY0 + 70);
	/* Updates of each counted field; late stays once overdue was set. */
	struct cw_case c;
	for (int i = 0; i < 12; i++) {
		T_OK(cw_store_case_get(tx, counts_ids[i], &c));
		switch (i % 6) {
		case 0: c.status = "closed"; c.ratings = 1; c.rating = 4; break;
		case 1: c.overdue = true; break;
		case 2: c.region = KD1; c.grid = NULL; c.has_location = false; break;
		case 3: c.category = "06010"; c.supervised = !c.supervised; break;
		case 4: c.escalations++; c.status = "closed"; break;
		default: c.title = "只改标题"; break; /* nothing counted */
		}
		T_OK(cw_store_case_update(tx, &c));
	}
	T_OK(cw_store_case_get(tx, counts_ids[1], &c));
	T(c.late && c.overdue);
	c.overdue = false;
	c.status = "closed";
	T_OK(cw_store_case_update(tx, &c));
	T_OK(cw_store_case_get(tx, counts_ids[1], &c));
	T(c.late && !c.overdue); /* sticky */
	/* A stale version changes nothing, counters included. */
	c.version--;
	c.status = "reported";
	T_RC(cw_store_case_update(tx, &c), CW_DB_NOTFOUND);
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff == 0);
	T_AGREE(KDAY0, KDAY0 + 99);
	T_AGREE(KDAY0 + 5, KDAY0 + 70);
	T_AGREE(KDAY0 + 33, KDAY0 + 34);
	int64_t late;
	struct cw_stats_query q;
	counts_query(&q, true, KDAY0, KDAY0 + 99);
	T_OK(cw_store_stats_closed_late(tx, &q, &late));
	T(late >= 2); /* cases 0 and 1 at least */
	/* The first district's cases, from its counters. */
	struct cw_stats_group *g;
	int ng;
	counts_query(&q, false, KDAY0, KDAY0 + 99);
	q.scope_path = CITY "/" KD1;
	T_OK(cw_store_stats_groups(tx, &q, &g, &ng));
	int64_t total = 0;
	for (int i = 0; i < ng; i++)
		total += g[i].count;
	T(total > 0);
	/* Moves re-file their subtree's cases: a village to a town of the other district
	 * (district and area change), a grid from a district to a town of the other
	 * (its own area), and back. */
	T_OK(cw_store_region_move(tx, KVIL, KTOWN2, CITY "/" KD2 "/" KTOWN2 "/" KVIL, 3000));
	T_OK(cw_store_region_move(tx, KGRID, KTOWN2, CITY "/" KD2 "/" KTOWN2 "/" KGRID, 3000));
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff == 0);
	T_AGREE(KDAY0, KDAY0 + 99);
	T_OK(cw_store_stats_groups(tx, &q, &g, &ng));
	int64_t moved = 0;
	for (int i = 0; i < ng; i++)
		moved += g[i].count;
	T(moved < total); /* KD1 lost the cases of the moved regions */
	T_OK(cw_store_region_move(tx, KVIL, KTOWN, CITY "/" KD1 "/" KTOWN "/" KVIL, 3000));
	T_OK(cw_store_region_move(tx, KGRID, KD1, CITY "/" KD1 "/" KGRID, 3000));
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff == 0);
	T_AGREE(KDAY0, KDAY0 + 99);
	T_OK(cw_store_stats_groups(tx, &q, &g, &ng));
	moved = 0;
	for (int i = 0; i < ng; i++)
		moved += g[i].count;
	T(moved == total);
	return CW_DB_OK;
}

/* A write that bypasses the store's case functions is seen by the check (the contract
 * test would catch a path that forgets the counters), and a rebuild repairs it. */
static int counts_bypass_fn(struct cw_tx *tx, void *ctx)
{
	(void)ctx;
	int64_t diff = 0;
	T_OK(CW_TXQ(tx, "UPDATE cases SET status = 'final' WHERE id = $1", NULL,
		    CW_P_INT(counts_ids[3])));
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff > 0);
	T_OK(cw_store_counts_rebuild(tx));
	T_OK(cw_store_counts_check(tx, &diff));
	T(diff == 0);
	T_AGREE(KDAY0, KDAY0 + 99);
	return CW_DB_ABORT;
}

static void test_case_counts(void **state)
{
	(void)state;
	assert_int_equal(run(true, counts_fn, NULL), CW_DB_OK);
	assert_int_equal(run(true, counts_bypass_fn, NULL), CW_DB_ABORT);
}

int main(int argc, char **argv)
{
	char err[512] = "";
	if (argc != 2) {
		fprintf(stderr, "usage: test_store sqlite:PATH | postgres://…\n");
		return 2;
	}
	url = argv[1];
	if (cw_crypto_init() != 0) {
		fprintf(stderr, "test_store: crypto init failed\n");
		return 1;
	}
	if (strncmp(url, "sqlite:", 7) == 0) {
		/* A fresh file each run; the WAL and its index go with it. */
		const char *path = url + 7;
		char side[1024];
		unlink(path);
		snprintf(side, sizeof side, "%s-wal", path);
		unlink(side);
		snprintf(side, sizeof side, "%s-shm", path);
		unlink(side);
	}
	S = cw_store_open(url, POOL, err, sizeof err);
	if (!S) {
		fprintf(stderr, "test_store: %s\n", err);
		return 1;
	}
	/* The PostgreSQL database may hold a previous run's tables. */
	if (cw_store_reset_for_tests(S) != CW_DB_OK) {
		fprintf(stderr, "test_store: cannot reset the database\n");
		cw_store_close(S);
		return 1;
	}

	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_migrations),
	    cmocka_unit_test(test_open_errors),
	    cmocka_unit_test(test_regions),
	    cmocka_unit_test(test_region_move),
	    cmocka_unit_test(test_departments),
	    cmocka_unit_test(test_users),
	    cmocka_unit_test(test_case_names),
	    cmocka_unit_test(test_sessions),
	    cmocka_unit_test(test_tokens),
	    cmocka_unit_test(test_settings),
	    cmocka_unit_test(test_audit_chain),
	    cmocka_unit_test(test_audit_list),
	    cmocka_unit_test(test_audit_append_only),
	    cmocka_unit_test(test_tx_rollback),
	    cmocka_unit_test(test_group_commit),
	    cmocka_unit_test(test_tx_busy_retry),
	    cmocka_unit_test(test_concurrent_appends),
	    cmocka_unit_test(test_grids),
	    cmocka_unit_test(test_calendar),
	    cmocka_unit_test(test_categories),
	    cmocka_unit_test(test_cases),
	    cmocka_unit_test(test_scheduler_store),
	    cmocka_unit_test(test_case_search),
	    cmocka_unit_test(test_case_search_text),
	    cmocka_unit_test(test_attachments),
	    cmocka_unit_test(test_case_changes),
	    cmocka_unit_test(test_case_counts),
	    cmocka_unit_test(test_case_search_rare),
	};
	int failed = cmocka_run_group_tests_name(
	    cw_store_is_postgres(S) ? "store_postgres" : "store_sqlite", tests, NULL, NULL);
	cw_store_close(S);
	return failed ? 1 : 0;
}
