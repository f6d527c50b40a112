/*
 * USER, PASS, QUIT, REIN, ACCT.  Password checks run on the blocking pool;
 * a failed login is answered after a delay that is a timer, never a
 * sleeping thread, and too many failures close the session.  Failures
 * also count against the client's address (ban.c), across sessions.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cell.h"
#include "cmd.h"
#include "io.h"
#include "quota.h"
#include "modules/chain.h"
#include "sess.h"
#include "srv.h"

#define AUTH_DELAY_MAX_MS 30000u

struct auth_job {
	struct job job;
	struct sess *s;		/* only touched back on the worker */
	struct srv *srv;
	char addr[INET6_ADDRSTRLEN];
	struct cf_client client;
	char login[CF_LOGIN_MAX];
	char password[512];
	int result;
	struct vfs_cell cell;
	struct cell_entry *cell_ref;	/* owns cell.fd */
	size_t provider;	/* which module said CF_OK */
	int exhausted;		/* the server ran out of descriptors */
	char why[256];
	struct cf_identity ident;
	uint64_t asked_at;	/* the PASS (monotonic ms) */
	uint64_t answer_at;	/* a failure is answered then */
};

/*
 * The cell of a login: a provider's file agent already serves it as the
 * user; otherwise the core opens (or first makes) it here, off the workers.
 */
static int open_cell(struct auth_job *a)
{
	struct srv *srv = a->srv;	/* fields read here are fixed while serving */
	int fd;

	if (a->ident.has_agent) {
		a->cell.agent = a->ident.agent_fd;
		a->ident.has_agent = 0;
		a->ident.agent_fd = -1;
		return 0;
	}
	fd = cell_get(&srv->cells, srv->root_fd, &a->ident, srv->cell_uid,
		      srv->cell_gid, &a->cell_ref);
	if (fd < 0) {
		a->exhausted = errno == EMFILE || errno == ENFILE ||
			       errno == ENOMEM;
		snprintf(a->why, sizeof(a->why), "cannot open cell: %s",
			 strerror(errno));
		return -1;
	}
	a->cell.fd = fd;
	/* usage is known before the first write: measured here, off the workers;
	 * admins are not limited (their writes count against the cell's owner) */
	if (!a->ident.is_admin)
		qt_open(srv, &a->ident, fd);
	return 0;
}

static void auth_run(struct job *j)
{
	struct auth_job *a = (struct auth_job *)j;

	a->cell = VFS_CELL_NONE;
	a->result = chain_authenticate(&a->srv->mods, &a->client, a->login,
				       a->password, &a->ident, &a->provider,
				       a->why, sizeof(a->why));
	explicit_bzero(a->password, sizeof(a->password));
	if (a->result == CF_OK && open_cell(a) != 0)
		a->result = CF_ERROR;
}

static void drop_cell(struct srv *srv, struct auth_job *a)
{
	cell_release(&srv->cells, &a->cell_ref, &a->cell);
}

static void login_ok(struct sess *s, struct auth_job *a)
{
	struct cf_log_event ev = { .type = CF_EV_LOGIN, .result = 230 };

	s->login = strdup(a->ident.login);
	s->cwd = strdup("/");
	if (s->login == NULL || s->cwd == NULL) {
		drop_cell(s->w->srv, a);
		sess_logout(s);
		sess_finish(s, 421, "Out of memory.");
		return;
	}
	s->quota_bytes = a->ident.quota_bytes;
	s->quota_files = a->ident.quota_files;
	s->cell = a->cell;
	s->cell_ref = a->cell_ref;
	s->provider = a->provider;
	s->is_admin = a->ident.is_admin;
	s->logged_in = 1;
	s->failed_logins = 0;
	limits_leave(&s->w->srv->unauth, &s->peer);	/* see sess_admit */
	ev.detail = s->is_admin ? "admin" : NULL;
	sess_log_event(s, &ev);
	sess_reply(s, 230, "Login successful.");
	sess_resume(s);
}

/* Count the failure against the address; log when it bans the address. */
static void count_failure(struct sess *s)
{
	const struct ban_rule *rule = &s->w->set->ban;
	struct cf_log_event ev = { .type = CF_EV_LOGIN_FAIL, .action = "ban",
				   .result = 421 };
	char why[128];

	if (!ban_fail(&s->w->srv->ban, &s->peer, wk_now(), rule))
		return;
	snprintf(why, sizeof(why), "%u failed logins from this address: "
		 "banned for %llu s", rule->failures,
		 (unsigned long long)(rule->ban_ms / 1000));
	ev.detail = why;
	sess_log_event(s, &ev);
}

