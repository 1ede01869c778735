/* clock.h - wall-clock time as Unix seconds, and its text forms.
 *
 * civicgrid stores times as int64 Unix seconds and shows them as RFC 3339 in China
 * Standard Time (+08:00), which is where every deadline rule of DOMAIN.md applies. */
#ifndef CW_UTIL_CLOCK_H
#define CW_UTIL_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CW_CST_OFFSET (8 * 3600)

int64_t cw_now(void);
int64_t cw_now_ms(void);     /* monotonic milliseconds, for durations */
double cw_mono_seconds(void); /* monotonic seconds, for latency */

/* "2026-11-27T16:04:00+08:00"; needs 26 bytes. */
void cw_time_format(int64_t t, char *out, size_t n);
/* Accepts RFC 3339 ("…Z", "…+08:00", optional fraction) and a bare
 * "YYYY-MM-DD" (local midnight, +08:00). False on anything else. */
bool cw_time_parse(const char *s, int64_t *out);
/* Durations such as "30m", "12h", "15m", "90s", "2d" or a bare number of seconds. */
bool cw_duration_parse(const char *s, int64_t *seconds);

#endif
