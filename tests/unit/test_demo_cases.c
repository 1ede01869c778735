/* test_demo_cases.c - unit tests of the pure parts of `demo --cases` (app/demo_cases.h):
 * the random stream and the report times are deterministic for a seed and shaped as
 * intended, and every walk is one the engine takes from start to end (nothing refused,
 * timelines chained, the last entry's status the case's), with the outcomes spread as
 * intended. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/demo_cases.h"
#include "core/calendar.h"
#include "core/case_flow.h"

#define SEED UINT64_C(7)

/* 2026-11-28 00:00 CST, and a calendar with 2026's Spring Festival and National Day. */
static int64_t until_2026(void)
{
	return cw_day_start(cw_day_from_civil(2026, 11, 28));
}

static struct cw_calendar *calendar_2026(void)
{
	struct cw_calendar *cal = cw_calendar_new();
	assert_non_null(cal);
	for (int d = 15; d <= 23; d++)
		assert_int_equal(cw_calendar_set(cal, 2026, 2, d, CW_DAY_OFF), CW_EC_OK);
	for (int d = 1; d <= 7; d++)
		assert_int_equal(cw_calendar_set(cal, 2026, 10, d, CW_DAY_OFF), CW_EC_OK);
	assert_int_equal(cw_calendar_set(cal, 2026, 2, 14, CW_DAY_WORK), CW_EC_OK);
	assert_int_equal(cw_calendar_set(cal, 2026, 2, 28, CW_DAY_WORK), CW_EC_OK);
	assert_int_equal(cw_calendar_set(cal, 2026, 10, 10, CW_DAY_WORK), CW_EC_OK);
	return cal;
}

static void test_rng(void **state)
{
	(void)state;
	struct cw_dc_rng a = cw_dc_rng_for(SEED, 42), b = cw_dc_rng_for(SEED, 42);
	struct cw_dc_rng c = cw_dc_rng_for(SEED, 43), d = cw_dc_rng_for(SEED + 1, 42);
	int same_c = 0, same_d = 0;
	for (int i = 0; i < 1000; i++) {
		uint64_t x = cw_dc_next(&a);
		assert_true(x == cw_dc_next(&b));
		same_c += x == cw_dc_next(&c);
		same_d += x == cw_dc_next(&d);
	}
	assert_int_equal(same_c, 0);
	assert_int_equal(same_d, 0);
	/* A known value: the stream is the same on every machine and in every release that
	 * keeps the demo's figures. */
	struct cw_dc_rng e = cw_dc_rng_for(SEED, 0);
	uint64_t first = cw_dc_next(&e);
	struct cw_dc_rng f = cw_dc_rng_for(SEED, 0);
	assert_true(first == cw_dc_next(&f));

	/* unit and pick */
	double cum[3] = {1, 1, 4}; /* weights 1, 0, 3 */
	int hits[3] = {0};
	struct cw_dc_rng r = cw_dc_rng_for(SEED, 1);
	for (int i = 0; i < 40000; i++) {
		double v = cw_dc_unit(&r);
		assert_true(v >= 0 && v < 1);
		hits[cw_dc_pick(&r, cum, 3)]++;
	}
	assert_int_equal(hits[1], 0);
	assert_in_range(hits[0], 9000, 11000);
	assert_in_range(hits[2], 29000, 31000);
	double none[1] = {0};
	assert_int_equal(cw_dc_pick(&r, none, 1), -1);
	assert_int_equal(cw_dc_pick(&r, none, 0), -1);
}

