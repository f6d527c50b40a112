/*
 * Plugin loader (see modload.h): each modules.load entry is checked on
 * disk, dlopen'ed, its descriptor held against the ABI this daemon speaks,
 * then initialised.  Any refusal unloads everything and names the file.
 */
#include "modules/loader.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MOD_SYMBOL "cellftpd_module_v1"
#define MOD_WHY_MAX 1024

typedef const struct cf_module *(*mod_entry_fn)(void);

__attribute__((format(printf, 4, 5)))
static int mod_why(char *why, size_t whylen, const char *path,
		   const char *fmt, ...)
{
	char msg[MOD_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, whylen, "%s: %s", path, msg);
	return -1;
}

/* err = "CONF:LINE: " of the entry (when there is one), then why. */
static int mod_fail(const struct cfg_module *entry, const char *why,
		    char *err, size_t errlen)
{
	char where[CFG_ERR_MAX];

	if (entry == NULL) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	snprintf(err, errlen, "%s: %s", cfg_where(entry->conf.cfg,
		 entry->conf.set, where, sizeof(where)), why);
	return -1;
}

static int mod_check_dir(const char *path, const char *file, char *err,
			 size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct stat st;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st) != 0)
		return mod_why(err, errlen, file, "cannot load: %s: %s", dir,
			       strerror(errno));
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return mod_why(err, errlen, file, "refused: its folder %s is "
			       "writable by group or others (mode %04o)", dir,
			       (unsigned)(st.st_mode & 07777));
	return 0;
}

int mod_check_perms(const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *real;
	int rc;

	if (stat(path, &st) != 0)
		return mod_why(err, errlen, path, "cannot load: %s",
			       strerror(errno));
	if (!S_ISREG(st.st_mode))
		return mod_why(err, errlen, path, "refused: not a regular "
			       "file");
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return mod_why(err, errlen, path, "refused: writable by group "
			       "or others (mode %04o)",
			       (unsigned)(st.st_mode & 07777));
	if (mod_check_dir(path, path, err, errlen) != 0)
		return -1;
	/* through a symlink, whoever may write the target's folder wins */
	if (lstat(path, &st) != 0 || !S_ISLNK(st.st_mode))
		return 0;
	real = realpath(path, NULL);
	if (real == NULL)
		return mod_why(err, errlen, path, "cannot load: %s",
			       strerror(errno));
	rc = mod_check_dir(real, path, err, errlen);
	free(real);
	return rc;
}

static int mod_check_desc(const struct cf_module *m, const char *path,
			  const struct cfg_module *entry, char *why,
			  size_t whylen)
{
	if (m == NULL)
		return mod_why(why, whylen, path, "refused: " MOD_SYMBOL
			       "() returned no descriptor");
	if (m->abi_major != CELLFTPD_ABI_MAJOR)
		return mod_why(why, whylen, path, "refused: built for ABI "
			       "%u.%u, this cellftpd speaks %d.%d",
			       (unsigned)m->abi_major, (unsigned)m->abi_minor,
			       CELLFTPD_ABI_MAJOR, CELLFTPD_ABI_MINOR);
	if (m->abi_minor > CELLFTPD_ABI_MINOR)
		return mod_why(why, whylen, path, "refused: built for ABI "
			       "%u.%u, newer than this cellftpd (%d.%d)",
			       (unsigned)m->abi_major, (unsigned)m->abi_minor,
			       CELLFTPD_ABI_MAJOR, CELLFTPD_ABI_MINOR);
	if (m->size < sizeof(struct cf_module))
		return mod_why(why, whylen, path, "refused: short descriptor "
			       "(%zu bytes, ABI %d.%d needs %zu)", m->size,
			       CELLFTPD_ABI_MAJOR, CELLFTPD_ABI_MINOR,
			       sizeof(struct cf_module));
	if (m->name == NULL || m->name[0] == '\0')
		return mod_why(why, whylen, path, "refused: the module has "
			       "no name");
	if (entry != NULL && strcmp(m->name, entry->name) != 0)
		return mod_why(why, whylen, path, "refused: the module calls "
			       "itself '%.63s', the entry loads '%s'",
			       m->name, entry->name);
	return 0;
}

