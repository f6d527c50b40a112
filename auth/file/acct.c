/*
 * auth_file account operations: register, add, delete, change password,
 * quota and flags, list.  Each is one locked read-modify-write of the users
 * file, and carries the provider's policy: registration rules and limits,
 * fresh cells for new accounts, one admin always left.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auth/file/af.h"

/*
 * A users file problem names the file: that goes to the server log, and
 * the reason a client sees (`why`) says only what failed.
 */
static int af_file_error(struct af_state *st, const char *detail,
			 const char *what, char *why, size_t whylen)
{
	st->host->log(CF_LOG_ERR, "auth_file: %s", detail);
	snprintf(why, whylen, "%s (see the server log)", what);
	return CF_ERROR;
}

static int af_begin(struct af_state *st, struct af_txn *t,
		    char *why, size_t whylen)
{
	char err[512];

	af_settings_copy(st, &t->set);
	t->lockfd = users_lock(t->set.users, err, sizeof(err));
	if (t->lockfd < 0)
		return af_file_error(st, err, "the users file cannot be locked",
				     why, whylen);
	if (users_load(&t->db, t->set.users, 1, err, sizeof(err)) != 0) {
		users_unlock(t->lockfd);
		return af_file_error(st, err, "the users file cannot be read",
				     why, whylen);
	}
	return CF_OK;
}

static int af_commit(struct af_state *st, struct af_txn *t,
		     char *why, size_t whylen)
{
	char err[512];

	if (users_save(&t->db, t->set.users, err, sizeof(err)) != 0)
		return af_file_error(st, err, "the users file cannot be written",
				     why, whylen);
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

/*
 * The registration limit counts successful registrations per client
 * address in a fixed one-hour window.  af_rate_slot finds (or recycles)
 * the address's slot; call with rate_lock held.
 */
static struct af_rate *af_rate_slot(struct af_state *st, const char *addr,
				    time_t now)
{
	struct af_rate *r, *slot = NULL;

	for (size_t i = 0; i < AF_RATE_SLOTS; i++) {
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
	    now - slot->start >= AF_RATE_WINDOW) {
		snprintf(slot->addr, sizeof(slot->addr), "%s", addr);
		slot->start = now;
		slot->count = 0;
	}
	return slot;
}

/* May addr register once more?  With count, also record that it did. */
static int af_rate(struct af_state *st, const char *addr, long long limit,
		   int count)
{
	struct timespec now;
	struct af_rate *slot;
	int ok;

	if (limit == 0)
		return 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&st->rate_lock);
	slot = af_rate_slot(st, addr, now.tv_sec);
	ok = (long long)slot->count < limit;
	if (ok && count)
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

/*
 * Remove an account again after its cell could not be made.  Still under
 * the lock; the commit handed t->db to the in-memory copy, so read the
 * file afresh first.
 */
static void af_unadd(struct af_state *st, struct af_txn *t, const char *login)
{
	char why[512] = "";

	users_free(&t->db);
	if (users_load(&t->db, t->set.users, 1, why, sizeof(why)) != 0 ||
	    users_remove(&t->db, login) != 0 ||
	    af_commit(st, t, why, sizeof(why)) != CF_OK)
		st->host->log(CF_LOG_ERR, "auth_file: account %s has no cell "
			      "and could not be removed again: %s", login,
			      why[0] ? why : "not found");
}

/*
 * The account is written first, then its cell is made: a crash between the
 * two leaves an account without a cell, which af_repair_cells (at start)
 * and the first login mend, never a cell without an account.  A failure to
 * make the cell takes the account back out.  `fresh_cell` refuses a cell
 * left by a deleted account.
 */
static int af_create(struct af_state *st, const struct users_entry *e,
		     int fresh_cell, char *why, size_t whylen)
{
	char err[512];
	struct af_txn t;
	int rc, cell;

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
	if (users_add(&t.db, e) != 0) {
		snprintf(why, whylen, "out of memory");
		rc = CF_ERROR;
		goto out;
	}
	rc = af_commit(st, &t, why, whylen);
	if (rc == CF_OK && cell == 0 &&
	    st->host->make_cell(e->login, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "cannot create the cell: %s", err);
		af_unadd(st, &t, e->login);
		rc = CF_ERROR;
	}
out:
	af_end(&t);
	return rc;
}

int af_register(void *state, const struct cf_client *client,
		       const char *login, const char *password,
		       char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_entry e;
	const char *addr;
	int rc;

	af_settings_copy(st, &set);
	if (set.registration != AF_REG_OPEN) {
		snprintf(why, whylen, "registration closed");
		return CF_DENIED;
	}
	if ((rc = af_check_login(login, why, whylen)) != CF_OK ||
	    (rc = af_check_password(&set, password, why, whylen)) != CF_OK)
		return rc;
	addr = client != NULL && client->addr != NULL ? client->addr : "-";
	if (!af_rate(st, addr, set.reg_limit, 0)) {
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
	rc = af_create(st, &e, 1, why, whylen);
	if (rc == CF_OK)
		(void)af_rate(st, addr, set.reg_limit, 1);
	return rc;
}

static void af_apply(struct users_entry *e, const struct cf_account *acct)
{
	/* the default quota is "-" in the file */
	e->quota_set = !(acct->flags & CF_ACCT_QUOTA_DEFAULT);
	e->quota_bytes = e->quota_set ? acct->quota_bytes : 0;
	e->flags = acct->flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED);
}

/* An admin that can log in: enabled, with the admin flag. */
static int af_active_admin(const struct users_entry *e)
{
	return (e->flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED)) == CF_ACCT_ADMIN;
}

