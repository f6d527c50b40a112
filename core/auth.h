/*
 * The auth provider chain, in modules.load order: the first OK or DENIED
 * ends it, DECLINED asks the next.  Runs on the blocking pool.
 */
#ifndef CORE_AUTH_H
#define CORE_AUTH_H

#include <stddef.h>

#include "modload.h"

int auth_chain(const struct mod_set *mods, const struct cf_client *client,
	       const char *login, const char *password,
	       struct cf_identity *out, char *why, size_t whylen);

/* Open (creating it if missing) the cell of an identity: an O_PATH fd. */
int auth_open_cell(int server_root_fd, const struct cf_identity *id,
		   uid_t uid, gid_t gid);

#endif
