/* SPDX-License-Identifier: MIT */
/*
 * check_top_layout: the port table's columns at every width (what drops
 * first, what always stays, that it fits, the "+N cols" count and its
 * room, SERVICE, the sort arrow and the rate column's title) and the rows
 * shown per namespace or merged.
 */
#include "top_fixtures.h"

START_TEST(test_layout_wide)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_col c[TOP_COLS_MAX];
	size_t n;

	totals[TCP_STATE_LISTEN] = 2;
	totals[TCP_STATE_ESTABLISHED] = 1234567;
	totals[TCP_STATE_CLOSE_WAIT] = 7;
	n = top_layout(200, 0, 0, TCP_STATE_ALL_MASK, totals, 1234576, &sort, NULL, c, NULL);
	/* PORT DIR LISTEN ESTAB TIME-WAIT CLOSE-WAIT TOTAL CHG/s HISTORY:
	 * zero states drop except the four always shown. */
	ck_assert_uint_eq(n, 9);
	ck_assert_int_eq(c[0].kind, TOP_COL_PORT);
	ck_assert_int_eq(c[0].x, 0);
	ck_assert_int_eq(c[1].kind, TOP_COL_DIR);
	ck_assert_int_eq(c[1].x, 6);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_LISTEN), 2);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_ESTABLISHED), 3);
	ck_assert_int_eq(c[3].width, 7);	/* 1234567 is wider than ESTAB */
	ck_assert_int_eq(find_state(c, n, TCP_STATE_TIME_WAIT), 4);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_CLOSE_WAIT), 5);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_SYN_RECV), -1);
	ck_assert_int_eq(c[6].kind, TOP_COL_TOTAL);
	ck_assert_int_eq(c[7].kind, TOP_COL_RATE);
	ck_assert_int_eq(c[8].kind, TOP_COL_SPARK);
	ck_assert_int_eq(c[8].width, TOP_HIST_LEN);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_eq(c[i].x, c[i - 1].x + c[i - 1].width + 1);
	ck_assert_str_eq(top_col_label(&c[5]), "CLOSE-WAIT");
	ck_assert_str_eq(top_col_label(&c[7]), "TOTAL");
}
END_TEST

START_TEST(test_layout_narrow_drops_least_important)
{
	uint64_t totals[TCP_STATE_MAX + 1];
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct table_sort by_closing = { .key = TABLE_SORT_STATE, .state = TCP_STATE_CLOSING };
	struct top_col c[TOP_COLS_MAX];
	size_t n;

	for (int s = 0; s <= TCP_STATE_MAX; s++)
		totals[s] = 5;
	n = top_layout(80, 0, 0, TCP_STATE_ALL_MASK, totals, 55, &sort, NULL, c, NULL);
	ck_assert_int_le(c[n - 1].x + c[n - 1].width, 80);
	/* CLOSE goes first, CLOSE-WAIT and the rate stay. */
	ck_assert_int_eq(find_state(c, n, TCP_STATE_CLOSE), -1);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_CLOSE_WAIT), 0);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_ESTABLISHED), 0);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_SYN_RECV), 0);
	ck_assert_int_ge(find_kind(c, n, TOP_COL_RATE), 0);
	/* Whatever drops, it never drops a more important one first. */
	if (find_kind(c, n, TOP_COL_SPARK) < 0)
		ck_assert_int_eq(find_state(c, n, TCP_STATE_TIME_WAIT), -1);

	/* 40 cells: the essentials, and the sort column even if minor. */
	n = top_layout(40, 0, 0, TCP_STATE_ALL_MASK, totals, 55, &by_closing, NULL, c, NULL);
	ck_assert_int_le(c[n - 1].x + c[n - 1].width, 40);
	ck_assert_int_ge(find_kind(c, n, TOP_COL_PORT), 0);
	ck_assert_int_ge(find_kind(c, n, TOP_COL_DIR), 0);
	ck_assert_int_ge(find_kind(c, n, TOP_COL_TOTAL), 0);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_CLOSING), 0);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_CLOSE_WAIT), 0);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_LISTEN), -1);

	/* Every width from the essentials up fits, and PORT, DIR, TOTAL
	 * are always there. */
	for (int w = 20; w <= 220; w++) {
		n = top_layout(w, 0, 0, TCP_STATE_ALL_MASK, totals, 55, &sort, NULL, c, NULL);
		ck_assert_int_le(c[n - 1].x + c[n - 1].width, w);
		ck_assert_int_ge(find_kind(c, n, TOP_COL_TOTAL), 0);
		if (find_kind(c, n, TOP_COL_SPARK) >= 0)
			ck_assert_int_ge(c[n - 1].width, TOP_SPARK_MIN);
	}
}
END_TEST

