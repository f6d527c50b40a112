/*
 * cellftpd plugin ABI, installed as <cellftpd/module.h>.
 * A plugin is a shared object exporting cellftpd_module_v1(); it includes
 * only this header and never links against the daemon.
 */
#ifndef CELLFTPD_MODULE_H
#define CELLFTPD_MODULE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CELLFTPD_ABI_MAJOR 1
#define CELLFTPD_ABI_MINOR 2

/* Answers of a provider; a chain stops at the first OK or DENIED. */
enum cf_result {
	CF_OK = 0,
	CF_DECLINED = 1,	/* not mine: ask the next provider */
	CF_DENIED = 2,		/* mine, and refused: the chain ends */
	CF_ERROR = 3		/* could not decide (I/O error...): refused */
};

enum cf_level { CF_LOG_ERR, CF_LOG_WARN, CF_LOG_INFO, CF_LOG_DEBUG };

#define CF_LOGIN_MAX 64
#define CF_PATH_MAX 4096
#define CF_UNLIMITED UINT64_MAX

/* One entry of modules.load, opaque to plugins: read it with cf_host. */
struct cf_config;

struct cf_client {
	uint64_t session_id;
	const char *addr;	/* numeric client address, "127.0.0.1" or "::1" */
	uint16_t port;
};

/* Who a session is once logged in. */
struct cf_identity {
	char login[CF_LOGIN_MAX];
	char root[CF_PATH_MAX];	/* real path of the cell; "" = server root/login */
	int is_admin;		/* admins get the server root as their cell */
	uint64_t quota_bytes;	/* CF_UNLIMITED for none */
	uint64_t quota_files;	/* CF_UNLIMITED for none */
	int64_t uid, gid;	/* -1: files belong to server.run_as */
	/*
	 * ABI 1.1.  has_agent: 0 (the core opens the cell itself), or 1 with
	 * agent_fd a socket to a file agent, a process already running as
	 * the user that serves this session's file operations
	 * (cf_host.agent_serve); the core owns it once CF_OK is returned.
	 * fail_delay_ms: with a refusal, the least delay before the client
	 * hears it (a PAM module's failure delay, served as a timer).
	 */
	int has_agent;
	int agent_fd;
	uint32_t fail_delay_ms;
};

#define CF_ACCT_ADMIN    0x1u
#define CF_ACCT_DISABLED 0x2u
#define CF_ACCT_QUOTA_DEFAULT 0x4u	/* quota_bytes is the provider default */

struct cf_account {
	char login[CF_LOGIN_MAX];
	uint64_t quota_bytes;	/* CF_UNLIMITED for none */
	uint64_t quota_files;
	unsigned flags;		/* CF_ACCT_* */
	int64_t last_login;	/* Unix time of the last login; 0 = none known */
};

/* What acct_offers() answers: operations open to the caller right now. */
#define CF_OFFER_REGISTER 0x1u	/* SITE REGISTER before login (policy "open") */

/*
 * Auth provider.  Every call may block and runs on the blocking pool, so it
 * must be thread-safe.  `why` receives a reason for the log, never shown to a
 * client verbatim unless the operation is an account operation.
 * Account operations are optional (NULL = this provider does not offer them).
 * They answer CF_DECLINED for a login the provider does not know, CF_DENIED
 * with a reason a client may see ("exists", "weak password", "the last
 * admin cannot be removed"...), and implement the provider's policy:
 * registration rules, last-admin protection.  In acct_add/acct_update,
 * CF_ACCT_QUOTA_DEFAULT in flags means "the provider's default quota".
 */
struct cf_auth_ops {
	int (*authenticate)(void *state, const struct cf_client *client,
			    const char *login, const char *password,
			    struct cf_identity *out, char *why, size_t whylen);
	int (*lookup)(void *state, const char *login, struct cf_identity *out);
	int (*acct_register)(void *state, const struct cf_client *client,
			     const char *login, const char *password,
			     char *why, size_t whylen);
	int (*acct_add)(void *state, const struct cf_account *acct,
			const char *password, char *why, size_t whylen);
	int (*acct_del)(void *state, const char *login, int remove_cell,
			char *why, size_t whylen);
	int (*acct_passwd)(void *state, const char *login, const char *password,
			   char *why, size_t whylen);
	int (*acct_update)(void *state, const struct cf_account *acct,
			   char *why, size_t whylen);
	int (*acct_list)(void *state,
			 int (*each)(void *arg, const struct cf_account *acct),
			 void *arg);
	/* CF_OFFER_* under the current policy (SITE HELP shows only those). */
	unsigned (*acct_offers)(void *state);
};

