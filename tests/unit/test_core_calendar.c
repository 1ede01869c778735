/* test_core_calendar.c - unit tests of core/calendar: the real 2024-2026 holiday table,
 * working hours, and deadlines across Spring Festival and National Day 2026. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/calendar.h"
#include "util/clock.h"

/* The calendar of ../shared/data/calendar-cn.csv, loaded once for the whole run. */
static struct cw_calendar *cn;

/* The rows of the file, kept to rebuild the calendar in other orders. */
struct row {
	int y, m, d;
	enum cw_day_kind kind;
};
static struct row rows[512];
static size_t nrows;

static void data_path(char *out, size_t n)
{
	const char *dir = getenv("CW_SHARED_DATA");
	if (dir && *dir) {
		snprintf(out, n, "%s/calendar-cn.csv", dir);
		return;
	}
	/* __FILE__ is <repo>/tests/unit/test_core_calendar.c; the data is beside the repo. */
	char here[1024];
	snprintf(here, sizeof here, "%s", __FILE__);
	for (int up = 0; up < 3; up++) {
		char *slash = strrchr(here, '/');
		if (!slash)
			fail_msg("cannot find the repository from %s; set CW_SHARED_DATA", __FILE__);
		*slash = 0;
	}
	snprintf(out, n, "%s/../shared/data/calendar-cn.csv", here);
}

static int load_csv(void **state)
{
	(void)state;
	char path[1200], line[256];
	data_path(path, sizeof path);
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cannot open %s (set CW_SHARED_DATA to its directory)\n", path);
		return -1;
	}
	cn = cw_calendar_new();
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		if (lineno == 1)
			continue; /* date,type,holiday */
		int y, m, d;
		char type[16];
		if (sscanf(line, "%4d-%2d-%2d,%15[^,]", &y, &m, &d, type) != 4 ||
		    cw_day_kind_parse(type) < 0 || nrows == sizeof rows / sizeof rows[0]) {
			fprintf(stderr, "%s:%d: bad row\n", path, lineno);
			fclose(f);
			return -1;
		}
		struct row r = {y, m, d, (enum cw_day_kind)cw_day_kind_parse(type)};
		rows[nrows++] = r;
		if (cw_calendar_set(cn, y, m, d, r.kind) != CW_EC_OK) {
			fprintf(stderr, "%s:%d: rejected\n", path, lineno);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

static int free_csv(void **state)
{
	(void)state;
	cw_calendar_free(cn);
	return 0;
}

static int64_t T(const char *s)
{
	int64_t t;
	if (!cw_time_parse(s, &t))
		fail_msg("bad time literal %s", s);
	return t;
}

static int64_t D(int y, int m, int d)
{
	return cw_day_from_civil(y, m, d);
}

static void expect_time(const char *what, int64_t got, const char *want)
{
	char buf[32];
	cw_time_format(got, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		fail_msg("%s: got %s, want %s", what, buf, want);
}

static void due_days(const char *from, int n, const char *want)
{
	int64_t due = 0;
	char what[96];
	snprintf(what, sizeof what, "%d days from %s", n, from);
	enum cw_ec ec = cw_due_days(cn, T(from), n, &due);
	if (ec != CW_EC_OK)
		fail_msg("%s: %s", what, cw_ec_name(ec));
	expect_time(what, due, want);
}

static void due_wdays(const char *from, int n, const char *want)
{
	int64_t due = 0;
	char what[96];
	snprintf(what, sizeof what, "%d working days from %s", n, from);
	enum cw_ec ec = cw_due_working_days(cn, NULL, T(from), n, &due);
	if (ec != CW_EC_OK)
		fail_msg("%s: %s", what, cw_ec_name(ec));
	expect_time(what, due, want);
	if (n > 0 && cw_working_days_between(cn, T(from), due) != n)
		fail_msg("%s: between gives %lld", what,
			 (long long)cw_working_days_between(cn, T(from), due));
}

static void due_whours(const char *from, int n, const char *want)
{
	int64_t due = 0;
	char what[96];
	snprintf(what, sizeof what, "%d working hours from %s", n, from);
	enum cw_ec ec = cw_due_working_hours(cn, NULL, T(from), n, &due);
	if (ec != CW_EC_OK)
		fail_msg("%s: %s", what, cw_ec_name(ec));
	expect_time(what, due, want);
	if (cw_working_minutes_between(cn, NULL, T(from), due) != n * 60)
		fail_msg("%s: between gives %lld minutes", what,
			 (long long)cw_working_minutes_between(cn, NULL, T(from), due));
}

/* ---- day numbers ---- */

static void test_day_numbers(void **state)
{
	(void)state;
	assert_int_equal(D(1970, 1, 1), 0);
	/* 1970..2025 is 56 years with 14 leap years (1972 … 2024): 56 * 365 + 14. */
	assert_int_equal(D(2026, 1, 1), 20454);
	/* 1970..9999 is 8030 years; leap years: 2007 multiples of 4 (1972 … 9996) less the
	 * 60 centuries 2100 … 9900 not divisible by 400, so 1947; 10000-01-01 is day
	 * 8030 * 365 + 1947 = 2932897 and the last supported day is one before. */
	assert_int_equal(D(9999, 12, 31), 2932896);
	int y, m, d;
	cw_day_to_civil(20454 + 59, &y, &m, &d); /* Jan 31 + Feb 28 days later: March 1 */
	assert_int_equal(y, 2026);
	assert_int_equal(m, 3);
	assert_int_equal(d, 1);
	cw_day_to_civil(2932896, &y, &m, &d);
	assert_true(y == 9999 && m == 12 && d == 31);

	/* 2026-01-01 is a Thursday, 2026-01-04 a Sunday, 2026-10-05 a Monday. */
	assert_int_equal(cw_day_weekday(D(2026, 1, 1)), 4);
	assert_int_equal(cw_day_weekday(D(2026, 1, 4)), 7);
	assert_int_equal(cw_day_weekday(D(2026, 10, 5)), 1);
	assert_int_equal(cw_day_weekday(0), 4); /* 1970-01-01, a Thursday */
	assert_int_equal(cw_day_weekday(-1), 3);

	/* Local dates: 16:00 UTC is already midnight in CST. */
	assert_int_equal(cw_day_of(T("2026-01-03T15:59:59Z")), D(2026, 1, 3));
	assert_int_equal(cw_day_of(T("2026-01-03T16:00:00Z")), D(2026, 1, 4));
	expect_time("day start", cw_day_start(D(2026, 1, 4)), "2026-01-04T00:00:00+08:00");

	int64_t day;
	assert_true(cw_day_parse("2026-10-05", &day));
	assert_int_equal(day, D(2026, 10, 5));
	assert_true(cw_day_parse("2024-02-29", &day));
	assert_false(cw_day_parse("2026-02-29", &day));
	assert_false(cw_day_parse("2026-02-30", &day));
	assert_false(cw_day_parse("2026-1-04", &day));
	assert_false(cw_day_parse("2026-01-04x", &day));
	assert_false(cw_day_parse("1969-12-31", &day));
	assert_false(cw_day_parse("", &day));
	assert_false(cw_day_parse(NULL, &day));
	char buf[11];
	cw_day_format(D(2026, 2, 14), buf, sizeof buf);
	assert_string_equal(buf, "2026-02-14");

	assert_true(cw_date_valid(2024, 2, 29));
	assert_false(cw_date_valid(2025, 2, 29));
	assert_false(cw_date_valid(2100, 2, 29)); /* a century not divisible by 400 */
	assert_true(cw_date_valid(2000, 2, 29));
	assert_false(cw_date_valid(2026, 4, 31));
	assert_false(cw_date_valid(2026, 13, 1));
	assert_false(cw_date_valid(2026, 0, 1));
	assert_false(cw_date_valid(2026, 1, 0));
	assert_false(cw_date_valid(1969, 12, 31));
	assert_false(cw_date_valid(10000, 1, 1));

	assert_string_equal(cw_day_kind_name(CW_DAY_OFF), "off");
	assert_string_equal(cw_day_kind_name(CW_DAY_WORK), "work");
	assert_string_equal(cw_day_kind_name(CW_DAY_PLAIN), "plain");
	assert_int_equal(cw_day_kind_parse("off"), CW_DAY_OFF);
	assert_int_equal(cw_day_kind_parse("work"), CW_DAY_WORK);
	assert_int_equal(cw_day_kind_parse("plain"), -1);
	assert_int_equal(cw_day_kind_parse("OFF"), -1);
	assert_int_equal(cw_day_kind_parse(NULL), -1);
}

/* ---- the real table ---- */

static bool in_list(int m, int d, const int (*list)[2], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i][0] == m && list[i][1] == d)
			return true;
	return false;
}

