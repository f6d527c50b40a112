/*
 * log_syslog.so: the events log_file writes, one syslog message each, sent
 * as RFC 3164 datagrams to the syslog socket (/dev/log); a stalled syslog
 * daemon holds the logger thread back at most LS_WAIT_MS, then what cannot
 * be sent is counted and told.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "logging/file/logfmt.h"
#include "modules/module.h"

#define LS_BODY_MAX 6144	/* one value is cut at LS_VALUE_MAX */
#define LS_VALUE_MAX 1024
#define LS_IDENT_MAX 32		/* RFC 3164: the TAG is at most 32 chars */
#define LS_RETRY_MS 1000	/* between connects while nobody listens */
#define LS_WAIT_MS 200		/* longest wait for room in the socket */
#define LS_SOCK_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

struct ls_conf {
	int facility;		/* LOG_FTP... */
	int commands;		/* send the command trace too */
	char ident[LS_IDENT_MAX + 1];
	char socket[LS_SOCK_MAX];
};

struct ls_state {
	const struct cf_host *host;
	pthread_mutex_t lock;	/* the logger thread against a reload */
	struct ls_conf conf;
	int fd;			/* -1: not connected */
	long pid;
	uint64_t dropped;	/* messages not sent since the last one was */
	int64_t retry_at;	/* CLOCK_MONOTONIC ms of the next connect */
	char body[LS_BODY_MAX];
	char msg[LS_BODY_MAX + 128];
};

static const struct {
	const char *name;
	int code;
} ls_facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
	{ "lpr", LOG_LPR }, { "mail", LOG_MAIL }, { "news", LOG_NEWS },
	{ "syslog", LOG_SYSLOG }, { "user", LOG_USER }, { "uucp", LOG_UUCP },
};

static const char *const ls_months[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

/* ---- the socket ---- */

static int64_t ls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * A datagram socket connected to path; -1 with errno.  A send waits for
 * room at most LS_WAIT_MS, so a burst the syslog daemon is slow to read
 * is not lost, and a daemon that hangs cannot stall the logger.
 */
static int ls_connect(const char *path)
{
	struct timeval wait = { 0, LS_WAIT_MS * 1000 };
	struct sockaddr_un sa;
	int fd, e;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);	/* checked length */
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait,
		       sizeof(wait)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* Connect if it is time to try again; 0 when connected. */
static int ls_reconnect(struct ls_state *st)
{
	int64_t now = ls_now_ms();

	if (now < st->retry_at) {
		errno = ENOTCONN;
		return -1;
	}
	st->fd = ls_connect(st->conf.socket);
	if (st->fd >= 0)
		return 0;
	st->retry_at = now + LS_RETRY_MS;
	return -1;
}

static void ls_disconnect(struct ls_state *st)
{
	if (st->fd >= 0 && close(st->fd) != 0)
		st->host->log(CF_LOG_WARN, "log_syslog: closing the socket: "
			      "%s", strerror(errno));
	st->fd = -1;
}

/*
 * Send one datagram; 0 when sent, -1 with errno.  A socket still full
 * after the wait (EAGAIN) drops the message, and while messages are being
 * dropped nothing waits at all; a refused one means the syslog daemon
 * restarted and made a new socket, so connect again once.
 */
static int ls_send(struct ls_state *st, const char *msg, size_t len)
{
	int flags = MSG_NOSIGNAL | (st->dropped != 0 ? MSG_DONTWAIT : 0);
	ssize_t n;
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (st->fd < 0 && ls_reconnect(st) != 0)
			return -1;
		do
			n = send(st->fd, msg, len, flags);
		while (n < 0 && errno == EINTR);
		if (n >= 0)
			return 0;
		if (errno != ECONNREFUSED && errno != ENOTCONN &&
		    errno != ECONNRESET && errno != EPIPE)
			return -1;
		ls_disconnect(st);
		st->retry_at = 0;
	}
	return -1;
}

/* ---- messages ---- */

