/*
 * Unit tests for core/reply.c: the exact bytes of single and multi-line
 * replies, and that no text can make a reply a client would misread.
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
#include "core/reply.h"

/* reply_format into a fresh buffer; caller frees. */
static char *fmt(int code, const char *text)
{
	struct buf b;

	buf_init(&b, 0);
	reply_format(&b, code, text);
	assert_false(b.failed);
	assert_non_null(b.p);
	return b.p;
}

#define assert_reply(code, text, expect) do {				\
	char *got_ = fmt((code), (text));				\
	assert_string_equal(got_, (expect));				\
	free(got_);							\
} while (0)

static char *quote(const char *path)
{
	struct buf b;

	buf_init(&b, 0);
	buf_puts(&b, "");
	reply_quote_path(&b, path);
	assert_false(b.failed);
	return b.p;
}

#define assert_quote(path, expect) do {					\
	char *got_ = quote(path);					\
	assert_string_equal(got_, (expect));				\
	free(got_);							\
} while (0)

static void a_single_line_reply_is_code_space_text_crlf(void **state)
{
	assert_reply(200, "Command okay.", "200 Command okay.\r\n");
	assert_reply(550, "Permission denied.", "550 Permission denied.\r\n");
}

static void an_empty_or_null_text_still_gives_a_complete_line(void **state)
{
	assert_reply(200, "", "200 \r\n");
	assert_reply(200, NULL, "200 \r\n");
}

static void two_lines_give_code_dash_then_code_space(void **state)
{
	assert_reply(230, "Welcome.\nLogin successful.",
		     "230-Welcome.\r\n230 Login successful.\r\n");
}

static void feat_style_middle_lines_are_written_as_they_are(void **state)
{
	assert_reply(211, "Features:\n EPSV\n MDTM\n SIZE\n UTF8\nEnd",
		     "211-Features:\r\n EPSV\r\n MDTM\r\n SIZE\r\n UTF8\r\n"
		     "211 End\r\n");
}

static void a_middle_line_that_looks_like_an_end_line_gets_a_leading_space(
	void **state)
{
	assert_reply(211, "Status\n211 looks like the end\n211-looks like "
		     "a start\n999 other code\nEnd",
		     "211-Status\r\n 211 looks like the end\r\n"
		     " 211-looks like a start\r\n 999 other code\r\n"
		     "211 End\r\n");
}

static void any_middle_line_starting_with_a_digit_gets_a_leading_space(
	void **state)
{
	assert_reply(213, "Status of /\n42 files\n7\n1a\nEnd",
		     "213-Status of /\r\n 42 files\r\n 7\r\n 1a\r\n"
		     "213 End\r\n");
}

static void middle_lines_starting_with_anything_else_are_untouched(
	void **state)
{
	assert_reply(211, "a\n-rw-r--r-- 1 x\n drwx\nb",
		     "211-a\r\n-rw-r--r-- 1 x\r\n drwx\r\n211 b\r\n");
}

static void first_and_last_lines_are_never_padded(void **state)
{
	assert_reply(250, "1 first\n2 last", "250-1 first\r\n250 2 last\r\n");
}

static void an_empty_middle_line_is_kept(void **state)
{
	assert_reply(214, "Help:\n\nEnd", "214-Help:\r\n\r\n214 End\r\n");
}

static void one_trailing_newline_does_not_add_an_empty_last_line(
	void **state)
{
	assert_reply(200, "only\n", "200 only\r\n");
	assert_reply(211, "a\nb\n", "211-a\r\n211 b\r\n");
	assert_reply(211, "a\n\n", "211-a\r\n211 \r\n");
}

static void cr_in_the_text_never_reaches_the_wire(void **state)
{
	assert_reply(200, "a\rb", "200 ab\r\n");
	assert_reply(211, "a\r\nb\r\n", "211-a\r\n211 b\r\n");
	assert_reply(211, "a\n\r1\nb", "211-a\r\n 1\r\n211 b\r\n");
}

static void a_literal_ff_byte_is_doubled_as_telnet_requires(void **state)
{
	assert_reply(257, "\"/caf\xff\" created.",
		     "257 \"/caf\xff\xff\" created.\r\n");
}

static void the_code_is_written_with_three_digits(void **state)
{
	assert_reply(421, "Bye", "421 Bye\r\n");
	assert_reply(1, "x", "001 x\r\n");
}

static void replies_append_to_what_the_buffer_already_holds(void **state)
{
	struct buf b;

	buf_init(&b, 0);
	reply_format(&b, 150, "Opening.");
	reply_format(&b, 226, "Done.");
	assert_string_equal(b.p, "150 Opening.\r\n226 Done.\r\n");
	buf_free(&b);
}

