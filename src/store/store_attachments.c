/* store_attachments.c - the rows of photos attached to cases; see store.h. */
#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define ATTACHMENT_SELECT                                                                  \
	"SELECT a.id, a.case_id, a.sha256, a.mime, a.size, a.width, a.height, a.label, "   \
	"a.user_id, COALESCE(u.username, ''), a.created_at "                               \
	"FROM case_attachments a LEFT JOIN users u ON u.id = a.user_id "

static void attachment_row(const struct cw_db_result *r, int i, struct cw_attachment *a)
{
	a->id = cw_db_cell_int(r, i, 0);
	a->case_id = cw_db_cell_int(r, i, 1);
	a->sha256 = cw_db_cell(r, i, 2);
	a->mime = cw_db_cell(r, i, 3);
	a->size = cw_db_cell_int(r, i, 4);
	a->width = cw_db_cell_int(r, i, 5);
	a->height = cw_db_cell_int(r, i, 6);
	a->label = cw_db_cell(r, i, 7);
	a->user_id = cw_db_cell_int(r, i, 8);
	a->username = cw_db_cell(r, i, 9);
	a->created_at = cw_db_cell_int(r, i, 10);
}

int cw_store_attachment_insert(struct cw_tx *tx, struct cw_attachment *a, bool *existed)
{
	struct cw_db_result r;
	*existed = false;
	/* ON CONFLICT DO NOTHING: a concurrent upload of the same photo to the same case
	 * waits for the other and then finds its row, instead of failing. */
	int rc = CW_TXQ(tx,
			"INSERT INTO case_attachments (case_id, sha256, mime, size, width, height, "
			"label, user_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
			"ON CONFLICT (case_id, sha256) DO NOTHING RETURNING id",
			&r, CW_P_INT(a->case_id), CW_P_TEXT(a->sha256), CW_P_TEXT(a->mime),
			CW_P_INT(a->size), CW_P_INT(a->width), CW_P_INT(a->height),
			CW_P_TEXT(cw_store_str(a->label)),
			a->user_id ? CW_P_INT(a->user_id) : CW_P_NULL, CW_P_INT(a->created_at));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows > 0) {
		a->id = cw_db_cell_int(&r, 0, 0);
		return CW_DB_OK;
	}
	rc = CW_TXQ(tx, ATTACHMENT_SELECT "WHERE a.case_id = $1 AND a.sha256 = $2", &r,
		    CW_P_INT(a->case_id), CW_P_TEXT(a->sha256));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_ERROR; /* a conflict without the row: not expected */
	attachment_row(&r, 0, a);
	*existed = true;
	return CW_DB_OK;
}

int cw_store_attachment_get(struct cw_tx *tx, int64_t case_id, int64_t id,
			    struct cw_attachment *out)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, ATTACHMENT_SELECT "WHERE a.id = $1 AND a.case_id = $2", &r,
			CW_P_INT(id), CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	attachment_row(&r, 0, out);
	return CW_DB_OK;
}

int cw_store_attachments_of_case(struct cw_tx *tx, int64_t case_id, struct cw_attachment **items,
				 int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx, ATTACHMENT_SELECT "WHERE a.case_id = $1 ORDER BY a.id", &r,
			CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_attachment *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++)
		attachment_row(&r, i, &v[i]);
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}
