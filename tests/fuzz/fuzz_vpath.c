/*
 * libFuzzer target: virtual path normalisation (vfs/vpath.c).  Input:
 * one byte of options, then cwd and argument separated by a NUL.  Every
 * result must be canonical, fit its buffer, survive a second join
 * unchanged, and split back into parent and name.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "vfs/vfs.h"

static const size_t out_sizes[] = {
	0, 1, 2, 3, 8, 64, 256, 257, VFS_PATH_MAX, VFS_PATH_MAX + 1, 8192
};

/* "/" or "/a/b": no empty, "." or ".." component, no CR or LF. */
static void check_canonical(const char *p, size_t lim)
{
	size_t len = strlen(p);
	const char *c = p + 1, *e;

	FUZZ_CHECK(len < lim && len < VFS_PATH_MAX);
	FUZZ_CHECK(p[0] == '/');
	FUZZ_CHECK(strpbrk(p, "\r\n") == NULL);
	if (len == 1)
		return;
	FUZZ_CHECK(p[len - 1] != '/');
	for (; *c != '\0'; c = *e ? e + 1 : e) {
		e = strchr(c, '/');
		if (e == NULL)
			e = c + strlen(c);
		FUZZ_CHECK(e > c);
		FUZZ_CHECK((size_t)(e - c) <= VFS_NAME_MAX);
		FUZZ_CHECK(!(e - c == 1 && c[0] == '.'));
		FUZZ_CHECK(!(e - c == 2 && c[0] == '.' && c[1] == '.'));
	}
}

static void check_split(const char *vpath)
{
	char parent[VFS_PATH_MAX], back[VFS_PATH_MAX + 2];
	const char *name;
	int r = vpath_split(vpath, parent, sizeof(parent), &name);

	if (strcmp(vpath, "/") == 0) {
		FUZZ_CHECK(r == -EINVAL);
		return;
	}
	FUZZ_CHECK(r == 0);
	FUZZ_CHECK(name[0] != '\0' && strchr(name, '/') == NULL);
	snprintf(back, sizeof(back), "%s%s%s", parent,
		 strcmp(parent, "/") == 0 ? "" : "/", name);
	FUZZ_CHECK(strcmp(back, vpath) == 0);
	/* a parent buffer too short is refused, never overrun */
	r = vpath_split(vpath, parent, strlen(parent), &name);
	FUZZ_CHECK(r == -ENAMETOOLONG);
}

static void check_result(const char *out, size_t lim)
{
	char again[VFS_PATH_MAX];
	const char *rel;

	check_canonical(out, lim);
	/* normal form is a fixed point, absolute or as a cwd */
	FUZZ_CHECK(vpath_join("/", out, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, out) == 0);
	FUZZ_CHECK(vpath_join(out, NULL, again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, out) == 0);
	FUZZ_CHECK(vpath_join(out, ".", again, sizeof(again)) == 0);
	FUZZ_CHECK(strcmp(again, out) == 0);
	rel = vpath_rel(out);
	FUZZ_CHECK(rel[0] != '/' && rel[0] != '\0');
	FUZZ_CHECK(strcmp(out, "/") == 0 ? strcmp(rel, ".") == 0 :
		   strcmp(rel, out + 1) == 0);
	check_split(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep;
	char *cwd, *arg, *out, parent[16];
	const char *name;
	size_t outlen, cl;
	unsigned opt;
	int r;

	if (size < 1)
		return 0;
	opt = data[0];
	data++;
	size--;
	sep = memchr(data, '\0', size);
	cl = sep ? (size_t)(sep - data) : size;
	cwd = fuzz_strndup(data, cl);
	arg = sep ? fuzz_strndup(sep + 1, size - cl - 1) : NULL;
	outlen = out_sizes[(opt >> 2) % (sizeof(out_sizes) / sizeof(*out_sizes))];
	out = malloc(outlen ? outlen : 1);
	if (out == NULL)
		abort();
	r = vpath_join((opt & 1) ? NULL : cwd, (opt & 2) ? NULL : arg, out,
		       outlen);
	if (r == 0)
		check_result(out, outlen);
	else
		FUZZ_CHECK(r == -EINVAL || r == -ENAMETOOLONG);
	/* any text, canonical or not, with a small buffer */
	r = vpath_split(cwd, parent, sizeof(parent), &name);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ENAMETOOLONG);
	if (r == 0)
		FUZZ_CHECK(strlen(parent) < sizeof(parent));
	(void)vpath_rel(cwd);
	free(out);
	free(arg);
	free(cwd);
	return 0;
}
