/* cmd_admin.c - the administration commands: demo, user, token, audit, migrate. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "cli/cli.h"
#include "util/arena.h"
#include "util/clock.h"
#include "util/keyring.h"
#include "util/text.h"

/* ---- demo ---- */

struct demo_opts {
	const char *password, *categories;
	const char *cases, *seed, *until;
};

static int demo_opt(void *p, const char *opt, const char *val)
{
	struct demo_opts *o = p;
	if (strcmp(opt, "--password") == 0) {
		o->password = val;
		return 2;
	}
	if (strcmp(opt, "--categories") == 0) {
		o->categories = val;
		return 2;
	}
	if (strcmp(opt, "--cases") == 0) {
		o->cases = val;
		return 2;
	}
	if (strcmp(opt, "--seed") == 0) {
		o->seed = val;
		return 2;
	}
	if (strcmp(opt, "--until") == 0) {
		o->until = val;
		return 2;
	}
	return 0;
}

/* --cases N [--seed S] [--until YYYY-MM-DD] into *out; 0, or 2 after a message. */
static int demo_cases_opts(const struct demo_opts *o, struct cw_demo_cases_options *out)
{
	int64_t v;
	/* Today, local China time, at 00:00. */
	out->until = cw_day_start(cw_day_of(cw_now()));
	out->seed = 20231219;
	if (o->cases) {
		if (!cw_parse_int(o->cases, 0, 100000000, &v)) {
			fputs("civicgrid demo: --cases takes a number from 0 to 100000000\n", stderr);
			return 2;
		}
		out->cases = v;
	}
	if (o->seed) {
		if (!cw_parse_int(o->seed, 0, INT64_MAX, &v)) {
			fputs("civicgrid demo: --seed takes a non-negative number\n", stderr);
			return 2;
		}
		out->seed = (uint64_t)v;
	}
	if (o->until) {
		int64_t day;
		if (!cw_day_parse(o->until, &day)) {
			fputs("civicgrid demo: --until takes a date YYYY-MM-DD\n", stderr);
			return 2;
		}
		out->until = cw_day_start(day);
	}
	if ((o->seed || o->until) && !o->cases) {
		fputs("civicgrid demo: --seed and --until go with --cases\n", stderr);
		return 2;
	}
	return 0;
}

int cmd_demo(int argc, char **argv)
{
	static const char usage[] =
	    "usage: civicgrid demo [--db URL] [--password PW] [--shared-data DIR]\n"
	    "                      [--categories FILE] [--data-dir DIR] [--key-file FILE]\n"
	    "                      [--cases N [--seed S] [--until DATE]]\n"
	    "Loads the Huaibei demo city: regions from DIR (default ../shared/data),\n"
	    "departments, the demo users of API.md, and about 2,000 grids with synthetic\n"
	    "boundaries and their ~4,600 grid workers. A second run changes nothing.\n"
	    "The case categories come from FILE (default catalog/categories.csv beside\n"
	    "the build directory) when the store has none yet.\n"
	    "With --password every demo user gets PW; otherwise new users get random\n"
	    "passwords, printed once.\n"
	    "The personal-data key file (default DIR/keys/pii.key) is made when missing.\n"
	    "With --cases N it then generates a year of realistic cases (N of them, up to\n"
	    "--until DATE at 00:00 China time, default today) when the store has none yet;\n"
	    "the same --seed S (default 20231219) and DATE give the same cases.\n";
	struct cw_settings s;
	struct demo_opts o = {0};
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc, argv, &s, demo_opt, &o, usage);
	if (i < 0 || i < argc) {
		if (i >= 0)
			fprintf(stderr, "civicgrid demo: unexpected argument %s\n", argv[i]);
		return 2;
	}
	struct cw_demo_cases_options cases = {0};
	if (demo_cases_opts(&o, &cases))
		return 2;
	cases.work_hours = &s.work_hours;
	if (o.password && cw_password_check(o.password, NULL)) {
		fprintf(stderr, "civicgrid demo: %s\n", cw_ec_message(CW_EC_WEAK_PASSWORD, CW_LANG_EN));
		return 2;
	}
	const char *data = s.shared_data;
	if (!data) {
		FILE *f = fopen("../shared/data/huaibei-towns.csv", "r");
		if (f) {
			fclose(f);
			data = "../shared/data";
		} else {
			data = cw_cli_near_exe("../../shared/data");
		}
	}
	if (!data) {
		fputs("civicgrid demo: cannot find the reference data; pass --shared-data DIR\n",
		      stderr);
		return 1;
	}
	/* Found like the web directory: the binary sits in a build directory beside catalog/. */
	const char *categories = o.categories ? o.categories
					      : cw_cli_near_exe("../catalog/categories.csv");
	if (!categories) {
		fputs("civicgrid demo: cannot find catalog/categories.csv; pass --categories FILE\n",
		      stderr);
		return 1;
	}
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st)
		return 1;
	/* The seed is the date of the seed article: every demo city is the same. */
	struct cw_demo_options opt = {.data_dir = data, .password = o.password, .seed = 20231219,
				      .categories_path = categories};
	int rc = cw_demo_load(st, &opt);
	if (!rc && cases.cases)
		rc = cw_demo_load_cases(st, &cases);
	cw_store_close(st);
	if (rc)
		return 1;
	/* The key file of personal data, made beside the data when missing. */
	struct cw_keyring *kr = cw_cli_keyring(&s, true, "demo");
	if (!kr)
		return 1;
	cw_keyring_free(kr);
	return 0;
}

