/*
 * Freeing a big file off the workers.  When the last name of a file goes
 * (DELE, a rename or an upload replacing it), unlink or rename frees its
 * page cache and blocks right there: tens of ms per GiB, during which the
 * worker serves none of its sessions.
 */
#ifndef CORE_RECLAIM_H
#define CORE_RECLAIM_H

#include <sys/stat.h>

struct sess;

/*
 * Before removing or replacing vpath (st: its lstat): a hold on it if it
 * is a regular file big enough to matter whose last link this is, else -1.
 */
int reclaim_hold(struct sess *s, const char *vpath, const struct stat *st);

/*
 * After: close the hold (or any descriptor whose close may be slow) on a
 * pool thread, where the freeing then happens.  -1 is ignored.
 */
void reclaim_later(struct sess *s, int fd);

#endif
