/* categories.c - the case category taxonomy: loading the city's CSV (catalog/README.md)
 * all or nothing, and listing it for the API. */
#include "app/app.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/category.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/text.h"

#define NCOLS 13
#define FILE_MAX (4u << 20) /* far above any taxonomy (CW_CATEGORY_MAX rows) */

static const char header[] = "code,parent,name,kind,first_level,dept_grid,dept_village,"
			     "dept_town,dept_district,dept_city,deadline_amount,deadline_unit,risk";

/* What each column must hold, for the problem report. */
static const struct {
	const char *field, *expect;
} expectations[] = {
    {"code", "a code of the row's kind: 2 digits for an urban class, 5 for a subclass "
	     "(06010); D1/P1/H1/S1 for a social class, D101 for a subclass"},
    {"parent", "the code of a class row of the same kind (and risk), which the code extends"},
    {"name", "1-40 characters, no control characters"},
    {"kind", "event, service, hazard, dispute or petition"},
    {"first_level", "grid, village, town, district or city"},
    {"dept_grid", "empty, or a department key (lower-case letters, digits, _), and empty "
		  "below the first level"},
    {"dept_village", "empty, or a department key (lower-case letters, digits, _), and empty "
		     "below the first level"},
    {"dept_town", "a department key from the first level up, empty below it"},
    {"dept_district", "a department key from the first level up, empty below it"},
    {"dept_city", "a department key (every category names the city's)"},
    {"deadline_amount", "1-960 working hours, 1-250 working days or 1-365 days"},
    {"deadline_unit", "working_hours, working_days or days"},
    {"risk", "for hazards: political_security, public_order, social_conflict, "
	     "public_safety or cyber_security; empty for other kinds"},
};

static const char *expectation(const char *field)
{
	for (size_t i = 0; i < sizeof expectations / sizeof expectations[0]; i++)
		if (strcmp(field, expectations[i].field) == 0)
			return expectations[i].expect;
	return "";
}

struct parse {
	struct cw_arena *a;
	struct cw_category *rows;
	int *lines; /* each row's line number */
	int n, cap;
	struct cw_category_problem *problems;
	int np, pcap;
};

static void problem(struct parse *p, int line, const char *code, const char *field,
		    const char *reason)
{
	if (p->np == p->pcap) {
		int cap = p->pcap ? p->pcap * 2 : 16;
		struct cw_category_problem *v = cw_arena_alloc(p->a, (size_t)cap * sizeof *v);
		if (p->np)
			memcpy(v, p->problems, (size_t)p->np * sizeof *v);
		p->problems = v;
		p->pcap = cap;
	}
	p->problems[p->np++] = (struct cw_category_problem){
	    .line = line, .code = code ? code : "", .field = field, .reason = reason};
}

/* Splits one line into at most NCOLS fields in place; RFC 4180 quotes within the line.
 * Returns the number of fields, or -1 for a quote that does not close. */
static int split(char *s, char **col)
{
	int n = 0;
	for (;;) {
		char *out = s, *start = s;
		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s)
					return -1;
				if (*s == '"' && s[1] == '"') {
					*out++ = '"';
					s += 2;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					*out++ = *s++;
				}
			}
			if (*s && *s != ',')
				return -1;
		} else {
			while (*s && *s != ',')
				out++, s++;
		}
		char sep = *s;
		*out = 0;
		if (n < NCOLS)
			col[n] = start;
		n++;
		if (!sep)
			return n;
		s++;
	}
}

