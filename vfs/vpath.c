/*
 * Virtual paths: the purely lexical side of the cell.  A client's argument
 * is joined to the session's cwd and normalised here, before anything
 * touches the file system; the kernel (openat2) does the rest.
 */
#include "vfs/vfs.h"

#include <errno.h>
#include <string.h>

/* The path being built: bounded by VFS_PATH_MAX and by the caller's buffer. */
struct vp_acc {
	char p[VFS_PATH_MAX];
	size_t len;
	size_t lim;		/* strlen(result) must stay below this */
};

static void vp_pop(struct vp_acc *a)
{
	while (a->len > 0 && a->p[a->len - 1] != '/')
		a->len--;
	if (a->len > 0)
		a->len--;	/* the separator itself; "" stands for "/" */
}

static int vp_push(struct vp_acc *a, const char *comp, size_t clen)
{
	if (clen > VFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (clen == 1 && comp[0] == '.')
		return 0;
	if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
		vp_pop(a);
		return 0;
	}
	/*
	 * Measured as written, so an argument that climbs out of a too-long
	 * intermediate path is refused too, as the kernel would.
	 */
	if (a->len + 1 + clen >= a->lim)
		return -ENAMETOOLONG;
	a->p[a->len++] = '/';
	memcpy(a->p + a->len, comp, clen);
	a->len += clen;
	return 0;
}

/* Feed every component of `s` to the accumulator. */
static int vp_walk(struct vp_acc *a, const char *s)
{
	const char *c, *e;
	int rc;

	for (c = s; *c != '\0'; c = e) {
		while (*c == '/')
			c++;
		for (e = c; *e != '\0' && *e != '/'; e++)
			if (*e == '\r' || *e == '\n')
				return -EINVAL;
		if (e > c && (rc = vp_push(a, c, (size_t)(e - c))) != 0)
			return rc;
	}
	return 0;
}

int vpath_join(const char *cwd, const char *arg, char *out, size_t outlen)
{
	struct vp_acc a;
	int rc;

	if (outlen < 2)
		return -ENAMETOOLONG;
	a.len = 0;
	a.lim = outlen < sizeof(a.p) ? outlen : sizeof(a.p);
	if (arg == NULL || *arg == '\0' || *arg != '/') {
		if (cwd != NULL && (rc = vp_walk(&a, cwd)) != 0)
			return rc;
	}
	if (arg != NULL && (rc = vp_walk(&a, arg)) != 0)
		return rc;
	if (a.len == 0)
		a.p[a.len++] = '/';
	memcpy(out, a.p, a.len);
	out[a.len] = '\0';
	return 0;
}

int vpath_split(const char *vpath, char *parent, size_t parentlen,
		const char **name)
{
	const char *slash;
	size_t plen;

	if (vpath[0] != '/')
		return -EINVAL;
	slash = strrchr(vpath, '/');
	if (slash[1] == '\0')
		return -EINVAL;	/* "/" itself, or not canonical */
	plen = slash == vpath ? 1 : (size_t)(slash - vpath);
	if (plen >= parentlen)
		return -ENAMETOOLONG;
	memcpy(parent, vpath, plen);
	parent[plen] = '\0';
	*name = slash + 1;
	return 0;
}

const char *vpath_rel(const char *vpath)
{
	while (*vpath == '/')
		vpath++;
	return *vpath == '\0' ? "." : vpath;
}
