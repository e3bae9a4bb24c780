/* SPDX-License-Identifier: MIT */
/*
 * check_top_model: key and mouse handling on the model: movement,
 * selection following a re-sort, sort cycling through the columns shown,
 * the rate column's state, clicks, the '/' prompt, direction, pause,
 * interval, help, detail and the doctor's findings, and with --all-netns the selection across
 * rows merged and split.
 */
#include "top_fixtures.h"

START_TEST(test_keys_move)
{
	struct top_ui ui = ui_new();
	struct table_row store[10];

	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 0);
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_DOWN), 0);
	top_ui_key(&ui, 'j');
	top_ui_key(&ui, TOP_KEY_DOWN);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 3);
	ck_assert_uint_eq(ui.sel_port, 4);
	ck_assert_uint_eq(ui.scroll, 0);
	top_ui_key(&ui, TOP_KEY_PGDN);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 7);
	ck_assert_uint_eq(ui.scroll, 4);	/* selection kept on screen */
	top_ui_key(&ui, TOP_KEY_END);
	top_ui_key(&ui, TOP_KEY_DOWN);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 9);
	ck_assert_uint_eq(ui.scroll, 6);
	top_ui_key(&ui, 'k');
	top_ui_key(&ui, TOP_KEY_PGUP);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 4);
	top_ui_key(&ui, TOP_KEY_HOME);
	top_ui_key(&ui, TOP_KEY_UP);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 0);
	ck_assert_uint_eq(ui.scroll, 0);
}
END_TEST

START_TEST(test_keys_selection_follows_row)
{
	struct top_ui ui = ui_new();
	struct table_row store[10];
	struct top_row rows[10];

	follow10(&ui, store, 4);
	top_ui_key(&ui, TOP_KEY_DOWN);
	top_ui_key(&ui, TOP_KEY_DOWN);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel_port, 3);
	/* The next sample sorts the rows the other way round. */
	for (int i = 0; i < 10; i++)
		rows[i] = (struct top_row){ .r = &store[9 - i] };
	top_ui_follow(&ui, rows, 10, 4);
	ck_assert_uint_eq(ui.sel, 7);
	ck_assert_uint_eq(ui.sel_port, 3);
	/* The row vanished: the index stays, clamped. */
	top_ui_follow(&ui, rows, 5, 4);
	ck_assert_uint_eq(ui.sel, 4);
	ck_assert_uint_eq(ui.sel_port, 6);
	top_ui_follow(&ui, rows, 0, 4);
	ck_assert(!ui.has_sel);
	/* Enter with no rows opens nothing. */
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_ENTER), 0);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
}
END_TEST

START_TEST(test_keys_sort)
{
	struct top_ui ui = ui_new();
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };

	/* Before any layout: port, the filter's states, total, left to
	 * right; > moves right and wraps, < moves left. */
	top_ui_key(&ui, 's');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_PORT);
	top_ui_key(&ui, '>');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_STATE);
	ck_assert_int_eq(ui.sort.state, TCP_STATE_LISTEN);
	ck_assert_str_eq(top_ui_sort_label(&ui), "listen");
	top_ui_key(&ui, '>');
	ck_assert_int_eq(ui.sort.state, TCP_STATE_ESTABLISHED);
	top_ui_key(&ui, '<');
	top_ui_key(&ui, '<');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_PORT);
	top_ui_key(&ui, '<');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_TOTAL);
	/* All the way round: port, eleven states, total. */
	for (int i = 0; i < 13; i++)
		top_ui_key(&ui, 's');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_TOTAL);
	top_ui_key(&ui, 'r');
	ck_assert(ui.reverse);
	top_ui_key(&ui, 'r');
	ck_assert(!ui.reverse);

	/* With -s close-wait only that state is a sort column. */
	top_ui_init(&ui, &sort, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT), 2.0, false);
	top_ui_key(&ui, 's');
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_PORT);
	top_ui_key(&ui, 's');
	ck_assert_int_eq(ui.sort.state, TCP_STATE_CLOSE_WAIT);
}
END_TEST

/* s, < and > move through the columns on screen only: never to a state
 * without a column (syn_sent with no such sockets) or one dropped for
 * width. */
