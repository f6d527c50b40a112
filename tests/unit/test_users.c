/*
 * Unit tests for the auth_file users file (users.c), the auth_file.so and
 * log_file.so plugins driven through a fake host, and cellftpd-user end to
 * end.  Each test works in its own mkdtemp folder, removed afterwards.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/file/users.h"
#include "modules/module.h"
#include "fakehost.h"
#include "tutil.h"

/* Each test has a fresh folder; t->path is its users file. */
static int tmp_setup(void **state)
{
	*state = tmp_new("/tmp/test_users.XXXXXX", "users");
	return 0;
}

#define HASH "$y$j9T$abcdefghijklmnopqrstu.$" \
	"0123456789012345678901234567890123456789012"

/* ---- parsing ---- */

static void load_reads_every_field(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	struct users_entry *e;
	char err[256];

	write_file(t->path, "# accounts\n\n"
		 "alice:" HASH ":500M:admin\n"
		 "bob:" HASH ":-:-\n"
		 "carl:" HASH ":none:admin,disabled\n"
		 "dora:" HASH ":4096:disabled\r\n");
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(db.n, 4);
	e = users_find(&db, "alice");
	assert_non_null(e);
	assert_string_equal(e->hash, HASH);
	assert_int_equal(e->quota_set, 1);
	assert_true(e->quota_bytes == 500ull << 20);
	assert_int_equal(e->flags, CF_ACCT_ADMIN);
	assert_int_equal(e->line, 3);
	e = users_find(&db, "bob");
	assert_int_equal(e->quota_set, 0);
	assert_int_equal(e->flags, 0);
	e = users_find(&db, "carl");
	assert_true(e->quota_bytes == CF_UNLIMITED);
	assert_int_equal(e->flags, CF_ACCT_ADMIN | CF_ACCT_DISABLED);
	e = users_find(&db, "dora");
	assert_true(e->quota_bytes == 4096);
	assert_int_equal(e->flags, CF_ACCT_DISABLED);
	assert_null(users_find(&db, "eve"));
	users_free(&db);
}

static void load_missing_file_is_empty_only_when_allowed(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256], want[256];

	assert_int_equal(users_load(&db, t->path, 1, err, sizeof(err)), 0);
	assert_int_equal(db.n, 0);
	users_free(&db);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot read users file %s: %s", t->path,
		 strerror(ENOENT));
	assert_string_equal(err, want);
}

static void load_errors_name_path_and_line(void **state)
{
	static const struct {
		const char *line, *problem;
	} bad[] = {
		{ "bob:" HASH ":-", "3 fields, expected 4" },
		{ "bob:" HASH ":-:-:x", "more than 4 fields" },
		{ ".bob:" HASH ":-:-", "invalid login \".bob\"" },
		{ "b o b:" HASH ":-:-", "invalid login \"b o b\"" },
		{ ":" HASH ":-:-", "invalid login \"\"" },
		{ "bob::-:-", "bad password hash for \"bob\"" },
		{ "bob:" HASH ":lots:-", "bad quota \"lots\"" },
		{ "bob:" HASH ":-5:-", "bad quota \"-5\"" },
		{ "bob:" HASH ":-:root", "unknown flag \"root\"" },
		{ "bob:" HASH ":-:admin,", "bad flags \"admin,\"" },
		{ "bob:" HASH ":-:", "bad flags \"\"" },
		{ "alice:" HASH ":-:-", "duplicate login \"alice\" (first on "
		  "line 2)" },
	};
	struct tmp *t = *state;
	struct users_db db;
	char text[1024], err[512], want[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "# header\nalice:%s:-:-\n%s\n",
			 HASH, bad[i].line);
		write_file(t->path, text);
		assert_int_equal(users_load(&db, t->path, 0, err,
					    sizeof(err)), -1);
		snprintf(want, sizeof(want), "%s:3: %s", t->path,
			 bad[i].problem);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("line \"%s\": got \"%s\", want \"%s...\"",
				 bad[i].line, err, want);
		assert_int_equal(db.n, 0);
	}
}

static void format_writes_what_load_reads(void **state)
{
	struct users_entry e;
	char line[512], size[32];

	memset(&e, 0, sizeof(e));
	strcpy(e.login, "bob");
	strcpy(e.hash, HASH);
	assert_int_equal(users_format(&e, line, sizeof(line)), 0);
	assert_string_equal(line, "bob:" HASH ":-:-");
	e.quota_set = 1;
	e.quota_bytes = 3ull << 30;
	e.flags = CF_ACCT_ADMIN | CF_ACCT_DISABLED;
	assert_int_equal(users_format(&e, line, sizeof(line)), 0);
	assert_string_equal(line, "bob:" HASH ":3G:admin,disabled");
	assert_int_equal(users_format(&e, line, 20), -1);
	users_size_text(CF_UNLIMITED, size, sizeof(size));
	assert_string_equal(size, "none");
	users_size_text(0, size, sizeof(size));
	assert_string_equal(size, "0");
	users_size_text(1025, size, sizeof(size));
	assert_string_equal(size, "1025");
	users_size_text(1536ull << 10, size, sizeof(size));
	assert_string_equal(size, "1536K");
	users_size_text(2ull << 40, size, sizeof(size));
	assert_string_equal(size, "2T");
}

