/* Test plugin built for a newer minor ABI than the loader speaks. */
#include "modules/module.h"

static const struct cf_module bad_minor = {
	.abi_major = CELLFTPD_ABI_MAJOR,
	.abi_minor = CELLFTPD_ABI_MINOR + 1,
	.size = sizeof(struct cf_module),
	.name = "bad_minor",
	.version = "1.0",
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &bad_minor;
}
