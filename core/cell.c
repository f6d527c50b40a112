/*
 * Cell opening and sharing (see cell.h).  An entry is found by what it
 * opens ("" the server root, "/path" a provider's root, "login" a cell
 * under the server root) and checked against the name on disk before it
 * is shared again, so a cell deleted and made anew is never served from
 * the old descriptor.
 */
#include "cell.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io.h"
#include "vfs/vcell.h"

struct cell_entry {
	struct cell_entry *next;
	unsigned refs;
	int fd;
	int linked;		/* still in its bucket */
	dev_t dev;
	ino_t ino;
	char key[];
};

int cell_cache_init(struct cell_cache *c)
{
	memset(c->bucket, 0, sizeof(c->bucket));
	return pthread_mutex_init(&c->lock, NULL) == 0 ? 0 : -1;
}

static unsigned cell_hash(const char *key)
{
	unsigned h = 2166136261u;	/* FNV-1a */

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % CELL_BUCKETS;
}

static int open_dir(int dirfd, const char *path, int flags)
{
	return openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC | flags);
}

/* Open (or first make) the cell the key names. */
static int cell_open(int server_root_fd, const char *key, uid_t uid,
		     gid_t gid)
{
	int fd;

	if (key[0] == '\0')
		return open_dir(server_root_fd, ".", 0);
	if (key[0] == '/')
		return open_dir(AT_FDCWD, key, 0);
	fd = open_dir(server_root_fd, key, O_NOFOLLOW);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (mkdirat(server_root_fd, key, 0700) != 0 && errno != EEXIST)
		return -1;
	if (uid != (uid_t)-1 &&
	    fchownat(server_root_fd, key, uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
		return -1;
	return open_dir(server_root_fd, key, O_NOFOLLOW);
}

/* Is the entry still what its name opens? */
static int cell_current(int server_root_fd, const struct cell_entry *e)
{
	struct stat st;
	int r;

	if (e->key[0] == '\0')
		return 1;
	if (e->key[0] == '/')
		r = stat(e->key, &st);
	else
		r = fstatat(server_root_fd, e->key, &st, AT_SYMLINK_NOFOLLOW);
	return r == 0 && st.st_dev == e->dev && st.st_ino == e->ino;
}

static int cell_key(const struct cf_identity *id, char *key, size_t len)
{
	if (id->is_admin)
		key[0] = '\0';
	else if (id->root[0] != '\0')
		return snprintf(key, len, "%s", id->root) < (int)len &&
		       key[0] == '/' ? 0 : -1;
	else if (id->login[0] == '\0' || id->login[0] == '.' ||
		 strchr(id->login, '/') != NULL)
		return -1;
	else
		snprintf(key, len, "%s", id->login);
	return 0;
}

static void cell_unlink(struct cell_cache *c, struct cell_entry *e)
{
	struct cell_entry **p = &c->bucket[cell_hash(e->key)];

	while (*p != NULL && *p != e)
		p = &(*p)->next;
	if (*p == e)
		*p = e->next;
	e->linked = 0;
}

/* A new entry for key, its fd opened outside the lock. */
static struct cell_entry *cell_new(int server_root_fd, const char *key,
				   uid_t uid, gid_t gid)
{
	size_t len = strlen(key) + 1;
	struct cell_entry *e = calloc(1, sizeof(*e) + len);
	struct stat st;
	int err;

	if (e == NULL)
		return NULL;
	memcpy(e->key, key, len);
	e->fd = cell_open(server_root_fd, key, uid, gid);
	if (e->fd < 0 || fstat(e->fd, &st) != 0) {
		err = errno;
		io_close(e->fd);
		free(e);
		errno = err;
		return NULL;
	}
	e->dev = st.st_dev;
	e->ino = st.st_ino;
	e->refs = 1;
	return e;
}

void cell_put(struct cell_cache *c, struct cell_entry *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	if (--e->refs > 0) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	if (e->linked)
		cell_unlink(c, e);
	pthread_mutex_unlock(&c->lock);
	io_close(e->fd);
	free(e);
}

void cell_release(struct cell_cache *c, struct cell_entry **ref,
		  struct vfs_cell *cell)
{
	cell_put(c, *ref);
	*ref = NULL;
	cell->fd = -1;	/* the shared entry's, closed with it */
	vc_close(cell);
}

int cell_get(struct cell_cache *c, int server_root_fd,
	     const struct cf_identity *id, uid_t uid, gid_t gid,
	     struct cell_entry **ref)
{
	char key[CF_PATH_MAX];
	struct cell_entry *e, *fresh;
	unsigned h;

	if (cell_key(id, key, sizeof(key)) != 0) {
		errno = EINVAL;
		return -1;
	}
	h = cell_hash(key);
	pthread_mutex_lock(&c->lock);
	for (e = c->bucket[h]; e != NULL; e = e->next)
		if (strcmp(e->key, key) == 0)
			break;
	if (e != NULL)
		e->refs++;
	pthread_mutex_unlock(&c->lock);
	/* checked outside the lock: a stat may wait on the disk */
	if (e != NULL && cell_current(server_root_fd, e)) {
		*ref = e;
		return e->fd;
	}
	if (e != NULL) {
		/* replaced on disk: its holders keep it, nobody new gets it */
		pthread_mutex_lock(&c->lock);
		if (e->linked)
			cell_unlink(c, e);
		pthread_mutex_unlock(&c->lock);
		cell_put(c, e);
	}
	fresh = cell_new(server_root_fd, key, uid, gid);
	if (fresh == NULL)
		return -1;
	pthread_mutex_lock(&c->lock);
	/* two first logins may race: both entries work, the later is found */
	fresh->next = c->bucket[h];
	c->bucket[h] = fresh;
	fresh->linked = 1;
	pthread_mutex_unlock(&c->lock);
	*ref = fresh;
	return fresh->fd;
}
