/*
 * Command dispatch: find the verb, apply the rules every command shares
 * (login, argument, transfer in progress, RNFR/RNTO pairing), log it with
 * passwords masked, then call the handler.
 */
#include "cmd.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "sess.h"
#include "sess_tls.h"
#include "site.h"
#include "vfs/vfs.h"

/* Sorted by name: looked up with bsearch. */
static const struct cmd cmds[] = {
	{ "ABOR", cmd_abor, CMD_XFER, "abort the transfer" },
	{ "ACCT", cmd_acct, 0, "account (not needed)" },
	{ "ALLO", cmd_allo, CMD_AUTH, "allocate (not needed)" },
	{ "APPE", cmd_appe, CMD_AUTH | CMD_ARG | CMD_PATH | CMD_DATA,
	  "append to a file" },
	{ "AUTH", cmd_auth_tls, CMD_ARG, "start TLS (AUTH TLS)" },
	{ "AVBL", cmd_avbl, CMD_AUTH | CMD_PATH, "bytes free for uploads" },
	{ "CDUP", cmd_cdup, CMD_AUTH, "go to the parent directory" },
	{ "CWD", cmd_cwd, CMD_AUTH | CMD_ARG | CMD_PATH, "change directory" },
	{ "DELE", cmd_dele, CMD_AUTH | CMD_ARG | CMD_PATH, "delete a file" },
	{ "EPRT", cmd_eprt, CMD_AUTH | CMD_ARG, "extended active mode" },
	{ "EPSV", cmd_epsv, CMD_AUTH, "extended passive mode" },
	{ "FEAT", cmd_feat, 0, "list extensions" },
	{ "HELP", cmd_help, 0, "this help" },
	{ "LIST", cmd_list, CMD_AUTH | CMD_PATH | CMD_DATA, "list a directory" },
	{ "MDTM", cmd_mdtm, CMD_AUTH | CMD_ARG | CMD_PATH, "modification time" },
	{ "MFMT", cmd_mfmt, CMD_AUTH | CMD_ARG | CMD_PATH, "set modification time" },
	{ "MKD", cmd_mkd, CMD_AUTH | CMD_ARG | CMD_PATH, "make a directory" },
	{ "MLSD", cmd_mlsd, CMD_AUTH | CMD_PATH | CMD_DATA,
	  "machine listing of a directory" },
	{ "MLST", cmd_mlst, CMD_AUTH | CMD_PATH, "machine facts of one entry" },
	{ "MODE", cmd_mode, CMD_ARG, "transfer mode (S)" },
	{ "NLST", cmd_nlst, CMD_AUTH | CMD_PATH | CMD_DATA, "list names" },
	{ "NOOP", cmd_noop, CMD_XFER, "do nothing" },
	{ "OPTS", cmd_opts, CMD_ARG, "options (UTF8, MLST)" },
	{ "PASS", cmd_pass, CMD_SECRET, "password" },
	{ "PASV", cmd_pasv, CMD_AUTH, "passive mode" },
	{ "PBSZ", cmd_pbsz, CMD_ARG, "protection buffer size (0)" },
	{ "PORT", cmd_port, CMD_AUTH | CMD_ARG, "active mode" },
	{ "PROT", cmd_prot, CMD_ARG, "data protection (C, P)" },
	{ "PWD", cmd_pwd, CMD_AUTH, "print the directory" },
	{ "QUIT", cmd_quit, CMD_XFER, "log out" },
	{ "REIN", cmd_rein, 0, "reinitialize (not implemented)" },
	{ "REST", cmd_rest, CMD_AUTH | CMD_ARG, "restart offset" },
	{ "RETR", cmd_retr, CMD_AUTH | CMD_ARG | CMD_PATH | CMD_DATA, "download" },
	{ "RMD", cmd_rmd, CMD_AUTH | CMD_ARG | CMD_PATH, "remove a directory" },
	{ "RNFR", cmd_rnfr, CMD_AUTH | CMD_ARG | CMD_PATH, "rename from" },
	{ "RNTO", cmd_rnto, CMD_AUTH | CMD_ARG | CMD_PATH, "rename to" },
	{ "SITE", cmd_site, CMD_SECRET, "site commands (SITE HELP)" },
	{ "SIZE", cmd_size, CMD_AUTH | CMD_ARG | CMD_PATH, "file size" },
	{ "STAT", cmd_stat, CMD_XFER | CMD_PATH, "status" },
	{ "STOR", cmd_stor, CMD_AUTH | CMD_ARG | CMD_PATH | CMD_DATA, "upload" },
	{ "STOU", cmd_stou, CMD_AUTH | CMD_PATH | CMD_DATA,
	  "upload to a unique name" },
	{ "STRU", cmd_stru, CMD_ARG, "file structure (F)" },
	{ "SYST", cmd_syst, 0, "system type" },
	{ "TYPE", cmd_type, CMD_ARG, "representation type (A, I, L 8)" },
	{ "USER", cmd_user, CMD_ARG | CMD_SECRET, "user name" },
	{ "XCUP", cmd_cdup, CMD_AUTH, "CDUP" },
	{ "XCWD", cmd_cwd, CMD_AUTH | CMD_ARG | CMD_PATH, "CWD" },
	{ "XMKD", cmd_mkd, CMD_AUTH | CMD_ARG | CMD_PATH, "MKD" },
	{ "XPWD", cmd_pwd, CMD_AUTH, "PWD" },
	{ "XRMD", cmd_rmd, CMD_AUTH | CMD_ARG | CMD_PATH, "RMD" },
};

#define NCMDS (sizeof(cmds) / sizeof(cmds[0]))

/* Verbs of RFC 959 we know but do not offer: 502, not 500. */
static const char *const unimplemented[] = { "CCC", "SMNT", NULL };

