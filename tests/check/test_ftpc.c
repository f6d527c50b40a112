/*
 * Unit tests of tools/ftpc, the client library under cellftp-check: the
 * parsers of 227/229/257/STOU replies, PORT/EPRT arguments, MLSx facts
 * and times, and reply framing read from a real socket pair.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ftpc.h"

/* ------------------------------------------------------------ parsers */

static void pasv_reply_with_parentheses_gives_address_and_port(void **st)
{
	struct sockaddr_storage ss;
	char host[64];

	(void)st;
	assert_int_equal(ftpc_parse_227("227 Entering Passive Mode "
					"(127,0,0,1,195,80).", &ss), 0);
	assert_int_equal(ftpc_addr_str((struct sockaddr *)&ss, host,
				       sizeof(host)), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(ftpc_addr_port((struct sockaddr *)&ss), 195 * 256 + 80);
}

static void pasv_reply_without_parentheses_is_scanned(void **st)
{
	struct sockaddr_storage ss;

	(void)st;
	/* RFC 1123 4.1.2.6: clients scan for the first digit. */
	assert_int_equal(ftpc_parse_227("227 =10,1,2,3,4,5", &ss), 0);
	assert_int_equal(ftpc_addr_port((struct sockaddr *)&ss), 4 * 256 + 5);
}

static void pasv_reply_out_of_range_is_refused(void **st)
{
	struct sockaddr_storage ss;

	(void)st;
	assert_int_equal(ftpc_parse_227("227 (256,0,0,1,4,1)", &ss), -1);
	assert_int_equal(ftpc_parse_227("227 (1,2,3,4,5)", &ss), -1);
	assert_int_equal(ftpc_parse_227("227 nothing", &ss), -1);
}

static void epsv_reply_needs_three_delimiters_and_a_port(void **st)
{
	unsigned port = 0;

	(void)st;
	assert_int_equal(ftpc_parse_229("229 Extended (|||6446|)", &port), 0);
	assert_int_equal(port, 6446);
	assert_int_equal(ftpc_parse_229("229 (!!!21!)", &port), 0);
	assert_int_equal(port, 21);
	assert_int_equal(ftpc_parse_229("229 (||6446|)", &port), -1);
	assert_int_equal(ftpc_parse_229("229 (|||0|)", &port), -1);
	assert_int_equal(ftpc_parse_229("229 (|||70000|)", &port), -1);
	assert_int_equal(ftpc_parse_229("229 port 6446", &port), -1);
}

static void quoted_path_undoubles_quotes(void **st)
{
	char out[64];

	(void)st;
	assert_int_equal(ftpc_parse_257("257 \"/a/say\"\"hi\" created.", out,
					sizeof(out)), 0);
	assert_string_equal(out, "/a/say\"hi");
	assert_int_equal(ftpc_parse_257("257 \"/\" is current", out,
					sizeof(out)), 0);
	assert_string_equal(out, "/");
	assert_int_equal(ftpc_parse_257("257 \"unterminated", out,
					sizeof(out)), -1);
	assert_int_equal(ftpc_parse_257("257 no quotes", out, sizeof(out)), -1);
	assert_int_equal(ftpc_parse_257("257 \"0123456789\"", out, 5), -1);
}

static void stou_name_comes_after_file_colon(void **st)
{
	char out[64];

	(void)st;
	assert_int_equal(ftpc_parse_stou("150 FILE: upload.1", out,
					 sizeof(out)), 0);
	assert_string_equal(out, "upload.1");
	assert_int_equal(ftpc_parse_stou("150 Opening", out, sizeof(out)), -1);
}

static void port_and_eprt_arguments_are_formatted(void **st)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	char buf[128];

	(void)st;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(50000);
	inet_pton(AF_INET, "192.0.2.1", &sin.sin_addr);
	assert_int_equal(ftpc_fmt_port(buf, sizeof(buf),
				       (struct sockaddr *)&sin), 0);
	assert_string_equal(buf, "192,0,2,1,195,80");
	assert_int_equal(ftpc_fmt_eprt(buf, sizeof(buf),
				       (struct sockaddr *)&sin), 0);
	assert_string_equal(buf, "|1|192.0.2.1|50000|");
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(2121);
	inet_pton(AF_INET6, "::1", &sin6.sin6_addr);
	assert_int_equal(ftpc_fmt_port(buf, sizeof(buf),
				       (struct sockaddr *)&sin6), -1);
	assert_int_equal(ftpc_fmt_eprt(buf, sizeof(buf),
				       (struct sockaddr *)&sin6), 0);
	assert_string_equal(buf, "|2|::1|2121|");
}