static int ls_severity(const struct cf_log_event *ev)
{
	const char *a = ev->action != NULL ? ev->action : "";

	switch (ev->type) {
	case CF_EV_LOGIN_FAIL:
		return LOG_WARNING;
	case CF_EV_REFUSED:
	case CF_EV_QUOTA:
		return LOG_NOTICE;
	case CF_EV_COMMAND:
		return LOG_DEBUG;
	case CF_EV_SERVER:
		if (strcmp(a, "error") == 0)
			return LOG_ERR;
		if (strcmp(a, "debug") == 0)
			return LOG_DEBUG;
		if (strcmp(a, "info") == 0)
			return LOG_INFO;
		return LOG_WARNING;	/* warning, log-dropped, data-refused */
	default:
		return LOG_INFO;
	}
}

/* "<PRI>Mmm dd hh:mm:ss ident[pid]: body", the line syslog(3) sends. */
static size_t ls_frame(struct ls_state *st, int severity,
		       const struct timespec *when, const char *body,
		       size_t len)
{
	struct timespec ts = *when;
	struct tm tm;
	int n;

	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	n = snprintf(st->msg, sizeof(st->msg), "<%d>%s %2d %02d:%02d:%02d "
		     "%s[%ld]: ", st->conf.facility | severity,
		     ls_months[tm.tm_mon % 12], tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, st->conf.ident, st->pid);
	if (n < 0 || (size_t)n + len > sizeof(st->msg))
		return 0;
	memcpy(st->msg + n, body, len);
	return (size_t)n + len;
}

static void ls_sent(struct ls_state *st)
{
	if (st->dropped == 0)
		return;
	/* the notice reaches syslog (and the log files) through the queue */
	st->host->log(CF_LOG_WARN, "log_syslog: %s takes messages again; "
		      "%llu were dropped", st->conf.socket,
		      (unsigned long long)st->dropped);
	st->dropped = 0;
}

static void ls_not_sent(struct ls_state *st, int e)
{
	if (st->dropped++ == 0)
		st->host->log(CF_LOG_ERR, "log_syslog: cannot send to %s: %s; "
			      "counting the messages dropped",
			      st->conf.socket, strerror(e));
}

static void ls_event(void *state, const struct cf_log_event *sent)
{
	struct ls_state *st = state;
	struct cf_log_event ev;
	struct lfmt_line l;
	size_t len;

	lfmt_event_copy(&ev, sent);
	pthread_mutex_lock(&st->lock);
	if (ev.type == CF_EV_COMMAND && !st->conf.commands)
		goto out;
	lfmt_init(&l, st->body, sizeof(st->body), LS_VALUE_MAX);
	lfmt_event(&l, LFMT_SYSLOG, &ev);
	len = ls_frame(st, ls_severity(&ev), &ev.time, l.p, l.len);
	if (l.len == 0 || len == 0)
		goto out;
	if (ls_send(st, st->msg, len) == 0)
		ls_sent(st);
	else
		ls_not_sent(st, errno);
out:
	pthread_mutex_unlock(&st->lock);
}

/* SIGUSR1: connect afresh, as after a restart of the syslog daemon. */
static void ls_reopen(void *state)
{
	struct ls_state *st = state;

	pthread_mutex_lock(&st->lock);
	ls_disconnect(st);
	st->retry_at = 0;
	pthread_mutex_unlock(&st->lock);
}

/* ---- settings ---- */

static int ls_ident_ok(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '.' || s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n <= LS_IDENT_MAX;
}

static int ls_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(ls_facilities) / sizeof(ls_facilities[0]); i++)
		if (strcmp(ls_facilities[i].name, name) == 0)
			return ls_facilities[i].code;
	return -1;
}

static int ls_parse(const struct cf_host *host, const struct cf_config *cfg,
		    struct ls_conf *c, char *err, size_t errlen)
{
	static const char *const known[] = {
		"facility", "ident", "commands", "socket", NULL
	};
	const char *facility = "ftp", *ident = "cellftpd", *sock = "/dev/log";
	const char *key;
	char where[256];

