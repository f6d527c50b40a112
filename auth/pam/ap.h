/*
 * auth_pam.so: system users through PAM.  The serving process never holds
 * root, so PAM runs in a privileged helper forked at start-up; each login
 * gets a child of the helper that, once PAM says yes, becomes the user and
 * serves the session's files as the user (a file agent).
 */
#ifndef AUTH_PAM_AP_H
#define AUTH_PAM_AP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "modules/module.h"

struct passwd;

#define AP_NAME_MAX 64
#define AP_LIST_MAX 32
#define AP_PASS_MAX 512
#define AP_WHY_MAX 256

struct ap_conf {
	char service[AP_NAME_MAX];
	int cells_home;			/* 1: the passwd home; 0: root/<login> */
	char admin_group[AP_NAME_MAX];	/* "" = no admins through PAM */
	gid_t admin_gid;		/* resolved once, at parse */
	gid_t allow_gid[AP_LIST_MAX];	/* allow_groups; none = all */
	size_t nallow;
	char deny[AP_LIST_MAX][CF_LOGIN_MAX];	/* deny_users */
	size_t ndeny;
	char server_root[CF_PATH_MAX];
	int (*agent_serve)(int sock, int cell_fd);
};

/* The serving process asks the helper (with a reply socket attached). */
struct ap_req {
	uint32_t magic;
	char login[CF_LOGIN_MAX];
	char password[AP_PASS_MAX];
	char rhost[64];
};

#define AP_MAGIC 0x63667061u	/* "cfpa" */

/* A login child answers on the reply socket, then serves files on it. */
struct ap_resp {
	int32_t result;		/* enum cf_result */
	int32_t is_admin;
	int64_t uid, gid;
	uint32_t delay_ms;	/* PAM's failure delay, taken over */
	char why[AP_WHY_MAX];	/* for the auth log only */
};

/* settings.c */
int ap_conf_parse(const struct cf_host *host, const struct cf_config *cfg,
		  struct ap_conf *c, char *err, size_t errlen);
/*
 * The plugin's filters on system user pw, named login: root, deny_users,
 * allow_groups.  CF_OK with *admin (admin_group), else CF_DENIED and the
 * reason in why (may be NULL with whylen 0).  A user whose groups cannot
 * be listed is no admin, and allowed only when allow_groups is empty.
 */
int ap_filter(const struct ap_conf *c, const char *login,
	      const struct passwd *pw, int *admin, char *why, size_t whylen);
/* A login that can name a system user and a folder: no '/', no dot first. */
int ap_login_ok(const char *login);

/* helper.c: fork the helper; its end of the socket is *sock. */
int ap_helper_start(const struct ap_conf *c, int *sock, pid_t *pid,
		    char *err, size_t errlen);

/* login.c: one login in a child of the helper; never returns. */
void ap_login_child(int sock, struct ap_req *req, const struct ap_conf *c)
	__attribute__((noreturn));

/* pam.c: the PAM conversation, authenticate + acct_mgmt. */
int ap_pam_check(const struct ap_conf *c, const char *login,
		 const char *password, const char *rhost,
		 uint32_t *delay_ms, char *why, size_t whylen);

#endif
