/* settings.c - configuration: defaults, a key = value file, and command-line flags. */
#include "cli/cli.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "util/arena.h"
#include "util/clock.h"
#include "util/keyring.h"
#include "util/log.h"
#include "util/text.h"

/* Setting values live as long as the process; a global arena keeps them reachable
 * (and so not reported as leaks) without every command having to free them. */
static struct cw_arena *values;

static const char *keep(const char *v)
{
	if (!values)
		values = cw_arena_new();
	return cw_arena_strdup(values, v);
}

void cw_settings_defaults(struct cw_settings *s)
{
	*s = (struct cw_settings){
	    .listen = "127.0.0.1:8080",
	    .db = "sqlite:civicgrid.db",
	    .data_dir = "data",
	    .threads = 0, /* cmd_serve: CW_THREADS_SQLITE or CW_THREADS_PG */
	    .policy = cw_auth_policy_default(),
	    .max_body = 1 << 20,
	    .log_level = "info",
	    .work_hours = cw_work_hours_default(),
	    .tick_interval = 30,
	    .max_streams = 1000,
	    .portal_burst = 20,
	    .portal_refill = 30,
	};
}

static const char *duration(int64_t *out, const char *v)
{
	return cw_duration_parse(v, out) && *out > 0 ? NULL
						      : "expects a duration such as 30m, 12h or 90s";
}

const char *cw_settings_set(struct cw_settings *s, const char *key, const char *v)
{
	int64_t n;
	if (strcmp(key, "listen") == 0)
		s->listen = keep(v);
	else if (strcmp(key, "db") == 0)
		s->db = keep(v);
	else if (strcmp(key, "data_dir") == 0)
		s->data_dir = keep(v);
	else if (strcmp(key, "web_dir") == 0)
		s->web_dir = keep(v);
	else if (strcmp(key, "shared_data") == 0)
		s->shared_data = keep(v);
	else if (strcmp(key, "threads") == 0) {
		if (!cw_parse_int(v, 1, 256, &n))
			return "expects a number from 1 to 256";
		s->threads = (int)n;
	} else if (strcmp(key, "active") == 0) {
		if (!cw_parse_int(v, 0, 256, &n))
			return "expects a number from 0 to 256";
		s->active = (int)n;
	} else if (strcmp(key, "session_idle") == 0)
		return duration(&s->policy.session_idle, v);
	else if (strcmp(key, "session_absolute") == 0)
		return duration(&s->policy.session_absolute, v);
	else if (strcmp(key, "lockout_duration") == 0)
		return duration(&s->policy.lockout_duration, v);
	else if (strcmp(key, "lockout_threshold") == 0) {
		if (!cw_parse_int(v, 1, 100, &n))
			return "expects a number from 1 to 100";
		s->policy.lockout_threshold = (int)n;
	} else if (strcmp(key, "max_body") == 0) {
		if (!cw_parse_int(v, 1024, 64LL << 20, &n))
			return "expects bytes from 1024 to 67108864";
		s->max_body = n;
	} else if (strcmp(key, "secure_cookies") == 0) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return "expects true or false";
		s->secure_cookies = v[0] == 't';
	} else if (strcmp(key, "work_hours") == 0) {
		if (cw_work_hours_parse(v, &s->work_hours))
			return "expects spans such as 08:30-12:00,14:30-17:30";
	} else if (strcmp(key, "tick_interval") == 0) {
		if (strcmp(v, "0") == 0)
			s->tick_interval = 0;
		else if (!cw_duration_parse(v, &n) || n <= 0 || n > 86400)
			return "expects a duration up to 24h such as 30s, or 0 to disable";
		else
			s->tick_interval = n;
	} else if (strcmp(key, "key_file") == 0) {
		if (!*v)
			return "expects a file path";
		s->key_file = keep(v);
	} else if (strcmp(key, "log_level") == 0) {
		if (strcmp(v, "debug") && strcmp(v, "info") && strcmp(v, "warn") && strcmp(v, "error"))
			return "expects debug, info, warn or error";
		s->log_level = keep(v);
	} else if (strcmp(key, "max_streams") == 0) {
		if (!cw_parse_int(v, 1, 100000, &n))
			return "expects a number from 1 to 100000";
		s->max_streams = (int)n;
	} else if (strcmp(key, "portal_burst") == 0) {
		if (!cw_parse_int(v, 1, 100000, &n))
			return "expects a number from 1 to 100000";
		s->portal_burst = (int)n;
	} else if (strcmp(key, "portal_refill") == 0) {
		if (!cw_duration_parse(v, &n) || n <= 0 || n > 86400)
			return "expects a duration up to 24h such as 30s";
		s->portal_refill = n;
	} else if (strcmp(key, "trusted_proxies") == 0) {
		/* Comma-separated IP addresses (no names, no ranges). */
		char buf[1024];
		if (strlen(v) >= sizeof buf)
			return "expects a shorter list of addresses";
		snprintf(buf, sizeof buf, "%s", v);
		for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			while (*tok == ' ')
				tok++;
			char *end = tok + strlen(tok);
			while (end > tok && end[-1] == ' ')
				*--end = 0;
			unsigned char addr[16];
			if (inet_pton(AF_INET, tok, addr) != 1 && inet_pton(AF_INET6, tok, addr) != 1)
				return "expects IP addresses separated by commas, such as 127.0.0.1,::1";
		}
		s->trusted_proxies = keep(v);
	} else if (strcmp(key, "tile_url") == 0) {
		/* The browser fetches the tiles; the console's CSP allows https images. */
		if (!*v)
			s->tile_url = NULL;
		else if (strncmp(v, "https://", 8) != 0 || strlen(v) > 2000 || !strstr(v, "{z}") ||
			 !strstr(v, "{x}") || !strstr(v, "{y}") || !cw_utf8_valid(v, strlen(v)))
			return "expects an https:// URL with {z}, {x} and {y}";
		else
			s->tile_url = keep(v);
	} else if (strcmp(key, "tile_attribution") == 0) {
		if (strlen(v) > 500 || !cw_utf8_valid(v, strlen(v)))
			return "expects a text of up to 500 bytes";
		s->tile_attribution = *v ? keep(v) : NULL;
	} else
		return "is not a known setting";
	return NULL;
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = 0;
	return s;
}

