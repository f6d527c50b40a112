/*
 * Opening a session's cell once its identity is known: the server root for
 * admins, else the provider's root or server_root/<login>.  Cells are
 * shared: every session of one login holds the same descriptor, so 10,000
 * sessions of one account cost one descriptor, not 10,000.
 */
#ifndef CORE_CELL_H
#define CORE_CELL_H

#include <pthread.h>
#include <sys/types.h>

#include "modules/module.h"

#define CELL_BUCKETS 1024

struct cell_entry;
struct vfs_cell;

/* Owned by struct srv; used from the pool (get) and the workers (put). */
struct cell_cache {
	pthread_mutex_t lock;
	struct cell_entry *bucket[CELL_BUCKETS];
};

int cell_cache_init(struct cell_cache *c);

/*
 * The O_PATH fd of id's cell, made (server_root/<login>, mode 0700) on
 * first login if an account exists without one.  The fd belongs to *ref:
 * never close it, give it back with cell_put.  -1 with errno on failure.
 * May block on a slow disk: runs on the blocking pool.
 */
int cell_get(struct cell_cache *c, int server_root_fd,
	     const struct cf_identity *id, uid_t uid, gid_t gid,
	     struct cell_entry **ref);
void cell_put(struct cell_cache *c, struct cell_entry *ref);

/*
 * A session or login is done with its cell: the shared entry goes back
 * (*ref NULL after) and the cell's own part, a file agent, is closed.
 */
void cell_release(struct cell_cache *c, struct cell_entry **ref,
		  struct vfs_cell *cell);

#endif
