/*
 * The flag SIGINT and SIGTERM set, and its owner: the only process-wide
 * mutable state of the tools.
 */
#include "tsig.h"

#include <string.h>

static volatile sig_atomic_t tsig_interrupted;

static void tsig_on_signal(int sig)
{
	(void)sig;
	tsig_interrupted = 1;
}

volatile sig_atomic_t *tsig_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) != 0)
		return NULL;
	sa.sa_handler = tsig_on_signal;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) != 0 ||
	    sigaction(SIGTERM, &sa, NULL) != 0)
		return NULL;
	return &tsig_interrupted;
}
