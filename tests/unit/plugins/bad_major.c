/* Test plugin built for a future major ABI: the loader must refuse it. */
#include "modules/module.h"

static const struct cf_module bad_major = {
	.abi_major = CELLFTPD_ABI_MAJOR + 1,
	.abi_minor = 0,
	.size = sizeof(struct cf_module),
	.name = "bad_major",
	.version = "1.0",
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &bad_major;
}
