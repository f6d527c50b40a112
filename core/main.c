/*
 * cellftpd: parse the config, bind, load plugins, drop privileges, start
 * the logger, the blocking pool and the workers, then serve signals from a
 * signalfd: HUP reload, TERM/INT drain and exit, USR1 reopen logs.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "sess.h"
#include "srv.h"
#include "tls.h"

#define LOGQ_MAX 65536
#define BAN_ADDRS 4096		/* addresses with failed logins remembered */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: cellftpd [-c FILE] [-t] [-V]\n"
		"  -c FILE  configuration file (default: the embedded default:\n"
		"           127.0.0.1:2121, everything under ./var)\n"
		"  -t       check the configuration and exit\n"
		"  -V       print the version and exit\n");
}

/* A loaded cfg must stay where it was loaded: it lives on the heap. */
static struct cfg *load_config(const char *path, char *err, size_t len)
{
	struct cfg *c = calloc(1, sizeof(*c));
	char cwd[PATH_MAX];
	int r;

	if (c == NULL) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (path != NULL)
		r = cfg_load(c, path, err, len);
	else if (getcwd(cwd, sizeof(cwd)) == NULL) {
		snprintf(err, len, "getcwd: %s", strerror(errno));
		r = -1;
	} else
		r = cfg_load_default(c, cwd, CELLFTPD_MODULE_DIR, err, len);
	if (r != 0) {
		free(c);
		return NULL;
	}
	return c;
}

static void drop_config(struct cfg *c)
{
	cfg_free(c);
	free(c);
}

/* Plugin host hooks ---------------------------------------------------- */

static void host_vlog(int level, const char *fmt, va_list ap)
{
	srv_vlog(level, fmt, ap);
}

static void host_emit(const struct cf_log_event *ev)
{
	struct srv *s = srv_current();

	if (s != NULL)
		logq_emit(&s->logq, ev);
}

static int host_offload(void (*fn)(void *), void *arg)
{
	struct srv *s = srv_current();

	if (s == NULL || s->pool.nthreads == 0) {
		fn(arg);
		return 0;
	}
	return pool_offload(&s->pool, fn, arg);
}

static const struct modhost_hooks hooks = {
	.vlog = host_vlog, .emit = host_emit, .offload = host_offload,
};

/* Start-up ------------------------------------------------------------ */

static int resolve_run_as(struct srv *s, char *err, size_t len)
{
	struct passwd *pw;

	s->cell_uid = (uid_t)-1;
	s->cell_gid = (gid_t)-1;
	if (s->cfg->run_as == NULL || s->cfg->run_as[0] == '\0')
		return 0;
	pw = getpwnam(s->cfg->run_as);
	if (pw == NULL) {
		snprintf(err, len, "%s: server.run_as: no such user '%s'",
			 s->cfg->path, s->cfg->run_as);
		return -1;
	}
	s->cell_uid = pw->pw_uid;
	s->cell_gid = pw->pw_gid;
	return 0;
}

/*
 * Root serves nobody: without server.run_as a root start is refused
 * (`-t` only warns), and run_as may not name root itself.
 */
static int check_run_as(const struct srv *s, int check_only, char *err,
			size_t len)
{
	if (s->cell_uid == 0) {
		snprintf(err, len, "%s: server.run_as '%s' is root: name an "
			 "unprivileged user", s->cfg->path, s->cfg->run_as);
		return -1;
	}
	if (s->cell_uid != (uid_t)-1 || geteuid() != 0)
		return 0;
	if (check_only) {
		fprintf(stderr, "cellftpd: warning: %s: server.run_as is not "
			"set: started as root, cellftpd will refuse to serve\n",
			s->cfg->path);
		return 0;
	}
	snprintf(err, len, "%s: started as root without server.run_as: "
		 "refusing to serve as root; set server.run_as to an "
		 "unprivileged user (e.g. one made with useradd --system)",
		 s->cfg->path);
	return -1;
}

