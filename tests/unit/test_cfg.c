/*
 * Unit tests for core/cfg.c: real config files in a temporary folder, every
 * key with its default, every refusal with its message and FILE:LINE,
 * listen addresses, relative paths, the embedded default and the sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "core/cfg.h"
#include "modules/loader.h"
#include "tutil.h"

struct fx {
	char dir[256];		/* mkdtemp: removed afterwards */
	char root[300];		/* dir/root, an existing folder */
};

/* Every occurrence of `from` in `s` replaced by `to`; caller frees. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += fl)
		n++;
	out = malloc(strlen(s) + n * tl + 1);
	assert_non_null(out);
	for (o = out; (p = strstr(s, from)) != NULL; s = p + fl) {
		memcpy(o, s, (size_t)(p - s));
		o += p - s;
		memcpy(o, to, tl);
		o += tl;
	}
	strcpy(o, s);
	return out;
}

static int setup(void **state)
{
	struct fx *fx = calloc(1, sizeof(*fx));

	assert_non_null(fx);
	tmp_make(fx->dir, sizeof(fx->dir), "/tmp/cellftpd-test-cfg-XXXXXX");
	snprintf(fx->root, sizeof(fx->root), "%s/root", fx->dir);
	assert_int_equal(mkdir(fx->root, 0755), 0);
	*state = fx;
	return 0;
}

static int teardown(void **state)
{
	struct fx *fx = *state;

	tmp_remove(fx->dir);
	free(fx);
	return 0;
}

/* Write text (with @ROOT@ and @DIR@ filled in) to dir/name; load it. */
static int load_text(struct fx *fx, const char *name, const char *text,
		     struct cfg *c, char *err, size_t errlen, char **pathp)
{
	char *t1 = replace_all(text, "@ROOT@", fx->root);
	char *t2 = replace_all(t1, "@DIR@", fx->dir);
	char *path = xasprintf("%s/%s", fx->dir, name);
	int rc;

	write_file(path, t2);
	rc = cfg_load(c, path, err, errlen);
	free(t1);
	free(t2);
	if (pathp != NULL)
		*pathp = path;
	else
		free(path);
	return rc;
}

/* ---- a full config, and defaults ---- */

static const char full_conf[] =
	"# every key, none at its default\n"
	"server: {\n"
	"\tlisten = [ \"127.0.0.1:2121\", \"[::1]:2121\", \"*:0\" ];\n"
	"\troot = \"@ROOT@\";\n"
	"\tworkers = 3;\n"
	"\tblocking_threads = 4;\n"
	"\tmax_sessions = 500;\n"
	"\tmax_sessions_per_ip = 7;\n"
	"\tidle_timeout = 600;\n"
	"\tdata_timeout = 90;\n"
	"\tlogin_timeout = 30;\n"
	"\tlogin_delay = 2.5;\n"
	"\tmax_login_attempts = 5;\n"
	"\tshutdown_timeout = 10;\n"
	"\tpassive_ports = [ 40000, 40100 ];\n"
	"\tpassive_address = \"203.0.113.7\";\n"
	"\trun_as = \"nobody\";\n"
	"\tbanner = \"Welcome to the cells\";\n"
	"\tumask = \"027\";\n"
	"};\n"
	"modules: {\n"
	"\tpath = \"/opt/cellftpd/modules\";\n"
	"\tload = (\n"
	"\t\t{ name = \"auth_file\"; users = \"users\"; },\n"
	"\t\t{ name = \"log_file\"; dir = \"/var/log/x\"; }\n"
	"\t);\n"
	"};\n";

