/*
 * The janitor of cellftp-check: removes a check's folder after it ran and
 * the scratch folder at the end, over a connection of its own.
 */
#ifndef CHECK_CLEANUP_H
#define CHECK_CLEANUP_H

#include "check.h"

struct cleanup {
	const struct chk_env *env;
	struct ftpc f;
	int up;			/* f is logged in */
	unsigned ops;
	long long deadline;
	char err[512];		/* why the last removal failed */
};

void cleanup_init(struct cleanup *j, const struct chk_env *env);
/* Remove dir (inside the scratch folder) and all it holds: 0 or -1. */
int cleanup_tree(struct cleanup *j, const char *dir);
/* Whether dir exists: 1, 0, or -1 when the server cannot be asked. */
int cleanup_exists(struct cleanup *j, const char *dir);
void cleanup_close(struct cleanup *j);

#endif
