/*
 * Session lifecycle and the control connection: accept, greet, read and
 * frame commands, queue replies, timers per state, close and reap.
 * Command semantics live in cmd_*.c; data transfers in data.c / xfer.c.
 */
#include "sess.h"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cmd.h"
#include "data.h"
#include "dataaddr.h"
#include "io.h"
#include "reply.h"
#include "sess_tls.h"
#include "srv.h"
#include "tls_io.h"
#include "xfer.h"

#define SESS_OUT_MAX (256 * 1024)	/* a client that never reads is dropped */
#define SESS_IN_MAX (64 * 1024)		/* pipelined input held while busy */
#define SESS_LINGER_MS 5000
#define ACCEPT_BATCH 64
#define ACCEPT_PAUSE_MS 100	/* out of descriptors: listen again after */

#define container_of(p, T, m) ((T *)(void *)((char *)(p) - offsetof(T, m)))

static void ctl_ev(struct ev *ev, uint32_t events);
static void sess_timer_fire(struct tmr *t);
static void sess_events(struct sess *s);
static void sess_unadmit(struct srv *srv, const struct sockaddr_storage *peer,
			 int unauth);

/* Logging ------------------------------------------------------------- */

void sess_log_event(struct sess *s, struct cf_log_event *ev)
{
	ev->size = sizeof(*ev);
	clock_gettime(CLOCK_REALTIME, &ev->time);
	ev->session_id = s->id;
	ev->client_addr = s->peer_text;
	ev->client_port = s->peer_port;
	if (ev->login == NULL)
		ev->login = s->login;
	logq_emit(&s->w->srv->logq, ev);
}

void sess_log_file(struct sess *s, const char *action, const char *vpath,
		   const char *vpath2, int result)
{
	struct cf_log_event ev = {
		.type = CF_EV_FILE, .action = action, .path = vpath,
		.path2 = vpath2, .result = result,
	};

	sess_log_event(s, &ev);
}

/* Output -------------------------------------------------------------- */

static void flush_out(struct sess *s)
{
	while (s->out.len > 0) {
		ssize_t n = tls_or_send(s->tls, s->ctl.fd, s->out.p,
					s->out.len);

		if (n < 0) {
			if (errno != EAGAIN)
				sess_close(s, "write error");
			return;
		}
		buf_consume(&s->out, (size_t)n);
	}
	if (s->out.len == 0 && s->out.cap > 4096)
		buf_free(&s->out);	/* idle sessions keep no buffers */
	if (s->tls_start && !s->dead)
		sess_tls_begin(s);	/* the 234 went out in clear */
}

/* Send what the socket takes; wait for EPOLLOUT for the rest. */
static void flush_and_watch(struct sess *s)
{
	flush_out(s);
	if (!s->dead)
		sess_events(s);
}

void sess_reply_text(struct sess *s, int code, const char *text)
{
	if (s->dead || s->ctl.fd < 0)
		return;
	if (s->out.p == NULL)
		buf_init(&s->out, SESS_OUT_MAX);
	reply_format(&s->out, code, text);
	if (s->out.failed) {
		sess_close(s, "client does not read its replies");
		return;
	}
	if (s->cork)
		return;
	flush_and_watch(s);
}

void sess_cork(struct sess *s)
{
	s->cork = 1;
}

void sess_uncork(struct sess *s)
{
	if (!s->cork)
		return;
	s->cork = 0;
	if (s->dead || s->ctl.fd < 0 || s->out.len == 0)
		return;
	flush_and_watch(s);
}

void sess_reply(struct sess *s, int code, const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	sess_reply_text(s, code, text);
}

/* Epoll interest follows the state: read when taking commands, write when
 * replies are queued, always hear a hang-up. */
static void sess_events(struct sess *s)
{
	uint32_t want = EPOLLRDHUP;

	if (s->ctl.fd < 0)
		return;
	if (s->reading)
		want |= EPOLLIN;
	if (s->out.len > 0 && !s->cork)
		want |= EPOLLOUT;
	if (s->tls != NULL)
		want |= tls_conn_events(s->tls);
	if (wk_rewatch(s->w, &s->ctl, want) != 0)
		sess_close(s, "epoll");
}

