/* store_admin.c - writes of the administration screens that the other store files do
 * not have: one category's name, deadline and active flag (see store.h). */
#include "store/store.h"
#include "store/store_int.h"

int cw_store_category_update(struct cw_tx *tx, const struct cw_category *c, bool active,
			     int64_t now)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx,
			"UPDATE categories SET name = $2, deadline_amount = $3, deadline_unit = $4, "
			"active = $5, updated_at = $6 WHERE code = $1",
			&r, CW_P_TEXT(c->code), CW_P_TEXT(c->name), CW_P_INT(c->deadline.amount),
			CW_P_TEXT(cw_store_str(cw_category_unit_name(c->deadline.unit))),
			CW_P_INT(active ? 1 : 0), CW_P_INT(now));
	return cw_store_one_changed(rc, &r);
}
