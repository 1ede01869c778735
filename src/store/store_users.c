/* store_users.c - accounts, sessions and API tokens; see store.h. */
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

/* Room for every role name, comma-separated. */
#define ROLES_TEXT_MAX 256

#define USER_SELECT                                                                          \
	"SELECT u.id, u.username, u.name, u.region, g.path, u.roles, u.password_hash, "      \
	"u.failed_logins, u.locked_until, u.disabled, u.department_id, u.created_at, "       \
	"u.updated_at FROM users u JOIN regions g ON g.code = u.region "

static void user_row(const struct cw_db_result *r, int row, struct cw_user *u)
{
	u->id = cw_db_cell_int(r, row, 0);
	u->username = cw_db_cell(r, row, 1);
	u->name = cw_db_cell(r, row, 2);
	u->region = cw_db_cell(r, row, 3);
	u->region_path = cw_db_cell(r, row, 4);
	/* A roles value this build does not know reads as no role, which grants nothing. */
	if (!cw_roleset_parse(cw_db_cell(r, row, 5), &u->roles))
		u->roles = 0;
	u->password_hash = cw_db_cell(r, row, 6);
	u->failed_logins = (int)cw_db_cell_int(r, row, 7);
	u->locked_until = cw_db_cell_int(r, row, 8);
	u->disabled = cw_store_cell_bool(r, row, 9);
	u->department_id = cw_db_cell_int(r, row, 10); /* NULL reads 0 */
	u->created_at = cw_db_cell_int(r, row, 11);
	u->updated_at = cw_db_cell_int(r, row, 12);
}

static struct cw_db_param dept_param(int64_t id)
{
	return id ? CW_P_INT(id) : CW_P_NULL;
}

int cw_store_user_insert(struct cw_tx *tx, struct cw_user *u)
{
	char roles[ROLES_TEXT_MAX];
	struct cw_db_result r;
	cw_roleset_format(u->roles, roles, sizeof roles);
	int rc = CW_TXQ(tx,
			"INSERT INTO users (username, name, region, roles, password_hash, "
			"failed_logins, locked_until, disabled, department_id, created_at, updated_at) "
			"VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
			&r, CW_P_TEXT(u->username), CW_P_TEXT(u->name), CW_P_TEXT(u->region),
			cw_store_p_text(roles), CW_P_TEXT(cw_store_str(u->password_hash)),
			CW_P_INT(u->failed_logins), CW_P_INT(u->locked_until),
			CW_P_INT(u->disabled ? 1 : 0), dept_param(u->department_id),
			CW_P_INT(u->created_at), CW_P_INT(u->updated_at));
	if (rc != CW_DB_OK)
		return rc;
	u->id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}

static int user_one(struct cw_tx *tx, const char *sql, struct cw_db_param key,
		    struct cw_user *out)
{
	struct cw_db_result r;
	int rc = cw_tx_query(tx, sql, &key, 1, &r);
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	user_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_user_get(struct cw_tx *tx, int64_t id, struct cw_user *out)
{
	return user_one(tx, USER_SELECT "WHERE u.id = $1", CW_P_INT(id), out);
}

int cw_store_user_by_username(struct cw_tx *tx, const char *username, struct cw_user *out)
{
	return user_one(tx, USER_SELECT "WHERE u.username = $1", CW_P_TEXT(username), out);
}

int cw_store_user_list(struct cw_tx *tx, const char *scope_path, int64_t after_id, int limit,
		       struct cw_user **items, int *n)
{
	struct cw_db_result r;
	int rc;
	*items = NULL;
	*n = 0;
	if (limit <= 0)
		return CW_DB_OK;
	if (scope_path)
		rc = CW_TXQ(tx,
			    USER_SELECT "WHERE u.id > $1 AND " CW_STORE_IN_SCOPE("g.path", "$3")
					" ORDER BY u.id LIMIT $2",
			    &r, CW_P_INT(after_id), CW_P_INT(limit), CW_P_TEXT(scope_path));
	else
		rc = CW_TXQ(tx, USER_SELECT "WHERE u.id > $1 ORDER BY u.id LIMIT $2", &r,
			    CW_P_INT(after_id), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_user *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		user_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_user_update(struct cw_tx *tx, const struct cw_user *u)
{
	char roles[ROLES_TEXT_MAX];
	struct cw_db_result r;
	cw_roleset_format(u->roles, roles, sizeof roles);
	int rc = CW_TXQ(tx,
			"UPDATE users SET name = $2, region = $3, roles = $4, disabled = $5, "
			"department_id = $6, updated_at = $7 WHERE id = $1",
			&r, CW_P_INT(u->id), CW_P_TEXT(u->name), CW_P_TEXT(u->region),
			cw_store_p_text(roles), CW_P_INT(u->disabled ? 1 : 0),
			dept_param(u->department_id), CW_P_INT(u->updated_at));
	return cw_store_one_changed(rc, &r);
}

int cw_store_user_set_password(struct cw_tx *tx, int64_t id, const char *hash, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
			&r, CW_P_INT(id), CW_P_TEXT(cw_store_str(hash)), CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}

int cw_store_user_set_login_state(struct cw_tx *tx, int64_t id, int failed,
				  int64_t locked_until)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1",
			&r, CW_P_INT(id), CW_P_INT(failed), CW_P_INT(locked_until));
	return cw_store_one_changed(rc, &r);
}

/* ---- sessions ---- */

int cw_store_session_insert(struct cw_tx *tx, const struct cw_session *s)
{
	return CW_TXQ(tx,
		      "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen, "
		      "source) VALUES ($1, $2, $3, $4, $5, $6)",
		      NULL, CW_P_TEXT(s->id_hash), CW_P_INT(s->user_id), CW_P_TEXT(s->csrf_token),
		      CW_P_INT(s->created_at), CW_P_INT(s->last_seen),
		      CW_P_TEXT(cw_store_str(s->source)));
}

int cw_store_session_get(struct cw_tx *tx, const char *id_hash, struct cw_session *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"SELECT id_hash, user_id, csrf_token, created_at, last_seen, source "
			"FROM sessions WHERE id_hash = $1",
			&r, CW_P_TEXT(id_hash));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	out->id_hash = cw_db_cell(&r, 0, 0);
	out->user_id = cw_db_cell_int(&r, 0, 1);
	out->csrf_token = cw_db_cell(&r, 0, 2);
	out->created_at = cw_db_cell_int(&r, 0, 3);
	out->last_seen = cw_db_cell_int(&r, 0, 4);
	out->source = cw_db_cell(&r, 0, 5);
	return CW_DB_OK;
}