/* Empty the capability bounding set while root may (CAP_SETPCAP). */
static int drop_bounding_set(char *err, size_t len)
{
	for (int cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) {
			snprintf(err, len, "cannot drop capability %d: %s",
				 cap, strerror(errno));
			return -1;
		}
	return 0;
}

/*
 * setuid from root to another user clears the permitted and effective
 * capability sets (no SECBIT_KEEP_CAPS); the bounding set is emptied
 * first so nothing can win them back, and no_new_privs closes exec.
 */
static int drop_privileges(struct srv *s, char *err, size_t len)
{
	if (s->cell_uid == (uid_t)-1)
		return 0;
	if (geteuid() != 0) {
		if (geteuid() == s->cell_uid)
			return 0;
		snprintf(err, len, "server.run_as '%s' needs cellftpd started as root",
			 s->cfg->run_as);
		return -1;
	}
	if (drop_bounding_set(err, len) != 0)
		return -1;
	if (initgroups(s->cfg->run_as, s->cell_gid) != 0 ||
	    setgid(s->cell_gid) != 0 || setuid(s->cell_uid) != 0) {
		snprintf(err, len, "cannot switch to '%s': %s", s->cfg->run_as,
			 strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(err, len, "privileges could not be dropped");
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, len, "no_new_privs: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_root(struct srv *s, char *err, size_t len)
{
	s->root = realpath(s->cfg->root, NULL);
	if (s->root == NULL)
		goto fail;
	s->root_fd = open(s->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, len, "%s: server.root %s: %s", s->cfg->path, s->cfg->root,
		 strerror(errno));
	return -1;
}

static int start_threads(struct srv *s, SSL_CTX *tls, char *err,
			 size_t len)
{
	struct settings *set = settings_new(s->cfg);

	if (set != NULL)
		set->tls_ctx = tls;
	else
		SSL_CTX_free(tls);
	if (set == NULL ||
	    limits_init(&s->limits, (size_t)s->cfg->max_sessions) != 0 ||
	    limits_init(&s->unauth, (size_t)s->cfg->max_sessions) != 0 ||
	    ban_init(&s->ban, BAN_ADDRS) != 0 ||
	    cell_cache_init(&s->cells) != 0)
		goto nomem;
	if (logq_start(&s->logq, &s->mods, LOGQ_MAX) != 0 ||
	    pool_start(&s->pool, s->cfg->blocking_threads) != 0)
		goto threads;
	for (int i = 0; i < s->nworkers; i++) {
		struct worker *w = &s->workers[i];

		atomic_fetch_add(&set->refs, 1);
		w->set = set;
		for (size_t j = 0; j < w->nlisten; j++)
			if (wk_watch(w, &w->listen[j].ev, EPOLLIN) != 0)
				goto threads;
		if (wk_start(w) != 0)
			goto threads;
	}
	settings_unref(set);
	return 0;
nomem:
	settings_unref(set);
	snprintf(err, len, "out of memory");
	return -1;
threads:
	snprintf(err, len, "cannot start threads: %s", strerror(errno));
	return -1;
}

/*
 * A session holds up to four descriptors of its own (control, passive
 * listener, data connection, open file; cells are shared per login, a
 * PAM user's file agent adds one).  Out of descriptors, accept(2) fails while
 * clients keep arriving: take the whole hard limit, and say so at start
 * when even that is short of max_sessions.
 */
static void raise_fd_limit(const struct cfg *c)
{
	rlim_t want = (rlim_t)c->max_sessions * 4 + 64;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t old = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = old;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		srv_log(CF_LOG_WARN, "the open file limit (%llu) is low for "
			"server.max_sessions = %d, which may need %llu",
			(unsigned long long)rl.rlim_cur, c->max_sessions,
			(unsigned long long)want);
}

/* Shutdown and reload ------------------------------------------------- */

struct drain_msg {
	struct wk_msg msg;
	struct worker *w;
	int force;
};

/* On the worker: stop accepting, then close idle sessions (or all). */
static void drain_apply(struct wk_msg *m)
{
	struct drain_msg *d = (struct drain_msg *)m;
	struct worker *w = d->w;
	struct sess *s, *next;

	w->draining = 1;
	for (size_t i = 0; i < w->nlisten; i++)
		wk_unwatch(w, &w->listen[i].ev);
	for (s = w->sessions; s != NULL; s = next) {
		next = s->next;
		if (d->force)
			sess_close(s, "server shutdown");
		else
			sess_drain(s);
	}
	free(d);
}

static void post_drain(struct srv *s, int force)
{
	for (int i = 0; i < s->nworkers; i++) {
		struct drain_msg *d = calloc(1, sizeof(*d));

		if (d == NULL)
			continue;	/* the forced pass comes later anyway */
		d->msg.fn = drain_apply;
		d->w = &s->workers[i];
		d->force = force;
		wk_post(&s->workers[i], &d->msg);
	}
}

static int all_exited(struct srv *s)
{
	for (int i = 0; i < s->nworkers; i++)
		if (!atomic_load(&s->workers[i].exited))
			return 0;
	return 1;
}

static void shutdown_server(struct srv *s)
{
	int waited = 0, limit = s->cfg->shutdown_timeout * 10;

	srv_log(CF_LOG_INFO, "shutting down: letting transfers finish");
	post_drain(s, 0);
	while (!all_exited(s) && waited++ < limit)
		poll(NULL, 0, 100);
	if (!all_exited(s)) {
		srv_log(CF_LOG_WARN, "shutdown timeout: closing remaining sessions");
		post_drain(s, 1);
	}
	for (int i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i].thread, NULL);
	pool_stop(&s->pool);
	srv_log(CF_LOG_INFO, "stopped");
	srv_set_current(NULL);
	logq_stop(&s->logq);
}

/*
 * SIGHUP: a new config replaces the old only if it loads and every module
 * accepts it; only its reloadable parts apply (listen, root, workers and
 * run_as need a restart, and mod_reload_all refuses a changed module list).
 */
static void reload(struct srv *s, const char *path)
{
	char err[CFG_ERR_MAX];
	struct settings *set = NULL;
	struct cfg *nc = load_config(path, err, sizeof(err));
	SSL_CTX *tls;

	if (nc == NULL) {
		srv_log(CF_LOG_ERR, "reload refused, keeping the running configuration: %s", err);
		return;
	}
	/* a certificate that does not load keeps the old one serving */
	if (tls_ctx_new(nc, &tls, err, sizeof(err)) != 0) {
		srv_log(CF_LOG_ERR, "reload refused, keeping the running configuration and certificate: %s", err);
		goto drop;
	}
	set = settings_new(nc);
	if (set == NULL) {
		SSL_CTX_free(tls);
		srv_log(CF_LOG_ERR, "reload refused: out of memory");
		goto drop;
	}
	set->tls_ctx = tls;
	if (mod_reload_all(&s->mods, nc, err, sizeof(err)) != 0) {
		srv_log(CF_LOG_ERR, "reload refused: %s", err);
		goto drop;
	}
	if (strcmp(nc->root, s->cfg->root) != 0 || nc->workers != s->cfg->workers ||
	    strcmp(nc->run_as, s->cfg->run_as) != 0 || nc->nlisten != s->cfg->nlisten)
		srv_log(CF_LOG_WARN, "listen, root, workers and run_as changes need a restart");
	srv_push_settings(s, set);
	/* the bound listeners stay: nc->listen is only what the file says now */
	drop_config(s->cfg);
	s->cfg = nc;
	srv_log(CF_LOG_INFO, "configuration reloaded");
	return;
drop:
	settings_unref(set);
	drop_config(nc);
}

static int serve_signals(struct srv *s, int sfd, const char *path)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));

		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si))
			return -1;
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(s, path);
			break;
		case SIGUSR1:
			logq_reopen(&s->logq);
			break;
		case SIGTERM:
		case SIGINT:
			shutdown_server(s);
			return 0;
		default:
			break;
		}
	}
}