START_TEST(test_keys_sort_visible_columns)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_col c[TOP_COLS_MAX];
	struct top_ui ui;
	size_t n, hidden;
	enum table_sort_key seen_keys[32];
	int seen = 0;

	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, false);
	totals[TCP_STATE_ESTABLISHED] = 80;
	totals[TCP_STATE_CLOSE_WAIT] = 7;
	totals[TCP_STATE_FIN_WAIT2] = 7;
	totals[TCP_STATE_LISTEN] = 2;
	n = top_layout(120, 0, 0, TCP_STATE_ALL_MASK, totals, 96, &ui.sort, &ui.rate, c, &hidden);
	ck_assert_uint_eq(hidden, 0);
	top_ui_columns(&ui, c, n);
	/* PORT LISTEN ESTAB FIN-WAIT-2 TIME-WAIT CLOSE-WAIT TOTAL: 7 stops. */
	for (int i = 0; i < 7; i++) {
		top_ui_key(&ui, 's');
		ck_assert(ui.sort.key != TABLE_SORT_STATE ||
			  (ui.sort.state != TCP_STATE_SYN_SENT && ui.sort.state != TCP_STATE_CLOSING));
		seen_keys[seen++] = ui.sort.key;
	}
	ck_assert_int_eq(seen_keys[0], TABLE_SORT_PORT);
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_TOTAL);	/* round again */

	/* At 40 cells FIN-WAIT-2 and LISTEN are gone: they are no stop. */
	n = top_layout(40, 0, 0, TCP_STATE_ALL_MASK, totals, 96, &ui.sort, &ui.rate, c, &hidden);
	ck_assert_uint_gt(hidden, 0);
	ck_assert_int_eq(find_state(c, n, TCP_STATE_FIN_WAIT2), -1);
	top_ui_columns(&ui, c, n);
	for (size_t i = 0; i < 2 * n; i++) {
		top_ui_key(&ui, '<');
		ck_assert(ui.sort.key != TABLE_SORT_STATE ||
			  find_state(c, n, ui.sort.state) >= 0);
	}
}
END_TEST

/* The rate column's state: the filter's only state, else close_wait when
 * the filter has it, else the total; c steps through the shown states. */
START_TEST(test_keys_rate)
{
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_ui ui;

	top_ui_init(&ui, &sort, TCP_STATE_BIT(TCP_STATE_SYN_RECV), 2.0, false);
	ck_assert_int_eq(ui.rate.key, TABLE_SORT_STATE);
	ck_assert_int_eq(ui.rate.state, TCP_STATE_SYN_RECV);
	top_ui_init(&ui, &sort, TCP_STATE_BIT(TCP_STATE_CLOSE_WAIT), 2.0, false);
	ck_assert_int_eq(ui.rate.state, TCP_STATE_CLOSE_WAIT);
	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, false);
	ck_assert_int_eq(ui.rate.key, TABLE_SORT_STATE);
	ck_assert_int_eq(ui.rate.state, TCP_STATE_CLOSE_WAIT);
	top_ui_init(&ui, &sort, TCP_STATE_BIT(TCP_STATE_LISTEN) |
		    TCP_STATE_BIT(TCP_STATE_ESTABLISHED), 2.0, false);
	ck_assert_int_eq(ui.rate.key, TABLE_SORT_TOTAL);
	/* c: listen, established, total, listen; the sort stays. */
	top_ui_key(&ui, 'c');
	ck_assert_int_eq(ui.rate.state, TCP_STATE_LISTEN);
	top_ui_key(&ui, 'c');
	ck_assert_int_eq(ui.rate.state, TCP_STATE_ESTABLISHED);
	top_ui_key(&ui, 'c');
	ck_assert_int_eq(ui.rate.key, TABLE_SORT_TOTAL);
	top_ui_key(&ui, 'c');
	ck_assert_int_eq(ui.rate.key, TABLE_SORT_STATE);
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_TOTAL);
}
END_TEST

/* Clicks: the header sorts (again: reverses), a row selects, a double
 * click asks to open; nothing happens beyond the rows or while typing. */
