/* Test plugin whose init refuses: the loader must pass its reason on. */
#include "modules/module.h"

#include <stdio.h>

static int bad_init_init(const struct cf_host *host,
			 const struct cf_config *cfg, void **state,
			 char *err, size_t errlen)
{
	snprintf(err, errlen, "bad_init: the users database is on fire");
	return -1;
}

static const struct cf_module bad_init = {
	CF_MODULE_HEADER,
	.name = "bad_init",
	.version = "1.0",
	.init = bad_init_init,
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &bad_init;
}
