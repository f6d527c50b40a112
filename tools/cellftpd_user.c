/*
 * cellftpd-user: manage auth_file accounts from the shell.  It reads the
 * daemon's config, and rewrites the users file the way the daemon does
 * (users.c: locked, atomic), creating or removing each account's cell.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "auth/file/users.h"
#include "core/cfg.h"
#include "modules/loader.h"
#include "modules/module.h"

#define CU_OK 0
#define CU_REFUSED 1		/* exists, no such user, weak password... */
#define CU_USAGE 2		/* bad command line or config */

#define CU_PASSWORD_MAX 1024

#define CU_OPT_QUOTA 0x1
#define CU_OPT_ADMIN 0x2
#define CU_OPT_REMOVE_CELL 0x4

struct cu_ctx {
	struct cfg cfg;
	char *users;		/* absolute path of the users file */
	uint64_t default_quota;
	long long min_password;
	int own_cells;		/* root, and server.run_as set: chown cells */
	uid_t cell_uid;
	gid_t cell_gid;
};

struct cu_args {
	const char *pos[2];
	int npos;
	const char *quota;
	int admin, remove_cell;
};

struct cu_cmd {
	const char *name;
	int npos;
	unsigned opts;
	int (*run)(struct cu_ctx *x, const char *cmd, const struct cu_args *a);
};