static void test_table_2026(void **state)
{
	(void)state;
	/* The file holds 2024-2026: 28 + 8, 28 + 5 and 33 + 6 rows. */
	assert_int_equal(cw_calendar_count(cn), 108);
	assert_true(cw_calendar_has_year(cn, 2024));
	assert_true(cw_calendar_has_year(cn, 2025));
	assert_true(cw_calendar_has_year(cn, 2026));
	assert_false(cw_calendar_has_year(cn, 2023));
	assert_false(cw_calendar_has_year(cn, 2027));
	assert_false(cw_calendar_has_year(NULL, 2026));

	/* The facts of DOMAIN.md §3. */
	assert_true(cw_calendar_is_working_day(cn, 2026, 1, 4));   /* Sunday, make-up day */
	assert_false(cw_calendar_is_working_day(cn, 2026, 10, 5)); /* Monday, National Day */
	assert_true(cw_calendar_is_working_day(cn, 2026, 2, 14));  /* Saturday, make-up */
	assert_true(cw_calendar_is_working_day(cn, 2026, 2, 28));  /* Saturday, make-up */
	assert_true(cw_calendar_is_working_day(cn, 2026, 10, 10)); /* Saturday, make-up */
	assert_false(cw_calendar_is_working_day(cn, 2026, 10, 11)); /* a plain Sunday */
	assert_true(cw_calendar_is_working_day(cn, 2026, 10, 9));  /* a plain Friday */
	assert_false(cw_calendar_is_working_day(cn, 2026, 1, 1));  /* Thursday, New Year */
	assert_false(cw_calendar_is_working_day(cn, 2026, 6, 19)); /* Friday, Dragon Boat */
	assert_false(cw_calendar_is_working_day(cn, 2026, 2, 30)); /* no such date */
	assert_int_equal(cw_calendar_kind(cn, D(2026, 1, 3)), CW_DAY_OFF); /* a Saturday */
	assert_int_equal(cw_calendar_kind(cn, D(2026, 1, 4)), CW_DAY_WORK);
	assert_int_equal(cw_calendar_kind(cn, D(2026, 1, 5)), CW_DAY_PLAIN);
	/* 2025 and 2024 too: 2025-09-28 a Sunday make-up day, 2025-10-08 Wednesday off. */
	assert_true(cw_calendar_is_working_day(cn, 2025, 9, 28));
	assert_false(cw_calendar_is_working_day(cn, 2025, 10, 8));
	assert_true(cw_calendar_is_working_day(cn, 2024, 2, 4));

	/* Every day of 2026 against DOMAIN.md's list, weekdays from the C library. */
	static const int off[][2] = {
	    {1, 1},   {1, 2},   {1, 3},   {2, 15},  {2, 16},  {2, 17}, {2, 18}, {2, 19}, {2, 20},
	    {2, 21},  {2, 22},  {2, 23},  {4, 4},   {4, 5},   {4, 6},  {5, 1},  {5, 2},  {5, 3},
	    {5, 4},   {5, 5},   {6, 19},  {6, 20},  {6, 21},  {9, 25}, {9, 26}, {9, 27}, {10, 1},
	    {10, 2},  {10, 3},  {10, 4},  {10, 5},  {10, 6},  {10, 7}};
	static const int work[][2] = {{1, 4}, {2, 14}, {2, 28}, {5, 9}, {9, 20}, {10, 10}};
	int working = 0;
	for (int m = 1; m <= 12; m++) {
		for (int d = 1; d <= 31; d++) {
			if (!cw_date_valid(2026, m, d))
				continue;
			struct tm tm = {.tm_year = 126, .tm_mon = m - 1, .tm_mday = d, .tm_hour = 12};
			time_t t = timegm(&tm);
			struct tm out;
			gmtime_r(&t, &out);
			bool weekday = out.tm_wday >= 1 && out.tm_wday <= 5;
			bool want = (weekday && !in_list(m, d, off, 33)) || in_list(m, d, work, 6);
			if (cw_calendar_is_working_day(cn, 2026, m, d) != want)
				fail_msg("2026-%02d-%02d: working %d, want %d", m, d, !want, want);
			working += want;
		}
	}
	/* 2026 starts on a Thursday and has 365 days: 52 weeks and a Thursday, so 261
	 * Mon-Fri days. Off on Mon-Fri: 1/1, 1/2; 2/16-2/20, 2/23; 4/6; 5/1, 5/4, 5/5;
	 * 6/19; 9/25; 10/1, 10/2, 10/5, 10/6, 10/7 = 2 + 6 + 1 + 3 + 1 + 1 + 5 = 19. Plus
	 * the 6 make-up days: 261 - 19 + 6 = 248 working days. */
	assert_int_equal(working, 248);
	assert_int_equal(cw_working_days_between(cn, T("2025-12-31T12:00:00+08:00"),
						 T("2026-12-31T12:00:00+08:00")),
			 248);
}

