/*
 * Provider chains (see chain.h).  The identity handed back always names
 * the login that was asked about, whatever a provider wrote there.
 */
#include "modules/chain.h"

#include <stdio.h>
#include <string.h>

int chain_authenticate(const struct mod_set *mods,
		       const struct cf_client *client, const char *login,
		       const char *password, struct cf_identity *out,
		       char *why, size_t whylen)
{
	snprintf(why, whylen, "unknown user");
	for (size_t i = 0; i < mods->n; i++) {
		const struct cf_auth_ops *a = mods->v[i].m->auth;
		int r;

		if (a == NULL || a->authenticate == NULL)
			continue;
		memset(out, 0, sizeof(*out));
		out->uid = out->gid = -1;
		out->quota_bytes = out->quota_files = CF_UNLIMITED;
		why[0] = '\0';
		r = a->authenticate(mods->v[i].state, client, login, password,
				    out, why, whylen);
		if (r == CF_DECLINED) {
			snprintf(why, whylen, "unknown user");
			continue;
		}
		if (r == CF_OK) {
			snprintf(out->login, sizeof(out->login), "%s", login);
			return CF_OK;
		}
		if (why[0] == '\0')
			snprintf(why, whylen, "refused by %s", mods->v[i].m->name);
		return CF_DENIED;
	}
	return CF_DECLINED;
}
