/*
 * Commands on names inside the cell: PWD CWD CDUP MKD RMD DELE RNFR RNTO
 * SIZE MDTM MFMT MLST.  Every path goes through vfs, which resolves it
 * under the session's root fd; replies name virtual paths only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "buf.h"
#include "cmd.h"
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

static void change_dir(struct sess *s, const char *vpath)
{
	struct stat st;
	char *copy;
	int r = vc_stat(&s->cell, vpath, &st);

	if (r == 0 && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r != 0) {
		cmd_fail(s, r, vpath);
		return;
	}
	copy = strdup(vpath);
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
		change_dir(s, vpath);
}

void cmd_cdup(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];

	(void)arg;
	if (cmd_vpath(s, "..", vpath, sizeof(vpath)) == 0)
		change_dir(s, vpath);
}

void cmd_mkd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	r = vc_mkdir(&s->cell, vpath, 0777);
	sess_log_file(s, "MKD", vpath, NULL, r == 0 ? 257 : 550);
	if (r != 0)
		cmd_fail(s, r, vpath);
	else
		reply_257(s, vpath, " created.");
}

void cmd_rmd(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	r = vc_rmdir(&s->cell, vpath);
	sess_log_file(s, "RMD", vpath, NULL, r == 0 ? 250 : 550);
	if (r != 0)
		cmd_fail(s, r, vpath);
	else
		sess_reply(s, 250, "Remove directory operation successful.");
}

void cmd_dele(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct stat st;
	int r, reg, hold = -1;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	reg = vc_lstat(&s->cell, vpath, &st) == 0 && S_ISREG(st.st_mode);
	if (reg)
		hold = reclaim_hold(s, vpath, (uint64_t)st.st_size,
				    st.st_nlink);
	r = vc_unlink(&s->cell, vpath);
	sess_log_file(s, "DELE", vpath, NULL, r == 0 ? 250 : 550);
	if (r != 0) {
		cmd_fail(s, r, vpath);
	} else {
		if (reg)
			qt_path_change(s, vpath, -(int64_t)st.st_size, -1);
		sess_reply(s, 250, "Delete operation successful.");
	}
	reclaim_later(s, hold);
}

void cmd_rnfr(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct stat st;
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	r = vc_lstat(&s->cell, vpath, &st);
	if (r == 0 && strcmp(vpath, "/") == 0)
		r = -EBUSY;
	if (r != 0) {
		sess_log_file(s, "RNFR", vpath, NULL, cmd_fail(s, r, vpath));
		return;
	}
	free(s->rnfr);
	s->rnfr = strdup(vpath);
	if (s->rnfr == NULL)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply(s, 350, "Ready for RNTO.");
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

void cmd_rnto(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	char *from = s->rnfr;
	struct stat fst, tst;
	int r, freg, treg, hold = -1;

	if (from == NULL) {
		sess_reply(s, 503, "RNFR required first.");
		return;
	}
	s->rnfr = NULL;
	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) == 0) {
		freg = vc_lstat(&s->cell, from, &fst) == 0 &&
		       S_ISREG(fst.st_mode);
		treg = vc_lstat(&s->cell, vpath, &tst) == 0 &&
		       S_ISREG(tst.st_mode);
		if (treg)
			hold = reclaim_hold(s, vpath, (uint64_t)tst.st_size,
					    tst.st_nlink);
		r = vc_rename(&s->cell, from, vpath);
		sess_log_file(s, "RENAME", from, vpath, r == 0 ? 250 : 550);
		if (r != 0) {
			cmd_fail(s, r, vpath);
		} else {
			rename_quota(s, from, vpath, &fst, freg, &tst, treg);
			sess_reply(s, 250, "Rename successful.");
		}
		reclaim_later(s, hold);
	}
	free(from);
}

void cmd_size(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct stat st;
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	/* RFC 3659 4: the size as transferred; in ASCII that means reading
	 * the whole file, which a worker must not do */
	if (s->ascii) {
		sess_reply(s, 550, "SIZE not available in ASCII mode: use TYPE I.");
		return;
	}
	r = vc_stat(&s->cell, vpath, &st);
	if (r == 0 && !S_ISREG(st.st_mode))
		r = -EISDIR;
	if (r != 0)
		cmd_fail(s, r, vpath);
	else
		sess_reply(s, 213, "%llu", (unsigned long long)st.st_size);
}

void cmd_mdtm(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX], when[16];
	struct stat st;
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	r = vc_stat(&s->cell, vpath, &st);
	if (r != 0) {
		cmd_fail(s, r, vpath);
		return;
	}
	vfs_fmt_time(st.st_mtime, when, sizeof(when));
	sess_reply(s, 213, "%s", when);
}

/* MFMT YYYYMMDDHHMMSS path (draft-somers-ftp-mfxx). */
void cmd_mfmt(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX], when[16];
	char *path = strchr(arg, ' ');
	time_t t;
	int r;

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
	r = vc_set_mtime(&s->cell, vpath, t);
	sess_log_file(s, "MFMT", vpath, NULL, r == 0 ? 213 : 550);
	if (r != 0) {
		cmd_fail(s, r, vpath);
		return;
	}
	vfs_fmt_time(t, when, sizeof(when));
	sess_reply(s, 213, "Modify=%s; %s", when, vpath);
}

void cmd_mlst(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct buf b;
	int r;

	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	buf_init(&b, 0);
	buf_printf(&b, "Listing %s\n ", vpath);
	r = vc_mlst(&s->cell, vpath, vpath, s->facts_off, &b);
	buf_puts(&b, "\nEnd");
	if (r != 0)
		cmd_fail(s, r, vpath);
	else if (b.failed)
		sess_reply(s, 451, "Out of memory.");
	else
		sess_reply_text(s, 250, b.p);
	buf_free(&b);
}

/*
 * AVBL [path] (draft-peterson-streamlined-ftp-command-extensions): bytes
 * an upload there may still use: the owner's quota room, bounded by the
 * free space of the file system.  Admins are not limited by a quota.
 */
void cmd_avbl(struct sess *s, char *arg)
{
	char vpath[VFS_PATH_MAX];
	struct statvfs fs;
	uint64_t free_fs, used, files;
	int r;

	if (!qt_active(s->w->srv)) {
		sess_reply(s, 502, "AVBL needs a quota module.");
		return;
	}
	if (cmd_vpath(s, arg, vpath, sizeof(vpath)) != 0)
		return;
	if ((r = vc_stat(&s->cell, vpath, &(struct stat){ 0 })) != 0) {
		cmd_fail(s, r, vpath);
		return;
	}
	if ((r = vc_statvfs(&s->cell, &fs)) != 0) {
		cmd_fail(s, r, vpath);
		return;
	}
	free_fs = (uint64_t)fs.f_bavail * fs.f_frsize;
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
