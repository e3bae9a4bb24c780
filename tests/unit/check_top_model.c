/*
 * check_top_model: the dashboard's pure parts.  History across samples
 * (rates, mark-and-sweep of vanished rows, the sparkline series and its
 * ring), sparkline scaling in UTF-8 and ASCII, the column layout at
 * several widths (what drops first, what always stays, that it fits), and
 * key handling on the model: movement, selection following a re-sort, sort
 * cycling, the '/' filter, direction, pause, interval, help and detail.
 * With --all-netns: history per namespace, rows per namespace or merged
 * ('n'), the NETNS column, and the selection across the toggle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <check.h>

#include "diag.h"
#include "table.h"
#include "top_model.h"

#define IN	TABLE_DIR_IN
#define OUT	TABLE_DIR_OUT

static struct table_filter filter_all(void)
{
	struct table_filter f;

	memset(&f, 0, sizeof(f));
	f.by = TABLE_BY_SERVICE;
	f.states = TCP_STATE_ALL_MASK;
	f.ipv4 = f.ipv6 = true;
	return f;
}

/* @n IPv4 sockets in @state from local port @sport to @dport. */
static void add(struct table *t, unsigned n, enum tcp_state state, uint16_t sport,
		uint16_t dport)
{
	struct sock_rec r;

	memset(&r, 0, sizeof(r));
	r.family = AF_INET;
	r.state = (uint8_t)state;
	r.sport = sport;
	r.dport = dport;
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_ge(table_add(t, &r), 0);
}

/* A server on 80 with @est connections and @cw in CLOSE-WAIT, and
 * @pool outbound connections to 5432. */
static void fill(struct table *t, unsigned est, unsigned cw, unsigned pool)
{
	table_clear(t);
	add(t, 1, TCP_STATE_LISTEN, 80, 0);
	add(t, est, TCP_STATE_ESTABLISHED, 80, 40000);
	add(t, cw, TCP_STATE_CLOSE_WAIT, 80, 40001);
	add(t, pool, TCP_STATE_ESTABLISHED, 50000, 5432);
}

/* One namespace's sample, as the dashboard without --all-netns takes it. */
static int upd(struct top_hist *h, const struct table *t, double dt)
{
	return top_hist_update(h, &(struct top_ns){ .table = t }, 1, dt);
}

/* ---- history ----------------------------------------------------------- */

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

/* Two namespaces, "a" (id 11) and "b" (id 22), and their sum as entry 0,
 * as the dashboard takes an --all-netns sample. */
struct two_ns {
	struct table *a, *b, *sum;
	struct top_ns ns[3];
};

static void two_ns_init(struct two_ns *x)
{
	struct table_filter f = filter_all();

	x->a = table_new(&f);
	x->b = table_new(&f);
	x->sum = table_new(&f);
	ck_assert(x->a && x->b && x->sum);
	x->ns[0] = (struct top_ns){ .table = x->sum };
	x->ns[1] = (struct top_ns){ .id = 11, .label = "a", .table = x->a };
	x->ns[2] = (struct top_ns){ .id = 22, .label = "pid:4242/containerd-shim-runc-v2",
				    .table = x->b };
}

/* a: server on 80 (@a_est + listener), b: server on 80 (@b_est + listener)
 * and 2 connections out to 5432. */
static void two_ns_fill(struct two_ns *x, unsigned a_est, unsigned b_est)
{
	table_clear(x->a);
	add(x->a, 1, TCP_STATE_LISTEN, 80, 0);
	add(x->a, a_est, TCP_STATE_ESTABLISHED, 80, 40000);
	table_clear(x->b);
	add(x->b, 1, TCP_STATE_LISTEN, 80, 0);
	add(x->b, b_est, TCP_STATE_ESTABLISHED, 80, 40000);
	add(x->b, 2, TCP_STATE_ESTABLISHED, 50000, 5432);
	table_clear(x->sum);
	ck_assert_int_eq(table_merge(x->sum, x->a), 0);
	ck_assert_int_eq(table_merge(x->sum, x->b), 0);
}

static void two_ns_done(struct two_ns *x)
{
	table_delete(x->a);
	table_delete(x->b);
	table_delete(x->sum);
}

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

/* ---- sparkline --------------------------------------------------------- */

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

/* ---- layout ------------------------------------------------------------ */

static int find_state(const struct top_col *c, size_t n, enum tcp_state s)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == TOP_COL_STATE && c[i].state == s)
			return (int)i;
	return -1;
}

static int find_kind(const struct top_col *c, size_t n, enum top_col_kind k)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == k)
			return (int)i;
	return -1;
}

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

/* ---- rows -------------------------------------------------------------- */

/* "label port dir total" of each row, '|'-separated, "-" for no label. */
static const char *rows_str(const struct top_row *r, size_t n)
{
	static char buf[512];
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s %u %s %llu",
					i ? "|" : "", r[i].label ? r[i].label : "-",
					r[i].r->port, r[i].r->dir == IN ? "in" : "out",
					(unsigned long long)r[i].r->total);
	return buf;
}

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

/* ---- keys -------------------------------------------------------------- */

static struct top_ui ui_new(void)
{
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_ui ui;

	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, false);
	return ui;
}

/* Ten rows, ports 1..10 in, @page on screen. */
static void follow10(struct top_ui *ui, struct table_row *store, size_t page)
{
	struct top_row rows[10];

	for (int i = 0; i < 10; i++) {
		store[i].port = (uint16_t)(i + 1);
		store[i].dir = IN;
		rows[i] = (struct top_row){ .r = &store[i] };
	}
	top_ui_follow(ui, rows, 10, page);
}

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

static void type(struct top_ui *ui, const char *s)
{
	for (; *s; s++)
		ck_assert_uint_eq(top_ui_key(ui, *s), 0);
}

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

	tc = tcase_create("history");
	tcase_add_test(tc, test_hist_rates_and_sweep);
	tcase_add_test(tc, test_hist_series);
	tcase_add_test(tc, test_hist_netns);
	suite_add_tcase(s, tc);

	tc = tcase_create("sparkline");
	tcase_add_test(tc, test_spark_level);
	tcase_add_test(tc, test_spark_render);
	suite_add_tcase(s, tc);

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
