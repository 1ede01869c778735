/* calendar.c - working days, working hours and statutory deadlines on day numbers;
 * see calendar.h. */
#include "core/calendar.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/clock.h"

/* 1970-01-01 and 9999-12-31 as day numbers. */
#define DAY_MIN INT64_C(0)
#define DAY_MAX INT64_C(2932896)
#define NYEARS (CW_YEAR_MAX - CW_YEAR_MIN + 1)

/* The listed dates, sorted by day, each with the sum of the adjustments of the dates
 * before it: an OFF date on Mon-Fri takes one working day away from the plain count,
 * a WORK date (always on a weekend) adds one, an OFF date on a weekend changes
 * nothing. So the working days of any range are the plain Mon-Fri count, which has a
 * closed form, plus a difference of two prefix sums: O(log n) for any range. */
struct entry {
	int64_t day;
	int64_t before; /* sum of the adjustments of the entries before this one */
	enum cw_day_kind kind;
};

struct cw_calendar {
	struct entry *e;
	size_t n, cap;
	int64_t total; /* sum of all adjustments */
	unsigned char years[(NYEARS + 7) / 8];
};

static int64_t floordiv(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - (a % b != 0 && (a < 0) != (b < 0));
}

bool cw_date_valid(int y, int m, int d)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < CW_YEAR_MIN || y > CW_YEAR_MAX || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= dm[m - 1] + (m == 2 && leap);
}

int64_t cw_day_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's days_from_civil, proleptic Gregorian. */
	y -= m <= 2;
	int64_t era = floordiv(y, 400);
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void cw_day_to_civil(int64_t day, int *y, int *m, int *d)
{
	/* Hinnant's civil_from_days. */
	int64_t z = day + 719468;
	int64_t era = floordiv(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	int mm = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = mm;
	*d = dd;
}

int64_t cw_day_of(int64_t t)
{
	return floordiv(t + CW_CST_OFFSET, 86400);
}

int64_t cw_day_start(int64_t day)
{
	return day * 86400 - CW_CST_OFFSET;
}

int cw_day_weekday(int64_t day)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(day + 3 - 7 * floordiv(day + 3, 7)) + 1;
}

static bool two_digits(const char *s, int *out)
{
	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return false;
	*out = (s[0] - '0') * 10 + (s[1] - '0');
	return true;
}

bool cw_day_parse(const char *s, int64_t *day)
{
	int c, yy, m, d;
	if (!s || strlen(s) != 10 || !two_digits(s, &c) || !two_digits(s + 2, &yy) ||
	    s[4] != '-' || !two_digits(s + 5, &m) || s[7] != '-' || !two_digits(s + 8, &d))
		return false;
	if (!cw_date_valid(c * 100 + yy, m, d))
		return false;
	*day = cw_day_from_civil(c * 100 + yy, m, d);
	return true;
}

void cw_day_format(int64_t day, char *out, size_t n)
{
	int y, m, d;
	cw_day_to_civil(day, &y, &m, &d);
	snprintf(out, n, "%04d-%02d-%02d", y, m, d);
}

const char *cw_day_kind_name(enum cw_day_kind k)
{
	switch (k) {
	case CW_DAY_PLAIN:
		return "plain";
	case CW_DAY_OFF:
		return "off";
	case CW_DAY_WORK:
		return "work";
	}
	return NULL;
}

int cw_day_kind_parse(const char *s)
{
	if (s && strcmp(s, "off") == 0)
		return CW_DAY_OFF;
	if (s && strcmp(s, "work") == 0)
		return CW_DAY_WORK;
	return -1;
}

/* ---- the calendar ---- */

struct cw_calendar *cw_calendar_new(void)
{
	return calloc(1, sizeof(struct cw_calendar));
}

void cw_calendar_free(struct cw_calendar *cal)
{
	if (!cal)
		return;
	free(cal->e);
	free(cal);
}

