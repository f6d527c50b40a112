/*
 * Directory listings (LIST, NLST, MLSD) and MLST facts, formatted from the
 * cell.  Symlinks are shown as what they resolve to inside the cell; no
 * link target text, owner name or real path ever reaches the output.
 */
#include "vfs/vfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfs/list_scan.h"

/* GNU ls: "recent" is within half a Gregorian year, or an hour ahead. */
#define LIST_HALF_YEAR	15778476
#define LIST_FUTURE	3600

/* vfs_fmt_time / vfs_parse_time keep to 14 digits: years 1900 to 9999. */
#define LIST_TIME_MIN	(-2208988800LL)
#define LIST_TIME_MAX	253402300799LL

static const char list_months[12][4] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};

static void list_mode_str(mode_t m, char *s)
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	s[0] = S_ISDIR(m) ? 'd' : S_ISLNK(m) ? 'l' : S_ISFIFO(m) ? 'p' :
	       S_ISSOCK(m) ? 's' : S_ISCHR(m) ? 'c' : S_ISBLK(m) ? 'b' : '-';
	for (i = 0; i < 9; i++)
		s[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		s[3] = (m & S_IXUSR) ? 's' : 'S';
	if (m & S_ISGID)
		s[6] = (m & S_IXGRP) ? 's' : 'S';
	if (m & S_ISVTX)
		s[9] = (m & S_IXOTH) ? 't' : 'T';
	s[10] = '\0';
}

static void list_gmtime(time_t t, struct tm *tm)
{
	if (gmtime_r(&t, tm) == NULL) {
		t = 0;
		gmtime_r(&t, tm);
	}
}

/* v in decimal, right-aligned in at least `width` columns, as %*llu. */
static char *list_num(char *p, unsigned long long v, int width)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	for (; width > n; width--)
		*p++ = ' ';
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

