/*
 * quota_disk: measuring a cell on real folders, the ledger's reserve /
 * settle / usage rules, the plugin driven through its descriptor and a
 * fake host, and many threads sharing one ledger (run it under TSan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"
#include "quota/disk/ledger.h"
#include "quota/disk/measure.h"
#include "tutil.h"

/* ---- a fake host and config, to drive the plugin like the daemon ---- */

struct cf_config {
	const char *extra_key;		/* not one of the plugin's keys */
	const char *max_files;		/* NULL: unset; "x": wrong type */
};

static atomic_int measured_logs;	/* "measured the cell" lines */

static void fake_log(enum cf_level level, const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level == CF_LOG_INFO && strstr(line, "measured the cell") != NULL)
		atomic_fetch_add(&measured_logs, 1);
}

static int fake_int(const struct cf_config *cfg, const char *key,
		    long long *out)
{
	char *end;

	if (cfg == NULL || strcmp(key, "max_files") != 0 ||
	    cfg->max_files == NULL)
		return 1;
	*out = strtoll(cfg->max_files, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static const char *fake_where(const struct cf_config *cfg, const char *key,
			      char *buf, size_t buflen)
{
	snprintf(buf, buflen, "test.conf:7");
	return buf;
}

static int fake_check_keys(const struct cf_config *cfg,
			   const char *const *known, char *err, size_t errlen)
{
	const char *keys[2] = { NULL, NULL };

	if (cfg == NULL)
		return 0;
	keys[0] = cfg->max_files != NULL ? "max_files" : NULL;
	keys[1] = cfg->extra_key;
	for (int i = 0; i < 2; i++) {
		const char *const *k;

		if (keys[i] == NULL)
			continue;
		for (k = known; *k != NULL && strcmp(*k, keys[i]) != 0; k++)
			;
		if (*k == NULL) {
			snprintf(err, errlen, "test.conf:7: unknown key '%s' "
				 "in module 'quota_disk'", keys[i]);
			return -1;
		}
	}
	return 0;
}

static const struct cf_host host = {
	.abi_major = CELLFTPD_ABI_MAJOR,
	.abi_minor = CELLFTPD_ABI_MINOR,
	.size = sizeof(struct cf_host),
	.server_root = "/nonexistent",
	.log = fake_log,
	.cfg_int = fake_int,
	.cfg_where = fake_where,
	.cfg_check_keys = fake_check_keys,
};

/* ---- fixture: a temporary folder with a cell and a plugin instance ---- */

struct qt {
	char dir[64];		/* /tmp/test_quota.XXXXXX */
	char cell[128];		/* dir/alice: the cell */
	int dfd;		/* dir */
	int cfd;		/* the cell, O_PATH like the core's */
	const struct cf_module *m;
	const struct cf_quota_ops *q;
	void *st;
	struct cf_identity who;
};

static int qt_setup(void **state)
{
	struct qt *t = calloc(1, sizeof(*t));
	char err[256];

	if (t == NULL)
		return -1;
	tmp_make(t->dir, sizeof(t->dir), "/tmp/test_quota.XXXXXX");
	snprintf(t->cell, sizeof(t->cell), "%s/alice", t->dir);
	if (mkdir(t->cell, 0755) != 0)
		return -1;
	t->dfd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	t->cfd = open(t->cell, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->dfd < 0 || t->cfd < 0)
		return -1;
	t->m = cellftpd_module_v1();
	t->q = t->m->quota;
	if (t->m->init(&host, NULL, &t->st, err, sizeof(err)) != 0)
		return -1;
	strcpy(t->who.login, "alice");
	t->who.quota_bytes = CF_UNLIMITED;
	t->who.quota_files = CF_UNLIMITED;
	t->who.uid = t->who.gid = -1;
	atomic_store(&measured_logs, 0);
	*state = t;
	return 0;
}

static int qt_teardown(void **state)
{
	struct qt *t = *state;

	t->m->fini(t->st);
	close(t->cfd);
	close(t->dfd);
	tmp_remove(t->dir);
	free(t);
	return 0;
}

static void mkd(int dfd, const char *path)
{
	assert_int_equal(mkdirat(dfd, path, 0755), 0);
}

/* The plugin's usage of login, which must be known. */
static void usage_is(struct qt *t, const char *login, uint64_t bytes,
		     uint64_t files)
{
	uint64_t b = 0, f = 0;

	assert_int_equal(t->q->usage(t->st, login, &b, &f), CF_OK);
	assert_int_equal(b, bytes);
	assert_int_equal(f, files);
}

/* A cell holding `bytes` bytes in `files` files (files >= 1). */
static void fill(struct qt *t, uint64_t bytes, uint64_t files)
{
	char name[32];

	for (uint64_t i = 0; i < files; i++) {
		snprintf(name, sizeof(name), "alice/f%llu",
			 (unsigned long long)i);
		put_file(t->dfd, name, i == 0 ? (off_t)bytes : 0);
	}
}

/* ---- measuring ---- */

static void measure_counts_regular_files_in_nested_folders(void **state)
{
	struct qt *t = *state;
	struct qd_count c;

	put_file(t->dfd, "alice/top", 100);
	mkd(t->dfd, "alice/a");
	mkd(t->dfd, "alice/a/b");
	mkd(t->dfd, "alice/a/b/c");
	mkd(t->dfd, "alice/empty");
	put_file(t->dfd, "alice/a/one", 1000);
	put_file(t->dfd, "alice/a/b/two", 20000);
	put_file(t->dfd, "alice/a/b/c/three", 300000);
	put_file(t->dfd, "alice/a/b/c/zero", 0);
	assert_int_equal(qd_measure(t->cfd, &c), 0);
	assert_int_equal(c.bytes, 100 + 1000 + 20000 + 300000);
	assert_int_equal(c.files, 5);		/* folders are not files */
	assert_int_equal(c.skipped, 0);
}

static void measure_never_follows_symbolic_links(void **state)
{
	struct qt *t = *state;
	struct qd_count c;

	mkd(t->dfd, "outside");
	put_file(t->dfd, "outside/big", (off_t)1 << 40);	/* 1 TiB of holes */
	put_file(t->dfd, "outside/more", 5000);
	put_file(t->dfd, "alice/mine", 42);
	assert_int_equal(symlinkat("../outside/big", t->dfd, "alice/big"), 0);
	assert_int_equal(symlinkat("../outside", t->dfd, "alice/dir"), 0);
	assert_int_equal(symlinkat("nowhere", t->dfd, "alice/dangling"), 0);
	assert_int_equal(symlinkat("..", t->dfd, "alice/up"), 0);
	assert_int_equal(mkfifoat(t->dfd, "alice/fifo", 0600), 0);
	assert_int_equal(qd_measure(t->cfd, &c), 0);
	assert_int_equal(c.bytes, 42);
	assert_int_equal(c.files, 1);
}

/* A hard link is a second name, and costs its size again: like the
 * deltas the core settles per name (documented behaviour). */
static void measure_counts_each_hard_link_by_name(void **state)
{
	struct qt *t = *state;
	struct qd_count c;

	put_file(t->dfd, "alice/data", 1000);
	assert_int_equal(linkat(t->dfd, "alice/data", t->dfd, "alice/again",
				0), 0);
	assert_int_equal(qd_measure(t->cfd, &c), 0);
	assert_int_equal(c.bytes, 2000);
	assert_int_equal(c.files, 2);
}

/* QD_DEPTH_MAX + 1 nested folders with a byte in each, and in the cell. */
static void measure_stops_at_the_depth_limit(void **state)
{
	struct qt *t = *state;
	struct qd_count c;
	int fd, next;

	fd = openat(t->dfd, "alice", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (int d = 0; d <= QD_DEPTH_MAX + 1; d++) {
		put_file(fd, "byte", 1);
		if (d == QD_DEPTH_MAX + 1)
			break;
		mkd(fd, "d");
		next = openat(fd, "d", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		assert_true(next >= 0);
		close(fd);
		fd = next;
	}
	close(fd);
	assert_int_equal(qd_measure(t->cfd, &c), 0);
	assert_int_equal(c.files, QD_DEPTH_MAX + 1);	/* depths 0..MAX */
	assert_int_equal(c.bytes, QD_DEPTH_MAX + 1);
	assert_int_equal(c.skipped, 1);		/* the folder below */
}

/* As an unprivileged user (a child process when run as root). */
static void measure_skips_unreadable_folders(void **state)
{
	struct qt *t = *state;
	struct qd_count c;
	int st, fds[2];
	pid_t pid;

	put_file(t->dfd, "alice/seen", 10);
	mkd(t->dfd, "alice/locked");
	put_file(t->dfd, "alice/locked/hidden", 1000);
	assert_int_equal(chmod(t->dir, 0755), 0);
	assert_int_equal(fchmodat(t->dfd, "alice/locked", 0, 0), 0);
	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int r;

		if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0)
			_exit(2);
		r = qd_measure(t->cfd, &c);
		if (r != 0 || write(fds[1], &c, sizeof(c)) != sizeof(c))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &c, sizeof(c)), sizeof(c));
	close(fds[0]);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(c.bytes, 10);
	assert_int_equal(c.files, 1);
	assert_int_equal(c.skipped, 1);
}

static void measure_fails_without_a_folder(void **state)
{
	struct qt *t = *state;
	struct qd_count c;
	int fd;

	assert_int_equal(qd_measure(-1, &c), -EBADF);
	put_file(t->dfd, "alice/file", 1);
	fd = openat(t->dfd, "alice/file", O_PATH | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(qd_measure(fd, &c), -ENOTDIR);
	close(fd);
}

/* ---- opening and rescanning ---- */

static void open_measures_a_login_only_the_first_time(void **state)
{
	struct qt *t = *state;
	uint64_t b, f;

	assert_int_equal(t->q->usage(t->st, "alice", &b, &f), CF_DECLINED);
	put_file(t->dfd, "alice/a", 700);
	mkd(t->dfd, "alice/sub");
	put_file(t->dfd, "alice/sub/b", 300);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	usage_is(t, "alice", 1000, 2);
	/* a second session: the ledger is already current, no walk */
	put_file(t->dfd, "alice/out-of-band", 5000);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	usage_is(t, "alice", 1000, 2);
	assert_int_equal(atomic_load(&measured_logs), 1);
	/* SITE QUOTA RESCAN sees the change */
	assert_int_equal(t->q->rescan(t->st, "alice", t->cfd), CF_OK);
	usage_is(t, "alice", 6000, 3);
	assert_int_equal(atomic_load(&measured_logs), 2);
}

static void rescan_replaces_usage_and_keeps_reservations(void **state)
{
	struct qt *t = *state;

	fill(t, 1000, 1);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 400, 1), CF_OK);
	assert_int_equal(unlinkat(t->dfd, "alice/f0", 0), 0);
	put_file(t->dfd, "alice/new", 250);
	assert_int_equal(t->q->rescan(t->st, "alice", t->cfd), CF_OK);
	usage_is(t, "alice", 250 + 400, 1 + 1);
	/* the upload that held the room ends after the rescan */
	t->q->settle(t->st, "alice", 400, 1, 300, 1);
	usage_is(t, "alice", 550, 2);
}

