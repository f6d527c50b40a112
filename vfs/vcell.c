/*
 * The asking side of a cell (see vcell.h): local cells call vfs.c
 * directly, agent cells send each operation to the session's file agent
 * and wait for its answer.
 */
#include "vfs/vcell.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/io.h"
#include "vfs/agent_proto.h"
#include "vfs/fdpass.h"

/*
 * How long an agent may take to answer before its session gives up on it
 * (451, the stream closed): it may have been stopped by its own user, or
 * its home folder may hang.  The wait is on a pool thread, never a
 * worker's; a listing of a huge folder on a slow file system gets longer.
 */
#define VC_ANSWER_MS (10 * 1000)
#define VC_LIST_MS (120 * 1000)

/* One exchange.  *fd (may be NULL) receives a descriptor sent along. */
static int ask(const struct vfs_cell *c, struct vag_req *q,
	       struct vag_resp *r, int *fd)
{
	int ms = q->op == VAG_LIST ? VC_LIST_MS : VC_ANSWER_MS;
	int got = -1, e, ready = 1;

	if ((e = fdp_send(c->agent, q, sizeof(*q), -1)) != 0 ||
	    (ready = io_wait_in(c->agent, ms)) <= 0 ||
	    (e = fdp_recv(c->agent, r, sizeof(*r), &got)) != 0) {
		/* a late answer must never pass for the next one's: the
		 * stream is closed, and every later call fails too */
		(void)shutdown(c->agent, SHUT_RDWR);
		if (e == 0)
			e = ready < 0 ? -errno : -EAGAIN;
		return e == -ECONNRESET || e == -EPIPE || e == -EAGAIN ? -EIO : e;
	}
	if (fd != NULL)
		*fd = got;
	else if (got >= 0)
		(void)close(got);
	if (r->result < -4095 || r->result > INT32_MAX)
		return -EIO;
	return (int)r->result;
}

static struct vag_req *req(struct vag_req *q, enum vag_op op,
			   const char *path, const char *path2)
{
	memset(q, 0, sizeof(*q));	/* no stack bytes reach the agent */
	q->op = op;
	if (snprintf(q->path, sizeof(q->path), "%s", path) >=
	    (int)sizeof(q->path))
		return NULL;
	if (path2 != NULL && snprintf(q->path2, sizeof(q->path2), "%s",
				      path2) >= (int)sizeof(q->path2))
		return NULL;
	return q;
}

/* A path-only operation that answers a result and maybe a stat. */
static int simple(const struct vfs_cell *c, enum vag_op op, const char *vpath,
		  const char *vpath2, int arg, struct stat *st)
{
	struct vag_req q;
	struct vag_resp r;
	int res;

	if (req(&q, op, vpath, vpath2) == NULL)
		return -ENAMETOOLONG;
	q.arg = arg;
	res = ask(c, &q, &r, NULL);
	if (res == 0 && st != NULL)
		*st = r.st;
	return res;
}

int vc_stat(const struct vfs_cell *c, const char *vpath, struct stat *st)
{
	if (!vc_is_agent(c))
		return vfs_stat(c->fd, vpath, st);
	return simple(c, VAG_STAT, vpath, NULL, 0, st);
}

int vc_lstat(const struct vfs_cell *c, const char *vpath, struct stat *st)
{
	if (!vc_is_agent(c))
		return vfs_lstat(c->fd, vpath, st);
	return simple(c, VAG_LSTAT, vpath, NULL, 0, st);
}

int vc_mkdir(const struct vfs_cell *c, const char *vpath, mode_t mode)
{
	if (!vc_is_agent(c))
		return vfs_mkdir(c->fd, vpath, mode);
	return simple(c, VAG_MKDIR, vpath, NULL, (int)(mode & 07777), NULL);
}

int vc_rmdir(const struct vfs_cell *c, const char *vpath)
{
	if (!vc_is_agent(c))
		return vfs_rmdir(c->fd, vpath);
	return simple(c, VAG_RMDIR, vpath, NULL, 0, NULL);
}

int vc_unlink(const struct vfs_cell *c, const char *vpath)
{
	if (!vc_is_agent(c))
		return vfs_unlink(c->fd, vpath);
	return simple(c, VAG_UNLINK, vpath, NULL, 0, NULL);
}

int vc_rename(const struct vfs_cell *c, const char *from, const char *to)
{
	if (!vc_is_agent(c))
		return vfs_rename(c->fd, from, to);
	return simple(c, VAG_RENAME, from, to, 0, NULL);
}

int vc_set_mtime(const struct vfs_cell *c, const char *vpath, time_t mtime)
{
	struct vag_req q;
	struct vag_resp r;

	if (!vc_is_agent(c))
		return vfs_set_mtime(c->fd, vpath, mtime);
	if (req(&q, VAG_SET_MTIME, vpath, NULL) == NULL)
		return -ENAMETOOLONG;
	q.num = (int64_t)mtime;
	return ask(c, &q, &r, NULL);
}

/* An operation that answers with a descriptor. */
static int open_fd(const struct vfs_cell *c, struct vag_req *q,
		   struct stat *st)
{
	struct vag_resp r;
	int fd = -1, res = ask(c, q, &r, &fd);

