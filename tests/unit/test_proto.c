/*
 * Unit tests for core/proto.c: how bytes from a client become command
 * lines (Telnet, line ends, the length limit) and how a line splits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/buf.h"
#include "core/proto.h"

#define LEN(s) (sizeof(s) - 1)
#define APPEND(b, lit) buf_append((b), (lit), LEN(lit))

/*
 * Lines are rendered as "[text]" with \0 \r and \xff spelled out, and an
 * over-long line as "<TOOLONG>", so one string shows everything the
 * assembler produced.  A line over 40 bytes starts with "N x 'c'" for its
 * leading run of one byte.
 */
static void render_bytes(struct buf *ev, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			buf_puts(ev, "\\0");
		else if (s[i] == '\r')
			buf_puts(ev, "\\r");
		else if (s[i] == '\xff')
			buf_puts(ev, "\\xff");
		else
			buf_append(ev, s + i, 1);
	}
}

static void render_line(struct buf *ev, const char *line, size_t len)
{
	size_t run = 0;

	buf_puts(ev, "[");
	if (len > 40) {
		for (run = 1; run < len && line[run] == line[0]; run++)
			;
		buf_printf(ev, "%zu x '%c'", run, line[0]);
	}
	render_bytes(ev, line + run, len - run);
	buf_puts(ev, "]");
}

/* Drain one read; the read is copied to a buffer of its exact size. */
static void feed_read(struct proto_lines *pl, const char *data, size_t n,
		      char *scratch, struct buf *ev)
{
	char *rd = malloc(n ? n : 1), *line;
	size_t pos = 0, len;
	int r;

	assert_non_null(rd);
	memcpy(rd, data, n);
	/* A worker shares one scratch among its sessions: nothing may stay. */
	memset(scratch, '#', PROTO_LINE_MAX + 1);
	for (;;) {
		r = proto_feed(pl, rd, n, &pos, scratch, &line, &len);
		if (r == PROTO_NEED_MORE)
			break;
		if (r == PROTO_LINE) {
			assert_int_equal(line[len], '\0');
			render_line(ev, line, len);
		} else {
			assert_int_equal(r, PROTO_TOOLONG);
			buf_puts(ev, "<TOOLONG>");
		}
	}
	assert_int_equal(pos, n);
	/* Between reads a buffer is held exactly when a line is unfinished. */
	assert_int_equal(pl->part != NULL, pl->partlen > 0);
	free(rd);
}

static uint32_t rng_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Feed `in` as reads of `chunk` bytes (0: one read; with a seed: random
 * sizes 1..chunk) and return what came out (caller frees).
 */
static char *feed_split(const char *in, size_t inlen, size_t chunk,
			uint32_t *seed)
{
	struct proto_lines pl = { 0 };
	char *scratch = malloc(PROTO_LINE_MAX + 1);
	struct buf ev;
	size_t off = 0, n;

	assert_non_null(scratch);
	buf_init(&ev, 0);
	buf_puts(&ev, "");
	while (off < inlen) {
		n = chunk == 0 ? inlen : chunk;
		if (seed != NULL)
			n = 1 + rng_next(seed) % chunk;
		if (n > inlen - off)
			n = inlen - off;
		feed_read(&pl, in + off, n, scratch, &ev);
		off += n;
	}
	proto_lines_free(&pl);
	free(scratch);
	assert_false(ev.failed);
	return ev.p;
}

static char *feed(const char *in, size_t inlen)
{
	return feed_split(in, inlen, 0, NULL);
}

#define assert_feeds(in, expect) do {					\
	char *got_ = feed((in), LEN(in));				\
	assert_string_equal(got_, (expect));				\
	free(got_);							\
} while (0)

/* ---- line ends ---- */

static void crlf_and_bare_lf_both_end_a_line(void **state)
{
	assert_feeds("USER a\r\nPASS b\nQUIT\r\n", "[USER a][PASS b][QUIT]");
}

static void a_cr_not_followed_by_lf_stays_in_the_line(void **state)
{
	assert_feeds("RETR a\rb\r\n", "[RETR a\\rb]");
	assert_feeds("\rX\n", "[\\rX]");
}