static void failed_measurement_refuses_reservations_until_one_works(
	void **state)
{
	struct qt *t = *state;
	uint64_t b, f;

	fill(t, 10, 1);
	assert_int_equal(t->q->open(t->st, &t->who, -1), CF_ERROR);
	assert_int_equal(t->q->usage(t->st, "alice", &b, &f), CF_DECLINED);
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_ERROR);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_OK);
	usage_is(t, "alice", 11, 1);
	/* a failed rescan keeps the last good numbers, still enforced */
	assert_int_equal(t->q->rescan(t->st, "alice", -1), CF_ERROR);
	usage_is(t, "alice", 11, 1);
	t->who.quota_bytes = 11;
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_DENIED);
}

static void admins_are_not_measured_and_not_limited(void **state)
{
	struct qt *t = *state;
	uint64_t b, f;

	fill(t, 5000, 1);
	t->who.is_admin = 1;
	t->who.quota_bytes = 10;
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(atomic_load(&measured_logs), 0);
	assert_int_equal(t->q->usage(t->st, "alice", &b, &f), CF_DECLINED);
	assert_int_equal(t->q->reserve(t->st, &t->who, 1 << 20, 1), CF_OK);
	t->q->settle(t->st, "alice", 1 << 20, 1, 1 << 20, 1);
}

