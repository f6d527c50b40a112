/*
 * Uploads (STOR, APPE, STOU, REST+STOR) with quota: room is reserved
 * before bytes land, and an upload refused with 552 leaves the user's
 * usage as it was before it: a new file is removed, an appended or resumed
 * one cut back to its old size, an overwritten one untouched (overwrites
 * go to a temporary file renamed over the old one at the end).
 */
#ifndef CORE_UPLOAD_H
#define CORE_UPLOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "modules/module.h"
#include "vfs/vfs.h"

struct sess;
struct vfs_cell;
struct xfer;

struct upload {
	enum vfs_wmode mode;
	char owner[CF_LOGIN_MAX];	/* ledger it counts against; "" none */
	int enforce;			/* refused past the limit (not admins) */
	int created;			/* a new file: removed on 552 */
	char *tmp;			/* overwrite: temp vpath, renamed at the end */
	uint64_t orig_size;		/* the file's size before (0 if new) */
	nlink_t orig_nlink;		/* overwrite: the old file's links */
	int64_t room;			/* room in hand, not yet written */
	int64_t credit;			/* existing bytes that may be overwritten */
	int64_t reserved;		/* bytes reserved from the providers */
	int64_t files_reserved;
};

/*
 * Opening the target is three steps, so the middle one can run on the
 * blocking pool for an agent cell (fsop.h).  upload_prepare, on the
 * worker: the mode, the REST offset and the ledger.  upload_open, on any
 * thread: find and open x->vpath in cell c (id: the session's, for a
 * temporary name) into x; 0 or -errno, -ERANGE for a REST offset beyond
 * the end.  upload_ready, on the worker: 0 when the transfer may start,
 * or the code of the reply it sent (550, 554, 552 when even the new file
 * would exceed the file count...).
 */
void upload_prepare(struct sess *s, struct xfer *x, enum vfs_wmode mode,
		    uint64_t rest);
int upload_open(const struct vfs_cell *c, uint64_t id, struct xfer *x);
int upload_ready(struct sess *s, struct xfer *x, int r);

/* Room for n more bytes on disk: 0, or -1 when the quota refuses. */
int upload_room(struct sess *s, struct xfer *x, size_t n);

/*
 * The upload is complete: truncate, rename into place, settle.  0 or
 * -errno.  *old: a hold on the file it replaced (reclaim.h), or -1; the
 * caller hands it to reclaim_later once the client has its reply.
 */
int upload_commit(struct sess *s, struct xfer *x, int *old);

/*
 * The upload stopped early.  over_quota: undo it (552); otherwise keep
 * what arrived (REST can resume it), except a temporary overwrite file.
 */
void upload_abort(struct sess *s, struct xfer *x, int over_quota);

void upload_free(struct upload *u);

#endif
