/*
 * cellftp-bench's command line (see opts.c).
 */
#ifndef BENCH_OPTS_H
#define BENCH_OPTS_H

#include <stdio.h>

#include "bench.h"

void opts_usage(FILE *fp);
/* 0 parsed, 1 help printed, -1 bad usage (explained on stderr). */
int opts_parse(struct bench_opts *o, int argc, char **argv);

#endif
