/*
 * Unit tests for core/dataaddr.c: which PORT, EPRT and EPSV arguments are
 * accepted and what they mean, and the exact 227/229 texts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/dataaddr.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A sockaddr from numeric text, as the kernel would hand it to us. */
static struct sockaddr_storage addr(const char *host, unsigned port)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else {
		assert_int_equal(inet_pton(AF_INET6, host, &sin6->sin6_addr),
				 1);
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	}
	return ss;
}

/* "host port" of a parsed address, exactly as parsed (no v4 mapping). */
static void show(const struct sockaddr_storage *ss, char *out, size_t len)
{
	char h[INET6_ADDRSTRLEN];
	const void *a;

	if (ss->ss_family == AF_INET)
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	else
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	assert_non_null(inet_ntop(ss->ss_family, a, h, sizeof(h)));
	snprintf(out, len, "%s %u", h, da_port(ss));
}

struct parse_case {
	const char *arg;
	int ret;
	const char *want;	/* "host port" when ret is 0 */
};

static void check_table(const struct parse_case *cases, size_t n,
			int (*parse)(const char *, struct sockaddr_storage *,
				     socklen_t *), const char *what)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char got[80];
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		len = 0;
		memset(&ss, 0xa5, sizeof(ss));
		r = parse(cases[i].arg, &ss, &len);
		if (r != cases[i].ret)
			fail_msg("%s \"%s\": returned %d, want %d", what,
				 cases[i].arg ? cases[i].arg : "(null)", r,
				 cases[i].ret);
		if (r != 0)
			continue;
		show(&ss, got, sizeof(got));
		if (strcmp(got, cases[i].want) != 0)
			fail_msg("%s \"%s\": gave \"%s\", want \"%s\"", what,
				 cases[i].arg, got, cases[i].want);
		assert_int_equal(len, ss.ss_family == AF_INET ?
				 sizeof(struct sockaddr_in) :
				 sizeof(struct sockaddr_in6));
	}
}

/* ---- PORT ---- */

static const struct parse_case port_cases[] = {
	{ "127,0,0,1,195,80", 0, "127.0.0.1 50000" },
	{ "10,1,2,3,0,21", 0, "10.1.2.3 21" },
	{ "0,0,0,0,0,1", 0, "0.0.0.0 1" },	/* host checks are the caller's */
	{ "255,255,255,255,255,255", 0, "255.255.255.255 65535" },
	{ "010,0,0,1,0,021", 0, "10.0.0.1 21" },	/* decimal, not octal */
	{ "256,0,0,1,1,1", -1, NULL },			/* overflow */
	{ "1,2,3,4,5,256", -1, NULL },
	{ "1,2,3,4,256,0", -1, NULL },
	{ "99999999999999999999,0,0,1,1,1", -1, NULL },
	{ "1,2,3,4,5", -1, NULL },			/* missing field */
	{ "1,2,3,4", -1, NULL },
	{ "1,,3,4,5,6", -1, NULL },
	{ ",2,3,4,5,6", -1, NULL },
	{ "1,2,3,4,5,", -1, NULL },
	{ "1,2,3,4,5,6,7", -1, NULL },			/* extra field */
	{ "1,2,3,4,5,6,", -1, NULL },
	{ "1,2,3,4,5,6 ", -1, NULL },			/* trailing junk */
	{ "1,2,3,4,5,6x", -1, NULL },
	{ " 1,2,3,4,5,6", -1, NULL },			/* spaces */
	{ "1, 2,3,4,5,6", -1, NULL },
	{ "1 ,2,3,4,5,6", -1, NULL },
	{ "-1,2,3,4,5,6", -1, NULL },			/* signs */
	{ "1,2,3,4,5,-6", -1, NULL },
	{ "+1,2,3,4,5,6", -1, NULL },
	{ "1.2.3.4,5,6", -1, NULL },			/* dotted host */
	{ "0x7f,0,0,1,5,6", -1, NULL },
	{ "1,2,3,4,0,0", -1, NULL },			/* port 0 */
	{ "", -1, NULL },
	{ NULL, -1, NULL },
};

