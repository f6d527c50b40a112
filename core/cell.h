/*
 * Opening a session's cell once its identity is known: the server root for
 * admins, else the provider's root or server_root/<login>.  May block on a
 * slow disk: runs on the blocking pool.
 */
#ifndef CORE_CELL_H
#define CORE_CELL_H

#include <sys/types.h>

#include "modules/module.h"

/* An O_PATH fd of the cell, creating server_root/<login> if missing. */
int cell_open(int server_root_fd, const struct cf_identity *id,
	      uid_t uid, gid_t gid);

#endif
