/*
 * log_file.so: every event category in its own file (connections, auth,
 * files, xferlog, admin, commands, server) as key=value text or JSON
 * lines, xferlog in the wu-ftpd format.  Lines gather per file and leave
 * in one write() per batch of events (whole lines only).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logfmt.h"
#include "modules/module.h"

/*
 * One value writes at most LF_VALUE_MAX bytes (escapes included) and then
 * "...", so every line an event can make fits in LF_LINE_MAX.
 */
#define LF_LINE_MAX 65536
#define LF_VALUE_MAX 8192

enum lf_cat {
	LF_CONN, LF_AUTH, LF_FILES, LF_XFER, LF_ADMIN, LF_CMDS, LF_SERVER,
	LF_NCAT
};

/* The setting naming each category's file, and its default ("" = off). */
static const struct {
	const char *key, *file;
} lf_cats[LF_NCAT] = {
	[LF_CONN] = { "connections", "connections.log" },
	[LF_AUTH] = { "auth", "auth.log" },
	[LF_FILES] = { "files", "files.log" },
	[LF_XFER] = { "xferlog", "xferlog" },
	[LF_ADMIN] = { "admin", "admin.log" },
	[LF_CMDS] = { "commands", "" },
	[LF_SERVER] = { "server", "server.log" },
};

struct lf_conf {
	char dir[CF_PATH_MAX];
	char path[LF_NCAT][CF_PATH_MAX];	/* "" = category off */
	int in_dir[LF_NCAT];			/* path is dir/<name> */
	int json;
};

/*
 * Lines waiting for the end of the batch (the flush hook) in one buffer
 * per file: a busy server writes each file once per batch, not per line.
 */
#define LF_BATCH (32 * 1024)

struct lf_batch {
	char *p;		/* LF_BATCH bytes, allocated on first use */
	size_t len;
	uint64_t lines;
};

struct lf_state {
	const struct cf_host *host;
	pthread_mutex_t lock;	/* the logger thread against a reload */
	struct lf_conf *conf;	/* swapped whole by a reload */
	int fd[LF_NCAT];	/* -1 = off */
	uint64_t lost[LF_NCAT];	/* lines lost since a batch was written whole */
	int half_line[LF_NCAT];	/* the file ends inside a line of ours */
	struct lf_batch batch[LF_NCAT];
	char line[LF_LINE_MAX];
};

static void lf_flush_locked(struct lf_state *st);

/* ---- files ---- */

/*
 * Started as root, the daemon opens its files before it switches to
 * server.run_as: a file it creates takes the owner of its folder, so that
 * the switched process can still reopen it on SIGUSR1.
 */
static void lf_give_to_dir_owner(const struct cf_host *host, int fd,
				 const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[CF_PATH_MAX];
	struct stat st;

	if (geteuid() != 0 || slash == NULL)
		return;
	snprintf(dir, sizeof(dir), "%.*s",
		 slash == path ? 1 : (int)(slash - path), path);
	if (stat(dir, &st) != 0 || (st.st_uid == 0 && st.st_gid == 0))
		return;
	if (fchown(fd, st.st_uid, st.st_gid) != 0)
		host->log(CF_LOG_WARN, "log_file: cannot give %s to the owner "
			  "of its folder: %s", path, strerror(errno));
}

/* Open one log file for appending (new ones 0640), never via a symlink. */
static int lf_open(const struct cf_host *host, const char *path)
{
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW |
			  O_NOCTTY;
	int fd, tries;

	/* O_EXCL tells a file created now from one that was there */
	for (tries = 0; tries < 3; tries++) {
		fd = open(path, flags | O_CREAT | O_EXCL, 0640);
		if (fd >= 0) {
			lf_give_to_dir_owner(host, fd, path);
			return fd;
		}
		if (errno != EEXIST)
			return -1;
		fd = open(path, flags);
		if (fd >= 0 || errno != ENOENT)
			return fd;
	}
	return -1;
}