static void unknown_logins_are_granted_and_their_changes_ignored(
	void **state)
{
	struct qt *t = *state;
	uint64_t b, f;

	fill(t, 100, 1);
	/* an admin's upload into a cell not measured yet */
	t->q->settle(t->st, "alice", 0, 0, 100, 1);
	t->q->settle(t->st, "nobody", 5, 5, -100, -1);
	assert_int_equal(t->q->usage(t->st, "nobody", &b, &f), CF_DECLINED);
	/* the measurement sees that upload once, on disk */
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	usage_is(t, "alice", 100, 1);
	/* nothing to enforce against for a login never opened */
	strcpy(t->who.login, "bob");
	t->who.quota_bytes = 0;
	assert_int_equal(t->q->reserve(t->st, &t->who, 1000, 1), CF_OK);
	t->q->settle(t->st, "bob", 1000, 1, 1000, 1);
	assert_int_equal(t->q->usage(t->st, "bob", &b, &f), CF_DECLINED);
}

/* ---- reserving and settling ---- */

static void reserve_holds_room_until_settled(void **state)
{
	struct qt *t = *state;

	fill(t, 300, 1);
	t->who.quota_bytes = 1000;
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 500, 1), CF_OK);
	usage_is(t, "alice", 800, 2);
	/* the upload wrote 450 of the 500 held: the rest comes back */
	t->q->settle(t->st, "alice", 500, 1, 450, 1);
	usage_is(t, "alice", 750, 2);
	/* an aborted upload of a new file: released, nothing changed */
	assert_int_equal(t->q->reserve(t->st, &t->who, 250, 1), CF_OK);
	t->q->settle(t->st, "alice", 250, 1, 0, 0);
	usage_is(t, "alice", 750, 2);
	/* an overwrite settles the difference; a DELE gives space back */
	assert_int_equal(t->q->reserve(t->st, &t->who, 100, 0), CF_OK);
	t->q->settle(t->st, "alice", 100, 0, -200, 0);
	usage_is(t, "alice", 550, 2);
	t->q->settle(t->st, "alice", 0, 0, -450, -1);
	usage_is(t, "alice", 100, 1);
	/* more given back than is known is clamped at zero */
	t->q->settle(t->st, "alice", 1 << 20, 10, INT64_MIN, INT64_MIN);
	usage_is(t, "alice", 0, 0);
}

