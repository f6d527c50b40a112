/*
 * cellftp-bench's command line: defaults, long options, sizes with K/M/G
 * suffixes, and the password from the environment rather than argv.
 */
#include "opts.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OPTS_MAX_SESSIONS	1000000.0
#define OPTS_MAX_SECS		86400.0

enum {
	O_RAMP = 256, O_FILE, O_DIR, O_FILES, O_SIZE, O_COUNT, O_DURATION,
	O_TIME, O_HOLD, O_NOOP_RATE, O_PID, O_LOCAL_FILE, O_EPSV, O_LABEL,
	O_JSON, O_NO_PROGRESS,
};

static const struct option opts_long[] = {
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "user", required_argument, NULL, 'u' },
	{ "password", required_argument, NULL, 'P' },
	{ "sessions", required_argument, NULL, 'n' },
	{ "concurrency", required_argument, NULL, 'c' },
	{ "streams", required_argument, NULL, 'm' },
	{ "ramp", required_argument, NULL, O_RAMP },
	{ "file", required_argument, NULL, O_FILE },
	{ "dir", required_argument, NULL, O_DIR },
	{ "files", required_argument, NULL, O_FILES },
	{ "size", required_argument, NULL, O_SIZE },
	{ "count", required_argument, NULL, O_COUNT },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "time", required_argument, NULL, O_TIME },
	{ "hold", required_argument, NULL, O_HOLD },
	{ "noop-rate", required_argument, NULL, O_NOOP_RATE },
	{ "pid", required_argument, NULL, O_PID },
	{ "local-file", required_argument, NULL, O_LOCAL_FILE },
	{ "epsv", no_argument, NULL, O_EPSV },
	{ "label", required_argument, NULL, O_LABEL },
	{ "json", required_argument, NULL, O_JSON },
	{ "no-progress", no_argument, NULL, O_NO_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

void opts_usage(FILE *fp)
{
	fputs(
"usage: cellftp-bench [options] SCENARIO\n"
"  idle      hold -n sessions logged in; server PSS per session\n"
"  logins    -c clients log in and QUIT over and over; rate, p50, p99\n"
"  retr      -m sessions download --file at once; throughput, spread\n"
"  stor      -m sessions upload --size bytes each at once; throughput\n"
"  small     -c sessions download --dir/fNNNNN, a data connection each\n"
"  list      LIST --dir, --count times; milliseconds\n"
"  mixed     -n sessions, -m of them downloading --file; NOOP latency\n"
"            of the idle ones\n"
"  sendfile  baseline: --local-file over loopback with sendfile(2)\n"
"options:\n"
"  -H, --host ADDR         server (127.0.0.1)\n"
"  -p, --port PORT         control port (21)\n"
"  -u, --user LOGIN        -P, --password PASS (or the environment\n"
"                          variable CELLFTP_BENCH_PASSWORD)\n"
"  -n, --sessions N        idle, mixed (100)\n"
"  -c, --concurrency C     logins, small (8)\n"
"  -m, --streams M         retr, stor, mixed (1)\n"
"      --ramp R            logins in flight while ramping up (32)\n"
"      --file PATH         retr, mixed: file to download; stor: name\n"
"      --dir PATH          small, list\n"
"      --files K           small: files f00000..f(K-1) to cycle (100)\n"
"      --size BYTES        stor: per stream; retr, small: expected size\n"
"                          (suffix K, M, G)\n"
"      --count N           most logins, files, listings or rounds\n"
"      --duration SECS     logins, small, list, mixed: measured time (10)\n"
"      --time SECS         hard limit on the whole run (600)\n"
"      --hold SECS         idle: keep the sessions this long, check again\n"
"      --noop-rate R       mixed: NOOPs per second in all\n"
"      --pid PID           server process (repeat; children count too);\n"
"                          default: whoever listens on the port\n"
"      --local-file PATH   sendfile\n"
"      --epsv              EPSV instead of PASV\n"
"      --label NAME        the server's name in the output\n"
"      --json FILE         write the result as JSON\n"
"      --no-progress       no progress line (it is drawn on a tty only)\n"
"Many sessions need many descriptors, here and in the server: raise the\n"
"limit first (ulimit -n 65536); cellftp-bench raises its own if allowed.\n",
	      fp);
}

/* "4096", "4K", "50M", "1G": bytes, or -1. */
static int parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *s == '-')
		return -1;
	switch (*end) {
	case 'G': case 'g': shift = 30; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'K': case 'k': shift = 10; end++; break;
	case '\0': break;
	default: return -1;
	}
	/* A shift that drops high bits would ask for a small size. */
	if (*end != '\0' || v > UINT64_MAX >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int parse_num(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A whole number from 1 to max. */
static int parse_count(const char *s, double max, unsigned long *out)
{
	double v;

	if (parse_num(s, max, &v) != 0 || v != (double)(unsigned long)v ||
	    v == 0)
		return -1;
	*out = (unsigned long)v;
	return 0;
}

static int opts_unsigned(const char *s, unsigned *out)
{
	unsigned long v;

	if (parse_count(s, OPTS_MAX_SESSIONS, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int opts_pid(struct bench_opts *o, const char *s)
{
	unsigned long v;

	if (o->npids == BENCH_MAXPIDS || parse_count(s, 4194304, &v) != 0)
		return -1;
	o->pids[o->npids++] = (pid_t)v;
	return 0;
}

static int opts_one(struct bench_opts *o, int ch, const char *arg)
{
	switch (ch) {
	case 'H': o->host = arg; return 0;
	case 'p': o->port = arg; return 0;
	case 'u': o->user = arg; return 0;
	case 'P': o->pass = arg; return 0;
	case 'n': return opts_unsigned(arg, &o->sessions);
	case 'c': return opts_unsigned(arg, &o->concurrency);
	case 'm': return opts_unsigned(arg, &o->streams);
	case O_RAMP: return opts_unsigned(arg, &o->ramp);
	case O_FILE: o->file = arg; return 0;
	case O_DIR: o->dir = arg; return 0;
	case O_FILES: return opts_unsigned(arg, &o->files);
	case O_SIZE: return parse_size(arg, &o->size);
	case O_COUNT: return parse_count(arg, 1e12, &o->count);
	case O_DURATION: return parse_num(arg, OPTS_MAX_SECS, &o->duration);
	case O_TIME: return parse_num(arg, OPTS_MAX_SECS, &o->limit);
	case O_HOLD: return parse_num(arg, OPTS_MAX_SECS, &o->hold);
	case O_NOOP_RATE: return parse_num(arg, 1e7, &o->noop_rate);
	case O_PID: return opts_pid(o, arg);
	case O_LOCAL_FILE: o->local_file = arg; return 0;
	case O_EPSV: o->epsv = 1; return 0;
	case O_LABEL: o->label = arg; return 0;
	case O_JSON: o->json = arg; return 0;
	case O_NO_PROGRESS: o->progress = 0; return 0;
	default: return -1;
	}
}

static void opts_defaults(struct bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = "21";
	o->sessions = 100;
	o->concurrency = 8;
	o->ramp = 32;
	o->streams = 1;
	o->files = 100;
	o->duration = 10;
	o->limit = 600;
	o->progress = 1;
}

int opts_parse(struct bench_opts *o, int argc, char **argv)
{
	int ch;

	opts_defaults(o);
	while ((ch = getopt_long(argc, argv, "H:p:u:P:n:c:m:h", opts_long,
				 NULL)) != -1) {
		if (ch == 'h') {
			opts_usage(stdout);
			return 1;
		}
		if (opts_one(o, ch, optarg) != 0) {
			if (ch != '?')
				fprintf(stderr, "cellftp-bench: bad value "
					"\"%s\"\n", optarg);
			opts_usage(stderr);
			return -1;
		}
	}
	if (optind != argc - 1) {
		opts_usage(stderr);
		return -1;
	}
	o->scenario = argv[optind];
	if (o->pass == NULL)
		o->pass = getenv("CELLFTP_BENCH_PASSWORD");
	if (o->limit <= 0)
		o->limit = 600;
	o->progress = o->progress && isatty(STDERR_FILENO);
	return 0;
}
