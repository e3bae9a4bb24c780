/* SPDX-License-Identifier: MIT */
/*
 * check_top_hist: the dashboard's history across samples (rates,
 * mark-and-sweep of vanished rows, the sparkline series and its ring, per
 * namespace with --all-netns) and sparkline scaling in UTF-8 and ASCII.
 */
#include "top_fixtures.h"

START_TEST(test_hist_rates_and_sweep)
{
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct top_hist *h = top_hist_new();
	struct table_sort total = { .key = TABLE_SORT_TOTAL };
	struct table_sort est = { .key = TABLE_SORT_STATE, .state = TCP_STATE_ESTABLISHED };
	const struct top_hist_row *r;
	double rate;

	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(h);
	fill(t, 4, 0, 2);
	ck_assert_int_eq(upd(h, t, 0), 0);
	r = top_hist_find(h, 0, 80, IN);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->total, 5);
	/* One sample: no rate yet. */
	ck_assert(!top_hist_rate(h, r, &total, &rate));
	ck_assert(!top_hist_state_rate(h, TCP_STATE_ESTABLISHED, &rate));

	/* Second sample 2 s later: 80 grows by 6, 5432 is gone, 6379 new. */
	table_clear(t);
	add(t, 1, TCP_STATE_LISTEN, 80, 0);
	add(t, 10, TCP_STATE_ESTABLISHED, 80, 40000);
	add(t, 3, TCP_STATE_ESTABLISHED, 50001, 6379);
	ck_assert_int_eq(upd(h, t, 2.0), 0);
	ck_assert_uint_eq(top_hist_samples(h), 2);

	r = top_hist_find(h, 0, 80, IN);
	ck_assert(top_hist_rate(h, r, &total, &rate));
	ck_assert_double_eq_tol(rate, 3.0, 1e-9);
	ck_assert(top_hist_rate(h, r, &est, &rate));
	ck_assert_double_eq_tol(rate, 3.0, 1e-9);
	ck_assert_ptr_null(top_hist_find(h, 0, 5432, OUT));
	/* A new row grew from nothing. */
	r = top_hist_find(h, 0, 6379, OUT);
	ck_assert_ptr_nonnull(r);
	ck_assert(top_hist_rate(h, r, &total, &rate));
	ck_assert_double_eq_tol(rate, 1.5, 1e-9);
	/* Namespace-wide ESTAB: 6 -> 13 in 2 s. */
	ck_assert(top_hist_state_rate(h, TCP_STATE_ESTABLISHED, &rate));
	ck_assert_double_eq_tol(rate, 3.5, 1e-9);

	/* A row that comes back after being swept starts a new history. */
	fill(t, 10, 0, 1);
	ck_assert_int_eq(upd(h, t, 1.0), 0);
	ck_assert_uint_eq(top_hist_find(h, 0, 5432, OUT)->len, 1);
	ck_assert_uint_eq(top_hist_find(h, 0, 80, IN)->len, 3);
	ck_assert_ptr_null(top_hist_find(h, 0, 6379, OUT));

	top_hist_delete(h);
	table_delete(t);
}
END_TEST

START_TEST(test_hist_series)
{
	struct table_filter f = filter_all();
	struct table *t = table_new(&f);
	struct top_hist *h = top_hist_new();
	static const unsigned cw[] = { 0, 2, 5 };
	uint32_t v[TOP_HIST_LEN];
	bool is_cw;
	size_t n;

	for (size_t i = 0; i < 3; i++) {
		fill(t, 4, cw[i], 2);
		ck_assert_int_eq(upd(h, t, 1.0), 0);
	}
	/* Close-wait now: its series, oldest first. */
	n = top_hist_series(top_hist_find(h, 0, 80, IN), v, &is_cw);
	ck_assert_uint_eq(n, 3);
	ck_assert(is_cw);
	ck_assert_uint_eq(v[0], 0);
	ck_assert_uint_eq(v[1], 2);
	ck_assert_uint_eq(v[2], 5);
	/* No close-wait: the total. */
	n = top_hist_series(top_hist_find(h, 0, 5432, OUT), v, &is_cw);
	ck_assert(!is_cw);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(v[2], 2);

	/* The ring keeps the last TOP_HIST_LEN samples. */
	for (unsigned i = 0; i < TOP_HIST_LEN + 10; i++) {
		fill(t, 4, 0, i + 1);
		ck_assert_int_eq(upd(h, t, 1.0), 0);
	}
	n = top_hist_series(top_hist_find(h, 0, 5432, OUT), v, &is_cw);
	ck_assert_uint_eq(n, TOP_HIST_LEN);
	ck_assert_uint_eq(v[0], 11);
	ck_assert_uint_eq(v[TOP_HIST_LEN - 1], TOP_HIST_LEN + 10);

	top_hist_delete(h);
	table_delete(t);
}
END_TEST

