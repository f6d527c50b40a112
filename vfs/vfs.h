/*
 * The cell: virtual paths and every file operation a session performs,
 * resolved with openat2(RESOLVE_IN_ROOT) under the session's root fd so no
 * name a client sends can reach, or reveal, anything outside the cell.
 */
#ifndef VFS_VFS_H
#define VFS_VFS_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "core/buf.h"

#define VFS_PATH_MAX 4096
#define VFS_NAME_MAX 255

/*
 * Virtual paths ------------------------------------------------------------
 * A virtual path is absolute and canonical: "/" or "/a/b", no "." or "..",
 * no empty or trailing components.
 */

/*
 * Join `arg` (absolute or relative to `cwd`) and normalise it lexically:
 * "." is dropped, ".." pops a component and stays at "/" at the root,
 * repeated slashes collapse.  Returns 0, -EINVAL for a NUL-free but
 * forbidden byte (CR or LF), -ENAMETOOLONG when the result or a component
 * is too long.  `arg` NULL or "" means `cwd`.
 */
int vpath_join(const char *cwd, const char *arg, char *out, size_t outlen);

/*
 * Split a canonical vpath into its parent and last name.  Returns 0, or
 * -EINVAL for "/" (which has no parent).  `name` points into `vpath`.
 */
int vpath_split(const char *vpath, char *parent, size_t parentlen,
		const char **name);

/* The relative form openat2 wants: "/" -> ".", "/a/b" -> "a/b". */
const char *vpath_rel(const char *vpath);

/*
 * Resolution ---------------------------------------------------------------
 * All functions take the O_PATH|O_DIRECTORY fd of the cell root and a
 * canonical vpath, and return >= 0 on success or a negative errno.
 * Symlinks inside the cell are followed but resolve inside the cell
 * (an absolute target is relative to the cell root); /proc magic links
 * fail.  EAGAIN from openat2 is retried a bounded number of times.
 */

/* openat2(root_fd, vpath_rel(vpath), flags, mode, IN_ROOT|NO_MAGICLINKS). */
int vfs_open(int root_fd, const char *vpath, int flags, mode_t mode);

/* O_PATH|O_DIRECTORY fd of the parent of vpath; *name = last component. */
int vfs_open_parent(int root_fd, const char *vpath, const char **name);

/* stat following symlinks (inside the cell). */
int vfs_stat(int root_fd, const char *vpath, struct stat *st);

/* Is vpath an existing directory?  1 yes, 0 no / error. */
int vfs_is_dir(int root_fd, const char *vpath);

/*
 * Open a regular file for download: -EISDIR / -EACCES if not regular (a
 * FIFO never blocks the open).  `st` (may be NULL) receives its fstat.
 */
int vfs_open_read(int root_fd, const char *vpath, struct stat *st);

/*
 * Open for upload.  mode VFS_W_TRUNC creates or truncates, VFS_W_APPEND
 * creates or appends, VFS_W_EXCL creates only if absent (-EEXIST),
 * VFS_W_RESUME opens without truncating (caller seeks).  The last component
 * is opened with O_NOFOLLOW (a symlink there is refused with -ELOOP) and
 * must be a regular file (-EISDIR, or -EACCES for a FIFO, device or
 * socket; a FIFO never blocks the open).  New files get mode 0666 minus
 * the process umask.  "/" gives -EISDIR.
 */
enum vfs_wmode { VFS_W_TRUNC, VFS_W_APPEND, VFS_W_EXCL, VFS_W_RESUME };
int vfs_open_write(int root_fd, const char *vpath, enum vfs_wmode mode);

/*
 * Each acts on the last component through the resolved parent.  The cell
 * root "/" has no parent: vfs_open_parent and these give -EBUSY for it,
 * and -EINVAL for a last name of "." or "..".
 */
int vfs_mkdir(int root_fd, const char *vpath, mode_t mode);
int vfs_rmdir(int root_fd, const char *vpath);
int vfs_unlink(int root_fd, const char *vpath);	/* a symlink, not its target */
int vfs_rename(int root_fd, const char *from, const char *to);
/* lstat of the last component itself; for "/", the cell root. */
int vfs_lstat(int root_fd, const char *vpath, struct stat *st);
/* Set modification time (MFMT): follows symlinks inside the cell. */
int vfs_set_mtime(int root_fd, const char *vpath, time_t mtime);

/*
 * Listings -----------------------------------------------------------------
 * Formatted into `out` with CRLF line ends.  A symlink is shown as what it
 * resolves to inside the cell (its target text is never shown: it may name
 * a real path); a dangling one is shown as a symlink with no target.
 */
enum vfs_list_fmt {
	VFS_LIST_LS,		/* LIST: `ls -l` lines */
	VFS_LIST_NLST,		/* NLST: bare names */
	VFS_LIST_MLSD		/* MLSD: RFC 3659 facts; includes type=cdir */
};

/* MLSD/MLST facts (RFC 3659 7.9): a client may turn some off (OPTS MLST). */
#define VFS_FACT_TYPE   0x01u
#define VFS_FACT_SIZE   0x02u
#define VFS_FACT_MODIFY 0x04u
#define VFS_FACT_PERM   0x08u
#define VFS_FACT_UNIQUE 0x10u
#define VFS_FACTS_ALL   0x1fu

struct vfs_list_opts {
	int all;		/* LIST/NLST -a: show dot files */
	time_t now;		/* for the ls date column: recent or year */
	size_t max_entries;	/* 0 = no limit */
	unsigned facts_off;	/* VFS_FACT_* left out of MLSD; 0 = all shown */
};

/*
 * List vpath.  A directory lists its entries (sorted by name); a regular
 * file lists itself (LS/NLST; MLSD of a file is -ENOTDIR).  `opts` NULL
 * means defaults with now = time(NULL).  Returns 0, or a negative errno
 * (-ENOMEM when `out` failed, e.g. hit its ceiling).
 */
int vfs_list(int root_fd, const char *vpath, enum vfs_list_fmt fmt,
	     const struct vfs_list_opts *opts, struct buf *out);

/*
 * MLST: the facts line for vpath, "type=file;size=3;modify=...;perm=...;
 * unique=...; name" where name is `shown` (what the client asked for).
 * No CRLF and no leading space.
 */
int vfs_mlst(int root_fd, const char *vpath, const char *shown,
	     unsigned facts_off, struct buf *out);

/* Format an MLST-style time "YYYYMMDDHHMMSS" (UTC) into buf (15 bytes). */
void vfs_fmt_time(time_t t, char *buf, size_t buflen);

/* Parse "YYYYMMDDHHMMSS[.sss]" (UTC); 0 on success. */
int vfs_parse_time(const char *s, time_t *out);

#endif