START_TEST(test_click)
{
	uint64_t totals[TCP_STATE_MAX + 1] = { 0 };
	struct table_row store[10];
	struct top_col c[TOP_COLS_MAX];
	struct top_ui ui = ui_new();
	size_t n;
	int i;

	totals[TCP_STATE_CLOSE_WAIT] = 7;
	n = top_layout(120, 0, 0, TCP_STATE_ALL_MASK, totals, 7, &ui.sort, &ui.rate, c, NULL);
	i = find_state(c, n, TCP_STATE_CLOSE_WAIT);
	ck_assert_uint_eq(top_ui_click(&ui, c, n, -1, c[i].x + 2, false), 0);
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_STATE);
	ck_assert_int_eq(ui.sort.state, TCP_STATE_CLOSE_WAIT);
	ck_assert(!ui.reverse);
	top_ui_click(&ui, c, n, -1, c[i].x, false);
	ck_assert(ui.reverse);
	/* Another column: sorted by it, largest first again. */
	top_ui_click(&ui, c, n, -1, c[0].x, false);
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_PORT);
	ck_assert(!ui.reverse);
	/* DIR, the rate and the gap between columns do not sort. */
	top_ui_click(&ui, c, n, -1, c[1].x, false);
	top_ui_click(&ui, c, n, -1, c[find_kind(c, n, TOP_COL_RATE)].x, false);
	top_ui_click(&ui, c, n, -1, c[0].x + c[0].width, false);
	ck_assert_int_eq(ui.sort.key, TABLE_SORT_PORT);

	/* Rows: ten, four on screen, scrolled by two. */
	follow10(&ui, store, 4);
	ui.scroll = 2;
	ck_assert_uint_eq(top_ui_click(&ui, c, n, 1, 3, false), 0);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(ui.sel, 3);
	ck_assert_uint_eq(ui.sel_port, 4);
	ck_assert_uint_eq(top_ui_click(&ui, c, n, 3, 3, true), TOP_ACT_OPEN);
	ck_assert_uint_eq(ui.sel, 5);
	/* Below the page: nothing. */
	ck_assert_uint_eq(top_ui_click(&ui, c, n, 4, 3, true), 0);
	ck_assert_uint_eq(ui.sel, 5);
	/* Not while the prompt is open. */
	top_ui_key(&ui, '/');
	ck_assert_uint_eq(top_ui_click(&ui, c, n, 0, 3, true), 0);
	ck_assert_uint_eq(ui.sel, 5);
}
END_TEST

START_TEST(test_keys_filter)
{
	struct top_ui ui = ui_new();

	top_ui_key(&ui, '/');
	ck_assert(ui.editing);
	/* While typing, 'q' is text, not quit. */
	type(&ui, "80,443q");
	top_ui_key(&ui, TOP_KEY_BACKSPACE);
	ck_assert_str_eq(ui.edit, "80,443");
	top_ui_key(&ui, TOP_KEY_ENTER);
	ck_assert(!ui.editing);
	ck_assert(ui.has_ports);
	ck_assert_str_eq(ui.filter, "80,443");
	ck_assert(top_ui_shows(&ui, 80, IN));
	ck_assert(top_ui_shows(&ui, 443, OUT));
	ck_assert(!top_ui_shows(&ui, 22, IN));

	/* The prompt opens empty (the filter in force is its hint). */
	top_ui_key(&ui, '/');
	ck_assert_str_eq(ui.edit, "");
	/* A bad list keeps the prompt and the old filter, and says why. */
	type(&ui, "80,99999");
	top_ui_key(&ui, TOP_KEY_ENTER);
	ck_assert(ui.editing);
	ck_assert(strstr(ui.msg, "99999") != NULL);
	ck_assert(!top_ui_shows(&ui, 22, IN));
	/* Esc cancels. */
	top_ui_key(&ui, TOP_KEY_ESC);
	ck_assert(!ui.editing);
	ck_assert_str_eq(ui.filter, "80,443");

	/* Esc after typing keeps the filter too. */
	top_ui_key(&ui, '/');
	type(&ui, "22");
	top_ui_key(&ui, TOP_KEY_ESC);
	ck_assert_str_eq(ui.filter, "80,443");
	/* A range; then / Enter (an empty prompt) clears. */
	top_ui_key(&ui, '/');
	type(&ui, "8000-8100");
	top_ui_key(&ui, TOP_KEY_ENTER);
	ck_assert(top_ui_shows(&ui, 8050, IN));
	ck_assert(!top_ui_shows(&ui, 80, IN));
	top_ui_key(&ui, '/');
	top_ui_key(&ui, TOP_KEY_ENTER);
	ck_assert(!ui.has_ports);
	ck_assert(top_ui_shows(&ui, 22, IN));
	/* F10 quits even from the prompt. */
	top_ui_key(&ui, '/');
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_F10), TOP_ACT_QUIT);
}
END_TEST