START_TEST(test_hist_netns)
{
	struct two_ns x;
	struct top_hist *h = top_hist_new();
	struct table_sort total = { .key = TABLE_SORT_TOTAL };
	double rate;

	two_ns_init(&x);
	two_ns_fill(&x, 4, 1);
	ck_assert_int_eq(top_hist_update(h, x.ns, 3, 0), 0);
	/* The same port keeps one history per namespace, and one merged. */
	ck_assert_uint_eq(top_hist_find(h, 11, 80, IN)->total, 5);
	ck_assert_uint_eq(top_hist_find(h, 22, 80, IN)->total, 2);
	ck_assert_uint_eq(top_hist_find(h, 0, 80, IN)->total, 7);
	ck_assert_ptr_null(top_hist_find(h, 11, 5432, OUT));
	ck_assert_uint_eq(top_hist_find(h, 22, 5432, OUT)->total, 2);

	/* Rates per row: a grows by 4 in 2 s, b stays. */
	two_ns_fill(&x, 8, 1);
	ck_assert_int_eq(top_hist_update(h, x.ns, 3, 2.0), 0);
	ck_assert(top_hist_rate(h, top_hist_find(h, 11, 80, IN), &total, &rate));
	ck_assert_double_eq_tol(rate, 2.0, 1e-9);
	ck_assert(top_hist_rate(h, top_hist_find(h, 22, 80, IN), &total, &rate));
	ck_assert_double_eq_tol(rate, 0.0, 1e-9);
	ck_assert(top_hist_rate(h, top_hist_find(h, 0, 80, IN), &total, &rate));
	ck_assert_double_eq_tol(rate, 2.0, 1e-9);
	/* The header's state rates are entry 0's: ESTAB 7 -> 11. */
	ck_assert(top_hist_state_rate(h, TCP_STATE_ESTABLISHED, &rate));
	ck_assert_double_eq_tol(rate, 2.0, 1e-9);
	ck_assert_uint_eq(top_hist_find(h, 22, 80, IN)->len, 2);

	/* Namespace b vanishes: its rows go, with their history. */
	ck_assert_int_eq(top_hist_update(h, x.ns, 2, 1.0), 0);
	ck_assert_ptr_null(top_hist_find(h, 22, 80, IN));
	ck_assert_ptr_null(top_hist_find(h, 22, 5432, OUT));
	ck_assert_uint_eq(top_hist_find(h, 11, 80, IN)->len, 3);

	top_hist_delete(h);
	two_ns_done(&x);
}
END_TEST

START_TEST(test_spark_level)
{
	ck_assert_int_eq(top_spark_level(0, 10), 0);
	ck_assert_int_eq(top_spark_level(10, 10), 8);
	ck_assert_int_eq(top_spark_level(5, 10), 4);
	/* The smallest non-zero value still shows. */
	ck_assert_int_eq(top_spark_level(1, 1000), 1);
	ck_assert_int_eq(top_spark_level(999, 1000), 8);
	ck_assert_int_eq(top_spark_level(7, 0), 0);
	ck_assert_int_eq(top_spark_level(UINT32_MAX, UINT32_MAX), 8);
	ck_assert_int_eq(top_spark_level(UINT32_MAX / 2, UINT32_MAX), 4);
}
END_TEST

START_TEST(test_spark_render)
{
	static const uint32_t v[] = { 0, 5, 10 };
	static const uint32_t w[] = { 100, 1, 2 };
	char out[3 * 8 + 1];

	/* Right-aligned, blank while the history is short. */
	ck_assert_int_eq(top_spark_render(v, 3, 5, false, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "   -#");
	ck_assert_int_eq(top_spark_render(v, 3, 3, true, out, sizeof(out)), 3);
	ck_assert_str_eq(out, " \u2584\u2588");
	/* Only the last @width values count, for the scale too. */
	ck_assert_int_eq(top_spark_render(w, 3, 2, true, out, sizeof(out)), 2);
	ck_assert_str_eq(out, "\u2584\u2588");
	/* A flat non-zero series is full height, an empty one blank. */
	ck_assert_int_eq(top_spark_render(w + 1, 1, 1, false, out, sizeof(out)), 1);
	ck_assert_str_eq(out, "#");
	ck_assert_int_eq(top_spark_render(v, 0, 4, false, out, sizeof(out)), 4);
	ck_assert_str_eq(out, "    ");
	/* Too small a buffer writes nothing. */
	ck_assert_int_eq(top_spark_render(v, 3, 8, true, out, 10), 0);
	ck_assert_str_eq(out, "");
}
END_TEST

static Suite *top_hist_suite(void)
{
	Suite *s = suite_create("top_hist");
	TCase *tc;

	tc = tcase_create("history");
	tcase_add_test(tc, test_hist_rates_and_sweep);
	tcase_add_test(tc, test_hist_series);
	tcase_add_test(tc, test_hist_netns);
	suite_add_tcase(s, tc);
	tc = tcase_create("sparkline");
	tcase_add_test(tc, test_spark_level);
	tcase_add_test(tc, test_spark_render);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(top_hist_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
