/*
 * Commands that describe or set session parameters: NOOP SYST FEAT OPTS
 * HELP STAT TYPE MODE STRU ALLO REST SITE.  None of them touch the disk,
 * except STAT with a path, which lists through the blocking pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "buf.h"
#include "cmd.h"
#include "quota.h"
#include "sess.h"
#include "sess_tls.h"
#include "srv.h"
#include "xfer.h"
#include "vfs/vfs.h"

void cmd_noop(struct sess *s, char *arg)
{
	(void)arg;
	sess_reply(s, 200, "NOOP ok.");
}

void cmd_syst(struct sess *s, char *arg)
{
	(void)arg;
	sess_reply(s, 215, "UNIX Type: L8");
}

/* In the order of the VFS_FACT_* bits: fact i is bit 1 << i. */
static const char *const mlst_facts[] = {
	"type", "size", "modify", "perm", "unique", NULL
};

/* RFC 2389: one feature per line, each indented by one space; the MLST
 * facts this session receives carry a '*' (RFC 3659 7.8). */
void cmd_feat(struct sess *s, char *arg)
{
	struct buf b;

	(void)arg;
	buf_init(&b, 0);
	buf_puts(&b, "Features:\n");
	buf_puts(&b, sess_tls_feat(s));
	if (qt_active(s->w->srv))
		buf_puts(&b, " AVBL\n");
	buf_puts(&b, " EPRT\n EPSV\n MDTM\n MFMT\n MLST ");
	for (unsigned i = 0; mlst_facts[i] != NULL; i++)
		buf_printf(&b, "%s%s;", mlst_facts[i],
			   s->facts_off & (1u << i) ? "" : "*");
	buf_puts(&b, "\n PASV\n REST STREAM\n SIZE\n TVFS\n UTF8\nEnd");
	sess_reply_text(s, 211, b.failed ? "Out of memory." : b.p);
	buf_free(&b);
}

/* OPTS MLST: answer with the facts we know among those asked for. */
static void opts_mlst(struct sess *s, const char *facts)
{
	char out[128] = "", want[256];
	char *save = NULL;
	unsigned seen = 0;

	snprintf(want, sizeof(want), "%s", facts ? facts : "");
	for (char *f = strtok_r(want, ";", &save); f != NULL;
	     f = strtok_r(NULL, ";", &save))
		for (unsigned i = 0; mlst_facts[i] != NULL; i++)
			if (strcasecmp(f, mlst_facts[i]) == 0)
				seen |= 1u << i;
	/* in our order, each once: the answer cannot outgrow `out` */
	for (unsigned i = 0; mlst_facts[i] != NULL; i++)
		if (seen & (1u << i)) {
			strcat(out, mlst_facts[i]);
			strcat(out, ";");
		}
	s->facts_off = VFS_FACTS_ALL & ~seen;
	sess_reply(s, 200, "MLST OPTS %s", out);
}

void cmd_opts(struct sess *s, char *arg)
{
	char *rest = strchr(arg, ' ');

	if (rest != NULL)
		*rest++ = '\0';
	if (strcasecmp(arg, "UTF8") == 0) {
		if (rest == NULL || strcasecmp(rest, "ON") == 0)
			sess_reply(s, 200, "Always in UTF8 mode.");
		else
			sess_reply(s, 504, "UTF8 cannot be turned off.");
		return;
	}
	if (strcasecmp(arg, "MLST") == 0) {
		opts_mlst(s, rest);
		return;
	}
	sess_reply(s, 501, "Option not understood.");
}

void cmd_help(struct sess *s, char *arg)
{
	size_t n;
	const struct cmd *c = cmd_table(&n);
	struct buf b;

	if (arg != NULL) {
		for (size_t i = 0; i < n; i++)
			if (strcasecmp(arg, c[i].name) == 0) {
				sess_reply(s, 214, "%s: %s.", c[i].name, c[i].help);
				return;
			}
		sess_reply(s, 502, "Unknown command %s.", arg);
		return;
	}
	buf_init(&b, 0);
	buf_puts(&b, "The following commands are recognized:");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%-5s", i % 8 == 0 ? "\n " : " ", c[i].name);
	buf_puts(&b, "\nHelp OK.");
	if (b.failed)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply_text(s, 214, b.p);
	buf_free(&b);
}

