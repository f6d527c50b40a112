/*
 * auth_pam settings (service, cells, admin_group, allow_groups,
 * deny_users) and the filters they make, shared by the serving process
 * and the helper.
 */
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/pam/ap.h"

static int ap_bad(const struct cf_host *host, const struct cf_config *cfg,
		  const char *key, const char *what, char *err, size_t errlen)
{
	char where[256];

	snprintf(err, errlen, "%s: auth_pam: %s %s",
		 host->cfg_where(cfg, key, where, sizeof(where)), key, what);
	return -1;
}

static int ap_str(const struct cf_host *host, const struct cf_config *cfg,
		  const char *key, const char *def, char *out, size_t len,
		  char *err, size_t errlen)
{
	const char *v = def;
	int r = host->cfg_str(cfg, key, &v);

	if (r < 0)
		return ap_bad(host, cfg, key, "must be a string", err, errlen);
	if (strlen(v) >= len)
		return ap_bad(host, cfg, key, "is too long", err, errlen);
	snprintf(out, len, "%s", v);
	return 0;
}

/*
 * A group that must exist now (a typo would otherwise lock everyone out),
 * resolved to its gid once: logins then compare numbers.
 */
static int ap_group_gid(const struct cf_host *host,
			const struct cf_config *cfg, const char *key,
			const char *name, gid_t *gid, char *err, size_t errlen)
{
	const struct group *g = getgrnam(name);
	char what[128];

	if (g != NULL) {
		*gid = g->gr_gid;
		return 0;
	}
	snprintf(what, sizeof(what), "names no such group '%s'", name);
	return ap_bad(host, cfg, key, what, err, errlen);
}

/* A list of names, kept in out, or each a group resolved into gids[i]. */
static int ap_list(const struct cf_host *host, const struct cf_config *cfg,
		   const char *key, char (*out)[AP_NAME_MAX], size_t width,
		   size_t *n, gid_t *gids, char *err, size_t errlen)
{
	const char *v[AP_LIST_MAX + 1];
	size_t got = 0;
	int r = host->cfg_strv(cfg, key, v, AP_LIST_MAX + 1, &got);

	*n = 0;
	if (r == 1)
		return 0;
	if (r < 0)
		return ap_bad(host, cfg, key, "must be a list of strings",
			      err, errlen);
	if (got > AP_LIST_MAX)
		return ap_bad(host, cfg, key, "has too many names", err, errlen);
	for (size_t i = 0; i < got; i++) {
		if (v[i][0] == '\0' || strlen(v[i]) >= width)
			return ap_bad(host, cfg, key, "has an empty or too long "
				      "name", err, errlen);
		if (gids != NULL && ap_group_gid(host, cfg, key, v[i],
						 &gids[i], err, errlen) != 0)
			return -1;
		if (out != NULL)
			snprintf(out[i], width, "%s", v[i]);
	}
	*n = got;
	return 0;
}

int ap_conf_parse(const struct cf_host *host, const struct cf_config *cfg,
		  struct ap_conf *c, char *err, size_t errlen)
{
	static const char *const known[] = {
		"service", "cells", "admin_group", "allow_groups", "deny_users",
		NULL
	};
	char cells[16];

