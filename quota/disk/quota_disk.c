/*
 * quota_disk.so: per-user byte and file-count limits, enforced by holding
 * room before data is written.  The ledger (ledger.c) keeps the numbers;
 * a cell is measured (measure.c) the first time its login opens a session.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/module.h"
#include "quota/disk/ledger.h"
#include "quota/disk/measure.h"

#define QD_MAX_FILES_MAX (1LL << 62)

struct qd_state {
	const struct cf_host *host;
	struct qd_ledger *ledger;
	/* file limit of identities without one (quota_files unlimited) */
	_Atomic uint64_t max_files;
};

/* ---- settings ---- */

static int qd_settings(const struct cf_host *host,
		       const struct cf_config *cfg, uint64_t *max_files,
		       char *err, size_t errlen)
{
	static const char *const known[] = { "max_files", NULL };
	char where[256];
	long long v;
	int r;

	if (host->cfg_check_keys(cfg, known, err, errlen) != 0)
		return -1;
	r = host->cfg_int(cfg, "max_files", &v);
	if (r == 1) {
		*max_files = CF_UNLIMITED;
		return 0;
	}
	if (r < 0 || v < 0 || v > QD_MAX_FILES_MAX) {
		snprintf(err, errlen, "%s: quota_disk: max_files must be a "
			 "number of files from 0 to %lld",
			 host->cfg_where(cfg, "max_files", where,
					 sizeof(where)),
			 QD_MAX_FILES_MAX);
		return -1;
	}
	*max_files = (uint64_t)v;
	return 0;
}

/* ---- measuring (blocking pool) ---- */

static long long qd_ms_since(const struct timespec *t0)
{
	struct timespec t1;

	if (clock_gettime(CLOCK_MONOTONIC, &t1) != 0)
		return 0;
	return (long long)(t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Measure login's cell unless known (force: measure it anyway). */
static int qd_run(struct qd_state *st, const char *login, int cell_fd,
		  int force)
{
	const struct cf_host *h = st->host;
	struct timespec t0 = { 0, 0 };
	struct qd_count c;
	int r;

	r = qd_ledger_claim(st->ledger, login, force);
	if (r == QD_READY)
		return CF_OK;
	if (r < 0) {
		h->log(CF_LOG_ERR, "quota_disk: cannot keep a ledger for "
		       "'%s': %s", login, strerror(-r));
		return CF_ERROR;
	}
	if (clock_gettime(CLOCK_MONOTONIC, &t0) != 0)
		t0.tv_sec = 0;
	r = qd_measure(cell_fd, &c);
	qd_ledger_done(st->ledger, login, r == 0 ? &c : NULL);
	if (r != 0) {
		h->log(CF_LOG_ERR, "quota_disk: cannot measure the cell of "
		       "'%s': %s", login, strerror(-r));
		return CF_ERROR;
	}
	h->log(CF_LOG_INFO, "quota_disk: measured the cell of '%s': %llu "
	       "bytes in %llu files (%lld ms)", login,
	       (unsigned long long)c.bytes, (unsigned long long)c.files,
	       qd_ms_since(&t0));
	if (c.skipped != 0)
		h->log(CF_LOG_WARN, "quota_disk: %llu entries in the cell of "
		       "'%s' are unreadable or more than %d folders deep, and "
		       "not counted", (unsigned long long)c.skipped, login,
		       QD_DEPTH_MAX);
	return CF_OK;
}

/* ---- provider ---- */

/*
 * An admin's cell is the whole server root: measuring it would cost a walk
 * of every cell and mean nothing, so admins are not measured and their
 * reservations are always granted.
 */
static int qd_open(void *state, const struct cf_identity *who, int cell_fd)
{
	if (who->is_admin)
		return CF_OK;
	return qd_run(state, who->login, cell_fd, 0);
}

static int qd_rescan(void *state, const char *login, int cell_fd)
{
	return qd_run(state, login, cell_fd, 1);
}

static int qd_reserve(void *state, const struct cf_identity *who,
		      int64_t bytes, int64_t files)
{
	struct qd_state *st = state;
	uint64_t max_files = who->quota_files;

	if (max_files == CF_UNLIMITED)
		max_files = atomic_load_explicit(&st->max_files,
						 memory_order_relaxed);
	return qd_ledger_reserve(st->ledger, who->login, who->quota_bytes,
				 max_files, bytes, files);
}

static void qd_settle(void *state, const char *login,
		      int64_t reserved_bytes, int64_t reserved_files,
		      int64_t delta_bytes, int64_t delta_files)
{
	struct qd_state *st = state;

	qd_ledger_settle(st->ledger, login, reserved_bytes, reserved_files,
			 delta_bytes, delta_files);
}

static int qd_usage(void *state, const char *login, uint64_t *bytes,
		    uint64_t *files)
{
	struct qd_state *st = state;

	return qd_ledger_usage(st->ledger, login, bytes, files);
}

/* ---- life cycle ---- */

static void qd_fini(void *state)
{
	struct qd_state *st = state;

	if (st == NULL)
		return;
	qd_ledger_free(st->ledger);
	free(st);
}

static int qd_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct qd_state *st;
	uint64_t max_files;

	if (host->size < offsetof(struct cf_host, cfg_check_keys) +
			 sizeof(host->cfg_check_keys)) {
		snprintf(err, errlen, "quota_disk: the host API is too old");
		return -1;
	}
	if (qd_settings(host, cfg, &max_files, err, errlen) != 0)
		return -1;
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		goto nomem;
	st->host = host;
	atomic_init(&st->max_files, max_files);
	st->ledger = qd_ledger_new();
	if (st->ledger == NULL)
		goto nomem;
	*state = st;
	return 0;
nomem:
	free(st);
	snprintf(err, errlen, "quota_disk: out of memory");
	return -1;
}

/* The ledger survives a reload: only the settings change. */
static int qd_reload(void *state, const struct cf_config *cfg, char *err,
		     size_t errlen)
{
	struct qd_state *st = state;
	uint64_t max_files;

	if (qd_settings(st->host, cfg, &max_files, err, errlen) != 0)
		return -1;
	atomic_store_explicit(&st->max_files, max_files,
			      memory_order_relaxed);
	return 0;
}

static const struct cf_quota_ops qd_ops = {
	.open = qd_open,
	.rescan = qd_rescan,
	.reserve = qd_reserve,
	.settle = qd_settle,
	.usage = qd_usage,
};

static const struct cf_module qd_module = {
	CF_MODULE_HEADER,
	.name = "quota_disk",
	.version = "1.0",
	.init = qd_init,
	.fini = qd_fini,
	.quota = &qd_ops,
	.reload = qd_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &qd_module;
}
