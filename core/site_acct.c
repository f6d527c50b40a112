/*
 * Account operations behind SITE REGISTER, USERADD, USERDEL, PASSWD,
 * QUOTA, DISABLE, ENABLE and USERS.  They call the auth providers' account
 * operations, which write files and hash passwords, so they run on the
 * blocking pool; the policy (who may register, the last admin...) is the
 * provider's, the core only checks who asks.
 */
#include "site.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bcast.h"
#include "buf.h"
#include "io.h"
#include "modules/chain.h"
#include "quota.h"
#include "sess.h"
#include "srv.h"

#define SITE_NOT_OFFERED (-1)	/* no provider has the operation: 502 */

struct site_job {
	struct job job;
	struct sess *s;		/* touched only back on the worker */
	struct srv *srv;
	struct site_op op;
	char addr[INET6_ADDRSTRLEN];
	struct cf_client client;
	int rc;
	char why[256];
	struct cf_account found;	/* account read by USERS / QUOTA */
	size_t provider;		/* the caller's own auth module */
	struct buf out;
};

/* Providers, in chain order, that offer account operations. */
static const struct cf_auth_ops *prov(const struct srv *srv, size_t i,
				      void **state)
{
	const struct cf_auth_ops *a = srv->mods.v[i].m->auth;

	*state = srv->mods.v[i].state;
	return a;
}

/*
 * A login held by a provider without account operations (a system account
 * through PAM): those operations are not offered for it, and say why.
 */
static int held_elsewhere(struct site_job *j, const char *login)
{
	struct cf_identity id;

	for (size_t i = 0; i < j->srv->mods.n; i++) {
		void *st;
		const struct cf_auth_ops *a = prov(j->srv, i, &st);

		if (a == NULL || a->lookup == NULL || a->acct_list != NULL)
			continue;
		memset(&id, 0, sizeof(id));
		if (a->lookup(st, login, &id) == CF_OK) {
			snprintf(j->why, sizeof(j->why), "%s is a system account "
				 "(%s): manage it with the system's tools", login,
				 j->srv->mods.v[i].m->name);
			return 1;
		}
	}
	return 0;
}

static int do_register(struct site_job *j)
{
	if (held_elsewhere(j, j->op.login))
		return SITE_NOT_OFFERED;
	for (size_t i = 0; i < j->srv->mods.n; i++) {
		void *st;
		const struct cf_auth_ops *a = prov(j->srv, i, &st);

		if (a != NULL && a->acct_register != NULL)
			return a->acct_register(st, &j->client, j->op.login,
						j->op.password, j->why,
						sizeof(j->why));
	}
	return SITE_NOT_OFFERED;
}

static int do_add(struct site_job *j)
{
	struct cf_account acct = { .quota_files = CF_UNLIMITED };

	if (held_elsewhere(j, j->op.login))
		return SITE_NOT_OFFERED;
	snprintf(acct.login, sizeof(acct.login), "%s", j->op.login);
	acct.quota_bytes = j->op.quota;
	acct.flags = j->op.quota_default ? CF_ACCT_QUOTA_DEFAULT : 0;
	for (size_t i = 0; i < j->srv->mods.n; i++) {
		void *st;
		const struct cf_auth_ops *a = prov(j->srv, i, &st);

		if (a != NULL && a->acct_add != NULL)
			return a->acct_add(st, &acct, j->op.password, j->why,
					   sizeof(j->why));
	}
	return SITE_NOT_OFFERED;
}

struct find_ctx {
	const char *login;
	struct cf_account *out;
	int found;
};

static int find_each(void *arg, const struct cf_account *acct)
{
	struct find_ctx *f = arg;

	if (strcmp(acct->login, f->login) != 0)
		return 0;
	*f->out = *acct;
	f->found = 1;
	return 1;
}

/* The account of a login and the provider holding it; NULL if none. */
static const struct cf_auth_ops *find_account(struct site_job *j,
					      const char *login,
					      struct cf_account *out,
					      void **state)
{
	for (size_t i = 0; i < j->srv->mods.n; i++) {
		struct find_ctx f = { login, out, 0 };
		const struct cf_auth_ops *a = prov(j->srv, i, state);

		if (a == NULL || a->acct_list == NULL)
			continue;
		if (a->acct_list(*state, find_each, &f) == CF_OK && f.found)
			return a;
	}
	return NULL;
}