static void parse_row(struct parse *p, int line, char *text)
{
	char *col[NCOLS];
	int n = split(text, col);
	if (n < 0) {
		problem(p, line, NULL, NULL, "a quoted field does not close on its line");
		return;
	}
	if (n != NCOLS) {
		problem(p, line, n > 0 ? cw_arena_strdup(p->a, col[0]) : NULL, NULL,
			cw_arena_printf(p->a, "%d fields; a row has %d (%s)", n, NCOLS, header));
		return;
	}
	for (int i = 0; i < NCOLS; i++)
		col[i] = cw_arena_strdup(p->a, col[i]);
	struct cw_category c = {.code = col[0], .parent = col[1], .name = col[2], .kind = col[3],
				.first_level = col[4], .risk = col[12]};
	/* Columns run grid … city; enum cw_level runs city … grid. */
	for (int l = 0; l < CW_LEVEL__COUNT; l++)
		c.departments[CW_LEVEL_GRID - l] = col[5 + l];
	int64_t amount = 0;
	c.deadline.unit = cw_category_unit_parse(col[11]);
	/* An amount that is not a number gets the check's own message below. */
	c.deadline.amount = cw_parse_int(col[10], 0, 100000, &amount) ? (int)amount : 0;
	const char *field = NULL;
	if (cw_category_check(&c, &field) != CW_EC_OK) {
		int i = 0;
		while (i < NCOLS - 1 && !(field && strcmp(field, expectations[i].field) == 0))
			i++;
		problem(p, line, c.code, field,
			cw_arena_printf(p->a, "%s \"%s\": expected %s", field ? field : "row", col[i],
					expectation(field ? field : "")));
		return;
	}
	if (p->n == CW_CATEGORY_MAX) {
		problem(p, line, c.code, NULL,
			cw_arena_printf(p->a, "more than %d categories", CW_CATEGORY_MAX));
		return;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 128;
		p->rows = cw_xrealloc(p->rows, (size_t)p->cap * sizeof *p->rows);
		p->lines = cw_xrealloc(p->lines, (size_t)p->cap * sizeof *p->lines);
	}
	p->lines[p->n] = line;
	p->rows[p->n++] = c;
}

static int row_cmp(const void *x, const void *y)
{
	return strcmp(((const struct cw_category *)x)->code, ((const struct cw_category *)y)->code);
}

static int code_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cw_category *)elem)->code);
}

/* The checks across rows: codes unique, every subclass's class present and consistent. */
static void cross_check(struct parse *p)
{
	/* A sorted copy to look codes up in; the rows keep file order for the report. */
	struct cw_category *sorted = cw_xmalloc((size_t)(p->n ? p->n : 1) * sizeof *sorted);
	if (p->n)
		memcpy(sorted, p->rows, (size_t)p->n * sizeof *sorted);
	qsort(sorted, (size_t)p->n, sizeof *sorted, row_cmp);
	for (int i = 0; i < p->n; i++) {
		const struct cw_category *c = &p->rows[i];
		int first = -1;
		for (int k = 0; k < i && first < 0; k++)
			if (strcmp(p->rows[k].code, c->code) == 0)
				first = k;
		if (first >= 0) {
			problem(p, p->lines[i], c->code, "code",
				cw_arena_printf(p->a, "code %s is already used on line %d", c->code,
						p->lines[first]));
			continue;
		}
		if (cw_category_is_class(c))
			continue;
		const struct cw_category *cls =
		    bsearch(c->parent, sorted, (size_t)p->n, sizeof *sorted, code_key_cmp);
		if (cw_category_check_parent(c, cls) != CW_EC_OK)
			problem(p, p->lines[i], c->code, "parent",
				cls ? cw_arena_printf(p->a,
						      "parent %s is not a class of the same kind%s "
						      "that code %s extends",
						      c->parent, c->risk && *c->risk ? " and risk" : "",
						      c->code)
				    : cw_arena_printf(p->a, "parent %s is not in the file (or its own line "
							    "is refused)", c->parent));
	}
	free(sorted);
}

static int problem_cmp(const void *x, const void *y)
{
	int a = ((const struct cw_category_problem *)x)->line;
	int b = ((const struct cw_category_problem *)y)->line;
	return (a > b) - (a < b);
}

struct import_ctx {
	const struct cw_actor *actor;
	const struct cw_category *rows;
	int n;
	int64_t now;
	bool only_if_empty;
	int changed;
};

static int import_tx(struct cw_tx *tx, void *p)
{
	struct import_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	c->changed = 0;
	if (c->only_if_empty) {
		struct cw_stored_category *cur;
		int ncur, rc = cw_store_category_list(tx, NULL, true, &cur, &ncur);
		if (rc || ncur > 0)
			return rc; /* the city's own taxonomy stays as it is */
	}
	int rc = cw_store_category_replace_all(tx, c->rows, c->n, c->now, &c->changed);
	if (rc || c->changed == 0)
		return rc; /* a second load writes nothing, not even an audit record */
	return cw_app_audit(tx, c->actor, "category.import", "categories", true,
			    cw_arena_printf(a, "%d categories, %d changed", c->n, c->changed));
}

