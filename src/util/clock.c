/* clock.c - time sources and RFC 3339 formatting; see clock.h. */
#include "util/clock.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t cw_now(void)
{
	return (int64_t)time(NULL);
}

int64_t cw_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

double cw_mono_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void cw_time_format(int64_t t, char *out, size_t n)
{
	time_t local = (time_t)(t + CW_CST_OFFSET);
	struct tm tm;
	gmtime_r(&local, &tm);
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d+08:00", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int64_t days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

bool cw_time_parse(const char *s, int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, se = 0;
	size_t len = strlen(s);
	if (len < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return false;
	if (y < 1970 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return false;
	int64_t offset = CW_CST_OFFSET;
	if (len > 10) {
		const char *p = s + 10;
		if ((*p != 'T' && *p != 't' && *p != ' ') || strlen(p) < 9 ||
		    !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) ||
		    p[6] != ':' || !digits(p + 7, 2, &se))
			return false;
		if (h > 23 || mi > 59 || se > 60)
			return false;
		p += 9;
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p))
				return false;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if ((*p == 'Z' || *p == 'z') && p[1] == 0) {
			offset = 0;
		} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
			int oh, om;
			if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
				return false;
			offset = (oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		} else {
			return false;
		}
	}
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
	return true;
}

bool cw_duration_parse(const char *s, int64_t *seconds)
{
	if (!s || !isdigit((unsigned char)*s))
		return false;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (v < 0 || v > 100LL * 365 * 86400)
		return false;
	int64_t mult = 1;
	if (*end == 0 || strcmp(end, "s") == 0)
		mult = 1;
	else if (strcmp(end, "m") == 0)
		mult = 60;
	else if (strcmp(end, "h") == 0)
		mult = 3600;
	else if (strcmp(end, "d") == 0)
		mult = 86400;
	else
		return false;
	*seconds = (int64_t)v * mult;
	return true;
}