static void reserve_fits_exactly_up_to_the_limit_and_not_one_byte_more(
	void **state)
{
	struct qt *t = *state;

	fill(t, 4000, 1);
	t->who.quota_bytes = 10000;
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 6001, 0), CF_DENIED);
	usage_is(t, "alice", 4000, 1);
	assert_int_equal(t->q->reserve(t->st, &t->who, 6000, 0), CF_OK);
	usage_is(t, "alice", 10000, 1);
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_DENIED);
	usage_is(t, "alice", 10000, 1);
	t->q->settle(t->st, "alice", 6000, 0, 5999, 0);
	assert_int_equal(t->q->reserve(t->st, &t->who, 2, 0), CF_DENIED);
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_OK);
	usage_is(t, "alice", 10000, 1);
	assert_int_equal(t->q->reserve(t->st, &t->who, -1, 0), CF_ERROR);
}

static void lowered_limit_blocks_reservations_but_deletes_nothing(
	void **state)
{
	struct qt *t = *state;

	fill(t, 1000, 1);
	t->who.quota_bytes = 2000;
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	t->who.quota_bytes = 500;	/* SITE QUOTA alice 500 */
	assert_int_equal(t->q->reserve(t->st, &t->who, 1, 0), CF_DENIED);
	assert_int_equal(t->q->reserve(t->st, &t->who, 0, 0), CF_DENIED);
	usage_is(t, "alice", 1000, 1);
	t->q->settle(t->st, "alice", 0, 0, -600, 0);	/* a DELE */
	assert_int_equal(t->q->reserve(t->st, &t->who, 101, 0), CF_DENIED);
	assert_int_equal(t->q->reserve(t->st, &t->who, 100, 0), CF_OK);
	usage_is(t, "alice", 500, 1);
}

