/*
 * Connection limits shared by all workers: the total number of sessions and
 * the number per client address.  A small open-addressing table under one
 * mutex; taken once at connect and once at close.
 */
#ifndef CORE_CONNLIMIT_H
#define CORE_CONNLIMIT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct limits_slot {
	uint8_t addr[16];	/* IPv4 as IPv4-mapped IPv6 */
	uint32_t count;		/* 0 = free */
};

struct limits {
	pthread_mutex_t lock;
	struct limits_slot *slots;
	size_t nslots;		/* power of two */
	size_t total;
};

enum limits_verdict { LIMITS_OK, LIMITS_FULL, LIMITS_PER_IP };

int limits_init(struct limits *l, size_t max_sessions);
void limits_fini(struct limits *l);
/* Count a new session from addr, or refuse it. */
enum limits_verdict limits_enter(struct limits *l,
				 const struct sockaddr_storage *addr,
				 size_t max_total, size_t max_per_ip);
void limits_leave(struct limits *l, const struct sockaddr_storage *addr);

#endif
