/*
 * Listings as clients see them: exact LIST, NLST, MLSD and MLST output for
 * a small tree with fixed times, symlinks shown as what they resolve to in
 * the cell, and never a real path or a link target in any of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfs/vfs.h"
#include "tutil.h"

#define NOW	1700000000	/* 2023-11-14 22:13:20 UTC */
#define DAY	86400

struct tree {
	char top[64];
	char cell[128];
	int root_fd;
};

/* Fixture ---------------------------------------------------------------- */

static void mk(const struct tree *t, const char *rel, const char *text,
	       mode_t mode, time_t mtime)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { mtime, 0 } };
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", t->cell, rel);
	if (text != NULL) {
		fd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, text, strlen(text)),
				 (ssize_t)strlen(text));
		assert_int_equal(close(fd), 0);
	} else {
		assert_int_equal(mkdir(p, 0700), 0);
	}
	assert_int_equal(chmod(p, mode), 0);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
}

static void set_mtime(const struct tree *t, const char *rel, time_t mtime)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { mtime, 0 } };
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", t->cell, rel);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static void mk_link(const struct tree *t, const char *rel, const char *target,
		    time_t mtime)
{
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { mtime, 0 } };
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", t->cell, rel);
	assert_int_equal(symlink(target, p), 0);
	assert_int_equal(utimensat(AT_FDCWD, p, ts, AT_SYMLINK_NOFOLLOW), 0);
}

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char p[PATH_MAX], secret[PATH_MAX];
	int fd;

	assert_non_null(t);
	tmp_make(t->top, sizeof(t->top), "/tmp/cellftpd-list-XXXXXX");
	snprintf(p, sizeof(p), "%s/outside", t->top);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(secret, sizeof(secret), "%s/outside/secret", t->top);
	fd = open(secret, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	snprintf(t->cell, sizeof(t->cell), "%s/cell", t->top);
	assert_int_equal(mkdir(t->cell, 0755), 0);

	mk(t, "a.txt", "abc", 0644, NOW - DAY);
	mk(t, "Z.txt", "zz", 0600, NOW - 365 * DAY);
	mk(t, "b_dir", NULL, 0755, 1600000000);
	mk(t, "b_dir/inside", "1", 0644, NOW - DAY);
	set_mtime(t, "b_dir", 1600000000);	/* "inside" touched it */
	mk(t, ".hidden", "h", 0644, NOW - 60);
	mk(t, "ro.txt", "", 0444, NOW + 1800);
	mk(t, "fut.txt", "four", 0644, NOW + 7200);
	mk(t, "noexec_dir", NULL, 0600, NOW - 3600);
	mk(t, "ro_dir", NULL, 0555, NOW - 30 * DAY);
	mk(t, "s.bin", "", 04754, NOW - DAY);
	mk(t, "wo.txt", "", 0200, NOW - DAY);
	mk(t, "evil\r\n-rw-r--r-- 1 x x 0 Jan 01 00:00 forged", "", 0644, NOW);
	mk_link(t, "link_in", "a.txt", NOW - 120);
	mk_link(t, "link_dir", "/b_dir", NOW - 120);
	mk_link(t, "link_out", secret, NOW - 120);
	/* Directory mtimes last: creating entries changed them. */
	mk(t, "edge", NULL, 0755, NOW);
	mk(t, "edge/old", "", 0644, NOW - 15778476);
	mk(t, "edge/recent", "", 0644, NOW - 15778475);
	mk(t, "edge/soon", "", 0644, NOW + 3600);
	mk(t, "edge/later", "", 0644, NOW + 3601);
	set_mtime(t, "edge", NOW);
	set_mtime(t, ".", NOW - 10);
	t->root_fd = open(t->cell, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(t->root_fd >= 0);
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;

	close(t->root_fd);
	tmp_remove(t->top);
	free(t);
	return 0;
}

/* Helpers ------------------------------------------------------------------ */

static struct stat st_of(const struct tree *t, const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", t->cell, rel);
	assert_int_equal(lstat(p, &st), 0);
	return st;
}

/* The unique fact's value for a real entry, from the test's own lstat. */
static const char *uniq(const struct tree *t, const char *rel, char *s)
{
	struct stat st = st_of(t, rel);

	sprintf(s, "%llxU%llx", (unsigned long long)st.st_dev,
		(unsigned long long)st.st_ino);
	return s;
}

/* Runs a listing and checks it gives away nothing about the real tree. */
static void list(const struct tree *t, const char *vpath,
		 enum vfs_list_fmt fmt, int all, size_t max, struct buf *out)
{
	struct vfs_list_opts o = { .all = all, .now = NOW,
				   .max_entries = max };

	buf_init(out, 0);
	assert_int_equal(vfs_list(t->root_fd, vpath, fmt, &o, out), 0);
	assert_non_null(out->p);
	assert_null(strstr(out->p, t->top));
	assert_null(strstr(out->p, "outside"));
	assert_null(strstr(out->p, "->"));
	assert_null(strstr(out->p, "forged"));
	assert_null(strstr(out->p, "root"));
}

/* The listing of vpath is exactly want. */
static void listing_is(const struct tree *t, const char *vpath,
		       enum vfs_list_fmt fmt, int all, size_t max,
		       const char *want)
{
	struct buf out;

	list(t, vpath, fmt, all, max, &out);
	assert_string_equal(out.p, want);
	buf_free(&out);
}

/* "drwx... N ftp ftp SIZE": a directory's link count and size vary by fs. */
static void dir_cols(const struct tree *t, const char *rel, char *s)
{
	struct stat st = st_of(t, rel);

	sprintf(s, "%4lu ftp      ftp      %8lld", (unsigned long)st.st_nlink,
		(long long)st.st_size);
}

/* LIST -------------------------------------------------------------------- */

static void test_list_ls_exact(void **state)
{
	struct tree *t = *state;
	char want[4096], b[64], e[64], n[64], r[64];

	dir_cols(t, "b_dir", b);
	dir_cols(t, "edge", e);
	dir_cols(t, "noexec_dir", n);
	dir_cols(t, "ro_dir", r);
	snprintf(want, sizeof(want),
"-rw-------    1 ftp      ftp             2 Nov 14  2022 Z.txt\r\n"
"-rw-r--r--    1 ftp      ftp             3 Nov 13 22:13 a.txt\r\n"
"drwxr-xr-x %s Sep 13  2020 b_dir\r\n"
"drwxr-xr-x %s Nov 14 22:13 edge\r\n"
"-rw-r--r--    1 ftp      ftp             4 Nov 15  2023 fut.txt\r\n"
"drwxr-xr-x %s Sep 13  2020 link_dir\r\n"
"-rw-r--r--    1 ftp      ftp             3 Nov 13 22:13 link_in\r\n"
"lrwxrwxrwx    1 ftp      ftp             0 Nov 14 22:11 link_out\r\n"
"drw------- %s Nov 14 21:13 noexec_dir\r\n"
"-r--r--r--    1 ftp      ftp             0 Nov 14 22:43 ro.txt\r\n"
"dr-xr-xr-x %s Oct 15 22:13 ro_dir\r\n"
"-rwsr-xr--    1 ftp      ftp             0 Nov 13 22:13 s.bin\r\n"
"--w-------    1 ftp      ftp             0 Nov 13 22:13 wo.txt\r\n",
		 b, e, b, n, r);
	listing_is(t, "/", VFS_LIST_LS, 0, 0, want);
}

static void test_list_ls_all_shows_dot_files_but_never_dot_entries(void **state)
{
	static const char head[] =
"-rw-r--r--    1 ftp      ftp             1 Nov 14 22:12 .hidden\r\n"
"-rw-------    1 ftp      ftp             2 Nov 14  2022 Z.txt\r\n";
	struct tree *t = *state;
	struct buf out;

	list(t, "/", VFS_LIST_LS, 1, 0, &out);
	assert_int_equal(strncmp(out.p, head, strlen(head)), 0);
	assert_null(strstr(out.p, " .\r\n"));
	assert_null(strstr(out.p, " ..\r\n"));
	buf_free(&out);

	list(t, "/", VFS_LIST_LS, 0, 0, &out);
	assert_null(strstr(out.p, ".hidden"));
	buf_free(&out);
}

static void test_list_ls_date_window_is_six_months_back_one_hour_ahead(
	void **state)
{
	struct tree *t = *state;

	listing_is(t, "/edge", VFS_LIST_LS, 0, 0,
"-rw-r--r--    1 ftp      ftp             0 Nov 14  2023 later\r\n"
"-rw-r--r--    1 ftp      ftp             0 May 16  2023 old\r\n"
"-rw-r--r--    1 ftp      ftp             0 May 16 07:18 recent\r\n"
"-rw-r--r--    1 ftp      ftp             0 Nov 14 23:13 soon\r\n");
}

/* Columns wider than their minimum, as ls and printf widen them. */
static void test_list_ls_wide_columns(void **state)
{
	static const char want[] =
"-rw-r--r--    1 ftp      ftp      123456789012 Jan 01  1970 big\r\n";
	struct tree *t = *state;
	char dir[256], p[PATH_MAX];
	struct stat cell;

	/* the cell's own mtime is in other tests' MLSD: put it back after */
	assert_int_equal(stat(t->cell, &cell), 0);
	snprintf(dir, sizeof(dir), "%s/wide", t->cell);
	snprintf(p, sizeof(p), "%s/big", dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	put_file(AT_FDCWD, p, 123456789012LL);	/* sparse */
	set_mtime(t, "wide/big", 0);
	listing_is(t, "/wide", VFS_LIST_LS, 0, 0, want);
	tmp_remove(dir);
	set_mtime(t, ".", cell.st_mtime);
}

/* A listing large enough to be stat'ed on two threads keeps its order,
 * every entry and each entry's own size. */
static void test_list_large_keeps_order_and_entries(void **state)
{
	enum { N = 1500 };
	struct tree *t = *state;
	char dir[256], p[PATH_MAX], want[128];
	struct stat cell;
	struct buf out;
	const char *line;
	int i;

	assert_int_equal(stat(t->cell, &cell), 0);
	snprintf(dir, sizeof(dir), "%s/many", t->cell);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%s/f%04d", dir, i);
		put_file(AT_FDCWD, p, i);	/* size names the file */
	}
	list(t, "/many", VFS_LIST_LS, 0, 0, &out);
	line = out.p;
	for (i = 0; i < N; i++) {
		snprintf(want, sizeof(want), " %8d ", i);
		assert_non_null(strstr(line, want));
		snprintf(want, sizeof(want), " f%04d\r\n", i);
		line = strstr(line, want);
		assert_non_null(line);
		line += strlen(want);
	}
	assert_string_equal(line, "");
	buf_free(&out);
	tmp_remove(dir);
	set_mtime(t, ".", cell.st_mtime);
}

static int lines(const char *listing)
{
	int n = 0;

	for (const char *s = listing; (s = strstr(s, "\r\n")) != NULL; s += 2)
		n++;
	return n;
}

/* The size column of the line for `name`; -1 when there is none. */
static long long size_of_line(const char *listing, const char *name)
{
	char want[64];
	const char *end, *start;
	long long size;

	snprintf(want, sizeof(want), " %s\r\n", name);
	end = strstr(listing, want);
	if (end == NULL)
		return -1;
	for (start = end; start > listing && start[-1] != '\n'; start--)
		;
	/* "mode nlink ftp ftp size Mon dd HH:MM name": size is field 5 */
	return sscanf(start, "%*s %*s %*s %*s %lld", &size) == 1 ? size : -2;
}

/*
 * A directory read in many chunks while a helper thread resolves them:
 * links are followed inside the cell on either thread, links that leave
 * it stay dangling, dot files show only with -a, and every entry shows
 * once, in order.
 */
static void test_list_large_with_links_and_dot_files(void **state)
{
	enum { N = 1200 };
	struct tree *t = *state;
	char dir[256], p[PATH_MAX], name[32], target[64];
	struct stat cell;
	struct buf out, all;
	const char *prev;
	int i;

	assert_int_equal(stat(t->cell, &cell), 0);
	snprintf(dir, sizeof(dir), "%s/mixed", t->cell);
	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < N; i++) {
		snprintf(p, sizeof(p), "%s/%sm%04d", dir, i % 10 == 9 ? "." : "", i);
		if (i % 3 == 1) {	/* a link to the file before it */
			snprintf(target, sizeof(target), i % 30 == 1 ?
				 "/mixed/%sm%04d" : "%sm%04d",
				 (i - 1) % 10 == 9 ? "." : "", i - 1);
			assert_int_equal(symlink(target, p), 0);
		} else if (i % 3 == 2) {	/* a link out of the cell */
			assert_int_equal(symlink("../../../../outside", p), 0);
		} else {
			put_file(AT_FDCWD, p, 100 + i);
		}
	}
	list(t, "/mixed", VFS_LIST_LS, 0, 0, &out);
	list(t, "/mixed", VFS_LIST_LS, 1, 0, &all);
	prev = NULL;
	for (i = 0; i < N; i++) {
		long long want = i % 3 == 0 ? 100 + i : i % 3 == 1 ? 99 + i : 0;
		const char *at;

		snprintf(name, sizeof(name), "%sm%04d", i % 10 == 9 ? "." : "", i);
		assert_int_equal(size_of_line(all.p, name), want);
		assert_int_equal(size_of_line(out.p, name),
				 i % 10 == 9 ? -1 : want);
		if (i % 10 != 9) {	/* in order: m0000 first */
			at = strstr(out.p, name);
			assert_true(at != NULL && (prev == NULL || at > prev));
			prev = at;
		}
	}
	assert_int_equal(lines(all.p), N);
	assert_int_equal(lines(out.p), N - N / 10);
	buf_free(&out);
	buf_free(&all);
	tmp_remove(dir);
	set_mtime(t, ".", cell.st_mtime);
}

