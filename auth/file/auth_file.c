/*
 * auth_file.so: virtual users from a users file (users.h), with the
 * registration policy, the admin flag and per-account quota.  The file is
 * re-read when it changes; account operations rewrite it under its lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "modules/module.h"
#include "auth/file/users.h"

#define AF_RATE_SLOTS 1024	/* client addresses remembered for the limit */
#define AF_RATE_WINDOW 3600	/* seconds */
#define AF_PASSWORD_MAX 1024

enum af_reg { AF_REG_OFF, AF_REG_ADMIN, AF_REG_OPEN };

struct af_settings {
	char users[CF_PATH_MAX];
	enum af_reg registration;
	uint64_t default_quota;
	long long min_password;
	long long reg_limit;		/* per address per hour; 0 = none */
};

struct af_rate {
	char addr[64];
	time_t start;
	unsigned count;
};

struct af_state {
	const struct cf_host *host;
	pthread_rwlock_t lock;		/* guards set and db */
	struct af_settings set;
	struct users_db db;
	pthread_mutex_t rate_lock;	/* guards rate */
	struct af_rate rate[AF_RATE_SLOTS];
	/* hashed at init: an unknown login costs as much as a known one */
	char dummy[USERS_HASH_MAX];
};

/* One locked read-modify-write of the users file. */
struct af_txn {
	struct af_settings set;
	struct users_db db;
	int lockfd;
};

/* ---- settings ---- */

static int af_bad(const struct cf_host *host, const struct cf_config *cfg,
		  const char *key, const char *what, char *err, size_t errlen)
{
	char where[256];

	snprintf(err, errlen, "%s: auth_file: %s%s%s",
		 host->cfg_where(cfg, key, where, sizeof(where)),
		 key != NULL ? key : "", key != NULL ? " " : "", what);
	return -1;
}

static int af_int(const struct cf_host *host, const struct cf_config *cfg,
		  const char *key, long long def, long long min,
		  long long max, long long *out, char *err, size_t errlen)
{
	char what[96];
	int r = host->cfg_int(cfg, key, out);

	if (r == 1)
		*out = def;
	if (r < 0 || *out < min || *out > max) {
		snprintf(what, sizeof(what), "must be a number from %lld to "
			 "%lld", min, max);
		return af_bad(host, cfg, key, what, err, errlen);
	}
	return 0;
}

static int af_parse(const struct cf_host *host, const struct cf_config *cfg,
		    struct af_settings *s, char *err, size_t errlen)
{
	static const char *const known[] = {
		"users", "registration", "default_quota", "min_password",
		"registration_limit", NULL
	};
	const char *reg = "off";
	int r;

	memset(s, 0, sizeof(*s));
	if (host->cfg_check_keys(cfg, known, err, errlen) != 0)
		return -1;
	r = host->cfg_path(cfg, "users", s->users, sizeof(s->users));
	if (r == 1)
		return af_bad(host, cfg, NULL, "needs `users`, the path of "
			      "the users file", err, errlen);
	if (r < 0)
		return af_bad(host, cfg, "users", "must be a path", err,
			      errlen);
	if (host->cfg_str(cfg, "registration", &reg) < 0)
		return af_bad(host, cfg, "registration", "must be a string",
			      err, errlen);
	if (strcmp(reg, "off") == 0)
		s->registration = AF_REG_OFF;
	else if (strcmp(reg, "admin") == 0)
		s->registration = AF_REG_ADMIN;
	else if (strcmp(reg, "open") == 0)
		s->registration = AF_REG_OPEN;
	else
		return af_bad(host, cfg, "registration", "must be \"off\", "
			      "\"admin\" or \"open\"", err, errlen);
	r = host->cfg_size(cfg, "default_quota", &s->default_quota);
	if (r == 1)
		s->default_quota = CF_UNLIMITED;
	else if (r < 0)
		return af_bad(host, cfg, "default_quota", "must be a size "
			      "such as \"500M\", or \"none\"", err, errlen);
	if (af_int(host, cfg, "min_password", 8, 1, AF_PASSWORD_MAX,
		   &s->min_password, err, errlen) != 0 ||
	    af_int(host, cfg, "registration_limit", 5, 0, 1000000,
		   &s->reg_limit, err, errlen) != 0)
		return -1;
	return 0;
}