static void mlsx_line_splits_into_facts_and_name(void **st)
{
	char line[] = "Type=file;Size=12;modify=20200102030405; a name";
	char bad1[] = "type=file;size=12 name";
	char bad2[] = "type=file;nofact; name";
	struct ftpc_mlsx m;

	(void)st;
	assert_int_equal(ftpc_parse_mlsx(line, &m), 0);
	assert_int_equal(m.nfacts, 3);
	assert_string_equal(m.name, "a name");
	assert_string_equal(ftpc_mlsx_fact(&m, "type"), "file");
	assert_string_equal(ftpc_mlsx_fact(&m, "SIZE"), "12");
	assert_null(ftpc_mlsx_fact(&m, "unique"));
	assert_int_equal(ftpc_parse_mlsx(bad1, &m), -1);
	assert_int_equal(ftpc_parse_mlsx(bad2, &m), -1);
}

static void times_are_utc_with_optional_fraction(void **st)
{
	long long t;

	(void)st;
	assert_int_equal(ftpc_parse_time("19700101000001", &t), 0);
	assert_int_equal(t, 1);
	assert_int_equal(ftpc_parse_time("20200102030405.123", &t), 0);
	assert_int_equal(t, 1577934245);
	assert_int_equal(ftpc_parse_time("20200102030405.", &t), -1);
	assert_int_equal(ftpc_parse_time("2020010203040", &t), -1);
	assert_int_equal(ftpc_parse_time("20201302030405", &t), -1);
	assert_int_equal(ftpc_parse_time("20200102030405 x", &t), -1);
}

/* ------------------------------------------------------ reply framing */

struct pair {
	struct ftpc c;
	int peer;
	char traced[512];
};

static void traced(void *arg, enum ftpc_dir dir, const char *line, size_t len)
{
	struct pair *p = arg;
	size_t n = strlen(p->traced);

	if (dir == FTPC_SENT && n + len + 2 < sizeof(p->traced)) {
		memcpy(p->traced + n, line, len);
		p->traced[n + len] = '\n';
		p->traced[n + len + 1] = '\0';
	}
}

static int pair_setup(void **st)
{
	struct pair *p = calloc(1, sizeof(*p));
	int sv[2];

	if (p == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) != 0)
		return -1;
	ftpc_init(&p->c);
	p->c.io.fd = sv[0];
	p->c.timeout_ms = 500;
	p->c.trace = traced;
	p->c.trace_arg = p;
	p->peer = sv[1];
	*st = p;
	return 0;
}

static int pair_teardown(void **st)
{
	struct pair *p = *st;

	ftpc_close(&p->c);
	close(p->peer);
	free(p);
	return 0;
}

static void feed(struct pair *p, const char *s, size_t len)
{
	assert_int_equal(write(p->peer, s, len), (ssize_t)len);
}

#define FEED(p, lit)	feed(p, lit, sizeof(lit) - 1)

static void single_line_reply_is_read(void **st)
{
	struct pair *p = *st;

	FEED(p, "200 NOOP ok.\r\n");
	assert_int_equal(ftpc_reply(&p->c), 200);
	assert_string_equal(ftpc_text(&p->c), "200 NOOP ok.");
	assert_int_equal(p->c.flaws, 0);
}

static void multi_line_reply_ends_at_its_code_and_space(void **st)
{
	struct pair *p = *st;

	FEED(p, "211-Features:\r\n EPSV\r\n211-not the end\r\n211 End\r\n"
	     "200 next\r\n");
	assert_int_equal(ftpc_reply(&p->c), 211);
	assert_int_equal(p->c.reply.nlines, 4);
	assert_int_equal(p->c.flaws, 0);
	assert_int_equal(ftpc_reply(&p->c), 200);
}

static void *late_lf(void *arg)
{
	struct pair *p = arg;
	const struct timespec pause = { 0, 100 * 1000 * 1000 };

	(void)nanosleep(&pause, NULL);
	if (write(p->peer, "\n", 1) != 1)
		return arg;
	return NULL;
}

