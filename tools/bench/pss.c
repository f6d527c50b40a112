/*
 * Server memory (see pss.h) from /proc: net/tcp{,6} for the listening
 * socket's inode, <pid>/fd for its holders, <pid>/stat for parents and
 * <pid>/smaps_rollup for the proportional set size.
 */
#include "pss.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct pss_proc {
	pid_t pid, ppid;
	int mark;
};

static pid_t pss_pid_of(const char *name)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)name[0]))
		return 0;
	v = strtol(name, &end, 10);
	return *end == '\0' && v > 0 ? (pid_t)v : 0;
}

/* The inode of a listening socket on port in one /proc/net table. */
static unsigned long pss_listen_inode(const char *table, unsigned port)
{
	unsigned lport, st;
	unsigned long inode, found = 0;
	char line[512];
	FILE *fp;

	fp = fopen(table, "r");
	if (fp == NULL)
		return 0;
	while (found == 0 && fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x"
			   " %*s %*s %*s %*s %*s %lu", &lport, &st,
			   &inode) == 3 && lport == port && st == 0x0A)
			found = inode;
	}
	fclose(fp);
	return found;
}

static int pss_holds(pid_t pid, const char *want)
{
	char path[320], link[64];
	struct dirent *de;
	int found = 0;
	ssize_t n;
	DIR *d;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid,
			 de->d_name);
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = strcmp(link, want) == 0;
	}
	closedir(d);
	return found;
}

int pss_listeners(unsigned port, pid_t *pids, unsigned max)
{
	unsigned long inode;
	struct dirent *de;
	char want[64];
	unsigned n = 0;
	pid_t pid;
	DIR *d;

	inode = pss_listen_inode("/proc/net/tcp", port);
	if (inode == 0)
		inode = pss_listen_inode("/proc/net/tcp6", port);
	if (inode == 0)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	d = opendir("/proc");
	if (d == NULL)
		return -1;
	while (n < max && (de = readdir(d)) != NULL) {
		pid = pss_pid_of(de->d_name);
		if (pid != 0 && pid != getpid() && pss_holds(pid, want))
			pids[n++] = pid;
	}
	closedir(d);
	return (int)n;
}

static pid_t pss_ppid(pid_t pid)
{
	char path[64], buf[512], *p;
	int ppid = 0;
	size_t n;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* The name may hold spaces and parentheses: skip to the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return (pid_t)ppid;
}

/* Every process with its parent; *n entries, NULL on failure. */
static struct pss_proc *pss_procs(size_t *n)
{
	struct pss_proc *v = NULL, *nv;
	size_t cap = 0;
	struct dirent *de;
	pid_t pid, ppid;
	DIR *d;

	*n = 0;
	d = opendir("/proc");
	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		pid = pss_pid_of(de->d_name);
		if (pid == 0 || (ppid = pss_ppid(pid)) < 0)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL) {
				free(v);
				closedir(d);
				return NULL;
			}
			v = nv;
		}
		v[*n].pid = pid;
		v[*n].ppid = ppid;
		v[*n].mark = 0;
		(*n)++;
	}
	closedir(d);
	return v;
}

/* Pss of one process in KiB, or -1 when it is gone. */
static long long pss_of(pid_t pid)
{
	char path[64], line[256];
	long long kib = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return -1;
	while (kib < 0 && fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "Pss: %lld kB", &kib) != 1)
			kib = -1;
	fclose(fp);
	return kib;
}

/* Mark the roots, then children of marked processes until none is new. */
static void pss_mark(struct pss_proc *v, size_t n, const pid_t *roots,
		     unsigned nroots)
{
	size_t i, j;
	int more = 1;

	for (i = 0; i < n; i++)
		for (j = 0; j < nroots; j++)
			if (v[i].pid == roots[j])
				v[i].mark = 1;
	while (more) {
		more = 0;
		for (i = 0; i < n; i++) {
			if (v[i].mark)
				continue;
			for (j = 0; j < n; j++)
				if (v[j].mark && v[j].pid == v[i].ppid)
					break;
			if (j < n) {
				v[i].mark = 1;
				more = 1;
			}
		}
	}
}

int pss_tree(const pid_t *roots, unsigned nroots, struct pss_total *t)
{
	struct pss_proc *v;
	long long kib;
	size_t i, n;

	t->kib = 0;
	t->procs = 0;
	v = pss_procs(&n);
	if (v == NULL)
		return -1;
	pss_mark(v, n, roots, nroots);
	for (i = 0; i < n; i++) {
		if (!v[i].mark || (kib = pss_of(v[i].pid)) < 0)
			continue;
		t->kib += (unsigned long long)kib;
		t->procs++;
	}
	free(v);
	return t->procs > 0 ? 0 : -1;
}
