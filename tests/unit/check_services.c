/* SPDX-License-Identifier: MIT */
/*
 * check_services: services_name() agrees with getservbyport() over every
 * port (the table is the same database, read once), names nothing the
 * database does not, and a missing table (-n) names nothing.
 */
#include <check.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "services.h"

START_TEST(test_agrees_with_getservbyport)
{
	struct services *s = services_new();
	size_t named = 0;

	ck_assert_ptr_nonnull(s);
	for (unsigned p = 0; p <= 65535; p++) {
		struct servent *se = getservbyport(htons((uint16_t)p), "tcp");
		const char *n = services_name(s, (uint16_t)p);

		if (!se || strlen(se->s_name) >= 32) {
			ck_assert_msg(n == NULL, "port %u: '%s', libc has none", p, n);
			continue;
		}
		ck_assert_msg(n && strcmp(n, se->s_name) == 0, "port %u: '%s', libc '%s'", p,
			      n ? n : "(null)", se->s_name);
		named++;
	}
	/* Debian's netbase: ssh, https, postgresql and ~300 more.  Without
	 * a database (a minimal container) there is nothing to compare. */
	if (getservbyport(htons(22), "tcp"))
		ck_assert_uint_gt(named, 50);
	services_delete(s);
}
END_TEST

START_TEST(test_well_known)
{
	struct services *s;

	/* No table (-n): no names. */
	ck_assert_ptr_null(services_name(NULL, 443));
	services_delete(NULL);
	if (!getservbyport(htons(443), "tcp"))
		return;	/* no services database here */
	s = services_new();
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(services_name(s, 443), "https");
	ck_assert_str_eq(services_name(s, 22), "ssh");
	ck_assert_ptr_eq(services_name(s, 22), services_name(s, 22));	/* one table */
	ck_assert_ptr_null(services_name(s, 0));
	services_delete(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("services");
	TCase *tc = tcase_create("names");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_agrees_with_getservbyport);
	tcase_add_test(tc, test_well_known);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
