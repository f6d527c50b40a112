/*
 * cellftp-check: the framework every check is written against.  A check
 * is a named function run between a setup (a fresh connection, a login,
 * a folder of its own inside the scratch folder) and a teardown that
 * removes whatever it left, so one failing check never spoils the next.
 */
#ifndef CHECK_CHECK_H
#define CHECK_CHECK_H

#include <netinet/in.h>
#include <signal.h>
#include <stddef.h>

#include "ftpc.h"

#define CHK_PATH	1024
#define CHK_CONNS	6	/* connections one check may hold */
#define CHK_FEATS	64
#define CHK_BIG_LIMIT	(64u << 20)	/* most bytes one download keeps */

enum chk_result { CHK_PASS, CHK_FAIL, CHK_SKIP };

/* What a check needs before it runs (chk_def.flags). */
enum {
	CHK_RAW		= 1 << 0,	/* connected past the banner, no login */
	CHK_NOCONN	= 1 << 1,	/* nothing: the check connects itself */
	CHK_NODIR	= 1 << 2,	/* logged in, no folder of its own */
	CHK_NOTLS	= 1 << 3,	/* plain text even under --tls */
};

struct chk;
typedef enum chk_result (*chk_fn)(struct chk *c);

struct chk_def {
	const char *suite, *name;
	unsigned flags;
	chk_fn fn;
	const char *what;	/* one line for --list */
};

/* The command line. */
struct chk_opts {
	const char *host, *port, *user, *pass;
	const char *admin_user, *admin_pass;
	const char *only, *junit;
	int do_register, do_tls, verbose, tap, list;
};

/* What the preflight learned about the server; read-only for checks. */
struct chk_env {
	const struct chk_opts *opt;
	struct sockaddr_storage addr;	/* the server, as connected */
	socklen_t addrlen;
	struct sockaddr_storage addr6;	/* an IPv6 way in, if any */
	socklen_t addr6len;
	int have_v6;
	int is_v6;			/* the main address is IPv6 */
	int loopback;			/* the server is on this machine */
	char *feat[CHK_FEATS];		/* FEAT lines, trimmed */
	unsigned nfeat;
	int feat_ok;			/* FEAT answered 211 */
	char site_help[2048];		/* SITE HELP text, "" if refused */
	char prelogin_help[2048];	/* SITE HELP before login */
	char admin_site_help[2048];
	int unix_syst;			/* SYST says UNIX */
	int tls;			/* every session runs AUTH TLS */
	char base[CHK_PATH];		/* PWD right after login */
	char scratch[CHK_PATH];		/* absolute path of the scratch */
	char token[48];			/* its unique name */
	volatile sig_atomic_t *cancel;
};

struct chk {
	const struct chk_def *def;
	const struct chk_env *env;
	struct ftpc *ctl;		/* the connection setup made */
	struct ftpc *conns[CHK_CONNS];
	unsigned nconns;
	char dir[CHK_PATH];		/* its own folder, absolute */
	enum ftpc_dmode dmode;		/* passive mode for plain transfers */
	struct ftpc_buf log;		/* the exchange, for the report */
	unsigned loglines;
	struct ftpc_buf warn;		/* WARNING lines */
	unsigned nwarn;
	int leak_seen;
	char last_sent[512];		/* for telling echoes from leaks */
	char skip[256];
	char remark[256];		/* shown under the result line */
	char pathbuf[4][CHK_PATH];	/* chk_path results, in turn */
	unsigned pathi;
};

/* ---- outcome (check.c) ---- */