int cw_settings_load(struct cw_settings *s, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "civicgrid: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	char line[1024];
	int lineno = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *l = trim(line);
		if (!*l || *l == '#')
			continue;
		char *eq = strchr(l, '=');
		if (!eq) {
			fprintf(stderr, "civicgrid: %s:%d: expected key = value\n", path, lineno);
			fclose(f);
			return -1;
		}
		*eq = 0;
		const char *err = cw_settings_set(s, trim(l), trim(eq + 1));
		if (err) {
			fprintf(stderr, "civicgrid: %s:%d: %s %s\n", path, lineno, trim(l), err);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* Flags that map onto settings: --listen X is the setting listen = X. */
static const char *const setting_flags[] = {
    "listen", "db", "data-dir", "web-dir", "shared-data", "threads", "active", "session-idle",
    "session-absolute", "lockout-threshold", "lockout-duration", "max-body", "log-level", "work-hours",
    "tick-interval",
    "key-file",
    "max-streams",
    "portal-burst",
    "portal-refill",
    "trusted-proxies",
    "tile-url", "tile-attribution",
};

int cw_cli_parse(int argc, char **argv, struct cw_settings *s, cw_opt_fn extra, void *ctx,
		 const char *usage)
{
	/* Options and operands may come in any order (`import grids FILE --db URL`):
	 * operands are set aside and moved behind the options at the end, as GNU
	 * getopt does; "--" ends the options. */
	char **operands = cw_xcalloc((size_t)argc + 1, sizeof *operands);
	int nops = 0, i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			exit(0);
		}
		if (strcmp(a, "--") == 0) {
			for (i++; i < argc; i++)
				operands[nops++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) != 0) {
			operands[nops++] = argv[i];
			continue;
		}
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--config") == 0) {
			if (!val || cw_settings_load(s, val))
				goto fail;
			i++;
			continue;
		}
		if (strcmp(a, "--secure-cookies") == 0) {
			s->secure_cookies = true;
			continue;
		}
		bool done = false;
		for (size_t k = 0; k < sizeof setting_flags / sizeof setting_flags[0]; k++) {
			if (strcmp(a + 2, setting_flags[k]) != 0)
				continue;
			if (!val) {
				fprintf(stderr, "civicgrid: %s needs a value\n", a);
				goto fail;
			}
			char key[64];
			snprintf(key, sizeof key, "%s", setting_flags[k]);
			for (char *p = key; *p; p++)
				if (*p == '-')
					*p = '_';
			const char *err = cw_settings_set(s, key, val);
			if (err) {
				fprintf(stderr, "civicgrid: %s %s\n", a, err);
				goto fail;
			}
			i++;
			done = true;
			break;
		}
		if (done)
			continue;
		int used = extra ? extra(ctx, a, val) : 0;
		if (used < 0)
			goto fail;
		if (used == 0) {
			fprintf(stderr, "civicgrid: unknown option %s\n%s", a, usage);
			goto fail;
		}
		if (used == 2 && !val) {
			fprintf(stderr, "civicgrid: %s needs a value\n", a);
			goto fail;
		}
		i += used - 1;
	}
	/* Options first (in their order), then the operands. */
	int nopts = 0;
	for (int k = 1; k < argc; k++) {
		bool operand = false;
		for (int o = 0; o < nops && !operand; o++)
			operand = argv[k] == operands[o];
		if (!operand && strcmp(argv[k], "--") != 0)
			argv[1 + nopts++] = argv[k];
	}
	for (int o = 0; o < nops; o++)
		argv[1 + nopts + o] = operands[o];
	free(operands);
	i = 1 + nopts;
	if (strcmp(s->log_level, "debug") == 0)
		cw_log_set_level(CW_LOG_DEBUG);
	else if (strcmp(s->log_level, "warn") == 0)
		cw_log_set_level(CW_LOG_WARN);
	else if (strcmp(s->log_level, "error") == 0)
		cw_log_set_level(CW_LOG_ERROR);
	return i;