/*
 * Quota provider: one ledger per login, shared by all sessions of that
 * login.  The core reserves bytes before they are written and settles
 * afterwards; any provider's CF_DENIED vetoes.  reserve, settle and usage
 * run on worker threads: thread-safe, fast, no disk I/O.  open and rescan
 * may block (they measure a cell) and run on the blocking pool.
 * Limits come from the identity (quota_bytes, quota_files; CF_UNLIMITED
 * for none), so a changed limit applies to the next reservation.
 */
struct cf_quota_ops {
	/* A login starts a session with its cell open: measure the cell the
	 * first time the login is seen (fd: O_PATH of the cell root). */
	int (*open)(void *state, const struct cf_identity *who, int cell_fd);
	/* Forget what is known of login and measure its cell again. */
	int (*rescan)(void *state, const char *login, int cell_fd);
	/* Room for `bytes` more bytes and `files` more files?  CF_OK holds
	 * the room until settled; CF_DENIED changes nothing. */
	int (*reserve)(void *state, const struct cf_identity *who,
		       int64_t bytes, int64_t files);
	/* Give back reserved room and apply what really changed on disk
	 * (negative for deletions).  Changes for a login the provider has
	 * not measured are ignored: its measurement will see them. */
	void (*settle)(void *state, const char *login,
		       int64_t reserved_bytes, int64_t reserved_files,
		       int64_t delta_bytes, int64_t delta_files);
	/* Used bytes and files (reservations included); CF_DECLINED when
	 * the login has not been measured. */
	int (*usage)(void *state, const char *login,
		     uint64_t *bytes, uint64_t *files);
};

enum cf_event_type {
	CF_EV_CONNECT,		/* accepted */
	CF_EV_REFUSED,		/* closed at connect: limits, shutdown */
	CF_EV_DISCONNECT,	/* bytes_in/bytes_out/duration_ms set */
	CF_EV_LOGIN,
	CF_EV_LOGIN_FAIL,	/* detail = reason */
	CF_EV_LOGOUT,
	CF_EV_COMMAND,		/* action = verb, detail = masked argument */
	CF_EV_FILE,		/* action = MKD, DELE...; path (and path2) */
	CF_EV_TRANSFER,		/* action = RETR/STOR/...; bytes, direction */
	CF_EV_ADMIN,
	CF_EV_QUOTA,
	CF_EV_SERVER,		/* the daemon's own notices */
	CF_EV_REGISTER		/* SITE REGISTER: login, detail, result */
};

/* A log event.  Strings are valid only during the call; NULL when unset. */
struct cf_log_event {
	size_t size;		/* sizeof what the sender saw: fields grow at the end */
	enum cf_event_type type;
	struct timespec time;	/* CLOCK_REALTIME */
	uint64_t session_id;
	const char *client_addr;
	uint16_t client_port;
	const char *login;
	const char *action;
	const char *path;	/* a virtual path, never a real one */
	const char *path2;
	const char *detail;
	int result;		/* FTP reply code, or 0 */
	uint64_t bytes;
	uint64_t bytes_in, bytes_out;
	uint64_t duration_ms;
	char direction;		/* 'i' upload, 'o' download */
	char xfer_type;		/* 'a' ascii, 'b' binary */
	int complete;		/* transfer finished (1) or aborted (0) */
};

struct cf_log_ops {
	/* Called on the logger thread only: must not block for long. */
	void (*event)(void *state, const struct cf_log_event *ev);
	void (*reopen)(void *state);	/* SIGUSR1: reopen files */
	/*
	 * ABI 1.2 (read only from modules built for 1.2 or later; may be
	 * NULL): the end of a batch of events.  A module that gathers lines
	 * writes them out now; the core calls it after every batch, so no
	 * event waits for the next one.
	 */
	void (*flush)(void *state);
};