/* Timers --------------------------------------------------------------- */

void sess_timer_state(struct sess *s)
{
	const struct settings *set = s->w->set;
	uint64_t ms;

	switch (s->state) {
	case SS_CMD:
		ms = 1000ull * (uint64_t)(s->logged_in ? set->idle_timeout
					  : set->login_timeout);
		break;
	case SS_DELAY:
		ms = (uint64_t)set->login_delay_ms;
		break;
	case SS_XFER:
		ms = 1000ull * (uint64_t)set->data_timeout;
		break;
	case SS_CLOSING:
		ms = SESS_LINGER_MS;
		break;
	default:
		wk_timer_cancel(s->w, &s->timer);
		return;
	}
	if (wk_timer_set(s->w, &s->timer, ms) != 0)
		sess_close(s, "out of memory");
}

static void sess_timer_fire(struct tmr *t)
{
	struct sess *s = container_of(t, struct sess, timer);

	switch (s->state) {
	case SS_CMD:
		sess_finish(s, 421, "Timeout: closing control connection.");
		break;
	case SS_DELAY:
		cmd_login_delay_done(s);
		break;
	case SS_XFER:
		xfer_timer(s);
		break;
	case SS_CLOSING:
		sess_close(s, "linger timeout");
		break;
	default:
		break;
	}
}

/* Input --------------------------------------------------------------- */

static int can_dispatch(const struct sess *s)
{
	if (s->dead || s->quitting)
		return 0;
	return s->state == SS_CMD || (s->state == SS_XFER && s->deferred == NULL);
}

/* Keep bytes we cannot act on yet; reading pauses until sess_resume. */
static void stash_input(struct sess *s, const char *p, size_t n)
{
	if (n == 0)
		return;
	if (s->in.p == NULL)
		buf_init(&s->in, SESS_IN_MAX);
	buf_append(&s->in, p, n);
	if (s->in.failed)
		sess_finish(s, 421, "Too many pipelined commands.");
}

static void process_bytes(struct sess *s, const char *data, size_t n)
{
	char *linebuf = s->w->scratch + WK_LINE_OFF;
	size_t pos = 0;

	while (pos < n && !s->dead) {
		char *line;
		size_t len;
		int r;

		if (!can_dispatch(s)) {
			stash_input(s, data + pos, n - pos);
			return;
		}
		r = proto_feed(&s->lines, data, n, &pos, linebuf, &line, &len);
		if (r == PROTO_NEED_MORE)
			return;
		if (r == PROTO_NOMEM) {
			sess_close(s, "out of memory");
			return;
		}
		if (r == PROTO_TOOLONG) {
			sess_reply(s, 500, "Command line too long.");
			continue;
		}
		cmd_dispatch(s, line, len);
		/* what followed AUTH TLS in clear is dropped, never run as
		 * if it had come through TLS (STARTTLS command injection) */
		if (s->tls_start || (s->tls != NULL && !s->tls->done))
			return;
	}
}

static void sess_read(struct sess *s)
{
	char *buf = s->w->scratch + WK_CTL_OFF;

	if (s->tls != NULL && sess_tls_step(s) <= 0) {
		if (!s->dead)
			sess_events(s);
		return;
	}
	for (int i = 0; i < 4 && s->reading && !s->dead; i++) {
		ssize_t n = tls_or_read(s->tls, s->ctl.fd, buf, WK_CTL_LEN);

		if (n == 0) {
			sess_close(s, "client closed");
			return;
		}
		if (n < 0) {
			if (errno != EAGAIN)
				sess_close(s, "read error");
			return;
		}
		process_bytes(s, buf, (size_t)n);
		if ((size_t)n < WK_CTL_LEN &&
		    (s->tls == NULL || !tls_conn_pending(s->tls)))
			break;
	}
	if (s->tls != NULL && !s->dead)
		sess_events(s);		/* a read may now wait for EPOLLOUT */
}

void sess_wait(struct sess *s, enum sess_state st)
{
	s->state = st;
	s->reading = 0;
	sess_timer_state(s);
	sess_events(s);
}

