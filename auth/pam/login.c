/*
 * One login, in a child of the privileged helper.  It checks the request
 * as if a stranger sent it, applies the plugin's filters, asks PAM, and on
 * success gives up root for good: it becomes the user and serves the
 * session's files as the user until the session ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/pam/ap.h"
#include "vfs/fdpass.h"

/* Every string NUL-terminated inside its field, and a usable login. */
static int ap_req_ok(const struct ap_req *q)
{
	return memchr(q->login, '\0', sizeof(q->login)) != NULL &&
	       memchr(q->password, '\0', sizeof(q->password)) != NULL &&
	       memchr(q->rhost, '\0', sizeof(q->rhost)) != NULL &&
	       ap_login_ok(q->login);
}

/* root/<login>, made for the user on first login. */
static int ap_root_cell(const struct ap_conf *c, const struct passwd *pw,
			char *why, size_t whylen)
{
	int rfd, fd, rc = -1;

	rfd = open(c->server_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		goto fail;
	if (mkdirat(rfd, pw->pw_name, 0700) == 0) {
		fd = openat(rfd, pw->pw_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 || (geteuid() == 0 &&
			       fchown(fd, pw->pw_uid, pw->pw_gid) != 0)) {
			if (fd >= 0)
				close(fd);
			goto fail;
		}
		close(fd);
	} else if (errno != EEXIST) {
		goto fail;
	}
	rc = 0;
	goto out;
fail:
	snprintf(why, whylen, "cannot make the cell of %s: %s", pw->pw_name,
		 strerror(errno));
out:
	if (rfd >= 0)
		close(rfd);
	return rc;
}

/* Become the user for good; a process that is not root stays itself. */
static int ap_become(const struct passwd *pw, char *why, size_t whylen)
{
	if (geteuid() != 0)
		return 0;
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		snprintf(why, whylen, "cannot switch to %s: %s", pw->pw_name,
			 strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		snprintf(why, whylen, "root could not be dropped");
		return -1;
	}
	/* no ptrace, no core: this memory began as the server's */
	(void)prctl(PR_SET_DUMPABLE, 0);
	return 0;
}

/* The cell, opened with the user's own rights: a home they cannot enter
 * is refused here, not on the first command. */
static int ap_open_cell(const struct ap_conf *c, const struct passwd *pw,
			char *why, size_t whylen)
{
	char path[CF_PATH_MAX + CF_LOGIN_MAX + 1];
	int fd;

	if (c->cells_home)
		snprintf(path, sizeof(path), "%s", pw->pw_dir);
	else
		snprintf(path, sizeof(path), "%s/%s", c->server_root,
			 pw->pw_name);
	fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || faccessat(fd, ".", X_OK, 0) != 0) {
		snprintf(why, whylen, "cannot open the cell of %s: %s",
			 pw->pw_name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * The filters, then PAM: PAM is never asked for a user the plugin would
 * refuse anyway.  *pw is the user's passwd entry.
 */
static int ap_decide(const struct ap_conf *c, struct ap_req *q,
		     struct passwd *pw, struct ap_resp *r)
{
	int admin, res;

	res = ap_filter(c, q->login, pw, &admin, r->why, sizeof(r->why));
	if (res == CF_OK)
		res = ap_pam_check(c, q->login, q->password, q->rhost,
				   &r->delay_ms, r->why, sizeof(r->why));
	if (res != CF_OK)
		return res;
	r->is_admin = admin;
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	return CF_OK;
}

void ap_login_child(int sock, struct ap_req *q, const struct ap_conf *c)
{
	struct ap_resp r;
	struct passwd pwbuf, *pw = NULL;
	char text[4096];
	int cell = -1;

	(void)prctl(PR_SET_NAME, "cellftpd-login");
	memset(&r, 0, sizeof(r));
	r.result = CF_DECLINED;
	if (!ap_req_ok(q))
		snprintf(r.why, sizeof(r.why), "not a system login name");
	else if (getpwnam_r(q->login, &pwbuf, text, sizeof(text), &pw) != 0 ||
		 pw == NULL)
		snprintf(r.why, sizeof(r.why), "no such system user");
	else
		r.result = ap_decide(c, q, pw, &r);
	explicit_bzero(q->password, sizeof(q->password));
	/* an admin's cell is the server root, which the core serves itself */
	if (r.result == CF_OK && !r.is_admin &&
	    ((!c->cells_home && ap_root_cell(c, pw, r.why, sizeof(r.why)) != 0) ||
	     ap_become(pw, r.why, sizeof(r.why)) != 0 ||
	     (cell = ap_open_cell(c, pw, r.why, sizeof(r.why))) < 0))
		r.result = CF_ERROR;
	if (cell >= 0)	/* named before the 230, for whoever looks next */
		(void)prctl(PR_SET_NAME, "cellftpd-agent");
	if (fdp_send(sock, &r, sizeof(r), -1) != 0 || r.result != CF_OK ||
	    r.is_admin)
		_exit(0);
	umask(022);	/* what a login shell gives: the same files either way */
	_exit(c->agent_serve(sock, cell) == 0 ? 0 : 1);
}
