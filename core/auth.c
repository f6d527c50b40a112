/*
 * Auth chain and cell opening (see auth.h).  Both may block (hashing, PAM,
 * a slow disk), so they only ever run on the blocking pool.
 */
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int auth_chain(const struct mod_set *mods, const struct cf_client *client,
	       const char *login, const char *password,
	       struct cf_identity *out, char *why, size_t whylen)
{
	snprintf(why, whylen, "unknown user");
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_auth_ops *a = mods->v[i].m->auth;
		int r;

		if (a == NULL || a->authenticate == NULL)
			continue;
		memset(out, 0, sizeof(*out));
		out->uid = out->gid = -1;
		out->quota_bytes = out->quota_files = CF_UNLIMITED;
		why[0] = '\0';
		r = a->authenticate(mods->v[i].state, client, login, password,
				    out, why, whylen);
		if (r == CF_DECLINED)
			continue;
		if (r == CF_OK) {
			/* the provider answers for this login, not another */
			snprintf(out->login, sizeof(out->login), "%s", login);
			return CF_OK;
		}
		if (why[0] == '\0')
			snprintf(why, whylen, "refused by %s", mods->v[i].m->name);
		return CF_DENIED;
	}
	return CF_DECLINED;
}

static int open_dir(int dirfd, const char *path)
{
	return openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

/*
 * An admin's cell is the server root; a user's is the provider's root or
 * server_root/<login>, made on first login if an account exists without one.
 */
int auth_open_cell(int server_root_fd, const struct cf_identity *id,
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