static void a_full_config_sets_every_key(void **state)
{
	struct fx *fx = *state;
	struct cfg c;
	char err[CFG_ERR_MAX], *path;
	const struct sockaddr_in6 *s6;

	assert_int_equal(load_text(fx, "full.conf", full_conf, &c, err,
				   sizeof(err), &path), 0);
	assert_string_equal(c.path, path);
	assert_string_equal(c.base_dir, fx->dir);
	assert_int_equal(c.nlisten, 3);
	assert_string_equal(c.listen[0].text, "127.0.0.1:2121");
	assert_int_equal(c.listen[0].ss.ss_family, AF_INET);
	assert_string_equal(c.listen[1].text, "[::1]:2121");
	s6 = (const struct sockaddr_in6 *)&c.listen[1].ss;
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(ntohs(s6->sin6_port), 2121);
	assert_string_equal(c.listen[2].text, "*:0");
	assert_string_equal(c.root, fx->root);
	assert_int_equal(c.workers, 3);
	assert_int_equal(c.blocking_threads, 4);
	assert_int_equal(c.max_sessions, 500);
	assert_int_equal(c.max_sessions_per_ip, 7);
	assert_int_equal(c.idle_timeout, 600);
	assert_int_equal(c.data_timeout, 90);
	assert_int_equal(c.login_timeout, 30);
	assert_int_equal(c.login_delay_ms, 2500);
	assert_int_equal(c.max_login_attempts, 5);
	assert_int_equal(c.shutdown_timeout, 10);
	assert_int_equal(c.pasv_min, 40000);
	assert_int_equal(c.pasv_max, 40100);
	assert_string_equal(c.pasv_address, "203.0.113.7");
	assert_string_equal(c.run_as, "nobody");
	assert_string_equal(c.banner, "Welcome to the cells");
	assert_string_equal(c.umask_text, "027");
	assert_int_equal(c.umask, 027);
	assert_string_equal(c.module_path, "/opt/cellftpd/modules");
	assert_int_equal(c.nmods, 2);
	assert_string_equal(c.mods[0].name, "auth_file");
	assert_int_equal(c.mods[0].line, line_of(full_conf, "auth_file"));
	assert_ptr_equal(c.mods[0].conf.cfg, &c);
	assert_string_equal(c.mods[1].name, "log_file");
	assert_int_equal(c.mods[1].line, line_of(full_conf, "log_file"));
	cfg_free(&c);
	free(path);
}

/* The values every missing key takes, checked field by field. */
static void assert_defaults(const struct cfg *c, const char *root)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	assert_int_equal(c->nlisten, 1);
	assert_string_equal(c->listen[0].text, "0.0.0.0:21");
	assert_string_equal(c->root, root);
	assert_int_equal(c->workers, ncpu < 1 ? 1 : ncpu);
	assert_int_equal(c->blocking_threads, 8);
	assert_int_equal(c->max_sessions, 10000);
	assert_int_equal(c->max_sessions_per_ip, 50);
	assert_int_equal(c->idle_timeout, 300);
	assert_int_equal(c->data_timeout, 120);
	assert_int_equal(c->login_timeout, 60);
	assert_int_equal(c->login_delay_ms, 1000);
	assert_int_equal(c->max_login_attempts, 3);
	assert_int_equal(c->shutdown_timeout, 30);
	assert_int_equal(c->pasv_min, 50000);
	assert_int_equal(c->pasv_max, 50999);
	assert_string_equal(c->pasv_address, "");
	assert_string_equal(c->run_as, "");
	assert_string_equal(c->banner, "cellftpd ready");
	assert_string_equal(c->umask_text, "022");
	assert_int_equal(c->umask, 022);
}

static void missing_keys_take_their_defaults(void **state)
{
	struct fx *fx = *state;
	struct cfg c;
	char err[CFG_ERR_MAX];

	assert_int_equal(load_text(fx, "min.conf",
				   "server: { root = \"@ROOT@\"; };\n", &c,
				   err, sizeof(err), NULL), 0);
	assert_defaults(&c, fx->root);
	assert_string_equal(c.module_path, CELLFTPD_MODULE_DIR);
	assert_int_equal(c.nmods, 0);
	cfg_free(&c);
}