__attribute__((format(printf, 1, 2)))
static void cu_err(const char *fmt, ...)
{
	va_list ap;

	fputs("cellftpd-user: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void cu_usage(FILE *out)
{
	fputs("usage: cellftpd-user [-c CONF] add LOGIN [--quota SIZE] "
	      "[--admin]\n"
	      "       cellftpd-user [-c CONF] del LOGIN [--remove-cell]\n"
	      "       cellftpd-user [-c CONF] passwd LOGIN\n"
	      "       cellftpd-user [-c CONF] quota LOGIN SIZE|none|default\n"
	      "       cellftpd-user [-c CONF] disable|enable LOGIN\n"
	      "       cellftpd-user [-c CONF] list\n"
	      "Passwords are read from the terminal (twice), or else from the "
	      "first line\nof standard input.  Without -c, the embedded "
	      "default config of `cellftpd`\nis used, rooted in the current "
	      "folder.\n", out);
}

/* ---- the config: where the users file and the cells are ---- */

/*
 * auth_file's own settings, read through the same host API the plugin
 * uses, so both agree on paths, sizes and errors.
 */
static int cu_settings(struct cu_ctx *x, const struct cf_config *conf)
{
	const struct cf_host *h = modhost_setup(x->cfg.root, (uid_t)-1,
						(gid_t)-1, NULL);
	char users[CF_PATH_MAX], where[256];
	long long minpw = 8;
	int r;

	if (h->cfg_path(conf, "users", users, sizeof(users)) != 0) {
		cu_err("%s: auth_file needs `users`, the path of the users "
		       "file", h->cfg_where(conf, NULL, where, sizeof(where)));
		return -1;
	}
	x->users = strdup(users);
	if (x->users == NULL) {
		cu_err("out of memory");
		return -1;
	}
	x->default_quota = CF_UNLIMITED;
	if (h->cfg_size(conf, "default_quota", &x->default_quota) < 0) {
		cu_err("%s: auth_file: default_quota must be a size such as "
		       "\"500M\", or \"none\"",
		       h->cfg_where(conf, "default_quota", where, sizeof(where)));
		return -1;
	}
	r = h->cfg_int(conf, "min_password", &minpw);
	if (r < 0 || minpw < 1 || minpw > CU_PASSWORD_MAX) {
		cu_err("%s: auth_file: min_password must be a number from 1 "
		       "to %d", h->cfg_where(conf, "min_password", where,
					     sizeof(where)), CU_PASSWORD_MAX);
		return -1;
	}
	x->min_password = minpw;
	return 0;
}

static int cu_run_as(struct cu_ctx *x)
{
	struct passwd *pw;

	if (geteuid() != 0 || x->cfg.run_as == NULL || x->cfg.run_as[0] == '\0')
		return 0;
	errno = 0;
	pw = getpwnam(x->cfg.run_as);
	if (pw == NULL) {
		cu_err("%s: server.run_as: no user \"%s\"%s%s", x->cfg.path,
		       x->cfg.run_as, errno ? ": " : "",
		       errno ? strerror(errno) : "");
		return -1;
	}
	x->own_cells = 1;
	x->cell_uid = pw->pw_uid;
	x->cell_gid = pw->pw_gid;
	return 0;
}

static int cu_setup(struct cu_ctx *x, const char *conf)
{
	char err[CFG_ERR_MAX], cwd[4096];
	size_t i;
	int rc;

	if (conf != NULL) {
		rc = cfg_load(&x->cfg, conf, err, sizeof(err));
	} else if (getcwd(cwd, sizeof(cwd)) == NULL) {
		cu_err("cannot find the current folder: %s", strerror(errno));
		return -1;
	} else {
		rc = cfg_load_default(&x->cfg, cwd, CELLFTPD_MODULE_DIR, err,
				      sizeof(err));
	}
	if (rc != 0) {
		cu_err("%s", err);
		return -1;
	}
	for (i = 0; i < x->cfg.nmods; i++)
		if (strcmp(x->cfg.mods[i].name, "auth_file") == 0)
			break;
	if (i == x->cfg.nmods) {
		cu_err("%s: modules.load has no auth_file entry: its accounts "
		       "are not in a users file", x->cfg.path);
		return -1;
	}
	if (cu_settings(x, &x->cfg.mods[i].conf) != 0 || cu_run_as(x) != 0)
		return -1;
	return 0;
}

/* ---- passwords: a terminal prompt, or the first line of stdin ---- */

/* Owned by the prompt: how to give the terminal its echo back. */
static struct termios cu_tty_saved;
static volatile sig_atomic_t cu_tty_muted;

static void cu_tty_restore(int sig)
{
	if (cu_tty_muted) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &cu_tty_saved);
		cu_tty_muted = 0;
	}
	if (sig != 0) {
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

/* One line without its end; -1 at EOF or error, -2 when too long. */
static int cu_getline(char *out, size_t outlen)
{
	size_t len;

	if (fgets(out, (int)outlen, stdin) == NULL)
		return -1;
	len = strlen(out);
	if (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	else if (!feof(stdin))
		return -2;
	if (len > 0 && out[len - 1] == '\r')
		out[--len] = '\0';
	return 0;
}

static int cu_prompt(const char *prompt, char *out, size_t outlen)
{
	struct termios quiet;
	struct sigaction sa;
	int rc;

	if (tcgetattr(STDIN_FILENO, &cu_tty_saved) != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cu_tty_restore;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	quiet = cu_tty_saved;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	fputs(prompt, stderr);
	fflush(stderr);
	cu_tty_muted = 1;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
		cu_tty_muted = 0;
		return -1;
	}
	rc = cu_getline(out, outlen);
	cu_tty_restore(0);
	return rc;
}

static int cu_password(const struct cu_ctx *x, const char *login, char *out,
		       size_t outlen)
{
	char again[CU_PASSWORD_MAX + 2], prompt[96];
	int rc;

	if (isatty(STDIN_FILENO)) {
		snprintf(prompt, sizeof(prompt), "New password for %s: ",
			 login);
		rc = cu_prompt(prompt, out, outlen);
		if (rc == 0 && strlen(out) > 0) {
			rc = cu_prompt("Again: ", again, sizeof(again));
			if (rc == 0 && strcmp(out, again) != 0) {
				cu_err("the passwords do not match");
				rc = -3;
			}
			explicit_bzero(again, sizeof(again));
		}
	} else {
		rc = cu_getline(out, outlen);
	}
	if (rc == -1 && ferror(stdin))
		cu_err("cannot read the password: %s", strerror(errno));
	else if (rc == -2)
		cu_err("password too long (at most %d bytes)", CU_PASSWORD_MAX);
	else if (rc == -1 || (rc == 0 && out[0] == '\0'))
		cu_err("empty password: give it on the terminal or as the "
		       "first line of standard input");
	else if (rc == 0 && strlen(out) < (size_t)x->min_password)
		cu_err("weak password: at least %lld characters",
		       x->min_password);
	else
		return rc;
	return -1;
}

/* Read, check and hash a new password: CU_OK or CU_REFUSED. */
static int cu_new_hash(const struct cu_ctx *x, const char *login, char *hash,
		       size_t hashlen)
{
	char pw[CU_PASSWORD_MAX + 2];
	int rc = CU_REFUSED;

	if (cu_password(x, login, pw, sizeof(pw)) != 0)
		goto out;
	if (users_hash(pw, hash, hashlen) != 0) {
		cu_err("libcrypt cannot make a yescrypt hash");
		goto out;
	}
	rc = CU_OK;
out:
	explicit_bzero(pw, sizeof(pw));
	return rc;
}

/* ---- commands ---- */

static int cu_check_login(const char *login)
{
	if (users_valid_login(login))
		return CU_OK;
	cu_err("invalid login \"%s\": 1 to %d letters, digits, '.', '_' or "
	       "'-', not starting with '.' or '-'", login, USERS_LOGIN_MAX);
	return CU_REFUSED;
}

static int cu_parse_quota(const char *text, struct users_entry *e)
{
	if (strcmp(text, "default") == 0) {
		e->quota_set = 0;
		e->quota_bytes = 0;
		return CU_OK;
	}
	if (cf_size_parse(text, &e->quota_bytes) != 0) {
		cu_err("bad quota \"%s\": a size such as 500M or 2G, \"none\" "
		       "or \"default\"", text);
		return CU_USAGE;
	}
	e->quota_set = 1;
	return CU_OK;
}

/* Is there such an account?  Asked before prompting for a password. */
static int cu_expect(const struct cu_ctx *x, const char *login, int want)
{
	struct users_db db;
	char err[512];
	int found;

	if (users_load(&db, x->users, 1, err, sizeof(err)) != 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	found = users_find(&db, login) != NULL;
	users_free(&db);
	if (found == want)
		return CU_OK;
	if (found)
		cu_err("%s: login \"%s\" exists", x->users, login);
	else
		cu_err("%s: no such user \"%s\"", x->users, login);
	return CU_REFUSED;
}

static int cu_save(const struct cu_ctx *x, const struct users_db *db)
{
	char err[512];

	if (users_save_owner(db, x->users, (uid_t)-1,
			     x->own_cells ? x->cell_gid : (gid_t)-1,
			     err, sizeof(err)) != 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	return CU_OK;
}

/* Make root/<login>; *made tells whether it is new (an old one is reused). */
static int cu_make_cell(const struct cu_ctx *x, int rootfd, const char *login,
			int *made)
{
	struct stat st;

	*made = 0;
	if (mkdirat(rootfd, login, 0700) != 0) {
		if (errno == EEXIST &&
		    fstatat(rootfd, login, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISDIR(st.st_mode)) {
			cu_err("note: %s/%s exists, it becomes the cell of %s",
			       x->cfg.root, login, login);
			return CU_OK;
		}
		cu_err("cannot create the cell %s/%s: %s", x->cfg.root, login,
		       errno == EEXIST ? "it exists and is not a folder"
				       : strerror(errno));
		return CU_REFUSED;
	}
	*made = 1;
	if (x->own_cells &&
	    fchownat(rootfd, login, x->cell_uid, x->cell_gid,
		     AT_SYMLINK_NOFOLLOW) != 0) {
		cu_err("cannot give the cell %s/%s to %s: %s", x->cfg.root,
		       login, x->cfg.run_as, strerror(errno));
		return CU_REFUSED;
	}
	return CU_OK;
}

static int cu_open_root(const struct cu_ctx *x)
{
	int fd = open(x->cfg.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		cu_err("cannot open the server root %s: %s", x->cfg.root,
		       strerror(errno));
	return fd;
}

/* The locked part of add: cell first, then the account, or neither. */
/*
 * Account first, then its cell (as auth_file does): an interruption in
 * between leaves an account whose cell the server makes at start-up or at
 * the first login, never a cell without an account.
 */
static int cu_add_locked(struct cu_ctx *x, struct users_entry *e)
{
	struct users_db db;
	char err[512];
	int rootfd = -1, made = 0, rc;

	if (users_load(&db, x->users, 1, err, sizeof(err)) != 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	rc = CU_REFUSED;
	if (users_find(&db, e->login) != NULL) {
		cu_err("%s: login \"%s\" exists", x->users, e->login);
		goto out;
	}
	rootfd = cu_open_root(x);
	if (rootfd < 0)
		goto out;
	if (users_add(&db, e) != 0) {
		cu_err("out of memory");
		goto out;
	}
	rc = cu_save(x, &db);
	if (rc != CU_OK)
		goto out;
	rc = cu_make_cell(x, rootfd, e->login, &made);
	if (rc != CU_OK && (users_remove(&db, e->login) != 0 ||
			    cu_save(x, &db) != CU_OK))
		cu_err("account %s was added but has no cell", e->login);
out:
	if (rootfd >= 0)
		close(rootfd);
	users_free(&db);
	return rc;
}

static int cu_add(struct cu_ctx *x, const char *cmd, const struct cu_args *a)
{
	struct users_entry e;
	char err[512];
	int rc, lockfd;

	memset(&e, 0, sizeof(e));
	if ((rc = cu_check_login(a->pos[0])) != CU_OK ||
	    (a->quota != NULL &&
	     (rc = cu_parse_quota(a->quota, &e)) != CU_OK) ||
	    (rc = cu_expect(x, a->pos[0], 0)) != CU_OK)
		return rc;
	snprintf(e.login, sizeof(e.login), "%s", a->pos[0]);
	e.flags = a->admin ? CF_ACCT_ADMIN : 0;
	if ((rc = cu_new_hash(x, e.login, e.hash, sizeof(e.hash))) != CU_OK)
		return rc;
	lockfd = users_lock(x->users, err, sizeof(err));
	if (lockfd < 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	rc = cu_add_locked(x, &e);
	users_unlock(lockfd);
	return rc;
}

/* What a locked edit does to one existing entry. */
struct cu_change {
	const char *hash;		/* new password hash, or NULL */
	const struct users_entry *quota;	/* new quota, or NULL */
	unsigned set_flags, clear_flags;
	int remove, remove_cell;
};

static int cu_apply(struct cu_ctx *x, struct users_db *db, const char *login,
		    const struct cu_change *c)
{
	struct users_entry *e = users_find(db, login);

	if (e == NULL) {
		cu_err("%s: no such user \"%s\"", x->users, login);
		return CU_REFUSED;
	}
	if (c->remove)
		return users_remove(db, login) == 0 ? CU_OK : CU_REFUSED;
	if (c->hash != NULL)
		snprintf(e->hash, sizeof(e->hash), "%s", c->hash);
	if (c->quota != NULL) {
		e->quota_set = c->quota->quota_set;
		e->quota_bytes = c->quota->quota_bytes;
	}
	e->flags = (e->flags | c->set_flags) & ~c->clear_flags;
	return CU_OK;
}

static int cu_remove_cell(const struct cu_ctx *x, const char *login)
{
	char err[512];
	int fd = cu_open_root(x), rc = CU_OK;

	if (fd < 0)
		return CU_REFUSED;
	if (users_remove_tree(fd, login, err, sizeof(err)) != 0) {
		cu_err("%s deleted, but not its cell %s/%s: %s", login,
		       x->cfg.root, login, err);
		rc = CU_REFUSED;
	}
	close(fd);
	return rc;
}

static int cu_edit(struct cu_ctx *x, const char *login,
		   const struct cu_change *c)
{
	struct users_db db;
	char err[512];
	int lockfd, rc;

	if ((rc = cu_check_login(login)) != CU_OK)
		return rc;
	lockfd = users_lock(x->users, err, sizeof(err));
	if (lockfd < 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	rc = CU_REFUSED;
	if (users_load(&db, x->users, 1, err, sizeof(err)) != 0) {
		cu_err("%s", err);
		goto unlock;
	}
	rc = cu_apply(x, &db, login, c);
	if (rc == CU_OK)
		rc = cu_save(x, &db);
	/* under the lock, so nobody re-creates the login meanwhile */
	if (rc == CU_OK && c->remove_cell)
		rc = cu_remove_cell(x, login);
	users_free(&db);
unlock:
	users_unlock(lockfd);
	return rc;
}

static int cu_del(struct cu_ctx *x, const char *cmd, const struct cu_args *a)
{
	struct cu_change c = { .remove = 1, .remove_cell = a->remove_cell };

	return cu_edit(x, a->pos[0], &c);
}

static int cu_passwd(struct cu_ctx *x, const char *cmd,
		     const struct cu_args *a)
{
	char hash[USERS_HASH_MAX];
	struct cu_change c = { .hash = hash };
	int rc;

	if ((rc = cu_check_login(a->pos[0])) != CU_OK ||
	    (rc = cu_expect(x, a->pos[0], 1)) != CU_OK ||
	    (rc = cu_new_hash(x, a->pos[0], hash, sizeof(hash))) != CU_OK)
		return rc;
	return cu_edit(x, a->pos[0], &c);
}

static int cu_quota(struct cu_ctx *x, const char *cmd, const struct cu_args *a)
{
	struct users_entry q;
	struct cu_change c = { .quota = &q };
	int rc;

	memset(&q, 0, sizeof(q));
	if ((rc = cu_parse_quota(a->pos[1], &q)) != CU_OK)
		return rc;
	return cu_edit(x, a->pos[0], &c);
}

static int cu_able(struct cu_ctx *x, const char *cmd, const struct cu_args *a)
{
	struct cu_change c = { 0 };

	if (strcmp(cmd, "disable") == 0)
		c.set_flags = CF_ACCT_DISABLED;
	else
		c.clear_flags = CF_ACCT_DISABLED;
	return cu_edit(x, a->pos[0], &c);
}

static int cu_list(struct cu_ctx *x, const char *cmd, const struct cu_args *a)
{
	struct users_db db;
	const struct users_entry *e;
	char err[512], size[32], quota[48];
	size_t i;
	int w = 5;

	if (users_load(&db, x->users, 1, err, sizeof(err)) != 0) {
		cu_err("%s", err);
		return CU_REFUSED;
	}
	for (i = 0; i < db.n; i++)
		if ((int)strlen(db.v[i].login) > w)
			w = (int)strlen(db.v[i].login);
	printf("%-*s  %-16s  %s\n", w, "LOGIN", "QUOTA", "FLAGS");
	for (i = 0; i < db.n; i++) {
		e = &db.v[i];
		users_size_text(e->quota_set ? e->quota_bytes
					     : x->default_quota,
				size, sizeof(size));
		snprintf(quota, sizeof(quota), e->quota_set ? "%s"
			 : "%s (default)", size);
		printf("%-*s  %-16s  %s\n", w, e->login, quota,
		       users_flags_text(e->flags));
	}
	users_free(&db);
	if (fflush(stdout) != 0) {
		cu_err("cannot write the list: %s", strerror(errno));
		return CU_REFUSED;
	}
	return CU_OK;
}

static const struct cu_cmd cu_cmds[] = {
	{ "add", 1, CU_OPT_QUOTA | CU_OPT_ADMIN, cu_add },
	{ "del", 1, CU_OPT_REMOVE_CELL, cu_del },
	{ "passwd", 1, 0, cu_passwd },
	{ "quota", 2, 0, cu_quota },
	{ "disable", 1, 0, cu_able },
	{ "enable", 1, 0, cu_able },
	{ "list", 0, 0, cu_list },
};

/* ---- command line ---- */

static int cu_parse_args(const struct cu_cmd *cmd, int argc, char **argv,
			 struct cu_args *a)
{
	int i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < argc; i++) {
		if ((cmd->opts & CU_OPT_QUOTA) &&
		    strncmp(argv[i], "--quota=", 8) == 0) {
			a->quota = argv[i] + 8;
		} else if ((cmd->opts & CU_OPT_QUOTA) &&
			   strcmp(argv[i], "--quota") == 0) {
			if (++i == argc) {
				cu_err("--quota needs a size");
				return -1;
			}
			a->quota = argv[i];
		} else if ((cmd->opts & CU_OPT_ADMIN) &&
			   strcmp(argv[i], "--admin") == 0) {
			a->admin = 1;
		} else if ((cmd->opts & CU_OPT_REMOVE_CELL) &&
			   strcmp(argv[i], "--remove-cell") == 0) {
			a->remove_cell = 1;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			cu_err("%s: unknown option %s", cmd->name, argv[i]);
			return -1;
		} else if (a->npos == cmd->npos) {
			cu_err("%s: unexpected argument \"%s\"", cmd->name,
			       argv[i]);
			return -1;
		} else {
			a->pos[a->npos++] = argv[i];
		}
	}
	if (a->npos != cmd->npos) {
		cu_err("%s: missing argument", cmd->name);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct cu_cmd *cmd = NULL;
	const char *conf = NULL;
	struct cu_ctx x;
	struct cu_args a;
	size_t n;
	int i = 1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0) {
			cu_usage(stdout);
			return CU_OK;
		} else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc) {
			conf = argv[++i];
		} else if (strncmp(argv[i], "-c", 2) == 0 && argv[i][2]) {
			conf = argv[i] + 2;
		} else {
			cu_err("unknown option %s", argv[i]);
			cu_usage(stderr);
			return CU_USAGE;
		}
	}
	for (n = 0; i < argc && n < sizeof(cu_cmds) / sizeof(cu_cmds[0]); n++)
		if (strcmp(argv[i], cu_cmds[n].name) == 0)
			cmd = &cu_cmds[n];
	if (cmd == NULL) {
		if (i < argc)
			cu_err("unknown command \"%s\"", argv[i]);
		cu_usage(stderr);
		return CU_USAGE;
	}
	if (cu_parse_args(cmd, argc - i - 1, argv + i + 1, &a) != 0) {
		cu_usage(stderr);
		return CU_USAGE;
	}
	memset(&x, 0, sizeof(x));
	rc = CU_USAGE;
	if (cu_setup(&x, conf) == 0)
		rc = cmd->run(&x, cmd->name, &a);
	free(x.users);
	cfg_free(&x.cfg);
	return rc;
}
