/*
 * cellftpd.conf (see cfg.h): read with libconfig, then checked key by key
 * into struct cfg.  A refusal is one line "FILE:LINE: problem", like
 * `nginx -t`; relative paths are taken from the config file's folder.
 */
#include "cfg.h"

#include "config.h"
#include "buf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CFG_DEFAULT_NAME "(embedded default)"
#define CFG_BANNER_MAX 256
#define CFG_WORKERS_MAX 1024

/* The config being checked, and where its first refusal goes. */
struct cfg_chk {
	struct cfg *c;
	const char *sect;	/* "server", "modules": prefix of key names */
	char *err;
	size_t errlen;
};

static const char *const cfg_top_keys[] = { "server", "modules", "tls",
					     NULL };

static const char *const cfg_server_keys[] = {
	"listen", "root", "workers", "blocking_threads", "max_sessions",
	"max_sessions_per_ip", "idle_timeout", "data_timeout",
	"login_timeout", "login_delay", "max_login_attempts",
	"max_unauth_per_ip", "ban_failures", "ban_window", "ban_time",
	"shutdown_timeout", "passive_ports", "passive_address", "run_as",
	"banner", "umask", NULL
};

static const char *const cfg_modules_keys[] = { "path", "load", NULL };

/* Integer keys of `server`: name, bounds, default, where it lands. */
struct cfg_int_key {
	const char *key;
	long long min, max;
	int def;
	size_t off;
};

static const struct cfg_int_key cfg_server_ints[] = {
	{ "workers", 0, CFG_WORKERS_MAX, 0, offsetof(struct cfg, workers) },
	{ "blocking_threads", 1, 256, 8,
	  offsetof(struct cfg, blocking_threads) },
	{ "max_sessions", 1, 1000000, 10000,
	  offsetof(struct cfg, max_sessions) },
	{ "max_sessions_per_ip", 1, 1000000, 50,
	  offsetof(struct cfg, max_sessions_per_ip) },
	{ "idle_timeout", 1, 86400, 300, offsetof(struct cfg, idle_timeout) },
	{ "data_timeout", 1, 86400, 120, offsetof(struct cfg, data_timeout) },
	{ "login_timeout", 1, 3600, 60, offsetof(struct cfg, login_timeout) },
	{ "max_login_attempts", 1, 100, 3,
	  offsetof(struct cfg, max_login_attempts) },
	{ "max_unauth_per_ip", 1, 1000000, 10,
	  offsetof(struct cfg, max_unauth_per_ip) },
	{ "ban_failures", 0, 10000, 10, offsetof(struct cfg, ban_failures) },
	{ "ban_window", 1, 86400, 600, offsetof(struct cfg, ban_window) },
	{ "ban_time", 1, 2592000, 900, offsetof(struct cfg, ban_time) },
	{ "shutdown_timeout", 0, 3600, 30,
	  offsetof(struct cfg, shutdown_timeout) },
};

const char *cfg_where(const struct cfg *c, const config_setting_t *s,
		      char *buf, size_t len)
{
	const char *file = NULL;
	unsigned line = 1;

	if (s != NULL) {
		file = config_setting_source_file(s);
		/* the root group has line 0: point at the top of the file */
		if (config_setting_source_line(s) > 0)
			line = config_setting_source_line(s);
	}
	if (file == NULL)
		file = (c != NULL && c->path != NULL) ? c->path : "(config)";
	/* libconfig keeps an @include name as written: it is base_dir's */
	if (file[0] != '/' && c != NULL && c->base_dir != NULL &&
	    (c->path == NULL || strcmp(file, c->path) != 0))
		snprintf(buf, len, "%s/%s:%u", c->base_dir, file, line);
	else
		snprintf(buf, len, "%s:%u", file, line);
	return buf;
}

__attribute__((format(printf, 5, 0)))
static void cfg_verrorf(const struct cfg *c, const config_setting_t *s,
			char *err, size_t errlen, const char *fmt, va_list ap)
{
	char where[CFG_ERR_MAX], msg[CFG_ERR_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(err, errlen, "%s: %s", cfg_where(c, s, where, sizeof(where)),
		 msg);
}

int cfg_errorf(const struct cfg *c, const config_setting_t *s, char *err,
	       size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verrorf(c, s, err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4)))
