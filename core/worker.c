/*
 * Worker event loop: epoll (level-triggered), a binary heap of timers and
 * a message queue woken by an eventfd.  Sessions freed during a batch are
 * reaped after it, so an event later in the same batch never touches
 * freed memory (a closed ev has fd -1 and is skipped).
 */
#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "io.h"

#define WK_BATCH 256

uint64_t wk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Watch ev for events: added to the set, or changed when already in it. */
int wk_watch(struct worker *w, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	if (ev->watched)
		return wk_rewatch(w, ev, events);
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, ev->fd, &e) != 0)
		return -1;
	ev->events = events;
	ev->watched = 1;
	return 0;
}

/*
 * Sessions restate their interest after every command and reply, and it
 * rarely changes: an unchanged set costs no epoll_ctl (5 of the 9 calls
 * per small download were such no-ops).
 */
int wk_rewatch(struct worker *w, struct ev *ev, uint32_t events)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	if (ev->events == events)
		return 0;
	if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, ev->fd, &e) != 0)
		return -1;
	ev->events = events;
	return 0;
}

int wk_rearm(struct worker *w, struct ev *ev)
{
	struct epoll_event e = { .events = ev->events, .data.ptr = ev };

	return epoll_ctl(w->epfd, EPOLL_CTL_MOD, ev->fd, &e);
}

/*
 * Forget and close ev's fd; pending events for it in this batch are
 * skipped.  A descriptor that never met epoll costs no EPOLL_CTL_DEL.
 */
void wk_unwatch(struct worker *w, struct ev *ev)
{
	if (ev->fd < 0)
		return;
	if (ev->watched)
		(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	io_close(ev->fd);
	ev->fd = -1;
	ev->events = 0;
	ev->watched = 0;
}

/* Upload pipe ------------------------------------------------------------ */

/*
 * 256 KiB (the smallest slice) per splice; the default 64 KiB when not
 * allowed.  A 1 MiB pipe was faster on median but kept four times as many
 * of the sender's socket pages referenced, and one upload in six then
 * crawled at 400-700 MiB/s on the benchmark VM.
 */
#define WK_PIPE_SIZE (256 * 1024)

const int *wk_pipe(struct worker *w)
{
	int sz;

	if (w->pipe[0] >= 0)
		return w->pipe;
	if (pipe2(w->pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
		w->pipe[0] = w->pipe[1] = -1;
		return NULL;
	}
	sz = fcntl(w->pipe[1], F_SETPIPE_SZ, WK_PIPE_SIZE);
	if (sz < 0)
		sz = fcntl(w->pipe[1], F_GETPIPE_SZ);
	w->pipe_cap = sz > 0 ? (size_t)sz : 4096;
	return w->pipe;
}

void wk_pipe_drop(struct worker *w)
{
	io_close(w->pipe[0]);
	io_close(w->pipe[1]);
	w->pipe[0] = w->pipe[1] = -1;
}

/* Download pipes --------------------------------------------------------- */

int wk_dl_pipe(struct worker *w, int p[2])
{
	if (w->dl_pipes >= w->dl_pipes_max)
		return -1;
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0)
		return -1;
	if (fcntl(p[1], F_SETPIPE_SZ, WK_DL_PIPE_SIZE) < WK_DL_PIPE_SIZE) {
		io_close(p[0]);
		io_close(p[1]);
		return -1;
	}
	w->dl_pipes++;
	return 0;
}

void wk_dl_pipe_close(struct worker *w, int p[2])
{
	if (p[0] < 0)
		return;
	io_close(p[0]);
	io_close(p[1]);
	p[0] = p[1] = -1;
	w->dl_pipes--;
}

/* Timers ----------------------------------------------------------------- */

static void heap_swap(struct worker *w, size_t a, size_t b)
{
	struct tmr *t = w->heap[a];

	w->heap[a] = w->heap[b];
	w->heap[b] = t;
	w->heap[a]->slot = a + 1;
	w->heap[b]->slot = b + 1;
}

static void heap_up(struct worker *w, size_t i)
{
	while (i > 0 && w->heap[(i - 1) / 2]->at > w->heap[i]->at) {
		heap_swap(w, i, (i - 1) / 2);
		i = (i - 1) / 2;
	}
}

static void heap_down(struct worker *w, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < w->nheap && w->heap[l]->at < w->heap[m]->at)
			m = l;
		if (r < w->nheap && w->heap[r]->at < w->heap[m]->at)
			m = r;
		if (m == i)
			return;
		heap_swap(w, i, m);
		i = m;
	}
}

void wk_timer_cancel(struct worker *w, struct tmr *t)
{
	size_t i;

	if (t->slot == 0)
		return;
	i = t->slot - 1;
	t->slot = 0;
	w->nheap--;
	if (i == w->nheap)
		return;
	w->heap[i] = w->heap[w->nheap];
	w->heap[i]->slot = i + 1;
	heap_up(w, i);
	heap_down(w, i);
}