static void values_at_the_edges_of_their_ranges_are_accepted(void **state)
{
	struct fx *fx = *state;
	struct cfg c;
	char err[CFG_ERR_MAX];

	assert_int_equal(load_text(fx, "x.conf",
		"server: { root = \"@ROOT@\"; login_delay = 0; workers = 0;\n"
		"  passive_ports = [ 1024, 65535 ]; umask = \"0777\";\n"
		"  listen = [ \"[::]:0\" ]; passive_address = \"10.0.0.1\"; };\n"
		"modules: { load = (); };\n", &c, err, sizeof(err), NULL), 0);
	assert_int_equal(c.login_delay_ms, 0);
	assert_true(c.workers >= 1);
	assert_int_equal(c.pasv_min, 1024);
	assert_int_equal(c.pasv_max, 65535);
	assert_int_equal(c.umask, 0777);
	assert_int_equal(c.nmods, 0);
	cfg_free(&c);

	/* 63 characters: the longest module name */
	assert_int_equal(load_text(fx, "y.conf",
		"server: { root = \"@ROOT@\"; login_delay = 0.25; };\n"
		"modules: { load = ( { name = \"a123456789a123456789a123456789"
		"a123456789a123456789a123456789abc\"; } ); };\n",
		&c, err, sizeof(err), NULL), 0);
	assert_int_equal(c.login_delay_ms, 250);
	assert_int_equal(strlen(c.mods[0].name), 63);
	cfg_free(&c);
}

/* ---- refusals: message and FILE:LINE (the line marked "# <-") ---- */

#define SRV(body) "server: {\n\troot = \"@ROOT@\";\n" body "};\n"

