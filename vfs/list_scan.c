/*
 * Directory scanning for listings (see list_scan.h).  The shown names of
 * each getdents64 read are packed into a chunk that never moves; with
 * stat_all the chunk also holds their entries, and a helper thread
 * resolves the entries of one chunk while the next is read: a large LIST
 * is mostly the kernel's path walks in fstatat, and reading and stat'ing
 * then share two cores.  Names alone (NLST, a capped listing) cost their
 * bytes and one item each.
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
 * getdents64 bytes per read: about 300 names, half a millisecond of
 * fstatat, so neither thread waits long for the other at the end.
 */
#define SCAN_BUF (8 * 1024)

struct scan_chunk {
	struct scan_chunk *next;
	size_t n;
	char *names;		/* n names back to back, NUL-terminated */
	struct list_ent ent[];	/* with stat_all: ent[i] is name i's */
};

/*
 * Chunks read and not yet resolved, shared once a helper runs (`helped`):
 * only then do lock and more exist, and guard todo, eof and the links.
 */
struct scan_work {
	pthread_mutex_t lock;
	pthread_cond_t more;
	pthread_t helper;
	int helped;
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

/*
 * Pack the shown names among len bytes of records to the front of buf:
 * how many, and their bytes in *bytes.  A name is shorter than its record,
 * so it lands before the end of its own record, never on one not yet read.
 */
static size_t scan_pack(char *buf, size_t len, int all, size_t *bytes)
{
	size_t off, n = 0, used = 0;

	for (off = 0; off < len;) {
		const struct dirent64 *d = (const void *)(buf + off);

		off += d->d_reclen;	/* before the name moves over it */
		if (scan_name_shown(d->d_name, all)) {
			size_t size = strlen(d->d_name) + 1;

			memmove(buf + used, d->d_name, size);
			used += size;
			n++;
		}
	}
	*bytes = used;
	return n;
}

/* A chunk of the n names packed in buf; room for their entries if asked. */
static struct scan_chunk *scan_chunk_new(const char *buf, size_t n,
					 size_t bytes, int stat_all)
{
	size_t nent = stat_all ? n : 0;
	struct scan_chunk *c;

	c = malloc(sizeof(*c) + nent * sizeof(c->ent[0]) + bytes);
	if (c == NULL)
		return NULL;
	c->next = NULL;
	c->n = n;
	c->names = (char *)&c->ent[nent];
	memcpy(c->names, buf, bytes);
	return c;
}

/*
 * lstat the entry; a symlink is then resolved from the cell root by its
 * virtual path, so its target is judged exactly as a client's path would be.
 */
void list_scan_stat(int root_fd, const char *vpath, int dfd, const char *name,
		    struct list_ent *e)
{
	char vp[VFS_PATH_MAX];
	struct stat st;

	e->dangling = 0;
	e->gone = fstatat(dfd, name, &e->st, AT_SYMLINK_NOFOLLOW) != 0;
	if (e->gone || !S_ISLNK(e->st.st_mode))
		return;
	if (vpath_join(vpath, name, vp, sizeof(vp)) == 0 &&
	    vfs_stat(root_fd, vp, &st) == 0)
		e->st = st;
	else
		e->dangling = 1;
}

/* The next chunk to resolve; NULL once the reader is done and none is left. */
static struct scan_chunk *scan_take(struct scan_work *w)
{
	struct scan_chunk *c;

	if (w->helped) {
		pthread_mutex_lock(&w->lock);
		while (w->todo == NULL && !w->eof)
			pthread_cond_wait(&w->more, &w->lock);
	}
	c = w->todo;
	if (c != NULL)
		w->todo = c->next;
	if (w->helped)
		pthread_mutex_unlock(&w->lock);
	return c;
}

static void scan_work_run(struct scan_work *w)
{
	struct scan_chunk *c;

	while ((c = scan_take(w)) != NULL) {
		const char *name = c->names;

		for (size_t i = 0; i < c->n; i++) {
			list_scan_stat(w->root_fd, w->vpath, w->dfd, name,
				       &c->ent[i]);
			name += strlen(name) + 1;
		}
	}
}

static void *scan_helper(void *arg)
{
	scan_work_run(arg);
	return NULL;
}

/* Start a helper; without one to be had, this thread does it all. */
static void scan_help_start(struct scan_work *w)
{
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		return;
	if (pthread_cond_init(&w->more, NULL) != 0)
		goto fail_lock;
	w->helped = 1;		/* before the helper reads it */
	if (pthread_create(&w->helper, NULL, scan_helper, w) == 0)
		return;
	w->helped = 0;
	pthread_cond_destroy(&w->more);
fail_lock:
	pthread_mutex_destroy(&w->lock);
}

static void scan_help_end(struct scan_work *w)
{
	if (!w->helped)
		return;
	(void)pthread_join(w->helper, NULL);
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->lock);
}

