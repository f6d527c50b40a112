/*
 * The fake daemon of fakehost.h: config accessors over key/value lists,
 * a host that records what plugins log, and a dlopen loader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fakehost.h"

/* The fake host's state: tests run one at a time, plugins log from threads. */
static pthread_mutex_t fh_lock = PTHREAD_MUTEX_INITIALIZER;
static char fh_all[8192];	/* every message, one a line */
static char fh_last[2048];	/* the latest message */
static char fh_root[256] = "/nonexistent";
static int fh_key_line;		/* 0: 10 + the key's pair index */

/* ---- config entries ---- */

static int fc_index(const struct cf_config *c, const char *key)
{
	int i;

	for (i = 0; key != NULL && c->kv[i] != NULL; i += 2)
		if (strcmp(c->kv[i], key) == 0)
			return i;
	return -1;
}

/* The line of the pair at index i (-1: not in the entry). */
static int fc_line(int i)
{
	if (fh_key_line > 0)
		return fh_key_line;
	return i < 0 ? 1 : 10 + i / 2;
}

static int fc_str(const struct cf_config *c, const char *key,
		  const char **out)
{
	int i = fc_index(c, key);

	if (i < 0)
		return 1;
	if (strcmp(c->kv[i + 1], "<int>") == 0)
		return -1;
	*out = c->kv[i + 1];
	return 0;
}

static int fc_int(const struct cf_config *c, const char *key, long long *out)
{
	const char *v;
	char *end;
	int r = fc_str(c, key, &v);

	if (r != 0)
		return r;
	*out = strtoll(v, &end, 10);
	return *end == '\0' ? 0 : -1;
}

static int fc_bool(const struct cf_config *c, const char *key, int *out)
{
	const char *v;
	int r = fc_str(c, key, &v);

	if (r != 0)
		return r;
	if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
		return -1;
	*out = strcmp(v, "true") == 0;
	return 0;
}

static int fc_size(const struct cf_config *c, const char *key, uint64_t *out)
{
	const char *v;
	int r = fc_str(c, key, &v);

	if (r != 0)
		return r;
	return cf_size_parse(v, out) == 0 ? 0 : -1;
}

static int fc_path(const struct cf_config *c, const char *key, char *out,
		   size_t outlen)
{
	const char *v;
	int r = fc_str(c, key, &v);

	if (r != 0)
		return r;
	if (*v == '\0')
		return -1;
	snprintf(out, outlen, "%s", v);
	return 0;
}

static const char *fc_where(const struct cf_config *c, const char *key,
			    char *buf, size_t len)
{
	int line = key == NULL ? 1 : fc_line(fc_index(c, key));

	snprintf(buf, len, "test.conf:%d", line);
	return buf;
}

static int fc_check_keys(const struct cf_config *c, const char *const *known,
			 char *err, size_t errlen)
{
	size_t k;
	int i;

	for (i = 0; c->kv[i] != NULL; i += 2) {
		for (k = 0; known[k] != NULL; k++)
			if (strcmp(known[k], c->kv[i]) == 0)
				break;
		if (known[k] == NULL) {
			snprintf(err, errlen, "test.conf:%d: unknown key %s",
				 fc_line(i), c->kv[i]);
			return -1;
		}
	}
	return 0;
}

/* ---- the host ---- */

void fh_set_key_line(int line)
{
	fh_key_line = line;
}

void fh_set_root(const char *dir)
{
	snprintf(fh_root, sizeof(fh_root), "%s", dir);
}

const char *fh_logged(void)
{
	return fh_all;
}

const char *fh_last_logged(void)
{
	return fh_last;
}

static void fh_reset(void)
{
	pthread_mutex_lock(&fh_lock);
	fh_all[0] = fh_last[0] = '\0';
	pthread_mutex_unlock(&fh_lock);
	fh_set_root("/nonexistent");
}

__attribute__((format(printf, 2, 3)))
static void fh_log(enum cf_level level, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	pthread_mutex_lock(&fh_lock);
	va_start(ap, fmt);
	vsnprintf(fh_last, sizeof(fh_last), fmt, ap);
	va_end(ap);
	n = strlen(fh_all);
	snprintf(fh_all + n, sizeof(fh_all) - n, "%s\n", fh_last);
	pthread_mutex_unlock(&fh_lock);
}

static int fh_make_cell(const char *login, char *err, size_t errlen)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", fh_root, login);
	if (mkdir(p, 0700) == 0)
		return 0;
	snprintf(err, errlen, "mkdir %s: %s", p, strerror(errno));
	return -1;
}

static const struct cf_host fh_host = {
	.abi_major = CELLFTPD_ABI_MAJOR,
	.abi_minor = CELLFTPD_ABI_MINOR,
	.size = sizeof(struct cf_host),
	.server_root = fh_root,
	.log = fh_log,
	.cfg_str = fc_str,
	.cfg_int = fc_int,
	.cfg_bool = fc_bool,
	.cfg_size = fc_size,
	.cfg_path = fc_path,
	.cfg_where = fc_where,
	.cfg_check_keys = fc_check_keys,
	.make_cell = fh_make_cell,
};

/* ---- plugins ---- */

/* 1 when loaded; 0 when not built and not required. */
static int plug_load(struct plug *p, const char *rel, int required)
{
	const char *root = getenv("CELLFTPD_BUILD_ROOT");
	const struct cf_module *(*get)(void);
	char path[512];

	memset(p, 0, sizeof(*p));
	fh_reset();
	if (root == NULL) {
		if (required)
			fail_msg("CELLFTPD_BUILD_ROOT is not set");
		return 0;
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!required && access(path, R_OK) != 0)
		return 0;
	p->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (p->dl == NULL)
		fail_msg("dlopen %s: %s", path, dlerror());
	*(void **)&get = dlsym(p->dl, "cellftpd_module_v1");
	assert_non_null(get);
	p->m = get();
	assert_non_null(p->m);
	assert_int_equal(p->m->abi_major, CELLFTPD_ABI_MAJOR);
	return 1;
}

void plug_open(struct plug *p, const char *rel)
{
	plug_load(p, rel, 1);
}

int plug_try_open(struct plug *p, const char *rel)
{
	return plug_load(p, rel, 0);
}

int plug_init(struct plug *p, const struct cf_config *c, char *err,
	      size_t errlen)
{
	err[0] = '\0';
	p->st = NULL;
	return p->m->init(&fh_host, c, &p->st, err, errlen);
}

void plug_close(struct plug *p)
{
	if (p->st != NULL)
		p->m->fini(p->st);
	p->st = NULL;
	if (p->dl != NULL)
		dlclose(p->dl);
	p->dl = NULL;
}

void plug_log_event(struct plug *p, const struct cf_log_event *ev)
{
	p->m->log->event(p->st, ev);
	if (p->m->log->flush != NULL)
		p->m->log->flush(p->st);
}

struct cf_log_event ev_at(enum cf_event_type type, const char *login)
{
	struct cf_log_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.size = sizeof(ev);
	ev.type = type;
	ev.time.tv_sec = EV_T0;
	ev.time.tv_nsec = 123456789;
	ev.session_id = 12;
	ev.client_addr = "127.0.0.1";
	ev.client_port = 51234;
	ev.login = login;
	return ev;
}
