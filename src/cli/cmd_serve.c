/* cmd_serve.c - `civicgrid serve`: the HTTP server until SIGINT/SIGTERM, then drain. */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api/api.h"
#include "cli/cli.h"
#include "geo/geo.h"
#include "util/clock.h"
#include "util/gate.h"
#include "util/keyring.h"
#include "util/log.h"
#include "util/ratelimit.h"

static const char usage[] =
    "usage: civicgrid serve [--listen HOST:PORT] [--db sqlite:PATH | --db postgres://…]\n"
    "                       [--data-dir DIR] [--web-dir DIR] [--threads N] [--active N]\n"
    "                       [--config FILE]\n"
    "                       [--session-idle 30m] [--session-absolute 12h]\n"
    "                       [--lockout-threshold 5] [--lockout-duration 15m]\n"
    "                       [--max-body BYTES] [--secure-cookies] [--log-level info]\n"
    "                       [--work-hours 08:30-12:00,14:30-17:30]\n"
    "                       [--tick-interval 30s]   (scheduler passes; 0 disables)\n"
    "                       [--key-file FILE (default DATA-DIR/keys/pii.key)]\n"
    "                       [--max-streams 1000]\n"
    "                       [--portal-burst 20] [--portal-refill 30s]   (public routes' limit)\n"
    "                       [--trusted-proxies ADDR,…]   (whose X-Forwarded-For the portal reads)\n"
    "Serves until SIGINT or SIGTERM, lets requests in flight finish, exits 0.\n";

/* Housekeeping beside the server: every ten seconds the grid index is rebuilt if
 * another instance changed a boundary; every five minutes dead sessions are
 * removed (a session is also refused and removed when it is next presented). */
