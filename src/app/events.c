/* events.c - live case changes: one poller thread reads the case timeline and fans
 * each entry out to the subscribers whose region contains the case; see app.h. */
#include "app/app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event_cursor.h"
#include "core/region.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"

#define READ_BATCH 500 /* timeline entries per read */

struct sub {
	int64_t id;
	char *scope;
	int64_t replay_after; /* >= 0: replay pending from this id */
	bool active;	      /* cw_events_activate ran: sends may start */
	bool dead;	      /* a send failed: no more sends */
	int64_t last_send_ms;
	struct cw_events_sink sink;
};

struct cw_events {
	cw_store *store;
	struct cw_events_options opt;
	pthread_mutex_t mu; /* guards everything below but the cursor */
	pthread_cond_t cv;
	struct sub **subs;
	int nsubs, cap;
	int64_t next_id;
	bool stop, woken, started;
	pthread_t thread;
	/* The poller's own state. */
	struct cw_event_cursor cursor;
	int64_t last_error_log;
};

static int or_default(int v, int def)
{
	return v > 0 ? v : def;
}

struct cw_events *cw_events_new(cw_store *s, const struct cw_events_options *opt)
{
	struct cw_events *h = cw_xcalloc(1, sizeof *h);
	h->store = s;
	struct cw_events_options o = opt ? *opt : (struct cw_events_options){0};
	h->opt.max_subscribers = or_default(o.max_subscribers, 1000);
	h->opt.replay_max = or_default(o.replay_max, 1000);
	h->opt.poll_ms = or_default(o.poll_ms, 1000);
	h->opt.ping_ms = or_default(o.ping_ms, 15000);
	h->opt.gap_grace_ms = or_default(o.gap_grace_ms, 60000);
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	h->next_id = 1;
	cw_event_cursor_init(&h->cursor, 0);
	return h;
}

char *cw_events_format(struct cw_arena *a, const struct cw_case_change *c)
{
	char at[32];
	cw_time_format(c->at, at, sizeof at);
#define S(x) ((x) ? (x) : "")
	json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s}", "case", (json_int_t)c->case_id,
			      "number", S(c->number), "action", S(c->action), "status",
			      S(c->status), "level", S(c->level), "region", S(c->region), "at", at);
#undef S
	char *data = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	/* Compact JSON has no newline, so one data line carries it. */
	char *text = cw_arena_printf(a, "id: %lld\nevent: case\ndata: %s\n\n", (long long)c->id,
				     data ? data : "{}");
	free(data);
	return text;
}

/* Under h->mu. */
static void send_to(struct cw_events *h, struct sub *s, const char *text, size_t len)
{
	(void)h;
	if (s->dead || !s->active)
		return;
	if (!s->sink.send(s->sink.cls, text, len))
		s->dead = true;
	else
		s->last_send_ms = cw_now_ms();
}

/* Sends the prepared texts of v to the live subscribers in scope; under h->mu. */
static void fan_out(struct cw_events *h, const struct cw_case_change *v, char *const *texts,
		    int n)
{
	for (int k = 0; k < h->nsubs; k++) {
		struct sub *s = h->subs[k];
		if (s->replay_after >= 0 || !s->active)
			continue; /* its replay, read later, covers these */
		for (int i = 0; i < n && !s->dead; i++)
			if (v[i].region_path && cw_scope_contains(s->scope, v[i].region_path))
				send_to(h, s, texts[i], strlen(texts[i]));
	}
}

void cw_events_dispatch(struct cw_events *h, const struct cw_case_change *v, int n)
{
	if (n <= 0)
		return;
	/* No one listening: nothing to format (a subscriber that comes in the meantime
	 * starts after these entries, as if it had come a moment later). */
	pthread_mutex_lock(&h->mu);
	int nsubs = h->nsubs;
	pthread_mutex_unlock(&h->mu);
	if (!nsubs)
		return;
	struct cw_arena *a = cw_arena_new();
	char **texts = cw_arena_alloc(a, (size_t)n * sizeof *texts);
	for (int i = 0; i < n; i++)
		texts[i] = cw_events_format(a, &v[i]);
	pthread_mutex_lock(&h->mu);
	fan_out(h, v, texts, n);
	pthread_mutex_unlock(&h->mu);
	cw_arena_free(a);
}

int64_t cw_events_subscribe(struct cw_events *h, const char *scope_path, int64_t last_id)
{
	pthread_mutex_lock(&h->mu);
	if (h->nsubs >= h->opt.max_subscribers) {
		/* Streams that ended since the poller last looked free their slots now. */
		pthread_mutex_unlock(&h->mu);
		cw_events_reap(h);
		pthread_mutex_lock(&h->mu);
	}
	if (h->nsubs >= h->opt.max_subscribers) {
		pthread_mutex_unlock(&h->mu);
		return 0;
	}
	if (h->nsubs == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 16;
		h->subs = cw_xrealloc(h->subs, (size_t)h->cap * sizeof *h->subs);
	}
	struct sub *s = cw_xcalloc(1, sizeof *s);
	s->id = h->next_id++;
	s->scope = cw_xstrdup(scope_path);
	s->replay_after = last_id >= 0 ? last_id : -1;
	s->last_send_ms = cw_now_ms();
	h->subs[h->nsubs++] = s;
	int64_t id = s->id;
	pthread_mutex_unlock(&h->mu);
	return id;
}

