/* store_open311.c - the rows behind the Open311 interface; see store_open311.h. */
#include "store/store_open311.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_int.h"
#include "util/arena.h"

int cw_store_o311_attrs(struct cw_tx *tx, const char *category, struct cw_o311_attr **items,
			int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT category, code, ord, datatype, required, variable, "
			"datatype_description, description, vals FROM category_attributes "
			"WHERE category = $1 ORDER BY ord, code",
			&r, CW_P_TEXT(category));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_o311_attr *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v + 1);
	for (int i = 0; i < r.nrows; i++) {
		v[i].category = cw_db_cell(&r, i, 0);
		v[i].code = cw_db_cell(&r, i, 1);
		v[i].order = (int)cw_db_cell_int(&r, i, 2);
		v[i].datatype = cw_db_cell(&r, i, 3);
		v[i].required = cw_store_cell_bool(&r, i, 4);
		v[i].variable = cw_store_cell_bool(&r, i, 5);
		v[i].datatype_description = cw_db_cell(&r, i, 6);
		v[i].description = cw_db_cell(&r, i, 7);
		v[i].values = cw_db_cell(&r, i, 8);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_o311_attr_categories(struct cw_tx *tx, const char ***codes, int *n)
{
	struct cw_db_result r;
	*codes = NULL;
	*n = 0;
	int rc = cw_tx_query(tx, "SELECT DISTINCT category FROM category_attributes ORDER BY category",
			     NULL, 0, &r);
	if (rc != CW_DB_OK)
		return rc;
	const char **v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v + 1);
	for (int i = 0; i < r.nrows; i++)
		v[i] = cw_db_cell(&r, i, 0);
	*codes = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_o311_attrs_replace(struct cw_tx *tx, const char *category,
				const struct cw_o311_attr *v, int n)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "DELETE FROM category_attributes WHERE category = $1", &r,
			CW_P_TEXT(category));
	for (int i = 0; rc == CW_DB_OK && i < n; i++)
		rc = CW_TXQ(tx,
			    "INSERT INTO category_attributes (category, code, ord, datatype, "
			    "required, variable, datatype_description, description, vals) "
			    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			    &r, CW_P_TEXT(category), CW_P_TEXT(v[i].code), CW_P_INT(v[i].order),
			    CW_P_TEXT(v[i].datatype), CW_P_INT(v[i].required ? 1 : 0),
			    CW_P_INT(v[i].variable ? 1 : 0),
			    CW_P_TEXT(cw_store_str(v[i].datatype_description)),
			    CW_P_TEXT(cw_store_str(v[i].description)),
			    CW_P_TEXT(v[i].values ? v[i].values : "[]"));
	return rc;
}

int cw_store_o311_request_put(struct cw_tx *tx, int64_t case_id, const char *attributes,
			      const char *media_url, int64_t now)
{
	struct cw_db_result r;
	return CW_TXQ(tx,
		      "INSERT INTO open311_requests (case_id, attributes, media_url, created_at) "
		      "VALUES ($1, $2, $3, $4)",
		      &r, CW_P_INT(case_id), CW_P_TEXT(attributes ? attributes : "{}"),
		      CW_P_TEXT(cw_store_str(media_url)), CW_P_INT(now));
}

#define O311_MAX_NUMBERS 100

