/*
 * cellftp-check: tests any FTP server like a unit-test suite.  This file
 * is the command line, the list of suites, check selection (--only) and
 * the exit status: 0 all passed, 1 the server misbehaved, 2 could not test.
 */
#include "run.h"
#include "tsig.h"

#include <fnmatch.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_MISBEHAVED	1
#define EXIT_UNTESTED	2
#define MAX_CHECKS	512

/* Set by SIGINT/SIGTERM (tools/common/tsig.c owns the flag). */
static volatile sig_atomic_t *main_interrupted;

static const struct chk_def *const suites[] = {
	chk_session_suite, chk_auth_suite, chk_nav_suite, chk_dir_suite,
	chk_xfer_suite, chk_resume_suite, chk_list_suite, chk_meta_suite,
	chk_robust_suite, chk_security_suite, chk_account_suite,
	chk_tls_suite,
};

static void usage(FILE *fp)
{
	fputs("usage: cellftp-check [-H host] [-P port] -u USER -p PASS\n"
	      "         [--admin-user U --admin-pass P] [--register] [--tls]\n"
	      "         [--only GLOB[,GLOB...]] [--list] [-v] [--tap]"
	      " [--junit FILE]\n"
	      "Tests an FTP server like a unit-test suite. Exit status: 0 all\n"
	      "checks passed, 1 the server misbehaved, 2 it could not be "
	      "tested.\n", fp);
}

/* GLOB matches "suite/name"; one without '/' also matches the suite. */
static int selected(const struct chk_def *d, const char *only)
{
	char full[128], pat[256];
	const char *p, *e;
	size_t n;

	if (only == NULL)
		return 1;
	snprintf(full, sizeof(full), "%s/%s", d->suite, d->name);
	for (p = only; *p != '\0'; p = *e ? e + 1 : e) {
		e = strchr(p, ',');
		if (e == NULL)
			e = p + strlen(p);
		n = (size_t)(e - p);
		if (n == 0 || n >= sizeof(pat))
			continue;
		memcpy(pat, p, n);
		pat[n] = '\0';
		if (fnmatch(pat, full, 0) == 0)
			return 1;
		if (strchr(pat, '/') == NULL && fnmatch(pat, d->suite, 0) == 0)
			return 1;
	}
	return 0;
}

static unsigned select_checks(const char *only, const struct chk_def **out)
{
	const struct chk_def *d;
	unsigned i, n = 0;

	for (i = 0; i < sizeof(suites) / sizeof(suites[0]); i++)
		for (d = suites[i]; d->name != NULL && n < MAX_CHECKS; d++)
			if (selected(d, only))
				out[n++] = d;
	return n;
}

static int parse_args(int argc, char **argv, struct chk_opts *o)
{
	static const struct option longs[] = {
		{ "admin-user", required_argument, NULL, 'A' },
		{ "admin-pass", required_argument, NULL, 'B' },
		{ "register", no_argument, NULL, 'R' },
		{ "tls", no_argument, NULL, 'T' },
		{ "only", required_argument, NULL, 'O' },
		{ "list", no_argument, NULL, 'L' },
		{ "tap", no_argument, NULL, 't' },
		{ "junit", required_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	o->host = "127.0.0.1";
	o->port = "21";
	while ((ch = getopt_long(argc, argv, "H:P:u:p:vh", longs, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; break;
		case 'P': o->port = optarg; break;
		case 'u': o->user = optarg; break;
		case 'p': o->pass = optarg; break;
		case 'v': o->verbose = 1; break;
		case 'A': o->admin_user = optarg; break;
		case 'B': o->admin_pass = optarg; break;
		case 'R': o->do_register = 1; break;
		case 'T': o->do_tls = 1; break;
		case 'O': o->only = optarg; break;
		case 'L': o->list = 1; break;
		case 't': o->tap = 1; break;
		case 'J': o->junit = optarg; break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (optind != argc)
		return -1;
	if (o->list)
		return 0;
	if (o->user == NULL || o->pass == NULL) {
		fputs("cellftp-check: -u USER and -p PASS are required\n", stderr);
		return -1;
	}
	if ((o->admin_user == NULL) != (o->admin_pass == NULL)) {
		fputs("cellftp-check: --admin-user and --admin-pass go together\n",
		      stderr);
		return -1;
	}
	return 0;
}

static void list_checks(const struct chk_def **defs, unsigned n)
{
	char full[128];
	unsigned i;

	for (i = 0; i < n; i++) {
		snprintf(full, sizeof(full), "%s/%s", defs[i]->suite,
			 defs[i]->name);
		printf("%-34s %s\n", full, defs[i]->what);
	}
}

static int run(const struct chk_opts *o, const struct chk_def **defs,
	       unsigned n)
{
	char note[512], err[1024];
	struct chk_env env;
	struct report rep;
	int problems, status;

	if (env_prepare(&env, o, main_interrupted, note, sizeof(note), err,
			sizeof(err)) != 0) {
		fprintf(stderr, "cellftp-check: could not test: %s\n",
			*main_interrupted ? "interrupted" : err);
		env_free(&env);
		return EXIT_UNTESTED;
	}
	if (report_start(&rep, o, n) != 0) {
		fputs("cellftp-check: out of memory\n", stderr);
		env_free(&env);
		return EXIT_UNTESTED;
	}
	if (note[0] != '\0')
		report_note(&rep, "%s", note);
	problems = run_checks(&env, (const struct chk_def *const *)defs, n,
			      &rep);
	report_end(&rep);
	status = rep.failed > 0 || problems > 0 ? EXIT_MISBEHAVED : 0;
	if (*main_interrupted)
		status = EXIT_UNTESTED;
	if (o->junit != NULL && report_junit(&rep, o->junit) != 0) {
		perror(o->junit);
		status = EXIT_UNTESTED;
	}
	report_free(&rep);
	env_free(&env);
	return status;
}

int main(int argc, char **argv)
{
	const struct chk_def *defs[MAX_CHECKS];
	struct chk_opts o;
	unsigned n;

	if (parse_args(argc, argv, &o) != 0) {
		usage(stderr);
		return EXIT_UNTESTED;
	}
	n = select_checks(o.only, defs);
	if (o.list) {
		list_checks(defs, n);
		return 0;
	}
	if (n == 0) {
		fprintf(stderr, "cellftp-check: no check matches --only %s\n",
			o.only);
		return EXIT_UNTESTED;
	}
	if (o.do_tls && !ftpc_tls_available()) {
		fputs("cellftp-check: --tls: this build has no TLS support "
		      "(built without OpenSSL)\n", stderr);
		return EXIT_UNTESTED;
	}
	main_interrupted = tsig_catch();
	if (main_interrupted == NULL) {
		perror("cellftp-check: sigaction");
		return EXIT_UNTESTED;
	}
	return run(&o, defs, n);
}
