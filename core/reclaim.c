/*
 * Freeing a big file off the workers (see reclaim.h): a hold taken before
 * the file's last name goes, closed on the blocking pool afterwards.
 */
#include "reclaim.h"

#include "io.h"
#include "pool.h"
#include "sess.h"
#include "srv.h"

/* Below this the freeing costs less than the hop to the pool. */
#define RECLAIM_MIN (1024 * 1024)

int reclaim_hold(const struct vfs_cell *c, const char *vpath, uint64_t size,
		 nlink_t nlink)
{
	int fd;

	if (size < RECLAIM_MIN || nlink != 1)
		return -1;
	fd = vc_hold(c, vpath);
	return fd < 0 ? -1 : fd;
}

static void reclaim_close(void *arg)
{
	io_close((int)(intptr_t)arg);
}

void reclaim_later(struct sess *s, int fd)
{
	if (fd < 0)
		return;
	if (pool_offload(&s->w->srv->pool, reclaim_close,
			 (void *)(intptr_t)fd) != 0)
		io_close(fd);
}