static void lf_close(const struct cf_host *host, int fd, const char *path)
{
	if (fd >= 0 && close(fd) != 0)
		host->log(CF_LOG_WARN, "log_file: closing %s: %s", path,
			  strerror(errno));
}

static ssize_t lf_xwrite(int fd, const char *p, size_t len)
{
	ssize_t n;

	do
		n = write(fd, p, len);
	while (n < 0 && errno == EINTR);
	return n;
}

/*
 * A write that stopped inside a line left it open: end it before anything
 * else goes to the file, or the next line would continue it.  -1 (and
 * *err) while the file takes nothing.
 */
static int lf_end_half_line(struct lf_state *st, enum lf_cat cat, int *err)
{
	ssize_t n;

	if (!st->half_line[cat])
		return 0;
	n = lf_xwrite(st->fd[cat], "\n", 1);
	if (n != 1) {
		*err = n < 0 ? errno : 0;
		return -1;
	}
	st->half_line[cat] = 0;
	return 0;
}

/*
 * cat writes to fd from now on (-1: off); the old fd is returned, to be
 * closed.  A half line left in the old file is ended if it takes the byte
 * now; the new file owes it nothing.
 */
static int lf_swap_fd(struct lf_state *st, enum lf_cat cat, int fd)
{
	int old = st->fd[cat], err;

	(void)lf_end_half_line(st, cat, &err);
	st->half_line[cat] = 0;
	st->fd[cat] = fd;
	return old;
}

/* Is dir usable for the files logrotate makes us create later? */
static int lf_dir_ok(const struct cf_host *host, const struct cf_config *cfg,
		     const struct lf_conf *c, char *err, size_t errlen)
{
	char where[256];
	int i;

	for (i = 0; i < LF_NCAT && !c->in_dir[i]; i++)
		;
	if (i == LF_NCAT ||
	    faccessat(AT_FDCWD, c->dir, W_OK | X_OK, AT_EACCESS) == 0)
		return 1;
	snprintf(err, errlen, "%s: log_file: cannot write in %s: %s",
		 host->cfg_where(cfg, "dir", where, sizeof(where)), c->dir,
		 strerror(errno));
	return 0;
}

/*
 * Open every file of c into fds; a missing or unwritable folder is an
 * error naming the config line, so `cellftpd -t` reports it.
 */
static int lf_open_all(const struct cf_host *host,
		       const struct cf_config *cfg, const struct lf_conf *c,
		       int *fds, char *err, size_t errlen)
{
	char where[256];
	int i, e;

	for (i = 0; i < LF_NCAT; i++)
		fds[i] = -1;
	for (i = 0; i < LF_NCAT; i++) {
		if (c->path[i][0] == '\0')
			continue;
		fds[i] = lf_open(host, c->path[i]);
		if (fds[i] >= 0)
			continue;
		e = errno;
		if (c->in_dir[i])
			snprintf(err, errlen, "%s: log_file: cannot write in "
				 "%s: cannot open %s: %s", host->cfg_where(cfg,
				 "dir", where, sizeof(where)), c->dir,
				 c->path[i], strerror(e));
		else
			snprintf(err, errlen, "%s: log_file: cannot open %s: "
				 "%s", host->cfg_where(cfg, lf_cats[i].key,
				 where, sizeof(where)), c->path[i],
				 strerror(e));
		goto fail;
	}
	if (lf_dir_ok(host, cfg, c, err, errlen))
		return 0;
fail:
	/* closed and forgotten: lf_init's failure path closes st->fd too */
	for (i = 0; i < LF_NCAT; i++) {
		lf_close(host, fds[i], c->path[i]);
		fds[i] = -1;
	}
	return -1;
}

/* logrotate moved the files away: write on in new ones from now. */
static void lf_reopen(void *state)
{
	struct lf_state *st = state;
	int i, fd;

	pthread_mutex_lock(&st->lock);
	lf_flush_locked(st);	/* what came before the rotation stays in it */
	for (i = 0; i < LF_NCAT; i++) {
		if (st->conf->path[i][0] == '\0')
			continue;
		fd = lf_open(st->host, st->conf->path[i]);
		if (fd < 0) {
			st->host->log(CF_LOG_ERR, "log_file: cannot reopen %s: "
				      "%s; writing on to the file open before",
				      st->conf->path[i], strerror(errno));
			continue;
		}
		lf_close(st->host, lf_swap_fd(st, (enum lf_cat)i, fd),
			 st->conf->path[i]);
	}
	pthread_mutex_unlock(&st->lock);
}

