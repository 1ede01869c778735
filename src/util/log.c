/* log.c - stderr logger; one fputs per line so lines from threads do not mix. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>

#include "util/clock.h"

static enum cw_log_level min_level = CW_LOG_INFO;
static const char *const names[] = {"DEBUG", "INFO", "WARN", "ERROR"};

void cw_log_set_level(enum cw_log_level lvl)
{
	min_level = lvl;
}

void cw_log(enum cw_log_level lvl, const char *fmt, ...)
{
	if (lvl < min_level)
		return;
	char line[2048], ts[40];
	cw_time_format(cw_now(), ts, sizeof ts);
	int n = snprintf(line, sizeof line, "%s %s ", ts, names[lvl]);
	va_list ap;
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof line)
		vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", line);
}