static void only_the_cr_right_before_lf_belongs_to_the_line_end(void **state)
{
	assert_feeds("NOOP\r\r\n", "[NOOP\\r]");
	assert_feeds("NOOP\r\r\r\n", "[NOOP\\r\\r]");
}

static void empty_lines_come_back_as_empty_lines(void **state)
{
	assert_feeds("\r\n\n", "[][]");
}

static void bytes_without_a_line_end_are_not_yet_a_line(void **state)
{
	assert_feeds("NOOP", "");
	assert_feeds("NOOP\r", "");
	assert_feeds("", "");
}

static void a_lone_lf_after_a_cr_split_across_reads_still_ends_the_line(
	void **state)
{
	static const char in[] = "NOOP\r\nPWD\r\n";
	char *got = feed_split(in, LEN(in), 5, NULL);	/* "NOOP\r" "\nPWD\r" "\n" */

	assert_string_equal(got, "[NOOP][PWD]");
	free(got);
}

/* ---- Telnet ---- */

static void iac_iac_becomes_one_literal_ff_byte(void **state)
{
	assert_feeds("MKD a\xff\xff" "b\r\n", "[MKD a\\xffb]");
	assert_feeds("\xff\xff\xff\xff\n", "[\\xff\\xff]");
}

static void iac_will_wont_do_dont_and_their_option_are_removed(void **state)
{
	assert_feeds("NO\xff\xfb\x01OP\r\n", "[NOOP]");
	assert_feeds("NO\xff\xfc\x03OP\r\n", "[NOOP]");
	assert_feeds("NO\xff\xfd\x18OP\r\n", "[NOOP]");
	assert_feeds("NO\xff\xfe\xffOP\r\n", "[NOOP]");
}

static void an_option_byte_that_looks_like_a_line_end_is_still_removed(
	void **state)
{
	assert_feeds("A\xff\xfb\nB\n", "[AB]");
}

static void iac_sb_subnegotiation_up_to_iac_se_is_removed(void **state)
{
	assert_feeds("NO\xff\xfa\x18\x01hello\r\n\xff\xf0OP\r\n", "[NOOP]");
}

static void iac_iac_inside_a_subnegotiation_does_not_end_it(void **state)
{
	assert_feeds("A\xff\xfa\x18\xff\xff\xf0\xff\xf0" "B\n", "[AB]");
}

static void iac_with_any_other_command_byte_removes_both(void **state)
{
	/* SE NOP DM BRK IP AO AYT EC EL GA */
	assert_feeds("A\xff\xf0\xff\xf1\xff\xf2\xff\xf3\xff\xf4"
		     "\xff\xf5\xff\xf6\xff\xf7\xff\xf8\xff\xf9" "B\r\n", "[AB]");
}

static void iac_before_a_plain_byte_drops_only_the_iac(void **state)
{
	assert_feeds("\xff" "ABOR\r\n", "[ABOR]");
	assert_feeds("A\xff\nB\n", "[A][B]");
	assert_feeds("A\xff\r\n", "[A]");
}

static void ftplib_abort_sequence_gives_a_clean_abor(void **state)
{
	assert_feeds("\xff\xf4\xff\xf2" "ABOR\r\n", "[ABOR]");
}

static void ftplib_abort_with_the_dm_byte_taken_out_of_band_gives_abor(
	void **state)
{
	assert_feeds("\xff\xf4\xff" "ABOR\r\n", "[ABOR]");
}

static void telnet_commands_between_cr_and_lf_do_not_break_the_line_end(
	void **state)
{
	assert_feeds("NOOP\r\xff\xf1\n", "[NOOP]");
}