enum cw_ec cw_categories_import(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				const char *text, size_t len, int64_t now, bool only_if_empty,
				struct cw_category_import *out)
{
	*out = (struct cw_category_import){0};
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	struct parse p = {.a = a};
	char *buf = cw_arena_strndup(a, text, len);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		buf += 3; /* Excel's UTF-8 byte-order mark */
	int line = 0;
	bool seen_header = false;
	for (char *next, *cur = buf; cur && *cur; cur = next) {
		next = strchr(cur, '\n');
		if (next)
			*next++ = 0;
		line++;
		size_t l = strlen(cur);
		if (l && cur[l - 1] == '\r')
			cur[--l] = 0;
		if (!seen_header) {
			seen_header = true;
			if (strcmp(cur, header) != 0)
				problem(&p, line, NULL, NULL,
					cw_arena_printf(a, "the first line must be the header %s", header));
			continue;
		}
		if (!l)
			continue;
		if (!cw_utf8_valid(cur, l)) {
			problem(&p, line, NULL, NULL, "not valid UTF-8");
			continue;
		}
		parse_row(&p, line, cur);
	}
	if (!seen_header)
		problem(&p, 1, NULL, NULL, "the file is empty");
	else if (p.n == 0 && p.np == 0)
		problem(&p, line, NULL, NULL, "the file lists no category");
	/* Over the rows that passed, so that one run reports every bad line. */
	cross_check(&p);
	enum cw_ec ec = CW_EC_INVALID_CATEGORY;
	if (p.np == 0) {
		struct import_ctx c = {actor, p.rows, p.n, now, only_if_empty, 0};
		ec = cw_app_store_ec(cw_store_tx(s, a, true, import_tx, &c), CW_EC_INTERNAL,
				     CW_EC_INVALID_CATEGORY);
		out->changed = c.changed;
	}
	if (p.np)
		qsort(p.problems, (size_t)p.np, sizeof *p.problems, problem_cmp);
	out->rows = p.n;
	out->problems = p.problems;
	out->nproblems = p.np;
	free(p.rows);
	free(p.lines);
	return ec;
}

int cw_categories_import_file(cw_store *s, const struct cw_actor *actor, const char *path,
			      bool only_if_empty, bool quiet)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "civicgrid: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	char *text = cw_xmalloc(FILE_MAX + 1);
	size_t len = fread(text, 1, FILE_MAX + 1, f);
	bool err = ferror(f);
	fclose(f);
	if (err || len > FILE_MAX) {
		fprintf(stderr, "civicgrid: %s: %s\n", path,
			err ? "cannot read the file" : "larger than 4 MB; not a category file");
		free(text);
		return -1;
	}
	text[len] = 0;
	if (strlen(text) != len) {
		fprintf(stderr, "civicgrid: %s: contains a NUL byte; not a text file\n", path);
		free(text);
		return -1;
	}
	struct cw_arena *a = cw_arena_new();
	struct cw_category_import rep;
	enum cw_ec ec = cw_categories_import(s, a, actor, text, len, cw_now(), only_if_empty, &rep);
	free(text);
	for (int i = 0; i < rep.nproblems; i++) {
		const struct cw_category_problem *p = &rep.problems[i];
		fprintf(stderr, "%s:%d:%s%s %s\n", path, p->line, *p->code ? " " : "", p->code,
			p->reason);
	}
	int rc = 0;
	if (ec) {
		if (rep.nproblems)
			fprintf(stderr, "civicgrid: %s: %d bad line%s; nothing was imported\n", path,
				rep.nproblems, rep.nproblems == 1 ? "" : "s");
		else
			fprintf(stderr, "civicgrid: %s: %s; nothing was imported\n", path,
				cw_ec_message(ec, CW_LANG_EN));
		rc = -1;
	} else if (!quiet) {
		printf("categories: %d in %s, %d changed\n", rep.rows, path, rep.changed);
	}
	cw_arena_free(a);
	return rc;
}

struct list_ctx {
	const char *kind;
	struct cw_stored_category *items;
	int n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_category_list(tx, c->kind, false, &c->items, &c->n);
}

enum cw_ec cw_categories_list(cw_store *s, struct cw_arena *a, const char *kind,
			      struct cw_stored_category **items, int *n)
{
	if (kind && !cw_category_kind_valid(kind))
		return CW_EC_INVALID_QUERY;
	struct list_ctx c = {.kind = kind};
	int rc = cw_store_tx(s, a, false, list_tx, &c);
	if (rc)
		return CW_EC_STORE_UNAVAILABLE;
	*items = c.items;
	*n = c.n;
	return CW_EC_OK;
}
