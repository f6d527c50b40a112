/*
 * The auth_file users file: parse, index, format and atomically replace it,
 * lock it against the other writer (daemon or cellftpd-user), hash and
 * verify passwords.  Removing a cell tree is in tree.c.
 */
#include "users.h"

#include <crypt.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/module.h"


/* ---- small wrappers: EINTR is handled here and nowhere else ---- */

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_eintr(int fd)
{
	int r;

	do
		r = fsync(fd);
	while (r != 0 && errno == EINTR);
	return r;
}

static int flock_eintr(int fd, int op)
{
	int r;

	do
		r = flock(fd, op);
	while (r != 0 && errno == EINTR);
	return r;
}

static int str_append(char **s, size_t *len, const char *add, size_t n)
{
	char *p = realloc(*s, *len + n + 1);

	if (p == NULL)
		return -1;
	memcpy(p + *len, add, n);
	*len += n;
	p[*len] = '\0';
	*s = p;
	return 0;
}

/* ---- the index: logins sorted, so lookups stay fast with many users ---- */

static size_t lower_bound(const struct users_db *db, const char *login)
{
	size_t lo = 0, hi = db->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(db->v[db->idx[mid]].login, login) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int idx_cmp(const void *a, const void *b, void *arg)
{
	const struct users_db *db = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = strcmp(db->v[x].login, db->v[y].login);

	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

static int build_index(struct users_db *db, const char *path,
		       char *err, size_t errlen)
{
	size_t i;
	const struct users_entry *a, *b;

	if (db->idx == NULL)	/* no entries: grow() never ran */
		db->idx = calloc(1, sizeof(*db->idx));
	if (db->idx == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	for (i = 0; i < db->n; i++)
		db->idx[i] = i;
	qsort_r(db->idx, db->n, sizeof(*db->idx), idx_cmp, db);
	for (i = 1; i < db->n; i++) {
		a = &db->v[db->idx[i - 1]];
		b = &db->v[db->idx[i]];
		if (strcmp(a->login, b->login) == 0) {
			snprintf(err, errlen, "%s:%u: duplicate login \"%s\" "
				 "(first on line %u)", path, b->line, b->login,
				 a->line);
			return -1;
		}
	}
	return 0;
}

static int grow(struct users_db *db)
{
	size_t cap = db->cap ? db->cap * 2 : 16;
	struct users_entry *v;
	size_t *idx;

	v = reallocarray(db->v, cap, sizeof(*v));
	if (v == NULL)
		return -1;
	db->v = v;
	idx = reallocarray(db->idx, cap, sizeof(*idx));
	if (idx == NULL)
		return -1;
	db->idx = idx;
	db->cap = cap;
	return 0;
}

/* ---- parsing ---- */

int users_valid_login(const char *login)
{
	size_t i;
	unsigned char c;

	if (login == NULL || login[0] == '\0' || login[0] == '.' ||
	    login[0] == '-')
		return 0;
	for (i = 0; login[i] != '\0'; i++) {
		c = (unsigned char)login[i];
		if (i >= USERS_LOGIN_MAX)
			return 0;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return 0;
	}
	return 1;
}

static int valid_hash(const char *h)
{
	size_t len = strlen(h);

	if (len == 0 || len >= USERS_HASH_MAX)
		return 0;
	for (; *h != '\0'; h++)
		if (!isgraph((unsigned char)*h))
			return 0;
	return 1;
}

static int parse_flags(char *s, unsigned *flags, char *why, size_t whylen)
{
	char *tok, *save = NULL;

	*flags = 0;
	if (strcmp(s, "-") == 0)
		return 0;
	if (s[0] == '\0' || s[0] == ',' || s[strlen(s) - 1] == ',' ||
	    strstr(s, ",,") != NULL) {
		snprintf(why, whylen, "bad flags \"%.64s\"", s);
		return -1;
	}
	for (tok = strtok_r(s, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		if (strcmp(tok, "admin") == 0) {
			*flags |= CF_ACCT_ADMIN;
		} else if (strcmp(tok, "disabled") == 0) {
			*flags |= CF_ACCT_DISABLED;
		} else {
			snprintf(why, whylen, "unknown flag \"%.64s\"", tok);
			return -1;
		}
	}
	return 0;
}

/* Split "login:hash:quota:flags" in place into e. */
static int parse_entry(char *line, struct users_entry *e,
		       char *why, size_t whylen)
{
	char *f[4], *p = line;
	size_t nf = 0;

	memset(e, 0, sizeof(*e));
	for (;;) {
		if (nf == 4) {
			snprintf(why, whylen, "more than 4 fields "
				 "(expected login:hash:quota:flags)");
			return -1;
		}
		f[nf++] = p;
		p = strchr(p, ':');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	if (nf != 4) {
		snprintf(why, whylen, "%zu field%s, expected 4 "
			 "(login:hash:quota:flags)", nf, nf == 1 ? "" : "s");
		return -1;
	}
	if (!users_valid_login(f[0])) {
		snprintf(why, whylen, "invalid login \"%.64s\"", f[0]);
		return -1;
	}
	strcpy(e->login, f[0]);
	if (!valid_hash(f[1])) {
		snprintf(why, whylen, "bad password hash for \"%s\"", e->login);
		return -1;
	}
	strcpy(e->hash, f[1]);
	if (strcmp(f[2], "-") != 0) {
		if (cf_size_parse(f[2], &e->quota_bytes) != 0) {
			snprintf(why, whylen, "bad quota \"%.64s\" (a size "
				 "such as 500M, \"none\" or \"-\")", f[2]);
			return -1;
		}
		e->quota_set = 1;
	}
	return parse_flags(f[3], &e->flags, why, whylen);
}

static int is_note(const char *line)
{
	line += strspn(line, " \t");
	return *line == '\0' || *line == '#';
}

static void set_identity(struct users_db *db, const struct stat *st)
{
	db->dev = st->st_dev;
	db->ino = st->st_ino;
	db->size = st->st_size;
	db->mtime = st->st_mtim;
}

static int read_lines(struct users_db *db, FILE *fp, const char *path,
		      char *err, size_t errlen)
{
	char *line = NULL, *note = NULL, why[160];
	size_t linecap = 0, notelen = 0;
	ssize_t len;
	unsigned lineno = 0;
	struct users_entry e;
	int rc = -1;

	while ((len = getline(&line, &linecap, fp)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len) {
			snprintf(err, errlen, "%s:%u: NUL byte in line",
				 path, lineno);
			goto out;
		}
		if (is_note(line)) {
			if (str_append(&note, &notelen, line, (size_t)len) ||
			    str_append(&note, &notelen, "\n", 1))
				goto nomem;
			continue;
		}
		if (parse_entry(line, &e, why, sizeof(why)) != 0) {
			snprintf(err, errlen, "%s:%u: %s", path, lineno, why);
			goto out;
		}
		if (db->n == db->cap && grow(db) != 0)
			goto nomem;
		e.line = lineno;
		e.note = note;
		note = NULL;
		notelen = 0;
		db->v[db->n++] = e;
	}
	if (ferror(fp)) {
		snprintf(err, errlen, "cannot read users file %s: %s", path,
			 strerror(errno));
		goto out;
	}
	db->tail = note;
	note = NULL;
	rc = 0;
	goto out;
nomem:
	snprintf(err, errlen, "%s:%u: out of memory", path, lineno);
out:
	free(note);
	free(line);
	return rc;
}

int users_load(struct users_db *db, const char *path, int missing_ok,
	       char *err, size_t errlen)
{
	struct stat st;
	FILE *fp;
	int fd;

	memset(db, 0, sizeof(*db));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing_ok)
			return 0;
		snprintf(err, errlen, "cannot read users file %s: %s", path,
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot read users file %s: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "cannot read users file %s: %s", path,
			 S_ISDIR(st.st_mode) ? strerror(EISDIR)
					     : "not a regular file");
		close(fd);
		return -1;
	}
	fp = fdopen(fd, "r");
	if (fp == NULL) {
		snprintf(err, errlen, "cannot read users file %s: %s", path,
			 strerror(errno));
		close(fd);
		return -1;
	}
	set_identity(db, &st);
	if (read_lines(db, fp, path, err, errlen) != 0 ||
	    build_index(db, path, err, errlen) != 0) {
		fclose(fp);
		users_free(db);
		return -1;
	}
	fclose(fp);
	return 0;
}

void users_free(struct users_db *db)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		free(db->v[i].note);
	free(db->v);
	free(db->idx);
	free(db->tail);
	memset(db, 0, sizeof(*db));
}

int users_changed(const struct users_db *db, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return db->ino != 0;
	return st.st_dev != db->dev || st.st_ino != db->ino ||
	       st.st_size != db->size ||
	       st.st_mtim.tv_sec != db->mtime.tv_sec ||
	       st.st_mtim.tv_nsec != db->mtime.tv_nsec;
}

void users_remember(struct users_db *db, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0) {
		set_identity(db, &st);
	} else {
		memset(&st, 0, sizeof(st));
		set_identity(db, &st);
	}
}

/* ---- lookups and edits ---- */

struct users_entry *users_find(const struct users_db *db, const char *login)
{
	size_t pos = lower_bound(db, login);

	if (pos < db->n && strcmp(db->v[db->idx[pos]].login, login) == 0)
		return &db->v[db->idx[pos]];
	return NULL;
}

int users_add(struct users_db *db, const struct users_entry *e)
{
	size_t pos = lower_bound(db, e->login);

	if (pos < db->n && strcmp(db->v[db->idx[pos]].login, e->login) == 0)
		return -1;
	if (db->n == db->cap && grow(db) != 0)
		return -1;
	db->v[db->n] = *e;
	db->v[db->n].note = NULL;
	db->v[db->n].line = 0;
	memmove(&db->idx[pos + 1], &db->idx[pos],
		(db->n - pos) * sizeof(*db->idx));
	db->idx[pos] = db->n;
	db->n++;
	return 0;
}

/* How much of a note survives its entry: up to its last blank line. */
static size_t note_keep(const char *note)
{
	const char *p = note, *nl;
	size_t keep = 0;

	while ((nl = strchr(p, '\n')) != NULL) {
		if (strspn(p, " \t") == (size_t)(nl - p))
			keep = (size_t)(nl + 1 - note);
		p = nl + 1;
	}
	return keep;
}

/* Hand the kept part of a removed entry's note to whatever follows it. */
static int pass_note(struct users_db *db, size_t k)
{
	char *note = db->v[k].note, **next, *joined = NULL;
	size_t keep, len = 0;

	if (note == NULL || (keep = note_keep(note)) == 0)
		return 0;
	next = k + 1 < db->n ? &db->v[k + 1].note : &db->tail;
	if (str_append(&joined, &len, note, keep) != 0 ||
	    (*next != NULL && str_append(&joined, &len, *next,
					 strlen(*next)) != 0)) {
		free(joined);
		return -1;
	}
	free(*next);
	*next = joined;
	return 0;
}

int users_remove(struct users_db *db, const char *login)
{
	size_t pos = lower_bound(db, login), k, i;

	if (pos >= db->n || strcmp(db->v[db->idx[pos]].login, login) != 0)
		return -1;
	k = db->idx[pos];
	if (pass_note(db, k) != 0)
		return -1;
	free(db->v[k].note);
	memmove(&db->v[k], &db->v[k + 1], (db->n - k - 1) * sizeof(*db->v));
	memmove(&db->idx[pos], &db->idx[pos + 1],
		(db->n - pos - 1) * sizeof(*db->idx));
	db->n--;
	for (i = 0; i < db->n; i++)
		if (db->idx[i] > k)
			db->idx[i]--;
	return 0;
}

/* ---- writing ---- */

void users_size_text(uint64_t bytes, char *out, size_t outlen)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (bytes == CF_UNLIMITED) {
		snprintf(out, outlen, "none");
		return;
	}
	while (bytes != 0 && u < 3 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, outlen, "%llu", (unsigned long long)bytes);
	else
		snprintf(out, outlen, "%llu%c", (unsigned long long)bytes,
			 units[u]);
}

