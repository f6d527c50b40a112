/*
 * Plugin loader: dlopen each modules.load entry from modules.path, check
 * its ABI descriptor and file permissions, init it, and keep the providers
 * in config order (the auth chain is that order).
 */
#ifndef MODULES_LOADER_H
#define MODULES_LOADER_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#include "core/cfg.h"
#include "modules/module.h"

struct mod_loaded {
	const struct cf_module *m;
	void *state;
	void *dl;		/* dlopen handle */
	char path[4096];
	const struct cfg_module *entry;
};

struct mod_set {
	struct mod_loaded *v;
	size_t n;
};

/*
 * Load every entry of cfg->mods.  On failure everything loaded so far is
 * unloaded and err names the file: "PATH: refused: built for ABI 2.0, this
 * cellftpd is 1.0" (with the config line of the entry).
 */
int mod_load_all(struct mod_set *set, const struct cfg *cfg,
		 const struct cf_host *host, char *err, size_t errlen);

/* Load one shared object by path (what mod_load_all does per entry). */
int mod_load_one(struct mod_loaded *out, const char *path,
		 const struct cfg_module *entry, const struct cf_host *host,
		 char *err, size_t errlen);

void mod_unload_all(struct mod_set *set);

/* Refuse a file, or its folder, writable by group or others. */
int mod_check_perms(const char *path, char *err, size_t errlen);

/* Call every module's reload hook with the entries of a new config. */
int mod_reload_all(struct mod_set *set, const struct cfg *newcfg,
		   char *err, size_t errlen);

/*
 * The host API handed to plugins.  The runtime hooks come from the daemon;
 * NULL hooks get safe defaults (log to stderr, emit nothing, offload runs
 * the function at once), which is what `cellftpd -t` and the tools use.
 */
struct modhost_hooks {
	void (*vlog)(int level, const char *fmt, va_list ap);
	void (*emit)(const struct cf_log_event *ev);
	int (*offload)(void (*fn)(void *arg), void *arg);
};

/* `cellftpd -t`: tell plugins to check and change nothing. */
void modhost_check_only(int on);

/* Fill the process-wide host (one owner: modules/host.c) and return it. */
const struct cf_host *modhost_setup(const char *server_root, uid_t cell_uid,
				    gid_t cell_gid,
				    const struct modhost_hooks *hooks);

#endif
