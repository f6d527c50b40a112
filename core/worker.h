/*
 * A worker: one thread, one epoll loop, owning its sessions outright.
 * Other threads reach a worker only through its message queue (+ eventfd),
 * so session state needs no locks.
 */
#ifndef CORE_WORKER_H
#define CORE_WORKER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct srv;
struct sess;
struct settings;

/* Anything registered with epoll: the loop calls fn with the events. */
struct ev {
	int fd;
	void (*fn)(struct ev *ev, uint32_t events);
	uint32_t events;	/* as registered by wk_watch / wk_rewatch */
	int watched;		/* in the epoll set (wk_watch until wk_unwatch) */
};

/* A one-shot timer in the worker's heap, in monotonic milliseconds. */
struct tmr {
	uint64_t at;
	size_t slot;		/* heap index + 1; 0 = not armed */
	void (*fn)(struct tmr *t);
};

/* A listening socket of this worker (SO_REUSEPORT: one per worker). */
struct wk_listener {
	struct ev ev;
	struct worker *w;
	int implicit_tls;	/* implicit FTPS: TLS from the first byte */
	struct tmr pause;	/* out of descriptors: accept again later */
};

/* A message for a worker: embedded in whatever travels (jobs...). */
struct wk_msg {
	void (*fn)(struct wk_msg *m);
	struct wk_msg *next;
};

struct worker {
	int id;
	int epfd;
	struct ev wake;		/* eventfd: messages are waiting */
	pthread_t thread;
	struct srv *srv;
	struct settings *set;	/* this worker's view of the settings */

	pthread_mutex_t qlock;
	struct wk_msg *qhead, *qtail;

	struct tmr **heap;
	size_t nheap, capheap;

	struct wk_listener *listen;	/* SO_REUSEPORT: one set per worker */
	size_t nlisten;

	struct sess *sessions;	/* every session this worker owns */
	struct sess *dead;	/* closed in this batch, freed by sess_reap */
	size_t nsessions;
	int draining;		/* SIGTERM: no new sessions */
	int running;
	atomic_int exited;	/* read by main while it waits for the drain */

	/* Called after every batch of events (frees closed sessions). */
	void (*after_batch)(struct worker *w);
	/* Nothing left to serve: the loop may end once draining. */
	int (*idle)(const struct worker *w);

	int nready;		/* events in the batch being handled */

	char *scratch;		/* I/O buffer shared by this worker's sessions */
	size_t scratchlen;
	int pipe[2];		/* uploads splice through it; -1 until used */
	size_t pipe_cap;
	int dl_pipes;		/* large downloads' own pipes now open */
	int dl_pipes_max;	/* its share of WK_DL_PIPES_ALL; 0: none */
};

/* Scratch layout: control reads, line assembly, then transfer slices. */
#define WK_SCRATCH (288 * 1024)
#define WK_CTL_OFF 0
#define WK_CTL_LEN (16 * 1024)
#define WK_LINE_OFF (16 * 1024)
#define WK_XFER_OFF (32 * 1024)
#define WK_XFER_LEN (256 * 1024)

uint64_t wk_now(void);

int wk_init(struct worker *w, int id, struct srv *srv);
void wk_fini(struct worker *w);
int wk_start(struct worker *w);

int wk_watch(struct worker *w, struct ev *ev, uint32_t events);
int wk_rewatch(struct worker *w, struct ev *ev, uint32_t events);
void wk_unwatch(struct worker *w, struct ev *ev);
/* Arm an EPOLLONESHOT ev again (its events fired and were disabled). */
int wk_rearm(struct worker *w, struct ev *ev);

/*
 * The worker's pipe for splicing uploads, made on first use (NULL when it
 * cannot be); it is empty between slices.  wk_pipe_drop: bytes were left
 * in it (a failed write), so it is closed and made anew next time.
 */
const int *wk_pipe(struct worker *w);
void wk_pipe_drop(struct worker *w);

/*
 * Pipe pages count against the server user's pipe-user-pages-soft (16,384
 * pages, 64 MiB, on Debian): past it the kernel refuses to enlarge any of
 * that user's pipes, the uploads' included.  The downloads of the whole
 * server keep to WK_DL_PIPES_ALL pipes of 1 MiB, shared among the workers
 * (main grants each its dl_pipes_max); the others send with sendfile.
 */
#define WK_DL_PIPE_SIZE (1024 * 1024)
#define WK_DL_PIPES_ALL 16

/*
 * A large download's own pipe (file -> pipe -> socket; bytes may wait in
 * it between wake-ups): 0 with p set, or -1 when the worker holds its
 * share already or the kernel will not make one WK_DL_PIPE_SIZE big
 * (sendfile does better than a small one).  wk_dl_pipe_close gives it
 * back.
 */
int wk_dl_pipe(struct worker *w, int p[2]);
void wk_dl_pipe_close(struct worker *w, int p[2]);

int wk_timer_set(struct worker *w, struct tmr *t, uint64_t ms);
void wk_timer_cancel(struct worker *w, struct tmr *t);

/* From any thread: run m->fn on w's thread soon.  Never fails. */
void wk_post(struct worker *w, struct wk_msg *m);

#endif