static void test_year_not_listed(void **state)
{
	(void)state;
	/* 2027 is not in the file: plain Mon-Fri. 2027-01-01 is a Friday (really New Year's
	 * Day, but unpublished), 2027-01-02 a Saturday. */
	assert_false(cw_calendar_has_year(cn, 2027));
	assert_true(cw_calendar_is_working_day(cn, 2027, 1, 1));
	assert_false(cw_calendar_is_working_day(cn, 2027, 1, 2));
	/* 5 working days from Wednesday 2026-12-30: 12/31 (1), 2027-01-01 Friday (2), 1/4
	 * Monday (3), 1/5 (4), 1/6 (5). */
	due_wdays("2026-12-30T10:00:00+08:00", 5, "2027-01-06T17:30:00+08:00");
	/* …and the caller learns that the deadline rests on an unpublished year. */
	assert_false(cw_calendar_covers(cn, T("2026-12-30T10:00:00+08:00"),
					T("2027-01-06T17:30:00+08:00")));
	assert_true(cw_calendar_covers(cn, T("2024-01-01"), T("2026-12-31T23:59:59+08:00")));
	assert_false(cw_calendar_covers(cn, T("2023-12-31"), T("2024-01-02")));
	assert_false(cw_calendar_covers(NULL, T("2026-01-01"), T("2026-01-02")));

	/* Without a calendar at all every year is plain: 2026-01-01 is a Thursday. */
	assert_true(cw_calendar_is_working_dayn(NULL, D(2026, 1, 1)));
	assert_false(cw_calendar_is_working_dayn(NULL, D(2026, 1, 4)));
	int64_t due;
	/* 2 working days from Friday 2026-01-02: Monday 1/5 (1), Tuesday 1/6 (2). */
	assert_int_equal(cw_due_working_days(NULL, NULL, T("2026-01-02T09:00:00+08:00"), 2, &due),
			 CW_EC_OK);
	expect_time("plain", due, "2026-01-06T17:30:00+08:00");
}

static void test_set_rejects(void **state)
{
	(void)state;
	struct cw_calendar *c = cw_calendar_new();
	assert_non_null(c);
	assert_int_equal(cw_calendar_set(c, 2026, 2, 30, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2025, 2, 29, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 4, 31, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 13, 1, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 0, 1, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 1, 0, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 1969, 12, 31, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 10000, 1, 1, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 3, 3, CW_DAY_PLAIN), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_set(c, 2026, 3, 3, (enum cw_day_kind)7),
			 CW_EC_INVALID_CALENDAR);
	/* A make-up working day on Tuesday 2026-03-03 changes nothing: a typo. */
	assert_int_equal(cw_calendar_set(c, 2026, 3, 3, CW_DAY_WORK), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_count(c), 0);
	assert_false(cw_calendar_has_year(c, 2026));

	/* Saturday 2026-10-03 off; again off is fine, as make-up day it conflicts. */
	assert_int_equal(cw_calendar_set(c, 2026, 10, 3, CW_DAY_OFF), CW_EC_OK);
	assert_int_equal(cw_calendar_set(c, 2026, 10, 3, CW_DAY_OFF), CW_EC_OK);
	assert_int_equal(cw_calendar_set(c, 2026, 10, 3, CW_DAY_WORK), CW_EC_INVALID_CALENDAR);
	assert_int_equal(cw_calendar_count(c), 1);
	assert_int_equal(cw_calendar_kind(c, D(2026, 10, 3)), CW_DAY_OFF);
	assert_true(cw_calendar_has_year(c, 2026));
	cw_calendar_free(c);
	cw_calendar_free(NULL);

	/* The bound on dates: CW_CALENDAR_MAX_DATES days from 1970 fit, one more does not. */
	c = cw_calendar_new();
	for (int64_t day = 0; day < CW_CALENDAR_MAX_DATES; day++) {
		int y, m, d;
		cw_day_to_civil(day, &y, &m, &d);
		if (cw_calendar_set(c, y, m, d, CW_DAY_OFF) != CW_EC_OK)
			fail_msg("day %lld rejected", (long long)day);
	}
	assert_int_equal(cw_calendar_set(c, 2026, 10, 5, CW_DAY_OFF), CW_EC_INVALID_CALENDAR);
	/* Days 0-19999 are off. 2024-01-01 is day 54 * 365 + 13 leap days (1972 … 2020) =
	 * 19723, and 2024-10-01 is 274 days later (a leap year's Jan-Sep): 19997. So day
	 * 19999 is Thursday 2024-10-03 and the first working day is Friday 2024-10-04. */
	int64_t due;
	assert_int_equal(cw_due_working_days(c, NULL, T("1970-01-01T10:00:00+08:00"), 1, &due),
			 CW_EC_OK);
	expect_time("after 20000 days off", due, "2024-10-04T17:30:00+08:00");
	cw_calendar_free(c);
}

