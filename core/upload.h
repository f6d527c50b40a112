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
 * Open the target of an upload into x (fd, pos, upload state).  0, or
 * the reply code it sent on failure (550, 554, 552 when even the new file
 * would exceed the file count...).
 */
int upload_open(struct sess *s, struct xfer *x, const char *vpath,
		enum vfs_wmode mode, uint64_t rest);

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