START_TEST(test_layout_state_filter)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_col c[TOP_COLS_MAX];
	size_t n;

	totals[TCP_STATE_CLOSE_WAIT] = 3;
	/* -s close-wait: only that state's column. */
	n = top_layout(120, 0, 0, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT), totals, 3, &sort, NULL, c, NULL);
	ck_assert_uint_eq(n, 6);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_CLOSE_WAIT), 2);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_LISTEN), -1);
}
END_TEST

START_TEST(test_layout_netns)
{
	uint64_t totals[TCP_STATE_MAX + 1];
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_col c[TOP_COLS_MAX], plain[TOP_COLS_MAX];
	size_t n, np;

	for (int s = 0; s <= TCP_STATE_MAX; s++)
		totals[s] = 5;
	/* NETNS leftmost, the rest shifted right by its width. */
	n = top_layout(220, 12, 0, TCP_STATE_ALL_MASK, totals, 55, &sort, NULL, c, NULL);
	np = top_layout(220, 0, 0, TCP_STATE_ALL_MASK, totals, 55, &sort, NULL, plain, NULL);
	ck_assert_uint_eq(n, np + 1);
	ck_assert_int_eq(c[0].kind, TOP_COL_NETNS);
	ck_assert_int_eq(c[0].x, 0);
	ck_assert_int_eq(c[0].width, 12);
	ck_assert_str_eq(top_col_label(&c[0]), "NETNS");
	ck_assert_int_eq(c[1].kind, TOP_COL_PORT);
	ck_assert_int_eq(c[1].x, 13);
	ck_assert_int_eq(find_kind(plain, np, TOP_COL_NETNS), -1);
	for (size_t i = 1; i < n; i++)
		ck_assert_int_eq(c[i].x, c[i - 1].x + c[i - 1].width + 1);

	/* Narrow screens drop states before the namespace: every width
	 * fits and NETNS, PORT, DIR and TOTAL stay. */
	for (int w = 41; w <= 220; w++) {	/* 40 + the sort arrow */
		n = top_layout(w, TOP_NS_WIDTH_MAX, 0, TCP_STATE_ALL_MASK, totals, 55, &sort, NULL, c, NULL);
		ck_assert_int_le(c[n - 1].x + c[n - 1].width, w);
		ck_assert_int_eq(find_kind(c, n, TOP_COL_NETNS), 0);
		ck_assert_int_ge(find_kind(c, n, TOP_COL_PORT), 0);
		ck_assert_int_ge(find_kind(c, n, TOP_COL_DIR), 0);
		ck_assert_int_ge(find_kind(c, n, TOP_COL_TOTAL), 0);
	}
}
END_TEST

/* Narrow screens drop whole columns, count them, and the sparkline leaves
 * room for the mark; every row's cells add up unless *hidden says not. */
START_TEST(test_layout_hidden_count)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct table_sort cw = { .key = TABLE_SORT_STATE, .state = TCP_STATE_CLOSE_WAIT };
	struct top_col c[TOP_COLS_MAX];
	size_t n, hidden, full;

	totals[TCP_STATE_ESTABLISHED] = 80;
	totals[TCP_STATE_CLOSE_WAIT] = 7;
	totals[TCP_STATE_FIN_WAIT2] = 7;
	totals[TCP_STATE_LISTEN] = 2;
	full = top_layout(200, 0, 0, TCP_STATE_ALL_MASK, totals, 96, &sort, &cw, c, &hidden);
	ck_assert_uint_eq(hidden, 0);
	for (int w = 30; w <= 200; w++) {
		n = top_layout(w, 0, 0, TCP_STATE_ALL_MASK, totals, 96, &sort, &cw, c, &hidden);
		ck_assert_uint_eq(n + hidden, full);
		ck_assert_int_le(c[n - 1].x + c[n - 1].width, w);
		if (hidden && c[n - 1].kind == TOP_COL_SPARK)
			ck_assert_int_le(c[n - 1].x + c[n - 1].width, w - TOP_HIDDEN_MARK);
	}
	/* 60 cells: LISTEN and FIN-WAIT-2 go (in that order), not CLOSE-WAIT. */
	n = top_layout(60, 0, 0, TCP_STATE_ALL_MASK, totals, 96, &sort, &cw, c, &hidden);
	ck_assert_uint_ge(hidden, 2);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_LISTEN), -1);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_FIN_WAIT2), -1);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_CLOSE_WAIT), 0);
}
END_TEST