void sess_set_xfer(struct sess *s)
{
	s->state = SS_XFER;
	s->reading = s->deferred == NULL && s->in.len == 0;
	sess_timer_state(s);
	sess_events(s);
}

void sess_submit(struct sess *s, struct job *j, void (*run)(struct job *),
		 void (*done)(struct job *))
{
	j->owner = s->w;
	j->run = run;
	j->done = done;
	s->jobs++;
	sess_wait(s, SS_BUSY);
	pool_submit(&s->w->srv->pool, j);
}

/*
 * Back to commands: first the command deferred during a transfer, then any
 * input held while busy, then the socket again.
 */
void sess_resume(struct sess *s)
{
	if (s->dead || s->state == SS_CLOSING)
		return;
	s->state = SS_CMD;
	sess_timer_state(s);
	if (s->drain_close) {
		sess_finish(s, 421, "Server shutting down.");
		return;
	}
	if (s->deferred != NULL) {
		char *line = s->deferred;

		s->deferred = NULL;
		cmd_dispatch(s, line, strlen(line));
		free(line);
	}
	if (!s->dead && s->in.len > 0 && can_dispatch(s)) {
		struct buf held = s->in;

		memset(&s->in, 0, sizeof(s->in));
		process_bytes(s, held.p, held.len);
		buf_free(&held);
	}
	if (s->dead)
		return;
	s->reading = can_dispatch(s) && s->in.len == 0;
	sess_events(s);
}

static void ctl_ev(struct ev *ev, uint32_t events)
{
	struct sess *s = container_of(ev, struct sess, ctl);

	if (events & EPOLLERR) {
		sess_close(s, "connection error");
		return;
	}
	/* TLS: a read may wait for EPOLLOUT and a write for EPOLLIN */
	if (s->tls != NULL && (events & EPOLLOUT) &&
	    s->tls->rd_want == EPOLLOUT)
		events |= EPOLLIN;
	if (s->tls != NULL && (events & EPOLLIN) &&
	    s->tls->wr_want == EPOLLIN)
		events |= EPOLLOUT;
	if (events & EPOLLOUT) {
		flush_out(s);
		if (s->dead)
			return;
		if (s->out.len == 0 && s->state == SS_CLOSING) {
			sess_close(s, s->quitting ? "quit" : "closed by server");
			return;
		}
		sess_events(s);
	}
	if (events & EPOLLIN) {
		sess_read(s);
		return;
	}
	/* hang-up while not reading: nobody is left to answer */
	if (events & (EPOLLHUP | EPOLLRDHUP))
		sess_close(s, "client closed");
}

/* Lifecycle ----------------------------------------------------------- */

void sess_logout(struct sess *s)
{
	if (s->logged_in) {
		struct cf_log_event ev = { .type = CF_EV_LOGOUT };

		sess_log_event(s, &ev);
	}
	s->logged_in = 0;
	s->is_admin = 0;
	cell_release(&s->w->srv->cells, &s->cell_ref, &s->cell);
	free(s->login);
	free(s->cwd);
	free(s->rnfr);
	s->login = s->cwd = s->rnfr = NULL;
	s->rest = 0;
}

void sess_close(struct sess *s, const char *why)
{
	struct worker *w = s->w;
	struct cf_log_event ev = { .type = CF_EV_DISCONNECT };
	int unauth = !s->logged_in;	/* counted in srv->unauth until login */

	if (s->dead)
		return;
	if (s->xfer != NULL)
		xfer_abort(s, 0);
	data_close(s);
	wk_timer_cancel(w, &s->timer);
	/* dead first: a send failing in this last flush must not close the
	 * session again (flush_out -> sess_close -> flush_out ...) */
	s->dead = 1;
	if (s->out.len > 0)
		flush_out(s);		/* best effort: the final 421/221 */
	sess_tls_close(s);
	wk_unwatch(w, &s->ctl);

	ev.detail = why;
	ev.bytes_in = s->bytes_in;
	ev.bytes_out = s->bytes_out;
	ev.duration_ms = wk_now() - s->connected_ms;
	sess_log_event(s, &ev);
	sess_logout(s);
	sess_unadmit(w->srv, &s->peer, unauth);
	atomic_fetch_sub(&w->srv->live_sessions, 1);

	if (s->prev)
		s->prev->next = s->next;
	else
		w->sessions = s->next;
	if (s->next)
		s->next->prev = s->prev;
	w->nsessions--;
	s->dead_next = w->dead;
	w->dead = s;
}

