/* test_util_gate.c - the gate (src/util/gate.c): a bound on the threads at work at once,
 * first come first served, and stepping out for a wait. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "util/gate.h"

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static uint64_t queued_now(void)
{
	uint64_t e, q;
	cw_gate_counts(&e, &q);
	return q;
}

/* Waits (up to 5 s) until `n` entries have queued in all. */
static void wait_queued(uint64_t n)
{
	for (int i = 0; i < 5000 && queued_now() < n; i++)
		sleep_ms(1);
	assert_true(queued_now() >= n);
}

static void test_open_gate_lets_everyone_in(void **state)
{
	(void)state;
	cw_gate_init(0);
	assert_int_equal(cw_gate_width(), 0);
	uint64_t e0, q0, e1, q1;
	cw_gate_counts(&e0, &q0);
	cw_gate_enter();
	cw_gate_enter();
	assert_false(cw_gate_pause()); /* nothing was held */
	cw_gate_leave();
	cw_gate_counts(&e1, &q1);
	assert_true(e1 == e0 && q1 == q0);
}

/* ---- at most N inside ---- */

static atomic_int inside, most;

static void *busy_worker(void *p)
{
	(void)p;
	for (int i = 0; i < 300; i++) {
		cw_gate_enter();
		int now = atomic_fetch_add(&inside, 1) + 1;
		int m = atomic_load(&most);
		while (now > m && !atomic_compare_exchange_weak(&most, &m, now))
			;
		for (volatile int k = 0; k < 2000; k++)
			;
		if (i % 50 == 0)
			sleep_ms(1); /* held across a sleep: the others must queue */
		atomic_fetch_sub(&inside, 1);
		cw_gate_leave();
	}
	return NULL;
}

static void test_at_most_width_inside(void **state)
{
	(void)state;
	cw_gate_init(2);
	atomic_store(&inside, 0);
	atomic_store(&most, 0);
	uint64_t e0, q0, e1, q1;
	cw_gate_counts(&e0, &q0);
	pthread_t t[8];
	for (int i = 0; i < 8; i++)
		pthread_create(&t[i], NULL, busy_worker, NULL);
	for (int i = 0; i < 8; i++)
		pthread_join(t[i], NULL);
	cw_gate_counts(&e1, &q1);
	assert_int_equal(atomic_load(&most), 2);
	assert_int_equal(atomic_load(&inside), 0);
	assert_true(e1 - e0 == 8 * 300);
	assert_true(q1 > q0); /* some had to wait */
	cw_gate_init(0);
}

/* ---- first come, first served ---- */

static pthread_mutex_t order_mu = PTHREAD_MUTEX_INITIALIZER;
static int order[6], norder;

static void *ordered_worker(void *p)
{
	int me = (int)(intptr_t)p;
	cw_gate_enter();
	pthread_mutex_lock(&order_mu);
	order[norder++] = me;
	pthread_mutex_unlock(&order_mu);
	cw_gate_leave();
	return NULL;
}

static void test_waiters_enter_in_order_of_arrival(void **state)
{
	(void)state;
	cw_gate_init(1);
	norder = 0;
	cw_gate_enter(); /* the one place is taken: everyone below queues */
	uint64_t q = queued_now();
	pthread_t t[6];
	for (int i = 0; i < 6; i++) {
		pthread_create(&t[i], NULL, ordered_worker, (void *)(intptr_t)i);
		wait_queued(q + (uint64_t)i + 1); /* arrived before the next starts */
	}
	assert_int_equal(norder, 0);
	cw_gate_leave();
	for (int i = 0; i < 6; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(norder, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(order[i], i);
	cw_gate_init(0);
}

/* ---- stepping out for a wait ---- */

static atomic_int passed;

static void *pass_worker(void *p)
{
	(void)p;
	cw_gate_enter();
	atomic_fetch_add(&passed, 1);
	cw_gate_leave();
	return NULL;
}

static void test_pause_gives_the_place_and_resume_takes_one(void **state)
{
	(void)state;
	cw_gate_init(1);
	atomic_store(&passed, 0);
	cw_gate_enter();
	/* Paused: another thread gets through while this one "waits". */
	bool held = cw_gate_pause();
	assert_true(held);
	pthread_t a;
	pthread_create(&a, NULL, pass_worker, NULL);
	pthread_join(a, NULL);
	assert_int_equal(atomic_load(&passed), 1);
	/* Back in: the next one queues until this thread leaves. */
	cw_gate_resume(held);
	uint64_t q = queued_now();
	pthread_t b;
	pthread_create(&b, NULL, pass_worker, NULL);
	wait_queued(q + 1);
	sleep_ms(20);
	assert_int_equal(atomic_load(&passed), 1);
	cw_gate_leave();
	pthread_join(b, NULL);
	assert_int_equal(atomic_load(&passed), 2);
	/* A thread that never entered: pause says so and resume does not enter. */
	assert_false(cw_gate_pause());
	cw_gate_resume(false);
	pthread_t c;
	pthread_create(&c, NULL, pass_worker, NULL);
	pthread_join(c, NULL); /* would hang if this thread held the one place */
	assert_int_equal(atomic_load(&passed), 3);
	cw_gate_init(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_gate_lets_everyone_in),
	    cmocka_unit_test(test_at_most_width_inside),
	    cmocka_unit_test(test_waiters_enter_in_order_of_arrival),
	    cmocka_unit_test(test_pause_gives_the_place_and_resume_takes_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
