/*
 * SITE: parse the subcommand, check who may use it (before login, any
 * user, admins), then hand account work to site_acct.c and session work
 * (WHO, KICK) to a broadcast over the workers.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bcast.h"
#include "buf.h"
#include "cmd.h"
#include "sess.h"
#include "site.h"
#include "srv.h"

#define SW_ANON  0x1u	/* before login */
#define SW_USER  0x2u	/* any logged-in user */
#define SW_ADMIN 0x4u	/* admins only */
#define SITE_WORDS 4

struct site_cmd {
	const char *name;
	void (*fn)(struct sess *s, char **w, int n);
	unsigned who;
	const char *usage;
};

static void site_help(struct sess *s, char **w, int n);
static void site_register(struct sess *s, char **w, int n);
static void site_useradd(struct sess *s, char **w, int n);
static void site_userdel(struct sess *s, char **w, int n);
static void site_passwd(struct sess *s, char **w, int n);
static void site_quota(struct sess *s, char **w, int n);
static void site_disable(struct sess *s, char **w, int n);
static void site_enable(struct sess *s, char **w, int n);
static void site_users(struct sess *s, char **w, int n);
static void site_who(struct sess *s, char **w, int n);
static void site_kick(struct sess *s, char **w, int n);

static const struct site_cmd site_cmds[] = {
	{ "HELP", site_help, SW_ANON | SW_USER | SW_ADMIN, "HELP" },
	{ "REGISTER", site_register, SW_ANON, "REGISTER <login> <password>" },
	{ "PASSWD", site_passwd, SW_USER | SW_ADMIN,
	  "PASSWD <old> <new> (admins: PASSWD <login> <password>)" },
	{ "QUOTA", site_quota, SW_USER | SW_ADMIN,
	  "QUOTA [RESCAN] (admins: QUOTA <login> [<size>|none|default], "
	  "QUOTA RESCAN <login>)" },
	{ "USERS", site_users, SW_ADMIN, "USERS" },
	{ "USERADD", site_useradd, SW_ADMIN,
	  "USERADD <login> <password> [<quota>]" },
	{ "USERDEL", site_userdel, SW_ADMIN, "USERDEL <login> [--remove-cell]" },
	{ "DISABLE", site_disable, SW_ADMIN, "DISABLE <login>" },
	{ "ENABLE", site_enable, SW_ADMIN, "ENABLE <login>" },
	{ "WHO", site_who, SW_ADMIN, "WHO" },
	{ "KICK", site_kick, SW_ADMIN, "KICK <session-id|login>" },
};

#define NSITE (sizeof(site_cmds) / sizeof(site_cmds[0]))

static unsigned caller(const struct sess *s)
{
	if (!s->logged_in)
		return SW_ANON;
	return s->is_admin ? SW_ADMIN : SW_USER;
}

/* Is registration open with some provider (for HELP before login)? */
static int registration_open(const struct sess *s)
{
	const struct mod_set *mods = &s->w->srv->mods;

	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_auth_ops *a = mods->v[i].m->auth;

		if (a != NULL && a->acct_offers != NULL &&
		    (a->acct_offers(mods->v[i].state) & CF_OFFER_REGISTER))
			return 1;
	}
	return 0;
}

/* Split in place on spaces; at most max words, the last takes the rest. */
static int split_words(char *arg, char **w, int max)
{
	int n = 0;

	while (arg != NULL && *arg != '\0' && n < max) {
		while (*arg == ' ')
			arg++;
		if (*arg == '\0')
			break;
		w[n++] = arg;
		arg = strchr(arg, ' ');
		if (arg != NULL)
			*arg++ = '\0';
	}
	return n;
}

static const struct site_cmd *find_site(const char *name)
{
	for (size_t i = 0; i < NSITE; i++)
		if (strcasecmp(name, site_cmds[i].name) == 0)
			return &site_cmds[i];
	return NULL;
}

