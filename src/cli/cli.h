/* cli.h - the subcommands of the civicgrid binary and what they share. */
#ifndef CW_CLI_CLI_H
#define CW_CLI_CLI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/calendar.h"
#include "store/store.h"

/* Settings from --config FILE (key = value lines), overridden by flags. */
/* `serve`'s default HTTP worker threads (the store pool has two more connections). */
#define CW_THREADS_SQLITE 64
#define CW_THREADS_PG 16

struct cw_settings {
	const char *listen;
	const char *db;
	const char *data_dir;
	const char *web_dir;
	const char *shared_data; /* reference data (../shared/data) for the demo */
	int threads; /* 0: CW_THREADS_SQLITE or CW_THREADS_PG, by the database */
	int active;  /* requests at work at once (util/gate.h); 0: no limit (the default) */
	struct cw_auth_policy policy;
	int64_t max_body;
	bool secure_cookies;
	const char *log_level;
	struct cw_work_hours work_hours; /* working hours for deadlines */
	int64_t tick_interval;		 /* seconds between scheduler passes in serve; 0 none */
	const char *key_file; /* personal-data keys; NULL: <data_dir>/keys/pii.key */
	int max_streams; /* concurrent GET /api/v1/events streams (1000) */
	int portal_burst;	/* the citizens' portal: requests a client network may make at once (20) */
	int64_t portal_refill;	/* seconds until it may make one more (30) */
	const char *trusted_proxies; /* addresses whose X-Forwarded-For the portal believes */
	const char *tile_url;	      /* map tiles for the console ({z}/{x}/{y}); NULL none */
	const char *tile_attribution; /* shown on the map with the tiles; NULL none */
};

void cw_settings_defaults(struct cw_settings *s);
/* Applies one "key = value"; returns an error message or NULL. */
const char *cw_settings_set(struct cw_settings *s, const char *key, const char *value);
/* Reads a config file; prints the problem and returns -1 on a bad line. */
int cw_settings_load(struct cw_settings *s, const char *path);

/* Common options: --config, --db and friends are accepted by every command that
 * opens the store. Returns the index of the first argument it did not consume,
 * or -1 after printing an error. `extra` handles command-specific options: it
 * returns how many arguments it consumed (1 or 2), 0 when it does not know the
 * option, or -1 on an error it has printed. */
typedef int (*cw_opt_fn)(void *ctx, const char *opt, const char *val);
int cw_cli_parse(int argc, char **argv, struct cw_settings *s, cw_opt_fn extra, void *ctx,
		 const char *usage);

cw_store *cw_cli_open_store(const struct cw_settings *s, int pool);
/* A path beside the binary's source tree (exe/../rel) when it exists, else NULL. */
const char *cw_cli_near_exe(const char *rel);
/* The key file of the settings (key_file, else <data_dir>/keys/pii.key), loaded and,
 * with create, made when missing; prints the problem and returns NULL. */
struct cw_keyring *cw_cli_keyring(const struct cw_settings *s, bool create, const char *cmd);
const char *cw_cli_key_path(const struct cw_settings *s);
/* Reads a password: a line from stdin (prompting with echo off on a terminal). */
int cw_cli_read_password(const char *prompt, char *out, size_t n);

int cmd_serve(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_tick(int argc, char **argv);

struct cw_api;
/* One scheduler pass as of `now` with the api's calendar (cmd_tick.c). Prints a line
 * per change and a summary to stdout when `print`; otherwise logs a one-line summary
 * when anything changed. 0, or -1 when the store failed. */
int cw_cli_tick(struct cw_api *api, int64_t now, bool print);
int cmd_keys(int argc, char **argv);

#endif