/* The calendar must not depend on the order its dates arrive in. */
static void test_set_any_order(void **state)
{
	(void)state;
	struct cw_calendar *rev = cw_calendar_new(), *mix = cw_calendar_new();
	for (size_t i = nrows; i-- > 0;)
		assert_int_equal(cw_calendar_set(rev, rows[i].y, rows[i].m, rows[i].d, rows[i].kind),
				 CW_EC_OK);
	/* A fixed shuffle: stride 37 through the rows (37 and 108 are coprime). */
	for (size_t i = 0; i < nrows; i++) {
		const struct row *r = &rows[(i * 37) % nrows];
		assert_int_equal(cw_calendar_set(mix, r->y, r->m, r->d, r->kind), CW_EC_OK);
	}
	assert_int_equal(cw_calendar_count(rev), nrows);
	assert_int_equal(cw_calendar_count(mix), nrows);
	int64_t a = D(2023, 12, 1), b = D(2027, 2, 1);
	for (int64_t x = a; x < b; x++) {
		assert_int_equal(cw_calendar_kind(rev, x), cw_calendar_kind(cn, x));
		assert_int_equal(cw_calendar_kind(mix, x), cw_calendar_kind(cn, x));
		int64_t tx = cw_day_start(x) + 3600, ty = cw_day_start(b - (x - a) % 97) + 3600;
		int64_t want = cw_working_days_between(cn, tx, ty);
		assert_int_equal(cw_working_days_between(rev, tx, ty), want);
		assert_int_equal(cw_working_days_between(mix, tx, ty), want);
	}
	cw_calendar_free(rev);
	cw_calendar_free(mix);
}

/* ---- working hours ---- */