/* Every way of cutting a Telnet-heavy stream in two gives the same. */
static void iac_sequences_split_across_two_reads_at_every_point(void **state)
{
	static const char in[] = "A\xff\xfb\x01" "B\xff\xff" "C\xff\xfa\x01"
		"x\xff\xff\xff\xf0" "D\xff\xf4\xff\xf2" "E\xff" "F\r\n"
		"\xff\xf4\xff" "ABOR\r\n";
	struct proto_lines pl = { 0 };
	char *scratch = malloc(PROTO_LINE_MAX + 1);
	struct buf ev;
	size_t cut;

	assert_non_null(scratch);
	for (cut = 0; cut <= LEN(in); cut++) {
		buf_init(&ev, 0);
		buf_puts(&ev, "");
		feed_read(&pl, in, cut, scratch, &ev);
		feed_read(&pl, in + cut, LEN(in) - cut, scratch, &ev);
		assert_string_equal(ev.p, "[AB\\xffCDEF][ABOR]");
		assert_null(pl.part);
		assert_int_equal(pl.iac, 0);
		buf_free(&ev);
	}
	free(scratch);
}

/* ---- NUL ---- */

static void a_nul_inside_a_line_is_kept_and_counted_in_the_length(
	void **state)
{
	struct proto_lines pl = { 0 };
	static char scratch[PROTO_LINE_MAX + 1];
	static const char in[] = "RETR a\0b\r\n";
	size_t pos = 0, len;
	char *line;

	assert_int_equal(proto_feed(&pl, in, LEN(in), &pos, scratch, &line,
				    &len), PROTO_LINE);
	assert_int_equal(len, 8);
	assert_memory_equal(line, "RETR a\0b", 9);
	assert_false(proto_arg_clean(line + 5, len - 5));
	proto_lines_free(&pl);
}

/* ---- the length limit ---- */

/* n bytes of c, then the tail. */
static char *make_line(size_t n, char c, const char *tail, size_t *total)
{
	size_t tl = strlen(tail);
	char *s = malloc(n + tl + 1);

	assert_non_null(s);
	memset(s, c, n);
	memcpy(s + n, tail, tl + 1);
	*total = n + tl;
	return s;
}

static void check_long(size_t n, const char *tail, const char *expect)
{
	size_t total;
	char *in = make_line(n, 'a', tail, &total);
	char *got = feed(in, total);

	assert_string_equal(got, expect);
	free(got);
	/* Cut into odd pieces, the limit must hold just the same. */
	got = feed_split(in, total, 1000, NULL);
	assert_string_equal(got, expect);
	free(got);
	free(in);
}

static void a_line_of_exactly_4096_bytes_is_accepted(void **state)
{
	check_long(4096, "\r\nNOOP\r\n", "[4096 x 'a'][NOOP]");
	check_long(4096, "\nNOOP\n", "[4096 x 'a'][NOOP]");
}

static void a_line_over_4096_bytes_gives_one_toolong_and_the_next_line_still_parses(
	void **state)
{
	check_long(4097, "\r\nNOOP\r\n", "<TOOLONG>[NOOP]");
	check_long(4097, "\nNOOP\n", "<TOOLONG>[NOOP]");
}

static void a_cr_that_is_not_a_line_end_counts_toward_the_limit(void **state)
{
	check_long(4095, "\r\r\n", "[4095 x 'a'\\r]");
	check_long(4095, "\r\r\r\n", "<TOOLONG>");
}

static void a_4096_byte_line_plus_one_stray_cr_is_too_long(void **state)
{
	check_long(4096, "\r\r\nPWD\r\n", "<TOOLONG>[PWD]");
	check_long(4096, "\rx\nPWD\r\n", "<TOOLONG>[PWD]");
}

static void a_100000_byte_line_gives_exactly_one_toolong(void **state)
{
	check_long(100000, "\r\nQUIT\r\n", "<TOOLONG>[QUIT]");
}

static void iac_iac_counts_as_one_byte_toward_the_limit(void **state)
{
	char *in = malloc(2 * 4096 + 2), *got;
	size_t i;

	assert_non_null(in);
	for (i = 0; i < 4096; i++)
		in[2 * i] = in[2 * i + 1] = '\xff';
	memcpy(in + 2 * 4096, "\n", 2);
	got = feed(in, 2 * 4096 + 1);
	assert_string_equal(got, "[4096 x '\xff']");
	free(got);
	free(in);
}