/* ---- user ---- */

struct user_opts {
	const char *username, *name, *region, *roles, *password;
	bool password_stdin;
};

static int user_opt(void *p, const char *opt, const char *val)
{
	struct user_opts *o = p;
	const char **dst = strcmp(opt, "--username") == 0   ? &o->username
			   : strcmp(opt, "--name") == 0     ? &o->name
			   : strcmp(opt, "--region") == 0   ? &o->region
			   : strcmp(opt, "--roles") == 0    ? &o->roles
			   : strcmp(opt, "--password") == 0 ? &o->password
							    : NULL;
	if (strcmp(opt, "--password-stdin") == 0) {
		o->password_stdin = true;
		return 1;
	}
	if (!dst)
		return 0;
	*dst = val;
	return 2;
}

static const char user_usage[] =
    "usage: civicgrid user add --username U --name NAME --region CODE --roles R1,R2\n"
    "                          [--password-stdin]\n"
    "       civicgrid user passwd USERNAME      (reads the new password from stdin)\n"
    "       civicgrid user unlock USERNAME\n"
    "       civicgrid user list [--region CODE]\n"
    "       (each also takes --db URL and --config FILE)\n"
    "Roles: sysadmin secadmin auditor leader dispatcher department grid_worker\n"
    "       mediator petition_officer citizen\n";

static int fail(enum cw_ec ec)
{
	fprintf(stderr, "civicgrid user: %s\n", cw_ec_message(ec, CW_LANG_EN));
	return 1;
}

static int user_list(cw_store *st, struct cw_arena *a, const char *region)
{
	struct cw_actor actor = cw_actor_cli();
	actor.roles = 1u << CW_ROLE_SECADMIN;
	if (region) {
		struct cw_region r;
		enum cw_ec ec = cw_region_get_scoped(st, a, &actor, region, &r);
		if (ec)
			return fail(ec);
		actor.region_path = r.path;
	}
	printf("%-6s %-16s %-24s %-14s %-24s %s\n", "id", "username", "name", "region", "roles",
	       "state");
	int64_t after = 0;
	for (;;) {
		struct cw_user *us;
		int n;
		enum cw_ec ec = cw_user_list_scoped(st, a, &actor, after, 200, &us, &n);
		if (ec)
			return fail(ec);
		for (int i = 0; i < n; i++) {
			char roles[160];
			cw_roleset_format(us[i].roles, roles, sizeof roles);
			printf("%-6" PRId64 " %-16s %-24s %-14s %-24s %s\n", us[i].id, us[i].username,
			       us[i].name, us[i].region, roles,
			       us[i].disabled			  ? "disabled"
			       : us[i].locked_until > cw_now()	  ? "locked"
			       : !*us[i].password_hash		  ? "no password"
								  : "active");
			after = us[i].id;
		}
		if (n < 200)
			return 0;
	}
}

