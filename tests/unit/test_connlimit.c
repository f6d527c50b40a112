/*
 * Connection limits: a total cap and a per-address cap, shared by all
 * workers; leaving frees the slot so the table never clogs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "tutil.h"
#include "core/connlimit.h"

static void an_address_over_its_limit_is_refused_others_are_not(void **state)
{
	struct limits l;
	struct sockaddr_storage a = ss_v4("10.0.0.1"), b = ss_v4("10.0.0.2");

	(void)state;
	assert_int_equal(limits_init(&l, 100), 0);
	assert_int_equal(limits_enter(&l, &a, 100, 2), LIMITS_OK);
	assert_int_equal(limits_enter(&l, &a, 100, 2), LIMITS_OK);
	assert_int_equal(limits_enter(&l, &a, 100, 2), LIMITS_PER_IP);
	assert_int_equal(limits_enter(&l, &b, 100, 2), LIMITS_OK);
	limits_leave(&l, &a);
	assert_int_equal(limits_enter(&l, &a, 100, 2), LIMITS_OK);
	limits_fini(&l);
}

static void the_total_cap_applies_across_addresses(void **state)
{
	struct limits l;
	char text[32];

	(void)state;
	assert_int_equal(limits_init(&l, 10), 0);
	for (int i = 0; i < 10; i++) {
		struct sockaddr_storage a;

		snprintf(text, sizeof(text), "192.0.2.%d", i + 1);
		a = ss_v4(text);
		assert_int_equal(limits_enter(&l, &a, 10, 50), LIMITS_OK);
	}
	{
		struct sockaddr_storage a = ss_v4("192.0.2.200");

		assert_int_equal(limits_enter(&l, &a, 10, 50), LIMITS_FULL);
	}
	limits_fini(&l);
}

static void ipv4_and_its_mapped_ipv6_form_count_as_one_address(void **state)
{
	struct limits l;
	struct sockaddr_storage a = ss_v4("127.0.0.1"), m = ss_v6("::ffff:127.0.0.1");

	(void)state;
	assert_int_equal(limits_init(&l, 100), 0);
	assert_int_equal(limits_enter(&l, &a, 100, 1), LIMITS_OK);
	assert_int_equal(limits_enter(&l, &m, 100, 1), LIMITS_PER_IP);
	limits_leave(&l, &m);
	assert_int_equal(limits_enter(&l, &a, 100, 1), LIMITS_OK);
	limits_fini(&l);
}

/* Many addresses entering and leaving in mixed order: every count stays
 * exact, so the deletion that shifts probe runs loses nobody. */
static void churn_of_many_addresses_keeps_every_count_exact(void **state)
{
	struct limits l;
	char text[64];

	(void)state;
	assert_int_equal(limits_init(&l, 2000), 0);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 1000; i++) {
			struct sockaddr_storage a;

			snprintf(text, sizeof(text), "2001:db8::%x", i);
			a = ss_v6(text);
			assert_int_equal(limits_enter(&l, &a, 2000, 1), LIMITS_OK);
		}
		for (int i = 0; i < 1000; i += 2) {
			struct sockaddr_storage a;

			snprintf(text, sizeof(text), "2001:db8::%x", i);
			a = ss_v6(text);
			limits_leave(&l, &a);
		}
		for (int i = 1; i < 1000; i += 2) {
			struct sockaddr_storage a;

			snprintf(text, sizeof(text), "2001:db8::%x", i);
			a = ss_v6(text);
			/* still inside: a second one is over its limit of 1 */
			assert_int_equal(limits_enter(&l, &a, 2000, 1), LIMITS_PER_IP);
			limits_leave(&l, &a);
		}
		assert_int_equal(l.total, 0);
	}
	limits_fini(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(an_address_over_its_limit_is_refused_others_are_not),
		cmocka_unit_test(the_total_cap_applies_across_addresses),
		cmocka_unit_test(ipv4_and_its_mapped_ipv6_form_count_as_one_address),
		cmocka_unit_test(churn_of_many_addresses_keeps_every_count_exact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
