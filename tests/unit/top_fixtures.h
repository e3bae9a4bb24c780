/* SPDX-License-Identifier: MIT */
/*
 * top_fixtures: what the dashboard model's suites share (check_top_hist,
 * check_top_layout, check_top_model): tables filled with known sockets,
 * two namespaces' samples, lookups in a layout, a fresh UI state.  Header
 * only, static inline, so each suite takes what it uses.
 */
#ifndef PORTSTAT_TOP_FIXTURES_H
#define PORTSTAT_TOP_FIXTURES_H

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

static inline struct table_filter filter_all(void)
{
	struct table_filter f;

	memset(&f, 0, sizeof(f));
	f.by = TABLE_BY_SERVICE;
	f.states = TCP_STATE_ALL_MASK;
	f.ipv4 = f.ipv6 = true;
	return f;
}

/* @n IPv4 sockets in @state from local port @sport to @dport. */
static inline void add(struct table *t, unsigned n, enum tcp_state state, uint16_t sport,
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
static inline void fill(struct table *t, unsigned est, unsigned cw, unsigned pool)
{
	table_clear(t);
	add(t, 1, TCP_STATE_LISTEN, 80, 0);
	add(t, est, TCP_STATE_ESTABLISHED, 80, 40000);
	add(t, cw, TCP_STATE_CLOSE_WAIT, 80, 40001);
	add(t, pool, TCP_STATE_ESTABLISHED, 50000, 5432);
}

/* One namespace's sample, as the dashboard without --all-netns takes it. */
static inline int upd(struct top_hist *h, const struct table *t, double dt)
{
	return top_hist_update(h, &(struct top_ns){ .table = t }, 1, dt);
}

/* Two namespaces, "a" (id 11) and "b" (id 22), and their sum as entry 0,
 * as the dashboard takes an --all-netns sample. */
struct two_ns {
	struct table *a, *b, *sum;
	struct top_ns ns[3];
};

static inline void two_ns_init(struct two_ns *x)
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
static inline void two_ns_fill(struct two_ns *x, unsigned a_est, unsigned b_est)
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

static inline void two_ns_done(struct two_ns *x)
{
	table_delete(x->a);
	table_delete(x->b);
	table_delete(x->sum);
}

static inline int find_state(const struct top_col *c, size_t n, enum tcp_state s)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == TOP_COL_STATE && c[i].state == s)
			return (int)i;
	return -1;
}

static inline int find_kind(const struct top_col *c, size_t n, enum top_col_kind k)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].kind == k)
			return (int)i;
	return -1;
}

/* "label port dir total" of each row, '|'-separated, "-" for no label. */
static inline const char *rows_str(const struct top_row *r, size_t n)
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

static inline struct top_ui ui_new(void)
{
	struct table_sort sort = { .key = TABLE_SORT_TOTAL };
	struct top_ui ui;

	top_ui_init(&ui, &sort, TCP_STATE_ALL_MASK, 2.0, false);
	return ui;
}

/* Ten rows, ports 1..10 in, @page on screen. */
static inline void follow10(struct top_ui *ui, struct table_row *store, size_t page)
{
	struct top_row rows[10];

	for (int i = 0; i < 10; i++) {
		store[i].port = (uint16_t)(i + 1);
		store[i].dir = IN;
		rows[i] = (struct top_row){ .r = &store[i] };
	}
	top_ui_follow(ui, rows, 10, page);
}

static inline void type(struct top_ui *ui, const char *s)
{
	for (; *s; s++)
		ck_assert_uint_eq(top_ui_key(ui, *s), 0);
}

#endif
