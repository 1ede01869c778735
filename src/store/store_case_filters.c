/* store_case_filters.c - the case list's console filters as SQL conditions (see
 * store_int.h): several statuses (twice: the status filter and the set that ?open=
 * stands for), supervised, escalated at least once, the department unit, the grid and a
 * running deadline before a time. */
#include <stdio.h>

#include "store/store.h"
#include "store/store_int.h"

/* " AND c.status [NOT] IN ($a, $b, …)". `walk`: written as `c.status || ''`, which no
 * index serves, so that the plan walks cases newest first (by id, or by the index of
 * another filter that ends in status: migration 17) and stops at the page, instead of
 * reading the index range of each status and sorting them all: ?open=true for a
 * district took 140-170 ms at 1,000,000 cases (37,000 open) that way. */
static int status_in(const char *const *names, int n, bool negate, bool walk, char *sql,
		     size_t size, size_t *len, struct cw_db_param *p, int *np, int pmax)
{
	if (*np + n > pmax)
		return CW_DB_ERROR;
	if (*len < size)
		*len += (size_t)snprintf(sql + *len, size - *len, " AND c.status%s %sIN (",
					 walk ? " || ''" : "", negate ? "NOT " : "");
	for (int i = 0; i < n; i++) {
		p[(*np)++] = CW_P_TEXT(names[i]);
		if (*len < size)
			*len += (size_t)snprintf(sql + *len, size - *len, "%s$%d", i ? ", " : "",
						 *np);
	}
	if (*len < size)
		*len += (size_t)snprintf(sql + *len, size - *len, ")");
	return CW_DB_OK;
}

int cw_store_case_filter_conds(const struct cw_case_filter *f, char *sql, size_t size,
			       size_t *len, struct cw_db_param *p, int *np, int pmax)
{
#define APPEND(...)                                                                          \
	do {                                                                                 \
		if (*len < size)                                                             \
			*len += (size_t)snprintf(sql + *len, size - *len, __VA_ARGS__);      \
	} while (0)
#define COND(fmt, param)                                                                     \
	do {                                                                                 \
		if (*np >= pmax)                                                             \
			return CW_DB_ERROR;                                                  \
		p[(*np)++] = (param);                                                        \
		APPEND(fmt, *np);                                                            \
	} while (0)
	if (f->nstatuses > 0 &&
	    status_in(f->statuses, f->nstatuses, false, false, sql, size, len, p, np, pmax) !=
		CW_DB_OK)
		return CW_DB_ERROR;
	if (f->nstatus_set > 0 &&
	    status_in(f->status_set, f->nstatus_set, f->status_set_not, true, sql, size, len, p,
		      np, pmax) != CW_DB_OK)
		return CW_DB_ERROR;
	if (f->supervised != 0)
		COND(" AND c.supervised = $%d", CW_P_INT(f->supervised > 0 ? 1 : 0));
	if (f->escalated > 0)
		APPEND(" AND c.escalations > 0");
	else if (f->escalated < 0)
		APPEND(" AND c.escalations = 0");
	if (f->department_id > 0)
		COND(" AND c.department_id = $%d", CW_P_INT(f->department_id));
	if (f->grid)
		COND(" AND c.grid = $%d", CW_P_TEXT(f->grid));
	if (f->due_before != 0)
		COND(" AND c.deadline > 0 AND c.deadline < $%d", CW_P_INT(f->due_before));
#undef COND
#undef APPEND
	return CW_DB_OK;
}