/* Arm (or re-arm) t to fire in ms; -1 only when the heap cannot grow. */
int wk_timer_set(struct worker *w, struct tmr *t, uint64_t ms)
{
	wk_timer_cancel(w, t);
	t->at = wk_now() + ms;
	if (w->nheap == w->capheap) {
		size_t cap = w->capheap ? w->capheap * 2 : 64;
		struct tmr **h = realloc(w->heap, cap * sizeof(*h));

		if (h == NULL)
			return -1;
		w->heap = h;
		w->capheap = cap;
	}
	w->heap[w->nheap] = t;
	t->slot = ++w->nheap;
	heap_up(w, w->nheap - 1);
	return 0;
}

static int next_timeout(struct worker *w)
{
	uint64_t now;

	if (w->nheap == 0)
		return -1;
	now = wk_now();
	if (w->heap[0]->at <= now)
		return 0;
	if (w->heap[0]->at - now > 60000)
		return 60000;
	return (int)(w->heap[0]->at - now);
}

static void run_timers(struct worker *w)
{
	uint64_t now = wk_now();
	int budget = 1024;	/* bounded per turn, so I/O is not starved */

	while (w->nheap > 0 && w->heap[0]->at <= now && budget-- > 0) {
		struct tmr *t = w->heap[0];

		wk_timer_cancel(w, t);
		t->fn(t);
	}
}

/* Messages --------------------------------------------------------------- */

void wk_post(struct worker *w, struct wk_msg *m)
{
	uint64_t one = 1;
	int was_empty;

	m->next = NULL;
	pthread_mutex_lock(&w->qlock);
	was_empty = w->qhead == NULL;
	if (w->qtail)
		w->qtail->next = m;
	else
		w->qhead = m;
	w->qtail = m;
	pthread_mutex_unlock(&w->qlock);
	/* eventfd write only fails when the counter would overflow: harmless */
	if (was_empty)
		(void)!write(w->wake.fd, &one, sizeof(one));
}

static void wake_ev(struct ev *ev, uint32_t events)
{
	struct worker *w = (struct worker *)((char *)ev - offsetof(struct worker, wake));
	struct wk_msg *m, *next;
	uint64_t n;

	(void)events;
	(void)!io_read(w->wake.fd, &n, sizeof(n));
	pthread_mutex_lock(&w->qlock);
	m = w->qhead;
	w->qhead = w->qtail = NULL;
	pthread_mutex_unlock(&w->qlock);
	for (; m != NULL; m = next) {
		next = m->next;
		m->fn(m);
	}
}

/* Loop ------------------------------------------------------------------- */

static void *wk_main(void *arg)
{
	struct worker *w = arg;
	struct epoll_event evs[WK_BATCH];

	while (w->running) {
		int n = epoll_wait(w->epfd, evs, WK_BATCH, next_timeout(w));

		if (n < 0 && errno != EINTR)
			break;
		w->nready = n;
		for (int i = 0; i < n; i++) {
			struct ev *ev = evs[i].data.ptr;

			if (ev->fd >= 0)
				ev->fn(ev, evs[i].events);
		}
		run_timers(w);
		if (w->after_batch != NULL)
			w->after_batch(w);
		if (w->draining && (w->idle == NULL || w->idle(w)))
			break;
	}
	atomic_store(&w->exited, 1);
	return NULL;
}

int wk_init(struct worker *w, int id, struct srv *srv)
{
	memset(w, 0, sizeof(*w));
	w->id = id;
	w->srv = srv;
	w->wake.fd = -1;
	w->pipe[0] = w->pipe[1] = -1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return -1;
	w->wake.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wake.fd < 0)
		goto fail;
	w->wake.fn = wake_ev;
	if (wk_watch(w, &w->wake, EPOLLIN) != 0)
		goto fail;
	w->scratch = malloc(WK_SCRATCH);
	if (w->scratch == NULL)
		goto fail;
	w->scratchlen = WK_SCRATCH;
	if (pthread_mutex_init(&w->qlock, NULL) != 0)
		goto fail;
	return 0;
fail:
	io_close(w->wake.fd);
	io_close(w->epfd);
	free(w->scratch);
	w->scratch = NULL;
	return -1;
}

int wk_start(struct worker *w)
{
	w->running = 1;
	if (pthread_create(&w->thread, NULL, wk_main, w) != 0) {
		w->running = 0;
		return -1;
	}
	return 0;
}

void wk_fini(struct worker *w)
{
	for (size_t i = 0; i < w->nlisten; i++)
		io_close(w->listen[i].ev.fd);
	free(w->listen);
	io_close(w->wake.fd);
	io_close(w->epfd);
	wk_pipe_drop(w);
	free(w->heap);
	free(w->scratch);
	pthread_mutex_destroy(&w->qlock);
}
