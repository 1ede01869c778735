/* gate - see gate.h. Each waiter has its own condition variable, so that a place given
 * back wakes exactly the first waiter (a broadcast would wake all of them to find that
 * one may go). A leaving thread hands its place straight to that waiter: the count of
 * those inside does not drop, and no thread that arrives meanwhile overtakes the queue. */
#include "util/gate.h"

#include <pthread.h>
#include <stddef.h>

struct waiter {
	pthread_cond_t cv;
	bool admitted;
	struct waiter *next;
};

static struct {
	pthread_mutex_t mu;
	int width;  /* 0: open */
	int inside; /* places taken */
	struct waiter *head, *tail;
	uint64_t entered, queued;
} gate = {.mu = PTHREAD_MUTEX_INITIALIZER};

static _Thread_local bool held;

void cw_gate_init(int width)
{
	pthread_mutex_lock(&gate.mu);
	gate.width = width > 0 ? width : 0;
	pthread_mutex_unlock(&gate.mu);
}

int cw_gate_width(void)
{
	pthread_mutex_lock(&gate.mu);
	int w = gate.width;
	pthread_mutex_unlock(&gate.mu);
	return w;
}

void cw_gate_enter(void)
{
	if (held)
		return;
	pthread_mutex_lock(&gate.mu);
	if (!gate.width) {
		pthread_mutex_unlock(&gate.mu);
		return;
	}
	gate.entered++;
	if (gate.inside < gate.width && !gate.head) {
		gate.inside++;
	} else {
		struct waiter w = {.admitted = false, .next = NULL};
		pthread_cond_init(&w.cv, NULL);
		if (gate.tail)
			gate.tail->next = &w;
		else
			gate.head = &w;
		gate.tail = &w;
		gate.queued++;
		while (!w.admitted)
			pthread_cond_wait(&w.cv, &gate.mu);
		pthread_cond_destroy(&w.cv);
	}
	held = true;
	pthread_mutex_unlock(&gate.mu);
}

void cw_gate_leave(void)
{
	if (!held)
		return;
	held = false;
	pthread_mutex_lock(&gate.mu);
	struct waiter *w = gate.head;
	if (w) {
		/* The place passes to the first waiter; inside stays the same. */
		gate.head = w->next;
		if (!gate.head)
			gate.tail = NULL;
		w->admitted = true;
		pthread_cond_signal(&w->cv);
	} else {
		gate.inside--;
	}
	pthread_mutex_unlock(&gate.mu);
}

bool cw_gate_pause(void)
{
	bool was = held;
	cw_gate_leave();
	return was;
}

void cw_gate_resume(bool was_held)
{
	if (was_held)
		cw_gate_enter();
}

void cw_gate_counts(uint64_t *entered, uint64_t *queued)
{
	pthread_mutex_lock(&gate.mu);
	*entered = gate.entered;
	*queued = gate.queued;
	pthread_mutex_unlock(&gate.mu);
}
