/*
 * SITE commands: account management from any FTP client (REGISTER before
 * login; PASSWD and QUOTA for everyone; USERS, USERADD, USERDEL, DISABLE,
 * ENABLE, WHO, KICK for admins).
 */
#ifndef CORE_SITE_H
#define CORE_SITE_H

#include <stddef.h>
#include <stdint.h>

#include "modules/module.h"

struct sess;

enum site_kind {
	SITE_REGISTER, SITE_USERADD, SITE_USERDEL, SITE_PASSWD,
	SITE_PASSWD_SELF, SITE_QUOTA_SET, SITE_QUOTA_SHOW, SITE_DISABLE,
	SITE_ENABLE, SITE_USERS, SITE_RESCAN,
	SITE_SESSIONS		/* WHO, KICK: only logged, never on the pool */
};

/* One parsed account operation, as it travels to the blocking pool. */
struct site_op {
	enum site_kind kind;
	const char *name;		/* "USERADD": static */
	char login[CF_LOGIN_MAX];
	char password[512];
	char old[512];			/* SITE PASSWD old new */
	uint64_t quota;
	int quota_default;
	int remove_cell;
	char shown[256];		/* the arguments, passwords masked */
};

/* Run op on the blocking pool, reply, log to the admin log, resume. */
void site_acct_start(struct sess *s, const struct site_op *op);

/* The admin log line of a SITE command (ADMIN event). */
void site_log(struct sess *s, const struct site_op *op, int code);

/*
 * The argument of a SITE command with its passwords replaced by "****",
 * for logs.  is_admin decides whether PASSWD's first word is a login.
 */
void site_mask(const char *arg, int is_admin, char *out, size_t outlen);

#endif
