/*
 * Listening sockets: one per (worker, listen address), bound with
 * SO_REUSEPORT before privileges are dropped, so port 21 works and the
 * kernel spreads new connections across workers.
 */
#ifndef CORE_LISTEN_H
#define CORE_LISTEN_H

#include "cfg.h"
#include "worker.h"

/*
 * Bind every listen address for every worker.  A port of 0 becomes the
 * port the first bind got, shared by all workers.  The chosen addresses
 * are written back into cfg->listen.  err names the address on failure.
 */
int listen_bind_all(struct cfg *cfg, struct worker *w, int nworkers,
		    char *err, size_t errlen);

/* "127.0.0.1:2121" / "[::1]:2121" for the bound address. */
void listen_text(const struct cfg_listen *l, char *out, size_t outlen);

#endif