static void unlimited_quota_grants_anything_and_still_counts(void **state)
{
	struct qt *t = *state;

	fill(t, 10, 1);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, INT64_MAX, 1000000),
			 CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, INT64_MAX, 1), CF_OK);
	usage_is(t, "alice", UINT64_MAX, 1000002);	/* saturated */
	t->q->settle(t->st, "alice", INT64_MAX, 1000000, 0, 0);
	t->q->settle(t->st, "alice", INT64_MAX, 1, 5, 1);
	usage_is(t, "alice", 15, 2);
}

static void file_count_limit_comes_from_identity_else_max_files(
	void **state)
{
	struct qt *t = *state;
	struct cf_config cfg = { .max_files = "3" };
	char err[256];

	fill(t, 0, 2);
	assert_int_equal(t->m->reload(t->st, &cfg, err, sizeof(err)), 0);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	usage_is(t, "alice", 0, 2);
	assert_int_equal(t->q->reserve(t->st, &t->who, 10, 1), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 10, 1), CF_DENIED);
	/* bytes alone still fit: the file count is at, not over, its limit */
	assert_int_equal(t->q->reserve(t->st, &t->who, 10, 0), CF_OK);
	/* the identity's own limit wins over max_files */
	t->who.quota_files = 5;
	assert_int_equal(t->q->reserve(t->st, &t->who, 0, 2), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 0, 1), CF_DENIED);
	usage_is(t, "alice", 20, 5);
}

/* ---- settings ---- */

static void settings_reject_unknown_keys_and_bad_max_files(void **state)
{
	struct qt *t = *state;
	struct cf_config unknown = { .extra_key = "chunk" };
	struct cf_config word = { .max_files = "many" };
	struct cf_config negative = { .max_files = "-1" };
	struct cf_config good = { .max_files = "1" };
	char err[256];
	void *st = NULL;

	assert_int_equal(t->m->init(&host, &unknown, &st, err, sizeof(err)),
			 -1);
	assert_string_equal(err, "test.conf:7: unknown key 'chunk' in module "
			    "'quota_disk'");
	assert_int_equal(t->m->init(&host, &word, &st, err, sizeof(err)), -1);
	assert_string_equal(err, "test.conf:7: quota_disk: max_files must be "
			    "a number of files from 0 to 4611686018427387904");
	assert_int_equal(t->m->reload(t->st, &negative, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "max_files must be"));
	assert_null(st);
	/* a refused reload keeps the settings it had (none here) */
	fill(t, 0, 3);
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(t->q->reserve(t->st, &t->who, 0, 1), CF_OK);
	assert_int_equal(t->m->reload(t->st, &good, err, sizeof(err)), 0);
	assert_int_equal(t->q->reserve(t->st, &t->who, 0, 1), CF_DENIED);
	assert_string_equal(t->m->name, "quota_disk");
}

/* ---- changes while a cell is measured (the ledger's rule) ---- */

static void growth_while_measuring_is_added_and_shrinkage_dropped(
	void **state)
{
	struct qd_ledger *l = qd_ledger_new();
	struct qd_count walk = { .bytes = 1000, .files = 10 };
	uint64_t b, f;

	assert_non_null(l);
	assert_int_equal(qd_ledger_claim(l, "alice", 0), QD_MINE);
	qd_ledger_settle(l, "alice", 0, 0, 200, 1);
	qd_ledger_settle(l, "alice", 0, 0, -50, -1);
	assert_int_equal(qd_ledger_usage(l, "alice", &b, &f), CF_DECLINED);
	qd_ledger_done(l, "alice", &walk);
	assert_int_equal(qd_ledger_usage(l, "alice", &b, &f), CF_OK);
	assert_true(b == 1200 && f == 11);	/* never below the disk */

	/* a rescan: the old numbers stay in force while it runs */
	assert_int_equal(qd_ledger_claim(l, "alice", 0), QD_READY);
	assert_int_equal(qd_ledger_claim(l, "alice", 1), QD_MINE);
	qd_ledger_settle(l, "alice", 0, 0, 300, 1);
	assert_int_equal(qd_ledger_usage(l, "alice", &b, &f), CF_OK);
	assert_true(b == 1500 && f == 12);
	assert_int_equal(qd_ledger_reserve(l, "alice", 1500, CF_UNLIMITED,
					   1, 0), CF_DENIED);
	qd_ledger_settle(l, "alice", 0, 0, -100, -1);
	walk.bytes = 1100;
	walk.files = 11;
	qd_ledger_done(l, "alice", &walk);
	assert_int_equal(qd_ledger_usage(l, "alice", &b, &f), CF_OK);
	assert_true(b == 1400 && f == 12);
	qd_ledger_free(l);
}