void sess_finish(struct sess *s, int code, const char *text)
{
	if (s->dead)
		return;
	if (s->xfer != NULL)
		xfer_abort(s, 0);
	sess_reply_text(s, code, text);
	if (s->dead)
		return;
	s->state = SS_CLOSING;
	s->reading = 0;
	if (s->out.len == 0) {
		sess_close(s, code == 221 ? "quit" : text);
		return;
	}
	sess_timer_state(s);
	sess_events(s);
}

void sess_drain(struct sess *s)
{
	if (s->state == SS_XFER || s->state == SS_BUSY)
		s->drain_close = 1;
	else
		sess_finish(s, 421, "Server shutting down.");
}

static void sess_free(struct sess *s)
{
	proto_lines_free(&s->lines);
	buf_free(&s->in);
	buf_free(&s->out);
	free(s->deferred);
	free(s->user);
	free(s);
}

void sess_reap(struct worker *w)
{
	struct sess **pp = &w->dead;

	while (*pp != NULL) {
		struct sess *s = *pp;

		if (s->jobs > 0) {	/* a pool job still holds it */
			pp = &s->dead_next;
			continue;
		}
		*pp = s->dead_next;
		sess_free(s);
	}
}

int sess_none_left(const struct worker *w)
{
	return w->sessions == NULL && w->dead == NULL;
}

/* Accept -------------------------------------------------------------- */

static void refuse(int fd, const char *line)
{
	(void)!io_send(fd, line, strlen(line));
	io_close(fd);
}

static void log_refusal(struct worker *w, const struct sockaddr_storage *ss,
			const char *why)
{
	struct cf_log_event ev = { .size = sizeof(ev), .type = CF_EV_REFUSED,
				   .result = 421 };
	char host[INET6_ADDRSTRLEN];

	da_host_text(ss, host, sizeof(host));
	clock_gettime(CLOCK_REALTIME, &ev.time);
	ev.client_addr = host;
	ev.client_port = (uint16_t)da_port(ss);
	ev.detail = why;
	logq_emit(&w->srv->logq, &ev);
}