static int block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGUSR1);
	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		return -1;
	/* blocked before any thread exists, so every thread inherits it */
	return pthread_sigmask(SIG_BLOCK, set, NULL) == 0 ? 0 : -1;
}

static void announce(const struct srv *s)
{
	char text[96];

	for (size_t i = 0; i < s->cfg->nlisten; i++) {
		listen_text(&s->cfg->listen[i], text, sizeof(text));
		fprintf(stderr, "cellftpd: listening on %s%s\n", text,
			s->cfg->listen[i].implicit_tls ? " (implicit TLS)" : "");
	}
	fprintf(stderr, "cellftpd: ready\n");
}

static int setup(struct srv *s, const char *path, int check_only,
		 SSL_CTX **tls, char *err, size_t len)
{
	memset(s, 0, sizeof(*s));
	s->root_fd = -1;
	s->cfg = load_config(path, err, len);
	if (s->cfg == NULL || resolve_run_as(s, err, len) != 0 ||
	    check_run_as(s, check_only, err, len) != 0 ||
	    open_root(s, err, len) != 0)
		return -1;
	s->host = modhost_setup(s->root, s->cell_uid, s->cell_gid, &hooks);
	modhost_check_only(check_only);
	if (mod_load_all(&s->mods, s->cfg, s->host, err, len) != 0 ||
	    tls_ctx_new(s->cfg, tls, err, len) != 0)
		return -1;
	if (check_only)
		return 0;
	s->nworkers = s->cfg->workers;
	s->workers = calloc((size_t)s->nworkers, sizeof(*s->workers));
	if (s->workers == NULL) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	for (int i = 0; i < s->nworkers; i++) {
		if (wk_init(&s->workers[i], i, s) != 0) {
			snprintf(err, len, "worker %d: %s", i, strerror(errno));
			return -1;
		}
		s->workers[i].after_batch = sess_reap;
		s->workers[i].idle = sess_none_left;
		s->workers[i].dl_pipes_max = WK_DL_PIPES_ALL / s->nworkers;
	}
	return listen_bind_all(s->cfg, s->workers, s->nworkers, err, len);
}