START_TEST(test_keys_direction_pause_interval)
{
	struct top_ui ui = ui_new();

	top_ui_key(&ui, 'd');
	ck_assert_int_eq(ui.dir, TOP_DIR_IN);
	ck_assert(top_ui_shows(&ui, 80, IN));
	ck_assert(!top_ui_shows(&ui, 80, OUT));
	top_ui_key(&ui, 'd');
	ck_assert_int_eq(ui.dir, TOP_DIR_OUT);
	ck_assert(!top_ui_shows(&ui, 80, IN));
	top_ui_key(&ui, 'd');
	ck_assert_int_eq(ui.dir, TOP_DIR_BOTH);

	ck_assert_uint_eq(top_ui_key(&ui, 'p'), TOP_ACT_PAUSE);
	ck_assert(ui.paused);
	ck_assert_uint_eq(top_ui_key(&ui, ' '), TOP_ACT_PAUSE);
	ck_assert(!ui.paused);

	ck_assert_uint_eq(top_ui_key(&ui, '+'), TOP_ACT_INTERVAL);
	ck_assert_double_eq(ui.interval, 5);
	top_ui_key(&ui, '-');
	top_ui_key(&ui, '-');
	ck_assert_double_eq(ui.interval, 1);
	for (int i = 0; i < 10; i++)
		top_ui_key(&ui, '-');
	ck_assert_double_eq(ui.interval, 0.1);
	ck_assert_uint_eq(top_ui_key(&ui, '-'), 0);
	/* An interval between the steps moves to the next one. */
	ui.interval = 0.75;
	top_ui_key(&ui, '+');
	ck_assert_double_eq(ui.interval, 1);
}
END_TEST

START_TEST(test_keys_screens)
{
	struct top_ui ui = ui_new();
	struct table_row store[10];

	follow10(&ui, store, 4);
	top_ui_key(&ui, TOP_KEY_DOWN);
	follow10(&ui, store, 4);
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_ENTER), TOP_ACT_DETAIL);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_DETAIL);
	ck_assert_uint_eq(ui.detail_port, 2);
	ck_assert_uint_eq(ui.detail_dir, IN);
	/* Help over the detail returns to the detail. */
	top_ui_key(&ui, 'h');
	ck_assert_int_eq(ui.screen, TOP_SCREEN_HELP);
	top_ui_key(&ui, TOP_KEY_ESC);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_DETAIL);
	/* Movement keys do nothing on the detail screen. */
	top_ui_key(&ui, TOP_KEY_DOWN);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_DETAIL);
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_BACKSPACE), TOP_ACT_DETAIL);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	top_ui_key(&ui, '?');
	ck_assert_int_eq(ui.screen, TOP_SCREEN_HELP);
	top_ui_key(&ui, '?');
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	ck_assert_uint_eq(top_ui_key(&ui, 'q'), TOP_ACT_QUIT);
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_F10), TOP_ACT_QUIT);
	/* Unknown keys change nothing. */
	ck_assert_uint_eq(top_ui_key(&ui, 'Z'), 0);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
}
END_TEST

/* D opens the findings screen; Esc, Backspace, q and D go back (q does
 * not quit there, F10 does); it scrolls by line within the lines the
 * engine says there are. */
START_TEST(test_keys_doctor)
{
	struct top_ui ui = ui_new();
	struct table_row store[10];

	follow10(&ui, store, 4);
	ck_assert_uint_eq(top_ui_key(&ui, 'D'), 0);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_DOCTOR);
	ck_assert_uint_eq(top_ui_key(&ui, 'q'), 0);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	top_ui_key(&ui, 'D');
	top_ui_key(&ui, 'D');
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	top_ui_key(&ui, 'D');
	top_ui_key(&ui, TOP_KEY_ESC);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	top_ui_key(&ui, 'D');
	top_ui_key(&ui, TOP_KEY_BACKSPACE);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_LIST);
	/* The list's selection is not moved by the screen's scrolling. */
	top_ui_key(&ui, 'D');
	ui.doc_lines = 10;
	ui.doc_page = 4;
	top_ui_key(&ui, TOP_KEY_UP);
	ck_assert_uint_eq(ui.doc_scroll, 0);
	top_ui_key(&ui, TOP_KEY_DOWN);
	top_ui_key(&ui, 'j');
	ck_assert_uint_eq(ui.doc_scroll, 2);
	top_ui_key(&ui, TOP_KEY_PGDN);
	ck_assert_uint_eq(ui.doc_scroll, 6);
	top_ui_key(&ui, TOP_KEY_DOWN);
	ck_assert_uint_eq(ui.doc_scroll, 6);	/* the last page shows */
	top_ui_key(&ui, TOP_KEY_HOME);
	ck_assert_uint_eq(ui.doc_scroll, 0);
	top_ui_key(&ui, TOP_KEY_END);
	ck_assert_uint_eq(ui.doc_scroll, 6);
	top_ui_key(&ui, TOP_KEY_PGUP);
	top_ui_key(&ui, 'k');
	ck_assert_uint_eq(ui.doc_scroll, 1);
	ck_assert_uint_eq(ui.sel, 0);
	/* Help over it returns to it; F10 still quits. */
	top_ui_key(&ui, 'h');
	ck_assert_int_eq(ui.screen, TOP_SCREEN_HELP);
	top_ui_key(&ui, TOP_KEY_ESC);
	ck_assert_int_eq(ui.screen, TOP_SCREEN_DOCTOR);
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_F10), TOP_ACT_QUIT);
	/* Reopened, it starts at the top. */
	top_ui_key(&ui, 'D');
	top_ui_key(&ui, 'D');
	ck_assert_uint_eq(ui.doc_scroll, 0);
}
END_TEST

