/* ratelimit.c - token buckets per client network; see ratelimit.h. */
#include "util/ratelimit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PROBES 8 /* slots a key may use */

struct slot {
	uint8_t key[17]; /* key[0] == 0: empty */
	int64_t at_ms;	 /* when `milli` was last brought up to date */
	int64_t milli;	 /* thousandths of a token */
};

struct cw_ratelimit {
	pthread_mutex_t lock;
	int64_t burst_milli, refill_ms;
	int nslots;
	struct slot *slots;
};

struct cw_ratelimit *cw_ratelimit_new(int burst, int64_t refill_ms, int slots)
{
	if (burst < 1 || refill_ms < 1)
		return NULL;
	struct cw_ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	rl->nslots = slots > 0 ? slots : 16384;
	rl->slots = calloc((size_t)rl->nslots, sizeof *rl->slots);
	if (!rl->slots) {
		free(rl);
		return NULL;
	}
	pthread_mutex_init(&rl->lock, NULL);
	rl->burst_milli = (int64_t)burst * 1000;
	rl->refill_ms = refill_ms;
	return rl;
}

void cw_ratelimit_free(struct cw_ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl->slots);
	free(rl);
}

void cw_ratelimit_key(const char *address, uint8_t key[17])
{
	memset(key, 0, 17);
	uint8_t a[16];
	if (address && inet_pton(AF_INET, address, a) == 1) {
		key[0] = 4;
		memcpy(key + 1, a, 4);
		return;
	}
	if (address && inet_pton(AF_INET6, address, a) == 1) {
		static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (memcmp(a, mapped, 12) == 0) {
			key[0] = 4;
			memcpy(key + 1, a + 12, 4);
		} else {
			key[0] = 8;
			memcpy(key + 1, a, 8); /* the /64 */
		}
		return;
	}
	/* Not an address (a test's "-", a Unix socket): its own bytes, cut at 16. */
	size_t n = address ? strlen(address) : 0;
	if (n > 16)
		n = 16;
	key[0] = (uint8_t)(100 + n);
	if (n)
		memcpy(key + 1, address, n);
}

static uint64_t hash(const uint8_t key[17])
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (int i = 0; i < 17; i++) {
		h ^= key[i];
		h *= 1099511628211ull;
	}
	return h;
}

static void refill(const struct cw_ratelimit *rl, struct slot *s, int64_t now_ms)
{
	if (now_ms > s->at_ms) {
		int64_t add = (now_ms - s->at_ms) * 1000 / rl->refill_ms;
		s->milli = s->milli + add > rl->burst_milli ? rl->burst_milli : s->milli + add;
		/* Keep the remainder: time that earned no whole thousandth is not lost. */
		s->at_ms = s->milli == rl->burst_milli ? now_ms : s->at_ms + add * rl->refill_ms / 1000;
	}
}

/* The key's slot, brought up to date at now_ms (a new one starts full). */
static struct slot *find(struct cw_ratelimit *rl, const uint8_t key[17], int64_t now_ms)
{
	uint64_t h = hash(key);
	struct slot *victim = NULL;
	for (int i = 0; i < PROBES; i++) {
		struct slot *s = &rl->slots[(h + (uint64_t)i) % (uint64_t)rl->nslots];
		if (s->key[0] && memcmp(s->key, key, 17) == 0) {
			refill(rl, s, now_ms);
			return s;
		}
		if (!s->key[0]) {
			if (!victim || victim->key[0])
				victim = s;
			continue;
		}
		refill(rl, s, now_ms);
		if (!victim || (victim->key[0] && s->milli > victim->milli))
			victim = s;
	}
	memcpy(victim->key, key, 17);
	victim->milli = rl->burst_milli;
	victim->at_ms = now_ms;
	return victim;
}

static bool take(struct cw_ratelimit *rl, const uint8_t key[17], int cost, int64_t now_ms,
		 int64_t *retry_after_s, bool consume)
{
	pthread_mutex_lock(&rl->lock);
	struct slot *s = find(rl, key, now_ms);
	int64_t need = (int64_t)cost * 1000;
	bool ok = s->milli >= need;
	if (ok && consume)
		s->milli -= need;
	if (!ok && retry_after_s) {
		int64_t ms = (need - s->milli) * rl->refill_ms / 1000;
		*retry_after_s = ms > 0 ? (ms + 999) / 1000 : 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool cw_ratelimit_take(struct cw_ratelimit *rl, const uint8_t key[17], int cost, int64_t now_ms,
		       int64_t *retry_after_s)
{
	return take(rl, key, cost, now_ms, retry_after_s, true);
}

bool cw_ratelimit_check(struct cw_ratelimit *rl, const uint8_t key[17], int cost,
			int64_t now_ms, int64_t *retry_after_s)
{
	return take(rl, key, cost, now_ms, retry_after_s, false);
}
