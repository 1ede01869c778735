/* event_cursor.h - which case timeline entries a reader has already seen, when ids
 * may become visible out of order.
 *
 * On PostgreSQL an identity value is taken when a row is inserted but becomes
 * visible when its transaction commits: entry 41 may commit after entry 42, and a
 * reader that only asks for "id > the highest seen" would skip 41 for ever. (SQLite
 * serialises writers, so there the order holds; an id freed by a rollback may be
 * taken again later, which is the same case.) The cursor therefore remembers every id
 * below its high-water mark that it has not seen yet - a gap - and the reader asks
 * for "id > the lowest open gap", delivering only what is new: ids past the mark and
 * gaps that have filled. A gap stays open for `grace` (a transaction that holds an
 * id longer than that is not waited for; rolled-back ids never fill and so expire),
 * and at most CW_EVENT_CURSOR_MAX_GAPS are kept (the oldest is dropped first).
 * Pure: no I/O. */
#ifndef CW_CORE_EVENT_CURSOR_H
#define CW_CORE_EVENT_CURSOR_H

#include <stdbool.h>
#include <stdint.h>

#define CW_EVENT_CURSOR_MAX_GAPS 1024

struct cw_event_cursor {
	int64_t hwm; /* highest id seen */
	int ngaps;   /* open gaps, ascending by id */
	int64_t gap_id[CW_EVENT_CURSOR_MAX_GAPS];
	int64_t gap_since[CW_EVENT_CURSOR_MAX_GAPS]; /* when each was noticed (ms) */
};

/* Starts at `hwm` with no gap. */
void cw_event_cursor_init(struct cw_event_cursor *c, int64_t hwm);
/* The id to read after: the lowest open gap - 1, else the mark. */
int64_t cw_event_cursor_low(const struct cw_event_cursor *c);
/* Feeds one id read (ascending within a read); true when it is new and must be
 * delivered, false when it was seen before. Ids skipped over become gaps. */
bool cw_event_cursor_take(struct cw_event_cursor *c, int64_t id, int64_t now_ms);
/* Whether id is an open gap (not seen yet although below the mark). */
bool cw_event_cursor_is_gap(const struct cw_event_cursor *c, int64_t id);
/* Closes the gaps noticed before now_ms - grace_ms. */
void cw_event_cursor_expire(struct cw_event_cursor *c, int64_t now_ms, int64_t grace_ms);

#endif