int cw_store_o311_requests(struct cw_tx *tx, const struct cw_o311_filter *f, int offset,
			   int limit, struct cw_o311_request **items, int *n)
{
	char sql[3072];
	struct cw_db_param p[O311_MAX_NUMBERS + 8];
	int np = 0;
	size_t len = (size_t)snprintf(
	    sql, sizeof sql,
	    "SELECT c.id, c.number, c.category, k.name, c.title, c.description, c.status, "
	    "COALESCE(d.name, ''), c.deadline, c.address, c.region, c.lon, c.lat, c.created_at, "
	    "c.updated_at, COALESCE(o.media_url, ''), COALESCE(o.attributes, ''), "
	    "COALESCE((SELECT t.note FROM case_timeline t WHERE t.case_id = c.id AND t.note <> '' "
	    "AND " CW_O311_PUBLIC_ENTRY_SQL("t") " ORDER BY t.id DESC LIMIT 1), '') "
	    "FROM cases c JOIN categories k ON k.code = c.category "
	    "LEFT JOIN departments d ON d.id = c.department_id "
	    "LEFT JOIN open311_requests o ON o.case_id = c.id "
	    "WHERE c.kind IN " CW_O311_KINDS_SQL);
	if (f->nnumbers > 0) {
		int k = f->nnumbers < O311_MAX_NUMBERS ? f->nnumbers : O311_MAX_NUMBERS;
		len += (size_t)snprintf(sql + len, sizeof sql - len, " AND c.number IN (");
		for (int i = 0; i < k; i++) {
			p[np++] = CW_P_TEXT(f->numbers[i]);
			len += (size_t)snprintf(sql + len, sizeof sql - len, "%s$%d", i ? ", " : "", np);
		}
		len += (size_t)snprintf(sql + len, sizeof sql - len, ")");
	} else {
		p[np++] = CW_P_INT(f->from);
		p[np++] = CW_P_INT(f->to);
		len += (size_t)snprintf(sql + len, sizeof sql - len,
					" AND c.created_at >= $%d AND c.created_at < $%d", np - 1, np);
		if (f->category) {
			p[np++] = CW_P_TEXT(f->category);
			len += (size_t)snprintf(sql + len, sizeof sql - len, " AND c.category = $%d",
						np);
		}
		if (f->closed == 1)
			len += (size_t)snprintf(sql + len, sizeof sql - len,
						" AND c.status IN " CW_O311_CLOSED_SQL);
		else if (f->closed == 0)
			len += (size_t)snprintf(sql + len, sizeof sql - len,
						" AND c.status NOT IN " CW_O311_CLOSED_SQL);
	}
	p[np++] = CW_P_INT(limit);
	p[np++] = CW_P_INT(offset);
	snprintf(sql + len, sizeof sql - len, " ORDER BY c.id DESC LIMIT $%d OFFSET $%d", np - 1,
		 np);
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = cw_tx_query(tx, sql, p, np, &r);
	if (rc != CW_DB_OK)
		return rc;
	struct cw_o311_request *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v + 1);
	for (int i = 0; i < r.nrows; i++) {
		struct cw_o311_request *q = &v[i];
		q->id = cw_db_cell_int(&r, i, 0);
		q->number = cw_db_cell(&r, i, 1);
		q->category = cw_db_cell(&r, i, 2);
		q->category_name = cw_db_cell(&r, i, 3);
		q->title = cw_db_cell(&r, i, 4);
		q->description = cw_db_cell(&r, i, 5);
		q->status = cw_db_cell(&r, i, 6);
		q->agency = cw_db_cell(&r, i, 7);
		q->deadline = cw_db_cell_int(&r, i, 8);
		q->address = cw_db_cell(&r, i, 9);
		q->region = cw_db_cell(&r, i, 10);
		q->has_location = cw_db_cell(&r, i, 11) && cw_db_cell(&r, i, 12);
		q->lon = q->has_location ? strtod(cw_db_cell(&r, i, 11), NULL) : 0;
		q->lat = q->has_location ? strtod(cw_db_cell(&r, i, 12), NULL) : 0;
		q->created_at = cw_db_cell_int(&r, i, 13);
		q->updated_at = cw_db_cell_int(&r, i, 14);
		q->media_url = cw_db_cell(&r, i, 15);
		q->attributes = cw_db_cell(&r, i, 16);
		q->status_notes = cw_db_cell(&r, i, 17);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_o311_updates(struct cw_tx *tx, int64_t from, int64_t to, int limit,
			  struct cw_o311_update **items, int *n)
{
	struct cw_db_result r;
	*items = NULL;
	*n = 0;
	int rc = CW_TXQ(tx,
			"SELECT t.id, t.at, c.number, t.action, t.note, "
			/* An entry that changed no status (a note, a photo): the status then. */
			"COALESCE(NULLIF(t.status_after, ''), (SELECT p.status_after FROM case_timeline p "
			"WHERE p.case_id = t.case_id AND p.id < t.id AND p.status_after <> '' "
			"ORDER BY p.id DESC LIMIT 1), c.status), "
			"CASE WHEN t.action = 'create' THEN COALESCE(o.media_url, '') ELSE '' END "
			"FROM case_timeline t JOIN cases c ON c.id = t.case_id "
			"LEFT JOIN open311_requests o ON o.case_id = c.id "
			"WHERE c.kind IN " CW_O311_KINDS_SQL " AND t.at >= $1 AND t.at < $2 "
			"AND " CW_O311_PUBLIC_ENTRY_SQL("t") " "
			"ORDER BY t.at, t.id LIMIT $3",
			&r, CW_P_INT(from), CW_P_INT(to), CW_P_INT(limit));
	if (rc != CW_DB_OK)
		return rc;
	struct cw_o311_update *v = cw_arena_alloc(cw_tx_arena(tx), (size_t)r.nrows * sizeof *v + 1);
	for (int i = 0; i < r.nrows; i++) {
		v[i].id = cw_db_cell_int(&r, i, 0);
		v[i].at = cw_db_cell_int(&r, i, 1);
		v[i].number = cw_db_cell(&r, i, 2);
		v[i].action = cw_db_cell(&r, i, 3);
		v[i].note = cw_db_cell(&r, i, 4);
		v[i].status = cw_db_cell(&r, i, 5);
		v[i].media_url = cw_db_cell(&r, i, 6);
	}
	*items = v;
	*n = r.nrows;
	return CW_DB_OK;
}

int cw_store_o311_case_id(struct cw_tx *tx, const char *number, int64_t *id)
{
	struct cw_db_result r;
	int rc = CW_TXQ(tx, "SELECT id FROM cases WHERE number = $1 AND kind IN " CW_O311_KINDS_SQL,
			&r, CW_P_TEXT(number));
	if (rc != CW_DB_OK)
		return rc;
	if (r.nrows == 0)
		return CW_DB_NOTFOUND;
	*id = cw_db_cell_int(&r, 0, 0);
	return CW_DB_OK;
}