void cmd_site(struct sess *s, char *arg)
{
	char *w[SITE_WORDS + 1];
	const struct site_cmd *c;
	int n = split_words(arg, w, SITE_WORDS + 1);

	if (n == 0) {
		sess_reply(s, 501, "SITE needs a command: try SITE HELP.");
		return;
	}
	c = find_site(w[0]);
	if (c == NULL) {
		sess_reply(s, 500, "Unknown SITE command.");
		return;
	}
	if (!(c->who & caller(s))) {
		if (!s->logged_in)
			sess_reply(s, 530, "Please login with USER and PASS.");
		else
			sess_reply(s, 550, "Permission denied.");
		return;
	}
	if (n > SITE_WORDS) {
		sess_reply(s, 501, "Usage: SITE %s.", c->usage);
		return;
	}
	c->fn(s, w + 1, n - 1);
}

static void usage(struct sess *s, const char *name)
{
	sess_reply(s, 501, "Usage: SITE %s.", find_site(name)->usage);
}

static void site_help(struct sess *s, char **w, int n)
{
	unsigned who = caller(s);
	struct buf b;

	(void)w;
	(void)n;
	buf_init(&b, 0);
	buf_puts(&b, "SITE commands you may use:\n");
	for (size_t i = 0; i < NSITE; i++) {
		if (!(site_cmds[i].who & who))
			continue;
		if (site_cmds[i].fn == site_register && !registration_open(s))
			continue;
		buf_printf(&b, " %s\n", site_cmds[i].usage);
	}
	buf_puts(&b, "End");
	sess_reply_text(s, 214, b.failed ? "Out of memory." : b.p);
	buf_free(&b);
}

/* Parse a size, "none" or "default" into op; 0, or -1 when malformed. */
static int parse_quota(const char *text, struct site_op *op)
{
	if (strcasecmp(text, "default") == 0) {
		op->quota_default = 1;
		return 0;
	}
	return cf_size_parse(text, &op->quota);
}

static void start(struct sess *s, struct site_op *op, enum site_kind kind,
		  const char *name, const char *login)
{
	op->kind = kind;
	op->name = name;
	if (login != NULL)
		snprintf(op->login, sizeof(op->login), "%s", login);
	site_acct_start(s, op);
	explicit_bzero(op, sizeof(*op));
}

static int set_password(struct sess *s, char *dst, size_t len, const char *pw)
{
	if (strlen(pw) >= len) {
		sess_reply(s, 501, "Password too long.");
		return -1;
	}
	memcpy(dst, pw, strlen(pw) + 1);
	return 0;
}

static void site_register(struct sess *s, char **w, int n)
{
	struct site_op op = { 0 };

	if (n != 2) {
		usage(s, "REGISTER");
		return;
	}
	if (strlen(w[0]) >= sizeof(op.login)) {
		sess_reply(s, 550, "SITE REGISTER refused: invalid login.");
		return;
	}
	if (set_password(s, op.password, sizeof(op.password), w[1]) != 0)
		return;
	snprintf(op.shown, sizeof(op.shown), "%s ****", w[0]);
	start(s, &op, SITE_REGISTER, "REGISTER", w[0]);
}

static void site_useradd(struct sess *s, char **w, int n)
{
	struct site_op op = { .quota_default = 1 };

	if (n < 2 || n > 3) {
		usage(s, "USERADD");
		return;
	}
	if (n == 3) {
		op.quota_default = 0;
		if (parse_quota(w[2], &op) != 0) {
			sess_reply(s, 501, "Bad quota \"%s\": a size such as "
				   "500M, \"none\" or \"default\".", w[2]);
			return;
		}
	}
	if (strlen(w[0]) >= sizeof(op.login)) {
		sess_reply(s, 550, "SITE USERADD refused: invalid login.");
		return;
	}
	if (set_password(s, op.password, sizeof(op.password), w[1]) != 0)
		return;
	snprintf(op.shown, sizeof(op.shown), "%s ****%s%s", w[0],
		 n == 3 ? " " : "", n == 3 ? w[2] : "");
	start(s, &op, SITE_USERADD, "USERADD", w[0]);
}