static void sess_setsockopts(int fd)
{
	int one = 1;

	/* Telnet Synch (the DM byte of ABOR) stays in line with the command */
	(void)setsockopt(fd, SOL_SOCKET, SO_OOBINLINE, &one, sizeof(one));
	(void)setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void sess_start(struct worker *w, int fd,
		       const struct sockaddr_storage *peer, int implicit_tls)
{
	struct srv *srv = w->srv;
	struct cf_log_event ev = { .type = CF_EV_CONNECT };
	socklen_t len = sizeof(struct sockaddr_storage);
	struct sess *s = calloc(1, sizeof(*s));

	if (s == NULL) {
		sess_unadmit(srv, peer, 1);
		refuse(fd, "421 Out of memory.\r\n");
		return;
	}
	s->w = w;
	s->ctl.fd = fd;
	s->ctl.fn = ctl_ev;
	data_init(s);
	s->cell = VFS_CELL_NONE;
	s->timer.fn = sess_timer_fire;
	s->id = atomic_fetch_add(&srv->next_sid, 1) + 1;
	s->peer = *peer;
	s->connected = time(NULL);
	s->connected_ms = wk_now();
	s->last_cmd_ms = wk_now();
	da_host_text(peer, s->peer_text, sizeof(s->peer_text));
	s->peer_port = (uint16_t)da_port(peer);
	if (getsockname(fd, (struct sockaddr *)&s->local, &len) != 0 ||
	    wk_watch(w, &s->ctl, EPOLLIN | EPOLLRDHUP) != 0) {
		sess_unadmit(srv, peer, 1);
		refuse(fd, "421 Service not available.\r\n");
		free(s);
		return;
	}
	sess_setsockopts(fd);
	atomic_fetch_add(&srv->live_sessions, 1);
	s->next = w->sessions;
	if (w->sessions)
		w->sessions->prev = s;
	w->sessions = s;
	w->nsessions++;
	s->reading = 1;
	s->state = SS_CMD;
	sess_log_event(s, &ev);
	s->implicit_tls = implicit_tls != 0;
	if (implicit_tls)
		sess_tls_begin(s);	/* the 220 follows the handshake */
	else
		sess_reply_text(s, 220, w->set->banner);
	if (!s->dead)
		sess_timer_state(s);
}

/*
 * Who may connect: not a banned address, and within the limits on
 * sessions in total, per address, and not yet logged in per address (so
 * idle half-open connections cannot hold every place an address has).
 * 0 admitted (counted in srv->limits and srv->unauth), -1 refused.
 */
static int sess_admit(struct worker *w, int fd,
		      const struct sockaddr_storage *peer)
{
	const struct settings *set = w->set;
	struct srv *srv = w->srv;

	if (ban_left(&srv->ban, peer, wk_now()) > 0) {
		log_refusal(w, peer, "banned");
		refuse(fd, "421 Too many failed logins from your address, "
		       "try again later.\r\n");
		return -1;
	}
	switch (limits_enter(&srv->limits, peer, (size_t)set->max_sessions,
			     (size_t)set->max_sessions_per_ip)) {
	case LIMITS_FULL:
		log_refusal(w, peer, "max_sessions");
		refuse(fd, "421 Too many users, try again later.\r\n");
		return -1;
	case LIMITS_PER_IP:
		log_refusal(w, peer, "max_sessions_per_ip");
		refuse(fd, "421 Too many connections from your address.\r\n");
		return -1;
	case LIMITS_OK:
		break;
	}
	if (limits_enter(&srv->unauth, peer, SIZE_MAX,
			 (size_t)set->max_unauth_per_ip) != LIMITS_OK) {
		limits_leave(&srv->limits, peer);
		log_refusal(w, peer, "max_unauth_per_ip");
		refuse(fd, "421 Too many connections not logged in from your "
		       "address.\r\n");
		return -1;
	}
	return 0;
}

/* Give back what sess_admit counted (unauth: not logged in any more). */
static void sess_unadmit(struct srv *srv, const struct sockaddr_storage *peer,
			 int unauth)
{
	if (unauth)
		limits_leave(&srv->unauth, peer);
	limits_leave(&srv->limits, peer);
}

static void accept_resume(struct tmr *t)
{
	struct wk_listener *l = container_of(t, struct wk_listener, pause);

	if (wk_rewatch(l->w, &l->ev, EPOLLIN) != 0 &&
	    wk_timer_set(l->w, &l->pause, ACCEPT_PAUSE_MS) != 0)
		srv_log(CF_LOG_ERR, "accept: cannot listen again: %s",
			strerror(errno));
}

/*
 * Out of descriptors, the pending connection stays queued and the
 * listener stays readable: without a pause the worker would spin on it
 * (and log each time).  A session that ends frees a descriptor; until
 * then, others get their turn.
 */
static void accept_pause(struct wk_listener *l, int err)
{
	if (l->pause.slot != 0)
		return;
	l->pause.fn = accept_resume;
	if (wk_rewatch(l->w, &l->ev, 0) != 0 ||
	    wk_timer_set(l->w, &l->pause, ACCEPT_PAUSE_MS) != 0)
		return;
	srv_log(CF_LOG_WARN, "accept: %s: new connections wait %d ms",
		strerror(err), ACCEPT_PAUSE_MS);
}

void sess_accept_ev(struct ev *ev, uint32_t events)
{
	struct wk_listener *l = container_of(ev, struct wk_listener, ev);
	struct worker *w = l->w;

	(void)events;
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage peer;
		socklen_t len = sizeof(peer);
		int fd = io_accept(ev->fd, (struct sockaddr *)&peer, &len);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM)
				accept_pause(l, errno);
			return;
		}
		if (w->draining) {
			refuse(fd, "421 Server shutting down.\r\n");
			continue;
		}
		if (sess_admit(w, fd, &peer) == 0)
			sess_start(w, fd, &peer, l->implicit_tls);
	}
}