static void test_list_of_a_file_lists_that_file(void **state)
{
	struct tree *t = *state;

	listing_is(t, "/a.txt", VFS_LIST_LS, 0, 0,
"-rw-r--r--    1 ftp      ftp             3 Nov 13 22:13 a.txt\r\n");
	listing_is(t, "/link_in", VFS_LIST_LS, 0, 0,
"-rw-r--r--    1 ftp      ftp             3 Nov 13 22:13 link_in\r\n");
	listing_is(t, "/b_dir/inside", VFS_LIST_NLST, 0, 0, "inside\r\n");
	/* A directory reached through a link lists its entries. */
	listing_is(t, "/link_dir", VFS_LIST_NLST, 0, 0, "inside\r\n");
}

static void test_list_errors(void **state)
{
	struct tree *t = *state;
	struct vfs_list_opts o = { .now = NOW };
	struct buf out;

	buf_init(&out, 0);
	assert_int_equal(vfs_list(t->root_fd, "/nope", VFS_LIST_LS, &o, &out),
			 -ENOENT);
	assert_int_equal(vfs_list(t->root_fd, "/link_out", VFS_LIST_LS, &o,
				  &out), -ENOENT);
	assert_int_equal(vfs_list(t->root_fd, "/a.txt", VFS_LIST_MLSD, &o,
				  &out), -ENOTDIR);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	/* A buffer with a ceiling it cannot hold: reported, not truncated. */
	buf_init(&out, 64);
	assert_int_equal(vfs_list(t->root_fd, "/", VFS_LIST_LS, &o, &out),
			 -ENOMEM);
	buf_free(&out);
	/* NULL options: defaults, no dot files. */
	buf_init(&out, 0);
	assert_int_equal(vfs_list(t->root_fd, "/b_dir", VFS_LIST_NLST, NULL,
				  &out), 0);
	assert_string_equal(out.p, "inside\r\n");
	buf_free(&out);
}