const char *users_flags_text(unsigned flags)
{
	switch (flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED)) {
	case CF_ACCT_ADMIN: return "admin";
	case CF_ACCT_DISABLED: return "disabled";
	case CF_ACCT_ADMIN | CF_ACCT_DISABLED: return "admin,disabled";
	default: return "-";
	}
}

int users_format(const struct users_entry *e, char *out, size_t outlen)
{
	char quota[32];
	int n;

	if (e->quota_set)
		users_size_text(e->quota_bytes, quota, sizeof(quota));
	else
		snprintf(quota, sizeof(quota), "-");
	n = snprintf(out, outlen, "%s:%s:%s:%s", e->login, e->hash, quota,
		     users_flags_text(e->flags));
	return n < 0 || (size_t)n >= outlen ? -1 : 0;
}

static char *render(const struct users_db *db, size_t *len)
{
	char line[USERS_LOGIN_MAX + USERS_HASH_MAX + 64];
	char *text = NULL;
	FILE *ms = open_memstream(&text, len);
	size_t i;
	int bad = 0;

	if (ms == NULL)
		return NULL;
	for (i = 0; i < db->n && !bad; i++) {
		bad = users_format(&db->v[i], line, sizeof(line)) != 0;
		if (!bad)
			fprintf(ms, "%s%s\n",
				db->v[i].note ? db->v[i].note : "", line);
	}
	if (db->tail != NULL)
		fputs(db->tail, ms);
	bad |= ferror(ms);
	if (fclose(ms) != 0 || bad) {
		free(text);
		return NULL;
	}
	return text;
}