static int chk_fail(struct cfg_chk *k, const config_setting_t *s,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cfg_verrorf(k->c, s, k->err, k->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int chk_oom(struct cfg_chk *k, const config_setting_t *s)
{
	return chk_fail(k, s, "out of memory");
}

int cfg_known(const struct cfg *c, const config_setting_t *grp,
	      const char *const *known, const char *sect, char *err,
	      size_t errlen)
{
	int i, n = config_setting_length(grp);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(grp, i);
		const char *name = config_setting_name(s);
		const char *const *p;

		for (p = known; *p != NULL; p++)
			if (strcmp(*p, name) == 0)
				break;
		if (*p == NULL)
			return cfg_errorf(c, s, err, errlen,
					  "unknown key '%s%s%s'",
					  sect ? sect : "", sect ? "." : "",
					  name);
	}
	return 0;
}

static int chk_known(struct cfg_chk *k, const config_setting_t *grp,
		     const char *const *known)
{
	return cfg_known(k->c, grp, known, k->sect, k->err, k->errlen);
}

/* A group member that must be a group itself, or absent (NULL). */
static int chk_group(struct cfg_chk *k, const char *key,
		     const config_setting_t **out)
{
	config_setting_t *s = config_lookup(&k->c->lc, key);

	*out = s;
	if (s != NULL && !config_setting_is_group(s))
		return chk_fail(k, s, "%s must be a group: %s: { ... };",
				key, key);
	return 0;
}

static int is_int(const config_setting_t *s)
{
	return config_setting_type(s) == CONFIG_TYPE_INT ||
	       config_setting_type(s) == CONFIG_TYPE_INT64;
}

static int chk_int(struct cfg_chk *k, const config_setting_t *grp,
		   const struct cfg_int_key *ik)
{
	const config_setting_t *s;
	long long v;
	int *out = (int *)((char *)k->c + ik->off);

	*out = ik->def;
	s = grp ? config_setting_get_member(grp, ik->key) : NULL;
	if (s == NULL)
		return 0;
	if (!is_int(s))
		return chk_fail(k, s, "%s.%s must be an integer",
				k->sect, ik->key);
	v = config_setting_get_int64(s);
	if (v < ik->min || v > ik->max)
		return chk_fail(k, s, "%s.%s must be between %lld and %lld",
				k->sect, ik->key, ik->min, ik->max);
	*out = (int)v;
	return 0;
}

/* A string key: *out gets a copy of its value, or of `def` when absent. */
static int chk_str(struct cfg_chk *k, const config_setting_t *grp,
		   const char *key, const char *def, char **out)
{
	const config_setting_t *s;
	const char *v = def;

	s = grp ? config_setting_get_member(grp, key) : NULL;
	if (s != NULL) {
		if (config_setting_type(s) != CONFIG_TYPE_STRING)
			return chk_fail(k, s, "%s.%s must be a string",
					k->sect, key);
		v = config_setting_get_string(s);
	}
	*out = strdup(v);
	if (*out == NULL)
		return chk_oom(k, s);
	return 0;
}

static int parse_port(const char *s, uint16_t *port)
{
	unsigned long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= 5 || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (i == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* The sockaddr of a numeric host ("*" = every IPv4 address) and port. */
static int addr_fill(const char *host, int v6, uint16_t port,
		     struct cfg_listen *out)
{
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;

	if (v6) {
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		out->len = sizeof(*sin6);
		return 0;
	}
	if (strcmp(host, "*") == 0)
		sin->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		return -1;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	out->len = sizeof(*sin);
	return 0;
}

int cfg_parse_addr(const char *text, struct cfg_listen *out)
{
	char host[INET6_ADDRSTRLEN];
	const char *hs, *he, *ps;
	size_t hl;
	uint16_t port;
	int v6 = text[0] == '[';

	memset(out, 0, sizeof(*out));
	if (strlen(text) >= sizeof(out->text))
		return -1;
	if (v6) {
		hs = text + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		ps = he + 2;
	} else {
		hs = text;
		he = strrchr(text, ':');
		/* a bare IPv6 address would be ambiguous: brackets it needs */
		if (he == NULL || memchr(hs, ':', (size_t)(he - hs)) != NULL)
			return -1;
		ps = he + 1;
	}
	hl = (size_t)(he - hs);
	if (hl == 0 || hl >= sizeof(host) || parse_port(ps, &port) != 0)
		return -1;
	memcpy(host, hs, hl);
	host[hl] = '\0';
	if (addr_fill(host, v6, port, out) != 0)
		return -1;
	strcpy(out->text, text);
	return 0;
}

static int chk_listen(struct cfg_chk *k, const config_setting_t *srv)
{
	const config_setting_t *s, *e;
	int i, n;

	s = srv ? config_setting_get_member(srv, "listen") : NULL;
	if (s == NULL) {
		k->c->listen = calloc(1, sizeof(*k->c->listen));
		if (k->c->listen == NULL)
			return chk_oom(k, srv);
		k->c->nlisten = 1;
		return cfg_parse_addr("0.0.0.0:21", k->c->listen);
	}
	n = config_setting_length(s);
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
	    n == 0)
		return chk_fail(k, s, "server.listen must be an array of "
				"strings: [ \"0.0.0.0:21\", \"[::]:21\" ]");
	k->c->listen = calloc((size_t)n, sizeof(*k->c->listen));
	if (k->c->listen == NULL)
		return chk_oom(k, s);
	for (i = 0; i < n; i++) {
		const char *text;

		e = config_setting_get_elem(s, (unsigned)i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING)
			return chk_fail(k, e, "server.listen must be an array "
					"of strings");
		text = config_setting_get_string(e);
		if (cfg_parse_addr(text, &k->c->listen[i]) != 0)
			return chk_fail(k, e, "server.listen: bad address "
					"'%s' (want \"host:port\", "
					"\"[v6]:port\" or \"*:port\", numeric "
					"host, port 0-65535)", text);
		k->c->nlisten++;
	}
	return 0;
}

static int chk_root(struct cfg_chk *k, const config_setting_t *srv)
{
	const config_setting_t *s;
	struct stat st;
	char *abs;

	s = srv ? config_setting_get_member(srv, "root") : NULL;
	if (s == NULL)
		return chk_fail(k, srv, "server.root is required (the folder "
				"that holds the user cells)");
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return chk_fail(k, s, "server.root must be a string");
	if (*config_setting_get_string(s) == '\0')
		return chk_fail(k, s, "server.root must not be empty");
	abs = cfg_abs_path(k->c, config_setting_get_string(s));
	if (abs == NULL)
		return chk_oom(k, s);
	k->c->root = realpath(abs, NULL);
	if (k->c->root == NULL) {
		chk_fail(k, s, "server.root: %s: %s", abs, strerror(errno));
		free(abs);
		return -1;
	}
	free(abs);
	if (stat(k->c->root, &st) != 0)
		return chk_fail(k, s, "server.root: %s: %s", k->c->root,
				strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return chk_fail(k, s, "server.root: %s is not a directory",
				k->c->root);
	return 0;
}

static int chk_pasv_ports(struct cfg_chk *k, const config_setting_t *srv)
{
	const config_setting_t *s, *lo, *hi;
	long long min, max;

	k->c->pasv_min = 50000;
	k->c->pasv_max = 50999;
	s = srv ? config_setting_get_member(srv, "passive_ports") : NULL;
	if (s == NULL)
		return 0;
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) ||
	    config_setting_length(s) != 2 ||
	    !is_int(lo = config_setting_get_elem(s, 0)) ||
	    !is_int(hi = config_setting_get_elem(s, 1)))
		return chk_fail(k, s, "server.passive_ports must be "
				"[min, max], like [50000, 50999]");
	min = config_setting_get_int64(lo);
	max = config_setting_get_int64(hi);
	if (min < 1024 || min > 65535 || max < 1024 || max > 65535)
		return chk_fail(k, s, "server.passive_ports must be between "
				"1024 and 65535");
	if (min > max)
		return chk_fail(k, s, "server.passive_ports: min %lld is "
				"greater than max %lld", min, max);
	k->c->pasv_min = (int)min;
	k->c->pasv_max = (int)max;
	return 0;
}

/* Seconds, integer or fractional, kept as milliseconds. */
static int chk_login_delay(struct cfg_chk *k, const config_setting_t *srv)
{
	const config_setting_t *s;
	double v;

	k->c->login_delay_ms = 1000;
	s = srv ? config_setting_get_member(srv, "login_delay") : NULL;
	if (s == NULL)
		return 0;
	if (!config_setting_is_number(s))
		return chk_fail(k, s, "server.login_delay must be a number "
				"of seconds");
	if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
		v = config_setting_get_float(s);
	else
		v = (double)config_setting_get_int64(s);
	if (!(v >= 0.0 && v <= 60.0))
		return chk_fail(k, s, "server.login_delay must be between 0 "
				"and 60 seconds");
	k->c->login_delay_ms = (int)(v * 1000.0 + 0.5);
	return 0;
}

static int chk_umask(struct cfg_chk *k, const config_setting_t *srv)
{
	const config_setting_t *s;
	const char *p;
	unsigned v = 0;

	if (chk_str(k, srv, "umask", "022", &k->c->umask_text) != 0)
		return -1;
	for (p = k->c->umask_text; *p >= '0' && *p <= '7'; p++)
		v = v * 8 + (unsigned)(*p - '0');
	if (*p != '\0' || p == k->c->umask_text ||
	    p - k->c->umask_text > 4 || v > 0777) {
		s = config_setting_get_member(srv, "umask");
		return chk_fail(k, s, "server.umask must be octal digits "
				"up to 0777, like \"022\"");
	}
	k->c->umask = v;
	return 0;
}

static int chk_strings(struct cfg_chk *k, const config_setting_t *srv)
{
	struct in_addr a;

	if (chk_str(k, srv, "passive_address", "", &k->c->pasv_address) ||
	    chk_str(k, srv, "run_as", "", &k->c->run_as) ||
	    chk_str(k, srv, "banner", "cellftpd ready", &k->c->banner))
		return -1;
	if (k->c->pasv_address[0] != '\0' &&
	    inet_pton(AF_INET, k->c->pasv_address, &a) != 1)
		return chk_fail(k, config_setting_get_member(srv,
				"passive_address"), "server.passive_address "
				"must be \"\" or a numeric IPv4 address");
	if (strpbrk(k->c->banner, "\r\n") != NULL ||
	    strlen(k->c->banner) > CFG_BANNER_MAX)
		return chk_fail(k, config_setting_get_member(srv, "banner"),
				"server.banner must be one line of at most "
				"%d characters", CFG_BANNER_MAX);
	return 0;
}

static int chk_server(struct cfg_chk *k)
{
	const config_setting_t *srv;
	size_t i;
	long n;

	k->sect = "server";
	if (chk_group(k, "server", &srv) != 0)
		return -1;
	if (srv == NULL)
		return chk_fail(k, config_root_setting(&k->c->lc),
				"missing group 'server' (server.root is "
				"required)");
	if (chk_known(k, srv, cfg_server_keys) != 0 ||
	    chk_listen(k, srv) != 0 || chk_root(k, srv) != 0)
		return -1;
	for (i = 0; i < sizeof(cfg_server_ints) / sizeof(*cfg_server_ints);
	     i++)
		if (chk_int(k, srv, &cfg_server_ints[i]) != 0)
			return -1;
	if (chk_login_delay(k, srv) != 0 || chk_pasv_ports(k, srv) != 0 ||
	    chk_strings(k, srv) != 0 || chk_umask(k, srv) != 0)
		return -1;
	if (k->c->workers == 0) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		k->c->workers = n < 1 ? 1 : n > CFG_WORKERS_MAX ?
				CFG_WORKERS_MAX : (int)n;
	}
	return 0;
}