static void af_settings_copy(struct af_state *st, struct af_settings *out)
{
	pthread_rwlock_rdlock(&st->lock);
	*out = st->set;
	pthread_rwlock_unlock(&st->lock);
}

/* ---- the in-memory copy of the file ---- */

/* Take over fresh (read from path) unless the settings moved meanwhile. */
static void af_install(struct af_state *st, struct users_db *fresh,
		       const char *path)
{
	struct users_db old = *fresh;

	pthread_rwlock_wrlock(&st->lock);
	if (strcmp(path, st->set.users) == 0) {
		old = st->db;
		st->db = *fresh;
	}
	pthread_rwlock_unlock(&st->lock);
	memset(fresh, 0, sizeof(*fresh));
	users_free(&old);
}

/* Re-read the file when it changed; a broken file keeps the old accounts. */
static void af_refresh(struct af_state *st)
{
	char path[CF_PATH_MAX], err[512];
	struct users_db fresh;
	int changed;

	pthread_rwlock_rdlock(&st->lock);
	changed = users_changed(&st->db, st->set.users);
	memcpy(path, st->set.users, sizeof(path));
	pthread_rwlock_unlock(&st->lock);
	if (!changed)
		return;
	if (users_load(&fresh, path, 0, err, sizeof(err)) == 0) {
		af_install(st, &fresh, path);
		return;
	}
	st->host->log(CF_LOG_ERR, "auth_file: %s; keeping the accounts "
		      "read before", err);
	pthread_rwlock_wrlock(&st->lock);
	if (strcmp(path, st->set.users) == 0)
		users_remember(&st->db, path);	/* log it once per change */
	pthread_rwlock_unlock(&st->lock);
}

/* Copy an entry out, so nothing is held while hashing. */
static int af_get(struct af_state *st, const char *login,
		  struct users_entry *out, uint64_t *default_quota)
{
	const struct users_entry *e;

	pthread_rwlock_rdlock(&st->lock);
	e = users_find(&st->db, login);
	if (e != NULL) {
		*out = *e;
		out->note = NULL;
	}
	*default_quota = st->set.default_quota;
	pthread_rwlock_unlock(&st->lock);
	return e != NULL;
}

static void af_identity(const struct users_entry *e, uint64_t default_quota,
			struct cf_identity *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->login, sizeof(out->login), "%s", e->login);
	out->root[0] = '\0';
	out->is_admin = (e->flags & CF_ACCT_ADMIN) != 0;
	out->quota_bytes = e->quota_set ? e->quota_bytes : default_quota;
	out->quota_files = CF_UNLIMITED;
	out->uid = -1;
	out->gid = -1;
}

/* ---- logging in ---- */

static int af_authenticate(void *state, const struct cf_client *client,
			   const char *login, const char *password,
			   struct cf_identity *out, char *why, size_t whylen)
{
	struct af_state *st = state;
	struct users_entry e;
	uint64_t defq;
	int match;

	if (password == NULL)
		password = "";
	af_refresh(st);
	if (!af_get(st, login, &e, &defq)) {
		(void)users_verify(password, st->dummy);
		snprintf(why, whylen, "unknown login");
		return CF_DECLINED;
	}
	match = users_verify(password, e.hash);
	if (e.flags & CF_ACCT_DISABLED) {
		snprintf(why, whylen, "account disabled");
		return CF_DENIED;
	}
	if (!match) {
		snprintf(why, whylen, "%s", e.hash[0] == '!' ?
			 "account locked" : "wrong password");
		return CF_DENIED;
	}
	af_identity(&e, defq, out);
	return CF_OK;
}

static int af_lookup(void *state, const char *login, struct cf_identity *out)
{
	struct af_state *st = state;
	struct users_entry e;
	uint64_t defq;

	af_refresh(st);
	if (!af_get(st, login, &e, &defq))
		return CF_DECLINED;
	if (e.flags & CF_ACCT_DISABLED)
		return CF_DENIED;
	af_identity(&e, defq, out);
	return CF_OK;
}

/* ---- account operations ---- */

