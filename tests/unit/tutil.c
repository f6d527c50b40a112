/*
 * Helpers shared by the unit tests (see tutil.h).  They assert instead of
 * returning errors: a helper that fails is a broken test setup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tutil.h"

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	assert_true(n >= 0);
	return s;
}

void write_file(const char *path, const char *text)
{
	size_t len = strlen(text);
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

void put_file(int dfd, const char *path, off_t size)
{
	int fd = openat(dfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
			0644);

	if (fd < 0)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	if (ftruncate(fd, size) != 0)
		fail_msg("cannot make %s %lld bytes: %s", path,
			 (long long)size, strerror(errno));
	assert_int_equal(close(fd), 0);
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL)
		fail_msg("cannot read %s: %s", path, strerror(errno));
	n = getdelim(&s, &cap, '\0', f);
	assert_true(n > 0);
	fclose(f);
	return s;
}

char *read_file_or_empty(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s = NULL;
	size_t cap = 0;

	if (f == NULL)
		return strdup("");
	if (getdelim(&s, &cap, '\0', f) < 0) {
		free(s);
		s = strdup("");
	}
	fclose(f);
	assert_non_null(s);
	return s;
}

const char *peek_file(const char *path)
{
	static char buf[1 << 16];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (fp == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

const char *peek_file_in(const char *dir, const char *name)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return peek_file(p);
}

int line_of(const char *text, const char *needle)
{
	const char *hit = strstr(text, needle), *p;
	int line = 1;

	if (hit == NULL)
		fail_msg("\"%s\" not found", needle);
	for (p = text; p < hit; p++)
		line += *p == '\n';
	return line;
}

void tmp_make(char *dir, size_t len, const char *tmpl)
{
	assert_true(strlen(tmpl) < len);
	strcpy(dir, tmpl);
	if (mkdtemp(dir) == NULL)
		fail_msg("mkdtemp %s: %s", tmpl, strerror(errno));
}

/* Pre-order: give every folder back to its owner before emptying it. */
static int tu_open_up(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	if (flag == FTW_D || flag == FTW_DNR)
		(void)chmod(path, 0700);	/* what fails shows below */
	return 0;
}

/* Depth first; go on past a failure so that as much as can goes. */
static int tu_rm_one(const char *path, const struct stat *st, int flag,
		     struct FTW *ftw)
{
	if (flag == FTW_DP || flag == FTW_DNR)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

void tmp_remove(const char *dir)
{
	struct stat st;

	nftw(dir, tu_open_up, 16, FTW_PHYS);
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	if (lstat(dir, &st) == 0 || errno != ENOENT)
		fprintf(stderr, "teardown: cannot remove %s\n", dir);
}

struct tmp *tmp_new(const char *tmpl, const char *file)
{
	struct tmp *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	tmp_make(t->dir, sizeof(t->dir), tmpl);
	if (file != NULL)
		snprintf(t->path, sizeof(t->path), "%s/%s", t->dir, file);
	return t;
}

int tmp_teardown(void **state)
{
	struct tmp *t = *state;

	tmp_remove(t->dir);
	free(t);
	return 0;
}

struct sockaddr_storage ss_v4(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;

	memset(&ss, 0, sizeof(ss));
	in->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, text, &in->sin_addr), 1);
	return ss;
}

struct sockaddr_storage ss_v6(const char *text)
{
	struct sockaddr_storage ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	in6->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, text, &in6->sin6_addr), 1);
	return ss;
}
