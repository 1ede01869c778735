/* store_portal.c - the citizens' portal: tracking codes (kept only as their SHA-256) and
 * the count of a citizen's photos; see store.h. */
#include "store/store.h"
#include "store/store_int.h"

int cw_store_portal_code_insert(struct cw_tx *tx, const char *code_hash, int64_t case_id,
				int64_t now)
{
	struct cw_db_result r;
	return CW_TXQ(tx,
		      "INSERT INTO portal_codes (code_hash, case_id, created_at) VALUES ($1, $2, $3)",
		      &r, CW_P_TEXT(code_hash), CW_P_INT(case_id), CW_P_INT(now));
}

int cw_store_portal_code_case(struct cw_tx *tx, const char *code_hash, int64_t *case_id)
{
	struct cw_db_result r;
	*case_id = 0;
	int rc = CW_TXQ(tx, "SELECT case_id FROM portal_codes WHERE code_hash = $1", &r,
			CW_P_TEXT(code_hash));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	*case_id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}

int cw_store_attachments_count_by(struct cw_tx *tx, int64_t case_id, int64_t user_id,
				  int64_t *n)
{
	struct cw_db_result r;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT COUNT(*) FROM case_attachments WHERE case_id = $1 AND user_id = $2",
			&r, CW_P_INT(case_id), CW_P_INT(user_id));
	if (rc == CW_DB_OK && r.nrows > 0)
		*n = cw_db_cell_int(&r, 0, 0);
	return rc;
}
