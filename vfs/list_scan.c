/*
 * Directory scanning for listings (see list_scan.h).  getdents64 fills
 * chunks that never move, so a helper thread resolves the entries of one
 * chunk while the next is read: a large LIST is mostly the kernel's path
 * walks in fstatat, and reading and stat'ing then share two cores.
 */
#include "vfs/list_scan.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/vfs.h"

/*
 * getdents64 bytes per chunk: about 300 names, half a millisecond of
 * fstatat, so neither thread waits long for the other at the end.
 */
#define SCAN_BUF (8 * 1024)

struct scan_chunk {
	struct scan_chunk *next;
	size_t n;
	struct list_item *items;	/* names point into buf */
	char buf[SCAN_BUF];
};

/* Chunks read and not yet taken, shared by the reader and the helper. */
struct scan_work {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct scan_chunk *todo;
	int eof;
	int root_fd, dfd;
	const char *vpath;
};

static int scan_name_shown(const char *name, int all)
{
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	/* A CR or LF would forge lines in the listing; FTP cannot name it anyway. */
	if (strpbrk(name, "\r\n") != NULL)
		return 0;
	return all || name[0] != '.';
}

/* The shown names among len bytes of records in c->buf. */
static int scan_parse(struct scan_chunk *c, size_t len, int all)
{
	size_t off, k = 0;

	c->n = 0;
	for (off = 0; off < len;) {
		const struct dirent64 *d = (const void *)(c->buf + off);

		c->n += (size_t)scan_name_shown(d->d_name, all);
		off += d->d_reclen;
	}
	c->items = c->n > 0 ? malloc(c->n * sizeof(*c->items)) : NULL;
	if (c->n > 0 && c->items == NULL)
		return -ENOMEM;
	for (off = 0; off < len;) {
		const struct dirent64 *d = (const void *)(c->buf + off);

		if (scan_name_shown(d->d_name, all))
			c->items[k++].name = d->d_name;
		off += d->d_reclen;
	}
	return 0;
}

/*
 * lstat the entry; a symlink is then resolved from the cell root by its
 * virtual path, so its target is judged exactly as a client's path would be.
 */
void list_scan_stat(int root_fd, const char *vpath, int dfd,
		    struct list_item *it)
{
	struct list_ent *e = &it->ent;
	char vp[VFS_PATH_MAX];
	struct stat st;

	e->dangling = 0;
	e->gone = fstatat(dfd, it->name, &e->st, AT_SYMLINK_NOFOLLOW) != 0;
	if (e->gone || !S_ISLNK(e->st.st_mode))
		return;
	if (vpath_join(vpath, it->name, vp, sizeof(vp)) == 0 &&
	    vfs_stat(root_fd, vp, &st) == 0)
		e->st = st;
	else
		e->dangling = 1;
}

/* Take chunks and resolve their entries until the reader is done. */
static void scan_work_run(struct scan_work *w)
{
	for (;;) {
		struct scan_chunk *c;

		pthread_mutex_lock(&w->lock);
		while (w->todo == NULL && !w->eof)
			pthread_cond_wait(&w->more, &w->lock);
		c = w->todo;
		if (c != NULL)
			w->todo = c->next;
		pthread_mutex_unlock(&w->lock);
		if (c == NULL)
			return;
		for (size_t i = 0; i < c->n; i++)
			list_scan_stat(w->root_fd, w->vpath, w->dfd, &c->items[i]);
	}
}

static void *scan_helper(void *arg)
{
	scan_work_run(arg);
	return NULL;
}

static void scan_publish(struct scan_work *w, struct scan_chunk ***tail,
			 struct scan_chunk *c)
{
	pthread_mutex_lock(&w->lock);
	**tail = c;
	*tail = &c->next;
	if (w->todo == NULL)
		w->todo = c;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static int scan_cmp(const void *a, const void *b)
{
	return strcmp((*(struct list_item *const *)a)->name,
		      (*(struct list_item *const *)b)->name);
}

static int scan_sort(struct list_scan *ls)
{
	size_t k = 0;

	if (ls->n == 0)
		return 0;
	if ((ls->v = malloc(ls->n * sizeof(*ls->v))) == NULL)
		return -ENOMEM;
	for (struct scan_chunk *c = ls->chunks; c != NULL; c = c->next)
		for (size_t i = 0; i < c->n; i++)
			ls->v[k++] = &c->items[i];
	if (ls->n > 1)		/* qsort(NULL, 0) is undefined */
		qsort(ls->v, ls->n, sizeof(*ls->v), scan_cmp);
	return 0;
}

/*
 * Read every chunk; from the second on (a directory worth it) a helper
 * resolves entries meanwhile.  Then this thread sorts the names (the
 * helper only writes the entries) and helps with what is left.
 */
static int scan_read(struct scan_work *w, struct list_scan *ls, int all,
		     int stat_all)
{
	struct scan_chunk **tail = &ls->chunks;
	pthread_t helper;
	int helping = 0, tried = 0, rc = 0;

	for (;;) {
		struct scan_chunk *c = malloc(sizeof(*c));
		ssize_t r;

		if (c == NULL) {
			rc = -ENOMEM;
			break;
		}
		c->next = NULL;
		c->items = NULL;
		r = getdents64(w->dfd, c->buf, sizeof(c->buf));
		if (r <= 0 || scan_parse(c, (size_t)r, all) != 0) {
			rc = r < 0 ? -errno : r > 0 ? -ENOMEM : 0;
			free(c->items);
			free(c);
			break;
		}
		ls->n += c->n;
		scan_publish(w, &tail, c);
		if (stat_all && !tried && ls->chunks != c) {
			tried = 1;	/* no thread to be had: this one does it all */
			helping = pthread_create(&helper, NULL, scan_helper,
						 w) == 0;
		}
	}
	pthread_mutex_lock(&w->lock);
	w->eof = 1;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	if (rc == 0)
		rc = scan_sort(ls);
	if (stat_all)
		scan_work_run(w);
	if (helping)
		(void)pthread_join(helper, NULL);
	return rc;
}

int list_scan(int root_fd, const char *vpath, int dfd, int all, int stat_all,
	      struct list_scan *ls)
{
	struct scan_work w = { .root_fd = root_fd, .dfd = dfd, .vpath = vpath };
	int rc;

	memset(ls, 0, sizeof(*ls));
	if (pthread_mutex_init(&w.lock, NULL) != 0)
		return -ENOMEM;
	if (pthread_cond_init(&w.more, NULL) != 0) {
		pthread_mutex_destroy(&w.lock);
		return -ENOMEM;
	}
	rc = scan_read(&w, ls, all, stat_all);
	pthread_cond_destroy(&w.more);
	pthread_mutex_destroy(&w.lock);
	return rc;
}

void list_scan_free(struct list_scan *ls)
{
	struct scan_chunk *c, *next;

	for (c = ls->chunks; c != NULL; c = next) {
		next = c->next;
		free(c->items);
		free(c);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}