static void login_validation_table(void **state)
{
	static const struct {
		const char *login;
		int ok;
	} cases[] = {
		{ "bob", 1 }, { "B0b", 1 }, { "a", 1 }, { "9", 1 },
		{ "john.smith", 1 }, { "j_s-1", 1 }, { "_x", 1 },
		{ "a.", 1 }, { "a..b", 1 },
		{ "12345678901234567890123456789012", 1 },
		{ "123456789012345678901234567890123", 0 },
		{ "", 0 }, { ".", 0 }, { "..", 0 }, { ".bob", 0 },
		{ "-bob", 0 }, { "bob smith", 0 }, { "bob/x", 0 },
		{ "bob:x", 0 }, { "bob\n", 0 }, { "b\xc3\xa9", 0 },
		{ "bob@host", 0 }, { "*", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (users_valid_login(cases[i].login) != cases[i].ok)
			fail_msg("users_valid_login(\"%s\") != %d",
				 cases[i].login, cases[i].ok);
	assert_int_equal(users_valid_login(NULL), 0);
}

/* ---- editing and saving ---- */

static void add_find_remove_keep_the_index_sorted(void **state)
{
	struct users_db db;
	struct users_entry e;
	char name[16];
	int i;

	memset(&db, 0, sizeof(db));
	memset(&e, 0, sizeof(e));
	strcpy(e.hash, HASH);
	for (i = 0; i < 500; i++) {
		snprintf(e.login, sizeof(e.login), "u%d", (i * 7919) % 500);
		assert_int_equal(users_add(&db, &e), 0);
	}
	assert_int_equal(users_add(&db, &e), -1);	/* exists */
	for (i = 0; i < 500; i += 2) {
		snprintf(name, sizeof(name), "u%d", i);
		assert_int_equal(users_remove(&db, name), 0);
	}
	assert_int_equal(users_remove(&db, "u0"), -1);
	assert_int_equal(db.n, 250);
	for (i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "u%d", i);
		if ((users_find(&db, name) != NULL) != (i % 2 == 1))
			fail_msg("%s found wrongly", name);
		if (i % 2 == 1)
			assert_string_equal(users_find(&db, name)->login, name);
	}
	users_free(&db);
}

static void save_then_load_round_trips(void **state)
{
	struct tmp *t = *state;
	struct users_db db, back;
	struct users_entry e;
	char err[256];
	size_t i;

	memset(&db, 0, sizeof(db));
	memset(&e, 0, sizeof(e));
	strcpy(e.login, "zed");
	strcpy(e.hash, HASH);
	assert_int_equal(users_add(&db, &e), 0);
	strcpy(e.login, "amy");
	e.quota_set = 1;
	e.quota_bytes = 12345;
	e.flags = CF_ACCT_ADMIN;
	assert_int_equal(users_add(&db, &e), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_string_equal(peek_file(t->path), "zed:" HASH ":-:-\n"
			    "amy:" HASH ":12345:admin\n");
	assert_int_equal(users_load(&back, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(back.n, db.n);
	for (i = 0; i < db.n; i++) {
		assert_string_equal(back.v[i].login, db.v[i].login);
		assert_string_equal(back.v[i].hash, db.v[i].hash);
		assert_int_equal(back.v[i].quota_set, db.v[i].quota_set);
		assert_true(back.v[i].quota_bytes == db.v[i].quota_bytes);
		assert_int_equal(back.v[i].flags, db.v[i].flags);
	}
	users_free(&back);
	users_free(&db);
}

static void comments_are_kept_and_go_with_their_account(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256];
	const char *text =
		"# users of example.org\n\n"
		"alice:" HASH ":-:admin\n"
		"# bob is the backup robot\n"
		"bob:" HASH ":-:-\n"
		"\n# carl\n"
		"carl:" HASH ":-:-\n"
		"# the end\n";

	write_file(t->path, text);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_string_equal(peek_file(t->path), text);
	assert_int_equal(users_remove(&db, "bob"), 0);
	assert_int_equal(users_remove(&db, "carl"), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_string_equal(peek_file(t->path),
			    "# users of example.org\n\n"
			    "alice:" HASH ":-:admin\n"
			    "\n# the end\n");
	users_free(&db);
}

static void save_keeps_owner_group_and_mode(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	struct stat before, after;
	char err[256];
	uid_t uid = geteuid() == 0 ? 4242 : geteuid();
	gid_t gid = geteuid() == 0 ? 4343 : getegid();

	write_file(t->path, "bob:" HASH ":-:-\n");
	assert_int_equal(chown(t->path, uid, gid), 0);
	assert_int_equal(chmod(t->path, 0604), 0);
	assert_int_equal(stat(t->path, &before), 0);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_int_equal(stat(t->path, &after), 0);
	assert_true(after.st_ino != before.st_ino);	/* replaced */
	assert_int_equal(after.st_uid, uid);
	assert_int_equal(after.st_gid, gid);
	assert_int_equal(after.st_mode & 07777, 0604);
	users_free(&db);
}

static void new_file_is_0640_with_the_chosen_group(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	struct stat st;
	char err[256];
	gid_t gid = geteuid() == 0 ? 4343 : getegid();

	memset(&db, 0, sizeof(db));
	assert_int_equal(users_save_owner(&db, t->path, (uid_t)-1, gid, err,
					  sizeof(err)), 0);
	assert_int_equal(stat(t->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(st.st_gid, gid);
}

static void failed_save_leaves_the_old_file_intact(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256], tmp[160], want[256];
	const char *old = "bob:" HASH ":-:-\n";
	struct stat st;

	write_file(t->path, old);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_remove(&db, "bob"), 0);
	/* works as root too: nothing may replace a directory at the name */
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot create %s: %s", tmp,
		 strerror(EEXIST));
	assert_string_equal(err, want);
	assert_string_equal(peek_file(t->path), old);
	assert_int_equal(stat(tmp, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(rmdir(tmp), 0);
	if (geteuid() != 0) {		/* a read-only folder stops it too */
		assert_int_equal(chmod(t->dir, 0500), 0);
		assert_int_equal(users_save(&db, t->path, err, sizeof(err)),
				 -1);
		assert_string_equal(peek_file(t->path), old);
		assert_int_equal(chmod(t->dir, 0700), 0);
	}
	users_free(&db);
}

static void stale_temp_file_from_a_crash_is_replaced(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256], tmp[160];

	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	write_file(tmp, "half a li");
	memset(&db, 0, sizeof(db));
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_string_equal(peek_file(t->path), "");
}

static void save_through_a_symlink_replaces_its_target(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256], real[160], link[160];
	struct stat st;

	snprintf(real, sizeof(real), "%s/real", t->dir);
	snprintf(link, sizeof(link), "%s/link", t->dir);
	write_file(real, "bob:" HASH ":-:-\n");
	assert_int_equal(symlink("real", link), 0);
	assert_int_equal(users_load(&db, link, 0, err, sizeof(err)), 0);
	assert_int_equal(users_remove(&db, "bob"), 0);
	assert_int_equal(users_save(&db, link, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(peek_file(real), "");
	users_free(&db);
}

static void changed_notices_a_rewrite(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256];

	write_file(t->path, "bob:" HASH ":-:-\n");
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_changed(&db, t->path), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_int_equal(users_changed(&db, t->path), 1);
	users_remember(&db, t->path);
	assert_int_equal(users_changed(&db, t->path), 0);
	assert_int_equal(unlink(t->path), 0);
	assert_int_equal(users_changed(&db, t->path), 1);
	users_free(&db);
}

/* ---- locking ---- */

static int wait_byte(int fd, int ms, char *c)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return 0;
	return read(fd, c, 1) == 1;
}

static void lock_excludes_a_second_locker(void **state)
{
	struct tmp *t = *state;
	char err[256], lockpath[160], c1 = 0, c2 = 0;
	int fd, pfd[2], status, early, got;
	pid_t pid;

	fd = users_lock(t->path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int lfd, r;
		char c;

		close(fd);	/* the parent's lock is not the child's */
		close(pfd[0]);
		alarm(10);
		snprintf(lockpath, sizeof(lockpath), "%s.lock", t->path);
		lfd = open(lockpath, O_RDONLY);
		r = flock(lfd, LOCK_EX | LOCK_NB);
		c = (r != 0 && errno == EWOULDBLOCK) ? 'B' : 'x';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		close(lfd);
		lfd = users_lock(t->path, err, sizeof(err));
		c = lfd >= 0 ? 'L' : 'e';
		if (write(pfd[1], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(pfd[1]);
	got = wait_byte(pfd[0], 5000, &c1);
	early = wait_byte(pfd[0], 300, &c2);
	users_unlock(fd);
	if (!early)
		wait_byte(pfd[0], 5000, &c2);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(got);
	assert_int_equal(c1, 'B');		/* try-lock was refused */
	assert_false(early);			/* blocked while we held it */
	assert_int_equal(c2, 'L');		/* got it once released */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* ---- passwords ---- */

static void hash_and_verify(void **state)
{
	char h[USERS_HASH_MAX], h2[USERS_HASH_MAX];

	assert_int_equal(users_hash("correct horse", h, sizeof(h)), 0);
	assert_memory_equal(h, "$y$", 3);
	assert_int_equal(users_verify("correct horse", h), 1);
	assert_int_equal(users_verify("correct hors", h), 0);
	assert_int_equal(users_verify("correct horse ", h), 0);
	assert_int_equal(users_verify("", h), 0);
	assert_int_equal(users_verify("correct horse", ""), 0);
	assert_int_equal(users_verify("", ""), 0);
	assert_int_equal(users_hash("correct horse", h2, sizeof(h2)), 0);
	assert_string_not_equal(h, h2);		/* salted */
	memmove(h + 1, h, strlen(h) + 1);
	h[0] = '!';				/* locked */
	assert_int_equal(users_verify("correct horse", h), 0);
	assert_int_equal(users_verify("x", "*"), 0);
	assert_int_equal(users_hash("x", h, 10), -1);	/* no room */
	assert_int_equal(users_hash("", h, sizeof(h)), 0);
	assert_int_equal(users_verify("", h), 1);
	assert_int_equal(users_verify("x", h), 0);
}

/* ---- removing a cell ---- */

static void remove_tree_never_follows_symlinks(void **state)
{
	struct tmp *t = *state;
	char p[256], err[256];

	snprintf(p, sizeof(p), "%s/outside", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/outside/keep", t->dir);
	write_file(p, "precious");
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/cell/a", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/cell/a/b", t->dir);
	assert_int_equal(mkdir(p, 0500), 0);	/* read-only inside */
	snprintf(p, sizeof(p), "%s/cell/a/file", t->dir);
	write_file(p, "x");
	snprintf(p, sizeof(p), "%s/cell/a/to-dir", t->dir);
	assert_int_equal(symlink("../../outside", p), 0);
	snprintf(p, sizeof(p), "%s/cell/to-file", t->dir);
	assert_int_equal(symlink("../outside/keep", p), 0);
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/outside/keep", t->dir);
	assert_string_equal(peek_file(p), "precious");
	/* a missing cell is no error; a symlinked one loses just the link */
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	assert_int_equal(symlink("outside", p), 0);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/outside/keep", t->dir);
	assert_string_equal(peek_file(p), "precious");
}

#define assert_prefix(got, want) do {					\
	if (strncmp((got), (want), strlen(want)) != 0)			\
		fail_msg("got \"%s\", want \"%s...\"", (got), (want));	\
} while (0)

/* ---- auth_file.so ---- */

static void put_users(const char *path, const char *const *lines)
{
	struct users_db db;
	struct users_entry e;
	char err[256], flags[32];

	memset(&db, 0, sizeof(db));
	for (; *lines != NULL; lines += 3) {
		memset(&e, 0, sizeof(e));
		snprintf(e.login, sizeof(e.login), "%s", lines[0]);
		assert_int_equal(users_hash(lines[1], e.hash, sizeof(e.hash)),
				 0);
		snprintf(flags, sizeof(flags), "%s", lines[2]);
		if (strstr(flags, "admin"))
			e.flags |= CF_ACCT_ADMIN;
		if (strstr(flags, "disabled"))
			e.flags |= CF_ACCT_DISABLED;
		if (strstr(flags, "5G")) {
			e.quota_set = 1;
			e.quota_bytes = 5ull << 30;
		}
		assert_int_equal(users_add(&db, &e), 0);
	}
	assert_int_equal(users_save(&db, path, err, sizeof(err)), 0);
	users_free(&db);
}

static void auth_file_init_refuses_bad_settings(void **state)
{
	struct tmp *t = *state;
	struct plug p;
	char err[512], want[512];
	struct cf_config none = { { NULL } };
	struct cf_config unknown = { { "users", t->path, "colour", "red" } };
	struct cf_config reg = { { "users", t->path, "registration", "maybe" } };
	struct cf_config minpw = { { "users", t->path, "min_password", "0" } };
	struct cf_config quota = { { "users", t->path, "default_quota", "lots" } };
	struct cf_config good = { { "users", t->path } };

	if (!plug_try_open(&p, "auth/file/auth_file.so"))
		skip();
	assert_string_equal(p.m->name, "auth_file");
	assert_int_not_equal(plug_init(&p, &none, err, sizeof(err)), 0);
	assert_prefix(err, "test.conf:1: auth_file: needs `users`");
	assert_int_not_equal(plug_init(&p, &unknown, err, sizeof(err)), 0);
	assert_string_equal(err, "test.conf:2: unknown key colour");
	assert_int_not_equal(plug_init(&p, &reg, err, sizeof(err)), 0);
	assert_prefix(err, "test.conf:2: auth_file: registration must be");
	assert_int_not_equal(plug_init(&p, &minpw, err, sizeof(err)), 0);
	assert_prefix(err, "test.conf:2: auth_file: min_password must be");
	assert_int_not_equal(plug_init(&p, &quota, err, sizeof(err)), 0);
	assert_prefix(err, "test.conf:2: auth_file: default_quota must be");
	assert_int_not_equal(plug_init(&p, &good, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "cannot read users file %s: %s",
		 t->path, strerror(ENOENT));
	assert_string_equal(err, want);
	assert_null(p.st);
	plug_close(&p);
}

static int auth(struct plug *p, const char *login, const char *pw,
		struct cf_identity *id, char *why)
{
	struct cf_client c = { 1, "10.0.0.1", 4000 };

	why[0] = '\0';
	return p->m->auth->authenticate(p->st, &c, login, pw, id, why, 128);
}

static void auth_file_authenticates_and_rereads(void **state)
{
	static const char *const users[] = {
		"alice", "alice-pw", "admin,5G",
		"bob", "bob-pw", "",
		"carl", "carl-pw", "disabled",
		NULL
	};
	struct tmp *t = *state;
	struct cf_config c = { { "users", t->path, "default_quota", "1G" } };
	struct cf_identity id;
	struct plug p;
	char err[512], why[128];

	if (!plug_try_open(&p, "auth/file/auth_file.so"))
		skip();
	put_users(t->path, users);
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(auth(&p, "alice", "alice-pw", &id, why), CF_OK);
	assert_string_equal(id.login, "alice");
	assert_string_equal(id.root, "");
	assert_int_equal(id.is_admin, 1);
	assert_true(id.quota_bytes == 5ull << 30);
	assert_true(id.quota_files == CF_UNLIMITED);
	assert_true(id.uid == -1 && id.gid == -1);
	assert_int_equal(auth(&p, "bob", "bob-pw", &id, why), CF_OK);
	assert_int_equal(id.is_admin, 0);
	assert_true(id.quota_bytes == 1ull << 30);
	assert_int_equal(auth(&p, "bob", "alice-pw", &id, why), CF_DENIED);
	assert_string_equal(why, "wrong password");
	assert_int_equal(auth(&p, "carl", "carl-pw", &id, why), CF_DENIED);
	assert_string_equal(why, "account disabled");
	assert_int_equal(auth(&p, "nobody", "x", &id, why), CF_DECLINED);
	assert_int_equal(p.m->auth->lookup(p.st, "bob", &id), CF_OK);
	assert_string_equal(id.login, "bob");
	assert_int_equal(p.m->auth->lookup(p.st, "carl", &id), CF_DENIED);
	assert_int_equal(p.m->auth->lookup(p.st, "nobody", &id), CF_DECLINED);

	/* a new file is picked up; a broken one keeps the accounts */
	put_users(t->path, (const char *const[]){ "dave", "dave-pw", "",
						  NULL });
	assert_int_equal(auth(&p, "dave", "dave-pw", &id, why), CF_OK);
	assert_int_equal(auth(&p, "bob", "bob-pw", &id, why), CF_DECLINED);
	write_file(t->path, "dave:broken\n");
	assert_int_equal(auth(&p, "dave", "dave-pw", &id, why), CF_OK);
	snprintf(err, sizeof(err), "auth_file: %s:1:", t->path);
	assert_prefix(fh_last_logged(), err);
	plug_close(&p);
}

static int reg(struct plug *p, const char *addr, const char *login,
	       const char *pw, char *why)
{
	struct cf_client c = { 7, addr, 4000 };

	why[0] = '\0';
	return p->m->auth->acct_register(p->st, &c, login, pw, why, 128);
}

static void auth_file_registration_policy(void **state)
{
	struct tmp *t = *state;
	struct cf_config closed = { { "users", t->path } };
	struct cf_config open = { { "users", t->path, "registration", "open",
				    "registration_limit", "2" } };
	struct cf_identity id;
	struct plug p;
	struct stat st;
	char err[512], why[128], cell[256];

	if (!plug_try_open(&p, "auth/file/auth_file.so"))
		skip();
	fh_set_root(t->dir);
	write_file(t->path, "");
	assert_int_equal(plug_init(&p, &closed, err, sizeof(err)), 0);
	assert_int_equal(reg(&p, "10.0.0.1", "newbie", "long enough", why),
			 CF_DENIED);
	assert_string_equal(why, "registration closed");
	assert_int_equal(p.m->reload(p.st, &open, err, sizeof(err)), 0);
	assert_int_equal(reg(&p, "10.0.0.1", "bad/login", "long enough", why),
			 CF_DENIED);
	assert_string_equal(why, "invalid login");
	assert_int_equal(reg(&p, "10.0.0.1", "newbie", "short", why),
			 CF_DENIED);
	assert_prefix(why, "weak password");
	assert_int_equal(reg(&p, "10.0.0.1", "newbie", "long enough", why),
			 CF_OK);
	snprintf(cell, sizeof(cell), "%s/newbie", t->dir);
	assert_int_equal(stat(cell, &st), 0);
	assert_true(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700);
	assert_int_equal(auth(&p, "newbie", "long enough", &id, why), CF_OK);
	assert_int_equal(reg(&p, "10.0.0.1", "newbie", "long enough", why),
			 CF_DENIED);
	assert_string_equal(why, "exists");
	/* refusals do not count: two successful registrations per hour do */
	assert_int_equal(reg(&p, "10.0.0.1", "second", "long enough", why),
			 CF_OK);
	assert_int_equal(reg(&p, "10.0.0.1", "other", "long enough", why),
			 CF_DENIED);
	assert_prefix(why, "too many registrations");
	/* another address has its own allowance */
	assert_int_equal(reg(&p, "10.0.0.3", "other", "long enough", why),
			 CF_OK);
	/* a cell left by a deleted account is not handed to a stranger */
	snprintf(cell, sizeof(cell), "%s/ghost", t->dir);
	assert_int_equal(mkdir(cell, 0700), 0);
	assert_int_equal(reg(&p, "10.0.0.2", "ghost", "long enough", why),
			 CF_DENIED);
	assert_string_equal(why, "exists");
	/* the account cannot be written: the new cell goes again */
	snprintf(cell, sizeof(cell), "%s.tmp", t->path);
	assert_int_equal(mkdir(cell, 0700), 0);
	assert_int_equal(reg(&p, "10.0.0.2", "late", "long enough", why),
			 CF_ERROR);
	snprintf(cell, sizeof(cell), "%s/late", t->dir);
	assert_int_equal(access(cell, F_OK), -1);
	assert_int_equal(auth(&p, "late", "long enough", &id, why),
			 CF_DECLINED);
	plug_close(&p);
}

static int list_each(void *arg, const struct cf_account *a)
{
	struct cf_account *last = arg;

	if (strcmp(a->login, "eve") == 0)
		*last = *a;
	return 0;
}

static void auth_file_account_operations(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "users", t->path, "default_quota", "1G",
				 "registration", "admin" } };
	struct cf_account a = { .login = "eve",
				.flags = CF_ACCT_ADMIN | CF_ACCT_QUOTA_DEFAULT };
	struct cf_account root = { .login = "root2", .flags = CF_ACCT_ADMIN,
				   .quota_bytes = CF_UNLIMITED };
	struct cf_account seen;
	struct cf_identity id;
	struct plug p;
	char err[512], why[128], path[256];
	const struct cf_auth_ops *ops;

	if (!plug_try_open(&p, "auth/file/auth_file.so"))
		skip();
	ops = p.m->auth;
	fh_set_root(t->dir);
	write_file(t->path, "");
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_int_equal(ops->acct_add(p.st, &a, "first-pw", why, 128), CF_OK);
	assert_int_equal(ops->acct_add(p.st, &a, "first-pw", why, 128),
			 CF_DENIED);
	assert_string_equal(why, "exists");
	assert_int_equal(auth(&p, "eve", "first-pw", &id, why), CF_OK);
	assert_int_equal(id.is_admin, 1);
	assert_true(id.quota_bytes == 1ull << 30);
	assert_int_equal(ops->acct_passwd(p.st, "eve", "second-pw", why, 128),
			 CF_OK);
	assert_int_equal(auth(&p, "eve", "first-pw", &id, why), CF_DENIED);
	assert_int_equal(auth(&p, "eve", "second-pw", &id, why), CF_OK);
	assert_int_equal(ops->acct_passwd(p.st, "nobody", "second-pw", why,
					  128), CF_DECLINED);
	a.quota_bytes = 100ull << 20;
	a.flags = CF_ACCT_DISABLED;
	/* eve is the only admin: she cannot be disabled... */
	assert_int_equal(ops->acct_update(p.st, &a, why, 128), CF_DENIED);
	assert_prefix(why, "the last admin");
	assert_int_equal(ops->acct_del(p.st, "eve", 0, why, 128), CF_DENIED);
	assert_prefix(why, "the last admin");
	/* ...until there is another one */
	assert_int_equal(ops->acct_add(p.st, &root, "root2-pw", why, 128), CF_OK);
	assert_int_equal(ops->acct_update(p.st, &a, why, 128), CF_OK);
	assert_int_equal(auth(&p, "eve", "second-pw", &id, why), CF_DENIED);
	assert_string_equal(why, "account disabled");
	assert_int_equal(ops->acct_list(p.st, list_each, &seen), CF_OK);
	assert_true(seen.quota_bytes == 100ull << 20);
	assert_int_equal(seen.flags, CF_ACCT_DISABLED);
	assert_true(seen.last_login != 0);	/* eve logged in above */
	assert_prefix(peek_file(t->path), "eve:$y$");
	assert_non_null(strstr(peek_file(t->path), ":100M:disabled\n"));
	/* delete with the cell; a symlink inside it is not followed */
	snprintf(path, sizeof(path), "%s/keep", t->dir);
	write_file(path, "precious");
	snprintf(path, sizeof(path), "%s/eve/link", t->dir);
	assert_int_equal(symlink("../keep", path), 0);
	assert_int_equal(ops->acct_del(p.st, "eve", 1, why, 128), CF_OK);
	snprintf(path, sizeof(path), "%s/eve", t->dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/keep", t->dir);
	assert_string_equal(peek_file(path), "precious");
	assert_int_equal(auth(&p, "eve", "second-pw", &id, why), CF_DECLINED);
	assert_int_equal(ops->acct_del(p.st, "eve", 0, why, 128), CF_DECLINED);
	plug_close(&p);
}

/* ---- log_file.so ---- */

static const char *log_of(const struct tmp *t, const char *name)
{
	return peek_file_in(t->dir, name);
}

/*
 * Lines wait for the end of their batch and then leave in one write, in
 * order; a rotation (reopen) writes what came before it to the old file.
 */
static void log_file_writes_a_batch_at_its_end(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct cf_log_event ev;
	struct plug p;
	char err[512], p1[256], p2[256], path[16], *old;
	const char *now;
	int i;

	if (!plug_try_open(&p, "logging/file/log_file.so"))
		skip();
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	assert_non_null(p.m->log->flush);
	ev = ev_at(CF_EV_FILE, "alice");
	ev.action = "MKD";
	ev.result = 257;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/d%d", i);
		ev.path = path;
		p.m->log->event(p.st, &ev);
	}
	assert_string_equal(log_of(t, "files.log"), "");
	p.m->log->flush(p.st);
	now = log_of(t, "files.log");
	assert_non_null(now);
	assert_non_null(strstr(now, "path=/d0 "));
	assert_true(strstr(now, "path=/d0 ") < strstr(now, "path=/d1 "));
	assert_true(strstr(now, "path=/d1 ") < strstr(now, "path=/d2 "));
	ev.path = "/before-rotation";
	p.m->log->event(p.st, &ev);
	snprintf(p1, sizeof(p1), "%s/files.log", t->dir);
	snprintf(p2, sizeof(p2), "%s/files.log.1", t->dir);
	assert_int_equal(rename(p1, p2), 0);
	p.m->log->reopen(p.st);
	ev.path = "/after-rotation";
	plug_log_event(&p, &ev);
	old = read_file(p2);	/* a copy: log_of's text is overwritten */
	assert_non_null(strstr(old, "path=/before-rotation "));
	assert_null(strstr(old, "path=/after-rotation "));
	assert_non_null(strstr(log_of(t, "files.log"), "path=/after-rotation "));
	free(old);
	plug_close(&p);
}

static void log_file_refuses_a_folder_it_cannot_write(void **state)
{
	struct tmp *t = *state;
	char dir[200], err[1024], want[1024];
	struct cf_config c = { { "dir", dir } };
	struct cf_config fmt = { { "dir", t->dir, "format", "xml" } };
	struct plug p;

	if (!plug_try_open(&p, "logging/file/log_file.so"))
		skip();
	assert_string_equal(p.m->name, "log_file");
	snprintf(dir, sizeof(dir), "%s/missing", t->dir);
	assert_int_not_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "test.conf:2: log_file: cannot write "
		 "in %s: cannot open %s/connections.log: %s", dir, dir,
		 strerror(ENOENT));
	assert_string_equal(err, want);
	assert_int_not_equal(plug_init(&p, &fmt, err, sizeof(err)), 0);
	assert_prefix(err, "test.conf:2: log_file: format must be");
	plug_close(&p);
}

static void log_file_writes_one_line_per_event(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir } };
	struct cf_log_event ev;
	struct plug p;
	struct stat st;
	char err[512], p1[256], p2[256];

	if (!plug_try_open(&p, "logging/file/log_file.so"))
		skip();
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	ev = ev_at(CF_EV_FILE, "alice");
	ev.action = "MKD";
	ev.path = "/a b";
	ev.result = 257;
	plug_log_event(&p, &ev);
	ev.action = "DELE";
	ev.path = "/x\n2026-01-01T00:00:00.000Z sid=1 user=root \"q\"\x01";
	ev.result = 250;
	plug_log_event(&p, &ev);
	assert_string_equal(log_of(t, "files.log"),
		"2026-11-24T04:06:18.123Z sid=12 client=127.0.0.1:51234 "
		"user=alice event=MKD path=\"/a b\" result=257\n"
		"2026-11-24T04:06:18.123Z sid=12 client=127.0.0.1:51234 "
		"user=alice event=DELE path=\"/x\\n2026-01-01T00:00:00.000Z "
		"sid=1 user=root \\\"q\\\"\\x01\" result=250\n");
	ev = ev_at(CF_EV_LOGIN_FAIL, NULL);
	ev.client_addr = "::1";
	ev.detail = "wrong password";
	plug_log_event(&p, &ev);
	assert_string_equal(log_of(t, "auth.log"),
		"2026-11-24T04:06:18.123Z sid=12 client=[::1]:51234 user=- "
		"event=LOGIN_FAIL reason=\"wrong password\"\n");
	ev = ev_at(CF_EV_DISCONNECT, "bob");
	ev.bytes_in = 10;
	ev.bytes_out = 20;
	ev.duration_ms = 1500;
	plug_log_event(&p, &ev);
	assert_non_null(strstr(log_of(t, "connections.log"),
		"event=DISCONNECT bytes_in=10 bytes_out=20 duration_ms=1500\n"));
	ev = ev_at(CF_EV_COMMAND, "bob");	/* not logged in this version */
	ev.action = "PASS";
	plug_log_event(&p, &ev);
	ev = ev_at(CF_EV_ADMIN, "root");
	ev.action = "USERDEL";
	plug_log_event(&p, &ev);
	assert_non_null(strstr(log_of(t, "admin.log"),
			       "user=root event=ADMIN action=USERDEL\n"));
	assert_string_equal(log_of(t, "server.log"), "");
	/* logrotate: move the file away, reopen, write to a new one */
	snprintf(p1, sizeof(p1), "%s/files.log", t->dir);
	snprintf(p2, sizeof(p2), "%s/files.log.1", t->dir);
	assert_int_equal(rename(p1, p2), 0);
	p.m->log->reopen(p.st);
	ev = ev_at(CF_EV_TRANSFER, "alice");
	ev.action = "RETR";
	ev.path = "/big";
	ev.bytes = 42;
	ev.direction = 'o';
	ev.complete = 1;
	plug_log_event(&p, &ev);
	assert_string_equal(log_of(t, "files.log"),
		"2026-11-24T04:06:18.123Z sid=12 client=127.0.0.1:51234 "
		"user=alice event=RETR path=/big bytes=42 direction=o type=b "
		"complete=yes duration_ms=0\n");
	assert_int_equal(stat(p1, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	plug_close(&p);
}

static void log_file_json_lines(void **state)
{
	struct tmp *t = *state;
	struct cf_config c = { { "dir", t->dir, "format", "json" } };
	struct cf_log_event ev;
	struct plug p;
	char err[512];

	if (!plug_try_open(&p, "logging/file/log_file.so"))
		skip();
	assert_int_equal(plug_init(&p, &c, err, sizeof(err)), 0);
	ev = ev_at(CF_EV_FILE, "alice");
	ev.action = "MKD";
	ev.path = "/a \"b\"\n\xc3\xa9\xff";
	ev.result = 257;
	plug_log_event(&p, &ev);
	assert_string_equal(log_of(t, "files.log"),
		"{\"time\":\"2026-11-24T04:06:18.123Z\",\"sid\":12,"
		"\"client\":\"127.0.0.1:51234\",\"user\":\"alice\","
		"\"event\":\"MKD\",\"path\":\"/a \\\"b\\\"\\n\xc3\xa9\\ufffd\","
		"\"result\":257}\n");
	plug_close(&p);
}

/* ---- cellftpd-user, end to end ---- */

static int cli(const struct tmp *t, const char *input, const char *args)
{
	const char *root = getenv("CELLFTPD_BUILD_ROOT");
	char cmd[1024];
	int st;

	snprintf(cmd, sizeof(cmd), "printf '%s' | %s/tools/cellftpd-user "
		 "-c %s/cellftpd.conf %s >%s/out 2>%s/err", input, root,
		 t->dir, args, t->dir, t->dir);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void cellftpd_user_end_to_end(void **state)
{
	struct tmp *t = *state;
	const char *root = getenv("CELLFTPD_BUILD_ROOT");
	struct users_db db;
	struct stat st;
	char p[256], err[256];

	snprintf(p, sizeof(p), "%s/tools/cellftpd-user", root ? root : ".");
	if (root == NULL || access(p, X_OK) != 0)
		skip();
	snprintf(p, sizeof(p), "%s/cells", t->dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/cellftpd.conf", t->dir);
	write_file(p, "server: { listen = [ \"127.0.0.1:2121\" ]; "
		 "root = \"cells\"; };\n"
		 "modules: { load = ( { name = \"auth_file\"; "
		 "users = \"users\"; default_quota = \"1G\"; } ); };\n");
	assert_int_equal(cli(t, "secret-one\\n", "add bob"), 0);
	snprintf(p, sizeof(p), "%s/cells/bob", t->dir);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(cli(t, "secret-one\\n", "add bob"), 1);
	assert_non_null(strstr(log_of(t, "err"), "login \"bob\" exists"));
	assert_int_equal(cli(t, "short\\n", "add carl"), 1);
	assert_non_null(strstr(log_of(t, "err"), "weak password"));
	assert_int_equal(cli(t, "", "add carl"), 1);
	assert_non_null(strstr(log_of(t, "err"), "empty password"));
	assert_int_equal(cli(t, "secret-two\\n", "add root --admin "
			     "--quota 2G"), 0);
	assert_int_equal(cli(t, "", "quota bob 500M"), 0);
	assert_int_equal(cli(t, "", "disable root"), 0);
	assert_int_equal(cli(t, "", "list"), 0);
	assert_string_equal(log_of(t, "out"),
		"LOGIN  QUOTA             FLAGS\n"
		"bob    500M              -\n"
		"root   2G                admin,disabled\n");
	assert_int_equal(cli(t, "", "quota bob default"), 0);
	assert_int_equal(cli(t, "", "enable root"), 0);
	assert_int_equal(cli(t, "", "list"), 0);
	assert_non_null(strstr(log_of(t, "out"), "bob    1G (default)      -\n"
			       "root   2G                admin\n"));
	assert_int_equal(cli(t, "secret-three\\n", "passwd bob"), 0);
	snprintf(p, sizeof(p), "%s/users", t->dir);
	assert_int_equal(users_load(&db, p, 0, err, sizeof(err)), 0);
	assert_int_equal(users_verify("secret-three", users_find(&db,
							   "bob")->hash), 1);
	users_free(&db);
	assert_int_equal(cli(t, "", "del bob --remove-cell"), 0);
	snprintf(p, sizeof(p), "%s/cells/bob", t->dir);
	assert_int_equal(access(p, F_OK), -1);
	assert_int_equal(cli(t, "", "del bob"), 1);
	assert_non_null(strstr(log_of(t, "err"), "no such user \"bob\""));
	assert_int_equal(cli(t, "x\\n", "passwd nobody"), 1);
	assert_int_equal(cli(t, "", "quota root lots"), 2);
	assert_int_equal(cli(t, "", "frobnicate"), 2);
	assert_int_equal(cli(t, "", "add"), 2);
	assert_int_equal(cli(t, "", "del root --force"), 2);
	assert_int_equal(cli(t, "secret-one\\n", "add ../etc"), 1);
	assert_prefix(log_of(t, "err"), "cellftpd-user: invalid login");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, tmp_setup, tmp_teardown)
		T(load_reads_every_field),
		T(load_missing_file_is_empty_only_when_allowed),
		T(load_errors_name_path_and_line),
		T(format_writes_what_load_reads),
		T(login_validation_table),
		T(add_find_remove_keep_the_index_sorted),
		T(save_then_load_round_trips),
		T(comments_are_kept_and_go_with_their_account),
		T(save_keeps_owner_group_and_mode),
		T(new_file_is_0640_with_the_chosen_group),
		T(failed_save_leaves_the_old_file_intact),
		T(stale_temp_file_from_a_crash_is_replaced),
		T(save_through_a_symlink_replaces_its_target),
		T(changed_notices_a_rewrite),
		T(lock_excludes_a_second_locker),
		T(hash_and_verify),
		T(remove_tree_never_follows_symlinks),
		T(auth_file_init_refuses_bad_settings),
		T(auth_file_authenticates_and_rereads),
		T(auth_file_registration_policy),
		T(auth_file_account_operations),
		T(log_file_refuses_a_folder_it_cannot_write),
		T(log_file_writes_one_line_per_event),
		T(log_file_writes_a_batch_at_its_end),
		T(log_file_json_lines),
		T(cellftpd_user_end_to_end),
#undef T
	};

	/* the fake host puts every key on line 2 of test.conf */
	fh_set_key_line(2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
