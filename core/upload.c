/*
 * Uploads with quota (see upload.h).  Room is reserved from the providers
 * in chunks, so a fast upload asks the ledger once per megabyte, not once
 * per read; bytes that only overwrite existing ones need no room.
 */
#include "upload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "io.h"
#include "quota.h"
#include "reclaim.h"
#include "sess.h"
#include "srv.h"
#include "xfer.h"

#define UPLOAD_CHUNK (1024 * 1024)	/* room reserved at a time */

void upload_free(struct upload *u)
{
	free(u->tmp);
	u->tmp = NULL;
}

/* The temporary name of an overwrite: hidden, unique, same folder. */
static int tmp_name(uint64_t id, const char *vpath, char *out, size_t len)
{
	char parent[VFS_PATH_MAX];
	const char *name;

	if (vpath_split(vpath, parent, sizeof(parent), &name) != 0)
		return -EINVAL;
	if (snprintf(out, len, "%s%s.cellftpd-upload.%llx", parent,
		     strcmp(parent, "/") == 0 ? "" : "/",
		     (unsigned long long)id) >= (int)len)
		return -ENAMETOOLONG;
	return 0;
}

/* Which ledger, and whether it may refuse: not for an admin's writes. */
void upload_prepare(struct sess *s, struct xfer *x, enum vfs_wmode mode,
		    uint64_t rest)
{
	struct upload *u = &x->up;
	char buf[CF_LOGIN_MAX];
	const char *owner;

	u->mode = mode;
	x->pos = rest;
	if (!qt_active(s->w->srv))
		return;
	owner = qt_owner(s, x->vpath, buf, sizeof(buf));
	if (owner != NULL)
		snprintf(u->owner, sizeof(u->owner), "%s", owner);
	u->enforce = !s->is_admin && s->logged_in;
}

static int open_target(const struct vfs_cell *c, uint64_t id,
		       struct xfer *x, struct stat *old)
{
	struct upload *u = &x->up;
	char tmp[VFS_PATH_MAX];
	int fd, r = vc_lstat(c, x->vpath, old);

	/*
	 * An overwrite lands beside the old file and replaces it at the end,
	 * so a refused or broken upload loses nothing.  Not for a system
	 * user's file (agent cell): a new inode would take the file from its
	 * owner and drop its mode, so it is truncated in place, as a shell
	 * would.
	 */
	if (r == 0 && S_ISREG(old->st_mode) && u->mode == VFS_W_TRUNC &&
	    !vc_is_agent(c)) {
		if ((r = tmp_name(id, x->vpath, tmp, sizeof(tmp))) != 0)
			return r;
		fd = vc_open_write(c, tmp, VFS_W_EXCL);
		if (fd < 0)
			return fd;
		u->tmp = strdup(tmp);
		if (u->tmp == NULL || fchmod(fd, old->st_mode & 07777) != 0) {
			(void)vc_unlink(c, tmp);
			upload_free(u);
			io_close(fd);
			return -ENOMEM;
		}
		u->orig_size = (uint64_t)old->st_size;
		u->orig_nlink = old->st_nlink;
		u->credit = old->st_size;
		return fd;
	}
	if (r != 0 && r != -ENOENT)
		return r;
	u->created = r == -ENOENT;
	if (r == 0 && S_ISREG(old->st_mode))
		u->orig_size = (uint64_t)old->st_size;
	/* resuming never truncates first: a refusal can cut back exactly */
	return vc_open_write(c, x->vpath, u->mode);
}

/* Take back what open_target made: nothing of it must stay. */
static void unmake(const struct vfs_cell *c, struct xfer *x)
{
	struct upload *u = &x->up;

	if (u->tmp != NULL)
		(void)vc_unlink(c, u->tmp);
	else if (u->created)
		(void)vc_unlink(c, x->vpath);
	upload_free(u);
	u->created = 0;
	io_close(x->fd);
	x->fd = -1;
}

int upload_open(const struct vfs_cell *c, uint64_t id, struct xfer *x)
{
	struct upload *u = &x->up;
	struct stat old;
	int fd;

	if (u->mode == VFS_W_RESUME && (vc_lstat(c, x->vpath, &old) != 0 ||
					x->pos > (uint64_t)old.st_size))
		return -ERANGE;
	fd = open_target(c, id, x, &old);
	if (fd < 0)
		return fd;
	x->fd = fd;
	if (u->mode == VFS_W_APPEND)
		x->pos = u->orig_size;
	if (u->mode == VFS_W_RESUME)
		u->credit = (int64_t)(u->orig_size - x->pos);
	if (lseek(fd, (off_t)x->pos, SEEK_SET) < 0) {
		unmake(c, x);
		return -EIO;
	}
	return 0;
}

