/*
 * Process-wide pieces with one owner: the settings snapshots workers read,
 * the daemon's own log, and the pointer plugin host hooks use to find the
 * running server.
 */
#include "srv.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct srv *current;	/* set once before threads start */

struct srv *srv_current(void)
{
	return current;
}

void srv_set_current(struct srv *s)
{
	current = s;
}

struct settings *settings_new(const struct cfg *c)
{
	struct settings *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	atomic_init(&s->refs, 1);
	s->idle_timeout = c->idle_timeout;
	s->data_timeout = c->data_timeout;
	s->login_timeout = c->login_timeout;
	s->login_delay_ms = c->login_delay_ms;
	s->max_login_attempts = c->max_login_attempts;
	s->shutdown_timeout = c->shutdown_timeout;
	s->max_sessions = c->max_sessions;
	s->max_sessions_per_ip = c->max_sessions_per_ip;
	s->max_unauth_per_ip = c->max_unauth_per_ip;
	s->ban.failures = (unsigned)c->ban_failures;
	s->ban.window_ms = 1000ull * (uint64_t)c->ban_window;
	s->ban.ban_ms = 1000ull * (uint64_t)c->ban_time;
	s->pasv_min = c->pasv_min;
	s->pasv_max = c->pasv_max;
	if (c->pasv_address != NULL && c->pasv_address[0] != '\0') {
		struct sockaddr_in *in = (struct sockaddr_in *)&s->pasv_addr;

		if (inet_pton(AF_INET, c->pasv_address, &in->sin_addr) == 1)
			in->sin_family = AF_INET;
	}
	snprintf(s->banner, sizeof(s->banner), "%s",
		 c->banner ? c->banner : "cellftpd ready");
	s->tls_require = c->tls.require;
	s->tls_session_reuse = c->tls.session_reuse;
	return s;
}

void settings_unref(struct settings *s)
{
	if (s != NULL && atomic_fetch_sub(&s->refs, 1) == 1) {
		SSL_CTX_free(s->tls_ctx);	/* sessions hold their own refs */
		free(s);
	}
}

struct settings_msg {
	struct wk_msg msg;
	struct worker *w;
	struct settings *set;
};

static void settings_apply(struct wk_msg *m)
{
	struct settings_msg *sm = (struct settings_msg *)m;
	struct settings *old = sm->w->set;

	sm->w->set = sm->set;
	settings_unref(old);
	free(sm);
}

/* Each worker swaps on its own thread: no reader ever sees a torn one. */
void srv_push_settings(struct srv *s, struct settings *set)
{
	for (int i = 0; i < s->nworkers; i++) {
		struct settings_msg *sm = calloc(1, sizeof(*sm));

		if (sm == NULL) {
			srv_log(CF_LOG_ERR, "reload: out of memory");
			continue;
		}
		atomic_fetch_add(&set->refs, 1);
		sm->msg.fn = settings_apply;
		sm->w = &s->workers[i];
		sm->set = set;
		wk_post(&s->workers[i], &sm->msg);
	}
	settings_unref(set);
}

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void srv_vlog(int level, const char *fmt, va_list ap)
{
	char text[1024];

	if (fmt == NULL)	/* a plugin's mistake through host->log */
		fmt = "(no message)";
	if (level < CF_LOG_ERR || level > CF_LOG_DEBUG)
		level = CF_LOG_INFO;
	vsnprintf(text, sizeof(text), fmt, ap);
	fprintf(stderr, "cellftpd: %s%s%s\n",
		level == CF_LOG_INFO ? "" : level_names[level],
		level == CF_LOG_INFO ? "" : ": ", text);
	if (current != NULL) {
		struct cf_log_event ev = { .size = sizeof(ev),
					   .type = CF_EV_SERVER };

		clock_gettime(CLOCK_REALTIME, &ev.time);
		ev.action = level_names[level];
		ev.detail = text;
		logq_emit(&current->logq, &ev);
	}
}

void srv_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	srv_vlog(level, fmt, ap);
	va_end(ap);
}
