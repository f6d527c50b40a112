/*
 * The result of a run: a table on standard output and a JSON object
 * with the parameters, the numbers and the first error.
 */
#ifndef BENCH_REPORT_H
#define BENCH_REPORT_H

#include "bench.h"

/* server: 0 when the scenario ran without one (a baseline). */
void report_table(const struct bench *b, int server, double elapsed);
/* Write the JSON object to path: 0, or -1 with errno. */
int report_json(const struct bench *b, double elapsed, const char *path);

#endif
