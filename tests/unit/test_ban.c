/*
 * Address bans after failed logins: N failures within the window ban an
 * address for ban_ms, per address (IPv6 per /64), in a bounded table that
 * makes room by forgetting the least important address first.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "tutil.h"
#include "core/ban.h"

#define SEC 1000ull
#define T0 (100000 * SEC)	/* a monotonic clock far from zero */

static const struct ban_rule rule10 = {
	.failures = 10, .window_ms = 600 * SEC, .ban_ms = 900 * SEC
};

/* n failures from a, `step` ms apart from `at`; how many of them banned. */
static int fail_n(struct ban *b, const struct sockaddr_storage *a, int n,
		  uint64_t at, uint64_t step, const struct ban_rule *r)
{
	int bans = 0;

	for (int i = 0; i < n; i++)
		bans += ban_fail(b, a, at + (uint64_t)i * step, r);
	return bans;
}

static void the_tenth_failure_bans_for_ban_time(void **state)
{
	struct ban b;
	struct sockaddr_storage a = ss_v4("192.0.2.1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	assert_int_equal(fail_n(&b, &a, 9, T0, SEC, &rule10), 0);
	assert_int_equal(ban_left(&b, &a, T0 + 9 * SEC), 0);
	assert_int_equal(ban_fail(&b, &a, T0 + 9 * SEC, &rule10), 1);
	assert_int_equal(ban_left(&b, &a, T0 + 9 * SEC), 900 * SEC);
	assert_int_equal(ban_left(&b, &a, T0 + 909 * SEC - 1), 1);
	assert_int_equal(ban_left(&b, &a, T0 + 909 * SEC), 0);
	ban_fini(&b);
}

static void failures_older_than_the_window_are_forgotten(void **state)
{
	struct ban b;
	struct sockaddr_storage a = ss_v4("192.0.2.1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	/* 9 now, the 10th after the window plus its slack: no ban */
	assert_int_equal(fail_n(&b, &a, 9, T0, 0, &rule10), 0);
	assert_int_equal(ban_fail(&b, &a, T0 + 661 * SEC, &rule10), 0);
	assert_int_equal(ban_left(&b, &a, T0 + 661 * SEC), 0);
	/* but 9 more within the window of that one do */
	assert_int_equal(fail_n(&b, &a, 9, T0 + 662 * SEC, SEC, &rule10), 1);
	ban_fini(&b);
}

/* The window slides: any ten within 600 s ban, wherever the slices fall. */
static void any_run_of_failures_within_the_window_bans(void **state)
{
	(void)state;
	for (uint64_t phase = 0; phase < 120 * SEC; phase += 7 * SEC + 13) {
		struct ban b;
		struct sockaddr_storage a = ss_v4("198.51.100.7");
		uint64_t start = T0 + phase;

		assert_int_equal(ban_init(&b, 64), 0);
		/* stale failures long before do not matter either way */
		assert_int_equal(fail_n(&b, &a, 5, start - 2000 * SEC, SEC,
					&rule10), 0);
		/* ten failures spread over exactly 600 s */
		assert_int_equal(fail_n(&b, &a, 9, start, 600 * SEC / 9,
					&rule10), 0);
		assert_int_equal(ban_fail(&b, &a, start + 600 * SEC, &rule10),
				 1);
		ban_fini(&b);
	}
}

static void a_banned_address_is_not_counted_nor_extended(void **state)
{
	struct ban b;
	struct sockaddr_storage a = ss_v4("192.0.2.1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	assert_int_equal(fail_n(&b, &a, 10, T0, 0, &rule10), 1);
	/* in-flight failures during the ban change nothing */
	assert_int_equal(fail_n(&b, &a, 50, T0 + SEC, SEC, &rule10), 0);
	assert_int_equal(ban_left(&b, &a, T0 + 100 * SEC), 800 * SEC);
	/* after it ends, counting starts afresh */
	assert_int_equal(fail_n(&b, &a, 9, T0 + 900 * SEC, 0, &rule10), 0);
	assert_int_equal(ban_fail(&b, &a, T0 + 900 * SEC, &rule10), 1);
	ban_fini(&b);
}

static void zero_failures_turns_bans_off(void **state)
{
	const struct ban_rule off = { .failures = 0, .window_ms = 600 * SEC,
				      .ban_ms = 900 * SEC };
	struct ban b;
	struct sockaddr_storage a = ss_v4("192.0.2.1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	assert_int_equal(fail_n(&b, &a, 1000, T0, 1, &off), 0);
	assert_int_equal(ban_left(&b, &a, T0 + SEC), 0);
	assert_int_equal(b.n, 0);
	ban_fini(&b);
}

static void addresses_are_judged_apart_ipv6_by_its_64(void **state)
{
	struct ban b;
	struct sockaddr_storage a = ss_v4("127.0.0.1"), m = ss_v6("::ffff:127.0.0.1");
	struct sockaddr_storage o = ss_v4("127.0.0.2");
	struct sockaddr_storage h1 = ss_v6("2001:db8:1:2::1");
	struct sockaddr_storage h2 = ss_v6("2001:db8:1:2:ffff:ffff:ffff:ffff");
	struct sockaddr_storage n = ss_v6("2001:db8:1:3::1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	/* v4 and its mapped form are one address */
	assert_int_equal(fail_n(&b, &a, 5, T0, 0, &rule10), 0);
	assert_int_equal(fail_n(&b, &m, 5, T0, 0, &rule10), 1);
	assert_true(ban_left(&b, &a, T0) > 0);
	assert_int_equal(ban_left(&b, &o, T0), 0);
	/* one /64 is one client; the next /64 is another */
	assert_int_equal(fail_n(&b, &h1, 5, T0, 0, &rule10), 0);
	assert_int_equal(fail_n(&b, &h2, 5, T0, 0, &rule10), 1);
	assert_true(ban_left(&b, &h1, T0) > 0);
	assert_int_equal(ban_left(&b, &n, T0), 0);
	ban_fini(&b);
}

static void a_full_table_forgets_unbanned_addresses_first(void **state)
{
	const struct ban_rule two = { .failures = 2, .window_ms = 600 * SEC,
				      .ban_ms = 900 * SEC };
	struct ban b;
	struct sockaddr_storage banned = ss_v4("10.9.9.9");
	char text[32];

	(void)state;
	assert_int_equal(ban_init(&b, 8), 0);
	assert_int_equal(fail_n(&b, &banned, 2, T0, 0, &two), 1);
	/* a flood of one-failure addresses, far more than the table holds */
	for (int i = 0; i < 5000; i++) {
		struct sockaddr_storage a;

		snprintf(text, sizeof(text), "10.%d.%d.1", i / 250, i % 250);
		a = ss_v4(text);
		assert_int_equal(ban_fail(&b, &a, T0 + 1 + (uint64_t)i, &two),
				 0);
		assert_true(b.n <= 8);
	}
	assert_int_equal(ban_left(&b, &banned, T0 + SEC), 900 * SEC - SEC);
	/* the newest of the flood is still remembered: its 2nd failure bans */
	{
		struct sockaddr_storage last = ss_v4("10.19.249.1");

		assert_int_equal(ban_fail(&b, &last, T0 + 6000, &two), 1);
	}
	ban_fini(&b);
}

static void when_every_address_is_banned_the_nearest_end_goes(void **state)
{
	const struct ban_rule one = { .failures = 1, .window_ms = 60 * SEC,
				      .ban_ms = 100 * SEC };
	struct ban b;
	struct sockaddr_storage a[5];
	char text[32];

	(void)state;
	assert_int_equal(ban_init(&b, 4), 0);
	for (int i = 0; i < 5; i++) {
		snprintf(text, sizeof(text), "203.0.113.%d", i + 1);
		a[i] = ss_v4(text);
		assert_int_equal(ban_fail(&b, &a[i], T0 + (uint64_t)i * SEC,
					  &one), 1);
	}
	assert_int_equal(ban_left(&b, &a[0], T0 + 5 * SEC), 0);
	for (int i = 1; i < 5; i++)
		assert_true(ban_left(&b, &a[i], T0 + 5 * SEC) > 0);
	ban_fini(&b);
}

/* A reload may change the window: counts made with the old one restart. */
static void a_changed_window_starts_the_count_over(void **state)
{
	const struct ban_rule r2 = { .failures = 10, .window_ms = 60 * SEC,
				     .ban_ms = 900 * SEC };
	struct ban b;
	struct sockaddr_storage a = ss_v4("192.0.2.1");

	(void)state;
	assert_int_equal(ban_init(&b, 64), 0);
	assert_int_equal(fail_n(&b, &a, 9, T0, 0, &rule10), 0);
	assert_int_equal(ban_fail(&b, &a, T0, &r2), 0);
	assert_int_equal(fail_n(&b, &a, 9, T0, 0, &r2), 1);
	ban_fini(&b);
}

struct hammer {
	struct ban *b;
	int id;
	int bans;
};

static void *hammer_main(void *arg)
{
	struct hammer *h = arg;
	const struct ban_rule three = { .failures = 3, .window_ms = 600 * SEC,
					.ban_ms = 900 * SEC };
	char text[32];

	for (int i = 0; i < 2000; i++) {
		struct sockaddr_storage a;

		snprintf(text, sizeof(text), "10.%d.%d.%d", h->id, i % 40,
			 i / 40);
		a = ss_v4(text);
		h->bans += ban_fail(h->b, &a, T0 + (uint64_t)i, &three);
		(void)ban_left(h->b, &a, T0 + (uint64_t)i);
	}
	return NULL;
}

/* Workers fail logins at once: the table stays bounded and consistent. */
static void concurrent_failures_keep_the_table_consistent(void **state)
{
	struct ban b;
	pthread_t t[4];
	struct hammer h[4];

	(void)state;
	assert_int_equal(ban_init(&b, 16384), 0);
	for (int i = 0; i < 4; i++) {
		h[i] = (struct hammer){ .b = &b, .id = i };
		assert_int_equal(pthread_create(&t[i], NULL, hammer_main,
						&h[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		/* each of a thread's 2000 addresses failed once: no bans */
		assert_int_equal(h[i].bans, 0);
	}
	assert_int_equal(b.n, 8000);
	ban_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_tenth_failure_bans_for_ban_time),
		cmocka_unit_test(failures_older_than_the_window_are_forgotten),
		cmocka_unit_test(any_run_of_failures_within_the_window_bans),
		cmocka_unit_test(a_banned_address_is_not_counted_nor_extended),
		cmocka_unit_test(zero_failures_turns_bans_off),
		cmocka_unit_test(addresses_are_judged_apart_ipv6_by_its_64),
		cmocka_unit_test(a_full_table_forgets_unbanned_addresses_first),
		cmocka_unit_test(when_every_address_is_banned_the_nearest_end_goes),
		cmocka_unit_test(a_changed_window_starts_the_count_over),
		cmocka_unit_test(concurrent_failures_keep_the_table_consistent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