/*
 * Give the new file the old one's owner.  A non-root writer (the daemon
 * registering someone) cannot give a file away: it keeps the group and
 * mode, and owns the file itself, which it and root can still read.
 */
static int set_owner(int fd, uid_t uid, gid_t gid)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return -1;
	if ((uid == (uid_t)-1 || st.st_uid == uid) &&
	    (gid == (gid_t)-1 || st.st_gid == gid))
		return 0;
	if (fchown(fd, uid, gid) == 0)
		return 0;
	if (errno != EPERM || geteuid() == 0)
		return -1;
	return fchown(fd, (uid_t)-1, gid);
}

static int fsync_dir(const char *file)
{
	char *copy = strdup(file);
	int fd, rc = -1;

	if (copy == NULL)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync_eintr(fd);
		close(fd);
	}
	free(copy);
	return rc;
}

static int write_tmp(const char *tmp, const char *text, size_t len,
		     const struct stat *old, uid_t uid, gid_t gid,
		     char *err, size_t errlen)
{
	mode_t mode = old != NULL ? (old->st_mode & 07777) : 0640;
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create %s: %s", tmp,
			 strerror(errno));
		return -1;
	}
	if (old != NULL) {
		uid = old->st_uid;
		gid = old->st_gid;
	}
	if (write_all(fd, text, len) != 0 || set_owner(fd, uid, gid) != 0 ||
	    fchmod(fd, mode) != 0 || fsync_eintr(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp,
			 strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int users_save_owner(const struct users_db *db, const char *path,
		     uid_t new_uid, gid_t new_gid, char *err, size_t errlen)
{
	char *text = NULL, *real = NULL, *tmp = NULL;
	const char *target = path;
	struct stat st;
	int have_old, rc = -1;
	size_t len;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		real = realpath(path, NULL);
		if (real == NULL) {
			snprintf(err, errlen, "cannot resolve %s: %s", path,
				 strerror(errno));
			return -1;
		}
		target = real;
	}
	have_old = stat(target, &st) == 0;
	if (!have_old && errno != ENOENT) {
		snprintf(err, errlen, "cannot stat %s: %s", target,
			 strerror(errno));
		goto out;
	}
	text = render(db, &len);
	if (text == NULL || asprintf(&tmp, "%s.tmp", target) < 0) {
		tmp = NULL;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	/*
	 * We hold the lock, so a leftover temporary file is from a crash.
	 * When it cannot go, the O_EXCL open in write_tmp fails and says why.
	 */
	(void)unlink(tmp);
	if (write_tmp(tmp, text, len, have_old ? &st : NULL, new_uid, new_gid,
		      err, errlen) != 0)
		goto out;
	if (rename(tmp, target) != 0) {
		snprintf(err, errlen, "cannot replace %s: %s", target,
			 strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (fsync_dir(target) != 0) {
		snprintf(err, errlen, "cannot sync the folder of %s: %s",
			 target, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(text);
	free(tmp);
	free(real);
	return rc;
}

int users_save(const struct users_db *db, const char *path,
	       char *err, size_t errlen)
{
	return users_save_owner(db, path, (uid_t)-1, (gid_t)-1, err, errlen);
}

/* ---- locking ---- */

/* Root-made lock files go to the users file's owner, so the daemon can lock. */
static void lock_owner(int fd, const char *path)
{
	struct stat ref, st;
	char *copy;
	int ok;

	if (geteuid() != 0 || fstat(fd, &st) != 0)
		return;
	ok = stat(path, &ref) == 0;
	if (!ok && (copy = strdup(path)) != NULL) {
		ok = stat(dirname(copy), &ref) == 0;
		free(copy);
	}
	if (ok && (st.st_uid != ref.st_uid || st.st_gid != ref.st_gid) &&
	    fchown(fd, ref.st_uid, ref.st_gid) != 0)
		return;		/* the lock still works for root */
}

int users_lock(const char *path, char *err, size_t errlen)
{
	char *lockpath;
	int fd;

	if (asprintf(&lockpath, "%s.lock", path) < 0) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fd = open(lockpath, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		snprintf(err, errlen, "cannot open lock file %s: %s",
			 lockpath, strerror(errno));
		free(lockpath);
		return -1;
	}
	lock_owner(fd, path);
	if (flock_eintr(fd, LOCK_EX) != 0) {
		snprintf(err, errlen, "cannot lock %s: %s", lockpath,
			 strerror(errno));
		close(fd);
		free(lockpath);
		return -1;
	}
	free(lockpath);
	return fd;
}

void users_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* ---- passwords ---- */

int users_hash(const char *password, char *out, size_t outlen)
{
	char salt[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	const char *h;
	int rc = -1;

	if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof(salt)) == NULL)
		return -1;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return -1;
	h = crypt_rn(password, salt, cd, sizeof(*cd));
	if (h != NULL && h[0] != '*' && valid_hash(h) &&
	    strchr(h, ':') == NULL && strlen(h) < outlen) {
		strcpy(out, h);
		rc = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

int users_verify(const char *password, const char *hash)
{
	struct crypt_data *cd;
	const char *h;
	volatile unsigned char diff = 0;
	size_t i, len = strlen(hash);
	int ok = 0;

	/* "!..." is a locked account, "*..." never matches by crypt(3) rules */
	if (len == 0 || hash[0] == '!' || hash[0] == '*')
		return 0;
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return 0;
	h = crypt_rn(password, hash, cd, sizeof(*cd));
	if (h != NULL && h[0] != '*' && strlen(h) == len) {
		for (i = 0; i < len; i++)
			diff |= (unsigned char)(h[i] ^ hash[i]);
		ok = diff == 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}
