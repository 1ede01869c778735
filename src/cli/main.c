/* main.c - the civicgrid binary: one command table, git style. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "util/crypto.h"

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
} commands[] = {
    {"serve", cmd_serve, "run the HTTP server (API, console, /healthz, /metrics)"},
    {"demo", cmd_demo, "load the Huaibei demo city (idempotent) and print the logins"},
    {"user", cmd_user, "add, list, set passwords of and unlock accounts"},
    {"token", cmd_token, "create API tokens for integrations"},
    {"audit", cmd_audit, "verify the audit log's SM3 hash chain"},
    {"migrate", cmd_migrate, "create or upgrade the database schema"},
    {"import", cmd_import, "import grids from GeoJSON (all or nothing)"},
    {"export", cmd_export, "export grids as GeoJSON"},
    {"tick", cmd_tick, "run one scheduler pass (warn, overdue, escalate) as of a time"},
    {"keys", cmd_keys, "rotate, rewrap and list the personal-data keys"},
};

static void usage(FILE *f)
{
	fputs("usage: civicgrid <command> [options]   (civicgrid <command> -h for its options)\n\n",
	      f);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (cw_crypto_init()) {
		fputs("civicgrid: cannot initialise libsodium/libgcrypt\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "civicgrid: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return 2;
}
