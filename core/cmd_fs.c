/*
 * Commands on names inside the cell: PWD CWD CDUP MKD RMD DELE RNFR RNTO
 * SIZE MDTM MFMT MLST AVBL.  Every path goes through vfs, which resolves
 * it under the session's root fd; replies name virtual paths only.  Each
 * command is two halves, the cell work and the reply (see fsop.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "buf.h"
#include "cmd.h"
#include "fsop.h"
#include "quota.h"
#include "reclaim.h"
#include "reply.h"
#include "sess.h"
#include "vfs/vfs.h"

static void reply_257(struct sess *s, const char *vpath, const char *what)
{
	struct buf b;

	buf_init(&b, 0);
	reply_quote_path(&b, vpath);
	buf_puts(&b, what);
	sess_reply_text(s, 257, b.failed ? "\"?\"" : b.p);
	buf_free(&b);
}

void cmd_pwd(struct sess *s, char *arg)
{
	(void)arg;
	reply_257(s, s->cwd, " is the current directory.");
}

/* Cell work shared by several commands. */
static void run_stat(struct fsop *op)
{
	op->r = vc_stat(&op->cell, op->vpath, &op->st);
}

static void run_lstat(struct fsop *op)
{
	op->r = vc_lstat(&op->cell, op->vpath, &op->st);
}

/* Start op, or tell the client there was no memory for it. */
static void go(struct sess *s, const char *vpath, const char *vpath2,
	       void (*run)(struct fsop *), void (*done)(struct sess *,
							struct fsop *))
{
	struct fsop *op = fsop_new(s, vpath, vpath2, run, done);

	if (op == NULL)
		sess_reply(s, 451, "Out of memory.");
	else
		fsop_go(s, op);
}

static void cwd_done(struct sess *s, struct fsop *op)
{
	char *copy;

	if (op->r == 0 && !S_ISDIR(op->st.st_mode))
		op->r = -ENOTDIR;
	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath);
		return;
	}
	copy = strdup(op->vpath);
	if (copy == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	free(s->cwd);
	s->cwd = copy;
	sess_reply(s, 250, "Directory successfully changed.");
}

void cmd_cwd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_stat, cwd_done);
}

void cmd_cdup(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	(void)arg;
	if (cmd_vpath(s, "..", vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_stat, cwd_done);
}

static void run_mkd(struct fsop *op)
{
	op->r = vc_mkdir(&op->cell, op->vpath, 0777);
}

static void mkd_done(struct sess *s, struct fsop *op)
{
	sess_log_file(s, "MKD", op->vpath, NULL, op->r == 0 ? 257 : 550);
	if (op->r != 0)
		cmd_fail(s, op->r, op->vpath);
	else
		reply_257(s, op->vpath, " created.");
}

void cmd_mkd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_mkd, mkd_done);
}

static void run_rmd(struct fsop *op)
{
	op->r = vc_rmdir(&op->cell, op->vpath);
}

static void rmd_done(struct sess *s, struct fsop *op)
{
	sess_log_file(s, "RMD", op->vpath, NULL, op->r == 0 ? 250 : 550);
	if (op->r != 0)
		cmd_fail(s, op->r, op->vpath);
	else
		sess_reply(s, 250, "Remove directory operation successful.");
}

void cmd_rmd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_rmd, rmd_done);
}

/* flag: the name was a regular file, st its lstat */
static void run_dele(struct fsop *op)
{
	op->flag = vc_lstat(&op->cell, op->vpath, &op->st) == 0 &&
		   S_ISREG(op->st.st_mode);
	if (op->flag)
		op->hold = reclaim_hold(&op->cell, op->vpath,
					(uint64_t)op->st.st_size,
					op->st.st_nlink);
	op->r = vc_unlink(&op->cell, op->vpath);
}

static void dele_done(struct sess *s, struct fsop *op)
{
	sess_log_file(s, "DELE", op->vpath, NULL, op->r == 0 ? 250 : 550);
	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath);
	} else {
		if (op->flag)
			qt_path_change(s, op->vpath, -(int64_t)op->st.st_size,
				       -1);
		sess_reply(s, 250, "Delete operation successful.");
	}
	reclaim_later(s, op->hold);
	op->hold = -1;
}