	memset(c, 0, sizeof(*c));
	if (host->cfg_check_keys(cfg, known, err, errlen) != 0)
		return -1;
	key = "facility";
	if (host->cfg_str(cfg, key, &facility) < 0 ||
	    (c->facility = ls_facility(facility)) < 0) {
		snprintf(err, errlen, "%s: log_syslog: facility must be one "
			 "of auth, authpriv, cron, daemon, ftp, local0 to "
			 "local7, lpr, mail, news, syslog, user, uucp",
			 host->cfg_where(cfg, key, where, sizeof(where)));
		return -1;
	}
	key = "ident";
	if (host->cfg_str(cfg, key, &ident) < 0 || !ls_ident_ok(ident)) {
		snprintf(err, errlen, "%s: log_syslog: ident must be 1 to %d "
			 "letters, digits, '.', '_' or '-'", host->cfg_where(
			 cfg, key, where, sizeof(where)), LS_IDENT_MAX);
		return -1;
	}
	key = "commands";
	if (host->cfg_bool(cfg, key, &c->commands) < 0) {
		snprintf(err, errlen, "%s: log_syslog: commands must be true "
			 "or false", host->cfg_where(cfg, key, where,
						    sizeof(where)));
		return -1;
	}
	key = "socket";
	if (host->cfg_str(cfg, key, &sock) < 0 || sock[0] != '/' ||
	    strlen(sock) >= sizeof(c->socket)) {
		snprintf(err, errlen, "%s: log_syslog: socket must be an "
			 "absolute path shorter than %zu bytes",
			 host->cfg_where(cfg, key, where, sizeof(where)),
			 sizeof(c->socket));
		return -1;
	}
	snprintf(c->ident, sizeof(c->ident), "%s", ident);
	snprintf(c->socket, sizeof(c->socket), "%s", sock);
	return 0;
}

/*
 * A socket nobody listens on yet (syslog starts later, or restarts) is
 * fine: messages are counted until it does.  One that can never work
 * (a stream socket, no permission) is a start-up error.
 */
static int ls_open(const struct cf_host *host, const struct cf_config *cfg,
		   const struct ls_conf *c, int *fd, char *err, size_t errlen)
{
	char where[256];

	*fd = ls_connect(c->socket);
	if (*fd >= 0)
		return 0;
	if (errno == ENOENT || errno == ECONNREFUSED) {
		host->log(CF_LOG_WARN, "log_syslog: nothing listens on %s yet "
			  "(%s); messages are counted until something does",
			  c->socket, strerror(errno));
		return 0;
	}
	snprintf(err, errlen, "%s: log_syslog: cannot use %s: %s%s",
		 host->cfg_where(cfg, "socket", where, sizeof(where)),
		 c->socket, strerror(errno),
		 errno == EPROTOTYPE ? " (a datagram socket is needed)" : "");
	return -1;
}

/* ---- life cycle ---- */

static void ls_fini(void *state)
{
	struct ls_state *st = state;

	if (st == NULL)
		return;
	ls_disconnect(st);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

static int ls_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct ls_state *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		snprintf(err, errlen, "log_syslog: out of memory");
		return -1;
	}
	st->host = host;
	st->fd = -1;
	st->pid = (long)getpid();
	if (pthread_mutex_init(&st->lock, NULL) != 0) {
		snprintf(err, errlen, "log_syslog: cannot create a lock");
		free(st);
		return -1;
	}
	if (ls_parse(host, cfg, &st->conf, err, errlen) != 0 ||
	    ls_open(host, cfg, &st->conf, &st->fd, err, errlen) != 0) {
		ls_fini(st);
		return -1;
	}
	*state = st;
	return 0;
}

static int ls_reload(void *state, const struct cf_config *cfg, char *err,
		     size_t errlen)
{
	struct ls_state *st = state;
	struct ls_conf c;
	int fd = -1, moved;

	if (ls_parse(st->host, cfg, &c, err, errlen) != 0)
		return -1;
	moved = strcmp(c.socket, st->conf.socket) != 0;
	if (moved && ls_open(st->host, cfg, &c, &fd, err, errlen) != 0)
		return -1;
	pthread_mutex_lock(&st->lock);
	if (moved) {
		ls_disconnect(st);
		st->fd = fd;
		st->retry_at = 0;
	}
	st->conf = c;
	pthread_mutex_unlock(&st->lock);
	return 0;
}

static const struct cf_log_ops ls_ops = {
	.event = ls_event,
	.reopen = ls_reopen,
};

static const struct cf_module ls_module = {
	CF_MODULE_HEADER,
	.name = "log_syslog",
	.version = "1.0",
	.init = ls_init,
	.fini = ls_fini,
	.log = &ls_ops,
	.reload = ls_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &ls_module;
}