/* NLST -------------------------------------------------------------------- */

static void test_nlst_exact(void **state)
{
	static const char names[] =
		"Z.txt\r\na.txt\r\nb_dir\r\nedge\r\nfut.txt\r\nlink_dir\r\n"
		"link_in\r\nlink_out\r\nnoexec_dir\r\nro.txt\r\nro_dir\r\n"
		"s.bin\r\nwo.txt\r\n";
	struct tree *t = *state;
	struct buf out;

	listing_is(t, "/", VFS_LIST_NLST, 0, 0, names);
	list(t, "/", VFS_LIST_NLST, 1, 0, &out);
	assert_string_equal(out.p + strlen(".hidden\r\n"), names);
	assert_memory_equal(out.p, ".hidden\r\n", 9);
	buf_free(&out);
}

/*
 * A directory of many getdents64 reads: every seventh name a dot file,
 * every fifth long (names of any length are kept alike), in index order
 * whatever the tail.
 */
enum { BIG_N = 3000 };

static void big_name(int i, char *name, size_t len)
{
	int n = snprintf(name, len, "%sn%04d", i % 7 == 3 ? "." : "", i);

	assert_true(n > 0 && (size_t)n + 201 <= len);
	if (i % 5 == 0) {
		memset(name + n, 'x', 200);
		name[n + 200] = '\0';
	}
}