void cmd_dele(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_dele, dele_done);
}

static void rnfr_done(struct sess *s, struct fsop *op)
{
	if (op->r == 0 && strcmp(op->vpath, "/") == 0)
		op->r = -EBUSY;
	if (op->r != 0) {
		sess_log_file(s, "RNFR", op->vpath, NULL,
			      cmd_fail(s, op->r, op->vpath));
		return;
	}
	free(s->rnfr);
	s->rnfr = strdup(op->vpath);
	if (s->rnfr == NULL)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply(s, 350, "Ready for RNTO.");
}

void cmd_rnfr(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_lstat, rnfr_done);
}

/*
 * Quota follows a rename: a replaced file is freed, and an admin moving a
 * file from one cell to another moves its bytes between two ledgers.
 */
static void rename_quota(struct sess *s, const char *from, const char *to,
			 const struct stat *fst, int freg, const struct stat *tst,
			 int treg)
{
	char b1[CF_LOGIN_MAX], b2[CF_LOGIN_MAX];
	const char *o1 = qt_owner(s, from, b1, sizeof(b1));
	const char *o2 = qt_owner(s, to, b2, sizeof(b2));

	if (treg && !(freg && fst->st_ino == tst->st_ino &&
		      fst->st_dev == tst->st_dev))
		qt_path_change(s, to, -(int64_t)tst->st_size, -1);
	if (!freg || (o1 != NULL && o2 != NULL && strcmp(o1, o2) == 0))
		return;		/* a directory, or the same ledger */
	qt_path_change(s, from, -(int64_t)fst->st_size, -1);
	qt_path_change(s, to, (int64_t)fst->st_size, 1);
}

#define RN_FROM_REG 1	/* vpath (from) is a regular file, st its lstat */
#define RN_TO_REG 2	/* vpath2 (to) is one, st2 its lstat */

static void run_rnto(struct fsop *op)
{
	if (vc_lstat(&op->cell, op->vpath, &op->st) == 0 &&
	    S_ISREG(op->st.st_mode))
		op->flag |= RN_FROM_REG;
	if (vc_lstat(&op->cell, op->vpath2, &op->st2) == 0 &&
	    S_ISREG(op->st2.st_mode)) {
		op->flag |= RN_TO_REG;
		op->hold = reclaim_hold(&op->cell, op->vpath2,
					(uint64_t)op->st2.st_size,
					op->st2.st_nlink);
	}
	op->r = vc_rename(&op->cell, op->vpath, op->vpath2);
}

static void rnto_done(struct sess *s, struct fsop *op)
{
	sess_log_file(s, "RENAME", op->vpath, op->vpath2,
		      op->r == 0 ? 250 : 550);
	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath2);
	} else {
		rename_quota(s, op->vpath, op->vpath2, &op->st,
			     op->flag & RN_FROM_REG, &op->st2,
			     op->flag & RN_TO_REG);
		sess_reply(s, 250, "Rename successful.");
	}
	reclaim_later(s, op->hold);
	op->hold = -1;
}

void cmd_rnto(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	char *from = s->rnfr;

	if (from == NULL) {
		sess_reply(s, 503, "RNFR required first.");
		return;
	}
	s->rnfr = NULL;
	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, from, vpath, run_rnto, rnto_done);
	free(from);
}

static void size_done(struct sess *s, struct fsop *op)
{
	if (op->r == 0 && !S_ISREG(op->st.st_mode))
		op->r = -EISDIR;
	if (op->r != 0)
		cmd_fail(s, op->r, op->vpath);
	else
		sess_reply(s, 213, "%llu", (unsigned long long)op->st.st_size);
}

void cmd_size(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	/* RFC 3659 4: the size as transferred; in ASCII that means reading
	 * the whole file, which a worker must not do */
	if (s->ascii) {
		sess_reply(s, 550, "SIZE not available in ASCII mode: use TYPE I.");
		return;
	}
	go(s, vpath, NULL, run_stat, size_done);
}

