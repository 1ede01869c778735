/* store_search.c - the case search index: (term, case) rows and each case's folded text;
 * see store.h and core/search.h. */
#include <stdio.h>
#include <string.h>

#include "core/search.h"
#include "store/store.h"
#include "store/store_int.h"

#define BATCH 200 /* terms per INSERT statement */

int cw_store_case_terms_replace(struct cw_tx *tx, int64_t case_id, const cw_search_term *terms,
				int n, const char *body)
{
	int rc = CW_TXQ(tx, "DELETE FROM case_terms WHERE case_id = $1", NULL, CW_P_INT(case_id));
	if (rc != CW_DB_OK)
		return rc;
	for (int from = 0; from < n; from += BATCH) {
		int k = n - from < BATCH ? n - from : BATCH;
		char sql[64 + BATCH * 16];
		struct cw_db_param p[BATCH + 1];
		size_t len = (size_t)snprintf(sql, sizeof sql,
					      "INSERT INTO case_terms (term, case_id) VALUES ");
		p[0] = CW_P_INT(case_id);
		for (int i = 0; i < k; i++) {
			p[i + 1] = CW_P_TEXT(terms[from + i]);
			len += (size_t)snprintf(sql + len, sizeof sql - len, "%s($%d, $1)",
						i ? ", " : "", i + 2);
		}
		rc = cw_tx_query(tx, sql, p, k + 1, NULL);
		if (rc != CW_DB_OK)
			return rc;
	}
	return CW_TXQ(tx,
		      "INSERT INTO case_search_text (case_id, body) VALUES ($1, $2) "
		      "ON CONFLICT (case_id) DO UPDATE SET body = excluded.body",
		      NULL, CW_P_INT(case_id), CW_P_TEXT(cw_store_str(body)));
}

/* Below this many cases a term is rare enough to drive the query from the index. */
#define RARE 1000

int cw_store_case_search_conds(struct cw_tx *tx, const char *q, char *sql, size_t size,
			       size_t *len, struct cw_db_param *p, int *np, int pmax)
{
	static _Thread_local struct cw_search_query qq;
	if (cw_search_query_parse(q, &qq) != CW_EC_OK)
		return CW_DB_NOTFOUND;
	if (*np + qq.nterms + qq.nfragments > pmax)
		return CW_DB_ERROR;

	/* The rarest term, counting no further than RARE + 1: an index range scan each that
	 * stops there (ORDER BY keeps PostgreSQL from a bitmap scan of the whole range). */
	int rare = -1;
	int64_t rare_n = RARE + 1;
	for (int i = 0; i < qq.nterms; i++) {
		struct cw_db_result r;
		int rc = CW_TXQ(tx,
				"SELECT count(*) FROM (SELECT case_id FROM case_terms WHERE term = $1 "
				"ORDER BY case_id DESC LIMIT $2) x",
				&r, CW_P_TEXT(qq.terms[i]), CW_P_INT(RARE + 1));
		if (rc != CW_DB_OK)
			return rc;
		int64_t cnt = cw_db_cell_int(&r, 0, 0);
		if (cnt == 0)
			return CW_DB_NOTFOUND; /* a term no case has: nothing matches */
		if (cnt < rare_n) {
			rare_n = cnt;
			rare = i;
		}
	}
#define APPEND(...)                                                                          \
	do {                                                                                 \
		if (*len < size)                                                             \
			*len += (size_t)snprintf(sql + *len, size - *len, __VA_ARGS__);      \
	} while (0)
	for (int i = 0; i < qq.nterms; i++) {
		p[(*np)++] = CW_P_TEXT(qq.terms[i]);
		if (i == rare)
			APPEND(" AND c.id IN (SELECT t.case_id FROM case_terms t WHERE t.term = $%d)",
			       *np);
		else
			APPEND(" AND EXISTS (SELECT 1 FROM case_terms t WHERE t.term = $%d AND "
			       "t.case_id = c.id)",
			       *np);
	}
	const char *has = cw_tx_dialect(tx) == CW_DIALECT_PG ? "strpos" : "instr";
	APPEND(" AND EXISTS (SELECT 1 FROM case_search_text s WHERE s.case_id = c.id");
	for (int i = 0; i < qq.nfragments; i++) {
		p[(*np)++] = CW_P_TEXT(qq.fragments[i]);
		APPEND(" AND %s(s.body, $%d) > 0", has, *np);
	}
	APPEND(")");
#undef APPEND
	return *len < size ? CW_DB_OK : CW_DB_ERROR;
}