struct housekeeping {
	cw_store *store;
	struct cw_api *api;
	const struct cw_app_config *cfg;
	int64_t tick_interval; /* seconds between scheduler passes; 0: none */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

static void *housekeeping_main(void *p)
{
	struct housekeeping *h = p;
	int64_t last_purge = 0, last_tick = 0;
	pthread_mutex_lock(&h->lock);
	while (!h->stop) {
		pthread_mutex_unlock(&h->lock);
		cw_api_grids_refresh(h->api, false);
		cw_api_calendar_refresh(h->api, false);
		/* A rotated key file is picked up here (and at once by a request that meets
		 * a value under a key not yet loaded). */
		char kerr[1024];
		char kid[CW_KEY_ID_MAX];
		int krc = cw_keyring_refresh(h->api->keyring, false, kerr, sizeof kerr);
		if (krc == 1) {
			cw_keyring_current(h->api->keyring, kid);
			cw_info("keyring: re-read the key file; current key %s", kid);
		} else if (krc < 0) {
			cw_warn("keyring: %s; keeping the keys loaded before", kerr);
		}
		if (cw_now() - last_purge >= 300) {
			int64_t n = cw_sessions_purge(h->store, h->cfg, cw_now());
			if (n > 0)
				cw_info("housekeeping: removed %lld expired sessions", (long long)n);
			last_purge = cw_now();
		}
		/* The case scheduler: warnings, overdue marks, escalations (cmd_tick.c). */
		if (h->tick_interval > 0 && cw_now() - last_tick >= h->tick_interval) {
			last_tick = cw_now();
			cw_cli_tick(h->api, last_tick, false);
		}
		pthread_mutex_lock(&h->lock);
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += h->tick_interval > 0 && h->tick_interval < 10 ? h->tick_interval : 10;
		while (!h->stop && pthread_cond_timedwait(&h->wake, &h->lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

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
	/* Freed memory stays in the process for the next request. By default glibc gives
	 * the top of each thread's heap back with madvise as soon as it passes a moving
	 * threshold; on a virtual machine each of those flushes the TLB of every core
	 * (an interprocessor interrupt), which took 14% of the server's time when it
	 * was creating cases, and the page faults of touching the memory again 7% more. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	/* Signals go to this thread's sigwait, not to the server's threads. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	mkdir(s.data_dir, 0750);
	/* The personal-data keys: made on first start, refused when others may read them. */
	struct cw_keyring *keyring = cw_cli_keyring(&s, true, "serve");
	if (!keyring)
		return 1;
	/* A thread waits in its request until the write it carries is committed (group
	 * commit gathers the writes of the threads that wait), so with SQLite there are as
	 * many as the connections a busy server serves at once; a PostgreSQL connection is
	 * a server process, so fewer there. */
	if (!s.threads)
		s.threads = strncmp(s.db, "postgres", 8) == 0 ? CW_THREADS_PG : CW_THREADS_SQLITE;
	/* Off unless asked for: see util/gate.h and docs/performance.md ("The gate"). */
	cw_gate_init(s.active);
	cw_store *store = cw_cli_open_store(&s, s.threads + 2);
	if (!store) {
		cw_keyring_free(keyring);
		return 1;
	}
	/* The console as the build assembles it (build/web, with its vendor files), else
	 * the source tree's web/. */
	const char *web_dir = s.web_dir ? s.web_dir : cw_cli_near_exe("web");
	if (!web_dir)
		web_dir = cw_cli_near_exe("../web");
	struct cw_api api = {
	    .store = store,
	    /* last_seen is written at most once a minute, but often enough that a
	     * short idle timeout still sees activity. */
	    .cfg = {.policy = s.policy,
		    .session_touch_interval = s.policy.session_idle / 4 < 60 ? s.policy.session_idle / 4
									       : 60},
	    .secure_cookies = s.secure_cookies,
	    .web_dir = web_dir,
	    .locator = cw_geo_locator_new(),
	    .grids_version = -1,
	    .calendar_version = -1,
	    .work_hours = s.work_hours,
	    .data_dir = s.data_dir,
	    .keyring = keyring,
	    /* The citizens' portal: a token bucket per client network. */
	    .portal_limit = cw_ratelimit_new(s.portal_burst, s.portal_refill * 1000, 0),
	    .trusted_proxies = s.trusted_proxies,
	    .tile_url = s.tile_url,
	    .tile_attribution = s.tile_attribution,
	};
	/* The index and the calendar are in place before the first request. */
	cw_api_grids_refresh(&api, true);
	cw_api_calendar_refresh(&api, true);
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
	/* Live case changes: the poller starts before the first request. */
	api.events = cw_events_new(store, &(struct cw_events_options){.max_subscribers =
									   s.max_streams});
	if (!cw_events_start(api.events))
		cw_warn("events: cannot start the timeline poller; live updates are off");
	char err[256];
	struct cw_server *srv = cw_server_start(&sc, err, sizeof err);
	if (!srv) {
		fprintf(stderr, "civicgrid serve: %s\n", err);
		cw_events_free(api.events);
		cw_store_close(store);
		cw_geo_locator_free(api.locator);
		cw_keyring_free(keyring);
		cw_ratelimit_free(api.portal_limit);
		return 1;
	}
	struct housekeeping hk = {.store = store, .api = &api, .cfg = &api.cfg,
				  .tick_interval = s.tick_interval,
				  .lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};
	pthread_t hk_thread;
	pthread_create(&hk_thread, NULL, housekeeping_main, &hk);

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
	pthread_mutex_lock(&hk.lock);
	hk.stop = true;
	pthread_cond_signal(&hk.wake);
	pthread_mutex_unlock(&hk.lock);
	pthread_join(hk_thread, NULL);
	/* The server has ended every stream; the hub releases those it still holds. */
	cw_events_free(api.events);
	cw_store_close(store);
	cw_geo_locator_free(api.locator);
	cw_api_calendar_release(&api);
	cw_keyring_free(keyring);
	cw_ratelimit_free(api.portal_limit);
	cw_info("stopped");
	return 0;
}
