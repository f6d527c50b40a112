/*
 * Virtual path normalisation: the lexical half of the cell.  Whatever a
 * client types, the result is a canonical absolute path that never climbs
 * above "/", or a clear refusal.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "vfs/vfs.h"

struct join_case {
	const char *cwd, *arg;
	const char *want;	/* NULL when an error is expected */
	int rc;
};

static const struct join_case join_cases[] = {
	/* relative against cwd, absolute ignores cwd */
	{ "/", "a", "/a", 0 },
	{ "/a", "b", "/a/b", 0 },
	{ "/a", "/b", "/b", 0 },
	{ "/a/b", "/", "/", 0 },
	/* NULL or empty argument means the cwd itself */
	{ "/a/b", NULL, "/a/b", 0 },
	{ "/a/b", "", "/a/b", 0 },
	{ "/", NULL, "/", 0 },
	/* "." is dropped */
	{ "/a", ".", "/a", 0 },
	{ "/a", "./b/./c/.", "/a/b/c", 0 },
	/* ".." pops, and stays at "/" at the root */
	{ "/a/b", "..", "/a", 0 },
	{ "/a/b", "../..", "/", 0 },
	{ "/", "..", "/", 0 },
	{ "/", "../../../..", "/", 0 },
	{ "/a", "../../../etc/passwd", "/etc/passwd", 0 },
	{ "/", "/../../etc", "/etc", 0 },
	{ "/a/b", "../c/../d", "/a/d", 0 },
	/* repeated and trailing slashes collapse */
	{ "/", "//a///b//", "/a/b", 0 },
	{ "/", "a/", "/a", 0 },
	{ "/", "///", "/", 0 },
	/* names that merely look like dots are ordinary */
	{ "/", "...", "/...", 0 },
	{ "/", "..a/.b", "/..a/.b", 0 },
	{ "/", " a ", "/ a ", 0 },
	/* CR or LF anywhere is refused, even in a component later popped */
	{ "/", "a\rb", NULL, -EINVAL },
	{ "/", "a\n", NULL, -EINVAL },
	{ "/", "x\r\n/..", NULL, -EINVAL },
	{ "/a", "b/\n/../..", NULL, -EINVAL },
};

static void test_join_table(void **state)
{
	char out[VFS_PATH_MAX];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(join_cases) / sizeof(join_cases[0]); i++) {
		const struct join_case *c = &join_cases[i];

		memset(out, 'X', sizeof(out));
		rc = vpath_join(c->cwd, c->arg, out, sizeof(out));
		if (rc != c->rc)
			fail_msg("case %zu (%s + %s): rc %d, want %d", i,
				 c->cwd, c->arg ? c->arg : "(null)", rc, c->rc);
		if (c->want != NULL && strcmp(out, c->want) != 0)
			fail_msg("case %zu (%s + %s): got \"%s\", want \"%s\"",
				 i, c->cwd, c->arg ? c->arg : "(null)", out,
				 c->want);
	}
}

static void test_join_output_may_alias_cwd(void **state)
{
	char path[VFS_PATH_MAX] = "/a/b";

	(void)state;
	assert_int_equal(vpath_join(path, "../c", path, sizeof(path)), 0);
	assert_string_equal(path, "/a/c");
}

static void test_join_null_cwd_means_root(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(vpath_join(NULL, "x/y", out, sizeof(out)), 0);
	assert_string_equal(out, "/x/y");
	assert_int_equal(vpath_join(NULL, NULL, out, sizeof(out)), 0);
	assert_string_equal(out, "/");
}

static void test_join_component_longer_than_255_refused(void **state)
{
	char name[VFS_NAME_MAX + 2], out[VFS_PATH_MAX];

	(void)state;
	memset(name, 'n', VFS_NAME_MAX);
	name[VFS_NAME_MAX] = '\0';
	assert_int_equal(vpath_join("/", name, out, sizeof(out)), 0);
	assert_int_equal(strlen(out), VFS_NAME_MAX + 1);

	name[VFS_NAME_MAX] = 'n';
	name[VFS_NAME_MAX + 1] = '\0';
	assert_int_equal(vpath_join("/", name, out, sizeof(out)),
			 -ENAMETOOLONG);
}

