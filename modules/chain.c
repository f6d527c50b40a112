/*
 * Provider chains (see chain.h).  The identity handed back always names
 * the login that was asked about, whatever a provider wrote there.
 */
#include "modules/chain.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A provider must not hand a file agent with anything but CF_OK. */
static void drop_agent(struct cf_identity *id)
{
	if (id->has_agent && id->agent_fd >= 0)
		(void)close(id->agent_fd);
	id->has_agent = 0;
	id->agent_fd = -1;
}

int chain_authenticate(const struct mod_set *mods,
		       const struct cf_client *client, const char *login,
		       const char *password, struct cf_identity *out,
		       size_t *provider, char *why, size_t whylen)
{
	uint32_t delay = 0;	/* the longest any provider asked for */

	snprintf(why, whylen, "unknown user");
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_auth_ops *a = mods->v[i].m->auth;
		int r;

		if (a == NULL || a->authenticate == NULL)
			continue;
		memset(out, 0, sizeof(*out));
		out->uid = out->gid = -1;
		out->agent_fd = -1;
		out->quota_bytes = out->quota_files = CF_UNLIMITED;
		why[0] = '\0';
		r = a->authenticate(mods->v[i].state, client, login, password,
				    out, why, whylen);
		if (out->fail_delay_ms > delay)
			delay = out->fail_delay_ms;
		if (r == CF_DECLINED) {
			drop_agent(out);
			snprintf(why, whylen, "unknown user");
			continue;
		}
		if (r == CF_OK) {
			snprintf(out->login, sizeof(out->login), "%s", login);
			if (provider != NULL)
				*provider = i;
			return CF_OK;
		}
		drop_agent(out);
		if (why[0] == '\0')
			snprintf(why, whylen, "refused by %s", mods->v[i].m->name);
		out->fail_delay_ms = delay;
		return CF_DENIED;
	}
	out->fail_delay_ms = delay;
	return CF_DECLINED;
}
