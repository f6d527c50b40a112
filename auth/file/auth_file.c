/*
 * auth_file.so: virtual users from a users file (users.h), with the
 * registration policy, the admin flag and per-account quota.  The file is
 * re-read when it changes; account operations (acct.c) rewrite it under
 * its lock.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/file/af.h"

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

void af_settings_copy(struct af_state *st, struct af_settings *out)
{
	pthread_rwlock_rdlock(&st->lock);
	*out = st->set;
	pthread_rwlock_unlock(&st->lock);
}

/* ---- the in-memory copy of the file ---- */

/* Take over fresh (read from path) unless the settings moved meanwhile. */
void af_install(struct af_state *st, struct users_db *fresh,
		       const char *path)
{
	struct users_db old = *fresh;

	pthread_rwlock_wrlock(&st->lock);
	if (strcmp(path, st->set.users) == 0) {
		/* last logins live in memory only: carry them over */
		for (size_t i = 0; i < fresh->n; i++) {
			const struct users_entry *e =
				users_find(&st->db, fresh->v[i].login);

			if (e != NULL)
				fresh->v[i].last_login = e->last_login;
		}
		old = st->db;
		st->db = *fresh;
	}
	pthread_rwlock_unlock(&st->lock);
	memset(fresh, 0, sizeof(*fresh));
	users_free(&old);
}

/* Re-read the file when it changed; a broken file keeps the old accounts. */
void af_refresh(struct af_state *st)
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

/* Remember when an account last logged in (memory only, for SITE USERS). */
static void af_seen(struct af_state *st, const char *login)
{
	struct users_entry *e;

	pthread_rwlock_wrlock(&st->lock);
	e = users_find(&st->db, login);
	if (e != NULL)
		e->last_login = (int64_t)time(NULL);
	pthread_rwlock_unlock(&st->lock);
}

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
	af_seen(st, login);
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
	/* a configuration check (cellftpd -t) changes nothing on disk */
	if (host->size < offsetof(struct cf_host, check_only) +
			 sizeof(host->check_only) || !host->check_only)
		af_repair_cells(st);
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
	.acct_offers = af_offers,
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
