/*
 * Running the checks: for each, a setup (connection, login, a folder of
 * its own), the check, a teardown that hangs up and removes its folder,
 * and its line in the report.  The scratch folder goes at the end, even
 * after failures or an interrupt.
 */
#include "run.h"
#include "cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_UNREACHABLE	3	/* setups that could not connect in a row */

static enum chk_result setup(struct chk *c, int *no_conn)
{
	const struct chk_opts *o = c->env->opt;
	unsigned flags = c->def->flags;
	struct ftpc *f;

	if (flags & CHK_NOCONN)
		return CHK_PASS;
	f = chk_connect(c);
	if (f == NULL) {
		*no_conn = 1;
		return CHK_FAIL;
	}
	c->ctl = f;
	if (flags & CHK_RAW)
		return CHK_PASS;
	if (chk_login(c, f, o->user, o->pass) != 0)
		return CHK_FAIL;
	if (chk_expect(c, f, "2xx", RFC959("5.4"), "TYPE I") < 0)
		return CHK_FAIL;
	if (flags & CHK_NODIR)
		return CHK_PASS;
	if (snprintf(c->dir, sizeof(c->dir), "%s/%s-%s", c->env->scratch,
		     c->def->suite, c->def->name) >= (int)sizeof(c->dir)) {
		c->dir[0] = '\0';
		return chk_fail(c, "a shorter login directory", "the check's "
				"folder path is too long");
	}
	if (chk_expect(c, f, "2xx", RFC959("5.4"), "MKD %s", c->dir) < 0) {
		c->dir[0] = '\0';
		return CHK_FAIL;
	}
	if (chk_expect(c, f, "2xx", RFC959("5.4"), "CWD %s", c->dir) < 0)
		return CHK_FAIL;
	return CHK_PASS;
}

static void teardown(struct chk *c, struct cleanup *j, struct report *rep,
		     int *problems)
{
	while (c->nconns > 0)
		chk_hangup(c, c->conns[c->nconns - 1]);
	if (c->dir[0] == '\0')
		return;
	if (cleanup_tree(j, c->dir) != 0) {
		report_note(rep, "cleanup after %s/%s: %s", c->def->suite,
			    c->def->name, j->err);
		(*problems)++;
	}
}

static void chk_free(struct chk *c)
{
	ftpc_buf_free(&c->log);
	ftpc_buf_free(&c->warn);
}

static enum chk_result run_one(struct chk *c, struct cleanup *j,
			       struct report *rep, unsigned *unreachable,
			       int *problems)
{
	enum chk_result res;
	int no_conn = 0;

	if (*unreachable >= MAX_UNREACHABLE)
		return chk_fail(c, "the server to keep answering",
				"not run: the server stopped accepting "
				"connections");
	res = setup(c, &no_conn);
	*unreachable = no_conn ? *unreachable + 1 : 0;
	if (res == CHK_PASS)
		res = c->def->fn(c);
	/* A WARNING on the way (a leaked path) fails even a skip. */
	if (c->nwarn > 0)
		res = CHK_FAIL;
	teardown(c, j, rep, problems);
	return res;
}

int run_checks(const struct chk_env *env, const struct chk_def *const *defs,
	       unsigned n, struct report *rep)
{
	struct cleanup j;
	enum chk_result res;
	unsigned i, unreachable = 0;
	long long t0;
	int problems = 0;
	struct chk c;

	cleanup_init(&j, env);
	for (i = 0; i < n; i++) {
		if (*env->cancel) {
			report_note(rep, "interrupted: %u check(s) not run",
				    n - i);
			break;
		}
		report_progress(rep, i + 1, defs[i]);
		memset(&c, 0, sizeof(c));
		c.def = defs[i];
		c.env = env;
		c.dmode = env->is_v6 ? FTPC_EPSV : FTPC_PASV;
		t0 = ftpc_now_ms();
		res = run_one(&c, &j, rep, &unreachable, &problems);
		report_check(rep, i + 1, &c, res,
			     (double)(ftpc_now_ms() - t0) / 1000.0);
		chk_free(&c);
	}
	if (cleanup_tree(&j, env->scratch) != 0) {
		report_warning(rep, "the scratch folder %s could not be removed: "
			       "%s (expected the server to remove what this "
			       "user created, " RFC959("4.1.3") ")",
			       env->scratch, j.err);
		problems++;
	}
	cleanup_close(&j);
	return problems;
}
