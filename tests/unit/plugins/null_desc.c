/* Test plugin whose entry point returns no descriptor. */
#include "modules/module.h"

const struct cf_module *cellftpd_module_v1(void)
{
	return NULL;
}
