/*
 * Data-channel commands: PASV EPSV PORT EPRT set the channel up; LIST NLST
 * MLSD RETR STOR STOU APPE start a transfer (listings are built on the
 * blocking pool first); ABOR stops one.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "data.h"
#include "dataaddr.h"
#include "fsop.h"
#include "io.h"
#include "sess.h"
#include "srv.h"
#include "xfer.h"
#include "vfs/vfs.h"

#define LIST_MAX_BYTES (64u * 1024 * 1024)	/* a listing never grows past this */
#define STOU_TRIES 100

static int ctl_is_v6(const struct sess *s)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&s->local;

	return s->local.ss_family == AF_INET6 &&
	       !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
}

/* Channel setup ------------------------------------------------------- */

void cmd_pasv(struct sess *s, char *arg)
{
	const struct settings *set = s->w->set;
	struct sockaddr_storage shown;
	char text[96];
	unsigned port;
	int r;

	(void)arg;
	if (s->epsv_all) {
		sess_reply(s, 503, "PASV not allowed after EPSV ALL.");
		return;
	}
	r = data_pasv(s, 0, &port);
	if (r == -EAFNOSUPPORT) {
		sess_reply(s, 522, "PASV is IPv4 only: use EPSV.");
		return;
	}
	if (r != 0) {
		sess_reply(s, 425, "Cannot open passive connection.");
		return;
	}
	shown = set->pasv_addr.ss_family ? set->pasv_addr : s->local;
	if (shown.ss_family == AF_INET)
		((struct sockaddr_in *)&shown)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&shown)->sin6_port = htons((uint16_t)port);
	if (da_format_pasv(&shown, text, sizeof(text)) != 0) {
		data_close(s);
		sess_reply(s, 522, "PASV is IPv4 only: use EPSV.");
		return;
	}
	sess_reply(s, 227, "%s", text);
}

void cmd_epsv(struct sess *s, char *arg)
{
	char text[96];
	unsigned port;
	int proto = da_parse_epsv(arg);

	if (proto == -1) {
		sess_reply(s, 501, "Syntax error in EPSV argument.");
		return;
	}
	if (proto == -2 || (proto == 1 && ctl_is_v6(s)) ||
	    (proto == 2 && !ctl_is_v6(s))) {
		sess_reply(s, 522, "Network protocol not supported, use (%d)",
			   ctl_is_v6(s) ? 2 : 1);
		return;
	}
	if (proto == 'A') {
		s->epsv_all = 1;
		sess_reply(s, 200, "EPSV ALL ok.");
		return;
	}
	if (data_pasv(s, 1, &port) != 0) {
		sess_reply(s, 425, "Cannot open passive connection.");
		return;
	}
	da_format_epsv(port, text, sizeof(text));
	sess_reply(s, 229, "%s", text);
}

static void set_port(struct sess *s, const struct sockaddr_storage *ss,
		     socklen_t len, const char *verb)
{
	int r = data_port(s, ss, len);

	if (r == -EPERM)
		sess_reply(s, 500, "Illegal %s command: not your address.", verb);
	else if (r == -EACCES)
		sess_reply(s, 500, "Illegal %s command: privileged port.", verb);
	else if (r != 0)
		sess_reply(s, 425, "Cannot use that address.");
	else
		sess_reply(s, 200, "%s command successful.", verb);
}

void cmd_port(struct sess *s, char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (s->epsv_all) {
		sess_reply(s, 503, "PORT not allowed after EPSV ALL.");
		return;
	}
	if (da_parse_port(arg, &ss, &len) != 0) {
		sess_reply(s, 501, "Illegal PORT command.");
		return;
	}
	set_port(s, &ss, len, "PORT");
}