static void big_dir(const char *dir)
{
	char p[PATH_MAX], name[256];
	int i;

	assert_int_equal(mkdir(dir, 0700), 0);
	for (i = 0; i < BIG_N; i++) {
		big_name(i, name, sizeof(name));
		snprintf(p, sizeof(p), "%s/%s", dir, name);
		put_file(AT_FDCWD, p, 0);
	}
}

/* The big directory's NLST; with `all` its dot files, first ('.' < 'n'). */
static void big_nlst(struct buf *want, int all)
{
	char name[256];
	int dots, i;

	buf_init(want, 0);
	for (dots = all; dots >= 0; dots--)
		for (i = 0; i < BIG_N; i++) {
			big_name(i, name, sizeof(name));
			if ((name[0] == '.') == dots)
				buf_printf(want, "%s\r\n", name);
		}
}

/* Names only, read in many chunks: every shown name once, in order. */
static void test_nlst_large_lists_every_name_once_in_order(void **state)
{
	struct tree *t = *state;
	char dir[256];
	struct stat cell;
	struct buf want;

	assert_int_equal(stat(t->cell, &cell), 0);
	snprintf(dir, sizeof(dir), "%s/big", t->cell);
	big_dir(dir);
	big_nlst(&want, 0);
	listing_is(t, "/big", VFS_LIST_NLST, 0, 0, want.p);
	buf_free(&want);
	big_nlst(&want, 1);
	listing_is(t, "/big", VFS_LIST_NLST, 1, 0, want.p);
	buf_free(&want);
	tmp_remove(dir);
	set_mtime(t, ".", cell.st_mtime);
}

