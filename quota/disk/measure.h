/*
 * Measuring a cell for quota_disk: the bytes and the number of regular
 * files under a folder, without following symbolic links.  Blocking I/O:
 * call it on the blocking pool only.
 */
#ifndef QUOTA_DISK_MEASURE_H
#define QUOTA_DISK_MEASURE_H

#include "quota/disk/ledger.h"

/* Folders deeper than this below the cell are not entered (one fd each). */
#define QD_DEPTH_MAX 512

/*
 * Walk the folder cell_fd refers to (an O_PATH descriptor is fine).
 * Returns 0 with the totals in *out, or -errno when the walk could not be
 * completed (the cell cannot be opened, out of descriptors or memory, a
 * read error).  Entries that vanish during the walk are not errors;
 * folders that cannot be read are counted in out->skipped.
 */
int qd_measure(int cell_fd, struct qd_count *out);

#endif
