/*
 * Measuring a cell (measure.h): an iterative depth-first walk holding one
 * open folder per level, that opens every folder with O_NOFOLLOW from its
 * parent's descriptor so no symbolic link is ever followed.
 */
#include "quota/disk/measure.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* EINTR is handled here and nowhere else (FUSE and NFS can raise it). */
static int qd_openat(int dfd, const char *name, int flags)
{
	int fd;

	do
		fd = openat(dfd, name, flags);
	while (fd < 0 && errno == EINTR);
	return fd;
}

static DIR *qd_opendir(int dfd, const char *name, int *err)
{
	int fd;
	DIR *d;

	fd = qd_openat(dfd, name,
		       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		*err = errno;
		return NULL;
	}
	d = fdopendir(fd);
	if (d == NULL) {
		*err = errno;
		close(fd);
	}
	return d;
}

/* An entry that changed under the walk or cannot be read is no failure. */
static int qd_soft(int e, struct qd_count *c)
{
	switch (e) {
	case ENOENT:		/* removed meanwhile */
	case ENOTDIR:		/* replaced by a file */
	case ELOOP:		/* replaced by a symbolic link */
		return 0;
	case EACCES:
	case EPERM:
		c->skipped++;
		return 0;
	default:
		return -e;
	}
}

static void qd_count_file(struct qd_count *c, const struct stat *st)
{
	uint64_t size = st->st_size > 0 ? (uint64_t)st->st_size : 0;

	c->bytes = c->bytes > UINT64_MAX - size ? UINT64_MAX : c->bytes + size;
	c->files++;
}

/*
 * Count one entry of dir.  A folder to descend into comes back in *sub
 * (NULL otherwise); symbolic links, devices, fifos and sockets count for
 * nothing.  Returns 0 or -errno.
 */
static int qd_entry(DIR *dir, const struct dirent *de, int may_enter,
		    struct qd_count *c, DIR **sub)
{
	struct stat st;
	int e = 0;

	*sub = NULL;
	if (de->d_type != DT_DIR) {
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			return 0;
		if (fstatat(dirfd(dir), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0)
			return qd_soft(errno, c);
		if (S_ISREG(st.st_mode)) {
			qd_count_file(c, &st);
			return 0;
		}
		if (!S_ISDIR(st.st_mode))
			return 0;
	}
	if (!may_enter) {
		c->skipped++;
		return 0;
	}
	*sub = qd_opendir(dirfd(dir), de->d_name, &e);
	return *sub != NULL ? 0 : qd_soft(e, c);
}

static int qd_dots(const char *name)
{
	return name[0] == '.' &&
	       (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'));
}

int qd_measure(int cell_fd, struct qd_count *out)
{
	DIR *stack[QD_DEPTH_MAX + 1];	/* [d]: a folder d levels down */
	struct dirent *de;
	DIR *sub;
	int depth = 0, r = 0, e = 0;

	memset(out, 0, sizeof(*out));
	stack[0] = qd_opendir(cell_fd, ".", &e);
	if (stack[0] == NULL)
		return -e;
	while (depth >= 0) {
		errno = 0;
		de = readdir(stack[depth]);
		if (de == NULL) {
			if (errno != 0) {
				r = -errno;
				break;
			}
			closedir(stack[depth--]);
			continue;
		}
		if (qd_dots(de->d_name))
			continue;
		r = qd_entry(stack[depth], de, depth < QD_DEPTH_MAX, out,
			     &sub);
		if (r != 0)
			break;
		if (sub != NULL)
			stack[++depth] = sub;
	}
	while (depth >= 0)
		closedir(stack[depth--]);
	return r;
}