static void test_work_hours_parse(void **state)
{
	(void)state;
	struct cw_work_hours h, def = cw_work_hours_default();
	char buf[64];
	assert_int_equal(def.n, 2);
	assert_int_equal(def.span[0].start, 510);  /* 08:30 */
	assert_int_equal(def.span[0].end, 720);    /* 12:00 */
	assert_int_equal(def.span[1].start, 870);  /* 14:30 */
	assert_int_equal(def.span[1].end, 1050);   /* 17:30 */
	assert_int_equal(cw_work_hours_minutes(&def), 390); /* 3.5 h + 3 h */
	cw_work_hours_format(&def, buf, sizeof buf);
	assert_string_equal(buf, "08:30-12:00,14:30-17:30");

	assert_int_equal(cw_work_hours_parse("08:30-12:00,14:30-17:30", &h), CW_EC_OK);
	assert_memory_equal(&h, &def, sizeof h);
	assert_int_equal(cw_work_hours_parse(" 8:30-12:00 ,\t14:30-17:30 ", &h), CW_EC_OK);
	assert_memory_equal(&h, &def, sizeof h);
	assert_int_equal(cw_work_hours_parse("00:00-24:00", &h), CW_EC_OK);
	assert_true(h.n == 1 && h.span[0].start == 0 && h.span[0].end == 1440);
	cw_work_hours_format(&h, buf, sizeof buf);
	assert_string_equal(buf, "00:00-24:00");
	/* Touching spans do not overlap. */
	assert_int_equal(cw_work_hours_parse("08:00-12:00,12:00-13:00", &h), CW_EC_OK);
	assert_int_equal(h.n, 2);
	assert_int_equal(cw_work_hours_parse("06:00-07:00,08:00-09:00,10:00-11:00,23:59-24:00", &h),
			 CW_EC_OK);
	assert_int_equal(h.n, 4);
	assert_int_equal(cw_work_hours_minutes(&h), 181);
	cw_work_hours_format(&h, buf, sizeof buf);
	assert_string_equal(buf, "06:00-07:00,08:00-09:00,10:00-11:00,23:59-24:00");

	static const char *const bad[] = {
	    "",                                  /* empty */
	    "   ",                               /* blank */
	    "08:30-12:00,",                      /* empty last span */
	    ",08:30-12:00",                      /* empty first span */
	    "08:30-12:00,,14:30-17:30",          /* empty middle span */
	    "12:00-08:30",                       /* reversed */
	    "08:30-08:30",                       /* empty span */
	    "08:30-12:00,11:00-14:00",           /* overlapping */
	    "08:30-12:00,08:30-12:00",           /* the same span twice */
	    "14:30-17:30,08:30-12:00",           /* out of order */
	    "25:00-26:00",                       /* no such hour */
	    "08:60-09:00",                       /* no such minute */
	    "23:00-24:30",                       /* past 24:00 */
	    "24:00-24:00",                       /* 24:00 as a start */
	    "08:30",                             /* no end */
	    "08:30-",                            /* no end */
	    "-12:00",                            /* no start */
	    "0830-1200",                         /* no colons */
	    "08:3-12:00",                        /* one-digit minutes */
	    "008:30-12:00",                      /* three-digit hour */
	    "-1:00-02:00",                       /* negative */
	    "08:30-12:00;14:30-17:30",           /* wrong separator */
	    "08:30-12:00 14:30-17:30",           /* no separator */
	    "08:30 - 12:00",                     /* blanks inside a span */
	    "08:30-12:00x",                      /* trailing junk */
	    "08:30-12:00,14:30-17:30,18:00-19:00,19:30-20:00,20:30-21:00", /* five spans */
	    "０８:30-12:00",                      /* full-width digits */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct cw_work_hours untouched = def;
		if (cw_work_hours_parse(bad[i], &untouched) != CW_EC_INVALID_WORK_HOURS)
			fail_msg("working hours \"%s\" accepted", bad[i]);
		assert_memory_equal(&untouched, &def, sizeof def);
	}
	assert_int_equal(cw_work_hours_parse(NULL, &h), CW_EC_INVALID_WORK_HOURS);

	/* Hand-built hours go through the same checks. */
	struct cw_work_hours x = def;
	assert_int_equal(cw_work_hours_check(&x), CW_EC_OK);
	x.n = 0;
	assert_int_equal(cw_work_hours_check(&x), CW_EC_INVALID_WORK_HOURS);
	x.n = 5;
	assert_int_equal(cw_work_hours_check(&x), CW_EC_INVALID_WORK_HOURS);
	x = def;
	x.span[0].start = -1;
	assert_int_equal(cw_work_hours_check(&x), CW_EC_INVALID_WORK_HOURS);
	x = def;
	x.span[1].end = 1441;
	assert_int_equal(cw_work_hours_check(&x), CW_EC_INVALID_WORK_HOURS);
	assert_int_equal(cw_work_hours_check(NULL), CW_EC_INVALID_WORK_HOURS);

	/* Deadlines refuse bad hours rather than guess. */
	int64_t due;
	x.span[1].end = 1441;
	assert_int_equal(cw_due_working_days(cn, &x, T("2026-03-03"), 1, &due),
			 CW_EC_INVALID_WORK_HOURS);
	assert_int_equal(cw_due_working_hours(cn, &x, T("2026-03-03"), 1, &due),
			 CW_EC_INVALID_WORK_HOURS);
	assert_int_equal(cw_working_minutes_between(cn, &x, T("2026-03-03"), T("2026-03-04")), 0);
}

/* ---- deadlines ---- */

static void test_due_calendar_days(void **state)
{
	(void)state;
	/* 15 days from Sunday 2026-09-20 (itself a make-up working day, not counted): the
	 * 15th day after is 10/05, a Monday of National Day; 10/06 and 10/07 are off too,
	 * so the period ends on Thursday 10/08 at 24:00. */
	due_days("2026-09-20T10:00:00+08:00", 15, "2026-10-08T23:59:59+08:00");
	/* §34's 60 days from Monday 2026-08-03: 28 more days of August, 30 of September and
	 * 2 of October: 10/02, off until 10/07, so 10/08. */
	due_days("2026-08-03T09:15:00+08:00", 60, "2026-10-08T23:59:59+08:00");
	/* 60 days from Monday 2026-03-02: 29 more days of March, 30 of April, 1 of May:
	 * 05/01 Friday, Labour Day, off until 05/05; Wednesday 05/06. */
	due_days("2026-03-02T16:00:00+08:00", 60, "2026-05-06T23:59:59+08:00");
	/* 60 days from 2026-09-01: 29 + 31 = 60 lands on Saturday 10/31 -> Monday 11/02. */
	due_days("2026-09-01T08:00:00+08:00", 60, "2026-11-02T23:59:59+08:00");
	/* 15 days from Sunday 2026-02-01: 02/16, inside Spring Festival (02/15-02/23 off):
	 * Tuesday 02/24. */
	due_days("2026-02-01T11:00:00+08:00", 15, "2026-02-24T23:59:59+08:00");
	/* 10 days from 2026-09-30: Saturday 10/10, a make-up working day, stays. */
	due_days("2026-09-30T10:00:00+08:00", 10, "2026-10-10T23:59:59+08:00");
	/* 5 days from Monday 2026-03-02: Saturday 03/07, a plain weekend: Monday 03/09. */
	due_days("2026-03-02T10:00:00+08:00", 5, "2026-03-09T23:59:59+08:00");
	/* 30 days (§35) from 2026-03-10: 21 more days of March, 9 of April: Thursday 04/09. */
	due_days("2026-03-10T10:00:00+08:00", 30, "2026-04-09T23:59:59+08:00");
	/* The start day is not counted even at 00:00: 1 day from Tuesday 03/03 00:00 is 03/04. */
	due_days("2026-03-03T00:00:00+08:00", 1, "2026-03-04T23:59:59+08:00");
	/* CST, not UTC: 2026-03-02T17:00Z is already Tuesday 03/03 01:00 in CST. */
	due_days("2026-03-02T17:00:00Z", 1, "2026-03-04T23:59:59+08:00");
	/* n = 0: the same day, moved off a rest day like any other. */
	due_days("2026-03-03T10:00:00+08:00", 0, "2026-03-03T23:59:59+08:00");
	due_days("2026-10-03T10:00:00+08:00", 0, "2026-10-08T23:59:59+08:00");
	/* 3650 days from 2026-01-01: 2026-2035 are 10 years with 2 leap days (2028, 2032),
	 * 3652 days to 2036-01-01, so 3650 land on 2035-12-30. 3652 days are 521 weeks and
	 * 5 days, so 2036-01-01 is Thursday + 5 = Tuesday and 2035-12-30 a Sunday. 2035 is
	 * not listed, so plain: Monday 2035-12-31. */
	due_days("2026-01-01T10:00:00+08:00", 3650, "2035-12-31T23:59:59+08:00");
}

