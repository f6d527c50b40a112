/*
 * Broadcasts to every worker's sessions: WHO gathers a line per session,
 * KICK closes the sessions of an id or a login, QUOTA updates the limit
 * live sessions of a login see.  A worker touches only its own sessions;
 * the answer comes back to the asking session's worker.
 */
#ifndef CORE_BCAST_H
#define CORE_BCAST_H

#include <stdint.h>

#include "modules/module.h"

struct sess;
struct srv;

enum bcast_kind { BC_WHO, BC_KICK, BC_QUOTA };

struct bcast_req {
	enum bcast_kind kind;
	uint64_t sid;			/* KICK: this session; 0 = by login */
	char login[CF_LOGIN_MAX];	/* KICK / QUOTA: sessions of this login */
	uint64_t except_sid;		/* the asking session is never kicked */
	char reason[128];		/* KICK: text of the 421 */
	uint64_t quota_bytes;		/* QUOTA: the new limit */
};

/* Send to every worker; nobody waits for the result.  0 when sent. */
int bcast_send(struct srv *srv, const struct bcast_req *req);

/*
 * Send and wait: s stops reading until every worker answered, then
 * done(s, text, count) runs on s's worker (text: WHO lines, count: the
 * sessions matched, req: what was asked).  0 when sent.
 */
int bcast_ask(struct sess *s, const struct bcast_req *req,
	      void (*done)(struct sess *s, const struct bcast_req *req,
			   const char *text, int count));

#endif
