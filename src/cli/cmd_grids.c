/* cmd_grids.c - `civicgrid import grids FILE`, `civicgrid import categories FILE` and
 * `civicgrid export grids`. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "cli/cli.h"
#include "util/arena.h"
#include "util/clock.h"

static bool tty;

static void progress(size_t done, size_t total)
{
	if (tty && (done == total || done % 50 == 0)) {
		fprintf(stderr, "\rchecking %zu/%zu", done, total);
		if (done == total)
			fputc('\n', stderr);
	}
}

static int import_grids(const struct cw_settings *s, const char *path)
{
	json_error_t err;
	json_t *fc = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &err)
					    : json_load_file(path, JSON_REJECT_DUPLICATES, &err);
	if (!fc) {
		fprintf(stderr, "civicgrid import: %s: not valid JSON (line %d, column %d: %s)\n",
			path, err.line, err.column, err.text);
		return 1;
	}
	cw_store *st = cw_cli_open_store(s, 2);
	if (!st) {
		json_decref(fc);
		return 1;
	}
	tty = isatty(STDERR_FILENO);
	struct cw_actor actor = cw_actor_cli();
	struct cw_import_report rep;
	enum cw_ec ec = cw_grids_import(st, &actor, fc, cw_now(), progress, &rep);
	json_decref(fc);
	cw_store_close(st);
	for (size_t i = 0; i < rep.nproblems; i++) {
		const struct cw_import_problem *p = &rep.problems[i];
		fprintf(stderr, "feature %zu%s%s%s: %s", p->index, p->code[0] ? " (" : "", p->code,
			p->code[0] ? ")" : "", p->reason_en);
		if (p->has_location)
			fprintf(stderr, " [at %.7f, %.7f]", p->lon, p->lat);
		fputc('\n', stderr);
	}
	free(rep.problems);
	if (ec) {
		if (rep.nproblems)
			fprintf(stderr, "civicgrid import: %zu of %zu features refused; nothing was imported\n",
				rep.nproblems, rep.features);
		else
			fprintf(stderr, "civicgrid import: %s; nothing was imported\n",
				cw_ec_message(ec, CW_LANG_EN));
		return 1;
	}
	printf("imported %zu grids (%zu new, %zu updated)\n", rep.created + rep.updated, rep.created,
	       rep.updated);
	return 0;
}

static int import_categories(const struct cw_settings *s, const char *path)
{
	cw_store *st = cw_cli_open_store(s, 2);
	if (!st)
		return 1;
	struct cw_actor actor = cw_actor_cli();
	int rc = cw_categories_import_file(st, &actor, path, false, false);
	cw_store_close(st);
	return rc ? 1 : 0;
}

struct export_opts {
	const char *within;
};

static int export_opt(void *p, const char *opt, const char *val)
{
	struct export_opts *o = p;
	if (strcmp(opt, "--within") != 0)
		return 0;
	o->within = val;
	return 2;
}

static const char import_usage[] =
    "usage: civicgrid import grids FILE.geojson [--db URL]\n"
    "       civicgrid import categories FILE.csv [--db URL]\n"
    "grids: imports a GeoJSON FeatureCollection of grids, all or nothing. Each feature\n"
    "has properties.code (15 digits: the village's 12 and a 3-digit sequence) and may\n"
    "have name, type (comprehensive, school, hospital, park, enterprise, market),\n"
    "households and population; its geometry is a Polygon or MultiPolygon in WGS84.\n"
    "Every refused feature is listed with its index and reason (FILE - reads stdin).\n"
    "categories: makes the CSV the case category taxonomy (catalog/README.md), all or\n"
    "nothing; every bad line is listed as FILE:LINE. Categories it no longer lists\n"
    "become inactive. Importing the same file again changes nothing.\n";

int cmd_import(int argc, char **argv)
{
	struct cw_settings s;
	cw_settings_defaults(&s);
	bool grids = argc >= 2 && strcmp(argv[1], "grids") == 0;
	if (argc < 2 || (!grids && strcmp(argv[1], "categories") != 0)) {
		bool help = argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
		fputs(import_usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	int i = cw_cli_parse(argc - 1, argv + 1, &s, NULL, NULL, import_usage);
	if (i < 0 || i != argc - 2) {
		if (i >= 0)
			fputs(import_usage, stderr);
		return 2;
	}
	return grids ? import_grids(&s, argv[1 + i]) : import_categories(&s, argv[1 + i]);
}

int cmd_export(int argc, char **argv)
{
	static const char usage[] =
	    "usage: civicgrid export grids [--within CODE] [--db URL]\n"
	    "Writes the grids under CODE (default: the whole city) as a GeoJSON\n"
	    "FeatureCollection to stdout, in the form `import grids` reads.\n";
	struct cw_settings s;
	struct export_opts o = {0};
	cw_settings_defaults(&s);
	if (argc < 2 || strcmp(argv[1], "grids") != 0) {
		bool help = argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
		fputs(usage, help ? stdout : stderr);
		return help ? 0 : 2;
	}
	int i = cw_cli_parse(argc - 1, argv + 1, &s, export_opt, &o, usage);
	if (i < 0 || i != argc - 1) {
		if (i >= 0)
			fputs(usage, stderr);
		return 2;
	}
	cw_store *st = cw_cli_open_store(&s, 2);
	if (!st)
		return 1;
	struct cw_arena *a = cw_arena_new();
	struct cw_actor actor = cw_actor_cli();
	const char *within = o.within;
	if (!within) {
		/* The root of the tree: the first region without a parent. */
		struct cw_region r;
		within = cw_region_root(st, a, &r) == CW_EC_OK ? r.code : "";
	}
	json_t *fc = NULL;
	enum cw_ec ec = cw_grids_feature_collection(st, a, &actor, within, &fc);
	int rc = 0;
	if (ec) {
		fprintf(stderr, "civicgrid export: %s\n", cw_ec_message(ec, CW_LANG_EN));
		rc = 1;
	} else if (json_dumpf(fc, stdout, JSON_COMPACT | JSON_REAL_PRECISION(12)) != 0 ||
		   fputc('\n', stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "civicgrid export: cannot write: %s\n", strerror(errno));
		rc = 1;
	}
	json_decref(fc);
	cw_arena_free(a);
	cw_store_close(st);
	return rc;
}