void cmd_eprt(struct sess *s, char *arg)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int r;

	if (s->epsv_all) {
		sess_reply(s, 503, "EPRT not allowed after EPSV ALL.");
		return;
	}
	r = da_parse_eprt(arg, &ss, &len);
	if (r == -2) {
		sess_reply(s, 522, "Network protocol not supported, use (1,2)");
		return;
	}
	if (r != 0) {
		sess_reply(s, 501, "Illegal EPRT command.");
		return;
	}
	set_port(s, &ss, len, "EPRT");
}

static int need_channel(struct sess *s)
{
	if (s->dmode != DM_NONE)
		return 0;
	sess_reply(s, 425, "Use PORT or PASV first.");
	return -1;
}

static struct xfer *xfer_new(enum xfer_kind kind, const char *verb,
			     const char *vpath)
{
	struct xfer *x = calloc(1, sizeof(*x));

	if (x == NULL)
		return NULL;
	x->kind = kind;
	x->fd = -1;
	x->pipe[0] = x->pipe[1] = -1;
	snprintf(x->verb, sizeof(x->verb), "%s", verb);
	x->vpath = strdup(vpath);
	if (x->vpath == NULL) {
		free(x);
		return NULL;
	}
	return x;
}

/* Listings ------------------------------------------------------------ */

struct list_job {
	struct job job;
	struct sess *s;
	struct vfs_cell cell;	/* a dup: the session may close its own */
	char vpath[VFS_PATH_MAX];
	enum vfs_list_fmt fmt;
	struct vfs_list_opts opts;
	int to_control;
	int need_dir;	/* MLSD: a name that is not a directory is 501 */
	int result;
	struct buf out;
};

static void list_run(struct job *j)
{
	struct list_job *l = (struct list_job *)j;
	struct stat st;

	if (l->need_dir && vc_stat(&l->cell, l->vpath, &st) == 0 &&
	    !S_ISDIR(st.st_mode))
		l->result = -ENOTDIR;
	else
		l->result = vc_list(&l->cell, l->vpath, l->fmt, &l->opts,
				    &l->out);
	if (l->result == 0 && l->out.failed)
		l->result = -ENOMEM;
	vc_close(&l->cell);
}

static void list_reply_control(struct sess *s, struct list_job *l)
{
	struct buf b;

	buf_init(&b, 0);
	buf_printf(&b, "Status of %s:\n", l->vpath);
	/* the listing's CRLFs become the reply's line breaks */
	for (size_t i = 0; i < l->out.len; i++)
		if (l->out.p[i] != '\r')
			buf_append(&b, &l->out.p[i], 1);
	buf_puts(&b, "End of status");
	sess_reply_text(s, 213, b.failed ? "Out of memory." : b.p);
	buf_free(&b);
}

static void list_done(struct job *j)
{
	struct list_job *l = (struct list_job *)j;
	struct sess *s = l->s;
	struct xfer *x;

	s->jobs--;
	if (s->dead)
		goto out;
	if (l->result != 0) {
		/* RFC 3659 7.2.1: MLSD of something not a directory is 501 */
		if (l->need_dir && l->result == -ENOTDIR)
			sess_reply(s, 501, "%s: Not a directory.", l->vpath);
		else
			cmd_fail(s, l->result, l->vpath);
		sess_resume(s);
		goto out;
	}
	if (l->to_control) {
		list_reply_control(s, l);
		sess_resume(s);
		goto out;
	}
	x = xfer_new(XK_LIST, l->fmt == VFS_LIST_MLSD ? "MLSD" :
		     l->fmt == VFS_LIST_NLST ? "NLST" : "LIST", l->vpath);
	if (x == NULL) {
		sess_reply(s, 451, "Out of memory.");
		sess_resume(s);
		goto out;
	}
	x->mem = l->out;	/* the listing moves into the transfer */
	memset(&l->out, 0, sizeof(l->out));
	x->ascii = 0;		/* listings are already CRLF text */
	xfer_start(s, x, "Here comes the directory listing.");
out:
	buf_free(&l->out);
	free(l);
}

