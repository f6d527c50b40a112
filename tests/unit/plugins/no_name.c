/* Test plugin with an empty name. */
#include "modules/module.h"

static const struct cf_module no_name = {
	CF_MODULE_HEADER,
	.name = "",
	.version = "1.0",
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &no_name;
}