static void test_due_working_days(void **state)
{
	(void)state;
	/* 5 working days from Thursday 2026-02-12 10:00: 02/13 Friday (1), 02/14 the make-up
	 * Saturday (2), 02/15-02/23 Spring Festival, 02/24 (3), 02/25 (4), 02/26 (5). Close
	 * of business 17:30. */
	due_wdays("2026-02-12T10:00:00+08:00", 5, "2026-02-26T17:30:00+08:00");
	/* §23: a body given a matter outside its remit on Tuesday 2026-09-29 objects within 5
	 * working days: 09/30 (1), 10/01-10/07 off, 10/08 (2), 10/09 (3), Saturday 10/10
	 * make-up (4), Sunday 10/11 rest, Monday 10/12 (5). */
	due_wdays("2026-09-29T15:00:00+08:00", 5, "2026-10-12T17:30:00+08:00");
	int64_t from = T("2026-09-29T15:00:00+08:00");
	/* Objecting on 10/09 is 3 working days in: in time. On 10/13 it is 6: too late. */
	assert_int_equal(cw_working_days_between(cn, from, T("2026-10-09T10:00:00+08:00")), 3);
	assert_int_equal(cw_working_days_between(cn, from, T("2026-10-13T09:00:00+08:00")), 6);
	/* The same day is 0, and the order matters: back from 10/12 to 09/29 is -5. */
	assert_int_equal(cw_working_days_between(cn, from, T("2026-09-29T17:00:00+08:00")), 0);
	assert_int_equal(cw_working_days_between(cn, T("2026-10-12T12:00:00+08:00"), from), -5);
	/* Holidays after from count nothing: 09/30 is the only working day up to 10/07. */
	assert_int_equal(cw_working_days_between(cn, from, T("2026-10-07T12:00:00+08:00")), 1);
	/* From Friday 2026-09-18: Sunday 09/20 is a make-up day (1), 09/21 (2), 09/22 (3),
	 * 09/23 (4), 09/24 (5). */
	due_wdays("2026-09-18T09:00:00+08:00", 5, "2026-09-24T17:30:00+08:00");
	/* The start day is not counted even before opening time: 1 working day from Tuesday
	 * 2026-03-03 07:00 is Wednesday 03/04, not Tuesday. */
	due_wdays("2026-03-03T07:00:00+08:00", 1, "2026-03-04T17:30:00+08:00");
	/* Started on a holiday: 1 working day from Saturday 2026-01-03 (off) is the make-up
	 * Sunday 01/04. */
	due_wdays("2026-01-03T10:00:00+08:00", 1, "2026-01-04T17:30:00+08:00");
	/* 15 working days (a bad rating's rectification) from Thursday 2026-04-30: 05/01-05/05
	 * off; 05/06 (1), 05/07 (2), 05/08 (3), Saturday 05/09 make-up (4), 05/11-05/15 (5-9),
	 * 05/18-05/22 (10-14), 05/25 (15). */
	due_wdays("2026-04-30T16:00:00+08:00", 15, "2026-05-25T17:30:00+08:00");
	/* n = 0: within the same working day. */
	due_wdays("2026-03-03T10:00:00+08:00", 0, "2026-03-03T17:30:00+08:00");
	due_wdays("2026-03-03T17:30:00+08:00", 0, "2026-03-03T17:30:00+08:00");
	due_wdays("2026-03-03T17:30:01+08:00", 0, "2026-03-04T17:30:00+08:00");
	due_wdays("2026-01-03T10:00:00+08:00", 0, "2026-01-04T17:30:00+08:00");
	due_wdays("2026-01-04T09:00:00+08:00", 0, "2026-01-04T17:30:00+08:00");

	/* Close of business follows the configured hours; a span to 24:00 ends at 23:59:59. */
	struct cw_work_hours h;
	int64_t due;
	assert_int_equal(cw_work_hours_parse("09:00-12:00,13:00-18:00", &h), CW_EC_OK);
	/* Friday 2026-02-13 + 1 working day = the make-up Saturday 02/14. */
	assert_int_equal(cw_due_working_days(cn, &h, T("2026-02-13T10:00:00+08:00"), 1, &due),
			 CW_EC_OK);
	expect_time("custom hours", due, "2026-02-14T18:00:00+08:00");
	assert_int_equal(cw_work_hours_parse("00:00-24:00", &h), CW_EC_OK);
	assert_int_equal(cw_due_working_days(cn, &h, T("2026-02-13T10:00:00+08:00"), 1, &due),
			 CW_EC_OK);
	expect_time("round-the-clock", due, "2026-02-14T23:59:59+08:00");
}

