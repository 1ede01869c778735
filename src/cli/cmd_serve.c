/* cmd_serve.c - `civicgrid serve`: the HTTP server until SIGINT/SIGTERM, then drain. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "api/api.h"
#include "cli/cli.h"
#include "util/log.h"

static const char usage[] =
    "usage: civicgrid serve [--listen HOST:PORT] [--db sqlite:PATH | --db postgres://…]\n"
    "                       [--data-dir DIR] [--web-dir DIR] [--threads N] [--config FILE]\n"
    "                       [--session-idle 30m] [--session-absolute 12h]\n"
    "                       [--lockout-threshold 5] [--lockout-duration 15m]\n"
    "                       [--max-body BYTES] [--secure-cookies] [--log-level info]\n"
    "Serves until SIGINT or SIGTERM, lets requests in flight finish, exits 0.\n";

int cmd_serve(int argc, char **argv)
{
	struct cw_settings s;
	cw_settings_defaults(&s);
	int i = cw_cli_parse(argc, argv, &s, NULL, NULL, usage);
	if (i < 0)
		return 2;
	if (i < argc) {
		fprintf(stderr, "civicgrid serve: unexpected argument %s\n", argv[i]);
		return 2;
	}
	/* Signals go to this thread's sigwait, not to the server's threads. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	mkdir(s.data_dir, 0750);
	cw_store *store = cw_cli_open_store(&s, s.threads + 2);
	if (!store)
		return 1;
	struct cw_api api = {
	    .store = store,
	    /* last_seen is written at most once a minute, but often enough that a
	     * short idle timeout still sees activity. */
	    .cfg = {.policy = s.policy,
		    .session_touch_interval = s.policy.session_idle / 4 < 60 ? s.policy.session_idle / 4
									       : 60},
	    .secure_cookies = s.secure_cookies,
	    .web_dir = s.web_dir ? s.web_dir : cw_cli_near_exe("../web"),
	};
	struct cw_server_config sc = {
	    .listen = s.listen,
	    .threads = s.threads,
	    .limits = cw_server_limits_default(),
	    .app = &api,
	    .authenticate = cw_api_authenticate,
	    .fallback = cw_api_static,
	};
	sc.limits.max_body = (size_t)s.max_body;
	sc.routes = cw_api_routes(&sc.nroutes);
	char err[256];
	struct cw_server *srv = cw_server_start(&sc, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "civicgrid serve: %s\n", err);
		cw_store_close(store);
		return 1;
	}
	char host[128];
	snprintf(host, sizeof host, "%s", s.listen);
	char *colon = strrchr(host, ':');
	if (colon)
		*colon = 0;
	printf("civicgrid listening on http://%s:%u (store: %s)\n", host, cw_server_port(srv),
	       cw_store_is_postgres(store) ? "postgresql" : "sqlite");
	fflush(stdout);
	cw_info("serving on %s:%u with %d threads", host, cw_server_port(srv), s.threads);

	int sig = 0;
	sigwait(&sigs, &sig);
	cw_info("signal %d: draining requests in flight", sig);
	cw_server_shutdown(srv, 10000);
	cw_store_close(store);
	cw_info("stopped");
	return 0;
}
