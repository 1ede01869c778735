/* event_cursor.c - the seen-ids bookkeeping of the live case feed; see event_cursor.h. */
#include "core/event_cursor.h"

#include <string.h>

void cw_event_cursor_init(struct cw_event_cursor *c, int64_t hwm)
{
	c->hwm = hwm;
	c->ngaps = 0;
}

int64_t cw_event_cursor_low(const struct cw_event_cursor *c)
{
	return c->ngaps ? c->gap_id[0] - 1 : c->hwm;
}

static int find_gap(const struct cw_event_cursor *c, int64_t id)
{
	int lo = 0, hi = c->ngaps - 1;
	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2;
		if (c->gap_id[mid] == id)
			return mid;
		if (c->gap_id[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

static void remove_gaps(struct cw_event_cursor *c, int at, int count)
{
	memmove(&c->gap_id[at], &c->gap_id[at + count],
		(size_t)(c->ngaps - at - count) * sizeof c->gap_id[0]);
	memmove(&c->gap_since[at], &c->gap_since[at + count],
		(size_t)(c->ngaps - at - count) * sizeof c->gap_since[0]);
	c->ngaps -= count;
}

bool cw_event_cursor_is_gap(const struct cw_event_cursor *c, int64_t id)
{
	return find_gap(c, id) >= 0;
}

bool cw_event_cursor_take(struct cw_event_cursor *c, int64_t id, int64_t now_ms)
{
	if (id <= c->hwm) {
		int g = find_gap(c, id);
		if (g < 0)
			return false;
		remove_gaps(c, g, 1);
		return true;
	}
	/* hwm+1 .. id-1 were skipped: only the last MAX_GAPS of them can be kept. */
	int64_t from = c->hwm + 1;
	if (id - from > CW_EVENT_CURSOR_MAX_GAPS)
		from = id - CW_EVENT_CURSOR_MAX_GAPS;
	int need = (int)(id - from);
	if (c->ngaps + need > CW_EVENT_CURSOR_MAX_GAPS)
		remove_gaps(c, 0, c->ngaps + need - CW_EVENT_CURSOR_MAX_GAPS);
	for (int64_t k = from; k < id; k++) {
		c->gap_id[c->ngaps] = k;
		c->gap_since[c->ngaps] = now_ms;
		c->ngaps++;
	}
	c->hwm = id;
	return true;
}

void cw_event_cursor_expire(struct cw_event_cursor *c, int64_t now_ms, int64_t grace_ms)
{
	/* One pass that keeps the order (ids stay ascending). */
	int w = 0;
	for (int i = 0; i < c->ngaps; i++) {
		if (now_ms - c->gap_since[i] >= grace_ms)
			continue;
		c->gap_id[w] = c->gap_id[i];
		c->gap_since[w] = c->gap_since[i];
		w++;
	}
	c->ngaps = w;
}