/* ---- events ---- */

/* Which files an event goes to (at most 2); 0 = none. */
static int lf_route(const struct cf_log_event *ev, enum lf_cat *cats)
{
	switch (ev->type) {
	case CF_EV_CONNECT:
	case CF_EV_REFUSED:
	case CF_EV_DISCONNECT:
		cats[0] = LF_CONN;
		return 1;
	case CF_EV_LOGIN:
	case CF_EV_LOGIN_FAIL:
	case CF_EV_LOGOUT:
	case CF_EV_REGISTER:
		cats[0] = LF_AUTH;
		return 1;
	case CF_EV_ADMIN:
		cats[0] = LF_ADMIN;
		return 1;
	case CF_EV_FILE:
	case CF_EV_QUOTA:
		cats[0] = LF_FILES;
		return 1;
	case CF_EV_TRANSFER:
		/* listings are in the commands trace, not among the files */
		if (!lfmt_is_file_xfer(ev->action))
			return 0;
		cats[0] = LF_FILES;
		cats[1] = LF_XFER;
		return 2;
	case CF_EV_COMMAND:
		cats[0] = LF_CMDS;
		return 1;
	default:
		cats[0] = LF_SERVER;	/* and whatever a newer core sends */
		return 1;
	}
}

/*
 * As much of p as the file takes, in one write and, after a short one, a
 * second for the rest: a short write to a regular file mostly means the
 * disk or RLIMIT_FSIZE is reached, and only the next write says so in
 * errno (or, space freed meanwhile, writes the rest).  No more tries, so
 * a full disk costs two calls a batch.  *err is the errno of a write that
 * failed, 0 if none did.
 */
static size_t lf_write_most(int fd, const char *p, size_t len, int *err)
{
	size_t done = 0;
	ssize_t n;
	int tries;

	*err = 0;
	for (tries = 0; tries < 2 && done < len; tries++) {
		n = lf_xwrite(fd, p + done, len - done);
		if (n < 0) {
			*err = errno;
			break;
		}
		done += (size_t)n;
	}
	return done;
}

/* How many lines end in the first len bytes of p. */
static uint64_t lf_lines_in(const char *p, size_t len)
{
	const char *end = p + len;
	uint64_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		p++;
		n++;
	}
	return n;
}

/* `lines` did not reach the file: count them, and tell when losses start. */
static void lf_lose(struct lf_state *st, enum lf_cat cat, uint64_t lines,
		    int err)
{
	if (st->lost[cat] == 0)
		st->host->log(CF_LOG_ERR, "log_file: cannot write %s: %s; "
			      "counting the lines lost", st->conf->path[cat],
			      err != 0 ? strerror(err) : "short write");
	st->lost[cat] += lines;
}

/*
 * Whole lines in one write, so lines of concurrent writers never mix.
 * Lines that cannot be written (disk full) are counted, and the count is
 * told once the file takes a whole batch again.  Of a short write, the
 * lines written in full stay and the half one counts as lost.
 */
static void lf_write(struct lf_state *st, enum lf_cat cat, const char *p,
		     size_t len, uint64_t lines)
{
	size_t done = 0;
	int err = 0;

	if (lf_end_half_line(st, cat, &err) == 0)
		done = lf_write_most(st->fd[cat], p, len, &err);
	if (done == len) {
		if (st->lost[cat] != 0)
			st->host->log(CF_LOG_WARN, "log_file: %s is written "
				      "again; %llu lines were lost",
				      st->conf->path[cat],
				      (unsigned long long)st->lost[cat]);
		st->lost[cat] = 0;
		return;
	}
	lf_lose(st, cat, lines - lf_lines_in(p, done), err);
	if (done > 0 && p[done - 1] != '\n') {
		st->half_line[cat] = 1;
		(void)lf_end_half_line(st, cat, &err);
	}
}

