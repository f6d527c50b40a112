/*
 * The host API plugins see (struct cf_host in modules/module.h): accessors
 * over their modules.load entry, logging, cell creation and the daemon's
 * runtime hooks.  This file owns the one process-wide instance.
 */
#include "modules/loader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs/vcell.h"

/*
 * Written by modhost_setup() on the main thread before any worker starts,
 * read-only afterwards.
 */
static struct {
	struct cf_host host;
	struct modhost_hooks hooks;
	char root[CF_PATH_MAX];
	uid_t cell_uid;
	gid_t cell_gid;
} modhost;

__attribute__((format(printf, 2, 3)))
static void mh_log(enum cf_level level, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	if (modhost.hooks.vlog != NULL) {
		modhost.hooks.vlog((int)level, fmt, ap);
	} else if (level != CF_LOG_DEBUG) {
		/* one write per line, so concurrent messages do not mix */
		vsnprintf(line, sizeof(line), fmt, ap);
		fprintf(stderr, "cellftpd: %s\n", line);
	}
	va_end(ap);
}

static const config_setting_t *mh_lookup(const struct cf_config *cfg,
					 const char *key)
{
	if (cfg == NULL || cfg->set == NULL || key == NULL)
		return NULL;
	/* libconfig 1.5 takes a non-const setting but does not change it */
	return config_setting_lookup((config_setting_t *)cfg->set, key);
}

static int mh_cfg_str(const struct cf_config *cfg, const char *key,
		      const char **out)
{
	const config_setting_t *s = mh_lookup(cfg, key);

	if (s == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return -1;
	*out = config_setting_get_string(s);
	return 0;
}

static int mh_cfg_int(const struct cf_config *cfg, const char *key,
		      long long *out)
{
	const config_setting_t *s = mh_lookup(cfg, key);

	if (s == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return -1;
	*out = config_setting_get_int64(s);
	return 0;
}

static int mh_cfg_bool(const struct cf_config *cfg, const char *key, int *out)
{
	const config_setting_t *s = mh_lookup(cfg, key);

	if (s == NULL)
		return 1;
	if (config_setting_type(s) != CONFIG_TYPE_BOOL)
		return -1;
	*out = config_setting_get_bool(s) ? 1 : 0;
	return 0;
}

/* A list or array of strings; one plain string is a list of one. */
static int mh_cfg_strv(const struct cf_config *cfg, const char *key,
		       const char **out, size_t max, size_t *n)
{
	const config_setting_t *s = mh_lookup(cfg, key);
	int type, len;

	*n = 0;
	if (s == NULL)
		return 1;
	type = config_setting_type(s);
	if (type == CONFIG_TYPE_STRING) {
		if (max > 0)
			out[(*n)++] = config_setting_get_string(s);
		return 0;
	}
	if (type != CONFIG_TYPE_LIST && type != CONFIG_TYPE_ARRAY)
		return -1;
	len = config_setting_length(s);
	for (int i = 0; i < len; i++) {
		const config_setting_t *e =
			config_setting_get_elem(s, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return -1;
		if (*n < max)
			out[(*n)++] = config_setting_get_string(e);
	}
	return 0;
}

/* "512K", "1G", "none" as text, or a plain non-negative byte count. */
static int mh_cfg_size(const struct cf_config *cfg, const char *key,
		       uint64_t *out)
{
	const config_setting_t *s = mh_lookup(cfg, key);
	long long v;

	if (s == NULL)
		return 1;
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_STRING:
		return cf_size_parse(config_setting_get_string(s), out) == 0 ?
		       0 : -1;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		if (v < 0)
			return -1;
		*out = (uint64_t)v;
		return 0;
	default:
		return -1;
	}
}

static int mh_cfg_path(const struct cf_config *cfg, const char *key,
		       char *out, size_t outlen)
{
	const char *v;
	char *abs;
	int rc;

	rc = mh_cfg_str(cfg, key, &v);
	if (rc != 0)
		return rc;
	if (*v == '\0' || cfg->cfg == NULL)
		return -1;
	abs = cfg_abs_path(cfg->cfg, v);
	if (abs == NULL)
		return -1;
	rc = snprintf(out, outlen, "%s", abs) < (int)outlen ? 0 : -1;
	free(abs);
	return rc;
}

static const char *mh_cfg_where(const struct cf_config *cfg, const char *key,
				char *buf, size_t buflen)
{
	const config_setting_t *s = mh_lookup(cfg, key);

	if (s == NULL && cfg != NULL)
		s = cfg->set;
	return cfg_where(cfg ? cfg->cfg : NULL, s, buf, buflen);
}

static int mh_cfg_check_keys(const struct cf_config *cfg,
			     const char *const *known, char *err,
			     size_t errlen)
{
	const char *modname = "?";
	char where[CFG_ERR_MAX];
	int i, n;

	if (cfg == NULL || cfg->set == NULL)
		return 0;
	mh_cfg_str(cfg, "name", &modname);
	n = config_setting_length(cfg->set);
	for (i = 0; i < n; i++) {
		const config_setting_t *s;
		const char *const *k;
		const char *name;

		s = config_setting_get_elem(cfg->set, (unsigned)i);
		name = config_setting_name(s);
		if (name == NULL || strcmp(name, "name") == 0)
			continue;
		for (k = known; k != NULL && *k != NULL; k++)
			if (strcmp(*k, name) == 0)
				break;
		if (k == NULL || *k == NULL) {
			snprintf(err, errlen, "%s: unknown key '%s' in module "
				 "'%s'", cfg_where(cfg->cfg, s, where,
				 sizeof(where)), name, modname);
			return -1;
		}
	}
	return 0;
}

/* A login usable as one folder name: no '/', no dot files, no "..". */
static int mh_safe_name(const char *s)
{
	size_t n;

	if (s == NULL || s[0] == '.' || s[0] == '-')
		return 0;
	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= 'A' && s[n] <= 'Z') ||
		      (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '.' || s[n] == '_' || s[n] == '-'))
			return 0;
	return n >= 1 && n < CF_LOGIN_MAX;
}

