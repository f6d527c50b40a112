/*
 * The `tls` group of cellftpd.conf (see cfg.h): which certificate and key,
 * what must be protected, session reuse, and an optional implicit-FTPS
 * listen address.  Loading the certificate is tls.c's job.
 */
#include "cfg.h"

#include <stdlib.h>
#include <string.h>

static const char *const tls_keys[] = {
	"certificate", "key", "require", "require_session_reuse",
	"implicit_listen", NULL
};

static const char *const tls_require_names[] = { "none", "login", "all" };

/* A non-empty string member, or NULL when absent; -1 on a bad one. */
static int tls_string(const struct cfg *c, const config_setting_t *grp,
		      const char *key, const char **out, char *err,
		      size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, key);

	*out = NULL;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_STRING ||
	    *config_setting_get_string(s) == '\0')
		return cfg_errorf(c, s, err, errlen, "tls.%s must be a "
				"non-empty string", key);
	*out = config_setting_get_string(s);
	return 0;
}

static int tls_files(struct cfg *c, const config_setting_t *grp, char *err,
		     size_t errlen)
{
	const char *cert, *key;

	if (tls_string(c, grp, "certificate", &cert, err, errlen) != 0 ||
	    tls_string(c, grp, "key", &key, err, errlen) != 0)
		return -1;
	if (cert == NULL)
		return cfg_errorf(c, grp, err, errlen, "tls.certificate is "
				"required (a PEM file)");
	/* no key: it is in the certificate's file */
	c->tls.certificate = cfg_abs_path(c, cert);
	c->tls.key = cfg_abs_path(c, key != NULL ? key : cert);
	if (c->tls.certificate == NULL || c->tls.key == NULL)
		return cfg_errorf(c, grp, err, errlen, "out of memory");
	return 0;
}

static int tls_require(struct cfg *c, const config_setting_t *grp,
		       char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(grp, "require");
	const char *v;

	c->tls.require = TLS_REQ_NONE;
	if (s == NULL)
		return 0;
	v = config_setting_type(s) == CONFIG_TYPE_STRING ?
	    config_setting_get_string(s) : "";
	for (size_t i = 0; i < sizeof(tls_require_names) /
				 sizeof(tls_require_names[0]); i++)
		if (strcmp(v, tls_require_names[i]) == 0) {
			c->tls.require = (enum cfg_tls_require)i;
			return 0;
		}
	return cfg_errorf(c, s, err, errlen, "tls.require must be \"none\", "
			"\"login\" or \"all\"");
}

static int tls_reuse(struct cfg *c, const config_setting_t *grp, char *err,
		     size_t errlen)
{
	const config_setting_t *s;

	s = config_setting_get_member(grp, "require_session_reuse");
	c->tls.session_reuse = 1;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return cfg_errorf(c, s, err, errlen, "tls.require_session_reuse "
				"must be true or false");
	c->tls.session_reuse = config_setting_get_bool(s);
	return 0;
}

/* Implicit FTPS: one more listen address, TLS from the first byte. */
static int tls_implicit(struct cfg *c, const config_setting_t *grp,
			char *err, size_t errlen)
{
	const config_setting_t *s;
	struct cfg_listen *l;
	const char *v;

	if (tls_string(c, grp, "implicit_listen", &v, err, errlen) != 0)
		return -1;
	if (v == NULL)
		return 0;
	s = config_setting_get_member(grp, "implicit_listen");
	l = realloc(c->listen, (c->nlisten + 1) * sizeof(*l));
	if (l == NULL)
		return cfg_errorf(c, s, err, errlen, "out of memory");
	c->listen = l;
	if (cfg_parse_addr(v, &l[c->nlisten]) != 0)
		return cfg_errorf(c, s, err, errlen, "tls.implicit_listen: bad "
				"address '%s' (want \"host:port\", "
				"\"[v6]:port\" or \"*:port\")", v);
	l[c->nlisten].implicit_tls = 1;
	c->nlisten++;
	return 0;
}

int cfg_tls_check(struct cfg *c, char *err, size_t errlen)
{
	config_setting_t *grp = config_lookup(&c->lc, "tls");

	if (grp == NULL)
		return 0;
	if (!config_setting_is_group(grp))
		return cfg_errorf(c, grp, err, errlen, "tls must be a group: "
				"tls: { certificate = \"...\"; ... };");
	c->tls.enabled = 1;
	if (cfg_known(c, grp, tls_keys, "tls", err, errlen) != 0 ||
	    tls_files(c, grp, err, errlen) != 0 ||
	    tls_require(c, grp, err, errlen) != 0 ||
	    tls_reuse(c, grp, err, errlen) != 0 ||
	    tls_implicit(c, grp, err, errlen) != 0)
		return -1;
	return 0;
}

void cfg_tls_free(struct cfg_tls *t)
{
	free(t->certificate);
	free(t->key);
	memset(t, 0, sizeof(*t));
}
