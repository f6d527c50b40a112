/*
 * Suite "account": what goes beyond RFC 959 and needs flags or rights.
 * Registration (--register, SITE REGISTER), the admin commands (with
 * --admin-user: SITE USERS, a user refused them, the admin's view of
 * every cell) and quota (AVBL, 552 when an upload would exceed it).
 * Each skips, with the reason, when the server does not announce it.
 */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUOTA_MAX	(64LL << 20)	/* over-quota checks need less free */
#define AVBL_DRAFT	"draft-peterson-streamlined-ftp-command-extensions " \
			"section 4"

/* The part of the token after "cellftp-check-". */
static const char *hex(struct chk *c)
{
	const char *t = strrchr(c->env->token, '-');

	return t != NULL ? t + 1 : c->env->token;
}

static struct ftpc *login_as(struct chk *c, const char *user,
			     const char *pass)
{
	struct ftpc *f = chk_connect(c);

	if (f == NULL || chk_login(c, f, user, pass) != 0)
		return NULL;
	return f;
}

static struct ftpc *admin(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;

	return login_as(c, o->admin_user, o->admin_pass);
}

static int can_register(struct chk *c, enum chk_result *r)
{
	if (!c->env->opt->do_register)
		*r = chk_skip(c, "--register not given");
	else if (!chk_site_has(c->env->prelogin_help, "REGISTER") &&
		 !chk_site_has(c->env->site_help, "REGISTER"))
		*r = chk_skip(c, "SITE HELP does not announce REGISTER");
	else
		return 0;
	return -1;
}

/* SITE REGISTER, before login when SITE HELP offers it there. */
static int site_register(struct chk *c, const char *codes, const char *why,
			 const char *login, const char *pass)
{
	const struct chk_opts *o = c->env->opt;
	struct ftpc *f = c->ctl;

	if (!chk_site_has(c->env->prelogin_help, "REGISTER") &&
	    chk_login(c, f, o->user, o->pass) != 0)
		return -1;
	return chk_expect(c, f, codes, why, "SITE REGISTER %s %s", login,
			  pass);
}

/* Remove an account this check made, with the admin's USERDEL. */
static int drop_account(struct chk *c, const char *login)
{
	struct ftpc *a;
	int code;

	if (c->env->opt->admin_user == NULL ||
	    !chk_site_has(c->env->admin_site_help, "USERDEL") ||
	    (a = admin(c)) == NULL)
		return -1;
	code = chk_cmd(c, a, "SITE USERDEL %s --remove-cell", login);
	if (code == 500 || code == 501)
		code = chk_cmd(c, a, "SITE USERDEL %s", login);
	chk_hangup(c, a);
	return code / 100 == 2 ? 0 : -1;
}

static void unregister(struct chk *c, const char *login)
{
	if (drop_account(c, login) == 0)
		return;
	snprintf(c->remark, sizeof(c->remark), "the account %s registered "
		 "by this check remains on the server: remove it", login);
}

static enum chk_result do_register(struct chk *c)
{
	struct ftpc_buf names = { 0 };
	enum chk_result r;
	char login[64], pass[64];
	struct ftpc *g;

	if (can_register(c, &r) != 0)
		return r;
	snprintf(login, sizeof(login), "chk%s", hex(c));
	snprintf(pass, sizeof(pass), "Pw-%s-9x", hex(c));
	if (site_register(c, "200 2xx", "200: registration is announced",
			  login, pass) < 0)
		return CHK_FAIL;
	r = CHK_FAIL;
	g = login_as(c, login, pass);
	if (g == NULL || chk_expect(c, g, "257", RFC959("5.4"), "PWD") < 0 ||
	    chk_expect(c, g, "200", RFC959("5.4"), "TYPE I") < 0 ||
	    chk_names(c, g, NULL, &names) != 0)
		goto out;
	if (names.len != 0) {
		chk_fail(c, "an empty cell for a new account", "the new account "
			 "sees \"%.60s\"", names.p);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&names);
	if (g != NULL)
		chk_hangup(c, g);
	unregister(c, login);
	return r;
}

static enum chk_result register_taken(struct chk *c)
{
	const struct chk_opts *o = c->env->opt;
	enum chk_result r;

	if (can_register(c, &r) != 0)
		return r;
	if (site_register(c, "5xx", "a refusal: the login exists", o->user,
			  "Other-Pw-9x") < 0)
		return CHK_FAIL;
	/* The existing account must be untouched. */
	return login_as(c, o->user, o->pass) != NULL ? CHK_PASS : CHK_FAIL;
}

static int has_admin(struct chk *c, enum chk_result *r)
{
	if (c->env->opt->admin_user == NULL)
		*r = chk_skip(c, "--admin-user not given");
	else if (!chk_site_has(c->env->admin_site_help, "USERS"))
		*r = chk_skip(c, "the admin's SITE HELP does not announce USERS");
	else
		return 0;
	return -1;
}

