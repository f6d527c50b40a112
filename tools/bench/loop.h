/*
 * The bench's event loop: epoll over every socket, a periodic tick for
 * scenario timers, a deadline that ends any run, and the progress line.
 */
#ifndef BENCH_LOOP_H
#define BENCH_LOOP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct ev;
typedef void (*ev_fn)(struct ev *ev, uint32_t revents);

/* One watched descriptor; embedded in whatever owns the fd. */
struct ev {
	int fd;
	uint32_t events;		/* the interest now registered */
	ev_fn fn;
};

typedef void (*loop_fn)(void *arg);
typedef void (*loop_show_fn)(void *arg, char *line, size_t len);

struct loop {
	int epfd;
	int stop;			/* set by a callback: loop_run returns */
	const volatile sig_atomic_t *cancel;	/* non-zero: every run ends */
	long long now;			/* ns, refreshed every wake-up */
	long long deadline;		/* ns; loop_run returns when reached */
	long long tick_ns, next_tick;
	loop_fn tick;			/* called every tick_ns, may be NULL */
	void *arg;
	loop_show_fn show;		/* progress text, may be NULL */
	int progress;			/* draw it (stderr is a tty) */
	long long next_show;
	size_t shown;			/* width of the line on screen */
};

long long loop_clock(void);
int loop_init(struct loop *l, int progress);
void loop_fini(struct loop *l);
void ev_init(struct ev *ev, ev_fn fn);
/* Watch ev->fd for events (EPOLLIN / EPOLLOUT); 0 or -1 with errno. */
int ev_watch(struct loop *l, struct ev *ev, uint32_t events);
/* Stop watching and close ev->fd (no-op when closed). */
void ev_close(struct loop *l, struct ev *ev);
/* Run until stop is set (by a callback; the caller clears it before
 * starting the work), the deadline passes or *cancel is set: 0 stopped,
 * 1 deadline or cancelled, -1 epoll failed. */
int loop_run(struct loop *l);
/* Erase the progress line (before printing anything else). */
void loop_clear(struct loop *l);

#endif
