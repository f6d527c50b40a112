/*
 * The preflight of cellftp-check: reach the server, read its banner and
 * FEAT, log in, learn the login directory, SYST and SITE HELP, find an
 * IPv6 way in, and create the uniquely named scratch folder.  Anything
 * failing here means "could not test" (exit 2), never "misbehaved".
 */
#include "run.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

static int greet(struct ftpc *f)
{
	int code = 120, i;

	for (i = 0; i < 3 && code == 120; i++)
		code = ftpc_reply(f);
	return code;
}

static const char *said(struct ftpc *f)
{
	return f->reply.code > 0 ? ftpc_text(f) : f->err;
}

static void parse_feat(struct chk_env *env, const char *text)
{
	const char *p = strchr(text, '\n'), *nl;
	size_t n;

	/* Lines between "211-..." and "211 End", one feature each. */
	for (; p != NULL && env->nfeat < CHK_FEATS; p = nl) {
		p++;
		nl = strchr(p, '\n');
		if (nl == NULL)
			break;	/* the last line closes the reply */
		while (*p == ' ' || *p == '\t')
			p++;
		n = (size_t)(nl - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n == 0)
			continue;
		env->feat[env->nfeat] = strndup(p, n);
		if (env->feat[env->nfeat] != NULL)
			env->nfeat++;
	}
}

static int is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
			>> 24) == 127;
	if (ss->ss_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(
			&((const struct sockaddr_in6 *)ss)->sin6_addr);
	return 0;
}

/* Does this address answer as an FTP server?  Then keep it for IPv6. */
static int try_v6(struct chk_env *env, const char *host, const char *port)
{
	struct ftpc f;
	int ok = 0;

	ftpc_init(&f);
	f.timeout_ms = 3000;
	f.cancel = env->cancel;
	if (ftpc_connect(&f, host, port, AF_INET6) == 0 && greet(&f) == 220) {
		memcpy(&env->addr6, &f.peer, sizeof(env->addr6));
		env->addr6len = f.peerlen;
		env->have_v6 = 1;
		ok = 1;
	}
	if (f.io.fd >= 0)
		(void)ftpc_quit(&f);
	ftpc_close(&f);
	return ok;
}

static void find_v6(struct chk_env *env, const struct chk_opts *o)
{
	if (env->is_v6) {
		memcpy(&env->addr6, &env->addr, sizeof(env->addr6));
		env->addr6len = env->addrlen;
		env->have_v6 = 1;
		return;
	}
	/* The same server on ::1, or the name's own IPv6 address. */
	if (env->loopback && try_v6(env, "::1", o->port))
		return;
	(void)try_v6(env, o->host, o->port);
}

static int make_token(char *buf, size_t len)
{
	unsigned char r[6];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -1;
	i = (size_t)snprintf(buf, len, "cellftp-check-");
	for (size_t k = 0; k < sizeof(r) && i + 2 < len; k++, i += 2)
		snprintf(buf + i, len - i, "%02x", r[k]);
	return 0;
}

static int admin_help(struct chk_env *env, const struct chk_opts *o,
		      char *err, size_t errlen)
{
	struct ftpc f;
	int code, r = -1;

	ftpc_init(&f);
	f.cancel = env->cancel;
	if (ftpc_connect_sa(&f, (struct sockaddr *)&env->addr, env->addrlen)
	    != 0 || greet(&f) != 220) {
		snprintf(err, errlen, "admin session: %s", said(&f));
		goto out;
	}
	if (env->tls && ftpc_auth_tls(&f) != 0) {
		snprintf(err, errlen, "admin session: AUTH TLS: %s", said(&f));
		goto out;
	}
	code = ftpc_login(&f, o->admin_user, o->admin_pass);
	if (code != 230 && code != 202) {
		snprintf(err, errlen, "login as %s (--admin-user) failed: %s",
			 o->admin_user, said(&f));
		goto out;
	}
	if (ftpc_cmd(&f, "SITE HELP") / 100 == 2)
		snprintf(env->admin_site_help, sizeof(env->admin_site_help),
			 "%s", ftpc_text(&f));
	r = 0;
out:
	(void)ftpc_quit(&f);
	return r;
}