/* chmod and chown through an fd of the new folder: no symlink races. */
static int mh_own_cell(int dfd, const char *login)
{
	int fd, rc = 0;

	fd = openat(dfd, login, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the process umask must not narrow 0700 to something unusable */
	if (fchmod(fd, 0700) != 0)
		rc = -errno;
	else if ((modhost.cell_uid != (uid_t)-1 ||
		  modhost.cell_gid != (gid_t)-1) &&
		 fchown(fd, modhost.cell_uid, modhost.cell_gid) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

/* Error texts name the cell, never the real path: admins see them. */
static int mh_make_cell(const char *login, char *err, size_t errlen)
{
	int dfd, rc;

	if (!mh_safe_name(login)) {
		snprintf(err, errlen, "'%s' cannot be a cell name",
			 login ? login : "");
		return -EINVAL;
	}
	dfd = open(modhost.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		rc = -errno;
		snprintf(err, errlen, "cannot open the server root: %s",
			 strerror(-rc));
		return rc;
	}
	if (mkdirat(dfd, login, 0700) != 0) {
		rc = -errno;
		if (rc == -EEXIST)
			snprintf(err, errlen, "cell '%s' already exists",
				 login);
		else
			snprintf(err, errlen, "cannot create cell '%s': %s",
				 login, strerror(-rc));
		goto out;
	}
	rc = mh_own_cell(dfd, login);
	if (rc != 0) {
		snprintf(err, errlen, "cannot give cell '%s' to its owner: %s",
			 login, strerror(-rc));
		/* no half-made cell: it is empty, so this cannot lose data */
		(void)unlinkat(dfd, login, AT_REMOVEDIR);
	}
out:
	close(dfd);
	return rc;
}

static void mh_emit(const struct cf_log_event *ev)
{
	if (modhost.hooks.emit != NULL)
		modhost.hooks.emit(ev);
}

static int mh_offload(void (*fn)(void *arg), void *arg)
{
	if (modhost.hooks.offload != NULL)
		return modhost.hooks.offload(fn, arg);
	fn(arg);
	return 0;
}

void modhost_check_only(int on)
{
	modhost.host.check_only = on;
}

const struct cf_host *modhost_setup(const char *server_root, uid_t cell_uid,
				    gid_t cell_gid,
				    const struct modhost_hooks *hooks)
{
	struct cf_host *h = &modhost.host;

	snprintf(modhost.root, sizeof(modhost.root), "%s",
		 server_root ? server_root : "");
	modhost.cell_uid = cell_uid;
	modhost.cell_gid = cell_gid;
	if (hooks != NULL)
		modhost.hooks = *hooks;
	else
		memset(&modhost.hooks, 0, sizeof(modhost.hooks));

	h->abi_major = CELLFTPD_ABI_MAJOR;
	h->abi_minor = CELLFTPD_ABI_MINOR;
	h->size = sizeof(*h);
	h->server_root = modhost.root;
	h->log = mh_log;
	h->cfg_str = mh_cfg_str;
	h->cfg_int = mh_cfg_int;
	h->cfg_bool = mh_cfg_bool;
	h->cfg_size = mh_cfg_size;
	h->cfg_path = mh_cfg_path;
	h->cfg_where = mh_cfg_where;
	h->cfg_check_keys = mh_cfg_check_keys;
	h->make_cell = mh_make_cell;
	h->emit = mh_emit;
	h->offload = mh_offload;
	h->cfg_strv = mh_cfg_strv;
	h->agent_serve = vc_agent_serve;
	return h;
}