static const struct bad_case {
	const char *text;
	const char *msg;
} bad_cases[] = {
	{ SRV("\tworkers = \"4\"; # <-\n"), "server.workers must be an integer" },
	{ SRV("\tworkers = 2000; # <-\n"),
	  "server.workers must be between 0 and 1024" },
	{ SRV("\tworkers = -1; # <-\n"),
	  "server.workers must be between 0 and 1024" },
	{ SRV("\tblocking_threads = 0; # <-\n"),
	  "server.blocking_threads must be between 1 and 256" },
	{ SRV("\tblocking_threads = 257; # <-\n"),
	  "server.blocking_threads must be between 1 and 256" },
	{ SRV("\tmax_sessions = 0; # <-\n"),
	  "server.max_sessions must be between 1 and 1000000" },
	{ SRV("\tmax_sessions_per_ip = 1.5; # <-\n"),
	  "server.max_sessions_per_ip must be an integer" },
	{ SRV("\tidle_timeout = \"300\"; # <-\n"),
	  "server.idle_timeout must be an integer" },
	{ SRV("\tdata_timeout = 0; # <-\n"),
	  "server.data_timeout must be between 1 and 86400" },
	{ SRV("\tlogin_timeout = 3601; # <-\n"),
	  "server.login_timeout must be between 1 and 3600" },
	{ SRV("\tmax_login_attempts = 0; # <-\n"),
	  "server.max_login_attempts must be between 1 and 100" },
	{ SRV("\tshutdown_timeout = -1; # <-\n"),
	  "server.shutdown_timeout must be between 0 and 3600" },
	{ SRV("\tlogin_delay = \"1\"; # <-\n"),
	  "server.login_delay must be a number of seconds" },
	{ SRV("\tlogin_delay = 60.5; # <-\n"),
	  "server.login_delay must be between 0 and 60 seconds" },
	{ SRV("\tpassive_ports = [ 1000, 2000 ]; # <-\n"),
	  "server.passive_ports must be between 1024 and 65535" },
	{ SRV("\tpassive_ports = [ 50000, 70000 ]; # <-\n"),
	  "server.passive_ports must be between 1024 and 65535" },
	{ SRV("\tpassive_ports = [ 60000, 50000 ]; # <-\n"),
	  "server.passive_ports: min 60000 is greater than max 50000" },
	{ SRV("\tpassive_ports = [ 50000 ]; # <-\n"),
	  "server.passive_ports must be [min, max]" },
	{ SRV("\tpassive_ports = 50000; # <-\n"),
	  "server.passive_ports must be [min, max]" },
	{ SRV("\tpassive_address = \"ftp.example.com\"; # <-\n"),
	  "server.passive_address must be \"\" or a numeric IPv4 address" },
	{ SRV("\tpassive_address = \"::1\"; # <-\n"),
	  "server.passive_address must be \"\" or a numeric IPv4 address" },
	{ SRV("\tpassive_address = 1; # <-\n"),
	  "server.passive_address must be a string" },
	{ SRV("\trun_as = 0; # <-\n"), "server.run_as must be a string" },
	{ SRV("\tbanner = \"two\\nlines\"; # <-\n"),
	  "server.banner must be one line" },
	{ SRV("\tumask = \"089\"; # <-\n"), "server.umask must be octal digits" },
	{ SRV("\tumask = \"1777\"; # <-\n"), "server.umask must be octal digits" },
	{ SRV("\tumask = \"\"; # <-\n"), "server.umask must be octal digits" },
	{ SRV("\tumask = 22; # <-\n"), "server.umask must be a string" },
	{ SRV("\tlisten = \"0.0.0.0:21\"; # <-\n"),
	  "server.listen must be an array of strings" },
	{ SRV("\tlisten = [ ]; # <-\n"),
	  "server.listen must be an array of strings" },
	{ SRV("\tlisten = [ 21 ]; # <-\n"),
	  "server.listen must be an array of strings" },
	{ SRV("\tlisten = [ \"127.0.0.1:21\",\n\t\t\"localhost:21\" ]; # <-\n"),
	  "server.listen: bad address 'localhost:21'" },
	{ "server: { # <-\n\tworkers = 1;\n};\n",
	  "server.root is required" },
	{ "server: {\n\troot = \"@ROOT@/nope\"; # <-\n};\n",
	  "server.root: @ROOT@/nope: No such file or directory" },
	{ "server: {\n\troot = \"@DIR@/file\"; # <-\n};\n",
	  "server.root: @DIR@/file is not a directory" },
	{ "server: {\n\troot = \"\"; # <-\n};\n",
	  "server.root must not be empty" },
	{ "server: {\n\troot = 1; # <-\n};\n", "server.root must be a string" },
	{ "# <- no server group at all\n",
	  "missing group 'server' (server.root is required)" },
	{ "server = 5; # <-\n", "server must be a group" },
	{ SRV("") "ftp = 1; # <-\n", "unknown key 'ftp'" },
	{ SRV("\tworker = 4; # <-\n"), "unknown key 'server.worker'" },
	{ SRV("") "modules: {\n\tpaths = \"x\"; # <-\n};\n",
	  "unknown key 'modules.paths'" },
	{ SRV("") "modules = 1; # <-\n", "modules must be a group" },
	{ SRV("") "modules: {\n\tpath = 5; # <-\n};\n",
	  "modules.path must be a string" },
	{ SRV("") "modules: {\n\tpath = \"\"; # <-\n};\n",
	  "modules.path must not be empty" },
	{ SRV("") "modules: {\n\tload = { a = 1; }; # <-\n};\n",
	  "modules.load must be a list of groups" },
	{ SRV("") "modules: {\n\tload = (\n\t\t\"auth_file\" ); # <-\n};\n",
	  "modules.load entry 1 must be a group" },
	{ SRV("") "modules: { load = (\n\t{ name = \"a\"; },\n"
	  "\t{ users = \"x\"; } # <-\n); };\n",
	  "modules.load entry 2 has no name" },
	{ SRV("") "modules: { load = (\n\t{ name = 5; } # <-\n); };\n",
	  "modules.load entry 1: name must be a string" },
	{ SRV("") "modules: { load = (\n\t{ name = \"Auth-File\"; } # <-\n); };\n",
	  "modules.load: bad module name 'Auth-File'" },
	{ SRV("") "modules: { load = (\n\t{ name = \"\"; } # <-\n); };\n",
	  "modules.load: bad module name ''" },
	{ SRV("") "modules: { load = (\n\t{ name = \"a123456789a123456789"
	  "a123456789a123456789a123456789a123456789abcd\"; } # <-\n); };\n",
	  /* 64 characters: one too many */
	  "modules.load: bad module name 'a123456789" },
	{ SRV("\tworkers = ; # <-\n"), "syntax error" },
	{ SRV("\tworkers = 1;\n\tworkers = 2; # <-\n"),
	  "duplicate setting name" },
};