static void cr_and_lf_in_separate_reads_are_one_line_end(void **st)
{
	struct pair *p = *st;
	pthread_t t;
	void *r;

	FEED(p, "220 hello\r");
	assert_int_equal(pthread_create(&t, NULL, late_lf, p), 0);
	assert_int_equal(ftpc_reply(&p->c), 220);
	assert_int_equal(pthread_join(t, &r), 0);
	assert_null(r);
	assert_string_equal(ftpc_text(&p->c), "220 hello");
	assert_int_equal(p->c.flaws, 0);
}

static void bare_lf_is_a_flaw(void **st)
{
	struct pair *p = *st;

	FEED(p, "220 hello\n");
	assert_int_equal(ftpc_reply(&p->c), 220);
	assert_true(p->c.flaws & FTPC_FLAW_BARE_LF);
}

static void line_without_code_is_an_error(void **st)
{
	struct pair *p = *st;

	FEED(p, "hello there\r\n");
	assert_int_equal(ftpc_reply(&p->c), -1);
	assert_true(p->c.flaws & FTPC_FLAW_NOCODE);
}

static void multi_line_closed_by_another_code_is_a_flaw(void **st)
{
	struct pair *p = *st;

	FEED(p, "211-Features:\r\n EPSV\r\n212 End\r\n");
	assert_int_equal(ftpc_reply(&p->c), 211);
	assert_true(p->c.flaws & FTPC_FLAW_MULTILINE);
}

static void iac_iac_in_a_reply_is_one_byte(void **st)
{
	struct pair *p = *st;

	FEED(p, "257 \"a\xff\xff" "b\" created\r\n");
	assert_int_equal(ftpc_reply(&p->c), 257);
	assert_string_equal(ftpc_text(&p->c), "257 \"a\xff" "b\" created");
}

static void eof_or_silence_is_an_error(void **st)
{
	struct pair *p = *st;

	assert_int_equal(ftpc_reply(&p->c), -1);
	assert_non_null(strstr(p->c.err, "timed out"));
	FEED(p, "220 half");
	close(p->peer);
	p->peer = dup(p->c.io.fd);	/* something for teardown to close */
	assert_int_equal(ftpc_reply(&p->c), -1);
	assert_non_null(strstr(p->c.err, "closed"));
}

static void commands_escape_iac_and_hide_passwords(void **st)
{
	struct pair *p = *st;
	char buf[64];
	ssize_t n;

	assert_int_equal(ftpc_sendf(&p->c, "MKD a\xff" "b"), 0);
	assert_int_equal(ftpc_sendf(&p->c, "PASS %s", "s3cret"), 0);
	n = read(p->peer, buf, sizeof(buf));
	assert_int_equal(n, 23);
	assert_memory_equal(buf, "MKD a\xff\xff" "b\r\nPASS s3cret\r\n", 23);
	assert_null(strstr(p->traced, "s3cret"));
	assert_non_null(strstr(p->traced, "PASS ********"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pasv_reply_with_parentheses_gives_address_and_port),
		cmocka_unit_test(pasv_reply_without_parentheses_is_scanned),
		cmocka_unit_test(pasv_reply_out_of_range_is_refused),
		cmocka_unit_test(epsv_reply_needs_three_delimiters_and_a_port),
		cmocka_unit_test(quoted_path_undoubles_quotes),
		cmocka_unit_test(stou_name_comes_after_file_colon),
		cmocka_unit_test(port_and_eprt_arguments_are_formatted),
		cmocka_unit_test(mlsx_line_splits_into_facts_and_name),
		cmocka_unit_test(times_are_utc_with_optional_fraction),
		cmocka_unit_test_setup_teardown(single_line_reply_is_read,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(
			multi_line_reply_ends_at_its_code_and_space,
			pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(
			cr_and_lf_in_separate_reads_are_one_line_end,
			pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(bare_lf_is_a_flaw,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(line_without_code_is_an_error,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(
			multi_line_closed_by_another_code_is_a_flaw,
			pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(iac_iac_in_a_reply_is_one_byte,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(eof_or_silence_is_an_error,
						pair_setup, pair_teardown),
		cmocka_unit_test_setup_teardown(
			commands_escape_iac_and_hide_passwords,
			pair_setup, pair_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