static void test_due_working_hours(void **state)
{
	(void)state;
	/* Across the lunch break: Tuesday 2026-03-03 11:00 + 2 h = 1 h to 12:00, 1 h from
	 * 14:30: 15:30. */
	due_whours("2026-03-03T11:00:00+08:00", 2, "2026-03-03T15:30:00+08:00");
	/* Across a weekend: Friday 2026-03-06 16:30 + 2 h = 1 h to 17:30, Monday 03/09 08:30
	 * + 1 h: 09:30. */
	due_whours("2026-03-06T16:30:00+08:00", 2, "2026-03-09T09:30:00+08:00");
	/* Across Golden Week: Wednesday 2026-09-30 16:00 + 8 h = 1.5 h to 17:30, then
	 * 10/01-10/07 off, then Thursday 10/08 a whole day of 3.5 + 3 = 6.5 h, used up at
	 * 17:30 exactly (the deadline is the end of the span, not the next morning). */
	due_whours("2026-09-30T16:00:00+08:00", 8, "2026-10-08T17:30:00+08:00");
	/* One hour more: 1.5 + 6.5 = 8 h, the 9th is Friday 10/09 08:30-09:30. */
	due_whours("2026-09-30T16:00:00+08:00", 9, "2026-10-09T09:30:00+08:00");
	/* Before opening: Tuesday 03/03 07:00 + 1 h counts from 08:30: 09:30. */
	due_whours("2026-03-03T07:00:00+08:00", 1, "2026-03-03T09:30:00+08:00");
	/* At exactly 12:00 the morning span is over: counts from 14:30: 15:30. */
	due_whours("2026-03-03T12:00:00+08:00", 1, "2026-03-03T15:30:00+08:00");
	/* During lunch likewise. */
	due_whours("2026-03-03T13:00:00+08:00", 1, "2026-03-03T15:30:00+08:00");
	/* At exactly 17:30 the day is over: Wednesday 03/04 09:30. */
	due_whours("2026-03-03T17:30:00+08:00", 1, "2026-03-04T09:30:00+08:00");
	/* Three hours from opening: 11:30. */
	due_whours("2026-03-03T08:30:00+08:00", 3, "2026-03-03T11:30:00+08:00");
	/* Friday 2026-02-13 17:30 + 4 h: the make-up Saturday 02/14 gives 3.5 h to 12:00,
	 * then 0.5 h from 14:30: 15:00. */
	due_whours("2026-02-13T17:30:00+08:00", 4, "2026-02-14T15:00:00+08:00");
	/* 24 h from Friday 2026-02-13 09:00: 02/13 gives 3 + 3 = 6 h, 02/14 6.5 h (12.5),
	 * Spring Festival until 02/23, 02/24 6.5 h (19), 02/25 3.5 h in the morning (22.5)
	 * and 1.5 h from 14:30: 16:00. */
	due_whours("2026-02-13T09:00:00+08:00", 24, "2026-02-25T16:00:00+08:00");
	/* From Saturday 2026-10-03 (off) 10:00: nothing until Thursday 10/08 08:30; 2 h: 10:30. */
	due_whours("2026-10-03T10:00:00+08:00", 2, "2026-10-08T10:30:00+08:00");
	/* n = 0 is `from` itself. */
	due_whours("2026-03-03T13:00:00+08:00", 0, "2026-03-03T13:00:00+08:00");

	/* Minutes, to the second: 10:00:30 + 1 min = 10:01:30; 11:59:30 + 1 min = 14:30:30. */
	int64_t due;
	assert_int_equal(cw_due_working_minutes(cn, NULL, T("2026-03-03T10:00:30+08:00"), 1, &due),
			 CW_EC_OK);
	expect_time("1 minute", due, "2026-03-03T10:01:30+08:00");
	assert_int_equal(cw_due_working_minutes(cn, NULL, T("2026-03-03T11:59:30+08:00"), 1, &due),
			 CW_EC_OK);
	expect_time("1 minute over lunch", due, "2026-03-03T14:30:30+08:00");
	/* A whole morning, 210 minutes from 08:30, is used up at 12:00, not 14:30. */
	assert_int_equal(cw_due_working_minutes(cn, NULL, T("2026-03-03T08:30:00+08:00"), 210, &due),
			 CW_EC_OK);
	expect_time("a morning", due, "2026-03-03T12:00:00+08:00");
	/* 90 minutes (a 1.5 h category) from 16:30 Friday 03/06: 60 on Friday, 30 on Monday. */
	assert_int_equal(cw_due_working_minutes(cn, NULL, T("2026-03-06T16:30:00+08:00"), 90, &due),
			 CW_EC_OK);
	expect_time("90 minutes", due, "2026-03-09T09:00:00+08:00");

	/* Elapsed working minutes, by hand: */
	/* Friday 16:30 to Monday 09:30: 60 + 60. */
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-03-06T16:30:00+08:00"),
						    T("2026-03-09T09:30:00+08:00")),
			 120);
	/* Golden Week contributes nothing: 90 on 09/30, 390 on 10/08. */
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-09-30T16:00:00+08:00"),
						    T("2026-10-08T17:30:00+08:00")),
			 480);
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-10-08T17:30:00+08:00"),
						    T("2026-09-30T16:00:00+08:00")),
			 -480);
	/* Inside lunch or a holiday nothing elapses. */
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-03-03T12:10:00+08:00"),
						    T("2026-03-03T14:20:00+08:00")),
			 0);
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-10-01"), T("2026-10-08")), 0);
	/* 59 seconds are 0 whole minutes. */
	assert_int_equal(cw_working_minutes_between(cn, NULL, T("2026-03-03T10:00:00+08:00"),
						    T("2026-03-03T10:00:59+08:00")),
			 0);
	assert_int_equal(cw_working_seconds_between(cn, NULL, T("2026-03-03T10:00:00+08:00"),
						    T("2026-03-03T10:00:59+08:00")),
			 59);
}