struct claimer {
	struct qd_ledger *l;
	atomic_int returned;
	int result;
};

static void *claim_thread(void *arg)
{
	struct claimer *c = arg;

	c->result = qd_ledger_claim(c->l, "alice", 0);
	atomic_store(&c->returned, 1);
	return NULL;
}

static void second_claim_waits_for_the_running_measurement(void **state)
{
	struct claimer c = { .l = qd_ledger_new() };
	struct qd_count walk = { .bytes = 7, .files = 1 };
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	pthread_t th;
	uint64_t b, f;
	int early;

	assert_non_null(c.l);
	assert_int_equal(qd_ledger_claim(c.l, "alice", 0), QD_MINE);
	assert_int_equal(pthread_create(&th, NULL, claim_thread, &c), 0);
	nanosleep(&pause, NULL);
	early = atomic_load(&c.returned);
	qd_ledger_done(c.l, "alice", &walk);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(early, 0);		/* it waited for done() */
	assert_int_equal(c.result, QD_READY);
	assert_int_equal(qd_ledger_usage(c.l, "alice", &b, &f), CF_OK);
	assert_true(b == 7 && f == 1);

	/* after a failed measurement, the next claim measures again */
	assert_int_equal(qd_ledger_claim(c.l, "bob", 0), QD_MINE);
	qd_ledger_done(c.l, "bob", NULL);
	assert_int_equal(qd_ledger_claim(c.l, "bob", 0), QD_MINE);
	qd_ledger_done(c.l, "bob", &walk);
	assert_int_equal(qd_ledger_claim(c.l, "", 0), -EINVAL);
	qd_ledger_free(c.l);
}

/* ---- threads ---- */

#define OPENERS 2
#define OPEN_FILES 2000

struct opener {
	struct qt *t;
	pthread_barrier_t *go;
	int result, usage;
	uint64_t bytes, files;
};

static void *open_thread(void *arg)
{
	struct opener *o = arg;

	pthread_barrier_wait(o->go);
	o->result = o->t->q->open(o->t->st, &o->t->who, o->t->cfd);
	o->usage = o->t->q->usage(o->t->st, "alice", &o->bytes, &o->files);
	return NULL;
}

static void two_sessions_opening_one_login_measure_it_once(void **state)
{
	struct qt *t = *state;
	struct opener o[OPENERS];
	pthread_barrier_t go;
	pthread_t th[OPENERS];
	char name[32];
	uint64_t want = 0;

	for (int i = 0; i < OPEN_FILES; i++) {
		snprintf(name, sizeof(name), "alice/f%d", i);
		put_file(t->dfd, name, i % 100);
		want += i % 100;
	}
	assert_int_equal(pthread_barrier_init(&go, NULL, OPENERS), 0);
	for (int i = 0; i < OPENERS; i++) {
		o[i] = (struct opener){ .t = t, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, open_thread,
						&o[i]), 0);
	}
	for (int i = 0; i < OPENERS; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < OPENERS; i++) {
		/* each came back with the full measurement, not half of it
		 * and not twice it */
		assert_int_equal(o[i].result, CF_OK);
		assert_int_equal(o[i].usage, CF_OK);
		assert_int_equal(o[i].bytes, want);
		assert_int_equal(o[i].files, OPEN_FILES);
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(atomic_load(&measured_logs), 1);
}

#define THREADS 8
#define ROUNDS 10000
#define LIMIT_BYTES 5000	/* the threads want about 8 x 2100 */
#define LIMIT_FILES 20
#define CHUNK 700
#define KEEP 3

struct racer {
	struct qt *t;
	pthread_barrier_t *go;
	int64_t net_bytes, net_files;	/* what this thread left on disk */
	long granted, denied, broken;	/* broken: invariant failures */
};

static void racer_check(struct racer *r)
{
	uint64_t b, f;

	if (r->t->q->usage(r->t->st, "alice", &b, &f) != CF_OK ||
	    b > LIMIT_BYTES || f > LIMIT_FILES)
		r->broken++;
}

