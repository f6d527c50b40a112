/*
 * The cell's file operations.  Every name is resolved by the kernel with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) under the session's root
 * fd; operations that create, delete or rename act on one plain last name
 * relative to a parent resolved that way, so nothing can leave the cell.
 */
#include "vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define VFS_EAGAIN_RETRIES 8

/* openat2 under the cell root: EINTR retried, EAGAIN a bounded number of times. */
static int vfs_openat2(int root_fd, const char *rel, int flags, mode_t mode)
{
	struct open_how how;
	int tries = 0;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = (unsigned long long)(flags | O_CLOEXEC);
	/* openat2, unlike openat, rejects a mode without O_CREAT/O_TMPFILE. */
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		how.mode = mode;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	for (;;) {
		fd = syscall(SYS_openat2, root_fd, rel, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno == EINTR)
			continue;
		/* EAGAIN: a concurrent rename raced a ".." walk; try again. */
		if (errno == EAGAIN && tries++ < VFS_EAGAIN_RETRIES)
			continue;
		return -errno;
	}
}

/* openat of one plain name in an already resolved directory. */
static int vfs_openat_name(int dir_fd, const char *name, int flags,
			   mode_t mode)
{
	int fd;

	do
		fd = openat(dir_fd, name, flags | O_CLOEXEC, mode);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

static void vfs_close(int fd)
{
	/* Never retried: on Linux the fd is gone even when close says EINTR. */
	(void)close(fd);
}

int vfs_open(int root_fd, const char *vpath, int flags, mode_t mode)
{
	return vfs_openat2(root_fd, vpath_rel(vpath), flags, mode);
}

int vfs_open_parent(int root_fd, const char *vpath, const char **name)
{
	char parent[VFS_PATH_MAX];
	const char *n;
	int rc;

	rc = vpath_split(vpath, parent, sizeof(parent), &n);
	if (rc == -EINVAL && vpath[0] == '/' &&
	    strspn(vpath, "/") == strlen(vpath))
		return -EBUSY;	/* the cell root has no parent */
	if (rc != 0)
		return rc;
	/* Callers may hand in a non-canonical path: the last name must be plain. */
	if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
		return -EINVAL;
	rc = vfs_openat2(root_fd, vpath_rel(parent), O_PATH | O_DIRECTORY, 0);
	if (rc >= 0)
		*name = n;
	return rc;
}

int vfs_stat(int root_fd, const char *vpath, struct stat *st)
{
	int fd, rc = 0;

	fd = vfs_open(root_fd, vpath, O_PATH, 0);
	if (fd < 0)
		return fd;
	if (fstat(fd, st) != 0)
		rc = -errno;
	vfs_close(fd);
	return rc;
}

int vfs_is_dir(int root_fd, const char *vpath)
{
	struct stat st;

	return vfs_stat(root_fd, vpath, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Keep fd only if it is a regular file.  O_NONBLOCK was only there so a
 * FIFO could not block the open; a regular file does not need it.  The
 * caller names the status flags it opened with (O_APPEND), so F_SETFL
 * clears O_NONBLOCK without an F_GETFL first.
 */
static int vfs_check_regular(int fd, struct stat *st, int keep)
{
	if (fstat(fd, st) != 0)
		return -errno;
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EACCES;
	if (fcntl(fd, F_SETFL, keep) != 0)
		return -errno;
	return 0;
}

int vfs_open_read(int root_fd, const char *vpath, struct stat *st)
{
	struct stat tmp;
	int fd, rc;

	if (st == NULL)
		st = &tmp;
	fd = vfs_open(root_fd, vpath, O_RDONLY | O_NONBLOCK | O_NOCTTY, 0);
	if (fd < 0)
		return fd == -ENXIO ? -EACCES : fd;
	if ((rc = vfs_check_regular(fd, st, 0)) != 0) {
		vfs_close(fd);
		return rc;
	}
	return fd;
}

int vfs_open_write(int root_fd, const char *vpath, enum vfs_wmode mode)
{
	struct stat st;
	const char *name;
	int dfd, fd, rc, flags;

	flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY;
	switch (mode) {
	case VFS_W_TRUNC:	flags |= O_TRUNC; break;
	case VFS_W_APPEND:	flags |= O_APPEND; break;
	case VFS_W_EXCL:	flags |= O_EXCL; break;
	case VFS_W_RESUME:	break;
	default:		return -EINVAL;
	}
	dfd = vfs_open_parent(root_fd, vpath, &name);
	if (dfd < 0)
		return dfd == -EBUSY ? -EISDIR : dfd;
	/* The kernel applies the umask to 0666, as for any new file. */
	fd = vfs_openat_name(dfd, name, flags, 0666);
	vfs_close(dfd);
	if (fd < 0)
		return fd == -ENXIO ? -EACCES : fd;	/* FIFO, no reader */
	if ((rc = vfs_check_regular(fd, &st, flags & O_APPEND)) != 0) {
		vfs_close(fd);
		return rc;
	}
	return fd;
}

int vfs_mkdir(int root_fd, const char *vpath, mode_t mode)
{
	const char *name;
	int dfd, rc = 0;

	if ((dfd = vfs_open_parent(root_fd, vpath, &name)) < 0)
		return dfd;
	if (mkdirat(dfd, name, mode) != 0)
		rc = -errno;
	vfs_close(dfd);
	return rc;
}

static int vfs_unlink_flags(int root_fd, const char *vpath, int flags)
{
	const char *name;
	int dfd, rc = 0;

	if ((dfd = vfs_open_parent(root_fd, vpath, &name)) < 0)
		return dfd;
	if (unlinkat(dfd, name, flags) != 0)
		rc = -errno;
	vfs_close(dfd);
	return rc;
}

int vfs_rmdir(int root_fd, const char *vpath)
{
	return vfs_unlink_flags(root_fd, vpath, AT_REMOVEDIR);
}

int vfs_unlink(int root_fd, const char *vpath)
{
	/* unlinkat never follows the last name: a symlink goes, its target stays. */
	return vfs_unlink_flags(root_fd, vpath, 0);
}

int vfs_rename(int root_fd, const char *from, const char *to)
{
	const char *fname, *tname;
	int fdfd, tdfd, rc = 0;

	if ((fdfd = vfs_open_parent(root_fd, from, &fname)) < 0)
		return fdfd;
	if ((tdfd = vfs_open_parent(root_fd, to, &tname)) < 0) {
		rc = tdfd;
		goto out;
	}
	if (renameat(fdfd, fname, tdfd, tname) != 0)
		rc = -errno;
	vfs_close(tdfd);
out:
	vfs_close(fdfd);
	return rc;
}

int vfs_lstat(int root_fd, const char *vpath, struct stat *st)
{
	const char *name;
	int dfd, rc = 0;

	dfd = vfs_open_parent(root_fd, vpath, &name);
	if (dfd == -EBUSY)	/* the cell root: it is what root_fd is */
		return fstat(root_fd, st) != 0 ? -errno : 0;
	if (dfd < 0)
		return dfd;
	if (fstatat(dfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
		rc = -errno;
	vfs_close(dfd);
	return rc;
}

int vfs_set_mtime(int root_fd, const char *vpath, time_t mtime)
{
	struct timespec ts[2];
	int fd, rc = 0;

	/*
	 * An O_PATH fd from the cell works for files and directories alike and
	 * needs no read or write access; AT_EMPTY_PATH acts on that very fd.
	 */
	fd = vfs_open(root_fd, vpath, O_PATH, 0);
	if (fd < 0)
		return fd;
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = mtime;
	ts[1].tv_nsec = 0;
	if (utimensat(fd, "", ts, AT_EMPTY_PATH) != 0)
		rc = -errno;
	vfs_close(fd);
	return rc;
}
