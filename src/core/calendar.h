/* calendar.h - the working-day calendar and deadline arithmetic of DOMAIN.md §3
 * (民法典 §201, §203): calendar days, working days and working hours, in CST. */
#ifndef CW_CORE_CALENDAR_H
#define CW_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* Day numbers: days since 1970-01-01 in China Standard Time (+08:00, no DST), so day
 * d starts at the instant d * 86400 - CW_CST_OFFSET. Every rule here works on day
 * numbers and seconds of the local day; nothing loops over seconds or days, so every
 * call is O(log n) in the number of listed dates whatever the period. The supported
 * range is the one of cw_time_parse: 1970-01-01 to 9999-12-31. */
#define CW_YEAR_MIN 1970
#define CW_YEAR_MAX 9999

bool cw_date_valid(int y, int m, int d);
/* The day number of a valid date (check with cw_date_valid first), and back. */
int64_t cw_day_from_civil(int y, int m, int d);
void cw_day_to_civil(int64_t day, int *y, int *m, int *d);
int64_t cw_day_of(int64_t t);        /* the local date of instant t */
int64_t cw_day_start(int64_t day);   /* the instant of local midnight */
int cw_day_weekday(int64_t day);     /* ISO: 1 Monday … 7 Sunday */
/* "YYYY-MM-DD" exactly, a valid date within CW_YEAR_MIN..CW_YEAR_MAX. */
bool cw_day_parse(const char *s, int64_t *day);
void cw_day_format(int64_t day, char *out, size_t n); /* needs 11 bytes */

/* A date's kind as the State Council's yearly notice lists it. */
enum cw_day_kind {
	CW_DAY_PLAIN, /* not listed: Mon-Fri work, Sat-Sun rest */
	CW_DAY_OFF,   /* statutory holiday (法定节假日), also when it falls on a weekend */
	CW_DAY_WORK,  /* make-up working day (调休上班), always a Saturday or Sunday */
};
const char *cw_day_kind_name(enum cw_day_kind k); /* "plain", "off", "work" */
int cw_day_kind_parse(const char *s);              /* "off" / "work" -> kind, else -1 */

/* The special dates, year by year. Build it with cw_calendar_new() and
 * cw_calendar_set(), then share it read-only: the query functions take a const
 * pointer, change nothing and are safe from any number of threads. To edit, build a
 * new one and swap it in. The caller owns it; cw_calendar_free() releases it.
 *
 * Everywhere a calendar is taken, NULL means "no listed dates": plain Mon-Fri. */
struct cw_calendar;

/* Holds at most this many listed dates (a year lists about 35). */
#define CW_CALENDAR_MAX_DATES 20000

struct cw_calendar *cw_calendar_new(void); /* NULL when out of memory */
void cw_calendar_free(struct cw_calendar *cal);
/* Lists date y-m-d as CW_DAY_OFF or CW_DAY_WORK and marks year y as covered.
 * CW_EC_INVALID_CALENDAR for a date that does not exist, a year outside
 * CW_YEAR_MIN..CW_YEAR_MAX, another kind, a date already listed as the other kind, a
 * make-up working day on Mon-Fri (it would change nothing, so it is a typo), or more
 * than CW_CALENDAR_MAX_DATES dates; CW_EC_INTERNAL when out of memory. Listing the
 * same date twice with the same kind is allowed. */
enum cw_ec cw_calendar_set(struct cw_calendar *cal, int y, int m, int d, enum cw_day_kind kind);
/* A year is covered when at least one of its dates is listed. A year that is not
 * (the State Council publishes each December for the next year) counts as plain
 * Mon-Fri, which is probably wrong around its holidays: callers say so. */
bool cw_calendar_has_year(const struct cw_calendar *cal, int y);
/* Every year from t1's local year to t2's is covered (t1 <= t2). */
bool cw_calendar_covers(const struct cw_calendar *cal, int64_t t1, int64_t t2);
size_t cw_calendar_count(const struct cw_calendar *cal); /* listed dates */
enum cw_day_kind cw_calendar_kind(const struct cw_calendar *cal, int64_t day);

/* A working day is Mon-Fri and not CW_DAY_OFF, or a CW_DAY_WORK day. An invalid
 * date is not a working day. */
bool cw_calendar_is_working_day(const struct cw_calendar *cal, int y, int m, int d);
bool cw_calendar_is_working_dayn(const struct cw_calendar *cal, int64_t day);

/* Working hours: up to CW_WORK_SPANS_MAX spans [start, end) in minutes since local
 * midnight, 0 <= start < end <= 1440, in order and not overlapping (touching is
 * allowed). The same on every working day. */
#define CW_WORK_SPANS_MAX 4

struct cw_work_span {
	int start, end;
};

struct cw_work_hours {
	int n;
	struct cw_work_span span[CW_WORK_SPANS_MAX];
};

/* 08:30-12:00 and 14:30-17:30. */
struct cw_work_hours cw_work_hours_default(void);
/* "08:30-12:00,14:30-17:30": spans of H:MM or HH:MM, "24:00" only as an end, blanks
 * around spans allowed. CW_EC_INVALID_WORK_HOURS for anything else, an empty list or
 * span, spans out of order or overlapping, or more than CW_WORK_SPANS_MAX of them;
 * `out` is untouched then. */
