/*
 * Jail tests for the cell: a real tree in a temporary directory, real
 * symlinks pointing out of the cell every way we know, and proof that every
 * operation either stays inside or fails, leaving the outside untouched.
 */
#include <dirent.h>
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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "vfs/vfs.h"
#include "tutil.h"

#define SECRET "TOP SECRET\n"

/*
 * top/outside/{secret,dir/file}   what must never be reached or changed
 * top/root/cell/...               the cell (root_fd)
 */
struct jail {
	char top[64];
	char outside[128];
	char cell[128];
	int root_fd;
	int secret_fd;		/* named by the /proc/self/fd/<n> link */
	struct buf snap;	/* the outside, as set up */
};

/* Test helpers --------------------------------------------------------- */

static void cpath(const struct jail *j, const char *rel, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", j->cell, rel);
}

static void put_cell_file(const struct jail *j, const char *rel,
			  const char *text)
{
	char p[PATH_MAX];

	cpath(j, rel, p);
	write_file(p, text);
}

static void put_cell_link(const struct jail *j, const char *rel,
			  const char *target)
{
	char p[PATH_MAX];

	cpath(j, rel, p);
	assert_int_equal(symlink(target, p), 0);
}

static void put_cell_dir(const struct jail *j, const char *rel)
{
	char p[PATH_MAX];

	cpath(j, rel, p);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* Whole content of fd from offset 0, NUL-terminated. */
static void read_all(int fd, char *out, size_t len)
{
	ssize_t n;
	size_t got = 0;

	while (got + 1 < len &&
	       (n = pread(fd, out + got, len - 1 - got, (off_t)got)) > 0)
		got += (size_t)n;
	out[got] = '\0';
}

static void cell_file_is(const struct jail *j, const char *rel,
			 const char *want)
{
	char p[PATH_MAX], got[256];
	int fd;

	cpath(j, rel, p);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	read_all(fd, got, sizeof(got));
	close(fd);
	assert_string_equal(got, want);
}

static int cell_lstat(const struct jail *j, const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	cpath(j, rel, p);
	return lstat(p, st);
}

/* Snapshot of a tree: every name, its metadata, and its bytes. */
static void snap_tree(int dfd, const char *rel, struct buf *b)
{
	struct dirent *de;
	struct stat st;
	char sub[PATH_MAX], data[4096];
	ssize_t n;
	DIR *d;
	int fd;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	d = fdopendir(fd);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		assert_int_equal(fstatat(dfd, de->d_name, &st,
					 AT_SYMLINK_NOFOLLOW), 0);
		snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name);
		buf_printf(b, "%s %o %lld %lu %lld.%09ld %lld.%09ld\n", sub,
			   st.st_mode, (long long)st.st_size,
			   (unsigned long)st.st_nlink,
			   (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec,
			   (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec);
		if (S_ISLNK(st.st_mode)) {
			n = readlinkat(dfd, de->d_name, data, sizeof(data));
			assert_true(n >= 0);
			buf_append(b, data, (size_t)n);
		} else if (S_ISREG(st.st_mode)) {
			fd = openat(dfd, de->d_name, O_RDONLY | O_CLOEXEC);
			assert_true(fd >= 0);
			read_all(fd, data, sizeof(data));
			close(fd);
			buf_puts(b, data);
		} else if (S_ISDIR(st.st_mode)) {
			fd = openat(dfd, de->d_name,
				    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			assert_true(fd >= 0);
			snap_tree(fd, sub, b);
			close(fd);
		}
	}
	closedir(d);
}

/* The outside tree, plus the directories above the cell themselves. */
static void snapshot(const struct jail *j, struct buf *b)
{
	char p[PATH_MAX];
	struct stat st;
	int fd;

	buf_init(b, 0);
	fd = open(j->outside, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	snap_tree(fd, "outside", b);
	close(fd);
	snprintf(p, sizeof(p), "%s/root", j->top);
	assert_int_equal(lstat(p, &st), 0);
	buf_printf(b, "root %lld.%09ld %lu\n", (long long)st.st_mtim.tv_sec,
		   st.st_mtim.tv_nsec, (unsigned long)st.st_nlink);
	assert_int_equal(lstat(j->top, &st), 0);
	buf_printf(b, "top %lld.%09ld %lu\n", (long long)st.st_mtim.tv_sec,
		   st.st_mtim.tv_nsec, (unsigned long)st.st_nlink);
	assert_false(b->failed);
}

static void assert_outside_intact(const struct jail *j)
{
	struct buf now;

	snapshot(j, &now);
	assert_int_equal(now.len, j->snap.len);
	assert_memory_equal(now.p, j->snap.p, now.len);
	buf_free(&now);
}

/* Does st name anything the cell must never reach? */
static int is_forbidden(const struct jail *j, const struct stat *st)
{
	static const char *const sys[] = { "/", "/etc", "/etc/passwd",
					   "/etc/shadow", "/proc" };
	char p[PATH_MAX];
	const char *rel[] = { "", "/root", "/outside", "/outside/secret",
			      "/outside/dir", "/outside/dir/file" };
	struct stat o;
	size_t i;

	for (i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", j->top, rel[i]);
		if (stat(p, &o) == 0 && o.st_dev == st->st_dev &&
		    o.st_ino == st->st_ino)
			return 1;
	}
	for (i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
		if (stat(sys[i], &o) == 0 && o.st_dev == st->st_dev &&
		    o.st_ino == st->st_ino)
			return 1;
	return 0;
}

/* Fixture ---------------------------------------------------------------- */

static int jail_setup(void **state)
{
	struct jail *j = calloc(1, sizeof(*j));
	char p[PATH_MAX];

	assert_non_null(j);
	tmp_make(j->top, sizeof(j->top), "/tmp/cellftpd-vfs-XXXXXX");
	snprintf(j->outside, sizeof(j->outside), "%s/outside", j->top);
	snprintf(j->cell, sizeof(j->cell), "%s/root/cell", j->top);
	assert_int_equal(mkdir(j->outside, 0755), 0);
	snprintf(p, sizeof(p), "%s/secret", j->outside);
	write_file(p, SECRET);
	snprintf(p, sizeof(p), "%s/dir", j->outside);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/dir/file", j->outside);
	write_file(p, "outside file\n");
	snprintf(p, sizeof(p), "%s/root", j->top);
	assert_int_equal(mkdir(p, 0755), 0);
	assert_int_equal(mkdir(j->cell, 0755), 0);

	put_cell_dir(j, "inner");
	put_cell_file(j, "inner/hello", "inner hello\n");
	put_cell_dir(j, "etc");
	put_cell_file(j, "etc/passwd", "cell passwd\n");
	put_cell_dir(j, "sub");
	cpath(j, "fifo", p);
	assert_int_equal(mkfifo(p, 0644), 0);

	/* Every way out we know, as real symlinks on disk. */
	snprintf(p, sizeof(p), "%s/secret", j->outside);
	put_cell_link(j, "abs_secret", p);
	put_cell_link(j, "abs_out_dir", j->outside);
	put_cell_link(j, "rel_secret", "../../outside/secret");
	put_cell_link(j, "sub/rel_secret2", "../../../outside/secret");
	put_cell_link(j, "rel_out_dir", "../../outside");
	put_cell_link(j, "etc_passwd", "/etc/passwd");
	put_cell_link(j, "etc_shadow", "/etc/shadow");
	put_cell_link(j, "proc_root", "/proc/self/root");
	snprintf(p, sizeof(p), "%s/secret", j->outside);
	j->secret_fd = open(p, O_RDONLY | O_CLOEXEC);
	assert_true(j->secret_fd >= 0);
	snprintf(p, sizeof(p), "/proc/self/fd/%d", j->secret_fd);
	put_cell_link(j, "proc_fd", p);
	/* ...and links that are meant to resolve inside. */
	put_cell_link(j, "inner_abs", "/inner");
	put_cell_link(j, "inner_climb", "../../../../../inner");
	put_cell_link(j, "hello_link", "/inner/hello");
	put_cell_link(j, "loop_a", "loop_b");
	put_cell_link(j, "loop_b", "loop_a");

	j->root_fd = open(j->cell, O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(j->root_fd >= 0);
	snapshot(j, &j->snap);
	*state = j;
	return 0;
}

static int jail_teardown(void **state)
{
	struct jail *j = *state;

	close(j->root_fd);
	close(j->secret_fd);
	buf_free(&j->snap);
	tmp_remove(j->top);
	free(j);
	return 0;
}

/* Every escape route, read side ------------------------------------------ */

static const char *const escapes[] = {
	"/abs_secret", "/abs_out_dir", "/abs_out_dir/secret",
	"/abs_out_dir/dir/file", "/rel_secret", "/sub/rel_secret2",
	"/rel_out_dir", "/rel_out_dir/secret", "/etc_shadow", "/proc_root",
	"/proc_root/etc/passwd", "/proc_fd",
	/* non-canonical paths handed straight to the vfs */
	"/../outside/secret", "/../../outside/secret",
	"/sub/../../../outside/dir/file", "/../../../../../../etc/passwd",
	"/inner/../../../outside",
};

static void test_stat_and_open_never_reach_outside(void **state)
{
	struct jail *j = *state;
	struct stat st;
	char data[256];
	size_t i;
	int fd;

	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		if (vfs_stat(j->root_fd, escapes[i], &st) == 0 &&
		    is_forbidden(j, &st))
			fail_msg("vfs_stat(%s) reached outside", escapes[i]);
		fd = vfs_open(j->root_fd, escapes[i], O_PATH, 0);
		if (fd >= 0) {
			assert_int_equal(fstat(fd, &st), 0);
			if (is_forbidden(j, &st))
				fail_msg("vfs_open(%s) reached outside",
					 escapes[i]);
			close(fd);
		}
		fd = vfs_open_read(j->root_fd, escapes[i], &st);
		if (fd >= 0) {
			read_all(fd, data, sizeof(data));
			close(fd);
			if (is_forbidden(j, &st) || strstr(data, "SECRET") ||
			    strstr(data, "outside") || strstr(data, "root:"))
				fail_msg("vfs_open_read(%s) read outside",
					 escapes[i]);
		}
	}
	assert_outside_intact(j);
}

static void test_escaping_links_fail_with_enoent(void **state)
{
	struct jail *j = *state;
	struct stat st;

	/* Absolute targets are re-rooted in the cell, where nothing is there. */
	assert_int_equal(vfs_stat(j->root_fd, "/abs_secret", &st), -ENOENT);
	assert_int_equal(vfs_stat(j->root_fd, "/abs_out_dir", &st), -ENOENT);
	assert_int_equal(vfs_stat(j->root_fd, "/etc_shadow", &st), -ENOENT);
	/* ".." stops at the cell root: "/outside" does not exist in the cell. */
	assert_int_equal(vfs_stat(j->root_fd, "/rel_secret", &st), -ENOENT);
	assert_int_equal(vfs_stat(j->root_fd, "/sub/rel_secret2", &st),
			 -ENOENT);
	assert_int_equal(vfs_stat(j->root_fd, "/rel_out_dir", &st), -ENOENT);
	/* /proc is not in the cell either. */
	assert_int_equal(vfs_stat(j->root_fd, "/proc_root", &st), -ENOENT);
	assert_int_equal(vfs_stat(j->root_fd, "/proc_fd", &st), -ENOENT);
	assert_int_equal(vfs_is_dir(j->root_fd, "/abs_out_dir"), 0);
	assert_int_equal(vfs_stat(j->root_fd, "/loop_a", &st), -ELOOP);
}

static void test_links_resolve_to_in_cell_namesakes(void **state)
{
	struct jail *j = *state;
	struct stat st, want;
	char data[64];
	int fd;

	/* "/etc/passwd" means the cell's own etc/passwd. */
	fd = vfs_open_read(j->root_fd, "/etc_passwd", &st);
	assert_true(fd >= 0);
	read_all(fd, data, sizeof(data));
	close(fd);
	assert_string_equal(data, "cell passwd\n");

	/* An absolute "/inner" is the cell's inner, by either route. */
	assert_int_equal(cell_lstat(j, "inner", &want), 0);
	assert_int_equal(vfs_stat(j->root_fd, "/inner_abs", &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(vfs_stat(j->root_fd, "/inner_climb", &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(vfs_is_dir(j->root_fd, "/inner_abs"), 1);
	fd = vfs_open_read(j->root_fd, "/inner_abs/hello", NULL);
	assert_true(fd >= 0);
	read_all(fd, data, sizeof(data));
	close(fd);
	assert_string_equal(data, "inner hello\n");

	/* With a namesake "outside" in the cell, relative links land there. */
	put_cell_dir(j, "outside");
	put_cell_file(j, "outside/secret", "in-cell decoy\n");
	fd = vfs_open_read(j->root_fd, "/rel_secret", NULL);
	assert_true(fd >= 0);
	read_all(fd, data, sizeof(data));
	close(fd);
	assert_string_equal(data, "in-cell decoy\n");
	fd = vfs_open_read(j->root_fd, "/../../outside/secret", NULL);
	assert_true(fd >= 0);
	read_all(fd, data, sizeof(data));
	close(fd);
	assert_string_equal(data, "in-cell decoy\n");
}

/* A cell whose root is /proc/self: the magic links are right there. */
static void test_proc_magic_links_refused(void **state)
{
	struct jail *j = *state;
	struct stat st;
	char vp[64];
	int proc_fd;

	proc_fd = open("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
	assert_true(proc_fd >= 0);
	/* An ordinary file resolves, so the refusals below are the magic. */
	assert_int_equal(vfs_stat(proc_fd, "/status", &st), 0);
	assert_int_equal(vfs_stat(proc_fd, "/root", &st), -ELOOP);
	assert_int_equal(vfs_stat(proc_fd, "/root/etc/passwd", &st), -ELOOP);
	assert_int_equal(vfs_stat(proc_fd, "/cwd", &st), -ELOOP);
	assert_int_equal(vfs_stat(proc_fd, "/exe", &st), -ELOOP);
	snprintf(vp, sizeof(vp), "/fd/%d", j->secret_fd);
	assert_int_equal(vfs_open_read(proc_fd, vp, &st), -ELOOP);
	assert_int_equal(vfs_open_write(proc_fd, vp, VFS_W_TRUNC), -ELOOP);
	close(proc_fd);
	assert_outside_intact(j);
}

static void test_list_through_escaping_links(void **state)
{
	static const char *const dirs[] = {
		"/abs_out_dir", "/rel_out_dir", "/proc_root", "/",
		"/../..", "/sub", "/inner_climb/../../..",
	};
	struct jail *j = *state;
	struct vfs_list_opts o = { .all = 1, .now = 1700000000 };
	struct buf out;
	size_t i;
	int f, rc;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		for (f = VFS_LIST_LS; f <= VFS_LIST_MLSD; f++) {
			buf_init(&out, 0);
			rc = vfs_list(j->root_fd, dirs[i], f, &o, &out);
			if (rc == 0 && out.len > 0 &&
			    (strstr(out.p, j->top) || strstr(out.p, "->") ||
			     strstr(out.p, " secret") ||
			     strstr(out.p, " file\r")))
				fail_msg("listing %s shows outside: %s",
					 dirs[i], out.p);
			buf_free(&out);
		}
	}
	buf_init(&out, 0);
	assert_int_equal(vfs_list(j->root_fd, "/abs_out_dir", VFS_LIST_LS, &o,
				  &out), -ENOENT);
	assert_int_equal(vfs_list(j->root_fd, "/inner_abs", VFS_LIST_NLST, &o,
				  &out), 0);
	assert_string_equal(out.p, "hello\r\n");
	buf_free(&out);
}

/* Every escape route, write side ----------------------------------------- */

static void test_mkdir_aimed_outside_stays_in_cell(void **state)
{
	struct jail *j = *state;
	char vp[VFS_PATH_MAX];
	struct stat st;

	assert_int_equal(vpath_join("/sub", "../../../outside/newdir", vp,
				    sizeof(vp)), 0);
	assert_string_equal(vp, "/outside/newdir");
	assert_int_equal(vfs_mkdir(j->root_fd, vp, 0755), -ENOENT);
	assert_int_equal(vfs_mkdir(j->root_fd, "/../../outside/newdir", 0755),
			 -ENOENT);
	assert_int_equal(vfs_mkdir(j->root_fd, "/abs_out_dir/newdir", 0755),
			 -ENOENT);
	assert_int_equal(vfs_mkdir(j->root_fd, "/rel_out_dir/newdir", 0755),
			 -ENOENT);
	assert_int_equal(vfs_mkdir(j->root_fd, "/proc_root/tmp/x", 0755),
			 -ENOENT);
	/* A last name of ".." is refused, not taken as the parent's parent. */
	assert_int_equal(vfs_mkdir(j->root_fd, "/..", 0755), -EINVAL);
	assert_outside_intact(j);

	/* Once the cell has its own "outside", that is where they go. */
	assert_int_equal(vfs_mkdir(j->root_fd, "/outside", 0755), 0);
	assert_int_equal(vfs_mkdir(j->root_fd, "/rel_out_dir/newdir", 0755), 0);
	assert_int_equal(vfs_mkdir(j->root_fd, "/../../outside/newdir2", 0755),
			 0);
	assert_int_equal(cell_lstat(j, "outside/newdir", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(cell_lstat(j, "outside/newdir2", &st), 0);
	assert_outside_intact(j);
}

static void test_open_write_aimed_outside_refused(void **state)
{
	static const char *const targets[] = {
		"/abs_out_dir/secret", "/abs_out_dir/new", "/rel_out_dir/secret",
		"/../../outside/secret", "/sub/../../../outside/new",
		"/proc_root/tmp/new",
	};
	static const char *const links[] = {
		"/abs_secret", "/rel_secret", "/sub/rel_secret2", "/proc_fd",
		"/etc_shadow", "/abs_out_dir",
	};
	struct jail *j = *state;
	enum vfs_wmode m;
	size_t i;

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++)
		for (m = VFS_W_TRUNC; m <= VFS_W_RESUME; m++)
			assert_int_equal(vfs_open_write(j->root_fd, targets[i],
							m), -ENOENT);
	/* A symlink as the last name is never followed, dangling or not. */
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		for (m = VFS_W_TRUNC; m <= VFS_W_RESUME; m++)
			assert_int_equal(vfs_open_write(j->root_fd, links[i], m),
					 m == VFS_W_EXCL ? -EEXIST : -ELOOP);
	}
	assert_outside_intact(j);
}

static void test_rename_aimed_outside_stays_in_cell(void **state)
{
	struct jail *j = *state;
	char target[PATH_MAX], got[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t n;

	/* Into the outside, by every route. */
	assert_int_equal(vfs_rename(j->root_fd, "/inner/hello",
				    "/abs_out_dir/stolen"), -ENOENT);
	assert_int_equal(vfs_rename(j->root_fd, "/inner/hello",
				    "/rel_out_dir/stolen"), -ENOENT);
	assert_int_equal(vfs_rename(j->root_fd, "/inner/hello",
				    "/../../outside/stolen"), -ENOENT);
	/* Out of the outside, by every route. */
	assert_int_equal(vfs_rename(j->root_fd, "/abs_out_dir/secret", "/got"),
			 -ENOENT);
	assert_int_equal(vfs_rename(j->root_fd, "/rel_out_dir/secret", "/got"),
			 -ENOENT);
	assert_int_equal(vfs_rename(j->root_fd, "/../../outside/secret",
				    "/got"), -ENOENT);
	assert_int_equal(vfs_rename(j->root_fd, "/..", "/got"), -EINVAL);
	assert_int_equal(vfs_rename(j->root_fd, "/inner", "/.."), -EINVAL);
	assert_outside_intact(j);

	/* Renaming a link moves the link; what it names stays put. */
	assert_int_equal(vfs_rename(j->root_fd, "/abs_secret", "/sub/moved"),
			 0);
	assert_int_equal(cell_lstat(j, "sub/moved", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	cpath(j, "sub/moved", link);
	n = readlink(link, got, sizeof(got) - 1);
	assert_true(n > 0);
	got[n] = '\0';
	snprintf(target, sizeof(target), "%s/secret", j->outside);
	assert_string_equal(got, target);

	/* Through a symlinked parent that resolves inside: lands inside. */
	assert_int_equal(vfs_rename(j->root_fd, "/inner/hello",
				    "/inner_abs/hello2"), 0);
	cell_file_is(j, "inner/hello2", "inner hello\n");
	assert_int_equal(vfs_mkdir(j->root_fd, "/outside", 0755), 0);
	assert_int_equal(vfs_rename(j->root_fd, "/inner/hello2",
				    "/rel_out_dir/hello"), 0);
	cell_file_is(j, "outside/hello", "inner hello\n");
	assert_outside_intact(j);
}

static void test_unlink_and_rmdir_aimed_outside_refused(void **state)
{
	struct jail *j = *state;

	assert_int_equal(vfs_unlink(j->root_fd, "/abs_out_dir/secret"),
			 -ENOENT);
	assert_int_equal(vfs_unlink(j->root_fd, "/rel_out_dir/secret"),
			 -ENOENT);
	assert_int_equal(vfs_unlink(j->root_fd, "/../../outside/secret"),
			 -ENOENT);
	assert_int_equal(vfs_unlink(j->root_fd, "/abs_out_dir/dir/file"),
			 -ENOENT);
	assert_int_equal(vfs_unlink(j->root_fd, "/proc_fd/x"), -ENOENT);
	assert_int_equal(vfs_rmdir(j->root_fd, "/abs_out_dir/dir"), -ENOENT);
	assert_int_equal(vfs_rmdir(j->root_fd, "/../../outside/dir"), -ENOENT);
	/* rmdir of a link to a directory does not follow it. */
	assert_int_equal(vfs_rmdir(j->root_fd, "/abs_out_dir"), -ENOTDIR);
	assert_int_equal(vfs_rmdir(j->root_fd, "/inner_abs"), -ENOTDIR);
	assert_int_equal(vfs_rmdir(j->root_fd, "/.."), -EINVAL);
	assert_int_equal(vfs_rmdir(j->root_fd, "/inner/."), -EINVAL);
	assert_int_equal(vfs_unlink(j->root_fd, "/inner"), -EISDIR);
	assert_outside_intact(j);
}

static void test_dele_of_symlink_leaves_its_target(void **state)
{
	struct jail *j = *state;
	struct stat st;

	assert_int_equal(vfs_unlink(j->root_fd, "/hello_link"), 0);
	assert_int_equal(cell_lstat(j, "hello_link", &st), -1);
	cell_file_is(j, "inner/hello", "inner hello\n");

	assert_int_equal(vfs_unlink(j->root_fd, "/inner_abs"), 0);
	assert_int_equal(cell_lstat(j, "inner", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	cell_file_is(j, "inner/hello", "inner hello\n");

	/* Links to the outside go; the outside does not notice. */
	assert_int_equal(vfs_unlink(j->root_fd, "/abs_secret"), 0);
	assert_int_equal(vfs_unlink(j->root_fd, "/abs_out_dir"), 0);
	assert_int_equal(vfs_unlink(j->root_fd, "/rel_secret"), 0);
	assert_int_equal(vfs_unlink(j->root_fd, "/proc_fd"), 0);
	assert_outside_intact(j);
}

static void test_root_has_no_parent(void **state)
{
	struct jail *j = *state;
	struct stat st, want;
	const char *name;

	assert_int_equal(vfs_open_parent(j->root_fd, "/", &name), -EBUSY);
	assert_int_equal(vfs_mkdir(j->root_fd, "/", 0755), -EBUSY);
	assert_int_equal(vfs_rmdir(j->root_fd, "/"), -EBUSY);
	assert_int_equal(vfs_unlink(j->root_fd, "/"), -EBUSY);
	assert_int_equal(vfs_rename(j->root_fd, "/", "/x"), -EBUSY);
	assert_int_equal(vfs_rename(j->root_fd, "/inner", "/"), -EBUSY);
	assert_int_equal(vfs_open_write(j->root_fd, "/", VFS_W_TRUNC), -EISDIR);
	/* lstat and stat of "/" are the cell root itself. */
	assert_int_equal(fstat(j->root_fd, &want), 0);
	assert_int_equal(vfs_lstat(j->root_fd, "/", &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(vfs_stat(j->root_fd, "/", &st), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(vfs_is_dir(j->root_fd, "/"), 1);
}

static void test_open_parent_gives_plain_last_name(void **state)
{
	struct jail *j = *state;
	const char *name = NULL;
	struct stat st, want;
	int fd;

	fd = vfs_open_parent(j->root_fd, "/inner_abs/hello", &name);
	assert_true(fd >= 0);
	assert_string_equal(name, "hello");
	assert_int_equal(fstat(fd, &st), 0);
	close(fd);
	assert_int_equal(cell_lstat(j, "inner", &want), 0);
	assert_int_equal(st.st_ino, want.st_ino);
	assert_int_equal(vfs_open_parent(j->root_fd, "/abs_out_dir/x", &name),
			 -ENOENT);
}

/* Downloads and uploads --------------------------------------------------- */

static void test_download_refuses_dirs_and_fifos_without_blocking(void **state)
{
	struct jail *j = *state;
	char p[PATH_MAX];
	int rfd;

	alarm(10);	/* a blocked open would hang: let SIGALRM fail it */
	assert_int_equal(vfs_open_read(j->root_fd, "/inner", NULL), -EISDIR);
	assert_int_equal(vfs_open_read(j->root_fd, "/", NULL), -EISDIR);
	assert_int_equal(vfs_open_read(j->root_fd, "/inner_abs", NULL),
			 -EISDIR);
	assert_int_equal(vfs_open_read(j->root_fd, "/fifo", NULL), -EACCES);
	assert_int_equal(vfs_open_write(j->root_fd, "/fifo", VFS_W_TRUNC),
			 -EACCES);
	assert_int_equal(vfs_open_write(j->root_fd, "/inner", VFS_W_TRUNC),
			 -EISDIR);
	/* With a reader present the open succeeds; fstat still refuses. */
	cpath(j, "fifo", p);
	rfd = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	assert_true(rfd >= 0);
	assert_int_equal(vfs_open_write(j->root_fd, "/fifo", VFS_W_APPEND),
			 -EACCES);
	close(rfd);
	assert_int_equal(vfs_open_read(j->root_fd, "/nonexistent", NULL),
			 -ENOENT);
	alarm(0);
}

static void test_download_refuses_sockets_and_devices(void **state)
{
	struct jail *j = *state;
	struct sockaddr_un sun;
	char p[PATH_MAX];
	int s;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	cpath(j, "sock", p);
	assert_true(strlen(p) < sizeof(sun.sun_path));
	strcpy(sun.sun_path, p);
	s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(vfs_open_read(j->root_fd, "/sock", NULL), -EACCES);
	assert_int_equal(vfs_open_write(j->root_fd, "/sock", VFS_W_TRUNC),
			 -EACCES);
	close(s);
	/* A character device (the null device's numbers), where allowed. */
	cpath(j, "null", p);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) != 0)
		skip();
	assert_int_equal(vfs_open_read(j->root_fd, "/null", NULL), -EACCES);
	assert_int_equal(vfs_open_write(j->root_fd, "/null", VFS_W_APPEND),
			 -EACCES);
}

static void test_download_of_regular_file(void **state)
{
	struct jail *j = *state;
	struct stat st;
	char data[64];
	int fd;

	fd = vfs_open_read(j->root_fd, "/hello_link", &st);
	assert_true(fd >= 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 12);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	read_all(fd, data, sizeof(data));
	assert_string_equal(data, "inner hello\n");
	close(fd);
}

static void write_str(int fd, const char *s)
{
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	assert_int_equal(close(fd), 0);
}

static void test_upload_modes(void **state)
{
	struct jail *j = *state;
	struct stat st;
	mode_t old;
	int fd;

	old = umask(022);
	write_str(vfs_open_write(j->root_fd, "/up", VFS_W_TRUNC), "abc");
	assert_int_equal(cell_lstat(j, "up", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	write_str(vfs_open_write(j->root_fd, "/up", VFS_W_APPEND), "def");
	cell_file_is(j, "up", "abcdef");
	/* RESUME keeps the bytes; the caller seeks. */
	fd = vfs_open_write(j->root_fd, "/up", VFS_W_RESUME);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 3, SEEK_SET), 3);
	write_str(fd, "XY");
	cell_file_is(j, "up", "abcXYf");
	write_str(vfs_open_write(j->root_fd, "/up", VFS_W_TRUNC), "new");
	cell_file_is(j, "up", "new");
	assert_int_equal(vfs_open_write(j->root_fd, "/up", VFS_W_EXCL),
			 -EEXIST);
	umask(077);
	write_str(vfs_open_write(j->root_fd, "/up2", VFS_W_EXCL), "x");
	assert_int_equal(cell_lstat(j, "up2", &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	umask(old);
	assert_int_equal(vfs_open_write(j->root_fd, "/up", 42), -EINVAL);
}

static void test_upload_through_symlink_last_name_refused(void **state)
{
	struct jail *j = *state;

	assert_int_equal(vfs_open_write(j->root_fd, "/hello_link",
					VFS_W_TRUNC), -ELOOP);
	assert_int_equal(vfs_open_write(j->root_fd, "/hello_link",
					VFS_W_APPEND), -ELOOP);
	assert_int_equal(vfs_open_write(j->root_fd, "/hello_link",
					VFS_W_EXCL), -EEXIST);
	cell_file_is(j, "inner/hello", "inner hello\n");
	/* A symlinked parent inside the cell is fine: the kernel resolved it. */
	write_str(vfs_open_write(j->root_fd, "/inner_abs/new", VFS_W_TRUNC),
		  "ok");
	cell_file_is(j, "inner/new", "ok");
}

/* Metadata ------------------------------------------------------------------ */

static void test_set_mtime_on_files_dirs_and_links_inside(void **state)
{
	struct jail *j = *state;
	struct stat st;

	assert_int_equal(vfs_set_mtime(j->root_fd, "/inner/hello", 1000000000),
			 0);
	assert_int_equal(cell_lstat(j, "inner/hello", &st), 0);
	assert_int_equal(st.st_mtime, 1000000000);
	assert_int_equal(vfs_set_mtime(j->root_fd, "/sub", 1100000000), 0);
	assert_int_equal(cell_lstat(j, "sub", &st), 0);
	assert_int_equal(st.st_mtime, 1100000000);
	/* Follows a link inside the cell: the directory changes, not the link. */
	assert_int_equal(vfs_set_mtime(j->root_fd, "/inner_abs", 1200000000), 0);
	assert_int_equal(cell_lstat(j, "inner", &st), 0);
	assert_int_equal(st.st_mtime, 1200000000);
	assert_int_equal(vfs_set_mtime(j->root_fd, "/abs_out_dir", 1), -ENOENT);
	assert_int_equal(vfs_set_mtime(j->root_fd, "/abs_secret", 1), -ENOENT);
	assert_int_equal(vfs_set_mtime(j->root_fd, "/../../outside/secret", 1),
			 -ENOENT);
	assert_int_equal(vfs_set_mtime(j->root_fd, "/proc_fd", 1), -ENOENT);
	assert_outside_intact(j);
}

static void test_mkdir_and_lstat(void **state)
{
	struct jail *j = *state;
	struct stat st;
	mode_t old;

	old = umask(022);
	assert_int_equal(vfs_mkdir(j->root_fd, "/made", 0777), 0);
	umask(old);
	assert_int_equal(vfs_mkdir(j->root_fd, "/made", 0777), -EEXIST);
	assert_int_equal(vfs_lstat(j->root_fd, "/made", &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0755);
	assert_int_equal(vfs_mkdir(j->root_fd, "/made/deeper", 0700), 0);
	assert_int_equal(vfs_rmdir(j->root_fd, "/made"), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir(j->root_fd, "/made/deeper"), 0);
	assert_int_equal(vfs_rmdir(j->root_fd, "/made"), 0);
	/* lstat sees the link, stat what it resolves to. */
	assert_int_equal(vfs_lstat(j->root_fd, "/abs_secret", &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	assert_int_equal(vfs_lstat(j->root_fd, "/inner_abs/hello", &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(vfs_lstat(j->root_fd, "/nope", &st), -ENOENT);
	assert_int_equal(vfs_lstat(j->root_fd, "/abs_out_dir/secret", &st),
			 -ENOENT);
}

#define JT(f) cmocka_unit_test_setup_teardown(f, jail_setup, jail_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		JT(test_stat_and_open_never_reach_outside),
		JT(test_escaping_links_fail_with_enoent),
		JT(test_links_resolve_to_in_cell_namesakes),
		JT(test_proc_magic_links_refused),
		JT(test_list_through_escaping_links),
		JT(test_mkdir_aimed_outside_stays_in_cell),
		JT(test_open_write_aimed_outside_refused),
		JT(test_rename_aimed_outside_stays_in_cell),
		JT(test_unlink_and_rmdir_aimed_outside_refused),
		JT(test_dele_of_symlink_leaves_its_target),
		JT(test_root_has_no_parent),
		JT(test_open_parent_gives_plain_last_name),
		JT(test_download_refuses_dirs_and_fifos_without_blocking),
		JT(test_download_refuses_sockets_and_devices),
		JT(test_download_of_regular_file),
		JT(test_upload_modes),
		JT(test_upload_through_symlink_last_name_refused),
		JT(test_set_mtime_on_files_dirs_and_links_inside),
		JT(test_mkdir_and_lstat),
	};

	return cmocka_run_group_tests_name("vfs", tests, NULL, NULL);
}
