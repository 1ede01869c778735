/* ratelimit.h - in-memory token buckets per client network, for the public routes.
 *
 * Each client network (an IPv4 address; an IPv6 /64, which one subscriber holds whole)
 * has a bucket of `burst` tokens that refills one token every `refill_ms`. A request
 * takes one; with none left it is refused and told when the next token comes. The
 * table has a fixed number of slots, so a flood of addresses costs no memory: when the
 * slots a key may use are taken, the fullest bucket is dropped (a full bucket is the
 * same as a new one, so only the most rested client is forgiven a little). Thread-safe.
 * Per process: with several instances behind a balancer each counts its own. */
#ifndef CW_UTIL_RATELIMIT_H
#define CW_UTIL_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct cw_ratelimit;

/* slots 0: 16384. NULL when out of memory. */
struct cw_ratelimit *cw_ratelimit_new(int burst, int64_t refill_ms, int slots);
void cw_ratelimit_free(struct cw_ratelimit *rl);

/* The bucket key of a client address as text ("192.0.2.1", "2001:db8::1",
 * "::ffff:192.0.2.1"): the IPv4 address, or the /64 of an IPv6 one. Anything else is
 * its own key. key holds 17 bytes (a length byte and 16). */
void cw_ratelimit_key(const char *address, uint8_t key[17]);

/* Takes `cost` tokens from the bucket of `key` at monotonic time now_ms. True when it
 * had them; otherwise false, nothing taken, and *retry_after_s (if not NULL) the whole
 * seconds until it will (at least 1). */
bool cw_ratelimit_take(struct cw_ratelimit *rl, const uint8_t key[17], int cost, int64_t now_ms,
		       int64_t *retry_after_s);
/* Whether the bucket has `cost` tokens now, without taking them. */
bool cw_ratelimit_check(struct cw_ratelimit *rl, const uint8_t key[17], int cost,
			int64_t now_ms, int64_t *retry_after_s);

#endif