static int valid_mod_name(const char *s)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return 0;
	return n >= 1 && n <= 63;
}

static int chk_mod_entry(struct cfg_chk *k, const config_setting_t *e,
			 int idx, struct cfg_module *m)
{
	const config_setting_t *name;
	const char *v;

	if (!config_setting_is_group(e))
		return chk_fail(k, e, "modules.load entry %d must be a group: "
				"{ name = \"...\"; ... }", idx + 1);
	name = config_setting_get_member(e, "name");
	if (name == NULL)
		return chk_fail(k, e, "modules.load entry %d has no name",
				idx + 1);
	if (config_setting_type(name) != CONFIG_TYPE_STRING)
		return chk_fail(k, name, "modules.load entry %d: name must "
				"be a string", idx + 1);
	v = config_setting_get_string(name);
	if (!valid_mod_name(v))
		return chk_fail(k, name, "modules.load: bad module name '%s' "
				"(want 1 to 63 of a-z, 0-9, _)", v);
	strcpy(m->name, v);
	m->conf.cfg = k->c;
	m->conf.set = e;
	m->line = (int)config_setting_source_line(e);
	return 0;
}

static int chk_mod_load(struct cfg_chk *k, const config_setting_t *mods)
{
	const config_setting_t *s;
	int i, n;

	s = mods ? config_setting_get_member(mods, "load") : NULL;
	if (s == NULL)
		return 0;
	n = config_setting_length(s);
	if (!config_setting_is_list(s) &&
	    !(config_setting_is_array(s) && n == 0))
		return chk_fail(k, s, "modules.load must be a list of groups: "
				"( { name = \"...\"; }, ... )");
	if (n == 0)
		return 0;
	k->c->mods = calloc((size_t)n, sizeof(*k->c->mods));
	if (k->c->mods == NULL)
		return chk_oom(k, s);
	for (i = 0; i < n; i++) {
		if (chk_mod_entry(k, config_setting_get_elem(s, (unsigned)i),
				  i, &k->c->mods[i]) != 0)
			return -1;
		k->c->nmods++;
	}
	return 0;
}