static void a_buffer_over_its_limit_fails_instead_of_growing(void **state)
{
	struct buf b;

	buf_init(&b, 16);
	reply_format(&b, 211, "a line that is longer than sixteen bytes");
	assert_true(b.failed);
	buf_free(&b);
}

/*
 * Read the reply the way ftplib and curl do: the first line has the code;
 * if it is "code-", lines are skipped until one starts with "code ".
 * That line must be the last one, and no bare CR or LF may appear.
 */
static void check_well_formed(const char *r, int code)
{
	char want[5];
	const char *line = r, *eol;
	int first = 1, multi = 0;

	snprintf(want, sizeof(want), "%03d", code);
	for (;;) {
		eol = strstr(line, "\r\n");
		assert_non_null(eol);
		assert_null(memchr(line, '\n', (size_t)(eol - line)));
		assert_null(memchr(line, '\r', (size_t)(eol - line)));
		if (first) {
			assert_memory_equal(line, want, 3);
			assert_true(line[3] == ' ' || line[3] == '-');
			multi = line[3] == '-';
			first = 0;
		} else if (multi && strncmp(line, want, 3) == 0 &&
			   line[3] == ' ') {
			multi = 0;
		} else {
			/* No middle line may look like any reply line. */
			assert_false(line[0] >= '0' && line[0] <= '9');
		}
		line = eol + 2;
		if (!multi)
			break;
	}
	assert_string_equal(line, "");
}

static void random_texts_always_give_a_well_formed_reply(void **state)
{
	static const char alphabet[] = "ab1 -\r\n2";
	uint32_t seed = 0xfeedbeef;
	char text[40];
	size_t i, n;
	int round;

	for (round = 0; round < 5000; round++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		n = seed % sizeof(text);
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			text[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		text[n] = '\0';
		char *got = fmt(211, text);
		check_well_formed(got, 211);
		free(got);
	}
}

static void quote_path_wraps_the_path_in_double_quotes(void **state)
{
	assert_quote("/plain", "\"/plain\"");
	assert_quote("/", "\"/\"");
	assert_quote("", "\"\"");
}

static void quote_path_doubles_embedded_double_quotes(void **state)
{
	assert_quote("/say \"hi\"", "\"/say \"\"hi\"\"\"");
	assert_quote("\"", "\"\"\"\"");
}

static void quote_path_shows_cr_and_lf_as_question_marks(void **state)
{
	assert_quote("/a\nb\rc", "\"/a?b?c\"");
}

static void a_quoted_path_in_a_257_reply_stays_on_one_line(void **state)
{
	struct buf t, out;

	buf_init(&t, 0);
	buf_init(&out, 0);
	reply_quote_path(&t, "/new \"dir\"\nx");
	buf_puts(&t, " created.");
	reply_format(&out, 257, t.p);
	assert_string_equal(out.p,
			    "257 \"/new \"\"dir\"\"?x\" created.\r\n");
	buf_free(&t);
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_single_line_reply_is_code_space_text_crlf),
		cmocka_unit_test(an_empty_or_null_text_still_gives_a_complete_line),
		cmocka_unit_test(two_lines_give_code_dash_then_code_space),
		cmocka_unit_test(feat_style_middle_lines_are_written_as_they_are),
		cmocka_unit_test(a_middle_line_that_looks_like_an_end_line_gets_a_leading_space),
		cmocka_unit_test(any_middle_line_starting_with_a_digit_gets_a_leading_space),
		cmocka_unit_test(middle_lines_starting_with_anything_else_are_untouched),
		cmocka_unit_test(first_and_last_lines_are_never_padded),
		cmocka_unit_test(an_empty_middle_line_is_kept),
		cmocka_unit_test(one_trailing_newline_does_not_add_an_empty_last_line),
		cmocka_unit_test(cr_in_the_text_never_reaches_the_wire),
		cmocka_unit_test(a_literal_ff_byte_is_doubled_as_telnet_requires),
		cmocka_unit_test(the_code_is_written_with_three_digits),
		cmocka_unit_test(replies_append_to_what_the_buffer_already_holds),
		cmocka_unit_test(a_buffer_over_its_limit_fails_instead_of_growing),
		cmocka_unit_test(random_texts_always_give_a_well_formed_reply),
		cmocka_unit_test(quote_path_wraps_the_path_in_double_quotes),
		cmocka_unit_test(quote_path_doubles_embedded_double_quotes),
		cmocka_unit_test(quote_path_shows_cr_and_lf_as_question_marks),
		cmocka_unit_test(a_quoted_path_in_a_257_reply_stays_on_one_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