static void port_arguments_table(void **state)
{
	check_table(port_cases, NELEM(port_cases), da_parse_port, "PORT");
}

/* ---- EPRT ---- */

static const struct parse_case eprt_cases[] = {
	{ "|1|132.235.1.2|6275|", 0, "132.235.1.2 6275" },	/* RFC 2428 */
	{ "|2|1080::8:800:200C:417A|5282|", 0,
	  "1080::8:800:200c:417a 5282" },			/* RFC 2428 */
	{ "|2|::1|1|", 0, "::1 1" },
	{ "|2|::ffff:10.0.0.1|65535|", 0, "::ffff:10.0.0.1 65535" },
	{ "!1!10.0.0.1!21!", 0, "10.0.0.1 21" },	/* other delimiters */
	{ "~2~::1~21~", 0, "::1 21" },
	{ "\x21" "1\x21" "1.2.3.4\x21" "21\x21", 0, "1.2.3.4 21" },  /* 33 */
	{ "\x7e" "1\x7e" "1.2.3.4\x7e" "21\x7e", 0, "1.2.3.4 21" },  /* 126 */
	{ "|1|1.2.3.4|021|", 0, "1.2.3.4 21" },
	{ "|3|1.2.3.4|21|", -2, NULL },			/* unknown protocol */
	{ "|0|1.2.3.4|21|", -2, NULL },
	{ "|3|anything at all|21|", -2, NULL },
	{ "|1|132.235.1.2|6275", -1, NULL },		/* missing delimiter */
	{ "|1|132.235.1.2", -1, NULL },
	{ "|1|", -1, NULL },
	{ "|1|132.235.1.2|6275|x", -1, NULL },		/* trailing junk */
	{ "|1|132.235.1.2|6275| ", -1, NULL },
	{ "|1|132.235.1.2|6275||", -1, NULL },
	{ "|1|132.235.1.2||", -1, NULL },		/* port */
	{ "|1|132.235.1.2|0|", -1, NULL },
	{ "|1|132.235.1.2|65536|", -1, NULL },
	{ "|1|132.235.1.2|-21|", -1, NULL },
	{ "|1|132.235.1.2|+21|", -1, NULL },
	{ "|1|132.235.1.2|2 1|", -1, NULL },
	{ "|1|132.235.1.2|99999999999999999999|", -1, NULL },
	{ "|1|256.1.1.1|21|", -1, NULL },		/* address */
	{ "|1|1.2.3|21|", -1, NULL },
	{ "|1| 1.2.3.4|21|", -1, NULL },
	{ "|1||21|", -1, NULL },
	{ "|1|::1|21|", -1, NULL },			/* v6 under protocol 1 */
	{ "|2|127.0.0.1|21|", -1, NULL },		/* v4 under protocol 2 */
	{ "|2|fe80::1%eth0|21|", -1, NULL },
	{ "|2|1:2:3:4:5:6:7:8:9|21|", -1, NULL },
	{ "|2|0000:0000:0000:0000:0000:ffff:255.255.255.255.255.255|21|",
	  -1, NULL },					/* too long */
	{ "|x|1.2.3.4|21|", -1, NULL },			/* protocol */
	{ "||1.2.3.4|21|", -1, NULL },
	{ "|-1|1.2.3.4|21|", -1, NULL },
	{ "|1 |1.2.3.4|21|", -1, NULL },
	{ " 1 1.2.3.4 21 ", -1, NULL },			/* space: 32 */
	{ "\x7f" "1\x7f" "1.2.3.4\x7f" "21\x7f", -1, NULL },	/* 127 */
	{ "", -1, NULL },
	{ NULL, -1, NULL },
};

static void eprt_arguments_table(void **state)
{
	check_table(eprt_cases, NELEM(eprt_cases), da_parse_eprt, "EPRT");
}

/* ---- EPSV ---- */

