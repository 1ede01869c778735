/* store_lock.c - named write locks for the length of a transaction; see store.h. */
#include "store/store.h"
#include "store/store_int.h"

int cw_store_lock(struct cw_tx *tx, const char *name)
{
	/* SQLite's write transactions (BEGIN IMMEDIATE) already run one at a time. */
	if (cw_tx_dialect(tx) != CW_DIALECT_PG)
		return CW_DB_OK;
	return CW_TXQ(tx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", NULL,
		      CW_P_TEXT(name));
}
