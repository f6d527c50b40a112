/*
 * A well-behaved test plugin: it reads its settings through the host API
 * and appends what it saw to its `report` file, so test_modload can check
 * init, reload and fini from outside the module.
 */
#include "modules/module.h"

#include <stdio.h>

#ifndef GOOD_NAME
#define GOOD_NAME "good"
#endif

struct good {
	const struct cf_host *host;
	char report[CF_PATH_MAX];
};

static const char *const good_keys[] = {
	"report", "greeting", "count", "flag", "limit", "dir", NULL
};

/* One report line: what each accessor answered ("-" unset, "?" bad). */
static int good_report(const struct cf_host *h, const struct cf_config *cfg,
		       const char *what, const char *report)
{
	const char *greeting = "-";
	long long count = -1;
	int flag = -1, rc;
	uint64_t limit = 0;
	char dir[CF_PATH_MAX] = "-", where[512];
	FILE *f;

	if (h->cfg_str(cfg, "greeting", &greeting) < 0)
		greeting = "?";
	h->cfg_int(cfg, "count", &count);
	h->cfg_bool(cfg, "flag", &flag);
	rc = h->cfg_size(cfg, "limit", &limit);
	if (h->cfg_path(cfg, "dir", dir, sizeof(dir)) < 0)
		snprintf(dir, sizeof(dir), "?");
	f = fopen(report, "a");
	if (f == NULL)
		return -1;
	fprintf(f, "%s %s greeting=%s count=%lld flag=%d limit=%s%llu "
		"dir=%s where=%s\n", GOOD_NAME, what, greeting, count, flag,
		rc < 0 ? "?" : "", (unsigned long long)limit, dir,
		h->cfg_where(cfg, "count", where, sizeof(where)));
	return fclose(f) == 0 ? 0 : -1;
}

static int good_settings(struct good *g, const struct cf_config *cfg,
			 const char *what, char *err, size_t errlen)
{
	const struct cf_host *h = g->host;

	if (h->cfg_check_keys(cfg, good_keys, err, errlen) != 0)
		return -1;
	if (h->cfg_path(cfg, "report", g->report, sizeof(g->report)) != 0) {
		snprintf(err, errlen, "report must be a path");
		return -1;
	}
	if (good_report(h, cfg, what, g->report) != 0) {
		snprintf(err, errlen, "cannot write the report");
		return -1;
	}
	return 0;
}

static int good_init(const struct cf_host *host, const struct cf_config *cfg,
		     void **state, char *err, size_t errlen)
{
	struct good *g = calloc(1, sizeof(*g));

	if (g == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	g->host = host;
	if (good_settings(g, cfg, "init", err, errlen) != 0) {
		free(g);
		return -1;
	}
	host->log(CF_LOG_INFO, "%s: ready", GOOD_NAME);
	*state = g;
	return 0;
}

static void good_fini(void *state)
{
	struct good *g = state;
	FILE *f = fopen(g->report, "a");

	if (f != NULL) {
		fprintf(f, "%s fini\n", GOOD_NAME);
		fclose(f);
	}
	free(g);
}

static int good_reload(void *state, const struct cf_config *cfg,
		       char *err, size_t errlen)
{
	return good_settings(state, cfg, "reload", err, errlen);
}

static const struct cf_module good_module = {
	CF_MODULE_HEADER,
	.name = GOOD_NAME,
	.version = "1.0",
	.init = good_init,
	.fini = good_fini,
	.reload = good_reload,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &good_module;
}