/* Operations on an existing login go to the provider that knows it. */
static int do_existing(struct site_job *j)
{
	struct cf_account acct;
	const struct cf_auth_ops *a;
	void *st;
	int r;

	a = find_account(j, j->op.login, &acct, &st);
	if (a == NULL && held_elsewhere(j, j->op.login))
		return SITE_NOT_OFFERED;
	if (a == NULL) {
		snprintf(j->why, sizeof(j->why), "no such user");
		return CF_DECLINED;
	}
	switch (j->op.kind) {
	case SITE_USERDEL:
		if (a->acct_del == NULL)
			return SITE_NOT_OFFERED;
		return a->acct_del(st, j->op.login, j->op.remove_cell, j->why,
				   sizeof(j->why));
	case SITE_PASSWD:
		if (a->acct_passwd == NULL)
			return SITE_NOT_OFFERED;
		return a->acct_passwd(st, j->op.login, j->op.password, j->why,
				      sizeof(j->why));
	case SITE_QUOTA_SET:
		acct.quota_bytes = j->op.quota;
		acct.flags &= ~CF_ACCT_QUOTA_DEFAULT;
		if (j->op.quota_default)
			acct.flags |= CF_ACCT_QUOTA_DEFAULT;
		break;
	case SITE_DISABLE:
		acct.flags |= CF_ACCT_DISABLED;
		break;
	case SITE_ENABLE:
		acct.flags &= ~CF_ACCT_DISABLED;
		break;
	case SITE_QUOTA_SHOW:
		j->found = acct;
		return CF_OK;
	default:
		return CF_ERROR;
	}
	if (a->acct_update == NULL)
		return SITE_NOT_OFFERED;
	r = a->acct_update(st, &acct, j->why, sizeof(j->why));
	/* live sessions get the limit that now applies, default included */
	if (r == CF_OK && j->op.kind == SITE_QUOTA_SET &&
	    find_account(j, j->op.login, &acct, &st) != NULL)
		j->op.quota = acct.quota_bytes;
	return r;
}

/* SITE PASSWD old new: the old password must still be right. */
static int do_passwd_self(struct site_job *j)
{
	const struct cf_auth_ops *own = j->srv->mods.v[j->provider].m->auth;
	struct cf_identity id;
	int r;

	if (own == NULL || own->acct_passwd == NULL) {
		snprintf(j->why, sizeof(j->why), "your account is managed by "
			 "%s: change its password with the system's tools",
			 j->srv->mods.v[j->provider].m->name);
		return SITE_NOT_OFFERED;
	}
	r = chain_authenticate(&j->srv->mods, &j->client, j->op.login,
			       j->op.old, &id, NULL, j->why, sizeof(j->why));
	if (r == CF_OK && id.has_agent)
		io_close(id.agent_fd);
	if (r != CF_OK) {
		snprintf(j->why, sizeof(j->why), "the old password is wrong");
		return CF_DENIED;
	}
	j->op.kind = SITE_PASSWD;
	return do_existing(j);
}