int upload_ready(struct sess *s, struct xfer *x, int r)
{
	struct upload *u = &x->up;

	if (r == -ERANGE) {
		sess_reply(s, 554, "Restart position beyond end of file.");
		return 554;
	}
	if (r != 0)
		return cmd_fail(s, r, x->vpath);
	if (u->created && u->owner[0] && u->enforce) {
		if (qt_reserve(s, 0, 1) != CF_OK) {
			upload_abort(s, x, 1);
			qt_log_refusal(s, x->verb, x->vpath, 0);
			sess_reply(s, 552, "Requested file action aborted. Exceeded "
				   "storage allocation.");
			return 552;
		}
		u->files_reserved = 1;
	}
	return 0;
}

int upload_room(struct sess *s, struct xfer *x, size_t n)
{
	struct upload *u = &x->up;
	int64_t need = (int64_t)n - u->room, take;

	if (need <= 0 || !u->enforce || !u->owner[0]) {
		u->room = need <= 0 ? u->room - (int64_t)n : 0;
		return 0;
	}
	take = need < u->credit ? need : u->credit;	/* overwritten bytes */
	u->credit -= take;
	need -= take;
	if (need > 0) {
		int64_t chunk = need > UPLOAD_CHUNK ? need : UPLOAD_CHUNK;

		if (qt_reserve(s, chunk, 0) != CF_OK) {
			chunk = need;		/* the last bytes may still fit */
			if (qt_reserve(s, chunk, 0) != CF_OK)
				return -1;
		}
		u->reserved += chunk;
		u->room += chunk;
	}
	u->room += take - (int64_t)n;
	return 0;
}

static void settle(struct sess *s, struct upload *u, int64_t delta_bytes,
		   int64_t delta_files)
{
	if (u->owner[0])
		qt_settle(s->w->srv, u->owner, u->reserved, u->files_reserved,
			  delta_bytes, delta_files);
	u->reserved = u->files_reserved = u->room = 0;
	u->owner[0] = '\0';
}

int upload_commit(struct sess *s, struct xfer *x, int *old)
{
	struct upload *u = &x->up;
	struct stat st;
	int r = 0;

	*old = -1;
	/* a resumed upload replaces everything after what it wrote */
	if (u->mode == VFS_W_RESUME && ftruncate(x->fd, (off_t)x->pos) != 0)
		r = -errno;
	if (r == 0 && fstat(x->fd, &st) != 0)
		r = -errno;
	if (r == 0 && u->tmp != NULL) {
		*old = reclaim_hold(&s->cell, x->vpath, u->orig_size,
				    u->orig_nlink);
		r = vc_rename(&s->cell, u->tmp, x->vpath);
	}
	if (r != 0) {
		io_close(*old);
		*old = -1;
		upload_abort(s, x, 0);
		return r;
	}
	settle(s, u, (int64_t)st.st_size - (int64_t)u->orig_size,
	       u->created ? 1 : 0);
	return 0;
}

void upload_abort(struct sess *s, struct xfer *x, int over_quota)
{
	struct upload *u = &x->up;
	struct stat st;

	if (u->tmp != NULL) {		/* the old file is untouched */
		(void)vc_unlink(&s->cell, u->tmp);
		upload_free(u);
		settle(s, u, 0, 0);
		return;
	}
	if (over_quota && u->created) {
		(void)vc_unlink(&s->cell, x->vpath);
		u->created = 0;
		settle(s, u, 0, 0);
		return;
	}
	if (over_quota && x->fd >= 0 &&
	    ftruncate(x->fd, (off_t)u->orig_size) != 0)
		srv_log(CF_LOG_ERR, "cannot cut %s back after a quota refusal: %s",
			x->vpath, strerror(errno));
	/* what stays on disk is what the ledger must show */
	if (x->fd >= 0 && fstat(x->fd, &st) == 0)
		settle(s, u, (int64_t)st.st_size - (int64_t)u->orig_size,
		       u->created ? 1 : 0);
	else
		settle(s, u, 0, 0);
}
