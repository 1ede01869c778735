/* cmd_tick.c - `civicgrid tick`: one scheduler pass as of a given time (the e2e tests move
 * time with it), and the pass that `serve` runs every tick_interval. */
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/log.h"

static const char usage[] =
    "usage: civicgrid tick [--now TIME] [--db URL] [--config FILE] [--work-hours SPANS]\n"
    "Runs one scheduler pass as of TIME (RFC 3339, e.g. 2026-12-01T09:00:00+08:00; default\n"
    "now): a warning at the yellow mark, overdue past the deadline, escalation per the\n"
    "escalation policy. Prints one line per case changed and a summary; exits 0.\n";

static enum cw_ec due_cb(void *ctx, int unit, int amount, int64_t from, int64_t *out)
{
	return cw_api_due(ctx, unit, amount, from, out);
}

int cw_cli_tick(struct cw_api *api, int64_t now, bool print)
{
	struct cw_arena *a = cw_arena_new();
	struct cw_case_env env = {.locator = api->locator, .due = due_cb, .ctx = api};
	struct cw_tick_report rep;
	int64_t t0 = cw_now_ms();
	enum cw_ec ec = cw_scheduler_pass(api->store, a, &env, now, &rep);
	int64_t ms = cw_now_ms() - t0;
	char at[40];
	cw_time_format(now, at, sizeof at);
	int ret = 0;
	if (ec != CW_EC_OK) {
		cw_error("scheduler: the pass as of %s failed: %s", at, cw_ec_name(ec));
		if (print)
			fprintf(stderr, "civicgrid tick: the pass failed (%s)\n", cw_ec_name(ec));
		ret = -1;
	} else if (print) {
		for (int i = 0; i < rep.nchanges; i++)
			printf("%s %s %s\n", rep.changes[i].number, rep.changes[i].what,
			       rep.changes[i].level);
		if (rep.skipped)
			printf("tick %s: another instance is running a pass; nothing done\n", at);
		else
			printf("tick %s: %lld candidates, %d warned, %d overdue, %d escalated, "
			       "%d notifications, %d conflicts, %d errors (%lld ms)\n",
			       at, (long long)rep.candidates, rep.warned, rep.overdue, rep.escalated,
			       rep.notified, rep.conflicts, rep.errors, (long long)ms);
	} else if (rep.nchanges || rep.errors) {
		cw_info("scheduler: %d warned, %d overdue, %d escalated, %d notifications, "
			"%d conflicts, %d errors in %lld ms",
			rep.warned, rep.overdue, rep.escalated, rep.notified, rep.conflicts,
			rep.errors, (long long)ms);
	}
	cw_arena_free(a);
	return ret;
}

struct opts {
	int64_t now;
};

static int opt(void *ctx, const char *name, const char *val)
{
	struct opts *o = ctx;
	if (strcmp(name, "--now") == 0) {
		if (!val || !cw_time_parse(val, &o->now)) {
			fprintf(stderr, "civicgrid tick: --now expects an RFC 3339 time such as "
					"2026-12-01T09:00:00+08:00\n");
			return -1;
		}
		return 2;
	}
	return 0;
}

int cmd_tick(int argc, char **argv)
{
	struct cw_settings s;
	cw_settings_defaults(&s);
	struct opts o = {.now = cw_now()};
	int i = cw_cli_parse(argc, argv, &s, opt, &o, usage);
	if (i < 0)
		return 2;
	if (i < argc) {
		fprintf(stderr, "civicgrid tick: unexpected argument %s\n", argv[i]);
		return 2;
	}
	/* Two connections: one holds the PostgreSQL lock, the other runs the batches. */
	cw_store *store = cw_cli_open_store(&s, 2);
	if (!store)
		return 1;
	struct cw_api api = {.store = store, .calendar_version = -1, .work_hours = s.work_hours};
	cw_api_calendar_refresh(&api, true);
	int rc = cw_cli_tick(&api, o.now, true);
	cw_api_calendar_release(&api);
	cw_store_close(store);
	return rc ? 1 : 0;
}
