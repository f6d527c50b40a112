/*
 * The two phases of a cellftp-check run: the preflight that learns the
 * server (and decides whether it can be tested at all), then the checks.
 */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include "check.h"
#include "report.h"

/* Connect, greet, FEAT, log in, PWD, create the scratch folder.  -1 means
 * the server cannot be tested (exit 2), with the reason in err. */
int env_prepare(struct chk_env *env, const struct chk_opts *o,
		volatile sig_atomic_t *cancel, char *note, size_t notelen,
		char *err, size_t errlen);
void env_free(struct chk_env *env);

/* Run the selected checks, then remove the scratch folder: the number
 * of cleanup problems (0 when the server was left as found). */
int run_checks(const struct chk_env *env, const struct chk_def *const *defs,
	       unsigned n, struct report *rep);

#endif