static void telnet_commands_do_not_count_toward_the_limit(void **state)
{
	struct buf in;
	char *got;
	size_t i;

	buf_init(&in, 0);
	for (i = 0; i < 4096; i++)
		buf_append(&in, "a\xff\xf1", 3);
	buf_append(&in, "\r\n", 2);
	assert_false(in.failed);
	got = feed(in.p, in.len);
	assert_string_equal(got, "[4096 x 'a']");
	free(got);
	buf_free(&in);
}

static void toolong_is_reported_only_when_the_line_end_arrives(void **state)
{
	struct proto_lines pl = { 0 };
	static char scratch[PROTO_LINE_MAX + 1];
	char *big = malloc(5000), *line;
	size_t pos = 0, len;

	assert_non_null(big);
	memset(big, 'x', 5000);
	assert_int_equal(proto_feed(&pl, big, 5000, &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	assert_int_equal(pos, 5000);
	/* Discarding needs no buffer. */
	assert_null(pl.part);
	pos = 0;
	assert_int_equal(proto_feed(&pl, big, 5000, &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	pos = 0;
	assert_int_equal(proto_feed(&pl, "\r\n", 2, &pos, scratch, &line,
				    &len), PROTO_TOOLONG);
	assert_null(line);
	assert_int_equal(pos, 2);
	free(big);
	proto_lines_free(&pl);
}

/* ---- reads, positions, memory ---- */

static void each_call_returns_one_line_and_advances_pos_past_it(void **state)
{
	struct proto_lines pl = { 0 };
	static char scratch[PROTO_LINE_MAX + 1];
	static const char in[] = "CWD a\r\nPWD\nNO";
	size_t pos = 0, len;
	char *line;

	assert_int_equal(proto_feed(&pl, in, LEN(in), &pos, scratch, &line,
				    &len), PROTO_LINE);
	assert_string_equal(line, "CWD a");
	assert_int_equal(len, 5);
	assert_int_equal(pos, 7);
	assert_int_equal(proto_feed(&pl, in, LEN(in), &pos, scratch, &line,
				    &len), PROTO_LINE);
	assert_string_equal(line, "PWD");
	assert_int_equal(pos, 11);
	assert_int_equal(proto_feed(&pl, in, LEN(in), &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	assert_int_equal(pos, LEN(in));
	assert_non_null(pl.part);
	assert_int_equal(pl.partlen, 2);
	proto_lines_free(&pl);
	assert_null(pl.part);
}

static void a_partial_line_is_held_only_until_it_completes(void **state)
{
	struct proto_lines pl = { 0 };
	static char scratch[PROTO_LINE_MAX + 1];
	size_t pos = 0, len;
	char *line;

	/* Complete lines, a pending IAC or a pending CR need no buffer. */
	assert_int_equal(proto_feed(&pl, "NOOP\r\n\xff", 7, &pos, scratch,
				    &line, &len), PROTO_LINE);
	assert_int_equal(proto_feed(&pl, "NOOP\r\n\xff", 7, &pos, scratch,
				    &line, &len), PROTO_NEED_MORE);
	assert_null(pl.part);
	pos = 0;
	assert_int_equal(proto_feed(&pl, "\xf1\r", 2, &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	assert_null(pl.part);
	pos = 0;
	assert_int_equal(proto_feed(&pl, "\nST", 3, &pos, scratch, &line,
				    &len), PROTO_LINE);
	assert_int_equal(len, 0);
	/* A read that ends mid-line keeps the partial line... */
	assert_int_equal(proto_feed(&pl, "\nST", 3, &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	assert_non_null(pl.part);
	pos = 0;
	assert_int_equal(proto_feed(&pl, "A", 1, &pos, scratch, &line,
				    &len), PROTO_NEED_MORE);
	assert_non_null(pl.part);
	/* ...and lets it go as soon as the line is complete. */
	pos = 0;
	assert_int_equal(proto_feed(&pl, "T\r\n", 3, &pos, scratch, &line,
				    &len), PROTO_LINE);
	assert_string_equal(line, "STAT");
	assert_null(pl.part);
	assert_int_equal(pl.partlen, 0);
	proto_lines_free(&pl);
}

/* A session's worth of traffic with every feature the assembler has. */
static char *corpus(size_t *len)
{
	struct buf b;
	char *big;

	buf_init(&b, 0);
	APPEND(&b, "USER demo\r\nPASS s3cret\n\r\n");
	APPEND(&b, "\xff\xfb\x01\xff\xfd\x03SYST\r\n");
	APPEND(&b, "MKD a\xff\xff" "b\r\n");
	APPEND(&b, "RETR a\0b\r\n");
	APPEND(&b, "STOR x\ry\r\r\n");
	APPEND(&b, "\xff\xfa\x18\x01x\n\xff\xff\xff\xf0" "NOOP\n");
	APPEND(&b, "\xff\xf4\xff\xf2" "ABOR\r\n\xff\xf4\xff" "ABOR\r\n");
	big = malloc(5000);
	assert_non_null(big);
	memset(big, 'q', 5000);
	buf_append(&b, big, 4096);
	APPEND(&b, "\r\n");
	buf_append(&b, big, 4097);
	APPEND(&b, "\r\n");
	buf_append(&b, big, 4096);
	APPEND(&b, "\r\r\n");
	buf_append(&b, big, 5000);
	APPEND(&b, "\nQUIT\r\nPART");
	free(big);
	assert_false(b.failed);
	*len = b.len;
	return b.p;
}

static const char corpus_expect[] =
	"[USER demo][PASS s3cret][][SYST][MKD a\\xffb][RETR a\\0b]"
	"[STOR x\\ry\\r][NOOP][ABOR][ABOR][4096 x 'q']<TOOLONG><TOOLONG>"
	"<TOOLONG>[QUIT]";

static void the_sample_session_parses_as_expected_in_one_read(void **state)
{
	size_t len;
	char *in = corpus(&len), *got = feed(in, len);

	assert_string_equal(got, corpus_expect);
	free(got);
	free(in);
}

static void byte_by_byte_feeding_equals_one_shot_feeding(void **state)
{
	size_t len;
	char *in = corpus(&len), *got = feed_split(in, len, 1, NULL);

	assert_string_equal(got, corpus_expect);
	free(got);
	free(in);
}

static void random_splits_equal_one_shot_feeding(void **state)
{
	static const size_t maxes[] = { 2, 3, 7, 64, 700, 5000 };
	uint32_t seed = 0x5eed1234;
	size_t len, i, round;
	char *in = corpus(&len), *got;

	for (i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		for (round = 0; round < 40; round++) {
			got = feed_split(in, len, maxes[i], &seed);
			assert_string_equal(got, corpus_expect);
			free(got);
		}
	}
	free(in);
}

/* ---- proto_split ---- */

struct split_case {
	const char *line;
	int ret;
	const char *verb, *arg;
};

static const struct split_case split_cases[] = {
	{ "USER anonymous", 0, "USER", "anonymous" },
	{ "user anonymous", 0, "USER", "anonymous" },
	{ "mKd Photos", 0, "MKD", "Photos" },	/* argument case kept */
	{ "NOOP", 0, "NOOP", NULL },
	{ "NOOP ", 0, "NOOP", NULL },
	{ "CWD   ", 0, "CWD", NULL },
	{ "CWD  two leading", 0, "CWD", "two leading" },
	{ "STOR ends in spaces  ", 0, "STOR", "ends in spaces  " },
	{ "RETR file\r", 0, "RETR", "file" },
	{ "RETR file\r\r", 0, "RETR", "file" },
	{ "NOOP\r", 0, "NOOP", NULL },
	{ "RETR a\rb", 0, "RETR", "a\rb" },	/* proto_arg_clean refuses */
	{ "XMKD dir", 0, "XMKD", "dir" },
	{ "ABCDEFGH x", 0, "ABCDEFGH", "x" },
	{ "ABCDEFGHI x", -1, NULL, NULL },	/* 9 letters */
	{ "", -1, NULL, NULL },
	{ "\r", -1, NULL, NULL },
	{ " USER x", -1, NULL, NULL },
	{ "US3R x", -1, NULL, NULL },
	{ "USER\tx", -1, NULL, NULL },
	{ "USER:x", -1, NULL, NULL },
	{ "\xc3\xa9TAT", -1, NULL, NULL },	/* not ASCII letters */
	{ "123 x", -1, NULL, NULL },
};

static int same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void split_table_reads_as_the_spec(void **state)
{
	size_t i;
	char line[64], *verb, *arg;
	int r;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];

		snprintf(line, sizeof(line), "%s", c->line);
		r = proto_split(line, &verb, &arg);
		if (r != c->ret || !same(verb, c->verb) || !same(arg, c->arg))
			fail_msg("split_cases[%zu]: got %d verb=%s arg=%s", i,
				 r, verb ? verb : "(null)",
				 arg ? arg : "(null)");
	}
}

static void arg_clean_refuses_nul_cr_and_lf_anywhere(void **state)
{
	assert_true(proto_arg_clean("photo 1.jpg", 11));
	assert_true(proto_arg_clean("", 0));
	assert_true(proto_arg_clean(NULL, 0));
	assert_true(proto_arg_clean("caf\xc3\xa9 \xff", 7));
	assert_false(proto_arg_clean("a\0b", 3));
	assert_false(proto_arg_clean("a\rb", 3));
	assert_false(proto_arg_clean("a\nb", 3));
	assert_false(proto_arg_clean("ab\r", 3));
	assert_false(proto_arg_clean("\0", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(crlf_and_bare_lf_both_end_a_line),
		cmocka_unit_test(a_cr_not_followed_by_lf_stays_in_the_line),
		cmocka_unit_test(only_the_cr_right_before_lf_belongs_to_the_line_end),
		cmocka_unit_test(empty_lines_come_back_as_empty_lines),
		cmocka_unit_test(bytes_without_a_line_end_are_not_yet_a_line),
		cmocka_unit_test(a_lone_lf_after_a_cr_split_across_reads_still_ends_the_line),
		cmocka_unit_test(iac_iac_becomes_one_literal_ff_byte),
		cmocka_unit_test(iac_will_wont_do_dont_and_their_option_are_removed),
		cmocka_unit_test(an_option_byte_that_looks_like_a_line_end_is_still_removed),
		cmocka_unit_test(iac_sb_subnegotiation_up_to_iac_se_is_removed),
		cmocka_unit_test(iac_iac_inside_a_subnegotiation_does_not_end_it),
		cmocka_unit_test(iac_with_any_other_command_byte_removes_both),
		cmocka_unit_test(iac_before_a_plain_byte_drops_only_the_iac),
		cmocka_unit_test(ftplib_abort_sequence_gives_a_clean_abor),
		cmocka_unit_test(ftplib_abort_with_the_dm_byte_taken_out_of_band_gives_abor),
		cmocka_unit_test(telnet_commands_between_cr_and_lf_do_not_break_the_line_end),
		cmocka_unit_test(iac_sequences_split_across_two_reads_at_every_point),
		cmocka_unit_test(a_nul_inside_a_line_is_kept_and_counted_in_the_length),
		cmocka_unit_test(a_line_of_exactly_4096_bytes_is_accepted),
		cmocka_unit_test(a_line_over_4096_bytes_gives_one_toolong_and_the_next_line_still_parses),
		cmocka_unit_test(a_cr_that_is_not_a_line_end_counts_toward_the_limit),
		cmocka_unit_test(a_4096_byte_line_plus_one_stray_cr_is_too_long),
		cmocka_unit_test(a_100000_byte_line_gives_exactly_one_toolong),
		cmocka_unit_test(iac_iac_counts_as_one_byte_toward_the_limit),
		cmocka_unit_test(telnet_commands_do_not_count_toward_the_limit),
		cmocka_unit_test(toolong_is_reported_only_when_the_line_end_arrives),
		cmocka_unit_test(each_call_returns_one_line_and_advances_pos_past_it),
		cmocka_unit_test(a_partial_line_is_held_only_until_it_completes),
		cmocka_unit_test(the_sample_session_parses_as_expected_in_one_read),
		cmocka_unit_test(byte_by_byte_feeding_equals_one_shot_feeding),
		cmocka_unit_test(random_splits_equal_one_shot_feeding),
		cmocka_unit_test(split_table_reads_as_the_spec),
		cmocka_unit_test(arg_clean_refuses_nul_cr_and_lf_anywhere),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
