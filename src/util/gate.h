/* gate - at most N threads of a process at work at once, admitted first come first
 * served.
 *
 * `serve` with SQLite does its requests' work on its own CPU, with many more threads
 * than cores (a thread waits in the group commit for its write). Left to the kernel's
 * scheduler, 64 runnable threads on two cores share them by time slices: every request
 * is slowed by all the others, and the slowest wait longest (the p99). The gate lets N
 * in at a time and the rest wait in a queue, in order of arrival; a thread that is
 * about to wait for something else (the group commit, a pooled connection, a back-off,
 * a password hash's own limit) steps out with cw_gate_pause and back in with
 * cw_gate_resume, so that a waiting thread never holds a place.
 *
 * The gate is process-wide. Width 0 (the default) lets everyone in: then every call
 * returns at once. A thread that did not enter (the CLI, the scheduler, a test) pauses
 * and resumes for nothing. */
#ifndef CW_UTIL_GATE_H
#define CW_UTIL_GATE_H

#include <stdbool.h>
#include <stdint.h>

/* Sets the width: 0 opens the gate; > 0 lets that many in at once. Call it before any
 * thread enters (at start-up). */
void cw_gate_init(int width);
int cw_gate_width(void);

/* Waits for a place and takes it; cw_gate_leave gives it to the first in the queue.
 * Not nested: a thread enters once. */
void cw_gate_enter(void);
void cw_gate_leave(void);

/* Steps out for a wait (true if the thread held a place) and back in after it. */
bool cw_gate_pause(void);
void cw_gate_resume(bool held);

/* How many entries had to queue, and how many entered at all (for /metrics). */
void cw_gate_counts(uint64_t *entered, uint64_t *queued);

#endif