static void every_refusal_names_file_line_and_problem(void **state)
{
	struct fx *fx = *state;
	char *file = xasprintf("%s/file", fx->dir);
	size_t i;

	write_file(file, "not a folder\n");
	for (i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		const struct bad_case *bc = &bad_cases[i];
		char err[CFG_ERR_MAX], *path, *prefix, *m1, *msg;
		struct cfg c;

		if (load_text(fx, "bad.conf", bc->text, &c, err, sizeof(err),
			      &path) != -1)
			fail_msg("case %zu accepted, want \"%s\"", i, bc->msg);
		prefix = xasprintf("%s:%d: ", path,
				   line_of(bc->text, "# <-"));
		m1 = replace_all(bc->msg, "@ROOT@", fx->root);
		msg = replace_all(m1, "@DIR@", fx->dir);
		if (strncmp(err, prefix, strlen(prefix)) != 0 ||
		    strstr(err, msg) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i,
				 err, prefix, msg);
		assert_null(strchr(err, '\n'));
		/* a refused cfg is left empty: freeing it again is harmless */
		assert_null(c.path);
		cfg_free(&c);
		free(prefix);
		free(m1);
		free(msg);
		free(path);
	}
	free(file);
}

static void an_unreadable_file_or_a_folder_is_refused_by_name(void **state)
{
	struct fx *fx = *state;
	struct cfg c;
	char err[CFG_ERR_MAX], *missing, *want;

	missing = xasprintf("%s/absent.conf", fx->dir);
	assert_int_equal(cfg_load(&c, missing, err, sizeof(err)), -1);
	want = xasprintf("%s: cannot read: %s", missing, strerror(ENOENT));
	assert_string_equal(err, want);
	free(want);

	assert_int_equal(cfg_load(&c, fx->root, err, sizeof(err)), -1);
	want = xasprintf("%s: cannot read: %s", fx->root, strerror(EISDIR));
	assert_string_equal(err, want);
	free(want);
	free(missing);
}

static void an_error_in_an_included_file_names_that_file(void **state)
{
	struct fx *fx = *state;
	struct cfg c;
	char err[CFG_ERR_MAX], *inc, *want;

	inc = xasprintf("%s/limits.inc", fx->dir);
	write_file(inc, "\n\nworkers = \"many\";\n");
	assert_int_equal(load_text(fx, "main.conf",
				   "server: {\n\troot = \"@ROOT@\";\n"
				   "\t@include \"limits.inc\"\n};\n",
				   &c, err, sizeof(err), NULL), -1);
	want = xasprintf("%s:3: server.workers must be an integer", inc);
	assert_string_equal(err, want);
	free(want);
	free(inc);
}

/* ---- listen addresses ---- */

