/*
 * The privileged helper: forked at start-up while cellftpd may still be
 * root, before any thread exists.  It keeps root only to run PAM and to
 * become users; each request gets a child of its own, so a slow or
 * failing PAM stack never holds up another login, and nothing of one
 * login's PAM state can leak into the next.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/pam/ap.h"
#include "vfs/fdpass.h"

#define AP_HELPER_FD 3

/* Nothing of the serving process stays open here but the request socket. */
static int ap_helper_fds(int sock)
{
	if (sock != AP_HELPER_FD && dup2(sock, AP_HELPER_FD) < 0)
		return -1;
	return close_range(AP_HELPER_FD + 1, ~0u, 0);
}

static void ap_helper_signals(void)
{
	sigset_t none;

	/* children are never waited for: the kernel reaps them */
	signal(SIGCHLD, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void ap_helper_main(const struct ap_conf *c) __attribute__((noreturn));

static void ap_helper_main(const struct ap_conf *c)
{
	struct ap_req req;
	int fd, r;
	pid_t pid;

	(void)prctl(PR_SET_NAME, "cellftpd-pam");
	(void)prctl(PR_SET_DUMPABLE, 0);
	ap_helper_signals();
	for (;;) {
		r = fdp_recv(AP_HELPER_FD, &req, sizeof(req), &fd);
		if (r == -ECONNRESET)
			_exit(0);	/* the server has gone */
		if (r == -EIO || (r == 0 && (fd < 0 || req.magic != AP_MAGIC))) {
			/* not a request: ignore it, as the sender will see */
			if (fd >= 0)
				close(fd);
			continue;
		}
		if (r != 0)
			_exit(1);
		pid = fork();
		if (pid == 0) {
			close(AP_HELPER_FD);
			ap_login_child(fd, &req, c);
		}
		/* a failed fork closes the reply socket: the asker sees why */
		explicit_bzero(&req, sizeof(req));
		close(fd);
	}
}

int ap_helper_start(const struct ap_conf *c, int *sock, pid_t *pid,
		    char *err, size_t errlen)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "auth_pam: socketpair: %s",
			 strerror(errno));
		return -1;
	}
	fflush(NULL);
	*pid = fork();
	if (*pid < 0) {
		snprintf(err, errlen, "auth_pam: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (*pid == 0) {
		if (ap_helper_fds(sv[1]) != 0)
			_exit(1);
		ap_helper_main(c);
	}
	close(sv[1]);
	*sock = sv[0];
	return 0;
}