static char *list_2digits(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

/*
 * "Mon dd HH:MM" when recent, else "Mon dd  YYYY"; UTC, like vsftpd.
 * Formatted by hand: printf was a fifth of a large LIST's time.
 */
static char *list_date(char *p, time_t t, time_t now)
{
	struct tm tm;
	int year;

	list_gmtime(t, &tm);
	year = tm.tm_year + 1900;
	memcpy(p, list_months[tm.tm_mon], 3);
	p[3] = ' ';
	p = list_2digits(p + 4, tm.tm_mday);
	*p++ = ' ';
	if (t > now - LIST_HALF_YEAR && t <= now + LIST_FUTURE) {
		p = list_2digits(p, tm.tm_hour);
		*p++ = ':';
		return list_2digits(p, tm.tm_min);
	}
	if (year < 0)	/* gmtime reaches years before 0 only for absurd times */
		year = 0;
	return list_num(p, (unsigned long long)year, 5);
}

/* Room for one line but the name: mode, nlink, owners, size, date. */
#define LIST_LS_FIXED	128

static void list_ls_line(struct buf *out, const struct list_ent *e,
			 const char *name, time_t now)
{
	static const char owners[] = " ftp      ftp      ";
	size_t nlen = strlen(name);
	char *p;

	if (buf_reserve(out, nlen + LIST_LS_FIXED) != 0)
		return;
	p = out->p + out->len;
	list_mode_str(e->st.st_mode, p);
	p[10] = ' ';
	p = list_num(p + 11, (unsigned long long)e->st.st_nlink, 4);
	memcpy(p, owners, sizeof(owners) - 1);
	p += sizeof(owners) - 1;
	/* A dangling link's size is the length of its target text: hide it. */
	p = list_num(p, e->dangling ? 0 : (unsigned long long)e->st.st_size, 8);
	*p++ = ' ';
	p = list_date(p, e->st.st_mtime, now);
	*p++ = ' ';
	memcpy(p, name, nlen);
	p += nlen;
	memcpy(p, "\r\n", 3);		/* with the NUL buf keeps after len */
	out->len = (size_t)(p + 2 - out->p);
}

/* RFC 3659 perm letters, less those the owner's mode bits rule out. */
static void list_perm(const char *all, mode_t m, char *perm)
{
	for (; *all != '\0'; all++) {
		if (strchr("adfwcmp", *all) && !(m & S_IWUSR))
			continue;
		if (strchr("rl", *all) && !(m & S_IRUSR))
			continue;
		if (*all == 'e' && !(m & S_IXUSR))
			continue;
		*perm++ = *all;
	}
	*perm = '\0';
}

/* The RFC 3659 type fact, and the perm letters that apply to that type. */
static const char *list_type(const struct list_ent *e, int cdir,
			     const char **letters)
{
	mode_t m = e->st.st_mode;

	*letters = "df";
	if (e->dangling || S_ISLNK(m))
		return "OS.unix=symlink";
	if (S_ISREG(m)) {
		*letters = "adfrw";
		return "file";
	}
	if (S_ISDIR(m)) {
		*letters = cdir ? "flcmpe" : "flcdmpe";
		return cdir ? "cdir" : "dir";
	}
	if (S_ISFIFO(m))
		return "OS.unix=fifo";
	if (S_ISSOCK(m))
		return "OS.unix=socket";
	return S_ISCHR(m) ? "OS.unix=chr" : "OS.unix=blk";
}

static void list_facts(struct buf *out, const struct list_ent *e, int cdir,
		       unsigned off)
{
	char perm[8], mod[16];
	const char *type, *letters;

	type = list_type(e, cdir, &letters);
	list_perm(letters, e->st.st_mode, perm);
	vfs_fmt_time(e->st.st_mtime, mod, sizeof(mod));
	if (!(off & VFS_FACT_TYPE))
		buf_printf(out, "type=%s;", type);
	if (!(off & VFS_FACT_SIZE) && !e->dangling && S_ISREG(e->st.st_mode))
		buf_printf(out, "size=%llu;", (unsigned long long)e->st.st_size);
	if (!(off & VFS_FACT_MODIFY))
		buf_printf(out, "modify=%s;", mod);
	if (!(off & VFS_FACT_PERM))
		buf_printf(out, "perm=%s;", perm);
	if (!(off & VFS_FACT_UNIQUE))
		buf_printf(out, "unique=%llxU%llx;",
			   (unsigned long long)e->st.st_dev,
			   (unsigned long long)e->st.st_ino);
}

static void list_entry(struct buf *out, enum vfs_list_fmt fmt,
		       const struct list_ent *e, const char *name,
		       const struct vfs_list_opts *o)
{
	if (fmt == VFS_LIST_NLST) {
		buf_printf(out, "%s\r\n", name);
	} else if (fmt == VFS_LIST_LS) {
		list_ls_line(out, e, name, o->now);
	} else {
		list_facts(out, e, 0, o->facts_off);
		buf_printf(out, " %s\r\n", name);
	}
}

/* LIST/NLST of something that is not a directory: that one entry. */
static int list_one(int root_fd, const char *vpath, enum vfs_list_fmt fmt,
		    const struct vfs_list_opts *o, struct buf *out)
{
	char parent[VFS_PATH_MAX];
	struct list_ent e;
	const char *name;
	int rc;

	if (fmt == VFS_LIST_MLSD ||
	    vpath_split(vpath, parent, sizeof(parent), &name) != 0)
		return -ENOTDIR;
	if ((rc = vfs_stat(root_fd, vpath, &e.st)) != 0)
		return rc;
	e.dangling = 0;
	list_entry(out, fmt, &e, name, o);
	return 0;
}

static int list_dir(int root_fd, const char *vpath, int dfd,
		    enum vfs_list_fmt fmt, const struct vfs_list_opts *o,
		    struct buf *out)
{
	/* NLST needs no stat: names only; a capped listing stats lazily */
	int stat_all = fmt != VFS_LIST_NLST && o->max_entries == 0;
	struct list_scan ls;
	struct list_ent e;
	size_t i, shown = 0;
	int rc;

	if (fmt == VFS_LIST_MLSD) {
		if (fstat(dfd, &e.st) != 0)
			return -errno;
		e.dangling = 0;
		list_facts(out, &e, 1, o->facts_off);
		buf_puts(out, " .\r\n");
	}
	rc = list_scan(root_fd, vpath, dfd, o->all || fmt == VFS_LIST_MLSD,
		       stat_all, &ls);
	for (i = 0; rc == 0 && i < ls.n; i++) {
		const struct list_item *it = &ls.v[i];
		const struct list_ent *ent = it->ent;

		if (o->max_entries != 0 && shown >= o->max_entries)
			break;
		if (fmt != VFS_LIST_NLST && !stat_all) {
			list_scan_stat(root_fd, vpath, dfd, it->name, &e);
			ent = &e;
		}
		if (fmt != VFS_LIST_NLST && ent->gone)
			continue;	/* vanished since readdir, or unreadable */
		list_entry(out, fmt, ent, it->name, o);
		shown++;
	}
	list_scan_free(&ls);
	return rc;
}

int vfs_list(int root_fd, const char *vpath, enum vfs_list_fmt fmt,
	     const struct vfs_list_opts *opts, struct buf *out)
{
	struct vfs_list_opts dflt;
	int fd, rc;

	if (opts == NULL) {
		memset(&dflt, 0, sizeof(dflt));
		dflt.now = time(NULL);
		opts = &dflt;
	}
	fd = vfs_open(root_fd, vpath, O_RDONLY | O_DIRECTORY, 0);
	if (fd == -ENOTDIR) {
		rc = list_one(root_fd, vpath, fmt, opts, out);
	} else if (fd < 0) {
		return fd;
	} else {
		rc = list_dir(root_fd, vpath, fd, fmt, opts, out);
		close(fd);
	}
	if (rc == 0 && out->failed)
		rc = -ENOMEM;
	return rc;
}

int vfs_mlst(int root_fd, const char *vpath, const char *shown,
	     unsigned facts_off, struct buf *out)
{
	struct list_ent e;
	int rc;

	if ((rc = vfs_lstat(root_fd, vpath, &e.st)) != 0)
		return rc;
	e.dangling = 0;
	if (S_ISLNK(e.st.st_mode) && vfs_stat(root_fd, vpath, &e.st) != 0)
		e.dangling = 1;
	list_facts(out, &e, 0, facts_off);
	buf_printf(out, " %s", shown);
	return out->failed ? -ENOMEM : 0;
}

void vfs_fmt_time(time_t t, char *buf, size_t buflen)
{
	struct tm tm;

	if ((long long)t < LIST_TIME_MIN)
		t = (time_t)LIST_TIME_MIN;
	if ((long long)t > LIST_TIME_MAX)
		t = (time_t)LIST_TIME_MAX;
	list_gmtime(t, &tm);
	snprintf(buf, buflen, "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Exactly `n` ASCII digits (no sign, no blanks, unlike strtol/sscanf). */
static int list_digits(const char **s, int n, int *v)
{
	*v = 0;
	for (; n > 0; n--, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

int vfs_parse_time(const char *s, time_t *out)
{
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };
	int v[6], i;
	struct tm tm, chk;
	time_t t;

	for (i = 0; i < 6; i++)
		if (list_digits(&s, width[i], &v[i]) != 0)
			return -EINVAL;
	if (*s == '.') {	/* fraction of a second: checked, then dropped */
		if (*++s < '0' || *s > '9')
			return -EINVAL;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s != '\0' || v[0] < 1900 || v[1] < 1 || v[1] > 12 || v[2] < 1 ||
	    v[2] > 31 || v[3] > 23 || v[4] > 59 || v[5] > 59)
		return -EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = v[0] - 1900;
	tm.tm_mon = v[1] - 1;
	tm.tm_mday = v[2];
	tm.tm_hour = v[3];
	tm.tm_min = v[4];
	tm.tm_sec = v[5];
	t = timegm(&tm);
	/* timegm normalises 30 February into March: refuse what moved. */
	if (gmtime_r(&t, &chk) == NULL || chk.tm_mday != v[2] ||
	    chk.tm_mon != v[1] - 1 || chk.tm_year != v[0] - 1900)
		return -EINVAL;
	*out = t;
	return 0;
}
