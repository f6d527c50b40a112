/*
 * A command's work on the cell, run where waiting is allowed: at once on
 * the worker for a cell the core serves (a few syscalls on local files),
 * on the blocking pool for an agent cell, whose answers come from another
 * process that its user may slow down or stop.
 */
#ifndef CORE_FSOP_H
#define CORE_FSOP_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

#include "buf.h"
#include "pool.h"
#include "sess.h"
#include "vfs/vfs.h"

struct xfer;

struct fsop {
	struct job job;
	struct sess *s;
	struct vfs_cell cell;	/* agent: a dup; else the session's own */
	enum sess_state from;	/* the state the session was in */
	/* the cell work: any thread, reads and writes the fsop only */
	void (*run)(struct fsop *op);
	/* the reply: the session's worker, not called for a closed session */
	void (*done)(struct sess *s, struct fsop *op);

	/* in and out, as each command defines them */
	int r;			/* result: 0 or -errno */
	int fd;			/* a descriptor run opened, or -1 */
	int hold;		/* a reclaim hold, or -1 */
	int flag;
	uint64_t id;		/* the session's id */
	uint64_t n;
	time_t t;
	struct stat st, st2;
	struct buf out;		/* text run produced */
	struct xfer *x;		/* an upload being set up or undone */
	char vpath[VFS_PATH_MAX];
	char vpath2[VFS_PATH_MAX];
};

/* A fresh fsop for vpath (and vpath2, may be NULL), or NULL (no memory). */
struct fsop *fsop_new(struct sess *s, const char *vpath, const char *vpath2,
		      void (*run)(struct fsop *), void (*done)(struct sess *,
							    struct fsop *));

/*
 * Run op->run, then op->done, then free op.  For an agent cell the session
 * waits (SS_BUSY) meanwhile and reads no command, and done finds it back
 * in the state it was in; left reading commands by done, it resumes.
 * When the agent's socket cannot be shared with the pool, run is skipped
 * and done sees r = -EIO.
 */
void fsop_go(struct sess *s, struct fsop *op);

#endif