/* The index of the first entry on or after `day`. */
static size_t lower_bound(const struct cw_calendar *cal, int64_t day)
{
	size_t lo = 0, hi = cal ? cal->n : 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cal->e[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int64_t adjust(int64_t day, enum cw_day_kind kind)
{
	if (kind == CW_DAY_WORK)
		return 1;
	return cw_day_weekday(day) <= 5 ? -1 : 0;
}

enum cw_ec cw_calendar_set(struct cw_calendar *cal, int y, int m, int d, enum cw_day_kind kind)
{
	if (!cw_date_valid(y, m, d) || (kind != CW_DAY_OFF && kind != CW_DAY_WORK))
		return CW_EC_INVALID_CALENDAR;
	int64_t day = cw_day_from_civil(y, m, d);
	if (kind == CW_DAY_WORK && cw_day_weekday(day) <= 5)
		return CW_EC_INVALID_CALENDAR;
	size_t i = lower_bound(cal, day);
	if (i < cal->n && cal->e[i].day == day)
		return cal->e[i].kind == kind ? CW_EC_OK : CW_EC_INVALID_CALENDAR;
	if (cal->n >= CW_CALENDAR_MAX_DATES)
		return CW_EC_INVALID_CALENDAR;
	if (cal->n == cal->cap) {
		size_t cap = cal->cap ? cal->cap * 2 : 64;
		struct entry *e = realloc(cal->e, cap * sizeof *e);
		if (!e)
			return CW_EC_INTERNAL;
		cal->e = e;
		cal->cap = cap;
	}
	memmove(cal->e + i + 1, cal->e + i, (cal->n - i) * sizeof *cal->e);
	cal->e[i] = (struct entry){.day = day, .kind = kind};
	cal->n++;
	/* Dates usually arrive in order, so this rarely walks far. */
	int64_t sum = 0;
	if (i > 0)
		sum = cal->e[i - 1].before + adjust(cal->e[i - 1].day, cal->e[i - 1].kind);
	for (size_t j = i; j < cal->n; j++) {
		cal->e[j].before = sum;
		sum += adjust(cal->e[j].day, cal->e[j].kind);
	}
	cal->total = sum;
	int yi = y - CW_YEAR_MIN;
	cal->years[yi / 8] |= (unsigned char)(1u << (yi % 8));
	return CW_EC_OK;
}

bool cw_calendar_has_year(const struct cw_calendar *cal, int y)
{
	if (!cal || y < CW_YEAR_MIN || y > CW_YEAR_MAX)
		return false;
	int yi = y - CW_YEAR_MIN;
	return cal->years[yi / 8] & (1u << (yi % 8));
}

/* The local date of t, as if t were inside the supported range. */
static int64_t clamped_day_of(int64_t t)
{
	if (t < cw_day_start(DAY_MIN))
		return DAY_MIN;
	if (t >= cw_day_start(DAY_MAX + 1))
		return DAY_MAX;
	return cw_day_of(t);
}

bool cw_calendar_covers(const struct cw_calendar *cal, int64_t t1, int64_t t2)
{
	int y1, y2, m, d;
	cw_day_to_civil(clamped_day_of(t1), &y1, &m, &d);
	cw_day_to_civil(clamped_day_of(t2), &y2, &m, &d);
	for (int y = y1; y <= y2; y++)
		if (!cw_calendar_has_year(cal, y))
			return false;
	return true;
}

size_t cw_calendar_count(const struct cw_calendar *cal)
{
	return cal ? cal->n : 0;
}

enum cw_day_kind cw_calendar_kind(const struct cw_calendar *cal, int64_t day)
{
	size_t i = lower_bound(cal, day);
	return cal && i < cal->n && cal->e[i].day == day ? cal->e[i].kind : CW_DAY_PLAIN;
}

bool cw_calendar_is_working_dayn(const struct cw_calendar *cal, int64_t day)
{
	switch (cw_calendar_kind(cal, day)) {
	case CW_DAY_OFF:
		return false;
	case CW_DAY_WORK:
		return true;
	case CW_DAY_PLAIN:
		break;
	}
	return cw_day_weekday(day) <= 5;
}

bool cw_calendar_is_working_day(const struct cw_calendar *cal, int y, int m, int d)
{
	return cw_date_valid(y, m, d) && cw_calendar_is_working_dayn(cal, cw_day_from_civil(y, m, d));
}

/* Mon-Fri days in [4, x) (day 4 is Monday 1970-01-05), negative below; only
 * differences are used. */
static int64_t plain_before(int64_t x)
{
	int64_t q = floordiv(x - 4, 7);
	int64_t r = x - 4 - 7 * q;
	return 5 * q + (r < 5 ? r : 5);
}

static int64_t prefix(const struct cw_calendar *cal, size_t i)
{
	return i < cal->n ? cal->e[i].before : cal->total;
}

/* Working days in [a, b), a <= b. */
static int64_t working_in(const struct cw_calendar *cal, int64_t a, int64_t b)
{
	int64_t w = plain_before(b) - plain_before(a);
	if (cal)
		w += prefix(cal, lower_bound(cal, b)) - prefix(cal, lower_bound(cal, a));
	return w;
}

/* The kth working day after `day` (k >= 1), found by bisection on the count, which
 * never decreases; false when it would be after DAY_MAX. */
static bool kth_after(const struct cw_calendar *cal, int64_t day, int64_t k, int64_t *out)
{
	assert(k >= 1);
	if (day >= DAY_MAX || working_in(cal, day + 1, DAY_MAX + 1) < k)
		return false;
	int64_t lo = day + 1, hi = DAY_MAX;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (working_in(cal, day + 1, mid + 1) >= k)
			hi = mid;
		else
			lo = mid + 1;
	}
	*out = lo;
	return true;
}

/* ---- working hours ---- */

struct cw_work_hours cw_work_hours_default(void)
{
	return (struct cw_work_hours){
	    .n = 2, .span = {{8 * 60 + 30, 12 * 60}, {14 * 60 + 30, 17 * 60 + 30}}};
}

enum cw_ec cw_work_hours_check(const struct cw_work_hours *h)
{
	if (!h || h->n < 1 || h->n > CW_WORK_SPANS_MAX)
		return CW_EC_INVALID_WORK_HOURS;
	for (int i = 0; i < h->n; i++) {
		const struct cw_work_span *s = &h->span[i];
		if (s->start < 0 || s->start >= s->end || s->end > 24 * 60)
			return CW_EC_INVALID_WORK_HOURS;
		if (i > 0 && s->start < h->span[i - 1].end)
			return CW_EC_INVALID_WORK_HOURS;
	}
	return CW_EC_OK;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* H:MM or HH:MM up to 24:00; the end of what was read, or NULL. */
static const char *parse_hhmm(const char *p, int *minutes)
{
	int h = 0, m, nd = 0;
	while (nd < 2 && *p >= '0' && *p <= '9') {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (nd == 0 || *p != ':' || !two_digits(p + 1, &m))
		return NULL;
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		return NULL;
	*minutes = h * 60 + m;
	return p + 3;
}

enum cw_ec cw_work_hours_parse(const char *s, struct cw_work_hours *out)
{
	struct cw_work_hours h = {0};
	const char *p = s;
	if (!p)
		return CW_EC_INVALID_WORK_HOURS;
	for (;;) {
		int a, b;
		p = skip_blanks(p);
		if (!(p = parse_hhmm(p, &a)) || *p != '-' || !(p = parse_hhmm(p + 1, &b)))
			return CW_EC_INVALID_WORK_HOURS;
		if (h.n == CW_WORK_SPANS_MAX)
			return CW_EC_INVALID_WORK_HOURS;
		h.span[h.n++] = (struct cw_work_span){a, b};
		p = skip_blanks(p);
		if (*p == 0)
			break;
		if (*p++ != ',')
			return CW_EC_INVALID_WORK_HOURS;
	}
	enum cw_ec ec = cw_work_hours_check(&h);
	if (ec == CW_EC_OK)
		*out = h;
	return ec;
}

void cw_work_hours_format(const struct cw_work_hours *h, char *out, size_t n)
{
	size_t len = 0;
	if (n)
		out[0] = 0;
	for (int i = 0; i < h->n && i < CW_WORK_SPANS_MAX && len < n; i++) {
		const struct cw_work_span *s = &h->span[i];
		int w = snprintf(out + len, n - len, "%s%02d:%02d-%02d:%02d", i ? "," : "",
				 s->start / 60, s->start % 60, s->end / 60, s->end % 60);
		if (w < 0)
			return;
		len += (size_t)w;
	}
}

int cw_work_hours_minutes(const struct cw_work_hours *h)
{
	int sum = 0;
	for (int i = 0; i < h->n && i < CW_WORK_SPANS_MAX; i++)
		sum += h->span[i].end - h->span[i].start;
	return sum;
}

/* Working seconds of a working day inside [s1, s2), in seconds since local midnight. */
static int64_t overlap(const struct cw_work_hours *h, int64_t s1, int64_t s2)
{
	int64_t sum = 0;
	for (int i = 0; i < h->n; i++) {
		int64_t a = h->span[i].start * 60, b = h->span[i].end * 60;
		if (a < s1)
			a = s1;
		if (b > s2)
			b = s2;
		if (a < b)
			sum += b - a;
	}
	return sum;
}

/* The second of the day at which `r` working seconds counted from `s` are used up;
 * r must be at least 1 and at most overlap(h, s, 86400). */
static int64_t locate(const struct cw_work_hours *h, int64_t s, int64_t r)
{
	for (int i = 0; i < h->n; i++) {
		int64_t a = h->span[i].start * 60, b = h->span[i].end * 60;
		if (a < s)
			a = s;
		if (a >= b)
			continue;
		if (r <= b - a)
			return a + r;
		r -= b - a;
	}
	assert(!"locate: fewer working seconds left than asked for");
	return 86400;
}

/* ---- deadlines ---- */

static bool in_range(int64_t t)
{
	return t >= cw_day_start(DAY_MIN) && t < cw_day_start(DAY_MAX + 1);
}

static bool next_working(const struct cw_calendar *cal, int64_t day, int64_t *out)
{
	if (cw_calendar_is_working_dayn(cal, day)) {
		*out = day;
		return true;
	}
	return kth_after(cal, day, 1, out);
}

enum cw_ec cw_due_days(const struct cw_calendar *cal, int64_t from, int n, int64_t *due)
{
	if (n < 0 || n > CW_PERIOD_DAYS_MAX || !in_range(from))
		return CW_EC_INVALID_PERIOD;
	int64_t last = cw_day_of(from) + n;
	if (last > DAY_MAX || !next_working(cal, last, &last))
		return CW_EC_INVALID_PERIOD;
	*due = cw_day_start(last + 1) - 1;
	return CW_EC_OK;
}

/* Close of business as seconds since local midnight; 24:00 reads as 23:59:59 for
 * the same reason as in cw_due_days. */
static int64_t close_of_business(const struct cw_work_hours *h)
{
	int64_t end = h->span[h->n - 1].end * 60;
	return end == 86400 ? 86399 : end;
}

enum cw_ec cw_due_working_days(const struct cw_calendar *cal, const struct cw_work_hours *hours,
			       int64_t from, int n, int64_t *due)
{
	struct cw_work_hours def = cw_work_hours_default();
	if (!hours)
		hours = &def;
	if (cw_work_hours_check(hours) != CW_EC_OK)
		return CW_EC_INVALID_WORK_HOURS;
	if (n < 0 || n > CW_PERIOD_DAYS_MAX || !in_range(from))
		return CW_EC_INVALID_PERIOD;
	int64_t cob = close_of_business(hours), day = cw_day_of(from), last;
	if (n == 0 && cw_calendar_is_working_dayn(cal, day) && from <= cw_day_start(day) + cob)
		last = day;
	else if (!kth_after(cal, day, n ? n : 1, &last))
		return CW_EC_INVALID_PERIOD;
	*due = cw_day_start(last) + cob;
	return CW_EC_OK;
}

static enum cw_ec due_working_seconds(const struct cw_calendar *cal,
				      const struct cw_work_hours *hours, int64_t from,
				      int64_t n, int64_t *due)
{
	int64_t day = cw_day_of(from), sod = from - cw_day_start(day);
	if (n == 0) {
		*due = from;
		return CW_EC_OK;
	}
	if (cw_calendar_is_working_dayn(cal, day)) {
		int64_t left = overlap(hours, sod, 86400);
		if (n <= left) {
			*due = cw_day_start(day) + locate(hours, sod, n);
			return CW_EC_OK;
		}
		n -= left;
	}
	/* The rest takes whole working days and part (or all) of one more: the kth
	 * working day after `day` is the last one. */
	int64_t per_day = (int64_t)cw_work_hours_minutes(hours) * 60;
	int64_t k = (n + per_day - 1) / per_day, last;
	if (!kth_after(cal, day, k, &last))
		return CW_EC_INVALID_PERIOD;
	*due = cw_day_start(last) + locate(hours, 0, n - (k - 1) * per_day);
	return CW_EC_OK;
}

enum cw_ec cw_due_working_minutes(const struct cw_calendar *cal,
				  const struct cw_work_hours *hours, int64_t from, int64_t n,
				  int64_t *due)
{
	struct cw_work_hours def = cw_work_hours_default();
	if (!hours)
		hours = &def;
	if (cw_work_hours_check(hours) != CW_EC_OK)
		return CW_EC_INVALID_WORK_HOURS;
	if (n < 0 || n > (int64_t)CW_PERIOD_HOURS_MAX * 60 || !in_range(from))
		return CW_EC_INVALID_PERIOD;
	return due_working_seconds(cal, hours, from, n * 60, due);
}

enum cw_ec cw_due_working_hours(const struct cw_calendar *cal, const struct cw_work_hours *hours,
				int64_t from, int n, int64_t *due)
{
	if (n < 0 || n > CW_PERIOD_HOURS_MAX)
		return CW_EC_INVALID_PERIOD;
	return cw_due_working_minutes(cal, hours, from, (int64_t)n * 60, due);
}

/* ---- elapsed time ---- */

int64_t cw_working_days_between(const struct cw_calendar *cal, int64_t from, int64_t to)
{
	int64_t a = clamped_day_of(from), b = clamped_day_of(to);
	return b >= a ? working_in(cal, a + 1, b + 1) : -working_in(cal, b + 1, a + 1);
}

static int64_t clamp_time(int64_t t)
{
	int64_t lo = cw_day_start(DAY_MIN), hi = cw_day_start(DAY_MAX + 1) - 1;
	return t < lo ? lo : t > hi ? hi : t;
}

int64_t cw_working_seconds_between(const struct cw_calendar *cal,
				   const struct cw_work_hours *hours, int64_t from, int64_t to)
{
	struct cw_work_hours def = cw_work_hours_default();
	if (!hours)
		hours = &def;
	if (cw_work_hours_check(hours) != CW_EC_OK)
		return 0;
	from = clamp_time(from);
	to = clamp_time(to);
	if (to < from)
		return -cw_working_seconds_between(cal, hours, to, from);
	int64_t da = cw_day_of(from), db = cw_day_of(to);
	int64_t sa = from - cw_day_start(da), sb = to - cw_day_start(db);
	if (da == db)
		return cw_calendar_is_working_dayn(cal, da) ? overlap(hours, sa, sb) : 0;
	int64_t sum = working_in(cal, da + 1, db) * cw_work_hours_minutes(hours) * 60;
	if (cw_calendar_is_working_dayn(cal, da))
		sum += overlap(hours, sa, 86400);
	if (cw_calendar_is_working_dayn(cal, db))
		sum += overlap(hours, 0, sb);
	return sum;
}

int64_t cw_working_minutes_between(const struct cw_calendar *cal,
				   const struct cw_work_hours *hours, int64_t from, int64_t to)
{
	return cw_working_seconds_between(cal, hours, from, to) / 60;
}
