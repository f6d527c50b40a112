/*
 * Data channel setup (see data.h).  Passive ports rotate through the
 * configured range; a passive connection from any address but the
 * client's is refused (RFC 2577), and active mode connects only back to
 * the client's own address on an unprivileged port.
 */
#include "data.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "dataaddr.h"
#include "io.h"
#include "sess.h"
#include "sess_tls.h"
#include "srv.h"
#include "xfer.h"

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))
#define PASV_ACCEPT_BATCH 8
/* how long a passive listener waits for its session's next PASV */
#define DATA_KEEP_MS 2000

static void set_port(struct sockaddr_storage *ss, unsigned port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons((uint16_t)port);
}

static socklen_t ss_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					: sizeof(struct sockaddr_in6);
}

static int is_pure_v6(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET6 &&
	       !IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)ss)->sin6_addr);
}

/* An IPv4-mapped IPv6 address as a plain IPv4 one (for active connects). */
static void unmap(const struct sockaddr_storage *in, struct sockaddr_storage *out)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)in;
	struct sockaddr_in *v4 = (struct sockaddr_in *)out;

	if (in->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		*out = *in;
		return;
	}
	memset(out, 0, sizeof(*out));
	v4->sin_family = AF_INET;
	v4->sin_port = in6->sin6_port;
	memcpy(&v4->sin_addr, &in6->sin6_addr.s6_addr[12], 4);
}

static void log_foreign(struct sess *s, const struct sockaddr_storage *from)
{
	struct cf_log_event ev = { .type = CF_EV_SERVER,
				   .action = "data-refused" };
	char host[INET6_ADDRSTRLEN];

	da_host_text(from, host, sizeof(host));
	ev.detail = host;
	sess_log_event(s, &ev);
}

/*
 * One connection per PASV: the listener is EPOLLONESHOT, so once the
 * client's connection is in, it stays quiet until the next PASV arms it.
 */
static void dlisten_ev(struct ev *ev, uint32_t events)
{
	struct sess *s = container_of(ev, struct sess, dlisten);

	(void)events;
	for (int i = 0; i < PASV_ACCEPT_BATCH; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = io_accept(s->dlisten.fd, (struct sockaddr *)&peer, &len);

		if (fd < 0)
			break;
		if (!da_same_host(&peer, &s->peer)) {
			log_foreign(s, &peer);
			io_close(fd);
			continue;
		}
		s->dconn.fd = fd;
		if (s->xfer != NULL)
			xfer_ready(s);
		return;
	}
	/* nothing of the client's yet: keep waiting for it */
	if (wk_rearm(s->w, &s->dlisten) != 0)
		wk_unwatch(s->w, &s->dlisten);
}

/* Drop the connection and the mode; the listener stays. */
static void conn_close(struct sess *s)
{
	sess_tls_data_close(s);	/* close_notify before the socket goes */
	wk_unwatch(s->w, &s->dconn);
	s->dmode = DM_NONE;
}

static void dlisten_keep_fire(struct tmr *t)
{
	struct sess *s = container_of(t, struct sess, dlisten_keep);

	wk_unwatch(s->w, &s->dlisten);
}

void data_init(struct sess *s)
{
	s->dlisten.fd = s->dconn.fd = -1;
	s->dlisten.fn = dlisten_ev;
	s->dlisten_keep.fn = dlisten_keep_fire;
}

/*
 * A listener on one passive port, or -errno.  SO_REUSEADDR lets a port
 * whose last transfer sits in TIME_WAIT be used again; a port still held
 * by a live connection fails at bind or at listen with EADDRINUSE.
 */
static int pasv_listen(struct sockaddr_storage *addr, unsigned port)
{
	int fd, err;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	set_port(addr, port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &(int){ 1 },
		       sizeof(int)) != 0 ||
	    bind(fd, (struct sockaddr *)addr, ss_len(addr)) != 0 ||
	    listen(fd, 1) != 0) {
		err = errno;
		io_close(fd);
		return -err;
	}
	return fd;
}

/*
 * Reuse the kept listener: whatever reached it since its last connection
 * was not asked for by this PASV and is turned away first, so only a
 * connection made after the 227 becomes the data connection.
 */
static int pasv_reuse(struct sess *s)
{
	for (int i = 0; i < PASV_ACCEPT_BATCH; i++) {
		int fd = io_accept(s->dlisten.fd, NULL, NULL);

		if (fd < 0)
			return errno == EAGAIN ? wk_rearm(s->w, &s->dlisten) : -1;
		io_close(fd);
	}
	return -1;
}