static void epsv_arguments_table(void **state)
{
	static const struct {
		const char *arg;
		int ret;
	} cases[] = {
		{ NULL, 0 }, { "", 0 },
		{ "ALL", 'A' }, { "all", 'A' }, { "All", 'A' },
		{ "1", 1 }, { "2", 2 }, { "01", 1 },
		{ "3", -2 }, { "0", -2 }, { "65536", -2 },
		{ "99999999999999999999", -2 },
		{ "x", -1 }, { "1x", -1 }, { " 1", -1 }, { "1 ", -1 },
		{ "-1", -1 }, { "+1", -1 }, { "ALLX", -1 }, { "AL", -1 },
		{ "ALL ", -1 },
	};
	size_t i;

	for (i = 0; i < NELEM(cases); i++)
		if (da_parse_epsv(cases[i].arg) != cases[i].ret)
			fail_msg("EPSV \"%s\": returned %d, want %d",
				 cases[i].arg ? cases[i].arg : "(null)",
				 da_parse_epsv(cases[i].arg), cases[i].ret);
}

/* ---- PASV / EPSV texts ---- */

static void pasv_text_splits_the_port_into_two_bytes(void **state)
{
	struct sockaddr_storage ss = addr("127.0.0.1", 50000);
	char out[64];

	assert_int_equal(da_format_pasv(&ss, out, sizeof(out)), 0);
	assert_string_equal(out, "Entering Passive Mode (127,0,0,1,195,80).");
	ss = addr("10.20.30.40", 21);
	assert_int_equal(da_format_pasv(&ss, out, sizeof(out)), 0);
	assert_string_equal(out, "Entering Passive Mode (10,20,30,40,0,21).");
}

static void pasv_text_shows_a_mapped_ipv6_address_as_ipv4(void **state)
{
	struct sockaddr_storage ss = addr("::ffff:192.168.1.9", 65535);
	char out[64];

	assert_int_equal(da_format_pasv(&ss, out, sizeof(out)), 0);
	assert_string_equal(out,
			    "Entering Passive Mode (192,168,1,9,255,255).");
}

static void pasv_text_is_refused_for_a_real_ipv6_address(void **state)
{
	struct sockaddr_storage ss = addr("::1", 50000);
	char out[64];

	assert_int_equal(da_format_pasv(&ss, out, sizeof(out)), -1);
}

static void pasv_text_that_does_not_fit_is_an_error(void **state)
{
	struct sockaddr_storage ss = addr("127.0.0.1", 50000);
	char out[64];

	/* 41 characters: 41 bytes leave no room for the NUL, 42 do. */
	assert_int_equal(da_format_pasv(&ss, out, 41), -1);
	assert_int_equal(da_format_pasv(&ss, out, 42), 0);
}

static void epsv_text_names_only_the_port(void **state)
{
	char out[64];

	assert_int_equal(da_format_epsv(50000, out, sizeof(out)), 0);
	assert_string_equal(out, "Entering Extended Passive Mode (|||50000|)");
	assert_int_equal(da_format_epsv(1, out, sizeof(out)), 0);
	assert_string_equal(out, "Entering Extended Passive Mode (|||1|)");
}

static void epsv_text_refuses_impossible_ports_and_short_buffers(
	void **state)
{
	char out[64];

	assert_int_equal(da_format_epsv(0, out, sizeof(out)), -1);
	assert_int_equal(da_format_epsv(65536, out, sizeof(out)), -1);
	assert_int_equal(da_format_epsv(50000, out, 10), -1);
}

static void a_parsed_port_argument_formats_back_to_the_same_numbers(
	void **state)
{
	struct sockaddr_storage ss;
	socklen_t len;
	char out[64];

	assert_int_equal(da_parse_port("192,168,0,7,4,1", &ss, &len), 0);
	assert_int_equal(da_format_pasv(&ss, out, sizeof(out)), 0);
	assert_string_equal(out, "Entering Passive Mode (192,168,0,7,4,1).");
}

/* ---- comparing and showing addresses ---- */

