/*
 * The tools' signal set-up: SIGPIPE ignored, SIGINT and SIGTERM raise one
 * flag that long runs poll to stop cleanly.  Shared by cellftp-check and
 * cellftp-bench; like tools/ftpc, no server code.
 */
#ifndef TOOLS_TSIG_H
#define TOOLS_TSIG_H

#include <signal.h>

/* Installs the handlers (no SA_RESTART: a blocked poll returns and sees
 * the flag).  Returns the flag, or NULL when sigaction failed. */
volatile sig_atomic_t *tsig_catch(void);

#endif