int data_pasv(struct sess *s, int is_epsv, unsigned *port)
{
	const struct settings *set = s->w->set;
	struct sockaddr_storage addr = s->local;
	unsigned n = (unsigned)(set->pasv_max - set->pasv_min + 1);
	unsigned start;
	int fd = -EADDRINUSE;

	if (!is_epsv && is_pure_v6(&s->local))
		return -EAFNOSUPPORT;
	conn_close(s);
	wk_timer_cancel(s->w, &s->dlisten_keep);
	if (s->dlisten.fd >= 0 && pasv_reuse(s) == 0) {
		*port = s->pasv_port;
		s->dmode = DM_PASV;
		return 0;
	}
	wk_unwatch(s->w, &s->dlisten);
	/* every port of the range at most once, starting where the last
	 * session left off so busy ports are skipped quickly */
	start = atomic_fetch_add(&s->w->srv->pasv_next, 1);
	for (unsigned i = 0; i < n && fd == -EADDRINUSE; i++) {
		*port = (unsigned)set->pasv_min + (start + i) % n;
		fd = pasv_listen(&addr, *port);
	}
	if (fd < 0)
		return fd;
	s->dlisten.fd = fd;
	if (wk_watch(s->w, &s->dlisten, EPOLLIN | EPOLLONESHOT) != 0) {
		io_close(fd);
		s->dlisten.fd = -1;
		return -EIO;
	}
	s->pasv_port = (uint16_t)*port;
	s->dmode = DM_PASV;
	return 0;
}

int data_port(struct sess *s, const struct sockaddr_storage *ss, socklen_t len)
{
	(void)len;
	if (!da_same_host(ss, &s->peer))
		return -EPERM;
	if (da_port(ss) < 1024)
		return -EACCES;
	data_close(s);
	unmap(ss, &s->port_addr);
	s->port_len = ss_len(&s->port_addr);
	s->dmode = DM_PORT;
	return 0;
}

static void connect_ev(struct ev *ev, uint32_t events)
{
	struct sess *s = container_of(ev, struct sess, dconn);
	int err = 0;
	socklen_t len = sizeof(err);

	(void)events;
	if (getsockopt(ev->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		err = errno;
	if (err == EINPROGRESS)
		return;
	if (err != 0) {
		xfer_fail(s, 425, "Failed to establish connection.");
		return;
	}
	xfer_ready(s);
}

/* Active mode: connect from the control connection's own address. */
static int port_connect(struct sess *s)
{
	struct sockaddr_storage src;
	int fd;

	unmap(&s->local, &src);
	fd = socket(s->port_addr.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (src.ss_family == s->port_addr.ss_family) {
		set_port(&src, 0);
		(void)bind(fd, (struct sockaddr *)&src, ss_len(&src));
	}
	s->dconn.fd = fd;
	if (connect(fd, (struct sockaddr *)&s->port_addr, s->port_len) == 0) {
		xfer_ready(s);
		return 0;
	}
	if (errno != EINPROGRESS)
		return -1;
	s->dconn.fn = connect_ev;
	if (wk_watch(s->w, &s->dconn, EPOLLOUT) != 0)
		return -1;
	return 0;
}

int data_open(struct sess *s)
{
	switch (s->dmode) {
	case DM_PASV:
		if (s->dconn.fd >= 0)
			xfer_ready(s);
		return 0;	/* else dlisten_ev calls xfer_ready */
	case DM_PORT:
		return port_connect(s);
	default:
		return -1;
	}
}

/*
 * A client that reads as soon as epoll says so (curl, lftp, cellftp-bench)
 * wakes for every short segment a partial sendfile leaves behind; corked,
 * it gets full ones: 13% more for one stream over loopback, side by side.
 * Failing to cork costs only that, so the result is ignored.
 */
void data_cork(struct sess *s)
{
	(void)setsockopt(s->dconn.fd, IPPROTO_TCP, TCP_CORK, &(int){ 1 },
			 sizeof(int));
}

/* The idle listener waits DATA_KEEP_MS for the next PASV, then goes. */
void data_end(struct sess *s)
{
	conn_close(s);
	if (s->dlisten.fd >= 0 &&
	    wk_timer_set(s->w, &s->dlisten_keep, DATA_KEEP_MS) != 0)
		wk_unwatch(s->w, &s->dlisten);
}

void data_close(struct sess *s)
{
	conn_close(s);
	wk_timer_cancel(s->w, &s->dlisten_keep);
	wk_unwatch(s->w, &s->dlisten);
}
