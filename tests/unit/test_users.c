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

#include <dlfcn.h>
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

struct tmp {
	char dir[64];
	char path[128];		/* dir/users */
};

static int tmp_setup(void **state)
{
	struct tmp *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return -1;
	strcpy(t->dir, "/tmp/test_users.XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/users", t->dir);
	*state = t;
	return 0;
}

static int tmp_teardown(void **state)
{
	struct tmp *t = *state;
	char err[256];

	chmod(t->dir, 0700);
	if (users_remove_tree(AT_FDCWD, t->dir, err, sizeof(err)) != 0)
		fprintf(stderr, "teardown: %s\n", err);
	free(t);
	return 0;
}

static void put_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static char *get_file(const char *path)
{
	static char buf[65536];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

#define HASH "$y$j9T$abcdefghijklmnopqrstu.$0123456789012345678901234567890123456789012"

/* ---- parsing ---- */

static void load_reads_every_field(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	struct users_entry *e;
	char err[256];

	put_file(t->path, "# accounts\n\n"
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
		put_file(t->path, text);
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
	assert_string_equal(get_file(t->path), "zed:" HASH ":-:-\n"
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

	put_file(t->path, text);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_string_equal(get_file(t->path), text);
	assert_int_equal(users_remove(&db, "bob"), 0);
	assert_int_equal(users_remove(&db, "carl"), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_string_equal(get_file(t->path),
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

	put_file(t->path, "bob:" HASH ":-:-\n");
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

	put_file(t->path, old);
	assert_int_equal(users_load(&db, t->path, 0, err, sizeof(err)), 0);
	assert_int_equal(users_remove(&db, "bob"), 0);
	/* works as root too: nothing may replace a directory at the name */
	snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "cannot create %s: %s", tmp,
		 strerror(EEXIST));
	assert_string_equal(err, want);
	assert_string_equal(get_file(t->path), old);
	assert_int_equal(stat(tmp, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(rmdir(tmp), 0);
	if (geteuid() != 0) {		/* a read-only folder stops it too */
		assert_int_equal(chmod(t->dir, 0500), 0);
		assert_int_equal(users_save(&db, t->path, err, sizeof(err)),
				 -1);
		assert_string_equal(get_file(t->path), old);
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
	put_file(tmp, "half a li");
	memset(&db, 0, sizeof(db));
	assert_int_equal(users_save(&db, t->path, err, sizeof(err)), 0);
	assert_int_equal(access(tmp, F_OK), -1);
	assert_string_equal(get_file(t->path), "");
}

static void save_through_a_symlink_replaces_its_target(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256], real[160], link[160];
	struct stat st;

	snprintf(real, sizeof(real), "%s/real", t->dir);
	snprintf(link, sizeof(link), "%s/link", t->dir);
	put_file(real, "bob:" HASH ":-:-\n");
	assert_int_equal(symlink("real", link), 0);
	assert_int_equal(users_load(&db, link, 0, err, sizeof(err)), 0);
	assert_int_equal(users_remove(&db, "bob"), 0);
	assert_int_equal(users_save(&db, link, err, sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_string_equal(get_file(real), "");
	users_free(&db);
}

static void changed_notices_a_rewrite(void **state)
{
	struct tmp *t = *state;
	struct users_db db;
	char err[256];

	put_file(t->path, "bob:" HASH ":-:-\n");
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
	char err[256], lockpath[160], c;
	int fd, pfd[2], status;
	pid_t pid;

	fd = users_lock(t->path, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int lfd, r;

		close(pfd[0]);
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
	assert_true(wait_byte(pfd[0], 5000, &c));
	assert_int_equal(c, 'B');		/* try-lock was refused */
	assert_false(wait_byte(pfd[0], 300, &c));	/* still waiting */
	users_unlock(fd);
	assert_true(wait_byte(pfd[0], 5000, &c));
	assert_int_equal(c, 'L');		/* got it once released */
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(pfd[0]);
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
	put_file(p, "precious");
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/cell/a", t->dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/cell/a/b", t->dir);
	assert_int_equal(mkdir(p, 0500), 0);	/* read-only inside */
	snprintf(p, sizeof(p), "%s/cell/a/file", t->dir);
	put_file(p, "x");
	snprintf(p, sizeof(p), "%s/cell/a/to-dir", t->dir);
	assert_int_equal(symlink("../../outside", p), 0);
	snprintf(p, sizeof(p), "%s/cell/to-file", t->dir);
	assert_int_equal(symlink("../outside/keep", p), 0);
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/outside/keep", t->dir);
	assert_string_equal(get_file(p), "precious");
	/* a missing cell is not an error; a symlinked cell loses only the link */
	snprintf(p, sizeof(p), "%s/cell", t->dir);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	assert_int_equal(symlink("outside", p), 0);
	assert_int_equal(users_remove_tree(AT_FDCWD, p, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/outside/keep", t->dir);
	assert_string_equal(get_file(p), "precious");
}

#include "test_users_plugins.inc"

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
		PLUGIN_TESTS
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
