/*
 * Cell opening (see cell.h): a missing cell of an existing account is made
 * on first login with mode 0700, owned by the serving user.
 */
#include "cell.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_dir(int dirfd, const char *path)
{
	return openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * An admin's cell is the server root; a user's is the provider's root or
 * server_root/<login>, made on first login if an account exists without one.
 */
int cell_open(int server_root_fd, const struct cf_identity *id,
		   uid_t uid, gid_t gid)
{
	int fd;

	if (id->is_admin)
		return open_dir(server_root_fd, ".");
	if (id->root[0] != '\0')
		return open_dir(AT_FDCWD, id->root);
	if (id->login[0] == '\0' || id->login[0] == '.' ||
	    strchr(id->login, '/') != NULL) {
		errno = EINVAL;
		return -1;
	}
	fd = openat(server_root_fd, id->login,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (mkdirat(server_root_fd, id->login, 0700) != 0 && errno != EEXIST)
		return -1;
	if (uid != (uid_t)-1 &&
	    fchownat(server_root_fd, id->login, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	return openat(server_root_fd, id->login,
		      O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}