fail:
	free(operands);
	return -1;
}

cw_store *cw_cli_open_store(const struct cw_settings *s, int pool)
{
	char err[256];
	cw_store *st = cw_store_open(s->db, pool, err, sizeof err);
	if (!st)
		fprintf(stderr, "civicgrid: cannot open the store: %s\n", err);
	return st;
}

const char *cw_cli_near_exe(const char *rel)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = 0;
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", exe, rel);
	char *real = realpath(path, NULL);
	if (!real)
		return NULL;
	const char *kept = keep(real);
	free(real);
	return kept;
}

int cw_cli_read_password(const char *prompt, char *out, size_t n)
{
	bool tty = isatty(STDIN_FILENO);
	struct termios old, quiet;
	if (tty) {
		fputs(prompt, stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	char *got = fgets(out, (int)n, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fputc('\n', stderr);
	}
	if (!got)
		return -1;
	out[strcspn(out, "\r\n")] = 0;
	return 0;
}

const char *cw_cli_key_path(const struct cw_settings *s)
{
	if (s->key_file)
		return s->key_file;
	if (!values)
		values = cw_arena_new();
	return cw_arena_printf(values, "%s/keys/pii.key", s->data_dir);
}

struct cw_keyring *cw_cli_keyring(const struct cw_settings *s, bool create, const char *cmd)
{
	char err[1024];
	struct cw_keyring *kr = cw_keyring_load(cw_cli_key_path(s), create, err, sizeof err);
	if (!kr)
		fprintf(stderr, "civicgrid %s: %s\n", cmd, err);
	return kr;
}
