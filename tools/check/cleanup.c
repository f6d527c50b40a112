/*
 * The janitor: one logged-in connection of its own that removes what the
 * checks created, bounded in depth, entries and time, and never touching
 * anything outside the scratch folder whatever names a server lists.
 */
#include "cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH	8
#define MAX_OPS		5000
#define MAX_MS		60000
#define MAX_ENTRIES	2000

static int open_session(struct cleanup *j)
{
	const struct chk_opts *o = j->env->opt;
	struct ftpc *f = &j->f;
	int code, i;

	ftpc_init(f);
	f->timeout_ms = FTPC_TIMEOUT_MS;
	if (ftpc_connect_sa(f, (const struct sockaddr *)&j->env->addr,
			    j->env->addrlen) != 0)
		goto fail;
	for (i = 0, code = 120; i < 3 && code == 120; i++)
		code = ftpc_reply(f);
	if (code != 220)
		goto fail;
	if (j->env->tls && ftpc_auth_tls(f) != 0)
		goto fail;
	code = ftpc_login(f, o->user, o->pass);
	if (code != 230 && code != 202)
		goto fail;
	if (j->env->tls && ftpc_prot(f, 'P') != 0)
		goto fail;
	if (ftpc_cmd(f, "TYPE I") / 100 != 2)
		goto fail;
	j->up = 1;
	return 0;
fail:
	snprintf(j->err, sizeof(j->err), "janitor session: %s",
		 f->reply.code > 0 ? ftpc_text(f) : f->err);
	ftpc_close(f);
	return -1;
}

void cleanup_init(struct cleanup *j, const struct chk_env *env)
{
	memset(j, 0, sizeof(*j));
	j->env = env;
	ftpc_init(&j->f);
}

void cleanup_close(struct cleanup *j)
{
	if (j->up) {
		j->f.timeout_ms = 2000;
		(void)ftpc_quit(&j->f);
	}
	ftpc_close(&j->f);
	j->up = 0;
}

/* A live session: the old one if it still answers NOOP. */
static int session(struct cleanup *j)
{
	if (j->up && ftpc_cmd(&j->f, "NOOP") / 100 == 2)
		return 0;
	cleanup_close(j);
	return open_session(j);
}

static int under_scratch(const struct cleanup *j, const char *path)
{
	size_t n = strlen(j->env->scratch);

	return strncmp(path, j->env->scratch, n) == 0 &&
		(path[n] == '\0' || path[n] == '/');
}

static int budget(struct cleanup *j)
{
	if (++j->ops > MAX_OPS || ftpc_now_ms() > j->deadline) {
		snprintf(j->err, sizeof(j->err), "cleanup took too long");
		return -1;
	}
	return 0;
}

/*
 * The names in dir: MLSD when announced (it shows dot files), else NLST,
 * over whichever data connection still works (a server short of passive
 * ports may still connect out).
 */
static int names(struct cleanup *j, const char *dir, struct ftpc_buf *out)
{
	static const enum ftpc_dmode modes[] = { FTPC_PASV, FTPC_EPSV,
						 FTPC_PORT, FTPC_EPRT };
	int mlsd = chk_feat(j->env, "MLST");
	struct ftpc_xfer x;
	unsigned i;

	for (i = j->env->is_v6 ? 1 : 0; i < 4; i++) {
		if (j->env->is_v6 && modes[i] == FTPC_PORT)
			continue;
		out->len = 0;
		ftpc_get(&j->f, modes[i], out, 1u << 20, &x, "%s %s",
			 mlsd ? "MLSD" : "NLST", dir);
		if (x.prelim == 0 && (x.final == 450 || x.final == 550))
			return 0;	/* an empty NLST may be 450/550 */
		if (x.prelim != 0 && !x.data_error && x.final / 100 == 2)
			return mlsd ? 1 : 0;
		if (x.final < 0 && j->f.eof)
			break;
	}
	snprintf(j->err, sizeof(j->err), "listing %s failed: %s", dir,
		 x.final > 0 ? ftpc_text(&j->f) : j->f.err);
	return -1;
}

static int remove_tree(struct cleanup *j, const char *dir, int depth);

static int remove_entry(struct cleanup *j, const char *dir, const char *name,
			int is_dir, int depth)
{
	char path[CHK_PATH];

	if (name[0] == '\0' || strchr(name, '/') != NULL ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;	/* never follow a name out of dir */
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    (int)sizeof(path))
		return -1;
	if (budget(j) != 0)
		return -1;
	if (is_dir <= 0 && ftpc_cmd(&j->f, "DELE %s", path) / 100 == 2)
		return 0;
	if (is_dir == 0)
		return 0;	/* MLSD said file and DELE failed: keep going */
	return remove_tree(j, path, depth + 1);
}

static int remove_tree(struct cleanup *j, const char *dir, int depth)
{
	struct ftpc_buf list = { 0 };
	char *line, *next, *name;
	int mlsd, r = 0, n = 0, is_dir;

	if (depth > MAX_DEPTH || !under_scratch(j, dir) || budget(j) != 0)
		return -1;
	mlsd = names(j, dir, &list);
	if (mlsd < 0) {
		ftpc_buf_free(&list);
		return -1;
	}
	for (line = list.p; line != NULL && *line != '\0' && n < MAX_ENTRIES;
	     line = next, n++) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		line[strcspn(line, "\r")] = '\0';
		name = line;
		is_dir = -1;
		if (mlsd) {
			name = strchr(line, ' ');
			if (name == NULL)
				continue;
			*name++ = '\0';
			if (strcasestr(line, "type=cdir;") ||
			    strcasestr(line, "type=pdir;"))
				continue;
			is_dir = strcasestr(line, "type=dir;") != NULL;
		} else if (strrchr(line, '/') != NULL) {
			name = strrchr(line, '/') + 1;
		}
		if (remove_entry(j, dir, name, is_dir, depth) != 0)
			r = -1;
		if (next == NULL)
			break;
	}
	ftpc_buf_free(&list);
	if (ftpc_cmd(&j->f, "RMD %s", dir) / 100 != 2) {
		snprintf(j->err, sizeof(j->err), "RMD %s: %s", dir,
			 j->f.reply.code > 0 ? ftpc_text(&j->f) : j->f.err);
		return -1;
	}
	return r;
}

int cleanup_tree(struct cleanup *j, const char *dir)
{
	j->err[0] = '\0';
	j->ops = 0;
	j->deadline = ftpc_now_ms() + MAX_MS;
	if (!under_scratch(j, dir)) {
		snprintf(j->err, sizeof(j->err), "%s is not in the scratch", dir);
		return -1;
	}
	if (session(j) != 0)
		return -1;
	if (remove_tree(j, dir, 0) == 0)
		return 0;
	/* A session lost on the way (a server may hang up after a failed
	 * data connection) gets one fresh start. */
	if (j->f.eof || j->f.reply.code <= 0) {
		cleanup_close(j);
		j->ops = 0;
		if (session(j) == 0 && remove_tree(j, dir, 0) == 0)
			return 0;
	}
	return -1;
}

int cleanup_exists(struct cleanup *j, const char *dir)
{
	int code;

	if (session(j) != 0)
		return -1;
	code = ftpc_cmd(&j->f, "CWD %s", dir);
	if (code < 0)
		return -1;
	(void)ftpc_cmd(&j->f, "CWD %s", j->env->base);
	return code / 100 == 2;
}