	memset(c, 0, sizeof(*c));
	if (host->size < sizeof(*host) || host->cfg_strv == NULL ||
	    host->agent_serve == NULL) {
		snprintf(err, errlen, "auth_pam: needs cellftpd with plugin "
			 "ABI 1.1 or newer");
		return -1;
	}
	if (host->cfg_check_keys(cfg, known, err, errlen) != 0 ||
	    ap_str(host, cfg, "service", "cellftpd", c->service,
		   sizeof(c->service), err, errlen) != 0 ||
	    ap_str(host, cfg, "cells", "home", cells, sizeof(cells), err,
		   errlen) != 0 ||
	    ap_str(host, cfg, "admin_group", "", c->admin_group,
		   sizeof(c->admin_group), err, errlen) != 0)
		return -1;
	if (c->service[0] == '\0' || strchr(c->service, '/') != NULL)
		return ap_bad(host, cfg, "service", "must be a PAM service name",
			      err, errlen);
	if (strcmp(cells, "home") != 0 && strcmp(cells, "root") != 0)
		return ap_bad(host, cfg, "cells", "must be \"home\" or \"root\"",
			      err, errlen);
	c->cells_home = strcmp(cells, "home") == 0;
	if (c->admin_group[0] != '\0' &&
	    ap_group_gid(host, cfg, "admin_group", c->admin_group,
			 &c->admin_gid, err, errlen) != 0)
		return -1;
	if (ap_list(host, cfg, "allow_groups", NULL, AP_NAME_MAX,
		    &c->nallow, c->allow_gid, err, errlen) != 0 ||
	    ap_list(host, cfg, "deny_users", c->deny, CF_LOGIN_MAX,
		    &c->ndeny, NULL, err, errlen) != 0)
		return -1;
	snprintf(c->server_root, sizeof(c->server_root), "%s",
		 host->server_root);
	c->agent_serve = host->agent_serve;
	return 0;
}

int ap_login_ok(const char *login)
{
	size_t n = strlen(login);

	return n > 0 && n < CF_LOGIN_MAX && login[0] != '.' &&
	       login[0] != '-' && strchr(login, '/') == NULL;
}

static int ap_denied(const struct ap_conf *c, const char *login)
{
	for (size_t i = 0; i < c->ndeny; i++)
		if (strcmp(c->deny[i], login) == 0)
			return 1;
	return 0;
}

/*
 * The user's groups; the list grows until getgrouplist has room.  Past
 * NGROUPS_MAX, the most a process can hold (initgroups keeps no more),
 * the user is taken to be in none.
 */
static gid_t *ap_groups_of(const char *login, gid_t gid, int *n)
{
	int cap = 64;

	for (;;) {
		gid_t *v = malloc((size_t)cap * sizeof(*v));
		int got = cap;

		if (v == NULL)
			return NULL;
		if (getgrouplist(login, gid, v, &got) >= 0) {
			*n = got;
			return v;
		}
		free(v);
		if (got <= cap || got > NGROUPS_MAX)
			return NULL;
		cap = got;
	}
}

static int ap_has(const gid_t *v, int n, gid_t want)
{
	for (int i = 0; i < n; i++)
		if (v[i] == want)
			return 1;
	return 0;
}

/*
 * Whether the user (primary group gid) may log in (allow_groups) and is
 * an admin (admin_group), from one look at its groups.
 */
static void ap_groups_check(const struct ap_conf *c, const char *login,
			    gid_t gid, int *allowed, int *admin)
{
	int n = 0;
	gid_t *v;

	*allowed = c->nallow == 0;
	*admin = 0;
	if (c->nallow == 0 && c->admin_group[0] == '\0')
		return;
	if ((v = ap_groups_of(login, gid, &n)) == NULL)
		return;
	for (size_t i = 0; i < c->nallow && !*allowed; i++)
		*allowed = ap_has(v, n, c->allow_gid[i]);
	*admin = c->admin_group[0] != '\0' && ap_has(v, n, c->admin_gid);
	free(v);
}

int ap_filter(const struct ap_conf *c, const char *login,
	      const struct passwd *pw, int *admin, char *why, size_t whylen)
{
	int allowed;

	*admin = 0;
	if (pw->pw_uid == 0) {
		snprintf(why, whylen, "root may not log in");
		return CF_DENIED;
	}
	if (ap_denied(c, login)) {
		snprintf(why, whylen, "%s is in deny_users", login);
		return CF_DENIED;
	}
	ap_groups_check(c, login, pw->pw_gid, &allowed, admin);
	if (!allowed) {
		snprintf(why, whylen, "%s is in none of allow_groups", login);
		return CF_DENIED;
	}
	return CF_OK;
}