static void site_userdel(struct sess *s, char **w, int n)
{
	struct site_op op = { 0 };

	if (n < 1 || n > 2 ||
	    (n == 2 && strcmp(w[1], "--remove-cell") != 0)) {
		usage(s, "USERDEL");
		return;
	}
	op.remove_cell = n == 2;
	snprintf(op.shown, sizeof(op.shown), "%s%s", w[0],
		 n == 2 ? " --remove-cell" : "");
	start(s, &op, SITE_USERDEL, "USERDEL", w[0]);
}

static void site_passwd(struct sess *s, char **w, int n)
{
	struct site_op op = { 0 };

	if (n != 2) {
		usage(s, "PASSWD");
		return;
	}
	if (s->is_admin) {
		if (set_password(s, op.password, sizeof(op.password), w[1]) != 0)
			return;
		snprintf(op.shown, sizeof(op.shown), "%s ****", w[0]);
		start(s, &op, SITE_PASSWD, "PASSWD", w[0]);
		return;
	}
	if (set_password(s, op.old, sizeof(op.old), w[0]) != 0 ||
	    set_password(s, op.password, sizeof(op.password), w[1]) != 0)
		return;
	snprintf(op.shown, sizeof(op.shown), "**** ****");
	start(s, &op, SITE_PASSWD_SELF, "PASSWD", s->login);
}

static void site_quota(struct sess *s, char **w, int n)
{
	struct site_op op = { 0 };

	if (n == 0) {
		start(s, &op, SITE_QUOTA_SHOW, "QUOTA", s->login);
		return;
	}
	if (strcasecmp(w[0], "RESCAN") == 0) {
		/* admins name anyone; a user may only re-measure their own cell */
		if (n > 2 || (n == 2 && !s->is_admin) || (n == 1 && s->is_admin)) {
			usage(s, "QUOTA");
			return;
		}
		snprintf(op.shown, sizeof(op.shown), "RESCAN %s",
			 n == 2 ? w[1] : s->login);
		start(s, &op, SITE_RESCAN, "QUOTA", n == 2 ? w[1] : s->login);
		return;
	}
	if (!s->is_admin) {
		sess_reply(s, 550, "Permission denied.");
		return;
	}
	if (n == 1) {
		snprintf(op.shown, sizeof(op.shown), "%s", w[0]);
		start(s, &op, SITE_QUOTA_SHOW, "QUOTA", w[0]);
		return;
	}
	if (n != 2) {
		usage(s, "QUOTA");
		return;
	}
	if (parse_quota(w[1], &op) != 0) {
		sess_reply(s, 501, "Bad quota \"%s\": a size such as 500M, "
			   "\"none\" or \"default\".", w[1]);
		return;
	}
	snprintf(op.shown, sizeof(op.shown), "%s %s", w[0], w[1]);
	start(s, &op, SITE_QUOTA_SET, "QUOTA", w[0]);
}

static void site_able(struct sess *s, char **w, int n, enum site_kind kind,
		      const char *name)
{
	struct site_op op = { 0 };

	if (n != 1) {
		usage(s, name);
		return;
	}
	snprintf(op.shown, sizeof(op.shown), "%s", w[0]);
	start(s, &op, kind, name, w[0]);
}

static void site_disable(struct sess *s, char **w, int n)
{
	site_able(s, w, n, SITE_DISABLE, "DISABLE");
}

static void site_enable(struct sess *s, char **w, int n)
{
	site_able(s, w, n, SITE_ENABLE, "ENABLE");
}

static void site_users(struct sess *s, char **w, int n)
{
	struct site_op op = { 0 };

	(void)w;
	if (n != 0) {
		usage(s, "USERS");
		return;
	}
	start(s, &op, SITE_USERS, "USERS", NULL);
}

/* WHO and KICK: sessions live on every worker. */