START_TEST(test_keys_netns)
{
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct two_ns x;
	struct top_ui ui;
	struct top_row rows[16];
	size_t n;

	/* Without --all-netns 'n' only says why it does nothing. */
	ui = ui_new();
	ck_assert_uint_eq(top_ui_key(&ui, 'n'), 0);
	ck_assert(!ui.ns_merged);
	ck_assert(strstr(ui.msg, "--all-netns") != NULL);

	two_ns_init(&x);
	two_ns_fill(&x, 4, 9);
	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, true);
	/* b 80 in 10 | a 80 in 5 | b 5432 out 2: select a's row. */
	n = top_rows(&ui, x.ns, 3, rows);
	top_ui_follow(&ui, rows, n, 10);
	top_ui_key(&ui, TOP_KEY_DOWN);
	n = top_rows(&ui, x.ns, 3, rows);
	top_ui_follow(&ui, rows, n, 10);
	ck_assert_uint_eq(ui.sel, 1);
	ck_assert_uint_eq(ui.sel_ns, 11);
	ck_assert_str_eq(ui.sel_label, "a");

	/* The selection follows (namespace, port, dir) when rows re-sort. */
	two_ns_fill(&x, 20, 9);
	n = top_rows(&ui, x.ns, 3, rows);
	top_ui_follow(&ui, rows, n, 10);
	ck_assert_uint_eq(ui.sel, 0);
	ck_assert_uint_eq(ui.sel_ns, 11);

	/* Merged: the same port and direction stays selected. */
	two_ns_fill(&x, 4, 9);
	top_ui_key(&ui, 'n');
	n = top_rows(&ui, x.ns, 3, rows);
	top_ui_follow(&ui, rows, n, 10);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(ui.sel, 0);
	ck_assert_uint_eq(ui.sel_ns, 0);
	ck_assert_uint_eq(ui.sel_port, 80);
	ck_assert_str_eq(ui.sel_label, "");
	/* Enter on a merged row: a detail of no one namespace. */
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_ENTER), TOP_ACT_DETAIL);
	ck_assert_uint_eq(ui.detail_ns, 0);
	top_ui_key(&ui, TOP_KEY_ESC);
	/* 'n' is a list key: not on the detail or help screen. */
	top_ui_key(&ui, 'h');
	top_ui_key(&ui, 'n');
	ck_assert(ui.ns_merged);
	top_ui_key(&ui, 'h');

	/* Split again: the first row of that port and direction. */
	top_ui_key(&ui, 'n');
	n = top_rows(&ui, x.ns, 3, rows);
	top_ui_follow(&ui, rows, n, 10);
	ck_assert_uint_eq(ui.sel, 0);
	ck_assert_uint_eq(ui.sel_ns, 22);
	ck_assert_uint_eq(ui.sel_port, 80);
	/* Enter on a namespace's row: the detail knows which. */
	ck_assert_uint_eq(top_ui_key(&ui, TOP_KEY_ENTER), TOP_ACT_DETAIL);
	ck_assert_uint_eq(ui.detail_ns, 22);
	ck_assert_uint_eq(ui.detail_port, 80);
	ck_assert_str_eq(ui.detail_label, "pid:4242/containerd-shim-runc-v2");
	two_ns_done(&x);
}
END_TEST

static Suite *top_model_suite(void)
{
	Suite *s = suite_create("top_model");
	TCase *tc;

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keys_move);
	tcase_add_test(tc, test_keys_selection_follows_row);
	tcase_add_test(tc, test_keys_sort);
	tcase_add_test(tc, test_keys_sort_visible_columns);
	tcase_add_test(tc, test_keys_rate);
	tcase_add_test(tc, test_click);
	tcase_add_test(tc, test_keys_filter);
	tcase_add_test(tc, test_keys_direction_pause_interval);
	tcase_add_test(tc, test_keys_screens);
	tcase_add_test(tc, test_keys_doctor);
	tcase_add_test(tc, test_keys_netns);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(top_model_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