static int af_begin(struct af_state *st, struct af_txn *t,
		    char *why, size_t whylen)
{
	af_settings_copy(st, &t->set);
	t->lockfd = users_lock(t->set.users, why, whylen);
	if (t->lockfd < 0)
		return CF_ERROR;
	if (users_load(&t->db, t->set.users, 1, why, whylen) != 0) {
		users_unlock(t->lockfd);
		return CF_ERROR;
	}
	return CF_OK;
}

static int af_commit(struct af_state *st, struct af_txn *t,
		     char *why, size_t whylen)
{
	if (users_save(&t->db, t->set.users, why, whylen) != 0)
		return CF_ERROR;
	users_remember(&t->db, t->set.users);
	af_install(st, &t->db, t->set.users);
	return CF_OK;
}

static void af_end(struct af_txn *t)
{
	users_free(&t->db);
	users_unlock(t->lockfd);
}

static int af_check_login(const char *login, char *why, size_t whylen)
{
	if (!users_valid_login(login)) {
		snprintf(why, whylen, "invalid login");
		return CF_DENIED;
	}
	return CF_OK;
}

static int af_check_password(const struct af_settings *set,
			     const char *password, char *why, size_t whylen)
{
	size_t len = password != NULL ? strlen(password) : 0;

	if (len < (size_t)set->min_password || len > AF_PASSWORD_MAX) {
		snprintf(why, whylen, "weak password (%lld to %d characters)",
			 set->min_password, AF_PASSWORD_MAX);
		return CF_DENIED;
	}
	return CF_OK;
}

/* Count one attempt from addr; 0 when it is over the hourly limit. */
static int af_rate_take(struct af_state *st, const char *addr, long long limit)
{
	struct af_rate *r, *slot = NULL;
	struct timespec now;
	size_t i;
	int ok = 1;

	if (limit == 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&st->rate_lock);
	for (i = 0; i < AF_RATE_SLOTS; i++) {
		r = &st->rate[i];
		if (r->count != 0 && strcmp(r->addr, addr) == 0) {
			slot = r;
			break;
		}
		/* otherwise the slot used longest ago (or never) */
		if (slot == NULL || r->count == 0 ||
		    (slot->count != 0 && r->start < slot->start))
			slot = r;
	}
	if (slot->count == 0 || strcmp(slot->addr, addr) != 0 ||
	    now.tv_sec - slot->start >= AF_RATE_WINDOW) {
		snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
		slot->start = now.tv_sec;
		slot->count = 0;
	}
	if ((long long)slot->count >= limit)
		ok = 0;
	else
		slot->count++;
	pthread_mutex_unlock(&st->rate_lock);
	return ok;
}

/* 0: no cell yet, 1: a folder is there, -1: something else is there. */
static int af_cell_state(struct af_state *st, const char *login)
{
	char path[CF_PATH_MAX];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/%s", st->host->server_root, login);
	if (lstat(path, &sb) != 0)
		return errno == ENOENT ? 0 : -1;
	return S_ISDIR(sb.st_mode) ? 1 : -1;
}

