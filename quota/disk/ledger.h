/*
 * quota_disk's ledger: per-login usage and reservations in memory, shared
 * by every thread.  No I/O here; measuring a cell is measure.c's job, and
 * the ledger only says who measures when (claim/done).
 */
#ifndef QUOTA_DISK_LEDGER_H
#define QUOTA_DISK_LEDGER_H

#include <stdint.h>

#include "modules/module.h"

struct qd_ledger;

/* What a measurement of a cell found. */
struct qd_count {
	uint64_t bytes;		/* sum of st_size of regular files */
	uint64_t files;		/* number of regular files (per name) */
	uint64_t skipped;	/* entries left out: unreadable, too deep */
};

enum qd_claim {
	QD_READY = 0,		/* already measured: nothing to do */
	QD_MINE = 1		/* measure, then call qd_ledger_done() */
};

struct qd_ledger *qd_ledger_new(void);
void qd_ledger_free(struct qd_ledger *l);

/*
 * Ask to measure login.  Waits while another thread measures it.  Answers
 * QD_READY when it is measured and force is 0, QD_MINE otherwise (the
 * caller must then call qd_ledger_done exactly once), or -ENOMEM or
 * -EINVAL (login empty or too long).
 */
int qd_ledger_claim(struct qd_ledger *l, const char *login, int force);

/*
 * End a measurement claimed with QD_MINE.  c == NULL: it failed, and the
 * login keeps what it had before; a login that was never measured is then
 * refused reservations (CF_ERROR) until a measurement succeeds.
 */
void qd_ledger_done(struct qd_ledger *l, const char *login,
		    const struct qd_count *c);

/*
 * CF_OK (room held), CF_DENIED (nothing changed) or CF_ERROR.  A login
 * not measured yet has nothing to be checked against: granted, unless its
 * measurement failed.  bytes and files must not be negative.
 */
int qd_ledger_reserve(struct qd_ledger *l, const char *login,
		      uint64_t limit_bytes, uint64_t limit_files,
		      int64_t bytes, int64_t files);
void qd_ledger_settle(struct qd_ledger *l, const char *login,
		      int64_t reserved_bytes, int64_t reserved_files,
		      int64_t delta_bytes, int64_t delta_files);
/* CF_OK with used + reserved, or CF_DECLINED when not measured. */
int qd_ledger_usage(struct qd_ledger *l, const char *login,
		    uint64_t *bytes, uint64_t *files);

#endif