/* SERVICE: after DIR when asked for, among the first to go. */
START_TEST(test_layout_service)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_col c[TOP_COLS_MAX];
	size_t n, hidden;

	totals[TCP_STATE_ESTABLISHED] = 80;
	totals[TCP_STATE_CLOSE_WAIT] = 7;
	n = top_layout(120, 0, 10, TCP_STATE_ALL_MASK, totals, 87, &sort, NULL, c, &hidden);
	ck_assert_int_eq(c[2].kind, TOP_COL_SERVICE);
	ck_assert_int_eq(c[2].width, 10);
	ck_assert_int_eq(c[2].x, 10);
	ck_assert_str_eq(top_col_label(&c[2]), "SERVICE");
	ck_assert_uint_eq(hidden, 0);
	/* Narrow: it goes before LISTEN, ESTAB and CLOSE-WAIT. */
	n = top_layout(60, 0, 10, TCP_STATE_ALL_MASK, totals, 87, &sort, NULL, c, &hidden);
	ck_assert_int_eq(find_kind(c, n, TOP_COL_SERVICE), -1);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_ESTABLISHED), 0);
	ck_assert_int_ge(find_state(c, n, TCP_STATE_CLOSE_WAIT), 0);
	/* Not asked for (-n, or no row has a name): no column. */
	n = top_layout(200, 0, 0, TCP_STATE_ALL_MASK, totals, 87, &sort, NULL, c, NULL);
	ck_assert_int_eq(find_kind(c, n, TOP_COL_SERVICE), -1);
}
END_TEST

/* The header: the sort column's title carries the arrow, the rate column
 * names its state; widths count cells, not bytes. */
