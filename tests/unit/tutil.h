/*
 * Small helpers shared by the unit tests: formatted strings, whole files
 * and temporary folders.  Each one fails the running CMocka test on error.
 */
#ifndef CELLFTPD_TESTS_TUTIL_H
#define CELLFTPD_TESTS_TUTIL_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* vasprintf that cannot fail; caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Create or truncate path (mode 0644 before the umask) to hold text. */
void write_file(const char *path, const char *text);

/*
 * Create or truncate path (relative to dfd, or AT_FDCWD) to `size` bytes
 * that are all holes.
 */
void put_file(int dfd, const char *path, off_t size);

/* The whole file, which must exist and not be empty; caller frees. */
char *read_file(const char *path);

/* The whole file, or "" when it is missing or empty; caller frees. */
char *read_file_or_empty(const char *path);

/*
 * The first 64 KiB of a file, or NULL when it cannot be opened.  The text
 * lives in one buffer that the next peek_file() call overwrites.
 */
const char *peek_file(const char *path);
const char *peek_file_in(const char *dir, const char *name);	/* dir/name */

/* 1-based line of the first occurrence of needle, which must be in text. */
int line_of(const char *text, const char *needle);

/* A new folder from tmpl ("/tmp/name-XXXXXX"), its path copied to dir. */
void tmp_make(char *dir, size_t len, const char *tmpl);

/*
 * Remove dir and everything in it, never following a symbolic link, even
 * after a test took the write or search bit off some folder.  What is left
 * is reported on stderr: a teardown cannot fail a test that passed.
 */
void tmp_remove(const char *dir);

/* A fixture that is just a temporary folder, and maybe a file name in it. */
struct tmp {
	char dir[64];
	char path[128];		/* dir/file, or "" */
};

/* A struct tmp with a new folder from tmpl; file may be NULL. */
struct tmp *tmp_new(const char *tmpl, const char *file);

/* CMocka teardown for a struct tmp: the folder goes, then the struct. */
int tmp_teardown(void **state);

/* A numeric IPv4 / IPv6 address as a sockaddr (port 0); fails the test
 * on a malformed one. */
struct sockaddr_storage ss_v4(const char *text);
struct sockaddr_storage ss_v6(const char *text);

#endif