void cw_events_activate(struct cw_events *h, int64_t id, struct cw_events_sink sink)
{
	bool found = false;
	pthread_mutex_lock(&h->mu);
	for (int k = 0; k < h->nsubs && !found; k++) {
		struct sub *s = h->subs[k];
		if (s->id != id)
			continue;
		found = true;
		s->sink = sink;
		s->active = true;
		s->last_send_ms = cw_now_ms();
		if (s->replay_after >= 0) {
			h->woken = true; /* replay without waiting for the next poll */
			pthread_cond_signal(&h->cv);
		}
	}
	pthread_mutex_unlock(&h->mu);
	if (!found && sink.release) /* unsubscribed meanwhile */
		sink.release(sink.cls);
}

/* Without h->mu: the sink's release may take other locks. */
static void sub_free(struct sub *s)
{
	if (s->active && s->sink.release)
		s->sink.release(s->sink.cls);
	free(s->scope);
	free(s);
}

void cw_events_unsubscribe(struct cw_events *h, int64_t id)
{
	struct sub *gone = NULL;
	pthread_mutex_lock(&h->mu);
	for (int k = 0; k < h->nsubs; k++) {
		if (h->subs[k]->id != id)
			continue;
		gone = h->subs[k];
		h->subs[k] = h->subs[--h->nsubs];
		break;
	}
	pthread_mutex_unlock(&h->mu);
	if (gone)
		sub_free(gone);
}

void cw_events_reap(struct cw_events *h)
{
	struct sub *gone[64];
	int n;
	do {
		n = 0;
		pthread_mutex_lock(&h->mu);
		for (int k = 0; k < h->nsubs && n < 64;) {
			struct sub *s = h->subs[k];
			if (s->active && !s->dead && s->sink.alive && !s->sink.alive(s->sink.cls))
				s->dead = true;
			if (!s->dead) {
				k++;
				continue;
			}
			gone[n++] = s;
			h->subs[k] = h->subs[--h->nsubs];
		}
		pthread_mutex_unlock(&h->mu);
		for (int i = 0; i < n; i++)
			sub_free(gone[i]);
	} while (n == 64);
}

int cw_events_subscribers(struct cw_events *h)
{
	pthread_mutex_lock(&h->mu);
	int n = h->nsubs;
	pthread_mutex_unlock(&h->mu);
	return n;
}