static void test_times(void **state)
{
	(void)state;
	struct cw_calendar *cal = calendar_2026();
	int64_t until = until_2026(), n = 50000;
	int64_t *t = calloc((size_t)n, sizeof *t), *t2 = calloc((size_t)n, sizeof *t2);
	cw_dc_times(SEED, cal, until, n, t);
	cw_dc_times(SEED, cal, until, n, t2);
	assert_memory_equal(t, t2, (size_t)n * sizeof *t);
	cw_dc_times(SEED + 1, cal, until, n, t2);
	assert_memory_not_equal(t, t2, (size_t)n * sizeof *t);

	int64_t work_days = 0, rest_days = 0, on_work = 0, on_rest = 0, office = 0, night = 0;
	int64_t spring = 0, july = 0;
	for (int64_t i = 0; i < n; i++) {
		assert_true(t[i] >= until - 365 * 86400 && t[i] < until);
		if (i)
			assert_true(t[i - 1] <= t[i]);
		int64_t day = cw_day_of(t[i]);
		int h = (int)((t[i] - cw_day_start(day)) / 3600);
		bool work = cw_calendar_is_working_dayn(cal, day);
		on_work += work;
		on_rest += !work;
		if (work && h >= 8 && h < 18)
			office++;
		if (h < 6)
			night++;
		int y, m, d;
		cw_day_to_civil(day, &y, &m, &d);
		if (y == 2026 && m == 2 && d >= 15 && d <= 23)
			spring++;
		if (m == 7)
			july++;
	}
	for (int64_t day = cw_day_of(until) - 365; day < cw_day_of(until); day++) {
		if (cw_calendar_is_working_dayn(cal, day))
			work_days++;
		else
			rest_days++;
	}
	/* More reports on a working day than on a rest day; most in office hours; few at
	 * night; the Spring Festival quiet, July busy. */
	assert_true((double)on_work / (double)work_days > 1.5 * (double)on_rest / (double)rest_days);
	assert_true(office > n / 2);
	assert_true(night < n / 50);
	assert_true((double)spring / 9 < 0.5 * (double)july / 31);
	free(t);
	free(t2);
	cw_calendar_free(cal);
}

struct tally {
	int64_t cases, closed, rated, rejected, merged, open, overdue, escalated, supervised;
	int64_t reworks, rectifications, returned, extended, suspended, warned;
};

static void check_walk(const struct cw_dc_walk_in *in, const struct cw_dc_walk *w,
		       struct tally *t)
{
	const struct cw_case_kind *k = in->kind;
	assert_int_equal(w->refused, 0);
	assert_true(w->nev >= 1 && w->nev <= CW_DC_MAX_EVENTS);
	assert_string_equal(w->ev[0].what, "create");
	assert_int_equal(w->ev[0].status_before, 0);
	assert_int_equal(w->ev[0].status_after, CW_CASE_ST_REPORTED);
	assert_true(w->ev[0].at == in->created);
	for (int i = 1; i < w->nev; i++) {
		assert_int_equal(w->ev[i].status_before, w->ev[i - 1].status_after);
		assert_true(w->ev[i].at >= w->ev[i - 1].at);
		assert_true(w->ev[i].at <= in->until);
		assert_non_null(cw_case_status_name(k, w->ev[i].status_after));
	}
	assert_int_equal(w->ev[w->nev - 1].status_after, w->st.status);
	assert_true(w->updated_at == w->ev[w->nev - 1].at);
	/* Flags as the scheduler leaves them at the end of the data. */
	if (w->st.overdue)
		assert_true(w->deadline && w->deadline < in->until);
	if (w->st.escalations)
		assert_true(w->st.supervised);
	const char *st = cw_case_status_name(k, w->st.status);
	t->cases++;
	if (!strcmp(st, "closed"))
		t->closed++;
	else if (!strcmp(st, "rejected"))
		t->rejected++;
	else if (!strcmp(st, "merged"))
		t->merged++;
	else if (strcmp(st, "final") && strcmp(st, "reviewed"))
		t->open++;
	t->rated += w->st.ratings > 0;
	t->overdue += w->st.overdue;
	t->escalated += w->st.escalations > 0;
	t->supervised += w->st.supervised;
	t->reworks += w->st.reworks > 0;
	t->rectifications += w->st.rectifications > 0;
	t->extended += w->st.extensions > 0;
	for (int i = 0; i < w->nev; i++) {
		t->returned += !strcmp(w->ev[i].what, "return");
		t->suspended += !strcmp(w->ev[i].what, "suspend");
		t->warned += !strcmp(w->ev[i].what, "warn");
	}
}

