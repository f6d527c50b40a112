/*
 * Removing a cell with everything in it (cellftpd-user del --remove-cell,
 * SITE USERDEL): *at calls with O_NOFOLLOW all the way down, so a symlink
 * in the cell is removed as a link and its target is never touched.
 */
#include "users.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define USERS_TREE_DEPTH 256	/* deeper cells are refused, not half-removed */
#define USERS_TREE_PASSES 8	/* re-scans while entries keep appearing */

static int rm_contents(int fd, unsigned depth, char *err, size_t errlen);

static int rm_entry(int dirfd, const char *name, unsigned depth,
		    char *err, size_t errlen)
{
	int fd;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR) {
		snprintf(err, errlen, "cannot remove %s: %s", name,
			 strerror(errno));
		return -1;
	}
	if (depth >= USERS_TREE_DEPTH) {
		snprintf(err, errlen, "cannot remove %s: more than %d folders "
			 "deep", name, USERS_TREE_DEPTH);
		return -1;
	}
	fd = openat(dirfd, name,
		    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open %s: %s", name,
			 strerror(errno));
		return -1;
	}
	/* a read-only folder of the cell's owner still goes */
	if (fchmod(fd, 0700) != 0 && errno != EPERM) {
		snprintf(err, errlen, "cannot open %s: %s", name,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (rm_contents(fd, depth + 1, err, errlen) != 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "cannot remove %s: %s", name,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* Empty the directory fd (consumed); re-scan while entries keep appearing. */
static int rm_contents(int fd, unsigned depth, char *err, size_t errlen)
{
	struct dirent *de;
	unsigned pass, found;
	DIR *d = fdopendir(fd);

	if (d == NULL) {
		snprintf(err, errlen, "cannot list a folder: %s",
			 strerror(errno));
		close(fd);
		return -1;
	}
	for (pass = 0; pass < USERS_TREE_PASSES; pass++) {
		found = 0;
		rewinddir(d);
		errno = 0;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			found++;
			if (rm_entry(dirfd(d), de->d_name, depth, err,
				     errlen) != 0)
				goto fail;
			errno = 0;
		}
		if (errno != 0) {
			snprintf(err, errlen, "cannot list a folder: %s",
				 strerror(errno));
			goto fail;
		}
		if (found == 0)
			break;
	}
	closedir(d);
	return 0;
fail:
	closedir(d);
	return -1;
}

int users_remove_tree(int dirfd, const char *name, char *err, size_t errlen)
{
	return rm_entry(dirfd, name, 0, err, errlen);
}