static int chk_modules(struct cfg_chk *k)
{
	const config_setting_t *mods, *s;
	char *p = NULL;

	k->sect = "modules";
	if (chk_group(k, "modules", &mods) != 0)
		return -1;
	if (mods != NULL && chk_known(k, mods, cfg_modules_keys) != 0)
		return -1;
	if (chk_str(k, mods, "path", CELLFTPD_MODULE_DIR, &p) != 0)
		return -1;
	s = mods ? config_setting_get_member(mods, "path") : NULL;
	if (*p == '\0') {
		free(p);
		return chk_fail(k, s, "modules.path must not be empty");
	}
	k->c->module_path = cfg_abs_path(k->c, p);
	free(p);
	if (k->c->module_path == NULL)
		return chk_oom(k, s);
	return chk_mod_load(k, mods);
}

static int cfg_check(struct cfg *c, char *err, size_t errlen)
{
	struct cfg_chk k = { .c = c, .sect = NULL, .err = err,
			     .errlen = errlen };

	if (chk_known(&k, config_root_setting(&c->lc), cfg_top_keys) != 0)
		return -1;
	if (chk_server(&k) != 0 || chk_modules(&k) != 0)
		return -1;
	return cfg_tls_check(c, err, errlen);
}

/* Start a cfg: zeroed, libconfig ready, name and absolute base_dir set. */
static int cfg_begin(struct cfg *c, const char *name, const char *base_dir,
		     char *err, size_t errlen)
{
	char cwd[4096];

	memset(c, 0, sizeof(*c));
	config_init(&c->lc);
	c->path = strdup(name);
	if (base_dir == NULL) {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			snprintf(err, errlen, "%s: cannot find the current "
				 "directory: %s", name, strerror(errno));
			return -1;
		}
		base_dir = cwd;
	}
	c->base_dir = realpath(base_dir, NULL);
	if (c->path == NULL || c->base_dir == NULL) {
		snprintf(err, errlen, "%s: %s: %s", name, base_dir,
			 strerror(errno));
		return -1;
	}
	/* @include "x.conf" is taken from the config's folder too */
	config_set_include_dir(&c->lc, c->base_dir);
	return 0;
}

