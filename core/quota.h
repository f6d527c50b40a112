/*
 * The core's side of quota: which ledger a path counts against, and the
 * provider chain (any provider's refusal vetoes a reservation).
 */
#ifndef CORE_QUOTA_H
#define CORE_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "modules/module.h"

struct sess;
struct srv;

/* Any quota provider loaded? */
int qt_active(const struct srv *srv);

/*
 * The login a path of this session counts against: the session's own
 * login, or for an admin the cell the path lies in ("/alice/x" -> alice;
 * nothing directly under "/").  NULL when none, and for a system user
 * served by a file agent: their files count against system quotas.
 */
const char *qt_owner(const struct sess *s, const char *vpath, char *buf,
		     size_t len);

/* May block: on the blocking pool only. */
void qt_open(const struct srv *srv, const struct cf_identity *who,
	     int cell_fd);
int qt_rescan(const struct srv *srv, const char *login, int cell_fd);

/* All or nothing across providers: CF_OK or CF_DENIED. */
int qt_reserve(const struct sess *s, int64_t bytes, int64_t files);
void qt_settle(const struct srv *srv, const char *login,
	       int64_t reserved_bytes, int64_t reserved_files,
	       int64_t delta_bytes, int64_t delta_files);
/* From the first provider that knows the login; -1 when none does. */
int qt_usage(const struct srv *srv, const char *login, uint64_t *bytes,
	     uint64_t *files);

/* A change made outside an upload (DELE, RNTO): settle it to the owner. */
void qt_path_change(struct sess *s, const char *vpath, int64_t bytes,
		    int64_t files);

/* A quota refusal: the QUOTA log event. */
void qt_log_refusal(struct sess *s, const char *verb, const char *vpath,
		    uint64_t bytes);

#endif