void cmd_list_start(struct sess *s, const char *vpath, int fmt, int all,
		    int to_control)
{
	struct list_job *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	if (vc_dup(&s->cell, &l->cell) != 0) {
		free(l);
		sess_reply(s, 451, "Requested action aborted: local error.");
		return;
	}
	l->s = s;
	snprintf(l->vpath, sizeof(l->vpath), "%s", vpath);
	l->fmt = (enum vfs_list_fmt)fmt;
	l->opts.all = all;
	l->opts.now = time(NULL);
	l->opts.facts_off = s->facts_off;
	l->to_control = to_control;
	l->need_dir = fmt == VFS_LIST_MLSD;
	buf_init(&l->out, LIST_MAX_BYTES);
	sess_submit(s, &l->job, list_run, list_done);
}

/*
 * LIST and NLST accept `ls` style flag words first ("-la dir", "-a"); a
 * word that is not all letters after its dash is a name, not a flag.
 */
static char *list_options(char *arg, int *all)
{
	*all = 0;
	while (arg != NULL && arg[0] == '-') {
		size_t n = strcspn(arg, " "), k = 1;

		while (k < n && isalpha((unsigned char)arg[k]))
			k++;
		if (n == 1 || k != n)
			break;
		if (memchr(arg, 'a', n) != NULL || memchr(arg, 'A', n) != NULL)
			*all = 1;
		arg = arg[n] != '\0' ? arg + n + 1 : NULL;
	}
	return arg;
}