/* Builds "/nnn.../nnn..." of `depth` components of 100 bytes each. */
static void make_deep(char *p, size_t plen, int depth)
{
	size_t len = 0;
	int i;

	for (i = 0; i < depth && len + 102 < plen; i++) {
		p[len++] = '/';
		memset(p + len, 'a' + i % 26, 100);
		len += 100;
	}
	p[len] = '\0';
}

static void test_join_very_long_paths(void **state)
{
	char big[2 * VFS_PATH_MAX], out[VFS_PATH_MAX];

	(void)state;
	/* 40 * 101 = 4040 bytes: fits VFS_PATH_MAX. */
	make_deep(big, sizeof(big), 40);
	assert_int_equal(vpath_join("/", big, out, sizeof(out)), 0);
	assert_string_equal(out, big);
	/* 41 * 101 = 4141 bytes: refused, not truncated. */
	make_deep(big, sizeof(big), 41);
	assert_int_equal(vpath_join("/", big, out, sizeof(out)),
			 -ENAMETOOLONG);
	/* A deep cwd plus ".." comes back under the limit. */
	make_deep(big, sizeof(big), 40);
	assert_int_equal(vpath_join(big, "../..", out, sizeof(out)), 0);
	assert_int_equal(strlen(out), 38 * 101);
}

static void test_join_result_must_fit_outlen(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(vpath_join("/", "abcdef", out, sizeof(out)), 0);
	assert_string_equal(out, "/abcdef");
	/* "/abcdefg" is 8 bytes: no room for the NUL. */
	assert_int_equal(vpath_join("/", "abcdefg", out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_int_equal(vpath_join("/", "a", out, 1), -ENAMETOOLONG);
	assert_int_equal(vpath_join("/", "..", out, 2), 0);
	assert_string_equal(out, "/");
}

static void test_split(void **state)
{
	char parent[VFS_PATH_MAX];
	const char *name = NULL;
	const char *vp;

	(void)state;
	vp = "/a";
	assert_int_equal(vpath_split(vp, parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "/");
	assert_string_equal(name, "a");
	assert_ptr_equal(name, vp + 1);

	vp = "/a/b/c";
	assert_int_equal(vpath_split(vp, parent, sizeof(parent), &name), 0);
	assert_string_equal(parent, "/a/b");
	assert_string_equal(name, "c");
	assert_ptr_equal(name, vp + 5);
}

static void test_split_root_has_no_parent(void **state)
{
	char parent[16];
	const char *name;

	(void)state;
	assert_int_equal(vpath_split("/", parent, sizeof(parent), &name),
			 -EINVAL);
	assert_int_equal(vpath_split("relative", parent, sizeof(parent),
				     &name), -EINVAL);
	assert_int_equal(vpath_split("/a/", parent, sizeof(parent), &name),
			 -EINVAL);
}

static void test_split_parent_buffer_too_small(void **state)
{
	char parent[4];
	const char *name;

	(void)state;
	assert_int_equal(vpath_split("/abcd/e", parent, sizeof(parent),
				     &name), -ENAMETOOLONG);
	assert_int_equal(vpath_split("/ab/e", parent, sizeof(parent),
				     &name), 0);
	assert_string_equal(parent, "/ab");
}

static void test_rel(void **state)
{
	(void)state;
	assert_string_equal(vpath_rel("/"), ".");
	assert_string_equal(vpath_rel("//"), ".");
	assert_string_equal(vpath_rel("/a"), "a");
	assert_string_equal(vpath_rel("/a/b"), "a/b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_join_table),
		cmocka_unit_test(test_join_output_may_alias_cwd),
		cmocka_unit_test(test_join_null_cwd_means_root),
		cmocka_unit_test(test_join_component_longer_than_255_refused),
		cmocka_unit_test(test_join_very_long_paths),
		cmocka_unit_test(test_join_result_must_fit_outlen),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_root_has_no_parent),
		cmocka_unit_test(test_split_parent_buffer_too_small),
		cmocka_unit_test(test_rel),
	};

	return cmocka_run_group_tests_name("vpath", tests, NULL, NULL);
}
