/* calendar.c - the working-day calendar kept in the store: loading it for the
 * deadline arithmetic of core/calendar.c, editing a year, and the reference CSV. */
#include "app/app.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/calendar.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/text.h"

#define CALENDAR_VERSION_KEY "calendar.version"

struct list_ctx {
	const char *from, *to;
	struct cw_calendar_day *items;
	int n;
};

static int list_tx(struct cw_tx *tx, void *p)
{
	struct list_ctx *c = p;
	return cw_store_calendar_list(tx, c->from, c->to, &c->items, &c->n);
}

/* Builds a calendar from listed days; INVALID_CALENDAR names the first bad one. */
static enum cw_ec build(const struct cw_calendar_day *days, int n, struct cw_calendar **out,
			int *bad)
{
	struct cw_calendar *cal = cw_calendar_new();
	if (!cal)
		return CW_EC_INTERNAL;
	for (int i = 0; i < n; i++) {
		int64_t day;
		int y, m, d, kind = cw_day_kind_parse(days[i].kind);
		enum cw_ec ec = CW_EC_INVALID_CALENDAR;
		if (cw_day_parse(days[i].day, &day) && kind > 0) {
			cw_day_to_civil(day, &y, &m, &d);
			ec = cw_calendar_set(cal, y, m, d, (enum cw_day_kind)kind);
		}
		if (ec) {
			*bad = i;
			cw_calendar_free(cal);
			return ec;
		}
	}
	*out = cal;
	return CW_EC_OK;
}

struct cw_calendar *cw_calendar_load(cw_store *s)
{
	struct cw_arena *a = cw_arena_new();
	struct list_ctx c = {.from = "0000-00-00", .to = "9999-99-99"};
	struct cw_calendar *cal = NULL;
	int bad = -1;
	if (cw_store_tx(s, a, false, list_tx, &c) == CW_DB_OK &&
	    build(c.items, c.n, &cal, &bad) != CW_EC_OK)
		cw_warn("calendar: stored day %s is not valid; using plain weekdays",
			bad >= 0 && bad < c.n ? c.items[bad].day : "?");
	cw_arena_free(a);
	return cal;
}

enum cw_ec cw_calendar_year(cw_store *s, struct cw_arena *a, int year,
			    struct cw_calendar_day **days, int *n)
{
	if (year < CW_YEAR_MIN || year > CW_YEAR_MAX)
		return CW_EC_INVALID_QUERY;
	struct list_ctx c = {.from = cw_arena_printf(a, "%04d-01-01", year),
			     .to = cw_arena_printf(a, "%04d-12-31", year)};
	int rc = cw_store_tx(s, a, false, list_tx, &c);
	if (rc)
		return CW_EC_STORE_UNAVAILABLE;
	*days = c.items;
	*n = c.n;
	return CW_EC_OK;
}

static int64_t version_in(struct cw_tx *tx)
{
	const char *v;
	int64_t n = 0;
	if (cw_store_setting_get(tx, CALENDAR_VERSION_KEY, &v) == CW_DB_OK)
		cw_parse_int(v, 0, INT64_MAX, &n);
	return n;
}

struct version_ctx {
	int64_t v;
};

static int version_tx(struct cw_tx *tx, void *p)
{
	((struct version_ctx *)p)->v = version_in(tx);
	return CW_DB_OK;
}

int64_t cw_calendar_version(cw_store *s)
{
	struct cw_arena *a = cw_arena_new();
	struct version_ctx c = {0};
	int rc = cw_store_tx(s, a, false, version_tx, &c);
	cw_arena_free(a);
	return rc ? -1 : c.v;
}

struct year_ctx {
	const struct cw_actor *actor;
	int year;
	const struct cw_calendar_day *days;
	int n;
	int64_t now;
	bool only_if_empty;
	bool changed;
	const struct cw_if_match *if_match;
	enum cw_ec ec;
};

static bool same_days(const struct cw_calendar_day *a, int na, const struct cw_calendar_day *b,
		      int nb)
{
	if (na != nb)
		return false;
	for (int i = 0; i < na; i++)
		if (strcmp(a[i].day, b[i].day) || strcmp(a[i].kind, b[i].kind) ||
		    strcmp(a[i].note ? a[i].note : "", b[i].note ? b[i].note : ""))
			return false;
	return true;
}

static int day_cmp(const void *x, const void *y)
{
	return strcmp(((const struct cw_calendar_day *)x)->day, ((const struct cw_calendar_day *)y)->day);
}

static int year_tx(struct cw_tx *tx, void *p)
{
	struct year_ctx *c = p;
	struct cw_arena *a = cw_store_tx_arena(tx);
	struct cw_calendar_day *cur;
	int ncur, rc;
	c->changed = false;
	if (c->if_match && (rc = cw_store_lock(tx, cw_arena_printf(a, "calendar:%d", c->year))))
		return rc;
	if ((rc = cw_store_calendar_list(tx, cw_arena_printf(a, "%04d-01-01", c->year),
					 cw_arena_printf(a, "%04d-12-31", c->year), &cur, &ncur)))
		return rc;
	if (c->if_match) {
		struct cw_calendar_days now_listed = {c->year, cur, ncur};
		if (!c->if_match->fresh(c->if_match->ctx, &now_listed)) {
			c->ec = CW_EC_PRECONDITION_FAILED;
			return CW_DB_ABORT;
		}
	}
	if ((c->only_if_empty && ncur > 0) || same_days(cur, ncur, c->days, c->n))
		return CW_DB_OK; /* a second run changes nothing */
	char v[32];
	snprintf(v, sizeof v, "%" PRId64, version_in(tx) + 1);
	if ((rc = cw_store_calendar_replace_year(tx, c->year, c->days, c->n, c->now)) ||
	    (rc = cw_store_setting_set(tx, CALENDAR_VERSION_KEY, v, c->now)))
		return rc;
	c->changed = true;
	return cw_app_audit(tx, c->actor, "calendar.year", cw_arena_printf(a, "calendar:%d", c->year),
			    true, cw_arena_printf(a, "%d listed days (was %d)", c->n, ncur));
}

