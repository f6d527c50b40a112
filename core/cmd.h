/*
 * The command table and dispatcher, and the handlers it names (grouped in
 * cmd_auth.c, cmd_info.c, cmd_fs.c, cmd_xfer.c).
 */
#ifndef CORE_CMD_H
#define CORE_CMD_H

#include <stddef.h>

struct sess;

#define CMD_AUTH 0x1	/* only after login */
#define CMD_ARG  0x2	/* argument required */
#define CMD_XFER 0x4	/* answered at once even during a transfer */
#define CMD_PATH 0x8	/* argument is a path */
#define CMD_SECRET 0x10	/* may carry a password: tls.require login */
#define CMD_DATA 0x20	/* opens a data connection: tls.require all */

struct cmd {
	const char *name;
	void (*fn)(struct sess *s, char *arg);
	unsigned flags;
	const char *help;
};

/* Run one complete command line (no line end; may contain NUL bytes). */
void cmd_dispatch(struct sess *s, char *line, size_t len);

/* The table, for HELP. */
const struct cmd *cmd_table(size_t *n);

/* Resolve a client path against the cwd; replies 550/553 itself on error. */
int cmd_vpath(struct sess *s, const char *arg, char *out, size_t outlen);

/* Reply for a failed file operation, from its errno, naming the vpath;
 * returns the reply code sent. */
int cmd_fail(struct sess *s, int err, const char *vpath);

/*
 * List vpath on the blocking pool, then send it over the data connection
 * (LIST/NLST/MLSD) or, with to_control, as a 213 reply (STAT path).
 */
void cmd_list_start(struct sess *s, const char *vpath, int fmt, int all,
		    int to_control);

/* cmd_auth.c */
void cmd_user(struct sess *s, char *arg);
void cmd_pass(struct sess *s, char *arg);
void cmd_quit(struct sess *s, char *arg);
void cmd_rein(struct sess *s, char *arg);
void cmd_acct(struct sess *s, char *arg);
void cmd_login_delay_done(struct sess *s);

/* cmd_info.c */
void cmd_noop(struct sess *s, char *arg);
void cmd_syst(struct sess *s, char *arg);
void cmd_feat(struct sess *s, char *arg);
void cmd_opts(struct sess *s, char *arg);
void cmd_help(struct sess *s, char *arg);
void cmd_stat(struct sess *s, char *arg);
void cmd_type(struct sess *s, char *arg);
void cmd_mode(struct sess *s, char *arg);
void cmd_stru(struct sess *s, char *arg);
void cmd_allo(struct sess *s, char *arg);
void cmd_rest(struct sess *s, char *arg);
void cmd_site(struct sess *s, char *arg);

/* cmd_fs.c */
void cmd_pwd(struct sess *s, char *arg);
void cmd_cwd(struct sess *s, char *arg);
void cmd_cdup(struct sess *s, char *arg);
void cmd_mkd(struct sess *s, char *arg);
void cmd_rmd(struct sess *s, char *arg);
void cmd_dele(struct sess *s, char *arg);
void cmd_rnfr(struct sess *s, char *arg);
void cmd_rnto(struct sess *s, char *arg);
void cmd_size(struct sess *s, char *arg);
void cmd_mdtm(struct sess *s, char *arg);
void cmd_mfmt(struct sess *s, char *arg);
void cmd_mlst(struct sess *s, char *arg);
void cmd_avbl(struct sess *s, char *arg);

/* cmd_xfer.c */
void cmd_pasv(struct sess *s, char *arg);
void cmd_epsv(struct sess *s, char *arg);
void cmd_port(struct sess *s, char *arg);
void cmd_eprt(struct sess *s, char *arg);
void cmd_list(struct sess *s, char *arg);
void cmd_nlst(struct sess *s, char *arg);
void cmd_mlsd(struct sess *s, char *arg);
void cmd_retr(struct sess *s, char *arg);
void cmd_stor(struct sess *s, char *arg);
void cmd_stou(struct sess *s, char *arg);
void cmd_appe(struct sess *s, char *arg);
void cmd_abor(struct sess *s, char *arg);

#endif
