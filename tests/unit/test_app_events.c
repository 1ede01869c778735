/* test_app_events.c - unit tests of the live feed's pure parts: the seen-ids cursor
 * (core/event_cursor.h: entries committed out of id order are neither missed nor
 * sent twice) and the fan-out of app/events.c (scope by region path, a subscriber
 * whose sink fails gets nothing more, the subscriber limit, the event's text). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "app/app.h"
#include "core/event_cursor.h"
#include "util/arena.h"

#define CITY "340600000000"
#define DUJI CITY "/340602000000"
#define XIANGSHAN CITY "/340603000000"
#define XIANGNAN XIANGSHAN "/340603001000"

/* ---- the cursor ---- */

static void test_cursor_in_order(void **state)
{
	(void)state;
	struct cw_event_cursor c;
	cw_event_cursor_init(&c, 10);
	assert_int_equal(cw_event_cursor_low(&c), 10);
	assert_true(cw_event_cursor_take(&c, 11, 0));
	assert_true(cw_event_cursor_take(&c, 12, 0));
	assert_false(cw_event_cursor_take(&c, 12, 0)); /* read again: not new */
	assert_false(cw_event_cursor_take(&c, 5, 0));  /* before the start */
	assert_int_equal(c.ngaps, 0);
	assert_int_equal(cw_event_cursor_low(&c), 12);
}

static void test_cursor_late_commit(void **state)
{
	(void)state;
	struct cw_event_cursor c;
	cw_event_cursor_init(&c, 10);
	/* 11 and 12 are taken by transactions still open when 13 commits. */
	assert_true(cw_event_cursor_take(&c, 13, 1000));
	assert_int_equal(c.ngaps, 2);
	assert_true(cw_event_cursor_is_gap(&c, 11));
	assert_true(cw_event_cursor_is_gap(&c, 12));
	assert_false(cw_event_cursor_is_gap(&c, 13));
	/* The next read starts below the lowest gap... */
	assert_int_equal(cw_event_cursor_low(&c), 10);
	/* ...and sees 12 (committed now) and 13 again: 12 is new, 13 is not. */
	assert_true(cw_event_cursor_take(&c, 12, 1500));
	assert_false(cw_event_cursor_take(&c, 13, 1500));
	assert_int_equal(cw_event_cursor_low(&c), 10);
	assert_false(cw_event_cursor_take(&c, 12, 1600));
	/* 11 rolled back: never fills, and stops being waited for after the grace. */
	cw_event_cursor_expire(&c, 1000 + 59999, 60000);
	assert_int_equal(c.ngaps, 1);
	cw_event_cursor_expire(&c, 1000 + 60000, 60000);
	assert_int_equal(c.ngaps, 0);
	assert_int_equal(cw_event_cursor_low(&c), 13);
}

static void test_cursor_gap_bound(void **state)
{
	(void)state;
	static struct cw_event_cursor c; /* large: not on the stack */
	cw_event_cursor_init(&c, 0);
	assert_true(cw_event_cursor_take(&c, 100000, 0));
	assert_int_equal(c.ngaps, CW_EVENT_CURSOR_MAX_GAPS);
	/* The newest skipped ids are the ones kept. */
	assert_true(cw_event_cursor_is_gap(&c, 99999));
	assert_false(cw_event_cursor_is_gap(&c, 1));
	assert_true(cw_event_cursor_take(&c, 100002, 0));
	assert_int_equal(c.ngaps, CW_EVENT_CURSOR_MAX_GAPS);
	assert_true(cw_event_cursor_is_gap(&c, 100001));
	/* Still ascending after dropping the oldest. */
	for (int i = 1; i < c.ngaps; i++)
		assert_true(c.gap_id[i - 1] < c.gap_id[i]);
}

/* ---- the fan-out ---- */

struct fake_sink {
	char text[8192];
	size_t len;
	int calls;
	bool fail, gone;
};

static int released;

static void fake_release(void *cls)
{
	(void)cls;
	released++;
}

static bool fake_alive(void *cls)
{
	return !((struct fake_sink *)cls)->gone;
}

static bool fake_send(void *cls, const char *text, size_t n)
{
	struct fake_sink *f = cls;
	f->calls++;
	if (f->fail)
		return false;
	if (f->len + n < sizeof f->text) {
		memcpy(f->text + f->len, text, n);
		f->len += n;
		f->text[f->len] = 0;
	}
	return true;
}

static struct cw_events_sink sink_of(struct fake_sink *f)
{
	return (struct cw_events_sink){.send = fake_send, .alive = fake_alive,
				       .release = fake_release, .cls = f};
}

static struct cw_case_change change(int64_t id, int64_t case_id, const char *path)
{
	return (struct cw_case_change){.id = id, .case_id = case_id, .at = 1795766400,
				       .action = "create", .status = "reported",
				       .number = "2026112800001", .level = "district",
				       .region = "340603000000", .region_path = path};
}

