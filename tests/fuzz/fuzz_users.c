/*
 * libFuzzer target: the auth_file users file parser (auth/file/users.c).
 * The input is the file, read through a memfd by its /proc path as the
 * plugin reads its file.  A file that loads must index every login, and
 * its entries written out with users_format must load back the same.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "auth/file/users.h"
#include "fuzz.h"

#define LINE_MAX_BYTES (USERS_LOGIN_MAX + USERS_HASH_MAX + 64)

/* A memfd holding data; *path names it for open(2). */
static int mem_file(const void *data, size_t size, char *path, size_t plen)
{
	int fd = memfd_create("users", MFD_CLOEXEC);
	const char *p = data;

	if (fd < 0)
		abort();
	while (size > 0) {
		ssize_t n = write(fd, p, size);

		if (n <= 0)
			abort();
		p += n;
		size -= (size_t)n;
	}
	snprintf(path, plen, "/proc/self/fd/%d", fd);
	return fd;
}

static void same_entry(const struct users_entry *a, const struct users_entry *b)
{
	FUZZ_CHECK(strcmp(a->login, b->login) == 0);
	FUZZ_CHECK(strcmp(a->hash, b->hash) == 0);
	FUZZ_CHECK(a->quota_set == b->quota_set);
	FUZZ_CHECK(!a->quota_set || a->quota_bytes == b->quota_bytes);
	FUZZ_CHECK(a->flags == b->flags);
}

/* Every entry written as a line, the lot loaded again: the same db. */
static void round_trip(const struct users_db *db)
{
	char *text = malloc(db->n * (LINE_MAX_BYTES + 1) + 1);
	char path[64], err[512];
	struct users_db again;
	size_t len = 0;
	int fd;

	if (text == NULL)
		abort();
	for (size_t i = 0; i < db->n; i++) {
		FUZZ_CHECK(users_format(&db->v[i], text + len,
					LINE_MAX_BYTES) == 0);
		len += strlen(text + len);
		text[len++] = '\n';
	}
	fd = mem_file(text, len, path, sizeof(path));
	FUZZ_CHECK(users_load(&again, path, 0, err, sizeof(err)) == 0);
	FUZZ_CHECK(again.n == db->n);
	for (size_t i = 0; i < db->n; i++)
		same_entry(&db->v[i], &again.v[i]);
	users_free(&again);
	close(fd);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64], err[512] = "";
	struct users_db db;
	int fd = mem_file(data, size, path, sizeof(path));

	if (users_load(&db, path, 0, err, sizeof(err)) != 0) {
		FUZZ_CHECK(err[0] != '\0');
		close(fd);
		return 0;
	}
	for (size_t i = 0; i < db.n; i++) {
		FUZZ_CHECK(users_valid_login(db.v[i].login));
		FUZZ_CHECK(users_find(&db, db.v[i].login) == &db.v[i]);
	}
	round_trip(&db);
	/* removing keeps the index right, notes and all */
	if (db.n > 0) {
		char login[USERS_LOGIN_MAX + 1];
		size_t n = db.n;

		snprintf(login, sizeof(login), "%s", db.v[n / 2].login);
		FUZZ_CHECK(users_remove(&db, login) == 0);
		FUZZ_CHECK(db.n == n - 1);
		FUZZ_CHECK(users_find(&db, login) == NULL);
		for (size_t i = 0; i < db.n; i++)
			FUZZ_CHECK(users_find(&db, db.v[i].login) == &db.v[i]);
	}
	users_free(&db);
	close(fd);
	return 0;
}
