/* store_events.c - reading the case timeline for live updates (api/events.c); see
 * store.h. */
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define CHANGE_SELECT                                                                        \
	"SELECT t.id, t.case_id, t.at, t.action, t.status_after, c.status, c.number, "       \
	"c.level, c.region, g.path FROM case_timeline t JOIN cases c ON c.id = t.case_id "  \
	"JOIN regions g ON g.code = c.region "

int cw_store_case_changes_since(struct cw_tx *tx, int64_t after_id, const char *scope_path,
				int limit, struct cw_case_change **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = scope_path
		     ? CW_TXQ(tx,
			      CHANGE_SELECT "WHERE t.id > $1 AND " CW_STORE_IN_SCOPE("g.path", "$3")
					    " ORDER BY t.id LIMIT $2",
			      &r, CW_P_INT(after_id), CW_P_INT(limit), CW_P_TEXT(scope_path))
		     : CW_TXQ(tx, CHANGE_SELECT "WHERE t.id > $1 ORDER BY t.id LIMIT $2", &r,
			      CW_P_INT(after_id), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_case_change *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].case_id = cw_db_cell_int(&r, i, 1);
		v[i].at = cw_db_cell_int(&r, i, 2);
		v[i].action = cw_db_cell(&r, i, 3);
		const char *after = cw_db_cell(&r, i, 4);
		v[i].status = after && *after ? after : cw_db_cell(&r, i, 5);
		v[i].number = cw_db_cell(&r, i, 6);
		v[i].level = cw_db_cell(&r, i, 7);
		v[i].region = cw_db_cell(&r, i, 8);
		v[i].region_path = cw_db_cell(&r, i, 9);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_case_timeline_max_id(struct cw_tx *tx, int64_t *id)
{
	struct cw_db_result r;
	int rc = cw_tx_query(tx, "SELECT COALESCE(MAX(id), 0) FROM case_timeline", NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	*id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}