	if (res < 0 || fd < 0) {
		if (fd >= 0)
			(void)close(fd);
		return res < 0 ? res : -EIO;
	}
	if (st != NULL)
		*st = r.st;
	return fd;
}

int vc_open_read(const struct vfs_cell *c, const char *vpath, struct stat *st)
{
	struct vag_req q;

	if (!vc_is_agent(c))
		return vfs_open_read(c->fd, vpath, st);
	if (req(&q, VAG_OPEN_READ, vpath, NULL) == NULL)
		return -ENAMETOOLONG;
	return open_fd(c, &q, st);
}

int vc_hold(const struct vfs_cell *c, const char *vpath)
{
	if (vc_is_agent(c))
		return -ENOTSUP;
	return vfs_open(c->fd, vpath, O_PATH | O_NOFOLLOW, 0);
}

int vc_open_write(const struct vfs_cell *c, const char *vpath,
		  enum vfs_wmode mode)
{
	struct vag_req q;

	if (!vc_is_agent(c))
		return vfs_open_write(c->fd, vpath, mode);
	if (req(&q, VAG_OPEN_WRITE, vpath, NULL) == NULL)
		return -ENAMETOOLONG;
	q.arg = (int)mode;
	return open_fd(c, &q, NULL);
}

/* Text the agent left in a memfd, appended to out within its ceiling. */
static int take_text(const struct vfs_cell *c, struct vag_req *q,
		     struct buf *out)
{
	struct vag_resp r;
	int fd = -1, res = ask(c, q, &r, &fd);
	size_t done = 0;
	ssize_t n;

	if (res < 0 || fd < 0)
		goto out;
	if (r.len > q->max || buf_reserve(out, (size_t)r.len + 1) != 0) {
		res = -ENOMEM;
		goto out;
	}
	while (done < r.len) {
		n = io_pread(fd, out->p + out->len + done,
			     (size_t)r.len - done, (off_t)done);
		if (n <= 0) {
			res = n < 0 ? -errno : -EIO;
			goto out;
		}
		done += (size_t)n;
	}
	out->len += done;
	out->p[out->len] = '\0';
out:
	if (fd >= 0)
		(void)close(fd);
	return res < 0 ? res : fd < 0 ? -EIO : 0;
}

/* What out can still take, for the agent to stop early. */
static uint64_t room(const struct buf *out)
{
	return out->max == 0 ? UINT64_MAX :
	       out->max > out->len ? out->max - out->len : 0;
}

int vc_list(const struct vfs_cell *c, const char *vpath,
	    enum vfs_list_fmt fmt, const struct vfs_list_opts *opts,
	    struct buf *out)
{
	struct vag_req q;

	if (!vc_is_agent(c))
		return vfs_list(c->fd, vpath, fmt, opts, out);
	if (req(&q, VAG_LIST, vpath, NULL) == NULL)
		return -ENAMETOOLONG;
	q.arg = (int)fmt;
	q.max = room(out);
	if (opts != NULL) {
		q.all = (uint32_t)opts->all;
		q.num = (int64_t)opts->now;
		q.max_entries = opts->max_entries;
		q.facts_off = opts->facts_off;
	} else {
		q.num = (int64_t)time(NULL);
	}
	return take_text(c, &q, out);
}

int vc_mlst(const struct vfs_cell *c, const char *vpath, const char *shown,
	    unsigned facts_off, struct buf *out)
{
	struct vag_req q;

	if (!vc_is_agent(c))
		return vfs_mlst(c->fd, vpath, shown, facts_off, out);
	if (req(&q, VAG_MLST, vpath, shown) == NULL)
		return -ENAMETOOLONG;
	q.facts_off = facts_off;
	q.max = room(out);
	return take_text(c, &q, out);
}

int vc_statvfs(const struct vfs_cell *c, struct statvfs *fs)
{
	struct vag_req q;
	struct vag_resp r;
	int res;

	if (!vc_is_agent(c))
		return fstatvfs(c->fd, fs) == 0 ? 0 : -errno;
	if (req(&q, VAG_STATVFS, "/", NULL) == NULL)
		return -EINVAL;
	res = ask(c, &q, &r, NULL);
	if (res == 0)
		*fs = r.fs;
	return res;
}

static int dup_one(int fd)
{
	if (fd < 0)
		return -1;
	return fcntl(fd, F_DUPFD_CLOEXEC, 0);
}

int vc_dup(const struct vfs_cell *c, struct vfs_cell *out)
{
	*out = VFS_CELL_NONE;
	if ((c->fd >= 0 && (out->fd = dup_one(c->fd)) < 0) ||
	    (c->agent >= 0 && (out->agent = dup_one(c->agent)) < 0)) {
		int e = errno;

		vc_close(out);
		return -e;
	}
	return 0;
}

void vc_close(struct vfs_cell *c)
{
	if (c->fd >= 0)
		(void)close(c->fd);
	if (c->agent >= 0)
		(void)close(c->agent);
	*c = VFS_CELL_NONE;
}