static void lf_flush_cat(struct lf_state *st, enum lf_cat cat)
{
	struct lf_batch *b = &st->batch[cat];

	if (b->len == 0)
		return;
	if (st->fd[cat] >= 0)
		lf_write(st, cat, b->p, b->len, b->lines);
	b->len = 0;
	b->lines = 0;
}

static void lf_flush_locked(struct lf_state *st)
{
	for (int i = 0; i < LF_NCAT; i++)
		lf_flush_cat(st, (enum lf_cat)i);
}

static void lf_flush(void *state)
{
	struct lf_state *st = state;

	pthread_mutex_lock(&st->lock);
	lf_flush_locked(st);
	pthread_mutex_unlock(&st->lock);
}

/* A line joins its file's batch; one that cannot is written at once. */
static void lf_queue(struct lf_state *st, enum lf_cat cat, const char *p,
		     size_t len)
{
	struct lf_batch *b = &st->batch[cat];

	if (b->len + len > LF_BATCH)
		lf_flush_cat(st, cat);
	if (b->p == NULL && len <= LF_BATCH)
		b->p = malloc(LF_BATCH);
	if (b->p == NULL || len > LF_BATCH) {
		lf_write(st, cat, p, len, 1);
		return;
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	b->lines++;
}

static void lf_emit(struct lf_state *st, enum lf_cat cat,
		    const struct cf_log_event *ev)
{
	struct lfmt_line l;

	lfmt_init(&l, st->line, sizeof(st->line) - 1, LF_VALUE_MAX);
	if (cat == LF_XFER)
		lfmt_xferlog(&l, ev);
	else
		lfmt_event(&l, st->conf->json ? LFMT_JSON : LFMT_TEXT, ev);
	if (l.len == 0)
		return;
	l.p[l.len++] = '\n';
	lf_queue(st, cat, l.p, l.len);
}

static void lf_event(void *state, const struct cf_log_event *sent)
{
	struct lf_state *st = state;
	struct cf_log_event ev;
	enum lf_cat cats[2];
	int i, n;

	lfmt_event_copy(&ev, sent);
	n = lf_route(&ev, cats);
	pthread_mutex_lock(&st->lock);
	for (i = 0; i < n; i++)
		if (st->fd[cats[i]] >= 0)
			lf_emit(st, cats[i], &ev);
	pthread_mutex_unlock(&st->lock);
}

/* ---- settings ---- */

/* A category's file: a name in dir, an absolute path, or "" (off). */
static int lf_parse_name(const struct cf_host *host,
			 const struct cf_config *cfg, struct lf_conf *c,
			 enum lf_cat cat, char *err, size_t errlen)
{
	const char *key = lf_cats[cat].key, *name = lf_cats[cat].file;
	char where[256], *out = c->path[cat];
	int n;

	if (host->cfg_str(cfg, key, &name) < 0)
		goto bad;
	if (name[0] == '\0') {
		out[0] = '\0';
		return 0;
	}
	if (name[0] == '/')
		n = snprintf(out, CF_PATH_MAX, "%s", name);
	else if (strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
		 strcmp(name, "..") == 0)
		goto bad;
	else
		n = snprintf(out, CF_PATH_MAX, "%s/%s", c->dir, name);
	c->in_dir[cat] = name[0] != '/';
	if (n < 0 || n >= CF_PATH_MAX)
		goto bad;
	return 0;
bad:
	snprintf(err, errlen, "%s: log_file: %s must be a file name in dir, "
		 "an absolute path, or \"\" to turn it off",
		 host->cfg_where(cfg, key, where, sizeof(where)), key);
	return -1;
}

static int lf_parse(const struct cf_host *host, const struct cf_config *cfg,
		    struct lf_conf *c, char *err, size_t errlen)
{
	static const char *const known[] = {
		"dir", "format", "connections", "auth", "files", "xferlog",
		"admin", "commands", "server", NULL
	};
	const char *format = "text";
	char where[256];
	int r, i;

	memset(c, 0, sizeof(*c));
	if (host->cfg_check_keys(cfg, known, err, errlen) != 0)
		return -1;
	r = host->cfg_path(cfg, "dir", c->dir, sizeof(c->dir));
	if (r != 0) {
		snprintf(err, errlen, "%s: log_file: %s", host->cfg_where(cfg,
			 r == 1 ? NULL : "dir", where, sizeof(where)),
			 r == 1 ? "needs `dir`, the folder of the log files"
				: "dir must be a path");
		return -1;
	}
	if (host->cfg_str(cfg, "format", &format) < 0 ||
	    (strcmp(format, "text") != 0 && strcmp(format, "json") != 0)) {
		snprintf(err, errlen, "%s: log_file: format must be \"text\" "
			 "or \"json\"", host->cfg_where(cfg, "format", where,
							sizeof(where)));
		return -1;
	}
	c->json = strcmp(format, "json") == 0;
	for (i = 0; i < LF_NCAT; i++)
		if (lf_parse_name(host, cfg, c, (enum lf_cat)i, err, errlen))
			return -1;
	return 0;
}

/* ---- life cycle ---- */

static void lf_fini(void *state)
{
	struct lf_state *st = state;
	int i;

	if (st == NULL)
		return;
	lf_flush_locked(st);
	for (i = 0; i < LF_NCAT; i++) {
		lf_close(st->host, lf_swap_fd(st, (enum lf_cat)i, -1),
			 st->conf->path[i]);
		free(st->batch[i].p);
	}
	pthread_mutex_destroy(&st->lock);
	free(st->conf);
	free(st);
}

static int lf_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct lf_state *st;
	int i;

	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "log_file: out of memory");
		return -1;
	}
	for (i = 0; i < LF_NCAT; i++)
		st->fd[i] = -1;
	st->host = host;
	st->conf = calloc(1, sizeof(*st->conf));
	if (st->conf == NULL || pthread_mutex_init(&st->lock, NULL) != 0) {
		snprintf(err, errlen, "log_file: cannot create its state");
		free(st->conf);
		free(st);
		return -1;
	}
	if (lf_parse(host, cfg, st->conf, err, errlen) != 0 ||
	    lf_open_all(host, cfg, st->conf, st->fd, err, errlen) != 0) {
		lf_fini(st);
		return -1;
	}
	*state = st;
	return 0;
}

