/*
 * The users file of auth_file: one account per line, "login:hash:quota:flags".
 * Shared by the auth_file plugin and the cellftpd-user tool, so both read
 * and write it the same way: under a lock, replaced atomically.
 */
#ifndef AUTH_FILE_USERS_H
#define AUTH_FILE_USERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#define USERS_LOGIN_MAX 32
#define USERS_HASH_MAX 256

struct users_entry {
	char login[USERS_LOGIN_MAX + 1];
	char hash[USERS_HASH_MAX];	/* crypt(3) string; "!" prefix = locked */
	int quota_set;			/* 0: "-" in the file, use default */
	uint64_t quota_bytes;		/* CF_UNLIMITED for "none" */
	unsigned flags;			/* CF_ACCT_ADMIN | CF_ACCT_DISABLED */
};

struct users_db {
	struct users_entry *v;
	size_t n, cap;
	/* identity of the file that was read, to notice a change */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/*
 * Read the file.  A missing file is an empty database when `missing_ok`.
 * Errors: "PATH:LINE: problem" (bad field count, bad login, bad quota,
 * unknown flag, duplicate login).
 */
int users_load(struct users_db *db, const char *path, int missing_ok,
	       char *err, size_t errlen);
void users_free(struct users_db *db);

/* Has the file changed since db was loaded (by inode, size, mtime)? */
int users_changed(const struct users_db *db, const char *path);

/*
 * Write db to path atomically: PATH.tmp in the same folder, fsync, rename,
 * fsync of the folder.  An existing file keeps its owner, group and mode;
 * a new one gets 0640.  Call with the lock held.
 */
int users_save(const struct users_db *db, const char *path,
	       char *err, size_t errlen);

/* Exclusive lock (flock on PATH.lock), blocking; returns fd or -1. */
int users_lock(const char *path, char *err, size_t errlen);
void users_unlock(int fd);

struct users_entry *users_find(const struct users_db *db, const char *login);
int users_add(struct users_db *db, const struct users_entry *e);
int users_remove(struct users_db *db, const char *login);

/*
 * Logins: letters, digits, '.', '_', '-'; 1..32 characters; not starting
 * with '.' or '-'.  Returns 1 if valid.
 */
int users_valid_login(const char *login);

/* yescrypt hash of password (libcrypt); 0 on success. */
int users_hash(const char *password, char *out, size_t outlen);

/* 1 when password matches hash; compares in constant time. */
int users_verify(const char *password, const char *hash);

/* Format one line (without newline), as written to the file. */
int users_format(const struct users_entry *e, char *out, size_t outlen);

#endif
