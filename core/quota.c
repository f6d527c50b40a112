/*
 * Quota plumbing (see quota.h).  Providers are asked in config order; a
 * reservation granted by some and refused by a later one is given back.
 */
#include "quota.h"

#include <stdio.h>
#include <string.h>

#include "sess.h"
#include "srv.h"

int qt_active(const struct srv *srv)
{
	for (size_t i = 0; i < srv->mods.n; i++)
		if (srv->mods.v[i].m->quota != NULL)
			return 1;
	return 0;
}

const char *qt_owner(const struct sess *s, const char *vpath, char *buf,
		     size_t len)
{
	const char *p, *slash;

	/* a system user's files (agent cell) are the system quota's business */
	if (vc_is_agent(&s->cell))
		return NULL;
	if (!s->is_admin)
		return s->login;
	p = vpath + 1;
	slash = strchr(p, '/');
	if (slash == NULL || slash == p || (size_t)(slash - p) >= len)
		return NULL;
	memcpy(buf, p, (size_t)(slash - p));
	buf[slash - p] = '\0';
	return buf;
}

void qt_open(const struct srv *srv, const struct cf_identity *who,
	     int cell_fd)
{
	for (size_t i = 0; i < srv->mods.n; i++) {
		const struct cf_quota_ops *q = srv->mods.v[i].m->quota;

		if (q != NULL && q->open != NULL)
			(void)q->open(srv->mods.v[i].state, who, cell_fd);
	}
}

int qt_rescan(const struct srv *srv, const char *login, int cell_fd)
{
	int rc = CF_DECLINED;

	for (size_t i = 0; i < srv->mods.n; i++) {
		const struct cf_quota_ops *q = srv->mods.v[i].m->quota;

		if (q != NULL && q->rescan != NULL &&
		    q->rescan(srv->mods.v[i].state, login, cell_fd) == CF_OK)
			rc = CF_OK;
	}
	return rc;
}

int qt_reserve(const struct sess *s, int64_t bytes, int64_t files)
{
	/* built per call: a session keeps its login and limits, not the
	 * 4 KiB identity, so an idle session stays small */
	struct cf_identity id = {
		.is_admin = s->is_admin, .quota_bytes = s->quota_bytes,
		.quota_files = s->quota_files, .uid = -1, .gid = -1,
	};
	const struct cf_identity *who = &id;
	const struct srv *srv = s->w->srv;
	size_t i, j;

	snprintf(id.login, sizeof(id.login), "%s", s->login);

	for (i = 0; i < srv->mods.n; i++) {
		const struct cf_quota_ops *q = srv->mods.v[i].m->quota;

		if (q != NULL && q->reserve != NULL &&
		    q->reserve(srv->mods.v[i].state, who, bytes, files) != CF_OK)
			break;
	}
	if (i == srv->mods.n)
		return CF_OK;
	for (j = 0; j < i; j++) {
		const struct cf_quota_ops *q = srv->mods.v[j].m->quota;

		if (q != NULL && q->reserve != NULL && q->settle != NULL)
			q->settle(srv->mods.v[j].state, who->login, bytes,
				  files, 0, 0);
	}
	return CF_DENIED;
}

void qt_settle(const struct srv *srv, const char *login,
	       int64_t reserved_bytes, int64_t reserved_files,
	       int64_t delta_bytes, int64_t delta_files)
{
	if (login == NULL)
		return;
	for (size_t i = 0; i < srv->mods.n; i++) {
		const struct cf_quota_ops *q = srv->mods.v[i].m->quota;

		if (q != NULL && q->settle != NULL)
			q->settle(srv->mods.v[i].state, login, reserved_bytes,
				  reserved_files, delta_bytes, delta_files);
	}
}

int qt_usage(const struct srv *srv, const char *login, uint64_t *bytes,
	     uint64_t *files)
{
	for (size_t i = 0; i < srv->mods.n; i++) {
		const struct cf_quota_ops *q = srv->mods.v[i].m->quota;

		if (q != NULL && q->usage != NULL &&
		    q->usage(srv->mods.v[i].state, login, bytes, files) == CF_OK)
			return 0;
	}
	return -1;
}

void qt_path_change(struct sess *s, const char *vpath, int64_t bytes,
		    int64_t files)
{
	char buf[CF_LOGIN_MAX];
	const char *owner;

	if (!qt_active(s->w->srv))
		return;
	owner = qt_owner(s, vpath, buf, sizeof(buf));
	if (owner != NULL)
		qt_settle(s->w->srv, owner, 0, 0, bytes, files);
}

void qt_log_refusal(struct sess *s, const char *verb, const char *vpath,
		    uint64_t bytes)
{
	struct cf_log_event ev = { .type = CF_EV_QUOTA, .result = 552 };

	ev.action = verb;
	ev.path = vpath;
	ev.bytes = bytes;
	ev.detail = "exceeded storage allocation";
	sess_log_event(s, &ev);
}