/* Everything short of init: permissions, dlopen, descriptor. */
static int mod_open(struct mod_loaded *l, const char *path,
		    const struct cfg_module *entry, char *why, size_t whylen)
{
	mod_entry_fn fn;
	void *sym;

	memset(l, 0, sizeof(*l));
	l->entry = entry;
	if (snprintf(l->path, sizeof(l->path), "%s", path) >=
	    (int)sizeof(l->path))
		return mod_why(why, whylen, path, "cannot load: %s",
			       strerror(ENAMETOOLONG));
	if (mod_check_perms(path, why, whylen) != 0)
		return -1;
	l->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (l->dl == NULL)
		return mod_why(why, whylen, path, "cannot load: %s",
			       dlerror());
	sym = dlsym(l->dl, MOD_SYMBOL);
	if (sym == NULL) {
		mod_why(why, whylen, path, "refused: no " MOD_SYMBOL "() "
			"(not a cellftpd plugin?)");
		goto fail;
	}
	fn = (mod_entry_fn)sym;
	l->m = fn();
	if (mod_check_desc(l->m, path, entry, why, whylen) != 0)
		goto fail;
	return 0;
fail:
	dlclose(l->dl);
	l->dl = NULL;
	l->m = NULL;
	return -1;
}

static int mod_init(struct mod_loaded *l, const struct cf_host *host,
		    char *why, size_t whylen)
{
	char merr[MOD_WHY_MAX] = "";

	if (l->m->init == NULL)
		return 0;
	if (l->m->init(host, l->entry ? &l->entry->conf : NULL, &l->state,
		       merr, sizeof(merr)) == 0)
		return 0;
	return mod_why(why, whylen, l->path, "refused: init failed: %s",
		       merr[0] ? merr : "(the module gave no reason)");
}

int mod_load_one(struct mod_loaded *out, const char *path,
		 const struct cfg_module *entry, const struct cf_host *host,
		 char *err, size_t errlen)
{
	char why[CFG_ERR_MAX + MOD_WHY_MAX];

	if (mod_open(out, path, entry, why, sizeof(why)) != 0)
		return mod_fail(entry, why, err, errlen);
	if (mod_init(out, host, why, sizeof(why)) != 0) {
		dlclose(out->dl);
		memset(out, 0, sizeof(*out));
		return mod_fail(entry, why, err, errlen);
	}
	return 0;
}

static const struct mod_loaded *mod_find(const struct mod_set *set,
					 const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcmp(set->v[i].m->name, name) == 0)
			return &set->v[i];
	return NULL;
}

/* Two entries must not load one module: state and providers would clash. */
static int mod_check_dup(const struct mod_set *set, const struct mod_loaded *l,
			 char *why, size_t whylen)
{
	const struct mod_loaded *prev = mod_find(set, l->m->name);
	char where[CFG_ERR_MAX];

	if (prev == NULL)
		return 0;
	if (prev->entry == NULL)
		return mod_why(why, whylen, l->path, "refused: duplicate "
			       "module '%s', already loaded from %s",
			       l->m->name, prev->path);
	cfg_where(prev->entry->conf.cfg, prev->entry->conf.set, where,
		  sizeof(where));
	return mod_why(why, whylen, l->path, "refused: duplicate module "
		       "'%s', already loaded by the entry at %s", l->m->name,
		       where);
}