static void cfg_syntax_error(const struct cfg *c, char *err, size_t errlen)
{
	const char *file = config_error_file(&c->lc);

	snprintf(err, errlen, "%s:%d: %s", file ? file : c->path,
		 config_error_line(&c->lc), config_error_text(&c->lc));
}

int cfg_load(struct cfg *c, const char *path, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (cfg_begin(c, path, dir, err, errlen) != 0)
		goto fail;
	if (!config_read_file(&c->lc, path)) {
		if (config_error_type(&c->lc) != CONFIG_ERR_FILE_IO) {
			cfg_syntax_error(c, err, errlen);
			goto fail;
		}
		/* libconfig says only "file I/O error": find out why */
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			errno = EISDIR;
		}
		snprintf(err, errlen, "%s: cannot read: %s", path,
			 strerror(errno));
		goto fail;
	}
	if (cfg_check(c, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	cfg_free(c);
	return -1;
}

int cfg_load_string(struct cfg *c, const char *text, const char *name,
		    const char *base_dir, char *err, size_t errlen)
{
	if (cfg_begin(c, name, base_dir, err, errlen) != 0)
		goto fail;
	if (!config_read_string(&c->lc, text)) {
		cfg_syntax_error(c, err, errlen);
		goto fail;
	}
	if (cfg_check(c, err, errlen) != 0)
		goto fail;
	return 0;
fail:
	cfg_free(c);
	return -1;
}

/* A libconfig string literal of s: quotes, backslashes, control bytes. */
static void put_quoted(struct buf *b, const char *s)
{
	buf_puts(b, "\"");
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			buf_printf(b, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			buf_printf(b, "\\x%02x", ch);
		else
			buf_append(b, s, 1);
	}
	buf_puts(b, "\"");
}

static int make_dir(const char *base, const char *sub, mode_t mode,
		    char *err, size_t errlen)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", base, sub) >=
	    (int)sizeof(path)) {
		snprintf(err, errlen, "%s/%s: %s", base, sub,
			 strerror(ENAMETOOLONG));
		return -1;
	}
	if (mkdir(path, mode) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: cannot create: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static void default_text(struct buf *b, const char *base,
			 const char *module_dir)
{
	buf_puts(b, "server: {\n  listen = [ \"127.0.0.1:2121\" ];\n"
		 "  root = ");
	put_quoted(b, base);
	buf_puts(b, " \"/var/cells\";\n  passive_ports = [ 50000, 50999 ];\n"
		 "  run_as = \"\";\n};\nmodules: {\n  path = ");
	put_quoted(b, module_dir);
	buf_puts(b, ";\n  load = (\n    { name = \"auth_file\"; users = ");
	put_quoted(b, base);
	buf_puts(b, " \"/var/users\"; registration = \"admin\";\n"
		 "      default_quota = \"1G\"; },\n"
		 "    { name = \"quota_disk\"; },\n"
		 "    { name = \"log_file\"; dir = ");
	put_quoted(b, base);
	buf_puts(b, " \"/var/log\"; }\n  );\n};\n");
}

int cfg_load_default(struct cfg *c, const char *base, const char *module_dir,
		     char *err, size_t errlen)
{
	struct buf b;
	char *abase;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	buf_init(&b, 0);
	abase = realpath(base, NULL);
	if (abase == NULL) {
		snprintf(err, errlen, "%s: %s", base, strerror(errno));
		return -1;
	}
	if (make_dir(abase, "var", 0755, err, errlen) != 0 ||
	    make_dir(abase, "var/cells", 0755, err, errlen) != 0 ||
	    make_dir(abase, "var/log", 0750, err, errlen) != 0)
		goto out;
	/* libconfig joins adjacent string literals: "base" "/var/cells" */
	default_text(&b, abase, module_dir);
	if (b.failed) {
		snprintf(err, errlen, "%s: out of memory", CFG_DEFAULT_NAME);
		goto out;
	}
	rc = cfg_load_string(c, b.p, CFG_DEFAULT_NAME, abase, err, errlen);
out:
	buf_free(&b);
	free(abase);
	return rc;
}

void cfg_free(struct cfg *c)
{
	/* config_init() allocates the root: a zeroed cfg has none */
	if (c->lc.root != NULL)
		config_destroy(&c->lc);
	free(c->path);
	free(c->base_dir);
	free(c->listen);
	free(c->root);
	free(c->pasv_address);
	free(c->run_as);
	free(c->banner);
	free(c->umask_text);
	free(c->module_path);
	free(c->mods);
	cfg_tls_free(&c->tls);
	memset(c, 0, sizeof(*c));
}

char *cfg_abs_path(const struct cfg *c, const char *p)
{
	const char *base = c->base_dir ? c->base_dir : "/";
	size_t bl = strlen(base);
	char *out;

	if (p == NULL || *p == '\0') {
		errno = EINVAL;
		return NULL;
	}
	if (p[0] == '/')
		return strdup(p);
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	if (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (asprintf(&out, "%.*s/%s", (int)bl, base, p) < 0)
		return NULL;
	return out;
}