static enum chk_result admin_users(struct chk *c)
{
	struct ftpc *a;
	enum chk_result r;

	if (has_admin(c, &r) != 0)
		return r;
	a = admin(c);
	if (a == NULL ||
	    chk_expect(c, a, "2xx", "2xx for an admin", "SITE USERS") < 0)
		return CHK_FAIL;
	if (strstr(ftpc_text(a), c->env->opt->user) == NULL)
		return chk_fail(c, "the test user in the list", "SITE USERS "
				"does not name %s", c->env->opt->user);
	return CHK_PASS;
}

static enum chk_result user_refused(struct chk *c)
{
	struct ftpc *f = c->ctl;

	if (chk_site_has(c->env->site_help, "USERS"))
		return chk_skip(c, "the test user is an admin (its SITE HELP "
				"has USERS)");
	if (!chk_site_has(c->env->admin_site_help, "USERS"))
		return chk_skip(c, "no admin SITE HELP announces USERS");
	if (chk_expect(c, f, "550 5xx", "550: admin commands are refused to "
		       "users", "SITE USERS") < 0 ||
	    chk_expect(c, f, "550 5xx", "550: admin commands are refused to "
		       "users", "SITE USERDEL nobody-%s", hex(c)) < 0)
		return CHK_FAIL;
	if (f->reply.code == 501 || f->reply.code == 500)
		return chk_fail(c, "550 (permission), not a syntax error",
				"SITE USERDEL from a user was answered %s",
				chk_said(f));
	return CHK_PASS;
}

static enum chk_result admin_sees_cells(struct chk *c)
{
	struct ftpc_buf names = { 0 };
	enum chk_result r;
	struct ftpc *a;

	if (has_admin(c, &r) != 0)
		return r;
	a = admin(c);
	r = CHK_FAIL;
	if (a == NULL || chk_expect(c, a, "200", RFC959("5.4"), "TYPE I") < 0
	    || chk_names(c, a, "/", &names) != 0)
		goto out;
	if (!chk_has_name(&names, c->env->opt->user)) {
		chk_fail(c, "the user's cell under the admin's \"/\"", "NLST / "
			 "as the admin does not show %s", c->env->opt->user);
		goto out;
	}
	r = CHK_PASS;
out:
	ftpc_buf_free(&names);
	return r;
}

/* AVBL [path]: the number from "213 <digits>", or -1. */
static long long avbl(struct chk *c, struct ftpc *f, const char *path)
{
	const char *t;
	char *end;
	long long v;

	if (chk_expect(c, f, "213", AVBL_DRAFT, "AVBL%s%s", path ? " " : "",
		       path ? path : "") < 0)
		return -1;
	t = ftpc_text(f);
	v = strtoll(t + 4, &end, 10);
	if (t[3] != ' ' || t[4] < '0' || t[4] > '9' || *end != '\0') {
		chk_fail(c, "\"213 <bytes>\", " AVBL_DRAFT, "AVBL was answered "
			 "%s", chk_said(f));
		return -1;
	}
	return v;
}

