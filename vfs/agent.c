/*
 * The file agent (see vcell.h): a process with a system user's
 * credentials that performs one session's file operations in that user's
 * cell and hands opened files back.  Every request is checked as if it
 * came from a stranger: sizes, NUL ends, and paths canonicalised again.
 */
#include "vfs/vcell.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/io.h"
#include "vfs/agent_proto.h"
#include "vfs/fdpass.h"

#define VAG_TEXT_MAX (256u * 1024 * 1024)	/* a listing's hard ceiling */

/* A path from the asker: NUL-terminated, made canonical here. */
static int take_path(char *raw, size_t rawlen, char *out, size_t outlen)
{
	if (memchr(raw, '\0', rawlen) == NULL)
		return -EINVAL;
	return vpath_join("/", raw, out, outlen);
}

/* Hand text over in a memfd: sealed copies are not needed, the asker
 * only reads it once. */
static int text_fd(const struct buf *b, int *fd)
{
	int m = memfd_create("cellftpd-list", MFD_CLOEXEC);

	if (m < 0)
		return -errno;
	if (io_write_all(m, b->p, b->len) != 0) {
		int e = errno;

		(void)close(m);
		return -e;
	}
	*fd = m;
	return 0;
}

static int do_text(int root_fd, struct vag_req *q, const char *path,
		   const char *shown, struct vag_resp *r, int *fd)
{
	struct vfs_list_opts o = { 0 };
	struct buf b;
	int res;

	buf_init(&b, q->max < VAG_TEXT_MAX ? (size_t)q->max : VAG_TEXT_MAX);
	if (q->op == VAG_MLST) {
		res = vfs_mlst(root_fd, path, shown, q->facts_off, &b);
	} else {
		if (q->arg < VFS_LIST_LS || q->arg > VFS_LIST_MLSD) {
			res = -EINVAL;
			goto out;
		}
		o.all = q->all != 0;
		o.now = (time_t)q->num;
		o.max_entries = (size_t)q->max_entries;
		o.facts_off = q->facts_off;
		res = vfs_list(root_fd, path, (enum vfs_list_fmt)q->arg, &o, &b);
	}
	if (res == 0 && b.failed)
		res = -ENOMEM;
	if (res == 0 && (res = text_fd(&b, fd)) == 0)
		r->len = b.len;
out:
	buf_free(&b);
	return res;
}

static int do_op(int root_fd, struct vag_req *q, struct vag_resp *r, int *fd)
{
	char path[VFS_PATH_MAX], path2[VFS_PATH_MAX];
	int res;

	if (take_path(q->path, sizeof(q->path), path, sizeof(path)) != 0 ||
	    memchr(q->path2, '\0', sizeof(q->path2)) == NULL)
		return -EINVAL;
	switch (q->op) {
	case VAG_STAT:
		return vfs_stat(root_fd, path, &r->st);
	case VAG_LSTAT:
		return vfs_lstat(root_fd, path, &r->st);
	case VAG_MKDIR:
		return vfs_mkdir(root_fd, path, (mode_t)q->arg & 0777);
	case VAG_RMDIR:
		return vfs_rmdir(root_fd, path);
	case VAG_UNLINK:
		return vfs_unlink(root_fd, path);
	case VAG_RENAME:
		if (take_path(q->path2, sizeof(q->path2), path2,
			      sizeof(path2)) != 0)
			return -EINVAL;
		return vfs_rename(root_fd, path, path2);
	case VAG_SET_MTIME:
		return vfs_set_mtime(root_fd, path, (time_t)q->num);
	case VAG_OPEN_READ:
		res = vfs_open_read(root_fd, path, &r->st);
		break;
	case VAG_OPEN_WRITE:
		if (q->arg < VFS_W_TRUNC || q->arg > VFS_W_RESUME)
			return -EINVAL;
		res = vfs_open_write(root_fd, path, (enum vfs_wmode)q->arg);
		break;
	case VAG_LIST:
	case VAG_MLST:
		return do_text(root_fd, q, path, q->path2, r, fd);
	case VAG_STATVFS:
		return fstatvfs(root_fd, &r->fs) == 0 ? 0 : -errno;
	default:
		return -EINVAL;
	}
	if (res >= 0) {
		*fd = res;
		res = 0;
	}
	return res;
}

int vc_agent_serve(int sock, int root_fd)
{
	struct vag_req *q = malloc(sizeof(*q));
	struct vag_resp r;
	int ret = -1, fd, e;

	if (q == NULL)
		return -1;
	for (;;) {
		e = fdp_recv(sock, q, sizeof(*q), &fd);
		if (fd >= 0)
			(void)close(fd);	/* the asker never sends one */
		if (e == -ECONNRESET) {
			ret = 0;
			break;
		}
		if (e != 0)
			break;
		memset(&r, 0, sizeof(r));
		fd = -1;
		r.result = do_op(root_fd, q, &r, &fd);
		e = fdp_send(sock, &r, sizeof(r), fd);
		if (fd >= 0)
			(void)close(fd);
		if (e != 0)
			break;
	}
	free(q);
	return ret;
}
