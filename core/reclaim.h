/*
 * Freeing a big file off the workers.  When the last name of a file goes
 * (DELE, a rename or an upload replacing it), unlink or rename frees its
 * page cache and blocks right there: tens of ms per GiB, during which the
 * worker serves none of its sessions.
 */
#ifndef CORE_RECLAIM_H
#define CORE_RECLAIM_H

#include <stdint.h>
#include <sys/types.h>

struct sess;
struct vfs_cell;

/*
 * Before removing or replacing the regular file vpath of cell c (size and
 * links from its lstat), on any thread: a hold on it if it is big enough
 * to matter and this is its last link, else -1.
 */
int reclaim_hold(const struct vfs_cell *c, const char *vpath, uint64_t size,
		 nlink_t nlink);

/*
 * After: close the hold (or any descriptor whose close may be slow) on a
 * pool thread, where the freeing then happens.  -1 is ignored.
 */
void reclaim_later(struct sess *s, int fd);

#endif
