/* store_case_view.c - what a case's screen shows besides the case, read in as few
 * statements as possible; see store.h. */
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"

int cw_store_case_names(struct cw_tx *tx, int64_t department_id, const char *region,
			const char *grid, int64_t user_id, struct cw_case_names *out)
{
	memset(out, 0, sizeof *out);
	struct cw_db_result r;
	/* The department as cw_store_department_get reads it (joined to its region), the
	 * user as cw_store_user_get (joined to its region): a row either way. */
	int rc = CW_TXQ(tx,
			"SELECT (SELECT d.code FROM departments d JOIN regions g ON g.code = d.region "
			"WHERE d.id = $1), "
			"(SELECT d.name FROM departments d JOIN regions g ON g.code = d.region "
			"WHERE d.id = $1), "
			"(SELECT name FROM regions WHERE code = $2), "
			"(SELECT name FROM regions WHERE code = $3), "
			"u.id, u.region, g.path, u.roles, u.department_id "
			"FROM (SELECT CAST($4 AS BIGINT) AS uid) k "
			"LEFT JOIN users u ON u.id = k.uid "
			"LEFT JOIN regions g ON g.code = u.region",
			&r, CW_P_INT(department_id), CW_P_TEXT(region), CW_P_TEXT(grid),
			CW_P_INT(user_id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows != 1)
		return CW_DB_OK;
	out->department_code = cw_db_cell(&r, 0, 0);
	out->department_name = cw_db_cell(&r, 0, 1);
	out->region_name = cw_db_cell(&r, 0, 2);
	out->grid_name = cw_db_cell(&r, 0, 3);
	if (cw_db_cell(&r, 0, 4) && cw_db_cell(&r, 0, 6)) {
		struct cw_user *u = &out->user;
		out->user_found = true;
		u->id = cw_db_cell_int(&r, 0, 4);
		u->region = cw_db_cell(&r, 0, 5);
		u->region_path = cw_db_cell(&r, 0, 6);
		/* As user_row: a roles value this build does not know grants nothing. */
		if (!cw_roleset_parse(cw_db_cell(&r, 0, 7), &u->roles))
			u->roles = 0;
		u->department_id = cw_db_cell_int(&r, 0, 8);
	}
	return CW_DB_OK;
}