enum cw_ec cw_work_hours_parse(const char *s, struct cw_work_hours *out);
/* The checks of the parser, for hours built by hand. */
enum cw_ec cw_work_hours_check(const struct cw_work_hours *h);
/* The parser's form, "08:30-12:00,14:30-17:30"; needs at most 48 bytes. */
void cw_work_hours_format(const struct cw_work_hours *h, char *out, size_t n);
int cw_work_hours_minutes(const struct cw_work_hours *h); /* per working day */

/* Deadlines. Each takes the start instant `from` and a count n, writes the deadline
 * instant to *due and returns CW_EC_OK; or returns CW_EC_INVALID_PERIOD for a
 * negative n, n above the limit, a `from` outside CW_YEAR_MIN..CW_YEAR_MAX, or a
 * deadline after CW_YEAR_MAX, and CW_EC_INVALID_WORK_HOURS for hours that fail
 * cw_work_hours_check. NULL hours means cw_work_hours_default().
 *
 * A deadline is the last instant that is still in time: a case is overdue when
 * now > *due. The rules apply to `from`'s local date and time in CST.
 *
 * Whether the deadline is right depends on the calendar covering every year it
 * touches: check cw_calendar_covers(cal, from, *due) and warn when it does not. */
#define CW_PERIOD_DAYS_MAX 3650
#define CW_PERIOD_HOURS_MAX (CW_PERIOD_DAYS_MAX * 24)

/* N calendar days (民法典 §201, §203). The start day is not counted: the period
 * ends on the Nth day after from's local date; if that is a rest day (a weekend or
 * CW_DAY_OFF day that is not CW_DAY_WORK) it ends on the next working day instead.
 * The deadline is the end of that day, 24:00 by §203, written as 23:59:59 local so
 * that it stays on the deadline's own date.
 * n = 0 means "the same day": the end of from's date, moved on likewise when that is
 * a rest day. n <= CW_PERIOD_DAYS_MAX. Working hours play no part: §203's "close of
 * business" applies to acts done at an office, which is what working days model. */
enum cw_ec cw_due_days(const struct cw_calendar *cal, int64_t from, int n, int64_t *due);

/* N working days: the Nth working day after from's local date, never counting that
 * date itself, even when `from` is before opening time on a working day (DOMAIN.md:
 * the start day is not counted). The deadline is that day's close of business, the
 * end of the last span of `hours` (17:30 by default; §203: "有业务时间的，停止业务活动的
 * 时间为截止时间"); a last span ending at 24:00 gives 23:59:59 as for calendar days.
 * n = 0 means "within the same working day": the close of business of from's date
 * when that is a working day and `from` is not after its close, else of the next
 * working day; so the deadline is never before `from`. n <= CW_PERIOD_DAYS_MAX. */
enum cw_ec cw_due_working_days(const struct cw_calendar *cal, const struct cw_work_hours *hours,
			       int64_t from, int n, int64_t *due);

/* N working hours, counted second by second only inside the spans of working days,
 * starting at `from` (inside a span: from there; outside: from the next span's
 * start). The deadline is the instant the last second is used up: the end of a span
 * when it is used up exactly (08:30 plus 3.5 h is 12:00, not 14:30). E.g. Friday
 * 16:30 plus 2 h, default hours: 1 h on Friday, 1 h on Monday, so Monday 09:30 when
 * Monday is a working day. n = 0 gives `from` itself. n <= CW_PERIOD_HOURS_MAX. */
enum cw_ec cw_due_working_hours(const struct cw_calendar *cal, const struct cw_work_hours *hours,
				int64_t from, int n, int64_t *due);
/* The same in minutes; n <= CW_PERIOD_HOURS_MAX * 60. */
enum cw_ec cw_due_working_minutes(const struct cw_calendar *cal,
				  const struct cw_work_hours *hours, int64_t from, int64_t n,
				  int64_t *due);

/* Elapsed time, for "within 5 working days" checks and the share of the allowed
 * time used so far. Both are exact inverses of the deadline functions:
 * cw_working_days_between(cal, from, cw_due_working_days(…, from, n)) == n for n >= 1,
 * and likewise for working minutes.
 *
 * The working days after from's local date up to and including to's local date (so
 * 0 on the same date, 1 on the next working day); negative, the same count, when
 * to's date is before from's. Instants outside CW_YEAR_MIN..CW_YEAR_MAX are clamped
 * to that range. */
int64_t cw_working_days_between(const struct cw_calendar *cal, int64_t from, int64_t to);
/* The working seconds, and whole working minutes (rounded towards zero), in
 * [from, to) inside the spans of working days; negative when to < from. NULL hours
 * means the default; invalid hours count as none. Clamped as above. */
int64_t cw_working_seconds_between(const struct cw_calendar *cal,
				   const struct cw_work_hours *hours, int64_t from, int64_t to);
int64_t cw_working_minutes_between(const struct cw_calendar *cal,
				   const struct cw_work_hours *hours, int64_t from, int64_t to);

#endif
