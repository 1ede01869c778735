/* store_case_bulk.c - timeline entries in bulk, for generating demo cases; see store.h.
 * Several rows a statement cut the round trips (PostgreSQL) and statement runs (SQLite)
 * that dominate writing a million cases. */
#include <stdio.h>
#include <string.h>

#include "store/store.h"
#include "store/store_int.h"
#include "util/arena.h"

#define EVENT_COLS 9
#define MAX_ROWS 16

/* The INSERT for `rows` rows (a power of two, so the statement cache sees five texts
 * at most). */
static const char *insert_sql(struct cw_arena *a, int rows)
{
	char buf[MAX_ROWS * 64 + 256];
	size_t len = (size_t)snprintf(buf, sizeof buf,
				      "INSERT INTO case_timeline (case_id, at, user_id, username, "
				      "action, note, status_before, status_after, detail) VALUES ");
	for (int r = 0; r < rows; r++) {
		int b = r * EVENT_COLS;
		len += (size_t)snprintf(buf + len, sizeof buf - len,
					"%s($%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d, $%d)", r ? ", " : "",
					b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7, b + 8, b + 9);
	}
	return cw_arena_strdup(a, buf);
}

int cw_store_case_events_insert(struct cw_tx *tx, const struct cw_case_event *e, int n)
{
	struct cw_db_param p[MAX_ROWS * EVENT_COLS];
	int i = 0;
	while (i < n) {
		int rows = MAX_ROWS;
		while (rows > n - i)
			rows /= 2;
		for (int r = 0; r < rows; r++) {
			const struct cw_case_event *x = &e[i + r];
			struct cw_db_param *q = &p[r * EVENT_COLS];
			q[0] = CW_P_INT(x->case_id);
			q[1] = CW_P_INT(x->at);
			q[2] = x->user_id ? CW_P_INT(x->user_id) : CW_P_NULL;
			q[3] = CW_P_TEXT(cw_store_str(x->username));
			q[4] = CW_P_TEXT(x->action);
			q[5] = CW_P_TEXT(cw_store_str(x->note));
			q[6] = CW_P_TEXT(cw_store_str(x->status_before));
			q[7] = CW_P_TEXT(cw_store_str(x->status_after));
			q[8] = CW_P_TEXT(cw_store_str(x->detail));
		}
		int rc = cw_tx_query(tx, insert_sql(cw_tx_arena(tx), rows), p, rows * EVENT_COLS, NULL);
		if (rc != CW_DB_OK)
			return rc;
		i += rows;
	}
	return CW_DB_OK;
}