static enum cw_ec set_year(cw_store *s, struct cw_arena *a, const struct cw_actor *actor, int year,
			   struct cw_calendar_day *days, int n, int64_t now, bool only_if_empty,
			   int *bad, const struct cw_if_match *m)
{
	if (!cw_roles_allow(actor->roles, CW_PERM_CONFIG_WRITE))
		return CW_EC_FORBIDDEN;
	*bad = -1;
	if (year < CW_YEAR_MIN || year > CW_YEAR_MAX)
		return CW_EC_INVALID_CALENDAR;
	char prefix[8];
	snprintf(prefix, sizeof prefix, "%04d-", year);
	for (int i = 0; i < n; i++)
		if (!days[i].day || strncmp(days[i].day, prefix, 5) != 0 ||
		    (days[i].note && cw_utf8_len(days[i].note) > 50)) {
			*bad = i;
			return CW_EC_INVALID_CALENDAR;
		}
	struct cw_calendar *check;
	enum cw_ec ec = build(days, n, &check, bad);
	if (ec)
		return ec;
	cw_calendar_free(check);
	for (int i = 1; i < n; i++)
		if (strcmp(days[i - 1].day, days[i].day) > 0) {
			qsort(days, (size_t)n, sizeof *days, day_cmp);
			break;
		}
	for (int i = 1; i < n; i++)
		if (strcmp(days[i - 1].day, days[i].day) == 0) {
			*bad = i;
			return CW_EC_INVALID_CALENDAR;
		}
	struct year_ctx c = {actor, year, days, n, now, only_if_empty, false, m, CW_EC_OK};
	int rc = cw_store_tx(s, a, true, year_tx, &c);
	if (rc == CW_DB_ABORT && c.ec != CW_EC_OK)
		return c.ec;
	return cw_app_store_ec(rc, CW_EC_INTERNAL, CW_EC_INVALID_CALENDAR);
}

enum cw_ec cw_calendar_set_year(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				int year, struct cw_calendar_day *days, int n, int64_t now, int *bad)
{
	return set_year(s, a, actor, year, days, n, now, false, bad, NULL);
}

enum cw_ec cw_calendar_set_year_if(cw_store *s, struct cw_arena *a, const struct cw_actor *actor,
				   int year, struct cw_calendar_day *days, int n, int64_t now,
				   int *bad, const struct cw_if_match *m)
{
	return set_year(s, a, actor, year, days, n, now, false, bad, m);
}

int cw_calendar_import_csv(cw_store *s, const char *path, bool quiet)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "civicgrid: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	struct cw_arena *a = cw_arena_new();
	struct cw_calendar_day *days = NULL;
	int n = 0, cap = 0, lineno = 0, failures = 0;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (lineno == 1 || !*line)
			continue; /* the header: date,type,holiday */
		char *kind = strchr(line, ','), *note = kind ? strchr(kind + 1, ',') : NULL;
		if (!kind) {
			fprintf(stderr, "civicgrid: %s:%d: expected date,type,holiday\n", path, lineno);
			failures++;
			continue;
		}
		*kind++ = 0;
		if (note)
			*note++ = 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 128;
			days = cw_xrealloc(days, (size_t)cap * sizeof *days);
		}
		days[n++] = (struct cw_calendar_day){cw_arena_strdup(a, line), cw_arena_strdup(a, kind),
						     cw_arena_strdup(a, note ? note : "")};
	}
	fclose(f);
	qsort(days, (size_t)n, sizeof *days, day_cmp);
	struct cw_actor actor = cw_actor_cli();
	actor.username = "demo";
	actor.roles = 1u << CW_ROLE_SYSADMIN;
	int years = 0;
	for (int i = 0; i < n && !failures;) {
		int k = i;
		while (k < n && strncmp(days[k].day, days[i].day, 4) == 0)
			k++;
		int year = atoi(days[i].day), bad;
		/* The reference data fills a year only where the city has not set it. */
		enum cw_ec ec = set_year(s, a, &actor, year, days + i, k - i, cw_now(), true, &bad, NULL);
		if (ec) {
			fprintf(stderr, "civicgrid: %s: year %d: %s%s%s\n", path, year,
				cw_ec_message(ec, CW_LANG_EN), bad >= 0 ? " at " : "",
				bad >= 0 ? days[i + bad].day : "");
			failures++;
		}
		years++;
		i = k;
	}
	if (!quiet && !failures)
		printf("calendar: %d listed days in %d years from %s\n", n, years, path);
	free(days);
	cw_arena_free(a);
	return failures ? -1 : 0;
}