static void test_fanout_scope(void **state)
{
	(void)state;
	struct cw_events *h = cw_events_new(NULL, NULL);
	struct fake_sink xs = {0}, duji = {0}, city = {0}, early = {0};
	int64_t a = cw_events_subscribe(h, XIANGSHAN, -1);
	int64_t b = cw_events_subscribe(h, DUJI, -1);
	int64_t c = cw_events_subscribe(h, CITY, -1);
	int64_t d = cw_events_subscribe(h, CITY, -1);
	assert_true(a > 0 && b > 0 && c > 0 && d > 0);
	cw_events_activate(h, a, sink_of(&xs));
	cw_events_activate(h, b, sink_of(&duji));
	cw_events_activate(h, c, sink_of(&city)); /* d is not activated: gets nothing yet */
	struct cw_case_change v[] = {change(1, 7, XIANGNAN), change(2, 8, DUJI),
				     change(3, 9, XIANGSHAN "0")}; /* a sibling prefix, not below */
	cw_events_dispatch(h, v, 3);
	assert_int_equal(xs.calls, 1);
	assert_int_equal(duji.calls, 1);
	assert_int_equal(city.calls, 3);
	assert_int_equal(early.calls, 0);
	assert_non_null(strstr(xs.text, "id: 1\nevent: case\ndata: {\"case\":7,"));
	assert_non_null(strstr(duji.text, "id: 2\n"));
	assert_null(strstr(xs.text, "id: 2\n"));
	cw_events_unsubscribe(h, b);
	cw_events_dispatch(h, v + 1, 1);
	assert_int_equal(duji.calls, 1); /* gone */
	assert_int_equal(cw_events_subscribers(h), 3);
	cw_events_free(h);
}

static void test_fanout_failed_sink(void **state)
{
	(void)state;
	struct cw_events *h = cw_events_new(NULL, NULL);
	struct fake_sink slow = {.fail = true}, ok = {0};
	released = 0;
	int64_t a = cw_events_subscribe(h, CITY, -1);
	int64_t b = cw_events_subscribe(h, CITY, -1);
	cw_events_activate(h, a, sink_of(&slow));
	cw_events_activate(h, b, sink_of(&ok));
	struct cw_case_change v[] = {change(1, 7, XIANGNAN), change(2, 8, DUJI)};
	cw_events_dispatch(h, v, 2);
	cw_events_dispatch(h, v, 2);
	/* One refused send and the subscriber gets nothing more; the others are not
	 * held up. The reaper then removes it and releases its sink. */
	assert_int_equal(slow.calls, 1);
	assert_int_equal(ok.calls, 4);
	assert_int_equal(cw_events_subscribers(h), 2);
	cw_events_reap(h);
	assert_int_equal(cw_events_subscribers(h), 1);
	assert_int_equal(released, 1);
	cw_events_free(h); /* releases what is still subscribed */
	assert_int_equal(released, 2);
}

static void test_subscriber_limit(void **state)
{
	(void)state;
	struct cw_events *h = cw_events_new(NULL, &(struct cw_events_options){.max_subscribers = 2});
	struct fake_sink f = {0};
	int64_t a = cw_events_subscribe(h, CITY, -1);
	int64_t b = cw_events_subscribe(h, CITY, -1);
	assert_true(a > 0 && b > 0 && a != b);
	assert_int_equal(cw_events_subscribe(h, CITY, -1), 0);
	cw_events_unsubscribe(h, a);
	int64_t c = cw_events_subscribe(h, CITY, -1);
	assert_true(c > 0);
	/* A sink that is no longer alive frees its slot for the next subscriber. */
	cw_events_activate(h, c, sink_of(&f));
	f.gone = true;
	assert_true(cw_events_subscribe(h, CITY, -1) > 0);
	cw_events_free(h);
}

static void test_format(void **state)
{
	(void)state;
	struct cw_arena *a = cw_arena_new();
	struct cw_case_change c = change(42, 7, XIANGNAN);
	c.action = "dispatch";
	c.status = "dispatched";
	c.number = "2026112800001\n"; /* a newline must not split the data line */
	const char *t = cw_events_format(a, &c);
	assert_string_equal(t, "id: 42\nevent: case\ndata: {\"case\":7,\"number\":\"2026112800001\\n\","
			       "\"action\":\"dispatch\",\"status\":\"dispatched\",\"level\":\"district\","
			       "\"region\":\"340603000000\",\"at\":\"2026-11-27T16:00:00+08:00\"}\n\n");
	cw_arena_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cursor_in_order),    cmocka_unit_test(test_cursor_late_commit),
	    cmocka_unit_test(test_cursor_gap_bound),   cmocka_unit_test(test_fanout_scope),
	    cmocka_unit_test(test_fanout_failed_sink), cmocka_unit_test(test_subscriber_limit),
	    cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
