/* Test plugin that calls itself something other than its file name. */
#include "modules/module.h"

static const struct cf_module wrong_name = {
	CF_MODULE_HEADER,
	.name = "someone_else",
	.version = "1.0",
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &wrong_name;
}