/* Undo make_cell after the account could not be written: only if empty. */
static void af_unmake_cell(struct af_state *st, const char *login)
{
	int fd = open(st->host->server_root,
		      O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || unlinkat(fd, login, AT_REMOVEDIR) != 0)
		st->host->log(CF_LOG_WARN, "auth_file: cannot remove the new "
			      "cell of %s: %s", login, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/*
 * Create the cell first, then the account, so there is never an account
 * without a cell.  `fresh_cell` refuses a cell left by a deleted account.
 */
static int af_create(struct af_state *st, const struct users_entry *e,
		     int fresh_cell, char *why, size_t whylen)
{
	char err[512];
	struct af_txn t;
	int rc, cell, made = 0;

	rc = af_begin(st, &t, why, whylen);
	if (rc != CF_OK)
		return rc;
	cell = af_cell_state(st, e->login);
	if (users_find(&t.db, e->login) != NULL || (fresh_cell && cell)) {
		snprintf(why, whylen, "exists");
		rc = CF_DENIED;
		goto out;
	}
	if (cell < 0) {
		snprintf(why, whylen, "the cell of %s is not a folder",
			 e->login);
		rc = CF_ERROR;
		goto out;
	}
	if (cell == 0) {
		if (st->host->make_cell(e->login, err, sizeof(err)) != 0) {
			snprintf(why, whylen, "cannot create the cell: %s",
				 err);
			rc = CF_ERROR;
			goto out;
		}
		made = 1;
	}
	if (users_add(&t.db, e) != 0) {
		snprintf(why, whylen, "out of memory");
		rc = CF_ERROR;
	} else {
		rc = af_commit(st, &t, why, whylen);
	}
	if (rc != CF_OK && made)
		af_unmake_cell(st, e->login);
out:
	af_end(&t);
	return rc;
}

static int af_register(void *state, const struct cf_client *client,
		       const char *login, const char *password,
		       char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_entry e;
	int rc;

	af_settings_copy(st, &set);
	if (set.registration != AF_REG_OPEN) {
		snprintf(why, whylen, "registration closed");
		return CF_DENIED;
	}
	if ((rc = af_check_login(login, why, whylen)) != CF_OK ||
	    (rc = af_check_password(&set, password, why, whylen)) != CF_OK)
		return rc;
	if (!af_rate_take(st, client != NULL && client->addr != NULL ?
			  client->addr : "-", set.reg_limit)) {
		snprintf(why, whylen, "too many registrations from this "
			 "address, try again later");
		return CF_DENIED;
	}
	memset(&e, 0, sizeof(e));
	snprintf(e.login, sizeof(e.login), "%s", login);
	if (users_hash(password, e.hash, sizeof(e.hash)) != 0) {
		snprintf(why, whylen, "cannot hash the password");
		return CF_ERROR;
	}
	return af_create(st, &e, 1, why, whylen);
}

static void af_apply(struct users_entry *e, const struct cf_account *acct)
{
	/* quota_bytes 0 stands for "the default quota" ("-" in the file) */
	e->quota_set = acct->quota_bytes != 0;
	e->quota_bytes = acct->quota_bytes;
	e->flags = acct->flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED);
}

static int af_add(void *state, const struct cf_account *acct,
		  const char *password, char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_entry e;
	int rc;

	af_settings_copy(st, &set);
	if ((rc = af_check_login(acct->login, why, whylen)) != CF_OK ||
	    (rc = af_check_password(&set, password, why, whylen)) != CF_OK)
		return rc;
	memset(&e, 0, sizeof(e));
	snprintf(e.login, sizeof(e.login), "%.32s", acct->login);
	af_apply(&e, acct);
	if (users_hash(password, e.hash, sizeof(e.hash)) != 0) {
		snprintf(why, whylen, "cannot hash the password");
		return CF_ERROR;
	}
	return af_create(st, &e, 0, why, whylen);
}

static int af_remove_cell(struct af_state *st, const char *login,
			  char *why, size_t whylen)
{
	char err[512];
	int fd, rc = CF_OK;

	fd = open(st->host->server_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || users_remove_tree(fd, login, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "account deleted, but not its cell: %s",
			 fd < 0 ? strerror(errno) : err);
		rc = CF_ERROR;
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static int af_del(void *state, const char *login, int remove_cell,
		  char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_txn t;
	int rc;

	rc = af_begin(st, &t, why, whylen);
	if (rc != CF_OK)
		return rc;
	if (!users_valid_login(login) || users_remove(&t.db, login) != 0) {
		snprintf(why, whylen, "no such user");
		rc = CF_DECLINED;
	} else {
		rc = af_commit(st, &t, why, whylen);
	}
	/* still under the lock: nobody re-creates the login meanwhile */
	if (rc == CF_OK && remove_cell)
		rc = af_remove_cell(st, login, why, whylen);
	af_end(&t);
	return rc;
}

static int af_passwd(void *state, const char *login, const char *password,
		     char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_entry *e;
	struct af_txn t;
	char hash[USERS_HASH_MAX];
	int rc;

	af_settings_copy(st, &set);
	if ((rc = af_check_password(&set, password, why, whylen)) != CF_OK)
		return rc;
	if (users_hash(password, hash, sizeof(hash)) != 0) {
		snprintf(why, whylen, "cannot hash the password");
		return CF_ERROR;
	}
	rc = af_begin(st, &t, why, whylen);
	if (rc != CF_OK)
		return rc;
	e = users_find(&t.db, login);
	if (e == NULL) {
		snprintf(why, whylen, "no such user");
		rc = CF_DECLINED;
	} else {
		memcpy(e->hash, hash, sizeof(e->hash));
		rc = af_commit(st, &t, why, whylen);
	}
	af_end(&t);
	return rc;
}

static int af_update(void *state, const struct cf_account *acct,
		     char *why, size_t whylen)
{
	struct af_state *st = state;
	struct users_entry *e;
	struct af_txn t;
	int rc;

	rc = af_begin(st, &t, why, whylen);
	if (rc != CF_OK)
		return rc;
	e = users_find(&t.db, acct->login);
	if (e == NULL) {
		snprintf(why, whylen, "no such user");
		rc = CF_DECLINED;
	} else {
		af_apply(e, acct);
		rc = af_commit(st, &t, why, whylen);
	}
	af_end(&t);
	return rc;
}

/* Quotas are listed as they apply: the default where none is set. */
static int af_list(void *state,
		   int (*each)(void *arg, const struct cf_account *acct),
		   void *arg)
{
	struct af_state *st = state;
	struct cf_account *v;
	const struct users_entry *e;
	size_t i, n;

	af_refresh(st);
	pthread_rwlock_rdlock(&st->lock);
	n = st->db.n;
	v = calloc(n ? n : 1, sizeof(*v));
	for (i = 0; v != NULL && i < n; i++) {
		e = &st->db.v[i];
		snprintf(v[i].login, sizeof(v[i].login), "%s", e->login);
		v[i].quota_bytes = e->quota_set ? e->quota_bytes
						: st->set.default_quota;
		v[i].quota_files = CF_UNLIMITED;
		v[i].flags = e->flags;
	}
	pthread_rwlock_unlock(&st->lock);
	if (v == NULL)
		return CF_ERROR;
	for (i = 0; i < n; i++)
		if (each(arg, &v[i]) != 0)
			break;
	free(v);
	return CF_OK;
}

/* ---- life cycle ---- */

static void af_fini(void *state)
{
	struct af_state *st = state;

	if (st == NULL)
		return;
	pthread_rwlock_destroy(&st->lock);
	pthread_mutex_destroy(&st->rate_lock);
	users_free(&st->db);
	free(st);
}

static int af_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct af_state *st;

	if (host->size < offsetof(struct cf_host, make_cell) +
			 sizeof(host->make_cell)) {
		snprintf(err, errlen, "auth_file: the host API is too old");
		return -1;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL) {
		snprintf(err, errlen, "auth_file: out of memory");
		return -1;
	}
	st->host = host;
	if (pthread_rwlock_init(&st->lock, NULL) != 0 ||
	    pthread_mutex_init(&st->rate_lock, NULL) != 0) {
		snprintf(err, errlen, "auth_file: cannot create locks");
		free(st);
		return -1;
	}
	if (af_parse(host, cfg, &st->set, err, errlen) != 0 ||
	    users_load(&st->db, st->set.users, 0, err, errlen) != 0)
		goto fail;
	if (users_hash("cellftpd: no such user", st->dummy,
		       sizeof(st->dummy)) != 0) {
		snprintf(err, errlen, "auth_file: libcrypt cannot make a "
			 "yescrypt hash");
		goto fail;
	}
	*state = st;
	return 0;
fail:
	af_fini(st);
	return -1;
}

static int af_reload(void *state, const struct cf_config *cfg,
		     char *err, size_t errlen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_db db, old;

	if (af_parse(st->host, cfg, &set, err, errlen) != 0 ||
	    users_load(&db, set.users, 0, err, errlen) != 0)
		return -1;
	pthread_rwlock_wrlock(&st->lock);
	old = st->db;
	st->db = db;
	st->set = set;
	pthread_rwlock_unlock(&st->lock);
	users_free(&old);
	return 0;
}

static const struct cf_auth_ops af_ops = {
	.authenticate = af_authenticate,
	.lookup = af_lookup,
	.acct_register = af_register,
	.acct_add = af_add,
	.acct_del = af_del,
	.acct_passwd = af_passwd,
	.acct_update = af_update,
	.acct_list = af_list,
};

static const struct cf_module af_module = {
	CF_MODULE_HEADER,
	.name = "auth_file",
	.version = "1.0",
	.init = af_init,
	.fini = af_fini,
	.auth = &af_ops,
	.reload = af_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &af_module;
}