static void test_bounds(void **state)
{
	(void)state;
	int64_t due = 42, from = T("2026-03-03T10:00:00+08:00");
	assert_int_equal(cw_due_days(cn, from, -1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_days(cn, NULL, from, -1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_hours(cn, NULL, from, -1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_minutes(cn, NULL, from, -1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_days(cn, from, CW_PERIOD_DAYS_MAX + 1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_days(cn, NULL, from, CW_PERIOD_DAYS_MAX + 1, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_hours(cn, NULL, from, CW_PERIOD_HOURS_MAX + 1, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_minutes(cn, NULL, from, CW_PERIOD_HOURS_MAX * 60 + 1, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(due, 42);

	/* The largest periods are fine and quick. */
	assert_int_equal(cw_due_working_days(cn, NULL, from, CW_PERIOD_DAYS_MAX, &due), CW_EC_OK);
	assert_int_equal(cw_working_days_between(cn, from, due), CW_PERIOD_DAYS_MAX);
	assert_int_equal(cw_due_working_hours(cn, NULL, from, CW_PERIOD_HOURS_MAX, &due), CW_EC_OK);
	assert_int_equal(cw_working_minutes_between(cn, NULL, from, due), CW_PERIOD_HOURS_MAX * 60);
	/* 87600 h at 6.5 h a day are about 13477 working days; at about 261 a year, 51.6
	 * years: late 2077. */
	assert_true(due > T("2077-01-01") && due < T("2079-01-01"));

	/* Outside 1970-9999, in or out. */
	assert_int_equal(cw_due_days(cn, T("1970-01-01T00:00:00+08:00") - 1, 1, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_days(cn, T("1970-01-01T00:00:00+08:00"), 1, &due), CW_EC_OK);
	expect_time("1970", due, "1970-01-02T23:59:59+08:00"); /* a Friday */
	assert_int_equal(cw_due_days(cn, INT64_MAX, 1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_days(cn, INT64_MIN, 1, &due), CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_hours(cn, NULL, INT64_MAX, 1, &due), CW_EC_INVALID_PERIOD);
	/* 9999-12-30 is a Thursday: 1 day is Friday 12/31, 2 days would be 10000-01-01. */
	assert_int_equal(cw_due_days(cn, T("9999-12-30T10:00:00+08:00"), 1, &due), CW_EC_OK);
	expect_time("9999", due, "9999-12-31T23:59:59+08:00");
	assert_int_equal(cw_due_days(cn, T("9999-12-30T10:00:00+08:00"), 2, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_days(cn, NULL, T("9999-12-30T10:00:00+08:00"), 2, &due),
			 CW_EC_INVALID_PERIOD);
	assert_int_equal(cw_due_working_hours(cn, NULL, T("9999-12-31T10:00:00+08:00"), 8, &due),
			 CW_EC_INVALID_PERIOD);
	/* Elapsed time clamps instead of failing. */
	assert_int_equal(cw_working_days_between(cn, INT64_MIN, INT64_MAX),
			 cw_working_days_between(cn, T("1970-01-01"), T("9999-12-31")));
	assert_true(cw_working_seconds_between(cn, NULL, INT64_MIN, INT64_MAX) > 0);
}

/* A fixed-seed generator, so a failure reproduces. */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void test_property_working_days(void **state)
{
	(void)state;
	int64_t lo = T("2023-06-01"), span = T("2027-06-01") - lo;
	for (int i = 0; i < 2000; i++) {
		int64_t from = lo + (int64_t)(next() % (uint64_t)span);
		int n = 1 + (int)(next() % (i % 10 == 0 ? CW_PERIOD_DAYS_MAX : 400));
		int64_t due;
		assert_int_equal(cw_due_working_days(cn, NULL, from, n, &due), CW_EC_OK);
		int64_t day = cw_day_of(due);
		if (!cw_calendar_is_working_dayn(cn, day) || due <= from ||
		    due != cw_day_start(day) + 1050 * 60 ||
		    cw_working_days_between(cn, from, due) != n)
			fail_msg("%d working days from %lld gives %lld", n, (long long)from,
				 (long long)due);
		/* An independent count, a day at a time, for the shorter ones. */
		if (n <= 400) {
			int count = 0;
			for (int64_t x = cw_day_of(from) + 1; x <= day; x++)
				count += cw_calendar_is_working_dayn(cn, x);
			if (count != n)
				fail_msg("%d working days from %lld: counted %d", n, (long long)from,
					 count);
		}

		/* Working minutes: the inverse holds to the minute, and the deadline is
		 * inside (or at the end of) a span of a working day. */
		int64_t mins = (int64_t)(next() % 6000), mdue;
		assert_int_equal(cw_due_working_minutes(cn, NULL, from, mins, &mdue), CW_EC_OK);
		assert_true(mdue >= from);
		assert_int_equal(cw_working_minutes_between(cn, NULL, from, mdue), mins);
		if (mins > 0) {
			int64_t d = cw_day_of(mdue), sec = mdue - cw_day_start(d);
			bool inside = cw_calendar_is_working_dayn(cn, d) &&
				      ((sec > 510 * 60 && sec <= 720 * 60) ||
				       (sec > 870 * 60 && sec <= 1050 * 60));
			if (!inside)
				fail_msg("%lld minutes from %lld end at %lld", (long long)mins,
					 (long long)from, (long long)mdue);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_day_numbers),
	    cmocka_unit_test(test_table_2026),
	    cmocka_unit_test(test_year_not_listed),
	    cmocka_unit_test(test_set_rejects),
	    cmocka_unit_test(test_set_any_order),
	    cmocka_unit_test(test_work_hours_parse),
	    cmocka_unit_test(test_due_calendar_days),
	    cmocka_unit_test(test_due_working_days),
	    cmocka_unit_test(test_due_working_hours),
	    cmocka_unit_test(test_bounds),
	    cmocka_unit_test(test_property_working_days),
	};
	return cmocka_run_group_tests(tests, load_csv, free_csv);
}