static void listen_addresses_take_v4_v6_star_and_port_zero(void **state)
{
	struct cfg_listen l;
	const struct sockaddr_in *s4 = (const struct sockaddr_in *)&l.ss;
	const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&l.ss;
	char text[INET6_ADDRSTRLEN];

	assert_int_equal(cfg_parse_addr("192.0.2.1:21", &l), 0);
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(l.len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(s4->sin_port), 21);
	assert_string_equal(inet_ntop(AF_INET, &s4->sin_addr, text,
				      sizeof(text)), "192.0.2.1");
	assert_string_equal(l.text, "192.0.2.1:21");

	assert_int_equal(cfg_parse_addr("[2001:db8::1]:2121", &l), 0);
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(l.len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(s6->sin6_port), 2121);
	assert_string_equal(inet_ntop(AF_INET6, &s6->sin6_addr, text,
				      sizeof(text)), "2001:db8::1");

	assert_int_equal(cfg_parse_addr("*:2121", &l), 0);
	assert_int_equal(s4->sin_family, AF_INET);
	assert_int_equal(s4->sin_addr.s_addr, htonl(INADDR_ANY));

	assert_int_equal(cfg_parse_addr("127.0.0.1:0", &l), 0);
	assert_int_equal(ntohs(s4->sin_port), 0);
	assert_int_equal(cfg_parse_addr("[::]:0", &l), 0);
	assert_int_equal(s6->sin6_family, AF_INET6);
	assert_int_equal(cfg_parse_addr("0.0.0.0:65535", &l), 0);
	assert_int_equal(ntohs(s4->sin_port), 65535);
}

static void malformed_listen_addresses_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "21", ":21", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536",
		"127.0.0.1:-1", "127.0.0.1:+21", "127.0.0.1: 21",
		"127.0.0.1:21x", "127.0.0.1:999999", "localhost:21",
		"127.1:21", "256.0.0.1:21", "::1:21", "[::1]21", "[::1]",
		"[::1]:", "[]:21", "[1.2.3.4]:21", "[::1:21", "*:",
		"**:21", "[*]:21", "[::1]:021021",
	};
	struct cfg_listen l;
	char longer[sizeof(l.text) + 8];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (cfg_parse_addr(bad[i], &l) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
	/* too long to be kept as written, though it is a valid address */
	memset(longer, '0', sizeof(longer));
	memcpy(longer, "[::1]:", 6);
	longer[sizeof(longer) - 3] = '2';
	longer[sizeof(longer) - 2] = '1';
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(cfg_parse_addr(longer, &l), -1);
}

/* ---- paths ---- */