int cw_store_session_touch(struct cw_tx *tx, const char *id_hash, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE sessions SET last_seen = $2 WHERE id_hash = $1", &r,
			CW_P_TEXT(id_hash), CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}

int cw_store_session_delete(struct cw_tx *tx, const char *id_hash)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "DELETE FROM sessions WHERE id_hash = $1", &r, CW_P_TEXT(id_hash));
	return cw_store_one_changed(rc, &r);
}

int cw_store_session_delete_user(struct cw_tx *tx, int64_t user_id)
{
	return CW_TXQ(tx, "DELETE FROM sessions WHERE user_id = $1", NULL, CW_P_INT(user_id));
}

int cw_store_session_purge(struct cw_tx *tx, int64_t idle_before, int64_t abs_before,
			   int64_t *deleted)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "DELETE FROM sessions WHERE last_seen < $1 OR created_at < $2", &r,
			CW_P_INT(idle_before), CW_P_INT(abs_before));
	if (rc == CW_DB_OK && deleted)
		*deleted = r.changes;
	return rc;
}

/* ---- API tokens ---- */

#define TOKEN_COLS "id, user_id, name, hash, created_at, last_used, revoked"

static void token_row(const struct cw_db_result *r, int row, struct cw_api_token *t)
{
	t->id = cw_db_cell_int(r, row, 0);
	t->user_id = cw_db_cell_int(r, row, 1);
	t->name = cw_db_cell(r, row, 2);
	t->hash = cw_db_cell(r, row, 3);
	t->created_at = cw_db_cell_int(r, row, 4);
	t->last_used = cw_db_cell_int(r, row, 5);
	t->revoked = cw_store_cell_bool(r, row, 6);
}

int cw_store_token_insert(struct cw_tx *tx, struct cw_api_token *t)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"INSERT INTO api_tokens (user_id, name, hash, created_at, last_used, revoked) "
			"VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
			&r, CW_P_INT(t->user_id), CW_P_TEXT(t->name), CW_P_TEXT(t->hash),
			CW_P_INT(t->created_at), CW_P_INT(t->last_used),
			CW_P_INT(t->revoked ? 1 : 0));
	if (rc != CW_DB_OK)
		return rc;
	t->id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}

int cw_store_token_by_hash(struct cw_tx *tx, const char *hash, struct cw_api_token *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = $1", &r,
			CW_P_TEXT(hash));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	token_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_token_list(struct cw_tx *tx, int64_t user_id, struct cw_api_token **items, int *n)
{
	struct cw_db_result r;
	int rc;
	*items = NULL;
	*n = 0;
	if (user_id)
		rc = CW_TXQ(tx, "SELECT " TOKEN_COLS " FROM api_tokens WHERE user_id = $1 ORDER BY id",
			    &r, CW_P_INT(user_id));
	else
		rc = cw_tx_query(tx, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY id", NULL, 0,
				 &r);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_api_token *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		token_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_token_revoke(struct cw_tx *tx, int64_t id)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE api_tokens SET revoked = 1 WHERE id = $1", &r, CW_P_INT(id));
	return cw_store_one_changed(rc, &r);
}

int cw_store_token_touch(struct cw_tx *tx, int64_t id, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "UPDATE api_tokens SET last_used = $2 WHERE id = $1", &r, CW_P_INT(id),
			CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}
