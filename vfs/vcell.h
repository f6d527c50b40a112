/*
 * A session's cell as the core sees it: either a root fd the serving
 * process resolves names under itself, or a file agent, a process running
 * as the session's system user that does each operation for it.
 */
#ifndef VFS_VCELL_H
#define VFS_VCELL_H

#include <sys/stat.h>
#include <sys/statvfs.h>

#include "vfs/vfs.h"

struct vfs_cell {
	int fd;		/* O_PATH of the cell root, or -1 */
	int agent;	/* socket to the file agent, or -1: then fd is used */
};

#define VFS_CELL_NONE ((struct vfs_cell){ .fd = -1, .agent = -1 })

/*
 * The operations of vfs.h on a cell, same arguments and results.  With an
 * agent each is one request and one answer on its socket, so a cell is
 * used by one thread at a time (a session runs one command at a time; a
 * pool job gets its own vc_dup).  A broken agent answers -EIO.
 */
int vc_stat(const struct vfs_cell *c, const char *vpath, struct stat *st);
int vc_lstat(const struct vfs_cell *c, const char *vpath, struct stat *st);
int vc_mkdir(const struct vfs_cell *c, const char *vpath, mode_t mode);
int vc_rmdir(const struct vfs_cell *c, const char *vpath);
int vc_unlink(const struct vfs_cell *c, const char *vpath);
int vc_rename(const struct vfs_cell *c, const char *from, const char *to);
int vc_set_mtime(const struct vfs_cell *c, const char *vpath, time_t mtime);
int vc_open_read(const struct vfs_cell *c, const char *vpath, struct stat *st);
int vc_open_write(const struct vfs_cell *c, const char *vpath,
		  enum vfs_wmode mode);
int vc_list(const struct vfs_cell *c, const char *vpath,
	    enum vfs_list_fmt fmt, const struct vfs_list_opts *opts,
	    struct buf *out);
int vc_mlst(const struct vfs_cell *c, const char *vpath, const char *shown,
	    unsigned facts_off, struct buf *out);
int vc_statvfs(const struct vfs_cell *c, struct statvfs *fs);

/*
 * An O_PATH handle on vpath itself (a last symlink not followed), or
 * -errno.  While it is open, removing or replacing the name frees none of
 * the file's pages or blocks: that waits for the handle's close.  Not for
 * an agent cell (-ENOTSUP): its agent frees them in its own process.
 */
int vc_hold(const struct vfs_cell *c, const char *vpath);

/* Files the agent creates keep their owner: no replace-by-rename. */
static inline int vc_is_agent(const struct vfs_cell *c)
{
	return c->agent >= 0;
}

/* Independent copies of both descriptors (0), or -errno. */
int vc_dup(const struct vfs_cell *c, struct vfs_cell *out);
void vc_close(struct vfs_cell *c);

/*
 * The agent's side: answer requests on `sock` with the cell at `root_fd`
 * until the peer closes it.  Runs in a process of its own that already
 * has the user's credentials; trusts nothing it receives.  Returns 0 at
 * a clean end, -1 on a broken request.
 */
int vc_agent_serve(int sock, int root_fd);

#endif
