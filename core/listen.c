/*
 * Binding the listeners (see listen.h).  IPv6 sockets are IPV6_V6ONLY so
 * "0.0.0.0:21" and "[::]:21" can both be listed, as in the sample config.
 */
#include "listen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "io.h"
#include "sess.h"

#define LISTEN_BACKLOG 1024

static int bind_one(struct cfg_listen *l, char *err, size_t errlen)
{
	int one = 1;
	int fd = socket(l->ss.ss_family,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) != 0)
		goto fail;
	if (l->ss.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) != 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&l->ss, l->len) != 0 ||
	    listen(fd, LISTEN_BACKLOG) != 0)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", l->text,
		 strerror(errno));
	io_close(fd);
	return -1;
}

/* After an ephemeral bind, make the other workers bind the same port. */
static void adopt_port(struct cfg_listen *l, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		l->ss = ss;
		l->len = len;
	}
}

int listen_bind_all(struct cfg *cfg, struct worker *w, int nworkers,
		    char *err, size_t errlen)
{
	for (int i = 0; i < nworkers; i++) {
		w[i].listen = calloc(cfg->nlisten, sizeof(*w[i].listen));
		if (w[i].listen == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (size_t j = 0; j < cfg->nlisten; j++) {
			int fd = bind_one(&cfg->listen[j], err, errlen);

			if (fd < 0)
				return -1;
			if (i == 0)
				adopt_port(&cfg->listen[j], fd);
			w[i].listen[j].ev.fd = fd;
			w[i].listen[j].ev.fn = sess_accept_ev;
			w[i].listen[j].w = &w[i];
			w[i].listen[j].implicit_tls = cfg->listen[j].implicit_tls;
			w[i].nlisten = j + 1;
		}
	}
	return 0;
}

void listen_text(const struct cfg_listen *l, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (l->ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&l->ss;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		port = ntohs(in->sin_port);
		snprintf(out, outlen, "%s:%u", host, port);
	} else {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&l->ss;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		port = ntohs(in6->sin6_port);
		snprintf(out, outlen, "[%s]:%u", host, port);
	}
}
