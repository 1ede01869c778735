/* store_calendar.c - the working-day calendar's listed days; see store.h. */
#include <stdio.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

int cw_store_calendar_list(struct cw_tx *tx, const char *from, const char *to,
			   struct cw_calendar_day **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT day, kind, note FROM calendar_days WHERE day >= $1 AND day <= $2 "
			"ORDER BY day",
			&r, CW_P_TEXT(from), CW_P_TEXT(to));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_calendar_day *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v);
	for (int i = 0; i < r.nrows; i++) {
		v[i].day = cw_db_cell(&r, i, 0);
		v[i].kind = cw_db_cell(&r, i, 1);
		v[i].note = cw_db_cell(&r, i, 2);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_calendar_replace_year(struct cw_tx *tx, int year, const struct cw_calendar_day *days,
				   int n, int64_t now)
{
	char from[16], to[16];
	snprintf(from, sizeof from, "%04d-01-01", year);
	snprintf(to, sizeof to, "%04d-12-31", year);
	int rc = CW_TXQ(tx, "DELETE FROM calendar_days WHERE day >= $1 AND day <= $2", NULL,
			cw_store_p_text(from), cw_store_p_text(to));
	for (int i = 0; i < n && rc == CW_DB_OK; i++)
		rc = CW_TXQ(tx,
			    "INSERT INTO calendar_days (day, kind, note, updated_at) VALUES ($1, $2, $3, $4)",
			    NULL, CW_P_TEXT(days[i].day), CW_P_TEXT(days[i].kind),
			    CW_P_TEXT(cw_store_str(days[i].note)), CW_P_INT(now));
	return rc;
}