static enum chk_result avbl_reply(struct chk *c)
{
	if (!chk_feat(c->env, "AVBL"))
		return chk_skip(c, "FEAT does not announce AVBL");
	if (avbl(c, c->ctl, NULL) < 0 || avbl(c, c->ctl, c->dir) < 0 ||
	    chk_expect(c, c->ctl, "550", AVBL_DRAFT, "AVBL %s",
		       chk_path(c, "no-such")) < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

/* A session whose quota room is at most QUOTA_MAX: the test user's own,
 * or an account the admin makes for the check with a 1M quota. */
struct quota_user {
	struct ftpc *f;
	long long room;
	char login[64];
	int temporary;
};

static int make_quota_user(struct chk *c, struct quota_user *q)
{
	struct ftpc *a = admin(c);
	char pass[64];

	snprintf(q->login, sizeof(q->login), "chkq%s", hex(c));
	snprintf(pass, sizeof(pass), "Pw-%s-8q", hex(c));
	if (a == NULL || chk_expect(c, a, "200 2xx", "2xx: the admin announces "
				    "USERADD", "SITE USERADD %s %s 1M",
				    q->login, pass) < 0)
		return -1;
	q->temporary = 1;
	chk_hangup(c, a);
	q->f = login_as(c, q->login, pass);
	if (q->f == NULL ||
	    chk_expect(c, q->f, "200", RFC959("5.4"), "TYPE I") < 0)
		return -1;
	q->room = avbl(c, q->f, NULL);
	if (q->room < 0)
		return -1;
	if (q->room > 1 << 20) {
		chk_fail(c, "at most 1048576 bytes for a 1M quota", "AVBL of "
			 "an account made with quota 1M says %lld", q->room);
		return -1;
	}
	return 0;
}

static int quota_user(struct chk *c, struct quota_user *q, enum chk_result *r)
{
	const struct chk_env *e = c->env;

	memset(q, 0, sizeof(*q));
	*r = CHK_FAIL;
	if (!chk_feat(e, "AVBL")) {
		*r = chk_skip(c, "FEAT does not announce AVBL");
		return -1;
	}
	q->f = c->ctl;
	q->room = avbl(c, q->f, NULL);
	if (q->room < 0)
		return -1;
	if (q->room <= QUOTA_MAX)
		return 0;
	if (e->opt->admin_user != NULL &&
	    chk_site_has(e->admin_site_help, "USERADD") &&
	    chk_site_has(e->admin_site_help, "USERDEL"))
		return make_quota_user(c, q);
	*r = chk_skip(c, "needs a test user with at most 64 MiB of quota left "
		      "(AVBL says %lld), or --admin-user to make one",
		      q->room);
	return -1;
}

static void quota_done(struct chk *c, struct quota_user *q)
{
	if (!q->temporary)
		return;
	if (q->f != NULL)
		chk_hangup(c, q->f);
	if (drop_account(c, q->login) != 0)
		snprintf(c->remark, sizeof(c->remark), "the account %s made "
			 "by this check remains on the server: remove it",
			 q->login);
}

static enum chk_result avbl_counts(struct chk *c)
{
	struct quota_user q;
	enum chk_result r;
	long long after;
	char data[100000];

	if (quota_user(c, &q, &r) != 0)
		goto out;
	r = CHK_FAIL;
	if ((long long)sizeof(data) > q.room) {
		r = chk_skip(c, "less than 100000 bytes of quota left");
		goto out;
	}
	chk_fill(data, sizeof(data), 41);
	if (chk_put(c, q.f, "counted", data, sizeof(data)) != 0)
		goto out;
	after = avbl(c, q.f, NULL);
	if (after < 0)
		goto out;
	if (q.room - after != (long long)sizeof(data)) {
		chk_fail(c, "100000 bytes less free", "after a 100000-byte "
			 "upload AVBL went from %lld to %lld", q.room, after);
		goto out;
	}
	r = CHK_PASS;
out:
	quota_done(c, &q);
	return r;
}

static enum chk_result over_quota(struct chk *c)
{
	struct quota_user q;
	struct ftpc_xfer x;
	enum chk_result r;
	long long after, len;
	char *data = NULL;
	int code;

	if (quota_user(c, &q, &r) != 0)
		goto out;
	r = CHK_FAIL;
	len = q.room + 65536;
	data = malloc((size_t)len);
	if (data == NULL) {
		chk_fail(c, "memory", "out of memory");
		goto out;
	}
	chk_fill(data, (size_t)len, 42);
	ftpc_put(q.f, c->dmode, data, (size_t)len, &x, "STOR too-big");
	if (x.final != 552) {
		chk_fail(c, "552 (exceeded storage allocation), "
			 RFC959("4.2.2"), "an upload %d bytes over the quota "
			 "ended with %s", 65536, chk_said(q.f));
		goto out;
	}
	after = avbl(c, q.f, NULL);
	if (after < 0)
		goto out;
	code = chk_cmd(c, q.f, "SIZE too-big");
	if (code == 213 && strtoll(ftpc_text(q.f) + 4, NULL, 10) > q.room) {
		chk_fail(c, "the user kept within quota", "after the 552, "
			 "too-big holds %s bytes, more than the %lld free",
			 ftpc_text(q.f) + 4, q.room);
		goto out;
	}
	r = CHK_PASS;
out:
	free(data);
	quota_done(c, &q);
	return r;
}

const struct chk_def chk_account_suite[] = {
	{ "account", "register", CHK_RAW, do_register,
	  "SITE REGISTER creates an account with an empty cell" },
	{ "account", "register_taken", CHK_RAW, register_taken,
	  "SITE REGISTER of an existing login is refused" },
	{ "account", "admin_users", CHK_NODIR, admin_users,
	  "SITE USERS (admin) lists the test user" },
	{ "account", "user_refused", CHK_NODIR, user_refused,
	  "admin SITE commands from a user get 550" },
	{ "account", "admin_sees_cells", CHK_NODIR, admin_sees_cells,
	  "the admin's \"/\" holds every user's cell" },
	{ "account", "avbl", 0, avbl_reply, "AVBL answers 213 <bytes>" },
	{ "account", "avbl_counts", 0, avbl_counts,
	  "an upload lowers AVBL by its size" },
	{ "account", "over_quota", 0, over_quota,
	  "an upload past the quota gets 552, the user stays within it" },
	{ NULL, NULL, 0, NULL, NULL }
};
