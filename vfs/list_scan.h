/*
 * Reading one directory for a listing: its names, each with what it is
 * inside the cell, sorted.  Internal to vfs (list.c formats the result).
 */
#ifndef VFS_LIST_SCAN_H
#define VFS_LIST_SCAN_H

#include <stddef.h>
#include <sys/stat.h>

/* What one entry is, once resolved inside the cell. */
struct list_ent {
	struct stat st;
	int dangling;		/* a symlink that does not resolve in the cell */
	int gone;		/* vanished since readdir, or unreadable */
};

struct list_item {
	const char *name;
	const struct list_ent *ent;	/* with stat_all, else NULL */
};

struct scan_chunk;

struct list_scan {
	struct list_item *v;	/* n items, sorted by name */
	size_t n;
	struct scan_chunk *chunks;
};

/*
 * Read the directory at dfd (a listing of vpath in the cell at root_fd):
 * "." and "..", names with CR or LF, and dot files unless `all` are left
 * out.  With `stat_all` every entry is resolved as it is read, on this
 * thread and, for a large directory, a helper; without it only the names
 * are kept.  0 or -errno; free with list_scan_free either way.
 */
int list_scan(int root_fd, const char *vpath, int dfd, int all, int stat_all,
	      struct list_scan *ls);

/* Resolve one entry now (listings capped at a number of entries). */
void list_scan_stat(int root_fd, const char *vpath, int dfd, const char *name,
		    struct list_ent *e);

void list_scan_free(struct list_scan *ls);

#endif