static void same_host_ignores_ports(void **state)
{
	struct sockaddr_storage a = addr("10.0.0.1", 21),
		b = addr("10.0.0.1", 50000);

	assert_true(da_same_host(&a, &b));
	a = addr("::1", 1);
	b = addr("::1", 2);
	assert_true(da_same_host(&a, &b));
}

static void same_host_treats_mapped_ipv6_as_its_ipv4(void **state)
{
	struct sockaddr_storage a = addr("::ffff:10.0.0.1", 21),
		b = addr("10.0.0.1", 21), c = addr("::ffff:10.0.0.2", 21);

	assert_true(da_same_host(&a, &b));
	assert_true(da_same_host(&b, &a));
	assert_false(da_same_host(&c, &b));
}

static void different_hosts_are_different(void **state)
{
	struct sockaddr_storage v4a = addr("10.0.0.1", 21),
		v4b = addr("10.0.0.2", 21), v6a = addr("::1", 21),
		v6b = addr("::2", 21), lo4 = addr("127.0.0.1", 21), none;

	memset(&none, 0, sizeof(none));
	assert_false(da_same_host(&v4a, &v4b));
	assert_false(da_same_host(&v6a, &v6b));
	assert_false(da_same_host(&v6a, &lo4));	/* ::1 is not 127.0.0.1 */
	assert_false(da_same_host(&lo4, &v6a));
	assert_false(da_same_host(&none, &none));
	assert_false(da_same_host(&none, &v4a));
}

static void port_is_read_in_host_order(void **state)
{
	struct sockaddr_storage a = addr("10.0.0.1", 50000),
		b = addr("::1", 2121), none;

	memset(&none, 0, sizeof(none));
	assert_int_equal(da_port(&a), 50000);
	assert_int_equal(da_port(&b), 2121);
	assert_int_equal(da_port(&none), 0);
}

static void host_text_is_numeric_and_shows_mapped_ipv4_as_ipv4(void **state)
{
	struct sockaddr_storage a = addr("10.0.0.1", 21), b = addr("::1", 21),
		c = addr("::ffff:192.0.2.5", 21),
		d = addr("2001:db8::42", 21), none;
	char out[INET6_ADDRSTRLEN];

	memset(&none, 0, sizeof(none));
	assert_int_equal(da_host_text(&a, out, sizeof(out)), 0);
	assert_string_equal(out, "10.0.0.1");
	assert_int_equal(da_host_text(&b, out, sizeof(out)), 0);
	assert_string_equal(out, "::1");
	assert_int_equal(da_host_text(&c, out, sizeof(out)), 0);
	assert_string_equal(out, "192.0.2.5");
	assert_int_equal(da_host_text(&d, out, sizeof(out)), 0);
	assert_string_equal(out, "2001:db8::42");
	assert_int_equal(da_host_text(&none, out, sizeof(out)), -1);
	assert_int_equal(da_host_text(&a, out, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(port_arguments_table),
		cmocka_unit_test(eprt_arguments_table),
		cmocka_unit_test(epsv_arguments_table),
		cmocka_unit_test(pasv_text_splits_the_port_into_two_bytes),
		cmocka_unit_test(pasv_text_shows_a_mapped_ipv6_address_as_ipv4),
		cmocka_unit_test(pasv_text_is_refused_for_a_real_ipv6_address),
		cmocka_unit_test(pasv_text_that_does_not_fit_is_an_error),
		cmocka_unit_test(epsv_text_names_only_the_port),
		cmocka_unit_test(epsv_text_refuses_impossible_ports_and_short_buffers),
		cmocka_unit_test(a_parsed_port_argument_formats_back_to_the_same_numbers),
		cmocka_unit_test(same_host_ignores_ports),
		cmocka_unit_test(same_host_treats_mapped_ipv6_as_its_ipv4),
		cmocka_unit_test(different_hosts_are_different),
		cmocka_unit_test(port_is_read_in_host_order),
		cmocka_unit_test(host_text_is_numeric_and_shows_mapped_ipv4_as_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
