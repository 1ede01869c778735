/* store_notifications.c - whom to notify and their notifications; see store.h. */
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

static int recipients(struct cw_tx *tx, const char *sql, struct cw_db_param key,
		      struct cw_recipient **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = cw_tx_query(tx, sql, &key, 1, &r);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_recipient *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		/* A roles value this build does not know reads as no role. */
		if (!cw_roleset_parse(cw_db_cell(&r, i, 1), &v[i].roles))
			v[i].roles = 0;
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_users_at_region(struct cw_tx *tx, const char *region, struct cw_recipient **items,
			     int *n)
{
	return recipients(tx,
			  "SELECT id, roles FROM users WHERE region = $1 AND disabled = 0 ORDER BY id",
			  CW_P_TEXT(region), items, n);
}

int cw_store_users_of_department(struct cw_tx *tx, int64_t department_id,
				 struct cw_recipient **items, int *n)
{
	return recipients(tx,
			  "SELECT id, roles FROM users WHERE department_id = $1 AND disabled = 0 "
			  "ORDER BY id",
			  CW_P_INT(department_id), items, n);
}

int cw_store_notification_insert(struct cw_tx *tx, struct cw_notification *nt)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"INSERT INTO notifications (user_id, case_id, what, level, at) "
			"SELECT id, $2, $3, $4, $5 FROM users WHERE id = $1 AND disabled = 0 "
			"RETURNING id",
			&r, CW_P_INT(nt->user_id), CW_P_INT(nt->case_id), CW_P_TEXT(nt->what),
			CW_P_TEXT(cw_store_str(nt->level)), CW_P_INT(nt->at));
	if (rc != CW_DB_OK)
		return rc;
	/* A disabled account (the portal's reporter, someone who left) gets none: 0. */
	nt->id = r.nrows ? cw_db_cell_int(&r, 0, 0) : 0;
	return CW_DB_OK;
}

int cw_store_notification_list(struct cw_tx *tx, int64_t user_id, bool unread_only,
			       int64_t before_id, int limit, struct cw_notification **items,
			       int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	/* Both forms keep "user_id = $1 … ORDER BY id DESC" for the (user_id, id) indexes. */
	int rc = CW_TXQ(tx,
			unread_only
			    ? "SELECT n.id, n.user_id, n.case_id, c.number, n.what, n.level, n.at, "
			      "n.read_at FROM notifications n JOIN cases c ON c.id = n.case_id "
			      "WHERE n.user_id = $1 AND n.read_at IS NULL AND ($2 = 0 OR n.id < $2) "
			      "ORDER BY n.id DESC LIMIT $3"
			    : "SELECT n.id, n.user_id, n.case_id, c.number, n.what, n.level, n.at, "
			      "n.read_at FROM notifications n JOIN cases c ON c.id = n.case_id "
			      "WHERE n.user_id = $1 AND ($2 = 0 OR n.id < $2) "
			      "ORDER BY n.id DESC LIMIT $3",
			&r, CW_P_INT(user_id), CW_P_INT(before_id), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_notification *v =
	    cw_arena_alloc(cw_tx_arena(tx), (size_t)(r.nrows ? r.nrows : 1) * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].user_id = cw_db_cell_int(&r, i, 1);
		v[i].case_id = cw_db_cell_int(&r, i, 2);
		v[i].number = cw_db_cell(&r, i, 3);
		v[i].what = cw_db_cell(&r, i, 4);
		v[i].level = cw_db_cell(&r, i, 5);
		v[i].at = cw_db_cell_int(&r, i, 6);
		v[i].read_at = cw_db_cell_int(&r, i, 7);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_notification_read(struct cw_tx *tx, int64_t user_id, int64_t id, int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"UPDATE notifications SET read_at = COALESCE(read_at, $3) "
			"WHERE id = $1 AND user_id = $2",
			&r, CW_P_INT(id), CW_P_INT(user_id), CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}

int cw_store_notification_read_all(struct cw_tx *tx, int64_t user_id, int64_t now,
				   int64_t *changed)
{
	struct cw_db_result r;
	*changed = 0;
	int rc = CW_TXQ(tx,
			"UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
			&r, CW_P_INT(user_id), CW_P_INT(now));
	if (rc == CW_DB_OK)
		*changed = r.changes;
	return rc;
}