void cw_events_wake(struct cw_events *h)
{
	if (!h)
		return;
	pthread_mutex_lock(&h->mu);
	h->woken = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

/* ---- the poller ---- */

struct read_ctx {
	int64_t after;
	const char *scope;
	int limit;
	struct cw_case_change *items;
	int n;
	int64_t max_id;
};

static int read_tx(struct cw_tx *tx, void *p)
{
	struct read_ctx *r = p;
	return cw_store_case_changes_since(tx, r->after, r->scope, r->limit, &r->items, &r->n);
}

static int max_tx(struct cw_tx *tx, void *p)
{
	struct read_ctx *r = p;
	return cw_store_case_timeline_max_id(tx, &r->max_id);
}

static void log_store_error(struct cw_events *h, const char *what, int rc)
{
	/* A database that is down would otherwise log every second. */
	if (cw_now() - h->last_error_log < 60)
		return;
	h->last_error_log = cw_now();
	cw_warn("events: cannot %s the case timeline (store code %d); retrying", what, rc);
}

/* Reads what is new since the cursor and fans it out. */
static void poll_once(struct cw_events *h)
{
	int64_t now = cw_now_ms();
	cw_event_cursor_expire(&h->cursor, now, h->opt.gap_grace_ms);
	int64_t after = cw_event_cursor_low(&h->cursor);
	for (;;) {
		struct cw_arena *a = cw_arena_new();
		struct read_ctx r = {.after = after, .limit = READ_BATCH};
		int rc = cw_store_tx(h->store, a, false, read_tx, &r);
		if (rc != CW_DB_OK) {
			log_store_error(h, "read", rc);
			cw_arena_free(a);
			return;
		}
		int64_t last = r.n ? r.items[r.n - 1].id : after;
		/* Keep only what the cursor has not delivered yet. */
		int w = 0;
		for (int i = 0; i < r.n; i++)
			if (cw_event_cursor_take(&h->cursor, r.items[i].id, now))
				r.items[w++] = r.items[i];
		cw_events_dispatch(h, r.items, w);
		bool more = r.n == READ_BATCH;
		after = last;
		cw_arena_free(a);
		if (!more)
			return;
	}
}

struct pending {
	int64_t id, after;
	char *scope;
};

/* Replays for the subscribers that came with a Last-Event-ID: the entries in their
 * scope after that id up to the cursor's mark, except open gaps (those arrive live
 * when they fill), then live. Runs on the poller thread, so nothing the fan-out
 * sends can interleave. */
static void replay_pending(struct cw_events *h)
{
	pthread_mutex_lock(&h->mu);
	int np = 0;
	struct pending *p = NULL;
	for (int k = 0; k < h->nsubs; k++)
		if (h->subs[k]->replay_after >= 0 && h->subs[k]->active)
			np++;
	if (np) {
		p = cw_xcalloc((size_t)np, sizeof *p);
		np = 0;
		for (int k = 0; k < h->nsubs; k++) {
			struct sub *s = h->subs[k];
			if (s->replay_after < 0 || !s->active)
				continue;
			p[np].id = s->id;
			p[np].after = s->replay_after;
			p[np].scope = cw_xstrdup(s->scope);
			np++;
		}
	}
	pthread_mutex_unlock(&h->mu);

	for (int i = 0; i < np; i++) {
		struct cw_arena *a = cw_arena_new();
		struct read_ctx r = {.after = p[i].after, .scope = p[i].scope,
				     .limit = h->opt.replay_max + 1};
		int rc = CW_DB_OK;
		if (p[i].after < h->cursor.hwm)
			rc = cw_store_tx(h->store, a, false, read_tx, &r);
		if (rc != CW_DB_OK) {
			log_store_error(h, "replay", rc);
			r.n = 0; /* the subscriber stays pending: tried again next round */
		}
		char **texts = cw_arena_alloc(a, (size_t)(r.n + 1) * sizeof *texts);
		int nt = 0;
		bool reset = false;
		for (int k = 0; k < r.n; k++) {
			const struct cw_case_change *c = &r.items[k];
			if (c->id > h->cursor.hwm || cw_event_cursor_is_gap(&h->cursor, c->id))
				continue;
			if (nt == h->opt.replay_max) {
				reset = true;
				break;
			}
			texts[nt++] = cw_events_format(a, c);
		}
		pthread_mutex_lock(&h->mu);
		for (int k = 0; k < h->nsubs; k++) {
			struct sub *s = h->subs[k];
			if (s->id != p[i].id)
				continue;
			for (int t = 0; t < nt; t++)
				send_to(h, s, texts[t], strlen(texts[t]));
			if (reset) {
				static const char msg[] = "event: reset\ndata: {}\n\n";
				send_to(h, s, msg, sizeof msg - 1);
			}
			if (rc == CW_DB_OK)
				s->replay_after = -1;
			break;
		}
		pthread_mutex_unlock(&h->mu);
		cw_arena_free(a);
		free(p[i].scope);
	}
	free(p);
}

/* Under h->mu: a comment line to every subscriber silent for ping_ms, so that
 * proxies keep the connection and a client that left is noticed. */
static void ping_idle(struct cw_events *h)
{
	static const char ping[] = ": ping\n\n";
	int64_t now = cw_now_ms();
	for (int k = 0; k < h->nsubs; k++) {
		struct sub *s = h->subs[k];
		if (now - s->last_send_ms >= h->opt.ping_ms)
			send_to(h, s, ping, sizeof ping - 1);
	}
}

static void *poller_main(void *p)
{
	struct cw_events *h = p;
	pthread_mutex_lock(&h->mu);
	while (!h->stop) {
		h->woken = false;
		pthread_mutex_unlock(&h->mu);
		poll_once(h);
		replay_pending(h);
		cw_events_reap(h);
		pthread_mutex_lock(&h->mu);
		ping_idle(h);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		int64_t ns = until.tv_nsec + (int64_t)h->opt.poll_ms * 1000000;
		until.tv_sec += ns / 1000000000;
		until.tv_nsec = ns % 1000000000;
		while (!h->stop && !h->woken &&
		       pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0)
			;
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

bool cw_events_start(struct cw_events *h)
{
	/* Live from the timeline's end; the ids just below it that are not visible yet
	 * may still commit, so they start as open gaps. */
	struct cw_arena *a = cw_arena_new();
	struct read_ctx r = {0};
	int64_t hwm = 0;
	if (h->store && cw_store_tx(h->store, a, false, max_tx, &r) == CW_DB_OK)
		hwm = r.max_id;
	int64_t from = hwm > 64 ? hwm - 64 : 0;
	cw_event_cursor_init(&h->cursor, from);
	struct read_ctx w = {.after = from, .limit = 1000};
	if (h->store && hwm > from && cw_store_tx(h->store, a, false, read_tx, &w) == CW_DB_OK) {
		for (int i = 0; i < w.n && w.items[i].id <= hwm; i++)
			cw_event_cursor_take(&h->cursor, w.items[i].id, cw_now_ms());
	}
	cw_arena_free(a);
	if (pthread_create(&h->thread, NULL, poller_main, h) != 0)
		return false;
	h->started = true;
	return true;
}

void cw_events_stop(struct cw_events *h)
{
	if (!h || !h->started)
		return;
	pthread_mutex_lock(&h->mu);
	h->stop = true;
	pthread_cond_signal(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->thread, NULL);
	h->started = false;
}

void cw_events_free(struct cw_events *h)
{
	if (!h)
		return;
	cw_events_stop(h);
	for (int k = 0; k < h->nsubs; k++)
		sub_free(h->subs[k]);
	h->nsubs = 0;
	free(h->subs);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}