int cmd_user(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fputs(user_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	struct cw_settings s;
	struct user_opts o = {0};
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc - 1, argv + 1, &s, user_opt, &o, user_usage);
	if (i < 0)
		return 2;
	const char *target = i < argc - 1 ? argv[1 + i] : NULL;
	bool needs_target = strcmp(sub, "passwd") == 0 || strcmp(sub, "unlock") == 0;
	if (needs_target != (target != NULL) || (target && i + 1 < argc - 1)) {
		fputs(user_usage, stderr);
		return 2;
	}
	struct cw_actor actor = cw_actor_cli();
	actor.roles = 1u << CW_ROLE_SECADMIN;
	char pw[1100] = "";
	if (strcmp(sub, "add") == 0) {
		cw_roleset roles;
		if (!o.username || !o.name || !o.region || !o.roles) {
			fputs(user_usage, stderr);
			return 2;
		}
		if (!cw_roleset_parse(o.roles, &roles)) {
			fprintf(stderr, "civicgrid user: unknown role in '%s'\n", o.roles);
			return 2;
		}
		if (o.password_stdin && cw_cli_read_password("password: ", pw, sizeof pw))
			return 2;
		cw_store *st = cw_cli_open_store(&s, 2);
		if (!st)
			return 1;
		struct cw_arena *a = cw_arena_new();
		struct cw_user_input in = {.username = o.username, .name = o.name, .region = o.region,
					   .password = *pw ? pw : NULL, .roles = roles};
		struct cw_user u;
		enum cw_ec ec = cw_user_create(st, a, &actor, &in, cw_now(), &u);
		if (!ec)
			printf("user %s created (id %" PRId64 ")%s\n", u.username, u.id,
			       *pw ? "" : "; set a password with: civicgrid user passwd");
		cw_arena_free(a);
		cw_store_close(st);
		return ec ? fail(ec) : 0;
	}
	if (strcmp(sub, "passwd") == 0 && cw_cli_read_password("new password: ", pw, sizeof pw))
		return 2;
	if (strcmp(sub, "passwd") && strcmp(sub, "unlock") && strcmp(sub, "list")) {
		fprintf(stderr, "civicgrid user: unknown subcommand %s\n%s", sub, user_usage);
		return 2;
	}
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st)
		return 1;
	struct cw_arena *a = cw_arena_new();
	int rc;
	if (strcmp(sub, "list") == 0) {
		rc = user_list(st, a, o.region);
	} else {
		enum cw_ec ec = sub[0] == 'p' ? cw_user_set_password(st, a, &actor, target, pw, cw_now())
					      : cw_user_unlock(st, a, &actor, target, cw_now());
		if (!ec)
			printf("%s: %s\n", target, sub[0] == 'p' ? "password set" : "unlocked");
		rc = ec ? fail(ec) : 0;
	}
	cw_arena_free(a);
	cw_store_close(st);
	return rc;
}

/* ---- token ---- */

struct token_opts {
	const char *user, *name;
};

static int token_opt(void *p, const char *opt, const char *val)
{
	struct token_opts *o = p;
	if (strcmp(opt, "--user") == 0)
		o->user = val;
	else if (strcmp(opt, "--name") == 0)
		o->name = val;
	else
		return 0;
	return 2;
}

int cmd_token(int argc, char **argv)
{
	static const char usage[] =
	    "usage: civicgrid token add --user USERNAME --name NAME [--db URL]\n"
	    "Prints a new API token for Authorization: Bearer (and Open311 api_key).\n"
	    "It is shown once; only its SM3 digest is stored.\n";
	if (argc < 2 || strcmp(argv[1], "add") != 0) {
		bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
		fputs(usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	struct cw_settings s;
	struct token_opts o = {0};
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc - 1, argv + 1, &s, token_opt, &o, usage);
	if (i < 0 || i < argc - 1 || !o.user || !o.name) {
		fputs(usage, stderr);
		return 2;
	}
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st)
		return 1;
	struct cw_arena *a = cw_arena_new();
	struct cw_actor actor = cw_actor_cli();
	actor.roles = 1u << CW_ROLE_SECADMIN;
	const char *token;
	enum cw_ec ec = cw_token_create(st, a, &actor, o.user, o.name, cw_now(), &token);
	if (ec)
		fprintf(stderr, "civicgrid token: %s\n", cw_ec_message(ec, CW_LANG_EN));
	else
		printf("%s\n", token);
	cw_arena_free(a);
	cw_store_close(st);
	return ec ? 1 : 0;
}

/* ---- audit ---- */

int cmd_audit(int argc, char **argv)
{
	static const char usage[] =
	    "usage: civicgrid audit verify [--db URL]\n"
	    "Checks every record's SM3 hash and its link to the one before. Exits 0 when\n"
	    "the chain is intact, 1 naming the first broken record otherwise.\n";
	if (argc < 2 || strcmp(argv[1], "verify") != 0) {
		bool help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);
		fputs(usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	struct cw_settings s;
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc - 1, argv + 1, &s, NULL, NULL, usage);
	if (i < 0 || i < argc - 1)
		return 2;
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st)
		return 1;
	int64_t count = 0, bad = 0;
	const char *why = NULL;
	int rc = cw_audit_verify(st, &count, &bad, &why);
	cw_store_close(st);
	if (rc < 0) {
		fputs("civicgrid audit: cannot read the audit log\n", stderr);
		return 1;
	}
	if (rc > 0) {
		printf("audit chain BROKEN at record %" PRId64 ": %s\n", bad, why);
		return 1;
	}
	printf("audit chain intact: %" PRId64 " records\n", count);
	return 0;
}

/* ---- migrate ---- */

int cmd_migrate(int argc, char **argv)
{
	static const char usage[] = "usage: civicgrid migrate [--db URL]\n"
				    "Creates or upgrades the schema and prints its version.\n";
	struct cw_settings s;
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc, argv, &s, NULL, NULL, usage);
	if (i < 0 || i < argc)
		return 2;
	cw_store *st = cw_cli_open_store(&s, 1);
	if (!st)
		return 1;
	printf("schema version %d\n", cw_store_schema_version(st));
	cw_store_close(st);
	return 0;
}
