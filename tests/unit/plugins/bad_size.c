/* Test plugin whose descriptor claims to stop before the reload hook. */
#include "modules/module.h"

#include <stddef.h>

static const struct cf_module bad_size = {
	.abi_major = CELLFTPD_ABI_MAJOR,
	.abi_minor = CELLFTPD_ABI_MINOR,
	.size = offsetof(struct cf_module, reload),
	.name = "bad_size",
	.version = "1.0",
};

const struct cf_module *cellftpd_module_v1(void)
{
	return &bad_size;
}