static void size_text(uint64_t v, char *out, size_t len)
{
	static const char units[] = "KMGT";
	int u = -1;

	if (v == CF_UNLIMITED) {
		snprintf(out, len, "none");
		return;
	}
	while (u < 3 && v >= 1024 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(out, len, "%llu", (unsigned long long)v);
	else
		snprintf(out, len, "%llu%c", (unsigned long long)v, units[u]);
}

/* Bytes a login uses, from the first quota provider; -1 when unknown. */
static long long usage_of(const struct srv *srv, const char *login)
{
	uint64_t bytes, files;

	return qt_usage(srv, login, &bytes, &files) == 0 ? (long long)bytes : -1;
}

/* A single folder name under the server root, never a way out of it. */
static int login_is_name(const char *login)
{
	return login[0] != '\0' && login[0] != '.' && strchr(login, '/') == NULL;
}

static int users_each(void *arg, const struct cf_account *a)
{
	struct site_job *j = arg;
	char quota[32], used[32] = "-", when[32] = "never";
	long long u = usage_of(j->srv, a->login);
	struct tm tm;
	time_t t = (time_t)a->last_login;

	size_text(a->quota_bytes, quota, sizeof(quota));
	if (u >= 0)
		snprintf(used, sizeof(used), "%lld", u);
	if (t != 0 && gmtime_r(&t, &tm) != NULL)
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(&j->out, " %-32s %-8s %-12s %-14s %s\n", a->login, quota,
		   used, (a->flags & (CF_ACCT_ADMIN | CF_ACCT_DISABLED)) ==
		   (CF_ACCT_ADMIN | CF_ACCT_DISABLED) ? "admin,disabled" :
		   a->flags & CF_ACCT_ADMIN ? "admin" :
		   a->flags & CF_ACCT_DISABLED ? "disabled" : "-", when);
	return 0;
}

static int do_users(struct site_job *j)
{
	int any = 0;

	buf_printf(&j->out, " %-32s %-8s %-12s %-14s %s\n", "LOGIN", "QUOTA",
		   "USED", "FLAGS", "LAST-LOGIN");
	for (size_t i = 0; i < j->srv->mods.n; i++) {
		void *st;
		const struct cf_auth_ops *a = prov(j->srv, i, &st);

		if (a == NULL || a->acct_list == NULL)
			continue;
		any = 1;
		if (a->acct_list(st, users_each, j) != CF_OK) {
			snprintf(j->why, sizeof(j->why), "cannot list accounts");
			return CF_ERROR;
		}
	}
	return any ? CF_OK : SITE_NOT_OFFERED;
}

/* SITE QUOTA RESCAN: measure a cell again after changes made outside FTP. */
static int do_rescan(struct site_job *j)
{
	int fd, rc;

	if (!qt_active(j->srv))
		return SITE_NOT_OFFERED;
	if (!login_is_name(j->op.login)) {
		snprintf(j->why, sizeof(j->why), "invalid login");
		return CF_DENIED;
	}
	fd = openat(j->srv->root_fd, j->op.login,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		snprintf(j->why, sizeof(j->why), "no cell for %s", j->op.login);
		return CF_DENIED;
	}
	rc = qt_rescan(j->srv, j->op.login, fd);
	close(fd);
	if (rc != CF_OK)
		snprintf(j->why, sizeof(j->why), "the quota module could not "
			 "measure it");
	return rc == CF_OK ? CF_OK : CF_ERROR;
}

/*
 * A new account starts with a fresh ledger: a login that existed before
 * (deleted, then added again) must not inherit the old usage.
 */
static void measure_new(struct site_job *j)
{
	int fd;

	if (!qt_active(j->srv) || !login_is_name(j->op.login))
		return;
	fd = openat(j->srv->root_fd, j->op.login,
		    O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	(void)qt_rescan(j->srv, j->op.login, fd);
	close(fd);
}

static void site_run(struct job *job)
{
	struct site_job *j = (struct site_job *)job;

	switch (j->op.kind) {
	case SITE_RESCAN:
		j->rc = do_rescan(j);
		break;
	case SITE_REGISTER:
		j->rc = do_register(j);
		if (j->rc == CF_OK)
			measure_new(j);
		break;
	case SITE_USERADD:
		j->rc = do_add(j);
		if (j->rc == CF_OK)
			measure_new(j);
		break;
	case SITE_PASSWD_SELF:
		j->rc = do_passwd_self(j);
		break;
	case SITE_USERS:
		j->rc = do_users(j);
		break;
	default:
		j->rc = do_existing(j);
		break;
	}
	explicit_bzero(j->op.password, sizeof(j->op.password));
	explicit_bzero(j->op.old, sizeof(j->op.old));
}

/* Live sessions feel an account change at once. */
static void propagate(struct sess *s, const struct site_op *op)
{
	struct bcast_req r = { .except_sid = s->id };

	snprintf(r.login, sizeof(r.login), "%s", op->login);
	if (op->kind == SITE_USERDEL || op->kind == SITE_DISABLE) {
		r.kind = BC_KICK;
		snprintf(r.reason, sizeof(r.reason), "Account %s.",
			 op->kind == SITE_USERDEL ? "deleted" : "disabled");
	} else if (op->kind == SITE_QUOTA_SET) {
		r.kind = BC_QUOTA;
		r.quota_bytes = op->quota;
	} else {
		return;
	}
	if (bcast_send(s->w->srv, &r) != 0)
		srv_log(CF_LOG_ERR, "SITE %s: cannot reach the live sessions "
			"of %s", op->name, op->login);
}

static int success_text(struct site_job *j, char *text, size_t len)
{
	const struct site_op *op = &j->op;
	char q[32];

	switch (op->kind) {
	case SITE_REGISTER:
		snprintf(text, len, "Account %s created: log in with USER "
			 "and PASS.", op->login);
		return 200;
	case SITE_USERADD:
		snprintf(text, len, "User %s added.", op->login);
		return 200;
	case SITE_USERDEL:
		snprintf(text, len, "User %s deleted%s.", op->login,
			 op->remove_cell ? " with its cell" : "");
		return 200;
	case SITE_PASSWD:
	case SITE_PASSWD_SELF:
		snprintf(text, len, "Password of %s changed.", op->login);
		return 200;
	case SITE_QUOTA_SET:
		size_text(op->quota, q, sizeof(q));
		snprintf(text, len, "Quota of %s set to %s.", op->login,
			 op->quota_default ? "the default" : q);
		return 200;
	case SITE_DISABLE:
	case SITE_ENABLE:
		snprintf(text, len, "User %s %s.", op->login,
			 op->kind == SITE_DISABLE ? "disabled" : "enabled");
		return 200;
	default:
		return 0;
	}
}

static void quota_show(struct sess *s, struct site_job *j)
{
	char limit[32], used[32] = "unknown";
	long long u = usage_of(j->srv, j->op.login);

	if (j->op.kind == SITE_RESCAN)
		snprintf(limit, sizeof(limit), "unchanged");
	else
		size_text(j->found.quota_bytes, limit, sizeof(limit));
	if (u >= 0)
		snprintf(used, sizeof(used), "%lld bytes", u);
	sess_reply(s, 200, "Quota of %s: %s used, limit %s.", j->op.login,
		   used, limit);
}

static void site_done(struct job *job)
{
	struct site_job *j = (struct site_job *)job;
	struct sess *s = j->s;
	char text[512];
	int code;

	s->jobs--;
	if (s->dead)
		goto out;
	if (j->rc == SITE_NOT_OFFERED) {
		code = 502;
		if (j->why[0] != '\0')
			snprintf(text, sizeof(text), "SITE %s is not offered: "
				 "%s.", j->op.name, j->why);
		else
			snprintf(text, sizeof(text), "SITE %s is not offered "
				 "by the auth provider.", j->op.name);
	} else if (j->rc == CF_DECLINED) {
		code = 550;
		snprintf(text, sizeof(text), "No such user %s.", j->op.login);
	} else if (j->rc != CF_OK) {
		code = 550;
		snprintf(text, sizeof(text), "SITE %s refused: %s.", j->op.name,
			 j->why[0] ? j->why : "error");
	} else if (j->op.kind == SITE_USERS) {
		buf_puts(&j->out, "End of users");
		sess_reply_text(s, 200, j->out.failed ? "Out of memory." : j->out.p);
		code = 200;
		text[0] = '\0';
	} else if (j->op.kind == SITE_QUOTA_SHOW || j->op.kind == SITE_RESCAN) {
		quota_show(s, j);
		code = 200;
		text[0] = '\0';
	} else {
		code = success_text(j, text, sizeof(text));
		propagate(s, &j->op);
	}
	if (text[0] != '\0')
		sess_reply(s, code, "%s", text);
	site_log(s, &j->op, code);
	sess_resume(s);
out:
	buf_free(&j->out);
	free(j);
}

void site_acct_start(struct sess *s, const struct site_op *op)
{
	struct site_job *j = calloc(1, sizeof(*j));

	if (j == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	j->s = s;
	j->srv = s->w->srv;
	j->op = *op;
	j->provider = s->provider;
	snprintf(j->addr, sizeof(j->addr), "%s", s->peer_text);
	j->client.addr = j->addr;
	j->client.port = s->peer_port;
	j->client.session_id = s->id;
	buf_init(&j->out, 0);
	buf_puts(&j->out, "Users:\n");
	sess_submit(s, &j->job, site_run, site_done);
}
