/*
 * auth_pam.so, the serving side (see ap.h): settings, the helper's start
 * and end, and authenticate(), which sends each login to the helper and
 * hands the core the file agent that answers for a user PAM accepted.
 */
#include <errno.h>
#include <pwd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/pam/ap.h"
#include "vfs/fdpass.h"

#define AP_ANSWER_SECONDS 60	/* a PAM stack that hangs (LDAP down) */
struct ap_state {
	const struct cf_host *host;
	struct ap_conf conf;
	int sock;			/* to the helper; -1 under -t */
	pid_t pid;
	atomic_uint delay_ms;		/* the last failure delay PAM asked */
};

static void ap_timeout(int fd, int seconds)
{
	struct timeval tv = { .tv_sec = seconds };

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* One question to the helper: the answer, and its socket to keep. */
static int ap_ask(struct ap_state *st, const struct cf_client *client,
		  const char *login, const char *password,
		  struct ap_resp *r, int *agent)
{
	struct ap_req q;
	int sv[2], fd, e;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -errno;
	memset(&q, 0, sizeof(q));
	q.magic = AP_MAGIC;
	snprintf(q.login, sizeof(q.login), "%s", login);
	snprintf(q.password, sizeof(q.password), "%s", password);
	snprintf(q.rhost, sizeof(q.rhost), "%s", client && client->addr ?
		 client->addr : "");
	e = fdp_send(st->sock, &q, sizeof(q), sv[1]);
	explicit_bzero(&q, sizeof(q));
	close(sv[1]);
	if (e == 0) {
		ap_timeout(sv[0], AP_ANSWER_SECONDS);
		e = fdp_recv(sv[0], r, sizeof(*r), &fd);
		if (fd >= 0)
			close(fd);
	}
	if (e != 0) {
		close(sv[0]);
		return e;
	}
	ap_timeout(sv[0], 0);	/* the core bounds each answer of the agent */
	*agent = sv[0];
	return 0;
}

static int ap_authenticate(void *state, const struct cf_client *client,
			   const char *login, const char *password,
			   struct cf_identity *out, char *why, size_t whylen)
{
	struct ap_state *st = state;
	struct ap_resp r;
	int agent = -1, e;

	if (st->sock < 0 || !ap_login_ok(login))
		return CF_DECLINED;
	e = ap_ask(st, client, login, password, &r, &agent);
	if (e != 0) {
		snprintf(why, whylen, "PAM helper: %s", e == -EAGAIN ?
			 "no answer in time" : strerror(-e));
		return CF_ERROR;
	}
	r.why[sizeof(r.why) - 1] = '\0';
	snprintf(why, whylen, "%s", r.why);
	if (r.result != CF_OK) {
		/* refusals take as long as PAM wanted, unknown users too, so
		 * the time of an answer tells nothing about a login */
		if (r.delay_ms > 0)
			atomic_store(&st->delay_ms, r.delay_ms);
		out->fail_delay_ms = r.delay_ms > 0 ? r.delay_ms :
				     atomic_load(&st->delay_ms);
		close(agent);
		return r.result == CF_DECLINED || r.result == CF_DENIED ?
		       r.result : CF_ERROR;
	}
	out->is_admin = r.is_admin != 0;
	out->uid = r.uid;
	out->gid = r.gid;
	out->quota_bytes = out->quota_files = CF_UNLIMITED;
	if (r.is_admin)
		close(agent);
	else {
		out->has_agent = 1;
		out->agent_fd = agent;
	}
	return CF_OK;
}

/* Is login a system user this plugin would serve?  (No PAM: no password.) */
static int ap_lookup(void *state, const char *login, struct cf_identity *out)
{
	struct ap_state *st = state;
	struct passwd pwbuf, *pw = NULL;
	char text[4096];
	int admin;

	if (!ap_login_ok(login) ||
	    getpwnam_r(login, &pwbuf, text, sizeof(text), &pw) != 0 ||
	    pw == NULL ||
	    ap_filter(&st->conf, login, pw, &admin, NULL, 0) != CF_OK)
		return CF_DECLINED;
	snprintf(out->login, sizeof(out->login), "%s", login);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	out->quota_bytes = out->quota_files = CF_UNLIMITED;
	out->is_admin = admin;
	return CF_OK;
}

static const struct cf_auth_ops ap_auth = {
	.authenticate = ap_authenticate,
	.lookup = ap_lookup,
};

static void ap_fini(void *state)
{
	struct ap_state *st = state;

	if (st == NULL)
		return;
	if (st->sock >= 0) {
		close(st->sock);	/* the helper ends at EOF */
		while (waitpid(st->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(st);
}

static int ap_init(const struct cf_host *host, const struct cf_config *cfg,
		   void **state, char *err, size_t errlen)
{
	struct ap_state *st = calloc(1, sizeof(*st));

	if (st == NULL) {
		snprintf(err, errlen, "auth_pam: out of memory");
		return -1;
	}
	st->host = host;
	st->sock = -1;
	if (ap_conf_parse(host, cfg, &st->conf, err, errlen) != 0)
		goto fail;
	if (!host->check_only) {
		if (geteuid() != 0)
			host->log(CF_LOG_WARN, "auth_pam: cellftpd is not started "
				  "as root: system users' files will belong to "
				  "uid %u, and PAM may check only that user's "
				  "password", (unsigned)geteuid());
		if (ap_helper_start(&st->conf, &st->sock, &st->pid, err,
				    errlen) != 0)
			goto fail;
	}
	*state = st;
	return 0;
fail:
	free(st);
	return -1;
}

/* The helper holds the settings it was forked with: changes need a
 * restart, and saying so beats pretending they applied. */
static int ap_reload(void *state, const struct cf_config *cfg, char *err,
		     size_t errlen)
{
	struct ap_state *st = state;
	struct ap_conf c;

	if (ap_conf_parse(st->host, cfg, &c, err, errlen) != 0)
		return -1;
	if (memcmp(&c, &st->conf, sizeof(c)) != 0) {
		snprintf(err, errlen, "auth_pam: settings changes need a "
			 "restart");
		return -1;
	}
	return 0;
}

static const struct cf_module ap_module = {
	CF_MODULE_HEADER,
	.name = "auth_pam",
	.version = "1.0",
	.init = ap_init,
	.fini = ap_fini,
	.auth = &ap_auth,
	.reload = ap_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &ap_module;
}