static int mod_load_entry(struct mod_set *set, const struct cfg *cfg,
			  const struct cfg_module *entry,
			  const struct cf_host *host, char *err, size_t errlen)
{
	struct mod_loaded *l = &set->v[set->n];
	char why[CFG_ERR_MAX + MOD_WHY_MAX];
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s.so", cfg->module_path,
		     entry->name) >= (int)sizeof(path)) {
		mod_why(why, sizeof(why), cfg->module_path, "cannot load "
			"'%s': %s", entry->name, strerror(ENAMETOOLONG));
		return mod_fail(entry, why, err, errlen);
	}
	if (mod_open(l, path, entry, why, sizeof(why)) != 0)
		return mod_fail(entry, why, err, errlen);
	if (mod_check_dup(set, l, why, sizeof(why)) != 0 ||
	    mod_init(l, host, why, sizeof(why)) != 0) {
		dlclose(l->dl);
		memset(l, 0, sizeof(*l));
		return mod_fail(entry, why, err, errlen);
	}
	set->n++;
	return 0;
}

int mod_load_all(struct mod_set *set, const struct cfg *cfg,
		 const struct cf_host *host, char *err, size_t errlen)
{
	size_t i;

	memset(set, 0, sizeof(*set));
	if (cfg->nmods == 0)
		return 0;
	set->v = calloc(cfg->nmods, sizeof(*set->v));
	if (set->v == NULL) {
		snprintf(err, errlen, "%s: loading modules: %s", cfg->path,
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < cfg->nmods; i++) {
		if (mod_load_entry(set, cfg, &cfg->mods[i], host, err,
				   errlen) != 0) {
			mod_unload_all(set);
			return -1;
		}
	}
	return 0;
}

void mod_unload_all(struct mod_set *set)
{
	size_t i;

	/* reverse order: a later module may lean on an earlier one */
	for (i = set->n; i-- > 0;) {
		struct mod_loaded *l = &set->v[i];

		if (l->m->fini != NULL)
			l->m->fini(l->state);
		dlclose(l->dl);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/* A reload can change settings, not which modules run or their order. */
static int mod_same_set(const struct mod_set *set, const struct cfg *newcfg,
			char *err, size_t errlen)
{
	char where[CFG_ERR_MAX], what[256];
	size_t i;

	for (i = 0; i < set->n && i < newcfg->nmods; i++)
		if (strcmp(set->v[i].m->name, newcfg->mods[i].name) != 0)
			break;
	if (i == set->n && i == newcfg->nmods)
		return 0;
	cfg_where(newcfg, i < newcfg->nmods ? newcfg->mods[i].conf.set :
		  NULL, where, sizeof(where));
	if (i < set->n && i < newcfg->nmods)
		snprintf(what, sizeof(what), "entry %zu loads '%s' where '%s' "
			 "runs", i + 1, newcfg->mods[i].name,
			 set->v[i].m->name);
	else if (i < newcfg->nmods)
		snprintf(what, sizeof(what), "module '%s' is not running",
			 newcfg->mods[i].name);
	else
		snprintf(what, sizeof(what), "module '%.63s' is no longer in "
			 "modules.load", set->v[i].m->name);
	snprintf(err, errlen, "%s: %s: restart cellftpd to load, unload or "
		 "reorder modules", where, what);
	return -1;
}

int mod_reload_all(struct mod_set *set, const struct cfg *newcfg,
		   char *err, size_t errlen)
{
	char merr[MOD_WHY_MAX], why[CFG_ERR_MAX + MOD_WHY_MAX];
	int failed = 0;
	size_t i;

	if (mod_same_set(set, newcfg, err, errlen) != 0)
		return -1;
	for (i = 0; i < set->n; i++) {
		struct mod_loaded *l = &set->v[i];

		if (l->m->reload == NULL)
			continue;
		merr[0] = '\0';
		if (l->m->reload(l->state, &newcfg->mods[i].conf, merr,
				 sizeof(merr)) == 0 || failed)
			continue;
		/* the module keeps its old settings; report the first one */
		failed = 1;
		mod_why(why, sizeof(why), l->path, "reload refused: %s",
			merr[0] ? merr : "(the module gave no reason)");
		mod_fail(&newcfg->mods[i], why, err, errlen);
	}
	if (failed)
		return -1;
	for (i = 0; i < set->n; i++)
		set->v[i].entry = &newcfg->mods[i];
	return 0;
}