/*
 * What the daemon offers a plugin.  Append-only: new members go at the end
 * and `size` tells how many a plugin can rely on.
 * cfg_* return 0 when the key is set (value in *out), 1 when it is not set,
 * -1 when it has the wrong type.
 */
struct cf_host {
	uint32_t abi_major, abi_minor;
	size_t size;
	const char *server_root;	/* real path of server.root */
	void (*log)(enum cf_level level, const char *fmt, ...)
		__attribute__((format(printf, 2, 3)));
	int (*cfg_str)(const struct cf_config *cfg, const char *key,
		       const char **out);
	int (*cfg_int)(const struct cf_config *cfg, const char *key,
		       long long *out);
	int (*cfg_bool)(const struct cf_config *cfg, const char *key, int *out);
	int (*cfg_size)(const struct cf_config *cfg, const char *key,
			uint64_t *out);
	/* A path setting, made absolute against the config file's folder. */
	int (*cfg_path)(const struct cf_config *cfg, const char *key,
			char *out, size_t outlen);
	/* "FILE:LINE" of a key (or of the entry when key is NULL). */
	const char *(*cfg_where)(const struct cf_config *cfg, const char *key,
				 char *buf, size_t buflen);
	/* Refuse keys not in `known` (NULL-terminated); "name" is implicit. */
	int (*cfg_check_keys)(const struct cf_config *cfg,
			      const char *const *known, char *err,
			      size_t errlen);
	/* Create server_root/<login> (mode 0700, owned by server.run_as). */
	int (*make_cell)(const char *login, char *err, size_t errlen);
	void (*emit)(const struct cf_log_event *ev);
	/* Run fn(arg) on the blocking pool; 0 when queued. */
	int (*offload)(void (*fn)(void *arg), void *arg);
	/* `cellftpd -t`: check the settings, change nothing on disk. */
	int check_only;
	/* ABI 1.1: a list of strings, or one string as a list of one; up
	 * to max in out[] (valid while the config is), count in *n. */
	int (*cfg_strv)(const struct cf_config *cfg, const char *key,
			const char **out, size_t max, size_t *n);
	/*
	 * ABI 1.1: be a file agent (see agent_fd): answer the core's file
	 * operations on sock, in the cell at cell_fd, until the core closes
	 * sock.  Call it in a process of its own that already has the user's
	 * credentials.  Returns 0 at a clean end.
	 */
	int (*agent_serve)(int sock, int cell_fd);
};

struct cf_module {
	uint32_t abi_major, abi_minor;	/* what the module was built against */
	size_t size;			/* sizeof(struct cf_module) it saw */
	const char *name, *version;
	int (*init)(const struct cf_host *host, const struct cf_config *cfg,
		    void **state, char *err, size_t errlen);
	void (*fini)(void *state);
	const struct cf_auth_ops *auth;		/* any of these may be NULL */
	const struct cf_quota_ops *quota;
	const struct cf_log_ops *log;
	/* SIGHUP: re-read settings; non-zero keeps the old ones. May be NULL. */
	int (*reload)(void *state, const struct cf_config *cfg,
		      char *err, size_t errlen);
};

const struct cf_module *cellftpd_module_v1(void);

/* Fill the version fields of a descriptor the way the loader expects. */
#define CF_MODULE_HEADER \
	.abi_major = CELLFTPD_ABI_MAJOR, .abi_minor = CELLFTPD_ABI_MINOR, \
	.size = sizeof(struct cf_module)

/*
 * Sizes as written in config files and the users file: "4096", "512K",
 * "100M", "2G", "1T" (powers of 1024), or "none"/"unlimited" for
 * CF_UNLIMITED.  Returns 0, or -1 on anything else.
 */
static inline int cf_size_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (strcmp(s, "none") == 0 || strcmp(s, "unlimited") == 0) {
		*out = CF_UNLIMITED;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	default: return -1;
	}
	if ((*end == 'b' || *end == 'B') && shift != 0)
		end++;
	if (*end != '\0' || v > (UINT64_MAX >> shift) - 1)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

#endif
