/*
 * auth_file internals shared by its two files: auth_file.c (settings,
 * logging in, life cycle) and acct.c (account operations and policy).
 */
#ifndef AUTH_FILE_AF_H
#define AUTH_FILE_AF_H

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "modules/module.h"
#include "auth/file/users.h"

#define AF_RATE_SLOTS 1024	/* client addresses remembered for the limit */
#define AF_RATE_WINDOW 3600	/* seconds */
#define AF_PASSWORD_MAX 1024

enum af_reg { AF_REG_OFF, AF_REG_ADMIN, AF_REG_OPEN };

struct af_settings {
	char users[CF_PATH_MAX];
	enum af_reg registration;
	uint64_t default_quota;
	long long min_password;
	long long reg_limit;		/* per address per hour; 0 = none */
};

struct af_rate {
	char addr[64];
	time_t start;
	unsigned count;
};

struct af_state {
	const struct cf_host *host;
	pthread_rwlock_t lock;		/* guards set and db */
	struct af_settings set;
	struct users_db db;
	pthread_mutex_t rate_lock;	/* guards rate */
	struct af_rate rate[AF_RATE_SLOTS];
	/* hashed at init: an unknown login costs as much as a known one */
	char dummy[USERS_HASH_MAX];
};

/* One locked read-modify-write of the users file. */
struct af_txn {
	struct af_settings set;
	struct users_db db;
	int lockfd;
};

void af_settings_copy(struct af_state *st, struct af_settings *out);
void af_install(struct af_state *st, struct users_db *fresh, const char *path);
void af_refresh(struct af_state *st);

/* acct.c */
int af_register(void *state, const struct cf_client *client,
		const char *login, const char *password, char *why,
		size_t whylen);
int af_add(void *state, const struct cf_account *acct, const char *password,
	   char *why, size_t whylen);
int af_del(void *state, const char *login, int remove_cell, char *why,
	   size_t whylen);
int af_passwd(void *state, const char *login, const char *password,
	      char *why, size_t whylen);
int af_update(void *state, const struct cf_account *acct, char *why,
	      size_t whylen);
int af_list(void *state, int (*each)(void *arg, const struct cf_account *acct),
	    void *arg);
unsigned af_offers(void *state);
/* Start-up: give every account whose cell is missing a new one. */
void af_repair_cells(struct af_state *st);

#endif
