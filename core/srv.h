/*
 * The server: the one owner of process-wide state (config, modules, worker
 * array, pool, log queue, limits).  Workers reach it through w->srv; the
 * plugin host hooks through srv_current().
 */
#ifndef CORE_SRV_H
#define CORE_SRV_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ban.h"
#include "cell.h"
#include "cfg.h"
#include "connlimit.h"
#include "logq.h"
#include "modules/loader.h"
#include "pool.h"
#include "worker.h"

#include <openssl/ssl.h>

/*
 * The settings a worker consults while serving.  Immutable once built; a
 * reload builds a new one and hands it to every worker, each dropping its
 * reference to the old.
 */
struct settings {
	atomic_int refs;
	int idle_timeout, data_timeout, login_timeout;
	int login_delay_ms, max_login_attempts, shutdown_timeout;
	int max_sessions, max_sessions_per_ip, max_unauth_per_ip;
	struct ban_rule ban;			/* failed logins per address */
	int pasv_min, pasv_max;
	struct sockaddr_storage pasv_addr;	/* ss_family 0 = unset */
	char banner[256];
	SSL_CTX *tls_ctx;			/* NULL: no TLS configured */
	enum cfg_tls_require tls_require;
	int tls_session_reuse;
};

struct settings *settings_new(const struct cfg *c);
void settings_unref(struct settings *s);

struct srv {
	struct cfg *cfg;		/* main thread only; swapped on reload */
	struct mod_set mods;		/* fixed while serving */
	const struct cf_host *host;
	char *root;			/* real path of server.root */
	int root_fd;			/* O_PATH: the admins' cell */
	uid_t cell_uid;
	gid_t cell_gid;

	struct worker *workers;
	int nworkers;
	struct pool pool;
	struct logq logq;
	struct limits limits;
	struct limits unauth;		/* sessions not logged in, per address */
	struct ban ban;
	struct cell_cache cells;		/* open cells, shared per login */

	atomic_uint_fast64_t next_sid;
	atomic_uint pasv_next;		/* rotates through the passive range */
	atomic_int live_sessions;
};

/* The running server, for plugin host hooks; NULL before start. */
struct srv *srv_current(void);
void srv_set_current(struct srv *s);

/* The daemon's own messages: stderr, plus a SERVER event for the logs. */
void srv_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void srv_vlog(int level, const char *fmt, va_list ap);

/* Post settings to every worker (reload). */
void srv_push_settings(struct srv *s, struct settings *set);

#endif