/* Record "WARNING: <what the server did> (expected <expected>)". */
enum chk_result chk_fail(struct chk *c, const char *expected,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum chk_result chk_skip(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void chk_note(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Forget the WARNINGs so far: what failed turned out to be a skip. */
void chk_unfail(struct chk *c);
/* The result the check earned so far: FAIL once a warning exists. */
enum chk_result chk_done(struct chk *c);

/* ---- connections (check.c) ---- */

/* A new connection past the banner (and AUTH TLS under --tls). */
struct ftpc *chk_connect(struct chk *c);
/* Connected to a given address instead of the main one. */
struct ftpc *chk_connect_to(struct chk *c, const struct sockaddr *sa,
			    socklen_t len);
/* Log a connection in (with PROT P under --tls): 0 or -1 (failed). */
int chk_login(struct chk *c, struct ftpc *f, const char *user,
	      const char *pass);
void chk_hangup(struct chk *c, struct ftpc *f);

/* ---- commands (check.c) ---- */

/* Whether code is one of "250 200 5xx" (space-separated, x = any). */
int chk_code_in(int code, const char *codes);
/* Send a command; if its reply code is not in codes, record a WARNING
 * naming rfc and return -1, else return the code. */
int chk_expect(struct chk *c, struct ftpc *f, const char *codes,
	       const char *rfc, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Send a command whatever it answers: the code, or -1 (and a WARNING
 * when the connection failed). */
int chk_cmd(struct chk *c, struct ftpc *f, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "250 200" as "250 or 200", for expectations. */
void chk_codes_words(const char *codes, char *out, size_t len);
/* Whether the last TYPE sent on f was A (listings must use CRLF). */
int chk_type_ascii(struct ftpc *f);
/* The first line of the last reply, quoted for a WARNING. */
const char *chk_said(struct ftpc *f);

/* ---- files and listings (check.c, data.c) ---- */

int chk_put(struct chk *c, struct ftpc *f, const char *path,
	    const void *data, size_t len);
int chk_get(struct chk *c, struct ftpc *f, const char *path,
	    struct ftpc_buf *out);
/* NLST/LIST/MLSD (cmd with its argument): the lines, CRLF checked. */
int chk_listing(struct chk *c, struct ftpc *f, const char *cmd,
		struct ftpc_buf *out);
/* The bare names of an NLST listing, '\n'-joined in out. */
int chk_names(struct chk *c, struct ftpc *f, const char *path,
	      struct ftpc_buf *out);
int chk_has_name(const struct ftpc_buf *names, const char *name);
/* The folder's path joined with a name. */
const char *chk_path(struct chk *c, const char *name);
/* Deterministic test bytes (every byte value, CR and LF included). */
void chk_fill(void *buf, size_t len, unsigned seed);
void chk_sha256_hex(const void *data, size_t len, char out[65]);
/* The first differing offset of two buffers, or -1 if equal. */
long long chk_diff_at(const void *a, size_t alen, const void *b,
		      size_t blen);

/* ---- the server ---- */

int chk_feat(const struct chk_env *env, const char *name);
const char *chk_feat_line(const struct chk_env *env, const char *name);
int chk_site_has(const char *help, const char *word);
/* Scan text for the scratch name under a prefix the client never saw. */
void chk_scan_leak(struct chk *c, const char *text, size_t len);

/* ---- the suites ---- */

extern const struct chk_def chk_session_suite[];
extern const struct chk_def chk_auth_suite[];
extern const struct chk_def chk_nav_suite[];
extern const struct chk_def chk_dir_suite[];
extern const struct chk_def chk_xfer_suite[];
extern const struct chk_def chk_resume_suite[];
extern const struct chk_def chk_list_suite[];
extern const struct chk_def chk_meta_suite[];
extern const struct chk_def chk_robust_suite[];
extern const struct chk_def chk_security_suite[];
extern const struct chk_def chk_account_suite[];
extern const struct chk_def chk_tls_suite[];

/* Commands RFC 959 5.1 does not require may be unimplemented. */
#define CHK_UNIMPLEMENTED(code)	((code) == 500 || (code) == 502)

/* RFC references used in WARNINGs, spelled once. */
#define RFC959(s)	"RFC 959 section " s
#define RFC959_APPII	"RFC 959 Appendix II"
#define RFC1123(s)	"RFC 1123 section " s
#define RFC2389(s)	"RFC 2389 section " s
#define RFC2428(s)	"RFC 2428 section " s
#define RFC2577(s)	"RFC 2577 section " s
#define RFC3659(s)	"RFC 3659 section " s
#define RFC4217(s)	"RFC 4217 section " s

#endif
