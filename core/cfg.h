/*
 * cellftpd.conf: parsed and validated into struct cfg.  Every error names
 * file and line ("FILE:LINE: problem"), like `nginx -t`.
 */
#ifndef CORE_CFG_H
#define CORE_CFG_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CFG_ERR_MAX 512

struct cfg_listen {
	struct sockaddr_storage ss;
	socklen_t len;
	char text[80];		/* as written: "127.0.0.1:2121", "[::1]:21" */
	int implicit_tls;	/* tls.implicit_listen: TLS from the first byte */
};

/* tls.require: what must be protected before it is accepted. */
enum cfg_tls_require { TLS_REQ_NONE, TLS_REQ_LOGIN, TLS_REQ_ALL };

/* The `tls` group (cfg_tls.c); enabled = the group is present. */
struct cfg_tls {
	int enabled;
	char *certificate;	/* absolute */
	char *key;		/* absolute */
	enum cfg_tls_require require;
	int session_reuse;	/* data connections must resume the control's */
};

struct cfg;

/* What a plugin sees as its `struct cf_config`: one modules.load entry. */
struct cf_config {
	const struct cfg *cfg;
	const config_setting_t *set;
};

struct cfg_module {
	char name[64];
	struct cf_config conf;	/* the entry group in modules.load */
	int line;
};

struct cfg {
	char *path;		/* file it came from, or "(embedded default)" */
	char *base_dir;		/* relative paths are taken from here */
	config_t lc;		/* kept: module entries point into it */

	struct cfg_listen *listen;
	size_t nlisten;
	char *root;		/* absolute */
	int workers;		/* resolved: 0 in the file = one per core */
	int blocking_threads;
	int max_sessions;
	int max_sessions_per_ip;
	int idle_timeout;	/* seconds */
	int data_timeout;	/* seconds */
	int login_timeout;	/* seconds to complete USER/PASS */
	int login_delay_ms;	/* after a failed PASS */
	int max_login_attempts;	/* per session, then 421 */
	int max_unauth_per_ip;	/* connections not logged in, per address */
	int ban_failures;	/* failed logins per address that ban; 0 = off */
	int ban_window;		/* seconds those failures are counted over */
	int ban_time;		/* seconds a ban lasts */
	int shutdown_timeout;	/* SIGTERM: seconds to let transfers end */
	int pasv_min, pasv_max;
	char *pasv_address;	/* "" = the control connection's address */
	char *run_as;		/* "" = do not switch */
	char *banner;
	char *umask_text;
	unsigned umask;

	struct cfg_tls tls;

	char *module_path;	/* absolute */
	struct cfg_module *mods;
	size_t nmods;
};

/*
 * Load and validate.  Relative paths in the file are taken relative to the
 * file's directory.  Returns 0, or -1 with "FILE:LINE: problem" in err
 * (and *c left empty).  A loaded cfg must not be moved or copied: module
 * entries point back at it and into its libconfig tree.
 */
int cfg_load(struct cfg *c, const char *path, char *err, size_t errlen);

/*
 * The embedded default (no -c): 127.0.0.1:2121, everything under
 * `base`/var (cells, users file, logs), modules from `module_dir`.
 */
int cfg_load_default(struct cfg *c, const char *base, const char *module_dir,
		     char *err, size_t errlen);

/* Same, from text already in memory (tests, the embedded default). */
int cfg_load_string(struct cfg *c, const char *text, const char *name,
		    const char *base_dir, char *err, size_t errlen);

void cfg_free(struct cfg *c);

/* A malloc'd absolute path: `p` itself, or base_dir/p. */
char *cfg_abs_path(const struct cfg *c, const char *p);

/* "FILE:LINE" of a setting. */
const char *cfg_where(const struct cfg *c, const config_setting_t *s,
		      char *buf, size_t len);

/* Parse "host:port", "[v6]:port", "*:port" into a listen address. */
int cfg_parse_addr(const char *text, struct cfg_listen *out);

/*
 * The `tls` group (cfg_tls.c): keys, `require`, and tls.implicit_listen
 * appended to c->listen (after server.listen was read).  The certificate
 * and key are only named here; tls.c loads them.  0, or -1 with err set.
 */
int cfg_tls_check(struct cfg *c, char *err, size_t errlen);
void cfg_tls_free(struct cfg_tls *t);

/* "FILE:LINE: message" of setting s into err; returns -1. */
int cfg_errorf(const struct cfg *c, const config_setting_t *s, char *err,
	       size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Refuse members of group grp (section sect, or NULL) not in known. */
int cfg_known(const struct cfg *c, const config_setting_t *grp,
	      const char *const *known, const char *sect, char *err,
	      size_t errlen);


#endif