/*
 * Admin policy: the server must keep one admin who can log in, so the
 * last one can be neither deleted, disabled nor demoted.
 */
static int af_keeps_an_admin(const struct users_db *db, const char *login,
			     const struct cf_account *becomes)
{
	const struct users_entry *me = users_find(db, login);

	if (me == NULL || !af_active_admin(me))
		return 1;		/* not an admin now: nothing is lost */
	if (becomes != NULL &&
	    (becomes->flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED)) == CF_ACCT_ADMIN)
		return 1;		/* stays an admin */
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->v[i].login, login) != 0 && af_active_admin(&db->v[i]))
			return 1;
	return 0;
}

int af_add(void *state, const struct cf_account *acct,
		  const char *password, char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_settings set;
	struct users_entry e;
	int rc;

	af_settings_copy(st, &set);
	/* "off": no account is made over FTP at all (cellftpd-user still can) */
	if (set.registration == AF_REG_OFF) {
		snprintf(why, whylen, "registration closed (registration = "
			 "\"off\")");
		return CF_DENIED;
	}
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

int af_del(void *state, const char *login, int remove_cell,
		  char *why, size_t whylen)
{
	struct af_state *st = state;
	struct af_txn t;
	int rc;

	rc = af_begin(st, &t, why, whylen);
	if (rc != CF_OK)
		return rc;
	if (!users_valid_login(login) || users_find(&t.db, login) == NULL) {
		snprintf(why, whylen, "no such user");
		rc = CF_DECLINED;
	} else if (!af_keeps_an_admin(&t.db, login, NULL)) {
		snprintf(why, whylen, "the last admin cannot be deleted");
		rc = CF_DENIED;
	} else if (users_remove(&t.db, login) != 0) {
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

int af_passwd(void *state, const char *login, const char *password,
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

int af_update(void *state, const struct cf_account *acct,
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
	} else if (!af_keeps_an_admin(&t.db, acct->login, acct)) {
		snprintf(why, whylen, "the last admin cannot be disabled or "
			 "lose the admin flag");
		rc = CF_DENIED;
	} else {
		af_apply(e, acct);
		rc = af_commit(st, &t, why, whylen);
	}
	af_end(&t);
	return rc;
}

/* Quotas are listed as they apply: the default where none is set. */
int af_list(void *state,
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
		v[i].flags = e->flags |
			     (e->quota_set ? 0 : CF_ACCT_QUOTA_DEFAULT);
		v[i].last_login = e->last_login;
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


unsigned af_offers(void *state)
{
	struct af_settings set;

	af_settings_copy(state, &set);
	return set.registration == AF_REG_OPEN ? CF_OFFER_REGISTER : 0;
}

/*
 * Mend what a crash between writing an account and making its cell left:
 * every account gets its cell.  Runs at start-up, before serving.
 */
void af_repair_cells(struct af_state *st)
{
	char err[512];

	pthread_rwlock_rdlock(&st->lock);
	for (size_t i = 0; i < st->db.n; i++) {
		const char *login = st->db.v[i].login;

		if (af_cell_state(st, login) != 0)
			continue;
		if (st->host->make_cell(login, err, sizeof(err)) != 0)
			st->host->log(CF_LOG_WARN, "auth_file: no cell for %s "
				      "and none could be made: %s", login, err);
		else
			st->host->log(CF_LOG_INFO, "auth_file: made the "
				      "missing cell of %s", login);
	}
	pthread_rwlock_unlock(&st->lock);
}
