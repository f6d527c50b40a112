/*
 * libFuzzer target: control-connection framing (core/proto.c).  The input
 * is fed twice, in one read and in reads of sizes drawn from the input, and
 * both ways must give the same lines; every line is within the limit and
 * goes through proto_split and proto_arg_clean as the session would.
 */
#include <string.h>

#include "core/proto.h"
#include "fuzz.h"

/* What a feed produced: a running hash of every line and its status. */
struct fuzz_lines {
	uint64_t hash;
	size_t lines, toolong;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ c[i]) * 1099511628211ULL;
	return h;
}

static int is_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

/* One complete line, checked the way cmd_dispatch would use it. */
static void check_line(const char *line, size_t len)
{
	char *copy, *verb, *arg;

	FUZZ_CHECK(len <= PROTO_LINE_MAX);
	FUZZ_CHECK(line[len] == '\0');
	FUZZ_CHECK(memchr(line, '\n', len) == NULL);
	copy = fuzz_strndup((const uint8_t *)line, len);
	if (proto_split(copy, &verb, &arg) == 0) {
		size_t vl = strlen(verb);

		FUZZ_CHECK(vl >= 1 && vl <= 8);
		for (size_t i = 0; i < vl; i++)
			FUZZ_CHECK(is_upper((unsigned char)verb[i]));
		if (arg != NULL) {
			FUZZ_CHECK(arg > verb && arg < copy + len + 1);
			FUZZ_CHECK(arg[0] != '\0' && arg[0] != ' ');
			(void)proto_arg_clean(arg, strlen(arg));
		}
	} else {
		FUZZ_CHECK(verb == NULL && arg == NULL);
	}
	free(copy);
}

static void note(struct fuzz_lines *out, int r, const char *line, size_t len)
{
	if (r == PROTO_TOOLONG) {
		out->toolong++;
		out->hash = fnv(out->hash, "\x01", 1);
		return;
	}
	check_line(line, len);
	out->lines++;
	out->hash = fnv(out->hash, line, len);
	out->hash = fnv(out->hash, "\x02", 1);
}

/* Feed data in pieces of the sizes `next` yields (0: all at once). */
static void feed(const uint8_t *data, size_t size, uint64_t seed,
		 char *scratch, struct fuzz_lines *out)
{
	struct proto_lines pl;
	size_t off = 0;

	memset(&pl, 0, sizeof(pl));
	memset(out, 0, sizeof(*out));
	out->hash = 1469598103934665603ULL;
	while (off < size) {
		size_t n = size - off, pos = 0;
		char *line;
		size_t len;
		int r;

		if (seed != 0) {
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			if (n > 1 + seed % 97)
				n = 1 + seed % 97;
		}
		while ((r = proto_feed(&pl, (const char *)data + off, n, &pos,
				       scratch, &line, &len)) != PROTO_NEED_MORE) {
			FUZZ_CHECK(r == PROTO_LINE || r == PROTO_TOOLONG);
			FUZZ_CHECK(pos <= n);
			note(out, r, line, len);
		}
		FUZZ_CHECK(pos == n);
		FUZZ_CHECK(pl.partlen <= PROTO_LINE_MAX);
		off += n;
	}
	proto_lines_free(&pl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the documented size: an overrun is a sanitizer report */
	char *scratch = malloc(PROTO_LINE_MAX + 1);
	struct fuzz_lines whole, pieces;
	uint64_t seed = fnv(1469598103934665603ULL, data, size) | 1;

	if (scratch == NULL)
		abort();
	feed(data, size, 0, scratch, &whole);
	feed(data, size, seed, scratch, &pieces);
	FUZZ_CHECK(whole.lines == pieces.lines);
	FUZZ_CHECK(whole.toolong == pieces.toolong);
	FUZZ_CHECK(whole.hash == pieces.hash);
	free(scratch);
	return 0;
}
