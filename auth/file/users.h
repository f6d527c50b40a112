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
	/*
	 * Comment and blank lines read just above this entry (each ending in
	 * '\n'), written back before it; NULL for none.  Owned by the db.
	 */
	char *note;
	unsigned line;			/* line in the file, 0 when added */
	int64_t last_login;		/* kept in memory only, never written */
};

struct users_db {
	struct users_entry *v;		/* in file order */
	size_t n, cap;
	size_t *idx;			/* indexes into v, sorted by login */
	char *tail;			/* comment lines after the last entry */
	/* identity of the file that was read, to notice a change */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/*
 * Read the file.  A missing file is an empty database when `missing_ok`.
 * Errors: "PATH:LINE: problem" (bad field count, bad login, bad quota,
 * unknown flag, duplicate login).  Comment lines ('#' first, after
 * optional blanks) and blank lines are kept and written back by
 * users_save; the comment lines directly above an account (no blank line
 * between) go away with it when it is removed.
 */
int users_load(struct users_db *db, const char *path, int missing_ok,
	       char *err, size_t errlen);
void users_free(struct users_db *db);

/* Has the file changed since db was loaded (by inode, size, mtime)? */
int users_changed(const struct users_db *db, const char *path);

/*
 * Record the file's current identity in db, so users_changed() answers 0
 * until it changes again (used to stop re-reading a broken file).
 */
void users_remember(struct users_db *db, const char *path);

/*
 * Write db to path atomically: PATH.tmp in the same folder, fsync, rename,
 * fsync of the folder.  An existing file keeps its owner, group and mode;
 * a new one gets 0640.  Call with the lock held.  A symlink at path is
 * followed: the file it points to is replaced.
 */
int users_save(const struct users_db *db, const char *path,
	       char *err, size_t errlen);

/*
 * users_save, choosing the owner of a file that does not exist yet
 * ((uid_t)-1 / (gid_t)-1: the caller's).  An existing file keeps its own.
 */
int users_save_owner(const struct users_db *db, const char *path,
		     uid_t new_uid, gid_t new_gid, char *err, size_t errlen);

/*
 * Exclusive lock (flock on PATH.lock), blocking; returns fd or -1.
 * The lock file is created 0640; when root creates it, it gets the owner of
 * the users file (or of its folder), so the daemon can take it too.
 */
int users_lock(const char *path, char *err, size_t errlen);
void users_unlock(int fd);

/*
 * Pointers returned by users_find are valid until the next users_add,
 * users_remove or users_free.
 */
struct users_entry *users_find(const struct users_db *db, const char *login);
/* Append a copy of e (without its note); -1 if the login exists or ENOMEM. */
int users_add(struct users_db *db, const struct users_entry *e);
/* 0 when removed, -1 when there is no such login. */
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

/* Flags the way the file writes them: "-", "admin", "admin,disabled". */
const char *users_flags_text(unsigned flags);

/* A size the way the file writes it: "500M", "4097", "none". */
void users_size_text(uint64_t bytes, char *out, size_t outlen);

/*
 * Remove dirfd/name and everything below it, never following a symlink
 * (a symlink is removed, not its target; `name` is meant to be one path
 * component, a login).  A missing name is not an error.  0, or -1 with err.
 */
int users_remove_tree(int dirfd, const char *name, char *err, size_t errlen);

#endif
