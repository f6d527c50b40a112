/*
 * Failed logins per client address, shared by all workers: enough of them
 * within a window bans the address for a while.  A bounded table under one
 * mutex; when it is full the stalest entry makes room.
 */
#ifndef CORE_BAN_H
#define CORE_BAN_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/*
 * Failures are counted in BAN_SLICES slices of the window plus the one
 * in progress, so every run of `failures` within `window_ms` bans, and
 * failures up to window_ms * (1 + 1/BAN_SLICES) apart may count together.
 */
#define BAN_SLICES 10

struct ban_rule {
	unsigned failures;	/* that many ban; 0 = never */
	uint64_t window_ms;	/* ... within this long */
	uint64_t ban_ms;	/* for this long */
};

struct ban_slot {
	uint8_t addr[16];	/* IPv4 mapped; IPv6 cut to its /64 */
	uint8_t used;
	uint16_t count[BAN_SLICES + 1];	/* failures per slice, a ring */
	uint64_t slice_ms;	/* slice length the counts were made with */
	uint64_t newest;	/* number of the newest slice (ms / slice_ms) */
	uint64_t until;		/* banned before this time (ms) */
	uint64_t touched;	/* last failure (ms), for eviction */
};

struct ban {
	pthread_mutex_t lock;
	struct ban_slot *slots;
	size_t nslots;		/* power of two */
	size_t n, max;		/* entries used, at most nslots / 2 */
	uint64_t seed;		/* keys the hash */
};

/* A table tracking at most `max_addrs` addresses (at least 1). */
int ban_init(struct ban *b, size_t max_addrs);
void ban_fini(struct ban *b);

/* Milliseconds addr stays banned after now_ms; 0 when it is not banned. */
uint64_t ban_left(struct ban *b, const struct sockaddr_storage *addr,
		  uint64_t now_ms);

/*
 * Count a failed login from addr at now_ms.  Returns 1 when this failure
 * bans the address (once per ban), else 0.  Failures of an address
 * already banned are not counted.
 */
int ban_fail(struct ban *b, const struct sockaddr_storage *addr,
	     uint64_t now_ms, const struct ban_rule *rule);

#endif