/* A capped LIST of many chunks, stat'ed one entry at a time: the first. */
static void test_max_entries_caps_a_large_listing(void **state)
{
	enum { MAX = BIG_N / 2 };
	struct tree *t = *state;
	char dir[256], name[256], want[300];
	const char *line;
	struct stat cell;
	struct buf out;
	int i, shown = 0;

	assert_int_equal(stat(t->cell, &cell), 0);
	snprintf(dir, sizeof(dir), "%s/big", t->cell);
	big_dir(dir);
	list(t, "/big", VFS_LIST_LS, 0, MAX, &out);
	line = out.p;
	for (i = 0; shown < MAX; i++) {
		big_name(i, name, sizeof(name));
		if (name[0] == '.')
			continue;
		snprintf(want, sizeof(want), " %s\r\n", name);
		line = strstr(line, want);
		assert_non_null(line);
		line += strlen(want);
		shown++;
	}
	assert_string_equal(line, "");
	assert_int_equal(lines(out.p), MAX);
	buf_free(&out);
	tmp_remove(dir);
	set_mtime(t, ".", cell.st_mtime);
}

static void test_max_entries_stops_a_listing(void **state)
{
	struct tree *t = *state;
	char want[512], u[64];
	struct buf out;

	listing_is(t, "/", VFS_LIST_NLST, 0, 2, "Z.txt\r\na.txt\r\n");
	listing_is(t, "/", VFS_LIST_LS, 1, 1,
"-rw-r--r--    1 ftp      ftp             1 Nov 14 22:12 .hidden\r\n");
	/* MLSD: the cdir line is not an entry. */
	list(t, "/b_dir", VFS_LIST_MLSD, 0, 1, &out);
	snprintf(want, sizeof(want), "type=file;size=1;modify=20231113221320;"
		 "perm=adfrw;unique=%s; inside\r\n", uniq(t, "b_dir/inside", u));
	assert_non_null(strstr(out.p, want));
	assert_memory_equal(out.p, "type=cdir;", 10);
	buf_free(&out);
}