static void walk_many(const char *kind_name, struct cw_case_due handle, enum cw_level level,
		      int n, const struct cw_calendar *cal, struct tally *t)
{
	const struct cw_case_kind *k = cw_case_kind_find(kind_name);
	assert_non_null(k);
	int64_t until = until_2026();
	int64_t *times = calloc((size_t)n, sizeof *times);
	cw_dc_times(SEED, cal, until, n, times);
	struct cw_dc_walk *w = malloc(sizeof *w), *w2 = malloc(sizeof *w2);
	for (int i = 0; i < n; i++) {
		struct cw_dc_rng r = cw_dc_rng_for(SEED, (uint64_t)i);
		struct cw_dc_walk_in in = {
		    .kind = k,
		    .handle = handle,
		    .level = level,
		    .department = 11,
		    .other_department = 12,
		    .merge_into = i % 3 ? 5 : 0,
		    .citizen = i % 4 != 0,
		    .grid_worker = i % 5 != 0,
		    .patrol = i % 2 == 1,
		    .created = times[i],
		    .until = until,
		    .cal = cal,
		};
		cw_dc_walk(&in, &r, w);
		check_walk(&in, w, t);
		if (i % 97 == 0) {
			/* Deterministic: the same stream gives the same walk. */
			struct cw_dc_rng r2 = cw_dc_rng_for(SEED, (uint64_t)i);
			cw_dc_walk(&in, &r2, w2);
			assert_int_equal(w->nev, w2->nev);
			/* Field by field: struct padding is not part of the state. */
			const struct cw_case_state *x = &w->st, *y = &w2->st;
			assert_int_equal(x->status, y->status);
			assert_int_equal(x->resume_status, y->resume_status);
			assert_int_equal(x->level, y->level);
			assert_true(x->department == y->department && x->merged_into == y->merged_into);
			assert_int_equal(x->clock, y->clock);
			assert_true(x->overdue == y->overdue && x->warned == y->warned &&
				    x->supervised == y->supervised &&
				    x->extension_pending == y->extension_pending);
			assert_true(x->extensions == y->extensions && x->reworks == y->reworks &&
				    x->escalations == y->escalations && x->ratings == y->ratings &&
				    x->rating == y->rating && x->rectifications == y->rectifications);
			assert_true(w->deadline == w2->deadline);
			for (int j = 0; j < w->nev; j++) {
				assert_true(w->ev[j].at == w2->ev[j].at);
				assert_string_equal(w->ev[j].what, w2->ev[j].what);
			}
		}
	}
	free(w);
	free(w2);
	free(times);
}

static void test_walk_event(void **state)
{
	(void)state;
	struct cw_calendar *cal = calendar_2026();
	struct tally t = {0};
	struct cw_case_due dues[] = {{CW_CASE_DUE_WORKING_HOURS, 2},
				     {CW_CASE_DUE_WORKING_HOURS, 8},
				     {CW_CASE_DUE_WORKING_DAYS, 3},
				     {CW_CASE_DUE_NONE, 0}};
	enum cw_level levels[] = {CW_LEVEL_TOWN, CW_LEVEL_DISTRICT, CW_LEVEL_CITY, CW_LEVEL_TOWN};
	for (int i = 0; i < 4; i++)
		walk_many(i % 2 ? "service" : "event", dues[i], levels[i], 2000, i % 2 ? NULL : cal,
			  &t);
	walk_many("hazard", dues[0], CW_LEVEL_TOWN, 1000, cal, &t);
	/* Most closed, and most of those rated; a few rejected and merged; some open, some
	 * overdue, some escalated and supervised; the side paths all taken. */
	assert_true(t.closed > t.cases * 80 / 100);
	assert_true(t.rated > t.closed / 2);
	assert_in_range(t.rejected, t.cases / 100, t.cases / 15);
	assert_in_range(t.merged, 1, t.cases / 20);
	assert_in_range(t.open, t.cases / 100, t.cases / 5);
	assert_in_range(t.overdue, t.cases / 200, t.cases / 10);
	assert_in_range(t.escalated, t.cases / 50, t.cases / 5);
	assert_true(t.supervised >= t.escalated);
	assert_true(t.reworks > 0 && t.rectifications > 0 && t.returned > 0 && t.extended > 0 &&
		    t.suspended > 0 && t.warned > 0);
	cw_calendar_free(cal);
}

static void test_walk_dispute_petition(void **state)
{
	(void)state;
	struct cw_calendar *cal = calendar_2026();
	struct tally d = {0}, p = {0};
	walk_many("dispute", (struct cw_case_due){CW_CASE_DUE_DAYS, 30}, CW_LEVEL_TOWN, 2000, cal,
		  &d);
	walk_many("petition", (struct cw_case_due){CW_CASE_DUE_DAYS, 60}, CW_LEVEL_TOWN, 2000, cal,
		  &p);
	assert_true(d.closed > d.cases * 70 / 100);
	assert_true(p.closed > p.cases * 60 / 100);
	assert_true(d.open > 0 && p.open > 0);
	assert_true(p.overdue + p.escalated > 0);
	cw_calendar_free(cal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rng),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_walk_event),
	    cmocka_unit_test(test_walk_dispute_petition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
