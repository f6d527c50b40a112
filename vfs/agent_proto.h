/*
 * The file agent's wire format, private to vcell.c (the asking side) and
 * agent.c (the answering side).  One SOCK_SEQPACKET message each way per
 * operation; a descriptor (an opened file, or a memfd holding a listing)
 * travels with the answer as SCM_RIGHTS.
 */
#ifndef VFS_AGENT_PROTO_H
#define VFS_AGENT_PROTO_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "vfs/vfs.h"

enum vag_op {
	VAG_STAT = 1, VAG_LSTAT, VAG_MKDIR, VAG_RMDIR, VAG_UNLINK, VAG_RENAME,
	VAG_SET_MTIME, VAG_OPEN_READ, VAG_OPEN_WRITE, VAG_LIST, VAG_MLST,
	VAG_STATVFS
};

struct vag_req {
	uint32_t op;
	int32_t arg;		/* mkdir mode, write mode, list format */
	int64_t num;		/* mtime; the listing's "now" */
	uint64_t max;		/* LIST/MLST: the most bytes the asker takes */
	uint32_t all;		/* LIST -a */
	uint32_t facts_off;
	uint64_t max_entries;
	char path[VFS_PATH_MAX];
	char path2[VFS_PATH_MAX];	/* RENAME target, MLST shown name */
};

struct vag_resp {
	int64_t result;		/* >= 0, or -errno */
	uint64_t len;		/* LIST/MLST: bytes in the memfd sent along */
	struct stat st;
	struct statvfs fs;
};

#endif