/* MLSD / MLST ------------------------------------------------------------- */

static void test_mlsd_exact(void **state)
{
	struct tree *t = *state;
	char u[15][64];
	struct buf want;

	buf_init(&want, 0);
	buf_printf(&want,
"type=cdir;modify=20231114221310;perm=flcmpe;unique=%s; .\r\n"
"type=file;size=1;modify=20231114221220;perm=adfrw;unique=%s; .hidden\r\n"
"type=file;size=2;modify=20221114221320;perm=adfrw;unique=%s; Z.txt\r\n"
"type=file;size=3;modify=20231113221320;perm=adfrw;unique=%s; a.txt\r\n"
"type=dir;modify=20200913122640;perm=flcdmpe;unique=%s; b_dir\r\n"
"type=dir;modify=20231114221320;perm=flcdmpe;unique=%s; edge\r\n"
"type=file;size=4;modify=20231115001320;perm=adfrw;unique=%s; fut.txt\r\n"
"type=dir;modify=20200913122640;perm=flcdmpe;unique=%s; link_dir\r\n"
"type=file;size=3;modify=20231113221320;perm=adfrw;unique=%s; link_in\r\n"
"type=OS.unix=symlink;modify=20231114221120;perm=df;unique=%s; link_out\r\n"
"type=dir;modify=20231114211320;perm=flcdmp;unique=%s; noexec_dir\r\n"
"type=file;size=0;modify=20231114224320;perm=r;unique=%s; ro.txt\r\n"
"type=dir;modify=20231015221320;perm=le;unique=%s; ro_dir\r\n"
"type=file;size=0;modify=20231113221320;perm=adfrw;unique=%s; s.bin\r\n"
"type=file;size=0;modify=20231113221320;perm=adfw;unique=%s; wo.txt\r\n",
		   uniq(t, ".", u[0]), uniq(t, ".hidden", u[1]),
		   uniq(t, "Z.txt", u[2]), uniq(t, "a.txt", u[3]),
		   uniq(t, "b_dir", u[4]), uniq(t, "edge", u[5]),
		   uniq(t, "fut.txt", u[6]), u[4], u[3],
		   uniq(t, "link_out", u[9]), uniq(t, "noexec_dir", u[10]),
		   uniq(t, "ro.txt", u[11]), uniq(t, "ro_dir", u[12]),
		   uniq(t, "s.bin", u[13]), uniq(t, "wo.txt", u[14]));
	/* MLSD shows dot files whatever `all` says. */
	listing_is(t, "/", VFS_LIST_MLSD, 0, 0, want.p);
	buf_free(&want);
}

static void mlst_is(const struct tree *t, const char *vpath, const char *want)
{
	struct buf out;

	buf_init(&out, 0);
	assert_int_equal(vfs_mlst(t->root_fd, vpath, vpath, 0, &out), 0);
	assert_string_equal(out.p, want);
	assert_null(strstr(out.p, t->top));
	buf_free(&out);
}