/* SIGHUP: new names, folder or format apply only if every file opens. */
static int lf_reload(void *state, const struct cf_config *cfg,
		     char *err, size_t errlen)
{
	struct lf_state *st = state;
	struct lf_conf *c = malloc(sizeof(*c)), *old;
	int fds[LF_NCAT], i;

	if (c == NULL) {
		snprintf(err, errlen, "log_file: out of memory");
		return -1;
	}
	if (lf_parse(st->host, cfg, c, err, errlen) != 0 ||
	    lf_open_all(st->host, cfg, c, fds, err, errlen) != 0) {
		free(c);
		return -1;
	}
	pthread_mutex_lock(&st->lock);
	lf_flush_locked(st);	/* lines before the reload: the old files */
	for (i = 0; i < LF_NCAT; i++)
		fds[i] = lf_swap_fd(st, (enum lf_cat)i, fds[i]);
	old = st->conf;
	st->conf = c;
	pthread_mutex_unlock(&st->lock);
	for (i = 0; i < LF_NCAT; i++)
		lf_close(st->host, fds[i], old->path[i]);
	free(old);
	return 0;
}

static const struct cf_log_ops lf_ops = {
	.event = lf_event,
	.reopen = lf_reopen,
	.flush = lf_flush,
};

static const struct cf_module lf_module = {
	CF_MODULE_HEADER,
	.name = "log_file",
	.version = "1.2",
	.init = lf_init,
	.fini = lf_fini,
	.log = &lf_ops,
	.reload = lf_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &lf_module;
}