/*
 * Upload files of 100..CHUNK bytes and keep the last KEEP, deleting the
 * oldest when refused too: together the threads want more than the limit.
 */
static void *racer_thread(void *arg)
{
	struct racer *r = arg;
	const struct cf_quota_ops *q = r->t->q;
	int64_t kept[KEEP];		/* a ring of this thread's files */
	int first = 0, nkept = 0;

	pthread_barrier_wait(r->go);
	for (int i = 0; i < ROUNDS; i++) {
		int64_t wrote = 100 + (i % 7) * 100;
		int res = q->reserve(r->t->st, &r->t->who, CHUNK, 1);

		if (res == CF_OK) {
			r->granted++;
			racer_check(r);
			q->settle(r->t->st, "alice", CHUNK, 1, wrote, 1);
			r->net_bytes += wrote;
			r->net_files++;
			kept[(first + nkept++) % KEEP] = wrote;
		} else if (res == CF_DENIED) {
			r->denied++;
		} else {
			r->broken++;
		}
		racer_check(r);
		if (nkept == KEEP || (res == CF_DENIED && nkept > 0)) {
			int64_t gone = kept[first];

			first = (first + 1) % KEEP;
			nkept--;
			q->settle(r->t->st, "alice", 0, 0, -gone, -1);
			r->net_bytes -= gone;
			r->net_files--;
			racer_check(r);
		}
	}
	return NULL;
}

static void many_threads_never_take_a_login_over_its_limit(void **state)
{
	struct qt *t = *state;
	struct racer r[THREADS];
	pthread_barrier_t go;
	pthread_t th[THREADS];
	int64_t bytes = 1000, files = 1;
	long granted = 0, denied = 0;

	fill(t, 1000, 1);
	t->who.quota_bytes = LIMIT_BYTES;
	t->who.quota_files = LIMIT_FILES;
	assert_int_equal(t->q->open(t->st, &t->who, t->cfd), CF_OK);
	assert_int_equal(pthread_barrier_init(&go, NULL, THREADS), 0);
	for (int i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .t = t, .go = &go };
		assert_int_equal(pthread_create(&th[i], NULL, racer_thread,
						&r[i]), 0);
	}
	for (int i = 0; i < THREADS; i++)	/* all, before any assert */
		assert_int_equal(pthread_join(th[i], NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		assert_int_equal(r[i].broken, 0);
		bytes += r[i].net_bytes;
		files += r[i].net_files;
		granted += r[i].granted;
		denied += r[i].denied;
	}
	pthread_barrier_destroy(&go);
	assert_int_equal(granted + denied, (long)THREADS * ROUNDS);
	assert_true(granted > 0);
	assert_true(denied > 0);
	usage_is(t, "alice", (uint64_t)bytes, (uint64_t)files);
	print_message("# %ld granted, %ld denied\n", granted, denied);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, qt_setup, qt_teardown)
	const struct CMUnitTest tests[] = {
		T(measure_counts_regular_files_in_nested_folders),
		T(measure_never_follows_symbolic_links),
		T(measure_counts_each_hard_link_by_name),
		T(measure_stops_at_the_depth_limit),
		T(measure_skips_unreadable_folders),
		T(measure_fails_without_a_folder),
		T(open_measures_a_login_only_the_first_time),
		T(rescan_replaces_usage_and_keeps_reservations),
		T(failed_measurement_refuses_reservations_until_one_works),
		T(admins_are_not_measured_and_not_limited),
		T(unknown_logins_are_granted_and_their_changes_ignored),
		T(reserve_holds_room_until_settled),
		T(reserve_fits_exactly_up_to_the_limit_and_not_one_byte_more),
		T(lowered_limit_blocks_reservations_but_deletes_nothing),
		T(unlimited_quota_grants_anything_and_still_counts),
		T(file_count_limit_comes_from_identity_else_max_files),
		T(settings_reject_unknown_keys_and_bad_max_files),
		cmocka_unit_test(
			growth_while_measuring_is_added_and_shrinkage_dropped),
		cmocka_unit_test(
			second_claim_waits_for_the_running_measurement),
		T(two_sessions_opening_one_login_measure_it_once),
		T(many_threads_never_take_a_login_over_its_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