static void scan_publish(struct scan_work *w, struct scan_chunk ***tail,
			 struct scan_chunk *c)
{
	if (w->helped)
		pthread_mutex_lock(&w->lock);
	**tail = c;
	*tail = &c->next;
	if (w->todo == NULL)
		w->todo = c;
	if (w->helped) {
		pthread_cond_signal(&w->more);
		pthread_mutex_unlock(&w->lock);
	}
}

/* No chunk will come: a waiting helper ends. */
static void scan_eof(struct scan_work *w)
{
	if (!w->helped)
		return;
	pthread_mutex_lock(&w->lock);
	w->eof = 1;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
}

static int scan_cmp(const void *a, const void *b)
{
	return strcmp(((const struct list_item *)a)->name,
		      ((const struct list_item *)b)->name);
}

/* The items of every chunk, by name; the helper may still fill entries. */
static int scan_sort(struct list_scan *ls, int stat_all)
{
	struct list_item *it;

	if (ls->n == 0)
		return 0;
	if ((ls->v = reallocarray(NULL, ls->n, sizeof(*ls->v))) == NULL)
		return -ENOMEM;
	it = ls->v;
	for (struct scan_chunk *c = ls->chunks; c != NULL; c = c->next) {
		const char *name = c->names;

		for (size_t i = 0; i < c->n; i++, it++) {
			it->name = name;
			it->ent = stat_all ? &c->ent[i] : NULL;
			name += strlen(name) + 1;
		}
	}
	if (ls->n > 1)		/* qsort(NULL, 0) is undefined */
		qsort(ls->v, ls->n, sizeof(*ls->v), scan_cmp);
	return 0;
}

/* Read and publish every chunk; from the second on a helper resolves them. */
static int scan_read(struct scan_work *w, struct list_scan *ls, int all,
		     int stat_all)
{
	struct scan_chunk **tail = &ls->chunks;
	int tried = 0, rc = 0;
	char *buf;

	if ((buf = malloc(SCAN_BUF)) == NULL)
		return -ENOMEM;
	for (;;) {
		ssize_t r = getdents64(w->dfd, buf, SCAN_BUF);
		struct scan_chunk *c;
		size_t n, bytes;

		if (r <= 0) {
			rc = r < 0 ? -errno : 0;
			break;
		}
		if ((n = scan_pack(buf, (size_t)r, all, &bytes)) == 0)
			continue;
		if ((c = scan_chunk_new(buf, n, bytes, stat_all)) == NULL) {
			rc = -ENOMEM;
			break;
		}
		ls->n += n;
		scan_publish(w, &tail, c);
		if (stat_all && !tried && ls->chunks != c) {
			tried = 1;	/* a directory worth a thread */
			scan_help_start(w);
		}
	}
	free(buf);
	return rc;
}

/*
 * The reader sorts the names once it has read them all (the helper only
 * writes the entries), then helps with what is left.
 */
int list_scan(int root_fd, const char *vpath, int dfd, int all, int stat_all,
	      struct list_scan *ls)
{
	struct scan_work w = { .root_fd = root_fd, .dfd = dfd, .vpath = vpath };
	int rc;

	memset(ls, 0, sizeof(*ls));
	rc = scan_read(&w, ls, all, stat_all);
	scan_eof(&w);
	if (rc == 0)
		rc = scan_sort(ls, stat_all);
	if (stat_all)
		scan_work_run(&w);
	scan_help_end(&w);
	return rc;
}

void list_scan_free(struct list_scan *ls)
{
	struct scan_chunk *c, *next;

	for (c = ls->chunks; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(ls->v);
	memset(ls, 0, sizeof(*ls));
}
