/*
 * The epoll loop (see loop.h).  Level-triggered on purpose: a socket that
 * stays readable is served once per wake-up, in turn with the others, so
 * the client itself never favours one stream over another.
 */
#include "loop.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define LOOP_EVENTS	512
#define LOOP_SHOW_NS	250000000LL

long long loop_clock(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int loop_init(struct loop *l, int progress)
{
	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -1;
	l->progress = progress;
	l->now = loop_clock();
	return 0;
}

void loop_fini(struct loop *l)
{
	loop_clear(l);
	if (l->epfd >= 0)
		(void)close(l->epfd);
	l->epfd = -1;
}

void ev_init(struct ev *ev, ev_fn fn)
{
	ev->fd = -1;
	ev->events = 0;
	ev->fn = fn;
}

int ev_watch(struct loop *l, struct ev *ev, uint32_t events)
{
	struct epoll_event e;
	int op;

	if (ev->events == events)
		return 0;
	memset(&e, 0, sizeof(e));
	e.events = events;
	e.data.ptr = ev;
	op = ev->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
	if (events == 0)
		op = EPOLL_CTL_DEL;
	if (epoll_ctl(l->epfd, op, ev->fd, &e) != 0)
		return -1;
	ev->events = events;
	return 0;
}

void ev_close(struct loop *l, struct ev *ev)
{
	if (ev->fd < 0)
		return;
	/* Explicit: a forked child could keep the file open, and with it
	 * the registration. */
	if (ev->events != 0)
		(void)epoll_ctl(l->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	(void)close(ev->fd);
	ev->fd = -1;
	ev->events = 0;
}

void loop_clear(struct loop *l)
{
	if (l->shown == 0)
		return;
	fprintf(stderr, "\r%*s\r", (int)l->shown, "");
	fflush(stderr);
	l->shown = 0;
}

static void loop_draw(struct loop *l)
{
	char line[160];
	size_t n;

	if (!l->progress || l->show == NULL || l->now < l->next_show)
		return;
	l->next_show = l->now + LOOP_SHOW_NS;
	line[0] = '\0';
	l->show(l->arg, line, sizeof(line));
	n = strlen(line);
	fprintf(stderr, "\r%s%*s", line,
		l->shown > n ? (int)(l->shown - n) : 0, "");
	fflush(stderr);
	l->shown = n;
}

/* Milliseconds epoll may sleep: until the next tick, drawing or the end. */
static int loop_wait_ms(const struct loop *l)
{
	long long next = l->deadline;

	if (l->tick != NULL && l->next_tick < next)
		next = l->next_tick;
	if (l->progress && l->show != NULL && l->next_show < next)
		next = l->next_show;
	if (next <= l->now)
		return 0;
	next = (next - l->now + 999999) / 1000000;
	return next > 1000 ? 1000 : (int)next;
}

static void loop_timers(struct loop *l)
{
	if (l->tick != NULL && l->now >= l->next_tick) {
		l->next_tick = l->now + l->tick_ns;
		l->tick(l->arg);
	}
	loop_draw(l);
}

int loop_run(struct loop *l)
{
	struct epoll_event evs[LOOP_EVENTS];
	struct ev *ev;
	int i, n;

	l->now = loop_clock();
	l->next_tick = l->now + l->tick_ns;
	while (!l->stop) {
		if (l->now >= l->deadline ||
		    (l->cancel != NULL && *l->cancel))
			return 1;
		n = epoll_wait(l->epfd, evs, LOOP_EVENTS, loop_wait_ms(l));
		if (n < 0 && errno != EINTR)
			return -1;
		l->now = loop_clock();
		for (i = 0; i < n && !l->stop; i++) {
			ev = evs[i].data.ptr;
			/* An earlier callback may have closed this one. */
			if (ev->fd >= 0 && ev->events != 0)
				ev->fn(ev, evs[i].events);
		}
		loop_timers(l);
	}
	return 0;
}
