/* SPDX-License-Identifier: MIT */
/*
 * check_top_term: the pure parts of the dashboard's terminal module, the
 * number formats of the rate column and the header (no terminal needed).
 */
#include <check.h>
#include <stdlib.h>

#include "top_priv.h"

static const struct {
	double r;
	const char *want;
} rate_cases[] = {
	{ 0, "0" },
	{ 0.04, "0" },		/* below a tenth: nothing moved */
	{ -0.04, "0" },
	{ 0.5, "+0.5" },
	{ 1.4, "+1.4" },
	{ -3.6, "-3.6" },
	{ 12.4, "+12" },	/* ten and up: whole numbers */
	{ -999999, "-999999" },
	{ 2e6, "+2000k" },	/* a million and up: thousands */
};

START_TEST(test_fmt_rate)
{
	char buf[16];

	top_fmt_rate(rate_cases[_i].r, buf, sizeof(buf));
	ck_assert_str_eq(buf, rate_cases[_i].want);
}
END_TEST

START_TEST(test_fmt_interval)
{
	char buf[16];

	top_fmt_interval(0.1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "100ms");
	top_fmt_interval(0.5, buf, sizeof(buf));
	ck_assert_str_eq(buf, "500ms");
	top_fmt_interval(2, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2s");
	top_fmt_interval(300, buf, sizeof(buf));
	ck_assert_str_eq(buf, "300s");
	/* Truncated, never overflowing. */
	top_fmt_interval(300, buf, 3);
	ck_assert_str_eq(buf, "30");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("top_term");
	TCase *tc = tcase_create("formats");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(tc, test_fmt_rate, 0, sizeof(rate_cases) / sizeof(rate_cases[0]));
	tcase_add_test(tc, test_fmt_interval);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
