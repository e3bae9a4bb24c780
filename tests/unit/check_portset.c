/* SPDX-License-Identifier: MIT */
/*
 * check_portset: --port list parsing.  Good lists are checked against every
 * one of the 65536 ports (so an off-by-one at a range end shows); bad lists
 * must fail with -EINVAL and a message naming the bad item.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "portset.h"

struct range {
	unsigned lo, hi;
};

static const struct {
	const char *list;
	struct range r[3];	/* expected ports; unused ranges after the first are {0, 0} */
} good_cases[] = {
	{ "80",          { { 80, 80 } } },
	{ "80,443",      { { 80, 80 }, { 443, 443 } } },
	{ "8000-8100",   { { 8000, 8100 } } },
	{ "1",           { { 1, 1 } } },
	{ "65535",       { { 65535, 65535 } } },
	{ "1-65535",     { { 1, 65535 } } },
	{ "5-5",         { { 5, 5 } } },
	{ "80,80",       { { 80, 80 } } },
	{ "443,80-81",   { { 80, 81 }, { 443, 443 } } },
	{ "0",           { { 0, 0 } } },		/* --by remote shows port 0 */
	{ "0-2,65535",   { { 0, 2 }, { 65535, 65535 } } },
	{ "63-65,127-129,65534-65535", { { 63, 65 }, { 127, 129 }, { 65534, 65535 } } },
};

static bool in_ranges(const struct range *r, size_t n, unsigned port)
{
	for (size_t i = 0; i < n; i++)
		if ((i == 0 || r[i].hi) && port >= r[i].lo && port <= r[i].hi)
			return true;
	return false;
}

START_TEST(test_good)
{
	struct portset ps;
	char err[128] = "";
	unsigned wrong = 0, first = 0;

	/* Garbage first: the parser must reset the set, not add to it. */
	memset(&ps, 0xff, sizeof(ps));
	ck_assert_int_eq(portset_parse(&ps, good_cases[_i].list, err, sizeof(err)), 0);
	/* One assertion for the whole map: Check records every assertion
	 * that passes, which would dominate the run. */
	for (unsigned port = 0; port <= 65535; port++) {
		bool want = in_ranges(good_cases[_i].r, 3, port);

		if (portset_has(&ps, (uint16_t)port) != want && !wrong++)
			first = port;
	}
	ck_assert_msg(wrong == 0, "'%s': %u ports wrong, the first %u", good_cases[_i].list,
		      wrong, first);
}
END_TEST

static const struct {
	const char *list;
	const char *msg;	/* substring the error message must contain */
} bad_cases[] = {
	{ "65536",    "'65536'" },
	{ "99999",    "'99999'" },
	{ "123456",   "'123456'" },
	{ "1-65536",  "'1-65536'" },
	{ "-5",       "'-5'" },
	{ "8000-",    "'8000-'" },
	{ "-8000",    "'-8000'" },
	{ "-",        "'-'" },
	{ "100-50",   "'100-50'" },
	{ "a",        "'a'" },
	{ "1x",       "'1x'" },
	{ " 80",      "' 80'" },
	{ "80 ",      "'80 '" },
	{ "+80",      "'+80'" },
	{ "80-90-100", "'80-90-100'" },
	{ "80,443,x", "'x'" },
	{ "80,",      "empty item" },
	{ ",80",      "empty item" },
	{ "",         "empty item" },
	{ "80,,443",  "empty item" },
	{ ",",        "empty item" },
};

START_TEST(test_bad)
{
	struct portset ps;
	char err[128] = "";

	ck_assert_int_eq(portset_parse(&ps, bad_cases[_i].list, err, sizeof(err)), -EINVAL);
	ck_assert_msg(strstr(err, bad_cases[_i].msg) != NULL,
		      "'%s': message \"%s\" lacks \"%s\"", bad_cases[_i].list, err,
		      bad_cases[_i].msg);
}
END_TEST

START_TEST(test_bad_kinds)
{
	struct portset ps;
	char err[128];

	/* The message also says what kind of mistake it was. */
	ck_assert_int_eq(portset_parse(&ps, "100-50", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "inverted"));
	ck_assert_int_eq(portset_parse(&ps, "65536", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "0-65535"));
	ck_assert_int_eq(portset_parse(&ps, "80,,443", err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "'80,,443'"));
}
END_TEST

START_TEST(test_short_error_buffer)
{
	struct portset ps;
	char err[16];

	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(portset_parse(&ps, "this-is-not-a-port-list", err, 8), -EINVAL);
	ck_assert_uint_eq(strlen(err), 7);
	ck_assert_int_eq(err[8], 'x');
}
END_TEST

START_TEST(test_inline_helpers)
{
	struct portset ps;

	memset(&ps, 0, sizeof(ps));
	portset_add(&ps, 0);
	portset_add(&ps, 63);
	portset_add(&ps, 64);
	portset_add(&ps, 65535);
	ck_assert(portset_has(&ps, 0));
	ck_assert(portset_has(&ps, 63));
	ck_assert(portset_has(&ps, 64));
	ck_assert(portset_has(&ps, 65535));
	ck_assert(!portset_has(&ps, 1));
	ck_assert(!portset_has(&ps, 62));
	ck_assert(!portset_has(&ps, 65));
	ck_assert(!portset_has(&ps, 65534));
	ck_assert_uint_eq(ps.bits[0], (uint64_t)1 | (uint64_t)1 << 63);
	ck_assert_uint_eq(ps.bits[1], 1);
	ck_assert_uint_eq(ps.bits[1023], (uint64_t)1 << 63);
}
END_TEST

static Suite *portset_suite(void)
{
	Suite *s = suite_create("portset");
	TCase *tc = tcase_create("parse");

	tcase_add_loop_test(tc, test_good, 0, sizeof(good_cases) / sizeof(good_cases[0]));
	tcase_add_loop_test(tc, test_bad, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_bad_kinds);
	tcase_add_test(tc, test_short_error_buffer);
	tcase_add_test(tc, test_inline_helpers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(portset_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