static void relative_paths_are_taken_from_the_config_folder(void **state)
{
	struct fx *fx = *state;
	char cwd[PATH_MAX], err[CFG_ERR_MAX], *etc, *conf, *rel, *want;
	const char *p;
	struct cfg c;
	size_t depth = 0;

	etc = xasprintf("%s/etc", fx->dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	conf = xasprintf("%s/cellftpd.conf", etc);
	write_file(conf, "server: { root = \"../root\"; };\n"
		   "modules: { path = \"./mods\"; };\n");
	/* name the file relative to the current folder, whatever it is */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	for (p = cwd; *p != '\0'; p++)
		depth += *p == '/' && p[1] != '\0';
	rel = calloc(1, depth * 3 + strlen(conf) + 1);
	assert_non_null(rel);
	while (depth-- > 0)
		strcat(rel, "../");
	strcat(rel, conf + 1);

	assert_int_equal(cfg_load(&c, rel, err, sizeof(err)), 0);
	assert_string_equal(c.base_dir, etc);
	assert_string_equal(c.root, fx->root);
	want = xasprintf("%s/mods", etc);
	assert_string_equal(c.module_path, want);
	free(want);
	want = cfg_abs_path(&c, "var/users");
	assert_non_null(want);
	assert_true(strncmp(want, etc, strlen(etc)) == 0);
	assert_string_equal(want + strlen(etc), "/var/users");
	free(want);
	want = cfg_abs_path(&c, "/srv/x");
	assert_string_equal(want, "/srv/x");
	free(want);
	assert_null(cfg_abs_path(&c, ""));
	cfg_free(&c);
	free(rel);
	free(conf);
	free(etc);
}

/* ---- sizes, through the host accessor ---- */

static void sizes_accept_suffixes_none_and_plain_numbers(void **state)
{
	struct fx *fx = *state;
	const struct cf_host *h = modhost_setup(fx->root, (uid_t)-1,
						(gid_t)-1, NULL);
	static const char text[] =
		"server: { root = \"@ROOT@\"; };\n"
		"modules: { load = ( { name = \"m\"; a = \"512K\"; b = \"100M\";"
		" c = \"2G\"; d = \"1T\"; e = \"none\"; f = 4096; g = \"1kb\";"
		" h = \"1.5G\"; i = \"-1\"; j = -5; k = \"12X\"; l = \"\";"
		" m = true; n = \"17179869184T\"; o = 5000000000L; } ); };\n";
	struct cfg c;
	char err[CFG_ERR_MAX];
	uint64_t v;
	const struct cf_config *e;

	assert_int_equal(load_text(fx, "s.conf", text, &c, err, sizeof(err),
				   NULL), 0);
	e = &c.mods[0].conf;
	assert_int_equal(h->cfg_size(e, "a", &v), 0);
	assert_true(v == 512ull << 10);
	assert_int_equal(h->cfg_size(e, "b", &v), 0);
	assert_true(v == 100ull << 20);
	assert_int_equal(h->cfg_size(e, "c", &v), 0);
	assert_true(v == 2ull << 30);
	assert_int_equal(h->cfg_size(e, "d", &v), 0);
	assert_true(v == 1ull << 40);
	assert_int_equal(h->cfg_size(e, "e", &v), 0);
	assert_true(v == CF_UNLIMITED);
	assert_int_equal(h->cfg_size(e, "f", &v), 0);
	assert_true(v == 4096);
	assert_int_equal(h->cfg_size(e, "g", &v), 0);
	assert_true(v == 1024);
	assert_int_equal(h->cfg_size(e, "o", &v), 0);
	assert_true(v == 5000000000ull);
	assert_int_equal(h->cfg_size(e, "h", &v), -1);
	assert_int_equal(h->cfg_size(e, "i", &v), -1);
	assert_int_equal(h->cfg_size(e, "j", &v), -1);
	assert_int_equal(h->cfg_size(e, "k", &v), -1);
	assert_int_equal(h->cfg_size(e, "l", &v), -1);
	assert_int_equal(h->cfg_size(e, "m", &v), -1);
	assert_int_equal(h->cfg_size(e, "n", &v), -1);
	assert_int_equal(h->cfg_size(e, "absent", &v), 1);
	cfg_free(&c);
}

/* ---- the embedded default ---- */

static void the_embedded_default_lives_under_its_base(void **state)
{
	struct fx *fx = *state;
	const struct cf_host *h;
	char err[CFG_ERR_MAX], got[PATH_MAX], *base, *want;
	const char *s;
	uint64_t q;
	struct stat st;
	struct cfg c;

	/* a quote and a backslash in the base must survive the embedding */
	base = xasprintf("%s/we\"ird\\base", fx->dir);
	assert_int_equal(mkdir(base, 0755), 0);
	umask(022);
	assert_int_equal(cfg_load_default(&c, base, "/opt/mods", err,
					  sizeof(err)), 0);
	assert_string_equal(c.path, "(embedded default)");
	assert_int_equal(c.nlisten, 1);
	assert_string_equal(c.listen[0].text, "127.0.0.1:2121");
	want = xasprintf("%s/var/cells", base);
	assert_string_equal(c.root, want);
	free(want);
	assert_string_equal(c.run_as, "");
	assert_int_equal(c.pasv_min, 50000);
	assert_int_equal(c.pasv_max, 50999);
	assert_string_equal(c.module_path, "/opt/mods");

	want = xasprintf("%s/var", base);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	free(want);
	assert_int_equal(stat(c.root, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	want = xasprintf("%s/var/log", base);
	assert_int_equal(stat(want, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);

	h = modhost_setup(c.root, (uid_t)-1, (gid_t)-1, NULL);
	assert_int_equal(c.nmods, 3);
	assert_string_equal(c.mods[0].name, "auth_file");
	assert_string_equal(c.mods[1].name, "quota_disk");
	assert_string_equal(c.mods[2].name, "log_file");
	assert_int_equal(h->cfg_path(&c.mods[2].conf, "dir", got,
				     sizeof(got)), 0);
	assert_string_equal(got, want);
	free(want);
	want = xasprintf("%s/var/users", base);
	assert_int_equal(h->cfg_path(&c.mods[0].conf, "users", got,
				     sizeof(got)), 0);
	assert_string_equal(got, want);
	free(want);
	assert_int_equal(h->cfg_str(&c.mods[0].conf, "registration", &s), 0);
	assert_string_equal(s, "admin");
	assert_int_equal(h->cfg_size(&c.mods[0].conf, "default_quota", &q), 0);
	assert_true(q == 1ull << 30);
	assert_int_equal(h->cfg_check_keys(&c.mods[0].conf, (const char *[]){
		"users", "registration", "default_quota", NULL }, err,
		sizeof(err)), 0);
	cfg_free(&c);

	/* the folders exist now: a second start just uses them */
	assert_int_equal(cfg_load_default(&c, base, "/opt/mods", err,
					  sizeof(err)), 0);
	cfg_free(&c);
	free(base);
}

/* ---- the sample config shipped in etc/ ---- */

static void the_sample_config_parses_and_documents_the_defaults(void **state)
{
	struct fx *fx = *state;
	const char *src = getenv("CELLFTPD_SOURCE_ROOT");
	char err[CFG_ERR_MAX], *path, *text, *fixed, *root;
	const struct cf_host *h;
	const char *s;
	struct cfg c;

	if (src == NULL)
		skip();
	path = xasprintf("%s/etc/cellftpd.conf", src);
	text = read_file(path);
	assert_non_null(strstr(text, "root = \"/srv/cellftpd\";"));
	root = xasprintf("root = \"%s\";", fx->root);
	fixed = replace_all(text, "root = \"/srv/cellftpd\";", root);
	if (cfg_load_string(&c, fixed, path, fx->dir, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_defaults(&c, fx->root);
	assert_string_equal(c.module_path, CELLFTPD_MODULE_DIR);
	assert_int_equal(c.nmods, 3);
	assert_string_equal(c.mods[0].name, "auth_file");
	assert_string_equal(c.mods[1].name, "quota_disk");
	assert_string_equal(c.mods[2].name, "log_file");
	h = modhost_setup(c.root, (uid_t)-1, (gid_t)-1, NULL);
	assert_int_equal(h->cfg_str(&c.mods[0].conf, "registration", &s), 0);
	assert_int_equal(h->cfg_str(&c.mods[2].conf, "format", &s), 0);
	assert_string_equal(s, "text");
	cfg_free(&c);
	free(fixed);
	free(root);
	free(text);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(a_full_config_sets_every_key),
		T(missing_keys_take_their_defaults),
		T(values_at_the_edges_of_their_ranges_are_accepted),
		T(every_refusal_names_file_line_and_problem),
		T(an_unreadable_file_or_a_folder_is_refused_by_name),
		T(an_error_in_an_included_file_names_that_file),
		T(listen_addresses_take_v4_v6_star_and_port_zero),
		T(malformed_listen_addresses_are_refused),
		T(relative_paths_are_taken_from_the_config_folder),
		T(sizes_accept_suffixes_none_and_plain_numbers),
		T(the_embedded_default_lives_under_its_base),
		T(the_sample_config_parses_and_documents_the_defaults),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