int main(int argc, char **argv)
{
	static struct srv srv;	/* the one server of this process */
	const char *path = NULL;
	char err[CFG_ERR_MAX] = "";
	int check_only = 0, opt, sfd;
	SSL_CTX *tls = NULL;
	sigset_t sigs;

	while ((opt = getopt(argc, argv, "c:tVh")) != -1) {
		switch (opt) {
		case 'c': path = optarg; break;
		case 't': check_only = 1; break;
		case 'V': printf("cellftpd %s\n", CELLFTPD_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (setup(&srv, path, check_only, &tls, err, sizeof(err)) != 0) {
		fprintf(stderr, "cellftpd: %s\n", err);
		if (check_only)
			fprintf(stderr, "cellftpd: configuration check failed\n");
		return 1;
	}
	if (check_only) {
		printf("cellftpd: configuration %s is ok\n", srv.cfg->path);
		SSL_CTX_free(tls);
		mod_unload_all(&srv.mods);
		return 0;
	}
	umask(srv.cfg->umask);
	raise_fd_limit(srv.cfg);
	if (block_signals(&sigs) != 0 ||
	    (sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "cellftpd: signals: %s\n", strerror(errno));
		return 1;
	}
	if (drop_privileges(&srv, err, sizeof(err)) != 0) {
		fprintf(stderr, "cellftpd: %s\n", err);
		return 1;
	}
	srv_set_current(&srv);
	if (start_threads(&srv, tls, err, sizeof(err)) != 0) {
		fprintf(stderr, "cellftpd: %s\n", err);
		return 1;
	}
	announce(&srv);
	if (serve_signals(&srv, sfd, path) != 0)
		return 1;
	mod_unload_all(&srv.mods);
	return 0;
}