static void stat_server(struct sess *s)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "cellftpd status:\n     Connected to %s\n",
		   s->peer_text);
	if (s->logged_in)
		buf_printf(&b, "     Logged in as %s\n", s->login);
	else
		buf_puts(&b, "     Not logged in\n");
	buf_printf(&b, "     TYPE: %s, STRUcture: File, MODE: Stream\n",
		   s->ascii ? "ASCII" : "BINARY");
	buf_printf(&b, "     Data connection: %s\n",
		   s->dmode == DM_PASV ? "passive" :
		   s->dmode == DM_PORT ? "active" : "none");
	buf_puts(&b, "End of status");
	if (b.failed)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply_text(s, 211, b.p);
	buf_free(&b);
}

void cmd_stat(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (s->state == SS_XFER && s->xfer != NULL) {
		struct buf b;

		buf_init(&b, 0);
		xfer_status(s, &b);
		sess_reply_text(s, 213, b.failed ? "Transfer in progress." : b.p);
		buf_free(&b);
		return;
	}
	if (arg == NULL) {
		stat_server(s);
		return;
	}
	if (!s->logged_in) {
		sess_reply(s, 530, "Please login with USER and PASS.");
		return;
	}
	/* STAT takes `ls` options like LIST does */
	while (arg[0] == '-' && arg[1] != '\0') {
		char *sp = strchr(arg, ' ');

		arg = sp ? sp + 1 : arg + strlen(arg);
	}
	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	cmd_list_start(s, vpath, VFS_LIST_LS, 1, 1);
}

void cmd_type(struct sess *s, char *arg)
{
	if (strcasecmp(arg, "I") == 0 || strcasecmp(arg, "L 8") == 0 ||
	    strcasecmp(arg, "L8") == 0) {
		s->ascii = 0;
		sess_reply(s, 200, "Switching to Binary mode.");
	} else if (strcasecmp(arg, "A") == 0 || strcasecmp(arg, "A N") == 0) {
		s->ascii = 1;
		sess_reply(s, 200, "Switching to ASCII mode.");
	} else if (strchr("AaEeLl", arg[0]) != NULL) {
		sess_reply(s, 504, "Type not implemented for that parameter.");
	} else {
		sess_reply(s, 501, "Unrecognised TYPE command.");
	}
}

void cmd_mode(struct sess *s, char *arg)
{
	if (strcasecmp(arg, "S") == 0)
		sess_reply(s, 200, "Mode set to S.");
	else if (strcasecmp(arg, "B") == 0 || strcasecmp(arg, "C") == 0)
		sess_reply(s, 504, "Only stream mode is supported.");
	else
		sess_reply(s, 501, "Unrecognised MODE.");
}

void cmd_stru(struct sess *s, char *arg)
{
	if (strcasecmp(arg, "F") == 0)
		sess_reply(s, 200, "Structure set to F.");
	else if (strcasecmp(arg, "R") == 0 || strcasecmp(arg, "P") == 0)
		sess_reply(s, 504, "Only file structure is supported.");
	else
		sess_reply(s, 501, "Unrecognised STRU.");
}

void cmd_allo(struct sess *s, char *arg)
{
	(void)arg;
	sess_reply(s, 202, "ALLO command ignored.");
}

void cmd_rest(struct sess *s, char *arg)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (arg[0] < '0' || arg[0] > '9')
		goto bad;
	v = strtoull(arg, &end, 10);
	if (errno != 0 || *end != '\0' || v > (unsigned long long)INT64_MAX)
		goto bad;
	s->rest = v;
	sess_reply(s, 350, "Restart position accepted (%llu).", v);
	return;
bad:
	sess_reply(s, 501, "REST requires a non-negative byte offset.");
}