static void mdtm_done(struct sess *s, struct fsop *op)
{
	char when[16];

	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath);
		return;
	}
	vfs_fmt_time(op->st.st_mtime, when, sizeof(when));
	sess_reply(s, 213, "%s", when);
}

void cmd_mdtm(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_stat, mdtm_done);
}

static void run_mfmt(struct fsop *op)
{
	op->r = vc_set_mtime(&op->cell, op->vpath, op->t);
}

static void mfmt_done(struct sess *s, struct fsop *op)
{
	char when[16];

	sess_log_file(s, "MFMT", op->vpath, NULL, op->r == 0 ? 213 : 550);
	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath);
		return;
	}
	vfs_fmt_time(op->t, when, sizeof(when));
	sess_reply(s, 213, "Modify=%s; %s", when, op->vpath);
}

/* MFMT YYYYMMDDHHMMSS path (draft-somers-ftp-mfxx). */
void cmd_mfmt(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	char *path = strchr(arg, ' ');
	struct fsop *op;
	time_t t;

	if (path == NULL || path[1] == '\0') {
		sess_reply(s, 501, "Usage: MFMT YYYYMMDDHHMMSS path.");
		return;
	}
	*path++ = '\0';
	if (vfs_parse_time(arg, &t) != 0) {
		sess_reply(s, 501, "Invalid time value.");
		return;
	}
	if (cmd_vpath(s, path, vpath, sizeof(vpath)) != 0)
		return;
	op = fsop_new(s, vpath, NULL, run_mfmt, mfmt_done);
	if (op == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	op->t = t;
	fsop_go(s, op);
}

/* flag: the facts turned off by OPTS MLST */
static void run_mlst(struct fsop *op)
{
	buf_init(&op->out, 0);
	buf_printf(&op->out, "Listing %s\n ", op->vpath);
	op->r = vc_mlst(&op->cell, op->vpath, op->vpath, (unsigned)op->flag,
			&op->out);
	buf_puts(&op->out, "\nEnd");
}

static void mlst_done(struct sess *s, struct fsop *op)
{
	if (op->r != 0)
		cmd_fail(s, op->r, op->vpath);
	else if (op->out.failed)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply_text(s, 250, op->out.p);
}

void cmd_mlst(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct fsop *op;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	op = fsop_new(s, vpath, NULL, run_mlst, mlst_done);
	if (op == NULL) {
		sess_reply(s, 451, "Out of memory.");
		return;
	}
	op->flag = (int)s->facts_off;
	fsop_go(s, op);
}

/* n: the free bytes of the cell's file system */
static void run_avbl(struct fsop *op)
{
	struct statvfs fs;

	op->r = vc_stat(&op->cell, op->vpath, &op->st);
	if (op->r == 0)
		op->r = vc_statvfs(&op->cell, &fs);
	if (op->r == 0)
		op->n = (uint64_t)fs.f_bavail * fs.f_frsize;
}

static void avbl_done(struct sess *s, struct fsop *op)
{
	uint64_t free_fs = op->n, used, files;

	if (op->r != 0) {
		cmd_fail(s, op->r, op->vpath);
		return;
	}
	if (!s->is_admin && s->logged_in &&
	    s->quota_bytes != CF_UNLIMITED &&
	    qt_usage(s->w->srv, s->login, &used, &files) == 0) {
		uint64_t room = used < s->quota_bytes ?
				s->quota_bytes - used : 0;

		if (room < free_fs)
			free_fs = room;
	}
	sess_reply(s, 213, "%llu", (unsigned long long)free_fs);
}

/*
 * AVBL [path] (draft-peterson-streamlined-ftp-command-extensions): bytes
 * an upload there may still use: the owner's quota room, bounded by the
 * free space of the file system.  Admins are not limited by a quota.
 */
void cmd_avbl(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	if (!qt_active(s->w->srv)) {
		sess_reply(s, 502, "AVBL needs a quota module.");
		return;
	}
	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0)
		go(s, vpath, NULL, run_avbl, avbl_done);
}