const struct cmd *cmd_table(size_t *n)
{
	*n = NCMDS;
	return cmds;
}

static int cmd_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct cmd *)elem)->name);
}

static void log_command(struct sess *s, const char *verb, const char *arg)
{
	struct cf_log_event ev = { .type = CF_EV_COMMAND, .action = verb };
	char masked[512];

	/* a password never travels further than this function */
	ev.detail = arg;
	if (strcmp(verb, "PASS") == 0 && arg != NULL) {
		ev.detail = "********";
	} else if (strcmp(verb, "SITE") == 0 && arg != NULL) {
		site_mask(arg, s->is_admin, masked, sizeof(masked));
		ev.detail = masked;
	}
	sess_log_event(s, &ev);
}

/* During a transfer only a few commands are answered; keep the rest. */
static int defer_during_xfer(struct sess *s, const char *line, size_t len)
{
	s->deferred = strndup(line, len);
	if (s->deferred == NULL) {
		sess_close(s, "out of memory");
		return 1;
	}
	s->reading = 0;
	return 1;
}

static int peek_flags(const char *line, size_t len)
{
	char verb[9];
	const struct cmd *c;
	size_t i;

	for (i = 0; i < len && i < 8 && line[i] != ' '; i++)
		verb[i] = (char)((line[i] >= 'a' && line[i] <= 'z') ?
				 line[i] - 32 : line[i]);
	verb[i] = '\0';
	c = bsearch(verb, cmds, NCMDS, sizeof(cmds[0]), cmd_cmp);
	return c ? (int)c->flags : 0;
}

void cmd_dispatch(struct sess *s, char *line, size_t len)
{
	const struct cmd *c;
	char *verb, *arg;

	if (s->state == SS_XFER && !(peek_flags(line, len) & CMD_XFER)) {
		defer_during_xfer(s, line, len);
		return;
	}
	/* every command counts as activity: the idle timeout, SITE WHO */
	s->last_cmd_ms = wk_now();
	if (s->state == SS_CMD && s->logged_in)
		sess_timer_state(s);
	/* a NUL would cut what the handler sees short of what was sent */
	if (memchr(line, '\0', len) != NULL) {
		sess_reply(s, 501, "Syntax error: NUL byte in command.");
		return;
	}
	if (proto_split(line, &verb, &arg) != 0) {
		sess_reply(s, 500, "Syntax error, command unrecognized.");
		return;
	}
	log_command(s, verb, arg);
	c = bsearch(verb, cmds, NCMDS, sizeof(cmds[0]), cmd_cmp);
	if (c == NULL) {
		for (int i = 0; unimplemented[i] != NULL; i++)
			if (strcmp(verb, unimplemented[i]) == 0) {
				sess_reply(s, 502, "Command not implemented.");
				return;
			}
		sess_reply(s, 500, "Unknown command.");
		return;
	}
	s->cmd_name = c->name;
	if ((c->flags & CMD_AUTH) && !s->logged_in) {
		sess_reply(s, 530, "Please login with USER and PASS.");
		return;
	}
	if ((c->flags & (CMD_SECRET | CMD_DATA)) &&
	    sess_tls_allow(s, c->flags & CMD_SECRET, c->flags & CMD_DATA) != 0)
		return;
	if ((c->flags & CMD_ARG) && arg == NULL) {
		sess_reply(s, 501, "Syntax error in parameters or arguments.");
		return;
	}
	if ((c->flags & CMD_PATH) && arg != NULL &&
	    !proto_arg_clean(arg, strlen(arg))) {
		sess_reply(s, 501, "Invalid character in file name.");
		return;
	}
	/* RNTO must come right after RNFR (RFC 959 4.1.3) */
	if (s->rnfr != NULL && c->fn != cmd_rnto) {
		free(s->rnfr);
		s->rnfr = NULL;
	}
	c->fn(s, arg);
}

int cmd_vpath(struct sess *s, const char *arg, char *out, size_t outlen)
{
	int r = vpath_join(s->cwd, arg, out, outlen);

	if (r == -ENAMETOOLONG)
		sess_reply(s, 553, "File name too long.");
	else if (r != 0)
		sess_reply(s, 553, "File name not allowed.");
	return r;
}

int cmd_fail(struct sess *s, int err, const char *vpath)
{
	int code = 550;

	if (err < 0)
		err = -err;
	switch (err) {
	case ENOENT:
		sess_reply(s, 550, "%s: No such file or directory.", vpath);
		break;
	case EEXIST:
		sess_reply(s, 550, "%s: File exists.", vpath);
		break;
	case ENOTDIR:
		sess_reply(s, 550, "%s: Not a directory.", vpath);
		break;
	case EISDIR:
		sess_reply(s, 550, "%s: Is a directory.", vpath);
		break;
	case ENOTEMPTY:
		sess_reply(s, 550, "%s: Directory not empty.", vpath);
		break;
	case ELOOP:
		sess_reply(s, 550, "%s: Symbolic link not followed.", vpath);
		break;
	case ENAMETOOLONG:
		code = 553;
		sess_reply(s, 553, "File name too long.");
		break;
	case ENOSPC:
		code = 452;
		sess_reply(s, 452, "Insufficient storage space.");
		break;
	case EDQUOT:
		code = 552;
		sess_reply(s, 552, "Exceeded storage allocation.");
		break;
	case EACCES:
	case EPERM:
	case EBUSY:
	case EINVAL:
	case EXDEV:
		sess_reply(s, 550, "%s: Permission denied.", vpath);
		break;
	default:
		code = 451;
		sess_reply(s, 451, "Requested action aborted: local error.");
		break;
	}
	return code;
}