static void test_mlst_line(void **state)
{
	struct tree *t = *state;
	char want[512], u[64];
	struct buf out;

	snprintf(want, sizeof(want), "type=file;size=3;modify=20231113221320;"
		 "perm=adfrw;unique=%s; /a.txt", uniq(t, "a.txt", u));
	mlst_is(t, "/a.txt", want);
	snprintf(want, sizeof(want), "type=file;size=3;modify=20231113221320;"
		 "perm=adfrw;unique=%s; /link_in", u);
	mlst_is(t, "/link_in", want);
	snprintf(want, sizeof(want), "type=dir;modify=20231114221310;"
		 "perm=flcdmpe;unique=%s; /", uniq(t, ".", u));
	mlst_is(t, "/", want);
	snprintf(want, sizeof(want), "type=dir;modify=20200913122640;"
		 "perm=flcdmpe;unique=%s; /link_dir", uniq(t, "b_dir", u));
	mlst_is(t, "/link_dir", want);
	snprintf(want, sizeof(want), "type=OS.unix=symlink;"
		 "modify=20231114221120;perm=df;unique=%s; /link_out",
		 uniq(t, "link_out", u));
	mlst_is(t, "/link_out", want);

	buf_init(&out, 0);
	assert_int_equal(vfs_mlst(t->root_fd, "/nope", "nope", 0, &out), -ENOENT);
	buf_free(&out);
}

/* Times -------------------------------------------------------------------- */

static void test_fmt_time(void **state)
{
	char s[16];

	(void)state;
	vfs_fmt_time(0, s, sizeof(s));
	assert_string_equal(s, "19700101000000");
	vfs_fmt_time(NOW, s, sizeof(s));
	assert_string_equal(s, "20231114221320");
	vfs_fmt_time(951782400, s, sizeof(s));	/* a leap day */
	assert_string_equal(s, "20000229000000");
	/* Kept to 14 digits at both ends. */
	vfs_fmt_time((time_t)400000000000LL, s, sizeof(s));
	assert_string_equal(s, "99991231235959");
	vfs_fmt_time((time_t)-400000000000LL, s, sizeof(s));
	assert_string_equal(s, "19000101000000");
}

static void test_parse_time(void **state)
{
	static const char *const bad[] = {
		"", "2023111422132", "202311142213201", "20231314221320",
		"20230014221320", "20231100221320", "20231131221320",
		"20230229000000", "20231114241320", "20231114226020",
		"20231114221360", "2023111422132x", "+2023111422132",
		" 20231114221320", "20231114221320 ", "20231114221320.",
		"20231114221320.x", "20231114221320.12a", "18991231235959",
		"2023-11-14 22:13",
	};
	time_t t;
	size_t i;

	(void)state;
	assert_int_equal(vfs_parse_time("20231114221320", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(vfs_parse_time("20231114221320.5", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(vfs_parse_time("20231114221320.999", &t), 0);
	assert_int_equal(t, NOW);
	assert_int_equal(vfs_parse_time("19700101000000", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(vfs_parse_time("20000229000000", &t), 0);
	assert_int_equal(t, 951782400);
	assert_int_equal(vfs_parse_time("19691231235959", &t), 0);
	assert_int_equal(t, -1);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = 12345;
		if (vfs_parse_time(bad[i], &t) == 0)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(t, 12345);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_ls_exact),
		cmocka_unit_test(
			test_list_ls_all_shows_dot_files_but_never_dot_entries),
		cmocka_unit_test(
			test_list_ls_date_window_is_six_months_back_one_hour_ahead),
		cmocka_unit_test(test_list_ls_wide_columns),
		cmocka_unit_test(test_list_large_keeps_order_and_entries),
		cmocka_unit_test(test_list_large_with_links_and_dot_files),
		cmocka_unit_test(test_list_of_a_file_lists_that_file),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_nlst_exact),
		cmocka_unit_test(
			test_nlst_large_lists_every_name_once_in_order),
		cmocka_unit_test(test_max_entries_stops_a_listing),
		cmocka_unit_test(test_max_entries_caps_a_large_listing),
		cmocka_unit_test(test_mlsd_exact),
		cmocka_unit_test(test_mlst_line),
		cmocka_unit_test(test_fmt_time),
		cmocka_unit_test(test_parse_time),
	};

	return cmocka_run_group_tests_name("list", tests, tree_setup,
					   tree_teardown);
}