static void auth_done(struct job *j)
{
	struct auth_job *a = (struct auth_job *)j;
	struct sess *s = a->s;
	struct cf_log_event ev = { .type = CF_EV_LOGIN_FAIL, .result = 530 };
	uint64_t now = wk_now();

	s->jobs--;
	if (s->dead) {
		drop_cell(s->w->srv, a);
		free(a);
		return;
	}
	if (a->result == CF_OK) {
		login_ok(s, a);
		free(a);
		return;
	}
	if (a->exhausted) {
		/* the server's trouble, not the client's: no failure counted */
		ev.login = a->login;
		ev.detail = a->why;
		ev.result = 421;
		sess_log_event(s, &ev);
		sess_finish(s, 421, "Service not available: out of resources, "
			    "try again later.");
		free(a);
		return;
	}
	/* a provider may ask for more delay than the fixed one (PAM), up
	 * to a bound: a typo in a PAM stack must not stall logins for hours */
	if (a->ident.fail_delay_ms > 0) {
		uint64_t at = a->asked_at + (a->ident.fail_delay_ms <
			      AUTH_DELAY_MAX_MS ? a->ident.fail_delay_ms :
			      AUTH_DELAY_MAX_MS);

		if (at > a->answer_at)
			a->answer_at = at;
	}
	ev.login = a->login;
	ev.detail = a->why;
	sess_log_event(s, &ev);
	count_failure(s);
	s->failed_logins++;
	sess_wait(s, SS_DELAY);	/* cmd_login_delay_done when it expires */
	/*
	 * The delay counts from the PASS, not from the end of the check: the
	 * answer comes as late for an unknown login (or a locked one, which
	 * needs no hash) as for a wrong password, however long hashing took.
	 */
	if (!s->dead && wk_timer_set(s->w, &s->timer, a->answer_at > now ?
				     a->answer_at - now : 0) != 0)
		sess_close(s, "out of memory");
	free(a);
}

void cmd_login_delay_done(struct sess *s)
{
	if (ban_left(&s->w->srv->ban, &s->peer, wk_now()) > 0) {
		sess_finish(s, 421, "Too many failed logins from your "
			    "address, try again later.");
		return;
	}
	if (s->failed_logins >= s->w->set->max_login_attempts) {
		struct cf_log_event ev = { .type = CF_EV_LOGIN_FAIL,
					   .action = "ban", .result = 421,
					   .detail = "too many failed logins" };

		sess_log_event(s, &ev);
		sess_finish(s, 421, "Too many failed login attempts.");
		return;
	}
	sess_reply(s, 530, "Login incorrect.");
	sess_resume(s);
}

void cmd_user(struct sess *s, char *arg)
{
	size_t len = strlen(arg);

	if (s->logged_in) {
		/* RFC 959: USER starts over, as a session not logged in */
		if (limits_enter(&s->w->srv->unauth, &s->peer, SIZE_MAX,
				 (size_t)s->w->set->max_unauth_per_ip) !=
		    LIMITS_OK) {
			sess_finish(s, 421, "Too many connections not logged "
				    "in from your address.");
			return;
		}
		sess_logout(s);
	}
	free(s->user);
	s->user = NULL;
	if (len >= CF_LOGIN_MAX) {
		sess_reply(s, 501, "User name too long.");
		return;
	}
	s->user = strdup(arg);
	if (s->user == NULL) {
		sess_finish(s, 421, "Out of memory.");
		return;
	}
	/* the same answer whether the account exists or not */
	sess_reply(s, 331, "Please specify the password.");
}

void cmd_pass(struct sess *s, char *arg)
{
	struct auth_job *a;

	if (s->logged_in) {
		sess_reply(s, 230, "Already logged in.");
		return;
	}
	if (s->user == NULL) {
		sess_reply(s, 503, "Login with USER first.");
		return;
	}
	/* another session of this address may have had it banned */
	if (ban_left(&s->w->srv->ban, &s->peer, wk_now()) > 0) {
		struct cf_log_event ev = { .type = CF_EV_LOGIN_FAIL,
					   .login = s->user, .result = 421,
					   .detail = "address banned" };

		if (arg != NULL)
			explicit_bzero(arg, strlen(arg));
		sess_log_event(s, &ev);
		sess_finish(s, 421, "Too many failed logins from your "
			    "address, try again later.");
		return;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		sess_finish(s, 421, "Out of memory.");
		return;
	}
	a->s = s;
	a->srv = s->w->srv;
	a->asked_at = wk_now();
	a->answer_at = a->asked_at + (uint64_t)s->w->set->login_delay_ms;
	snprintf(a->addr, sizeof(a->addr), "%s", s->peer_text);
	a->client.addr = a->addr;
	a->client.port = s->peer_port;
	a->client.session_id = s->id;
	snprintf(a->login, sizeof(a->login), "%s", s->user);
	if (arg != NULL && strlen(arg) < sizeof(a->password))
		memcpy(a->password, arg, strlen(arg) + 1);
	else
		a->password[0] = '\0';	/* over-long: fails like a wrong one */
	if (arg != NULL)
		explicit_bzero(arg, strlen(arg));
	free(s->user);
	s->user = NULL;
	sess_submit(s, &a->job, auth_run, auth_done);
}

void cmd_quit(struct sess *s, char *arg)
{
	(void)arg;
	s->quitting = 1;
	sess_finish(s, 221, "Goodbye.");
}

void cmd_rein(struct sess *s, char *arg)
{
	(void)arg;
	sess_reply(s, 502, "REIN not implemented.");
}

void cmd_acct(struct sess *s, char *arg)
{
	(void)arg;
	sess_reply(s, 202, "ACCT not needed.");
}
