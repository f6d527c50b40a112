/*
 * libFuzzer target: the config loader (core/cfg.c, cfg_load_string).  The
 * input is the file text, with relative paths taken from a scratch folder
 * holding "cells".  A config that loads must hold only values in range; a
 * refusal must say "FILE:LINE: problem".
 */
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/cfg.h"
#include "fuzz.h"

static char base[] = "/tmp/cellftpd-fuzz-cfg-XXXXXX";

static int rm_one(const char *p, const struct stat *st, int type,
		  struct FTW *f)
{
	(void)st;
	(void)type;
	(void)f;
	return remove(p);
}

static void base_remove(void)
{
	(void)nftw(base, rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

static const char *base_dir(void)
{
	static int made;
	char cells[sizeof(base) + 8];

	if (!made) {
		if (mkdtemp(base) == NULL)
			abort();
		snprintf(cells, sizeof(cells), "%s/cells", base);
		if (mkdir(cells, 0755) != 0)
			abort();
		atexit(base_remove);
		made = 1;
	}
	return base;
}

static void check_loaded(const struct cfg *c)
{
	FUZZ_CHECK(c->nlisten >= 1 && c->listen != NULL);
	FUZZ_CHECK(c->root != NULL && c->root[0] == '/');
	FUZZ_CHECK(c->module_path != NULL && c->module_path[0] == '/');
	FUZZ_CHECK(c->workers >= 1 && c->workers <= 1024);
	FUZZ_CHECK(c->blocking_threads >= 1 && c->blocking_threads <= 256);
	FUZZ_CHECK(c->max_sessions >= 1 && c->max_sessions_per_ip >= 1);
	FUZZ_CHECK(c->max_unauth_per_ip >= 1);
	FUZZ_CHECK(c->ban_failures >= 0 && c->ban_window >= 1 &&
		   c->ban_time >= 1);
	FUZZ_CHECK(c->login_delay_ms >= 0 && c->login_delay_ms <= 60000);
	FUZZ_CHECK(c->pasv_min >= 1024 && c->pasv_min <= c->pasv_max &&
		   c->pasv_max <= 65535);
	FUZZ_CHECK(c->banner != NULL && strpbrk(c->banner, "\r\n") == NULL);
	FUZZ_CHECK(c->umask <= 0777);
	for (size_t i = 0; i < c->nmods; i++)
		FUZZ_CHECK(c->mods[i].name[0] != '\0');
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CFG_ERR_MAX] = "";
	struct cfg c;
	char *text;

	/* @include reads any file (a FIFO, /dev/zero): libconfig's business */
	if (memmem(data, size, "@include", 8) != NULL)
		return 0;
	text = fuzz_strndup(data, size);
	if (cfg_load_string(&c, text, "fuzz.conf", base_dir(), err,
			    sizeof(err)) == 0) {
		check_loaded(&c);
		cfg_free(&c);
	} else {
		FUZZ_CHECK(strchr(err, ':') != NULL);
		FUZZ_CHECK(strlen(err) < sizeof(err));
	}
	free(text);
	return 0;
}