START_TEST(test_col_titles)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort by_cw = { .key = TABLE_SORT_STATE, .state = TCP_STATE_CLOSE_WAIT };
	struct table_sort total = { .key = TABLE_SORT_TOTAL };
	struct table_sort port = { .key = TABLE_SORT_PORT };
	struct top_col c[TOP_COLS_MAX];
	char buf[64];
	size_t n;
	int i;

	totals[TCP_STATE_CLOSE_WAIT] = 7;
	n = top_layout(120, 0, 0, TCP_STATE_ALL_MASK, totals, 7, &by_cw, &by_cw, c, NULL);
	i = find_state(c, n, TCP_STATE_CLOSE_WAIT);
	ck_assert_int_eq(c[i].width, 11);	/* CLOSE-WAIT and its arrow */
	ck_assert_int_eq(top_col_title(&c[i], &by_cw, false, true, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "CLOSE-WAIT\u25bc");
	ck_assert_int_eq(top_col_title(&c[i], &by_cw, true, false, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "CLOSE-WAIT^");
	ck_assert(top_col_sorts(&c[i], &by_cw));
	ck_assert(!top_col_sorts(&c[i], &total));
	ck_assert_int_eq(top_col_title(&c[i], &total, false, true, buf, sizeof(buf)), 10);
	ck_assert_str_eq(buf, "CLOSE-WAIT");
	/* PORT: smallest first unless reversed. */
	ck_assert_int_eq(top_col_title(&c[0], &port, false, false, buf, sizeof(buf)), 5);
	ck_assert_str_eq(buf, "PORT^");
	/* The rate column: the state it measures, as wide as its title. */
	i = find_kind(c, n, TOP_COL_RATE);
	ck_assert_int_eq(c[i].state, TCP_STATE_CLOSE_WAIT);
	ck_assert_int_eq(top_col_title(&c[i], &by_cw, false, true, buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "\u0394CLOSE-WAIT/s");
	ck_assert_int_eq(c[i].width, 13);
	ck_assert_int_eq(top_col_title(&c[i], &by_cw, false, false, buf, sizeof(buf)), 13);
	ck_assert_str_eq(buf, "dCLOSE-WAIT/s");
	n = top_layout(120, 0, 0, TCP_STATE_ALL_MASK, totals, 7, &by_cw, NULL, c, NULL);
	i = find_kind(c, n, TOP_COL_RATE);
	top_col_title(&c[i], &by_cw, false, false, buf, sizeof(buf));
	ck_assert_str_eq(buf, "dTOTAL/s");
}
END_TEST

START_TEST(test_rows_split_merged)
{
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct two_ns x;
	struct top_ui ui;
	struct top_row rows[16];
	const char *b = "pid:4242/containerd-shim-runc-v2";
	char want[256];
	size_t n;

	two_ns_init(&x);
	two_ns_fill(&x, 4, 4);
	ck_assert_uint_ge(sizeof(rows) / sizeof(rows[0]), top_rows_max(x.ns, 3));

	/* Without --all-netns: entry 0 only, no labels, no column. */
	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, false);
	ck_assert(!top_ui_split(&ui));
	n = top_rows(&ui, x.ns, 1, rows);
	ck_assert_str_eq(rows_str(rows, n), "- 80 in 10|- 5432 out 2");
	ck_assert_int_eq(top_ns_width(&ui, x.ns, 1), 0);

	/* --all-netns: a row per namespace; equal totals go by namespace
	 * order; the column is as wide as the longest label, capped. */
	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, true);
	ck_assert(top_ui_split(&ui));
	n = top_rows(&ui, x.ns, 3, rows);
	snprintf(want, sizeof(want), "a 80 in 5|%s 80 in 5|%s 5432 out 2", b, b);
	ck_assert_str_eq(rows_str(rows, n), want);
	ck_assert_uint_eq(rows[0].ns, 11);
	ck_assert_uint_eq(rows[1].ns, 22);
	ck_assert_int_eq(top_ns_width(&ui, x.ns, 3), TOP_NS_WIDTH_MAX);
	x.ns[2].label = "b";
	ck_assert_int_eq(top_ns_width(&ui, x.ns, 3), 5);	/* "NETNS" */
	x.ns[2].label = b;

	/* Filters and order act per row. */
	two_ns_fill(&x, 4, 9);
	top_ui_key(&ui, 'r');
	n = top_rows(&ui, x.ns, 3, rows);
	snprintf(want, sizeof(want), "%s 5432 out 2|a 80 in 5|%s 80 in 10", b, b);
	ck_assert_str_eq(rows_str(rows, n), want);
	top_ui_key(&ui, 'r');
	top_ui_key(&ui, 'd');
	n = top_rows(&ui, x.ns, 3, rows);
	snprintf(want, sizeof(want), "%s 80 in 10|a 80 in 5", b);
	ck_assert_str_eq(rows_str(rows, n), want);
	top_ui_key(&ui, 'd');
	top_ui_key(&ui, 'd');

	/* 'n' merges: counts summed per port and direction, no column. */
	ck_assert_uint_eq(top_ui_key(&ui, 'n'), 0);
	ck_assert(ui.ns_merged);
	ck_assert(!top_ui_split(&ui));
	n = top_rows(&ui, x.ns, 3, rows);
	ck_assert_str_eq(rows_str(rows, n), "- 80 in 15|- 5432 out 2");
	ck_assert_uint_eq(rows[0].ns, 0);
	ck_assert_uint_eq(rows[0].r->n[TCP_STATE_ESTABLISHED], 13);
	ck_assert_uint_eq(rows[0].r->n[TCP_STATE_LISTEN], 2);
	ck_assert_int_eq(top_ns_width(&ui, x.ns, 3), 0);
	top_ui_key(&ui, 'n');
	ck_assert(top_ui_split(&ui));

	/* No namespace could be read: the (empty) whole, no column. */
	table_clear(x.sum);
	n = top_rows(&ui, x.ns, 1, rows);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(top_ns_width(&ui, x.ns, 1), 0);
	two_ns_done(&x);
}
END_TEST

static Suite *top_layout_suite(void)
{
	Suite *s = suite_create("top_layout");
	TCase *tc;

	tc = tcase_create("layout");
	tcase_add_test(tc, test_layout_wide);
	tcase_add_test(tc, test_layout_narrow_drops_least_important);
	tcase_add_test(tc, test_layout_state_filter);
	tcase_add_test(tc, test_layout_netns);
	tcase_add_test(tc, test_layout_hidden_count);
	tcase_add_test(tc, test_layout_service);
	tcase_add_test(tc, test_col_titles);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows");
	tcase_add_test(tc, test_rows_split_merged);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(top_layout_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