static void list_cmd(struct sess *s, char *arg, enum vfs_list_fmt fmt)
{
	char vpath[VFS_PATH_MAX];
	int all = 1;

	if (fmt != VFS_LIST_MLSD)
		arg = list_options(arg, &all);
	if (need_channel(s) != 0 ||
	    cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	cmd_list_start(s, vpath, fmt, all, 0);
}

void cmd_list(struct sess *s, char *arg)
{
	list_cmd(s, arg, VFS_LIST_LS);
}

void cmd_nlst(struct sess *s, char *arg)
{
	list_cmd(s, arg, VFS_LIST_NLST);
}

void cmd_mlsd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (need_channel(s) == 0 &&
	    cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		cmd_list_start(s, vpath, VFS_LIST_MLSD, 1, 0);
}

/* Files --------------------------------------------------------------- */

static void opening_text(char *out, size_t len, const struct sess *s,
			 const char *vpath, long long size)
{
	if (size >= 0)
		snprintf(out, len, "Opening %s mode data connection for %s (%lld bytes).",
			 s->ascii ? "ASCII" : "BINARY", vpath, size);
	else
		snprintf(out, len, "Opening %s mode data connection for %s.",
			 s->ascii ? "ASCII" : "BINARY", vpath);
}

static void run_retr(struct fsop *op)
{
	op->fd = vc_open_read(&op->cell, op->vpath, &op->st);
	op->r = op->fd < 0 ? op->fd : 0;
}

/* n: the REST offset */
static void retr_done(struct sess *s, struct fsop *op)
{
	char text[VFS_PATH_MAX + 96];
	struct xfer *x;

	if (op->r != 0) {
		op->fd = -1;
		sess_log_file(s, "RETR", op->vpath, NULL,
			      cmd_fail(s, op->r, op->vpath));
		return;
	}
	if (op->n > (uint64_t)op->st.st_size) {
		sess_reply(s, 554, "Restart position beyond end of file.");
		sess_log_file(s, "RETR", op->vpath, NULL, 554);
		return;
	}
	x = xfer_new(XK_RETR, "RETR", op->vpath);
	if (x == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	x->fd = op->fd;
	op->fd = -1;
	x->pos = op->n;
	x->size = (uint64_t)op->st.st_size - op->n;
	x->ascii = s->ascii;
	opening_text(text, sizeof(text), s, x->vpath, (long long)x->size);
	xfer_start(s, x, text);
}

void cmd_retr(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	uint64_t rest = s->rest;
	struct fsop *op;

	s->rest = 0;
	if (need_channel(s) != 0 ||
	    cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	op = fsop_new(s, vpath, NULL, run_retr, retr_done);
	if (op == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	op->n = rest;
	fsop_go(s, op);
}

/* flag, for STOU: a free name was found, or none */
#define STOU_FOUND 1
#define STOU_NONE 2

static void run_upload(struct fsop *op)
{
	op->r = upload_open(&op->cell, op->id, op->x);
}

/* STOU: the first free name of vpath, vpath.1, vpath.2... then STOR it. */
static void run_stou(struct fsop *op)
{
	char vpath[VFS_PATH_MAX];
	struct stat st;

	op->flag = STOU_NONE;
	for (int i = 0; i < STOU_TRIES; i++) {
		char *name;

		if (i == 0)
			snprintf(vpath, sizeof(vpath), "%s", op->vpath);
		else if (snprintf(vpath, sizeof(vpath), "%s.%d", op->vpath,
				  i) >= (int)sizeof(vpath))
			return;
		if (vc_lstat(&op->cell, vpath, &st) != -ENOENT)
			continue;
		op->flag = STOU_FOUND;
		if ((name = strdup(vpath)) == NULL) {
			op->r = -ENOMEM;
			return;
		}
		free(op->x->vpath);
		op->x->vpath = name;
		run_upload(op);
		return;
	}
}

static void upload_done(struct sess *s, struct fsop *op)
{
	char text[VFS_PATH_MAX + 96];
	struct xfer *x = op->x;
	int code;

	if (op->flag == STOU_NONE) {
		sess_reply(s, 553, "Could not find a unique file name.");
		return;
	}
	op->x = NULL;
	code = upload_ready(s, x, op->r);
	if (code != 0) {
		sess_log_file(s, x->verb, x->vpath, NULL, code);	/* refused: no transfer */
		xfer_free(x);
		return;
	}
	if (op->flag == STOU_FOUND)
		snprintf(text, sizeof(text), "FILE: %s",
			 strrchr(x->vpath, '/') + 1);
	else
		opening_text(text, sizeof(text), s, x->vpath, -1);
	xfer_start(s, x, text);
}

static void upload(struct sess *s, const char *verb, const char *vpath,
		   enum vfs_wmode mode)
{
	uint64_t rest = s->rest;
	struct fsop *op;
	struct xfer *x;

	s->rest = 0;
	if (rest > 0 && mode == VFS_W_TRUNC)
		mode = VFS_W_RESUME;
	x = xfer_new(XK_STOR, verb, vpath);
	op = x == NULL ? NULL : fsop_new(s, vpath, NULL, strcmp(verb, "STOU") ?
					 run_upload : run_stou, upload_done);
	if (op == NULL) {
		xfer_free(x);
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	x->ascii = s->ascii;
	upload_prepare(s, x, mode, rest);
	op->x = x;
	fsop_go(s, op);
}

void cmd_stor(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (need_channel(s) == 0 &&
	    cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		upload(s, "STOR", vpath, VFS_W_TRUNC);
}

void cmd_appe(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	s->rest = 0;		/* APPE ignores REST: it always appends */
	if (need_channel(s) == 0 &&
	    cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		upload(s, "APPE", vpath, VFS_W_APPEND);
}

/* STOU: a new name the server picks, announced as "150 FILE: name". */
void cmd_stou(struct sess *s, char *arg)
{
	char base[VFS_PATH_MAX];

	s->rest = 0;
	if (need_channel(s) == 0 &&
	    cmd_vpath(s, arg ? arg : "ftp.upload", base, sizeof(base)) == 0)
		upload(s, "STOU", base, VFS_W_EXCL);
}

void cmd_abor(struct sess *s, char *arg)
{
	(void)arg;
	if (s->xfer == NULL) {
		data_close(s);
		sess_reply(s, 225, "No transfer to ABOR.");
		return;
	}
	xfer_abort(s, 1);
	sess_reply(s, 226, "ABOR successful.");
	sess_resume(s);
}
