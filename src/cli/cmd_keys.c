/* cmd_keys.c - `civicgrid keys`: the personal-data key file (util/keyring.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "util/clock.h"
#include "util/keyring.h"

static const char usage[] =
    "usage: civicgrid keys rotate [--key-file FILE | --data-dir DIR]\n"
    "       civicgrid keys rewrap [--db URL] [--key-file FILE | --data-dir DIR]\n"
    "       civicgrid keys list   [--db URL] [--key-file FILE | --data-dir DIR]\n"
    "The key file (default DIR/keys/pii.key) seals reporters' names and phone numbers.\n"
    "rotate  appends a new random key, which becomes the current one; running servers\n"
    "        pick it up within 10 seconds. Old keys stay to open older values.\n"
    "rewrap  re-seals every stored value that is not under the current key (in\n"
    "        batches, while the server runs) and prints how many.\n"
    "list    prints each key id, which is current and how many values use it (never\n"
    "        the key itself); a key with 0 values may then be removed from the file.\n";

int cmd_keys(int argc, char **argv)
{
	struct cw_settings s;
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc, argv, &s, NULL, NULL, usage);
	if (i < 0)
		return 2;
	if (i + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *what = argv[i];
	if (strcmp(what, "rotate") == 0) {
		char id[CW_KEY_ID_MAX], err[1024];
		/* A first rotation of a missing file makes it (k1) and rotates to k2. */
		struct cw_keyring *kr = cw_cli_keyring(&s, true, "keys rotate");
		if (!kr)
			return 1;
		cw_keyring_free(kr);
		if (cw_keyring_rotate_file(cw_cli_key_path(&s), id, err, sizeof err)) {
			fprintf(stderr, "civicgrid keys rotate: %s\n", err);
			return 1;
		}
		printf("new current key %s in %s\n"
		       "run `civicgrid keys rewrap` to re-seal the stored values under it\n",
		       id, cw_cli_key_path(&s));
		return 0;
	}
	if (strcmp(what, "rewrap") != 0 && strcmp(what, "list") != 0) {
		fprintf(stderr, "civicgrid keys: unknown subcommand %s\n%s", what, usage);
		return 2;
	}
	struct cw_keyring *kr = cw_cli_keyring(&s, false, "keys");
	if (!kr)
		return 1;
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st) {
		cw_keyring_free(kr);
		return 1;
	}
	int rc = 0;
	if (strcmp(what, "rewrap") == 0) {
		struct cw_actor actor = cw_actor_cli();
		int64_t done = 0, failed = 0;
		enum cw_ec ec = cw_keys_rewrap(st, kr, &actor, 500, cw_now(), &done, &failed);
		char cur[CW_KEY_ID_MAX];
		cw_keyring_current(kr, cur);
		printf("rewrapped %lld values under key %s\n", (long long)done, cur);
		if (failed) {
			fprintf(stderr,
				"civicgrid keys rewrap: %lld values could not be opened (their key is "
				"not in the file, or they were altered); see `civicgrid keys list`\n",
				(long long)failed);
			rc = 1;
		}
		if (ec != CW_EC_OK) {
			fprintf(stderr, "civicgrid keys rewrap: %s\n", cw_ec_message(ec, CW_LANG_EN));
			rc = 1;
		}
	} else {
		struct cw_key_usage *u;
		int n;
		enum cw_ec ec = cw_keys_usage(st, kr, &u, &n);
		if (ec != CW_EC_OK) {
			fprintf(stderr, "civicgrid keys list: %s\n", cw_ec_message(ec, CW_LANG_EN));
			rc = 1;
		} else {
			printf("%-32s %-8s %s\n", "key", "current", "values");
			for (int k = 0; k < n; k++)
				printf("%-32s %-8s %lld%s\n", u[k].id, u[k].current ? "yes" : "",
				       (long long)u[k].values,
				       u[k].in_file ? "" : "  (not in the key file: unreadable)");
			free(u);
		}
	}
	cw_store_close(st);
	cw_keyring_free(kr);
	return rc;
}
