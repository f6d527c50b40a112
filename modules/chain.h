/*
 * Provider chains: the auth providers are asked in modules.load order; the
 * first OK or DENIED ends the chain, DECLINED asks the next.
 */
#ifndef MODULES_CHAIN_H
#define MODULES_CHAIN_H

#include <stddef.h>

#include "modules/loader.h"

/*
 * May block (hashing, PAM): call it on the blocking pool only.  On CF_OK,
 * *provider (may be NULL) is the index of the provider that answered, and
 * the caller owns out->agent_fd when out->has_agent.  After a refusal, out->fail_delay_ms is
 * the refusing provider's wish for the delay of the answer.
 */
int chain_authenticate(const struct mod_set *mods,
		       const struct cf_client *client, const char *login,
		       const char *password, struct cf_identity *out,
		       size_t *provider, char *why, size_t whylen);

#endif