static void log_session_cmd(struct sess *s, const char *name,
			    const char *shown, int code)
{
	struct site_op op = { .kind = SITE_SESSIONS, .name = name };

	snprintf(op.shown, sizeof(op.shown), "%s", shown);
	site_log(s, &op, code);
}

static void who_done(struct sess *s, const struct bcast_req *r,
		     const char *text, int count)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "Sessions:\n %-8s %-16s %s %s %s %s\n%s%d session%s",
		   "ID", "LOGIN", "CLIENT", "CONNECTED", "IDLE", "DOING",
		   text, count, count == 1 ? "" : "s");
	sess_reply_text(s, 200, b.failed ? "Out of memory." : b.p);
	buf_free(&b);
	(void)r;
	log_session_cmd(s, "WHO", "", 200);
	sess_resume(s);
}

static void site_who(struct sess *s, char **w, int n)
{
	struct bcast_req r = { .kind = BC_WHO };

	(void)w;
	if (n != 0) {
		usage(s, "WHO");
		return;
	}
	if (bcast_ask(s, &r, who_done) != 0)
		sess_reply(s, 451, "Out of memory.");
}

static void kick_done(struct sess *s, const struct bcast_req *r,
		      const char *text, int count)
{
	char target[CF_LOGIN_MAX];

	(void)text;
	if (r->sid != 0)
		snprintf(target, sizeof(target), "%llu",
			 (unsigned long long)r->sid);
	else
		snprintf(target, sizeof(target), "%s", r->login);
	if (count == 0)
		sess_reply(s, 550, "No such session.");
	else
		sess_reply(s, 200, "%d session%s closed.", count,
			   count == 1 ? "" : "s");
	log_session_cmd(s, "KICK", target, count ? 200 : 550);
	sess_resume(s);
}

static void site_kick(struct sess *s, char **w, int n)
{
	struct bcast_req r = { .kind = BC_KICK, .except_sid = s->id };
	char *end;

	if (n != 1) {
		usage(s, "KICK");
		return;
	}
	if (isdigit((unsigned char)w[0][0])) {
		r.sid = strtoull(w[0], &end, 10);
		if (*end != '\0' || r.sid == 0) {
			usage(s, "KICK");
			return;
		}
	} else {
		snprintf(r.login, sizeof(r.login), "%s", w[0]);
	}
	snprintf(r.reason, sizeof(r.reason), "Disconnected by an administrator.");
	if (bcast_ask(s, &r, kick_done) != 0)
		sess_reply(s, 451, "Out of memory.");
}

/* Logs ------------------------------------------------------------------ */

void site_log(struct sess *s, const struct site_op *op, int code)
{
	struct cf_log_event ev = { .result = code };

	/* a registration is an auth event; the rest are admin actions */
	ev.type = op->kind == SITE_REGISTER ? CF_EV_REGISTER : CF_EV_ADMIN;
	ev.action = op->name;
	ev.detail = op->shown;
	if (ev.type == CF_EV_REGISTER)
		ev.login = op->login;
	sess_log_event(s, &ev);
}

void site_mask(const char *arg, int is_admin, char *out, size_t outlen)
{
	char copy[512], *w[SITE_WORDS + 1];
	int n;

	snprintf(copy, sizeof(copy), "%s", arg ? arg : "");
	n = split_words(copy, w, SITE_WORDS + 1);
	if (n >= 2 && (strcasecmp(w[0], "REGISTER") == 0 ||
		       strcasecmp(w[0], "USERADD") == 0 ||
		       (strcasecmp(w[0], "PASSWD") == 0 && is_admin))) {
		snprintf(out, outlen, "%s %s ****%s%s", w[0], w[1],
			 n > 3 ? " " : "", n > 3 ? w[3] : "");
		return;
	}
	if (n >= 2 && strcasecmp(w[0], "PASSWD") == 0) {
		snprintf(out, outlen, "%s **** ****", w[0]);
		return;
	}
	snprintf(out, outlen, "%s", arg ? arg : "");
}