/* Things learned once logged in: SYST, PWD, SITE HELP, the scratch. */
static int learn(struct chk_env *env, struct ftpc *f, char *err,
		 size_t errlen)
{
	const char *sep;

	if (!env->feat_ok && ftpc_cmd(f, "FEAT") == 211) {
		env->feat_ok = 1;
		parse_feat(env, ftpc_text(f));
	}
	if (ftpc_cmd(f, "SYST") == 215)
		env->unix_syst = strstr(ftpc_text(f), "UNIX") != NULL;
	if (ftpc_cmd(f, "PWD") != 257 ||
	    ftpc_parse_257(ftpc_text(f), env->base, sizeof(env->base)) != 0 ||
	    env->base[0] == '\0') {
		snprintf(err, errlen, "cannot learn the login directory: PWD "
			 "answered %s", said(f));
		return -1;
	}
	if (ftpc_cmd(f, "SITE HELP") / 100 == 2)
		snprintf(env->site_help, sizeof(env->site_help), "%s",
			 ftpc_text(f));
	if (make_token(env->token, sizeof(env->token)) != 0) {
		snprintf(err, errlen, "getrandom: %s", strerror(errno));
		return -1;
	}
	sep = env->base[strlen(env->base) - 1] == '/' ? "" : "/";
	if (snprintf(env->scratch, sizeof(env->scratch), "%s%s%s", env->base,
		     sep, env->token) >= (int)sizeof(env->scratch)) {
		snprintf(err, errlen, "the login directory's path is too long");
		env->scratch[0] = '\0';
		return -1;
	}
	if (ftpc_cmd(f, "MKD %s", env->scratch) / 100 != 2) {
		snprintf(err, errlen, "cannot create the scratch folder %s: "
			 "MKD answered %s (the user needs write access to its "
			 "login directory)", env->scratch, said(f));
		env->scratch[0] = '\0';
		return -1;
	}
	return 0;
}

static int secure(struct chk_env *env, struct ftpc *f, char *note,
		  size_t notelen, char *err, size_t errlen)
{
	const char *auth = chk_feat_line(env, "AUTH");

	if (auth == NULL || strcasestr(auth, "TLS") == NULL) {
		snprintf(note, notelen, "--tls: the server does not announce "
			 "AUTH TLS in FEAT; the tls checks are skipped and the "
			 "others run in plain text");
		return 0;
	}
	if (ftpc_auth_tls(f) != 0) {
		snprintf(err, errlen, "AUTH TLS failed: %s", said(f));
		return -1;
	}
	env->tls = 1;
	return 0;
}

/* Connected and greeted, FEAT read: 0, or -1 with the reason in err. */
static int reach(struct chk_env *env, struct ftpc *f, char *err,
		 size_t errlen)
{
	const struct chk_opts *o = env->opt;
	int code;

	if (ftpc_connect(f, o->host, o->port, AF_UNSPEC) != 0) {
		snprintf(err, errlen, "cannot connect to %s port %s: %s",
			 o->host, o->port, f->err);
		return -1;
	}
	memcpy(&env->addr, &f->peer, sizeof(env->addr));
	env->addrlen = f->peerlen;
	env->is_v6 = env->addr.ss_family == AF_INET6;
	env->loopback = is_loopback(&env->addr);
	if (greet(f) != 220) {
		snprintf(err, errlen, "%s port %s did not greet with 220: %s",
			 o->host, o->port, said(f));
		return -1;
	}
	code = ftpc_cmd(f, "FEAT");
	if (code < 0) {
		snprintf(err, errlen, "no reply to FEAT: %s", f->err);
		return -1;
	}
	if (code == 211) {
		env->feat_ok = 1;
		parse_feat(env, ftpc_text(f));
	}
	return 0;
}

int env_prepare(struct chk_env *env, const struct chk_opts *o,
		volatile sig_atomic_t *cancel, char *note, size_t notelen,
		char *err, size_t errlen)
{
	struct ftpc f;
	int code, r = -1;

	memset(env, 0, sizeof(*env));
	env->opt = o;
	env->cancel = cancel;
	note[0] = '\0';
	ftpc_init(&f);
	f.cancel = cancel;
	if (reach(env, &f, err, errlen) != 0)
		goto out;
	if (o->do_tls && secure(env, &f, note, notelen, err, errlen) != 0)
		goto out;
	/* Some SITE commands (registration) work only before login. */
	if (ftpc_cmd(&f, "SITE HELP") / 100 == 2)
		snprintf(env->prelogin_help, sizeof(env->prelogin_help), "%s",
			 ftpc_text(&f));
	code = ftpc_login(&f, o->user, o->pass);
	if (code != 230 && code != 202) {
		snprintf(err, errlen, "login as %s failed: %s", o->user,
			 said(&f));
		goto out;
	}
	if (env->tls && ftpc_prot(&f, 'P') != 0) {
		snprintf(err, errlen, "PBSZ/PROT P failed: %s", said(&f));
		goto out;
	}
	/* Before the scratch folder exists: nothing to undo on failure. */
	if (o->admin_user != NULL && admin_help(env, o, err, errlen) != 0)
		goto out;
	if (learn(env, &f, err, errlen) != 0)
		goto out;
	find_v6(env, o);
	r = 0;
out:
	(void)ftpc_quit(&f);
	return r;
}

void env_free(struct chk_env *env)
{
	unsigned i;

	for (i = 0; i < env->nfeat; i++)
		free(env->feat[i]);
	env->nfeat = 0;
}
